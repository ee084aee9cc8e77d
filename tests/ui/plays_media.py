"""The marks of a test that plays media through QtMultimedia.

Qt's FFmpeg media backend crashed a test worker once in CI while a clip played (2026-12, no sound device, not
reproduced in 45 runs here). A crash there, and only a crash (xdist's "worker crashed while running"), is retried
once, and the worker's fault dump is printed at the end of the run (tests/conftest.py) so a second one can be traced.
Anything a playing test asserts still fails it at once.
"""

from __future__ import annotations

import pytest

PLAYS_MEDIA = [pytest.mark.ffmpeg, pytest.mark.flaky(reruns=1, only_rerun=["crashed while running"])]
