//! pgbench with custom scripts (`tests/clients/pgbench/*.sql`) against the shared server,
//! in each of its query modes (simple, extended, prepared): every transaction must
//! succeed, and the tables must hold exactly what the transactions wrote.

use crate::{block_on, fresh_db, server};
use std::process::Command;

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/pgbench");
const CLIENTS: usize = 2;
const TRANSACTIONS: usize = 30;

/// Runs pgbench with `script` in `mode` against `db`; returns its report.
fn pgbench(db: &str, script: &str, mode: &str) -> String {
    let addr = server().addr;
    let out = Command::new("pgbench")
        .args(["-n", "-h", &addr.ip().to_string(), "-p", &addr.port().to_string(), "-U", "quiver"])
        .args(["-f", &format!("{SCRIPTS}/{script}"), "-M", mode])
        .args(["-c", &CLIENTS.to_string(), "-j", "2", "-t", &TRANSACTIONS.to_string(), db])
        .output()
        .unwrap_or_else(|e| panic!("cannot run pgbench ({e}); apt-get install postgresql-15 (scripts/setup.sh does this)"));
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "pgbench -M {mode} -f {script} failed:\n{report}");
    let total = CLIENTS * TRANSACTIONS;
    assert!(report.contains(&format!("number of transactions actually processed: {total}/{total}")), "{report}");
    report
}

#[test]
fn pgbench_custom_scripts_in_every_query_mode() {
    block_on(async {
        let client = fresh_db("client_pgbench").await;
        client
            .batch_execute(
                "CREATE TABLE acc (id int PRIMARY KEY, bal bigint NOT NULL);
                 INSERT INTO acc SELECT i, 0 FROM generate_series(1, 10) AS g(i);
                 CREATE TABLE hist (n serial PRIMARY KEY, id int NOT NULL, delta int NOT NULL);
                 CREATE TABLE kv (id int PRIMARY KEY, v text);
                 INSERT INTO kv SELECT i, 'v' || i FROM generate_series(1, 100) AS g(i);",
            )
            .await
            .unwrap();
        for mode in ["simple", "extended", "prepared"] {
            pgbench("client_pgbench", "transfer.sql", mode);
            pgbench("client_pgbench", "lookup.sql", mode);
        }
        // Every logged move reached its account, and nothing else did.
        let runs = 3 * CLIENTS * TRANSACTIONS;
        let row = client.query_one("SELECT count(*), sum(delta)::bigint FROM hist", &[]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), runs as i64);
        let logged: i64 = row.get(1);
        let balances: i64 = client.query_one("SELECT sum(bal)::bigint FROM acc", &[]).await.unwrap().get(0);
        assert_eq!(balances, logged);
        let per_client = client.query("SELECT id, count(*) FROM hist GROUP BY id ORDER BY id", &[]).await.unwrap();
        let counts: Vec<(i32, i64)> = per_client.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(counts, (1..=CLIENTS as i32).map(|id| (id, (3 * TRANSACTIONS) as i64)).collect::<Vec<_>>());
    });
}
