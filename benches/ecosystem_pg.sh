#!/usr/bin/env bash
# QuiverDB vs the local PostgreSQL 15 on the client-facing paths of issue 4, in one run:
#   (a) COPY FROM STDIN of ROWS CSV rows (psql's \copy, one transaction), rows/s, best of 3;
#   (b) connection setup: pgbench -C (a new connection per transaction) running SELECT 1,
#       connections/s over CONNECT_SECONDS: QuiverDB's trust vs PostgreSQL's SCRAM, then
#       SCRAM-SHA-256 on both without TLS, then SCRAM-SHA-256 on both over TLS.
# Usage: benches/ecosystem_pg.sh   (ROWS, CONNECT_SECONDS, QUIVERDB_BIN as in benches/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/side_by_side.sh

ROWS=${ROWS:-1000000}
CONNECT_SECONDS=${CONNECT_SECONDS:-10}

CSV="$WORK/rows.csv"
python3 - "$ROWS" >"$CSV" <<'EOF'
import sys, random
random.seed(7)
n = int(sys.argv[1])
out = sys.stdout
for i in range(1, n + 1):
    out.write(f'{i},customer {random.randrange(100000)},"{random.randrange(10**7) / 100:.2f}",2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n')
EOF
echo "COPY input: $ROWS rows, $(du -h "$CSV" | cut -f1)"

TABLE="CREATE TABLE copy_bench (id int PRIMARY KEY, name text NOT NULL, amount numeric(10,2), day date)"

# Seconds of a \copy into a fresh table, best of 3.
best_copy() {
    local run=$1 best=""
    for _ in 1 2 3; do
        $run -c "DROP TABLE IF EXISTS copy_bench" -c "$TABLE"
        local start end secs
        start=$(date +%s.%N)
        $run -c "\\copy copy_bench from '$CSV' with (format csv)"
        end=$(date +%s.%N)
        secs=$(echo "$end - $start" | bc -l)
        if [[ -z $best ]] || (( $(echo "$secs < $best" | bc -l) )); then best=$secs; fi
    done
    $run -c "DROP TABLE copy_bench"
    echo "$best"
}

q_secs=$(best_copy q)
p_secs=$(best_copy p)
q_rate=$(echo "$ROWS / $q_secs" | bc -l)
p_rate=$(echo "$ROWS / $p_secs" | bc -l)
printf 'COPY FROM STDIN %d rows: QuiverDB %.0f rows/s (%.2f s), PostgreSQL %.0f rows/s (%.2f s), ratio %.2f\n' \
    "$ROWS" "$q_rate" "$q_secs" "$p_rate" "$p_secs" "$(echo "$q_rate / $p_rate" | bc -l)"

echo "SELECT 1;" >"$WORK/select1.sql"
tps() { pgbench -n -C -c 1 -j 1 -T "$CONNECT_SECONDS" -f "$WORK/select1.sql" "$@" 2>/dev/null | awk '/^tps/ {print $3}'; }
ratio() { printf '%s: QuiverDB %.0f conn/s, PostgreSQL %.0f conn/s, ratio %.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }

# The same authentication on both sides: a second QuiverDB whose rules ask for SCRAM (and
# with TLS, the test certificate of tests/fixtures/tls), against PostgreSQL's
# `host ... scram-sha-256` on 127.0.0.1 (PostgreSQL's ssl is on in Debian's default).
S2="$WORK/scram"
PORT2=$((PORT + 1))
start2() { "$BIN" --data-dir "$S2" --listen "127.0.0.1:$PORT2" "$@" >>"$WORK/server2.log" 2>&1 & S2PID=$!
    for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$PORT2" && break; sleep 0.1; done; }
start2 --auth all=trust
psql -X -q -h 127.0.0.1 -p "$PORT2" -U quiver -d quiver -c "ALTER ROLE quiver PASSWORD 'quiver'"
kill $S2PID; wait $S2PID 2>/dev/null || true
start2 --auth all=scram-sha-256 --tls-cert tests/fixtures/tls/server.crt --tls-key tests/fixtures/tls/server.key
trap 'kill $SERVER $S2PID 2>/dev/null; wait $SERVER $S2PID 2>/dev/null; rm -rf "$WORK"' EXIT

ratio "connection setup, QuiverDB trust vs PostgreSQL SCRAM, no TLS (pgbench -C, SELECT 1)" \
    "$(PGSSLMODE=disable tps -h 127.0.0.1 -p "$PORT" -U quiver quiver)" "$(PGSSLMODE=disable tps postgres)"
ratio "connection setup, SCRAM-SHA-256 both, no TLS" \
    "$(PGSSLMODE=disable PGPASSWORD=quiver tps -h 127.0.0.1 -p "$PORT2" -U quiver quiver)" "$(PGSSLMODE=disable tps postgres)"
ratio "connection setup, SCRAM-SHA-256 both, TLS (sslmode=require)" \
    "$(PGSSLMODE=require PGPASSWORD=quiver tps -h 127.0.0.1 -p "$PORT2" -U quiver quiver)" "$(PGSSLMODE=require tps postgres)"
