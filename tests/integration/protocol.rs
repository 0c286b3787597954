//! Protocol behaviour: startup parameters, SSLRequest, multi-statement simple queries,
//! command tags, empty queries, notices, the extended protocol (inferred parameter
//! types, named statements and portals), cancellation and statement_timeout.

use crate::raw::RawClient;
use crate::{block_on, fresh_db, server};
use tokio_postgres::types::Type;
use tokio_postgres::{NoTls, SimpleQueryMessage};

#[test]
fn startup_reports_the_parameters_clients_read() {
    block_on(async {
        let c = RawClient::connect(server().addr, "quiver", "quiver").await;
        let get = |k: &str| c.parameters.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let version = get("server_version").expect("server_version");
        let major: u32 = version.split('.').next().unwrap().parse().expect("numeric major version");
        assert!(major >= 12, "{version}");
        assert_eq!(get("server_encoding").as_deref(), Some("UTF8"));
        assert_eq!(get("client_encoding").as_deref(), Some("UTF8"));
        assert_eq!(get("integer_datetimes").as_deref(), Some("on"));
        assert_eq!(get("standard_conforming_strings").as_deref(), Some("on"));
        assert!(get("DateStyle").is_some_and(|d| d.starts_with("ISO")));
        assert!(get("TimeZone").is_some());
    });
}

#[test]
fn ssl_request_is_declined_and_the_socket_stays_usable_for_plain_startup() {
    block_on(async {
        assert_eq!(RawClient::ssl_answer(server().addr).await, b'N');
    });
}

#[test]
fn command_tags_match_postgres() {
    block_on(async {
        fresh_db("proto_tags").await;
        let mut c = RawClient::connect(server().addr, "quiver", "proto_tags").await;
        let tags = c
            .tags(
                "CREATE TABLE t (id int PRIMARY KEY, v text); \
                 INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'); \
                 UPDATE t SET v = 'x' WHERE id >= 2; \
                 DELETE FROM t WHERE id = 3; \
                 SELECT * FROM t; \
                 BEGIN; SAVEPOINT s; RELEASE SAVEPOINT s; COMMIT; \
                 CREATE VIEW w AS SELECT id FROM t; DROP VIEW w; \
                 CREATE SCHEMA s2; DROP SCHEMA s2; \
                 INSERT INTO t VALUES (7, 'r'), (8, 's') RETURNING id; \
                 UPDATE t SET v = 'y' WHERE id > 6 RETURNING v; DELETE FROM t WHERE id = 8 RETURNING id; \
                 TRUNCATE t; SET search_path = public; SHOW search_path; DROP TABLE t",
            )
            .await;
        let expected = [
            "CREATE TABLE",
            "INSERT 0 3",
            "UPDATE 2",
            "DELETE 1",
            "SELECT 2",
            "BEGIN",
            "SAVEPOINT",
            "RELEASE",
            "COMMIT",
            "CREATE VIEW",
            "DROP VIEW",
            "CREATE SCHEMA",
            "DROP SCHEMA",
            "INSERT 0 2",
            "UPDATE 2",
            "DELETE 1",
            "TRUNCATE TABLE",
            "SET",
            "SHOW",
            "DROP TABLE",
        ];
        assert_eq!(tags, expected);
    });
}

#[test]
fn multi_statement_query_stops_at_the_first_error_and_the_session_goes_on() {
    block_on(async {
        fresh_db("proto_multi").await;
        let mut c = RawClient::connect(server().addr, "quiver", "proto_multi").await;
        let msgs = c.simple("CREATE TABLE m (a int); INSERT INTO m VALUES (1); SELECT 1/0; INSERT INTO m VALUES (2)").await;
        let tags: Vec<String> = msgs.iter().filter(|m| m.tag == b'C').map(|m| m.text()).collect();
        assert_eq!(tags, ["CREATE TABLE", "INSERT 0 1"]);
        let err = msgs.iter().find(|m| m.tag == b'E').expect("error");
        assert_eq!(err.field(b'C').as_deref(), Some("22012"));
        // The statements of one Query message form one implicit transaction: the error
        // rolls back the CREATE and the INSERT too (as in PostgreSQL).
        let after = c.simple("SELECT count(*) FROM m").await;
        let err = after.iter().find(|m| m.tag == b'E').expect("m was rolled back");
        assert_eq!(err.field(b'C').as_deref(), Some("42P01"));
        let ok = c.tags("SELECT 1").await;
        assert_eq!(ok, ["SELECT 1"]);
    });
}

