"""An application's session through asyncpg (binary protocol throughout, pg_type introspection).

Checks: connect; fetch/fetchrow/fetchval with parameters of int4, int8, text, numeric, float8, bool,
bytea, date, timestamptz, uuid, jsonb and json (through set_type_codec, which introspects pg_type),
int[] and text[], round-tripped through a table and compared as Python values; prepared statements
(conn.prepare: get_parameters / get_attributes type names, OIDs and kinds, executed several times);
executemany; transactions (commit, rollback on exception, nested savepoints, read-only and
isolation level); copy_records_to_table, copy_to_table (CSV), copy_from_query, copy_from_table;
cursor iteration and a cursor object (fetch/forward) inside a transaction; a user-defined enum
(introspection of a non-builtin type); errors mapped to asyncpg exceptions with SQLSTATE, the
connection usable afterwards.

usage: python3 asyncpg_scenario.py HOST PORT DBNAME   (exit status 0 when every check passed)
The user is `quiver`; CLIENT_TEST_USER / CLIENT_TEST_PASSWORD override it (e.g. to run against PostgreSQL).
"""
import asyncio
import datetime
import decimal
import io
import json
import os
import sys
import uuid

import asyncpg

host, port, dbname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = os.environ.get("CLIENT_TEST_USER", "quiver")
password = os.environ.get("CLIENT_TEST_PASSWORD")
D = decimal.Decimal
UTC = datetime.timezone.utc


