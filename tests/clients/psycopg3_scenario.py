"""An application's session through psycopg 3 (extended protocol, server-side binding).

Checks: binary parameters and binary results (`cursor(binary=True)`, `execute(..., binary=True)`)
for int2/int4/int8, float4/float8, numeric, text, bytea, bool, date, time, timestamp, timestamptz,
interval, uuid, jsonb, json, int[]/text[]/numeric[] (with NULLs and empty arrays) compared with the
same query in text format; a statement with `prepare=True` executed several times (and
prepare_threshold); executemany; COPY FROM STDIN with write_row and COPY TO STDOUT with rows(), in
text and binary formats (`FORMAT BINARY` with set_types); pipeline mode (several statements,
an error inside a pipeline, recovery); jsonb round trip (nested, unicode, numbers); numeric
(38+ digits, 1e-20, NaN, display scale '1.000', division result scale) and array round trips (empty,
multi-dimensional, NULL elements); result metadata (description type
codes, column names); errors with SQLSTATE in binary mode.

usage: python3 psycopg3_scenario.py HOST PORT DBNAME   (exit status 0 when every check passed)
The user is `quiver`; CLIENT_TEST_USER / CLIENT_TEST_PASSWORD override it (e.g. to run against PostgreSQL).
"""
import datetime
import decimal
import os
import sys
import uuid

import psycopg
from psycopg import sql
from psycopg.types.json import Json, Jsonb

host, port, dbname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = os.environ.get("CLIENT_TEST_USER", "quiver")
password = os.environ.get("CLIENT_TEST_PASSWORD")
D = decimal.Decimal
UTC = datetime.timezone.utc

conn = psycopg.connect(host=host, port=port, dbname=dbname, user=user, password=password, autocommit=True)
conn.execute("SET TIME ZONE 'UTC'")

