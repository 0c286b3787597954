//! Durability through the real binary: a clean restart keeps data, catalog and
//! constraints; `kill -9` right after acknowledged commits loses none of them.

use crate::block_on;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio_postgres::{Client, NoTls};

/// A `quiverdb` process on `dir`.
struct Process {
    child: Child,
    addr: SocketAddr,
}

impl Process {
    /// Starts the binary on `dir` and waits until it accepts connections.
    fn start(dir: &Path) -> Process {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_quiverdb"))
            .arg("--data-dir")
            .arg(dir)
            .arg("--listen")
            .arg(addr.to_string())
            .env("QUIVER_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn quiverdb");
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "quiverdb did not start listening on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Process { child, addr }
    }

    async fn connect(&self) -> Client {
        let conn = format!("host=127.0.0.1 port={} user=quiver dbname=quiver", self.addr.port());
        let (client, connection) = tokio_postgres::connect(&conn, NoTls).await.expect("connect");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "quiverdb exited with {status} after SIGTERM");
                return;
            }
            assert!(Instant::now() < deadline, "quiverdb did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no flush, no shutdown path.
    fn kill9(mut self) {
        let _ = self.child.kill();
        self.child.wait().unwrap();
    }
}

#[test]
fn data_catalog_and_constraints_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p = Process::start(dir.path());
    let oids = block_on(async {
        let c = p.connect().await;
        c.batch_execute(
            "CREATE SCHEMA app; \
             CREATE TABLE app.acct (id int PRIMARY KEY, email text UNIQUE, bal numeric(10,2) NOT NULL DEFAULT 0 CHECK (bal >= 0)); \
             INSERT INTO app.acct (id, email, bal) VALUES (1, 'a@x', 10.50), (2, 'b@x', 0); \
             INSERT INTO app.acct (id, email) VALUES (3, 'c@x'); \
             CREATE INDEX acct_bal ON app.acct (bal); \
             CREATE VIEW app.rich AS SELECT id FROM app.acct WHERE bal > 1; \
             ALTER TABLE app.acct ADD COLUMN note text DEFAULT 'none'; \
             CREATE TABLE plain (x text); INSERT INTO plain VALUES ('no primary key'); \
             ANALYZE app.acct",
        )
        .await
        .unwrap();
        c.batch_execute("CREATE DATABASE other").await.unwrap();
        catalog_oids(&c).await
    });
    p.stop();
    let p = Process::start(dir.path());
    block_on(async {
        let c = p.connect().await;
        // Every relation, index, constraint and default keeps its OID.
        assert_eq!(catalog_oids(&c).await, oids);
        let rows = c.query("SELECT id, email, bal::text, note FROM app.acct ORDER BY id", &[]).await.unwrap();
        let got: Vec<(i32, String, String, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
        assert_eq!(
            got,
            [
                (1, "a@x".to_string(), "10.50".to_string(), "none".to_string()),
                (2, "b@x".to_string(), "0.00".to_string(), "none".to_string()),
                (3, "c@x".to_string(), "0.00".to_string(), "none".to_string()),
            ]
        );
        // ANALYZE's statistics survive: with 3 rows, reading them all beats the index
        // (which, without statistics, would be assumed selective); the index survives too.
        let plan = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n");
        let p1 = plan(c.query("EXPLAIN SELECT id FROM app.acct WHERE bal = 0", &[]).await.unwrap());
        assert!(p1.contains("access=full scan"), "{p1}");
        let p2 = plan(c.query("EXPLAIN SELECT id, bal FROM app.acct ORDER BY bal LIMIT 1", &[]).await.unwrap());
        assert!(p2.contains("using acct_bal in order"), "{p2}");
        let rich: Vec<i32> = c.query("SELECT id FROM app.rich", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
        assert_eq!(rich, [1]);
        let code = |e: tokio_postgres::Error| e.code().map(|c| c.code().to_string());
        let dup = c.batch_execute("INSERT INTO app.acct (id, email) VALUES (1, 'z@x')").await.unwrap_err();
        assert_eq!(code(dup).as_deref(), Some("23505"));
        let dup = c.batch_execute("INSERT INTO app.acct (id, email) VALUES (9, 'a@x')").await.unwrap_err();
        assert_eq!(code(dup).as_deref(), Some("23505"));
        let neg = c.batch_execute("UPDATE app.acct SET bal = -1 WHERE id = 1").await.unwrap_err();
        assert_eq!(code(neg).as_deref(), Some("23514"));
        let dup_index = c.batch_execute("CREATE INDEX acct_bal ON app.acct (id)").await.unwrap_err();
        assert_eq!(code(dup_index).as_deref(), Some("42P07"));
        let plain: String = c.query_one("SELECT x FROM plain", &[]).await.unwrap().get(0);
        assert_eq!(plain, "no primary key");
        // New rows in a table keyed by hidden row ids do not collide with the old ones.
        c.batch_execute("INSERT INTO plain VALUES ('second')").await.unwrap();
        let n: i64 = c.query_one("SELECT count(*) FROM plain", &[]).await.unwrap().get(0);
        assert_eq!(n, 2);
        // The last object made before the restart is an index.
        c.batch_execute("CREATE INDEX plain_x ON plain (x)").await.unwrap();
    });
    p.stop();
    // The database created before the first restart is still there.
    let p = Process::start(dir.path());
    block_on(async {
        let conn = format!("host=127.0.0.1 port={} user=quiver dbname=other", p.addr.port());
        let (client, connection) = tokio_postgres::connect(&conn, NoTls).await.expect("database other survives");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client.batch_execute("SELECT 1").await.unwrap();
        // Ids given after a restart do not reuse that index's key prefix: a new unique
        // index sees none of its entries.
        let c = p.connect().await;
        c.batch_execute("CREATE TABLE later (x text UNIQUE); INSERT INTO later VALUES ('second')").await.unwrap();
        let n: i64 = c.query_one("SELECT count(*) FROM plain WHERE x = 'second'", &[]).await.unwrap().get(0);
        assert_eq!(n, 1);
    });
    p.stop();
}

/// Name and OID of every relation, constraint and default of schema `app`.
async fn catalog_oids(c: &Client) -> Vec<(String, u32)> {
    let sql = "SELECT relname::text, oid FROM pg_class WHERE relnamespace = 'app'::regnamespace \
               UNION ALL SELECT conname::text, oid FROM pg_constraint WHERE connamespace = 'app'::regnamespace \
               UNION ALL SELECT 'default ' || adnum::text, oid FROM pg_attrdef WHERE adrelid = 'app.acct'::regclass \
               ORDER BY 1";
    let rows = c.query(sql, &[]).await.unwrap();
    let oids: Vec<(String, u32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert!(oids.len() >= 9, "{oids:?}");
    oids
}

#[test]
fn acknowledged_commits_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let p = Process::start(dir.path());
    let acknowledged: Vec<i64> = block_on(async {
        let setup = p.connect().await;
        setup.batch_execute("CREATE TABLE ledger (id bigint PRIMARY KEY, writer int, payload text)").await.unwrap();
        // An open, uncommitted transaction whose rows must not survive.
        setup.batch_execute("BEGIN; INSERT INTO ledger VALUES (-1, -1, 'uncommitted')").await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..4i64 {
            let client = p.connect().await;
            let stop = stop.clone();
            writers.push(tokio::spawn(async move {
                let mut acked = Vec::new();
                let mut i = 0i64;
                while !stop.load(Ordering::Relaxed) {
                    let id = w * 1_000_000 + i;
                    // Alternate autocommit statements and explicit blocks of two rows.
                    let ok = if i % 2 == 0 {
                        client.execute("INSERT INTO ledger VALUES ($1, $2, 'auto')", &[&id, &(w as i32)]).await.is_ok()
                    } else {
                        let sql = format!(
                            "BEGIN; INSERT INTO ledger VALUES ({id}, {w}, 'block'); \
                             UPDATE ledger SET payload = 'block-updated' WHERE id = {id}; COMMIT"
                        );
                        client.batch_execute(&sql).await.is_ok()
                    };
                    if !ok {
                        break;
                    }
                    acked.push(id);
                    i += 1;
                }
                acked
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // Kill while the writers are still committing: only what was acknowledged counts.
        let killer = {
            let pid = p.child.id();
            std::thread::spawn(move || {
                Command::new("kill").arg("-9").arg(pid.to_string()).status().unwrap();
            })
        };
        killer.join().unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for w in writers {
            all.extend(w.await.unwrap());
        }
        drop(setup);
        all
    });
    p.kill9();
    assert!(acknowledged.len() > 20, "too few commits before the kill: {}", acknowledged.len());
    let p = Process::start(dir.path());
    block_on(async {
        let c = p.connect().await;
        let rows = c.query("SELECT id, payload FROM ledger ORDER BY id", &[]).await.unwrap();
        let present: std::collections::HashMap<i64, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        for id in &acknowledged {
            let payload = present.get(id).unwrap_or_else(|| panic!("acknowledged row {id} lost after kill -9"));
            let expected = if (id % 1_000_000) % 2 == 0 { "auto" } else { "block-updated" };
            assert_eq!(payload, expected, "row {id}");
        }
        assert!(!present.contains_key(&-1), "an uncommitted row survived");
        // Statements that were in flight at the kill may or may not have committed, but
        // nothing else appears.
        assert!(present.len() <= acknowledged.len() + 4, "{} rows for {} acknowledged", present.len(), acknowledged.len());
        // The table keeps working after recovery.
        c.batch_execute("INSERT INTO ledger VALUES (-2, 0, 'after')").await.unwrap();
    });
    p.stop();
}

/// A sequence never hands out a value twice: not after `kill -9` (it continues after the
/// values some committed row used, possibly with a gap), and after a clean stop it
/// continues exactly where it was.
#[test]
fn sequences_never_repeat_a_value_across_kill_9_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let p = Process::start(dir.path());
    let used: Vec<i32> = block_on(async {
        let c = p.connect().await;
        c.batch_execute("CREATE TABLE t (id serial PRIMARY KEY, v text); CREATE SEQUENCE loose").await.unwrap();
        let mut ids = Vec::new();
        for i in 0..10 {
            let row = c.query_one("INSERT INTO t (v) VALUES ($1) RETURNING id", &[&format!("r{i}")]).await.unwrap();
            ids.push(row.get(0));
        }
        // Drawn in a transaction that never commits: still never given out again.
        c.batch_execute("BEGIN; SELECT nextval('loose'); SELECT nextval('loose')").await.unwrap();
        ids
    });
    assert_eq!(used, (1..=10).collect::<Vec<i32>>());
    p.kill9();
    let p = Process::start(dir.path());
    let after_crash: (i32, i64) = block_on(async {
        let c = p.connect().await;
        let id: i32 = c.query_one("INSERT INTO t (v) VALUES ('after') RETURNING id", &[]).await.unwrap().get(0);
        let loose: i64 = c.query_one("SELECT nextval('loose')", &[]).await.unwrap().get(0);
        (id, loose)
    });
    assert!(after_crash.0 > 10, "serial value {} reused after kill -9", after_crash.0);
    assert!(after_crash.1 > 2, "sequence value {} reused after kill -9", after_crash.1);
    p.stop();
    let p = Process::start(dir.path());
    block_on(async {
        let c = p.connect().await;
        let id: i32 = c.query_one("INSERT INTO t (v) VALUES ('after stop') RETURNING id", &[]).await.unwrap().get(0);
        assert_eq!(id, after_crash.0 + 1, "a clean stop keeps the exact position");
        let n: i64 = c.query_one("SELECT count(*) FROM t", &[]).await.unwrap().get(0);
        assert_eq!(n, 12);
    });
    p.stop();
}
