//! Access paths: whether a scan reads the primary key, a secondary index or everything.
//!
//! Every path is an ordered key space planned by [`keyrange::plan`]: the primary key's
//! rows (keyed by the table's storage id), or a secondary index's entries (keyed by the
//! index id, see [`quiverdb_catalog::objects::IndexDef`] for the entry layout). For each
//! path the planner reports which WHERE conjuncts it answers exactly and how many rows it
//! will touch; the cheapest path wins, a full scan included.
//!
//! ## Cost
//!
//! Reading a row in key order costs 1; an index entry costs 0.3 (`ENTRY_COST`) plus 3.0
//! for the random read of its row (`FETCH_COST`). The rows a path touches are estimated from `ANALYZE`'s
//! statistics ([`quiverdb_catalog::objects::TableStats`]):
//!
//! * equality on the first `k` columns of an index selects `points / distinct(k)` of the
//!   rows (`distinct(k)`: distinct values of the `k`-column prefix); on all primary-key
//!   columns, or all columns of a unique index, exactly one row per point;
//! * a range on the next column selects the share of the column's equi-depth histogram
//!   between its bounds.
//!
//! Without statistics, PostgreSQL's default selectivities stand in (equality 0.005, a
//! bounded range 0.005) except for a one-sided range, which is assumed selective enough
//! for an index (0.2). Ties go to the path answering more conjuncts, then to the primary
//! key, then to the index defined first.
//!
//! A non-unique index is keyed `values ++ row-key suffix`, so equality on all its columns
//! is a prefix scan rather than a lookup; a unique index entry holds the row-key suffix
//! only when a key value is NULL, and equality never matches NULL, so its full-key
//! equality is a lookup.

use crate::engine::index_exprs::CompiledIndex;
use crate::provider::keyrange::{self, ColumnBounds, KeyAccess, KeyPart, KeyPlan};
use crate::storage::keycode::prefix_end;
use datafusion::logical_expr::Expr;
use quiverdb_catalog::objects::TableStats;
use quiverdb_catalog::{SqlType, TableDef};
use std::cmp::Ordering;
use std::sync::Arc;

/// Cost of reading one index entry (relative to reading one row in key order).
const ENTRY_COST: f64 = 0.3;
/// Cost of fetching an index entry's row by its key.
const FETCH_COST: f64 = 3.0;
/// Selectivity of equality on a key prefix without statistics (PostgreSQL's).
const DEFAULT_EQ_SEL: f64 = 0.005;
/// Selectivity of a range bounded on both sides without statistics (PostgreSQL's).
const DEFAULT_RANGE_SEL: f64 = 0.005;
/// Selectivity of a one-sided range without statistics.
const DEFAULT_INEQ_SEL: f64 = 0.2;
/// Rows a table is assumed to have at least: when never analyzed (only ratios matter
/// then), or analyzed while nearly empty (it may have grown since; an index must not lose
/// to a full scan because ANALYZE once saw no rows).
const MIN_ROWS: f64 = 1000.0;

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
    /// attnums of the key columns, in key order (`0` for an expression key).
    pub columns: Vec<i16>,
    /// The expression keys (compiled, unqualified) and their types, in key order.
    pub exprs: Vec<(Expr, SqlType)>,
    /// A partial index's predicate conjuncts (compiled, unqualified).
    pub predicate: Vec<Expr>,
}

/// The chosen path, its access and the conjuncts it answers exactly.
#[derive(Debug, Clone)]
pub struct AccessPlan {
    pub path: Path,
    pub access: KeyAccess,
    /// One flag per conjunct: true when the access applies it exactly.
    pub exact: Vec<bool>,
    /// Estimated cost (see the module docs).
    cost: f64,
}

