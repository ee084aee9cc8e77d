"""The official `google-genai` SDK speaks a line against the fake Gemini speech models (generate_content with
response_modalities AUDIO and a prebuilt voice), as the google backend's voices send it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from google import genai
from google.genai import errors, types

from tests.fakes.google import KEY
from tests.fakes.google_speech import RATE, FakeGoogleSpeech


@contextmanager
def _client(fake: FakeGoogleSpeech, key: str = KEY) -> Iterator[genai.Client]:
    options = types.HttpOptions(base_url=fake.url, retry_options=types.HttpRetryOptions(attempts=1))
    client = genai.Client(api_key=key, http_options=options)
    try:
        yield client
    finally:
        client.close()


def _speech(voice: str) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        response_modalities=["AUDIO"],
        speech_config=types.SpeechConfig(
            voice_config=types.VoiceConfig(prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=voice))
        ),
    )


def test_sdk_speaks_a_line_in_a_prebuilt_voice() -> None:
    with FakeGoogleSpeech() as fake, _client(fake) as client:
        answer = client.models.generate_content(
            model="gemini-2.5-flash-preview-tts", contents="Say warmly: the boats are late.", config=_speech("Kore")
        )

    part = answer.candidates[0].content.parts[0]  # type: ignore[index, union-attr]
    assert part.inline_data is not None and part.inline_data.mime_type == f"audio/L16;codec=pcm;rate={RATE}"
    assert len(part.inline_data.data or b"") == 2 * int(len("Say warmly: the boats are late.") * 0.06 * RATE)
    (sent,) = fake.spoken
    assert (sent["words"], sent["voice"]) == ("Say warmly: the boats are late.", "Kore")
    assert sent["config"]["responseModalities"] == ["AUDIO"]
    # the SDK spells the speech config's fields in snake_case (proto JSON takes both; the adapter sends camelCase)
    assert sent["config"]["speechConfig"] == {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}}


def test_sdk_sees_the_real_error_shapes() -> None:
    with FakeGoogleSpeech() as fake, _client(fake) as client, _client(fake, "AIzaSy-wrong") as stranger:
        with pytest.raises(errors.ClientError) as voice:
            client.models.generate_content(model="gemini-2.5-flash-preview-tts", contents="Hi", config=_speech("Bob"))
        with pytest.raises(errors.ClientError) as model:
            client.models.generate_content(model="gemini-9-tts", contents="Hi", config=_speech("Kore"))
        with pytest.raises(errors.ClientError) as key:
            stranger.models.generate_content(
                model="gemini-2.5-flash-preview-tts", contents="Hi", config=_speech("Kore")
            )
    assert (voice.value.code, voice.value.status) == (400, "INVALID_ARGUMENT")
    assert model.value.code == 404 and key.value.code == 400
    assert fake.characters == 0
