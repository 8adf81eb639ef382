# Two entry points for a new user (see README): `make run` and `make test`.
# Both install everything they need on a fresh Debian/Ubuntu machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
QT_DEBS := libglib2.0-0 libegl1 libgl1 libdbus-1-3 libfontconfig1 libxkbcommon0 \
           libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
           libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 poppler-utils

.PHONY: run test lint debs install bench bench-lifecycle clean dist dist-check

# `make dist`: the self-contained application folder and its archive (packaging/, README
# "Workstation install (no toolchain)"). The version is app/__init__.py's, said there only.
VERSION    := $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' app/__init__.py)
DIST_NAME  := coop-rebates-$(VERSION)
DIST_DIR   := dist/$(DIST_NAME)
ARCHIVE    := dist/$(DIST_NAME)-linux-$(shell uname -m).tar.gz
DIST_STAMP := $(VENV)/.dist-installed
DIST_INPUTS := $(shell find app resources migrations packaging -type f -not -path '*/__pycache__/*') pyproject.toml

# PyInstaller's build needs binutils (objdump, objcopy, strip); only `make dist` installs it.
DIST_DEBS := binutils

debs:
	@missing=""; for p in $(QT_DEBS) $(EXTRA_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: debs $(STAMP)

run: install
	$(BIN)/coop db upgrade
	$(BIN)/coop demo --if-empty
	$(BIN)/coop-rebates

lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy

# One worker per core (pytest-xdist), each test file on one worker: every test has its own
# database (SQLite file or PostgreSQL database from a per-worker template). `pytest -n 0` runs
# in one process.
test: install lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n auto --dist loadfile

# Not part of `make test`. Options: make bench BENCH_ARGS="--scale 0.01 --sqlite-only" (bench/README.md).
bench: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.run $(BENCH_ARGS)
	$(MAKE) bench-lifecycle

# PyInstaller (the `dist` extra) goes into the same virtual environment; `make test` does not need it.
$(DIST_STAMP): $(STAMP)
	$(MAKE) debs EXTRA_DEBS="$(DIST_DEBS)"
	$(BIN)/pip install -q -e '.[test,dist]'
	touch $(DIST_STAMP)

dist: install $(DIST_STAMP) $(ARCHIVE)

$(ARCHIVE): $(DIST_INPUTS) | $(DIST_STAMP)
	rm -rf $(DIST_DIR) $(ARCHIVE) build/pyinstaller
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/coop-rebates.spec
	tar -C dist --owner=0 --group=0 --numeric-owner -czf $(ARCHIVE) $(DIST_NAME)
	@du -sh $(DIST_DIR) $(ARCHIVE)

# Not part of `make test` (a build takes minutes): the bundled programs with an empty HOME
# and no project virtual environment on PATH, and their start time against the installed one.
dist-check: dist
	bash packaging/dist_check.sh $(DIST_DIR) $(BIN)/coop-rebates

# Issue 14's rows (posting with five kinds, an acceptance's true-up): bench/README.md, about 10-20 minutes.
bench-lifecycle: install
	$(BIN)/python -m bench.lifecycle $(LIFECYCLE_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache build dist
