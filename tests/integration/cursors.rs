//! Cursors over the wire: command tags, BINARY cursors (binary rows in the simple
//! protocol), and FETCH through the extended protocol, whose Describe must report the
//! cursor's columns. Positioning rules are covered by `sqllogictest/sql/cursors.slt`.

use crate::raw::RawClient;
use crate::{block_on, fresh_db, server};

#[test]
fn cursor_tags_and_binary_cursors_match_postgres() {
    block_on(async {
        fresh_db("cursor_tags").await;
        let mut c = RawClient::connect(server().addr, "quiver", "cursor_tags").await;
        let messages = c
            .simple(
                "BEGIN; DECLARE b BINARY CURSOR FOR SELECT 42::int4 AS n, 'x'::text AS t; FETCH 1 FROM b; MOVE 1 IN b; \
                 CLOSE b; DECLARE d CURSOR FOR SELECT 1; CLOSE ALL; COMMIT",
            )
            .await;
        let tags: Vec<String> = messages.iter().filter(|m| m.tag == b'C').map(|m| m.text()).collect();
        assert_eq!(tags, ["BEGIN", "DECLARE CURSOR", "FETCH 1", "MOVE 0", "CLOSE CURSOR", "DECLARE CURSOR", "CLOSE CURSOR ALL", "COMMIT"]);
        // RowDescription: two fields, each ending with format code 1 (binary).
        let desc = messages.iter().find(|m| m.tag == b'T').expect("RowDescription");
        assert_eq!(&desc.body[..2], &[0, 2]);
        assert_eq!(&desc.body[desc.body.len() - 2..], &[0, 1], "binary format code");
        // DataRow: int4 42 in network order, then text `x`.
        let row = messages.iter().find(|m| m.tag == b'D').expect("DataRow");
        assert_eq!(row.body, [0, 2, 0, 0, 0, 4, 0, 0, 0, 42, 0, 0, 0, 1, b'x']);
    });
}

#[test]
fn fetch_works_through_the_extended_protocol() {
    block_on(async {
        let mut c = fresh_db("cursor_extended").await;
        c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 5) g")
            .await
            .unwrap();
        let tx = c.transaction().await.unwrap();
        tx.batch_execute("DECLARE c SCROLL CURSOR FOR SELECT id, v FROM t ORDER BY id").await.unwrap();
        let rows = tx.query("FETCH 2 FROM c", &[]).await.unwrap();
        let got: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(got, [(1, "v1".to_string()), (2, "v2".to_string())]);
        let rows = tx.query("FETCH LAST FROM c", &[]).await.unwrap();
        assert_eq!(rows[0].get::<_, i32>(0), 5);
        let moved = tx.execute("MOVE BACKWARD 2 IN c", &[]).await.unwrap();
        assert_eq!(moved, 2);
        let e = tx.query("FETCH 1 FROM nope", &[]).await.unwrap_err();
        assert_eq!(e.code().map(|c| c.code()), Some("34000"));
    });
}
