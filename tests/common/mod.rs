//! Shared test fixtures: an in-process server on a temporary data directory.

#![allow(dead_code)]

use quiverdb::engine::Engine;
use quiverdb::server::Server;
use quiverdb::server::config::Config;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::runtime::Runtime;

/// A server running in this test process.
pub struct TestServer {
    pub addr: SocketAddr,
    pub engine: Arc<Engine>,
    pub data_dir: PathBuf,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::watch::Sender<bool>,
}

/// The process-wide test runtime.
pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().expect("test runtime"))
}

/// Starts a server on an ephemeral port with a fresh data directory.
pub fn start_server() -> TestServer {
    start_server_with(|_| {})
}

/// Starts a server like [`start_server`], with `configure` applied to its configuration.
pub fn start_server_with(configure: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::new(dir.path().to_path_buf(), "127.0.0.1:0".parse().expect("addr"));
    configure(&mut config);
    let rt = runtime();
    let server = rt.block_on(Server::bind(&config)).expect("server starts");
    let addr = server.local_addr().expect("addr");
    let engine = server.engine();
    let (tx, rx) = tokio::sync::watch::channel(false);
    rt.spawn(async move {
        let _ = server.run(rx).await;
    });
    TestServer { addr, engine, data_dir: dir.path().to_path_buf(), _dir: dir, _shutdown: tx }
}

/// Data directories of the servers that live as long as the test binary.
static SHARED_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the shared servers' data directories; runs at process exit (statics are never dropped).
extern "C" fn remove_shared_dirs() {
    if let Ok(dirs) = SHARED_DIRS.lock() {
        for dir in dirs.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Starts a server meant to be kept in a `static` for the whole test binary; its data directory is
/// removed when the process exits, even though the server itself is never dropped.
pub fn start_shared_server() -> TestServer {
    let server = start_server();
    let mut dirs = SHARED_DIRS.lock().expect("shared dirs");
    if dirs.is_empty() {
        // SAFETY: `remove_shared_dirs` is a plain `extern "C" fn` that takes no arguments and does
        // not unwind; registering it has no other precondition.
        unsafe { libc::atexit(remove_shared_dirs) };
    }
    dirs.push(server.data_dir.clone());
    server
}

/// A tokio-postgres connection string for `db` on `addr`.
pub fn conn_string(addr: SocketAddr, db: &str) -> String {
    format!("host={} port={} user=quiver dbname={db}", addr.ip(), addr.port())
}

/// Connects with tokio-postgres (the connection task runs on the test runtime).
pub async fn connect(addr: SocketAddr, db: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&conn_string(addr, db), tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}
