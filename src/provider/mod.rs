//! Table providers: how DataFusion reads our stored tables.
//!
//! * [`table`] — the provider of a stored table (schema, filter pushdown, scan planning);
//! * [`access`] — which key space a scan reads: the primary key, an index, or everything;
//! * [`keyrange`] — which filters become key lookups / range scans within one key space;
//! * [`scan`] — the scan operator streaming decoded rows from the transaction;
//! * [`context`] — how a running plan finds its statement's transaction.

pub mod access;
pub mod context;
pub mod keyrange;
pub mod scan;
pub mod table;
