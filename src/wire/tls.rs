//! TLS: the rustls server configuration built from PEM files.
//!
//! pgwire answers SSLRequest with 'S' when it has an acceptor and wraps the socket; it also
//! accepts PostgreSQL 17's direct TLS (ALPN `postgresql`). The certificate's PEM is kept
//! for SCRAM-SHA-256-PLUS channel binding (`tls-server-end-point`).

use pgwire::tokio::TlsAcceptor;
use pgwire::tokio::tokio_rustls::rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// A loaded certificate and key.
#[derive(Clone)]
pub struct Tls {
    pub(super) acceptor: TlsAcceptor,
    /// The certificate chain as PEM (for channel binding).
    pub(super) cert_pem: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

impl Tls {
    /// Reads the certificate chain and private key; the errors name the file and problem.
    pub fn load(cert: &Path, key: &Path) -> Result<Tls, String> {
        let cert_pem = std::fs::read(cert).map_err(|e| format!("cannot read TLS certificate {}: {e}", cert.display()))?;
        let key_pem = std::fs::read(key).map_err(|e| format!("cannot read TLS key {}: {e}", key.display()))?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("invalid TLS certificate {}: {e}", cert.display()))?;
        if chain.is_empty() {
            return Err(format!("no certificate in {}", cert.display()));
        }
        let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| format!("invalid TLS key {}: {e}", key.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS set-up failed: {e}"))?
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .map_err(|e| format!("TLS certificate {} and key {} do not work together: {e}", cert.display(), key.display()))?;
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(config)), cert_pem: Arc::new(cert_pem) })
    }
}
