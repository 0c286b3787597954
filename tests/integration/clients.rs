//! Real drivers in other languages against the shared server: the README's AQL examples
//! through psycopg 3 (`tests/clients/aql_psycopg.py`) and pgjdbc
//! (`tests/clients/AqlJdbc.java`), and application scenarios through node-postgres,
//! pgjdbc, psycopg2, SQLAlchemy 2 and pyodbc over psqlODBC (`tests/clients/*_scenario.*`). `scripts/setup.sh` installs the drivers; a missing one fails the test
//! with the package to install.

use crate::{block_on, fresh_db, server};
use std::process::Command;

/// Runs `cmd`, failing with its output unless it exits 0 and prints `ok`.
fn run(mut cmd: Command, missing: &str) {
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run {cmd:?} ({e}); {missing}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stdout.trim_end().ends_with("ok"), "{cmd:?} failed; {missing}\n{stdout}\n{stderr}");
}

/// Runs `program [prefix...] tests/clients/<script> HOST PORT <db>` against a fresh
/// database `db` of the shared server (`run`'s checks; `missing` says what to install).
fn scenario(program: &str, prefix: &[&str], script: &str, db: &str, missing: &str) {
    block_on(fresh_db(db));
    let addr = server().addr;
    let mut cmd = Command::new(program);
    cmd.args(prefix)
        .arg(format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR")))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg(db);
    run(cmd, missing);
}

const JDBC: &[&str] = &["-cp", "/usr/share/java/postgresql.jar"];
const NEED_JAVA: &str =
    "Java 17 and pgjdbc are needed: apt-get install default-jre-headless libpostgresql-jdbc-java (scripts/setup.sh does this)";

#[test]
fn psycopg_runs_the_readme_aql_example() {
    let missing = "psycopg 3 is needed: python3 -m pip install 'psycopg[binary]' (scripts/setup.sh does this)";
    scenario("python3", &[], "aql_psycopg.py", "client_psycopg", missing);
}

#[test]
fn pgjdbc_runs_the_readme_aql_example() {
    scenario("java", JDBC, "AqlJdbc.java", "client_jdbc", NEED_JAVA);
}

#[test]
fn node_postgres_scenario() {
    let missing =
        "Node and node-postgres are needed: apt-get install nodejs npm; npm ci --prefix tests/clients/node (scripts/setup.sh does this)";
    scenario("node", &[], "node/pg_scenario.js", "client_node", missing);
}

#[test]
fn psycopg2_scenario() {
    let missing = "psycopg2 is needed: python3 -m pip install psycopg2-binary (scripts/setup.sh does this)";
    scenario("python3", &[], "psycopg2_scenario.py", "client_psycopg2", missing);
}

#[test]
fn sqlalchemy_scenario() {
    let missing =
        "SQLAlchemy 2 and psycopg 3 are needed: python3 -m pip install 'SQLAlchemy>=2' 'psycopg[binary]' (scripts/setup.sh does this)";
    scenario("python3", &[], "sqlalchemy_scenario.py", "client_sqlalchemy", missing);
}

#[test]
fn odbc_scenario() {
    let missing = "psqlODBC and pyodbc are needed: apt-get install odbc-postgresql unixodbc unixodbc-dev; python3 -m pip install pyodbc (scripts/setup.sh does this)";
    scenario("python3", &[], "odbc_scenario.py", "client_odbc", missing);
}

#[test]
fn pgjdbc_scenario() {
    scenario("java", JDBC, "JdbcScenario.java", "client_jdbc_scenario", NEED_JAVA);
}
