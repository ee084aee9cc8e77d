"""The files in resources/ are what the code and the README promise: a valid icon, a licensed font, a small demo."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from shotline.resources import resource, resources_dir

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def test_resources_resolve_to_the_repository_folder_in_a_checkout() -> None:
    assert resources_dir().resolve() == (REPO / "resources").resolve()


def test_icon_is_a_square_svg() -> None:
    root = ET.parse(resource("icons", "shotline.svg")).getroot()
    assert root.tag == f"{SVG}svg"
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width == height > 0
    assert root.find(f"{SVG}title") is not None


def test_card_font_is_a_small_truetype_file_with_its_licence() -> None:
    fonts = sorted(resource("fonts").glob("*.ttf"))
    assert fonts, "no .ttf in resources/fonts"
    for font in fonts:
        data = font.read_bytes()
        assert data[:4] in (b"\x00\x01\x00\x00", b"true"), f"{font.name} is not a TrueType font"
        assert len(data) < 1_000_000
    licences = list(resource("fonts").glob("LICENSE-*.txt"))
    assert licences
    assert all("Permission is hereby granted" in path.read_text(encoding="utf-8") for path in licences)


def test_demo_script_is_small_and_complete() -> None:
    script = json.loads(resource("demo", "demo.json").read_text(encoding="utf-8"))
    assert script["title"].strip()
    width, height = (int(v) for v in script["size"].split("x"))
    assert (width, height) == (640, 360)
    assert Fraction(str(script["fps"])) == 24
    shots = script["shots"]
    assert len(shots) == 4
    for shot in shots:
        assert shot["title"].strip()
        assert 20 <= len(shot["prompt"]) <= 300
        assert 2 <= Fraction(str(shot["duration"])) <= 3
