"""Example M's company, closed (SPEC §17 M): vendor V100, one COOP agreement (example B's
marginal tiers, M = SC) and four slips, posted and closed month by month:
CO-2602-V100-0001 1,050.00 (S1 500.00 + S2 550.00), CO-2603-V100-0001 325.00 (S3) and
CO-2604-V100-0001 −325.00 (the return S4: a credit to the vendor). Users: root (administrator),
maria (manager), anna (accountant)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.models import Dispute, DisputeResolution, Document, JournalEntry, JournalLine, Settlement, SettlementLine
from app.services import month_close, posting, security
from app.services.context import AppContext
from tests.conftest import import_example

FEB, MAR, APR = "CO-2602-V100-0001", "CO-2603-V100-0001", "CO-2604-V100-0001"
COUNTED = (Settlement, SettlementLine, Dispute, DisputeResolution, Document, JournalEntry, JournalLine)


def example_m(ctx: AppContext) -> dict[str, AppContext]:
    import_example(ctx, "M_settlement")  # single-user mode: everything allowed
    with ctx.uow() as uow:
        posting.post_slips(uow, None, today=date(2026, 4, 6))
    for month, run in (("2026-02", "2026-03-01"), ("2026-03", "2026-04-01"), ("2026-04", "2026-05-01")):
        month_close.close_month(ctx, month, date.fromisoformat(run))
    with ctx.uow() as uow:
        security.save_user(uow, "root", "ADMIN")
    for login, role in (("maria", "MANAGER"), ("anna", "ACCOUNTANT")):
        with AppContext(ctx.engine, "root").uow() as uow:
            security.save_user(uow, login, role)
    return {login: AppContext(ctx.engine, login) for login in ("root", "maria", "anna")}


def counts(ctx: AppContext) -> dict[str, int]:
    """Rows of every table a settlement or a dispute writes."""
    with ctx.engine.connect() as conn:
        return {
            m.__tablename__: conn.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[attr-defined]
            for m in COUNTED
        }


def entry_lines(ctx: AppContext, source: str) -> list[tuple[str, str, str, str | None, str | None]]:
    """(role, debit, credit, kind, agreement_no) of the journal lines of every entry of the source."""
    jl, je = JournalLine, JournalEntry
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(jl.role, jl.debit, jl.credit, jl.kind, jl.agreement_no)
            .join(je, je.id == jl.entry_id)
            .where(je.source == source)
            .order_by(jl.id)
        )
        return [(role, f"{dr:.2f}", f"{cr:.2f}", kind, no) for role, dr, cr, kind, no in rows]
