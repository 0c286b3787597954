//! Which part of one ordered key space — a table's primary key or one of its indexes — a
//! set of filters selects.
//!
//! DataFusion hands a table provider its WHERE conjuncts one by one. Those that constrain a
//! *prefix* of the key columns become key lookups or range scans and are reported as
//! `Exact` (DataFusion then drops them from the plan), the others stay in a `FilterExec`:
//!
//! * `col = c`, `col IN (c, ...)`, `col = c1 OR col = c2` on the leading key columns →
//!   point values; when every key column is pinned, the scan is a set of key lookups;
//! * then `<`, `<=`, `>`, `>=`, `BETWEEN` on the next key column → one range per point
//!   combination of the prefix. A pinned prefix alone selects everything under it, NULLs
//!   of later index columns included; a range never selects NULLs.
//!
//! Only comparisons of a bare column with a non-NULL literal of exactly the column's Arrow
//! type qualify (DataFusion has already coerced literals to the column type where it can),
//! so the encoded key order is exactly SQL's order for them. The plan also reports its
//! shape (pinned columns, encoded range bounds) for the cost estimate in
//! [`crate::provider::access`].

use crate::storage::keycode::{TAG_VALUE, prefix_end, put_scalar, scalar_fits};
use datafusion::common::Column;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator};
use datafusion::scalar::ScalarValue;
use quiverdb_catalog::SqlType;
use std::cmp::Ordering;

/// Most point combinations expanded into separate lookups or ranges.
const MAX_POINTS: usize = 4096;

/// One key column of a key space: a table column (by name) or an index expression.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPart {
    pub name: String,
    /// The expression of an expression key (normalized, unqualified; see
    /// [`crate::engine::index_exprs`]); filters match it structurally.
    pub expr: Option<Expr>,
    pub ty: SqlType,
}

impl KeyPart {
    /// A plain column key.
    pub fn column(name: impl Into<String>, ty: SqlType) -> Self {
        KeyPart { name: name.into(), expr: None, ty }
    }
}

/// How a scan reaches its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyAccess {
    /// Every row of the table.
    Full,
    /// Exact full keys (sorted, deduplicated); each is one point lookup.
    Points(Vec<Vec<u8>>),
    /// Key ranges `[lower, upper)` (sorted, non-overlapping).
    Ranges(Vec<(Vec<u8>, Vec<u8>)>),
}

/// The key access for a table plus which filters it answers exactly.
#[derive(Debug, Clone)]
pub struct KeyPlan {
    pub access: KeyAccess,
    /// One flag per input filter: true when the access applies it exactly.
    pub exact: Vec<bool>,
    /// How many leading key columns are pinned to point sets.
    pub pinned: usize,
    /// The bounds on the next column (each value encoded alone), when it is ranged.
    pub bounds: Option<ColumnBounds>,
}

/// A range on one key column, in the order-preserving encoding of its values.
#[derive(Debug, Clone, Default)]
pub struct ColumnBounds {
    pub lower: Option<Vec<u8>>,
    pub upper: Option<Vec<u8>>,
}

impl KeyPlan {
    /// A full scan answering none of `n` filters.
    fn full(n: usize) -> Self {
        KeyPlan { access: KeyAccess::Full, exact: vec![false; n], pinned: 0, bounds: None }
    }
}

/// A constraint on one key column, from one filter.
#[derive(Debug, Clone)]
enum Constraint {
    /// The column is one of these values.
    In(Vec<ScalarValue>),
    /// Lower bound (value, inclusive).
    Lower(ScalarValue, bool),
    /// Upper bound (value, inclusive).
    Upper(ScalarValue, bool),
    /// Both bounds (BETWEEN).
    Both(ScalarValue, ScalarValue),
}