/// The secondary indexes of `def`: unique constraints first, then CREATE INDEX ones. An
/// expression or partial index is included only when `compiled` has its expressions.
pub fn indexes(def: &TableDef, compiled: &[Arc<CompiledIndex>]) -> Vec<IndexPath> {
    let path = |name: &str, index_id: u64, unique: bool, columns: &[i16]| IndexPath {
        name: name.to_string(),
        index_id,
        unique,
        columns: columns.to_vec(),
        exprs: vec![],
        predicate: vec![],
    };
    let constraints = def.uniques.iter().map(|u| Some(path(&u.name, u.index_id, true, &u.columns)));
    let created = def.indexes.iter().map(|i| {
        let mut p = path(&i.name, i.index_id, i.unique, &i.columns);
        if i.has_expressions() {
            let c = compiled.iter().find(|c| c.index_id == i.index_id)?;
            p.exprs = c.keys.iter().cloned().zip(i.exprs.iter().map(|e| e.ty.clone())).collect();
            p.predicate = c.predicate.clone();
        }
        Some(p)
    });
    constraints.chain(created).flatten().collect()
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

/// The cheapest access to `def`'s rows for `filters` (`compiled`: the expressions of its
/// expression and partial indexes).
pub fn choose(def: &TableDef, compiled: &[Arc<CompiledIndex>], filters: &[&Expr]) -> AccessPlan {
    let rows = def.stats.as_ref().map_or(MIN_ROWS, |s| (s.rows as f64).max(MIN_ROWS));
    let mut best = AccessPlan { path: Path::Primary, access: KeyAccess::Full, exact: vec![false; filters.len()], cost: rows };
    let candidates: Vec<Path> = std::iter::once(Path::Primary).chain(indexes(def, compiled).into_iter().map(Path::Index)).collect();
    // Filters without qualifiers, to match partial index predicates against.
    let unqualified: Vec<Option<Expr>> = if candidates.iter().any(|p| matches!(p, Path::Index(i) if !i.predicate.is_empty())) {
        filters.iter().map(|f| keyrange::unqualify((*f).clone()).ok()).collect()
    } else {
        vec![]
    };
    for path in candidates {
        if let Some(candidate) = plan_path(def, path, filters, &unqualified, rows)
            && better(&candidate, &best)
        {
            best = candidate;
        }
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

/// True when `a` beats `b`: cheaper, or as cheap and answering more conjuncts, or as good
/// and on the primary key.
fn better(a: &AccessPlan, b: &AccessPlan) -> bool {
    let answered = |p: &AccessPlan| p.exact.iter().filter(|e| **e).count();
    match a.cost.partial_cmp(&b.cost) {
        Some(Ordering::Less) => true,
        Some(Ordering::Equal) => match answered(a).cmp(&answered(b)) {
            Ordering::Greater => true,
            Ordering::Equal => matches!(a.path, Path::Primary) && !matches!(b.path, Path::Primary),
            Ordering::Less => false,
        },
        _ => false,
    }
}

/// Plans `filters` against one path; `None` when the path does not help, or is a partial
/// index whose predicate the filters (`unqualified`: the same, without qualifiers) do
/// not imply.
fn plan_path(def: &TableDef, path: Path, filters: &[&Expr], unqualified: &[Option<Expr>], rows: f64) -> Option<AccessPlan> {
    let (prefix, attnums) = match &path {
        Path::Primary => (row_prefix(def), primary_columns(def)),
        Path::Index(i) => (i.index_id.to_be_bytes().to_vec(), i.columns.clone()),
    };
    let mut exprs = match &path {
        Path::Index(i) => i.exprs.iter(),
        Path::Primary => [].iter(),
    };
    let mut key: Vec<KeyPart> = Vec::with_capacity(attnums.len());
    for a in &attnums {
        if *a == 0 {
            let (e, ty) = exprs.next()?;
            key.push(KeyPart { name: String::new(), expr: Some(e.clone()), ty: ty.clone() });
        } else {
            let c = def.column_by_attnum(*a).filter(|c| !c.dropped)?;
            key.push(KeyPart::column(c.name.clone(), c.ty.clone()));
        }
    }
    // A partial index holds only the rows its predicate is true for: each conjunct must be
    // one of the filters, which the index then answers exactly.
    let mut implied = vec![false; filters.len()];
    if let Path::Index(i) = &path {
        for p in &i.predicate {
            let at = unqualified.iter().position(|f| f.as_ref() == Some(p))?;
            implied[at] = true;
        }
    }
    let partial = implied.iter().any(|b| *b);
    let mut plan = keyrange::plan(&prefix, &key, filters);
    let touched = if plan.access == KeyAccess::Full && partial {
        // The whole partial index.
        let (lo, hi) = whole_range(def, &path);
        plan.access = KeyAccess::Ranges(vec![(lo, hi)]);
        rows * DEFAULT_INEQ_SEL
    } else {
        estimate_rows(def, &path, &attnums, &plan, rows)
    };
    for (e, i) in plan.exact.iter_mut().zip(&implied) {
        *e |= *i;
    }
    let cost = match &path {
        Path::Primary => touched,
        Path::Index(_) => touched * (ENTRY_COST + FETCH_COST),
    };
    let access = match (&path, plan.access) {
        (_, KeyAccess::Full) => return None,
        // Full-key equality on a non-unique index: every entry with that key prefix.
        (Path::Index(i), KeyAccess::Points(points)) if !i.unique => {
            KeyAccess::Ranges(points.into_iter().map(|p| prefix_end(&p).map(|end| (p, end))).collect::<Option<Vec<_>>>()?)
        }
        (_, access) => access,
    };
    Some(AccessPlan { path, access, exact: plan.exact, cost })
}

/// Rows `plan` touches on `path` (key columns `attnums`) of a table of `rows` rows.
fn estimate_rows(def: &TableDef, path: &Path, attnums: &[i16], plan: &KeyPlan, rows: f64) -> f64 {
    let stats = def.stats.as_ref();
    let unique = match path {
        Path::Primary => true,
        Path::Index(i) => i.unique,
    };
    if let KeyAccess::Points(points) = &plan.access
        && unique
    {
        return points.len() as f64;
    }
    let points = match &plan.access {
        KeyAccess::Points(p) => p.len().max(1),
        KeyAccess::Ranges(r) => r.len().max(1),
        KeyAccess::Full => 1,
    } as f64;
    let mut selectivity = 1.0;
    if plan.pinned > 0 {
        let distinct = match (path, stats) {
            (Path::Index(i), Some(s)) => s
                .indexes
                .iter()
                .find(|x| x.index_id == i.index_id)
                .and_then(|x| x.distinct.get(plan.pinned - 1))
                .copied()
                .filter(|d| *d > 0),
            _ => None,
        };
        selectivity = match distinct {
            Some(d) => (points / d as f64).min(1.0),
            None => (points * DEFAULT_EQ_SEL).min(1.0),
        };
    }
    if let Some(bounds) = &plan.bounds {
        let column = attnums.get(plan.pinned).copied();
        selectivity *=
            stats.and_then(|s| column.and_then(|c| histogram_share(s, c, bounds))).unwrap_or(match (&bounds.lower, &bounds.upper) {
                (Some(_), Some(_)) => DEFAULT_RANGE_SEL,
                _ => DEFAULT_INEQ_SEL,
            });
    }
    (rows * selectivity).max(1.0)
}

/// The share of `attnum`'s rows between `bounds`, from its histogram.
fn histogram_share(stats: &TableStats, attnum: i16, bounds: &ColumnBounds) -> Option<f64> {
    let column = stats.columns.iter().find(|c| c.attnum == attnum)?;
    let b = &column.bounds;
    if b.len() < 2 || stats.rows == 0 {
        return None;
    }
    let buckets = (b.len() - 1) as f64;
    let position = |v: &Option<Vec<u8>>, default: usize| v.as_ref().map_or(default, |v| b.partition_point(|x| x < v));
    let lo = position(&bounds.lower, 0);
    let hi = position(&bounds.upper, b.len());
    let share = (hi.saturating_sub(lo) as f64 / buckets).clamp(0.5 / buckets, 1.0);
    let non_null = (stats.rows.saturating_sub(column.nulls)) as f64 / stats.rows as f64;
    Some(share * non_null)
}
