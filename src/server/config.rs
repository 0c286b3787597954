//! Server configuration: command-line flags, environment variables and a TOML file.
//!
//! Precedence: a flag beats its environment variable, which beats the config file, which
//! beats the default.

use crate::auth::{AuthConfig, Rule};
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

    /// TOML config file with keys data_dir, listen, max_connections, log, auth (a list of
    /// rules), tls_cert, tls_key, tls_required
    #[arg(long, env = "QUIVER_CONFIG")]
    pub config: Option<PathBuf>,

    /// Log filter (tracing syntax, e.g. "info" or "quiverdb=debug"); RUST_LOG also works
    #[arg(long, env = "QUIVER_LOG")]
    pub log: Option<String>,

    /// Authentication rule HOSTS=METHOD, first match wins; repeat for several. HOSTS: all,
    /// loopback, an address or CIDR block, optionally prefixed ssl: (TLS only). METHOD:
    /// trust, scram-sha-256, md5, password, reject [default: loopback=trust, all=scram-sha-256]
    #[arg(long = "auth", value_name = "HOSTS=METHOD", env = "QUIVER_AUTH", value_delimiter = ',')]
    pub auth: Vec<Rule>,

    /// TLS certificate chain (PEM); with --tls-key, clients may negotiate TLS
    #[arg(long, env = "QUIVER_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1)
    #[arg(long, env = "QUIVER_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// Refuse connections that do not negotiate TLS
    #[arg(long, env = "QUIVER_TLS_REQUIRED")]
    pub tls_required: bool,
}

/// Keys of the TOML config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub max_connections: Option<usize>,
    pub log: Option<String>,
    /// Authentication rules as on the command line (`"loopback=trust"`).
    pub auth: Option<Vec<String>>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_required: Option<bool>,
}

/// Where the TLS certificate and key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub max_connections: usize,
    pub log: Option<String>,
    pub auth: AuthConfig,
    /// TLS, when configured.
    pub tls: Option<TlsFiles>,
    /// Refuse clients that do not negotiate TLS (needs `tls`).
    pub tls_required: bool,
}

impl Config {
    /// The defaults with this data directory and listen address (tests, embedding).
    pub fn new(data_dir: PathBuf, listen: SocketAddr) -> Config {
        Config {
            data_dir,
            listen,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            log: None,
            auth: AuthConfig::default(),
            tls: None,
            tls_required: false,
        }
    }

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
        let auth = if !cli.auth.is_empty() {
            AuthConfig { rules: cli.auth }
        } else if let Some(rules) = file.auth {
            AuthConfig { rules: rules.iter().map(|r| r.parse()).collect::<Result<_, String>>()? }
        } else {
            AuthConfig::default()
        };
        let tls = match (cli.tls_cert.or(file.tls_cert), cli.tls_key.or(file.tls_key)) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err("TLS needs both tls_cert and tls_key".into()),
        };
        let tls_required = cli.tls_required || file.tls_required.unwrap_or(false);
        if tls_required && tls.is_none() {
            return Err("tls_required needs tls_cert and tls_key".into());
        }
        Ok(Config {
            data_dir: cli.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            listen: cli.listen.or(file.listen).unwrap_or(default_listen),
            max_connections,
            log: cli.log.or(file.log),
            auth,
            tls,
            tls_required,
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
    fn auth_rules_and_tls_come_from_flags_or_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.toml");
        std::fs::write(&path, "auth = [\"ssl:all=md5\"]\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\ntls_required = true\n").unwrap();
        let c = Config::resolve(Cli::parse_from(["quiverdb", "--config", path.to_str().unwrap()])).unwrap();
        assert_eq!(c.auth.rules.iter().map(|r| r.to_string()).collect::<Vec<_>>(), ["ssl:all=md5"]);
        assert_eq!(c.tls, Some(TlsFiles { cert: "c.pem".into(), key: "k.pem".into() }));
        assert!(c.tls_required);
        let cli = Cli::parse_from(["quiverdb", "--config", path.to_str().unwrap(), "--auth", "loopback=trust,all=reject"]);
        assert_eq!(Config::resolve(cli).unwrap().auth.rules.len(), 2);
        let c = Config::resolve(Cli::parse_from(["quiverdb"])).unwrap();
        assert_eq!(c.auth, AuthConfig::default());
        assert!(Config::resolve(Cli::parse_from(["quiverdb", "--tls-required"])).unwrap_err().contains("tls_cert"));
        assert!(Cli::try_parse_from(["quiverdb", "--auth", "all=kerberos"]).is_err());
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
