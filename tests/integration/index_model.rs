//! Index correctness against a model: random inserts, updates and deletes (NULLs,
//! negative and fractional numbers, -0, unicode text; some inside rolled-back
//! transactions) on a table with a primary key, a plain index, a unique index, a
//! composite index, an expression index (`lower(t)`) and a partial index (`t WHERE a > 0`,
//! which rows enter and leave as updates move `a`). After each run, queries that the indexes answer — equality, IN,
//! ranges, composite prefixes, ORDER BY … LIMIT — must return exactly the rows an
//! in-memory model selects, and the same rows as the query forced to a full scan.

use crate::{block_on, fresh_db};
use proptest::prelude::*;
use std::cmp::Ordering;
use tokio_postgres::Client;

/// One stored row of the model.
#[derive(Debug, Clone)]
struct Row {
    id: i32,
    a: Option<i32>,
    f: Option<f64>,
    t: Option<String>,
}

/// One write.
#[derive(Debug, Clone)]
enum Op {
    Insert(Row),
    /// `UPDATE m SET a = .., t = .. WHERE id = ..`
    SetAt(i32, Option<i32>, Option<String>),
    /// `UPDATE m SET a = a + 1 WHERE a >= lo AND a < hi` (moves rows along the index it scans).
    Shift(i32, i32),
    /// `DELETE FROM m WHERE a = v`
    DeleteA(i32),
    /// `DELETE FROM m WHERE t > s`
    DeleteAbove(String),
    /// The write inside BEGIN … ROLLBACK: no trace may remain.
    RolledBack(Box<Op>),
}

const TEXTS: &[&str] = &["", "a", "ab", "b", "Z", "ä", "日本", "a b"];
const FLOATS: &[f64] = &[-1.5, -0.0, 0.0, 0.25, 2.5, 1e10, -1e-3];

fn text() -> impl Strategy<Value = String> {
    proptest::sample::select(TEXTS).prop_map(str::to_string)
}

fn row() -> impl Strategy<Value = Row> {
    (
        0..30i32,
        proptest::option::weighted(0.8, -5..5i32),
        proptest::option::weighted(0.8, proptest::sample::select(FLOATS)),
        proptest::option::weighted(0.7, text()),
    )
        .prop_map(|(id, a, f, t)| Row { id, a, f, t })
}

fn op() -> impl Strategy<Value = Op> {
    let plain = prop_oneof![
        5 => row().prop_map(Op::Insert),
        2 => (0..30i32, proptest::option::of(-5..5i32), proptest::option::of(text())).prop_map(|(id, a, t)| Op::SetAt(id, a, t)),
        1 => (-5..5i32, 0..4i32).prop_map(|(lo, w)| Op::Shift(lo, lo + w)),
        1 => (-5..5i32).prop_map(Op::DeleteA),
        1 => text().prop_map(Op::DeleteAbove),
    ];
    prop_oneof![6 => plain.clone(), 1 => plain.prop_map(|o| Op::RolledBack(Box::new(o)))]
}

fn lit_text(t: &Option<String>) -> String {
    t.as_ref().map_or("NULL".into(), |s| format!("'{s}'"))
}

fn lit_int(v: Option<i32>) -> String {
    v.map_or("NULL".into(), |v| v.to_string())
}

fn lit_float(v: Option<f64>) -> String {
    v.map_or("NULL".into(), |v| format!("CAST('{v:?}' AS float8)"))
}

/// The SQL of `op`.
fn sql(op: &Op) -> String {
    match op {
        Op::Insert(r) => format!("INSERT INTO m VALUES ({}, {}, {}, {})", r.id, lit_int(r.a), lit_float(r.f), lit_text(&r.t)),
        Op::SetAt(id, a, t) => format!("UPDATE m SET a = {}, t = {} WHERE id = {id}", lit_int(*a), lit_text(t)),
        Op::Shift(lo, hi) => format!("UPDATE m SET a = a + 1 WHERE a >= {lo} AND a < {hi}"),
        Op::DeleteA(v) => format!("DELETE FROM m WHERE a = {v}"),
        Op::DeleteAbove(s) => format!("DELETE FROM m WHERE t > '{s}'"),
        Op::RolledBack(inner) => sql(inner),
    }
}

