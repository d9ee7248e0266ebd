"""Sending text to a chat within Telegram's limit: a long answer (a big roster, a long list of
debtors) goes out as several messages split at line boundaries, never cut off."""

from __future__ import annotations

import unicodedata

from telegram import Chat, InlineKeyboardMarkup

# Telegram allows 4,096 characters per message, counted in UTF-16 code units after entity parsing;
# the margin keeps us clear of it.
MESSAGE_LIMIT = 4000
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors: part of the glyph


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _glyph_boundary(line: str, cut: int) -> int:
    """Move ``cut`` back so it does not separate a letter from its accent or an emoji sequence."""
    while cut > 1 and (
        unicodedata.combining(line[cut]) or line[cut] in _JOINERS or line[cut - 1] in _JOINERS
    ):
        cut -= 1
    return cut


def _fitting_prefix(line: str, limit: int) -> int:
    """How many characters of ``line`` fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(line):
        units += utf16_length(char)
        if units > limit:
            return index
    return len(line)


def _cut_long_line(line: str, limit: int) -> list[str]:
    """A single line over the limit: cut at the last space that fits, else at a safe character."""
    pieces: list[str] = []
    while utf16_length(line) > limit:
        fits = _fitting_prefix(line, limit)
        space = line.rfind(" ", 0, fits + 1)
        cut = space if space > limit // 2 else _glyph_boundary(line, fits)
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The messages to send for ``text``: whole lines together while they fit; empty if blank."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _cut_long_line(line, limit):
            joined = f"{current}\n{piece}" if current else piece
            if utf16_length(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = piece
    chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


async def send(chat: Chat, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send ``text`` as one or more messages; buttons go with the last one, under the full preview."""
    messages = split_message(text)
    for number, part in enumerate(messages, start=1):
        await chat.send_message(part, reply_markup=markup if number == len(messages) else None)
