"""Screenshots of the agreement lifecycle (SPEC §11.1) at 1280x800, on a copy of a SQLite
database with demo data:

    COOP_DATABASE_URL=sqlite:////tmp/ui_demo.sqlite .venv/bin/coop demo
    xvfb-run -s "-screen 0 1280x800x24" .venv/bin/python docs/screenshots/take_lifecycle.py \
        --db sqlite:////tmp/ui_demo.sqlite

Writes agreement-terms.png (a pending agreement's Terms tab), agreement-header.png (the same
agreement with its header once accepted, and who accepted it), terms-templates.png (Maintenance > Terms and Conditions) and
agreement-confirmation.png (page 1 of its confirmation PDF, with pdftoppm). On the copy
only, the script gives the pending agreement a header and accepts it with `decide`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.services import agreements, confirmation, queries
from app.services.agreements import AgreementHeader
from app.services.context import AppContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take import HERE, copy_database, grab, show_window  # noqa: E402


def pending_agreement(ctx: AppContext) -> tuple[str, str, int] | None:
    """The first pending agreement of the demo: (vendor, kind, id)."""
    with ctx.uow() as uow:
        for vendor in queries.vendors(uow):
            for kind in ("VOLUME", "COOP", "PERIODIC"):
                for summary in agreements.list_agreements(uow, vendor.code, kind):
                    if summary.status == "PENDING":
                        return vendor.code, kind, summary.id
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="SQLite URL of a database with demo data")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    work = copy_database(args.db)
    ctx = AppContext.open(f"sqlite:///{work}", user="mlefebvre")
    found = pending_agreement(ctx)
    if found is None:
        print("no pending agreement; load the demo first", file=sys.stderr)
        return 1
    vendor, kind, agreement_id = found
    with ctx.uow() as uow:
        view = agreements.load_agreement(uow, agreement_id)
        header = AgreementHeader(
            "Volume rebate 2027: board and finishing products, renewed with a higher top tier",
            "LG-VR-2027-04",
            min(ln.start for ln in view.lines if ln.start),
            max(ln.end for ln in view.lines if ln.end),
        )
        view = agreements.save_agreement(
            uow, vendor=vendor, kind=kind, status="PENDING", lines=list(view.lines), agreement_id=agreement_id,
            expected_version=view.version, header=header,
        )  # fmt: skip
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    _env, window = show_window(ctx, work)
    screen = window.open_agreements(kind)
    screen.vendor_box.set_code(vendor)
    screen.agreement_box.setCurrentIndex(screen.agreement_box.findData(agreement_id))
    screen._open(agreement_id)
    window.statusBar().clearMessage()
    screen.tabs.setCurrentIndex(2)
    grab(window, "agreement-terms.png", args.out)  # pending: editable

    with ctx.uow() as uow:
        agreements.decide(uow, vendor, kind, view.number, "ACCEPTED", date.today())
    screen._refresh_list(select=agreement_id)
    screen.tabs.setCurrentIndex(0)
    window.statusBar().clearMessage()
    grab(window, "agreement-header.png", args.out)  # accepted: who and when
    window.open_terms_templates()
    window.statusBar().clearMessage()
    grab(window, "terms-templates.png", args.out)
    window.close()

    pdf = work.with_name("confirmation.pdf")
    with ctx.uow() as uow:
        confirmation.write_confirmation_of(uow, agreement_id, pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", str(pdf), str(work.with_name("page"))], check=True
    )
    page = next(work.parent.glob("page*.png"))
    shutil.copy(page, args.out / "agreement-confirmation.png")
    print(f"wrote {args.out / 'agreement-confirmation.png'}")
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
