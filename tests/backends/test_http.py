"""ProviderHttp against a real HTTP server on 127.0.0.1: the money and key rules every adapter inherits."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.http import KeyAuth, LinkExpired, ProviderHttp, base_url, checked_url
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    ContentBlocked,
    InputRejected,
    QuotaExceeded,
    TransientError,
)
from tests.backends.adapter_kit import FixedSecrets, provider_context, quick_retries
from tests.fakes.server import Call, FakeServer, Reply, file_reply, sample_mp4

KEY = "sk-test-0123456789abcdef"
PAYLOAD = bytes(range(256)) * 1024  # 256 KiB, so a truncated body ends mid-stream


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    server.route("GET", r"/v1/status", lambda call, _: Reply(json={"key": call.headers.get("authorization")}))
    server.route("POST", r"/v1/jobs", lambda call, _: Reply(201, json={"id": "job-1"}))
    server.route("GET", r"/file", lambda call, _: file_reply(PAYLOAD, call))
    server.route(
        "GET",
        r"/signed",
        lambda call, _: file_reply(PAYLOAD, call) if server.link_ok(call) else Reply(403, json={"error": "expired"}),
    )
    with server:
        yield server


def _client(url: str, *, key: str | None = KEY, **kwargs: Any) -> ProviderHttp:
    return ProviderHttp(
        backend_id="test", provider="Test Provider", base=url, secrets=FixedSecrets(key), key_auth=KeyAuth(), **kwargs
    )


def _run(url: str, scenario: Any, **kwargs: Any) -> Any:
    async def main() -> Any:
        http = _client(url, **kwargs)
        try:
            return await scenario(http)
        finally:
            await http.aclose()

    return asyncio.run(main())


# ---------------------------------------------------------------------------------------------- configuration


def test_the_environment_overrides_the_setting_which_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = provider_context(tmp_path, "runway", "http://127.0.0.1:9000/")
    assert base_url(ctx, "runway", "https://api.example.com") == "http://127.0.0.1:9000"
    monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", "http://localhost:9100")
    assert base_url(ctx, "runway", "https://api.example.com") == "http://localhost:9100"
    monkeypatch.delenv("SHOTLINE_RUNWAY_BASE_URL")
    assert base_url(provider_context(tmp_path, "other", ""), "runway", "https://api.example.com/") == (
        "https://api.example.com"
    )


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.5:8188", "ftp://127.0.0.1", "nonsense"])
def test_plain_http_is_refused_except_to_this_computer(url: str) -> None:
    with pytest.raises(InputRejected) as refused:
        checked_url(url, "comfyui")
    assert url in str(refused.value)


@pytest.mark.parametrize("url", ["https://me:s3cret-token@x.io", "http://s3cret-token@127.0.0.1:8188"])
def test_an_address_holding_a_password_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(InputRejected) as refused:
        checked_url(url, "comfyui")
    assert "keyring" in str(refused.value) and "s3cret" not in str(refused.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8188", "http://localhost:8188", "http://[::1]:8188", "https://x.io"])
def test_loopback_and_https_are_allowed(url: str) -> None:
    assert checked_url(url) == url


# ---------------------------------------------------------------------------------------------- reads


def test_reads_retry_429_with_retry_after_then_5xx_and_dropped_connections(
    fake: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)
    fake.inject("GET", r"/v1/status", status=429, retry_after=0.2)
    fake.inject("GET", r"/v1/status", status=503)
    fake.inject("GET", r"/v1/status", kind="drop")

    answer = _run(fake.url, lambda http: http.get_json("/v1/status"))

    assert answer == {"key": "Bearer <redacted>"}  # the fake echoes the key; Shotline never reads it back
    assert [call.headers["authorization"] for call in fake.calls] == [f"Bearer {KEY}"] * 4


def test_reads_give_up_with_a_transient_error_that_names_the_provider(
    fake: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)
    fake.inject("GET", r"/v1/status", status=500, times=10)
    with pytest.raises(TransientError, match="Test Provider had a problem"):
        _run(fake.url, lambda http: http.get_json("/v1/status"))
    assert fake.count("GET", r"/v1/status") == 5


# ---------------------------------------------------------------------------------------------- creates


def test_a_create_refused_with_429_is_asked_again_and_makes_one_job(fake: FakeServer) -> None:
    fake.inject("POST", r"/v1/jobs", status=429, retry_after=0.1)
    response = _run(fake.url, lambda http: http.create("POST", "/v1/jobs", json={"prompt": "x"}))
    assert response.json() == {"id": "job-1"}
    assert fake.count("POST", r"/v1/jobs") == 2


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "drop", "after_handler": True},
        {"kind": "hang", "after_handler": True},
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
    ],
    ids=["dropped-after-accept", "timed-out-after-accept", "500", "503"],
)
def test_a_create_that_may_have_started_a_job_is_never_sent_again(fake: FakeServer, fault: dict[str, Any]) -> None:
    fake.inject("POST", r"/v1/jobs", **fault)
    with pytest.raises(AmbiguousSubmit, match="may have started"):
        _run(fake.url, lambda http: http.create("POST", "/v1/jobs", json={}), timeout=_short_timeout())
    assert fake.count("POST", r"/v1/jobs") == 1


def test_a_create_that_could_not_connect_says_nothing_was_sent() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        closed_port = placeholder.getsockname()[1]
    with pytest.raises(TransientError, match="nothing was sent"):
        _run(f"http://127.0.0.1:{closed_port}", lambda http: http.create("POST", "/v1/jobs", json={}))


def _short_timeout() -> Any:
    import httpx

    return httpx.Timeout(0.5)


# ---------------------------------------------------------------------------------------------- errors and keys


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, AuthFailed, "did not accept the API key"),
        (402, QuotaExceeded, "out of credit"),
        (422, InputRejected, "duration must be 5 or 10"),
        (400, InputRejected, "refused the request"),
    ],
)
def test_error_answers_become_clear_errors_without_the_key(
    fake: FakeServer, status: int, error: type[Exception], words: str
) -> None:
    fake.inject("GET", r"/v1/status", status=status, body={"error": {"message": "duration must be 5 or 10"}})
    with pytest.raises(error) as raised:
        _run(fake.url, lambda http: http.get_json("/v1/status"))
    assert words in str(raised.value) and "Test Provider" in str(raised.value)
    assert KEY not in str(raised.value)


def test_an_adapter_hook_reads_the_providers_own_error_shape(fake: FakeServer) -> None:
    def on_error(response: Any, message: str) -> ContentBlocked | None:
        return ContentBlocked(f"Blocked: {message}") if "SAFETY" in response.text else None

    fake.inject("POST", r"/v1/jobs", status=400, body={"error": "SAFETY.INPUT: not allowed"})
    with pytest.raises(ContentBlocked, match=r"SAFETY\.INPUT"):
        _run(fake.url, lambda http: http.create("POST", "/v1/jobs", json={}), on_error=on_error)


def test_no_key_says_how_to_set_one_before_anything_is_sent(fake: FakeServer) -> None:
    with pytest.raises(AuthFailed, match="shotline keys set test"):
        _run(fake.url, lambda http: http.create("POST", "/v1/jobs", json={}), key=None)
    assert fake.calls == []


def test_a_key_fixed_after_a_401_is_read_again(fake: FakeServer) -> None:
    secrets = FixedSecrets("wrong-key-000000")
    fake.inject("GET", r"/v1/status", status=401)

    async def scenario() -> Any:
        http = ProviderHttp(backend_id="t", provider="T", base=fake.url, secrets=secrets, key_auth=KeyAuth())
        try:
            with pytest.raises(AuthFailed):
                await http.get_json("/v1/status")
            secrets.key = KEY
            return await http.get_json("/v1/status")
        finally:
            await http.aclose()

    assert asyncio.run(scenario()) == {"key": "Bearer <redacted>"}
    assert [call.headers["authorization"] for call in fake.calls] == ["Bearer wrong-key-000000", f"Bearer {KEY}"]


def test_any_key_the_process_knows_is_out_of_every_answer_before_an_adapter_reads_it(fake: FakeServer) -> None:
    other = "key_another_backend_9f8e7d6c5b4a"
    escaped = "".join(f"\\u{ord(char):04x}" for char in KEY)  # a JSON string spelling the key in escapes
    body = f'{{"said": "{escaped}", "deep": [{{"note": "also {other}"}}], "{KEY}": 1}}'.encode()
    fake.route("GET", r"/v1/echo", lambda call, _: Reply(body=body, headers={"X-Echo": f"Bearer {other}"}))

    async def scenario(http: ProviderHttp) -> Any:
        response = await http.read("GET", "/v1/echo")
        return response.json(), response.headers["X-Echo"], response.text

    answer, header, text = _run(fake.url, scenario, known_keys=lambda: [other])

    assert answer == {"said": "<redacted>", "deep": [{"note": "also <redacted>"}], "<redacted>": 1}
    assert header == "Bearer <redacted>"
    assert KEY not in text and other not in text


def test_a_broken_answer_quoting_the_key_is_told_without_it() -> None:
    """httpx's own words for a garbled answer quote what the server sent (here a status line holding the key)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def answer_once() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(f"HTTX/1.1 200 {KEY}\r\n\r\n".encode())

        thread = threading.Thread(target=answer_once, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(AmbiguousSubmit) as raised:
            _run(url, lambda http: http.create("POST", "/v1/jobs", json={}))
        thread.join(timeout=5)
    assert "illegal status line" in str(raised.value) and "<redacted>" in str(raised.value)
    assert KEY[:12] not in str(raised.value)


def test_a_redirect_quoting_the_key_is_refused_without_it(fake: FakeServer, tmp_path: Path) -> None:
    fake.route("GET", r"/v1/files/echo", lambda call, _: Reply(302, headers={"Location": f"ftp://files/{KEY}"}))
    with pytest.raises(InputRejected, match="not a web address") as raised:
        _download(fake.url, "/v1/files/echo", tmp_path / "clip.mp4")
    assert KEY[:12] not in str(raised.value)


# ---------------------------------------------------------------------------------------------- downloads


def _download(url: str, target: str, dest: Path, **kwargs: Any) -> list[float]:
    seen: list[float] = []
    _run(url, lambda http: http.download(target, dest, seen.append), **kwargs)
    return seen


def test_a_truncated_download_is_continued_with_a_range_request(fake: FakeServer, tmp_path: Path) -> None:
    fake.inject("GET", r"/file", kind="truncate")
    dest = tmp_path / "clip.mp4"

    progress = _download(fake.url, "/file", dest)

    assert dest.read_bytes() == PAYLOAD
    ranges = [call.headers.get("range") for call in fake.calls_to("GET", r"/file")]
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert progress[-1] == 1.0 and progress == sorted(progress)


def test_a_partial_file_left_by_a_crash_is_continued(fake: FakeServer, tmp_path: Path) -> None:
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(PAYLOAD[:1000])
    _download(fake.url, "/file", dest)
    assert dest.read_bytes() == PAYLOAD
    assert fake.calls_to("GET", r"/file")[0].headers["range"] == "bytes=1000-"


def test_a_partial_file_longer_than_the_clip_starts_again(fake: FakeServer, tmp_path: Path) -> None:
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(PAYLOAD + b"stale tail")
    _download(fake.url, "/file", dest)
    assert dest.read_bytes() == PAYLOAD


def test_the_key_never_follows_a_redirect_to_another_host(fake: FakeServer, tmp_path: Path) -> None:
    with FakeServer() as file_host:
        file_host.route("GET", r"/blob", lambda call, _: file_reply(sample_mp4(), call))
        fake.route("GET", r"/v1/files/abc", lambda call, _: Reply(302, headers={"Location": f"{file_host.url}/blob"}))
        dest = tmp_path / "clip.mp4"

        _download(fake.url, "/v1/files/abc", dest)

        assert dest.read_bytes() == sample_mp4()
        assert fake.calls_to("GET", r"/v1/files/abc")[0].headers["authorization"] == f"Bearer {KEY}"
        (blob_call,) = file_host.calls_to("GET", r"/blob")
        assert "authorization" not in blob_call.headers
        assert not any(KEY in value for value in blob_call.headers.values())


def test_a_redirect_to_plain_http_elsewhere_is_refused(fake: FakeServer, tmp_path: Path) -> None:
    fake.route("GET", r"/v1/files/evil", lambda call, _: Reply(302, headers={"Location": "http://example.com/x"}))
    with pytest.raises(InputRejected, match="plain http"):
        _download(fake.url, "/v1/files/evil", tmp_path / "clip.mp4")


def test_an_expired_link_on_another_host_says_so(fake: FakeServer, tmp_path: Path) -> None:
    with FakeServer() as api:
        expired = fake.sign("/signed", ttl=-1)
        with pytest.raises(LinkExpired, match="expired"):
            _download(api.url, expired, tmp_path / "clip.mp4")
        valid = fake.sign("/signed")
        _download(api.url, valid, tmp_path / "clip.mp4")
        assert (tmp_path / "clip.mp4").read_bytes() == PAYLOAD


def test_call_log_keeps_the_body(fake: FakeServer) -> None:
    _run(fake.url, lambda http: http.create("POST", "/v1/jobs", json={"prompt": "harbour"}))
    (call,) = fake.calls_to("POST", r"/v1/jobs")
    assert isinstance(call, Call) and call.json() == {"prompt": "harbour"}
