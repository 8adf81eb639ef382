"""structural ladder keys

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

A ladder was stored under `agreement|P:product|start|end` or
`agreement|G:cat1/cat2/cat3/cat4|start|end`. A category code may contain `/`, so two
ladders of one agreement (LUMBER > 2/4 > 8 and LUMBER > 2 > 4/8) had the same key and
their volumes were merged. The key is now the JSON array of the identity
`[agreement_id, ["G", cat1, cat2, cat3, cat4] or ["P", product], start, end]`, which no
two ladders share, in a TEXT column (codes of 40 characters no longer fit in 200).

Existing rows are re-keyed from the agreement lines. Where an old key stood for two or
more ladders, each row goes to the ladder whose scope holds its product, and the
vendor's re-rating stamp is removed so that the next `coop rerate` recomputes what the
merged ladder got wrong. ladder_volume is then rebuilt from line_accrual (it is its
running sum per ladder and period, with the last line's position).
"""
import json
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ALL = "ALL"


def _scope(cats, product):
    if product is not None:
        return ["P", product]
    return ["G", *(c if c and c != ALL else ALL for c in cats)]


def _old_key(aid, scope, start, end):
    middle = f"P:{scope[1]}" if scope[0] == "P" else "G:" + "/".join(scope[1:])
    return f"{aid}|{middle}|{start}|{end}"


def _new_key(aid, scope, start, end):
    return json.dumps([aid, scope, str(start), str(end)], ensure_ascii=False, separators=(",", ":"))


def _contains(scope, code, cats):
    if scope[0] == "P":
        return scope[1] == code
    return all(s == ALL or s == c for s, c in zip(scope[1:], cats, strict=True))


def _ladders(bind):
    """(agreement id, scope, start, end) of every agreement line's ladder."""
    rows = bind.execute(sa.text(
        "SELECT l.agreement_id, l.cat1, l.cat2, l.cat3, l.cat4, p.code, l.start_date, l.end_date "
        "FROM agreement_line l LEFT JOIN product p ON p.id = l.product_id"))
    found = set()
    for aid, c1, c2, c3, c4, code, start, end in rows:
        found.add((aid, tuple(_scope((c1, c2, c3, c4), code)), str(start), str(end)))
    return found


def _alter_key_columns(type_):
    for table in ("line_accrual", "ladder_volume"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("ladder_key", type_=type_, existing_nullable=table == "line_accrual")


def upgrade() -> None:
    _alter_key_columns(sa.Text())
    bind = op.get_bind()
    by_old = defaultdict(list)
    for aid, scope, start, end in _ladders(bind):
        by_old[_old_key(aid, scope, start, end)].append((list(scope), _new_key(aid, list(scope), start, end)))
    update = sa.text("UPDATE line_accrual SET ladder_key = :new WHERE ladder_key = :old")
    plain = [{"old": old, "new": choices[0][1]} for old, choices in by_old.items() if len(choices) == 1]
    if plain:
        bind.execute(update, plain)
    merged = {old: choices for old, choices in by_old.items() if len(choices) > 1}
    if merged:
        _split_merged(bind, merged)
    _rebuild_ladder_volumes(bind)


def _split_merged(bind, merged):
    """Rows of a key that stood for several ladders: each to the ladder holding its product."""
    rows = bind.execute(sa.text(
        "SELECT a.receipt_line_id, a.kind, a.ladder_key, a.vendor_id, p.code, p.cat1, p.cat2, p.cat3, p.cat4 "
        "FROM line_accrual a JOIN product p ON p.id = a.product_id "
        "WHERE a.ladder_key IN :keys").bindparams(sa.bindparam("keys", expanding=True)),
        {"keys": sorted(merged)})
    changes, vendors = [], set()
    for line_id, kind, old, vendor_id, code, c1, c2, c3, c4 in rows:
        # The most precise scope first, as the engine chooses (SPEC §5.2).
        choices = sorted(merged[old], key=lambda c: sum(1 for s in c[0][1:] if s != ALL), reverse=True)
        for scope, new in choices:
            if _contains(scope, code, (c1, c2, c3, c4)):
                changes.append({"new": new, "id": line_id, "kind": kind})
                break
        vendors.add(vendor_id)
    if changes:
        bind.execute(sa.text("UPDATE line_accrual SET ladder_key = :new WHERE receipt_line_id = :id AND kind = :kind"),
                     changes)
    if vendors:  # their accruals were computed on merged volumes: the next re-rate recomputes them
        bind.execute(sa.text("DELETE FROM vendor_rating WHERE vendor_id IN :ids")
                     .bindparams(sa.bindparam("ids", expanding=True)), {"ids": sorted(vendors)})


def _rebuild_ladder_volumes(bind):
    """ladder_volume from line_accrual: the volume per ladder and period and its last line."""
    bind.execute(sa.text("DELETE FROM ladder_volume"))
    bind.execute(sa.text(
        "INSERT INTO ladder_volume (ladder_key, period_key, vendor_id, volume, last_date, last_slip_no, "
        "last_line_no) "
        "SELECT ladder_key, period_key, vendor_id, volume, received_date, slip_no, line_no FROM ("
        " SELECT ladder_key, period_key, vendor_id, received_date, slip_no, line_no,"
        "  sum(amount) OVER (PARTITION BY ladder_key, period_key) AS volume,"
        "  row_number() OVER (PARTITION BY ladder_key, period_key"
        "   ORDER BY received_date DESC, slip_no DESC, line_no DESC) AS last"
        " FROM line_accrual WHERE ladder_key IS NOT NULL) ranked "
        "WHERE last = 1"))


def downgrade() -> None:
    bind = op.get_bind()
    back = [{"old": _old_key(*json.loads(key)), "new": key}
            for (key,) in bind.execute(sa.text("SELECT DISTINCT ladder_key FROM line_accrual "
                                               "WHERE ladder_key LIKE '[%'"))]
    if back:
        bind.execute(sa.text("UPDATE line_accrual SET ladder_key = :old WHERE ladder_key = :new"), back)
    _rebuild_ladder_volumes(bind)
    _alter_key_columns(sa.String(length=200))
