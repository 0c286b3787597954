//! Direct physical planning: the OLTP fast path for statements whose plan is trivial.
//!
//! DataFusion's optimizer and physical planner cost a few hundred microseconds even for
//! `SELECT v FROM kv WHERE id = $1` — more than the key lookup itself by two orders of
//! magnitude. For plans made only of these nodes the physical plan is obvious, so it is
//! built here directly, with the same operators the general path would choose:
//!
//! ```text
//! logical                                   physical
//! Projection (exprs)                    ──► ProjectionExec
//! SubqueryAlias                         ──► (nothing: only renames the qualifier)
//! Filter (conjuncts) ─ TableScan        ──► QuiverScanExec, when the provider answers every
//!                                           conjunct exactly with key lookups or key ranges
//! Values                                ──► the values exec (MemorySourceConfig)
//! TableModify (INSERT/UPDATE/DELETE)    ──► ModifyExec
//! ```
//!
//! Anything else — joins, aggregates, sorts, subqueries, a filter the scan cannot answer
//! exactly — returns `None` and the statement takes the general path. The plan is first put
//! through the analyzer (type coercion and our PostgreSQL rules), exactly as in the general
//! path; each expression then gets what the optimizer would give it — our literal-cast
//! folding and expression simplification (which also fixes `now()` to the transaction's
//! start) — one expression at a time rather than by rewriting the plan tree, which would
//! copy a large VALUES list once per rule. The optimizer's remaining rules only make plans
//! faster, and for these shapes there is nothing left for them to do. A plan whose
//! expressions are all bare columns and literals skips the analyzer as well.
//!
//! Filter literals are matched against the primary key *before* analysis (which may
//! widen the column instead of narrowing the literal): an integer literal that fits the
//! key column's type exactly is narrowed to it, as DataFusion's unwrap-cast rule would do.

use crate::engine::rules::literal_casts::fold;
use crate::exec::plan_modify;
use crate::functions::settings::PgSettings;
use crate::provider::keyrange::KeyAccess;
use crate::provider::scan::QuiverScanExec;
use crate::provider::table::QuiverTable;
use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::TableProvider;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, DFSchemaRef, Result, ScalarValue};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::source_as_provider;
use datafusion::execution::SessionState;
use datafusion::logical_expr::expr::InList;
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{
    Between, BinaryExpr, Cast, Expr, Filter, LogicalPlan, Operator, Projection, TableProviderFilterPushDown, TableScan,
};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::Column as ColumnExpr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::projection::ProjectionExec;
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::plan::TableModify;
use std::collections::HashMap;
use std::sync::Arc;

/// The physical plan of `plan` when it has one of the trivial shapes, else `None`.
pub async fn plan(plan: &LogicalPlan, state: &SessionState) -> Option<Arc<dyn ExecutionPlan>> {
    if !shape_ok(plan) {
        return None;
    }
    // The key conjuncts, normalized, per scanned table (before analysis can rewrite them).
    let mut filters = HashMap::new();
    collect_filters(plan, &PgSettings::of(state.config_options()), &mut filters)?;
    let analyzed;
    let plan = if needs_analysis(plan) {
        analyzed = state.analyzer().execute_and_check(plan.clone(), state.config_options(), |_, _| {}).ok()?;
        &analyzed
    } else {
        plan
    };
    build(plan, state, &filters).await.ok().flatten()
}

/// True when every node of `plan` is one we plan directly.
fn shape_ok(plan: &LogicalPlan) -> bool {
    let node_ok = match plan {
        LogicalPlan::Projection(_) | LogicalPlan::SubqueryAlias(_) | LogicalPlan::Values(_) => true,
        LogicalPlan::Filter(f) => scan_below(&f.input).is_some(),
        LogicalPlan::TableScan(_) => false,
        LogicalPlan::Extension(e) => e.node.as_any().is::<TableModify>(),
        _ => false,
    };
    node_ok
        && all_expressions(plan, simple_expr)
        && match plan {
            // The scan below a filter is checked by `collect_filters`.
            LogicalPlan::Filter(_) => true,
            _ => plan.inputs().into_iter().all(shape_ok),
        }
}

/// True when `f` holds for every expression of `plan`'s own node (without copying them).
fn all_expressions(plan: &LogicalPlan, f: impl Fn(&Expr) -> bool) -> bool {
    let mut ok = true;
    let _ = plan.apply_expressions(|e| {
        ok = f(e);
        Ok(if ok { TreeNodeRecursion::Continue } else { TreeNodeRecursion::Stop })
    });
    ok
}

