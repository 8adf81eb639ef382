"""Provisional Rates and Waivers (SPEC §12): the company's provisional rates above, the vendors
waived from them below. A saved row is read-only (a rate is corrected by deleting it and adding
the right one, so that what it accrued is re-rated); Save adds the new rows, Delete removes the
selected saved row. Both re-rate the vendors concerned at once (the services do)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.domain.vocabulary import KIND_NAMES, PROVISIONAL_KINDS
from app.services import provisional

from .base import Screen, UiEnv
from .masterdata import CHANGED, SAVED, GridSpec, RecordsModel, RecordsPanel
from .models import Column

KIND_TIPS = ", ".join(f"{k} = {KIND_NAMES[k]}" for k in PROVISIONAL_KINDS)


class AddOnlyModel(RecordsModel):
    """Saved rows are read-only: only new rows are edited."""

    def is_editable(self, row: int, column: Column) -> bool:
        if self.rows[row].get(SAVED):
            return False
        return super().is_editable(row, column)


class AddOnlyPanel(RecordsPanel):
    """A RecordsPanel with read-only saved rows and a Delete button for the selected one."""

    def __init__(self, env: UiEnv, spec: GridSpec, remove: Any, what: str, parent: QWidget | None = None) -> None:
        super().__init__(env, spec, parent)
        self.model = AddOnlyModel(spec)
        self.view.setModel(self.model)
        self.remove, self.what = remove, what
        self.view.horizontalHeader().setStretchLastSection(False)
        delete = QPushButton("Delete…")
        delete.clicked.connect(self.delete_selected)
        bar = self.layout().itemAt(0).layout()  # type: ignore[union-attr]
        bar.insertWidget(bar.count() - 1, delete)

    def delete_selected(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        row = self.model.rows[index.row()]
        if not row.get(SAVED):  # a new row: just dropped
            self.model.remove_rows([index.row()])
            return
        answer = QMessageBox.question(
            self, f"Delete {self.what}", f"Delete {self.what} {row['_text']}? What it accrued is re-rated at once."
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.env.runner.run(
            self, f"Deleting {self.what}", lambda uow, _job: self.remove(uow, row["_id"]), lambda _r: self.reload()
        )


def _rates(uow: Any) -> list[dict[str, Any]]:
    return [
        {
            "_id": r.id,
            "_text": f"{r.kind} {r.cat1} {r.from_date}..{r.to_date} {r.rate}%",
            "Kind": r.kind,
            "From": r.from_date,
            "To": r.to_date,
            "CAT1": r.cat1,
            "Rate %": r.rate,
        }
        for r in provisional.list_rates(uow)
    ]


def _save_rates(uow: Any, rows: list[dict[str, Any]]) -> int:
    from app.domain.validation import Problem
    from app.services.errors import ValidationFailed

    records, missing = [], []
    for r in rows:
        for name in ("Kind", "From", "To", "Rate %"):
            if r.get(name) in (None, ""):
                missing.append(Problem(r["label"], name, "is required"))
        if not missing:
            records.append(
                provisional.RateIn(
                    str(r["Kind"]), r["From"], r["To"], str(r.get("CAT1") or "ALL"), Decimal(r["Rate %"]), r["label"]
                )
            )
    if missing:
        raise ValidationFailed(missing)
    return provisional.save_rates(uow, records)


def _waivers(uow: Any) -> list[dict[str, Any]]:
    return [
        {
            "_id": w.id,
            "_text": f"of {w.vendor} from {w.kind} {w.from_date}..{w.to_date}",
            "Vendor": w.vendor,
            "Name": w.vendor_name,
            "Kind": w.kind,
            "From": w.from_date,
            "To": w.to_date,
        }
        for w in provisional.list_waivers(uow)
    ]


def _save_waivers(uow: Any, rows: list[dict[str, Any]]) -> int:
    from app.domain.validation import Problem
    from app.services.errors import ValidationFailed

    records, missing = [], []
    for r in rows:
        for name in ("Vendor", "Kind", "From", "To"):
            if r.get(name) in (None, ""):
                missing.append(Problem(r["label"], name, "is required"))
        if not missing:
            records.append(
                provisional.WaiverIn(str(r["Vendor"]).upper(), str(r["Kind"]), r["From"], r["To"], r["label"])
            )
    if missing:
        raise ValidationFailed(missing)
    return provisional.save_waivers(uow, records)


RATES = GridSpec(
    "Provisional rates",
    (
        Column("Kind", "choice", choices=PROVISIONAL_KINDS, field="kind", width=110),
        Column("From", "date", field="from_date", width=110),
        Column("To", "date", field="to_date", width=110),
        Column("CAT1", "code", field="cat1", width=140),
        Column("Rate %", "decimal", places=2, max_places=4, field="rate", width=90),
    ),
    "Kind",
    _rates,
    _save_rates,
)
WAIVERS = GridSpec(
    "Waivers",
    (
        Column("Vendor", "code", field="vendor_code", width=110),
        Column("Name", field="vendor_name", editable=False, width=240),
        Column("Kind", "choice", choices=PROVISIONAL_KINDS, field="kind", width=110),
        Column("From", "date", field="from_date", width=110),
        Column("To", "date", field="to_date", width=110),
    ),
    "Vendor",
    _waivers,
    _save_waivers,
)


class ProvisionalScreen(Screen):
    title = "Provisional Rates"

    def __init__(self, env: UiEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        note = QLabel(
            "A receipt line that no accepted agreement of a kind covers accrues at the provisional rate of its "
            "received date (a CAT1 rate beats ALL; blank CAT1 means ALL), flat, with no tiers and no Product %. "
            "A waiver exempts a vendor from a kind's provisional rate. Kinds: " + KIND_TIPS + ". "
            "Saving or deleting re-rates the vendors concerned at once."
        )
        note.setWordWrap(True)
        self.rates = AddOnlyPanel(env, RATES, provisional.delete_rate, "provisional rate", self)
        self.waivers = AddOnlyPanel(env, WAIVERS, provisional.delete_waiver, "waiver", self)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.rates, 3)
        layout.addWidget(self.waivers, 2)

    def start(self) -> None:
        self.rates.reload()
        self.waivers.reload()

    def is_dirty(self) -> bool:
        return any(r.get(CHANGED) for panel in (self.rates, self.waivers) for r in panel.model.rows)

    def save(self) -> None:
        for panel in (self.rates, self.waivers):
            if any(r.get(CHANGED) for r in panel.model.rows):
                panel.save()

    def discard(self) -> None:
        self.start()
