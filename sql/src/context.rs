//! The DataFusion [`ContextProvider`] the SQL planner resolves names with.
//!
//! Tables come from the session's [`CatalogView`] (search path, own uncommitted DDL);
//! functions, table functions and configuration come from the engine's `SessionState`.
//! Views are expanded here: their stored SQL is parsed and planned like a subquery.

use crate::parse::parse;
use crate::types::PgTypePlanner;
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
use datafusion::catalog::TableFunctionArgs;
use datafusion::catalog::cte_worktable::CteWorkTable;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::TreeNode;
use datafusion::common::{DFSchema, DataFusionError, Result, ScalarValue, TableReference};
use datafusion::datasource::provider_as_source;
use datafusion::execution::SessionState;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{ContextProvider, ExprPlanner, TypePlanner};
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::{
    AggregateUDF, Expr, ExprSchemable, HigherOrderUDF, LogicalPlan, LogicalPlanBuilder, ScalarUDF, TableSource, WindowUDF,
};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use datafusion::sql::planner::SqlToRel;
use datafusion::sql::sqlparser::ast::Statement;
use quiverdb_catalog::system::{self, INFORMATION_SCHEMA};
use quiverdb_catalog::view::PG_CATALOG;
use quiverdb_catalog::{CatalogView, Error, ErrorCode, Oid, TableDef};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// Schema name the DML rewrite uses to ask for a table's row-key variant.
pub const DML_SCHEMA: &str = "\u{1}quiver_dml";

/// Views may reference views this deep before we assume a cycle.
const MAX_VIEW_DEPTH: usize = 32;

/// Resolves names for one statement.
pub struct QuiverContext<'a> {
    pub(crate) catalog: &'a dyn CatalogView,
    pub(crate) state: &'a SessionState,
    type_planner: Arc<dyn TypePlanner>,
    view_depth: Cell<usize>,
    /// Relations referenced directly by the statement (not through views).
    referenced: RefCell<Vec<Oid>>,
    /// An `aql()` call had a parameter argument: the plan is a stand-in until the
    /// parameters are known.
    deferred: Cell<bool>,
}

impl<'a> QuiverContext<'a> {
    /// A context over `catalog` and the engine's `state`.
    pub fn new(catalog: &'a dyn CatalogView, state: &'a SessionState) -> Self {
        QuiverContext {
            catalog,
            state,
            type_planner: Arc::new(PgTypePlanner),
            view_depth: Cell::new(0),
            referenced: RefCell::new(Vec::new()),
            deferred: Cell::new(false),
        }
    }

    /// Whether the plan is a stand-in that must be made again once the parameters are
    /// known (see [`crate::params::substitute`]).
    pub fn deferred(&self) -> bool {
        self.deferred.get()
    }

