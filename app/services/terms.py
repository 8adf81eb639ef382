"""The company's terms and conditions templates, one per kind of agreement (SPEC §11.1): read
by every path that creates an agreement (its terms start as a copy), maintained by
administrators.

A kind with no stored template reads as the default text below: an empty table is seeded by
reading it, without writing (the managers who create agreements may not write the table on
PostgreSQL); the first save of a template stores it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from app.domain.vocabulary import KIND_NAMES, KIND_PHRASES, KINDS, KINDS_TEXT, LUMP_SUM, PRICE_PROTECTION
from app.models import TermsTemplate

from .context import UnitOfWork
from .errors import Problem, ValidationFailed
from .security import Permission, require

TERMS_MAX = 20_000  # characters of one template (the column is unbounded text)

_COMMON = (
    "1. This agreement takes effect when both parties have signed it and the company has recorded it as "
    "accepted. Until then it is a proposal and nothing accrues under it.\n"
    "2. Amounts are computed on the company's receiving records, in the company's currency, rounded to the "
    "cent (half up). The company's records are final unless the vendor disputes them in writing within 90 "
    "days of the statement that shows them.\n"
    "3. Amounts due are settled by the method shown on each line (M): SC by cheque, NC by credit note, CD "
    "deducted from the next payment to the vendor.\n"
    "4. Either party may propose an amendment; an amendment binds only once accepted in writing by both."
)
_PERCENT = (
    "{phrase}: the vendor pays the company the percentages shown on the lines of this agreement on the net "
    "value of the goods received within each line's dates and scope, by tier of the cumulative value received "
    "(Maximum Amount). Retro lines apply the tier reached to everything received on the ladder.\n\n"
)
_SPECIFIC = {
    LUMP_SUM: (
        f"{KIND_PHRASES[LUMP_SUM]}: the vendor pays the company the amount of this agreement for the service described in its "
        "header (such as a flyer placement). The company accrues it evenly by day over the agreement's dates.\n\n"
    ),
    PRICE_PROTECTION: (
        f"{KIND_PHRASES[PRICE_PROTECTION]}: when the vendor lowers the cost of a product inside the scope of this agreement, "
        "during its dates, the vendor credits the company the difference between the old and the new cost on "
        "the quantity the company holds on the effective date.\n\n"
    ),
}
DEFAULT_TERMS = {kind: _SPECIFIC.get(kind, _PERCENT.format(phrase=KIND_PHRASES[kind])) + _COMMON for kind in KINDS}


@dataclass(frozen=True)
class TermsView:
    kind: str
    name: str  # the kind as users read it
    text: str
    stored: bool  # False: the default text, not saved yet


def list_templates(uow: UnitOfWork) -> list[TermsView]:
    """Every kind's template, in the order of KINDS (a kind never saved: the default)."""
    stored: dict[str, str] = {k: t for k, t in uow.session.execute(select(TermsTemplate.kind, TermsTemplate.text))}
    return [TermsView(kind, KIND_NAMES[kind], stored.get(kind, DEFAULT_TERMS[kind]), kind in stored) for kind in KINDS]


def template_text(uow: UnitOfWork, kind: str) -> str:
    """The terms a new agreement of `kind` starts with (read once per unit of work: an import
    creates many agreements)."""
    cache: dict[str, str] | None = getattr(uow, "_terms", None)
    if cache is None:
        cache = {k: t for k, t in uow.session.execute(select(TermsTemplate.kind, TermsTemplate.text))}
        uow._terms = cache  # type: ignore[attr-defined]
    return cache.get(kind, DEFAULT_TERMS.get(kind, ""))


def save_templates(uow: UnitOfWork, texts: Mapping[str, str]) -> int:
    """Store the templates of the kinds given (administrators), all or nothing; the number saved."""
    require(uow, Permission.TERMS)
    problems = []
    for kind, text in texts.items():
        if kind not in KINDS:
            problems.append(Problem(f"Terms template {kind}", "kind", f"must be {KINDS_TEXT}"))
        elif len(text) > TERMS_MAX:
            problems.append(
                Problem(
                    f"Terms template {kind}", "text", f"is too long ({len(text):,} characters; at most {TERMS_MAX:,})"
                )
            )
    if problems:
        raise ValidationFailed(problems)
    session = uow.session
    for kind, text in texts.items():
        row = session.get(TermsTemplate, kind)
        if row is None:
            session.add(TermsTemplate(kind=kind, text=text))
        else:
            row.text = text
    uow._terms = None  # type: ignore[attr-defined]
    uow.commit()
    return len(texts)
