//! COPY FROM STDIN / TO STDOUT through tokio-postgres (extended protocol) and psql's
//! `\copy` (simple protocol): the text, CSV and binary formats with their options,
//! defaults for unlisted columns, PostgreSQL's error messages with the line number, and
//! all-or-nothing loads, also inside transaction blocks.

use crate::{block_on, fresh_db, server};
use bytes::Bytes;
use futures::{SinkExt, TryStreamExt, pin_mut};
use std::process::Command;
use tokio_postgres::Client;

/// Loads `data` with `copy` (a `COPY ... FROM STDIN`); returns the row count or the error.
async fn copy_in(client: &Client, copy: &str, data: &[u8]) -> Result<u64, tokio_postgres::Error> {
    let sink = client.copy_in(copy).await?;
    pin_mut!(sink);
    // Split the data so records straddle CopyData messages.
    for chunk in data.chunks(7) {
        sink.send(Bytes::copy_from_slice(chunk)).await?;
    }
    sink.finish().await
}

/// The bytes `copy` (a `COPY ... TO STDOUT`) sends.
async fn copy_out(client: &Client, copy: &str) -> Vec<u8> {
    let stream = client.copy_out(copy).await.expect("copy out");
    let chunks: Vec<Bytes> = stream.try_collect().await.expect("copy out data");
    chunks.concat()
}

async fn count(client: &Client, table: &str) -> i64 {
    client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await.expect("count").get(0)
}

/// (SQLSTATE, message, CONTEXT line) of a failed statement.
fn error_parts(e: &tokio_postgres::Error) -> (String, String, String) {
    let db = e.as_db_error().unwrap_or_else(|| panic!("not a database error: {e:?}"));
    (db.code().code().to_string(), db.message().to_string(), db.where_().unwrap_or("").to_string())
}

#[test]
fn copy_text_fills_defaults_and_round_trips_escapes_and_nulls() {
    block_on(async {
        let c = fresh_db("copy_text").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, name text, note text DEFAULT 'none', n numeric(6,2))").await.unwrap();
        let data = b"1\tplain\t1.5\n2\t\\N\t-2\n3\ttab\\there\\\\back\\nline\t\\N\n4\t\\x41\\102\t0\n";
        assert_eq!(copy_in(&c, "COPY t (id, name, n) FROM STDIN", data).await.unwrap(), 4);
        let rows = c.query("SELECT id, name, note, n::text FROM t ORDER BY id", &[]).await.unwrap();
        let got: Vec<(i32, Option<String>, String, Option<String>)> =
            rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
        assert_eq!(
            got,
            vec![
                (1, Some("plain".into()), "none".into(), Some("1.50".into())),
                (2, None, "none".into(), Some("-2.00".into())),
                (3, Some("tab\there\\back\nline".into()), "none".into(), None),
                (4, Some("AB".into()), "none".into(), Some("0.00".into())),
            ]
        );
        let out = copy_out(&c, "COPY t TO STDOUT").await;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1\tplain\tnone\t1.50\n2\t\\N\tnone\t-2.00\n3\ttab\\there\\\\back\\nline\tnone\t\\N\n4\tAB\tnone\t0.00\n"
        );
        // The end-of-data marker stops the load; a header line is skipped.
        c.batch_execute("DELETE FROM t").await.unwrap();
        assert_eq!(copy_in(&c, "COPY t (id, name) FROM STDIN WITH (HEADER)", b"id\tname\n7\tx\n\\.\n8\ty\n").await.unwrap(), 1);
        assert_eq!(count(&c, "t").await, 1);
    });
}

/// (id, a, b, doc as text) of the CSV test's table.
type CsvRow = (i32, Option<String>, Option<String>, Option<String>);

#[test]
fn copy_csv_options_follow_postgres() {
    block_on(async {
        let c = fresh_db("copy_csv").await;
        c.batch_execute("CREATE TABLE t (id int, a text, b text, doc jsonb)").await.unwrap();
        let data = "id;a;b;doc\n1;'it''s; here';;'{\"k\": [1,2]}'\n2;'';NULL;NULL\n3;\"\"x;'multi\nline';'{}'\n";
        let copy = "COPY t FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', QUOTE '''', NULL 'NULL', FORCE_NOT_NULL (b))";
        assert_eq!(copy_in(&c, copy, data.as_bytes()).await.unwrap(), 3);
        let rows = c.query("SELECT id, a, b, doc::text FROM t ORDER BY id", &[]).await.unwrap();
        let got: Vec<CsvRow> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
        assert_eq!(
            got,
            vec![
                (1, Some("it's; here".into()), Some("".into()), Some("{\"k\": [1, 2]}".into())),
                (2, Some("".into()), Some("NULL".into()), None),
                (3, Some("\"\"x".into()), Some("multi\nline".into()), Some("{}".into())),
            ]
        );
        let out = copy_out(&c, "COPY t (id, a, doc) TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE (id))").await;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,a,doc\n\"1\",it's; here,\"{\"\"k\"\": [1, 2]}\"\n\"2\",\"\",\n\"3\",\"\"\"\"\"x\",{}\n"
        );
        let out = copy_out(&c, "COPY (SELECT id, b FROM t WHERE id < 3 ORDER BY id) TO STDOUT (FORMAT csv, FORCE_QUOTE *)").await;
        assert_eq!(String::from_utf8(out).unwrap(), "\"1\",\"\"\n\"2\",\"NULL\"\n");
    });
}

