"""pyodbc over psqlODBC scenario: multi-statement text, ? parameters, transactions with
savepoints, catalog functions (tables, columns, primaryKeys, statistics), cursor.description,
typed values and SQLSTATEs.

setup: apt-get install -y odbc-postgresql unixodbc unixodbc-dev && python3 -m pip install pyodbc
usage: python3 odbc_scenario.py HOST PORT DBNAME
(user quiver unless PGUSER is set; PGPASSWORD is honoured; ODBC_DRIVER overrides the driver name
"PostgreSQL Unicode"; prints "ok" last and exits 0 when every check passed)
"""
import datetime
import os
import sys
import traceback
from decimal import Decimal

import pyodbc

failures = []


def check(ok, what):
    """Failed checks are collected so one run reports every problem."""
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)
    return ok


def eq(actual, expected, what):
    return check(actual == expected, f"{what}: got {actual!r}, expected {expected!r}")


class section:
    """A block of checks; an exception ends only its block (and rolls back an open transaction)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is not None:
            line = traceback.extract_tb(tb)[-1].lineno
            check(False, f"{self.name}: {kind.__name__}: {exc} (line {line})")
        try:
            if not conn.autocommit:
                conn.rollback()
                conn.autocommit = True
        except pyodbc.Error as e:
            check(False, f"{self.name}: cleanup failed: {e}")
        return True


def sqlstate(sql, *params):
    try:
        conn.cursor().execute(sql, *params)
    except pyodbc.Error as e:
        return e.args[0]
    return "no error"


host, port, dbname = sys.argv[1], sys.argv[2], sys.argv[3]
user = os.environ.get("PGUSER", "quiver")
driver = os.environ.get("ODBC_DRIVER", "PostgreSQL Unicode")
conn_str = f"Driver={{{driver}}};Server={host};Port={port};Database={dbname};Uid={user};BoolsAsChar=0;"
if os.environ.get("PGPASSWORD"):
    conn_str += f"Pwd={os.environ['PGPASSWORD']};"
conn = pyodbc.connect(conn_str, autocommit=True)
cur = conn.cursor()

cur.execute(
    "CREATE TABLE products (id int PRIMARY KEY, name varchar(50) NOT NULL UNIQUE, price numeric(10,2), "
    "added date, in_stock boolean, note text, created timestamp DEFAULT '2000-01-01 00:00:00')"
)
cur.execute("CREATE INDEX products_added_idx ON products (added)")

with section("driver info"):
    eq(conn.getinfo(pyodbc.SQL_DBMS_NAME), "PostgreSQL", "SQL_DBMS_NAME")
    version = conn.getinfo(pyodbc.SQL_DBMS_VER)
    check(version[:2].isdigit(), f"SQL_DBMS_VER: {version!r}")
    eq(conn.getinfo(pyodbc.SQL_DATABASE_NAME), dbname, "SQL_DATABASE_NAME")

with section("multi-statement text"):
    cur.execute(
        "INSERT INTO products (id, name, price, added, in_stock) VALUES (1, 'apple', 1.25, '2024-01-15', true);"
        "INSERT INTO products (id, name, price, added, in_stock) VALUES (2, 'pear', 2.50, '2024-01-16', false), (3, 'plum', NULL, NULL, NULL);"
        "SELECT id, name FROM products ORDER BY id"
    )
    results = []
    while True:
        if cur.description is None:
            results.append(("count", cur.rowcount))
        else:
            results.append(("rows", [tuple(r) for r in cur.fetchall()]))
        if not cur.nextset():
            break
    eq(results, [("count", 1), ("count", 2), ("rows", [(1, "apple"), (2, "pear"), (3, "plum")])], "results of a 3-statement text")

with section("? parameters"):
    cur.execute(
        "INSERT INTO products (id, name, price, added, in_stock, note, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        4, "kiwi 'ü'", Decimal("12345678.91"), datetime.date(2024, 2, 29), True, None, datetime.datetime(2024, 3, 1, 12, 34, 56),
    )
    eq(cur.rowcount, 1, "INSERT with ? parameters rowcount")
    cur.executemany("INSERT INTO products (id, name, price) VALUES (?, ?, ?)", [(5, "fig", Decimal("0.05")), (6, "date", Decimal("-3.10"))])
    cur.execute("SELECT id, name, price FROM products WHERE id >= ? AND name <> ? ORDER BY id", 4, "nothing")
    eq([tuple(r) for r in cur.fetchall()], [(4, "kiwi 'ü'", Decimal("12345678.91")), (5, "fig", Decimal("0.05")), (6, "date", Decimal("-3.10"))], "rows selected with ? parameters")
    cur.execute("SELECT count(*) FROM products WHERE price > ?", Decimal("2"))
    eq(cur.fetchone()[0], 2, "count(*) with a numeric parameter")
    cur.execute("SELECT ? AS t, CAST(? AS int) AS i, ? AS n", "text", 7, None)
    eq(tuple(cur.fetchone()), ("text", 7, None), "parameters echoed back")

with section("typed values and cursor.description"):
    cur.execute("SELECT id, name, price, added, in_stock, note, created FROM products WHERE id IN (1, 3, 4) ORDER BY id")
    desc = [(d[0], d[1]) for d in cur.description]
    eq(desc, [("id", int), ("name", str), ("price", Decimal), ("added", datetime.date), ("in_stock", bool), ("note", str), ("created", datetime.datetime)],
       "cursor.description (name, type_code)")
    eq(cur.description[2][4:6], (10, 2), "cursor.description precision/scale of numeric(10,2)")
    eq(cur.description[1][3], 50, "cursor.description internal_size of varchar(50)")
    rows = [tuple(r) for r in cur.fetchall()]
    eq(rows[0], (1, "apple", Decimal("1.25"), datetime.date(2024, 1, 15), True, None, datetime.datetime(2000, 1, 1)), "row 1 (DEFAULT timestamp)")
    eq(rows[1], (3, "plum", None, None, None, None, datetime.datetime(2000, 1, 1)), "row 3 with NULLs")
    eq(rows[2], (4, "kiwi 'ü'", Decimal("12345678.91"), datetime.date(2024, 2, 29), True, None, datetime.datetime(2024, 3, 1, 12, 34, 56)), "row 4")
    cur.execute("SELECT 1.5::float8 AS f, 9007199254740993::bigint AS b, 'x'::char(3) AS c, NULL::int AS n")
    eq(tuple(cur.fetchone()), (1.5, 9007199254740993, "x  ", None), "float8/bigint/char(3)/NULL literals")

with section("transactions and savepoints"):
    conn.autocommit = False
    cur.execute("INSERT INTO products (id, name) VALUES (10, 'rolled back')")
    cur.execute("SELECT count(*) FROM products WHERE id = 10")
    eq(cur.fetchone()[0], 1, "row visible inside the transaction")
    conn.rollback()
    cur.execute("SELECT count(*) FROM products WHERE id = 10")
    eq(cur.fetchone()[0], 0, "row gone after rollback")
    cur.execute("INSERT INTO products (id, name) VALUES (11, 'kept')")
    cur.execute("SAVEPOINT sp1")
    cur.execute("INSERT INTO products (id, name) VALUES (12, 'undone')")
    cur.execute("ROLLBACK TO SAVEPOINT sp1")
    cur.execute("SAVEPOINT sp2")
    cur.execute("UPDATE products SET note = ? WHERE id = ?", "released", 11)
    cur.execute("RELEASE SAVEPOINT sp2")
    conn.commit()
    # The driver's default error level (Protocol=7.4-2) wraps each statement in its own savepoint
    # (SAVEPOINT/RELEASE/ROLLBACK TO _EXEC_SVP_...): an error undoes only that statement.
    cur.execute("INSERT INTO products (id, name) VALUES (13, 'kept after error')")
    cur.execute("SAVEPOINT before_error")
    cur.execute("INSERT INTO products (id, name) VALUES (14, 'undone by rollback to')")
    eq(sqlstate("INSERT INTO products (id, name) VALUES (11, 'dup')"), "23505", "duplicate key inside transaction")
    cur.execute("SELECT count(*) FROM products WHERE id IN (13, 14)")
    eq(cur.fetchone()[0], 2, "statement-level rollback keeps the transaction usable")
    cur.execute("ROLLBACK TO SAVEPOINT before_error")
    conn.commit()
    conn.autocommit = True
    cur.execute("SELECT id, note FROM products WHERE id BETWEEN 10 AND 19 ORDER BY id")
    eq([tuple(r) for r in cur.fetchall()], [(11, "released"), (13, None)], "rows after commit/rollback/savepoints")

with section("error level nop (Protocol=7.4-0): aborted transaction until ROLLBACK TO"):
    nop = pyodbc.connect(conn_str + "Protocol=7.4-0;", autocommit=False)
    ncur = nop.cursor()
    ncur.execute("INSERT INTO products (id, name) VALUES (15, 'nop kept')")
    ncur.execute("SAVEPOINT before_error")
    states = []
    for sql in ("INSERT INTO products (id, name) VALUES (11, 'dup')", "SELECT 1"):
        try:
            ncur.execute(sql)
            states.append("no error")
        except pyodbc.Error as e:
            states.append(e.args[0])
    eq(states, ["23505", "25P02"], "SQLSTATEs of an error and of the next statement in the transaction")
    ncur.execute("ROLLBACK TO SAVEPOINT before_error")
    ncur.execute("SELECT name FROM products WHERE id = 15")
    eq(ncur.fetchone()[0], "nop kept", "work before the savepoint survives ROLLBACK TO")
    nop.commit()
    nop.close()

with section("cursor.tables"):
    rows = [(r.table_schem, r.table_name, r.table_type) for r in cur.tables(schema="public")]
    eq(rows, [("public", "products", "TABLE")], "cursor.tables(schema='public')")
    rows = [(r.table_schem, r.table_name, r.table_type) for r in cur.tables(table="products")]
    eq(rows, [("public", "products", "TABLE")], "cursor.tables(table='products')")
    rows = [(r.table_name, r.table_type) for r in cur.tables(table="prod%", tableType="TABLE")]
    eq(rows, [("products", "TABLE")], "cursor.tables(table='prod%', tableType='TABLE')")

with section("cursor.columns"):
    cols = [
        (r.ordinal_position, r.column_name, r.type_name, r.data_type, r.column_size, r.decimal_digits, r.nullable, r.column_def)
        for r in cur.columns(table="products")
    ]
    expected = [
        (1, "id", "int4", pyodbc.SQL_INTEGER, 10, 0, 0, None),
        (2, "name", "varchar", pyodbc.SQL_WVARCHAR, 50, None, 0, None),
        (3, "price", "numeric", pyodbc.SQL_NUMERIC, 10, 2, 1, None),
        (4, "added", "date", pyodbc.SQL_TYPE_DATE, 10, None, 1, None),
        (5, "in_stock", "bool", pyodbc.SQL_BIT, 1, 0, 1, None),
        (6, "note", "text", pyodbc.SQL_WLONGVARCHAR, 8190, None, 1, None),
        (7, "created", "timestamp", pyodbc.SQL_TYPE_TIMESTAMP, 26, 6, 1, "'2000-01-01 00:00:00'::timestamp without time zone"),
    ]
    eq(len(cols), len(expected), "cursor.columns row count")
    for got, want in zip(cols, expected):
        eq(got, want, f"cursor.columns {want[1]} (ordinal, name, type_name, data_type, column_size, decimal_digits, nullable, column_def)")

with section("cursor.primaryKeys"):
    eq([(r.table_name, r.column_name, r.key_seq, r.pk_name) for r in cur.primaryKeys("products")], [("products", "id", 1, "products_pkey")],
       "cursor.primaryKeys('products')")

with section("SQLSTATE"):
    eq(sqlstate("INSERT INTO products (id, name) VALUES (1, 'dup')"), "23505", "duplicate primary key")
    eq(sqlstate("INSERT INTO products (id, name) VALUES (?, ?)", 99, "apple"), "23505", "duplicate unique name (parameters)")
    eq(sqlstate("SELECT * FROM no_such_table"), "42P01", "undefined table")
    eq(sqlstate("SELECT * FROM no_such_table WHERE id = ?", 1), "42P01", "undefined table (parameters)")
    try:
        conn.cursor().execute("INSERT INTO products (id, name) VALUES (1, 'dup')")
    except pyodbc.IntegrityError as e:
        check("duplicate key" in str(e), f"23505 message: {e}")
    except pyodbc.Error as e:
        check(False, f"23505 should raise IntegrityError, got {type(e).__name__}: {e}")
    cur.execute("SELECT count(*) FROM products")
    eq(cur.fetchone()[0], 9, "connection usable after errors")

with section("cursor.statistics"):
    # Run in a forked child on its own connection: psqlODBC parses pg_index.indkey itself and can
    # crash the process on catalog data it does not expect; a crash is reported as a failure here.
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        try:
            scur = pyodbc.connect(conn_str, autocommit=True).cursor()
            result = repr(sorted((r.index_name, r.non_unique, r.column_name, r.ordinal_position) for r in scur.statistics("products") if r.index_name))
        except BaseException as e:  # reported by the parent
            result = "error: " + repr(e)
        os.write(write_end, result.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        result = pipe.read()
    _, status = os.waitpid(child, 0)
    if check(os.WIFEXITED(status), f"cursor.statistics('products') crashed the driver (signal {os.WTERMSIG(status) if os.WIFSIGNALED(status) else '?'})"):
        eq(result, repr([("products_added_idx", 1, "added", 1), ("products_name_key", 0, "name", 1), ("products_pkey", 0, "id", 1)]), "cursor.statistics('products')")

with section("Tableau's connector settings: UseDeclareFetch"):
    # Tableau's PostgreSQL ODBC connector (tableau/connector-plugin-sdk, samples/plugins/
    # postgres_odbc) sets UseDeclareFetch=1 and Fetch=2048: psqlODBC then runs every SELECT
    # as `declare "SQL_CUR..." cursor with hold for ...` inside a transaction, reads it with
    # `fetch 2048 in "SQL_CUR..."` and closes it. The queries have Tableau's shape: a
    # `WHERE 1=0` metadata probe, then quoted, aliased columns with a LIMIT.
    tab = pyodbc.connect(conn_str + "UseDeclareFetch=1;Fetch=2048;", autocommit=True)
    tcur = tab.cursor()
    tcur.execute('SELECT * FROM "public"."products" "products" WHERE 1=0')
    eq([d[0] for d in tcur.description], ["id", "name", "price", "added", "in_stock", "note", "created"], "columns of the WHERE 1=0 probe")
    eq(tcur.fetchall(), [], "rows of the WHERE 1=0 probe")
    tcur.execute(
        'SELECT "products"."id" AS "id",\n  "products"."name" AS "name",\n  "products"."price" AS "price"\n'
        'FROM "public"."products" "products"\nWHERE "products"."price" IS NOT NULL\nORDER BY "products"."id"\nLIMIT 1000'
    )
    eq([tuple(r) for r in tcur.fetchall()], [tuple(r) for r in cur.execute("SELECT id, name, price FROM products WHERE price IS NOT NULL ORDER BY id").fetchall()], "a Tableau-shaped query through declare/fetch")
    # More rows than one FETCH of 2048: psqlODBC fetches again from the same cursor.
    tcur.execute('SELECT "g" AS "g" FROM generate_series(1, 5000) AS "t"("g")')
    got = [r[0] for r in tcur.fetchall()]
    eq((len(got), got[0], got[2047], got[2048], got[-1]), (5000, 1, 2048, 2049, 5000), "5000 rows through 2048-row fetches")
    tcur.execute("SELECT count(*) FROM products")
    eq(tcur.fetchone()[0], cur.execute("SELECT count(*) FROM products").fetchone()[0], "count through a cursor")
    tab.close()

conn.close()
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("ok")
