"""Numbered journal exports (SPEC §9): `coop export journal --new` carries every journal line
once, back-dated entries and re-rates included; selection by posting time; re-print."""

from __future__ import annotations

import csv
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from app.cli.main import main
from app.models import (
    GlAccount,
    JournalEntry,
    JournalExport,
    JournalExportLine,
    JournalLine,
    ReceivingSlip,
)
from app.services import agreements, journal_exports, posting, receiving, security
from app.services.context import AppContext
from app.services.reports import JOURNAL_COLUMNS, posted_at_text, posted_window
from tests.conftest import EXAMPLES
from tests.integration import race_support as rs

D = Decimal
MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference", "agreements")
H = EXAMPLES / "H_backdated"


def coop(url: str, *args: str, user: str = "tester") -> int:
    return main(["--db", url, "--user", user, *args])


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == JOURNAL_COLUMNS
        return list(reader)


def lines_of(path: Path) -> list[tuple[str, ...]]:
    return [tuple(r.values()) for r in read(path)]


def receipts_file(folder: Path, name: str, slips: tuple[str, ...]) -> Path:
    """The H_backdated receipts of these slips (S2 2026-02-10, S3 2026-03-01, S1 2026-01-15)."""
    rows = (H / "receipts.csv").read_text().splitlines()
    path = folder / name
    path.write_text("\n".join([rows[0], *(r for r in rows[1:] if r.split(",")[0] in slips)]) + "\n")
    return path


def load_h(url: str) -> None:
    for kind in MASTER:
        assert coop(url, "import", kind, str(H / f"{kind}.csv")) == 0


def export_tables(ctx: AppContext) -> tuple[list[Any], list[Any]]:
    with ctx.uow() as uow:
        s = uow.session
        return (
            s.execute(select(JournalExport.__table__).order_by(JournalExport.export_no)).all(),
            s.execute(select(JournalExportLine.__table__).order_by(JournalExportLine.line_id)).all(),
        )


def net(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], Decimal]:
    """Net debit per (source, slip, role) of the non-RECEIPT lines."""
    out: dict[tuple[str, str, str], Decimal] = Counter()  # type: ignore[assignment]
    for r in rows:
        if r["source"] != "RECEIPT":
            out[(r["source"], r["slip_no"], r["account_role"])] += D(r["debit"]) - D(r["credit"])
    return {k: v for k, v in out.items() if v}


