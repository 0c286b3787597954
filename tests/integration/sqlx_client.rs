//! sqlx (Rust, `sqlx-postgres` without the compile-time macros) against the shared server:
//! a pool, binary parameters and results of every common Rust type, its per-connection
//! prepared-statement cache, streaming, transactions (commit, rollback, a savepoint through
//! a nested `begin`), SQLSTATEs in its error type, COPY, and `describe` — what the
//! `query!` macros ask at build time: column types, parameter types, and nullability
//! looked up in `pg_attribute` by the table OID and attnum of the RowDescription.

use crate::{block_on, fresh_db, server};
use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Column, Connection, Executor, Row, TypeInfo};

/// Pool options for database `db` of the shared server.
fn options(db: &str) -> PgConnectOptions {
    let addr = server().addr;
    PgConnectOptions::new().host(&addr.ip().to_string()).port(addr.port()).username("quiver").database(db)
}

#[test]
fn sqlx_scenario() {
    block_on(async {
        fresh_db("client_sqlx").await;
        let pool = PgPoolOptions::new().max_connections(3).connect_with(options("client_sqlx")).await.expect("connect");

        pool.execute(
            "CREATE TABLE orders (
                id int8 PRIMARY KEY,
                customer text NOT NULL,
                qty int4,
                price float8,
                paid bool NOT NULL DEFAULT false,
                placed timestamptz,
                due date,
                ref uuid,
                doc jsonb,
                tags text[],
                UNIQUE (customer, ref)
            )",
        )
        .await
        .expect("create table");

        // Binary parameters of every type, through the statement cache: the same text is
        // prepared once per connection and re-bound.
        let placed: DateTime<Utc> = "2026-03-04T05:06:07.123456Z".parse().unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let insert = "INSERT INTO orders (id, customer, qty, price, placed, due, ref, doc, tags)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        for i in 1..=20i64 {
            let r = sqlx::query(insert)
                .bind(i)
                .bind(format!("cust-{}", i % 4))
                .bind(if i % 5 == 0 { None } else { Some(i as i32 * 2) })
                .bind(i as f64 / 8.0)
                .bind(placed + chrono::Duration::hours(i))
                .bind(due)
                .bind(uuid::Uuid::from_u128(i as u128))
                .bind(serde_json::json!({"n": i, "city": if i % 2 == 0 { "Oslo" } else { "Köln" }}))
                .bind(vec![format!("t{i}"), "ü".to_string()])
                .execute(&pool)
                .await
                .expect("insert");
            assert_eq!(r.rows_affected(), 1);
        }

        let row = sqlx::query("SELECT id, customer, qty, price, paid, placed, due, ref, doc, tags FROM orders WHERE id = $1")
            .bind(7i64)
            .fetch_one(&pool)
            .await
            .expect("select one");
        assert_eq!(row.get::<i64, _>("id"), 7);
        assert_eq!(row.get::<String, _>("customer"), "cust-3");
        assert_eq!(row.get::<Option<i32>, _>("qty"), Some(14));
        assert_eq!(row.get::<f64, _>("price"), 0.875);
        assert!(!row.get::<bool, _>("paid"));
        assert_eq!(row.get::<DateTime<Utc>, _>("placed"), placed + chrono::Duration::hours(7));
        assert_eq!(row.get::<NaiveDate, _>("due"), due);
        assert_eq!(row.get::<uuid::Uuid, _>("ref"), uuid::Uuid::from_u128(7));
        assert_eq!(row.get::<serde_json::Value, _>("doc"), serde_json::json!({"n": 7, "city": "Köln"}));
        assert_eq!(row.get::<Vec<String>, _>("tags"), vec!["t7".to_string(), "ü".to_string()]);
        let names: Vec<&str> = row.columns().iter().map(|c| c.type_info().name()).collect();
        assert_eq!(names, ["INT8", "TEXT", "INT4", "FLOAT8", "BOOL", "TIMESTAMPTZ", "DATE", "UUID", "JSONB", "TEXT[]"]);

        let nulls: Option<i32> = sqlx::query_scalar("SELECT qty FROM orders WHERE id = $1").bind(10i64).fetch_one(&pool).await.unwrap();
        assert_eq!(nulls, None);

        // Aggregates, `= ANY($1)` with an array parameter, tuples decoded by position.
        let per_customer: Vec<(String, i64, Option<i64>)> =
            sqlx::query_as("SELECT customer, count(*), sum(qty)::int8 FROM orders WHERE id = ANY($1) GROUP BY customer ORDER BY customer")
                .bind(vec![1i64, 2, 3, 4, 5, 6])
                .fetch_all(&pool)
                .await
                .expect("group by");
        assert_eq!(
            per_customer,
            vec![
                ("cust-0".to_string(), 1, Some(8)),
                ("cust-1".to_string(), 2, Some(2)),
                ("cust-2".to_string(), 2, Some(16)),
                ("cust-3".to_string(), 1, Some(6)),
            ]
        );

        // Streaming rows.
        let ids: Vec<i64> = sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE doc->>'city' = $1 ORDER BY id DESC")
            .bind("Oslo")
            .fetch(&pool)
            .try_collect()
            .await
            .expect("stream");
        assert_eq!(ids, (1..=20).rev().filter(|i| i % 2 == 0).collect::<Vec<i64>>());

        // Transactions on one connection: a rolled-back savepoint (nested begin), a commit,
        // and a rolled-back transaction that leaves no trace.
        let mut conn = pool.acquire().await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("UPDATE orders SET paid = true WHERE id = $1").bind(1i64).execute(&mut *tx).await.unwrap();
        {
            let mut inner = tx.begin().await.unwrap();
            sqlx::query("DELETE FROM orders").execute(&mut *inner).await.unwrap();
            inner.rollback().await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("UPDATE orders SET paid = true").execute(&mut *tx).await.unwrap();
        tx.rollback().await.unwrap();
        let paid: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE paid").fetch_all(&mut *conn).await.unwrap();
        assert_eq!(paid, vec![1]);
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM orders").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(count, 20);

        // SQLSTATEs reach sqlx's error type, and the connection stays usable.
        let dup = sqlx::query(insert)
            .bind(1i64)
            .bind("x")
            .bind(None::<i32>)
            .bind(0.0)
            .bind(placed)
            .bind(due)
            .bind(uuid::Uuid::nil())
            .bind(serde_json::json!({}))
            .bind(Vec::<String>::new())
            .execute(&mut *conn)
            .await
            .expect_err("duplicate key");
        let db = dup.as_database_error().expect("a database error");
        assert_eq!(db.code().as_deref(), Some("23505"), "{db}");
        assert!(db.is_unique_violation());
        let missing = sqlx::query("SELECT nope FROM orders").execute(&mut *conn).await.expect_err("undefined column");
        assert_eq!(missing.as_database_error().and_then(|e| e.code()).as_deref(), Some("42703"));
        let not_null = sqlx::query("INSERT INTO orders (id, customer) VALUES ($1, $2)")
            .bind(99i64)
            .bind(None::<String>)
            .execute(&mut *conn)
            .await
            .expect_err("not null");
        assert_eq!(not_null.as_database_error().and_then(|e| e.code()).as_deref(), Some("23502"));
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(one, 1);

        // COPY in and out through sqlx's copy API.
        let mut copy = conn.copy_in_raw("COPY orders (id, customer, qty) FROM STDIN WITH (FORMAT csv)").await.expect("copy in");
        copy.send(b"100,copied,1\n101,\"copied, too\",\n".as_slice()).await.unwrap();
        assert_eq!(copy.finish().await.expect("copy finish"), 2);
        let out: Vec<u8> = conn
            .copy_out_raw("COPY (SELECT id, customer, qty FROM orders WHERE id >= 100 ORDER BY id) TO STDOUT")
            .await
            .expect("copy out")
            .try_fold(Vec::new(), |mut acc, chunk| async move {
                acc.extend_from_slice(&chunk);
                Ok(acc)
            })
            .await
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "100\tcopied\t1\n101\tcopied, too\t\\N\n");

        // describe: what `query!` asks at build time.
        let d =
            (&mut *conn).describe("SELECT id, customer, qty, doc FROM orders WHERE customer = $1 AND price > $2").await.expect("describe");
        let params: Vec<String> = match d.parameters() {
            Some(sqlx::Either::Left(types)) => types.iter().map(|t| t.name().to_string()).collect(),
            other => panic!("parameter types expected, got {other:?}"),
        };
        assert_eq!(params, ["TEXT", "FLOAT8"]);
        let cols: Vec<(&str, &str)> = d.columns().iter().map(|c| (c.name(), c.type_info().name())).collect();
        assert_eq!(cols, [("id", "INT8"), ("customer", "TEXT"), ("qty", "INT4"), ("doc", "JSONB")]);
        // Nullability comes from pg_attribute.attnotnull of each column's table and attnum.
        assert_eq!(d.nullable(0), Some(false));
        assert_eq!(d.nullable(1), Some(false));
        assert_eq!(d.nullable(2), Some(true));
        assert_eq!(d.nullable(3), Some(true));

        // An outer join: `name` is NOT NULL in its table but may be NULL in the result;
        // sqlx reads that from EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE of the statement.
        (&mut *conn).execute("CREATE TABLE customers (name text PRIMARY KEY, city text NOT NULL)").await.unwrap();
        let d = (&mut *conn)
            .describe("SELECT o.id, c.city FROM orders o LEFT JOIN customers c ON c.name = o.customer WHERE o.id > $1")
            .await
            .expect("describe join");
        assert_eq!(d.nullable(0), Some(false));
        assert_eq!(d.nullable(1), Some(true));

        drop(conn);
        pool.close().await;
    });
}