#[test]
fn begin_with_modes_first_in_a_multi_statement_query_applies_them() {
    block_on(async {
        fresh_db("proto_begin_modes").await;
        let mut c = RawClient::connect(server().addr, "quiver", "proto_begin_modes").await;
        assert_eq!(c.tags("CREATE SEQUENCE r").await, ["CREATE SEQUENCE"]);
        // BEGIN READ ONLY opens the block the message's statements run in.
        let msgs = c.simple("BEGIN READ ONLY; SELECT nextval('r')").await;
        let err = msgs.iter().find(|m| m.tag == b'E').expect("nextval is refused");
        assert_eq!(err.field(b'C').as_deref(), Some("25006"));
        assert_eq!(c.tags("ROLLBACK").await, ["ROLLBACK"]);
        let msgs = c.simple("BEGIN ISOLATION LEVEL REPEATABLE READ; SHOW transaction_isolation; COMMIT").await;
        let rows: Vec<String> = msgs.iter().filter(|m| m.tag == b'D').map(|m| String::from_utf8_lossy(&m.body).into_owned()).collect();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].ends_with("repeatable read"), "{rows:?}");
        // After a query of the same message the modes come too late, as in PostgreSQL.
        let msgs = c.simple("SELECT 1; BEGIN ISOLATION LEVEL REPEATABLE READ; COMMIT").await;
        let err = msgs.iter().find(|m| m.tag == b'E').expect("too late for modes");
        assert_eq!(err.field(b'C').as_deref(), Some("25001"));
        assert_eq!(c.tags("SELECT 1").await, ["SELECT 1"]);
    });
}

#[test]
fn empty_query_gets_empty_query_response() {
    block_on(async {
        let mut c = RawClient::connect(server().addr, "quiver", "quiver").await;
        let msgs = c.simple("").await;
        assert_eq!(msgs.iter().map(|m| m.tag).collect::<Vec<_>>(), [b'I', b'Z']);
        let msgs = c.simple(" ; ").await;
        assert!(msgs.iter().any(|m| m.tag == b'I'), "{msgs:?}");
    });
}

#[test]
fn notices_reach_the_client() {
    block_on(async {
        let mut c = RawClient::connect(server().addr, "quiver", "quiver").await;
        let msgs = c.simple("DROP TABLE IF EXISTS no_such_table_anywhere").await;
        let notice = msgs.iter().find(|m| m.tag == b'N').expect("notice");
        assert_eq!(notice.field(b'M').as_deref(), Some("table \"no_such_table_anywhere\" does not exist, skipping"));
        assert_eq!(notice.field(b'C').as_deref(), Some("00000"));
        assert!(msgs.iter().any(|m| m.tag == b'C' && m.text() == "DROP TABLE"));
    });
}

