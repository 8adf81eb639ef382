"""Migrations with data in the database (SQLite and PostgreSQL).

From an empty database, each revision is applied in turn and rows that are valid at that
revision are written with plain SQL (as an older version of the program wrote them):
at 0001 the company, categories, a vendor and its products, the GL setup, an accepted
agreement with its history, one posted receiving slip with its RECEIPT and ACCRUAL
entries and its accrual, two draft slips; at 0002 a user; 0003 must fill ladder_volume
from the posted accruals. Every earlier row must come through each step unchanged. At
head the program works on that data (posts the drafts, re-rating finds nothing to do),
the schema equals the models, and stepping down to base and up again keeps what the
remaining revisions hold and rebuilds ladder_volume from the accruals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, Table, inspect, text
from sqlalchemy.exc import DBAPIError

from app.adapters import db, roles
from app.adapters.types import ScaledDecimal
from app.models import Base
from app.services import journal_exports, posting
from app.services.context import AppContext
from tests.integration import race_support as rs

STAMP = datetime(2026, 2, 1, 17, 30, tzinfo=UTC)
LADDER = "1|G:GYPSUM/ALL/ALL/ALL|2026-01-01|2026-12-31"  # before 0007
KEY = '[1,["G","GYPSUM","ALL","ALL","ALL"],"2026-01-01","2026-12-31"]'  # from 0007 on
TODAY = date(2026, 12, 31)


def insert(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Rows through the table as the database has it now; decimals stored the way the
    program stores them (scaled integers on SQLite, NUMERIC on PostgreSQL)."""
    reflected = Table(table, MetaData(), autoload_with=conn)
    model = Base.metadata.tables.get(table)

    def value(column: str, v: Any) -> Any:
        if model is not None and column in model.c and isinstance(model.c[column].type, ScaledDecimal):
            return model.c[column].type.process_bind_param(v, conn.dialect)
        if table == "line_accrual" and column == "volume_after":  # money the models no longer have (0006)
            return model.c["amount"].type.process_bind_param(v, conn.dialect)  # type: ignore[union-attr]
        return v

    conn.execute(reflected.insert(), [{k: value(k, v) for k, v in row.items()} for row in rows])


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but alembic_version), sorted, as stored."""
    out = {}
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if name == "alembic_version":
                continue
            table = Table(name, MetaData(), autoload_with=conn)
            out[name] = sorted((tuple(r) for r in conn.execute(table.select())), key=repr)
    return out


def advance_sequences(conn: Connection) -> None:
    """PostgreSQL: rows written with explicit ids leave the id sequences behind; move them
    on, as the ids the program itself writes would have."""
    if conn.dialect.name != "postgresql":
        return
    inspector = inspect(conn)
    for name in inspector.get_table_names():
        if "id" not in {c["name"] for c in inspector.get_columns(name)}:
            continue
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name})
        if seq:
            conn.execute(text(f'SELECT setval(:s, (SELECT coalesce(max(id), 0) + 1 FROM "{name}"), false)'), {"s": seq})


def seed_0001(conn: Connection) -> None:
    insert(conn, "company", [{"id": 1, "name": "Building Supply Co", "currency": "CAD", "address": "1 Main St"}])
    cats = [
        (1, 1, "GYPSUM", None),
        (2, 2, "GYP-BOARD", 1),
        (3, 3, "GYP-REG", 2),
        (4, 4, "GYP-REG-HALF", 3),
        (5, 1, "LUMBER", None),
    ]
    insert(
        conn,
        "category",
        [{"id": i, "level": lvl, "code": c, "parent_id": p, "description": c.title()} for i, lvl, c, p in cats],
    )
    insert(
        conn,
        "vendor",
        [{"id": 1, "code": "V100", "name": "Northern Gypsum Ltd", "currency": "CAD", "address": "", "active": True}],
    )
    insert(
        conn,
        "product",
        [
            {
                "id": 1,
                "code": "GYP-OTHER",
                "description": "Gypsum other",
                "vendor_id": 1,
                "cat1": "GYPSUM",
                "cat2": "GYP-BOARD",
                "cat3": "GYP-REG",
                "cat4": "GYP-REG-HALF",
                "unit_cost": Decimal("1.0000"),
                "received_qty": Decimal("25000.0000"),
                "received_net": Decimal("25000.00"),
            },
            {
                "id": 2,
                "code": "SPF-2X4-8",
                "description": "SPF 2x4x8",
                "vendor_id": 1,
                "cat1": "LUMBER",
                "cat2": None,
                "cat3": None,
                "cat4": None,
                "unit_cost": Decimal("3.2500"),
                "received_qty": Decimal(0),
                "received_net": Decimal(0),
            },
        ],
    )
    accounts = [
        (1, "1200", "Inventory", "ASSET", "INVENTORY"),
        (2, "2150", "Received not invoiced", "LIABILITY", "RECEIVED_NOT_INVOICED"),
        (3, "1310", "Rebate receivable", "ASSET", "REBATE_RECEIVABLE"),
        (4, "6100", "Advertising", "EXPENSE", "ADVERTISING"),
        (5, "4810", "Rebate earned", "INCOME", "REBATE_EARNED"),
    ]
    insert(conn, "gl_account", [{"id": i, "number": n, "name": nm, "type": t} for i, n, nm, t, _r in accounts])
    insert(conn, "gl_reference", [{"role": r, "account_id": i} for i, _n, _nm, _t, r in accounts])
    insert(
        conn,
        "agreement",
        [
            {
                "id": 1,
                "vendor_id": 1,
                "kind": "COOP",
                "number": "1",
                "status": "ACCEPTED",
                "version": 2,
                "next_line_no": 4,
                "updated_by": "manager",
                "updated_at": STAMP,
            }
        ],
    )
    tiers = [
        (1, Decimal("30000.00"), Decimal("2")),
        (2, Decimal("50000.00"), Decimal("3")),
        (3, Decimal("999999999.00"), Decimal("3.5")),
    ]
    insert(
        conn,
        "agreement_line",
        [
            {
                "id": n,
                "agreement_id": 1,
                "line_no": n,
                "cat1": "GYPSUM",
                "cat2": "ALL",
                "cat3": "ALL",
                "cat4": "ALL",
                "product_id": None,
                "max_amount": m,
                "start_date": date(2026, 1, 1),
                "end_date": date(2026, 12, 31),
                "rebate1": r,
                "rebate2": None,
                "rebate3": None,
                "rebate4": None,
                "method": "SC",
                "degressive": False,
                "retro": False,
                "product_pct": Decimal(0),
                "period": None,
            }
            for n, m, r in tiers
        ],
    )
    insert(
        conn,
        "agreement_history",
        [
            {
                "id": 1,
                "agreement_id": 1,
                "line_no": None,
                "field": "Agreement",
                "old_value": None,
                "new_value": "created Coop Advertising 1",
                "user": "manager",
                "at": STAMP,
            },
            {
                "id": 2,
                "agreement_id": 1,
                "line_no": None,
                "field": "Status",
                "old_value": "PENDING",
                "new_value": "ACCEPTED",
                "user": "manager",
                "at": STAMP,
            },
        ],
    )
    insert(
        conn,
        "receiving_slip",
        [
            {
                "id": i,
                "slip_no": s,
                "vendor_id": 1,
                "received_date": d,
                "reference": f"PO-{i}",
                "status": st,
                "created_by": "clerk",
                "posted_by": "accountant" if st == "POSTED" else None,
                "posted_at": STAMP if st == "POSTED" else None,
            }
            for i, s, d, st in [
                (1, "S1", date(2026, 2, 1), "POSTED"),
                (2, "S2", date(2026, 2, 2), "DRAFT"),
                (3, "S3", date(2026, 2, 3), "DRAFT"),
            ]
        ],
    )
    insert(
        conn,
        "receipt_line",
        [
            {"id": i, "slip_id": i, "line_no": 1, "product_id": 1, "quantity": q, "unit_cost": Decimal(1), "amount": q}
            for i, q in [(1, Decimal(25000)), (2, Decimal(20000)), (3, Decimal(10000))]
        ],
    )
    insert(
        conn,
        "journal_entry",
        [
            {
                "id": 1,
                "entry_date": date(2026, 2, 1),
                "source": "RECEIPT",
                "reference": "S1",
                "created_by": "accountant",
                "created_at": STAMP,
            },
            {
                "id": 2,
                "entry_date": date(2026, 2, 1),
                "source": "ACCRUAL",
                "reference": "S1",
                "created_by": "accountant",
                "created_at": STAMP,
            },
        ],
    )
    line = {"vendor_id": 1, "product_id": 1, "receipt_line_id": 1, "slip_no": "S1", "line_no": 1}
    insert(
        conn,
        "journal_line",
        [
            {
                "id": 1,
                "entry_id": 1,
                "account_id": 1,
                "role": "INVENTORY",
                "debit": Decimal("25000.00"),
                "credit": Decimal(0),
                "kind": None,
                "memo": "Receipt S1/1 GYP-OTHER",
                **line,
            },
            {
                "id": 2,
                "entry_id": 1,
                "account_id": 2,
                "role": "RECEIVED_NOT_INVOICED",
                "debit": Decimal(0),
                "credit": Decimal("25000.00"),
                "kind": None,
                "memo": "Receipt S1/1 GYP-OTHER",
                **line,
            },
            {
                "id": 3,
                "entry_id": 2,
                "account_id": 3,
                "role": "REBATE_RECEIVABLE",
                "debit": Decimal("500.00"),
                "credit": Decimal(0),
                "kind": "COOP",
                "memo": "COOP accrual tier 1",
                **line,
            },
            {
                "id": 4,
                "entry_id": 2,
                "account_id": 4,
                "role": "ADVERTISING",
                "debit": Decimal(0),
                "credit": Decimal("500.00"),
                "kind": "COOP",
                "memo": "COOP accrual tier 1",
                **line,
            },
        ],
    )
    insert(
        conn,
        "line_accrual",
        [
            {
                "receipt_line_id": 1,
                "kind": "COOP",
                "vendor_id": 1,
                "product_id": 1,
                "ladder_key": LADDER,
                "agreement_id": 1,
                "period_key": "",
                "received_date": date(2026, 2, 1),
                "slip_no": "S1",
                "line_no": 1,
                "amount": Decimal("25000.00"),
                "volume_after": Decimal("25000.00"),
                "tier": 1,
                "rebate": Decimal("500.00"),
                "retro": Decimal(0),
                "inventory": Decimal(0),
            }
        ],
    )


def seed_0002(conn: Connection) -> None:
    insert(
        conn,
        "app_user",
        [
            {"id": 1, "login": "tester", "name": "Test Administrator", "role": "ADMIN", "active": True},
            {"id": 2, "login": "clerk", "name": "Receiving Clerk", "role": "CLERK", "active": True},
        ],
    )


def ladder_volumes(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        table = Table("ladder_volume", MetaData(), autoload_with=conn)
        rows = conn.execute(table.select().order_by(table.c.ladder_key, table.c.period_key)).all()
    money = Base.metadata.tables["ladder_volume"].c.volume.type
    return [
        (
            r.ladder_key,
            r.period_key,
            r.vendor_id,
            money.process_result_value(r.volume, engine.dialect),
            r.last_date,
            r.last_slip_no,
            r.last_line_no,
        )
        for r in rows
    ]


def check_0003(engine: Engine) -> None:
    """0003 filled ladder_volume from the posted accrual of S1."""
    assert ladder_volumes(engine) == [(LADDER, "", 1, Decimal("25000.00"), date(2026, 2, 1), "S1", 1)]


def check_0004(engine: Engine) -> None:
    """0004 adds vendor_rating empty: the next re-rate computes every vendor once."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM vendor_rating")).scalar_one() == 0


