"""Spreadsheet import of students: upload → preview (every row's outcome) → apply. Office only."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from channels.http.deps import DB, Tenant
from domain.errors import Invalid
from domain.imports import service as imports
from domain.imports.reading import MAX_BYTES
from domain.imports.schemas import ImportPreview, ImportResult

router = APIRouter(prefix="/imports", tags=["imports"])

FileField = Annotated[UploadFile, File(description="CSV (UTF-8; comma, semicolon or tab) or Excel .xlsx")]
MappingField = Annotated[
    str | None,
    Form(
        description='Optional JSON object overriding the guessed columns: {"Tlf. casa": "phone", '
        '"Comentario": null}; the preview lists each header and the field it fills.'
    ),
]


def _overrides(mapping: str | None) -> dict[str, str | None]:
    if not mapping:
        return {}
    try:
        value = json.loads(mapping)
    except json.JSONDecodeError as exc:
        raise Invalid("The mapping is not JSON.", details={"field": "mapping"}) from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise Invalid(
            "The mapping is an object of header → field name (or null).", details={"field": "mapping"}
        )
    return value


async def _read(file: UploadFile) -> bytes:
    return await file.read(MAX_BYTES + 1)  # one byte more than allowed: refused without holding more


@router.post("/students/preview", response_model=ImportPreview)
async def preview_students(
    tenant: Tenant, db: DB, file: FileField, mapping: MappingField = None
) -> ImportPreview:
    """What importing this file would do, row by row (new, matches an existing student, or the errors);
    nothing is changed."""
    return await imports.preview_import(
        db,
        tenant,
        data=await _read(file),
        filename=file.filename or "",
        today=tenant.today(),
        overrides=_overrides(mapping),
    )


@router.post("/students/apply", response_model=ImportResult)
async def apply_students(
    tenant: Tenant,
    db: DB,
    file: FileField,
    mapping: MappingField = None,
    skip_invalid: Annotated[
        bool, Form(description="Import the good rows, leave out those in error.")
    ] = False,
) -> ImportResult:
    """Import the file, all rows or none (any row in error: a 422 listing them, nothing changed, unless
    ``skip_invalid``). The same file applied again creates nothing (``already_applied``)."""
    return await imports.apply_import(
        db,
        tenant,
        data=await _read(file),
        filename=file.filename or "",
        today=tenant.today(),
        overrides=_overrides(mapping),
        skip_invalid=skip_invalid,
    )