# --- binary parameters and results ------------------------------------------------------------
conn.execute(
    """CREATE TABLE vals (
        id int PRIMARY KEY, s smallint, i int, b bigint, r real, f double precision, n numeric,
        t text, v varchar(20), by bytea, ok boolean, d date, tm time, ts timestamp, tstz timestamptz,
        iv interval, u uuid, jb jsonb, js json, ia int[], ta text[], na numeric[])"""
)
row = (
    1,
    -32768,
    2147483647,
    -9223372036854775808,
    1.5,
    -2.25e300,
    D("-12345678901234567890.000000000000000001"),
    "unicode ✓ 'q' \"dq\" \\",
    "short",
    bytes(range(256)),
    False,
    datetime.date(1999, 12, 31),
    datetime.time(23, 59, 58, 123456),
    datetime.datetime(2000, 1, 1, 0, 0, 0, 1),
    datetime.datetime(2024, 6, 30, 22, 15, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    datetime.timedelta(days=3, seconds=3725, microseconds=5),
    uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    Jsonb({"k": [1, 2.5, "x", None, True], "nested": {"é": "ü"}}),
    Json([1, "two"]),
    [1, None, -3],
    ["a", "b c", None, "d,e", '"q"'],
    [D("1.10"), None, D("-0.001")],
)
expected = (
    1,
    -32768,
    2147483647,
    -9223372036854775808,
    1.5,
    -2.25e300,
    D("-12345678901234567890.000000000000000001"),
    "unicode ✓ 'q' \"dq\" \\",
    "short",
    bytes(range(256)),
    False,
    datetime.date(1999, 12, 31),
    datetime.time(23, 59, 58, 123456),
    datetime.datetime(2000, 1, 1, 0, 0, 0, 1),
    datetime.datetime(2024, 7, 1, 3, 15, 0, tzinfo=UTC),
    datetime.timedelta(days=3, seconds=3725, microseconds=5),
    uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    {"k": [1, 2.5, "x", None, True], "nested": {"é": "ü"}},
    [1, "two"],
    [1, None, -3],
    ["a", "b c", None, "d,e", '"q"'],
    [D("1.10"), None, D("-0.001")],
)
placeholders = ", ".join(["%b"] * len(row))  # %b: every parameter sent in binary format
conn.execute(f"INSERT INTO vals VALUES ({placeholders})", row)
placeholders_t = ", ".join(["%t"] * len(row))  # and the same values in text format
conn.execute(f"INSERT INTO vals VALUES ({placeholders_t})", (2,) + row[1:])
cols = "id, s, i, b, r, f, n, t, v, by, ok, d, tm, ts, tstz, iv, u, jb, js, ia, ta, na"
text_oids = [23, 21, 23, 20, 700, 701, 1700, 25, 1043, 17, 16, 1082, 1083, 1114, 1184, 1186, 2950, 3802, 114, 1007, 1009, 1231]
for binary in (False, True):
    with conn.cursor(binary=binary) as cur:
        cur.execute(f"SELECT {cols} FROM vals ORDER BY id")
        assert [c.name for c in cur.description] == cols.split(", "), cur.description
        assert [c.type_code for c in cur.description] == text_oids, [c.type_code for c in cur.description]
        fmt = 1 if binary else 0
        assert all(cur.pgresult.fformat(i) == fmt for i in range(len(text_oids))), ("result format", binary)
        rows = cur.fetchall()
        for r in rows:
            for k, (got, exp) in enumerate(zip(r[1:], expected[1:]), 1):
                assert got == exp, (f"binary={binary} row {r[0]} column {cols.split(', ')[k]}", got, exp)
# execute(..., binary=True) on a plain cursor: binary results for one statement only.
cur = conn.cursor()
cur.execute("SELECT %s::int8 * 2, %s::numeric + 1, %s::text[], %s::float4", (21, D("0.5"), ["x", "y"], 0.25), binary=True)
assert cur.pgresult.fformat(0) == 1, "execute(binary=True) result not binary"
assert cur.fetchone() == (42, D("1.5"), ["x", "y"], 0.25), "execute(binary=True)"
cur.execute("SELECT 1::int8")
assert cur.pgresult.fformat(0) == 0, "text result expected after a binary one"
# Numeric specials and scales.
for value in (D("0"), D("-0.5"), D("1e-20"), D("123456789012345678901234567890.123456789"), D("NaN"), D("100"), D("1.000")):
    for binary in (False, True):
        got = conn.cursor(binary=binary).execute("SELECT %s::numeric", (value,)).fetchone()[0]
        assert (got.is_nan() and value.is_nan()) or (got == value and str(got) == str(value)), (value, got, binary)
got = conn.execute("SELECT 10::numeric / 3, round(2.675::numeric, 2), 1.5::numeric(10,3)").fetchone()
assert got == (D("3.3333333333333333"), D("2.68"), D("1.500")) and str(got[2]) == "1.500", got
# Arrays: empty, multi-dimensional, with NULLs, in both formats.
for binary in (False, True):
    c = conn.cursor(binary=binary)
    got = c.execute("SELECT %s::int[], ARRAY[[1,2],[3,4]], '{}'::text[], ARRAY[NULL, 'x']::text[], %s::bigint[]", ([5, 6], [2**40, None])).fetchone()
    assert got == ([5, 6], [[1, 2], [3, 4]], [], [None, "x"], [2**40, None]), (binary, got)
    got = c.execute("SELECT array_length(%s::int[], 1), %s = ANY(ARRAY[1,2,3]), cardinality(%s::text[])", ([1, 2, 3], 2, ["a"])).fetchone()
    assert got == (3, True, 1), (binary, got)

# --- jsonb ------------------------------------------------------------------------------------
conn.execute("CREATE TABLE docs (id int PRIMARY KEY, body jsonb NOT NULL)")
docs = {
    1: {"name": "ann", "tags": ["a", "b"], "age": 31, "score": 1.25, "nested": {"deep": [{"x": None}]}},
    2: {"name": "bøb ✓", "tags": [], "age": 25, "big": 12345678901234567890},
    3: [1, "x", False],
}
with conn.cursor() as cur:
    cur.executemany("INSERT INTO docs VALUES (%s, %s)", [(k, Jsonb(v)) for k, v in docs.items()])
    for binary in (False, True):
        cur.execute("SELECT id, body FROM docs ORDER BY id", binary=binary)
        assert dict(cur.fetchall()) == docs, ("jsonb round trip", binary)
    cur.execute("SELECT body->>'name', body->'tags', (body->>'age')::int FROM docs WHERE body @> %s ORDER BY id", (Jsonb({"name": "ann"}),))
    assert cur.fetchall() == [("ann", ["a", "b"], 31)], "jsonb operators"
    cur.execute("SELECT jsonb_build_object('a', %s::int, 'b', %s::text)", (1, "x"), binary=True)
    assert cur.fetchone()[0] == {"a": 1, "b": "x"}, "jsonb_build_object"

# --- prepared statements ----------------------------------------------------------------------
conn.execute("CREATE TABLE counters (k text PRIMARY KEY, n bigint NOT NULL)")
for i in range(5):
    conn.execute("INSERT INTO counters VALUES (%s, %s)", (f"k{i}", i), prepare=True)
for i in range(5):
    got = conn.execute("SELECT k, n * 10 FROM counters WHERE k = %s", (f"k{i}",), prepare=True).fetchone()
    assert got == (f"k{i}", i * 10), got
for binary in (False, True):
    for i in range(3):
        got = conn.cursor(binary=binary).execute("SELECT sum(n) + %s FROM counters", (i,), prepare=True).fetchone()
        assert got == (D(10 + i),), (binary, got)
# Automatic preparation after prepare_threshold executions.
conn.prepare_threshold = 2
for i in range(6):
    got = conn.execute("SELECT n FROM counters WHERE k = %s", (f"k{i % 5}",)).fetchone()
    assert got == (i % 5,), got
# A prepared statement survives a schema change in a different table and sees new rows.
conn.execute("INSERT INTO counters VALUES ('k9', 9)")
assert conn.execute("SELECT n FROM counters WHERE k = %s", ("k9",), prepare=True).fetchone() == (9,)
conn.prepare_threshold = 5

# --- executemany with returning ---------------------------------------------------------------
with conn.cursor() as cur:
    cur.executemany("INSERT INTO counters VALUES (%s, %s) RETURNING k, n + 1", [("r1", 1), ("r2", 2)], returning=True)
    got = []
    while True:
        got.append(cur.fetchone())
        if not cur.nextset():
            break
    assert got == [("r1", 2), ("r2", 3)], got

# --- COPY -------------------------------------------------------------------------------------
conn.execute("CREATE TABLE measurements (id int PRIMARY KEY, name text, value numeric, at timestamptz, tags text[], payload bytea, ok bool)")
records = [
    (1, "alpha", D("1.5"), datetime.datetime(2024, 1, 1, 12, 0, tzinfo=UTC), ["x", "y"], b"\x00\x01", True),
    (2, "tab\there", D("-0.25"), datetime.datetime(2024, 1, 2, 0, 0, 1, 500, tzinfo=UTC), [], b"", False),
    (3, None, None, None, None, None, None),
    (4, "new\nline \\ back", D("1e10"), datetime.datetime(1970, 1, 1, tzinfo=UTC), ["with space", None], b"\\x", True),
]
with conn.cursor() as cur:
    with cur.copy("COPY measurements (id, name, value, at, tags, payload, ok) FROM STDIN") as copy:
        for r in records[:2]:
            copy.write_row(r)
    assert cur.rowcount == 2, cur.rowcount
    with cur.copy("COPY measurements FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text", "numeric", "timestamptz", "text[]", "bytea", "bool"])
        for r in records[2:]:
            copy.write_row(r)
    assert cur.rowcount == 2, cur.rowcount
    cur.execute("SELECT * FROM measurements ORDER BY id")
    assert cur.fetchall() == records, "COPY FROM data"
    # COPY TO in text format, typed rows.
    with cur.copy("COPY (SELECT * FROM measurements ORDER BY id) TO STDOUT") as copy:
        copy.set_types(["int4", "text", "numeric", "timestamptz", "text[]", "bytea", "bool"])
        got = list(copy.rows())
    assert got == records, ("COPY TO text", got)
    # Untyped text rows are strings, NULL is None.
    with cur.copy("COPY measurements (id, name, ok) TO STDOUT") as copy:
        got = list(copy.rows())
    assert got[:3] == [("1", "alpha", "t"), ("2", "tab\there", "f"), ("3", None, None)], got
    # COPY TO in binary format.
    with cur.copy("COPY measurements TO STDOUT (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text", "numeric", "timestamptz", "text[]", "bytea", "bool"])
        got = sorted(copy.rows(), key=lambda r: r[0])
    assert got == records, ("COPY TO binary", got)
    # Raw binary copy starts with the PGCOPY signature.
    with cur.copy("COPY (SELECT 1::int4) TO STDOUT (FORMAT BINARY)") as copy:
        raw = b"".join(bytes(b) for b in copy)
    assert raw.startswith(b"PGCOPY\n\xff\r\n\x00") and raw.endswith(b"\xff\xff"), raw
    # CSV through copy.write() of a raw block.
    with cur.copy("COPY measurements (id, name) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write("10,\"csv, name\"\n11,\n")
    assert cur.execute("SELECT name FROM measurements WHERE id IN (10, 11) ORDER BY id").fetchall() == [("csv, name",), (None,)]
    # An error during COPY FROM raises and stores nothing.
    try:
        with cur.copy("COPY measurements (id, name) FROM STDIN") as copy:
            copy.write_row((20, "fine"))
            copy.write_row((1, "duplicate key"))
        raise AssertionError("duplicate key in COPY accepted")
    except psycopg.errors.UniqueViolation:
        pass
    assert cur.execute("SELECT count(*) FROM measurements WHERE id = 20").fetchone() == (0,)