#[test]
fn parameter_types_are_inferred_from_the_plan() {
    block_on(async {
        let client = fresh_db("proto_params").await;
        client.batch_execute("CREATE TABLE p (id bigint PRIMARY KEY, name varchar(20), score float8, born date)").await.unwrap();
        let insert = client.prepare("INSERT INTO p VALUES ($1, $2, $3, $4)").await.unwrap();
        assert_eq!(insert.params(), [Type::INT8, Type::VARCHAR, Type::FLOAT8, Type::DATE]);
        let by_id = client.prepare("SELECT name FROM p WHERE id = $1").await.unwrap();
        assert_eq!(by_id.params(), [Type::INT8]);
        assert_eq!(by_id.columns()[0].type_(), &Type::VARCHAR);
        let arith = client.prepare("SELECT $1::int4 + 1").await.unwrap();
        assert_eq!(arith.params(), [Type::INT4]);
        assert_eq!(arith.columns()[0].type_(), &Type::INT4);
        let date = chrono::NaiveDate::from_ymd_opt(1990, 5, 17).unwrap();
        assert_eq!(client.execute(&insert, &[&7i64, &"ann", &1.5f64, &date]).await.unwrap(), 1);
        let row = client.query_one(&by_id, &[&7i64]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "ann");
        let row = client.query_one(&arith, &[&41i32]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 42);
        let upd = client.prepare("UPDATE p SET score = score * $1 WHERE born < $2 RETURNING score").await.unwrap();
        assert_eq!(upd.params(), [Type::FLOAT8, Type::DATE]);
        let rows = client.query(&upd, &[&2.0f64, &chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()]).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<_, f64>(0), 3.0);

        // `x = ANY(array)`, `SET c = $n` and `generate_series(1, $n)` type their parameters
        // from the other side, as PostgreSQL does (asyncpg sends them untyped).
        client.batch_execute("CREATE TABLE q (id int PRIMARY KEY, tags text[], ints int[], doc jsonb)").await.unwrap();
        client.batch_execute("INSERT INTO q VALUES (1, '{a,b}', '{1,2,3}', '{}'), (2, '{c}', '{4}', NULL)").await.unwrap();
        let elem = client.prepare("SELECT id FROM q WHERE $1 = ANY(ints) ORDER BY id").await.unwrap();
        assert_eq!(elem.params(), [Type::INT4]);
        assert_eq!(client.query_one(&elem, &[&4i32]).await.unwrap().get::<_, i32>(0), 2);
        let array = client.prepare("SELECT count(*) FROM q WHERE id <> ALL($1)").await.unwrap();
        assert_eq!(array.params(), [Type::INT4_ARRAY]);
        assert_eq!(client.query_one(&array, &[&vec![2i32]]).await.unwrap().get::<_, i64>(0), 1);
        let set = client.prepare("UPDATE q SET doc = $1, tags = $2 WHERE id = $3").await.unwrap();
        assert_eq!(set.params(), [Type::JSONB, Type::TEXT_ARRAY, Type::INT4]);
        let doc = serde_json::json!({"k": [1, "x"]});
        assert_eq!(client.execute(&set, &[&doc, &vec!["z"], &2i32]).await.unwrap(), 1);
        let row = client.query_one("SELECT doc, tags FROM q WHERE id = 2", &[]).await.unwrap();
        assert_eq!(row.get::<_, serde_json::Value>(0), doc);
        assert_eq!(row.get::<_, Vec<String>>(1), ["z"]);
        let series = client.prepare("SELECT g FROM generate_series(1, $1) g ORDER BY g").await.unwrap();
        assert_eq!(series.params().len(), 1);
        let rows = client.query(&series, &[&3i64]).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(), [1, 2, 3]);
        // A parameter inside an argument expression (psycopg's `%s::int8`).
        let series = client.prepare("SELECT sum(g)::int8 FROM generate_series($1::int4 + 1, $2::int8) g").await.unwrap();
        assert_eq!(series.params(), [Type::INT4, Type::INT8]);
        assert_eq!(client.query_one(&series, &[&5i32, &10i64]).await.unwrap().get::<_, i64>(0), 40);
    });
}

#[test]
fn named_portals_fetch_in_chunks() {
    block_on(async {
        let mut client = fresh_db("proto_portal").await;
        client.batch_execute("CREATE TABLE n (i int PRIMARY KEY)").await.unwrap();
        client.batch_execute("INSERT INTO n SELECT * FROM generate_series(1, 25)").await.unwrap();
        let tx = client.transaction().await.unwrap();
        let stmt = tx.prepare("SELECT i FROM n WHERE i > $1 ORDER BY i").await.unwrap();
        let portal = tx.bind(&stmt, &[&5i32]).await.unwrap();
        let mut seen = Vec::new();
        loop {
            let rows = tx.query_portal(&portal, 7).await.unwrap();
            if rows.is_empty() {
                break;
            }
            assert!(rows.len() <= 7);
            seen.extend(rows.iter().map(|r| r.get::<_, i32>(0)));
        }
        assert_eq!(seen, (6..=25).collect::<Vec<_>>());
        tx.commit().await.unwrap();
    });
}

