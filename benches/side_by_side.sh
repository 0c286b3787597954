# Shared set-up of the side-by-side benchmark scripts (sourced, not run): checks the
# client tools, makes sure the local PostgreSQL 15 answers, builds (or takes
# QUIVERDB_BIN) and starts a release QuiverDB on a random port and a temporary data
# directory, and defines q (psql to QuiverDB) and p (psql to PostgreSQL).
# The caller has `cd`ed to the repository root and set `set -euo pipefail`.

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGPASSWORD=${PGPASSWORD:-postgres}

for tool in psql pgbench pg_isready; do
    command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install postgresql-client-15" >&2; exit 1; }
done
if ! pg_isready -q; then
    command -v pg_ctlcluster >/dev/null && pg_ctlcluster 15 main start 2>/dev/null || true
    sleep 2
    pg_isready -q || { echo "PostgreSQL 15 not reachable at $PGHOST:$PGPORT (apt-get install postgresql-15)" >&2; exit 1; }
fi

# QUIVERDB_BIN: an already built release binary (skips the build).
BIN=${QUIVERDB_BIN:-}
if [[ -z $BIN ]]; then
    cargo build --release --locked --bin quiverdb
    BIN=${CARGO_TARGET_DIR:-target}/release/quiverdb
fi
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
"$BIN" --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 0.1; done

q() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U quiver -d quiver "$@"; }
p() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
