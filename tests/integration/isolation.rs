//! Isolation between concurrent sessions, over real connections: what one transaction may
//! see of another's work at READ COMMITTED and REPEATABLE READ, write-write conflicts,
//! uniqueness across transactions, write skew, and savepoints.
//!
//! Write skew: both levels here are snapshot-based with first-committer-wins on the keys a
//! transaction *writes*, so two transactions that each read what the other writes and
//! write disjoint rows both commit — as in PostgreSQL's READ COMMITTED and REPEATABLE READ.
//! SERIALIZABLE, which would have to prevent it, is refused with 0A000 rather than run
//! weaker.

use crate::common::connect;
use crate::{block_on, fresh_db, server};
use tokio_postgres::Client;

async fn two(db: &str) -> (Client, Client) {
    let a = fresh_db(db).await;
    a.batch_execute("CREATE TABLE acc (id int PRIMARY KEY, bal int NOT NULL); INSERT INTO acc VALUES (1, 100), (2, 100)").await.unwrap();
    let b = connect(server().addr, db).await;
    (a, b)
}

async fn bal(c: &Client, id: i32) -> i32 {
    c.query_one("SELECT bal FROM acc WHERE id = $1", &[&id]).await.unwrap().get(0)
}

#[test]
fn uncommitted_writes_are_never_visible() {
    block_on(async {
        let (a, b) = two("iso_dirty").await;
        a.batch_execute("BEGIN; UPDATE acc SET bal = 0 WHERE id = 1; INSERT INTO acc VALUES (3, 7)").await.unwrap();
        assert_eq!(bal(&b, 1).await, 100, "dirty read");
        let n: i64 = b.query_one("SELECT count(*) FROM acc", &[]).await.unwrap().get(0);
        assert_eq!(n, 2, "uncommitted insert visible");
        a.batch_execute("ROLLBACK").await.unwrap();
        assert_eq!(bal(&b, 1).await, 100);
    });
}

#[test]
fn read_committed_sees_new_commits_repeatable_read_does_not() {
    block_on(async {
        let (a, b) = two("iso_levels").await;
        b.batch_execute("BEGIN").await.unwrap();
        assert_eq!(bal(&b, 1).await, 100);
        a.batch_execute("UPDATE acc SET bal = 50 WHERE id = 1").await.unwrap();
        assert_eq!(bal(&b, 1).await, 50, "READ COMMITTED: each statement sees the latest commit");
        b.batch_execute("COMMIT").await.unwrap();

        b.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ").await.unwrap();
        assert_eq!(bal(&b, 1).await, 50);
        a.batch_execute("UPDATE acc SET bal = 10 WHERE id = 1; INSERT INTO acc VALUES (3, 1)").await.unwrap();
        assert_eq!(bal(&b, 1).await, 50, "non-repeatable read under REPEATABLE READ");
        let n: i64 = b.query_one("SELECT count(*) FROM acc", &[]).await.unwrap().get(0);
        assert_eq!(n, 2, "phantom under REPEATABLE READ");
        b.batch_execute("COMMIT").await.unwrap();
        assert_eq!(bal(&b, 1).await, 10);
    });
}

#[test]
fn concurrent_inserts_of_one_key_leave_one_row() {
    block_on(async {
        let (a, b) = two("iso_unique").await;
        a.batch_execute("BEGIN; INSERT INTO acc VALUES (5, 1)").await.unwrap();
        b.batch_execute("BEGIN; INSERT INTO acc VALUES (5, 2)").await.unwrap();
        a.batch_execute("COMMIT").await.unwrap();
        let err = b.batch_execute("COMMIT").await.unwrap_err();
        let code = err.code().unwrap().code().to_string();
        assert!(code == "23505" || code == "40001", "{err}");
        assert_eq!(bal(&a, 5).await, 1);
        let n: i64 = a.query_one("SELECT count(*) FROM acc WHERE id = 5", &[]).await.unwrap().get(0);
        assert_eq!(n, 1);
    });
}

