"""Output files of every `coop` command that writes one: the database is never written
over, an existing file only with --force, a bad target is refused in one line, and a
failed write leaves the target as it was and no partial file."""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.engine import make_url

from app.models import Vendor
from app.services import reports
from app.services.context import AppContext
from app.services.errors import OutputExists, OutputFailed, OutputRefused
from app.services.estimated import estimated_rebates
from app.services.exports import DANGEROUS, write_table
from app.services.outfile import output_file, output_folder, protected_files
from tests.integration.test_backup import contents
from tests.integration.test_reports_pdf import _add_quiet_vendor, coop, load

YEAR = ("--from", "2026-01-01", "--to", "2026-12-31")
HOSTILE = "Northern Gypsum;=cmd|' /C calc'!A0"
# How each written file starts.
MAGIC = {
    "journal.csv": b"entry_no,",
    "journal-new.csv": b"entry_no,",
    "estimated.csv": b"vendor_code,",
    ".xlsx": b"PK",
    ".pdf": b"%PDF",
    ".sqlite": b"SQLite format 3\x00",
    ".dump": b"PGDMP",
}
WRITERS = (
    "journal.csv",
    "journal.xlsx",
    "journal-new.csv",
    "estimated.pdf",
    "estimated.xlsx",
    "estimated.csv",
    "statement.pdf",
    "backup",
)


def backup_name(url: str) -> str:
    return "backup.sqlite" if url.startswith("sqlite") else "backup.dump"


def command(writer: str, out: Path, *more: str) -> list[str]:
    """The arguments of the command that writes `writer` to `out`."""
    kind = writer.split(".")[0]
    if kind == "journal":
        return ["export", "journal", "--out", str(out), *more]
    if kind == "journal-new":  # a numbered export (recorded only when its file is written)
        return ["export", "journal", "--new", "--out", str(out), *more]
    if kind == "estimated":
        return ["report", "estimated", "--out", str(out), "--as-of", "2026-12-31", *more]
    if kind == "statement":
        return ["statement", "--vendor", "V100", *YEAR, "--out", str(out), *more]
    return ["backup", str(out), *more]


def file_name(writer: str, url: str) -> str:
    return backup_name(url) if writer == "backup" else writer


def magic(path: Path) -> bytes:
    return MAGIC.get(path.name) or MAGIC[path.suffix]


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def sqlite_file(url: str) -> Path:
    return Path(str(make_url(url).database))


@pytest.mark.parametrize("writer", WRITERS)
def test_an_existing_file_is_kept_unless_force_and_bad_targets_are_refused_in_one_line(
    db_url, tmp_path, capsys, writer
):
    load(db_url, "B_marginal")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / file_name(writer, db_url)
    target.write_bytes(b"the accountant's own file\n")
    capsys.readouterr()

    assert coop(db_url, *command(writer, target)) == 2
    assert one_error_line(capsys) == f"error: {target} already exists; use --force to replace it"
    assert target.read_bytes() == b"the accountant's own file\n"
    assert os.listdir(folder) == [target.name]

    assert coop(db_url, *command(writer, target, "--force")) == 0
    assert target.read_bytes().startswith(magic(target))
    assert os.listdir(folder) == [target.name]  # replaced, no temporary file left
    capsys.readouterr()

    a_folder = folder / f"a-folder{target.suffix}"
    a_folder.mkdir()
    for bad, why in [
        (a_folder, f"{a_folder} is a folder; give the name of a file"),
        (folder / "missing" / target.name, f"the folder {folder / 'missing'} does not exist"),
        (target / target.name, f"the folder {target} is not a folder"),
    ]:
        assert coop(db_url, *command(writer, bad, "--force")) == 2
        assert why in one_error_line(capsys)
    assert sorted(os.listdir(folder)) == sorted([a_folder.name, target.name])
    assert os.listdir(a_folder) == [] and target.read_bytes().startswith(magic(target))


