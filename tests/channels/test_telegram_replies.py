"""Splitting a long answer for Telegram (pure: no database): whole lines together, each message
within the limit, a single over-long line cut at a space or between whole characters."""

from __future__ import annotations

from channels.telegram.replies import MESSAGE_LIMIT, split_message, utf16_length


def test_short_text_is_one_message_and_blank_text_none() -> None:
    assert split_message("3 students haven't paid:\n- Ana García") == [
        "3 students haven't paid:\n- Ana García"
    ]
    assert split_message("  \n ") == []


def test_lines_stay_whole_and_every_message_fits() -> None:
    lines = [f"- Estudiante {n:04d}: 45.00 EUR (overdue, 3 days late)" for n in range(400)]
    parts = split_message("\n".join(lines))
    assert len(parts) > 1 and all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines


def test_a_single_over_long_line_is_cut_at_spaces() -> None:
    words = [f"word{n}" for n in range(2000)]
    parts = split_message(" ".join(words))
    assert len(parts) > 1 and all(utf16_length(p) <= MESSAGE_LIMIT for p in parts)
    assert " ".join(parts).split(" ") == words  # no word broken, none lost


def test_a_line_without_spaces_is_cut_between_whole_characters() -> None:
    family = "👩\u200d👩\u200d👧"  # one glyph: three emoji (two UTF-16 units each) joined
    accented = "e\u0301"  # é as a letter and a combining accent
    text = (family + accented) * 1500
    parts = split_message(text, limit=1000)
    assert "".join(parts) == text and all(utf16_length(p) <= 1000 for p in parts)
    for part in parts[1:]:  # no part starts inside a glyph
        assert part.startswith(family) or part.startswith(accented)
