# The two set-up commands (README): `make run` and `make test`. `make bench` prints the benchmarks, `make load`
# the figures of a load test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_SECRET := test-only-secret-key

.PHONY: run test faults bench load lint format install clean-db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The embedded default: SQLite, tasks inline, the demo county, a login per role.
run: export DEBUG := 1
run: $(STAMP)
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py load_demo
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py demo_accounts
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite; PostgreSQL when DATABASE_URL is set (CI sets it), Redis for the worker test when REDIS_URL is.
test: $(STAMP)
	SECRET_KEY=$(TEST_SECRET) $(BIN)/ruff check .
	SECRET_KEY=$(TEST_SECRET) $(BIN)/pytest --create-db

# Only the fault tests: real worker, gunicorn and redis-server processes, killed, stopped and cut.
faults: $(STAMP)
	SECRET_KEY=$(TEST_SECRET) $(BIN)/pytest --create-db -m faults tests/faults

bench: $(STAMP)
	SECRET_KEY=$(TEST_SECRET) $(BIN)/python -m tests.benchmarks

# Not part of test: 200 users against two gunicorns and two Celery workers for a few minutes (README).
load: $(STAMP)
	SECRET_KEY=$(TEST_SECRET) $(BIN)/python -m tests.load.run

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
