//! QuiverDB's SQL frontend: SQL text → [`Plan`]s. No I/O.
//!
//! A statement travels like this:
//!
//! 1. [`parse`](mod@parse) turns text into sqlparser `Statement`s (PostgreSQL dialect), reporting
//!    syntax errors the way PostgreSQL does.
//! 2. [`rewrite`] adjusts the AST where PostgreSQL and DataFusion disagree (casts to
//!    json/jsonb/uuid become function calls, ...).
//! 3. [`SqlPlanner::plan`] dispatches on the statement kind:
//!    * queries go through DataFusion's `SqlToRel` with our [`context::QuiverContext`]
//!      (names resolved through the session's [`CatalogView`]) → [`Plan::Query`];
//!    * INSERT / UPDATE / DELETE are planned as a DataFusion query producing the rows to
//!      write, under a `TableModify` node ([`dml`]) → [`Plan::Modify`];
//!    * DDL is validated against the catalog into a description of the change ([`ddl`]);
//!    * COPY's options and columns are checked, and `COPY ... TO` gets its query ([`copy`]);
//!    * CREATE/ALTER SEQUENCE are read by [`sequence`] (sqlparser lacks them);
//!    * role statements become [`RoleOptions`](quiverdb_catalog::role::RoleOptions) ([`role`]);
//!    * session and transaction commands become their own plans ([`session`]).
//! 4. Planned queries and DML get PostgreSQL's typing where DataFusion's differs: the
//!    `$n` of `x = ANY(array)` take a type ([`params`]), and subscripts of `int2vector` /
//!    `oidvector` values start at 0 ([`vectors`]).
//!
//! The server executes plans; this crate never touches storage.

pub mod collection;
pub mod colnames;
pub mod context;
pub mod copy;
pub mod cursor;
pub mod ddl;
pub mod dml;
pub mod drop;
pub mod index;
pub mod params;
pub mod parse;
pub mod plan;
pub mod query;
pub mod rewrite;
pub mod role;
pub mod sequence;
pub mod session;
pub mod types;
pub mod vectors;

pub use parse::parse;
pub use plan::*;

use context::QuiverContext;
use datafusion::execution::SessionState;
use datafusion::sql::planner::ParserOptions;
use datafusion::sql::sqlparser::ast::{Ident, ObjectName, ObjectNamePart, ObjectType, Statement};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use quiverdb_catalog::SqlType;
use quiverdb_catalog::objects::truncate_identifier;
use quiverdb_catalog::{CatalogView, Error, Result};

/// The table function AQL statements with `@1..@n` parameters are planned through:
/// `quiver_aql_args(query, $1, ..., $n)` binds `$i` as `@i`.
pub const AQL_POSITIONAL: &str = "quiver_aql_args";

/// The table function statements of AQL session mode are planned through: like
/// [`AQL_POSITIONAL`], with one typed column per key when the query returns object
/// literals with fixed keys.
pub const AQL_SESSION: &str = "quiver_aql_session";

/// DataFusion SQL planner options matching PostgreSQL.
pub fn parser_options() -> ParserOptions {
    ParserOptions {
        parse_float_as_decimal: true,
        enable_ident_normalization: true,
        support_varchar_with_length: true,
        enable_options_value_normalization: false,
        collect_spans: false,
        map_string_types_to_utf8view: false,
        default_null_ordering: datafusion::sql::planner::NullOrdering::NullsMax,
    }
}

/// The dialect statements are parsed with.
pub fn dialect() -> PostgreSqlDialect {
    PostgreSqlDialect {}
}

/// Plans statements for one session.
pub struct SqlPlanner<'a> {
    ctx: QuiverContext<'a>,
}

impl<'a> SqlPlanner<'a> {
    /// A planner resolving names in `catalog`, with functions and settings of `state`.
    pub fn new(catalog: &'a dyn CatalogView, state: &'a SessionState) -> Self {
        SqlPlanner { ctx: QuiverContext::new(catalog, state) }
    }

    /// Plans one statement. `params` are the known types of `$1..$n` (`None`: infer).
    pub fn plan(&self, stmt: Statement, params: &[Option<SqlType>]) -> Result<Plan> {
        if let Some(target) = aql_explain_target(&stmt) {
            // `SELECT * FROM aql_explain(q [, bind])` explains `SELECT * FROM aql(q [, bind])`.
            return match self.plan(target, params)? {
                Plan::Query(plan) => Ok(Plan::Explain { plan, options: ExplainOptions::default() }),
                _ => Err(Error::internal("aql_explain target is not a query")),
            };
        }
        if let Some(set) = session::set_config_call(&stmt) {
            return Ok(set);
        }
        if let Some(text) = sequence::marked(&stmt) {
            return sequence::plan(&self.ctx, text);
        }
        let mut stmt = stmt;
        let params = &params::declared_by_casts(&stmt, params);
        colnames::apply(&mut stmt);
        let state = self.ctx.state;
        rewrite::checks::check(&mut stmt, &|name| state.aggregate_functions().contains_key(name), &|name| {
            state.window_functions().contains_key(name)
        })?;
        let stmt = rewrite::rewrite(stmt)?;
        let plan = self.plan_rewritten(stmt, params)?;
        let typed = |p| vectors::fix(params::type_quantified_placeholders(p)?);
        Ok(match plan {
            Plan::Query(p) => Plan::Query(typed(p)?),
            Plan::Modify { plan, verb, returning } => Plan::Modify { plan: typed(plan)?, verb, returning },
            other => other,
        })
    }

