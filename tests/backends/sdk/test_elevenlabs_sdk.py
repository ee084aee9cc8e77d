"""The official `elevenlabs` SDK speaks a line with timestamps against the fake: it speaks ElevenLabs' API."""

from __future__ import annotations

import base64

import pytest
from elevenlabs import VoiceSettings
from elevenlabs.client import ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.fakes.elevenlabs import KEY, FakeElevenLabs


def test_sdk_speaks_a_line_with_when_each_character_is_said() -> None:
    with FakeElevenLabs() as fake:
        client = ElevenLabs(api_key=KEY, base_url=fake.url)
        answer = client.text_to_speech.convert_with_timestamps(
            voice_id="JBFqnCBsd6RMkjVDRZzb",
            text="The boats are late.",
            model_id="eleven_multilingual_v2",
            output_format="pcm_24000",
            voice_settings=VoiceSettings(stability=0.4, similarity_boost=0.8, speed=1.0),
        )

    assert len(base64.b64decode(answer.audio_base_64)) == 2 * int(len("The boats are late.") * 0.06 * 24_000)
    assert answer.alignment is not None and "".join(answer.alignment.characters) == "The boats are late."
    assert answer.alignment.character_end_times_seconds[-1] == pytest.approx(19 * 0.06)
    (call,) = fake.calls_to("POST", r"/v1/text-to-speech/.*/with-timestamps")
    assert call.headers["xi-api-key"] == KEY and call.param("output_format") == "pcm_24000"
    (sent,) = fake.spoken
    assert (sent["voice"], sent["text"], sent["model_id"]) == (
        "JBFqnCBsd6RMkjVDRZzb",
        "The boats are late.",
        "eleven_multilingual_v2",
    )
    assert sent["voice_settings"]["stability"] == 0.4 and sent["voice_settings"]["similarity_boost"] == 0.8


def test_sdk_sees_the_real_error_shapes() -> None:
    with FakeElevenLabs(quota_left=3) as fake:
        client = ElevenLabs(api_key=KEY, base_url=fake.url)
        with pytest.raises(ApiError) as voice:
            client.text_to_speech.convert_with_timestamps(voice_id="nobody", text="Hi", output_format="pcm_24000")
        with pytest.raises(ApiError) as quota:
            client.text_to_speech.convert_with_timestamps(
                voice_id="JBFqnCBsd6RMkjVDRZzb", text="Too long", output_format="pcm_24000"
            )
        with pytest.raises(ApiError) as key:
            ElevenLabs(api_key="sk_wrong", base_url=fake.url).text_to_speech.convert_with_timestamps(
                voice_id="JBFqnCBsd6RMkjVDRZzb", text="Hi", output_format="pcm_24000"
            )
    assert voice.value.status_code == 404 and voice.value.body["detail"]["status"] == "voice_not_found"
    assert quota.value.status_code == 401 and quota.value.body["detail"]["status"] == "quota_exceeded"
    assert key.value.status_code == 401 and key.value.body["detail"]["status"] == "invalid_api_key"
    assert fake.characters == 0
