# svmonitor: `make run` to try it, `make test` to test it. Both do all their own set-up.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=True
# The checks and tests must not pick up a DATABASE_URL (or TEST_DATABASE_URL) the caller's shell
# exports: tests/settings.py sets DEBUG and the database itself.
CHECK_ENV := env -u DATABASE_URL DEBUG=True

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

## Create the virtualenv, migrate, load the demo councils and serve on 127.0.0.1:8000 (SQLite),
## with one background worker (renders, imports) beside the server; Ctrl-C stops both.
run: venv sysdeps
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## Install what the tests need and run them all: lint, SQLite, then a real PostgreSQL.
test: venv sysdeps-test lint test-sqlite test-postgres

lint: venv
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run

test-sqlite: venv
	env -u TEST_DATABASE_URL $(PY) -m pytest -p no:cacheprovider

test-postgres: venv
	scripts/with-postgres.sh $(PY) -m pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*

.PHONY: serve backup restore bench-load bench-cluster

## Production mode: gunicorn + whitenoise against DATABASE_URL (PostgreSQL, or SQLite by default).
## Settings from the environment or .env (copy .env.example); see docs/deploy.md.
serve: venv sysdeps
	scripts/dotenv.sh scripts/serve.sh

## Back up the database (pg_dump -Fc, or SQLite's online backup API) into $$BACKUP_DIR or backups/.
backup: venv
	scripts/dotenv.sh $(PY) manage.py backup_db

## Restore a backup into an empty database: make restore FILE=backups/<file> [REPLACE=1].
restore: venv
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/<file> [REPLACE=1]" >&2; exit 1; }
	scripts/dotenv.sh $(PY) manage.py restore_db "$(FILE)" $(if $(REPLACE),--replace)

## Quarter-end load with edits: gunicorn + a throw-away PostgreSQL on loopback, ~4 minutes
## (bench/load.py; BENCH_LOAD_SECONDS=20 for a short trial, which does not write the docs).
bench-load: venv sysdeps-test
	PGPORT_TEST=$${PGPORT_TEST:-54339} scripts/with-postgres.sh $(PY) bench/load.py

## More than one server on loopback: two gunicorn app servers, queue workers, PostgreSQL; checks
## sessions, a workbook preview and a rate limit across both, then PDFs through the workers with
## the dashboards timed, ~5 minutes (bench/cluster.py; BENCH_CLUSTER_SECONDS=30 for a trial).
bench-cluster: venv sysdeps-test
	PGPORT_TEST=$${PGPORT_TEST:-54338} scripts/with-postgres.sh $(PY) bench/cluster.py

## Issue 9 at national scale (40 councils, 9 years, 60 measures), ~6 minutes: one BENCH line per
## measure, the table written to docs/performance.md; exits non-zero on any FAIL (bench/run.py).
## Then the dashboard's Largest Contentful Paint in Chromium, served by gunicorn (bench/lcp.py).
bench: venv sysdeps-test
	$(PY) bench/run.py; status=$$?; $(PY) bench/lcp.py || status=1; exit $$status
