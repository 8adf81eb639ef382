"""The agreement lifecycle (SPEC §11.1) by every path that sets a status: the service, an
import file (the service and `coop import agreements`), on SQLite and PostgreSQL. An
accepted agreement never goes back to PENDING or REJECTED, not even in steps; every refusal
names the agreement and the Status and leaves every table as it was. (The agreement screen:
tests/ui/test_agreement_lifecycle.py.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.main import main as cli_main
from app.models import Base
from app.services import agreements, imports, posting
from app.services.context import AppContext
from app.services.errors import ImportFailed, ValidationFailed
from app.services.reports import journal_rows
from tests.conftest import EXAMPLES, import_example

D = Decimal
ACCEPTED_FILE = (EXAMPLES / "B_marginal" / "agreements.csv").read_text()


def snapshot(ctx: AppContext) -> dict[str, list[tuple[object, ...]]]:
    with ctx.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def posted(ctx: AppContext) -> int:
    """Example B: V100's COOP agreement 1 accepted, its receipts posted (accruals in the journal)."""
    import_example(ctx, "B_marginal")
    with ctx.uow() as uow:
        posting.post_slips(uow, today=date(2026, 3, 1))
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", "1")
    assert agreement_id is not None
    return agreement_id


def by_service(status: str) -> Callable[[AppContext, int, Path, str], None]:
    def act(ctx: AppContext, agreement_id: int, _tmp: Path, _url: str) -> None:
        with ctx.uow() as uow:
            view = agreements.load_agreement(uow, agreement_id)
        with ctx.uow() as uow:
            agreements.set_status(uow, agreement_id, status, expected_version=view.version, today=date(2026, 3, 1))

    return act


def by_save_with_an_amendment(status: str) -> Callable[[AppContext, int, Path, str], None]:
    """The save the screen makes: the status changed together with a line."""

    def act(ctx: AppContext, agreement_id: int, _tmp: Path, _url: str) -> None:
        with ctx.uow() as uow:
            view = agreements.load_agreement(uow, agreement_id)
        lines = [replace(view.lines[0], rebates=(D("2.5"), None, None, None)), *view.lines[1:]]
        with ctx.uow() as uow:
            agreements.save_agreement(
                uow,
                vendor="V100",
                kind="COOP",
                status=status,
                lines=lines,
                agreement_id=agreement_id,
                expected_version=view.version,
            )

    return act


def by_import(status: str) -> Callable[[AppContext, int, Path, str], None]:
    def act(ctx: AppContext, _agreement_id: int, tmp: Path, _url: str) -> None:
        path = tmp / "agreements.csv"
        path.write_text(ACCEPTED_FILE.replace("ACCEPTED", status))
        with ctx.uow() as uow:
            imports.import_file(uow, "agreements", path)

    return act


