# DWC Shop: `make run` serves the demo shop, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
FAKE_YOOKASSA_PORT ?= 8010
FAKE_CDEK_PORT ?= 8020
# The local laptop runs in debug mode against the fake YooKassa and the fake CDEK; production sets its own
# environment.
RUN_ENV := DEBUG=true YOOKASSA_API_URL=http://127.0.0.1:$(FAKE_YOOKASSA_PORT)/v3 \
	YOOKASSA_TRUSTED_NETWORKS=127.0.0.1/32 SITE_URL=http://$(HOST):$(PORT) \
	CDEK_API_URL=http://127.0.0.1:$(FAKE_CDEK_PORT)/v2 CDEK_CLIENT_ID=demo-cdek CDEK_CLIENT_SECRET=demo-cdek-secret

.PHONY: run test install install-test lighthouse-install migrate seed pytest lint format clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# axe-core for the accessibility browser test, pinned in package.json and package-lock.json (Node 20). Without
# npm the test is skipped, as browser tests are without Chromium.
node_modules/.installed-axe: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1 && npm ci --omit=dev --no-audit --no-fund --loglevel=error; then \
		touch $@; else echo "npm ci failed: the axe-core browser test will be skipped"; fi

install-test: $(VENV)/.installed-test node_modules/.installed-axe

# Lighthouse too (benchmarks/lighthouse.py): the whole package.json.
lighthouse-install:
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed-axe

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

# The fake YooKassa, the fake CDEK, the task worker, the expiry of unpaid orders and the reconciliation of parcels
# run in the background next to the server and stop with it. The fakes start first: the shop subscribes to the fake
# CDEK's webhooks (waiting for it to answer), then the demo data is loaded (its orders are priced by the fake CDEK).
# The task worker is started again whenever it exits.
run: migrate
	@$(RUN_ENV) $(PY) manage.py fake_yookassa --port $(FAKE_YOOKASSA_PORT) & fake=$$!; \
	$(RUN_ENV) $(PY) manage.py fake_cdek --port $(FAKE_CDEK_PORT) & cdek=$$!; \
	trap 'kill $$fake $$cdek $$worker $$expiry $$parcels 2>/dev/null; wait $$fake $$cdek $$worker $$expiry $$parcels 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py cdek_subscribe --wait 20; \
	$(RUN_ENV) $(PY) manage.py seed_demo || exit 1; \
	( trap 'kill $$child 2>/dev/null; exit 0' TERM INT; \
	  while :; do $(RUN_ENV) $(PY) manage.py db_worker --no-reload & child=$$!; wait $$child; \
	  echo "The task worker stopped; starting it again." >&2; sleep 1; done ) & worker=$$!; \
	$(RUN_ENV) $(PY) manage.py expire_unpaid_orders --every 60 >/dev/null & expiry=$$!; \
	$(RUN_ENV) $(PY) manage.py reconcile_shipments --every 60 >/dev/null & parcels=$$!; \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs in parallel (pytest-xdist, a test database per worker); `make test PYTEST_WORKERS=0` runs it in one
# process. pytest exits with 5 when it collects nothing: that is not a failure of the suite.
PYTEST_WORKERS ?= auto
pytest:
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi

test: install-test
	@$(MAKE) --no-print-directory pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles var test-artifacts .pytest_cache node_modules
