"""Captions made from dialogue lines: timed to the voice take's words, else spread over the take, else the shot."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from shotline.core.captions import CAPTION_CHARS, Voicing, Word, captions_from_lines, pieces, words_at
from shotline.core.model import (
    Caption,
    CastMember,
    DialogueLine,
    MediaInfo,
    Origin,
    Project,
    Shot,
    Size,
    Take,
    Trim,
)


def _shot(shot_id: str, seconds: int, *lines: DialogueLine) -> Shot:
    duration = seconds * 1_000_000
    info = MediaInfo(duration, has_video=True, has_audio=True, fps=Fraction(24), size=Size(320, 240))
    take = Take(f"{shot_id}-take", f"media/{shot_id}.mp4", Origin.IMPORTED, info, Trim(0, duration))
    return Shot(shot_id, prompt=shot_id, takes=(take,), picked_take_id=take.id, dialogue=lines)


MARA = CastMember("m-1", "Mara")
LINE_A = DialogueLine("l-a", "Where is the boat?", member_id="m-1")
LINE_B = DialogueLine("l-b", "Gone with the tide, every last one of them.", speaker="Old man")
LINE_C = DialogueLine("l-c", "Then we swim.", member_id="m-1")


def _film() -> Project:
    return Project("p", "Harbour", shots=(_shot("s1", 4, LINE_A, LINE_B), _shot("s2", 3, LINE_C)), cast=(MARA,))


def test_unvoiced_lines_share_their_shot_by_length_one_after_the_other() -> None:
    made = captions_from_lines(_film(), {})
    assert [(c.text, c.speaker, c.line_id) for c in made] == [
        ("Where is the boat?", "Mara", "l-a"),
        ("Gone with the tide, every last one of them.", "Old man", "l-b"),
        ("Then we swim.", "Mara", "l-c"),
    ]
    a, b, c = made
    # shot 1 is [0, 4 s): 18 and 43 characters share it; shot 2 starts where shot 1 ends
    assert (a.start_us, a.end_us) == (0, 4_000_000 * 18 // 61)
    assert (b.start_us, b.end_us) == (a.end_us, 4_000_000)
    assert (c.start_us, c.end_us) == (4_000_000, 7_000_000)


def test_a_voiced_line_is_timed_to_its_take_and_to_its_words_where_the_provider_gave_them() -> None:
    words = (
        Word("Then", 4_300_000, 4_500_000),
        Word("we", 4_520_000, 4_650_000),
        Word("swim.", 4_700_000, 5_100_000),
    )
    voicings = {
        "l-a": Voicing("l-a", 1_000_000, 2_200_000),
        "l-c": Voicing("l-c", 4_250_000, 5_400_000, words),
    }
    made = {c.line_id: c for c in captions_from_lines(_film(), voicings)}
    assert (made["l-a"].start_us, made["l-a"].end_us) == (1_000_000, 2_200_000)  # the take's span
    assert (made["l-c"].start_us, made["l-c"].end_us) == (4_300_000, 5_100_000)  # first word to last word
    # the unvoiced line has its shot to itself
    assert (made["l-b"].start_us, made["l-b"].end_us) == (0, 4_000_000)


def test_a_long_line_becomes_several_captions_between_words_each_timed_by_its_words() -> None:
    text = " ".join(f"word{i:02d}" for i in range(30))  # 30 words of 6 characters: 209 characters
    said = tuple(Word(w, 10_000 * i, 10_000 * i + 8_000) for i, w in enumerate(text.split()))
    project = Project("p", "t", shots=(_shot("s1", 4, DialogueLine("l", text)),))
    made = captions_from_lines(project, {"l": Voicing("l", 0, 400_000, said)})
    assert " ".join(c.text for c in made) == text
    assert all(len(c.text) <= CAPTION_CHARS for c in made) and len(made) == 3
    first_words = [len(c.text.split()) for c in made]
    assert made[1].start_us == said[first_words[0]].start_us
    assert made[-1].end_us == said[-1].end_us


def test_edited_captions_and_those_whose_line_is_gone_are_kept_when_captions_are_made_again() -> None:
    project = _film()
    edited = Caption("c-1", 100, 900_000, "WHERE is the boat??", "Mara", "l-a", edited=True)
    orphan = Caption("c-2", 6_000_000, 6_500_000, "A line since deleted", "", "l-gone")
    stale = Caption("c-3", 0, 10, "Gone with the tide", "Old man", "l-b")
    made = captions_from_lines(replace(project, captions=(edited, orphan, stale)), {})
    assert edited in made and orphan in made and stale not in made
    assert [c.line_id for c in made].count("l-a") == 1
    assert [c.text for c in made if c.line_id == "l-b"] == [LINE_B.text]


def test_an_unwritten_line_makes_no_caption_and_takes_none_of_the_shot() -> None:
    project = Project("p", "t", shots=(_shot("s1", 2, DialogueLine("l-0"), DialogueLine("l-1", "Hello.")),))
    made = captions_from_lines(project, {})
    assert [(c.text, c.start_us, c.end_us) for c in made] == [("Hello.", 0, 2_000_000)]


def test_pieces_cut_between_words_and_inside_a_word_longer_than_a_piece() -> None:
    assert pieces("aa bb cc", 5) == ["aa bb", "cc"]
    assert pieces("abcdefghij k", 4) == ["abcd", "efgh", "ij k"]


def test_a_line_a_little_too_long_for_one_caption_is_shared_evenly_not_left_with_a_word_alone() -> None:
    line = "We should have left the harbour before the tide turned, everyone in this town knows that."
    assert pieces(line) == [
        "We should have left the harbour before the tide",
        "turned, everyone in this town knows that.",
    ]


def test_the_words_at_a_time_are_the_caption_over_it_as_exported_and_none_between_captions() -> None:
    first = Caption("c-1", 1_000_000, 2_000_000, "  Where is the boat? ", "Mara", "l-a")
    second = Caption("c-2", 2_000_000, 3_000_000, "Gone with the tide.", "Old man", "l-b")
    later = Caption("c-3", 5_000_000, 6_000_000, "Then we swim.", "Mara", "l-c")
    captions = (later, first, second)  # in any order
    assert words_at(captions, 999_999) == ""
    # the speaker's name is not shown, as the SRT and WebVTT files do not write it; the text is trimmed as there
    assert words_at(captions, 1_000_000) == "Where is the boat?"
    assert words_at(captions, 1_999_999) == "Where is the boat?"
    assert words_at(captions, 2_000_000) == "Gone with the tide.", "a caption ends where the next one starts"
    assert words_at(captions, 4_000_000) == "", "nothing between captions"
    assert words_at(captions, 6_000_000) == ""
    assert words_at((), 0) == ""


def test_overlapping_captions_are_shown_one_under_the_other_in_time_order() -> None:
    a = Caption("c-1", 0, 3_000_000, "Where is the boat?")
    b = Caption("c-2", 1_000_000, 2_000_000, "Gone.")
    blank = Caption("c-3", 0, 3_000_000, "   ")
    assert words_at((b, blank, a), 1_500_000) == "Where is the boat?\nGone."
    assert words_at((b, blank, a), 2_500_000) == "Where is the boat?"
