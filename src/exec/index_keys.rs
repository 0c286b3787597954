//! The keys of a table's primary key, unique constraints and indexes, resolved against its
//! live columns, and their encoded values per row.
//!
//! A key part is a column (its position among the live columns) or a compiled expression
//! (see [`crate::engine::index_exprs`]); a partial index also has a predicate. For each
//! batch of rows, [`KeySpec::evaluate`] computes every part once (a column part is the
//! batch's own array) and the predicate's mask; the write path, index backfill and
//! ANALYZE then encode row after row from those arrays.

use crate::engine::index_exprs::CompiledIndex;
use crate::storage::keycode::{TAG_NULL, put_array_value};
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::common::Result;
use datafusion::physical_expr::PhysicalExpr;
use quiverdb_catalog::objects::IndexDef;
use quiverdb_catalog::{Error, SqlType, TableDef};
use std::sync::Arc;

/// One part of a key.
#[derive(Debug, Clone)]
enum Part {
    /// A live column, by position.
    Column(usize),
    /// An expression over the live columns.
    Expr(Arc<dyn PhysicalExpr>),
}

/// A primary key, unique constraint or index, resolved to live column positions and
/// compiled expressions.
#[derive(Debug, Clone)]
pub struct KeySpec {
    pub name: String,
    /// attnums of the key columns (`0` for an expression part).
    pub columns: Vec<i16>,
    /// Index id (unused for the primary key).
    pub index_id: u64,
    pub unique: bool,
    parts: Vec<Part>,
    types: Vec<SqlType>,
    /// How each part is named in error details: the column name or `(expression)`.
    labels: Vec<String>,
    /// A partial index's predicate.
    predicate: Option<Arc<dyn PhysicalExpr>>,
}

/// The values of one key's parts for a batch of rows.
pub struct KeyValues {
    arrays: Vec<ArrayRef>,
    /// Which rows a partial index holds (all when `None`).
    included: Option<BooleanArray>,
}

impl KeySpec {
    /// A key over plain columns (`columns` are attnums of `def`'s live columns).
    pub fn on_columns(def: &TableDef, name: &str, columns: &[i16], index_id: u64, unique: bool) -> Self {
        let live = |a: &i16| def.live_position(*a);
        KeySpec {
            name: name.to_string(),
            columns: columns.to_vec(),
            index_id,
            unique,
            parts: columns.iter().filter_map(live).map(Part::Column).collect(),
            types: columns.iter().filter_map(|a| def.column_by_attnum(*a)).map(|c| c.ty.clone()).collect(),
            labels: columns.iter().filter_map(|a| def.column_by_attnum(*a)).map(|c| c.name.clone()).collect(),
            predicate: None,
        }
    }

    /// The key of index `index`; an index with expressions needs its compiled form in
    /// `compiled` (an internal error otherwise).
    pub fn of_index(def: &TableDef, index: &IndexDef, compiled: &[Arc<CompiledIndex>]) -> Result<Self> {
        if !index.has_expressions() {
            return Ok(Self::on_columns(def, &index.name, &index.columns, index.index_id, index.unique));
        }
        let c = compiled
            .iter()
            .find(|c| c.index_id == index.index_id)
            .ok_or_else(|| Error::internal(format!("index \"{}\" has no compiled expressions", index.name)))?;
        let mut spec = KeySpec {
            name: index.name.clone(),
            columns: index.columns.clone(),
            index_id: index.index_id,
            unique: index.unique,
            parts: vec![],
            types: vec![],
            labels: vec![],
            predicate: c.physical_predicate.clone(),
        };
        let mut exprs = index.exprs.iter().zip(&c.physical_keys);
        for attnum in &index.columns {
            if *attnum == 0 {
                let (e, physical) = exprs.next().ok_or_else(|| Error::internal("index expression missing"))?;
                spec.parts.push(Part::Expr(physical.clone()));
                spec.types.push(e.ty.clone());
                spec.labels.push(format!("({})", e.sql));
            } else {
                let col = def.column_by_attnum(*attnum).ok_or_else(|| Error::internal("index column missing"))?;
                spec.parts.push(Part::Column(def.live_position(*attnum).ok_or_else(|| Error::internal("index column dropped"))?));
                spec.types.push(col.ty.clone());
                spec.labels.push(col.name.clone());
            }
        }
        Ok(spec)
    }

    /// The secondary keys of `def`: unique constraints, then CREATE INDEX indexes.
    pub fn secondary(def: &TableDef, compiled: &[Arc<CompiledIndex>]) -> Result<Vec<KeySpec>> {
        let constraints = def.uniques.iter().map(|u| Ok(Self::on_columns(def, &u.name, &u.columns, u.index_id, true)));
        constraints.chain(def.indexes.iter().map(|i| Self::of_index(def, i, compiled))).collect()
    }

    /// The parts' values (and a partial index's mask) for `batch` (the live columns).
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<KeyValues> {
        let mut arrays = Vec::with_capacity(self.parts.len());
        for (part, ty) in self.parts.iter().zip(&self.types) {
            arrays.push(match part {
                Part::Column(p) => batch.column(*p).clone(),
                Part::Expr(e) => {
                    let a = e.evaluate(batch)?.into_array(batch.num_rows())?;
                    let want = ty.to_arrow();
                    if *a.data_type() == want { a } else { cast(&a, &want)? }
                }
            });
        }
        let included = match &self.predicate {
            Some(p) => {
                let mask = p.evaluate(batch)?.into_array(batch.num_rows())?;
                let mask = mask.as_any().downcast_ref::<BooleanArray>().ok_or_else(|| Error::internal("index predicate is not boolean"))?;
                Some(mask.clone())
            }
            None => None,
        };
        Ok(KeyValues { arrays, included })
    }

    /// PostgreSQL's "Key (a, b)=(1, x)" text of row `i`.
    pub fn describe(&self, values: &KeyValues, i: usize) -> String {
        let texts: Vec<String> = values.arrays.iter().map(|a| crate::exec::rows::value_text(a, i)).collect();
        format!("Key ({})=({})", self.labels.join(", "), texts.join(", "))
    }
}

impl KeyValues {
    /// True when row `i` has an entry (always, unless a partial index's predicate is not
    /// true for it).
    pub fn included(&self, i: usize) -> bool {
        self.included.as_ref().is_none_or(|m| m.is_valid(i) && m.value(i))
    }

    /// Appends the encoded value of part `k` of row `i` to `out`.
    pub fn put_part(&self, spec: &KeySpec, k: usize, out: &mut Vec<u8>, i: usize) -> Result<()> {
        put_array_value(out, &self.arrays[k], i, &spec.types[k])?;
        Ok(())
    }

    /// Appends row `i`'s encoded key values to `out`; true when one of them is NULL.
    pub fn put(&self, spec: &KeySpec, out: &mut Vec<u8>, i: usize) -> Result<bool> {
        let mut has_null = false;
        for (a, ty) in self.arrays.iter().zip(&spec.types) {
            let start = out.len();
            put_array_value(out, a, i, ty)?;
            has_null |= out[start] == TAG_NULL;
        }
        Ok(has_null)
    }
}