@pytest.mark.parametrize("writer", WRITERS)
def test_the_database_files_are_refused_even_with_force_also_through_a_link(db_url, tmp_path, capsys, writer):
    if not db_url.startswith("sqlite"):
        pytest.skip("a SQLite database is a file")
    load(db_url, "B_marginal")
    live = sqlite_file(db_url)
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        before = contents(ctx)
    finally:
        ctx.engine.dispose()
    size = live.stat().st_size
    folder = tmp_path / "out"
    folder.mkdir()
    # An export must end in its own extension: links so named lead to the database files.
    suffix = Path(file_name(writer, db_url)).suffix
    targets = [live, Path(f"{live}-wal"), Path(f"{live}-shm"), Path(f"{live}-journal")] if writer == "backup" else []
    for name, to in [("db", live), ("wal", f"{live}-wal"), ("shm", f"{live}-shm"), ("journal", f"{live}-journal")]:
        (folder / f"{name}{suffix}").symlink_to(to)  # the side files need not exist
        targets.append(folder / f"{name}{suffix}")
    os.link(live, folder / f"hard{suffix}")
    targets.append(folder / f"hard{suffix}")
    made = sorted(os.listdir(folder))
    capsys.readouterr()
    for target in targets:
        assert coop(db_url, *command(writer, target, "--force")) == 2, target
        assert one_error_line(capsys) == (
            f"error: {target} is the database itself or one of its files; choose another file"
        )
    assert sorted(os.listdir(folder)) == made and (folder / f"db{suffix}").resolve() == live.resolve()
    assert live.stat().st_size == size and live.read_bytes().startswith(b"SQLite format 3\x00")
    ctx = AppContext.open(db_url, user="tester", upgrade=False)
    try:
        assert contents(ctx) == before  # the database still opens, with the same rows
    finally:
        ctx.engine.dispose()


def test_a_link_is_replaced_itself_never_the_file_it_points_to(db_url, tmp_path, capsys):
    load(db_url, "B_marginal")
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    link = tmp_path / "journal.csv"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    capsys.readouterr()
    for target in (link, dangling):
        assert coop(db_url, "export", "journal", "--out", str(target)) == 2
        assert one_error_line(capsys) == f"error: {target} already exists; use --force to replace it"
    assert link.is_symlink() and dangling.is_symlink() and not (tmp_path / "nowhere.csv").exists()
    assert coop(db_url, "export", "journal", "--out", str(link), "--force") == 0
    assert not link.is_symlink() and link.read_bytes().startswith(b"entry_no,")
    assert victim.read_text() == "someone else's file\n"


def test_statements_of_all_vendors_refuse_files_already_in_the_folder_before_writing_any(db_url, tmp_path, capsys):
    load(db_url, "D_precedence")
    _add_quiet_vendor(db_url, tmp_path)
    folder = tmp_path / "statements"
    folder.mkdir()
    v100, v200 = (folder / f"statement-{v}-2026-01-01-2026-12-31.pdf" for v in ("V100", "V200"))
    v200.write_bytes(b"last year's\n")
    capsys.readouterr()
    args = ("statement", "--all", "--every-vendor", *YEAR, "--out", str(folder))
    assert coop(db_url, *args) == 2
    assert one_error_line(capsys) == (
        f"error: 1 file already exists in {folder} ({v200.name}); use --force to replace it"
    )
    assert os.listdir(folder) == [v200.name] and v200.read_bytes() == b"last year's\n"  # V100 not written either
    assert coop(db_url, *args, "--force") == 0
    assert sorted(os.listdir(folder)) == [v100.name, v200.name]
    assert v100.read_bytes().startswith(b"%PDF") and v200.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    assert coop(db_url, "statement", "--all", *YEAR, "--out", str(v100)) == 2
    assert one_error_line(capsys) == f"error: {v100} is a file, not a folder"
    assert coop(db_url, "statement", "--all", *YEAR, "--out", str(tmp_path / "no" / "such")) == 2
    assert one_error_line(capsys) == f"error: {tmp_path / 'no' / 'such'}: the folder {tmp_path / 'no'} does not exist"
    assert not (tmp_path / "no").exists()
    if db_url.startswith("sqlite"):  # a statement's name linked to the database
        v100.unlink()
        v100.symlink_to(sqlite_file(db_url))
        assert coop(db_url, *args, "--force") == 2
        assert "is the database itself or one of its files" in one_error_line(capsys)
        assert v100.is_symlink() and v200.read_bytes().startswith(b"%PDF")


