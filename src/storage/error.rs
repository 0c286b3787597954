//! Storage-layer errors.

use quiverdb_catalog::{Error, ErrorCode};

/// What can go wrong below the query engine. User mistakes (constraint violations,
/// conflicts) are kept apart from corruption and internal faults.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// RocksDB reported an error.
    #[error("storage engine error: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// Stored bytes do not decode.
    #[error("data corrupted: {0}")]
    Corrupt(String),
    /// A concurrent transaction committed a conflicting write first.
    #[error("could not serialize access due to concurrent update")]
    Conflict,
    /// A unique key already exists (possibly committed concurrently).
    #[error("duplicate key value violates unique constraint \"{constraint}\"")]
    UniqueViolation { constraint: String, detail: String },
    /// The operation is not supported by the storage layer.
    #[error("{0}")]
    Unsupported(String),
    /// The transaction was already committed or rolled back.
    #[error("transaction is no longer active")]
    TxnClosed,
    /// A bug.
    #[error("internal storage error: {0}")]
    Internal(String),
}

impl From<StorageError> for Error {
    fn from(err: StorageError) -> Self {
        let code = match &err {
            StorageError::Rocks(e) => {
                let s = e.to_string();
                if s.contains("No space left") { ErrorCode::DiskFull } else { ErrorCode::IoError }
            }
            StorageError::Corrupt(_) => ErrorCode::DataCorrupted,
            StorageError::Conflict => ErrorCode::SerializationFailure,
            StorageError::UniqueViolation { .. } => ErrorCode::UniqueViolation,
            StorageError::Unsupported(_) => ErrorCode::FeatureNotSupported,
            StorageError::TxnClosed => ErrorCode::InvalidTransactionState,
            StorageError::Internal(_) => ErrorCode::Internal,
        };
        let detail = match &err {
            StorageError::UniqueViolation { detail, .. } => Some(detail.clone()),
            _ => None,
        };
        let mut e = Error::new(code, err.to_string());
        e.detail = detail;
        e
    }
}

impl From<StorageError> for datafusion::error::DataFusionError {
    fn from(err: StorageError) -> Self {
        Error::from(err).into_datafusion()
    }
}