def test_new_exports_carry_back_dated_slips_and_amendments_and_together_are_the_whole_journal(
    db_url, ctx, tmp_path, capsys
):
    load_h(db_url)
    assert coop(db_url, "import", "receipts", str(receipts_file(tmp_path, "feb_mar.csv", ("S2", "S3")))) == 0
    assert coop(db_url, "post") == 0
    before = datetime.now(UTC)
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e1.csv")) == 0
    after = datetime.now(UTC)
    assert "Export 1: wrote 8 journal lines" in capsys.readouterr().out
    e1 = read(tmp_path / "e1.csv")
    assert [(r["source"], r["slip_no"], r["export_no"]) for r in e1[::2]] == [
        ("RECEIPT", "S2", "1"),
        ("ACCRUAL", "S2", "1"),
        ("RECEIPT", "S3", "1"),
        ("ACCRUAL", "S3", "1"),
    ]
    assert {r["agreement_no"] for r in e1 if r["source"] == "ACCRUAL"} == {"1"}
    assert {r["agreement_no"] for r in e1 if r["source"] == "RECEIPT"} == {""}

    # The month-by-month way misses the late January slip: it is in neither file
    assert coop(db_url, "import", "receipts", str(receipts_file(tmp_path, "jan.csv", ("S1",)))) == 0
    assert coop(db_url, "post", "--date", "2026-03-31") == 0
    for month, (first, last) in {"feb": ("2026-02-01", "2026-02-28"), "mar": ("2026-03-01", "2026-03-31")}.items():
        assert (
            coop(db_url, "export", "journal", "--from", first, "--to", last, "--out", str(tmp_path / f"{month}.csv"))
            == 0
        )
    monthly = read(tmp_path / "feb.csv") + read(tmp_path / "mar.csv")
    assert len(monthly) == 4 + 4 + 4 and "S1" not in {r["slip_no"] for r in monthly}  # S2, S3, their re-rates
    # ... while --new carries exactly what was posted since export 1: S1's RECEIPT and ACCRUAL
    # (dated January) and the RERATE of S2 and S3 (dated March 31)
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e2.csv")) == 0
    e2 = read(tmp_path / "e2.csv")
    assert len(e2) == 8 and {r["export_no"] for r in e2} == {"2"}
    assert [(r["entry_date"], r["source"], r["slip_no"]) for r in e2[::2]] == [
        ("2026-01-15", "RECEIPT", "S1"),
        ("2026-01-15", "ACCRUAL", "S1"),
        ("2026-03-31", "RERATE", "S2"),
        ("2026-03-31", "RERATE", "S3"),
    ]
    assert net(e2) == {
        ("ACCRUAL", "S1", "REBATE_RECEIVABLE"): D("300.00"),
        ("ACCRUAL", "S1", "ADVERTISING"): D("-300.00"),
        ("RERATE", "S2", "REBATE_RECEIVABLE"): D("50.00"),
        ("RERATE", "S2", "ADVERTISING"): D("-50.00"),
        ("RERATE", "S3", "REBATE_RECEIVABLE"): D("100.00"),
        ("RERATE", "S3", "ADVERTISING"): D("-100.00"),
    }
    assert {r["agreement_no"] for r in e2 if r["source"] != "RECEIPT"} == {"1"}

    # An amendment (tier 1 from 2% to 2.5%: S1 and S2 +75) and one that deletes every line
    # (every accrual ended; an accepted agreement never goes back to PENDING, SPEC §11.1):
    # each re-rate in the next export, under agreement 1
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", "1")
        view = agreements.load_agreement(uow, agreement_id)
    lines = [
        replace(ln, rebates=(D("2.5"), None, None, None)) if ln.max_amount == D("30000.00") else ln for ln in view.lines
    ]
    with ctx.uow() as uow:
        view = agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=lines,
            agreement_id=agreement_id,
            expected_version=view.version,
            today=date(2026, 4, 15),
        )
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e3.csv")) == 0
    e3 = read(tmp_path / "e3.csv")
    assert net(e3) == {
        ("RERATE", "S1", "REBATE_RECEIVABLE"): D("75.00"),
        ("RERATE", "S1", "ADVERTISING"): D("-75.00"),
        ("RERATE", "S2", "REBATE_RECEIVABLE"): D("75.00"),
        ("RERATE", "S2", "ADVERTISING"): D("-75.00"),
    }
    assert len(e3) == 4 and {(r["agreement_no"], r["export_no"]) for r in e3} == {("1", "3")}
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=[],
            agreement_id=agreement_id,
            expected_version=view.version,
            today=date(2026, 4, 30),
        )
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e4.csv")) == 0
    e4 = read(tmp_path / "e4.csv")
    assert net(e4) == {
        ("RERATE", s, role): sign * amount
        for s, amount in (("S1", D("375.00")), ("S2", D("525.00")), ("S3", D("600.00")))
        for role, sign in (("REBATE_RECEIVABLE", -1), ("ADVERTISING", 1))
    }
    assert len(e4) == 6 and {(r["agreement_no"], r["entry_date"]) for r in e4} == {("1", "2026-04-30")}

    # Nothing new: no file, no export
    capsys.readouterr()
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e5.csv")) == 0
    assert "No journal lines to export" in capsys.readouterr().out
    assert not (tmp_path / "e5.csv").exists()

    # The union of the exports is the whole journal, line for line, no line twice
    assert coop(db_url, "export", "journal", "--out", str(tmp_path / "all.csv")) == 0
    whole = lines_of(tmp_path / "all.csv")
    union = [line for n in range(1, 5) for line in lines_of(tmp_path / f"e{n}.csv")]
    assert len(whole) == len(union) == 8 + 8 + 4 + 6
    assert Counter(union) == Counter(whole) and len(set(whole)) == len(whole)
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(JournalLine)) == 26

    # The record of each export: number, time, user, lines, totals, file
    with ctx.uow() as uow:
        records = journal_exports.list_exports(uow)
    assert [(r.export_no, r.line_count, r.total_debit, r.total_credit, r.exported_by) for r in records] == [
        (4, 6, D("1500.00"), D("1500.00"), "tester"),
        (3, 4, D("150.00"), D("150.00"), "tester"),
        (2, 8, D("15450.00"), D("15450.00"), "tester"),
        (1, 8, D("40900.00"), D("40900.00"), "tester"),
    ]
    assert before <= records[-1].exported_at <= after
    assert records[-1].file_name == str(tmp_path / "e1.csv")
    posted = {r["entry_no"]: r["posted_at"] for r in read(tmp_path / "all.csv")}
    with ctx.uow() as uow:
        stamps = dict(uow.session.execute(select(JournalEntry.id, JournalEntry.created_at)).all())
    assert posted == {str(k): posted_at_text(v) for k, v in stamps.items()}

    # A re-print writes the same lines again, with their export number
    assert coop(db_url, "export", "journal", "--reprint", "2", "--out", str(tmp_path / "again.csv")) == 0
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "e2.csv").read_bytes()
    assert coop(db_url, "export", "journal", "--reprint", "2", "--out", str(tmp_path / "again.xlsx")) == 0
    from openpyxl import load_workbook

    sheet = [
        tuple("" if v is None else str(v) for v in row)
        for row in load_workbook(tmp_path / "again.xlsx").active.iter_rows(values_only=True)
    ]
    assert sheet[0] == JOURNAL_COLUMNS and len(sheet) == 9
    assert [(r[2], r[3], r[13], r[14], r[15]) for r in sheet[1:]] == [
        (r["source"], r["slip_no"], r["agreement_no"], r["posted_at"], r["export_no"]) for r in e2
    ]


