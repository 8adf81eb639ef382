"""Co-op & Rebate Agreements. The version is said here only: pyproject.toml reads it
(setuptools dynamic version), Help > About and `coop --version` show it, and `make dist`
names the archive with it."""

__version__ = "0.1.0"
