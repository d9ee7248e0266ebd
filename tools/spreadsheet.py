"""``spreadsheet``: "send me that as a spreadsheet" — a read tool's answer as an xlsx or CSV file.

The planner fills ``tool`` and ``args`` with the conversation's last read call. That call is made again, for
the same person, through the runner (``runner.execute``): the role and API-key scope checks, the argument
checks and the tool's own service rules are exactly those of asking it directly, so a file never holds more
than its answer would. A write, an unknown tool, a tool these credentials may not use, or this tool itself is
refused before anything runs, and nothing is made.

The answer's list becomes one sheet through the shared exporter (``domain/exports``): headers in the answer's
language, amounts as numbers with a currency column, ISO dates, formula-like text escaped. The file is kept a
day for its owner (``domain/exports/kept.py``): the data carries its download link, and Telegram sends it as
a document.

The sentences live here rather than in ``tools/answers/*.yaml``: they are this tool's alone, and the
catalogue files are edited by others at the same time.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.errors import Forbidden, Invalid, NotFound
from domain.exports import kept
from domain.exports.answers import answer_rows, answer_table
from domain.orgs.service import get_organization
from tools.base import EVERYONE, ReadTool, ToolContext, ToolKind, ToolOutput

NAME = "spreadsheet"
SENTENCES: dict[str, dict[str, str]] = {
    "en": {
        "unknown": "There is no list called {tool!r} to put in a spreadsheet.",
        "write": "{tool} changes things; only a list can go in a spreadsheet, and nothing was made.",
        "itself": "Ask for the list itself as a spreadsheet.",
        "forbidden": "You can't use {tool}, so it can't go in a spreadsheet either.",
        "no_list": "That answer has no list to put in a spreadsheet; no file was made.\n{answer}",
        "made": "Here is {filename}: {count} rows (kept for you for 24 hours).",
    },
    "es": {
        "unknown": "No hay ninguna lista llamada {tool!r} para pasar a una hoja de cálculo.",
        "write": "{tool} cambia datos; solo una lista puede ir en una hoja de cálculo, y no se ha creado "
        "nada.",
        "itself": "Pide la lista misma como hoja de cálculo.",
        "forbidden": "No puedes usar {tool}, así que tampoco puede ir en una hoja de cálculo.",
        "no_list": "Esa respuesta no tiene ninguna lista para una hoja de cálculo; no se ha creado ningún "
        "archivo.\n{answer}",
        "made": "Aquí tienes {filename}: {count} filas (la guardamos para ti 24 horas).",
    },
}


class SpreadsheetArgs(BaseModel):
    tool: str = Field(
        min_length=1, max_length=64, description="The read tool whose answer is wanted as a file."
    )
    args: dict[str, Any] = Field(default_factory=dict, description="That tool's arguments, as in its call.")
    format: Literal["xlsx", "csv"] = Field(default="xlsx", description="xlsx (Excel) or csv.")


def _say(ctx: ToolContext, key: str, **values: Any) -> str:
    language = ctx.language.split("-")[0].split("_")[0].lower()
    return SENTENCES.get(language, SENTENCES["en"])[key].format(**values)


def _check(ctx: ToolContext, name: str) -> None:
    """Refuse before anything runs: the same list of tools the caller is offered decides (role and scopes)."""
    from tools.access import tools_for  # the catalogue imports this module: imported when it runs
    from tools.catalog import CATALOG

    if name == NAME:
        raise Invalid(_say(ctx, "itself"), details={"tool": name})
    tool = CATALOG.get(name)
    if tool is None:
        raise NotFound(_say(ctx, "unknown", tool=name), details={"tool": name})
    if tool.kind is not ToolKind.READ:
        raise Invalid(_say(ctx, "write", tool=name), details={"tool": name})
    if name not in {t.name for t in tools_for(ctx.tenant)}:
        raise Forbidden(_say(ctx, "forbidden", tool=name), details={"tool": name})


async def _run(ctx: ToolContext, args: SpreadsheetArgs) -> ToolOutput:
    # Here, not at the top: the writers import openpyxl (~0.1 s), and every process that loads the tool
    # catalogue (the CLI's one-shot ``cadence ask``) would pay for it without making a file.
    from domain.exports.files import render
    from domain.exports.writers import MEDIA_TYPES, Format
    from tools import runner

    _check(ctx, args.tool)
    answer = (await runner.execute(ctx, args.tool, args.args)).output
    found = answer_rows(answer.data)
    if found is None:
        return ToolOutput(_say(ctx, "no_list", answer=answer.text), {"tool": args.tool, "file": None})
    _, records = found
    currency = str(answer.data.get("currency") or (await get_organization(ctx.session, ctx.tenant)).currency)
    table, rows = answer_table(args.tool, records, currency=currency)  # the file is named after the list
    fmt = Format(args.format)
    content = await render(fmt, table, rows, language=ctx.language, timezone=ctx.tenant.timezone)
    filename = f"{table.name}-{ctx.today.isoformat()}.{fmt.value}"
    file = await kept.keep(
        ctx.session, ctx.tenant, filename=filename, media_type=MEDIA_TYPES[fmt], content=content, now=ctx.now
    )
    data = {
        "tool": args.tool,
        "args": args.args,
        "row_count": len(rows),
        "file": {
            "id": str(file.id),
            "filename": file.filename,
            "media_type": file.media_type,
            "size": file.size,
            "download_url": file.download_path,
            "expires_at": file.expires_at.isoformat(),
        },
    }
    return ToolOutput(_say(ctx, "made", filename=filename, count=len(rows)), data)


SPREADSHEET = ReadTool(
    NAME,
    "A read tool's answer (its list) as an xlsx or CSV file to download: give the tool and its args.",
    SpreadsheetArgs,
    EVERYONE,
    _run,
)
