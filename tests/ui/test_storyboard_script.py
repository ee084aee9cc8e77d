"""Paste script (services.script): one shot per paragraph, numbering stripped, empty paragraphs ignored."""

from __future__ import annotations

from shotline.services.script import shots_from_script


def test_one_shot_per_paragraph_in_order() -> None:
    text = "A lighthouse at dawn. Waves below.\n\nThe keeper climbs the stairs\nwith a lamp.\n"
    assert shots_from_script(text) == [
        ("A lighthouse at dawn", "A lighthouse at dawn. Waves below."),
        ("The keeper climbs the stairs", "The keeper climbs the stairs with a lamp."),
    ]


def test_numbering_prefixes_are_stripped() -> None:
    text = "Shot 3: Gulls wheel.\n\nSHOT 4 - Rain\n\nscene 5. Night falls\n\n6) The lamp turns\n\n7. Dawn again"
    prompts = [prompt for _, prompt in shots_from_script(text)]
    assert prompts == ["Gulls wheel.", "Rain", "Night falls", "The lamp turns", "Dawn again"]


def test_blank_and_empty_paragraphs_are_ignored() -> None:
    text = "\r\n\r\n  \n\nShot 1:\n\n\t\nOnly one.\n\n\n\n"
    assert shots_from_script(text) == [("Only one", "Only one.")]
    assert shots_from_script("") == []
    assert shots_from_script(" \n \n") == []


def test_titles_are_the_first_few_words() -> None:
    ((title, prompt),) = shots_from_script("Wide shot of a storm rolling over the harbour, boats rocking")
    assert title == "Wide shot of a storm"
    assert prompt.startswith(title)


def test_numbers_inside_a_prompt_stay() -> None:
    ((_, prompt),) = shots_from_script("35 mm film look, 2 boats at sea")
    assert prompt == "35 mm film look, 2 boats at sea"
    ((_, prompt),) = shots_from_script("2.5 seconds of rain on glass")
    assert prompt == "2.5 seconds of rain on glass"
