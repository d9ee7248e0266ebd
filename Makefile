# `make run` and `make test` work on a fresh machine: they create .venv and install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The browser tests drive Debian's Chromium with Playwright (Playwright never downloads a browser).
CHROMIUM := /usr/bin/chromium
# The PgBouncer tests (transaction pooling in front of the embedded PostgreSQL) use Debian's pgbouncer.
PGBOUNCER := /usr/sbin/pgbouncer
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint format bench eval doctor clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests…"
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
	  || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null)

$(PGBOUNCER):
	@echo "Installing Debian's pgbouncer for the connection-pooler tests…"
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null \
	  || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null)

run: install  ## start Cadence on the embedded defaults (Ctrl-C stops everything it started)
	$(BIN)/cadence up

test: install $(CHROMIUM) $(PGBOUNCER)  ## the whole suite against a real PostgreSQL (a real browser, PgBouncer)
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m benchmarks

eval: install  ## score the offline planner on the eval cases (report in eval-report.md / .json)
	$(BIN)/cadence eval --report eval-report.md --json eval-report.json

doctor: install
	$(BIN)/cadence doctor

clean:
	rm -rf $(VENV) .cadence .pytest_cache .mypy_cache .ruff_cache eval-report.md eval-report.json
