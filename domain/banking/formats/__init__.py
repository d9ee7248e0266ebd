"""Bank statement formats: one module per format, one registry, detection by content.

``parse(data, fmt=…)`` returns the format's label and the keyed lines; ``fmt="auto"`` lets the file's
content decide (XML namespace, OFX header, MT940 tags, Norma 43 record codes, a CSV header a preset
knows) — never the file's name. The user's choice (``fmt`` other than auto) always wins.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from domain.banking.formats.camt import parse_camt
from domain.banking.formats.csv_layouts import DETECTION_ORDER, PRESETS
from domain.banking.formats.delimited import CsvMapping, find_header, parse_csv
from domain.banking.formats.lines import ParsedLine, decode_text, keyed
from domain.banking.formats.norma43 import parse_norma43
from domain.banking.formats.ofx import parse_ofx
from domain.banking.formats.swift import parse_mt940
from domain.errors import Invalid

__all__ = ["FORMATS", "PRESETS", "CsvMapping", "ParsedLine", "detect", "parse", "parse_lines"]

# name → parser; aliases people type map onto them
FORMATS: dict[str, Callable[[bytes], list[ParsedLine]]] = {
    "camt": parse_camt,
    "norma43": parse_norma43,
    "ofx": parse_ofx,
    "mt940": parse_mt940,
}
ALIASES = {
    "camt053": "camt", "camt.053": "camt", "camt054": "camt", "camt.054": "camt", "xml": "camt",
    "n43": "norma43", "aeb43": "norma43", "csb43": "norma43", "c43": "norma43",
    "qfx": "ofx", "sta": "mt940", "swift": "mt940",
}  # fmt: skip
HEAD = 8_192
CAMT_NAMESPACE = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05[234]")
MT940_TAGS = re.compile(rb"(^|[\r\n]):(20|25|28C?|60[FM]|61|86):")
NORMA43_START = re.compile(rb"^11\d{18}[0-9 ]{6}")
FORMAT_CHOICES = "auto, camt, norma43, ofx, mt940, csv, csv:<preset> or csv:custom"


def detect(data: bytes) -> str:
    """The format the content says, as ``parse`` names it; Invalid when nothing fits."""
    head = data[:HEAD].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):  # XML: CAMT by its namespace, or OFX 2.x
        if CAMT_NAMESPACE.search(head):
            return "camt"
        if b"<OFX" in head.upper() or b"<?OFX" in head:
            return "ofx"
        if b"BkToCstmr" in head:  # a CAMT without a namespace
            return "camt"
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head[:2_000]:
        return "ofx"
    if NORMA43_START.match(head):
        return "norma43"
    if head.startswith(b"{1:") or MT940_TAGS.search(head):
        return "mt940"
    preset = detect_csv(head)
    if preset is not None:
        return f"csv:{preset}"
    raise Invalid(
        "The statement's format could not be recognised from its content: choose it ({format_choices}). "
        "/ No se reconoce el formato del extracto: elígelo.",
        values={"format_choices": FORMAT_CHOICES},
        details={"field": "format"},
    )


def detect_csv(head: bytes) -> str | None:
    try:
        text = decode_text(head.rsplit(b"\n", 1)[0] if b"\n" in head else head)
    except Invalid:
        return None
    for name in DETECTION_ORDER:
        mapping = PRESETS[name]
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter))[:30]
        except csv.Error:
            continue
        if find_header([[cell.strip() for cell in row] for row in rows], mapping.columns()) is not None:
            return name
    return None


def parse_lines(
    data: bytes, *, fmt: str = "auto", mapping: CsvMapping | None = None
) -> tuple[str, list[ParsedLine]]:
    """(the format's label, its lines) — the user's ``fmt`` wins over detection, a mapping over a preset."""
    fmt = (fmt or "auto").strip().lower()
    if mapping is not None and fmt in ("auto", "csv", "csv:custom"):
        return "csv:custom", parse_csv(data, mapping)
    if fmt == "auto":
        fmt = detect(data)
    fmt = ALIASES.get(fmt, fmt)
    if fmt in FORMATS:
        return fmt, FORMATS[fmt](data)
    if fmt == "csv" or fmt.startswith("csv:"):
        preset = fmt.partition(":")[2] or "generic"
        if preset not in PRESETS:
            raise Invalid(
                "Unknown CSV preset {preset!r}; choose one of {names}, or csv:custom with a mapping.",
                values={"preset": preset, "names": ", ".join(PRESETS)},
                details={"field": "format"},
            )
        return f"csv:{preset}", parse_csv(data, PRESETS[preset])
    raise Invalid(
        "The format is {format_choices}.",
        values={"format_choices": FORMAT_CHOICES},
        details={"field": "format"},
    )


def parse(
    data: bytes, *, fmt: str = "auto", mapping: CsvMapping | None = None
) -> tuple[str, list[tuple[str, ParsedLine]]]:
    label, lines = parse_lines(data, fmt=fmt, mapping=mapping)
    return label, keyed(lines)
