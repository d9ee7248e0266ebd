from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Float, Index
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, TenantOwned, tenant_fk


class SimulatedTrait(TenantOwned, Base):
    """The latent truth behind a simulated student: what the demo data was generated from.

    Tests and evals read it to check that insights find what was planted (who was going to drop
    out, who pays late). Only the simulator writes it; real organizations have no rows here.
    """

    __tablename__ = "simulated_traits"

    @classmethod
    def __tenant_table_args__(cls) -> tuple[object, ...]:
        return (
            tenant_fk("student_id", "students"),
            Index("ix_simulated_traits_org_student", "organization_id", "student_id", unique=True),
        )

    student_id: Mapped[uuid.UUID]
    joined_on: Mapped[date]
    will_drop_out: Mapped[bool]
    dropout_on: Mapped[date | None]  # last day of membership; attendance decays in the weeks before
    late_payer: Mapped[bool]
    attendance_propensity: Mapped[float] = mapped_column(Float)  # base chance of showing up
