//! The catalog queries BI and admin tools send on connect and when browsing a schema
//! (Metabase, Grafana, pgcli, pgAdmin, Tableau over ODBC and JDBC), replayed as sent.
//!
//! Each file under `tests/clients/bi/` holds one query as the tool sends it (client-side
//! placeholders already filled in, as the header says) and header lines naming the tool and
//! where the query comes from, the values that must appear as result cells (`-- expect:`)
//! and values that must not (`-- absent:`). A `-- bind:` line gives a query whose value
//! fills the statement's `?` (a JDBC parameter), written in as a literal. They run against a database with two tables, a
//! serial column, a unique constraint, an index and a view.

use crate::{block_on, fresh_db};
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/bi");

/// The words of header line `-- key: ...` of `text`.
fn header<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    let prefix = format!("-- {key}:");
    text.lines().find_map(|l| l.strip_prefix(prefix.as_str())).map(|v| v.split_whitespace().collect()).unwrap_or_default()
}

#[test]
fn bi_tool_catalog_queries_return_our_objects() {
    block_on(async {
        let client = fresh_db("client_bi").await;
        client
            .batch_execute(
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2), placed timestamptz);
                 CREATE INDEX orders_customer ON orders (customer_id);
                 CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email varchar(100) UNIQUE);
                 CREATE VIEW recent AS SELECT id, total FROM orders;",
            )
            .await
            .unwrap();
        let mut files: Vec<_> = std::fs::read_dir(DIR).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        assert!(files.len() >= 10, "replay files under {DIR}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let name = Path::new(&file).file_name().unwrap().to_string_lossy().into_owned();
            let mut sql = text.clone();
            if let Some(bind) = text.lines().find_map(|l| l.strip_prefix("-- bind:")) {
                let rows = client.simple_query(bind).await.unwrap_or_else(|e| panic!("{name} bind: {e:?}"));
                let value = rows
                    .iter()
                    .find_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("{name}: the bind query returned no value"));
                let body: String = text.lines().filter(|l| !l.starts_with("--")).collect::<Vec<_>>().join("\n");
                sql = body.replace('?', &value);
            }
            let messages = client.simple_query(&sql).await.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let cells: Vec<String> = messages
                .iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
                    _ => None,
                })
                .flat_map(|r| (0..r.len()).filter_map(|i| r.get(i).map(str::to_string)).collect::<Vec<_>>())
                .collect();
            let expected = header(&text, "expect");
            assert!(!expected.is_empty(), "{name} has an expect line");
            for want in expected {
                assert!(cells.iter().any(|c| c == want), "{name}: no cell {want:?} in {cells:?}");
            }
            for unwanted in header(&text, "absent") {
                assert!(!cells.iter().any(|c| c == unwanted), "{name}: unexpected cell {unwanted:?}");
            }
        }
    });
}
