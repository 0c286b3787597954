//! Server configuration: command-line flags, environment variables and a TOML file.
//!
//! Precedence: a flag beats its environment variable, which beats the config file, which
//! beats the default.

use clap::Parser;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5433";
/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default connection limit.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;

/// Command-line interface of the `quiverdb` binary.
#[derive(Debug, Parser)]
#[command(name = "quiverdb", version, about = "QuiverDB: SQL over the PostgreSQL protocol, on DataFusion and RocksDB")]
pub struct Cli {
    /// Data directory (created if missing) [default: ./data]
    #[arg(long, env = "QUIVER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Address to listen on [default: 127.0.0.1:5433]
    #[arg(long, env = "QUIVER_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// Maximum number of concurrent client connections [default: 100]
    #[arg(long, env = "QUIVER_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,

    /// TOML config file with keys data_dir, listen, max_connections, log
    #[arg(long, env = "QUIVER_CONFIG")]
    pub config: Option<PathBuf>,

    /// Log filter (tracing syntax, e.g. "info" or "quiverdb=debug"); RUST_LOG also works
    #[arg(long, env = "QUIVER_LOG")]
    pub log: Option<String>,
}

/// Keys of the TOML config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub max_connections: Option<usize>,
    pub log: Option<String>,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub max_connections: usize,
    pub log: Option<String>,
}

impl Config {
    /// Merges flags/env, the config file and defaults.
    pub fn resolve(cli: Cli) -> Result<Config, String> {
        let file = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&text).map_err(|e| format!("invalid config file {}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let default_listen: SocketAddr = DEFAULT_LISTEN.parse().map_err(|e| format!("{e}"))?;
        let max_connections = cli.max_connections.or(file.max_connections).unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        Ok(Config {
            data_dir: cli.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            listen: cli.listen.or(file.listen).unwrap_or(default_listen),
            max_connections,
            log: cli.log.or(file.log),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_defaults_fill_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:7000\"\nmax_connections = 5\n").unwrap();
        let cli = Cli::parse_from(["quiverdb", "--config", path.to_str().unwrap(), "--max-connections", "9"]);
        let c = Config::resolve(cli).unwrap();
        assert_eq!(c.listen.port(), 7000);
        assert_eq!(c.max_connections, 9);
        assert_eq!(c.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    }

    #[test]
    fn unknown_file_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.toml");
        std::fs::write(&path, "nope = 1\n").unwrap();
        let cli = Cli::parse_from(["quiverdb", "--config", path.to_str().unwrap()]);
        assert!(Config::resolve(cli).unwrap_err().contains("nope"));
    }
}
