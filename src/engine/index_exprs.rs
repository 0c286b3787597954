//! Compiled expressions of expression and partial indexes.
//!
//! The catalog keeps an index's expressions and predicate as SQL text (like CHECK
//! constraints). Three places need them compiled:
//!
//! * the write path, index backfill and ANALYZE evaluate them per batch (physical form,
//!   over the table's live columns, see [`crate::exec::index_keys`]);
//! * the table provider matches query filters against them (logical form): a filter
//!   `doc->>'city' = 'x'` uses an index on `(doc->>'city')` when the filter's left side is
//!   the index expression, and a partial index is usable when each conjunct of its
//!   predicate is one of the query's filters.
//!
//! For the match to be structural, the logical form is normalized the way a query's
//! filters are before they reach the provider: planned against the table, run through
//! the analyzer (type coercion, our PostgreSQL rules), then literal-cast folding and
//! expression simplification. Column references are unqualified.
//!
//! [`IndexCompiler`] plans with its own copy of the session template and caches per index
//! id; an entry is reused while the index definition and the table's live columns equal
//! those it was compiled for (a rename or dropped column compiles again).

use crate::engine::direct::Compiler;
use crate::provider::keyrange::unqualify;
use datafusion::common::{DFSchemaRef, Result};
use datafusion::execution::SessionState;
use datafusion::logical_expr::logical_plan::builder::LogicalTableSource;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, TableSource};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::SessionConfig;
use datafusion::sql::planner::PlannerContext;
use quiverdb_catalog::objects::IndexDef;
use quiverdb_catalog::{CatalogSnapshot, CatalogView, Error, Oid, SqlType, TableDef};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One index's compiled expressions.
#[derive(Debug)]
pub struct CompiledIndex {
    pub index_id: u64,
    /// What it was compiled from: the index and the table's live columns.
    source: IndexDef,
    columns: Vec<(String, SqlType)>,
    /// Logical form of each expression key, in key order (normalized, unqualified).
    pub keys: Vec<Expr>,
    /// The predicate's conjuncts (normalized, unqualified).
    pub predicate: Vec<Expr>,
    /// Physical form of each expression key over the live columns.
    pub physical_keys: Vec<Arc<dyn PhysicalExpr>>,
    /// Physical form of the predicate.
    pub physical_predicate: Option<Arc<dyn PhysicalExpr>>,
}

/// Compiles and caches index expressions (a session-config extension of the template).
pub struct IndexCompiler {
    state: SessionState,
    cache: Mutex<HashMap<u64, Arc<CompiledIndex>>>,
}

impl std::fmt::Debug for IndexCompiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexCompiler")
    }
}

/// The catalog index expressions are planned in: they name only the table's columns.
struct NoRelations {
    snapshot: CatalogSnapshot,
    database: Oid,
}

impl CatalogView for NoRelations {
    fn snapshot(&self) -> &CatalogSnapshot {
        &self.snapshot
    }

    fn database(&self) -> Oid {
        self.database
    }

    fn search_path(&self) -> Vec<String> {
        vec![]
    }

    fn table_source(&self, table: &Arc<TableDef>) -> quiverdb_catalog::Result<Arc<dyn TableSource>> {
        Err(Error::internal(format!("index expressions cannot read relation \"{}\"", table.name)))
    }

    fn dml_source(&self, table: &Arc<TableDef>) -> quiverdb_catalog::Result<Arc<dyn TableSource>> {
        self.table_source(table)
    }
}

impl IndexCompiler {
    /// A compiler planning with `state` (the session template, without this extension).
    pub fn new(state: SessionState) -> Self {
        IndexCompiler { state, cache: Mutex::new(HashMap::new()) }
    }

    /// The compiler registered in `config`.
    pub fn of(config: &SessionConfig) -> Result<Arc<IndexCompiler>> {
        config.get_extension::<IndexCompiler>().ok_or_else(|| Error::internal("no index compiler in the session").into())
    }

