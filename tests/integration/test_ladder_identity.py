"""A ladder is known by its structure (agreement, scope codes, dates), never by codes joined into
one string: codes may hold `/` (issue 11, item 1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text

from app.adapters import db
from app.cli.main import main
from app.models import LadderVolume, LineAccrual, VendorRating
from app.services import queries, receiving
from app.services.context import AppContext
from tests.conftest import journal_net

D = Decimal

FILES = {
    "categories": "level,code,parent_code,description\n1,LUMBER,,Lumber\n2,2/4,LUMBER,Two by four\n"
    "3,8,2/4,Eight feet\n2,2,LUMBER,Two\n3,4/8,2,Four by eight\n",
    "vendors": "code,name,currency\nV1,Slash Lumber,CAD\n",
    "products": "code,description,vendor_code,cat1,cat2,cat3,cat4,unit_cost\n"
    "P-24-8,2x4 8ft,V1,LUMBER,2/4,8,,1.00\nP-2-48,4x8 sheet,V1,LUMBER,2,4/8,,1.00\n",
    "gl-accounts": "number,name,type\n1200,Inventory,ASSET\n2150,Received not invoiced,LIABILITY\n"
    "1310,Rebate receivable,ASSET\n6100,Advertising,EXPENSE\n4810,Rebate earned,INCOME\n",
    "gl-reference": "role,account_number\nINVENTORY,1200\nRECEIVED_NOT_INVOICED,2150\n"
    "REBATE_RECEIVABLE,1310\nADVERTISING,6100\nREBATE_EARNED,4810\n",
    "agreements": "vendor_code,kind,status,cat1,cat2,cat3,cat4,product_code,max_amount,start_date,end_date,"
    "rebate1,rebate2,rebate3,rebate4,method,degressive,retro,product_pct,period\n"
    "V1,COOP,ACCEPTED,LUMBER,2/4,8,ALL,,1000,2026-01-01,2026-12-31,1,,,,SC,N,N,0,\n"
    "V1,COOP,ACCEPTED,LUMBER,2/4,8,ALL,,999999999,2026-01-01,2026-12-31,2,,,,SC,N,N,0,\n"
    "V1,COOP,ACCEPTED,LUMBER,2,4/8,ALL,,500,2026-01-01,2026-12-31,5,,,,SC,N,N,0,\n"
    "V1,COOP,ACCEPTED,LUMBER,2,4/8,ALL,,999999998,2026-01-01,2026-12-31,10,,,,SC,N,N,0,\n",
    "receipts": "slip_no,vendor_code,received_date,line_no,product_code,quantity,unit_cost\n"
    "S1,V1,2026-03-02,1,P-24-8,2000,1.00\nS1,V1,2026-03-02,2,P-2-48,2000,1.00\n",
}


def coop(url: str, *args: str) -> int:
    return main(["--db", url, "--user", "tester", *args])


def load(url: str, folder: Path) -> None:
    for kind, content in FILES.items():
        path = folder / f"{kind}.csv"
        path.write_text(content, encoding="utf-8")
        assert coop(url, "import", kind, str(path)) == 0


def accrued(path: Path) -> dict[tuple[str, ...], object]:
    """(source, product) -> rebate receivable debited, from the exported journal."""
    return journal_net(path, ("source", "product_code"))


def test_two_chains_whose_codes_join_alike_are_two_ladders(db_url, tmp_path):
    load(db_url, tmp_path)
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        with ctx.uow() as uow:  # the preview, before posting
            slip = receiving.load_slip(uow, "S1")
            lines = tuple(receiving.SlipLineIn(ln.line_no, ln.product, ln.quantity, ln.unit_cost) for ln in slip.lines)
            shown = receiving.preview(uow, receiving.SlipIn("S1", "V1", date(2026, 3, 2), lines))
        assert [(r.line_no, r.ladder, r.tier, r.rebate) for r in shown] == [
            (1, "LUMBER / 2/4 / 8 / ALL", 2, D("30.00")),
            (2, "LUMBER / 2 / 4/8 / ALL", 2, D("175.00")),
        ]

        assert coop(db_url, "post") == 0
        out = tmp_path / "journal.csv"
        assert coop(db_url, "export", "journal", "--out", str(out)) == 0
        assert accrued(out) == {("ACCRUAL", "P-24-8"): D("30.00"), ("ACCRUAL", "P-2-48"): D("175.00")}

        with ctx.uow() as uow:
            keys = dict(uow.session.execute(select(LineAccrual.line_no, LineAccrual.ladder_key)).all())
            volumes = {v.ladder_key: v.volume for v in uow.session.scalars(select(LadderVolume))}
            assert len(set(keys.values())) == 2 and volumes == {keys[1]: D("2000.00"), keys[2]: D("2000.00")}
            estimated = {
                e.row.ladder: (e.ladder_key, e.row.volume, e.row.tier, e.row.rebate)
                for e in queries.estimated_ladders(uow, as_of=date(2026, 12, 31))
            }
            assert estimated == {
                "LUMBER / 2/4 / 8 / ALL": (keys[1], D("2000.00"), 2, D("30.00")),
                "LUMBER / 2 / 4/8 / ALL": (keys[2], D("2000.00"), 2, D("175.00")),
            }
            drill = {
                k: [(ln.product, ln.volume_after, ln.rebate) for ln in queries.ladder_lines(uow, k)]
                for k in keys.values()
            }
            assert drill == {
                keys[1]: [("P-24-8", D("2000.00"), D("30.00"))],
                keys[2]: [("P-2-48", D("2000.00"), D("175.00"))],
            }
        assert coop(db_url, "rerate", "--full") == 0  # a from-scratch computation agrees
        again = tmp_path / "again.csv"
        assert coop(db_url, "export", "journal", "--out", str(again)) == 0
        assert accrued(again) == accrued(out)
    finally:
        ctx.engine.dispose()


def test_upgrade_splits_the_rows_of_a_key_that_stood_for_two_ladders(db_url, tmp_path, capsys):
    """Below 0007 both ladders had the key `1|G:LUMBER/2/4/8/ALL|…`; upgrading gives each row
    back to the ladder holding its product, rebuilds the volumes and asks for a re-rate."""
    load(db_url, tmp_path)
    assert coop(db_url, "post") == 0
    engine = db.make_engine(db_url)
    try:

        def state() -> tuple[dict[int, str], dict[str, Decimal], int]:
            with engine.connect() as conn:
                keys = dict(conn.execute(select(LineAccrual.line_no, LineAccrual.ladder_key)).all())
                volumes = {v.ladder_key: v.volume for v in conn.execute(select(LadderVolume))}
                stamps = len(conn.execute(select(VendorRating.vendor_id)).all())
            return keys, volumes, stamps

        keys, volumes, stamps = state()
        assert stamps == 1 and len(set(keys.values())) == 2
        db.downgrade(engine, "0006")
        with engine.connect() as conn:
            old = conn.execute(text("SELECT DISTINCT ladder_key FROM line_accrual")).scalars().all()
        assert old == ["1|G:LUMBER/2/4/8/ALL|2026-01-01|2026-12-31"]  # merged, as before the fix
        db.upgrade(engine)
        assert state() == (keys, volumes, 0)  # split again; the vendor waits for a re-rate
    finally:
        engine.dispose()
    capsys.readouterr()
    assert coop(db_url, "db", "upgrade") == 0  # says what waits for a re-rate
    assert "1 vendor (V1) had accruals computed by an earlier version" in capsys.readouterr().out
    assert coop(db_url, "rerate") == 0
    assert coop(db_url, "db", "upgrade") == 0
    assert "had accruals" not in capsys.readouterr().out
    out = tmp_path / "journal.csv"
    assert coop(db_url, "export", "journal", "--out", str(out)) == 0
    assert accrued(out) == {("ACCRUAL", "P-24-8"): D("30.00"), ("ACCRUAL", "P-2-48"): D("175.00")}


def test_the_agreement_screens_tier_progress_finds_ladders_of_mixed_case_codes(db_url, tmp_path):
    """Codes are case-sensitive (`Lumber` is not `LUMBER`): the tier progress of an agreement
    line is looked up with the codes as stored, like posting stores them."""
    global FILES
    saved = FILES
    FILES = {k: v.replace("LUMBER", "Lumber") for k, v in saved.items()}
    try:
        load(db_url, tmp_path)
    finally:
        FILES = saved
    assert coop(db_url, "post") == 0
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        with ctx.uow() as uow:
            agreement_id = uow.session.scalars(select(LineAccrual.agreement_id).distinct()).one()
            progress = [
                queries.ladder_progress(
                    uow, agreement_id, None, cats, date(2026, 1, 1), date(2026, 12, 31), as_of=date(2026, 12, 31)
                )
                for cats in (("Lumber", "2/4", "8", "ALL"), ("Lumber", "2", "4/8", ""))
            ]
        assert [(p.volume, p.rebate, p.lines) for p in progress] == [
            (D("2000.00"), D("30.00"), 1),
            (D("2000.00"), D("175.00"), 1),
        ]
    finally:
        ctx.engine.dispose()
