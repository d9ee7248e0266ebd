"""`?format=csv|xlsx` on any list or report route: the same rows as the JSON, as a streamed download.

A route adds one parameter and wraps what it returns::

    async def list_teachers(..., export: Exporter) -> list[TeacherOut] | Response:
        return await export.items(out, TeacherOut, "teachers")   # JSON unchanged unless a format is asked

The rows are the route's own, so role and scope checks are exactly the JSON route's. Headers follow the
request's language (``?lang=es`` or ``Accept-Language``), English by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from channels.http.deps import DB, Tenant
from channels.http.language import LANGUAGES as LANGUAGES  # where it was
from channels.http.language import request_language
from domain.exports.listing import rows_of, table_of
from domain.exports.writers import MEDIA_TYPES, Format, Rows, Table, chunks
from domain.orgs.service import get_organization
from domain.tenancy import TenantContext

Item = TypeVar("Item", bound=BaseModel)

# For a route's ``responses=``: the OpenAPI then says the route also answers in CSV and xlsx.
EXPORTABLE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
        "description": "JSON, or a CSV/xlsx download with ?format=csv|xlsx.",
    }
}


class Export:
    def __init__(self, tenant: TenantContext, db: DB, fmt: Format, language: str) -> None:
        self.tenant, self.db, self.format, self.language = tenant, db, fmt, language

    @property
    def wanted(self) -> bool:
        return self.format is not Format.JSON

    def download(self, table: Table, rows: Rows) -> StreamingResponse:
        """Stream ``rows`` as the asked format; the file is named after the table and today's date."""
        filename = f"{table.name}-{self.tenant.today().isoformat()}.{self.format.value}"
        return StreamingResponse(
            chunks(self.format, table, rows, language=self.language, timezone=self.tenant.timezone),
            media_type=MEDIA_TYPES[self.format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def items(
        self, items: Sequence[Item], model: type[Item], name: str
    ) -> Sequence[Item] | StreamingResponse:
        """The items themselves for JSON; otherwise a download with the model's fields as columns."""
        if not self.wanted:
            return items
        table, needs_currency = table_of(model, name)
        currency = (await get_organization(self.db, self.tenant)).currency if needs_currency else None
        return self.download(table, list(rows_of(items, table, currency=currency)))


async def get_export(
    request: Request,
    tenant: Tenant,
    db: DB,
    format: Annotated[
        Format, Query(description="json (default), or csv / xlsx for a download of the same rows.")
    ] = Format.JSON,
    lang: Annotated[str | None, Query(description="Column headers: en or es (else Accept-Language).")] = None,
) -> Export:
    return Export(tenant, db, format, request_language(request, lang))


Exporter = Annotated[Export, Depends(get_export)]
