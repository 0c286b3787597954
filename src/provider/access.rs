//! Access paths: whether a scan reads the primary key, a secondary index or everything.
//!
//! Every path is an ordered key space planned by [`keyrange::plan`]: the primary key's
//! rows (keyed by the table's storage id), or a secondary index's entries (keyed by the
//! index id, see [`quiverdb_catalog::objects::IndexDef`] for the entry layout). For each
//! path the planner reports which WHERE conjuncts it answers exactly; the path with the
//! best access wins:
//!
//! 1. key lookups on the primary key — one read per key;
//! 2. lookups on a unique index — one index read plus one row read per key;
//! 3. equality on every column of a non-unique index — one short prefix scan per key;
//! 4. a range (or a prefix of the columns) on any path;
//! 5. a full scan.
//!
//! Ties go to the path answering more conjuncts, then to the primary key (no second read),
//! then to the index defined first. The choice depends only on the conjuncts, so
//! DataFusion's pushdown question and the later `scan()` (which only receives the
//! conjuncts reported exact) reach the same path.
//!
//! A non-unique index is keyed `values ++ row-key suffix`, so equality on all its columns
//! is a prefix scan rather than a lookup; a unique index entry holds the row-key suffix
//! only when a key value is NULL, and equality never matches NULL, so its full-key
//! equality is a lookup.

use crate::provider::keyrange::{self, KeyAccess};
use crate::storage::keycode::prefix_end;
use datafusion::logical_expr::Expr;
use quiverdb_catalog::{SqlType, TableDef};

/// Which ordered key space a scan reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Path {
    /// The table's rows in primary-key (or row id) order.
    Primary,
    /// A secondary index; entries hold row-key suffixes.
    Index(IndexPath),
}

/// A secondary index as a scan sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPath {
    pub name: String,
    pub index_id: u64,
    pub unique: bool,
    /// attnums of the key columns, in key order.
    pub columns: Vec<i16>,
}

/// The chosen path, its access and the conjuncts it answers exactly.
#[derive(Debug, Clone)]
pub struct AccessPlan {
    pub path: Path,
    pub access: KeyAccess,
    /// One flag per conjunct: true when the access applies it exactly.
    pub exact: Vec<bool>,
    /// The access class of the module docs, 5 (best) to 0 (full scan).
    class: u8,
}

/// The secondary indexes of `def`: unique constraints first, then CREATE INDEX ones.
pub fn indexes(def: &TableDef) -> Vec<IndexPath> {
    let constraints =
        def.uniques.iter().map(|u| IndexPath { name: u.name.clone(), index_id: u.index_id, unique: true, columns: u.columns.clone() });
    let created =
        def.indexes.iter().map(|i| IndexPath { name: i.name.clone(), index_id: i.index_id, unique: i.unique, columns: i.columns.clone() });
    constraints.chain(created).collect()
}

/// The attnums of the primary key (empty for row-id tables).
pub fn primary_columns(def: &TableDef) -> Vec<i16> {
    def.primary_key.as_ref().map(|pk| pk.columns.clone()).unwrap_or_default()
}

/// The columns (attnums) whose order `path` is stored in: the primary key; for an index,
/// its columns then the primary key's (entries end with the row-key suffix, or are unique
/// without it).
pub fn order_columns(def: &TableDef, path: &Path) -> Vec<i16> {
    match path {
        Path::Primary => primary_columns(def),
        Path::Index(i) => i.columns.iter().copied().chain(primary_columns(def)).collect(),
    }
}

/// The key prefix of the primary path's rows.
pub fn row_prefix(def: &TableDef) -> Vec<u8> {
    def.storage_id.to_be_bytes().to_vec()
}

/// The best access to `def`'s rows for `filters`.
pub fn choose(def: &TableDef, filters: &[&Expr]) -> AccessPlan {
    let mut best = plan_path(def, Path::Primary, filters);
    for index in indexes(def) {
        let candidate = plan_path(def, Path::Index(index), filters);
        if rank(&candidate) > rank(&best) {
            best = candidate;
        }
    }
    if best.access == KeyAccess::Full {
        // No path helps: a full scan of the rows.
        return AccessPlan { path: Path::Primary, access: KeyAccess::Full, exact: vec![false; filters.len()], class: 0 };
    }
    best
}

/// The whole key space of `path`, as one range (for ordered full reads).
pub fn whole_range(def: &TableDef, path: &Path) -> (Vec<u8>, Vec<u8>) {
    let prefix = match path {
        Path::Primary => row_prefix(def),
        Path::Index(i) => i.index_id.to_be_bytes().to_vec(),
    };
    let end = prefix_end(&prefix).unwrap_or_else(|| vec![0xFF; prefix.len() + 1]);
    (prefix, end)
}

/// Plans `filters` against one path.
fn plan_path(def: &TableDef, path: Path, filters: &[&Expr]) -> AccessPlan {
    let (prefix, attnums) = match &path {
        Path::Primary => (row_prefix(def), primary_columns(def)),
        Path::Index(i) => (i.index_id.to_be_bytes().to_vec(), i.columns.clone()),
    };
    let key: Vec<(String, SqlType)> =
        attnums.iter().filter_map(|a| def.column_by_attnum(*a)).filter(|c| !c.dropped).map(|c| (c.name.clone(), c.ty.clone())).collect();
    if key.len() != attnums.len() {
        return AccessPlan { path, access: KeyAccess::Full, exact: vec![false; filters.len()], class: 0 };
    }
    let plan = keyrange::plan(&prefix, &key, filters);
    let mut class = match (&path, &plan.access) {
        (Path::Primary, KeyAccess::Points(_)) => 5,
        (Path::Index(i), KeyAccess::Points(_)) => {
            if i.unique {
                4
            } else {
                3
            }
        }
        (_, KeyAccess::Ranges(_)) => 2,
        (_, KeyAccess::Full) => 0,
    };
    let access = match (&path, plan.access) {
        // Full-key equality on a non-unique index: every entry with that key prefix.
        (Path::Index(i), KeyAccess::Points(points)) if !i.unique => {
            let ranges: Option<Vec<_>> = points.into_iter().map(|p| prefix_end(&p).map(|end| (p, end))).collect();
            ranges.map(KeyAccess::Ranges).unwrap_or_else(|| {
                class = 0;
                KeyAccess::Full
            })
        }
        (_, access) => access,
    };
    let exact = if class == 0 { vec![false; filters.len()] } else { plan.exact };
    AccessPlan { path, access, exact, class }
}

/// Orders candidate plans: better access class first, then more conjuncts answered, then
/// the primary key (whose rows need no second read).
fn rank(p: &AccessPlan) -> (u8, usize, bool) {
    (p.class, p.exact.iter().filter(|e| **e).count(), matches!(p.path, Path::Primary))
}
