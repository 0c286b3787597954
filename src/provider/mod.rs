//! Table providers: how DataFusion reads our stored tables.
//!
//! * [`table`] — the provider of a stored table (schema, filter pushdown, scan planning);
//! * [`keyrange`] — which filters become key lookups / range scans;
//! * [`scan`] — the scan operator streaming decoded rows from the transaction;
//! * [`context`] — how a running plan finds its statement's transaction.

pub mod context;
pub mod keyrange;
pub mod scan;
pub mod table;
