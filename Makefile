# svmonitor: `make run` to try it, `make test` to test it. Both do all their own set-up.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=True

.PHONY: run test test-sqlite test-postgres lint venv sysdeps sysdeps-test bench clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

venv: $(VENV)/.installed

sysdeps:
	@scripts/sysdeps.sh runtime

sysdeps-test:
	@scripts/sysdeps.sh test

## Create the virtualenv, migrate, load the demo councils and serve on 127.0.0.1:8000 (SQLite).
run: venv sysdeps
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## Install what the tests need and run them all: lint, SQLite, then a real PostgreSQL.
test: venv sysdeps-test lint test-sqlite test-postgres

lint: venv
	$(PY) -m ruff check .
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

test-sqlite: venv
	$(PY) -m pytest -p no:cacheprovider

test-postgres: venv
	scripts/with-postgres.sh $(PY) -m pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