    /// OIDs of the relations the statement referenced directly.
    pub fn referenced(&self) -> Vec<Oid> {
        let mut v = self.referenced.borrow().clone();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Resolves a table reference to a relation, or fails with 42P01 / 3F000 / 0A000.
    pub fn resolve(&self, name: &TableReference) -> Result<Arc<TableDef>, Error> {
        if let Some(catalog) = name.catalog() {
            let db = self.catalog.snapshot().database(self.catalog.database()).map(|d| d.name.clone());
            if db.as_deref() != Some(catalog) {
                return Err(Error::unsupported(format!("cross-database references are not implemented: \"{name}\"")));
            }
        }
        self.catalog
            .resolve_relation(name.schema(), name.table())
            .ok_or_else(|| Error::new(ErrorCode::UndefinedTable, format!("relation \"{name}\" does not exist")))
    }

    /// The system table `name` names, if it is one: any name in `pg_catalog` or
    /// `information_schema` (42P01 when that schema has no such table), or an unqualified
    /// name of a `pg_catalog` table, which PostgreSQL finds before the search path.
    fn system_table(&self, name: &TableReference) -> Result<Option<Arc<dyn TableSource>>> {
        let schema = name.schema();
        let system_schema = matches!(schema, Some(PG_CATALOG | INFORMATION_SCHEMA));
        if schema.is_some() && !system_schema {
            return Ok(None);
        }
        let (Some(view), Some(table)) = (self.catalog.system_view(), system::lookup(schema, name.table())) else {
            if system_schema {
                return Err(Error::new(ErrorCode::UndefinedTable, format!("relation \"{name}\" does not exist")).into());
            }
            return Ok(None);
        };
        Ok(Some(system::source(table, &view)?))
    }

    /// Plans the stored query of `view`.
    fn plan_view(&self, view: &TableDef) -> Result<LogicalPlan> {
        let sql = view.view_sql.as_deref().ok_or_else(|| Error::internal(format!("view {} has no query", view.name)))?;
        let depth = self.view_depth.get();
        if depth >= MAX_VIEW_DEPTH {
            return Err(Error::new(
                ErrorCode::InvalidTableDefinition,
                format!("infinite recursion detected in rules for relation \"{}\"", view.name),
            )
            .into());
        }
        let mut stmts = parse(sql)?;
        let Some(Statement::Query(query)) = stmts.pop() else {
            return Err(Error::internal(format!("view {} does not store a query", view.name)).into());
        };
        self.view_depth.set(depth + 1);
        let planned = crate::query::plan_query(self, *query);
        self.view_depth.set(depth);
        let plan = planned?;
        // Rename the output to the view's column names.
        let names: Vec<&str> = view.live_columns().map(|c| c.name.as_str()).collect();
        let exprs: Vec<Expr> = plan.schema().columns().into_iter().zip(names).map(|(c, n)| Expr::Column(c).alias(n)).collect();
        LogicalPlanBuilder::from(plan).project(exprs)?.build()
    }

    /// `aql(query [, bind_vars])`: the AQL query's plan (see [`CatalogView::plan_aql`]).
    /// Both arguments must be constants (literals or bound parameters); a NULL bind object
    /// means none. With `positional`, the arguments after the query are the values of
    /// `@1`, `@2`, ... (AQL statements over the extended protocol); `typed_columns` asks
    /// for one column per returned key (AQL session mode).
    fn plan_aql(&self, args: Vec<Expr>, positional: bool, typed_columns: bool) -> Result<LogicalPlan> {
        if args.is_empty() || (args.len() > 2 && !positional) {
            return Err(Error::new(
                ErrorCode::UndefinedFunction,
                "function aql() takes a query text and an optional jsonb object of bind parameters",
            )
            .into());
        }
        let context = SimplifyContext::builder().with_config_options(self.state.config_options().clone()).build();
        let simplifier = ExprSimplifier::new(context);
        let schema = DFSchema::empty();
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            let folded = simplifier.coerce(arg.clone(), &schema).and_then(|e| simplifier.simplify(e)).unwrap_or(arg);
            match folded {
                Expr::Literal(v, _) => values.push(v),
                Expr::Placeholder(_) => {
                    // Planned again with the parameters' values at execution; until then
                    // the result's shape is known: one jsonb column.
                    self.deferred.set(true);
                    let field = quiverdb_catalog::SqlType::Jsonb.to_field("value", true);
                    let schema = DFSchema::try_from(datafusion::arrow::datatypes::Schema::new(vec![field]))?;
                    let empty = datafusion::logical_expr::EmptyRelation { produce_one_row: false, schema: Arc::new(schema) };
                    return Ok(LogicalPlan::EmptyRelation(empty));
                }
                _ => return Err(Error::unsupported("aql() arguments must be constants").into()),
            }
        }
        let text = |v: &ScalarValue| -> Result<Option<String>> {
            if v.is_null() {
                return Ok(None);
            }
            match v.try_as_str() {
                Some(Some(s)) => Ok(Some(s.to_string())),
                _ => Err(Error::new(ErrorCode::DatatypeMismatch, "aql() takes text and jsonb arguments").into()),
            }
        };
        let query = text(&values[0])?.ok_or_else(|| Error::new(ErrorCode::NullValueNotAllowed, "aql() query must not be NULL"))?;
        let bind = if positional {
            // Each value is the JSON text of `@i` (see `params::substitute`).
            let mut object = serde_json::Map::new();
            for (i, v) in values.iter().enumerate().skip(1) {
                let value = match text(v)? {
                    None => serde_json::Value::Null,
                    Some(t) => serde_json::from_str(&t).map_err(|e| {
                        Error::new(ErrorCode::InvalidTextRepresentation, format!("invalid input syntax for type json: parameter ${i}: {e}"))
                    })?,
                };
                object.insert(i.to_string(), value);
            }
            Some(serde_json::Value::Object(object).to_string())
        } else {
            values.get(1).map(text).transpose()?.flatten()
        };
        Ok(self.catalog.plan_aql(self.state, &query, bind.as_deref(), typed_columns)?)
    }

