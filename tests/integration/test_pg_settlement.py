"""Settlement and disputes on a secured PostgreSQL database (SPEC §14, issue 13): each user logs
in as their own login, and the database lets each role do its part of example M: the
accountant's cheque and dispute (a year's first Dispute ID starts its number series), the
manager's write-off above the tolerance. PostgreSQL only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import Settlement
from app.services import disputes, month_close, posting, settlement
from tests.conftest import import_example
from tests.integration.settlement_support import FEB
from tests.integration.test_pg_logins import company  # noqa: F401  (the fixture)

pytestmark = pytest.mark.pg
D = Decimal


def test_each_role_settles_as_its_own_login(company):  # noqa: F811
    su = company.su
    import_example(su, "M_settlement", ("gl-accounts", "gl-reference", "agreements", "receipts"))
    with su.uow() as uow:
        posting.post_slips(uow, ["S1", "S2"], today=date(2026, 2, 2))
    month_close.close_month(su, "2026-02", date(2026, 3, 1))
    acct, manager = company.open("acct"), company.open("manager")
    try:
        with acct.uow() as uow:
            paid = settlement.record_payment(uow, "V100", date(2026, 3, 10), D("1000.00"), "CAD", "CHQ-1", [FEB])
        with acct.uow() as uow:
            filed = disputes.file_dispute(
                uow, FEB, "RATE", D("10.00"), "Rate", "S1 rate", [("lines.csv", b"a,b\n1,2\n")], date(2026, 3, 11)
            )
        with acct.uow() as uow:
            disputes.reject_dispute(uow, filed.dispute_no, "as agreed", date(2026, 3, 12))
        with manager.uow() as uow:
            done = settlement.write_off(uow, FEB, D("50.00"), "short paid", date(2026, 3, 12))
    finally:
        acct.close_connections()
        manager.close_connections()
    assert [(i.open, i.status) for i in paid.invoices] == [(D("50.00"), "SHORT_PAID")]
    assert filed.dispute_no == "DSP-2026-000001"
    assert [(i.open, i.status) for i in done.invoices] == [(D("0.00"), "PAID")]
    with su.uow() as uow:
        who = uow.session.execute(select(Settlement.kind, Settlement.created_by).order_by(Settlement.id)).all()
    assert [tuple(w) for w in who] == [("PAYMENT", company.logins["acct"]), ("WRITE_OFF", company.logins["manager"])]
