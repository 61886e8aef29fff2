#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server: initdb into a temporary directory as the
# unprivileged postgres user (initdb refuses root), listen on loopback, stop and delete after.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }
PORT=${PGPORT_TEST:-54329}
DIR=$(mktemp -d /tmp/svmonitor-pg.XXXXXX)
chmod 700 "$DIR"
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$DIR"
  RUNAS=(runuser -u postgres --)
fi
cleanup() {
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres --no-sync >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
# TEST_DATABASE_URL for the tests (tests/settings.py reads only that), DATABASE_URL for anything
# else run this way (bench/load.py).
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/svmonitor"
export DATABASE_URL="$TEST_DATABASE_URL"
"$@"
