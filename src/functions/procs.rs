//! The callable functions as `pg_proc` lists them (see `quiverdb_catalog::system::procs`).
//!
//! Gathered once per engine from the session template's registries — scalar functions,
//! aggregates, window functions, table functions — plus the functions bound per statement
//! (the catalog functions, the sequence functions, `set_config`). Internal helpers the
//! planner's rewrites call (`quiver_*`, AQL's `aql_*`) are left out.

use datafusion::execution::SessionState;
use datafusion::logical_expr::{Signature, TypeSignature, Volatility};
use quiverdb_catalog::system::procs::{ProcInfo, number};

/// The argument count a signature fixes, if it fixes one.
fn arity(signature: &Signature) -> Option<i16> {
    match &signature.type_signature {
        TypeSignature::Nullary => Some(0),
        TypeSignature::Any(n) | TypeSignature::Uniform(n, _) | TypeSignature::Numeric(n) | TypeSignature::String(n) => Some(*n as i16),
        TypeSignature::Exact(types) => Some(types.len() as i16),
        TypeSignature::Coercible(types) => Some(types.len() as i16),
        _ => None,
    }
}

fn volatility(v: Volatility) -> char {
    match v {
        Volatility::Immutable => 'i',
        Volatility::Stable => 's',
        Volatility::Volatile => 'v',
    }
}

/// Whether users call `name` (planner helpers are internal).
fn public(name: &str) -> bool {
    !name.starts_with("quiver_") && !name.starts_with("aql_") && !name.starts_with("__")
}

/// Every function of `state` and the statement-bound ones, numbered for `pg_proc`.
pub fn procs(state: &SessionState) -> Vec<ProcInfo> {
    let mut out: Vec<(String, char, char, bool, Option<i16>)> = Vec::new();
    for (name, f) in state.scalar_functions() {
        // `generate_series` is also a table function: both forms return rows.
        let set = state.table_functions().contains_key(name);
        out.push((name.clone(), 'f', volatility(f.signature().volatility), set, arity(f.signature())));
    }
    for (name, f) in state.aggregate_functions() {
        out.push((name.clone(), 'a', volatility(f.signature().volatility), false, arity(f.signature())));
    }
    for (name, f) in state.window_functions() {
        out.push((name.clone(), 'w', volatility(f.signature().volatility), false, arity(f.signature())));
    }
    for name in state.table_functions().keys() {
        out.push((name.clone(), 'f', 'i', true, None));
    }
    for (name, nargs) in quiverdb_catalog::system::functions::arities() {
        out.push((name.to_string(), 'f', 's', false, nargs));
    }
    for (name, nargs) in [("nextval", Some(1)), ("currval", Some(1)), ("setval", None), ("lastval", Some(0))] {
        out.push((name.to_string(), 'f', 'v', false, nargs));
    }
    out.push(("set_config".to_string(), 'f', 'v', false, Some(3)));
    // Set-returning functions the planner handles itself.
    out.push(("generate_subscripts".to_string(), 'f', 'i', true, None));
    out.push(("unnest".to_string(), 'f', 'i', true, Some(1)));
    out.retain(|(name, ..)| public(name));
    number(out)
}