#[test]
fn simple_query_returns_text_rows_for_each_statement() {
    block_on(async {
        let client = fresh_db("proto_simple").await;
        let msgs = client.simple_query("SELECT 1 AS a, 'x' AS b; SELECT NULL::int AS c").await.unwrap();
        let rows: Vec<Vec<Option<String>>> = msgs
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
                _ => None,
            })
            .collect();
        assert_eq!(rows, vec![vec![Some("1".to_string()), Some("x".to_string())], vec![None]]);
        let completes = msgs.iter().filter(|m| matches!(m, SimpleQueryMessage::CommandComplete(_))).count();
        assert_eq!(completes, 2);
    });
}

#[test]
fn cancel_request_stops_a_running_query() {
    block_on(async {
        let client = fresh_db("proto_cancel").await;
        let token = client.cancel_token();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            token.cancel_query(NoTls).await
        });
        let err = client
            .simple_query("SELECT count(*) FROM generate_series(1, 20000000000) AS g(a) WHERE a % 7 = 3")
            .await
            .expect_err("the query is cancelled");
        canceller.await.unwrap().expect("cancel request accepted");
        assert_eq!(err.code().map(|c| c.code()), Some("57014"), "{err}");
        // The connection is still usable.
        let row = client.query_one("SELECT 2", &[]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 2);
    });
}

#[test]
fn statement_timeout_cancels_with_57014() {
    block_on(async {
        let client = fresh_db("proto_timeout").await;
        client.batch_execute("SET statement_timeout = '300ms'").await.unwrap();
        let err = client
            .simple_query("SELECT count(*) FROM generate_series(1, 20000000000) AS g(a) WHERE a % 7 = 3")
            .await
            .expect_err("times out");
        assert_eq!(err.code().map(|c| c.code()), Some("57014"), "{err}");
        let message = err.as_db_error().unwrap().message().to_string();
        assert_eq!(message, "canceling statement due to statement timeout");
        client.batch_execute("RESET statement_timeout").await.unwrap();
        assert_eq!(client.query_one("SELECT 3", &[]).await.unwrap().get::<_, i32>(0), 3);
    });
}

#[test]
fn extended_responses_arrive_at_flush_and_sync() {
    block_on(async {
        fresh_db("proto_flush").await;
        let mut c = RawClient::connect(server().addr, "quiver", "proto_flush").await;
        c.simple("CREATE TABLE kv (id int PRIMARY KEY, v text); INSERT INTO kv VALUES (1, 'one')").await;
        // Responses are batched until Sync; a Flush (asyncpg's pattern) must deliver them.
        c.parse("SELECT v FROM kv WHERE id = $1").await;
        c.bind(&["1"]).await;
        c.execute().await;
        c.send(b'H', &[]).await;
        let got: Vec<char> = c.read_until(b'C', 5).await.iter().map(|m| m.tag as char).collect();
        assert_eq!(got, vec!['1', '2', 'D', 'C']);
        c.send(b'S', &[]).await;
        let ready = c.read_until(b'Z', 5).await;
        assert_eq!(ready.len(), 1, "only ReadyForQuery after Sync");
        // Without Flush, everything arrives at Sync; an error skips to Sync as usual.
        c.parse("SELECT 10 / id FROM kv WHERE id = $1 - 1").await;
        c.bind(&["1"]).await;
        c.execute().await;
        c.send(b'S', &[]).await;
        let msgs = c.read_until(b'Z', 5).await;
        let tags: Vec<char> = msgs.iter().map(|m| m.tag as char).collect();
        assert_eq!(tags, vec!['1', '2', 'C', 'Z'], "no row has id 0");
        c.bind(&["2"]).await;
        c.execute().await;
        c.send(b'S', &[]).await;
        let tags: Vec<char> = c.read_until(b'Z', 5).await.iter().map(|m| m.tag as char).collect();
        assert_eq!(tags, vec!['2', 'D', 'C', 'Z']);
        c.simple("INSERT INTO kv VALUES (0, 'zero')").await;
        c.bind(&["1"]).await;
        c.execute().await;
        c.send(b'S', &[]).await;
        let msgs = c.read_until(b'Z', 5).await;
        let tags: Vec<char> = msgs.iter().map(|m| m.tag as char).collect();
        assert_eq!(tags, vec!['2', 'E', 'Z']);
        assert_eq!(msgs[1].field(b'C').as_deref(), Some("22012"));
        c.parse("SELECT v FROM kv WHERE id = $1").await;
        c.bind(&["1"]).await;
        c.execute().await;
        c.send(b'S', &[]).await;
        let tags: Vec<char> = c.read_until(b'Z', 5).await.iter().map(|m| m.tag as char).collect();
        assert_eq!(tags, vec!['1', '2', 'D', 'C', 'Z']);
    });
}

