# Every target bootstraps .venv itself, so on a fresh machine `make run` and `make test` are enough.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint unit bench install clean assets

install: $(STAMP) assets

# Re-install only when the dependency list changes (pip is idempotent, but slow to ask).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

# Front-end assets (GOV.UK Frontend, htmx) from npm, built offline into src/riskroute/web/static/.
# `npm ci` runs only when package-lock.json changes; the build only when a source changed.
NPM_STAMP    := node_modules/.installed
ASSETS_STAMP := src/riskroute/web/static/.built
ASSET_SOURCES := $(shell find src/riskroute/web/assets -type f)

assets: $(ASSETS_STAMP)

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

$(ASSETS_STAMP): $(NPM_STAMP) $(ASSET_SOURCES)
	npm run --silent build
	touch $(ASSETS_STAMP)

# The case service on SQLite (var/) with synthetic demo data at http://127.0.0.1:8000.
run: $(STAMP) assets
	RISKROUTE_DEMO=1 $(BIN)/riskroute demo
	RISKROUTE_DEMO=1 $(BIN)/riskroute serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

unit: $(STAMP) assets
	$(BIN)/pytest -q

test: assets lint unit

bench: $(STAMP)
	$(BIN)/python benchmarks/triage_throughput.py
	$(BIN)/python benchmarks/simulation_scale.py
	$(BIN)/python benchmarks/load_service.py  # 50 users x 5 min on PostgreSQL (loopback)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf node_modules src/riskroute/web/static