def check_0005(engine: Engine) -> None:
    """0005 drops ix_line_accrual_vendor and nothing else: S1's accrual is still there."""
    with engine.connect() as conn:
        names = {ix["name"] for ix in inspect(conn).get_indexes("line_accrual")}
        assert "ix_line_accrual_vendor" not in names and "ix_line_accrual_ladder" in names
        assert conn.execute(text("SELECT count(*) FROM line_accrual")).scalar_one() == 1


def check_0006(engine: Engine) -> None:
    """0006 drops line_accrual.volume_after (derived now) and keeps every row."""
    with engine.connect() as conn:
        assert "volume_after" not in {c["name"] for c in inspect(conn).get_columns("line_accrual")}
        assert conn.execute(text("SELECT count(*) FROM line_accrual")).scalar_one() == 1


def check_0007(engine: Engine) -> None:
    """0007 stores the ladder's identity as a JSON array, in line_accrual and ladder_volume."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT ladder_key FROM line_accrual")).scalars().all() == [KEY]
    assert ladder_volumes(engine) == [(KEY, "", 1, Decimal("25000.00"), date(2026, 2, 1), "S1", 1)]


def check_0008(engine: Engine) -> None:
    """0008 adds the export tables (empty), the posting-time index and journal_line.agreement_no,
    filled for S1's ACCRUAL lines from its accrual (agreement 1); its RECEIPT lines have none."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, agreement_no FROM journal_line ORDER BY id")).all() == [
            (1, None),
            (2, None),
            (3, "1"),
            (4, "1"),
        ]
        assert conn.execute(text("SELECT count(*) FROM journal_export")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM journal_export_line")).scalar_one() == 0
        assert "ix_journal_entry_created_at" in {ix["name"] for ix in inspect(conn).get_indexes("journal_entry")}
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:  # the trigger is back
        conn.execute(text("UPDATE journal_line SET agreement_no = '2'"))


def check_0009(engine: Engine) -> None:
    """0009 widens the running totals to 19 digits on PostgreSQL (SQLite stores 64-bit integers
    already): both hold a ladder volume of 2^63 - 1 cents, which NUMERIC(18, 2) refused."""
    largest = Decimal(2**63 - 1).scaleb(-2)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            types = conn.execute(
                text(
                    "SELECT table_name, column_name, numeric_precision, numeric_scale FROM information_schema.columns "
                    "WHERE table_name IN ('ladder_volume', 'product') AND data_type = 'numeric'"
                )
            ).all()
            assert sorted(types) == [
                ("ladder_volume", "volume", 19, 2),
                ("product", "received_net", 19, 2),
                ("product", "received_qty", 19, 4),
                ("product", "unit_cost", 18, 4),
            ]
        money = Base.metadata.tables["ladder_volume"].c.volume.type
        conn.rollback()  # stored and read back, then rolled back: the data stays as it was
        with conn.begin() as tx:
            conn.execute(
                text("UPDATE ladder_volume SET volume = :v"), {"v": money.process_bind_param(largest, conn.dialect)}
            )
            stored = conn.execute(text("SELECT volume FROM ladder_volume")).scalar_one()
            assert money.process_result_value(stored, conn.dialect) == largest
            tx.rollback()


def check_0010(engine: Engine) -> None:
    """0010 widens the journal export totals to 19 digits on PostgreSQL, as 0009 the running
    totals: both databases record an export of 2^63 - 1 cents."""
    largest = Decimal(2**63 - 1).scaleb(-2)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            types = conn.execute(
                text(
                    "SELECT column_name, numeric_precision, numeric_scale FROM information_schema.columns "
                    "WHERE table_name = 'journal_export' AND data_type = 'numeric'"
                )
            ).all()
            assert sorted(types) == [("total_credit", 19, 2), ("total_debit", 19, 2)]
        money = Base.metadata.tables["journal_export"].c.total_debit.type
        conn.rollback()
        with conn.begin() as tx:  # stored and read back, then rolled back: the data stays as it was
            conn.execute(
                text(
                    "INSERT INTO journal_export (export_no, exported_at, exported_by, line_count, "
                    "total_debit, total_credit, file_name) VALUES (99, :at, 'x', 0, :v, :v, '')"
                ),
                {"v": money.process_bind_param(largest, conn.dialect), "at": STAMP},
            )
            stored = conn.execute(text("SELECT total_debit FROM journal_export")).scalar_one()
            assert money.process_result_value(stored, conn.dialect) == largest
            tx.rollback()


def check_0011(engine: Engine) -> None:
    """0011 numbers the entries from a counter row, starting after S1's two entries. On
    PostgreSQL the id sequence is moved far ahead, as a killed posting used to leave it:
    the program's next entries are 3, 4, ... all the same (checked at head)."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, next_value FROM number_series")).all() == [("journal_entry", 3)]
        assert conn.execute(text("SELECT id FROM journal_entry ORDER BY id")).scalars().all() == [1, 2]
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('journal_entry', 'id'), 59982)"))


def check_0012(engine: Engine) -> None:
    """0012 records changes from now on (the migrated rows are not in the trail): an update behind
    the program is recorded with the login (PostgreSQL) and no user, a change of a product's
    running totals alone is not, and the trail refuses UPDATE. Rolled back: the data stays."""
    login = None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_trail")).scalar_one() == 0
        assert conn.execute(text("SELECT id, app_user FROM audit_context")).all() == [(1, None)]
        if engine.dialect.name == "postgresql":
            login = conn.execute(text("SELECT session_user")).scalar_one()
        conn.rollback()
        with conn.begin() as tx:
            conn.execute(text("UPDATE vendor SET name = 'Renamed' WHERE id = 1"))
            conn.execute(text("UPDATE product SET received_qty = received_qty + 1"))
            rows = conn.execute(
                text(
                    "SELECT db_user, app_user, table_name, action, record_key, old_values, new_values FROM audit_trail"
                )
            ).all()
            assert [r[:5] for r in rows] == [(login, None, "vendor", "UPDATE", "1")]
            old, new = json.loads(rows[0][5]), json.loads(rows[0][6])
            assert (old["name"], new["name"], new["code"]) == ("Northern Gypsum Ltd", "Renamed", "V100")
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text("UPDATE audit_trail SET app_user = 'someone'"))
            tx.rollback()


def check_0013(engine: Engine) -> None:
    """0013 secures a PostgreSQL database: the role prefix of its name is stored, every table
    belongs to the owner role, and who wrote an entry is set by the database whatever the
    client sends (rolled back: the data stays). SQLite: an empty db_security, nothing else."""
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id, role_prefix FROM db_security")).all()
        if engine.dialect.name != "postgresql":
            assert stored == []
            return
        prefix = roles.default_prefix(engine.url.database or "")
        assert stored == [(1, prefix)]
        owners = conn.execute(text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")).all()
        assert owners == [(roles.owner_role(prefix),)]
        conn.rollback()
        with conn.begin() as tx:
            conn.execute(
                text(
                    "INSERT INTO journal_entry (id, entry_date, source, reference, created_by, created_at) "
                    "VALUES (99, '2026-02-01', 'MANUAL', '', 'someone_else', now())"
                )
            )
            login = conn.execute(text("SELECT session_user")).scalar_one()
            assert conn.execute(text("SELECT created_by FROM journal_entry WHERE id = 99")).scalar_one() == login
            tx.rollback()


def check_0014(engine: Engine) -> None:
    """0014 leaves the seeded agreement without header dates or a recorded decision, gives the
    vendor the default method and terms, and adds the new tables; price_change refuses
    UPDATE, and the new settings tables are in the audit trail (rolled back: the data stays)."""
    with engine.connect() as conn:
        agreement = conn.execute(
            text("SELECT status, decided_by, start_date, end_date, terms, amount, actuals_required FROM agreement")
        ).one()
        assert tuple(agreement) == ("ACCEPTED", None, None, None, "", None, False)
        vendor = conn.execute(text("SELECT billing_address, email, default_method, terms_days FROM vendor")).first()
        assert tuple(vendor) == ("", "", "CD", 30)
        conn.rollback()
        with conn.begin() as tx:
            conn.execute(
                text(
                    "INSERT INTO provisional_rate (kind, from_date, to_date, cat1, rate) "
                    "VALUES ('COOP', '2026-01-01', '2026-12-31', 'ALL', 20000)"
                    if engine.dialect.name == "sqlite"
                    else "INSERT INTO provisional_rate (kind, from_date, to_date, cat1, rate) "
                    "VALUES ('COOP', '2026-01-01', '2026-12-31', 'ALL', 2)"
                )
            )
            assert conn.execute(text("SELECT table_name, action FROM audit_trail")).all() == [
                ("provisional_rate", "INSERT")
            ]
            conn.execute(
                text(
                    "INSERT INTO price_change (product_id, effective_date, old_unit_cost, new_unit_cost, "
                    "on_hand, claim, created_by, created_at) VALUES (1, '2026-04-01', 1, 1, 1, 0, 'x', "
                    "'2026-04-01 00:00:00')"
                )
            )
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text("UPDATE price_change SET claim = 1"))
            tx.rollback()


def check_0015(engine: Engine) -> None:
    """0015 gives the company the default write-off tolerance (5.00) and filing window (60
    days), and adds the settlement tables: append-only (rolled back: the data stays)."""
    money = Base.metadata.tables["company"].c.write_off_tolerance.type
    with engine.connect() as conn:
        company = conn.execute(text("SELECT remit_to, write_off_tolerance, dispute_window_days FROM company")).one()
        value = money.process_result_value(company[1], engine.dialect)
        assert (company[0], value, company[2]) == ("", Decimal("5.00"), 60)
        assert set(conn.execute(text("SELECT expected_volume FROM agreement_line")).scalars()) == {None}
        conn.rollback()
        with conn.begin() as tx:
            conn.execute(
                text(
                    "INSERT INTO month_close (month, run_date, closed_by, closed_at) "
                    "VALUES ('2026-01', '2026-02-01', 'x', '2026-02-01 00:00:00')"
                )
            )
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text("DELETE FROM month_close"))
            tx.rollback()


def check_0016(engine: Engine) -> None:
    """0016 adds the payables tables, append-only (rolled back: the data stays)."""
    with engine.connect() as conn, conn.begin() as tx:
        conn.execute(
            text(
                "INSERT INTO payment_run (run_date, created_by, created_at) "
                "VALUES ('2026-02-15', 'x', '2026-02-15 00:00:00')"
            )
        )
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE payment_run SET run_date = '2026-02-16'"))
        tx.rollback()


def running_volumes(engine: Engine) -> list[tuple[str, Decimal]]:
    """line_accrual.volume_after as a downgrade below 0006 restores it, per slip."""
    money = Base.metadata.tables["line_accrual"].c.amount.type
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT slip_no, volume_after FROM line_accrual ORDER BY slip_no")).all()
    return [(slip, money.process_result_value(v, engine.dialect)) for slip, v in rows]


SEEDS = {"0001": seed_0001, "0002": seed_0002}
CHECKS = {
    "0003": check_0003,
    "0004": check_0004,
    "0005": check_0005,
    "0006": check_0006,
    "0007": check_0007,
    "0008": check_0008,
    "0009": check_0009,
    "0010": check_0010,
    "0011": check_0011,
    "0012": check_0012,
    "0013": check_0013,
    "0014": check_0014,
    "0015": check_0015,
    "0016": check_0016,
}
# tables a revision changes the rows of: 0006 a column less, 0007 the ladder keys, 0008 a column more
ADDED_COLUMNS = {
    "0006": {"line_accrual"},
    "0007": {"line_accrual", "ladder_volume"},
    "0008": {"journal_line"},
    "0014": {"agreement", "vendor", "product"},
    "0015": {"company", "agreement_line"},
}
EXPORTS = {"journal_export", "journal_export_line"}


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(db.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def schema_diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


def same_rows(before: dict[str, list[Any]], after: dict[str, list[Any]], changed: set[str]) -> None:
    for table, rows in before.items():
        if table in after and table not in changed:
            assert after[table] == rows, f"{table} changed"


def test_every_revision_keeps_the_data_and_head_matches_the_models(db_url, tmp_path):
    steps = revisions()
    assert steps[0] == "0001" and steps[-1] == db.head_revision()
    assert set(steps) == set(SEEDS) | set(CHECKS), (
        "a new migration: add the rows valid at it (SEEDS) or what it must do to the data (CHECKS)"
    )
    engine = db.make_engine(db_url)
    try:
        db.downgrade(engine, "base")  # the fixture's database is at head: start empty
        assert db.current_revision(engine) is None

        # up, one revision at a time, with data
        before: dict[str, list[Any]] = {}
        for rev in steps:
            db.upgrade(engine, rev)
            assert db.current_revision(engine) == rev
            after = snapshot(engine)
            same_rows(before, after, ADDED_COLUMNS.get(rev, set()))
            assert set(before) <= set(after)
            if rev in SEEDS:
                with engine.begin() as conn:
                    SEEDS[rev](conn)
                    advance_sequences(conn)
            if rev in CHECKS:
                CHECKS[rev](engine)
            before = snapshot(engine)
        assert schema_diff(engine) == []

        # the program works on the migrated data
        ctx = AppContext(engine, user="tester")
        assert rs.ledger_anomalies(ctx) == []
        assert rs.rerate_dry_run(ctx, TODAY) == 0  # the old accrual is what the engine computes
        with ctx.uow() as uow:
            posting.post_slips(uow, ["S3", "S2"], today=TODAY)
        net = rs.net_by_line_and_role(ctx)
        assert {s: net[(s, 1, "REBATE_RECEIVABLE")] for s in ("S1", "S2", "S3")} == {
            "S1": Decimal("500.00"),
            "S2": Decimal("550.00"),
            "S3": Decimal("325.00"),
        }  # SPEC §10 B
        assert rs.ledger_anomalies(ctx) == []
        with ctx.uow() as uow:
            assert posting.rerate(uow, today=TODAY) == 0
        with ctx.uow() as uow:  # every line, the migrated ones with the new ones, in one numbered export
            record = journal_exports.export_new(uow, tmp_path / "export.csv")
        assert record is not None and (record.export_no, record.line_count) == (1, 12)
        at_head = snapshot(engine)
        assert [r[0] for r in at_head["journal_entry"]] == [1, 2, 3, 4, 5, 6]  # no gap, whatever the sequence says
        assert at_head["number_series"] == [("journal_entry", 7)]
        assert [r[-1] for r in sorted(at_head["journal_line"])] == [None, None, "1", "1"] * 3  # agreement_no
        assert {t: len(at_head[t]) for t in ("receiving_slip", "journal_entry", "line_accrual", "app_user")} == {
            "receiving_slip": 3,
            "journal_entry": 6,
            "line_accrual": 3,
            "app_user": 2,
        }
        volumes = ladder_volumes(engine)
        assert volumes == [(KEY, "", 1, Decimal("55000.00"), date(2026, 2, 3), "S3", 1)]

        # down, one revision at a time: what the remaining revisions hold stays
        for rev in reversed(steps[:-1]):
            db.downgrade(engine, rev)
            assert db.current_revision(engine) == rev
            now = snapshot(engine)
            same_rows(
                at_head,
                now,
                ({"line_accrual", "ladder_volume"} if rev < "0007" else set())
                | ({"journal_line"} if rev < "0008" else set())
                | ({"agreement", "vendor", "product"} if rev < "0014" else set())
                | ({"company", "agreement_line"} if rev < "0015" else set()),
            )
            assert set(now) <= set(at_head)  # 0005 drops an index only, 0006 a column
            if rev == "0005":  # the running volume is back, as the engine accrued it (SPEC §10 B)
                assert running_volumes(engine) == [
                    ("S1", Decimal("25000.00")),
                    ("S2", Decimal("45000.00")),
                    ("S3", Decimal("55000.00")),
                ]
        assert "ladder_volume" not in now and "app_user" not in now and "journal_line" in now
        # and up again: 0003 rebuilds the ladder volumes of everything posted meanwhile
        for rev in steps[1:]:
            db.upgrade(engine, rev)
            same_rows(
                at_head,
                snapshot(engine),
                {"app_user", "ladder_volume", "vendor_rating"}
                | EXPORTS
                | ({"line_accrual"} if rev < "0007" else set())
                | ({"journal_line"} if rev < "0008" else set())
                | ({"agreement", "vendor", "product"} if rev < "0014" else set())
                | ({"company", "agreement_line"} if rev < "0015" else set()),
            )
        assert ladder_volumes(engine) == volumes
        assert schema_diff(engine) == []
        ctx = AppContext(engine, user="tester")  # no users again: single-user mode
        assert rs.ledger_anomalies(ctx) == []
        assert rs.rerate_dry_run(ctx, TODAY) == 0

        # to base: nothing left; and up to head: the schema of the models, append-only triggers
        db.downgrade(engine, "base")
        assert db.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        assert schema_diff(engine) == []
        with engine.begin() as conn:
            seed_0001(conn)
            advance_sequences(conn)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE journal_line SET debit = 0"))
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO journal_export VALUES (1, '2026-02-01 17:30:00', 'x', 1, 0, 0, '')"))
            conn.execute(text("INSERT INTO journal_export_line VALUES (1, 1)"))
        for table in EXPORTS:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(f"DELETE FROM {table}"))
    finally:
        engine.dispose()


def test_coop_db_upgrade_says_created_migrated_or_current(tmp_path, capsys):
    """Issue 17: a new database says it was created (not "already at the latest schema")."""
    from app.cli.main import main

    url = f"sqlite:///{tmp_path / 'said.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"Created a new database at the latest schema: {url}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"Database is at the latest schema: {url}"
    older = f"sqlite:///{tmp_path / 'older.sqlite'}"
    engine = db.make_engine(older)
    assert db.upgrade(engine, "0015") == db.CREATED
    engine.dispose()
    assert main(["--db", older, "db", "upgrade"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"Migrated the database to the latest schema: {older}" in out