/// Describe of a statement that returns no rows answers ParameterDescription then NoData
/// (not an empty RowDescription), as PostgreSQL does: pgjdbc rejects the update count of
/// a statement described as returning rows.
#[test]
fn describe_statement_without_rows_is_nodata() {
    block_on(async {
        fresh_db("proto_nodata").await;
        let mut c = RawClient::connect(server().addr, "quiver", "proto_nodata").await;
        c.simple("CREATE TABLE t (id int)").await;
        for (sql, expected) in [("INSERT INTO t VALUES ($1)", [b't', b'n']), ("SELECT id FROM t WHERE id = $1", [b't', b'T'])] {
            c.parse(sql).await;
            let mut body = vec![b'S'];
            body.push(0);
            c.send(b'D', &body).await;
            c.send(b'S', &[]).await;
            let tags: Vec<u8> = c.read_until(b'Z', 10).await.iter().map(|m| m.tag).collect();
            assert_eq!(tags, [b'1', expected[0], expected[1], b'Z'], "{sql}");
        }
    });
}

/// RowDescription names the source table and column of plain column references (0 for
/// expressions), as pgjdbc's ResultSetMetaData and psqlODBC expect.
#[test]
fn row_description_carries_table_oid_and_attnum() {
    block_on(async {
        let client = fresh_db("proto_sources").await;
        client.batch_execute("CREATE TABLE src (a int, b text, c int); ALTER TABLE src DROP COLUMN a").await.unwrap();
        let oid: u32 = client.query_one("SELECT 'src'::regclass::oid", &[]).await.unwrap().get(0);
        let stmt = client.prepare("SELECT c, b, c + 1 AS d, s.b, b AS e FROM src s ORDER BY c").await.unwrap();
        let sources: Vec<(Option<u32>, Option<i16>)> = stmt.columns().iter().map(|c| (c.table_oid(), c.column_id())).collect();
        assert_eq!(sources, [(Some(oid), Some(3)), (Some(oid), Some(2)), (None, None), (Some(oid), Some(2)), (Some(oid), Some(2))]);
        // Repeated output names are allowed, as in PostgreSQL.
        let row = client.query_one("SELECT 1 AS a, 2 AS a", &[]).await.unwrap();
        let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
        assert_eq!((names, row.get::<_, i32>(0), row.get::<_, i32>(1)), (vec!["a", "a"], 1, 2));
    });
}

/// The first column of a DataRow as text (`None` for NULL).
fn first_cell(m: &crate::raw::Message) -> Option<String> {
    let len = i32::from_be_bytes(m.body[2..6].try_into().unwrap());
    (len >= 0).then(|| String::from_utf8_lossy(&m.body[6..6 + len as usize]).into_owned())
}

/// The first cells of the DataRows of `msgs`.
fn cells(msgs: &[crate::raw::Message]) -> Vec<String> {
    msgs.iter().filter(|m| m.tag == b'D').filter_map(first_cell).collect()
}

/// The SQLSTATEs of the ErrorResponses of `msgs`.
fn sqlstates(msgs: &[crate::raw::Message]) -> Vec<String> {
    msgs.iter().filter(|m| m.tag == b'E').filter_map(|m| m.field(b'C')).collect()
}