    /// The compiled expressions of `def`'s expression and partial indexes (empty when it
    /// has none).
    pub fn compile(&self, def: &TableDef) -> Result<Arc<[Arc<CompiledIndex>]>> {
        if !def.indexes.iter().any(IndexDef::has_expressions) {
            return Ok(Arc::new([]));
        }
        let mut out = Vec::new();
        for index in def.indexes.iter().filter(|i| i.has_expressions()) {
            let cached = self.cache.lock().ok().and_then(|c| c.get(&index.index_id).cloned());
            let current = |c: &CompiledIndex| {
                c.source == *index && c.columns.iter().map(|(n, t)| (n, t)).eq(def.live_columns().map(|c| (&c.name, &c.ty)))
            };
            let compiled = match cached {
                Some(c) if current(&c) => c,
                _ => {
                    let c = Arc::new(self.compile_index(def, index)?);
                    if let Ok(mut cache) = self.cache.lock() {
                        cache.insert(index.index_id, c.clone());
                    }
                    c
                }
            };
            out.push(compiled);
        }
        Ok(out.into())
    }

    fn compile_index(&self, def: &TableDef, index: &IndexDef) -> Result<CompiledIndex> {
        let schema = def.qualified_schema(&def.name)?;
        let catalog = NoRelations { snapshot: CatalogSnapshot::default(), database: def.database };
        let planner = quiverdb_sql::SqlPlanner::new(&catalog, &self.state);
        let plan = |sql: &str| -> Result<Expr> {
            Ok(quiverdb_sql::dml::plan_sql_expr(planner.context(), sql, &schema, &mut PlannerContext::new())?)
        };
        let mut exprs = index.exprs.iter().map(|e| plan(&e.sql)).collect::<Result<Vec<_>>>()?;
        let has_predicate = match &index.predicate {
            Some(p) => {
                exprs.push(plan(p)?);
                true
            }
            None => false,
        };
        let mut exprs = self.normalize(def, &schema, exprs)?;
        let physical = exprs.iter().map(|e| self.state.create_physical_expr(e.clone(), &schema)).collect::<Result<Vec<_>>>()?;
        let mut physical_keys = physical;
        let physical_predicate = if has_predicate { physical_keys.pop() } else { None };
        let predicate_expr = if has_predicate { exprs.pop() } else { None };
        let keys = exprs.into_iter().map(unqualify).collect::<Result<Vec<_>>>()?;
        let predicate = match predicate_expr {
            Some(p) => split_conjunction(&p).into_iter().map(|c| unqualify(c.clone())).collect::<Result<Vec<_>>>()?,
            None => vec![],
        };
        let columns = def.live_columns().map(|c| (c.name.clone(), c.ty.clone())).collect();
        Ok(CompiledIndex { index_id: index.index_id, source: index.clone(), columns, keys, predicate, physical_keys, physical_predicate })
    }

    /// `exprs` as the optimizer leaves a query's filters: analyzed (over a scan of the
    /// table), literal casts folded and simplified.
    fn normalize(&self, def: &TableDef, schema: &DFSchemaRef, exprs: Vec<Expr>) -> Result<Vec<Expr>> {
        let source = Arc::new(LogicalTableSource::new(Arc::new(schema.as_arrow().clone())));
        let scan = LogicalPlanBuilder::scan(def.name.as_str(), source, None)?.build()?;
        let aliased: Vec<Expr> = exprs.into_iter().enumerate().map(|(i, e)| e.alias(format!("k{i}"))).collect();
        let plan = LogicalPlanBuilder::from(scan).project(aliased)?.build()?;
        let analyzed = self.state.analyzer().execute_and_check(plan, self.state.config_options(), |_, _| {})?;
        let LogicalPlan::Projection(p) = analyzed else {
            return Err(Error::internal("index expressions did not analyze to a projection").into());
        };
        let mut compiler = Compiler::new(&self.state, schema);
        p.expr.into_iter().map(|e| compiler.optimize(e.unalias())).collect()
    }
}
