"""The demo company's product catalogue (about 350 products of eight vendors)."""

from __future__ import annotations

from decimal import Decimal

from .demo_catalogue import CENT, MAJOR_VENDOR, TREE, DemoProduct


def _money(text: str) -> Decimal:
    return Decimal(text)


def _per(rate: str, factor: int | str) -> str:
    """A cost: rate x factor to the cent."""
    return str((Decimal(rate) * Decimal(factor)).quantize(CENT))


def product_catalogue() -> list[DemoProduct]:
    parents: dict[str, tuple[str, str, str, str]] = {}
    for c1, _d1, level2 in TREE:
        for c2, _d2, level3 in level2:
            for c3, _d3, level4 in level3:
                for c4, _d4, _ in level4:
                    parents[c4] = (c1, c2, c3, c4)
    out: list[DemoProduct] = []

    def add(cat4: str, code: str, desc: str, cost: str, pack: int, lo: int, hi: int, weight: int = 3) -> None:
        cats = parents[cat4]
        out.append(DemoProduct(code, desc, MAJOR_VENDOR[cats[0]], cats, _money(cost), pack, lo, hi, weight))

    # Gypsum board: cost per square foot x sheet area.
    boards = (
        ("GYP-REG-38", "R38", "3/8 in", "regular", "0.40", ((4, 8), (4, 10))),
        ("GYP-REG-12", "R12", "1/2 in", "regular", "0.45", ((4, 8), (4, 9), (4, 10), (4, 12))),
        ("GYP-REG-LW", "LW12", "1/2 in", "lightweight", "0.48", ((4, 8), (4, 10), (4, 12))),
        ("GYP-FIRE-X", "X58", "5/8 in", "fire-rated Type X", "0.56", ((4, 8), (4, 9), (4, 10), (4, 12))),
        ("GYP-FIRE-C", "C58", "5/8 in", "fire-rated Type C", "0.66", ((4, 8), (4, 10), (4, 12))),
        ("GYP-MR-12", "MR12", "1/2 in", "moisture-resistant", "0.58", ((4, 8), (4, 10), (4, 12))),
        ("GYP-MR-58", "MRX58", "5/8 in", "moisture-resistant Type X", "0.70", ((4, 8), (4, 12))),
        ("GYP-SHEATH-G", "GS12", "1/2 in", "glass-mat sheathing", "0.82", ((4, 8),)),
        ("GYP-SHEATH-G", "GS58", "5/8 in", "glass-mat sheathing", "0.95", ((4, 8),)),
    )
    for cat4, short, thick, kind, per_sqft, sizes in boards:
        for w, length in sizes:
            code = f"GYP-{short}-{w}X{length}"
            weight = 12 if code == "GYP-R12-4X8" else (6 if length == 8 else 3)
            add(cat4, code, f"Gypsum board {thick} x {w} ft x {length} ft {kind}",
                _per(per_sqft, w * length), 10, 4, 36, weight)
    for code, desc, cost in (("GYP-CB12-3X5", "Cement board 1/2 in x 3 ft x 5 ft", "17.95"),
                             ("GYP-CB12-4X8", "Cement board 1/2 in x 4 ft x 8 ft", "44.50"),
                             ("GYP-CB14-3X5", "Cement board 1/4 in x 3 ft x 5 ft", "13.25")):
        add("GYP-CEMBD-STD", code, desc, cost, 10, 2, 12, 2)
    for code, desc, cost in (("GYP-JC-AP17", "Joint compound all-purpose 17 L pail", "21.40"),
                             ("GYP-JC-LW17", "Joint compound lightweight 17 L pail", "22.90"),
                             ("GYP-JC-TOP17", "Joint compound topping 17 L pail", "22.10"),
                             ("GYP-JC-AP10", "Joint compound all-purpose 10 L carton", "13.75"),
                             ("GYP-JC-LW10", "Joint compound lightweight 10 L carton", "14.60")):
        add("GYP-COMP-RDY", code, desc, cost, 12, 2, 14, 4)
    for minutes, cost in (("20", "19.80"), ("45", "19.80"), ("90", "19.50"), ("210", "19.50")):
        add("GYP-COMP-SET", f"GYP-SET-{minutes}", f"Setting-type compound {minutes} min 18 kg bag",
            cost, 20, 1, 8, 2)
    for code, desc, cost in (("GYP-TAPE-P250", "Paper joint tape 2-1/16 in x 250 ft", "3.65"),
                             ("GYP-TAPE-P500", "Paper joint tape 2-1/16 in x 500 ft", "6.40"),
                             ("GYP-TAPE-M300", "Fibreglass mesh tape 2 in x 300 ft", "8.95"),
                             ("GYP-TAPE-M150", "Fibreglass mesh tape 2 in x 150 ft", "5.10")):
        add("GYP-TRIM-TAPE", code, desc, cost, 24, 1, 10, 2)
    for code, desc, cost in (("GYP-CB-MTL8", "Metal corner bead 1-1/4 in x 8 ft", "2.85"),
                             ("GYP-CB-MTL10", "Metal corner bead 1-1/4 in x 10 ft", "3.45"),
                             ("GYP-CB-PF8", "Paper-faced corner bead 8 ft", "5.20"),
                             ("GYP-CB-PF10", "Paper-faced corner bead 10 ft", "6.40"),
                             ("GYP-LTRIM-12", "L-trim 1/2 in x 10 ft", "3.10"),
                             ("GYP-JBEAD-12", "J-bead 1/2 in x 10 ft", "2.95")):
        add("GYP-TRIM-BEAD", code, desc, cost, 50, 1, 8, 2)

    # Lumber: cost per linear foot x length.
    for size, per_lf in (("2X4", "0.64"), ("2X6", "1.02"), ("2X8", "1.38"), ("2X10", "1.86"), ("2X12", "2.44")):
        for length in (8, 10, 12, 14, 16):
            weight = 10 if (size == "2X4" and length == 8) else (5 if size in ("2X4", "2X6") else 2)
            add(f"LUM-SPF-{size}", f"SPF-{size}-{length:02d}",
                f"SPF #2&Btr {size.lower()} x {length} ft kiln-dried", _per(per_lf, length), 48, 2, 16, weight)
    add("LUM-SPF-2X4", "SPF-2X4-925", "SPF stud 2x4 x 92-5/8 in precut", "4.95", 48, 4, 20, 8)
    for size, per_lf, label in (("2X4", "0.92", "2x4"), ("2X6", "1.42", "2x6"), ("4X4", "2.05", "4x4"),
                                ("DECK", "1.30", "5/4x6 deck board")):
        for length in (8, 10, 12, 16):
            add(f"LUM-PT-{size}", f"PT-{size}-{length:02d}",
                f"Pressure-treated brown {label} x {length} ft", _per(per_lf, length), 24, 2, 12, 3)
    for code, desc, cost, cat4 in (
        ("OSB-716-4X8", "OSB sheathing 7/16 in x 4 ft x 8 ft", "18.75", "LUM-OSB-SHEATH"),
        ("OSB-1532-4X8", "OSB sheathing 15/32 in x 4 ft x 8 ft", "24.40", "LUM-OSB-SHEATH"),
        ("OSB-716-4X9", "OSB sheathing 7/16 in x 4 ft x 9 ft", "22.10", "LUM-OSB-SHEATH"),
        ("OSB-58TG-4X8", "OSB subfloor T&G 5/8 in x 4 ft x 8 ft", "31.80", "LUM-OSB-FLOOR"),
        ("OSB-2332TG-4X8", "OSB subfloor T&G 23/32 in x 4 ft x 8 ft", "38.90", "LUM-OSB-FLOOR"),
        ("PLY-CDX-38", "Spruce plywood sheathing 3/8 in x 4 ft x 8 ft", "29.50", "LUM-PLY-CDX"),
        ("PLY-CDX-12", "Spruce plywood sheathing 1/2 in x 4 ft x 8 ft", "36.80", "LUM-PLY-CDX"),
        ("PLY-CDX-58", "Spruce plywood sheathing 5/8 in x 4 ft x 8 ft", "44.20", "LUM-PLY-CDX"),
        ("PLY-CDX-34", "Spruce plywood sheathing 3/4 in x 4 ft x 8 ft", "52.60", "LUM-PLY-CDX"),
        ("PLY-SND-14", "Sanded plywood good one side 1/4 in x 4 ft x 8 ft", "24.90", "LUM-PLY-SAND"),
        ("PLY-SND-12", "Sanded plywood good one side 1/2 in x 4 ft x 8 ft", "48.50", "LUM-PLY-SAND"),
        ("PLY-SND-34", "Sanded plywood good one side 3/4 in x 4 ft x 8 ft", "64.90", "LUM-PLY-SAND"),
    ):
        add(cat4, code, desc, cost, 20, 2, 12, 5 if code.startswith("OSB-716-4X8") else 3)
    for depth, label, per_lf in (("0950", "9-1/2", "8.10"), ("1178", "11-7/8", "9.90"), ("1400", "14", "11.70")):
        for length in (16, 20, 24):
            add("LUM-LVL-175", f"LVL-175-{depth}-{length}", f"LVL beam 1-3/4 in x {label} in x {length} ft",
                _per(per_lf, length), 4, 1, 8, 2)
    for depth, label, per_lf in (("0950", "9-1/2", "3.15"), ("1178", "11-7/8", "3.60"), ("1400", "14", "4.25")):
        for length in (16, 20, 24):
            add("LUM-IJ-STD", f"IJ-{depth}-{length}", f"I-joist {label} in x {length} ft",
                _per(per_lf, length), 10, 1, 8, 2)

    # Insulation, per bag / bundle.
    for r, framing, width, cost in (("12", "2x4", "15", "44.90"), ("12", "2x4", "23", "44.90"),
                                    ("14", "2x4", "15", "52.40"), ("14", "2x4", "23", "52.40"),
                                    ("20", "2x6", "15", "56.80"), ("20", "2x6", "23", "56.80"),
                                    ("22", "2x6", "15", "61.30"), ("24", "2x6", "15", "64.70")):
        add("INS-FG-WALL", f"INS-FG-R{r}-{width}", f"Fibreglass batt R{r} {framing} wall {width} in wide",
            cost, 10, 2, 16, 6 if r in ("12", "20") else 3)
    for r, width, cost in (("28", "16", "58.20"), ("28", "24", "58.20"), ("31", "16", "61.90"),
                           ("31", "24", "61.90"), ("40", "24", "66.40"), ("50", "24", "71.80")):
        add("INS-FG-ATTIC", f"INS-FG-R{r}-A{width}", f"Fibreglass batt R{r} attic {width} in wide", cost,
            10, 1, 12, 3)
    for r, width, cost in (("14", "15", "63.50"), ("14", "23", "63.50"), ("22", "15", "68.90"),
                           ("22", "23", "68.90"), ("24", "15", "72.40"), ("30", "16", "78.60")):
        add("INS-MW-THERM", f"INS-MW-R{r}-{width}", f"Mineral wool batt R{r} {width} in wide", cost, 10, 1, 12, 3)
    for thick, width, cost in (("3", "15", "59.80"), ("3", "23", "59.80"), ("15", "24", "41.20")):
        label = "1-1/2" if thick == "15" else thick
        add("INS-MW-SOUND", f"INS-MW-AC{thick}-{width}", f"Mineral wool acoustic batt {label} in x {width} in",
            cost, 10, 1, 8, 2)
    for code, desc, cost, cat4 in (
        ("INS-XPS-100", "XPS board 1 in x 2 ft x 8 ft square edge", "14.60", "INS-XPS-SQ"),
        ("INS-XPS-150", "XPS board 1-1/2 in x 2 ft x 8 ft square edge", "21.40", "INS-XPS-SQ"),
        ("INS-XPS-200", "XPS board 2 in x 2 ft x 8 ft square edge", "27.90", "INS-XPS-SQ"),
        ("INS-XPS-300", "XPS board 3 in x 2 ft x 8 ft square edge", "41.50", "INS-XPS-SQ"),
        ("INS-XPS-150TG", "XPS board 1-1/2 in x 2 ft x 8 ft T&G", "22.80", "INS-XPS-TG"),
        ("INS-XPS-200TG", "XPS board 2 in x 2 ft x 8 ft T&G", "29.60", "INS-XPS-TG"),
        ("INS-EPS-100", "EPS Type 1 board 1 in x 4 ft x 8 ft", "11.90", "INS-EPS-T1"),
        ("INS-EPS-200", "EPS Type 1 board 2 in x 4 ft x 8 ft", "21.50", "INS-EPS-T1"),
        ("INS-EPS-300", "EPS Type 1 board 3 in x 4 ft x 8 ft", "31.20", "INS-EPS-T1"),
        ("INS-ISO-100", "Polyiso foil-faced 1 in x 4 ft x 8 ft", "26.40", "INS-ISO-FOIL"),
        ("INS-ISO-150", "Polyiso foil-faced 1-1/2 in x 4 ft x 8 ft", "35.90", "INS-ISO-FOIL"),
        ("INS-ISO-200", "Polyiso foil-faced 2 in x 4 ft x 8 ft", "44.80", "INS-ISO-FOIL"),
    ):
        add(cat4, code, desc, cost, 10, 1, 10, 3)
    for width, cost in (("08", "38.90"), ("10", "46.50"), ("12", "54.80"), ("20", "89.90")):
        add("INS-POLY-6MIL", f"INS-POLY6-{width}", f"Vapour barrier 6 mil {int(width)} ft x 100 ft roll",
            cost, 6, 1, 8, 3)
    for code, desc, cost in (("INS-TAPE-60", "Sheathing tape 60 mm x 55 m", "11.40"),
                             ("INS-TAPE-PE48", "Poly tape 48 mm x 55 m", "8.70"),
                             ("INS-SEAL-825", "Acoustical sealant 825 ml", "9.85"),
                             ("INS-FOAM-750", "Low-expansion spray foam 750 ml", "12.30"),
                             ("INS-GASKET-55", "Sill gasket 5-1/2 in x 50 ft", "13.90")):
        add("INS-SEAL-ACC", code, desc, cost, 12, 1, 10, 2)

    # Roofing, per bundle / roll / piece.
    for code, colour in (("ONYX", "Onyx Black"), ("WWOOD", "Weathered Wood"), ("DRIFT", "Driftwood"),
                         ("HBLUE", "Harbour Blue"), ("EGREY", "Estate Grey"), ("DBRN", "Dual Brown"),
                         ("SLATE", "Slate"), ("DTAN", "Desert Tan")):
        add("ROOF-ARCH-STD", f"ROOF-AR-{code}", f"Laminated shingle {colour} (32.8 sq ft bundle)", "36.40",
            30, 2, 14, 10 if code == "ONYX" else 4)
    for code, colour in (("CGREY", "Castle Grey"), ("CGRN", "Chateau Green"), ("SIENA", "Sienna"),
                         ("ABLUE", "Atlantic Blue"), ("HEATH", "Heather Blend")):
        add("ROOF-ARCH-PREM", f"ROOF-DS-{code}", f"Designer shingle {colour} (20 sq ft bundle)", "52.75",
            20, 1, 8, 2)
    for code, colour in (("BLK", "Black"), ("GRY", "Grey"), ("BRN", "Brown"), ("GRN", "Green"), ("RED", "Red")):
        add("ROOF-3TAB-STD", f"ROOF-3T-{code}", f"Three-tab shingle 25-year {colour}", "27.90", 30, 1, 8, 2)
    for code, colour in (("ONYX", "Onyx Black"), ("WWOOD", "Weathered Wood"), ("DRIFT", "Driftwood"),
                         ("EGREY", "Estate Grey"), ("DBRN", "Dual Brown"), ("SLATE", "Slate")):
        add("ROOF-HR-CAP", f"ROOF-HR-{code}", f"Hip & ridge cap {colour} (33 lin ft)", "58.20", 10, 1, 6, 2)
    for code, desc, cost, cat4 in (
        ("ROOF-SYN-10", "Synthetic underlayment 10 sq roll", "118.00", "ROOF-SYN-ROLL"),
        ("ROOF-SYN-10P", "Synthetic underlayment premium 10 sq roll", "149.00", "ROOF-SYN-ROLL"),
        ("ROOF-SYN-4", "Synthetic underlayment 4 sq roll", "62.50", "ROOF-SYN-ROLL"),
        ("ROOF-IW-GRAN", "Ice & water protector granular 2 sq", "89.00", "ROOF-ICE-ROLL"),
        ("ROOF-IW-HT", "Ice & water protector high-temperature 2 sq", "128.00", "ROOF-ICE-ROLL"),
        ("ROOF-IW-SAND", "Ice & water protector sanded 2 sq", "79.50", "ROOF-ICE-ROLL"),
        ("ROOF-FELT-15", "Asphalt felt #15 4 sq roll", "31.50", "ROOF-FELT-ROLL"),
        ("ROOF-FELT-30", "Asphalt felt #30 2 sq roll", "33.75", "ROOF-FELT-ROLL"),
    ):
        add(cat4, code, desc, cost, 6, 1, 10, 3)
    for code, desc, cost, cat4 in (
        ("ROOF-VENT-BX-BLK", "Box roof vent black", "14.20", "ROOF-VENT-STD"),
        ("ROOF-VENT-BX-BRN", "Box roof vent brown", "14.20", "ROOF-VENT-STD"),
        ("ROOF-VENT-RDG4", "Ridge vent 4 ft section", "11.60", "ROOF-VENT-STD"),
        ("ROOF-VENT-TRB12", "Turbine vent 12 in", "48.90", "ROOF-VENT-STD"),
        ("ROOF-VENT-SOF168", "Soffit vent 16 x 8 in", "3.85", "ROOF-VENT-STD"),
        ("ROOF-DRIP-WHT", "Drip edge aluminum white 10 ft", "7.40", "ROOF-FLASH-MTL"),
        ("ROOF-DRIP-BLK", "Drip edge aluminum black 10 ft", "7.40", "ROOF-FLASH-MTL"),
        ("ROOF-DRIP-BRN", "Drip edge aluminum brown 10 ft", "7.40", "ROOF-FLASH-MTL"),
        ("ROOF-STEP-57", "Step flashing 5 x 7 in (100)", "39.80", "ROOF-FLASH-MTL"),
        ("ROOF-VALLEY-20", "Valley flashing 20 in x 50 ft", "64.50", "ROOF-FLASH-MTL"),
        ("ROOF-CEM-10L", "Plastic roof cement 10 L", "34.60", "ROOF-CEM-STD"),
        ("ROOF-SEAL-300", "Roofing sealant 300 ml", "7.95", "ROOF-CEM-STD"),
    ):
        add(cat4, code, desc, cost, 12, 1, 8, 2)

    # Fasteners, per box (connectors per piece, to the ten-thousandth).
    for size, label, cost in (("2", "2", "54.20"), ("212", "2-1/2", "52.80"), ("3", "3", "51.90"),
                              ("312", "3-1/2", "51.40"), ("4", "4", "51.10")):
        add("FAS-BULK-BRT", f"FAS-CN-BRT-{size}", f"Common nail bright {label} in 25 lb box", cost, 4, 1, 10, 3)
    for size, label, cost in (("2", "2", "78.40"), ("212", "2-1/2", "76.90"), ("3", "3", "75.50"),
                              ("312", "3-1/2", "74.80")):
        add("FAS-BULK-HDG", f"FAS-CN-HDG-{size}", f"Common nail hot-dip galvanized {label} in 25 lb box",
            cost, 4, 1, 8, 2)
    for size, label, finish, cost in (("238", "2-3/8", "bright", "64.90"), ("3", "3", "bright", "69.80"),
                                      ("314", "3-1/4", "bright", "72.40"), ("3G", "3", "galvanized", "96.50"),
                                      ("314G", "3-1/4", "galvanized", "99.90")):
        add("FAS-COLL-STRIP", f"FAS-FS-{size}", f"Framing nail 21 deg strip {label} in {finish} (2,000)",
            cost, 4, 1, 12, 4)
    for size, label, cost in (("114", "1-1/4", "58.90"), ("112", "1-1/2", "62.40"), ("134", "1-3/4", "67.80")):
        add("FAS-COLL-COIL", f"FAS-RC-{size}", f"Roofing coil nail {label} in galvanized (7,200)", cost,
            4, 1, 10, 4)
    for code, desc, cost in (("FAS-DW-6-114F", "Drywall screw #6 x 1-1/4 in fine (8 lb)", "42.60"),
                             ("FAS-DW-6-158F", "Drywall screw #6 x 1-5/8 in fine (8 lb)", "43.80"),
                             ("FAS-DW-6-114C", "Drywall screw #6 x 1-1/4 in coarse (8 lb)", "41.90"),
                             ("FAS-DW-6-158C", "Drywall screw #6 x 1-5/8 in coarse (8 lb)", "42.90"),
                             ("FAS-DW-8-2C", "Drywall screw #8 x 2 in coarse (8 lb)", "44.70"),
                             ("FAS-DW-8-212C", "Drywall screw #8 x 2-1/2 in coarse (8 lb)", "45.90")):
        add("FAS-DRY-BULK", code, desc, cost, 6, 1, 10, 4)
    for code, desc, cost in (("FAS-DWC-114F", "Collated drywall screw 1-1/4 in fine (1,000)", "16.40"),
                             ("FAS-DWC-114C", "Collated drywall screw 1-1/4 in coarse (1,000)", "16.10"),
                             ("FAS-DWC-158C", "Collated drywall screw 1-5/8 in coarse (1,000)", "17.30")):
        add("FAS-DRY-COLL", code, desc, cost, 10, 1, 10, 3)
    for code, desc, cost, cat4 in (
        ("FAS-DK-8-2", "Deck screw coated #8 x 2 in (5 lb)", "34.90", "FAS-DECK-CTD"),
        ("FAS-DK-8-212", "Deck screw coated #8 x 2-1/2 in (5 lb)", "35.80", "FAS-DECK-CTD"),
        ("FAS-DK-8-3", "Deck screw coated #8 x 3 in (5 lb)", "36.40", "FAS-DECK-CTD"),
        ("FAS-DK-10-312", "Deck screw coated #10 x 3-1/2 in (5 lb)", "38.20", "FAS-DECK-CTD"),
        ("FAS-DKSS-8-212", "Deck screw stainless #8 x 2-1/2 in (5 lb)", "89.50", "FAS-DECK-SS"),
        ("FAS-DKSS-8-3", "Deck screw stainless #8 x 3 in (5 lb)", "92.70", "FAS-DECK-SS"),
        ("FAS-SW-14-3", "Structural wood screw 1/4 x 3 in hex (50)", "24.60", "FAS-STR-HEX"),
        ("FAS-SW-14-4", "Structural wood screw 1/4 x 4 in hex (50)", "28.90", "FAS-STR-HEX"),
        ("FAS-SW-14-5", "Structural wood screw 1/4 x 5 in hex (50)", "33.40", "FAS-STR-HEX"),
        ("FAS-SW-14-6", "Structural wood screw 1/4 x 6 in hex (50)", "38.10", "FAS-STR-HEX"),
    ):
        add(cat4, code, desc, cost, 6, 1, 8, 2)
    for code, desc, cost, cat4 in (
        ("FAS-WA-38-3", "Wedge anchor 3/8 x 3 in (50)", "43.50", "FAS-ANC-WEDGE"),
        ("FAS-WA-12-414", "Wedge anchor 1/2 x 4-1/4 in (25)", "47.80", "FAS-ANC-WEDGE"),
        ("FAS-WA-58-6", "Wedge anchor 5/8 x 6 in (20)", "61.20", "FAS-ANC-WEDGE"),
        ("FAS-CS-316-134", "Concrete screw 3/16 x 1-3/4 in (100)", "24.90", "FAS-ANC-SCREW"),
        ("FAS-CS-316-234", "Concrete screw 3/16 x 2-3/4 in (100)", "29.40", "FAS-ANC-SCREW"),
        ("FAS-CS-14-234", "Concrete screw 1/4 x 2-3/4 in (100)", "36.80", "FAS-ANC-SCREW"),
    ):
        add(cat4, code, desc, cost, 5, 1, 8, 2)
    for code, desc, cost in (("FAS-JH-24", "Joist hanger 2x4 galvanized", "0.9875"),
                             ("FAS-JH-26", "Joist hanger 2x6 galvanized", "1.2150"),
                             ("FAS-JH-28", "Joist hanger 2x8 galvanized", "1.6375"),
                             ("FAS-JH-210", "Joist hanger 2x10 galvanized", "2.0425"),
                             ("FAS-JH-212", "Joist hanger 2x12 galvanized", "2.4890"),
                             ("FAS-JH-2210", "Joist hanger double 2x10 galvanized", "4.3125"),
                             ("FAS-HT-H25", "Hurricane tie H2.5 galvanized", "0.6925"),
                             ("FAS-PB-44", "Post base 4x4 galvanized", "7.8450"),
                             ("FAS-PB-66", "Post base 6x6 galvanized", "11.9650"),
                             ("FAS-ST-12", "Strap tie 12 in galvanized", "1.1275")):
        cat4 = "FAS-HANG-JOIST" if code.startswith("FAS-JH") else "FAS-HANG-TIE"
        add(cat4, code, desc, cost, 50, 1, 12, 3)

    # Tools, each.
    for cat4, items in (
        ("TOOL-HAMMER", (("TOOL-HM-16", "Claw hammer 16 oz fibreglass", "18.40"),
                         ("TOOL-HM-20", "Framing hammer 20 oz", "24.90"),
                         ("TOOL-HM-22M", "Framing hammer 22 oz milled face", "31.50"),
                         ("TOOL-HM-DW", "Drywall hammer", "29.75"),
                         ("TOOL-HM-3LB", "Drilling hammer 3 lb", "21.60"))),
        ("TOOL-TAPE", (("TOOL-TM-16", "Tape measure 16 ft", "9.80"), ("TOOL-TM-25", "Tape measure 25 ft", "15.90"),
                       ("TOOL-TM-30", "Tape measure 30 ft", "19.40"), ("TOOL-TM-35", "Tape measure 35 ft", "24.60"))),
        ("TOOL-LEVEL", (("TOOL-LV-9", "Torpedo level 9 in", "8.90"), ("TOOL-LV-24", "Box level 24 in", "22.40"),
                        ("TOOL-LV-48", "Box level 48 in", "34.90"), ("TOOL-LV-78", "Drywall level 78 in", "52.00"),
                        ("TOOL-CHALK-100", "Chalk line reel 100 ft", "11.20"))),
        ("TOOL-KNIFE", (("TOOL-UK-RET", "Utility knife retractable", "9.60"),
                        ("TOOL-UK-FOLD", "Utility knife folding", "14.20"),
                        ("TOOL-UKB-100", "Utility blades (100)", "28.40"),
                        ("TOOL-JAB-6", "Drywall jab saw 6 in", "11.80"))),
        ("TOOL-SNIP", (("TOOL-SN-L", "Aviation snip left cut", "19.90"), ("TOOL-SN-R", "Aviation snip right cut", "19.90"),
                       ("TOOL-SN-S", "Aviation snip straight cut", "19.90"), ("TOOL-HACK-12", "Hacksaw 12 in", "16.50"))),
    ):
        for code, desc, cost in items:
            add(cat4, code, desc, cost, 6, 1, 8, 3)
    for cat4, items in (
        ("TOOL-DRILL", (("TOOL-DRL-18V", "18V drill/driver kit, 2 batteries", "189.00"),
                        ("TOOL-IMP-18V", "18V impact driver kit, 2 batteries", "209.00"),
                        ("TOOL-HDRL-18V", "18V hammer drill kit, 2 batteries", "259.00"),
                        ("TOOL-DRL-COMBO", "18V drill + impact driver combo kit", "329.00"))),
        ("TOOL-SAW", (("TOOL-CIRC-18V", "18V circular saw 7-1/4 in (tool only)", "229.00"),
                      ("TOOL-RECIP-18V", "18V reciprocating saw (tool only)", "199.00"),
                      ("TOOL-OSC-18V", "18V oscillating multi-tool (tool only)", "179.00"))),
        ("TOOL-BATT-18V", (("TOOL-BAT-2AH", "18V battery 2.0 Ah", "69.00"), ("TOOL-BAT-5AH", "18V battery 5.0 Ah", "119.00"),
                           ("TOOL-BAT-4AH2", "18V battery 4.0 Ah (2-pack)", "169.00"),
                           ("TOOL-CHG-18V", "18V rapid charger", "59.00"))),
    ):
        for code, desc, cost in items:
            add(cat4, code, desc, cost, 2, 1, 10, 6 if code == "TOOL-DRL-COMBO" else 3)
    for cat4, items in (
        ("TOOL-BIT-DRV", (("TOOL-BIT-SQ2-10", "Square #2 driver bit 2 in (10)", "12.40"),
                          ("TOOL-BIT-SET32", "Driver bit set 32 pc", "24.90"),
                          ("TOOL-BIT-IMP45", "Impact-rated driver set 45 pc", "39.90"))),
        ("TOOL-BIT-DRL", (("TOOL-DB-TW21", "Twist drill bit set 21 pc", "34.90"),
                          ("TOOL-DB-MAS5", "Masonry bit set 5 pc", "16.90"),
                          ("TOOL-DB-SPD6", "Spade bit set 6 pc", "18.40"))),
        ("TOOL-BLADE-CIRC", (("TOOL-BL-24T", "Circular saw blade 7-1/4 in 24T framing", "18.90"),
                             ("TOOL-BL-40T", "Circular saw blade 7-1/4 in 40T finish", "26.40"),
                             ("TOOL-BL-60T", "Circular saw blade 7-1/4 in 60T fine", "34.80"))),
        ("TOOL-BLADE-RECIP", (("TOOL-RB-WD5", "Reciprocating blades wood (5)", "14.90"),
                              ("TOOL-RB-MT5", "Reciprocating blades metal (5)", "16.40"),
                              ("TOOL-RB-DM5", "Reciprocating blades demolition (5)", "24.90"))),
    ):
        for code, desc, cost in items:
            add(cat4, code, desc, cost, 12, 1, 6, 3)

    # Masonry, per bag / unit (block and pavers to the ten-thousandth).
    for code, desc, cost, cat4 in (
        ("MAS-GU-40", "Portland cement GU 40 kg", "16.90", "MAS-PORT-GU"),
        ("MAS-HE-40", "Portland cement HE 40 kg", "18.40", "MAS-PORT-GU"),
        ("MAS-MCN-30", "Masonry cement type N 30 kg", "15.20", "MAS-PORT-GU"),
        ("MAS-CM-30", "Concrete mix 30 kg", "7.45", "MAS-MIX-CONC"),
        ("MAS-CMF-30", "Fast-setting concrete mix 30 kg", "9.90", "MAS-MIX-CONC"),
        ("MAS-CMH-30", "High-strength concrete mix 30 kg", "10.60", "MAS-MIX-CONC"),
        ("MAS-MN-30", "Mortar mix type N 30 kg", "8.40", "MAS-MIX-MORT"),
        ("MAS-MS-30", "Mortar mix type S 30 kg", "9.10", "MAS-MIX-MORT"),
    ):
        add(cat4, code, desc, cost, 56, 1, 8, 5 if code in ("MAS-CM-30", "MAS-GU-40") else 3)
    for code, desc, cost in (("MAS-BLK-04", "Concrete block 4 in standard", "2.1150"),
                             ("MAS-BLK-06", "Concrete block 6 in standard", "2.6800"),
                             ("MAS-BLK-08", "Concrete block 8 in standard", "3.0525"),
                             ("MAS-BLK-10", "Concrete block 10 in standard", "3.8875"),
                             ("MAS-BLK-12", "Concrete block 12 in standard", "4.5650"),
                             ("MAS-BLK-08H", "Concrete block 8 in half", "2.1225"),
                             ("MAS-BLK-08C", "Concrete block 8 in corner", "3.4475")):
        add("MAS-BLOCK-STD", code, desc, cost, 90, 1, 8, 3)
    for code, desc, cost, pack in (("MAS-HOL-CHAR", "Holland paver 60 mm charcoal", "0.8450", 400),
                                   ("MAS-HOL-NAT", "Holland paver 60 mm natural", "0.7980", 400),
                                   ("MAS-HOL-RED", "Holland paver 60 mm red", "0.8120", 400),
                                   ("MAS-SLAB-18", "Patio slab 18 x 18 in", "6.95", 40),
                                   ("MAS-SLAB-24", "Patio slab 24 x 24 in", "11.40", 30)):
        add("MAS-PAVER-STD", code, desc, cost, pack, 1, 6, 2)
    for code, desc, cost, cat4 in (
        ("MAS-RB-10M-20", "Rebar 10M x 20 ft", "9.85", "MAS-REBAR-STD"),
        ("MAS-RB-15M-20", "Rebar 15M x 20 ft", "19.40", "MAS-REBAR-STD"),
        ("MAS-MESH-66", "Welded wire mesh 6x6 8 ft x 20 ft sheet", "27.50", "MAS-REBAR-STD"),
        ("MAS-TUBE-08", "Concrete form tube 8 in x 12 ft", "21.90", "MAS-FORM-TUBE"),
        ("MAS-TUBE-10", "Concrete form tube 10 in x 12 ft", "27.40", "MAS-FORM-TUBE"),
        ("MAS-TUBE-12", "Concrete form tube 12 in x 12 ft", "36.20", "MAS-FORM-TUBE"),
    ):
        add(cat4, code, desc, cost, 10, 1, 10, 2)

    # Steel framing: cost per linear foot x length.
    for web, label, per_lf in (("158", "1-5/8", "0.34"), ("212", "2-1/2", "0.41"), ("358", "3-5/8", "0.49"),
                               ("600", "6", "0.78")):
        for length in (8, 10, 12):
            add("STL-STUD-25", f"STL-S25-{web}-{length:02d}", f"Steel stud 25 ga {label} in x {length} ft",
                _per(per_lf, length), 50, 1, 10, 5 if web == "358" else 2)
    for web, label, per_lf in (("358", "3-5/8", "0.82"), ("600", "6", "1.21")):
        for length in (10, 12):
            add("STL-STUD-20", f"STL-S20-{web}-{length:02d}", f"Steel stud 20 ga {label} in x {length} ft",
                _per(per_lf, length), 50, 1, 6, 2)
    for web, label, per_lf in (("158", "1-5/8", "0.31"), ("212", "2-1/2", "0.38"), ("358", "3-5/8", "0.45"),
                               ("600", "6", "0.72")):
        add("STL-TRACK-25", f"STL-T25-{web}-10", f"Steel track 25 ga {label} in x 10 ft",
            _per(per_lf, 10), 50, 1, 6, 3)
    for code, desc, cost in (("STL-HAT-78-12", "Hat channel 7/8 in x 12 ft", "6.15"),
                             ("STL-RC-12", "Resilient channel x 12 ft", "5.40"),
                             ("STL-CRC-112-16", "Cold-rolled channel 1-1/2 in x 16 ft", "12.80"),
                             ("STL-ANG-10", "Corner angle 1-1/4 in x 10 ft", "3.90")):
        add("STL-CHAN-FURR", code, desc, cost, 50, 1, 6, 2)
    return out