/// Expressions without subqueries, aggregates, windows, placeholders or outer references.
fn simple_expr(e: &Expr) -> bool {
    !e.exists(|e| {
        Ok(matches!(
            e,
            Expr::ScalarSubquery(_)
                | Expr::Exists(_)
                | Expr::InSubquery(_)
                | Expr::SetComparison(_)
                | Expr::OuterReferenceColumn(..)
                | Expr::Placeholder(_)
                | Expr::AggregateFunction(_)
                | Expr::WindowFunction(_)
                | Expr::Unnest(_)
                | Expr::GroupingSet(_)
        ))
    })
    .unwrap_or(true)
}

/// The table scan under a filter (through aliases).
fn scan_below(plan: &LogicalPlan) -> Option<&TableScan> {
    match plan {
        LogicalPlan::SubqueryAlias(a) => scan_below(&a.input),
        LogicalPlan::TableScan(s) if s.filters.is_empty() && s.fetch.is_none() => Some(s),
        _ => None,
    }
}

/// True unless every expression is a bare column, an alias of one, or a literal.
fn needs_analysis(plan: &LogicalPlan) -> bool {
    let here = match plan {
        // Filters are answered by the scan and never evaluated.
        LogicalPlan::Filter(_) => false,
        LogicalPlan::Extension(_) => true,
        other => !all_expressions(other, trivial),
    };
    here || plan.inputs().into_iter().any(needs_analysis)
}

/// A bare column or literal, possibly aliased.
fn trivial(e: &Expr) -> bool {
    match e {
        Expr::Alias(a) => trivial(&a.expr),
        Expr::Column(_) | Expr::Literal(..) => true,
        _ => false,
    }
}

/// Key for a scan in the filters map: the table's name as scanned.
fn scan_id(scan: &TableScan) -> String {
    scan.table_name.to_string()
}

/// Collects each filter's conjuncts (literals narrowed to the key column types) by scanned
/// table; `None` when some filter cannot be answered by the scan exactly.
fn collect_filters(plan: &LogicalPlan, settings: &FormatSettings, out: &mut HashMap<String, Vec<Expr>>) -> Option<()> {
    if let LogicalPlan::Filter(Filter { predicate, input, .. }) = plan {
        let scan = scan_below(input)?;
        let provider = source_as_provider(&scan.source).ok()?;
        let table = provider.as_ref().downcast_ref::<QuiverTable>()?;
        let schema = table.schema();
        let conjuncts: Vec<Expr> = split_conjunction(predicate).into_iter().map(|c| narrow(c, &schema, settings)).collect();
        let refs: Vec<&Expr> = conjuncts.iter().collect();
        let pushdown = table.supports_filters_pushdown(&refs).ok()?;
        if conjuncts.is_empty() || !pushdown.iter().all(|p| *p == TableProviderFilterPushDown::Exact) {
            return None;
        }
        if out.insert(scan_id(scan), conjuncts).is_some() {
            return None;
        }
        return Some(());
    }
    for input in plan.inputs() {
        collect_filters(input, settings, out)?;
    }
    Some(())
}

/// A conjunct with its constants converted to the compared column's type when that is
/// exact (`col op c`, `col IN (c, ...)`, `col BETWEEN c AND c`): an integer that fits, or
/// a `CAST('text' AS t)` read by PostgreSQL's input function. Other conjuncts, and those
/// whose constants do not convert exactly, are returned unchanged (the scan then leaves
/// them to a filter, and the statement takes the general path).
fn narrow(e: &Expr, schema: &datafusion::arrow::datatypes::Schema, settings: &FormatSettings) -> Expr {
    let target = |c: &Expr| match c {
        Expr::Column(c) => schema.field_with_name(&c.name).ok().map(|f| (Column::new_unqualified(&c.name), f.data_type().clone())),
        _ => None,
    };
    let lit = |v: &Expr, ty: &DataType| key_literal(v, ty, settings).map(|v| Expr::Literal(v, None));
    let narrowed = match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(op, Operator::Eq | Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq) =>
        {
            if let Some((c, ty)) = target(left) {
                lit(right, &ty).map(|l| Expr::BinaryExpr(BinaryExpr::new(Box::new(Expr::Column(c)), *op, Box::new(l))))
            } else if let Some((c, ty)) = target(right) {
                lit(left, &ty).map(|l| Expr::BinaryExpr(BinaryExpr::new(Box::new(l), *op, Box::new(Expr::Column(c)))))
            } else {
                None
            }
        }
        Expr::InList(InList { expr, list, negated: false }) => target(expr).and_then(|(c, ty)| {
            let list = list.iter().map(|v| lit(v, &ty)).collect::<Option<Vec<_>>>()?;
            Some(Expr::InList(InList::new(Box::new(Expr::Column(c)), list, false)))
        }),
        Expr::Between(Between { expr, negated: false, low, high }) => target(expr).and_then(|(c, ty)| {
            Some(Expr::Between(Between::new(Box::new(Expr::Column(c)), false, Box::new(lit(low, &ty)?), Box::new(lit(high, &ty)?))))
        }),
        _ => None,
    };
    narrowed.unwrap_or_else(|| e.clone())
}

