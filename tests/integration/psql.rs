//! psql's describe commands (`\d`, `\d t`, `\d+ t`, `\dt`, `\di`, `\dv`, `\dn`, `\du`,
//! `\l`) through the real psql binary against the shared server: each sends psql's own
//! catalog queries, so this checks `pg_catalog` end to end. `scripts/setup.sh` installs
//! psql (Debian `postgresql-client`) when missing.

use crate::{block_on, fresh_db, server};
use std::process::Command;

/// Runs psql with `command` on database `db` and returns its output; fails on any error.
fn psql(db: &str, command: &str) -> String {
    let addr = server().addr;
    let out = Command::new("psql")
        .args(["-X", "-v", "ON_ERROR_STOP=1", "-h", &addr.ip().to_string(), "-p", &addr.port().to_string(), "-U", "quiver", db])
        .args(["-c", command])
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql ({e}); install it: apt-get install postgresql-client (scripts/setup.sh does this)"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "psql {command} failed:\n{stdout}\n{stderr}");
    stdout
}

/// The lines of `out`, with runs of spaces collapsed (psql pads columns to their widest).
fn lines(out: &str) -> Vec<String> {
    out.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

fn assert_lines(out: &str, expected: &[&str]) {
    let got = lines(out);
    for e in expected {
        assert!(got.iter().any(|l| l == e), "missing line {e:?} in:\n{out}");
    }
}

#[test]
fn psql_describes_tables_indexes_views_schemas_roles_and_databases() {
    let db = "client_psql";
    let client = block_on(fresh_db(db));
    block_on(client.batch_execute(
        "CREATE TABLE orders (id int PRIMARY KEY, customer varchar(40) NOT NULL, total numeric(10,2) DEFAULT 0, tags text[], \
           UNIQUE (customer, id), CHECK (total >= 0));
         CREATE INDEX orders_total ON orders (total);
         CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
         CREATE SCHEMA sales;
         CREATE TABLE sales.leads (id int);",
    ))
    .expect("schema");

    assert_lines(&psql(db, "\\dt"), &["public | orders | table | quiver"]);
    assert_lines(&psql(db, "\\d"), &["public | big_orders | view | quiver", "public | orders | table | quiver"]);
    assert_lines(
        &psql(db, "\\di"),
        &[
            "public | orders_customer_id_key | index | quiver | orders",
            "public | orders_pkey | index | quiver | orders",
            "public | orders_total | index | quiver | orders",
        ],
    );
    assert_lines(&psql(db, "\\dv"), &["public | big_orders | view | quiver"]);
    assert_lines(&psql(db, "\\dn"), &["public | quiver", "sales | quiver"]);
    assert_lines(&psql(db, "\\du"), &["quiver | Superuser, Create role, Create DB, Replication, Bypass RLS | {}"]);
    assert_lines(&psql(db, "\\l"), &["client_psql | quiver | UTF8 | C | C | | libc |"]);

    let table = psql(db, "\\d orders");
    assert_lines(
        &table,
        &[
            "Table \"public.orders\"",
            "id | integer | | not null |",
            "customer | character varying(40) | | not null |",
            "total | numeric(10,2) | | | 0",
            "tags | text[] | | |",
            "\"orders_pkey\" PRIMARY KEY, btree (id)",
            "\"orders_customer_id_key\" UNIQUE CONSTRAINT, btree (customer, id)",
            "\"orders_total\" btree (total)",
        ],
    );
    assert!(table.contains("Check constraints:") && table.contains("\"orders_total_check\" CHECK ((total >= "), "{table}");

    let verbose = psql(db, "\\d+ orders");
    assert_lines(&verbose, &["id | integer | | not null | | plain | | |", "Access method: heap"]);
    assert_lines(&psql(db, "\\d big_orders"), &["View \"public.big_orders\"", "id | integer | | |"]);
    assert_lines(&psql(db, "\\dt sales.*"), &["sales | leads | table | quiver"]);
    // A name psql cannot find is its own message, not a server error.
    let addr = server().addr;
    let missing = Command::new("psql")
        .args(["-X", "-h", &addr.ip().to_string(), "-p", &addr.port().to_string(), "-U", "quiver", db, "-c", "\\d nosuch"])
        .output()
        .expect("psql");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("Did not find any relation named \"nosuch\""), "{missing:?}");
}