/// Applies `op` to the model; `Err` when PostgreSQL would refuse it (unique violation).
fn apply(rows: &mut Vec<Row>, op: &Op) -> Result<(), ()> {
    let t_taken =
        |rows: &[Row], t: &Option<String>, except: Option<i32>| t.is_some() && rows.iter().any(|r| r.t == *t && Some(r.id) != except);
    match op {
        Op::Insert(r) => {
            if rows.iter().any(|x| x.id == r.id) || t_taken(rows, &r.t, None) {
                return Err(());
            }
            rows.push(r.clone());
        }
        Op::SetAt(id, a, t) => {
            if rows.iter().any(|r| r.id == *id) && t_taken(rows, t, Some(*id)) {
                return Err(());
            }
            if let Some(r) = rows.iter_mut().find(|r| r.id == *id) {
                r.a = *a;
                r.t = t.clone();
            }
        }
        Op::Shift(lo, hi) => rows.iter_mut().filter(|r| r.a.is_some_and(|a| a >= *lo && a < *hi)).for_each(|r| r.a = r.a.map(|a| a + 1)),
        Op::DeleteA(v) => rows.retain(|r| r.a != Some(*v)),
        Op::DeleteAbove(s) => rows.retain(|r| r.t.as_ref().is_none_or(|t| t <= s)),
        Op::RolledBack(_) => {}
    }
    Ok(())
}

/// A query the indexes answer, with its model predicate.
struct Probe {
    predicate: String,
    matches: Box<dyn Fn(&Row) -> bool>,
}

fn probes() -> Vec<Probe> {
    let mut out: Vec<Probe> = Vec::new();
    let mut add = |predicate: String, matches: Box<dyn Fn(&Row) -> bool>| out.push(Probe { predicate, matches });
    for v in [-5, -1, 0, 2, 4] {
        add(format!("a = {v}"), Box::new(move |r| r.a == Some(v)));
        add(format!("a > {v}"), Box::new(move |r| r.a.is_some_and(|a| a > v)));
        add(format!("a <= {v}"), Box::new(move |r| r.a.is_some_and(|a| a <= v)));
        add(format!("a IN ({v}, {})", v + 2), Box::new(move |r| r.a.is_some_and(|a| a == v || a == v + 2)));
        add(format!("a BETWEEN {v} AND {}", v + 3), Box::new(move |r| r.a.is_some_and(|a| a >= v && a <= v + 3)));
    }
    for s in ["", "a", "b", "ä"] {
        add(format!("t = '{s}'"), Box::new(move |r| r.t.as_deref() == Some(s)));
        add(format!("t >= '{s}'"), Box::new(move |r| r.t.as_deref().is_some_and(|t| t >= s)));
        add(format!("t < '{s}'"), Box::new(move |r| r.t.as_deref().is_some_and(|t| t < s)));
    }
    for s in ["z", "ä", "a"] {
        add(format!("lower(t) = '{s}'"), Box::new(move |r| r.t.as_deref().is_some_and(|t| t.to_lowercase() == s)));
        add(format!("lower(t) > '{s}'"), Box::new(move |r| r.t.as_deref().is_some_and(|t| t.to_lowercase().as_str() > s)));
        add(format!("a > 0 AND t >= '{s}'"), Box::new(move |r| r.a.is_some_and(|a| a > 0) && r.t.as_deref().is_some_and(|t| t >= s)));
    }
    add("a > 0 AND t = 'b'".into(), Box::new(|r| r.a.is_some_and(|a| a > 0) && r.t.as_deref() == Some("b")));
    for x in [-1.5, 0.0, 0.25] {
        add(format!("f = {}", lit_float(Some(x))), Box::new(move |r| r.f == Some(x)));
        add(format!("f < {}", lit_float(Some(x))), Box::new(move |r| r.f.is_some_and(|f| f < x)));
        add(
            format!("f = {} AND t > 'a'", lit_float(Some(x))),
            Box::new(move |r| r.f == Some(x) && r.t.as_deref().is_some_and(|t| t > "a")),
        );
    }
    out
}

