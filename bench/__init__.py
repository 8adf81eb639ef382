"""Benchmarks (not part of the test suite): `make bench`, see bench/README.md."""
