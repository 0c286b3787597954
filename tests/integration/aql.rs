//! AQL through a real driver: `aql($1, $2)` with parameters over the extended protocol
//! (typed as tokio-postgres sends them, and untyped as psycopg does), results in order
//! across many batches, and AQL reading what SQL wrote in the same transaction.

use crate::{block_on, fresh_db};
use serde_json::{Value, json};
use tokio_postgres::types::Type;

#[test]
fn aql_takes_query_and_bind_parameters_as_statement_parameters() {
    block_on(async {
        let c = fresh_db("aql_params").await;
        c.batch_execute(
            "CREATE TABLE users (id int PRIMARY KEY, name text, age int);
             INSERT INTO users VALUES (1, 'ann', 31), (2, 'bob', 25), (3, 'cid', 44), (4, 'dan', NULL)",
        )
        .await
        .unwrap();
        let q = "FOR u IN users FILTER u.age > @a SORT u.name RETURN u.name";
        // Parameter types as the statement declares them: text, jsonb.
        let stmt = c.prepare("SELECT value FROM aql($1, $2::jsonb)").await.unwrap();
        assert_eq!(stmt.params(), &[Type::TEXT, Type::JSONB]);
        assert_eq!(stmt.columns()[0].type_(), &Type::JSONB);
        let rows = c.query(&stmt, &[&q, &json!({"a": 30})]).await.unwrap();
        let names: Vec<Value> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(names, vec![json!("ann"), json!("cid")]);
        // The same prepared statement with other values plans again.
        let rows = c.query(&stmt, &[&"FOR u IN users FILTER u.id == @id RETURN u", &json!({"id": 2})]).await.unwrap();
        let doc: Value = rows[0].get(0);
        assert_eq!(doc, json!({"id": 2, "name": "bob", "age": 25}));
        // Untyped parameters (as psycopg sends them) are text.
        let stmt = c.prepare_typed("SELECT value FROM aql($1, $2)", &[Type::UNKNOWN, Type::UNKNOWN]).await.unwrap();
        let rows = c.query(&stmt, &[&q, &r#"{"a": 40}"#]).await;
        let rows = match rows {
            Ok(rows) => rows,
            // tokio-postgres refuses to encode &str as UNKNOWN; fall back on text typing.
            Err(_) => {
                let stmt = c.prepare_typed("SELECT value FROM aql($1, $2)", &[Type::TEXT, Type::TEXT]).await.unwrap();
                c.query(&stmt, &[&q, &r#"{"a": 40}"#]).await.unwrap()
            }
        };
        let names: Vec<Value> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(names, vec![json!("cid")]);
        // Errors keep their SQLSTATE through the deferred planning.
        let err = c.query("SELECT value FROM aql($1)", &[&"FOR u IN nope RETURN u"]).await.unwrap_err();
        assert_eq!(err.code().map(|c| c.code()), Some("42P01"));
    });
}

#[test]
fn sorted_results_stay_in_order_across_batches() {
    block_on(async {
        let c = fresh_db("aql_order").await;
        c.batch_execute("CREATE TABLE big AS SELECT g AS id, (g * 7919) % 100003 AS k FROM generate_series(1, 50000) g").await.unwrap();
        let rows = c.query("SELECT value FROM aql('FOR b IN big SORT b.k DESC RETURN b.k')", &[]).await.unwrap();
        let ks: Vec<i64> = rows.iter().map(|r| r.get::<_, Value>(0).as_i64().unwrap()).collect();
        assert_eq!(ks.len(), 50000);
        assert!(ks.windows(2).all(|w| w[0] >= w[1]), "AQL SORT order lost");
        // The same holds for a SQL subquery's ORDER BY under a computed projection.
        let rows = c.query("SELECT k::text || 'x' FROM (SELECT k FROM big ORDER BY k) s", &[]).await.unwrap();
        let ks: Vec<i64> = rows.iter().map(|r| r.get::<_, String>(0).trim_end_matches('x').parse().unwrap()).collect();
        assert!(ks.windows(2).all(|w| w[0] <= w[1]), "subquery ORDER BY lost");
    });
}

#[test]
fn aql_sees_the_transactions_own_sql_writes() {
    block_on(async {
        let mut c = fresh_db("aql_txn").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text)").await.unwrap();
        let tx = c.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (1, 'x'), (2, 'y')", &[]).await.unwrap();
        let rows = tx.query("SELECT value FROM aql('FOR r IN t SORT r.id DESC RETURN r.v')", &[]).await.unwrap();
        let vs: Vec<Value> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(vs, vec![json!("y"), json!("x")]);
        tx.rollback().await.unwrap();
        let rows = c.query("SELECT value FROM aql('FOR r IN t RETURN r')", &[]).await.unwrap();
        assert!(rows.is_empty());
    });
}

/// Random AQL text (token soups from AQL's vocabulary, plus mutations of valid queries)
/// never breaks the connection: every statement either runs or fails with a SQLSTATE.
#[test]
fn random_aql_never_breaks_the_session() {
    block_on(async {
        let c = fresh_db("aql_fuzz").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, a int, s text); INSERT INTO t VALUES (1, 2, 'x'), (2, NULL, 'y')")
            .await
            .unwrap();
        let vocab = [
            "FOR",
            "x",
            "IN",
            "t",
            "FILTER",
            "x.a",
            ">",
            "1",
            "RETURN",
            "SORT",
            "DESC",
            "LIMIT",
            "2",
            "LET",
            "y",
            "=",
            "COLLECT",
            "g",
            "INTO",
            "WITH",
            "COUNT",
            "AGGREGATE",
            "SUM(x.a)",
            "[",
            "]",
            "{",
            "}",
            ":",
            ",",
            "(",
            ")",
            "\"s\"",
            "null",
            "..",
            "1..3",
            "&&",
            "||",
            "!",
            "?",
            "LENGTH(",
            "@p",
            "@@c",
            "x.s",
            "[*]",
            "NOT",
            "LIKE",
            "=~",
            "'",
            "/*",
            "1e308",
            "-",
            "DISTINCT",
            "KEEP",
            "CURRENT",
            "0x1F",
            "%",
            "/",
            "0",
        ];
        let seeds = [
            "FOR x IN t FILTER x.a > 1 SORT x.s DESC LIMIT 1 RETURN {a: x.a, s: x.s}",
            "FOR x IN t COLLECT g = x.s WITH COUNT INTO n RETURN [g, n]",
            "LET y = [1, 2, 3] FOR z IN y FILTER z % 2 == 1 RETURN z / 0",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for i in 0..400 {
            let text = if i % 2 == 0 {
                (0..1 + next(14)).map(|_| vocab[next(vocab.len())]).collect::<Vec<_>>().join(" ")
            } else {
                let mut words: Vec<&str> = seeds[next(seeds.len())].split(' ').collect();
                for _ in 0..1 + next(3) {
                    let at = next(words.len());
                    match next(3) {
                        0 => {
                            words.remove(at);
                        }
                        1 => words.insert(at, vocab[next(vocab.len())]),
                        _ => words[at] = vocab[next(vocab.len())],
                    }
                }
                words.join(" ")
            };
            match c.query("SELECT value FROM aql($1)", &[&text]).await {
                Ok(_) => {}
                Err(e) => assert!(e.code().is_some(), "{text}: not a database error: {e}"),
            }
        }
        // Still usable afterwards.
        let rows = c.query("SELECT value FROM aql('RETURN 42')", &[]).await.unwrap();
        assert_eq!(rows[0].get::<_, Value>(0), json!(42));
    });
}

#[test]
fn aql_statements_bind_statement_parameters_as_numbered_bind_parameters() {
    block_on(async {
        let c = fresh_db("aql_positional").await;
        c.batch_execute(
            "CREATE TABLE users (id int PRIMARY KEY, name text, age int); INSERT INTO users VALUES (1, 'ann', 31), (2, 'bob', 25)",
        )
        .await
        .unwrap();
        // `@1` is the statement's first parameter, typed jsonb.
        let stmt = c.prepare("FOR u IN users FILTER u.age > @1 AND u.name != @2 RETURN u.name").await.unwrap();
        assert_eq!(stmt.params(), &[Type::JSONB, Type::JSONB]);
        let rows = c.query(&stmt, &[&json!(20), &json!("bob")]).await.unwrap();
        let names: Vec<Value> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(names, vec![json!("ann")]);
        // A parameter declared with another type by the client arrives as its JSON value.
        let stmt = c.prepare_typed("RETURN [@1, @2]", &[Type::INT4, Type::TEXT]).await.unwrap();
        let rows = c.query(&stmt, &[&7i32, &"x"]).await.unwrap();
        assert_eq!(rows[0].get::<_, Value>(0), json!([7, "x"]));
        // In AQL mode too.
        c.batch_execute("SET quiver.language = 'aql'").await.unwrap();
        let rows = c.query("FOR u IN users FILTER u.id == @1 RETURN u.age", &[&json!(2)]).await.unwrap();
        assert_eq!(rows[0].get::<_, Value>(0), json!(25));
    });
}
