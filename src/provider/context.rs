//! The per-statement context operators find in DataFusion's session config.
//!
//! Physical plans do not capture a transaction (so they can be cached and re-run); when a
//! plan executes, its operators look up the [`TxnContext`] that the session put into the
//! `SessionConfig` extensions for this statement.

use crate::storage::Txn;
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use std::sync::Arc;

/// What a running statement reads from and writes to.
pub struct TxnContext {
    /// The statement's transaction.
    pub txn: Arc<Txn>,
}

impl TxnContext {
    /// The context of the statement `ctx` runs for.
    pub fn of(ctx: &TaskContext) -> Result<Arc<TxnContext>> {
        ctx.session_config()
            .get_extension::<TxnContext>()
            .ok_or_else(|| DataFusionError::Internal("statement has no transaction context".into()))
    }
}