async fn ids(c: &Client, sql: &str) -> Vec<i32> {
    c.query(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}")).iter().map(|r| r.get(0)).collect()
}

/// NULLs last, as the index (and PostgreSQL's ascending order) puts them.
fn nulls_last<T: PartialOrd>(x: &Option<T>, y: &Option<T>) -> Ordering {
    match (x, y) {
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

async fn run(c: &Client, ops: &[Op]) -> Result<(), TestCaseError> {
    c.batch_execute(
        "DROP TABLE IF EXISTS m; CREATE TABLE m (id int PRIMARY KEY, a int, f float8, t text UNIQUE);
         CREATE INDEX m_a ON m (a); CREATE INDEX m_ft ON m (f, t);
         CREATE INDEX m_lower ON m (lower(t)); CREATE INDEX m_part ON m (t) WHERE a > 0;",
    )
    .await
    .expect("schema");
    let mut model: Vec<Row> = Vec::new();
    for op in ops {
        let text = sql(op);
        if let Op::RolledBack(inner) = op {
            c.batch_execute("BEGIN").await.expect("begin");
            let _ = c.batch_execute(&sql(inner)).await;
            c.batch_execute("ROLLBACK").await.expect("rollback");
            continue;
        }
        let expected = apply(&mut model, op);
        let got = c.batch_execute(&text).await;
        match (&expected, &got) {
            (Ok(()), Ok(())) => {}
            (Err(()), Err(e)) => {
                prop_assert_eq!(e.code().map(|c| c.code()), Some("23505"), "{}: {}", text, e);
            }
            _ => prop_assert!(false, "{}: model {:?}, server {:?}", text, expected, got.err()),
        }
    }
    for p in probes() {
        let mut want: Vec<i32> = model.iter().filter(|r| (p.matches)(r)).map(|r| r.id).collect();
        want.sort();
        let indexed = ids(c, &format!("SELECT id FROM m WHERE {} ORDER BY id", p.predicate)).await;
        let full = ids(c, &format!("SELECT id FROM m WHERE ({}) IS TRUE ORDER BY id", p.predicate)).await;
        prop_assert_eq!(&indexed, &want, "indexed: {}", p.predicate);
        prop_assert_eq!(&full, &want, "full scan: {}", p.predicate);
    }
    // Ordered reads through the indexes.
    let mut by_a = model.clone();
    by_a.sort_by(|x, y| nulls_last(&x.a, &y.a).then(x.id.cmp(&y.id)));
    let want: Vec<i32> = by_a.iter().take(7).map(|r| r.id).collect();
    prop_assert_eq!(ids(c, "SELECT id FROM m ORDER BY a, id LIMIT 7").await, want);
    let want: Vec<i32> = by_a.iter().filter(|r| r.a.is_some_and(|a| a > 0)).take(3).map(|r| r.id).collect();
    prop_assert_eq!(ids(c, "SELECT id FROM m WHERE a > 0 ORDER BY a, id LIMIT 3").await, want);
    let mut by_t = model.clone();
    by_t.sort_by(|x, y| nulls_last(&x.t, &y.t).then(x.id.cmp(&y.id)));
    let want: Vec<i32> = by_t.iter().take(6).map(|r| r.id).collect();
    prop_assert_eq!(ids(c, "SELECT id FROM m ORDER BY t, id LIMIT 6").await, want);
    let mut by_ft = model.clone();
    by_ft.sort_by(|x, y| nulls_last(&x.f, &y.f).then(nulls_last(&x.t, &y.t)).then(x.id.cmp(&y.id)));
    let want: Vec<i32> = by_ft.iter().map(|r| r.id).collect();
    prop_assert_eq!(ids(c, "SELECT id FROM m ORDER BY f, t, id").await, want);
    Ok(())
}

/// A connection to the database of the model test (created once; each case recreates
/// the table).
async fn model_db() -> Client {
    static CREATED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    CREATED.get_or_init(|| async { drop(fresh_db("index_model").await) }).await;
    crate::common::connect(crate::server().addr, "index_model").await
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn indexed_queries_match_the_model_and_a_full_scan(ops in proptest::collection::vec(op(), 1..45)) {
        block_on(async {
            let c = model_db().await;
            run(&c, &ops).await
        })?;
    }
}

/// The queries above really use the indexes (else the test would compare full scans).
#[test]
fn model_queries_use_the_indexes() {
    block_on(async {
        let c = fresh_db("index_model_plans").await;
        c.batch_execute(
            "CREATE TABLE m (id int PRIMARY KEY, a int, f float8, t text UNIQUE);
             CREATE INDEX m_a ON m (a); CREATE INDEX m_ft ON m (f, t);
         CREATE INDEX m_lower ON m (lower(t)); CREATE INDEX m_part ON m (t) WHERE a > 0;",
        )
        .await
        .expect("schema");
        let plan = |sql: &'static str| {
            let c = &c;
            async move {
                let rows = c.query(&format!("EXPLAIN {sql}"), &[]).await.expect("explain");
                rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n")
            }
        };
        for (sql, index) in [
            ("SELECT id FROM m WHERE a = 2", "using m_a"),
            ("SELECT id FROM m WHERE a BETWEEN 1 AND 3", "using m_a"),
            ("SELECT id FROM m WHERE t = 'a'", "index lookup using m_t_key"),
            ("SELECT id FROM m WHERE t < 'b'", "using m_t_key"),
            ("SELECT id FROM m WHERE f = CAST('0' AS float8) AND t > 'a'", "using m_ft"),
            ("SELECT id FROM m ORDER BY a, id LIMIT 7", "full index scan using m_a in order"),
            ("SELECT id FROM m WHERE a > 0 ORDER BY a, id LIMIT 3", "index range scan using m_a in order"),
            ("SELECT id FROM m ORDER BY t, id LIMIT 6", "using m_t_key in order"),
            ("SELECT id FROM m WHERE lower(t) = 'z'", "index range scan using m_lower"),
            ("SELECT id FROM m WHERE lower(t) > 'a'", "index range scan using m_lower"),
            ("SELECT id FROM m WHERE a > 0 AND t >= 'b'", "index range scan using m_part"),
        ] {
            let p = plan(sql).await;
            assert!(p.contains(index), "{sql}: expected {index:?} in\n{p}");
            assert!(!p.contains("SortExec"), "{sql}: no sort expected in\n{p}");
        }
    });
}

/// EXPLAIN ANALYZE runs the statement and shows each operator's metrics: an index scan
/// reports the rows it read and its key probes; a count over an index reads no rows.
#[test]
fn explain_analyze_reports_rows_read_and_probes() {
    block_on(async {
        let c = fresh_db("index_explain_analyze").await;
        c.batch_execute(
            "CREATE TABLE ix (id int PRIMARY KEY, a int); CREATE INDEX ix_a ON ix (a);
             INSERT INTO ix SELECT g, g % 50 FROM generate_series(1, 1000) AS g(g);",
        )
        .await
        .expect("setup");
        let text = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n");
        let p = text(c.query("EXPLAIN ANALYZE SELECT id FROM ix WHERE a IN (3, 7)", &[]).await.expect("explain"));
        assert!(p.contains("index range scan using ix_a (2 ranges)"), "{p}");
        assert!(p.contains("rows_read=40") && p.contains("key_probes=2"), "{p}");
        let p = text(c.query("EXPLAIN ANALYZE SELECT count(*) FROM ix WHERE a BETWEEN 3 AND 5", &[]).await.expect("explain"));
        assert!(p.contains("index only") && p.contains("rows_read=60"), "{p}");
        let p = text(c.query("EXPLAIN ANALYZE SELECT id FROM ix ORDER BY a LIMIT 5", &[]).await.expect("explain"));
        assert!(p.contains("in order") && p.contains("rows_read=5") && !p.contains("SortExec"), "{p}");
    });
}