    /// A set-returning function in FROM as an array unnested over one row:
    /// `unnest(array)` (also reached as `pg_catalog.unnest(...)`), and `generate_series`
    /// over values of an outer row (a correlated subquery's `FROM generate_series(0, t.n)`,
    /// through the array form). Outer references stay expressions of the plan, which the
    /// subquery machinery substitutes per row.
    fn unnested(&self, name: &str, mut args: Vec<Expr>) -> Result<LogicalPlan> {
        let array = if name == "unnest" {
            if args.len() != 1 {
                return Err(Error::unsupported("unnest() in FROM takes one array").into());
            }
            args.remove(0)
        } else {
            let udf = self.state.scalar_functions().get(name).cloned().ok_or_else(|| {
                DataFusionError::from(Error::new(ErrorCode::UndefinedFunction, format!("function {name} does not exist")))
            })?;
            Expr::ScalarFunction(ScalarFunction::new_udf(udf, args))
        };
        LogicalPlanBuilder::empty(true).project(vec![array.alias(name)])?.unnest_column(name)?.build()
    }

    /// A SQL-to-plan converter over this context.
    pub fn sql_to_rel(&self) -> SqlToRel<'_, Self> {
        SqlToRel::new_with_options(self, crate::parser_options())
    }
}

impl ContextProvider for QuiverContext<'_> {
    fn get_table_source(&self, name: TableReference) -> Result<Arc<dyn TableSource>> {
        if name.schema() == Some(DML_SCHEMA) {
            let def = name
                .table()
                .parse::<Oid>()
                .ok()
                .and_then(|oid| self.catalog.snapshot().relation(oid).cloned())
                .ok_or_else(|| Error::internal(format!("unknown DML target {name}")))?;
            return Ok(self.catalog.dml_source(&def)?);
        }
        if let Some(source) = self.system_table(&name)? {
            return Ok(source);
        }
        let def = self.resolve(&name)?;
        if self.view_depth.get() == 0 {
            self.referenced.borrow_mut().push(def.oid);
        }
        if def.is_view() {
            let plan = self.plan_view(&def)?;
            return Ok(Arc::new(ViewSource { schema: plan.schema().inner().clone(), plan }));
        }
        if def.is_sequence() {
            return Ok(self.catalog.sequence_source(&def)?);
        }
        Ok(self.catalog.table_source(&def)?)
    }

    fn get_table_function_source(&self, name: &str, args: Vec<Expr>) -> Result<Arc<dyn TableSource>> {
        if name == "aql" || name == crate::AQL_POSITIONAL || name == crate::AQL_SESSION {
            let plan = self.plan_aql(args, name != "aql", name == crate::AQL_SESSION)?;
            return Ok(Arc::new(ViewSource { schema: plan.schema().inner().clone(), plan }));
        }
        let context = SimplifyContext::builder().with_config_options(self.state.config_options().clone()).build();
        let simplifier = ExprSimplifier::new(context);
        let schema = DFSchema::empty();
        // Arguments the simplifier cannot fold (such as casts of literals Arrow cannot
        // parse) go to the function as they are; it reads them its own way.
        let args: Vec<Expr> =
            args.into_iter().map(|a| simplifier.coerce(a.clone(), &schema).and_then(|e| simplifier.simplify(e)).unwrap_or(a)).collect();
        // `generate_series(1, $1)`: an untyped parameter takes the type of the other
        // arguments (bigint when all are parameters), as PostgreSQL resolves the call.
        let args = if name == "generate_series" && args.iter().any(|a| matches!(a, Expr::Placeholder(_))) {
            let known = args.iter().find(|a| !matches!(a, Expr::Placeholder(_))).and_then(|a| a.get_type(&schema).ok());
            let ty = known.unwrap_or(DataType::Int64);
            args.into_iter()
                .map(|a| match a {
                    Expr::Placeholder(mut p) if p.field.is_none() => {
                        p.field = Some(Arc::new(Field::new("", ty.clone(), true)));
                        Expr::Placeholder(p)
                    }
                    other => other,
                })
                .collect()
        } else {
            args
        };
        // A parameter anywhere in an argument (`$1::int8`, `$1 + 1`) is only known at Bind.
        let parameterized = args.iter().any(|a| a.exists(|e| Ok(matches!(e, Expr::Placeholder(_)))).unwrap_or(false));
        if name == "unnest" || (name == "generate_series" && (parameterized || args.iter().any(Expr::contains_outer))) {
            let plan = self.unnested(name, args)?;
            return Ok(Arc::new(ViewSource { schema: plan.schema().inner().clone(), plan }));
        }
        // A scalar function in FROM is a one-row table whose column is named after the
        // function (`FROM string_to_array(x, ',') s` names it `s`).
        if !self.state.table_functions().contains_key(name)
            && let Some(udf) = self.state.scalar_functions().get(name).cloned()
        {
            let call = Expr::ScalarFunction(ScalarFunction::new_udf(udf, args));
            let plan = LogicalPlanBuilder::empty(true).project(vec![call.alias(name)])?.build()?;
            return Ok(Arc::new(ViewSource { schema: plan.schema().inner().clone(), plan }));
        }
        let func =
            self.state.table_functions().get(name).cloned().ok_or_else(|| {
                DataFusionError::from(Error::new(ErrorCode::UndefinedFunction, format!("function {name} does not exist")))
            })?;
        let provider = func.create_table_provider_with_args(TableFunctionArgs::new(&args, self.state))?;
        Ok(provider_as_source(provider))
    }

    fn create_cte_work_table(&self, name: &str, schema: SchemaRef) -> Result<Arc<dyn TableSource>> {
        Ok(provider_as_source(Arc::new(CteWorkTable::new(name, schema))))
    }

    fn get_expr_planners(&self) -> &[Arc<dyn ExprPlanner>] {
        self.state.expr_planners()
    }

    fn get_type_planner(&self) -> Option<Arc<dyn TypePlanner>> {
        Some(self.type_planner.clone())
    }

    fn get_function_meta(&self, name: &str) -> Option<Arc<ScalarUDF>> {
        if let Some(udf) = system::functions::udf(name, || self.catalog.system_view()) {
            return Some(udf);
        }
        if let Some(udf) = self.catalog.session_function(name) {
            return Some(udf);
        }
        let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
        self.state.scalar_functions().get(name).cloned()
    }

    fn get_higher_order_meta(&self, name: &str) -> Option<Arc<HigherOrderUDF>> {
        self.state.higher_order_functions().get(name).cloned()
    }

    fn get_aggregate_meta(&self, name: &str) -> Option<Arc<AggregateUDF>> {
        let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
        self.state.aggregate_functions().get(name).cloned()
    }

    fn get_window_meta(&self, name: &str) -> Option<Arc<WindowUDF>> {
        self.state.window_functions().get(name).cloned()
    }

    fn get_variable_type(&self, _variable_names: &[String]) -> Option<DataType> {
        None
    }

    fn options(&self) -> &ConfigOptions {
        self.state.config_options()
    }

    fn udf_names(&self) -> Vec<String> {
        self.state.scalar_functions().keys().cloned().chain(system::functions::names().map(String::from)).collect()
    }

    fn higher_order_function_names(&self) -> Vec<String> {
        self.state.higher_order_functions().keys().cloned().collect()
    }

    fn udaf_names(&self) -> Vec<String> {
        self.state.aggregate_functions().keys().cloned().collect()
    }

    fn udwf_names(&self) -> Vec<String> {
        self.state.window_functions().keys().cloned().collect()
    }
}

/// A view as a table source: DataFusion inlines its plan.
#[derive(Debug)]
struct ViewSource {
    schema: SchemaRef,
    plan: LogicalPlan,
}

impl TableSource for ViewSource {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn get_logical_plan(&self) -> Option<Cow<'_, LogicalPlan>> {
        Some(Cow::Borrowed(&self.plan))
    }
}
