#!/usr/bin/env bash
# QuiverDB vs the local PostgreSQL 15 on the client-facing paths of issue 4, in one run:
#   (a) COPY FROM STDIN of ROWS CSV rows (psql's \copy, one transaction), rows/s, best of 3;
#   (b) connection setup: pgbench -C (a new connection per transaction) running SELECT 1,
#       connections/s over CONNECT_SECONDS.
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
q_tps=$(tps -h 127.0.0.1 -p "$PORT" -U quiver quiver)
p_tps=$(tps postgres)
printf 'connection setup (pgbench -C, SELECT 1): QuiverDB %.0f conn/s, PostgreSQL %.0f conn/s, ratio %.2f\n' \
    "$q_tps" "$p_tps" "$(echo "$q_tps / $p_tps" | bc -l)"
