"""`cadence bank import FILE --org SLUG [--format F] [--mapping NAME] [--dry-run]`: a bank statement from a
terminal — CAMT.053/054, Norma 43, OFX, MT940 or CSV, the content deciding unless --format says."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from domain.banking.service import ImportResult

bank_app = typer.Typer(help="Bank statements: import and reconcile.", no_args_is_help=True)


class _DryRun(Exception):  # not an error: it carries the result out of a rolled-back transaction
    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


def _summary(result: ImportResult) -> str:
    order = ("proposed", "ambiguous", "unmatched", "ignored")
    counts = ", ".join(f"{result.by_status.get(status, 0)} {status}" for status in order)
    return f"{result.lines_total} lines, {result.lines_new} new ({counts})"


@bank_app.command("import")
def import_statement(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The statement file")
    ],
    org: Annotated[str, typer.Option("--org", help="The organization's slug.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="auto (the content decides), camt, norma43, ofx, mt940, csv or csv:<preset>."
        ),
    ] = "auto",
    mapping: Annotated[str | None, typer.Option("--mapping", help="A CSV mapping the school saved.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and match; store nothing.")] = False,
) -> None:
    """Import the statement's transfers: matches are proposed, never applied; the same file or the same
    line imported again adds nothing."""
    # The parsers (csb43, ofxtools, defusedxml) and the database load here, not when `cadence` starts.
    from channels.cli.org import named_organization
    from channels.jobs import as_organization
    from channels.runtime import ConfigurationError
    from domain.banking import mappings as bank_mappings
    from domain.banking import service as banking
    from domain.errors import DomainError

    data = file.read_bytes()
    typer.echo(f"Reading {file.name} ({len(data):,} bytes)…")

    async def go() -> ImportResult:
        async with named_organization(org) as (sessions, org_id):
            try:
                async with as_organization(sessions, org_id) as (session, office, _):
                    saved = await bank_mappings.get_mapping(session, office, mapping) if mapping else None
                    typer.echo(f"Matching against {org}'s students…")
                    result = await banking.import_statement(
                        session, office, filename=file.name, data=data, fmt=fmt, mapping=saved
                    )
                    if dry_run:
                        raise _DryRun(result)  # rolls the transaction back
                    return result
            except _DryRun as done:
                return done.result

    try:
        result = asyncio.run(go())
    except (DomainError, ConfigurationError) as exc:
        typer.secho(exc.message if isinstance(exc, DomainError) else str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    if result.duplicate_file:
        typer.echo(f"This file was imported before ({result.lines_total} lines): nothing new.")
        return
    typer.echo(f"Read as {result.format}: {_summary(result)}.")
    typer.echo(
        "Dry run: nothing stored." if dry_run else f"Imported into {org}; review the proposals in the inbox."
    )