def failing(rows, after: int):  # type: ignore[no-untyped-def]
    for i, row in enumerate(rows):
        if i == after:
            raise RuntimeError("the export broke off")
        yield row


def _broken_rows(rows: list[tuple], suffix: str):  # type: ignore[no-untyped-def]
    if suffix == ".csv":  # the row iterator fails after most rows are on disk
        return failing(rows, after=len(rows) - 1)
    return [*rows, (object(),) * len(rows[0])]  # a value the XLSX writer cannot hold


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".pdf"])
def test_a_failed_export_leaves_the_file_that_was_there_and_no_partial_file(ctx, tmp_path, suffix):
    from app.reports.estimated_pdf import EstimatedFilters, write_estimated
    from app.services import posting
    from tests.conftest import import_example

    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow)
        rows = [tuple(r.values()) for r in reports.journal_rows(uow, None, None, None)] * 600
        estimated = estimated_rebates(uow, date(2026, 12, 31))
    assert len(rows) > 5_000  # far more than a buffer: the CSV is partly on disk when it breaks
    target = tmp_path / "out" / f"journal{suffix}"
    target.parent.mkdir()
    target.write_bytes(b"yesterday's export\n")
    error = RuntimeError if suffix == ".csv" else (ValueError if suffix == ".xlsx" else AttributeError)
    seen: list[Path] = []
    with pytest.raises(error):
        with output_file(target, force=True, protect=protected_files(ctx)) as temp:
            seen.append(temp)
            if suffix == ".pdf":  # a row the report cannot lay out
                write_estimated(
                    temp,
                    [*estimated, object()],
                    company="X",  # type: ignore[list-item]
                    filters=EstimatedFilters(date(2026, 12, 31)),
                )
            else:
                write_table(temp, reports.JOURNAL_COLUMNS, _broken_rows(rows, suffix))
    assert seen[0].parent == target.parent and seen[0].suffix == suffix
    assert target.read_bytes() == b"yesterday's export\n"
    assert os.listdir(target.parent) == [target.name]


def test_an_error_of_the_file_system_is_one_line_and_leaves_nothing(tmp_path):
    target = tmp_path / "journal.csv"
    with pytest.raises(OutputFailed, match=rf"^Cannot write {re.escape(str(target))}: \w"):
        with output_file(target, force=False, protect=()) as temp:
            temp.write_text("complete\n")
            target.mkdir()  # a folder took the name meanwhile: the rename fails
    assert os.listdir(tmp_path) == ["journal.csv"] and os.listdir(target) == []


def test_a_hard_link_or_another_spelling_of_a_protected_file_is_refused(tmp_path):
    live = tmp_path / "data" / "coop.sqlite"
    live.parent.mkdir()
    live.write_bytes(b"SQLite format 3\x00")
    os.link(live, tmp_path / "hard.csv")
    for target in (tmp_path / "hard.csv", tmp_path / "data" / ".." / "data" / "coop.sqlite"):
        with pytest.raises(OutputRefused, match="is the database itself"):
            with output_file(target, force=True, protect=(live,)):
                pass
    with pytest.raises(OutputRefused, match="more than one file would be named a.pdf"):
        output_folder(tmp_path / "new", ["a.pdf", "b.pdf", "a.pdf"], force=True, protect=())
    with pytest.raises(OutputExists) as refused:
        output_folder(tmp_path, ["hard.csv", "x.pdf"], force=False, protect=())
    assert refused.value.paths == (tmp_path / "hard.csv",)


