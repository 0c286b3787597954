//! `pg_proc`: the functions, aggregates and window functions a session can call.
//!
//! The rows come from the engine's function registry (DataFusion's built-ins, ours, and
//! the catalog functions), every one in `pg_catalog` (there are no user-defined functions).
//! Names, kinds (`f`, `a`, `w`), volatility, whether the function returns a set, and the
//! argument count of fixed-arity signatures are real. Argument and result types are not
//! modelled (DataFusion's signatures are over Arrow types): `proargtypes` is empty and
//! `prorettype` is 0. OIDs are assigned in name order from [`FIRST_PROC_OID`], so they are
//! the same on every start of the same build.

use super::table::{SystemTable, Ty, V, row};
use super::{PG_CATALOG_OID, ROLE_OID, SystemView};
use crate::types::Oid;
use crate::view::PG_CATALOG;

/// The first OID given to a function (below PostgreSQL's first user OID, 16384, and
/// clear of the OIDs of other system objects we show).
pub const FIRST_PROC_OID: Oid = 14000;

/// One callable function as `pg_proc` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    pub oid: Oid,
    pub name: String,
    /// `f` (function), `a` (aggregate) or `w` (window function).
    pub kind: char,
    /// `i` (immutable), `s` (stable) or `v` (volatile).
    pub volatility: char,
    /// Set-returning (`generate_series`, `unnest`).
    pub returns_set: bool,
    /// The number of arguments, when the signature fixes it.
    pub nargs: Option<i16>,
}

/// `functions` (name, kind, volatility, returns a set, argument count) sorted by name
/// and kind, with their OIDs.
pub fn number(mut functions: Vec<(String, char, char, bool, Option<i16>)>) -> Vec<ProcInfo> {
    functions.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    functions.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    functions
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind, volatility, returns_set, nargs))| ProcInfo {
            oid: FIRST_PROC_OID + i as Oid,
            name,
            kind,
            volatility,
            returns_set,
            nargs,
        })
        .collect()
}

const PROC: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("proname", Ty::Text),
    ("pronamespace", Ty::Oid),
    ("proowner", Ty::Oid),
    ("prolang", Ty::Oid),
    ("procost", Ty::F32),
    ("prorows", Ty::F32),
    ("provariadic", Ty::Oid),
    ("prosupport", Ty::Text),
    ("prokind", Ty::Text),
    ("prosecdef", Ty::Bool),
    ("proleakproof", Ty::Bool),
    ("proisstrict", Ty::Bool),
    ("proretset", Ty::Bool),
    ("provolatile", Ty::Text),
    ("proparallel", Ty::Text),
    ("pronargs", Ty::I16),
    ("pronargdefaults", Ty::I16),
    ("prorettype", Ty::Oid),
    ("proargtypes", Ty::OidVector),
    ("proallargtypes", Ty::OidArray),
    ("proargmodes", Ty::TextArray),
    ("proargnames", Ty::TextArray),
    ("proargdefaults", Ty::Text),
    ("protrftypes", Ty::OidArray),
    ("prosrc", Ty::Text),
    ("probin", Ty::Text),
    ("prosqlbody", Ty::Text),
    ("proconfig", Ty::TextArray),
    ("proacl", Ty::TextArray),
];

/// `internal`, the language of built-in functions.
const INTERNAL_LANGUAGE: Oid = 12;

fn proc_rows(view: &SystemView) -> Vec<Vec<V>> {
    view.functions
        .iter()
        .map(|p| {
            row![
                p.oid,
                p.name.as_str(),
                PG_CATALOG_OID,
                ROLE_OID,
                INTERNAL_LANGUAGE,
                1.0f64,
                if p.returns_set { 1000.0f64 } else { 0.0 },
                0u32,
                "-",
                p.kind.to_string(),
                false,
                false,
                false,
                p.returns_set,
                p.volatility.to_string(),
                "s",
                p.nargs.unwrap_or(0),
                0i16,
                0u32,
                Vec::<u32>::new(),
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                p.name.as_str(),
                V::Null,
                V::Null,
                V::Null,
                V::Null
            ]
        })
        .collect()
}

/// These catalogs.
pub const TABLES: &[SystemTable] =
    &[SystemTable { schema: PG_CATALOG, name: "pg_proc", oid: 1255, kind: "r", columns: PROC, rows: proc_rows }];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_follow_name_order_and_names_are_unique_per_kind() {
        let procs = number(vec![
            ("upper".into(), 'f', 'i', false, Some(1)),
            ("count".into(), 'a', 'i', false, None),
            ("upper".into(), 'f', 'i', false, Some(1)),
            ("unnest".into(), 'f', 'i', true, Some(1)),
        ]);
        let names: Vec<_> = procs.iter().map(|p| (p.oid, p.name.as_str())).collect();
        assert_eq!(names, [(FIRST_PROC_OID, "count"), (FIRST_PROC_OID + 1, "unnest"), (FIRST_PROC_OID + 2, "upper")]);
    }
}
