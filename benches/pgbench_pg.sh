#!/usr/bin/env bash
# Point-query and single-row-write throughput of QuiverDB (release build) and PostgreSQL 15
# on this machine, in one run, alternating A/B per workload; prints TPS and the ratio.
#
#   kv(id int primary key, v text), 100,000 rows; ix(id int primary key, a int) with an
#   index on a, 100,000 rows. pgbench custom scripts, 4 clients, 2 threads:
#   (1) SELECT v FROM kv WHERE id = :id            -M prepared
#   (2) the same                                    -M simple
#   (3) UPDATE kv SET v = 'x' || :id WHERE id = :id -M prepared (durable commits)
#   (4) SELECT count(*) FROM ix WHERE a BETWEEN :a AND :a + 100   -M prepared
#
# Usage: benches/pgbench_pg.sh   (DURATION=15 seconds per run; QUIVERDB_BIN=path skips the
# build). PostgreSQL: the local cluster (apt-get install postgresql-15; pg_ctlcluster 15
# main start) via PGHOST/PGPORT/PGUSER/PGPASSWORD (default 127.0.0.1:5432 postgres/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
ROWS=${ROWS:-100000}
# shellcheck source=benches/side_by_side.sh
source benches/side_by_side.sh

setup="DROP TABLE IF EXISTS kv; DROP TABLE IF EXISTS ix;
CREATE TABLE kv (id int PRIMARY KEY, v text);
INSERT INTO kv SELECT i, 'value-' || i FROM generate_series(1, $ROWS) AS g(i);
CREATE TABLE ix (id int PRIMARY KEY, a int);
INSERT INTO ix SELECT i, (i * 7919) % $ROWS FROM generate_series(1, $ROWS) AS g(i);
CREATE INDEX ix_a ON ix (a);"
q -c "$setup" 2> >(grep -v NOTICE >&2)
p -c "$setup" 2> >(grep -v NOTICE >&2)
p -c "VACUUM ANALYZE kv" -c "VACUUM ANALYZE ix"

printf '\\set id random(1, %d)\nSELECT v FROM kv WHERE id = :id;\n' "$ROWS" >"$WORK/select.sql"
printf '\\set id random(1, %d)\nUPDATE kv SET v = '"'"'x'"'"' || :id WHERE id = :id;\n' "$ROWS" >"$WORK/update.sql"
printf '\\set a random(0, %d)\nSELECT count(*) FROM ix WHERE a BETWEEN :a AND :a + 100;\n' "$((ROWS - 101))" >"$WORK/range.sql"

tps() { # host port user db script mode
    PGPASSWORD=$PGPASSWORD pgbench -n -h "$1" -p "$2" -U "$3" -f "$5" -M "$6" -c 4 -j 2 -T "$DURATION" "$4" 2>&1 \
        | awk '/^tps = /{print int($3)}' | head -1
}
run() { # label script mode
    local qv pv
    qv=$(tps 127.0.0.1 "$PORT" quiver quiver "$2" "$3")
    pv=$(tps "$PGHOST" "$PGPORT" "$PGUSER" postgres "$2" "$3")
    echo "$1: quiverdb ${qv:-error} tps, postgresql ${pv:-error} tps, ratio $(python3 -c "print(round(${qv:-0} / max(${pv:-1}, 1), 2))")"
}
run "(1) point SELECT, prepared" "$WORK/select.sql" prepared
run "(2) point SELECT, simple" "$WORK/select.sql" simple
run "(3) point UPDATE, prepared, durable" "$WORK/update.sql" prepared
run "(4) index range count, prepared" "$WORK/range.sql" prepared
