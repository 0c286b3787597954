//! `ANALYZE`: the planner statistics behind the access-path cost choice
//! ([`crate::provider::access`]).
//!
//! One pass over the table's rows, as the transaction sees them, records:
//!
//! * the row count;
//! * for each column of the primary key or an index: its NULL count and an equi-depth
//!   histogram of its values in the order-preserving key encoding (so a range predicate's
//!   encoded bounds can be placed in it directly), built from a reservoir sample;
//! * for each index: the distinct count of each key prefix (exact, by 64-bit hashes of the
//!   encoded prefixes).
//!
//! The statistics are a catalog entry of their own (not part of the table's definition,
//! so concurrent writers of the table never conflict with ANALYZE); they commit and roll
//! back with the transaction and survive restarts.

use crate::engine::Engine;
use crate::engine::ddl::RowScan;
use crate::engine::index_exprs::CompiledIndex;
use crate::exec::index_keys::KeySpec;
use crate::provider::access;
use crate::storage::Txn;
use crate::storage::keycode::{TAG_NULL, put_array_value};
use quiverdb_catalog::objects::{ColumnStats, IndexStats, TableStats};
use quiverdb_catalog::{CatalogChange, Result, SqlType, TableDef};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// Histogram buckets per column.
const BUCKETS: usize = 32;
/// Values sampled per column for its histogram.
const SAMPLE: usize = 30_000;

impl Engine {
    /// Recomputes and stores the statistics of each of `tables`.
    pub fn analyze(&self, txn: &Txn, tables: &[Arc<TableDef>]) -> Result<()> {
        for table in tables {
            let compiled = self.index_compiler().compile(table)?;
            let stats = compute(txn, table, &compiled)?;
            tracing::debug!(table = %table.name, rows = stats.rows, "analyzed");
            txn.record_catalog(CatalogChange::PutStats(table.oid, stats))?;
        }
        Ok(())
    }
}

/// Per-column accumulator: NULL count and a reservoir sample of encoded values.
struct ColumnSample {
    attnum: i16,
    position: usize,
    ty: SqlType,
    nulls: u64,
    seen: u64,
    sample: Vec<Vec<u8>>,
}

/// Per-index accumulator: hashes of each encoded key prefix.
struct IndexSample {
    spec: KeySpec,
    prefixes: Vec<HashSet<u64>>,
}

fn compute(txn: &Txn, def: &TableDef, compiled: &[Arc<CompiledIndex>]) -> Result<TableStats> {
    let typed = |attnum: i16| Some((def.live_position(attnum)?, def.column_by_attnum(attnum)?.ty.clone()));
    let specs = KeySpec::secondary(def, compiled)?;
    let mut attnums: Vec<i16> = access::primary_columns(def);
    for i in &specs {
        attnums.extend(i.columns.iter().filter(|a| **a != 0));
    }
    let mut seen_attnums = HashSet::new();
    attnums.retain(|a| seen_attnums.insert(*a));
    let mut columns: Vec<ColumnSample> = attnums
        .iter()
        .filter_map(|&attnum| {
            let (position, ty) = typed(attnum)?;
            Some(ColumnSample { attnum, position, ty, nulls: 0, seen: 0, sample: Vec::new() })
        })
        .collect();
    let mut index_samples: Vec<IndexSample> =
        specs.into_iter().map(|spec| IndexSample { prefixes: vec![HashSet::new(); spec.columns.len()], spec }).collect();

    let mut rows: u64 = 0;
    let mut random = 0x9E37_79B9_7F4A_7C15u64;
    RowScan::new(def).for_each(txn, def, |_, batch| {
        let values = index_samples.iter().map(|i| i.spec.evaluate(batch)).collect::<datafusion::common::Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            rows += 1;
            for c in columns.iter_mut() {
                let mut value = Vec::new();
                put_array_value(&mut value, batch.column(c.position), row, &c.ty)?;
                if value.first() == Some(&TAG_NULL) {
                    c.nulls += 1;
                    continue;
                }
                c.seen += 1;
                if c.sample.len() < SAMPLE {
                    c.sample.push(value);
                } else {
                    // Reservoir sampling (xorshift): keep each value with probability SAMPLE/seen.
                    random ^= random << 13;
                    random ^= random >> 7;
                    random ^= random << 17;
                    let slot = (random % c.seen) as usize;
                    if slot < SAMPLE {
                        c.sample[slot] = value;
                    }
                }
            }
            for (i, values) in index_samples.iter_mut().zip(&values) {
                if !values.included(row) {
                    continue;
                }
                let mut prefix = Vec::new();
                for k in 0..i.prefixes.len() {
                    values.put_part(&i.spec, k, &mut prefix, row)?;
                    let mut h = DefaultHasher::new();
                    prefix.hash(&mut h);
                    i.prefixes[k].insert(h.finish());
                }
            }
        }
        Ok(())
    })?;

    let columns = columns
        .into_iter()
        .map(|mut c| {
            c.sample.sort_unstable();
            ColumnStats { attnum: c.attnum, nulls: c.nulls, bounds: histogram(&c.sample) }
        })
        .collect();
    let indexes = index_samples
        .into_iter()
        .map(|i| IndexStats { index_id: i.spec.index_id, distinct: i.prefixes.iter().map(|p| p.len() as u64).collect() })
        .collect();
    Ok(TableStats { rows, columns, indexes })
}

/// `BUCKETS + 1` equi-depth bounds (the minimum, the maximum, and the quantiles between)
/// of sorted `values`; empty when there are none.
fn histogram(values: &[Vec<u8>]) -> Vec<Vec<u8>> {
    if values.is_empty() {
        return Vec::new();
    }
    let last = values.len() - 1;
    (0..=BUCKETS).map(|i| values[i * last / BUCKETS].clone()).collect()
}
