"""An application's session through psycopg2 (libpq, text protocol with client-side parameter interpolation).

Checks: typed parameters (int, float, Decimal, str, bytes, bool, None, date, timestamptz, uuid,
int list -> array, dict via Json -> jsonb) round-tripped with their Python types; executemany;
transactions (commit, rollback, SAVEPOINT / ROLLBACK TO); cursor.description names and type OIDs;
server-side named cursors (DECLARE / FETCH FORWARD n, a WITH HOLD SCROLL one iterated and
scrolled); a NOTICE; COPY through copy_expert in both directions as CSV with a header, checking the data;
errors raised as exceptions carrying their SQLSTATE (23505, 42P01, 22012) and the connection
usable again after rollback.

usage: python3 psycopg2_scenario.py HOST PORT DBNAME   (exit status 0 when every check passed)
The user is `quiver`; CLIENT_TEST_USER / CLIENT_TEST_PASSWORD override it (e.g. to run against PostgreSQL).
"""
import datetime
import decimal
import io
import os
import sys
import uuid

import psycopg2
import psycopg2.errorcodes
import psycopg2.extras

host, port, dbname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = os.environ.get("CLIENT_TEST_USER", "quiver")
password = os.environ.get("CLIENT_TEST_PASSWORD")
psycopg2.extras.register_uuid()

conn = psycopg2.connect(host=host, port=port, dbname=dbname, user=user, password=password)
assert conn.server_version >= 90000, conn.server_version
assert conn.get_parameter_status("server_encoding") == "UTF8", conn.get_parameter_status("server_encoding")
assert conn.get_parameter_status("integer_datetimes") == "on", conn.get_parameter_status("integer_datetimes")
cur = conn.cursor()

