//! Optimizer rules that give plans PostgreSQL's semantics, installed in the engine's
//! session template (in the order listed in `Engine::new`).
//!
//! * [`coercion`] (analyzer, before DataFusion's type coercion) — PostgreSQL's type
//!   resolution for unknown literals, `real` arithmetic and CASE.
//! * [`checked_arith`] (analyzer, after DataFusion's) — integer overflow and float
//!   division by zero raise PostgreSQL's errors.
//! * [`literal_casts`] (optimizer, first) — `CAST('literal' AS t)` uses PostgreSQL's
//!   input functions.
//! * [`apply`] (optimizer, last) — subqueries DataFusion could not turn into joins run
//!   per row through an `Apply` node.

pub mod apply;
pub mod checked_arith;
pub mod coercion;
pub mod literal_casts;