/// The constant `e` as a value of type `ty`, when the conversion is exact.
fn key_literal(e: &Expr, ty: &DataType, settings: &FormatSettings) -> Option<ScalarValue> {
    let value = constant(e, settings)?;
    if value.data_type() == *ty {
        return Some(value);
    }
    exact_integer(&value, ty)
}

/// `value` as integer type `ty` when both are integer types and the value fits.
fn exact_integer(value: &ScalarValue, ty: &DataType) -> Option<ScalarValue> {
    if !(value.data_type().is_integer() && ty.is_integer()) {
        return None;
    }
    let cast = value.cast_to(ty).ok()?;
    (cast.cast_to(&value.data_type()).ok()? == *value).then_some(cast)
}

/// The value of a literal, of an integer literal cast to another integer type (when it
/// fits), or of a text literal cast through PostgreSQL's input function.
fn constant(e: &Expr, settings: &FormatSettings) -> Option<ScalarValue> {
    match e {
        Expr::Literal(v, _) if !v.is_null() => Some(v.clone()),
        Expr::Cast(Cast { expr, field }) => {
            let inner = constant(expr, settings)?;
            let target = field.data_type();
            if inner.data_type().is_integer() && target.is_integer() {
                return exact_integer(&inner, target);
            }
            match fold(Expr::Cast(Cast::new(Box::new(Expr::Literal(inner, None)), target.clone())), settings).ok()?.data {
                Expr::Literal(v, _) if !v.is_null() && v.data_type() == *target => Some(v),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Builds the physical plan bottom-up; `Ok(None)` when a node turns out not to fit.
fn build<'a>(
    plan: &'a LogicalPlan,
    state: &'a SessionState,
    filters: &'a HashMap<String, Vec<Expr>>,
) -> futures::future::BoxFuture<'a, Result<Option<Arc<dyn ExecutionPlan>>>> {
    Box::pin(async move {
        Ok(Some(match plan {
            LogicalPlan::Projection(p) => {
                // Over a keyed scan, only the columns the expressions use are read.
                let (input, schema) = match scanned_columns(p) {
                    Some((filter, columns, schema)) => (build_scan(filter, Some(&columns), state, filters).await?, Arc::new(schema)),
                    None => (build(&p.input, state, filters).await?, Arc::clone(p.input.schema())),
                };
                let Some(input) = input else {
                    return Ok(None);
                };
                let mut compile = Compiler::new(state, &schema);
                let mut exprs = Vec::with_capacity(p.expr.len());
                for (e, field) in p.expr.iter().zip(p.schema.fields()) {
                    exprs.push((compile.expr(e)?, field.name().clone()));
                }
                let identity = exprs.len() == schema.fields().len()
                    && exprs.iter().enumerate().all(|(i, (e, name))| {
                        e.downcast_ref::<ColumnExpr>().is_some_and(|c| c.index() == i) && schema.field(i).name() == name
                    });
                if identity { input } else { Arc::new(ProjectionExec::try_new(exprs, input)?) }
            }
            LogicalPlan::SubqueryAlias(a) => return build(&a.input, state, filters).await,
            LogicalPlan::Filter(f) => return build_scan(f, None, state, filters).await,
            LogicalPlan::Values(v) => {
                let mut compile = Compiler::new(state, &v.schema);
                let mut rows = Vec::with_capacity(v.values.len());
                for row in &v.values {
                    let mut exprs = Vec::with_capacity(row.len());
                    for e in row {
                        exprs.push(compile.expr(e)?);
                    }
                    rows.push(exprs);
                }
                MemorySourceConfig::try_new_as_values(Arc::clone(v.schema.inner()), rows)?
            }
            LogicalPlan::Extension(e) => {
                let Some(m) = e.node.as_any().downcast_ref::<TableModify>() else {
                    return Ok(None);
                };
                let Some(input) = build(&m.input, state, filters).await? else {
                    return Ok(None);
                };
                plan_modify(m, input, state)?
            }
            _ => return Ok(None),
        }))
    })
}

/// The keyed scan answering filter `f`, reading the table columns at `columns` (all when
/// `None`); `Ok(None)` when the scan is not keyed after all.
async fn build_scan(
    f: &Filter,
    columns: Option<&Vec<usize>>,
    state: &SessionState,
    filters: &HashMap<String, Vec<Expr>>,
) -> Result<Option<Arc<dyn ExecutionPlan>>> {
    let Some(scan) = scan_below(&f.input) else {
        return Ok(None);
    };
    let Some(conjuncts) = filters.get(&scan_id(scan)) else {
        return Ok(None);
    };
    let provider = source_as_provider(&scan.source)?;
    let exec = provider.scan(state, columns.or(scan.projection.as_ref()), conjuncts, None).await?;
    let keyed = exec.downcast_ref::<QuiverScanExec>().is_some_and(|s| !matches!(s.access(), KeyAccess::Full));
    Ok(keyed.then_some(exec))
}

/// For a projection straight over a keyed filter (through aliases): the filter, the
/// table columns the expressions use (in order of first use, so that a projection of
/// plain columns becomes the scan itself), and the schema of those columns.
fn scanned_columns(p: &Projection) -> Option<(&Filter, Vec<usize>, DFSchema)> {
    let mut input = p.input.as_ref();
    while let LogicalPlan::SubqueryAlias(a) = input {
        input = a.input.as_ref();
    }
    let LogicalPlan::Filter(f) = input else {
        return None;
    };
    if scan_below(&f.input)?.projection.is_some() {
        return None;
    }
    let schema = p.input.schema();
    let mut columns: Vec<usize> = Vec::new();
    for e in &p.expr {
        for c in e.column_refs() {
            let i = schema.index_of_column(c).ok()?;
            if !columns.contains(&i) {
                columns.push(i);
            }
        }
    }
    let fields = columns.iter().map(|&i| {
        let (q, field) = schema.qualified_field(i);
        (q.cloned(), Arc::clone(field))
    });
    let projected = DFSchema::new_with_metadata(fields.collect(), schema.metadata().clone()).ok()?;
    Some((f, columns, projected))
}

/// Compiles expressions of one node into physical expressions, applying what the general
/// path's optimizer would: our literal-cast folding and expression simplification (which
/// also fixes `now()` to the transaction's start). Bare literals skip both. Index
/// expressions are normalized with the same steps (see [`super::index_exprs`]).
pub(crate) struct Compiler<'a> {
    state: &'a SessionState,
    schema: &'a DFSchemaRef,
    settings: FormatSettings,
    simplifier: Option<ExprSimplifier>,
}

impl<'a> Compiler<'a> {
    /// A compiler for expressions over `schema`.
    pub(crate) fn new(state: &'a SessionState, schema: &'a DFSchemaRef) -> Self {
        Compiler { state, schema, settings: PgSettings::of(state.config_options()), simplifier: None }
    }

    fn expr(&mut self, e: &Expr) -> Result<Arc<dyn PhysicalExpr>> {
        if let Expr::Literal(v, meta) = e {
            return Ok(Arc::new(datafusion::physical_expr::expressions::Literal::new_with_metadata(v.clone(), meta.clone())));
        }
        let simplified = self.optimize(e.clone())?;
        self.state.create_physical_expr(simplified, self.schema)
    }

    /// `e` with literal casts folded and simplified, as the optimizer leaves it.
    pub(crate) fn optimize(&mut self, e: Expr) -> Result<Expr> {
        let folded = e.transform_up(|e| fold(e, &self.settings))?.data;
        let simplifier = self.simplifier.get_or_insert_with(|| {
            ExprSimplifier::new(
                SimplifyContext::builder()
                    .with_schema(Arc::clone(self.schema))
                    .with_config_options(Arc::clone(self.state.config_options()))
                    .with_query_execution_start_time(self.state.execution_props().query_execution_start_time)
                    .build(),
            )
        });
        simplifier.simplify(folded)
    }
}
