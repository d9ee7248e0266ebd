"""A list asked for as a file: "send me that as a spreadsheet", "the unpaid list in excel", "pásamelo en csv".

The file is the answer of a read call, made by the ``spreadsheet`` tool (which runs that call with the asker's
own permissions): the call is either said in the same sentence ("the unpaid list as a spreadsheet") or the
conversation's last one ("send me that as a spreadsheet" after "who hasn't paid?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from copilot.language import Words
from copilot.planner import Memory
from tools.base import ToolKind
from tools.catalog import CATALOG

TOOL = "spreadsheet"


@dataclass(frozen=True)
class FileAsked:
    format: str  # "xlsx" or "csv"
    rest: str  # what the sentence asks besides the file ("" when it points at the last answer)


def file_asked(words: Words, folded: str) -> FileAsked | None:
    """The file format asked for and the rest of the question, or None when no file is asked for."""
    if not words.spreadsheet or not re.search(words.spreadsheet, folded):
        return None
    rest = re.sub(words.spreadsheet, " ", folded)
    if words.spreadsheet_request:
        rest = re.sub(words.spreadsheet_request, " ", rest)
    rest = re.sub(r"[^\w€.,:/-]+", " ", rest).strip(" .,:-")
    return FileAsked(format="csv" if re.search(r"\bcsv\b", folded) else "xlsx", rest=rest)


def of_call(tool: str, args: dict[str, Any], file_format: str) -> dict[str, Any] | None:
    """The spreadsheet tool's arguments for a read call's answer; None for anything but a read call."""
    if tool == TOOL:  # "and as csv?" after a spreadsheet: the same list again
        tool, args = str(args.get("tool") or ""), dict(args.get("args") or {})
    catalogued = CATALOG.get(tool)
    if catalogued is None or catalogued.kind is not ToolKind.READ or tool == TOOL:
        return None
    return {"tool": tool, "args": args, "format": file_format}


def of_last_answer(memory: Memory, file_format: str) -> dict[str, Any] | None:
    return of_call(memory.last_tool, memory.last_args, file_format) if memory.last_tool else None
