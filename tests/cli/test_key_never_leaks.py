"""With debug logging on, a provider key appears in no log line, project file, journal, setting or error message.

Runs the real `shotline -vv` against a fake Runway, once with the right key (a full generation) and once with a
wrong one that the provider quotes back in its error, then searches every byte Shotline wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok, shotline
from tests.fakes.runway import KEY, FakeRunway
from tests.fakes.server import Call, Reply, bearer

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

WRONG_KEY = "key_wrong_but_secret_0123456789"


class QuotingRunway(FakeRunway):
    """Answers a bad key by quoting it back, as some providers do — the worst case for a leak."""

    def _refused(self, call: Call) -> Reply | None:
        presented = bearer(call)
        if presented != self.key:
            return Reply(401, json={"error": f"Invalid API secret provided: {presented}"})
        return super()._refused(call)


def _files_containing(folder: Path, secret: str) -> list[Path]:
    needle = secret.encode()
    return [path for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()]


def test_the_key_is_in_no_log_file_journal_or_message(tmp_path: Path) -> None:
    config, cache = tmp_path / "config", tmp_path / "cache"
    project = tmp_path / "secret.shotline"
    base = {"SHOTLINE_CONFIG_DIR": str(config), "SHOTLINE_CACHE_DIR": str(cache), "SHOTLINE_POLL_SECONDS": "0.05"}
    ok("new", project, "--size", "320x180", env=base)
    ok("add", project, "--prompt", "A lighthouse at dawn", "--duration", "5", env=base)

    with QuotingRunway() as fake:
        env = {**base, "SHOTLINE_RUNWAY_BASE_URL": fake.url}
        good = shotline(
            "-vv", "generate", project, "--backend", "runway", "--wait", env={**env, "RUNWAYML_API_SECRET": KEY}
        )
        assert good.code == 0, good.err
        assert "DEBUG" in good.err  # debug logging really was on
        assert "Estimated cost: about $0.60 for 1 paid job(s)" in good.err  # said before anything was sent
        assert info(project)["shots"][0]["takes"] == 1
        assert fake.creates()[0].headers["authorization"] == f"Bearer {KEY}"  # the key was really used

        bad = shotline(
            "-vv", "generate", project, "--all", "--backend", "runway", "--wait",
            env={**env, "RUNWAYML_API_SECRET": WRONG_KEY},
        )  # fmt: skip
        assert bad.code == 1
        assert "did not accept the API key" in bad.err and "Invalid API secret provided" in bad.err
        status = shotline("-vv", "keys", "test", "runway", env={**env, "RUNWAYML_API_SECRET": WRONG_KEY})
        assert status.code == 1 and "did not accept the API key" in status.err
        jobs = ok("jobs", project, "--json", env=env)
        assert "did not accept the API key" in jobs

    for secret in (KEY, WRONG_KEY):
        for output in (good.out, good.err, bad.out, bad.err, status.out, status.err, jobs):
            assert secret not in output
        for folder in (project, config, cache):
            assert _files_containing(folder, secret) == [], f"{secret[:8]}… found under {folder}"
