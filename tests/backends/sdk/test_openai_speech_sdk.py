"""The official `openai` SDK (client.audio.speech) speaks a line against the fake: it speaks OpenAI's speech API."""

from __future__ import annotations

import io
import wave

import openai
import pytest

from tests.fakes.openai import KEY
from tests.fakes.openai_speech import FakeOpenAISpeech


def test_sdk_speaks_a_line_as_wav() -> None:
    with FakeOpenAISpeech() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        answer = client.audio.speech.create(
            model="gpt-4o-mini-tts",
            voice="nova",
            input="The boats are late.",
            response_format="wav",
            speed=1.25,
            instructions="Worried, quiet.",
        )
        sound = answer.read()

    with wave.open(io.BytesIO(sound)) as read:
        assert (read.getnchannels(), read.getframerate()) == (1, 24_000)
        assert read.getnframes() > 0
    (create,) = fake.calls_to("POST", r"/v1/audio/speech")
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert fake.spoken == [
        {
            "model": "gpt-4o-mini-tts",
            "voice": "nova",
            "input": "The boats are late.",
            "response_format": "wav",
            "speed": 1.25,
            "instructions": "Worried, quiet.",
        }
    ]
    assert fake.characters == len("The boats are late.")


def test_sdk_sees_the_real_error_shapes() -> None:
    with FakeOpenAISpeech() as fake, openai.OpenAI(api_key=KEY, base_url=fake.api_url, max_retries=0) as client:
        with pytest.raises(openai.BadRequestError) as voice:
            client.audio.speech.create(model="tts-1", voice="bob", input="Hello")
        with pytest.raises(openai.BadRequestError) as instructions:
            client.audio.speech.create(model="tts-1", voice="alloy", input="Hello", instructions="Warm.")
    assert voice.value.code == "invalid_value" and voice.value.param == "voice"
    assert instructions.value.param == "instructions"
    assert fake.characters == 0
    with (
        FakeOpenAISpeech() as other,
        openai.OpenAI(api_key="sk-wrong-key-123456", base_url=other.api_url, max_retries=0) as client,
        pytest.raises(openai.AuthenticationError),
    ):
        client.audio.speech.create(model="tts-1", voice="alloy", input="Hello")
    assert other.characters == 0