/// Plans key access for `filters` on a key space whose key columns are `key` and whose
/// keys start with `prefix`.
pub fn plan(prefix: &[u8], key: &[KeyPart], filters: &[&Expr]) -> KeyPlan {
    let mut exact = vec![false; filters.len()];
    // Constraints per key column, with the index of the filter that produced each.
    let mut per_col: Vec<Vec<(usize, Constraint)>> = vec![vec![]; key.len()];
    for (fi, f) in filters.iter().enumerate() {
        if let Some((col, c)) = constraint(f, key) {
            per_col[col].push((fi, c));
        }
    }

    // Leading columns pinned to point sets.
    let mut points: Vec<Vec<u8>> = vec![prefix.to_vec()];
    let mut pinned = 0;
    for (col, constraints) in per_col.iter().enumerate() {
        let Some(values) = point_set(constraints) else {
            break;
        };
        if points.len().saturating_mul(values.len().max(1)) > MAX_POINTS {
            break;
        }
        let mut next = Vec::with_capacity(points.len() * values.len());
        for p in &points {
            for v in &values {
                let mut k = p.clone();
                if put_scalar(&mut k, v, &key[col].ty).is_err() {
                    return KeyPlan::full(filters.len());
                }
                next.push(k);
            }
        }
        points = next;
        for (fi, _) in constraints {
            exact[*fi] = true;
        }
        pinned += 1;
    }

    if pinned == key.len() && pinned > 0 {
        points.sort();
        points.dedup();
        return KeyPlan { access: KeyAccess::Points(points), exact, pinned, bounds: None };
    }

    // A range on the next column, if any.
    let mut lower: Option<(ScalarValue, bool)> = None;
    let mut upper: Option<(ScalarValue, bool)> = None;
    let mut ranged = false;
    if pinned < key.len() {
        for (fi, c) in &per_col[pinned] {
            let ok = match c {
                Constraint::Lower(v, inc) => tighten(&mut lower, v, *inc, Ordering::Greater),
                Constraint::Upper(v, inc) => tighten(&mut upper, v, *inc, Ordering::Less),
                Constraint::Both(lo, hi) => {
                    tighten(&mut lower, lo, true, Ordering::Greater) && tighten(&mut upper, hi, true, Ordering::Less)
                }
                Constraint::In(_) => false,
            };
            if ok {
                exact[*fi] = true;
                ranged = true;
            }
        }
    }
    if pinned == 0 && !ranged {
        return KeyPlan::full(filters.len());
    }

    let ty = key.get(pinned).map(|k| k.ty.clone());
    let mut ranges = Vec::with_capacity(points.len());
    for p in points {
        // A pinned prefix alone selects every key under it (index entries may continue
        // with NULLs); a range on the next column selects values only (tag 0x01: a
        // comparison is never true for NULL).
        let mut lo = p.clone();
        if ranged {
            lo.push(TAG_VALUE);
        }
        let Some(mut hi) = prefix_end(&lo) else {
            return KeyPlan::full(filters.len());
        };
        if let (Some(ty), true) = (&ty, ranged) {
            if let Some((v, inc)) = &lower {
                let mut k = p.clone();
                if put_scalar(&mut k, v, ty).is_err() {
                    return KeyPlan::full(filters.len());
                }
                lo = if *inc { k } else { prefix_end(&k).unwrap_or(k) };
            }
            if let Some((v, inc)) = &upper {
                let mut k = p.clone();
                if put_scalar(&mut k, v, ty).is_err() {
                    return KeyPlan::full(filters.len());
                }
                hi = if *inc { prefix_end(&k).unwrap_or(k) } else { k };
            }
        }
        if lo < hi {
            ranges.push((lo, hi));
        }
    }
    ranges.sort();
    let bounds = match (&ty, ranged) {
        (Some(ty), true) => {
            let encode = |b: &Option<(ScalarValue, bool)>| {
                b.as_ref().and_then(|(v, _)| {
                    let mut k = Vec::new();
                    put_scalar(&mut k, v, ty).ok().map(|_| k)
                })
            };
            Some(ColumnBounds { lower: encode(&lower), upper: encode(&upper) })
        }
        _ => None,
    };
    KeyPlan { access: KeyAccess::Ranges(ranges), exact, pinned, bounds }
}

/// Narrows a bound; `towards` is the direction of a tighter bound. Returns false when the
/// values cannot be compared (the filter then stays in the plan).
fn tighten(bound: &mut Option<(ScalarValue, bool)>, v: &ScalarValue, inc: bool, towards: Ordering) -> bool {
    match bound {
        None => {
            *bound = Some((v.clone(), inc));
            true
        }
        Some((cur, cur_inc)) => match v.partial_cmp(cur) {
            Some(o) if o == towards => {
                *bound = Some((v.clone(), inc));
                true
            }
            Some(Ordering::Equal) => {
                *cur_inc = *cur_inc && inc;
                true
            }
            Some(_) => true,
            None => false,
        },
    }
}