# --- pipeline mode ----------------------------------------------------------------------------
conn.execute("CREATE TABLE pipe (id int PRIMARY KEY, v text)")
with conn.pipeline() as p:
    c1 = conn.execute("INSERT INTO pipe VALUES (%s, %s)", (1, "one"))
    c2 = conn.execute("INSERT INTO pipe VALUES (%s, %s) RETURNING id * 100", (2, "two"))
    c3 = conn.execute("SELECT v FROM pipe ORDER BY id")
    p.sync()
    assert c2.fetchone() == (200,), "pipeline RETURNING"
    assert c3.fetchall() == [("one",), ("two",)], "pipeline SELECT"
with conn.pipeline():
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO pipe VALUES (%s, %s)", [(i, f"v{i}") for i in range(3, 50)])
assert conn.execute("SELECT count(*), max(id) FROM pipe").fetchone() == (49, 49), "pipeline executemany"
# An error in a pipeline aborts the rest up to the sync; the connection is usable afterwards.
try:
    with conn.pipeline():
        conn.execute("INSERT INTO pipe VALUES (100, 'a')")
        conn.execute("INSERT INTO pipe VALUES (1, 'dup')")
        conn.execute("INSERT INTO pipe VALUES (101, 'b')")
    raise AssertionError("pipeline error not raised")
