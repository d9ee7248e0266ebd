"""Any REST list as a table: the columns come from the response model, so a list route exports what its JSON
shows (the same rows, the same fields a caller may see) with no per-route column lists to keep in step.

Headers are the field names made readable, in Spanish for the fields people know by name. Money stays a
number; when the rows carry amounts but no currency, a currency column with the organization's is added.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from domain.exports.cells import Cell, plain_cell
from domain.exports.writers import Column, Table

SPANISH = {
    "id": "ID",
    "full_name": "Nombre completo",
    "name": "Nombre",
    "email": "Email",
    "phone": "Teléfono",
    "date_of_birth": "Fecha de nacimiento",
    "notes": "Notas",
    "status": "Estado",
    "source": "Origen",
    "created_at": "Creado",
    "archived_at": "Archivado",
    "student_id": "ID alumno",
    "group_id": "ID grupo",
    "teacher_id": "ID profesor",
    "venue_id": "ID sala",
    "amount": "Importe",
    "currency": "Moneda",
    "received_on": "Fecha de cobro",
    "method": "Forma de pago",
    "payer_reference": "Referencia del pagador",
    "payer_name": "Nombre del pagador",
    "state": "Estado",
    "charged": "Cargado",
    "paid": "Pagado",
    "outstanding": "Pendiente",
    "due_date": "Vencimiento",
    "days_overdue": "Días de retraso",
    "capacity": "Plazas",
    "monthly_fee": "Cuota mensual",
    "start_date": "Desde",
    "end_date": "Hasta",
    "starts_at": "Empieza",
    "ends_at": "Termina",
    "date": "Fecha",
    "start_time": "Hora de inicio",
    "duration_minutes": "Duración (min)",
    "payment_type": "Tipo de pago",
    "rate_per_class": "Tarifa por clase",
    "rate_per_head": "Tarifa por alumno",
    "rate_per_hour": "Tarifa por hora",
    "address": "Dirección",
    "reason": "Motivo",
    "relationship": "Parentesco",
    "session_date": "Fecha de la clase",
    "group": "Grupo",
    "teacher": "Profesor",
    "venue": "Sala",
    "student": "Alumno",
    "is_guest": "Invitado",
    "marked_at": "Marcado",
}
NOT_MONEY = ("rate", "score", "percent", "ratio")  # Decimal fields that are no amount of money


def readable(key: str) -> str:
    words = key.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds directly (``Foo`` or ``Foo | None``), if any."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _keys(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, field in model.model_fields.items():
        inner = _nested(field.annotation)
        if inner is not None and not prefix:  # one level of nesting, flattened as "teacher.full_name"
            yield from _keys(inner, f"{name}.")
        else:
            yield prefix + name, field.annotation


def _is_money(key: str, annotation: Any) -> bool:
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    return Decimal in options and not any(word in key for word in NOT_MONEY)


def table_of(model: type[BaseModel], name: str) -> tuple[Table, bool]:
    """The table for a list of ``model`` and whether it needs a currency column of its own."""
    keys = list(_keys(model))
    needs_currency = any(_is_money(k, a) for k, a in keys) and not any(k == "currency" for k, _ in keys)
    columns = [Column(k, readable(k), SPANISH.get(k.rsplit(".", 1)[-1])) for k, _ in keys]
    if needs_currency:
        columns.append(Column("currency", "Currency", "Moneda"))
    return Table(name, tuple(columns)), needs_currency


def rows_of(items: Sequence[BaseModel], table: Table, *, currency: str | None) -> Iterator[list[Cell]]:
    for item in items:
        flat: dict[str, Any] = {}
        for key, value in item.model_dump(mode="python").items():
            if isinstance(value, dict):
                flat.update({f"{key}.{k}": v for k, v in value.items()})
            else:
                flat[key] = value
        if currency is not None:
            flat.setdefault("currency", currency)
        yield [plain_cell(flat.get(c.key)) for c in table.columns]