#[test]
fn protocol_statements_and_portals_share_the_sql_namespaces() {
    block_on(async {
        fresh_db("proto_namespace").await;
        let mut c = RawClient::connect(server().addr, "quiver", "proto_namespace").await;
        // A statement parsed through the protocol is visible to SQL EXECUTE and EXPLAIN EXECUTE.
        c.parse_named("s1", "SELECT $1::int8 + 1 AS n").await;
        assert!(sqlstates(&c.sync().await).is_empty());
        assert_eq!(cells(&c.simple("EXECUTE s1(41)").await), ["42"]);
        let explained = c.simple("EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE s1(NULL)").await;
        let desc = explained.iter().find(|m| m.tag == b'T').expect("RowDescription");
        let type_oid = u32::from_be_bytes(desc.body[2 + "QUERY PLAN".len() + 1 + 6..][..4].try_into().unwrap());
        assert_eq!(type_oid, 114, "EXPLAIN (FORMAT JSON) answers one json value");
        let plan: serde_json::Value = serde_json::from_str(&cells(&explained)[0]).expect("JSON plan");
        assert!(plan[0]["Plan"]["Node Type"].is_string(), "{plan}");
        // One namespace: the name is taken for Parse and PREPARE alike (42P05).
        c.parse_named("s1", "SELECT 2").await;
        assert_eq!(sqlstates(&c.sync().await), ["42P05"]);
        assert_eq!(sqlstates(&c.simple("PREPARE s1 AS SELECT 3").await), ["42P05"]);
        // DEALLOCATE through SQL removes it for Bind too (26000), and frees the name.
        assert_eq!(c.tags("DEALLOCATE s1").await, ["DEALLOCATE"]);
        c.bind_named("", "s1", &["1"]).await;
        assert_eq!(sqlstates(&c.sync().await), ["26000"]);
        c.parse_named("s1", "SELECT 'again'").await;
        c.bind_named("", "s1", &[]).await;
        c.execute().await;
        assert_eq!(cells(&c.sync().await), ["again"]);

        // A portal bound through the protocol is a cursor for FETCH / MOVE / CLOSE.
        assert_eq!(c.tags("BEGIN").await, ["BEGIN"]);
        c.parse_named("s2", "SELECT g FROM generate_series(1, 10) AS g WHERE g <= $1::int8 ORDER BY g").await;
        c.bind_named("p1", "s2", &["10"]).await;
        assert!(sqlstates(&c.sync().await).is_empty());
        let moved = c.simple("MOVE FORWARD 3 FROM p1").await;
        assert_eq!(moved.iter().filter(|m| m.tag == b'C').map(|m| m.text()).collect::<Vec<_>>(), ["MOVE 3"]);
        let fetched = c.simple("FETCH 2 FROM p1").await;
        assert_eq!(cells(&fetched), ["4", "5"]);
        assert_eq!(fetched.iter().filter(|m| m.tag == b'C').map(|m| m.text()).collect::<Vec<_>>(), ["FETCH 2"]);
        // The protocol resumes where SQL left off.
        c.execute_named("p1", 2).await;
        let resumed = c.sync().await;
        assert_eq!(cells(&resumed), ["6", "7"]);
        assert!(resumed.iter().any(|m| m.tag == b's'), "PortalSuspended after the row limit");
        assert_eq!(sqlstates(&c.simple("FETCH BACKWARD 1 FROM p1").await), ["55000"]);
        assert_eq!(c.tags("ROLLBACK").await, ["ROLLBACK"]);
        assert_eq!(c.tags("BEGIN").await, ["BEGIN"]);
        c.bind_named("p2", "s2", &["3"]).await;
        assert!(sqlstates(&c.sync().await).is_empty());
        assert_eq!(c.tags("CLOSE p2").await, ["CLOSE CURSOR"]);
        assert_eq!(sqlstates(&c.simple("FETCH 1 FROM p2").await), ["34000"]);
        assert_eq!(c.tags("ROLLBACK").await, ["ROLLBACK"]);
    });
}