/// The values a column is pinned to by its constraints: the intersection of its IN sets,
/// filtered by its bounds. `None` when no constraint pins it.
fn point_set(constraints: &[(usize, Constraint)]) -> Option<Vec<ScalarValue>> {
    let mut set: Option<Vec<ScalarValue>> = None;
    for (_, c) in constraints {
        if let Constraint::In(vals) = c {
            set = Some(match set {
                None => vals.clone(),
                Some(cur) => cur.into_iter().filter(|v| vals.contains(v)).collect(),
            });
        }
    }
    let mut set = set?;
    for (_, c) in constraints {
        set.retain(|v| match c {
            Constraint::In(_) => true,
            Constraint::Lower(b, inc) => cmp_ok(v, b, *inc, Ordering::Greater),
            Constraint::Upper(b, inc) => cmp_ok(v, b, *inc, Ordering::Less),
            Constraint::Both(lo, hi) => cmp_ok(v, lo, true, Ordering::Greater) && cmp_ok(v, hi, true, Ordering::Less),
        });
    }
    Some(set)
}

fn cmp_ok(v: &ScalarValue, bound: &ScalarValue, inc: bool, want: Ordering) -> bool {
    match v.partial_cmp(bound) {
        Some(Ordering::Equal) => inc,
        Some(o) => o == want,
        None => false,
    }
}

/// The key column index and constraint expressed by `expr`, if it is one we can serve.
fn constraint(expr: &Expr, key: &[KeyPart]) -> Option<(usize, Constraint)> {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            if *op == Operator::Or {
                return or_points(expr, key);
            }
            let (col, lit, op) = match (column_of(left, key), literal_of(right)) {
                (Some(c), Some(l)) => (c, l, *op),
                _ => match (literal_of(left), column_of(right, key)) {
                    (Some(l), Some(c)) => (c, l, op.swap()?),
                    _ => return None,
                },
            };
            if !scalar_fits(lit, &key[col].ty) {
                return None;
            }
            let c = match op {
                Operator::Eq => Constraint::In(vec![lit.clone()]),
                Operator::Gt => Constraint::Lower(lit.clone(), false),
                Operator::GtEq => Constraint::Lower(lit.clone(), true),
                Operator::Lt => Constraint::Upper(lit.clone(), false),
                Operator::LtEq => Constraint::Upper(lit.clone(), true),
                _ => return None,
            };
            Some((col, c))
        }
        Expr::InList(list) if !list.negated => {
            let col = column_of(&list.expr, key)?;
            let mut vals = Vec::with_capacity(list.list.len());
            for e in &list.list {
                let l = literal_of(e)?;
                if !scalar_fits(l, &key[col].ty) {
                    return None;
                }
                vals.push(l.clone());
            }
            Some((col, Constraint::In(vals)))
        }
        Expr::Between(Between { expr, negated: false, low, high }) => {
            let col = column_of(expr, key)?;
            let (lo, hi) = (literal_of(low)?, literal_of(high)?);
            if !scalar_fits(lo, &key[col].ty) || !scalar_fits(hi, &key[col].ty) {
                return None;
            }
            Some((col, Constraint::Both(lo.clone(), hi.clone())))
        }
        _ => None,
    }
}

/// `col = a OR col = b OR col IN (...)` on one key column → a point set.
fn or_points(expr: &Expr, key: &[KeyPart]) -> Option<(usize, Constraint)> {
    let mut leaves = Vec::new();
    collect_or(expr, &mut leaves);
    let mut col = None;
    let mut vals = Vec::new();
    for leaf in leaves {
        let (c, Constraint::In(v)) = constraint(leaf, key)? else {
            return None;
        };
        if col.is_some_and(|prev| prev != c) {
            return None;
        }
        col = Some(c);
        vals.extend(v);
    }
    Some((col?, Constraint::In(vals)))
}

fn collect_or<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Or, right }) => {
            collect_or(left, out);
            collect_or(right, out);
        }
        other => out.push(other),
    }
}

/// The key column `expr` is: a plain column by name, or an expression key it equals
/// (qualifiers aside).
fn column_of(expr: &Expr, key: &[KeyPart]) -> Option<usize> {
    match expr {
        Expr::Column(c) => key.iter().position(|k| k.expr.is_none() && k.name == c.name),
        Expr::Literal(..) => None,
        e if key.iter().any(|k| k.expr.is_some()) => {
            let e = unqualify(e.clone()).ok()?;
            key.iter().position(|k| k.expr.as_ref() == Some(&e))
        }
        _ => None,
    }
}

