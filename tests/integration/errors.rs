//! Bad input gets PostgreSQL's SQLSTATE and a usable message, and the session goes on:
//! one case per error class a client relies on, through both protocols.

use crate::{block_on, fresh_db, server};
use tokio_postgres::Client;

/// (statement, SQLSTATE, a fragment of the message).
const CASES: &[(&str, &str, &str)] = &[
    ("SELEC 1", "42601", "syntax error at or near \"SELEC\""),
    ("SELECT (1", "42601", "syntax error"),
    ("SELECT * FROM missing_table", "42P01", "relation \"missing_table\" does not exist"),
    ("SELECT nope FROM e", "42703", "column \"nope\" does not exist"),
    ("CREATE TABLE e (x int)", "42P07", "relation \"e\" already exists"),
    ("INSERT INTO e VALUES (1, 'dup', 1)", "23505", "duplicate key value violates unique constraint \"e_pkey\""),
    ("INSERT INTO e VALUES (2, NULL, 1)", "23502", "null value in column \"name\" of relation \"e\" violates not-null constraint"),
    ("INSERT INTO e VALUES (3, 'c', -1)", "23514", "violates check constraint \"e_qty_check\""),
    ("SELECT 'abc'::int", "22P02", "invalid input syntax for type integer: \"abc\""),
    ("INSERT INTO e VALUES ('x', 'a', 1)", "22P02", "invalid input syntax for type integer: \"x\""),
    ("SELECT 1 / 0", "22012", "division by zero"),
    ("SELECT 2147483647::int4 + 1", "22003", "integer out of range"),
    ("INSERT INTO e VALUES (4, 'this name is far too long', 1)", "22001", "value too long for type character varying(10)"),
    ("SELECT no_such_function(1)", "42883", "function no_such_function"),
    ("SELECT id FROM e GROUP BY name", "42803", "must appear in the GROUP BY clause"),
    ("SELECT (SELECT id FROM e)", "21000", "more than one row returned by a subquery"),
    ("SELECT * FROM e a, e b WHERE id = 1", "42702", "column reference \"id\" is ambiguous"),
    ("CREATE INDEX ON e USING gin (name)", "0A000", "access method \"gin\" is not supported"),
    (
        "INSERT INTO e (id, name, qty) VALUES (5, 'e', 'many'::text)",
        "42804",
        "column \"qty\" is of type integer but expression is of type text",
    ),
    ("DROP SCHEMA no_such_schema", "3F000", "schema \"no_such_schema\" does not exist"),
    ("DROP TABLE e_base", "2BP01", "other objects depend on it"),
    ("SELECT '2024-13-45'::date", "22008", "date/time field value out of range"),
    ("SELECT nextval('e')", "42809", "\"e\" is not a sequence"),
    ("SELECT nextval('e_nosuch')", "42P01", "relation \"e_nosuch\" does not exist"),
    ("SELECT currval('e_seq')", "55000", "currval of sequence \"e_seq\" is not yet defined in this session"),
    ("SELECT nextval('e_lim')", "2200H", "nextval: reached maximum value of sequence \"e_lim\" (2)"),
    ("SELECT setval('e_lim', 0)", "22003", "setval: value 0 is out of bounds for sequence \"e_lim\" (1..2)"),
    ("CREATE SEQUENCE e_bad INCREMENT 0", "22023", "INCREMENT must not be zero"),
    ("CREATE SEQUENCE e_bad START 1 START 2", "42601", "conflicting or redundant options"),
    ("DROP SEQUENCE e", "42809", "\"e\" is not a sequence"),
    ("COMMIT", "", ""),
];

async fn setup(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE e (id int PRIMARY KEY, name varchar(10) NOT NULL, qty int CHECK (qty >= 0)); \
             INSERT INTO e VALUES (1, 'dup', 1), (2, 'two', 2); \
             CREATE TABLE e_base (x int); CREATE VIEW e_view AS SELECT x FROM e_base; \
             CREATE SEQUENCE e_seq; CREATE SEQUENCE e_lim MAXVALUE 2; SELECT setval('e_lim', 2)",
        )
        .await
        .unwrap();
}