#[test]
fn copy_binary_round_trips_every_type() {
    block_on(async {
        let c = fresh_db("copy_binary").await;
        let columns = "i2 int2, i4 int, i8 bigint, f4 real, f8 float8, n numeric(10,3), t text, v varchar(5), ch char(3), by bytea, \
                       d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb, ai int[], at text[], bo bool";
        c.batch_execute(&format!(
            "CREATE TABLE src ({columns}); CREATE TABLE dst ({columns});
             INSERT INTO src VALUES (1, -2, 3, 1.5, -2.25, 12.345, 'a\tb', 'xy', 'z', '\\x00ff', '2024-02-29', '12:34:56.789',
               '2024-01-02 03:04:05.678', '2024-01-02 03:04:05+02', '1 day 2 hours', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
               '{{\"b\":1, \"a\":2}}', '{{\"b\":1, \"a\":2}}', '{{1,NULL,3}}', '{{\"x y\",z}}', true),
               (NULL, NULL, NULL, 'NaN', '-Infinity', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               '{{}}', NULL, false);"
        ))
        .await
        .unwrap();
        // The file header travels with the first row (psycopg's binary row reader expects a
        // row in the message after the signature), and an empty result's with the trailer.
        let chunks: Vec<Bytes> = c.copy_out("COPY src TO STDOUT (FORMAT binary)").await.unwrap().try_collect().await.unwrap();
        assert_eq!(chunks.len(), 3, "two rows and the trailer");
        assert!(chunks[0].len() > 19 && chunks[0].starts_with(b"PGCOPY\n\xff\r\n\0"), "header with the first row");
        let empty: Vec<Bytes> =
            c.copy_out("COPY (SELECT 1 WHERE false) TO STDOUT (FORMAT binary)").await.unwrap().try_collect().await.unwrap();
        assert_eq!(empty.concat(), [&b"PGCOPY\n\xff\r\n\0"[..], &[0; 8], &[0xff, 0xff]].concat());
        let binary = chunks.concat();
        assert!(binary.starts_with(b"PGCOPY\n\xff\r\n\0"), "binary signature");
        assert!(binary.ends_with(&[0xff, 0xff]), "binary trailer");
        assert_eq!(copy_in(&c, "COPY dst FROM STDIN (FORMAT binary)", &binary).await.unwrap(), 2);
        let (a, b) = (copy_out(&c, "COPY src TO STDOUT").await, copy_out(&c, "COPY dst TO STDOUT").await);
        assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        // A bad signature is refused.
        let e = copy_in(&c, "COPY dst FROM STDIN (FORMAT binary)", b"NOTPGCOPY\n\n\n\n\n\n\n\n\n\n\n\n").await.unwrap_err();
        assert_eq!(error_parts(&e).0, "22P04");
    });
}

#[test]
fn a_failed_copy_loads_nothing_and_says_which_line() {
    block_on(async {
        let c = fresh_db("copy_errors").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)").await.unwrap();
        c.batch_execute("INSERT INTO t VALUES (100, 'existing')").await.unwrap();
        let cases: &[(&str, &[u8], &str, &str, &str)] = &[
            (
                "COPY t FROM STDIN",
                b"1\ta\n2\tb\nx\tc\n",
                "22P02",
                "invalid input syntax for type integer: \"x\"",
                "COPY t, line 3, column id: \"x\"",
            ),
            (
                "COPY t FROM STDIN",
                b"1\ta\n2\tb\textra\n",
                "22P04",
                "extra data after last expected column",
                "COPY t, line 2: \"2\tb\textra\"",
            ),
            ("COPY t FROM STDIN", b"1\ta\n2\n", "22P04", "missing data for column \"name\"", "COPY t, line 2: \"2\""),
            ("COPY t FROM STDIN (FORMAT csv)", b"1,a\n2,\"open\n", "22P04", "unterminated CSV quoted field", "COPY t, line 2"),
            ("COPY t FROM STDIN", b"1\ta\n100\tdup\n", "23505", "duplicate key value violates unique constraint \"t_pkey\"", ""),
            ("COPY t FROM STDIN", b"1\ta\n2\t\\N\n", "23502", "null value in column \"name\"", ""),
        ];
        for (copy, data, code, message, context) in cases {
            let e = copy_in(&c, copy, data).await.expect_err(copy);
            let (got_code, got_message, got_context) = error_parts(&e);
            assert_eq!(got_code, *code, "{data:?}: {got_message}");
            assert!(got_message.contains(message), "{data:?}: {got_message}");
            assert!(got_context.starts_with(context), "{data:?}: context {got_context:?}");
            assert_eq!(count(&c, "t").await, 1, "a failed COPY loaded rows: {data:?}");
        }
        // Bad options get PostgreSQL's errors.
        let options: &[(&str, &str)] = &[
            ("COPY t FROM STDIN (FORMAT xml)", "22023"),
            ("COPY t TO STDOUT (FORMAT binary, HEADER)", "42601"),
            ("COPY t TO STDOUT (QUOTE '\"')", "0A000"),
            ("COPY t TO STDOUT (FORMAT csv, FORCE_NOT_NULL (id))", "0A000"),
            ("COPY t TO STDOUT (DELIMITER '|', NULL 'a|b')", "22023"),
            ("COPY t TO STDOUT (FORMAT csv, DELIMITER ',', QUOTE ',')", "22023"),
            ("COPY t (id, id) TO STDOUT", "42701"),
            ("COPY t (nope) TO STDOUT", "42703"),
            ("COPY nope TO STDOUT", "42P01"),
            ("COPY t TO '/tmp/quiver_copy_out'", "0A000"),
            ("COPY t FROM STDIN (FORMAT text, FORMAT csv)", "42601"),
        ];
        for (sql, code) in options {
            let e = c.batch_execute(sql).await.expect_err(sql);
            assert_eq!(error_parts(&e).0, *code, "{sql}: {e:?}");
        }
        c.batch_execute("CREATE VIEW v AS SELECT * FROM t").await.unwrap();
        let e = c.batch_execute("COPY v TO STDOUT").await.unwrap_err();
        assert_eq!(error_parts(&e).0, "42809");
    });
}

