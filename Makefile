# One command to serve, one to test. Needs only Python >= 3.11 on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install migrate seed run test fuzz lint format clean browser bench wrk

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the project and its dev tools into $(VENV)" >&2
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' >&2
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/registry migrate

seed: migrate
	$(BIN)/registry seed

## Serve the API and Swagger UI (http://127.0.0.1:8000/docs): installs, migrates and seeds first;
## the first time, it creates an admin and prints its API key once.
run: seed
	$(BIN)/registry create-admin --if-none
	$(BIN)/registry serve

## The whole suite: on SQLite always, and again on PostgreSQL when TEST_DATABASE_URL is set.
## TEST_WORKERS processes (pytest-xdist; default: one per core), each on a database of its own;
## the tests on the one live console of a run are grouped for one worker (loadgroup; see
## tests/conftest.py for how it is applied with pytest-xdist 3.8 under pytest 9.2).
## Python's bytecode cache is written even where the environment says not to
## (PYTHONDONTWRITEBYTECODE): without it, each worker rewrote and compiled every test module
## again (about 8 s of CPU each) and each server and command a test starts compiled the app.
TEST_WORKERS ?= auto
PYTEST_PARALLEL = env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)
test: install
	env -u TEST_DATABASE_URL $(PYTEST_PARALLEL)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $$TEST_DATABASE_URL"; \
		$(PYTEST_PARALLEL); \
	fi

## Debian's Chromium for the browser test of Swagger UI (tests/test_browser.py); .ci/run calls it.
## Without it, `make test` skips that one test outside CI and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium (apt-get) for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	}
	@chromium --version

## The load generator of `make bench`: Debian's wrk, installed when missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "installing Debian's wrk (apt-get) for make bench"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	}

## The registry at national size under load (bench/load.py; not part of `make test`): PostgreSQL at
## BENCH_DATABASE_URL (default: database registry_bench on 127.0.0.1), or BENCH_ARGS=--sqlite.
## Prints one JSON document; about 10 minutes.
bench: install wrk
	@$(BIN)/python bench/load.py $(BENCH_ARGS)

## The fuzzing of the whole API with a bigger budget than the suite's (FUZZ_EXAMPLES per operation).
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(BIN)/pytest tests/test_fuzz.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app tests bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
