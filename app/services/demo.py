"""`coop demo`: a realistic demo company, loaded through the services like real input.

Northshore Building Supply Ltd, a building-materials and hardware distributor in North
Vancouver, buys from eight vendors (gypsum board, lumber, insulation, roofing, fasteners,
tools, masonry, steel framing). The demo holds the four-level category tree, a catalogue of
about 350 products, the GL accounts and reference, co-op/volume/periodic agreements (marginal
and Retro ladders, a degressive line, product ladders overriding group ladders, M/Q/Y
periods, Product %), about 600 receiving slips over the last twelve months, all posted, and a
few draft slips of today for a clerk to post.

Everything is deterministic from the seed: `build_plan` makes the whole company in memory
(no database), `load_demo` feeds it to the services. Tier thresholds are sized from the
generated receipts, so every seed crosses tiers. Money is Decimal throughout.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.domain.ladder import period_key
from app.domain.money import UNLIMITED, ZERO
from app.domain.validation import LineDraft
from app.models import Agreement, AgreementLine, Product, ReceivingSlip, Vendor

from . import agreements, masterdata, posting, receiving
from .context import UnitOfWork
from .demo_catalogue import (
    ACCOUNTS,
    AGREEMENTS,
    CENT,
    COMPANY_ADDRESS,
    COMPANY_NAME,
    CURRENCY,
    GL_REFERENCE,
    LINES_PER_SLIP,
    LUMBER_INDEX,
    SEASON,
    SLIPS_PER_VENDOR,
    TEN_THOUSANDTH,
    VENDORS,
    AgreementSpec,
    DemoProduct,
    LadderSpec,
    category_records,
)
from .demo_products import product_catalogue
from .errors import ServiceError
from .security import Permission, require


@dataclass
class DemoPlan:
    today: date
    program: tuple[date, date]
    next_program: tuple[date, date]
    categories: list[masterdata.CategoryIn]
    vendors: list[masterdata.VendorIn]
    products: list[masterdata.ProductIn]
    accounts: list[masterdata.AccountIn]
    agreements: list[tuple[AgreementSpec, list[LineDraft]]]
    slips: list[receiving.SlipIn]
    drafts: list[receiving.SlipIn]

    @property
    def slip_lines(self) -> int:
        return sum(len(s.lines) for s in self.slips)


def _add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (day must be <= 28)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


def program_dates(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The current program year (twelve calendar months ending with this month) and the next."""
    start = _add_months(date(today.year, today.month, 1), -11)
    nxt = _add_months(start, 12)
    return (start, nxt - timedelta(days=1)), (nxt, _add_months(nxt, 12) - timedelta(days=1))


def _pick(rng: random.Random, weights: Sequence[int]) -> int:
    """Index drawn with integer weights (no floating point involved)."""
    roll = rng.randrange(sum(weights))
    for i, w in enumerate(weights):
        roll -= w
        if roll < 0:
            return i
    raise AssertionError("weights")


def _slip_cost(rng: random.Random, product: DemoProduct, day: date, start: date) -> Decimal:
    cost = product.cost
    if product.vendor == "FRASERLUM":
        month = (day.year - start.year) * 12 + day.month - start.month
        cost = cost * LUMBER_INDEX[month % 12] / 100
    elif rng.randrange(100) < 12:  # occasional price change or deal
        cost = cost * (100 + rng.choice((-3, -2, -1, 1, 2, 3, 4, 5))) / 100
    places = TEN_THOUSANDTH if product.cost.as_tuple().exponent == -4 else CENT
    return cost.quantize(places)


