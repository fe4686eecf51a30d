# RE-PLAN City Life: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
REPLAN := $(VENV)/bin/replan
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test pdf-deps browser-deps pg-client init lint messages vendor bench clean help

help:
	@echo "make run        install, create or upgrade ./data/replan.db, seed it, serve on 127.0.0.1:8000"
	@echo "make test       install with test extras, browser and axe-core, run the whole suite"
	@echo "make lint       ruff"
	@echo "make messages   extract the interface strings and update every catalogue"
	@echo "make vendor     refresh static/vendor from the npm registry (pinned in package.json)"
	@echo "make bench      run the benchmarks"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	@touch $@ $(STAMP)

install: $(STAMP) pdf-deps
	@$(VENV)/bin/pybabel compile -d replan/translations -D messages

install-test: $(TEST_STAMP) pdf-deps browser-deps pg-client
	@$(VENV)/bin/pybabel compile -d replan/translations -D messages

# The system libraries WeasyPrint needs for the PDF exports (Pango, HarfBuzz, a font): installed
# with apt-get when missing and we are root, else named so that an administrator can install them.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
pdf-deps: $(STAMP)
	@if ! $(PY) -c "import weasyprint" >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	  else \
	    echo "PDF exports need Pango, HarfBuzz and a font. Install them, e.g. on Debian/Ubuntu:"; \
	    echo "  sudo apt-get install $(PDF_PACKAGES)"; \
	    echo "(on macOS: brew install pango). Every other export works meanwhile."; \
	  fi; \
	fi

# Debian's Chromium for the browser tests (never `playwright install`) and axe-core from the npm
# registry (pinned in package-lock.json).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || ( (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null )
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --silent --ignore-scripts

# pg_dump and pg_restore for the backup tests on PostgreSQL (Debian 12's server is 15).
pg-client:
	@command -v pg_dump >/dev/null 2>&1 || ( (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client-15 >/dev/null )

init: install
	$(REPLAN) init

run: install
	$(REPLAN) init
	$(REPLAN) serve

test: install-test
	$(VENV)/bin/ruff check replan kb gpp search tests benchmarks
	$(PY) -m pytest -q -p no:cacheprovider

lint: install-test
	$(VENV)/bin/ruff check replan kb gpp search tests benchmarks

messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ -k st -o replan/translations/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i replan/translations/messages.pot -d replan/translations -D messages --no-fuzzy-matching

vendor:
	bash scripts/vendor.sh

bench: install-test
	$(PY) benchmarks/import_bench.py
	$(PY) benchmarks/search_bench.py
	$(PY) benchmarks/spec_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
