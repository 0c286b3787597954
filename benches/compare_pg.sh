#!/usr/bin/env bash
# Side-by-side workload against QuiverDB (release build) and PostgreSQL 15 on this machine,
# in one run; prints each side's number and the ratio.
#
#   (a) load 1,000,000 rows with multi-row INSERTs (1,000 rows per statement, autocommit,
#       durable commits on both sides), rows/s;
#   (b) SELECT count(*), sum(x), avg(y) FROM big over 10,000,000 rows, best of 3, seconds.
#
# Usage: benches/compare_pg.sh            (LOAD_ROWS / AGG_ROWS override the sizes)
# PostgreSQL: the local cluster (apt install postgresql-15; pg_ctlcluster 15 main start),
# reached with PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1:5432 postgres/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

LOAD_ROWS=${LOAD_ROWS:-1000000}
AGG_ROWS=${AGG_ROWS:-10000000}
# shellcheck source=benches/side_by_side.sh
source benches/side_by_side.sh
now() { date +%s.%N; }

# The load file: LOAD_ROWS rows in INSERTs of 1,000 rows.
python3 - "$LOAD_ROWS" >"$WORK/load.sql" <<'PY'
import sys
n = int(sys.argv[1])
for start in range(0, n, 1000):
    rows = ",".join(f"({i},{i % 1000},{i * 0.5},'row-{i}')" for i in range(start, min(n, start + 1000)))
    print(f"INSERT INTO load_t VALUES {rows};")
PY

ddl_load="DROP TABLE IF EXISTS load_t; CREATE TABLE load_t (id int8 PRIMARY KEY, a int4, b float8, c text);"
q -c "$ddl_load"; p -c "$ddl_load"
t0=$(now); q -f "$WORK/load.sql"; t1=$(now)
p -f "$WORK/load.sql"; t2=$(now)
qa=$(python3 -c "print(round($LOAD_ROWS / ($t1 - $t0)))")
pa=$(python3 -c "print(round($LOAD_ROWS / ($t2 - $t1)))")
echo "(a) multi-row INSERT load of $LOAD_ROWS rows: quiverdb $qa rows/s, postgresql $pa rows/s, ratio $(python3 -c "print(round($qa / $pa, 2))")"

# (b) the aggregate table, loaded server-side in chunks of 1M rows.
ddl_agg="DROP TABLE IF EXISTS big; CREATE TABLE big (id int8 PRIMARY KEY, x int4, y float8);"
q -c "$ddl_agg"; p -c "$ddl_agg"
for ((s = 1; s <= AGG_ROWS; s += 1000000)); do
    e=$((s + 999999 < AGG_ROWS ? s + 999999 : AGG_ROWS))
    ins="INSERT INTO big SELECT g, g % 1000, g * 0.25 FROM generate_series($s, $e) g;"
    q -c "$ins"; p -c "$ins"
done
p -c "VACUUM ANALYZE big"
agg="SELECT count(*), sum(x), avg(y) FROM big"
best() {
    local b=999999
    for _ in 1 2 3; do
        local s e; s=$(now); "$@" -c "$agg" >/dev/null; e=$(now)
        b=$(python3 -c "print(min($b, $e - $s))")
    done
    echo "$b"
}
qb=$(best q); pb=$(best p)
echo "(b) $agg over $AGG_ROWS rows: quiverdb ${qb}s, postgresql ${pb}s, ratio (time) $(python3 -c "print(round($qb / $pb, 2))")"
echo "results: quiverdb $(q -At -c "$agg") | postgresql $(p -At -c "$agg")"
q -c "DROP TABLE load_t; DROP TABLE big"; p -c "DROP TABLE load_t; DROP TABLE big"
