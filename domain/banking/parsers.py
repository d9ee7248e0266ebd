"""Kept for callers of the first importer: the formats now live in ``domain.banking.formats``."""

from domain.banking.formats import PRESETS, CsvMapping, ParsedLine
from domain.banking.formats.delimited import parse_csv
from domain.banking.formats.lines import checked_line, keyed, refuse_binary

__all__ = ["PRESETS", "CsvMapping", "ParsedLine", "checked_line", "keyed", "parse_csv", "refuse_binary"]
