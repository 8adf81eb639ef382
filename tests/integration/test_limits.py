"""The limits of app.domain.limits, the same on SQLite and PostgreSQL (issue 11 item 7).

Two slips of 600 lines of 10,000 x 999,999,999.99 used to post on SQLite and overflow
PostgreSQL's ladder volume (NUMERIC(18, 2)) with a driver traceback; the failed batch
wrote nothing, but its slips stayed first in the draft queue, so every later `coop post`
failed on them again. Now they are refused at import and at entry, a line at the limits
posts the same everywhere, and what could still overflow a running total (a draft saved
before the limits, a database beyond their design) is refused with the slip and line
named, writing nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from app.cli.main import main
from app.domain.ladder import Scope, ladder_key
from app.models import LadderVolume, Product, ReceiptLine
from app.services import receiving
from app.services.context import AppContext
from app.services.errors import ValidationFailed
from tests.conftest import import_example
from tests.integration import race_support as rs
from tests.integration.test_bad_input import AGREED, RECEIPT_HEADER, snapshot

D = Decimal
LADDER = ladder_key(1, Scope.of(None, ("GYPSUM",)), date(2026, 1, 1), date(2026, 12, 31))
CAPACITY = D(2**63 - 1).scaleb(-2)  # what a ladder volume holds on both databases, in dollars


@pytest.fixture
def agreed(ctx: AppContext) -> AppContext:
    """Example B's master data and its accepted COOP ladder on GYPSUM: 30,000 @2%, 50,000 @3%,
    999,999,999 @3.5%; products GYP-OTHER and GYP-HALF-4X8 (unit cost 1.00)."""
    import_example(ctx, "B_marginal", kinds=AGREED)
    return ctx


def coop(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", url, "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


def receipts(tmp: Path, name: str, *rows: str) -> str:
    path = tmp / name
    path.write_text("\n".join((RECEIPT_HEADER, *rows)) + "\n", encoding="utf-8")
    return str(path)


def posted_state(ctx: AppContext) -> tuple[object, ...]:
    """The ladder's volume, the products' received totals and the net journal per line."""
    with ctx.uow() as uow:
        volumes = uow.session.execute(select(LadderVolume.ladder_key, LadderVolume.volume)).all()
        products = uow.session.execute(
            select(Product.code, Product.received_qty, Product.received_net).order_by(Product.code)
        ).all()
    return [tuple(v) for v in volumes], [tuple(p) for p in products], rs.net_by_line_and_role(ctx)


def test_the_issue_slips_are_refused_at_import_and_a_later_slip_posts(agreed, db_url, tmp_path, capsys):
    rows = [
        f"{slip},V100,{day},{n},GYP-OTHER,10000,999999999.99"
        for slip, day in (("BIG1", "2026-03-01"), ("BIG2", "2026-03-02"))
        for n in range(1, 601)
    ]
    before = snapshot(agreed)

    code, out, err = coop(db_url, capsys, "import", "receipts", receipts(tmp_path, "big.csv", *rows))

    assert (code, out) == (1, "")
    assert err.splitlines() == ["error: 1200 problem(s), nothing was written:"] + [
        f"  row {r}, unit_cost: is too large (got 999999999.99; at most 100,000,000)" for r in range(2, 1202)
    ]
    assert snapshot(agreed) == before
    assert coop(db_url, capsys, "post") == (0, "Posted 0 slips, 0 lines: 0 journal entries (0 re-rate)\n", "")
    assert snapshot(agreed) == before

    # The vendor's next slip imports and posts as SPEC §10 B's first receipt.
    later = receipts(tmp_path, "later.csv", "N1,V100,2026-03-05,1,GYP-OTHER,25000,1.00")
    assert coop(db_url, capsys, "import", "receipts", later)[0] == 0
    assert coop(db_url, capsys, "post")[:2] == (0, "Posted 1 slips, 1 lines: 2 journal entries (0 re-rate)\n")
    assert posted_state(agreed) == (
        [(LADDER, D("25000.00"))],
        [
            ("GYP-HALF-4X8", D("0.0000"), D("0.00")),
            ("GYP-OTHER", D("25000.0000"), D("25000.00")),
            ("SPF-2X4-8", D("0.0000"), D("0.00")),
        ],
        {
            ("N1", 1, "INVENTORY"): D("25000.00"),
            ("N1", 1, "RECEIVED_NOT_INVOICED"): D("-25000.00"),
            ("N1", 1, "REBATE_RECEIVABLE"): D("500.00"),
            ("N1", 1, "ADVERTISING"): D("-500.00"),
        },
    )
    assert rs.ledger_anomalies(agreed) == []


def test_the_issue_slip_is_refused_by_the_receiving_service(agreed):
    """What the receiving screen saves: one slip, its lines labelled Line 1, Line 2, ..."""
    lines = tuple(
        receiving.SlipLineIn(n, "GYP-OTHER", D(10000), D("999999999.99"), label=f"Line {n}") for n in range(1, 601)
    )
    before = snapshot(agreed)
    with pytest.raises(ValidationFailed) as info, agreed.uow() as uow:
        receiving.save_slips(
            uow, [receiving.SlipIn("BIG1", "V100", date(2026, 3, 1), lines, label="Slip")], replace_draft=True
        )
    assert [(p.record, p.field, p.message) for p in info.value.problems] == [
        (f"Line {n}", "unit_cost", "is too large (got 999999999.99; at most 100,000,000)") for n in range(1, 601)
    ]
    assert snapshot(agreed) == before
    # Within the unit cost limit, the amount is what is too large: named on the quantity.
    with pytest.raises(ValidationFailed) as info, agreed.uow() as uow:
        receiving.save_slips(
            uow,
            [
                receiving.SlipIn(
                    "BIG1",
                    "V100",
                    date(2026, 3, 1),
                    (receiving.SlipLineIn(1, "GYP-OTHER", D(10000), D("99999999.99"), label="Line 1"),),
                    label="Slip",
                )
            ],
        )
    assert [(p.record, p.field, p.message) for p in info.value.problems] == [
        (
            "Line 1",
            "quantity",
            "quantity x unit cost is too large: must be between -100,000,000.00 and "
            "100,000,000.00 per line (got 999,999,999,900.00)",
        )
    ]
    assert snapshot(agreed) == before


def test_lines_at_the_limits_post_the_same_on_every_database(agreed, db_url, tmp_path, capsys):
    at_limits = receipts(
        tmp_path,
        "limits.csv",
        "L1,V100,2026-03-01,1,GYP-OTHER,1000000,100",  # the largest quantity and amount
        "L1,V100,2026-03-01,2,GYP-HALF-4X8,1,100000000",  # the largest unit cost
        "L1,V100,2026-03-01,3,GYP-OTHER,-1000000,100",
    )  # the largest return
    assert coop(db_url, capsys, "import", "receipts", at_limits)[0] == 0
    assert coop(db_url, capsys, "post")[:2] == (0, "Posted 1 slips, 3 lines: 6 journal entries (0 re-rate)\n")
    # G(V) = 600 + 600 + 3.5% x (V - 50,000): V = 100,000,000 -> 3,499,450.00; 200,000,000 ->
    # 6,999,450.00; the return brings V back to 100,000,000.
    volumes, products, net = posted_state(agreed)
    assert volumes == [(LADDER, D("100000000.00"))]
    assert products == [
        ("GYP-HALF-4X8", D("1.0000"), D("100000000.00")),
        ("GYP-OTHER", D("0.0000"), D("0.00")),
        ("SPF-2X4-8", D("0.0000"), D("0.00")),
    ]
    assert net == {
        ("L1", 1, "INVENTORY"): D("100000000.00"),
        ("L1", 1, "RECEIVED_NOT_INVOICED"): D("-100000000.00"),
        ("L1", 1, "REBATE_RECEIVABLE"): D("3499450.00"),
        ("L1", 1, "ADVERTISING"): D("-3499450.00"),
        ("L1", 2, "INVENTORY"): D("100000000.00"),
        ("L1", 2, "RECEIVED_NOT_INVOICED"): D("-100000000.00"),
        ("L1", 2, "REBATE_RECEIVABLE"): D("3500000.00"),
        ("L1", 2, "ADVERTISING"): D("-3500000.00"),
        ("L1", 3, "INVENTORY"): D("-100000000.00"),
        ("L1", 3, "RECEIVED_NOT_INVOICED"): D("100000000.00"),
        ("L1", 3, "REBATE_RECEIVABLE"): D("-3500000.00"),
        ("L1", 3, "ADVERTISING"): D("3500000.00"),
    }
    assert rs.ledger_anomalies(agreed) == []


def _force_line(ctx: AppContext, slip_no: str, quantity: Decimal, amount: Decimal) -> None:
    """A draft line as an older version (limits of 10^11 and 10^13) could have saved it."""
    with ctx.uow() as uow:
        slip_id = uow.session.scalar(text("SELECT id FROM receiving_slip WHERE slip_no = :s"), {"s": slip_no})
        uow.session.execute(
            update(ReceiptLine).where(ReceiptLine.slip_id == slip_id).values(quantity=quantity, amount=amount)
        )
        uow.commit()


def test_a_draft_saved_before_the_limits_is_refused_by_posting(agreed, db_url, tmp_path, capsys):
    older = receipts(
        tmp_path, "older.csv", "OLD,V100,2026-03-01,1,GYP-OTHER,1,1.00", "OLD2,V100,2026-03-02,1,GYP-OTHER,1,1.00"
    )
    assert coop(db_url, capsys, "import", "receipts", older)[0] == 0
    _force_line(agreed, "OLD", D("10000"), D("9999999999900.00"))  # the issue's line
    _force_line(agreed, "OLD2", D("2000000"), D("2000000.00"))
    before = snapshot(agreed)

    assert coop(db_url, capsys, "post") == (
        1,
        "",
        "error: Receiving slip OLD line 1: amount 9,999,999,999,900.00 "
        "is too large (the limit is 100,000,000.00, either sign); correct the "
        "draft and post it again (nothing was posted)\n",
    )
    assert snapshot(agreed) == before
    assert coop(db_url, capsys, "post", "--slip", "OLD2")[2] == (
        "error: Receiving slip OLD2 line 1: quantity 2,000,000.0000 is too large (the limit is 1,000,000, "
        "either sign); correct the draft and post it again (nothing was posted)\n"
    )
    assert snapshot(agreed) == before

    # Corrected on the receiving screen (saved again within the limits), it posts.
    with agreed.uow() as uow:
        receiving.save_slips(
            uow,
            [
                receiving.SlipIn(
                    "OLD", "V100", date(2026, 3, 1), (receiving.SlipLineIn(1, "GYP-OTHER", D(25000), D("1.00")),)
                )
            ],
            replace_draft=True,
        )
    assert coop(db_url, capsys, "post", "--slip", "OLD")[0] == 0
    assert posted_state(agreed)[2][("OLD", 1, "REBATE_RECEIVABLE")] == D("500.00")


def _set(ctx: AppContext, statement) -> None:  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        uow.session.execute(statement)
        uow.commit()


def test_a_ladder_volume_beyond_what_the_database_holds_is_refused(agreed, db_url, tmp_path, capsys):
    """A database beyond the limits' design (10^8 lines): the ladder already holds 100.00
    less than its column holds, on both databases."""
    assert (
        coop(
            db_url,
            capsys,
            "import",
            "receipts",
            receipts(tmp_path, "s1.csv", "S1,V100,2026-03-01,1,GYP-OTHER,25000,1.00"),
        )[0]
        == 0
    )
    assert coop(db_url, capsys, "post")[0] == 0
    _set(agreed, update(LadderVolume).values(volume=CAPACITY - 100))
    assert (
        coop(
            db_url,
            capsys,
            "import",
            "receipts",
            receipts(
                tmp_path,
                "n.csv",
                "N1,V100,2026-03-05,1,GYP-HALF-4X8,100.01,1.00",
                "N2,V100,2026-03-06,1,GYP-HALF-4X8,100,1.00",
            ),
        )[0]
        == 0
    )
    before = snapshot(agreed)

    code, out, err = coop(db_url, capsys, "post", "--slip", "N1")

    assert (code, out, err) == (
        1,
        "",
        "error: Receiving slip N1 line 1: the volume of COOP ladder GYPSUM / ALL / "
        "ALL / ALL (agreement 1) would reach 92,233,720,368,547,758.08, more than "
        "the database holds (92,233,720,368,547,758.07); nothing was posted\n",
    )
    assert snapshot(agreed) == before
    # Up to what it holds, exactly: 2^63 - 1 cents on both databases.
    assert coop(db_url, capsys, "post", "--slip", "N2")[0] == 0
    assert posted_state(agreed)[0] == [(LADDER, CAPACITY)]


def test_a_product_total_beyond_what_the_database_holds_is_refused(agreed, db_url, tmp_path, capsys):
    qty_capacity = D(2**63 - 1).scaleb(-4)
    _set(agreed, update(Product).where(Product.code == "GYP-HALF-4X8").values(received_qty=qty_capacity - 1))
    assert (
        coop(
            db_url,
            capsys,
            "import",
            "receipts",
            receipts(
                tmp_path, "n.csv", "N1,V100,2026-03-05,1,GYP-OTHER,5,1.00", "N1,V100,2026-03-05,2,GYP-HALF-4X8,2,1.00"
            ),
        )[0]
        == 0
    )
    before = snapshot(agreed)

    code, out, err = coop(db_url, capsys, "post")

    assert (code, out) == (1, "")
    assert err.endswith(
        "error: Receiving slip N1 line 2: the received quantity would reach "
        "922,337,203,685,478.5807 for product GYP-HALF-4X8, more than the database holds; "
        "nothing was posted\n"
    )
    assert snapshot(agreed) == before


def test_a_rerate_taking_another_products_net_beyond_what_the_database_holds_is_refused(ctx, db_url, tmp_path, capsys):
    """A back-dated slip re-rates a later line of another product: its inventory credit grows
    (Product % 40), so that product's net goes down by 20.00, past what the column holds."""
    import_example(ctx, "E_product_pct", kinds=AGREED)
    assert (
        coop(
            db_url,
            capsys,
            "import",
            "receipts",
            receipts(tmp_path, "s2.csv", "S2,V100,2026-02-10,1,GYP-HALF-4X8,20000,1.00"),
        )[0]
        == 0
    )
    assert coop(db_url, capsys, "post")[0] == 0  # 400.00 at 2%: 160.00 to GYP-HALF-4X8's cost
    net_capacity = D(2**63 - 1).scaleb(-2)
    _set(ctx, update(Product).where(Product.code == "GYP-HALF-4X8").values(received_net=-net_capacity + 10))
    assert (
        coop(
            db_url,
            capsys,
            "import",
            "receipts",
            receipts(tmp_path, "s1.csv", "S1,V100,2026-01-15,1,GYP-OTHER,15000,1.00"),
        )[0]
        == 0
    )
    before = snapshot(ctx)

    code, out, err = coop(db_url, capsys, "post", "--slip", "S1")

    assert (code, out, err) == (
        1,
        "",
        "error: Receiving slip S2 line 1: the received net would reach "
        "-92,233,720,368,547,768.07 for product GYP-HALF-4X8, more than the "
        "database holds; nothing was posted\n",
    )
    assert snapshot(ctx) == before
    # Within what it holds, the same posting re-rates S2 by +50.00, +20.00 of it to cost.
    _set(ctx, update(Product).where(Product.code == "GYP-HALF-4X8").values(received_net=-net_capacity + 20))
    assert coop(db_url, capsys, "post", "--slip", "S1")[0] == 0
    assert posted_state(ctx)[1][0] == ("GYP-HALF-4X8", D("20000.0000"), -net_capacity)
