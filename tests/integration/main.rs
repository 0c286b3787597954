//! Integration tests through real clients: tokio-postgres (extended protocol, binary and
//! text values), a byte-level frontend for protocol details, and the `quiverdb` binary
//! itself for restart and `kill -9` durability.
//!
//! One test binary (linking DataFusion and RocksDB once); tests share one in-process
//! server and each works in its own database.

#[path = "../common/mod.rs"]
mod common;

mod aql;
mod auth;
mod bi_catalog;
mod clients;
mod copy;
mod cursors;
mod durability;
mod errors;
mod index_model;
mod isolation;
mod pgbench;
mod protocol;
mod psql;
mod raw;
mod sqlx_client;
mod types;

use common::{TestServer, runtime};
use std::sync::OnceLock;

/// The server shared by the tests of this binary.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(common::start_shared_server)
}

/// Creates database `name` and returns a tokio-postgres client connected to it.
pub async fn fresh_db(name: &str) -> tokio_postgres::Client {
    let admin = common::connect(server().addr, "quiver").await;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop database");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create database");
    common::connect(server().addr, name).await
}

/// Runs `f` on the shared test runtime (starting the shared server first: it cannot
/// be started from inside the runtime).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    server();
    runtime().block_on(f)
}
