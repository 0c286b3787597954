#!/usr/bin/env bash
# AQL side by side: the same question asked in AQL over a document collection and over
# a typed table, and in SQL over the typed table, on QuiverDB (release build), and in SQL
# on PostgreSQL 15 over jsonb documents (and over a typed table), in one run; best of 3
# per query, seconds, with ratios.
#
#   (a) filter + sort + limit: people older than 60, first 10 names in order;
#   (b) group and count: rows per city;
#   (c) one attribute of every document: count the documents of one city
#       (QuiverDB `doc->>'city'` on its collection vs PostgreSQL's on jsonb);
#   (d) the same through an expression index on `(doc->>'city')` (built in both, build
#       time reported): AQL `FILTER d.city == "city7"` and SQL on QuiverDB vs PostgreSQL.
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
q -c "DROP COLLECTION IF EXISTS people_docs; CREATE COLLECTION people_docs"
for ((s = 1; s <= ROWS; s += 250000)); do
    e=$((s + 249999 < ROWS ? s + 249999 : ROWS))
    q -c "INSERT INTO people_docs (doc) SELECT ('{\"_key\": \"' || id || '\", \"name\": \"' || name || '\", \"age\": ' || age || ', \"city\": \"' || city || '\"}')::jsonb FROM people WHERE id BETWEEN $s AND $e"
done
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
ratio() { python3 -c "print(round($1 / $2, 2))"; }
report() {
    local label=$1 adoc=$2 aql=$3 qsql=$4 pjson=$5 ptyped=$6
    local td ta ts tj tt
    td=$(best q -c "$adoc"); ta=$(best q -c "$aql"); ts=$(best q -c "$qsql"); tj=$(best p -c "$pjson"); tt=$(best p -c "$ptyped")
    echo "$label: quiverdb AQL documents ${td}s, AQL typed ${ta}s, SQL typed ${ts}s; postgresql jsonb ${tj}s, typed ${tt}s"
    echo "   ratios (time): AQL-docs/pg-jsonb $(ratio "$td" "$tj"), AQL-typed/SQL-typed $(ratio "$ta" "$ts"), SQL-typed/pg-typed $(ratio "$ts" "$tt")"
    echo "   first rows: AQL docs $(q -At -c "$adoc" | head -2 | tr '\n' ' ')| pg $(p -At -c "$pjson" | head -2 | tr '\n' ' ')"
}

report "(a) filter + sort + limit over $ROWS rows" \
    "FOR d IN people_docs FILTER d.age > 60 SORT d.name LIMIT 10 RETURN d.name" \
    "FOR d IN people FILTER d.age > 60 SORT d.name LIMIT 10 RETURN d.name" \
    "SELECT name FROM people WHERE age > 60 ORDER BY name LIMIT 10" \
    "SELECT doc->>'name' FROM people_doc WHERE (doc->>'age')::int > 60 ORDER BY doc->>'name' LIMIT 10" \
    "SELECT name FROM people WHERE age > 60 ORDER BY name LIMIT 10"
report "(b) group and count over $ROWS rows" \
    "FOR d IN people_docs COLLECT city = d.city WITH COUNT INTO n RETURN {city, n}" \
    "FOR d IN people COLLECT city = d.city WITH COUNT INTO n RETURN {city, n}" \
    "SELECT city, count(*) FROM people GROUP BY city ORDER BY city" \
    "SELECT doc->>'city', count(*) FROM people_doc GROUP BY doc->>'city' ORDER BY 1" \
    "SELECT city, count(*) FROM people GROUP BY city ORDER BY city"
tq=$(best q -c "SELECT count(*) FROM people_docs WHERE doc->>'city' = 'city7'")
tp=$(best p -c "SELECT count(*) FROM people_doc WHERE doc->>'city' = 'city7'")
echo "(c) doc->>'city' over $ROWS documents: quiverdb ${tq}s, postgresql jsonb ${tp}s, ratio $(ratio "$tq" "$tp")"
s=$(now); q -c "CREATE INDEX people_docs_city ON people_docs ((doc->>'city'))"; e=$(now); bq=$(python3 -c "print(round($e - $s, 3))")
s=$(now); p -c "CREATE INDEX people_doc_city ON people_doc ((doc->>'city'))"; e=$(now); bp=$(python3 -c "print(round($e - $s, 3))")
q -c "ANALYZE people_docs"; p -c "ANALYZE people_doc"
ta=$(best q -c "FOR d IN people_docs FILTER d.city == \"city7\" COLLECT WITH COUNT INTO n RETURN n")
tq=$(best q -c "SELECT count(*) FROM people_docs WHERE doc->>'city' = 'city7'")
tp=$(best p -c "SELECT count(*) FROM people_doc WHERE doc->>'city' = 'city7'")
echo "(d) CREATE INDEX ((doc->>'city')) on $ROWS documents: quiverdb ${bq}s, postgresql ${bp}s, ratio $(ratio "$bq" "$bp")"
echo "    count of one city through it: quiverdb AQL ${ta}s, SQL ${tq}s; postgresql ${tp}s; ratios AQL/pg $(ratio "$ta" "$tp"), SQL/pg $(ratio "$tq" "$tp")"
echo "    counts: AQL $(q -At -c "FOR d IN people_docs FILTER d.city == \"city7\" COLLECT WITH COUNT INTO n RETURN n") pg $(p -At -c "SELECT count(*) FROM people_doc WHERE doc->>'city' = 'city7'")"
q -c "DROP TABLE people; DROP COLLECTION people_docs"; p -c "DROP TABLE people; DROP TABLE people_doc"
