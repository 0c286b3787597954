//! The `quiverdb` server binary.

use clap::Parser;
use quiverdb::server::Server;
use quiverdb::server::config::{Cli, Config};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::resolve(cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("quiverdb: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = match &config.log {
        Some(f) => EnvFilter::try_new(f),
        None => EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new("info")),
    };
    let filter = match filter {
        Ok(f) => f,
        Err(e) => {
            eprintln!("quiverdb: invalid log filter: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("quiver-worker").build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("quiverdb: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = match Server::bind(&config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("quiverdb: {e}");
                return ExitCode::FAILURE;
            }
        };
        tracing::info!(data_dir = %config.data_dir.display(), listen = %config.listen, "starting");
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown requested");
            let _ = tx.send(true);
        });
        match server.run(rx).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("quiverdb: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
