"""CSV mappings an organization saves by name and reuses for every file from the same bank."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.banking.formats import CsvMapping
from domain.banking.formats.delimited import check_mapping
from domain.banking.models import BankCsvMapping
from domain.errors import Invalid, NotFound
from domain.orgs.permissions import require_office
from domain.tenancy import TenantContext

LONGEST_NAME = 60


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > LONGEST_NAME or not cleaned.isprintable():
        raise Invalid(
            "A mapping's name is 1 to {longest_name} printable characters.",
            values={"longest_name": LONGEST_NAME},
            details={"field": "mapping_name"},
        )
    return cleaned


async def save_mapping(
    session: AsyncSession, tenant: TenantContext, *, name: str, mapping: CsvMapping
) -> BankCsvMapping:
    """Save (or replace) the organization's mapping called ``name``."""
    require_office(tenant, "save bank statement mappings")
    name = _name(name)
    values = check_mapping(mapping).as_json()
    saved = await session.scalar(select(BankCsvMapping).where(BankCsvMapping.name == name))
    if saved is None:
        saved = BankCsvMapping(
            organization_id=tenant.org_id, name=name, mapping=values, saved_by_user_id=tenant.user_id
        )
        session.add(saved)
    else:
        saved.mapping = values
        saved.saved_by_user_id = tenant.user_id
    await session.flush()
    return saved


async def get_mapping(session: AsyncSession, tenant: TenantContext, name: str) -> CsvMapping:
    require_office(tenant, "import bank statements")
    saved = await session.scalar(select(BankCsvMapping).where(BankCsvMapping.name == _name(name)))
    if saved is None:
        raise NotFound("No saved CSV mapping is called {name!r}.", values={"name": name[:LONGEST_NAME]})
    return CsvMapping.from_json(saved.mapping)


async def list_mappings(session: AsyncSession, tenant: TenantContext) -> list[BankCsvMapping]:
    require_office(tenant, "import bank statements")
    return list((await session.scalars(select(BankCsvMapping).order_by(BankCsvMapping.name))).all())
