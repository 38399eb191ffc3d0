# kaohe — `make run` starts the product with a demo district, `make test` checks everything.
# Every target works on a fresh clone with Python 3.11+; nothing but PyPI is needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
RUN_ENV := DEBUG=1
# `PORT=8001 make run` serves on another port, beside a kaohe already running on 8000.
PORT ?= 8000

.PHONY: install run test lint typecheck pytest bench load messages vendor clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kaohe needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

run: install
	$(RUN_ENV) $(BIN)/kaohe migrate --no-input
	$(RUN_ENV) $(BIN)/kaohe createcachetable
	$(RUN_ENV) $(BIN)/kaohe load_standard kaohe/standard/data/fangshan-2026-trial.yaml
	$(RUN_ENV) $(BIN)/kaohe demo --scale district --if-empty
	$(RUN_ENV) $(BIN)/kaohe demo_records --if-empty
	$(RUN_ENV) $(BIN)/kaohe runserver 127.0.0.1:$(PORT)

test: lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

# 30,000 units and 1,000,000 activities in var/bench (built once, then reused): times every figure of every
# unit, one unit's figures page and a 100,000-row import. Again on PostgreSQL when DATABASE_URL points there.
bench: install
	env -u DATABASE_URL KAOHE_DATA_DIR=var/bench $(BIN)/kaohe bench
	if [ -n "$$DATABASE_URL" ]; then $(BIN)/kaohe bench; fi

# USERS simulated people (50) log in to `kaohe serve`, then use it for DURATION seconds (60), reading each
# page THINK seconds (5) on average; prints requests, errors and p50/p95/max per page, and fails unless every
# page had 0 errors and p95 <= 300 ms. It runs on a copy (var/load) of the large district that `make bench`
# builds in var/bench, migrated to the code at hand, so that var/bench never changes.
USERS ?= 50
DURATION ?= 60
THINK ?= 5
load: install
	@test -f var/bench/kaohe.sqlite3 || { echo "var/bench has no district yet: \`make bench\` builds it (once)"; exit 1; }
	rm -rf var/load && mkdir -p var/load && cp var/bench/secret_key var/load/
	$(BIN)/python -c 'import sqlite3; sqlite3.connect("var/bench/kaohe.sqlite3").backup(sqlite3.connect("var/load/kaohe.sqlite3"))'
	env -u DATABASE_URL KAOHE_DATA_DIR=var/load $(BIN)/kaohe migrate --no-input --verbosity 0
	env -u DATABASE_URL KAOHE_DATA_DIR=var/load $(BIN)/kaohe load --users $(USERS) --seconds $(DURATION) --think $(THINK)

# Rebuild the English and Chinese message catalogues after changing visible strings (needs gettext).
messages: install
	cd kaohe && ../$(BIN)/kaohe makemessages --all --no-obsolete --no-location
	cd kaohe && ../$(BIN)/kaohe compilemessages

# Front-end libraries come from the npm registry, pinned by package-lock.json, and are copied into
# kaohe/static/vendor so that the product serves them itself and needs no Node.js to run.
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	rm -rf kaohe/static/vendor && mkdir -p kaohe/static/vendor/bootstrap kaohe/static/vendor/htmx kaohe/static/vendor/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   node_modules/bootstrap/LICENSE kaohe/static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE kaohe/static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE kaohe/static/vendor/echarts/

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
