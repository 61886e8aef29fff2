#!/usr/bin/env bash
# Serve svmonitor in production mode: check the settings, migrate, create the rate-limit cache
# table, collect hashed + compressed static files, then run gunicorn (gunicorn.conf.py).
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
exec .venv/bin/gunicorn -c gunicorn.conf.py svmonitor.wsgi
