"""The Price Changes screen (SPEC §11.2, example K): key one change; a decrease inside an
accepted price-protection scope claims (old − new) × on hand; a refused change writes nothing."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from sqlalchemy import func, select

from app.models import JournalLine, PriceChange, Product
from app.ui.price_changes import PriceChangeScreen
from tests.conftest import IMPORT_ORDER
from tests.ui.conftest import show, wait_idle


def test_keying_example_k_posts_the_claim_and_a_bad_one_writes_nothing(ctx, env, example, qtbot):
    example("K_price_protection", kinds=IMPORT_ORDER)
    from app.services import posting

    with ctx.uow() as uow:
        posting.post_slips(uow, None)
    screen = PriceChangeScreen(env)
    show(qtbot, screen)
    screen.start()
    screen.product_box.setCurrentIndex(screen.product_box.findData("GYP-HALF-4X8"))
    assert screen.current.text() == "Vendor V100 · current cost 10.0000"
    screen.effective.setDate(QDate(2025, 4, 1))
    screen.new_cost.setFocus()
    qtbot.keyClicks(screen.new_cost, "9.25")
    qtbot.keyClicks(screen.on_hand, "-120")  # the field takes no minus sign
    assert screen.on_hand.text() == "120"
    qtbot.keyClick(screen.on_hand, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, env)
    assert "claim 90.00 under price-protection agreement 1" in screen.result.text()
    assert [(r.product, r.claim, r.agreement_no) for r in screen.history.records] == [
        ("GYP-HALF-4X8", Decimal("90.00"), "1")
    ]
    with ctx.uow() as uow:
        assert uow.session.scalar(select(Product.unit_cost).where(Product.code == "GYP-HALF-4X8")) == Decimal("9.25")
        before = uow.session.scalar(select(func.count()).select_from(JournalLine))
    # dated before the product was first received (2025-01-15): refused, nothing written
    screen.effective.setDate(QDate(2025, 1, 1))
    qtbot.keyClicks(screen.new_cost, "9")
    qtbot.keyClicks(screen.on_hand, "10")
    screen.save()
    wait_idle(qtbot, env)
    assert screen.problems.messages() == [
        "Price change, effective_date: 2025-01-01 is before product GYP-HALF-4X8 existed (first received 2025-01-15)"
    ]
    assert screen.result.text() == "Not recorded: nothing was changed."
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(PriceChange)) == 1
        assert uow.session.scalar(select(func.count()).select_from(JournalLine)) == before
        assert uow.session.scalar(select(Product.unit_cost).where(Product.code == "GYP-HALF-4X8")) == Decimal("9.25")