def test_posted_from_and_posted_to_select_by_posting_time_and_combine_with_new(db_url, ctx, tmp_path, capsys):
    load_h(db_url)
    assert coop(db_url, "import", "receipts", str(receipts_file(tmp_path, "feb_mar.csv", ("S2", "S3")))) == 0
    assert coop(db_url, "post") == 0
    time.sleep(1.1)  # the second posting in a later second: posted_at shows seconds
    assert coop(db_url, "import", "receipts", str(receipts_file(tmp_path, "jan.csv", ("S1",)))) == 0
    assert coop(db_url, "post", "--date", "2026-03-31") == 0
    with ctx.uow() as uow:
        first, second = [
            t
            for (t,) in uow.session.execute(
                select(JournalEntry.created_at).distinct().order_by(JournalEntry.created_at)
            )
        ]
    assert second - first >= timedelta(seconds=1)
    with ctx.uow() as uow:  # one stamp per posting transaction: the slips' posted_at too
        slips = {
            no: at if at.tzinfo else at.replace(tzinfo=UTC)
            for no, at in uow.session.execute(select(ReceivingSlip.slip_no, ReceivingSlip.posted_at))
        }
    assert slips == {"S2": first, "S3": first, "S1": second}
    first_text, second_text = posted_at_text(first), posted_at_text(second)
    today = first.astimezone().date()

    def export(name: str, *args: str) -> list[dict[str, str]]:
        assert coop(db_url, "export", "journal", *args, "--out", str(tmp_path / name)) == 0
        return read(tmp_path / name)

    early = export("early.csv", "--posted-to", first_text)
    assert {(r["slip_no"], r["posted_at"]) for r in early} == {("S2", first_text), ("S3", first_text)}
    assert len(early) == 8
    late = export("late.csv", "--posted-from", second_text)
    assert len(late) == 8 and {r["posted_at"] for r in late} == {second_text}
    assert {r["slip_no"] for r in late} == {"S1", "S2", "S3"}  # S1, and the re-rates of S2 and S3
    naive_local = second.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")  # no offset: local time
    assert len(export("late2.csv", "--posted-from", naive_local)) == 8
    assert len(export("day.csv", "--posted-from", today.isoformat(), "--posted-to", today.isoformat())) == 16
    assert export("before.csv", "--posted-to", (today - timedelta(days=1)).isoformat()) == []
    assert export("after.csv", "--posted-from", (today + timedelta(days=1)).isoformat()) == []
    assert len(export("both.csv", "--posted-from", today.isoformat(), "--source", "RERATE")) == 4

    # --new with a selection: a cut-over (what was posted by a time is exported once), then the rest
    capsys.readouterr()
    assert len(export("cut.csv", "--new", "--posted-to", first_text)) == 8
    assert len(export("rest.csv", "--new")) == 8
    assert {r["export_no"] for r in read(tmp_path / "rest.csv")} == {"2"}
    whole = [r[:-1] for r in lines_of(tmp_path / "day.csv")]  # exported before: no export_no
    assert [r[:-1] for r in lines_of(tmp_path / "cut.csv") + lines_of(tmp_path / "rest.csv")] == whole