def starts_like_a_formula(field: str) -> bool:
    """A cell a spreadsheet would run: a formula character first (after spaces and quotes),
    and not a number or a date."""
    try:
        Decimal(field)
        return False
    except InvalidOperation:
        pass
    try:
        date.fromisoformat(field)
        return False
    except ValueError:
        pass
    return field.lstrip(' "')[:1] in DANGEROUS


def test_a_hostile_vendor_name_opens_as_text_whatever_the_spreadsheet_splits_on(db_url, ctx, tmp_path):
    load(db_url, "C_retro")
    with ctx.uow() as uow:
        uow.session.execute(update(Vendor).where(Vendor.code == "V100").values(name=HOSTILE))
        uow.commit()
    out = tmp_path / "estimated.csv"
    assert coop(db_url, "report", "estimated", "--out", str(out), "--as-of", "2026-12-31") == 0
    with out.open(newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["vendor_name"] == "Northern Gypsum;'=cmd|' /C calc'!A0"
    assert row["rebate_earned"] == "3300.00" and row["start_date"] == "2026-01-01"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert '"V100","Northern Gypsum;\'=cmd|\' /C calc\'!A0"' in lines[1]
    assert ",3300.00," in lines[1] and ",2026-01-01," in lines[1]  # numbers and dates unquoted
    for delimiter in (",", ";", "\t", "|"):
        with out.open(newline="", encoding="utf-8") as fh:
            fields = [f for r in csv.reader(fh, delimiter=delimiter) for f in r]
        assert fields and not [f for f in fields if starts_like_a_formula(f)], delimiter
    # Read as if quotes meant nothing (a spreadsheet splitting a quoted cell on `;`).
    for delimiter in (",", ";"):
        fields = [f for line in lines for f in line.split(delimiter)]
        assert not [f for f in fields if starts_like_a_formula(f)], delimiter


def test_csv_quotes_text_and_neutralises_each_part_a_spreadsheet_may_split_off(tmp_path):
    texts = {
        "2x4 - 8ft": "2x4 - 8ft",
        "a=b": "a=b",
        "=SUM(A1:A9)": "'=SUM(A1:A9)",
        HOSTILE: "Northern Gypsum;'=cmd|' /C calc'!A0",
        "Drywall, -5% promo": "Drywall,' -5% promo",
        'Quoted;"=1+1"': 'Quoted;\'"=1+1"',
        " =1+1": "' =1+1",
        "O'Brien | +1 555 0100": "O'Brien |' +1 555 0100",
        "line one\n@SUM(1)": "line one\n'@SUM(1)",
        "\t=1": "'\t'=1",
        "Gypsum 1/2in, 4x8": "Gypsum 1/2in, 4x8",
    }
    out = tmp_path / "t.csv"
    rows = [(t, Decimal("-12.50"), date(2026, 2, 1), None, 3, True) for t in texts]
    assert write_table(out, ("memo", "amount", "day", "none", "count", "flag"), rows) == len(texts)
    with out.open(newline="", encoding="utf-8") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["memo", "amount", "day", "none", "count", "flag"]
    assert [r[0] for r in got[1:]] == list(texts.values())
    assert {tuple(r[1:]) for r in got[1:]} == {("-12.50", "2026-02-01", "", "3", "Y")}
    raw = out.read_bytes().decode("utf-8").split("\r\n")
    assert raw[1] == '"2x4 - 8ft",-12.50,2026-02-01,,3,"Y"'


def test_xlsx_text_stays_text_and_a_control_character_does_not_stop_the_file(tmp_path):
    out = tmp_path / "t.xlsx"
    write_table(
        out,
        ("memo", "amount"),
        [(HOSTILE, Decimal("5.25")), ("Bell\x07 Ltd", Decimal("-1")), ("-5% promo", Decimal("0"))],
    )
    sheet = load_workbook(out).active
    assert [c.value for c in sheet["A"]][1:] == [HOSTILE, "Bell\ufffd Ltd", "'-5% promo"]
    assert {c.data_type for c in sheet["A"]} == {"s"}
    assert [c.value for c in sheet["B"]][1:] == [5.25, -1, 0] and {c.data_type for c in sheet["B"][1:]} == {"n"}