except psycopg.errors.UniqueViolation as e:
    assert e.sqlstate == "23505", e.sqlstate
assert conn.execute("SELECT count(*) FROM pipe WHERE id >= 100").fetchone() == (0,), "pipeline: one implicit transaction up to the sync, rolled back whole"
with conn.transaction():
    with conn.pipeline():
        conn.execute("INSERT INTO pipe VALUES (200, 'tx')")
        conn.execute("UPDATE pipe SET v = 'tx2' WHERE id = 200")
assert conn.execute("SELECT v FROM pipe WHERE id = 200").fetchone() == ("tx2",)

# --- transactions and errors ------------------------------------------------------------------
try:
    with conn.transaction():
        conn.execute("INSERT INTO pipe VALUES (300, 'rolled back')")
        with conn.transaction():  # savepoint
            conn.execute("INSERT INTO pipe VALUES (301, 'inner')")
        conn.execute("SELECT 1 / 0")
except psycopg.errors.DivisionByZero as e:
    assert e.sqlstate == "22012", e.sqlstate
assert conn.execute("SELECT count(*) FROM pipe WHERE id >= 300").fetchone() == (0,)
with conn.transaction():
    conn.execute("INSERT INTO pipe VALUES (310, 'kept')")
    try:
        with conn.transaction():
            conn.execute("INSERT INTO pipe VALUES (310, 'dup')")
    except psycopg.errors.UniqueViolation:
        pass
assert conn.execute("SELECT v FROM pipe WHERE id = 310").fetchone() == ("kept",)
try:
    conn.cursor(binary=True).execute("SELECT * FROM missing_table WHERE id = %s", (1,))
    raise AssertionError("missing table accepted")
except psycopg.errors.UndefinedTable as e:
    assert e.sqlstate == "42P01" and e.diag.message_primary == 'relation "missing_table" does not exist', e.diag.message_primary
# Composed identifiers and literals.
q = sql.SQL("SELECT {col} FROM {tbl} WHERE id = {val}").format(col=sql.Identifier("v"), tbl=sql.Identifier("pipe"), val=sql.Literal(1))
assert conn.execute(q).fetchone() == ("one",)
# Server information reported to the client.
assert conn.info.server_version >= 90000, conn.info.server_version
assert conn.info.parameter_status("client_encoding") == "UTF8", conn.info.parameter_status("client_encoding")
assert conn.info.parameter_status("standard_conforming_strings") == "on"
conn.close()
print("ok")
