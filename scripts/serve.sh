#!/usr/bin/env bash
# Serve svmonitor in production mode: check the settings, migrate, create the rate-limit cache
# table, collect hashed + compressed static files, then run gunicorn (gunicorn.conf.py) and
# the background worker(s).
# Settings come from the environment or .env (see .env.example and docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export STATICFILES_BACKEND=${STATICFILES_BACKEND:-svmonitor.storage.FastCompressedManifestStaticFilesStorage}
# Prints any deployment warning (it does not stop the server: a local trial over plain HTTP
# legitimately turns the HTTPS settings off).
$PY manage.py check --deploy
$PY manage.py migrate --noinput
$PY manage.py createcachetable
$PY manage.py collectstatic --noinput -v 0
# Background workers (renders, imports; svmonitor/jobs.py) beside gunicorn: WORKERS_LOCAL of
# them (default 1; 0 when the workers run elsewhere). They stop when the server stops. On the
# same machine as the pages they run in the idle scheduling class at nice WORKER_NICE (default
# 19), in gunicorn's session (so nice counts against it: docs/deploy.md section 14): background
# work gets the CPU the pages leave over, so a quarter-end rush of exports does not slow the
# dashboards.
idle=()
if chrt --idle 0 true 2>/dev/null; then idle=(chrt --idle 0); fi  # else nice alone
workers=()
for _ in $(seq 1 "${WORKERS_LOCAL:-1}"); do
    "${idle[@]}" nice -n "${WORKER_NICE:-19}" $PY manage.py db_worker --no-reload --interval 1 &
    workers+=("$!")
done
trap 'kill "${workers[@]}" 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn -c gunicorn.conf.py svmonitor.wsgi