/// Simple-protocol autocommit statements that lose a write-write race are re-run with a
/// new snapshot (PostgreSQL's READ COMMITTED re-evaluates the newest row version).
/// Known gap: an extended-protocol Execute commits at Sync and is not retried, so under
/// contention it can still fail with 40001 (see ARCHITECTURE.md).
#[test]
fn autocommit_increments_are_never_lost() {
    block_on(async {
        let (a, b) = two("iso_increments").await;
        let run = |c: Client| async move {
            for _ in 0..50 {
                c.batch_execute("UPDATE acc SET bal = bal + 1 WHERE id = 2").await.unwrap();
            }
            c
        };
        let (a, _b) = tokio::join!(run(a), run(b));
        assert_eq!(bal(&a, 2).await, 200, "an increment was lost");
    });
}

#[test]
fn write_skew_commits_at_both_levels_and_serializable_is_refused() {
    block_on(async {
        let (a, b) = two("iso_skew").await;
        for level in ["READ COMMITTED", "REPEATABLE READ"] {
            a.batch_execute("UPDATE acc SET bal = 100").await.unwrap();
            a.batch_execute(&format!("BEGIN ISOLATION LEVEL {level}")).await.unwrap();
            b.batch_execute(&format!("BEGIN ISOLATION LEVEL {level}")).await.unwrap();
            let sum_a: i64 = a.query_one("SELECT sum(bal) FROM acc", &[]).await.unwrap().get(0);
            let sum_b: i64 = b.query_one("SELECT sum(bal) FROM acc", &[]).await.unwrap().get(0);
            assert_eq!((sum_a, sum_b), (200, 200));
            a.batch_execute("UPDATE acc SET bal = bal - 150 WHERE id = 1").await.unwrap();
            b.batch_execute("UPDATE acc SET bal = bal - 150 WHERE id = 2").await.unwrap();
            a.batch_execute("COMMIT").await.unwrap();
            b.batch_execute("COMMIT").await.unwrap();
            let sum: i64 = a.query_one("SELECT sum(bal) FROM acc", &[]).await.unwrap().get(0);
            assert_eq!(sum, -100, "{level}: both disjoint writes commit (write skew)");
        }
        let err = a.batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE").await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "0A000", "{err}");
        a.batch_execute("SELECT 1").await.unwrap();
    });
}

#[test]
fn savepoints_undo_only_later_work() {
    block_on(async {
        let (a, b) = two("iso_savepoint").await;
        a.batch_execute(
            "BEGIN; UPDATE acc SET bal = 1 WHERE id = 1; SAVEPOINT s1; UPDATE acc SET bal = 2 WHERE id = 2; INSERT INTO acc VALUES (9, 9)",
        )
        .await
        .unwrap();
        // An error after the savepoint fails the block until ROLLBACK TO.
        let err = a.batch_execute("INSERT INTO acc VALUES (1, 0)").await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "23505");
        let err = a.batch_execute("SELECT 1").await.unwrap_err();
        assert_eq!(err.code().unwrap().code(), "25P02");
        a.batch_execute("ROLLBACK TO SAVEPOINT s1").await.unwrap();
        assert_eq!(bal(&a, 1).await, 1, "work before the savepoint stays");
        assert_eq!(bal(&a, 2).await, 100, "work after the savepoint is undone");
        assert_eq!(a.query_opt("SELECT bal FROM acc WHERE id = 9", &[]).await.unwrap().map(|r| r.get::<_, i32>(0)), None);
        a.batch_execute("SAVEPOINT s2; UPDATE acc SET bal = 3 WHERE id = 2; RELEASE SAVEPOINT s2; COMMIT").await.unwrap();
        assert_eq!((bal(&b, 1).await, bal(&b, 2).await), (1, 3));
    });
}