def test_posted_window_is_whole_local_days_or_whole_seconds():
    toronto = ZoneInfo("America/Toronto")
    # the day daylight saving time starts has 23 hours
    assert posted_window(date(2026, 3, 8), date(2026, 3, 8), toronto) == (
        datetime(2026, 3, 8, 5, tzinfo=UTC),
        datetime(2026, 3, 9, 4, tzinfo=UTC),
    )
    assert posted_window(datetime(2026, 3, 2, 14, 5, 31, 500000), datetime(2026, 3, 2, 14, 5, 31), toronto) == (
        datetime(2026, 3, 2, 19, 5, 31, tzinfo=UTC),
        datetime(2026, 3, 2, 19, 5, 32, tzinfo=UTC),
    )
    with_offset = datetime(2026, 3, 2, 14, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert posted_window(with_offset, None, toronto) == (datetime(2026, 3, 2, 13, 5, tzinfo=UTC), None)
    assert posted_at_text(datetime(2026, 3, 2, 19, 5, 31, 900000, tzinfo=UTC), toronto) == "2026-03-02T14:05:31-05:00"


def test_cli_errors_are_one_line_and_record_nothing(db_url, ctx, tmp_path, capsys):
    load_h(db_url)
    assert coop(db_url, "import", "receipts", str(H / "receipts.csv")) == 0
    assert coop(db_url, "post") == 0
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    nothing = export_tables(ctx)
    capsys.readouterr()
    cases = [
        (("--new", "--out", str(taken)), 2, f"error: {taken} already exists; use --force to replace it"),
        (
            ("--new", "--out", str(tmp_path / "e.txt")),
            2,
            f"error: {tmp_path / 'e.txt'}: the file must end in .xlsx or .csv",
        ),
        (
            ("--new", "--out", str(blocker / "e.csv")),
            2,
            f"error: {blocker / 'e.csv'}: the folder {blocker} is not a folder",
        ),
        (("--reprint", "7", "--out", str(tmp_path / "r.csv")), 1, "error: Journal export 7 does not exist"),
        (
            ("--reprint", "1", "--from", "2026-01-01", "--out", str(tmp_path / "r.csv")),
            2,
            "error: --reprint writes a whole export; it takes no --from",
        ),
        (
            ("--posted-from", "2026-03-02", "--posted-to", "2026-03-01", "--out", str(tmp_path / "r.csv")),
            2,
            "error: --posted-from is after --posted-to",
        ),
        (
            ("--from", "2026-03-02", "--to", "2026-03-01", "--out", str(tmp_path / "r.csv")),
            2,
            "error: --from is after --to",
        ),
    ]
    for args, status, message in cases:
        assert coop(db_url, "export", "journal", *args) == status, args
        err = capsys.readouterr().err
        assert err.startswith(message) and err.count("\n") == 1, (args, err)
    assert taken.read_text() == "keep me\n"
    assert export_tables(ctx) == nothing
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(("coop.sqlite", "a-file", "taken"))] == []
    with pytest.raises(SystemExit) as exit_:
        coop(db_url, "export", "journal", "--new", "--reprint", "1", "--out", str(tmp_path / "x.csv"))
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    # a clerk may read the journal but not record exports
    with ctx.uow() as uow:
        security.save_user(uow, "tester", "ADMIN")
    with ctx.uow() as uow:
        security.save_user(uow, "clerk", "CLERK")
        security.save_user(uow, "manager", "MANAGER")
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "m.csv"), user="manager") == 1
    assert capsys.readouterr().err == (
        "error: manager (Purchasing manager) may not record journal exports for the general ledger\n"
    )
    assert export_tables(ctx) == nothing and not (tmp_path / "m.csv").exists()


