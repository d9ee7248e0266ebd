"""`cadence import students FILE --org SLUG [--dry-run]`: the spreadsheet import from a terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from domain.imports.schemas import ImportPreview, ImportResult

import_app = typer.Typer(help="Import a school's existing spreadsheets.", no_args_is_help=True)


def _print_preview(preview: ImportPreview) -> None:
    for row in preview.rows:
        if row.outcome == "empty":
            continue
        what = (
            "; ".join(row.changes)
            if row.outcome != "error"
            else "; ".join(f"{e.column + ': ' if e.column else ''}{e.message}" for e in row.errors)
        )
        typer.echo(
            f"row {row.row:>4}  {row.outcome:<8}  {row.full_name or '-'}  {what or 'nothing to change'}"
        )
    counts = preview.counts
    typer.echo(
        f"{counts['new']} new, {counts['existing']} existing, {counts['error']} with errors, "
        f"{counts['empty']} empty; new groups: {', '.join(preview.new_groups) or 'none'}"
    )


@import_app.command("students")
def students(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or .xlsx")],
    org: Annotated[str, typer.Option("--org", help="The organization's slug.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the preview; change nothing.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows and leave out those with errors.")
    ] = False,
) -> None:
    """Students, guardians, families and group memberships from a spreadsheet (headers in English or
    Spanish). Every row is checked first; with any row in error nothing is imported (unless
    --skip-invalid). Importing the same file again creates nothing."""
    # The import services (and openpyxl) load here, not when `cadence` starts (issue 16).
    from channels.cli.org import named_organization
    from channels.jobs import as_organization
    from channels.runtime import ConfigurationError
    from domain.errors import DomainError
    from domain.imports import service as imports

    data = file.read_bytes()

    async def go() -> tuple[ImportPreview, ImportResult | None]:
        async with named_organization(org) as (sessions, org_id):
            async with as_organization(sessions, org_id) as (session, office, _):
                preview = await imports.preview_import(
                    session, office, data=data, filename=file.name, today=office.today()
                )
            if dry_run or (not preview.can_apply and not skip_invalid):
                return preview, None
            async with as_organization(sessions, org_id) as (session, office, _):
                result = await imports.apply_import(
                    session,
                    office,
                    data=data,
                    filename=file.name,
                    today=office.today(),
                    skip_invalid=skip_invalid,
                )
            return preview, result

    try:
        preview, result = asyncio.run(go())
    except (DomainError, ConfigurationError) as exc:
        typer.secho(exc.message if isinstance(exc, DomainError) else str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from exc
    _print_preview(preview)
    if result is None:
        if not dry_run:
            typer.secho(
                "Nothing imported: fix the rows above (or pass --skip-invalid).",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(code=1)
        typer.echo("Dry run: nothing changed.")
        return
    if result.already_applied:
        typer.echo("This file was imported before: nothing new created.")
        return
    typer.echo(
        f"Imported into {org}: {result.students_created} students created, "
        f"{result.students_matched} matched, {result.guardians_created} guardians, "
        f"{result.memberships_created} memberships, {result.groups_created} groups, "
        f"{result.families_set} family links, {result.rows_skipped} rows left out."
    )
