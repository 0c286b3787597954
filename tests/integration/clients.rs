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

#[test]
fn psycopg_runs_the_readme_aql_example() {
    block_on(fresh_db("client_psycopg"));
    let addr = server().addr;
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/aql_psycopg.py"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_psycopg");
    run(cmd, "psycopg 3 is needed: python3 -m pip install 'psycopg[binary]' (scripts/setup.sh does this)");
}

#[test]
fn pgjdbc_runs_the_readme_aql_example() {
    block_on(fresh_db("client_jdbc"));
    let addr = server().addr;
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg("/usr/share/java/postgresql.jar")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/AqlJdbc.java"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_jdbc");
    run(cmd, "Java 17 and pgjdbc are needed: apt-get install default-jre-headless libpostgresql-jdbc-java (scripts/setup.sh does this)");
}

#[test]
fn node_postgres_scenario() {
    block_on(fresh_db("client_node"));
    let addr = server().addr;
    let mut cmd = Command::new("node");
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/node/pg_scenario.js"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_node");
    run(
        cmd,
        "Node and node-postgres are needed: apt-get install nodejs npm; npm ci --prefix tests/clients/node (scripts/setup.sh does this)",
    );
}

#[test]
fn psycopg2_scenario() {
    block_on(fresh_db("client_psycopg2"));
    let addr = server().addr;
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/psycopg2_scenario.py"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_psycopg2");
    run(cmd, "psycopg2 is needed: python3 -m pip install psycopg2-binary (scripts/setup.sh does this)");
}

#[test]
fn sqlalchemy_scenario() {
    block_on(fresh_db("client_sqlalchemy"));
    let addr = server().addr;
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/sqlalchemy_scenario.py"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_sqlalchemy");
    run(
        cmd,
        "SQLAlchemy 2 and psycopg 3 are needed: python3 -m pip install 'SQLAlchemy>=2' 'psycopg[binary]' (scripts/setup.sh does this)",
    );
}

#[test]
fn odbc_scenario() {
    block_on(fresh_db("client_odbc"));
    let addr = server().addr;
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/odbc_scenario.py"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_odbc");
    run(
        cmd,
        "psqlODBC and pyodbc are needed: apt-get install odbc-postgresql unixodbc unixodbc-dev; python3 -m pip install pyodbc (scripts/setup.sh does this)",
    );
}

#[test]
fn pgjdbc_scenario() {
    block_on(fresh_db("client_jdbc_scenario"));
    let addr = server().addr;
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg("/usr/share/java/postgresql.jar")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/JdbcScenario.java"))
        .arg(addr.ip().to_string())
        .arg(addr.port().to_string())
        .arg("client_jdbc_scenario");
    run(cmd, "Java 17 and pgjdbc are needed: apt-get install default-jre-headless libpostgresql-jdbc-java (scripts/setup.sh does this)");
}
