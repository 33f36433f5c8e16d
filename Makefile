# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LICITE := $(BIN)/licite

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The demo prints its messages on the console instead of sending them, unless
# LICITE_EMAIL_BACKEND says otherwise: demo data must never reach a real mailbox.
run: export LICITE_EMAIL_BACKEND ?= console
run: $(VENV)/.installed
	$(LICITE) migrate --noinput
	$(LICITE) init --demo
	$(LICITE) demo --if-empty
	$(LICITE) serve --with-worker

test: $(VENV)/.installed-test lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check licite tests bench
	$(BIN)/ruff format --check licite tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy licite bench

# The suite runs on SQLite, then on PostgreSQL when LICITE_TEST_POSTGRES_URL is set.
pytest: $(VENV)/.installed-test
	LICITE_HOME=$(CURDIR)/var/test $(BIN)/pytest
	@if [ -n "$$LICITE_TEST_POSTGRES_URL" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		LICITE_HOME=$(CURDIR)/var/test LICITE_DATABASE_URL="$$LICITE_TEST_POSTGRES_URL" $(BIN)/pytest; \
	else echo "LICITE_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"; fi

# Speed and memory against baselines measured in the same run (see README.md, Benchmarks).
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.import_bench --rows 1000000
	$(BIN)/python -m bench.send_bench --prospects 10000
	$(BIN)/python -m bench.purge_bench --prospects 1000000 --expired 100000
	$(BIN)/python -m bench.audit_bench --entries 1000000
	$(BIN)/python -m bench.access_bench --prospects 1000000 --addresses 200
	$(BIN)/python -m bench.web_bench --prospects 1000000 --clients 16 --requests 20

clean:
	rm -rf $(VENV) var