# --- typed parameters -------------------------------------------------------------------------
cur.execute(
    """CREATE TABLE typed (
        id int PRIMARY KEY, big bigint, f float8, n numeric(12,4), t text, b bytea, flag boolean,
        d date, ts timestamptz, u uuid, arr int[], j jsonb, nothing text)"""
)
tz = datetime.timezone(datetime.timedelta(hours=2))
row = (
    1,
    9_000_000_000,
    2.5,
    decimal.Decimal("1234.5678"),
    "héllo 'quoted' \\ back",
    b"\x00\x01\xff\x27",
    True,
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 3, 1, 12, 34, 56, 789000, tzinfo=tz),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    [1, 2, 3],
    psycopg2.extras.Json({"a": [1, 2, {"b": None}], "s": "x"}),
    None,
)
cur.execute("INSERT INTO typed VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
assert cur.rowcount == 1, cur.rowcount
conn.commit()
cur.execute("SET TIME ZONE 'UTC'")
cur.execute("SELECT id, big, f, n, t, b, flag, d, ts, u, arr, j, nothing FROM typed WHERE id = %s", (1,))
got = cur.fetchone()
assert got[0] == 1 and type(got[0]) is int, got[0]
assert got[1] == 9_000_000_000, got[1]
assert got[2] == 2.5 and type(got[2]) is float, got[2]
assert got[3] == decimal.Decimal("1234.5678") and isinstance(got[3], decimal.Decimal), got[3]
assert got[4] == "héllo 'quoted' \\ back", got[4]
assert bytes(got[5]) == b"\x00\x01\xff\x27", bytes(got[5])
assert got[6] is True, got[6]
assert got[7] == datetime.date(2024, 2, 29), got[7]
assert got[8] == datetime.datetime(2024, 3, 1, 10, 34, 56, 789000, tzinfo=datetime.timezone.utc), got[8]
assert got[8].utcoffset() == datetime.timedelta(0), got[8].utcoffset()
assert got[9] == uuid.UUID("12345678-1234-5678-1234-567812345678"), got[9]
assert got[10] == [1, 2, 3], got[10]
assert got[11] == {"a": [1, 2, {"b": None}], "s": "x"}, got[11]
assert got[12] is None, got[12]
# cursor.description: names and type OIDs
names = [c.name for c in cur.description]
assert names == ["id", "big", "f", "n", "t", "b", "flag", "d", "ts", "u", "arr", "j", "nothing"], names
oids = [c.type_code for c in cur.description]
assert oids == [23, 20, 701, 1700, 25, 17, 16, 1082, 1184, 2950, 1007, 3802, 25], oids
# Parameters in expressions, NULL comparisons, a list as an array literal, IN via tuple.
cur.execute("SELECT %s + 1, %s || 'b', %s IS NULL, %s::int[] @> ARRAY[2], 3 IN %s", (41, "a", None, [1, 2], (1, 2, 3)))
assert cur.fetchone() == (42, "ab", True, True, True), "expression parameters"
cur.execute("SELECT %(x)s::numeric * 2, %(x)s::text", {"x": decimal.Decimal("0.1")})
assert cur.fetchone() == (decimal.Decimal("0.2"), "0.1"), "named parameters"
cur.execute("SELECT ts AT TIME ZONE 'UTC', ts::date, extract(year from d) FROM typed")
r = cur.fetchone()
assert r[0] == datetime.datetime(2024, 3, 1, 10, 34, 56, 789000) and r[1] == datetime.date(2024, 3, 1), r
assert int(r[2]) == 2024, r
conn.commit()

# --- executemany ------------------------------------------------------------------------------
cur.execute("CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL UNIQUE, qty int DEFAULT 0, price numeric(10,2))")
cur.executemany(
    "INSERT INTO items (name, qty, price) VALUES (%s, %s, %s)",
    [("apple", 3, decimal.Decimal("1.10")), ("banana", 12, decimal.Decimal("0.25")), ("cherry", 100, None)],
)
psycopg2.extras.execute_values(cur, "INSERT INTO items (name, qty) VALUES %s", [("date", 1), ("elder", 2)])
conn.commit()
cur.execute("SELECT id, name, qty, price FROM items ORDER BY id")
rows = cur.fetchall()
assert rows == [
    (1, "apple", 3, decimal.Decimal("1.10")),
    (2, "banana", 12, decimal.Decimal("0.25")),
    (3, "cherry", 100, None),
    (4, "date", 1, None),
    (5, "elder", 2, None),
], rows
assert cur.rowcount == 5, cur.rowcount
cur.execute("UPDATE items SET qty = qty + 1 WHERE qty < %s", (10,))
assert cur.rowcount == 3, cur.rowcount
cur.execute("INSERT INTO items (name) VALUES ('fig') RETURNING id, qty")
assert cur.fetchone() == (6, 0), "RETURNING with defaults"
conn.commit()

# --- transactions -----------------------------------------------------------------------------
cur.execute("INSERT INTO items (name) VALUES ('rolled back')")
conn.rollback()
cur.execute("SELECT count(*) FROM items WHERE name = 'rolled back'")
assert cur.fetchone()[0] == 0, "rollback kept the row"
cur.execute("INSERT INTO items (name) VALUES ('kept')")
cur.execute("SAVEPOINT sp1")
cur.execute("INSERT INTO items (name) VALUES ('discarded')")
cur.execute("ROLLBACK TO SAVEPOINT sp1")
cur.execute("SAVEPOINT sp2")
cur.execute("UPDATE items SET qty = 77 WHERE name = 'kept'")
cur.execute("RELEASE SAVEPOINT sp2")
conn.commit()
cur.execute("SELECT name, qty FROM items WHERE name IN ('kept', 'discarded') ORDER BY name")
assert cur.fetchall() == [("kept", 77)], "savepoint handling"
conn.commit()
# The context manager commits; isolation level and autocommit switch.
with conn:
    with conn.cursor() as c2:
        c2.execute("UPDATE items SET qty = 0 WHERE name = 'kept'")
conn.set_session(isolation_level="REPEATABLE READ")
cur.execute("SHOW transaction_isolation")
assert cur.fetchone()[0] == "repeatable read", "isolation level"
conn.rollback()
conn.set_session(isolation_level="READ COMMITTED", readonly=False)
conn.autocommit = True
cur.execute("SELECT qty FROM items WHERE name = 'kept'")
assert cur.fetchone()[0] == 0
assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE, conn.get_transaction_status()
conn.autocommit = False

# --- server-side named cursor -----------------------------------------------------------------
cur.execute("CREATE TABLE seq (i int, sq bigint)")
cur.execute("INSERT INTO seq SELECT g, g::bigint * g FROM generate_series(1, 1000) g")
conn.commit()
named = conn.cursor(name="big_scan")
named.itersize = 100
named.execute("SELECT i, sq FROM seq WHERE i > %s ORDER BY i", (10,))
first = named.fetchmany(5)
assert first == [(11, 121), (12, 144), (13, 169), (14, 196), (15, 225)], first
assert [c.name for c in named.description] == ["i", "sq"], named.description
assert [c.type_code for c in named.description] == [23, 20], named.description
nxt = named.fetchone()
assert nxt == (16, 256), nxt
rest = named.fetchall()
assert len(rest) == 1000 - 16 and rest[-1] == (1000, 1_000_000), (len(rest), rest[-1:])
named.close()
conn.commit()
# Iteration (FETCH FORWARD itersize) and scroll on a WITH HOLD cursor.
held = conn.cursor(name="held_scan", withhold=True, scrollable=True)
held.itersize = 64
held.execute("SELECT i FROM seq ORDER BY i")
conn.commit()  # WITH HOLD keeps it open across the commit
total = sum(r[0] for r in held)
assert total == 500500, total
held.scroll(10, mode="absolute")
assert held.fetchone() == (11,), "scroll absolute"
held.close()
conn.commit()

# --- COPY via copy_expert ---------------------------------------------------------------------
cur.execute("CREATE TABLE people (id int PRIMARY KEY, name text, email text, born date, score numeric)")
conn.commit()
csv_in = (
    "id,name,email,born,score\n"
    '1,Ann,ann@example.com,1990-01-02,1.5\n'
    '2,"Bob, Jr.","bob""q@example.com",1985-12-31,\n'
    '3,"multi\nline",,2000-02-29,-0.25\n'
)
cur.copy_expert("COPY people (id, name, email, born, score) FROM STDIN WITH (FORMAT csv, HEADER true)", io.StringIO(csv_in))
assert cur.rowcount == 3, cur.rowcount
conn.commit()
cur.execute("SELECT id, name, email, born, score FROM people ORDER BY id")
assert cur.fetchall() == [
    (1, "Ann", "ann@example.com", datetime.date(1990, 1, 2), decimal.Decimal("1.5")),
    (2, "Bob, Jr.", 'bob"q@example.com', datetime.date(1985, 12, 31), None),
    (3, "multi\nline", None, datetime.date(2000, 2, 29), decimal.Decimal("-0.25")),
], "COPY FROM data"
out = io.StringIO()
cur.copy_expert("COPY (SELECT id, name, email, born, score FROM people ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true)", out)
assert out.getvalue() == (
    "id,name,email,born,score\n"
    "1,Ann,ann@example.com,1990-01-02,1.5\n"
    '2,"Bob, Jr.","bob""q@example.com",1985-12-31,\n'
    '3,"multi\nline",,2000-02-29,-0.25\n'
), repr(out.getvalue())
out = io.StringIO()
cur.copy_expert("COPY people TO STDOUT WITH CSV HEADER DELIMITER ';' NULL 'NULL'", out)
lines = out.getvalue().splitlines()
assert lines[0] == "id;name;email;born;score" and '2;Bob, Jr.;"bob""q@example.com";1985-12-31;NULL' in lines, lines
# Text-format copy_from / copy_to helpers.
cur.copy_from(io.StringIO("10\tTen\t\\N\n11\tEleven\te@x\n"), "people", columns=("id", "name", "email"))
out = io.StringIO()
cur.copy_to(out, "people", columns=("id", "name", "email"))
assert "10\tTen\t\\N\n" in out.getvalue() and "11\tEleven\te@x\n" in out.getvalue(), repr(out.getvalue())
conn.commit()
# A bad CSV row aborts the whole COPY.
try:
    cur.copy_expert("COPY people (id, name) FROM STDIN WITH (FORMAT csv)", io.StringIO("20,ok\nnotanint,bad\n"))
    raise AssertionError("bad COPY row accepted")
except psycopg2.errors.InvalidTextRepresentation as e:
    assert e.pgcode == "22P02", e.pgcode
conn.rollback()
cur.execute("SELECT count(*) FROM people WHERE id = 20")
assert cur.fetchone()[0] == 0, "partial COPY kept rows"
conn.commit()

# --- errors -----------------------------------------------------------------------------------
try:
    cur.execute("INSERT INTO items (name) VALUES (%s)", ("apple",))
    raise AssertionError("duplicate accepted")
except psycopg2.IntegrityError as e:
    assert e.pgcode == psycopg2.errorcodes.UNIQUE_VIOLATION == "23505", e.pgcode
    assert isinstance(e, psycopg2.errors.UniqueViolation), type(e)
    assert e.diag.sqlstate == "23505", e.diag.sqlstate
    assert e.diag.table_name == "items", e.diag.table_name
    assert e.diag.constraint_name == "items_name_key", e.diag.constraint_name
# The transaction is aborted until rollback.
try:
    cur.execute("SELECT 1")
    raise AssertionError("statement ran in an aborted transaction")
except psycopg2.errors.InFailedSqlTransaction as e:
    assert e.pgcode == "25P02", e.pgcode
assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR, conn.get_transaction_status()
conn.rollback()
cur.execute("SELECT 1")
assert cur.fetchone() == (1,)
try:
    cur.execute("SELECT * FROM no_such_table")
    raise AssertionError("missing table accepted")
except psycopg2.ProgrammingError as e:
    assert e.pgcode == "42P01", e.pgcode
    assert isinstance(e, psycopg2.errors.UndefinedTable), type(e)
    assert 'relation "no_such_table" does not exist' in e.pgerror, e.pgerror
conn.rollback()
try:
    cur.execute("SELECT 1 / %s", (0,))
    raise AssertionError("division by zero accepted")
except psycopg2.DataError as e:
    assert e.pgcode == "22012", e.pgcode
conn.rollback()
try:
    cur.execute("INSERT INTO items (id, name) VALUES (100, NULL)")
    raise AssertionError("NULL accepted")
except psycopg2.IntegrityError as e:
    assert e.pgcode == "23502", e.pgcode
    assert e.diag.column_name == "name", e.diag.column_name
conn.rollback()
# A savepoint recovers from an error without losing the transaction.
cur.execute("INSERT INTO items (name) VALUES ('before error')")
cur.execute("SAVEPOINT s")
try:
    cur.execute("INSERT INTO items (name) VALUES ('apple')")
    raise AssertionError("duplicate accepted")
except psycopg2.errors.UniqueViolation:
    cur.execute("ROLLBACK TO SAVEPOINT s")
cur.execute("INSERT INTO items (name) VALUES ('after error')")
conn.commit()
cur.execute("SELECT name FROM items WHERE name IN ('before error', 'after error') ORDER BY name")
assert cur.fetchall() == [("after error",), ("before error",)], "savepoint recovery"
# Notices reach the client.
conn.commit()
cur.execute("DROP TABLE IF EXISTS never_existed")
assert any("never_existed" in n for n in conn.notices), conn.notices
conn.commit()
cur.close()
conn.close()
print("ok")
