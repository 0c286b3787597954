#!/usr/bin/env bash
# AQL side by side: the same question asked in AQL and SQL on QuiverDB (release build,
# a typed table) and in SQL on PostgreSQL 15 over jsonb documents (and over a typed
# table), in one run; best of 3 per query, seconds, with ratios.
#
#   (a) filter + sort + limit: people older than 60, first 10 names in order;
#   (b) group and count: rows per city.
#
# QuiverDB has no document collections yet, so its AQL reads a typed table (a row is the
# document {column: value}); PostgreSQL's jsonb variant stores the same data as documents.
#
# Usage: benches/aql_pg.sh   (ROWS overrides the 1,000,000 rows; QUIVERDB_BIN a built binary)
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
# shellcheck source=benches/side_by_side.sh
source benches/side_by_side.sh
now() { date +%s.%N; }

typed="DROP TABLE IF EXISTS people; CREATE TABLE people (id int8 PRIMARY KEY, name text, age int4, city text);"
q -c "$typed"; p -c "$typed"
p -c "DROP TABLE IF EXISTS people_doc; CREATE TABLE people_doc (id int8 PRIMARY KEY, doc jsonb);"
for ((s = 1; s <= ROWS; s += 250000)); do
    e=$((s + 249999 < ROWS ? s + 249999 : ROWS))
    ins="INSERT INTO people SELECT g, 'n' || ((g::int8 * 7919) % 1000003), g % 90, 'city' || (g % 50) FROM generate_series($s, $e) g;"
    q -c "$ins"; p -c "$ins"
done
p -c "INSERT INTO people_doc SELECT id, jsonb_build_object('name', name, 'age', age, 'city', city) FROM people"
p -c "VACUUM ANALYZE people"; p -c "VACUUM ANALYZE people_doc"
q -c "ANALYZE people"

best() {
    local b=999999 s e
    for _ in 1 2 3; do
        s=$(now); "$@" >/dev/null; e=$(now)
        b=$(python3 -c "print(min($b, $e - $s))")
    done
    echo "$b"
}
report() {
    local label=$1 aql=$2 qsql=$3 pjson=$4 ptyped=$5
    local ta ts tj tt
    ta=$(best q -c "$aql"); ts=$(best q -c "$qsql"); tj=$(best p -c "$pjson"); tt=$(best p -c "$ptyped")
    echo "$label: quiverdb AQL ${ta}s, quiverdb SQL ${ts}s, postgresql jsonb ${tj}s, postgresql typed ${tt}s"
    echo "   ratios (time): AQL/SQL $(python3 -c "print(round($ta / $ts, 2))"), AQL/pg-jsonb $(python3 -c "print(round($ta / $tj, 2))"), SQL/pg-typed $(python3 -c "print(round($ts / $tt, 2))")"
    echo "   first rows: AQL $(q -At -c "$aql" | head -2 | tr '\n' ' ')| pg $(p -At -c "$pjson" | head -2 | tr '\n' ' ')"
}

report "(a) filter + sort + limit over $ROWS rows" \
    "FOR d IN people FILTER d.age > 60 SORT d.name LIMIT 10 RETURN d.name" \
    "SELECT name FROM people WHERE age > 60 ORDER BY name LIMIT 10" \
    "SELECT doc->>'name' FROM people_doc WHERE (doc->>'age')::int > 60 ORDER BY doc->>'name' LIMIT 10" \
    "SELECT name FROM people WHERE age > 60 ORDER BY name LIMIT 10"
report "(b) group and count over $ROWS rows" \
    "FOR d IN people COLLECT city = d.city WITH COUNT INTO n RETURN {city, n}" \
    "SELECT city, count(*) FROM people GROUP BY city ORDER BY city" \
    "SELECT doc->>'city', count(*) FROM people_doc GROUP BY doc->>'city' ORDER BY 1" \
    "SELECT city, count(*) FROM people GROUP BY city ORDER BY city"
q -c "DROP TABLE people"; p -c "DROP TABLE people; DROP TABLE people_doc"