async def main():
    conn = await asyncpg.connect(host=host, port=port, database=dbname, user=user, password=password)
    assert conn.get_server_version().major >= 9, conn.get_server_version()
    await conn.execute("SET TIME ZONE 'UTC'")

    # --- builtin types through a table ---------------------------------------------------------
    await conn.execute(
        """CREATE TABLE t (
            id int4 PRIMARY KEY, big int8, name text, amount numeric(20,6), ratio float8, active bool,
            blob bytea, day date, at timestamptz, uid uuid, doc jsonb, ints int[], words text[])"""
    )
    row = (
        1,
        2**62,
        "Zoë 'x' \"y\"",
        D("12345678901234.123456"),
        -1.0e-10,
        True,
        b"\x00\xffbin\n",
        datetime.date(2020, 2, 29),
        datetime.datetime(2021, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        uuid.UUID("00000000-0000-4000-8000-000000000001"),
        '{"a": [1, 2, {"b": null}], "c": "d"}',  # jsonb text before a codec is set
        [1, None, 3],
        ["alpha", "beta gamma", None, ""],
    )
    status = await conn.execute("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", *row)
    assert status == "INSERT 0 1", status
    got = await conn.fetchrow("SELECT * FROM t WHERE id = $1", 1)
    assert tuple(got.keys()) == ("id", "big", "name", "amount", "ratio", "active", "blob", "day", "at", "uid", "doc", "ints", "words"), got.keys()
    for k, (g, e) in enumerate(zip(got.values(), row)):
        if k == 10:
            assert json.loads(g) == json.loads(e), (g, e)
        else:
            assert g == e and isinstance(g, type(e)), (list(got.keys())[k], g, e)
    # Parameters in expressions; asyncpg needs the server to infer every parameter's type.
    assert await conn.fetchval("SELECT $1::int8 + $2", 2**40, 2) == 2**40 + 2
    assert await conn.fetchval("SELECT $1 || $2::text", "a", "b") == "ab"
    assert await conn.fetchval("SELECT amount * $1 FROM t WHERE id = $2", D("2"), 1) == D("24691357802468.246912")
    assert await conn.fetchval("SELECT $1 = ANY(ints) FROM t", 3) is True
    assert await conn.fetchval("SELECT array_length($1::text[], 1)", ["a", "b", "c"]) == 3
    assert await conn.fetchval("SELECT $1::date + 1", datetime.date(2020, 12, 31)) == datetime.date(2021, 1, 1)
    assert await conn.fetchval("SELECT $1::timestamptz + interval '1 hour'", datetime.datetime(2020, 1, 1, tzinfo=UTC)) == datetime.datetime(
        2020, 1, 1, 1, tzinfo=UTC
    )
    assert await conn.fetchval("SELECT $1::uuid::text", uuid.UUID(int=5)) == "00000000-0000-0000-0000-000000000005"
    assert await conn.fetchval("SELECT $1::bytea", b"") == b""
    assert await conn.fetchval("SELECT NULL::int") is None
    assert await conn.fetchval("SELECT $1::float8 / 4", 1.0) == 0.25
    assert await conn.fetchval("SELECT $1::numeric", D("-0.000001")) == D("-0.000001")
    rows = await conn.fetch("SELECT g, g * g AS sq FROM generate_series(1, $1) g ORDER BY g", 5)
    assert [tuple(r) for r in rows] == [(1, 1), (2, 4), (3, 9), (4, 16), (5, 25)], rows
    assert rows[2]["sq"] == 9

    # --- json/jsonb codecs (pg_type introspection) ---------------------------------------------
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    doc = await conn.fetchval("SELECT doc FROM t WHERE id = 1")
    assert doc == {"a": [1, 2, {"b": None}], "c": "d"}, doc
    await conn.execute("UPDATE t SET doc = $1 WHERE id = 1", {"new": ["ü", 1.5, True]})
    assert await conn.fetchval("SELECT doc FROM t WHERE id = 1") == {"new": ["ü", 1.5, True]}
    assert await conn.fetchval("SELECT $1::json", [1, {"x": None}]) == [1, {"x": None}]
    assert await conn.fetchval("SELECT doc->'new'->>0 FROM t") == "ü"

    # --- a non-builtin type: an enum, introspected on first use --------------------------------
    await conn.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
    await conn.execute("CREATE TABLE feelings (id int PRIMARY KEY, m mood NOT NULL)")
    await conn.execute("INSERT INTO feelings VALUES ($1, $2)", 1, "happy")
    assert await conn.fetchval("SELECT m FROM feelings WHERE id = 1") == "happy"
    assert await conn.fetchval("SELECT count(*) FROM feelings WHERE m > $1", "sad") == 1

    # --- prepared statements -------------------------------------------------------------------
    stmt = await conn.prepare("SELECT id, name, amount, ints FROM t WHERE id = $1 AND name <> $2")
    params = stmt.get_parameters()
    assert [(p.name, p.oid, p.kind) for p in params] == [("int4", 23, "scalar"), ("text", 25, "scalar")], params
    attrs = stmt.get_attributes()
    assert [(a.name, a.type.name, a.type.oid) for a in attrs] == [("id", "int4", 23), ("name", "text", 25), ("amount", "numeric", 1700), ("ints", "int4[]", 1007)], attrs
    assert attrs[3].type.kind == "array" and attrs[3].type.schema == "pg_catalog", attrs[3].type
    for _ in range(3):
        r = await stmt.fetchrow(1, "nobody")
        assert r["amount"] == D("12345678901234.123456") and r["ints"] == [1, None, 3], r
    assert await stmt.fetchrow(2, "x") is None
    assert await stmt.fetchval(1, "nobody", column=1) == "Zoë 'x' \"y\""
    ins = await conn.prepare("INSERT INTO t (id, name, big) VALUES ($1, $2, $3) RETURNING id * 10")
    assert [p.name for p in ins.get_parameters()] == ["int4", "text", "int8"], ins.get_parameters()
    assert await ins.fetchval(2, "two", 22) == 20
    assert await ins.fetchval(3, "three", None) == 30
    expl = await conn.fetchval("SELECT count(*) FROM t")
    assert expl == 3, expl

    # --- executemany ---------------------------------------------------------------------------
    await conn.execute("CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL, at timestamptz, score float8)")
    base = datetime.datetime(2024, 5, 1, tzinfo=UTC)
    await conn.executemany(
        "INSERT INTO events VALUES ($1, $2, $3, $4)",
        [(i, "click" if i % 2 else "view", base + datetime.timedelta(minutes=i), i / 4) for i in range(1, 101)],
    )
    r = await conn.fetchrow("SELECT count(*) AS n, sum(score) AS s, max(at) AS m FROM events WHERE kind = $1", "click")
    assert (r["n"], r["s"], r["m"]) == (50, 625.0, base + datetime.timedelta(minutes=99)), r

    # --- transactions --------------------------------------------------------------------------
    async with conn.transaction():
        await conn.execute("INSERT INTO events VALUES (1000, 'tx', NULL, NULL)")
    try:
        async with conn.transaction():
            await conn.execute("INSERT INTO events VALUES (1001, 'tx', NULL, NULL)")
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert await conn.fetchval("SELECT array_agg(id ORDER BY id) FROM events WHERE kind = 'tx'") == [1000]
    async with conn.transaction():
        await conn.execute("INSERT INTO events VALUES (1002, 'outer', NULL, NULL)")
        try:
            async with conn.transaction():  # savepoint
                await conn.execute("INSERT INTO events VALUES (1003, 'inner', NULL, NULL)")
                await conn.execute("INSERT INTO events VALUES (1002, 'dup', NULL, NULL)")
        except asyncpg.UniqueViolationError as e:
            assert e.sqlstate == "23505", e.sqlstate
        async with conn.transaction():
            await conn.execute("INSERT INTO events VALUES (1004, 'inner2', NULL, NULL)")
    kinds = await conn.fetch("SELECT kind FROM events WHERE id >= 1002 ORDER BY id")
    assert [r["kind"] for r in kinds] == ["outer", "inner2"], kinds
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        assert await conn.fetchval("SHOW transaction_isolation") == "repeatable read"
        try:
            await conn.execute("DELETE FROM events")
            raise AssertionError("write in a read-only transaction")
        except asyncpg.ReadOnlySQLTransactionError as e:
            assert e.sqlstate == "25006", e.sqlstate
    tr = conn.transaction()
    await tr.start()
    await conn.execute("DELETE FROM events WHERE id = 1000")
    await tr.rollback()
    assert await conn.fetchval("SELECT count(*) FROM events WHERE id = 1000") == 1
    assert not conn.is_in_transaction()

    # --- COPY ----------------------------------------------------------------------------------
    await conn.execute("CREATE TABLE readings (id int PRIMARY KEY, sensor text, val numeric(10,3), at timestamptz, flags bool[], raw bytea)")
    records = [
        (1, "s1", D("1.500"), datetime.datetime(2024, 1, 1, tzinfo=UTC), [True, False], b"\x01"),
        (2, "s\t2", D("-2.250"), None, None, b""),
        (3, None, None, datetime.datetime(1999, 1, 1, 12, 30, tzinfo=UTC), [], None),
    ]
    res = await conn.copy_records_to_table("readings", records=records)
    assert res == "COPY 3", res
    res = await conn.copy_records_to_table("readings", records=[(4, "s4"), (5, "s5")], columns=["id", "sensor"])
    assert res == "COPY 2", res
    got = await conn.fetch("SELECT * FROM readings ORDER BY id")
    assert [tuple(r) for r in got[:3]] == records, got
    assert [tuple(r) for r in got[3:]] == [(4, "s4", None, None, None, None), (5, "s5", None, None, None, None)], got
    res = await conn.copy_to_table(
        "readings", source=io.BytesIO(b"id,sensor,val\n6,\"csv, six\",6.125\n7,,\n"), columns=["id", "sensor", "val"], format="csv", header=True
    )
    assert res == "COPY 2", res
    assert tuple(await conn.fetchrow("SELECT sensor, val FROM readings WHERE id = 6")) == ("csv, six", D("6.125"))
    out = io.BytesIO()
    res = await conn.copy_from_query("SELECT id, sensor, val FROM readings WHERE id <= $1 ORDER BY id", 3, output=out, format="csv", header=True)
    assert res == "COPY 3", res
    assert out.getvalue() == b'id,sensor,val\n1,s1,1.500\n2,s\t2,-2.250\n3,,\n', out.getvalue()
    out = io.BytesIO()
    res = await conn.copy_from_table("readings", output=out, columns=["id", "sensor"])
    assert res == "COPY 7", res
    lines = sorted(out.getvalue().decode().splitlines())
    assert lines == ["1\ts1", "2\ts\\t2", "3\t\\N", "4\ts4", "5\ts5", "6\tcsv, six", "7\t\\N"], lines
    out = io.BytesIO()
    await conn.copy_from_table("readings", output=out, format="binary")
    assert out.getvalue().startswith(b"PGCOPY\n\xff\r\n\x00"), out.getvalue()[:20]

    # --- cursors -------------------------------------------------------------------------------
    async with conn.transaction():
        total, n = 0.0, 0
        async for r in conn.cursor("SELECT id, score FROM events WHERE id <= $1 ORDER BY id", 100, prefetch=7):
            total += r["score"]
            n += 1
        assert (n, total) == (100, 1262.5), (n, total)
        cur = await conn.cursor("SELECT id FROM events WHERE kind = $1 ORDER BY id", "view")
        assert [r["id"] for r in await cur.fetch(3)] == [2, 4, 6]
        await cur.forward(2)
        assert (await cur.fetchrow())["id"] == 12
        assert [r["id"] for r in await cur.fetch(2)] == [14, 16]

    # --- errors --------------------------------------------------------------------------------
    try:
        await conn.fetch("SELECT * FROM nope")
        raise AssertionError("missing table accepted")
    except asyncpg.UndefinedTableError as e:
        assert e.sqlstate == "42P01" and 'relation "nope" does not exist' in str(e), (e.sqlstate, str(e))
    try:
        await conn.execute("INSERT INTO events VALUES ($1, $2, NULL, NULL)", 1, "dup")
        raise AssertionError("duplicate accepted")
    except asyncpg.UniqueViolationError as e:
        assert e.sqlstate == "23505" and e.constraint_name == "events_pkey" and e.table_name == "events", (e.sqlstate, e.constraint_name, e.table_name)
    try:
        await conn.fetchval("SELECT $1::int / 0", 1)
        raise AssertionError("division by zero accepted")
    except asyncpg.DivisionByZeroError as e:
        assert e.sqlstate == "22012", e.sqlstate
    try:
        await conn.execute("INSERT INTO events VALUES ($1, $2)", "not an int", "x")
        raise AssertionError("bad parameter accepted")
    except asyncpg.DataError:
        pass  # asyncpg refuses to encode the str as int4 (client side)
    assert await conn.fetchval("SELECT count(*) FROM events") == 103
    await conn.close()

    # A pool and concurrent connections.
    pool = await asyncpg.create_pool(host=host, port=port, database=dbname, user=user, password=password, min_size=2, max_size=4)
    results = await asyncio.gather(*(pool.fetchval("SELECT count(*) + $1 FROM events", i) for i in range(8)))
    assert results == [103 + i for i in range(8)], results
    await pool.close()


asyncio.run(main())
print("ok")