#[test]
fn copy_inside_a_transaction_block_commits_and_fails_with_it() {
    block_on(async {
        let c = fresh_db("copy_txn").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)").await.unwrap();
        c.batch_execute("BEGIN").await.unwrap();
        assert_eq!(copy_in(&c, "COPY t FROM STDIN", b"1\n2\n").await.unwrap(), 2);
        assert_eq!(count(&c, "t").await, 2, "the block sees its own COPY");
        c.batch_execute("ROLLBACK").await.unwrap();
        assert_eq!(count(&c, "t").await, 0, "ROLLBACK undoes the COPY");

        c.batch_execute("BEGIN").await.unwrap();
        assert_eq!(copy_in(&c, "COPY t FROM STDIN", b"1\n").await.unwrap(), 1);
        copy_in(&c, "COPY t FROM STDIN", b"1\n").await.expect_err("duplicate");
        let e = c.query_one("SELECT 1", &[]).await.unwrap_err();
        assert_eq!(error_parts(&e).0, "25P02", "the failed COPY failed the block");
        c.batch_execute("ROLLBACK").await.unwrap();
        assert_eq!(count(&c, "t").await, 0);

        c.batch_execute("BEGIN").await.unwrap();
        assert_eq!(copy_in(&c, "COPY t FROM STDIN", b"3\n").await.unwrap(), 1);
        c.batch_execute("COMMIT").await.unwrap();
        assert_eq!(count(&c, "t").await, 1, "COMMIT keeps the COPY");
        c.batch_execute("DELETE FROM t").await.unwrap();

        // A client that abandons a COPY (CopyFail) loads nothing and keeps its session.
        {
            let sink = c.copy_in::<_, Bytes>("COPY t FROM STDIN").await.unwrap();
            pin_mut!(sink);
            sink.send(Bytes::from_static(b"5\n6\n")).await.unwrap();
        }
        assert_eq!(count(&c, "t").await, 0);
        assert_eq!(copy_in(&c, "COPY t FROM STDIN", b"7\n").await.unwrap(), 1);
    });
}

#[test]
fn psql_copy_round_trips_a_csv_file() {
    let db = "copy_psql";
    let c = block_on(fresh_db(db));
    block_on(c.batch_execute("CREATE TABLE t (id int, name text, at date)")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let output = dir.path().join("out.csv");
    std::fs::write(&input, "id,name,at\n1,\"Smith, J\",2024-05-01\n2,,\n").unwrap();
    let addr = server().addr;
    let psql = |command: String| {
        let out = Command::new("psql")
            .args(["-X", "-v", "ON_ERROR_STOP=1", "-h", &addr.ip().to_string(), "-p", &addr.port().to_string(), "-U", "quiver", db])
            .args(["-c", &command])
            .output()
            .expect("psql (apt-get install postgresql-client; scripts/setup.sh does this)");
        assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert_eq!(psql(format!("\\copy t from '{}' with (format csv, header)", input.display())).trim(), "COPY 2");
    assert_eq!(psql(format!("\\copy t to '{}' csv header", output.display())).trim(), "COPY 2");
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "id,name,at\n1,\"Smith, J\",2024-05-01\n2,,\n");
    let row = block_on(c.query_one("SELECT name FROM t WHERE id = 1", &[])).unwrap();
    assert_eq!(row.get::<_, String>(0), "Smith, J");
}