/// `e` with every column reference unqualified.
pub fn unqualify(e: Expr) -> datafusion::common::Result<Expr> {
    Ok(e.transform_up(|e| {
        Ok(match e {
            Expr::Column(c) if c.relation.is_some() => Transformed::yes(Expr::Column(Column::new_unqualified(c.name))),
            other => Transformed::no(other),
        })
    })?
    .data)
}

fn literal_of(expr: &Expr) -> Option<&ScalarValue> {
    match expr {
        Expr::Literal(v, _) if !v.is_null() => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::{col, lit};

    fn key1() -> Vec<KeyPart> {
        vec![KeyPart::column("id", SqlType::Int4)]
    }

    #[test]
    fn equality_on_the_whole_key_is_a_point_lookup() {
        let f = col("id").eq(lit(42i32));
        let p = plan(&[0, 1], &key1(), &[&f]);
        assert!(matches!(p.access, KeyAccess::Points(ref v) if v.len() == 1));
        assert_eq!(p.exact, vec![true]);
    }

    #[test]
    fn in_list_and_or_give_several_points() {
        let f = col("id").in_list(vec![lit(1i32), lit(3i32), lit(1i32)], false);
        let p = plan(&[0], &key1(), &[&f]);
        assert!(matches!(p.access, KeyAccess::Points(ref v) if v.len() == 2));
        let g = col("id").eq(lit(1i32)).or(col("id").eq(lit(2i32)));
        let p = plan(&[0], &key1(), &[&g]);
        assert!(matches!(p.access, KeyAccess::Points(ref v) if v.len() == 2));
    }

    #[test]
    fn ranges_combine_and_other_filters_stay() {
        let a = col("id").gt(lit(5i32));
        let b = col("id").lt_eq(lit(10i32));
        let c = col("v").eq(lit("x"));
        let p = plan(&[0], &key1(), &[&a, &b, &c]);
        assert!(matches!(p.access, KeyAccess::Ranges(ref r) if r.len() == 1));
        assert_eq!(p.exact, vec![true, true, false]);
    }

    #[test]
    fn mistyped_literals_are_not_pushed() {
        let f = col("id").eq(lit(42i64));
        let p = plan(&[0], &key1(), &[&f]);
        assert_eq!(p.access, KeyAccess::Full);
        assert_eq!(p.exact, vec![false]);
    }

    #[test]
    fn composite_key_prefix_plus_range() {
        let key = vec![KeyPart::column("a", SqlType::Text), KeyPart::column("b", SqlType::Int8)];
        let f1 = col("a").eq(lit("x"));
        let f2 = col("b").gt_eq(lit(7i64));
        let p = plan(&[9], &key, &[&f1, &f2]);
        assert!(matches!(p.access, KeyAccess::Ranges(ref r) if r.len() == 1));
        assert_eq!(p.exact, vec![true, true]);
        // A range on the second column alone cannot use the key.
        let p = plan(&[9], &key, &[&f2]);
        assert_eq!(p.access, KeyAccess::Full);
    }

    #[test]
    fn a_pinned_prefix_covers_nulls_in_later_columns_but_a_range_does_not() {
        let key = vec![KeyPart::column("a", SqlType::Int4), KeyPart::column("b", SqlType::Int4)];
        let mut with_null_b = vec![7];
        put_scalar(&mut with_null_b, &ScalarValue::Int32(Some(1)), &SqlType::Int4).unwrap();
        with_null_b.push(crate::storage::keycode::TAG_NULL);
        let inside = |p: &KeyPlan| match &p.access {
            KeyAccess::Ranges(r) => r.iter().any(|(lo, hi)| *lo <= with_null_b && with_null_b < *hi),
            other => panic!("expected ranges, got {other:?}"),
        };
        let pinned = col("a").eq(lit(1i32));
        assert!(inside(&plan(&[7], &key, &[&pinned])));
        let ranged = col("b").gt(lit(0i32));
        let p = plan(&[7], &key, &[&pinned, &ranged]);
        assert!(!inside(&p));
        assert_eq!(p.pinned, 1);
        assert!(p.bounds.as_ref().is_some_and(|b| b.lower.is_some() && b.upper.is_none()));
    }

    #[test]
    fn contradictions_select_nothing() {
        let a = col("id").eq(lit(5i32));
        let b = col("id").gt(lit(9i32));
        let p = plan(&[0], &key1(), &[&a, &b]);
        assert_eq!(p.access, KeyAccess::Points(vec![]));
        assert_eq!(p.exact, vec![true, true]);
    }
}
