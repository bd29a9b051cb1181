# Procession's commands. `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: install run serve migrate demo test test-pg fuzz crash bench bench-quick bench-lifecycle lint typecheck fmt check revision clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Procession needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) ## create .venv and install Procession with its pinned dependencies

migrate: install ## apply database migrations
	$(BIN)/procession migrate

demo: migrate ## create the demo organization and admin; print and save the token
	$(BIN)/procession demo

run: demo ## migrate, make sure the demo organization exists, and serve on HOST:PORT
	$(BIN)/procession serve

test: install ## run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg: install ## run the whole test suite on a throwaway PostgreSQL cluster
	scripts/with-postgres.sh sh -c 'TEST_DATABASE_URL="$$DATABASE_URL" $(BIN)/pytest $(PYTEST_ARGS)'

lint: install ## ruff lint and format check
	$(BIN)/ruff check procession tests bench fuzz
	$(BIN)/ruff format --check procession tests bench fuzz

typecheck: install ## mypy --strict
	$(BIN)/mypy

fmt: install ## format and fix what ruff can
	$(BIN)/ruff format procession tests bench fuzz
	$(BIN)/ruff check --fix procession tests bench fuzz

check: lint typecheck test ## everything CI runs

fuzz: install ## Schemathesis, every phase and check, on SQLite then PostgreSQL (10,000+ requests each)
	$(BIN)/python fuzz/run.py --max-examples 100 --rounds 2
	scripts/with-postgres.sh sh -c '$(BIN)/python fuzz/run.py --max-examples 100 --rounds 2 --database-url "$$DATABASE_URL"'

crash: install ## SIGKILL the server mid-archive/restore/purge 100 times each, SQLite then PostgreSQL
	PROCESSION_CRASH_RUNS=100 $(BIN)/pytest -p no:cacheprovider tests/crash
	scripts/with-postgres.sh sh -c 'PROCESSION_CRASH_RUNS=100 TEST_DATABASE_URL="$$DATABASE_URL" $(BIN)/pytest -p no:cacheprovider tests/crash'

bench: install ## benchmark suite at scale (about 20 min; needs wrk): table + bench/results/latest.json
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: install ## the same suite on a tenth of the data, one worker, 1 s runs (under 1.5 min)
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

bench-lifecycle: install ## archive/restore/purge of one 10,000-task process against hand-written SQL
	$(BIN)/python -m bench.lifecycle $(BENCH_ARGS)

revision: install ## new migration from model changes: make revision m="what changed"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var
