"""`shotline generate` says per cast member what will be sent before sending (issue 16, carry): the same placing the
request then carries to the provider, checked against the fake Google, Runway and fal servers."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.cli.shotline_cli import ok, shotline
from tests.cli.test_cast_cli import picture
from tests.fakes.fal import KEY as FAL_KEY
from tests.fakes.fal import FakeFal
from tests.fakes.google import KEY as GOOGLE_KEY
from tests.fakes.google import FakeGoogle
from tests.fakes.runway import KEY as RUNWAY_KEY
from tests.fakes.runway import FakeRunway

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """One shot mentioning four members: two characters, a place and a prop with a picture but no words."""
    made = tmp_path / "Film.shotline"
    ok("new", made, "--size", "320x180", "--fps", "24")
    ok("add", made, "--prompt", "@Mara and @Teo row into @Harbour past a @Gull", "--duration", "5")
    for name, kind, colour, words in (
        ("Mara", "character", "yellow", "a tall fisherwoman in a yellow oilskin"),
        ("Teo", "character", "red", "a boy with a red kite"),
        ("Harbour", "place", "gray", "a grey stone harbour"),
        ("Gull", "prop", "white", ""),
    ):
        image = picture(tmp_path / f"{name}.png", colour)
        ok("cast", "add", made, name, "--kind", kind, "--description", words, "--image", image)
    return made


def test_generate_names_what_goes_of_each_member_and_the_provider_receives_that(project: Path) -> None:
    with FakeGoogle() as fake:
        env = {"SHOTLINE_GOOGLE_BASE_URL": fake.url, "GEMINI_API_KEY": GOOGLE_KEY, "GOOGLE_API_KEY": ""}
        result = shotline(
            "generate",
            project,
            "--shot",
            "1",
            "--backend",
            "google",
            "--model",
            "gemini-omni-1.2-flash",
            "--wait",
            env=env,
        )
        assert result.code == 0, result.err
        body = fake.creates()[0].json()
    assert (
        "Shot 1 cast: @Mara → image reference · @Teo → image reference · @Harbour → image reference · "
        "@Gull → dropped (only 3 references)"
    ) in result.err
    content = body["input"][0]["content"]
    assert [block["type"] for block in content] == ["image", "image", "image", "text"]
    assert content[-1]["text"] == "<IMAGE_REF_0> and <IMAGE_REF_1> row into <IMAGE_REF_2> past a Gull"
    sent = [base64.b64decode(block["data"]) for block in content[:3]]
    media = sorted((project / "media").iterdir())
    assert len(set(sent)) == 3 and all(any(data == path.read_bytes() for path in media) for data in sent)


def test_a_try_on_says_per_pair_what_each_model_takes_of_the_cast(project: Path) -> None:
    with FakeRunway() as runway, FakeFal() as fal:
        env = {
            "SHOTLINE_RUNWAY_BASE_URL": runway.url,
            "RUNWAYML_API_SECRET": RUNWAY_KEY,
            "SHOTLINE_FAL_BASE_URL": fal.url,
            "FAL_KEY": FAL_KEY,
            "SHOTLINE_POLL_SECONDS": "0.05",
        }
        tries = ("--try", "runway/gen4.5", "--try", "fal/seedance-2")
        result = shotline("generate", project, "--shot", "1", *tries, "--yes", "--wait", env=env)
        assert result.code == 0, result.err
        (create,) = runway.creates()
        (submit,) = fal.submits()
    lines = result.err.splitlines()
    runway_line = lines.index(next(line for line in lines if line.strip().startswith("Runway · Gen-4.5")))
    assert (
        (  # under the pair, after what its model cannot take of the shot's own settings
            "    cast: @Mara → described in words · @Teo → described in words · @Harbour → first frame · "
            "@Gull → dropped (Gen-4.5 takes no reference images)"
        )
        in lines[runway_line + 1 : runway_line + 4]
    )
    assert (
        "    cast: @Mara → image reference · @Teo → image reference · @Harbour → image reference · "
        "@Gull → image reference"
    ) in lines
    assert create.path == "/v1/image_to_video" and len(create.json()["promptImage"]) == 1
    assert submit.path == "/bytedance/seedance-2.0/reference-to-video" and len(submit.json()["image_urls"]) == 4
