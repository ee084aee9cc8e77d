"""The official SDKs' own clients, which these tests make to prove the fakes, are not all closable (ElevenLabs' and
Replicate's keep an HTTP client with keep-alive sockets and offer no close), so every httpx client made during a test
here is closed when it ends. Left to the collector, their sockets were closed wherever it next ran: once inside
Shotline's code in another test, which failed on the ResourceWarning (an unclosed socket to a fake, seen in two
fresh-clone runs, the second after a collection of the young generations here had let older clients escape)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture(autouse=True)
def _sdk_clients_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    made: list[httpx.Client] = []
    made_here = httpx.Client.__init__

    def recorded(client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        made_here(client, *args, **kwargs)
        made.append(client)

    monkeypatch.setattr(httpx.Client, "__init__", recorded)
    yield
    for client in made:
        client.close()