def test_a_line_committed_after_a_later_line_was_exported_goes_in_the_next_export(db_url, ctx, tmp_path):
    """PostgreSQL draws line ids from a sequence, outside the transactions: a line with a
    lower id can commit after an export carried higher ids. (Posting draws its lines' ids
    after taking the entry numbers, under the counter row's lock, so postings commit them
    in order; a writer that drew ids earlier still could. SQLite runs one write transaction
    at a time, in id order.)"""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite: one writer at a time, so lines commit in id order")
    load_h(db_url)
    assert coop(db_url, "import", "receipts", str(H / "receipts.csv")) == 0
    late = AppContext.open(db_url, user="late", upgrade=False)
    try:
        with late.uow() as slow:  # a workstation that has drawn two line ids, not committed yet
            s = slow.session
            account = s.scalar(select(GlAccount.id).where(GlAccount.number == "1200"))
            line_ids = list(
                s.scalars(
                    text("SELECT nextval(pg_get_serial_sequence('journal_line', 'id')) FROM generate_series(1, 2)")
                )
            )
            with ctx.uow() as uow:  # meanwhile another posts and the accountant exports
                posting.post_slips(uow, ["S1"])
            with ctx.uow() as uow:
                first = journal_exports.export_new(uow, tmp_path / "e1.csv")
            assert first is not None and first.line_count == 4
            entry_id = s.scalar(
                text(
                    "UPDATE number_series SET next_value = next_value + 1 WHERE name = 'journal_entry' "
                    "RETURNING next_value - 1"
                )
            )
            s.add(
                JournalEntry(
                    id=entry_id,
                    entry_date=date(2026, 1, 31),
                    source="RECEIPT",
                    reference="LATE",
                    created_by="late",
                    created_at=datetime.now(UTC),
                )
            )
            s.flush()
            s.add_all(
                [
                    JournalLine(
                        id=line_ids[0],
                        entry_id=entry_id,
                        account_id=account,
                        role="INVENTORY",
                        debit=D("1.00"),
                        credit=D(0),
                        memo="late",
                    ),
                    JournalLine(
                        id=line_ids[1],
                        entry_id=entry_id,
                        account_id=account,
                        role="INVENTORY",
                        debit=D(0),
                        credit=D("1.00"),
                        memo="late",
                    ),
                ]
            )
            s.flush()
            slow.commit()
        with ctx.uow() as uow:
            late_ids = sorted(uow.session.scalars(select(JournalLine.id).where(JournalLine.memo == "late")))
            exported_ids = sorted(uow.session.scalars(select(JournalExportLine.line_id)))
        assert late_ids == line_ids and max(late_ids) < min(
            exported_ids
        )  # an "above the last exported id" mark would skip them
        with ctx.uow() as uow:
            second = journal_exports.export_new(uow, tmp_path / "e2.csv")
        assert second is not None and (second.export_no, second.line_count) == (2, 2)
        assert [(r["memo"], r["debit"], r["credit"]) for r in read(tmp_path / "e2.csv")] == [
            ("late", "1.00", "0.00"),
            ("late", "0.00", "1.00"),
        ]
    finally:
        late.engine.dispose()


