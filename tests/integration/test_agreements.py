"""Agreement maintenance through the service: history, locking, status, re-rating."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.validation import LineDraft
from app.models import AgreementHistory, JournalLine
from app.services import agreements, posting
from app.services.context import AppContext
from app.services.defaults import apply_f2, f2_default
from app.services.errors import StaleRecord, ValidationFailed
from app.services.reports import journal_rows
from tests.conftest import import_example

MASTER = ("categories", "vendors", "products", "gl-accounts", "gl-reference")
D = Decimal


def line(**kw) -> LineDraft:
    base = dict(
        label="Line",
        cats=("GYPSUM", "ALL", "ALL", "ALL"),
        max_amount=D("999999999"),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        rebates=(D(2), None, None, None),
    )
    base.update(kw)
    return LineDraft(**base)  # type: ignore[arg-type]


def create(ctx, status="ACCEPTED", lines=None, kind="COOP"):
    with ctx.uow() as uow:
        return agreements.save_agreement(uow, vendor="V100", kind=kind, status=status, lines=lines or [line()])


def test_create_writes_history_with_user_and_values(ctx):
    import_example(ctx, "B_marginal", MASTER)
    view = create(ctx)
    with ctx.uow() as uow:
        rows = agreements.history(uow, view.id)
    fields = {(r.line_no, r.field): r for r in rows}
    assert fields[(1, "Rebate 1")].new_value == "2"
    assert fields[(1, "CAT1")].new_value == "GYPSUM"
    assert fields[(None, "Status")].new_value == "ACCEPTED"
    assert {r.user for r in rows} == {"tester"}


def test_changing_a_rate_records_old_and_new_value_and_rerates(ctx):
    import_example(ctx, "B_marginal", MASTER)
    view = create(ctx)
    with ctx.uow() as uow:
        from app.services import imports
        from tests.conftest import EXAMPLES

        imports.import_file(uow, "receipts", EXAMPLES / "B_marginal" / "receipts.csv")
    with ctx.uow() as uow:
        posting.post_slips(uow)
    amended = replace(view.lines[0], rebates=(D("2.5"), None, None, None))
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=[amended],
            agreement_id=view.id,
            expected_version=view.version,
            today=date(2026, 3, 1),
        )
    with ctx.uow() as uow:
        rows = agreements.history(uow, view.id, field="Rebate 1")
        assert (rows[0].old_value, rows[0].new_value, rows[0].user) == ("2", "2.5", "tester")
        rerate = [r for r in journal_rows(uow, source="RERATE") if r["account_role"] == "REBATE_RECEIVABLE"]
        # 25,000 / 20,000 / 10,000 at 2% -> 2.5%: +125, +100, +50
        assert [(r["slip_no"], r["debit"]) for r in rerate] == [
            ("S1", D("125.00")),
            ("S2", D("100.00")),
            ("S3", D("50.00")),
        ]
        assert {r["entry_date"] for r in rerate} == {date(2026, 3, 1)}
        assert posting.rerate_vendors(uow, [1]) == 0


def test_saving_over_a_newer_version_is_refused_naming_who_and_when(db_url):
    first = AppContext.open(db_url, user="alice", upgrade=False)
    second = AppContext.open(db_url, user="bob", upgrade=False)
    import_example(first, "B_marginal", MASTER)
    view = create(first)
    with first.uow() as uow:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=[replace(view.lines[0], rebates=(D(3), None, None, None))],
            agreement_id=view.id,
            expected_version=view.version,
        )
    with second.uow() as uow, pytest.raises(StaleRecord, match="alice") as err:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=[replace(view.lines[0], rebates=(D(4), None, None, None))],
            agreement_id=view.id,
            expected_version=view.version,
        )
    assert err.value.changed_by == "alice"
    with first.uow() as uow:
        current = agreements.load_agreement(uow, view.id)
        assert current.lines[0].rebates[0] == D(3)
        assert current.version == view.version + 1
        assert (
            uow.session.scalar(select(func.count()).select_from(AgreementHistory).where(AgreementHistory.user == "bob"))
            == 0
        )
    first.engine.dispose()
    second.engine.dispose()


def test_accepted_agreement_cannot_be_rejected(ctx):
    import_example(ctx, "B_marginal", MASTER)
    view = create(ctx)
    with ctx.uow() as uow, pytest.raises(ValidationFailed, match="an accepted agreement can never become REJECTED"):
        agreements.set_status(uow, view.id, "REJECTED", expected_version=view.version)


def test_only_accepted_agreements_accrue_and_accepting_rerates(ctx):
    import_example(ctx, "B_marginal", MASTER)
    view = create(ctx, status="PENDING")
    with ctx.uow() as uow:
        from app.services import imports
        from tests.conftest import EXAMPLES

        imports.import_file(uow, "receipts", EXAMPLES / "B_marginal" / "receipts.csv")
    with ctx.uow() as uow:
        posting.post_slips(uow)
        assert (
            uow.session.scalar(select(func.count()).select_from(JournalLine).where(JournalLine.kind.is_not(None))) == 0
        )
    with ctx.uow() as uow:
        agreements.set_status(uow, view.id, "ACCEPTED", expected_version=view.version)
    with ctx.uow() as uow:
        rerate = [r for r in journal_rows(uow, source="RERATE") if r["account_role"] == "REBATE_RECEIVABLE"]
        assert sum(r["debit"] for r in rerate) == D("1100.00")  # 55,000 x 2%


def test_deleting_a_line_writes_history_and_reverses_its_accruals(ctx):
    import_example(ctx, "D_precedence", MASTER + ("agreements", "receipts"))
    with ctx.uow() as uow:
        posting.post_slips(uow)
        agreement_id = agreements.find_agreement(uow, "V100", "COOP", None)
        view = agreements.load_agreement(uow, agreement_id)
    keep = [ln for ln in view.lines if not ln.product]
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=keep,
            agreement_id=view.id,
            expected_version=view.version,
        )
    with ctx.uow() as uow:
        deleted = agreements.history(uow, view.id, field="Line")
        assert len(deleted) == 2 and {h.new_value for h in deleted} == {"(deleted)"}
        # the product's 12,000 now counts in the group ladder: 20,000 + 12,000 + 8,000 = 40,000
        # over 25,000 at 2% = 300.00 in all; before it was 50.00 + 60.00
        total = sum(r["debit"] - r["credit"] for r in journal_rows(uow) if r["account_role"] == "REBATE_RECEIVABLE")
        assert total == D("300.00")


def test_validation_reports_every_problem_at_once(ctx):
    import_example(ctx, "B_marginal", MASTER)
    bad = [
        line(label="Line A", start=date(2026, 5, 1), end=date(2026, 4, 1)),
        line(label="Line B", cats=("ALL", "GYP-BOARD", "ALL", "ALL"), rebates=(D(-1), None, None, None)),
        line(label="Line C", degressive=True, method="XX"),
    ]
    with ctx.uow() as uow, pytest.raises(ValidationFailed) as err:
        agreements.save_agreement(uow, vendor="V100", kind="COOP", status="PENDING", lines=bad)
    got = {(p.record, p.field) for p in err.value.problems}
    assert {
        ("Line A", "End Date"),
        ("Line B", "CAT2"),
        ("Line B", "Rebate 1"),
        ("Line C", "Deg"),
        ("Line C", "M"),
    } <= got
    with ctx.uow() as uow:
        assert agreements.list_agreements(uow, "V100", "COOP") == []


def test_f2_defaults():
    assert f2_default("CAT3") == "ALL"
    assert f2_default("Maximum Amount") == D("999999999.00")
    assert f2_default("Rebate 1") is None
    row = {"CAT1": "GYPSUM", "CAT2": "GYP-BOARD", "CAT3": "GYP-REG", "CAT4": "GYP-REG-HALF"}
    assert apply_f2(row, "CAT2") == {"CAT1": "GYPSUM", "CAT2": "ALL", "CAT3": "ALL", "CAT4": "ALL"}
    assert apply_f2({"Maximum Amount": D(5)}, "Maximum Amount") == {"Maximum Amount": D("999999999.00")}


def test_history_shows_stored_and_typed_values_alike(ctx):
    import_example(ctx, "B_marginal", MASTER)
    view = create(ctx, lines=[line(rebates=(D("2.03"), None, None, None))])
    with ctx.uow() as uow:
        agreements.save_agreement(
            uow,
            vendor="V100",
            kind="COOP",
            status="ACCEPTED",
            lines=[replace(view.lines[0], rebates=(D("2.5"), None, None, None))],
            agreement_id=view.id,
            expected_version=view.version,
        )
    with ctx.uow() as uow:
        (change,) = agreements.history(uow, view.id, field="Rebate 1")[:1]
        assert (change.old_value, change.new_value) == ("2.03", "2.5")


def _orm_drafts(uow, agreement_id: int) -> list[LineDraft]:
    """The lines of an agreement through the ORM (the reference for the screen's loader)."""
    from app.models import AgreementLine

    stored = uow.session.scalars(select(AgreementLine).where(AgreementLine.agreement_id == agreement_id)).all()
    return [agreements._to_draft(row, row.product.code if row.product else None) for row in stored]


def test_fast_loader_reads_the_same_values_as_the_orm(ctx):
    """load_agreement reads the lines with one Core select and converts each distinct value
    once: the drafts and the grid rows equal what the ORM path gives, Decimal for Decimal
    (same exponent), also for blank levels, odd scales and a line changed behind the
    services' back."""
    from sqlalchemy import update

    from app.models import AgreementLine, Product

    import_example(ctx, "E_product_pct", MASTER)
    with ctx.uow() as uow:
        product = uow.session.scalar(select(Product.code).limit(1))
    lines = [
        line(max_amount=D("1000"), rebates=(D("1.5"), D("0.25"), None, None)),
        line(max_amount=D("2500.5"), rebates=(D("2.125"), None, D("0.0001"), D("3")), degressive=True),
        line(
            cats=("GYPSUM", "ALL", "ALL", "ALL"),
            max_amount=D("999999999"),
            rebates=(D("4"), None, None, None),
            start=date(2026, 7, 1),
            retro=True,
            method="NC",
            product_pct=D("25.5"),
        ),
        line(
            cats=(None, None, None, None),
            product=product,
            max_amount=D("10.01"),
            rebates=(D("0.5"), None, None, None),
            product_pct=D("100"),
        ),
    ]
    view = create(ctx, status="PENDING", lines=lines, kind="COOP")
    with ctx.uow() as uow:  # a blank level and a lower-case ALL written in SQL
        uow.session.execute(
            update(AgreementLine)
            .where(AgreementLine.agreement_id == view.id, AgreementLine.line_no == 1)
            .values(cat2=None, cat3="all")
        )
        uow.commit()
    with ctx.uow() as uow:
        loaded = agreements.load_agreement(uow, view.id)
        reference = _orm_drafts(uow, view.id)
    by_no = {d.line_no: d for d in reference}
    assert sorted(d.line_no for d in loaded.lines) == sorted(by_no)
    for draft in loaded.lines:
        expected = by_no[draft.line_no]
        assert draft == expected
        for got, want in zip(
            draft.rebates + (draft.max_amount, draft.product_pct),
            expected.rebates + (expected.max_amount, expected.product_pct),
            strict=True,
        ):
            assert type(got) is type(want) and str(got) == str(want)  # same exponent, never float
    # Screen order: group lines by scope (blank = ALL), then product lines; dates, Maximum Amount.
    assert [d.product is not None for d in loaded.lines] == [False, False, False, True]
    group_rows = loaded.grid_rows(product=False)
    product_rows = loaded.grid_rows(product=True)
    assert [dict(zip(agreements.GRID_NAMES, r, strict=True)) for r in group_rows + product_rows] == [
        {"line_no": d.line_no, **agreements.line_values(d)} for d in loaded.lines
    ]
    assert group_rows[[r[0] for r in group_rows].index(1)][1:5] == ("GYPSUM", "ALL", "ALL", "ALL")
