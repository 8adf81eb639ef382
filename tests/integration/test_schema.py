"""The schema: migrations agree with the models, decimals are exact, history and journal
are append-only, newer schemas are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from app.adapters import db
from app.models import AgreementHistory, Base, GlAccount, JournalEntry, JournalLine, Product, Vendor


def test_migrations_match_the_models(ctx):
    with ctx.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(mc, Base.metadata)
    assert diff == []


def test_decimals_round_trip_exactly(ctx):
    values = [Decimal("0.01"), Decimal("999999999.00"), Decimal("12345678901.99"), Decimal("-0.05")]
    with ctx.uow() as uow:
        uow.session.add(Vendor(code="V1", name="V", currency="CAD", address=""))
        uow.session.flush()
        for i, v in enumerate(values):
            uow.session.add(
                Product(
                    code=f"P{i}",
                    description="",
                    vendor_id=1,
                    unit_cost=Decimal("1.2345"),
                    received_qty=Decimal("0.0001"),
                    received_net=v,
                )
            )
        uow.commit()
    with ctx.uow() as uow:
        got = list(uow.session.scalars(select(Product.received_net).order_by(Product.id)))
        assert got == values
        assert all(isinstance(v, Decimal) for v in got)
        total = uow.session.scalar(select(Product.received_net).where(Product.code == "P0"))
        assert total == Decimal("0.01")
        from sqlalchemy import func

        assert uow.session.scalar(select(func.sum(Product.received_net))) == sum(values)
        cost = uow.session.scalar(select(Product.unit_cost).where(Product.code == "P1"))
        assert cost == Decimal("1.2345")


def test_a_float_is_refused_in_a_money_column(ctx):
    with ctx.uow() as uow:
        uow.session.add(Vendor(code="V1", name="V", currency="CAD", address=""))
        uow.session.flush()
        uow.session.add(
            Product(
                code="P",
                description="",
                vendor_id=1,
                unit_cost=0.1,  # type: ignore[arg-type]
                received_qty=Decimal(0),
                received_net=Decimal(0),
            )
        )
        with pytest.raises(Exception, match="float"):
            uow.session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_line SET debit = 0",
        "DELETE FROM journal_line",
        "UPDATE journal_entry SET source = 'X'",
        "DELETE FROM journal_entry",
        "UPDATE agreement_history SET new_value = 'x'",
        "DELETE FROM agreement_history",
    ],
)
def test_journal_and_history_are_append_only(ctx, statement):
    now = datetime.now(UTC)
    with ctx.engine.begin() as conn:
        conn.execute(insert(GlAccount).values(number="1", name="A", type="ASSET"))
        conn.execute(
            insert(JournalEntry).values(
                entry_date=date(2026, 1, 1), source="RECEIPT", reference="S", created_by="t", created_at=now
            )
        )
        conn.execute(
            insert(JournalLine).values(
                entry_id=1, account_id=1, role="INVENTORY", debit=Decimal(1), credit=Decimal(0), memo=""
            )
        )
        conn.execute(insert(AgreementHistory).values(agreement_id=1, field="x", user="t", at=now))
    with pytest.raises(DBAPIError, match="append-only"), ctx.engine.begin() as conn:
        conn.execute(text(statement))
    with ctx.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM journal_line")) == 1
        assert conn.scalar(text("SELECT debit FROM journal_line")) in (100, Decimal("1.00"))
        assert conn.scalar(text("SELECT count(*) FROM agreement_history")) == 1


def test_a_database_newer_than_the_program_is_refused(ctx):
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(db.SchemaTooNew, match="newer than this program"):
        db.upgrade(ctx.engine)


def test_downgrade_to_base_and_upgrade_again(ctx):
    db.downgrade(ctx.engine, "base")
    assert db.current_revision(ctx.engine) is None
    db.upgrade(ctx.engine)
    assert db.current_revision(ctx.engine) == db.head_revision()
