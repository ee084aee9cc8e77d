"""The official SDKs' own clients, which these tests make to prove the fakes, are not all closable (ElevenLabs',
Replicate's and fal's keep an HTTP client with keep-alive sockets and offer no close; google-genai's is left open
here too), so each test here ends by collecting what it left: the sockets are closed in the test that opened them,
where a ResourceWarning is ignored, instead of wherever the collector would next run, which failed a test in
Shotline's code that had no part in it (an unclosed socket to a fake, seen in a fresh-clone run)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _sdk_clients_collected() -> Iterator[None]:
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect(1)  # the young generations, where what the test made still is: a full collection cost 0.2 s
