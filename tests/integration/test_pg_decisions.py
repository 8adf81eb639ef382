"""The lifecycle as the PostgreSQL logins of each role (app.adapters.roles): a manager
creates an agreement (reading the terms templates), accepts it with `coop agreement accept`
and prints its confirmation; the administrator saves a template; the clerk is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.cli.main import main
from app.domain.validation import LineDraft
from app.services import agreements, terms
from tests.integration.test_pg_logins import Company, company  # noqa: F401 - the fixture

pytestmark = pytest.mark.pg
LINE = LineDraft(
    label="Line",
    cats=("GYPSUM", "ALL", "ALL", "ALL"),
    max_amount=Decimal("999999999"),
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    rebates=(Decimal(2), None, None, None),
)


def test_each_role_s_login_on_the_lifecycle(company: Company, tmp_path, capsys):  # noqa: F811
    admin = company.open("admin")
    with admin.uow() as uow:
        terms.save_templates(uow, {"VOLUME": "Our volume terms."})
    admin.close_connections()
    manager = company.open("manager")
    with manager.uow() as uow:
        view = agreements.save_agreement(uow, vendor="V100", kind="VOLUME", status="PENDING", lines=[LINE])
    assert view.terms == "Our volume terms."
    with manager.uow() as uow, pytest.raises(Exception, match="may not maintain terms"):
        terms.save_templates(uow, {"VOLUME": "mine"})
    manager.close_connections()
    capsys.readouterr()
    assert main(["--db", company.url_of("clerk"), "agreement", "accept", "--vendor", "V100", "--kind", "VOLUME"]) == 1
    assert "may not accept agreements" in capsys.readouterr().err
    url = company.url_of("manager")
    assert main(["--db", url, "agreement", "accept", "--vendor", "V100", "--kind", "VOLUME"]) == 0
    assert f"is accepted (by {company.logins['manager']} on" in capsys.readouterr().out
    out = tmp_path / "c.pdf"
    assert (
        main(["--db", url, "agreement", "confirmation", "--vendor", "V100", "--kind", "VOLUME", "--out", str(out)]) == 0
    )
    assert out.read_bytes().startswith(b"%PDF")