    /// Plans a statement the AST rewrites have been applied to.
    fn plan_rewritten(&self, stmt: Statement, params: &[Option<SqlType>]) -> Result<Plan> {
        match stmt {
            Statement::Query(_) => query::plan_statement(&self.ctx, stmt, params).map(Plan::Query),
            Statement::Explain { .. } => query::plan_explain(&self.ctx, stmt, params),
            Statement::Insert(insert) => dml::plan_insert(&self.ctx, insert, params),
            Statement::Update(update) => dml::plan_update(&self.ctx, update, params),
            Statement::Delete(delete) => dml::plan_delete(&self.ctx, delete, params),
            Statement::CreateTable(ct) => ddl::plan_create_table(&self.ctx, ct, params),
            Statement::AlterTable(at) => ddl::plan_alter_table(&self.ctx, at),
            Statement::CreateRole(cr) => role::plan_create_role(cr),
            Statement::AlterRole { name, operation } => role::plan_alter_role(name, operation),
            Statement::Drop { object_type: ObjectType::Role | ObjectType::User, if_exists, names, .. } => {
                role::plan_drop_roles(&names, if_exists)
            }
            Statement::Drop { object_type, if_exists, names, cascade, purge, .. } => {
                drop::plan_drop(&self.ctx, object_type, if_exists, names, cascade, purge)
            }
            Statement::CreateSchema { schema_name, if_not_exists, .. } => ddl::plan_create_schema(&self.ctx, schema_name, if_not_exists),
            Statement::CreateDatabase { db_name, if_not_exists, .. } => ddl::plan_create_database(&self.ctx, db_name, if_not_exists),
            Statement::CreateView(cv) => ddl::plan_create_view(&self.ctx, cv),
            Statement::CreateIndex(ci) => index::plan_create_index(&self.ctx, ci),
            Statement::Truncate(t) => ddl::plan_truncate(&self.ctx, t),
            Statement::Analyze(a) => ddl::plan_analyze(&self.ctx, a),
            Statement::Copy { .. } => copy::plan_copy(&self.ctx, stmt, params),
            Statement::Declare { .. } | Statement::Fetch { .. } | Statement::Close { .. } => cursor::plan_cursor(&self.ctx, stmt, params),
            other => session::plan_other(&self.ctx, other),
        }
    }

    /// Plans the insertion of `source`'s rows into `table` (CREATE TABLE AS).
    pub fn insert_from(
        &self,
        table: std::sync::Arc<quiverdb_catalog::TableDef>,
        source: datafusion::logical_expr::LogicalPlan,
    ) -> Result<datafusion::logical_expr::LogicalPlan> {
        dml::insert_from(&self.ctx, table, source)
    }

    /// Plans the insertion of `source`'s rows into the `targets` columns of `table`, the
    /// others taking their defaults (COPY FROM).
    pub fn insert_copied(
        &self,
        table: std::sync::Arc<quiverdb_catalog::TableDef>,
        targets: &[usize],
        source: datafusion::logical_expr::LogicalPlan,
    ) -> Result<datafusion::logical_expr::LogicalPlan> {
        dml::insert_copied(&self.ctx, table, targets, source)
    }

    /// Plans a one-row evaluation of the SQL expression `sql` as type `ty`.
    pub fn constant(&self, sql: &str, ty: &quiverdb_catalog::SqlType) -> Result<datafusion::logical_expr::LogicalPlan> {
        dml::constant(&self.ctx, sql, ty)
    }

    /// Whether the last plan is a stand-in to be made again with the parameters' values
    /// substituted ([`params::substitute`]): an `aql()` call had `$n` arguments.
    pub fn deferred(&self) -> bool {
        self.ctx.deferred()
    }

    /// The name-resolution context (for callers that plan expressions).
    pub fn context(&self) -> &QuiverContext<'a> {
        &self.ctx
    }
}

/// For `SELECT ... FROM aql_explain(args)` (one table function, nothing else), the same
/// query over `aql(args)`.
fn aql_explain_target(stmt: &Statement) -> Option<Statement> {
    use datafusion::sql::sqlparser::ast::{SetExpr, TableFactor};
    let Statement::Query(q) = stmt else { return None };
    let SetExpr::Select(select) = q.body.as_ref() else { return None };
    let [from] = select.from.as_slice() else { return None };
    let TableFactor::Table { name, args: Some(_), .. } = &from.relation else { return None };
    if !from.joins.is_empty() || !name.to_string().eq_ignore_ascii_case("aql_explain") {
        return None;
    }
    let mut target = stmt.clone();
    if let Statement::Query(q) = &mut target
        && let SetExpr::Select(select) = q.body.as_mut()
        && let Some(from) = select.from.first_mut()
        && let TableFactor::Table { name, .. } = &mut from.relation
    {
        *name = ObjectName::from(vec![Ident::new("aql")]);
    }
    Some(target)
}

/// Normalizes an identifier as PostgreSQL does: unquoted names fold to lower case; every
/// name is truncated to 63 bytes.
pub fn normalize_ident(ident: &Ident) -> String {
    let name = if ident.quote_style.is_some() { ident.value.clone() } else { ident.value.to_lowercase() };
    truncate_identifier(&name)
}

/// Splits an object name into (schema, name), rejecting database-qualified names for
/// other databases and names with more parts.
pub fn split_name(name: &ObjectName) -> Result<(Option<String>, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Ok(normalize_ident(i)),
            other => Err(Error::syntax(format!("unsupported name part {other}"))),
        })
        .collect::<Result<_>>()?;
    match parts.as_slice() {
        [n] => Ok((None, n.clone())),
        [s, n] => Ok((Some(s.clone()), n.clone())),
        [_, s, n] => Ok((Some(s.clone()), n.clone())),
        _ => Err(Error::syntax(format!("improper qualified name (too many dotted names): {name}"))),
    }
}
