//! The server: configuration, the TCP listener, connection limits and shutdown.
//!
//! Each accepted socket gets its own task running pgwire's protocol loop with a fresh
//! [`wire::Connection`]. A semaphore enforces `max_connections` (extra clients get
//! PostgreSQL's FATAL 53300). SIGINT/SIGTERM stop accepting, let running statements
//! finish (up to a grace period), then flush RocksDB and exit.

pub mod config;

use crate::engine::Engine;
use crate::storage::Storage;
use crate::wire::{self, ServerContext, Tls};
use config::Config;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// How long running connections get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A running server.
pub struct Server {
    listener: TcpListener,
    ctx: Arc<ServerContext>,
    storage: Arc<Storage>,
    max_connections: usize,
}

impl Server {
    /// Opens the data directory and binds the listener.
    pub async fn bind(config: &Config) -> anyhow_like::Result<Server> {
        let storage = Storage::open(&config.data_dir)
            .map_err(|e| anyhow_like::Error(format!("cannot open data directory {}: {e}", config.data_dir.display())))?;
        let engine = Engine::new(storage.clone());
        let listener =
            TcpListener::bind(&config.listen).await.map_err(|e| anyhow_like::Error(format!("cannot listen on {}: {e}", config.listen)))?;
        let tls = match &config.tls {
            Some(files) => Some(Tls::load(&files.cert, &files.key).map_err(anyhow_like::Error)?),
            None => None,
        };
        let ctx = ServerContext::new(engine, config.auth.clone(), tls, config.tls_required);
        Ok(Server { listener, ctx, storage, max_connections: config.max_connections })
    }

    /// The engine (tests run sessions against it directly).
    pub fn engine(&self) -> Arc<Engine> {
        self.ctx.engine.clone()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` turns true, then drains connections and flushes storage.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> anyhow_like::Result<()> {
        let limit = Arc::new(Semaphore::new(self.max_connections));
        let mut tasks = JoinSet::new();
        tracing::info!(addr = %self.local_addr().map(|a| a.to_string()).unwrap_or_default(), "QuiverDB is ready to accept connections");
        loop {
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
                accepted = self.listener.accept() => {
                    let (socket, peer) = match accepted {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    };
                    let _ = socket.set_nodelay(true);
                    match limit.clone().try_acquire_owned() {
                        Ok(permit) => {
                            let ctx = self.ctx.clone();
                            tasks.spawn(async move {
                                if let Err(e) = wire::serve(socket, ctx).await {
                                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                                }
                                drop(permit);
                            });
                        }
                        Err(_) => {
                            tracing::warn!(%peer, "refusing connection: too many clients");
                            tokio::spawn(refuse(socket));
                        }
                    }
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        tracing::info!(connections = tasks.len(), "shutting down: waiting for running statements");
        let drain = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
            tracing::warn!("grace period over; closing remaining connections");
            tasks.abort_all();
        }
        let storage = self.storage.clone();
        tokio::task::spawn_blocking(move || storage.flush())
            .await
            .map_err(|e| anyhow_like::Error(e.to_string()))?
            .map_err(|e| anyhow_like::Error(format!("flush failed: {e}")))?;
        tracing::info!("storage flushed; bye");
        Ok(())
    }
}

/// Sends FATAL 53300 to a client over the connection limit.
async fn refuse(mut socket: TcpStream) {
    let mut body = Vec::new();
    for (tag, value) in [(b'S', "FATAL"), (b'V', "FATAL"), (b'C', "53300"), (b'M', "sorry, too many clients already")] {
        body.push(tag);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut msg = vec![b'E'];
    msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    msg.extend_from_slice(&body);
    let _ = socket.write_all(&msg).await;
    let _ = socket.shutdown().await;
}

/// A minimal error type for start-up failures (printed and turned into an exit code).
pub mod anyhow_like {
    /// A start-up error with a message for the operator.
    #[derive(Debug)]
    pub struct Error(pub String);

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Error {}

    /// Result of start-up steps.
    pub type Result<T> = std::result::Result<T, Error>;
}