def _generate_slips(rng: random.Random, catalogue: list[DemoProduct], start: date,
                    today: date) -> list[receiving.SlipIn]:
    last = today - timedelta(days=1)
    days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
    days = [d for d in days if d.weekday() < 5] or [last]
    day_weights = [SEASON[d.month - 1] for d in days]
    by_vendor: dict[str, list[DemoProduct]] = defaultdict(list)
    for prod in catalogue:
        by_vendor[prod.vendor].append(prod)
    raw: list[tuple[date, str, str, list[receiving.SlipLineIn]]] = []
    for vendor, _name, _addr in VENDORS:
        products = by_vendor[vendor]
        for _ in range(SLIPS_PER_VENDOR[vendor]):
            day = days[_pick(rng, day_weights)]
            count = min(rng.choice(LINES_PER_SLIP), len(products))
            pool, weights = list(products), [pr.weight for pr in products]
            lines = []
            for line_no in range(1, count + 1):
                prod = pool.pop(i := _pick(rng, weights))
                weights.pop(i)
                qty = Decimal(prod.pack * rng.randint(prod.lo, prod.hi))
                lines.append(receiving.SlipLineIn(line_no, prod.code, qty, _slip_cost(rng, prod, day, start)))
            ref = f"PO {4500000 + rng.randrange(100000)} / PS {rng.randrange(100000, 999999)}"
            raw.append((day, vendor, ref, lines))
    # A few returns to vendor (damaged, wrong size): negative quantities of earlier receipts.
    raw.sort(key=lambda s: (s[0], s[1]))
    for _ in range(12):
        day, vendor, _ref, lines = raw[rng.randrange(len(raw) // 3, len(raw))]
        back = lines[rng.randrange(len(lines))]
        prod = next(pr for pr in by_vendor[vendor] if pr.code == back.product)
        qty = -min(back.quantity, Decimal(prod.pack * rng.randint(1, 2)))
        when = min(day + timedelta(days=rng.randint(3, 20)), last)
        reason = rng.choice(("damaged in transit", "wrong size shipped", "overshipment", "defective"))
        ret = receiving.SlipLineIn(1, prod.code, qty, back.unit_cost)
        raw.append((when, vendor, f"RTV {rng.randrange(3000, 3999)} {reason}", [ret]))
    raw.sort(key=lambda s: (s[0], s[1]))
    return [
        receiving.SlipIn(f"R{n:06d}", vendor, day, tuple(lines), reference=ref)
        for n, (day, vendor, ref, lines) in enumerate(raw, start=1)
    ]


def _drafts(rng: random.Random, catalogue: list[DemoProduct], today: date) -> list[receiving.SlipIn]:
    out = []
    for vendor in ("LAURGYP", "FRASERLUM", "SHIELDTOP", "IRONCLAD"):
        products = [pr for pr in catalogue if pr.vendor == vendor]
        chosen = rng.sample(products, rng.randint(2, 5))
        lines = tuple(
            receiving.SlipLineIn(n, pr.code, Decimal(pr.pack * rng.randint(pr.lo, pr.hi)))
            for n, pr in enumerate(chosen, start=1)
        )
        ref = f"PO {4500000 + rng.randrange(100000)} / PS {rng.randrange(100000, 999999)}"
        out.append(receiving.SlipIn(None, vendor, today, lines, reference=ref))
    return out


def _nice(amount: Decimal) -> tuple[Decimal, Decimal]:
    """A round threshold at or below amount (two significant digits), and its step."""
    whole = max(int(amount), 1000)
    step = 10 ** max(2, len(str(whole)) - 2)
    return Decimal(max(whole // step, 1) * step), Decimal(step)


def _reference_volumes(plan_lines: list[tuple[str, date, str, tuple[str, ...], Decimal]],
                       program: tuple[date, date]) -> dict[tuple[int, int], Decimal]:
    """(agreement index, ladder index) -> volume the tier shares are percents of.

    Current accepted ladders take the receipts they will actually get (most precise ladder
    per vendor and kind, SPEC §5.2); periodic ladders a typical (median) period. Other
    ladders borrow the volume of the accepted ladder with their scope, else their raw volume.
    """
    start, end = program
    members: dict[tuple[int, int], list[tuple[date, Decimal]]] = defaultdict(list)
    competing: dict[tuple[str, str], list[tuple[int, int, LadderSpec]]] = defaultdict(list)
    for ai, spec in enumerate(AGREEMENTS):
        if spec.status == "ACCEPTED" and spec.year == "current":
            for li, lad in enumerate(spec.ladders):
                competing[(spec.vendor, spec.kind)].append((ai, li, lad))
    for vendor, when, product, cats, amount in plan_lines:
        if not start <= when <= end:
            continue
        for (v, _kind), ladders in competing.items():
            if v != vendor:
                continue
            best = max((lad for lad in ladders if lad[2].scope.contains(product, cats)),
                       key=lambda lad: lad[2].scope.rank, default=None)
            if best is not None:
                members[(best[0], best[1])].append((when, amount))
    refs: dict[tuple[int, int], Decimal] = {}
    by_scope: dict[tuple[str, str, str], Decimal] = {}
    for (v, kind), ladders in competing.items():
        for ai, li, lad in ladders:
            rows = members.get((ai, li), [])
            if lad.period:
                buckets: dict[str, Decimal] = defaultdict(lambda: ZERO)
                for when, amount in rows:
                    buckets[period_key(lad.period, when)] += amount
                values = sorted(buckets.values())
                ref = values[len(values) // 2] if values else ZERO
            else:
                ref = sum((a for _w, a in rows), ZERO)
            refs[(ai, li)] = ref
            by_scope[(v, kind, lad.scope.key)] = ref
    for ai, spec in enumerate(AGREEMENTS):
        for li, lad in enumerate(spec.ladders):
            if (ai, li) in refs:
                continue
            ref = by_scope.get((spec.vendor, spec.kind, lad.scope.key))
            if ref is None:
                ref = sum((a for v, w, pr, c, a in plan_lines
                           if v == spec.vendor and lad.scope.contains(pr, c)), ZERO)
            refs[(ai, li)] = ref * 105 / 100 if spec.year == "next" else ref
    return refs


def _agreement_lines(spec: AgreementSpec, ai: int, dates: tuple[date, date],
                     refs: dict[tuple[int, int], Decimal]) -> list[LineDraft]:
    lines: list[LineDraft] = []
    for li, lad in enumerate(spec.ladders):
        previous = ZERO
        for tier in lad.tiers:
            if tier.share is None:
                max_amount = UNLIMITED
            else:
                max_amount, step = _nice(refs[(ai, li)] * tier.share / 100)
                if max_amount <= previous:
                    max_amount = previous + step
            previous = max_amount
            rebates = tuple(Decimal(r) for r in tier.rebates) + (None,) * (4 - len(tier.rebates))
            lines.append(LineDraft(
                label=f"{spec.vendor} {spec.kind} line {len(lines) + 1}",
                product=lad.scope.product,
                cats=lad.scope.cats if lad.scope.product is None else (None, None, None, None),
                max_amount=max_amount, start=dates[0], end=dates[1],
                rebates=rebates,  # type: ignore[arg-type]
                method=lad.method, degressive=tier.degressive, retro=lad.retro,
                product_pct=Decimal(lad.product_pct), period=lad.period,
            ))  # fmt: skip
    return lines


def build_plan(seed: int = 7, today: date | None = None) -> DemoPlan:
    """The whole demo company in memory, deterministic from (seed, today)."""
    today = today or date.today()
    rng = random.Random(seed)
    program, next_program = program_dates(today)
    catalogue = product_catalogue()
    slips = _generate_slips(rng, catalogue, program[0], today)
    drafts = _drafts(rng, catalogue, today)
    by_code = {pr.code: pr for pr in catalogue}
    plan_lines = [
        (s.vendor, s.received, ln.product, by_code[ln.product].cats,
         receiving.extended(ln.quantity, ln.unit_cost or by_code[ln.product].cost))
        for s in slips for ln in s.lines
    ]  # fmt: skip
    refs = _reference_volumes(plan_lines, program)
    agreements_out = []
    for ai, spec in enumerate(AGREEMENTS):
        dates = program if spec.year == "current" else next_program
        agreements_out.append((spec, _agreement_lines(spec, ai, dates, refs)))
    return DemoPlan(
        today=today,
        program=program,
        next_program=next_program,
        categories=category_records(),
        vendors=[masterdata.VendorIn(code, name, CURRENCY, address) for code, name, address in VENDORS],
        products=[masterdata.ProductIn(pr.code, pr.description, pr.vendor, pr.cats, pr.cost) for pr in catalogue],
        accounts=[masterdata.AccountIn(n, name, t) for n, name, t in ACCOUNTS],
        agreements=agreements_out,
        slips=slips,
        drafts=drafts,
    )


# --------------------------------------------------------------------------- loading


def load_demo(uow: UnitOfWork, *, seed: int = 7, if_empty: bool = False, today: date | None = None) -> str:
    """Load the demo company through the services; returns a one-line summary.

    Refuses a database that already has vendors (with if_empty: does nothing and says so).
    """
    session = uow.session
    require(uow, Permission.ADMIN)
    vendors = session.scalar(select(func.count()).select_from(Vendor)) or 0
    if vendors:
        session.rollback()
        if if_empty:
            return f"Demo not loaded: the database already has {vendors:,} vendors."
        raise ServiceError(
            f"The database already has {vendors:,} vendors; the demo company loads only into an "
            "empty database (use a new database file, or --if-empty to skip)."
        )
    today = today or date.today()
    plan = build_plan(seed, today)

    masterdata.set_company(uow, COMPANY_NAME, CURRENCY, COMPANY_ADDRESS)
    masterdata.save_accounts(uow, plan.accounts)
    masterdata.save_gl_reference(uow, [(f"GL reference {role}", role, number) for role, number in GL_REFERENCE])
    masterdata.save_categories(uow, plan.categories)
    masterdata.save_vendors(uow, plan.vendors)
    masterdata.save_products(uow, plan.products)
    for spec, lines in plan.agreements:
        status = "PENDING" if spec.accept_later else spec.status
        view = agreements.save_agreement(uow, vendor=spec.vendor, kind=spec.kind, status=status,
                                         lines=lines, today=today)
        if spec.accept_later:
            agreements.set_status(uow, view.id, spec.status, expected_version=view.version, today=today)
    receiving.save_slips(uow, plan.slips)
    result = posting.post_slips(uow, today=today)
    receiving.save_slips(uow, plan.drafts)

    n_products = session.scalar(select(func.count()).select_from(Product)) or 0
    n_agreements = session.scalar(select(func.count()).select_from(Agreement)) or 0
    ladders = select(AgreementLine.agreement_id, AgreementLine.product_id, AgreementLine.cat1,
                     AgreementLine.cat2, AgreementLine.cat3, AgreementLine.cat4,
                     AgreementLine.start_date, AgreementLine.end_date).distinct().subquery()
    n_ladders = session.scalar(select(func.count()).select_from(ladders)) or 0
    n_drafts = session.scalar(select(func.count()).select_from(ReceivingSlip)
                              .where(ReceivingSlip.status == "DRAFT")) or 0
    session.rollback()
    return (f"Demo company loaded: {len(plan.vendors):,} vendors, {n_products:,} products, "
            f"{n_agreements:,} agreements ({n_ladders:,} ladders), {result.lines:,} receipt lines "
            f"posted ({result.slips:,} slips), {n_drafts:,} draft slips")