/// Runs every case through `run`, checking the code, the message and that the session
/// still answers afterwards.
async fn check_all<F, Fut>(client: &Client, run: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = Result<(), tokio_postgres::Error>>,
{
    for (sql, state, fragment) in CASES {
        if state.is_empty() {
            // COMMIT outside a block is a warning, not an error.
            run(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            continue;
        }
        let err = run(sql).await.expect_err(sql);
        let db = err.as_db_error().unwrap_or_else(|| panic!("{sql}: not a server error: {err}"));
        assert_eq!(db.code().code(), *state, "{sql}: {}", db.message());
        assert!(db.message().contains(fragment), "{sql}: message {:?} lacks {fragment:?}", db.message());
        let row = client.query_one("SELECT count(*) FROM e", &[]).await.unwrap_or_else(|e| panic!("after {sql}: {e}"));
        assert_eq!(row.get::<_, i64>(0), 2, "after {sql}");
    }
}

#[test]
fn every_error_class_has_its_sqlstate_over_the_simple_protocol() {
    block_on(async {
        let client = fresh_db("errors_simple").await;
        setup(&client).await;
        check_all(&client, |sql| async { client.simple_query(sql).await.map(|_| ()) }).await;
    });
}

#[test]
fn every_error_class_has_its_sqlstate_over_the_extended_protocol() {
    block_on(async {
        let client = fresh_db("errors_extended").await;
        setup(&client).await;
        check_all(&client, |sql| async { client.query(sql, &[]).await.map(|_| ()) }).await;
    });
}

#[test]
fn an_error_inside_a_block_fails_it_until_rollback() {
    block_on(async {
        let client = fresh_db("errors_block").await;
        setup(&client).await;
        client.batch_execute("BEGIN").await.unwrap();
        client.batch_execute("INSERT INTO e VALUES (10, 'ten', 10)").await.unwrap();
        let err = client.batch_execute("SELECT 1/0").await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "22012");
        let err = client.batch_execute("SELECT 1").await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "25P02");
        let message = err.as_db_error().unwrap().message().to_string();
        assert!(message.starts_with("current transaction is aborted, commands ignored"), "{message}");
        client.batch_execute("ROLLBACK").await.unwrap();
        let n: i64 = client.query_one("SELECT count(*) FROM e", &[]).await.unwrap().get(0);
        assert_eq!(n, 2, "the block's insert was rolled back");
    });
}

#[test]
fn conflicting_transactions_get_a_serialization_failure() {
    block_on(async {
        let a = fresh_db("errors_conflict").await;
        setup(&a).await;
        let b = crate::common::connect(server().addr, "errors_conflict").await;
        a.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ").await.unwrap();
        b.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ").await.unwrap();
        a.batch_execute("UPDATE e SET qty = 100 WHERE id = 1").await.unwrap();
        b.batch_execute("UPDATE e SET qty = 200 WHERE id = 1").await.unwrap();
        a.batch_execute("COMMIT").await.unwrap();
        let err = b.batch_execute("COMMIT").await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "40001", "{err}");
        let qty: i32 = a.query_one("SELECT qty FROM e WHERE id = 1", &[]).await.unwrap().get(0);
        assert_eq!(qty, 100);
        // b is usable again after the failed commit.
        b.batch_execute("SELECT 1").await.unwrap();
    });
}

#[test]
fn unknown_database_is_refused_with_3d000() {
    block_on(async {
        let err = tokio_postgres::connect(&crate::common::conn_string(server().addr, "no_such_db"), tokio_postgres::NoTls)
            .await
            .err()
            .expect("connection refused");
        assert_eq!(err.code().map(|c| c.code()), Some("3D000"), "{err}");
    });
}

/// Constraint violations name their schema, table, column or constraint in the
/// ErrorResponse fields drivers expose (psycopg2's `diag`, pgjdbc's `ServerErrorMessage`).
#[test]
fn constraint_violations_name_their_objects() {
    block_on(async {
        let client = fresh_db("err_objects").await;
        setup(&client).await;
        let cases = [
            ("INSERT INTO e VALUES (1, 'dup', 1)", None, Some("e_pkey")),
            ("INSERT INTO e VALUES (2, NULL, 1)", Some("name"), None),
            ("INSERT INTO e VALUES (3, 'c', -1)", None, Some("e_qty_check")),
        ];
        for (sql, column, constraint) in cases {
            for extended in [false, true] {
                let err = if extended { client.execute(sql, &[]).await.map(|_| ()) } else { client.batch_execute(sql).await };
                let err = err.expect_err(sql);
                let db = err.as_db_error().expect("server error");
                assert_eq!((db.schema(), db.table()), (Some("public"), Some("e")), "{sql}");
                assert_eq!((db.column(), db.constraint()), (column, constraint), "{sql}");
            }
        }
    });
}