PATHS = {
    "service-pending": (by_service("PENDING"), ValidationFailed, "Agreement 1"),
    "service-rejected": (by_service("REJECTED"), ValidationFailed, "Agreement 1"),
    "save-pending": (by_save_with_an_amendment("PENDING"), ValidationFailed, "Agreement 1"),
    "save-rejected": (by_save_with_an_amendment("REJECTED"), ValidationFailed, "Agreement 1"),
    "import-pending": (by_import("PENDING"), ImportFailed, "row 2"),
    "import-rejected": (by_import("REJECTED"), ImportFailed, "row 2"),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_an_accepted_agreement_never_goes_back(ctx, db_url, posted, tmp_path, path):
    act, error, record = PATHS[path]
    status = path.split("-")[1].upper()
    before = snapshot(ctx)
    with pytest.raises(error) as info:
        act(ctx, posted, tmp_path, db_url)
    problems = [(p.record, p.field, p.message) for p in info.value.problems]
    field = "status" if error is ImportFailed else "Status"
    assert (
        record,
        field,
        f"agreement 1 of V100 is accepted: an accepted agreement can never become {status} (amend its lines instead)",
    ) in problems
    assert snapshot(ctx) == before


@pytest.mark.parametrize("status", ["PENDING", "REJECTED"])
def test_coop_import_cannot_move_an_accepted_agreement_back(ctx, db_url, posted, tmp_path, capsys, status):
    path = tmp_path / "agreements.csv"
    path.write_text(ACCEPTED_FILE.replace("ACCEPTED", status))
    before = snapshot(ctx)
    capsys.readouterr()
    assert cli_main(["--db", db_url, "--user", "tester", "import", "agreements", str(path)]) == 1
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert f"row 2, status: agreement 1 of V100 is accepted: an accepted agreement can never become {status}" in out.err
    assert snapshot(ctx) == before


def test_the_walk_back_in_steps_stops_at_the_first_step(ctx, posted):
    """ACCEPTED -> PENDING -> REJECTED -> ACCEPTED used to be allowed, each step reversing or
    re-posting every accrual: the first step is refused, so nothing is reversed."""
    before = snapshot(ctx)
    for status in ("PENDING", "REJECTED", "ACCEPTED"):
        with ctx.uow() as uow:
            view = agreements.load_agreement(uow, posted)
            if status == "ACCEPTED":
                assert view.status == "ACCEPTED"
                break
            with pytest.raises(ValidationFailed, match=f"can never become {status}"):
                agreements.set_status(uow, posted, status, expected_version=view.version, today=date(2026, 3, 1))
    assert snapshot(ctx) == before


def test_pending_rejected_reopened_then_accepted_is_allowed_and_in_history(ctx, tmp_path):
    import_example(ctx, "B_marginal", ("categories", "vendors", "products", "gl-accounts", "gl-reference"))
    with ctx.uow() as uow:
        imports.import_file(uow, "agreements", _with_status(tmp_path, "PENDING"))
    with ctx.uow() as uow:
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", "1")
    assert agreement_id is not None
    with ctx.uow() as uow:
        view = agreements.set_status(uow, agreement_id, "REJECTED")
    with ctx.uow() as uow:  # reopened, by an import file this time
        imports.import_file(uow, "agreements", _with_status(tmp_path, "PENDING"))
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, agreement_id)
        assert view.status == "PENDING"
        view = agreements.set_status(uow, agreement_id, "ACCEPTED", expected_version=view.version)
    assert view.status == "ACCEPTED"
    with ctx.uow() as uow:
        steps = [(h.old_value, h.new_value) for h in agreements.history(uow, agreement_id) if h.field == "Status"]
    assert steps[::-1] == [(None, "PENDING"), ("PENDING", "REJECTED"), ("REJECTED", "PENDING"), ("PENDING", "ACCEPTED")]


def test_an_accepted_agreement_s_lines_are_still_amended(ctx, posted):
    """An amendment keeps the status ACCEPTED and re-rates (SPEC §3, §6.3, §7)."""
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, posted)
    lines = [replace(view.lines[0], rebates=(D("2.5"), None, None, None)), *view.lines[1:]]
    with ctx.uow() as uow:
        view = agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=lines,
            agreement_id=posted,
            expected_version=view.version,
            today=date(2026, 4, 1),
        )
    assert view.status == "ACCEPTED" and view.lines[0].rebates[0] == D("2.5")
    with ctx.uow() as uow:
        fields = {h.field for h in agreements.history(uow, posted) if h.new_value == "2.5"}
        rerates = [r for r in journal_rows(uow) if r["source"] == "RERATE" and r["account_role"] == "REBATE_RECEIVABLE"]
    assert fields == {"Rebate 1"}
    assert sum(r["debit"] - r["credit"] for r in rerates) > 0


def _with_status(folder: Path, status: str) -> Path:
    target = folder / f"agreements-{status.lower()}.csv"
    target.write_text(ACCEPTED_FILE.replace("ACCEPTED", status))
    return target