def test_new_exports_from_four_workstations_while_they_post_carry_every_line_once(db_url, ctx, tmp_path):
    folder = rs.write_two_vendor_fixture(tmp_path / "fixture", split="year")
    rs.load_master_data(ctx, folder)
    slips = rs.make_slips(16, seed=11)
    with ctx.uow() as uow:
        receiving.save_slips(uow, slips)
    jobs = [[s.slip_no for s in slips[i::4]] for i in range(4)]
    barrier = threading.Barrier(4)
    records: list[Any] = []
    failures: list[BaseException] = []

    def workstation(i: int, slip_nos: list[str]) -> None:
        station = AppContext.open(db_url, user=f"ws{i}", upgrade=False)
        try:
            barrier.wait()
            for n, slip_no in enumerate(slip_nos):
                with station.uow() as uow:
                    posting.post_slips(uow, [slip_no], today=date(2026, 12, 31))
                with station.uow() as uow:
                    record = journal_exports.export_new(uow, tmp_path / f"ws{i}-{n}.csv")
                if record is not None:
                    records.append(record)
        except BaseException as exc:  # the test reports it
            failures.append(exc)
        finally:
            station.engine.dispose()

    threads = [threading.Thread(target=workstation, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with ctx.uow() as uow:
        last = journal_exports.export_new(uow, tmp_path / "last.csv")
    assert last is None  # every workstation exported after its last posting
    numbers = sorted(r.export_no for r in records)
    assert numbers == list(range(1, len(numbers) + 1))  # consecutive, no gaps
    union: list[tuple[str, ...]] = []
    for record in records:
        rows = lines_of(Path(record.file_name))
        assert len(rows) == record.line_count and {r[-1] for r in rows} == {str(record.export_no)}
        union.extend(rows)
    assert coop(db_url, "export", "journal", "--out", str(tmp_path / "all.csv")) == 0
    whole = lines_of(tmp_path / "all.csv")
    assert Counter(union) == Counter(whole) and len(union) == len(whole)
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(JournalLine)) == len(whole) > 16 * 4


def old_receipts(ctx: AppContext, amounts: list[Decimal]) -> None:
    """RECEIPT entries of these amounts, written as an older version wrote them: it accepted
    a line of up to 10^13 dollars, and a journal line holds up to 10^16."""
    with ctx.uow() as uow:
        s = uow.session
        accounts = dict(s.execute(select(GlAccount.number, GlAccount.id)).all())
        entries = JournalEntry.__table__
        for n, amount in enumerate(amounts, start=1):
            entry_id = s.execute(
                entries.insert()
                .values(
                    entry_date=date(2026, 1, 5),
                    source="RECEIPT",
                    reference=f"OLD{n}",
                    created_by="old",
                    created_at=datetime(2026, 1, 5, 12, tzinfo=UTC),
                )
                .returning(entries.c.id)
            ).scalar_one()
            s.execute(
                JournalLine.__table__.insert(),
                [
                    {
                        "entry_id": entry_id,
                        "account_id": accounts["1200"],
                        "role": "INVENTORY",
                        "debit": amount,
                        "credit": D("0.00"),
                        "slip_no": f"OLD{n}",
                        "line_no": 1,
                        "memo": "",
                    },
                    {
                        "entry_id": entry_id,
                        "account_id": accounts["2150"],
                        "role": "RECEIVED_NOT_INVOICED",
                        "debit": D("0.00"),
                        "credit": amount,
                        "slip_no": f"OLD{n}",
                        "line_no": 1,
                        "memo": "",
                    },
                ],
            )
        uow.commit()


def test_an_export_totalling_ten_to_the_16_is_recorded_on_both_databases(db_url, ctx, tmp_path, capsys):
    """Two old lines of 9 x 10^15: their export totals 1.8 x 10^16, which NUMERIC(18, 2) refused
    on PostgreSQL with a driver error (every later --new with it) while SQLite recorded it."""
    load_h(db_url)
    old_receipts(ctx, [D("9000000000000000.00")] * 2)
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e1.csv")) == 0
    assert "Export 1: wrote 4 journal lines" in capsys.readouterr().out
    (export,), lines = export_tables(ctx)
    assert (export.line_count, export.total_debit, export.total_credit, len(lines)) == (
        4,
        D("18000000000000000.00"),
        D("18000000000000000.00"),
        4,
    )
    assert sum(D(r["debit"]) for r in read(tmp_path / "e1.csv")) == D("18000000000000000.00")


def test_an_export_beyond_what_both_databases_hold_is_refused_in_one_line(db_url, ctx, tmp_path, capsys):
    """Eleven old lines of 9 x 10^15 total 9.9 x 10^16, more than SQLite's 64-bit cents hold
    (92,233,720,368,547,758.07): refused, nothing recorded, no file; in parts it goes."""
    load_h(db_url)
    old_receipts(ctx, [D("9000000000000000.00")] * 11)
    nothing = export_tables(ctx)
    capsys.readouterr()
    assert coop(db_url, "export", "journal", "--new", "--out", str(tmp_path / "e1.csv")) == 1
    assert capsys.readouterr().err == (
        "error: Journal export 1 would total 99,000,000,000,000,000.00, more than an export records "
        "(92,233,720,368,547,758.07); export in parts, e.g. with --posted-to (nothing was exported)\n"
    )
    assert export_tables(ctx) == nothing and not (tmp_path / "e1.csv").exists()
    assert (
        coop(
            db_url,
            "export",
            "journal",
            "--new",
            "--source",
            "RECEIPT",
            "--from",
            "2026-01-05",
            "--to",
            "2026-01-05",
            "--out",
            str(tmp_path / "e1.csv"),
        )
        == 1
    )  # still all eleven
    assert (
        coop(db_url, "export", "journal", "--new", "--posted-to", "2026-01-04", "--out", str(tmp_path / "e0.csv")) == 0
    )  # nothing posted then: no export, no file
    assert export_tables(ctx) == nothing and not (tmp_path / "e0.csv").exists()


def test_an_export_records_where_its_file_is_also_when_given_a_relative_name(db_url, ctx, tmp_path, monkeypatch):
    """--out e1.csv from a folder: the export records the file's full name, which the Journal
    screen shows on any workstation and on any later day (not "e1.csv" of some folder)."""
    load_h(db_url)
    assert coop(db_url, "import", "receipts", str(H / "receipts.csv")) == 0
    assert coop(db_url, "post") == 0
    (tmp_path / "gl").mkdir()
    monkeypatch.chdir(tmp_path / "gl")
    assert coop(db_url, "export", "journal", "--new", "--out", "e1.csv") == 0
    with ctx.uow() as uow:
        (record,) = journal_exports.list_exports(uow)
    assert record.file_name == str(tmp_path / "gl" / "e1.csv")
    assert len(read(Path(record.file_name))) == record.line_count


def test_a_line_moving_to_another_agreement_is_reversed_under_the_old_one(db_url, tmp_path):
    """Example B on agreement 1 (1,375.00), then a product agreement 2 at 1% on GYP-OTHER is
    accepted: each line leaves agreement 1 (reversed there) and earns under agreement 2, so the
    journal per agreement adds up to 0.00 and 550.00 (55,000 x 1%)."""
    for kind in (*MASTER, "receipts"):
        assert coop(db_url, "import", kind, str(EXAMPLES / "B_marginal" / f"{kind}.csv")) == 0
    assert coop(db_url, "post") == 0
    product = tmp_path / "agreement-2.csv"
    product.write_text(
        "agreement_no,vendor_code,kind,status,cat1,cat2,cat3,cat4,product_code,max_amount,start_date,end_date,"
        "rebate1,rebate2,rebate3,rebate4,method,degressive,retro,product_pct,period\n"
        "2,V100,COOP,ACCEPTED,,,,,GYP-OTHER,999999999,2026-01-01,2026-12-31,1,,,,SC,N,N,0,\n",
        encoding="utf-8",
    )
    assert coop(db_url, "import", "agreements", str(product)) == 0
    out = tmp_path / "journal.csv"
    assert coop(db_url, "export", "journal", "--out", str(out)) == 0
    by_agreement: dict[str, Decimal] = {}
    by_line: dict[tuple[str, str], Decimal] = {}
    for row in read(out):
        if row["account_role"] == "REBATE_RECEIVABLE":
            net = D(row["debit"] or 0) - D(row["credit"] or 0)
            by_agreement[row["agreement_no"]] = by_agreement.get(row["agreement_no"], D(0)) + net
            by_line[(row["slip_no"], row["source"])] = by_line.get((row["slip_no"], row["source"]), D(0)) + net
    assert by_agreement == {"1": D("0.00"), "2": D("550.00")}
    assert by_line == {
        ("S1", "ACCRUAL"): D("500.00"),
        ("S2", "ACCRUAL"): D("550.00"),
        ("S3", "ACCRUAL"): D("325.00"),
        ("S1", "RERATE"): D("-250.00"),
        ("S2", "RERATE"): D("-350.00"),
        ("S3", "RERATE"): D("-225.00"),
    }  # net per line: the difference, as before
    assert coop(db_url, "rerate", "--full") == 0
    again = tmp_path / "again.csv"
    assert coop(db_url, "export", "journal", "--out", str(again)) == 0
    assert len(read(again)) == len(read(out))  # a from-scratch computation agrees: nothing more posted
