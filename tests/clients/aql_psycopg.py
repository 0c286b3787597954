"""The README's AQL examples through psycopg 3 (server-side binding, extended protocol).

usage: python3 aql_psycopg.py HOST PORT DBNAME   (exit status 0 when every check passed)
"""
import sys

import psycopg
from psycopg.types.json import Jsonb

host, port, dbname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with psycopg.connect(host=host, port=port, dbname=dbname, user="quiver", autocommit=True) as conn:
    conn.execute("CREATE TABLE users (id int PRIMARY KEY, name text, age int)")
    conn.execute("INSERT INTO users VALUES (1, 'ann', 31), (2, 'bob', 25), (3, 'cid', 44)")
    query = "FOR u IN users FILTER u.age > @a SORT u.name RETURN u.name"
    # The README's call: query text untyped (psycopg sends str as unknown), bind vars jsonb.
    rows = conn.execute("SELECT value FROM aql(%s, %s::jsonb)", (query, Jsonb({"a": 30}))).fetchall()
    assert rows == [("ann",), ("cid",)], rows
    # Prepared on the server, executed twice with other values.
    for bind, expected in (({"a": 40}, [("cid",)]), ({"a": 0}, [("ann",), ("bob",), ("cid",)])):
        rows = conn.execute("SELECT value FROM aql(%s, %s::jsonb)", (query, Jsonb(bind)), prepare=True).fetchall()
        assert rows == expected, (bind, rows)
    # Documents come back as Python values.
    doc = conn.execute("SELECT value FROM aql('FOR u IN users FILTER u.id == 2 RETURN u')").fetchone()[0]
    assert doc == {"id": 2, "name": "bob", "age": 25}, doc
    # Collection documents carry _key, _id and _rev; writes through AQL with bind vars.
    conn.execute("CREATE COLLECTION people")
    new = conn.execute(
        "SELECT value FROM aql(%s, %s::jsonb)", ("INSERT @doc INTO @@c RETURN NEW", Jsonb({"doc": {"_key": "ann", "age": 31}, "@c": "people"}))
    ).fetchone()[0]
    assert new["_key"] == "ann" and new["_id"] == "people/ann" and new["_rev"] and new["age"] == 31, new
    doc = conn.execute("SELECT value FROM aql(%s, %s::jsonb)", ("FOR p IN people FILTER p.age > @a RETURN p", Jsonb({"a": 30}))).fetchone()[0]
    assert doc == new, (doc, new)
    # Errors keep their SQLSTATE.
    try:
        conn.execute("SELECT value FROM aql('FOR u IN nope RETURN u')")
        raise AssertionError("no error")
    except psycopg.errors.UndefinedTable as e:
        assert "collection or view not found: nope at position 1:10" in str(e), str(e)
    try:
        conn.execute("SELECT value FROM aql('UPDATE \"nobody\" WITH {} IN people')")
        raise AssertionError("no error")
    except psycopg.errors.NoDataFound as e:
        assert "document not found" in str(e), str(e)
print("ok")
