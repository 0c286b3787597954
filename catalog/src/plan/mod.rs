//! Logical plan extension nodes shared by the SQL and AQL frontends.
//!
//! Frontends build plain DataFusion plans plus these nodes; the server's `exec` module turns
//! each into a physical operator through one extension planner.

pub mod apply;
pub mod modify;
pub mod pin;

pub use apply::{Apply, ApplyKind, ApplySubquery};
pub use modify::{ConflictAction, ModifyOp, OnConflict, ROWKEY_COLUMN, TableModify};
pub use pin::Pin;
