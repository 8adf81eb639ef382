"""The database adapter: what the services need of the database beyond SQLAlchemy's ORM,
and every dialect difference, in one place.

- `db`: the engine and session setup (SQLite pragmas, PostgreSQL session settings), the schema's
  revision and migrations, the transaction's time.
- `types`: the stored-number column types (`ScaledDecimal`: NUMERIC on PostgreSQL, a scaled
  integer on SQLite) and instants in UTC.
- `bulk`: bulk writes through the driver (`executemany` on SQLite, `COPY` on PostgreSQL),
  key lists in slices a statement can carry, stored units without per-value conversion.
- `planner`: PostgreSQL planner settings for one transaction (index lookups, work_mem).
- `reads`: many typed rows read without per-cell conversion (each distinct value once).
- `backup`: SQLite's backup API, pg_dump/pg_restore, and what a backup file is called.
- `accruals`: the accrual tables (receipt lines, line_accrual, ladder_volume, the journal)
  read straight from the driver's cursor, written in bulk, vendors locked for posting.
"""
