"""The demo company's data: vendors, accounts, the category tree, the product catalogue
and the agreement templates (used by app/services/demo.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.ladder import ALL, Scope

from . import masterdata

COMPANY_NAME = "Northshore Building Supply Ltd"
COMPANY_ADDRESS = "1840 Marine Drive\nNorth Vancouver, BC  V7P 1V7\nCanada"
CURRENCY = "CAD"
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")

VENDORS: tuple[tuple[str, str, str], ...] = (
    ("LAURGYP", "Laurentian Gypsum Board Inc.",
     "2250 boul. Industriel\nSainte-Catherine, QC  J5C 1A3"),
    ("FRASERLUM", "Fraser Valley Lumber Mills Ltd.",
     "31550 South Fraser Way\nAbbotsford, BC  V2T 4C6"),
    ("NCOMFORT", "Northern Comfort Insulation Corp.",
     "480 Hanlan Road\nWoodbridge, ON  L4L 3P6"),
    ("SHIELDTOP", "Shieldtop Roofing Products Ltd.",
     "1675 Steeles Avenue East\nBrampton, ON  L6T 1A2"),
    ("IRONCLAD", "Ironclad Fasteners & Connectors Inc.",
     "95 Bessemer Road\nLondon, ON  N6E 1P9"),
    ("MAPLETOOL", "Maple Tool & Hardware Co.",
     "7300 rue Saint-Patrick\nLaSalle, QC  H8N 1V1"),
    ("BAYSHORE", "Bayshore Concrete & Masonry Ltd.",
     "12 Burnside Drive\nDartmouth, NS  B3B 1N7"),
    ("KEYSTEEL", "Keystone Steel Framing Inc.",
     "2020 Logan Avenue\nWinnipeg, MB  R2R 0J2"),
)  # fmt: skip

# Receiving slips per vendor over the twelve months.
SLIPS_PER_VENDOR = {
    "LAURGYP": 95, "FRASERLUM": 105, "NCOMFORT": 70, "SHIELDTOP": 70,
    "IRONCLAD": 85, "MAPLETOOL": 55, "BAYSHORE": 65, "KEYSTEEL": 50,
}  # fmt: skip

MAJOR_VENDOR = {
    "GYPSUM": "LAURGYP", "LUMBER": "FRASERLUM", "INSUL": "NCOMFORT", "ROOFING": "SHIELDTOP",
    "FASTEN": "IRONCLAD", "TOOLS": "MAPLETOOL", "MASONRY": "BAYSHORE", "STEEL": "KEYSTEEL",
}  # fmt: skip

ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("1010", "Bank - operating", "ASSET"),
    ("1100", "Accounts receivable - customers", "ASSET"),
    ("1200", "Inventory", "ASSET"),
    ("1310", "Rebate receivable", "ASSET"),
    ("2100", "Accounts payable - vendors", "LIABILITY"),
    ("2150", "Received not invoiced", "LIABILITY"),
    ("3100", "Retained earnings", "EQUITY"),
    ("4000", "Sales", "INCOME"),
    ("4810", "Rebate earned", "INCOME"),
    ("5000", "Cost of goods sold", "EXPENSE"),
    ("6100", "Advertising", "EXPENSE"),
)
GL_REFERENCE = (
    ("INVENTORY", "1200"),
    ("RECEIVED_NOT_INVOICED", "2150"),
    ("REBATE_RECEIVABLE", "1310"),
    ("ADVERTISING", "6100"),
    ("REBATE_EARNED", "4810"),
)

# Major (level 1) -> intermediates (2) -> minors (3) -> double minors (4): (code, description).
Node = tuple[str, str, tuple["Node", ...]]
TREE: tuple[Node, ...] = (
    ("GYPSUM", "Gypsum & drywall", (
        ("GYP-BOARD", "Gypsum board", (
            ("GYP-REG", "Regular board", (
                ("GYP-REG-38", "3/8 in regular", ()),
                ("GYP-REG-12", "1/2 in regular", ()),
                ("GYP-REG-LW", "1/2 in lightweight", ()))),
            ("GYP-FIRE", "Fire-rated board", (
                ("GYP-FIRE-X", "5/8 in Type X", ()),
                ("GYP-FIRE-C", "5/8 in Type C", ()))),
            ("GYP-MR", "Moisture-resistant board", (
                ("GYP-MR-12", "1/2 in moisture-resistant", ()),
                ("GYP-MR-58", "5/8 in moisture-resistant Type X", ()))))),
        ("GYP-SPEC", "Specialty panels", (
            ("GYP-SHEATH", "Exterior sheathing", (("GYP-SHEATH-G", "Glass-mat sheathing", ()),)),
            ("GYP-CEMBD", "Cement board", (("GYP-CEMBD-STD", "Cement backer board", ()),)))),
        ("GYP-FINISH", "Drywall finishing", (
            ("GYP-COMP", "Joint compound", (
                ("GYP-COMP-RDY", "Ready-mixed compound", ()),
                ("GYP-COMP-SET", "Setting-type compound", ()))),
            ("GYP-TRIM", "Tape & bead", (
                ("GYP-TRIM-TAPE", "Joint tape", ()),
                ("GYP-TRIM-BEAD", "Corner bead & trim", ()))))))),
    ("LUMBER", "Lumber & panels", (
        ("LUM-DIM", "Dimensional lumber", (
            ("LUM-SPF", "SPF kiln-dried", (
                ("LUM-SPF-2X4", "2x4 SPF", ()), ("LUM-SPF-2X6", "2x6 SPF", ()),
                ("LUM-SPF-2X8", "2x8 SPF", ()), ("LUM-SPF-2X10", "2x10 SPF", ()),
                ("LUM-SPF-2X12", "2x12 SPF", ()))),
            ("LUM-PT", "Pressure-treated", (
                ("LUM-PT-2X4", "2x4 treated", ()), ("LUM-PT-2X6", "2x6 treated", ()),
                ("LUM-PT-4X4", "4x4 treated", ()), ("LUM-PT-DECK", "5/4x6 treated deck board", ()))))),
        ("LUM-PANEL", "Structural panels", (
            ("LUM-OSB", "OSB", (
                ("LUM-OSB-SHEATH", "OSB sheathing", ()),
                ("LUM-OSB-FLOOR", "OSB tongue & groove subfloor", ()))),
            ("LUM-PLY", "Plywood", (
                ("LUM-PLY-CDX", "Spruce plywood sheathing", ()),
                ("LUM-PLY-SAND", "Sanded plywood", ()))))),
        ("LUM-ENG", "Engineered wood", (
            ("LUM-LVL", "LVL beams", (("LUM-LVL-175", "1-3/4 in LVL", ()),)),
            ("LUM-IJOIST", "I-joists", (("LUM-IJ-STD", "I-joists", ()),)))))),
    ("INSUL", "Insulation", (
        ("INS-BATT", "Batt insulation", (
            ("INS-FG", "Fibreglass batts", (
                ("INS-FG-WALL", "Fibreglass wall batts", ()),
                ("INS-FG-ATTIC", "Fibreglass attic batts", ()))),
            ("INS-MW", "Mineral wool batts", (
                ("INS-MW-THERM", "Mineral wool thermal batts", ()),
                ("INS-MW-SOUND", "Mineral wool acoustic batts", ()))))),
        ("INS-RIGID", "Rigid board insulation", (
            ("INS-XPS", "Extruded polystyrene", (
                ("INS-XPS-SQ", "XPS square edge", ()), ("INS-XPS-TG", "XPS tongue & groove", ()))),
            ("INS-EPS", "Expanded polystyrene", (("INS-EPS-T1", "EPS Type 1", ()),)),
            ("INS-ISO", "Polyisocyanurate", (("INS-ISO-FOIL", "Foil-faced polyiso", ()),)))),
        ("INS-AIRVAP", "Air & vapour barrier", (
            ("INS-POLY", "Polyethylene", (("INS-POLY-6MIL", "6 mil vapour barrier", ()),)),
            ("INS-SEAL", "Sealants & tapes", (("INS-SEAL-ACC", "Sealing accessories", ()),)))))),
    ("ROOFING", "Roofing", (
        ("ROOF-SHGL", "Shingles", (
            ("ROOF-ARCH", "Architectural shingles", (
                ("ROOF-ARCH-STD", "Laminated shingles", ()),
                ("ROOF-ARCH-PREM", "Designer shingles", ()))),
            ("ROOF-3TAB", "Three-tab shingles", (("ROOF-3TAB-STD", "Three-tab 25-year", ()),)),
            ("ROOF-HR", "Hip & ridge", (("ROOF-HR-CAP", "Hip & ridge cap", ()),)))),
        ("ROOF-UNDER", "Underlayment", (
            ("ROOF-SYN", "Synthetic underlayment", (("ROOF-SYN-ROLL", "Synthetic rolls", ()),)),
            ("ROOF-ICE", "Ice & water protector", (("ROOF-ICE-ROLL", "Self-adhered membrane", ()),)),
            ("ROOF-FELT", "Felt", (("ROOF-FELT-ROLL", "Asphalt felt", ()),)))),
        ("ROOF-ACC", "Roofing accessories", (
            ("ROOF-VENT", "Ventilation", (("ROOF-VENT-STD", "Roof & soffit vents", ()),)),
            ("ROOF-FLASH", "Flashing", (("ROOF-FLASH-MTL", "Metal flashing", ()),)),
            ("ROOF-CEM", "Cements & sealants", (("ROOF-CEM-STD", "Roofing cement & sealant", ()),)))))),
    ("FASTEN", "Fasteners & connectors", (
        ("FAS-NAIL", "Nails", (
            ("FAS-BULK", "Bulk nails", (
                ("FAS-BULK-BRT", "Common nails bright", ()),
                ("FAS-BULK-HDG", "Common nails hot-dip galvanized", ()))),
            ("FAS-COLL", "Collated nails", (
                ("FAS-COLL-STRIP", "Framing strip nails", ()),
                ("FAS-COLL-COIL", "Roofing coil nails", ()))))),
        ("FAS-SCREW", "Screws", (
            ("FAS-SCR-DRY", "Drywall screws", (
                ("FAS-DRY-BULK", "Drywall screws bulk", ()),
                ("FAS-DRY-COLL", "Drywall screws collated", ()))),
            ("FAS-SCR-DECK", "Deck screws", (
                ("FAS-DECK-CTD", "Coated deck screws", ()),
                ("FAS-DECK-SS", "Stainless deck screws", ()))),
            ("FAS-SCR-STR", "Structural screws", (("FAS-STR-HEX", "Structural wood screws", ()),)))),
        ("FAS-CONN", "Anchors & connectors", (
            ("FAS-ANCHOR", "Concrete anchors", (
                ("FAS-ANC-WEDGE", "Wedge anchors", ()), ("FAS-ANC-SCREW", "Concrete screws", ()))),
            ("FAS-HANGER", "Framing connectors", (
                ("FAS-HANG-JOIST", "Joist hangers", ()),
                ("FAS-HANG-TIE", "Ties & post bases", ()))))))),
    ("TOOLS", "Tools", (
        ("TOOL-HAND", "Hand tools", (
            ("TOOL-STRIKE", "Striking tools", (("TOOL-HAMMER", "Hammers", ()),)),
            ("TOOL-MEAS", "Measuring & layout", (
                ("TOOL-TAPE", "Tape measures", ()), ("TOOL-LEVEL", "Levels & layout", ()))),
            ("TOOL-CUT", "Cutting tools", (
                ("TOOL-KNIFE", "Knives & blades", ()), ("TOOL-SNIP", "Snips & hand saws", ()))))),
        ("TOOL-PWR", "Power tools", (
            ("TOOL-CORDLESS", "Cordless tools", (
                ("TOOL-DRILL", "Drills & drivers", ()), ("TOOL-SAW", "Cordless saws", ()))),
            ("TOOL-BATT", "Batteries & chargers", (("TOOL-BATT-18V", "18V batteries", ()),)))),
        ("TOOL-ACC", "Tool accessories", (
            ("TOOL-BIT", "Bits", (
                ("TOOL-BIT-DRV", "Driver bits", ()), ("TOOL-BIT-DRL", "Drill bits", ()))),
            ("TOOL-BLADE", "Saw blades", (
                ("TOOL-BLADE-CIRC", "Circular saw blades", ()),
                ("TOOL-BLADE-RECIP", "Reciprocating blades", ()))))))),
    ("MASONRY", "Concrete & masonry", (
        ("MAS-CEM", "Cement & mixes", (
            ("MAS-PORT", "Portland cement", (("MAS-PORT-GU", "Portland & masonry cement", ()),)),
            ("MAS-MIX", "Pre-mixed", (
                ("MAS-MIX-CONC", "Concrete mixes", ()), ("MAS-MIX-MORT", "Mortar mixes", ()))))),
        ("MAS-UNIT", "Masonry units", (
            ("MAS-BLOCK", "Concrete block", (("MAS-BLOCK-STD", "Standard block", ()),)),
            ("MAS-PAVER", "Pavers & slabs", (("MAS-PAVER-STD", "Pavers & patio slabs", ()),)))),
        ("MAS-REINF", "Reinforcing & forming", (
            ("MAS-REBAR", "Rebar & mesh", (("MAS-REBAR-STD", "Rebar & wire mesh", ()),)),
            ("MAS-FORM", "Forming", (("MAS-FORM-TUBE", "Concrete form tubes", ()),)))))),
    ("STEEL", "Steel framing", (
        ("STL-FRAME", "Studs & track", (
            ("STL-STUD", "Steel studs", (
                ("STL-STUD-25", "25 ga studs", ()), ("STL-STUD-20", "20 ga studs", ()))),
            ("STL-TRACK", "Steel track", (("STL-TRACK-25", "25 ga track", ()),)))),
        ("STL-ACC", "Channels & accessories", (
            ("STL-CHAN", "Channels", (("STL-CHAN-FURR", "Furring & resilient channel", ()),)),)))),
)  # fmt: skip

# Seasonal weight of receiving per calendar month (building season peaks May-June).
SEASON = (5, 5, 7, 9, 11, 11, 10, 10, 9, 9, 7, 5)
# Lumber market: the mill's price index per month of the program (percent).
LUMBER_INDEX = (100, 98, 96, 97, 101, 104, 107, 105, 102, 99, 98, 100)
LINES_PER_SLIP = (1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class DemoProduct:
    code: str
    description: str
    vendor: str
    cats: tuple[str, str, str, str]
    cost: Decimal
    pack: int  # received in multiples of
    lo: int  # packs per line, low
    hi: int  # packs per line, high
    weight: int  # popularity


@dataclass(frozen=True)
class TierSpec:
    """share: the tier's Maximum Amount as a percent of the ladder's reference volume
    (None: unlimited); rebates: Rebate 1-4 as strings."""

    share: int | None
    rebates: tuple[str, ...]
    degressive: bool = False


@dataclass(frozen=True)
class LadderSpec:
    scope: Scope
    tiers: tuple[TierSpec, ...]
    method: str = "SC"
    retro: bool = False
    product_pct: str = "0"
    period: str | None = None


@dataclass(frozen=True)
class AgreementSpec:
    vendor: str
    kind: str
    status: str  # as finally stored
    year: str  # "current" program or "next"
    ladders: tuple[LadderSpec, ...]
    accept_later: bool = False  # created PENDING, then accepted (shows in History)


def g(*cats: str) -> Scope:
    """Group scope; missing levels are ALL."""
    padded = tuple(cats) + (ALL,) * (4 - len(cats))
    return Scope(cats=padded)  # type: ignore[arg-type]


def p(code: str) -> Scope:
    return Scope(product=code)


def T(share: int | None, *rebates: str, deg: bool = False) -> TierSpec:  # noqa: N802
    return TierSpec(share, rebates, deg)


AGREEMENTS: tuple[AgreementSpec, ...] = (
    # Gypsum: co-op with a zero first tier; the best-selling board has its own ladder,
    # which takes its receipts out of the group ladder (precedence, SPEC §10 D).
    AgreementSpec("LAURGYP", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("GYPSUM"), (T(30, "0"), T(None, "2")), method="NC"),
        LadderSpec(p("GYP-R12-4X8"), (T(25, "0"), T(None, "2.5")), method="NC"),
    )),
    # Gypsum volume rebate: the degressive 2 / 1.5 / 1 / 0.5 line (4.913 %), 40 % to cost;
    # finishing products on a marginal three-tier ladder.
    AgreementSpec("LAURGYP", "VOLUME", "ACCEPTED", "current", (
        LadderSpec(g("GYPSUM", "GYP-BOARD"), (T(None, "2", "1.5", "1", "0.5", deg=True),),
                   method="CD", product_pct="40"),
        LadderSpec(g("GYPSUM", "GYP-FINISH"), (T(35, "1"), T(75, "2"), T(None, "3")), method="CD"),
    )),
    # Next year's renewal, waiting for the purchasing manager.
    AgreementSpec("LAURGYP", "VOLUME", "PENDING", "next", (
        LadderSpec(g("GYPSUM", "GYP-BOARD"), (T(None, "2.5", "1.5", "1", "0.5", deg=True),),
                   method="CD", product_pct="40"),
        LadderSpec(g("GYPSUM", "GYP-FINISH"), (T(40, "1.25"), T(80, "2.25"), T(None, "3.25")),
                   method="CD"),
    )),
    # Lumber: marginal ladders; the 2x4 double minor (CAT4) overrides the dimensional (CAT2) one.
    AgreementSpec("FRASERLUM", "VOLUME", "ACCEPTED", "current", (
        LadderSpec(g("LUMBER", "LUM-DIM"), (T(30, "1"), T(65, "1.5"), T(None, "2"))),
        LadderSpec(g("LUMBER", "LUM-DIM", "LUM-SPF", "LUM-SPF-2X4"), (T(40, "1.5"), T(None, "2.25"))),
        LadderSpec(g("LUMBER", "LUM-PANEL"), (T(50, "0.75"), T(None, "1.25"))),
    )),
    # Co-op fund capped: one tier with a finite maximum; past it nothing more accrues.
    AgreementSpec("FRASERLUM", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("LUMBER"), (T(70, "1"),), method="NC"),
    )),
    # Engineered wood, quarterly: volume restarts every calendar quarter.
    AgreementSpec("FRASERLUM", "PERIODIC", "ACCEPTED", "current", (
        LadderSpec(g("LUMBER", "LUM-ENG"), (T(50, "0"), T(110, "1.5"), T(None, "2.5")),
                   method="CD", period="Q"),
    )),
    AgreementSpec("FRASERLUM", "VOLUME", "PENDING", "next", (
        LadderSpec(g("LUMBER", "LUM-DIM"), (T(30, "1"), T(65, "1.75"), T(None, "2.25"))),
        LadderSpec(g("LUMBER", "LUM-PANEL"), (T(50, "1"), T(None, "1.5"))),
    )),
    # Insulation: Retro ladder with a zero first tier, everything applied to product cost
    # (the retroactive part never is).
    AgreementSpec("NCOMFORT", "VOLUME", "ACCEPTED", "current", (
        LadderSpec(g("INSUL"), (T(25, "0"), T(60, "2"), T(None, "3")), retro=True, product_pct="100"),
    )),
    AgreementSpec("NCOMFORT", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("INSUL", "INS-BATT"), (T(None, "1.5"),), method="CD"),
        LadderSpec(g("INSUL", "INS-RIGID"), (T(None, "1", "0.5"),), method="CD"),
    )),
    # The vendor's counter-proposal of a monthly rebate, turned down.
    AgreementSpec("NCOMFORT", "PERIODIC", "REJECTED", "current", (
        LadderSpec(g("INSUL"), (T(None, "0.75"),), period="M"),
    )),
    # Roofing: a product ladder for the flagship shingle colour inside the shingle ladder.
    AgreementSpec("SHIELDTOP", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("ROOFING", "ROOF-SHGL"), (T(40, "1"), T(None, "2")), method="NC"),
        LadderSpec(p("ROOF-AR-ONYX"), (T(None, "3"),), method="NC"),
    )),
    AgreementSpec("SHIELDTOP", "PERIODIC", "ACCEPTED", "current", (
        LadderSpec(g("ROOFING"), (T(60, "0"), T(None, "1.5")), method="CD", period="Q"),
    )),
    AgreementSpec("SHIELDTOP", "VOLUME", "ACCEPTED", "current", (
        LadderSpec(g("ROOFING", "ROOF-SHGL", "ROOF-ARCH"), (T(45, "1"), T(115, "1.75"), T(None, "2.25")),
                   retro=True),
    )),
    # Fasteners, monthly: screws on their own Retro ladder, the rest on a marginal one.
    AgreementSpec("IRONCLAD", "PERIODIC", "ACCEPTED", "current", (
        LadderSpec(g("FASTEN"), (T(60, "0"), T(120, "1"), T(None, "2")), method="NC", period="M"),
        LadderSpec(g("FASTEN", "FAS-SCREW"), (T(50, "1"), T(None, "2.5")), method="NC",
                   retro=True, period="M"),
    )),
    AgreementSpec("IRONCLAD", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("FASTEN"), (T(None, "1.5", "0.5"),)),
    )),
    AgreementSpec("IRONCLAD", "VOLUME", "REJECTED", "current", (
        LadderSpec(g("FASTEN"), (T(None, "4"),)),
    )),
    # Tools, calendar year, 40 % to cost; the combo kit earns more co-op than power tools.
    AgreementSpec("MAPLETOOL", "PERIODIC", "ACCEPTED", "current", (
        LadderSpec(g("TOOLS"), (T(40, "1"), T(None, "2.5")), product_pct="40", period="Y"),
    )),
    AgreementSpec("MAPLETOOL", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("TOOLS", "TOOL-PWR"), (T(None, "3"),), method="CD"),
        LadderSpec(p("TOOL-DRL-COMBO"), (T(None, "5"),), method="CD"),
    )),
    AgreementSpec("BAYSHORE", "VOLUME", "ACCEPTED", "current", (
        LadderSpec(g("MASONRY"), (T(50, "1"), T(115, "1.5"), T(None, "2")), method="NC", product_pct="40"),
    )),
    AgreementSpec("BAYSHORE", "COOP", "ACCEPTED", "current", (
        LadderSpec(g("MASONRY", "MAS-UNIT"), (T(None, "1"),)),
    )),
    # Steel framing: signed PENDING, then accepted by the manager (History shows both).
    AgreementSpec("KEYSTEEL", "VOLUME", "ACCEPTED", "current", (
        LadderSpec(g("STEEL"), (T(35, "1"), T(70, "2"), T(None, "2.5")), retro=True),
    ), accept_later=True),
    AgreementSpec("KEYSTEEL", "PERIODIC", "ACCEPTED", "current", (
        LadderSpec(g("STEEL", "STL-FRAME", "STL-STUD"), (T(50, "0"), T(None, "1")), method="CD",
                   period="M"),
    )),
)  # fmt: skip


def category_records() -> list[masterdata.CategoryIn]:
    out: list[masterdata.CategoryIn] = []

    def walk(nodes: Sequence[Node], level: int, parent: str | None) -> None:
        for code, desc, children in nodes:
            out.append(masterdata.CategoryIn(level, code, parent, desc))
            walk(children, level + 1, code)

    walk(TREE, 1, None)
    return sorted(out, key=lambda c: c.level)
