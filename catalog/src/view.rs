//! What the frontends may ask of the catalog while planning.
//!
//! The SQL (and later AQL) planner never touches storage: it resolves names against a
//! [`CatalogView`], which the server's session implements on top of the transaction's
//! catalog snapshot and its table providers.

use crate::error::Result;
use crate::objects::{SchemaDef, TableDef};
use crate::snapshot::CatalogSnapshot;
use crate::types::Oid;
use datafusion::execution::SessionState;
use datafusion::logical_expr::{LogicalPlan, TableSource};
use std::sync::Arc;

/// Name of the implicit system schema searched before the search path.
pub const PG_CATALOG: &str = "pg_catalog";
/// Name of the default schema of every database.
pub const PUBLIC_SCHEMA: &str = "public";

/// The catalog as one session sees it while planning one statement.
pub trait CatalogView: Send + Sync {
    /// The catalog snapshot this statement plans against (includes the transaction's own
    /// uncommitted DDL).
    fn snapshot(&self) -> &CatalogSnapshot;

    /// OID of the database the session is connected to.
    fn database(&self) -> Oid;

    /// The schemas of `search_path`, in order (`$user` and missing schemas already removed).
    fn search_path(&self) -> Vec<String>;

    /// A table source that scans `table`'s visible columns.
    fn table_source(&self, table: &Arc<TableDef>) -> Result<Arc<dyn TableSource>>;

    /// A table source that scans `table`'s visible columns followed by the hidden
    /// `__quiver_rowkey` column (UPDATE and DELETE inputs).
    fn dml_source(&self, table: &Arc<TableDef>) -> Result<Arc<dyn TableSource>>;

    /// What `pg_catalog` and `information_schema` show to this statement; `None` where
    /// there is no session (then the system tables are unknown).
    fn system_view(&self) -> Option<Arc<crate::system::SystemView>> {
        None
    }

    /// A function bound to the session rather than the catalog (`nextval` and the other
    /// sequence functions); `None` for any other name, and by default.
    fn session_function(&self, name: &str) -> Option<Arc<datafusion::logical_expr::ScalarUDF>> {
        let _ = name;
        None
    }

    /// A one-row table source over sequence `seq`'s current state (`SELECT last_value
    /// FROM seq`); by default 0A000.
    fn sequence_source(&self, seq: &Arc<TableDef>) -> Result<Arc<dyn TableSource>> {
        let _ = seq;
        Err(crate::error::Error::unsupported("sequences cannot be read here"))
    }

    /// The schema named `name` in the current database.
    fn schema_by_name(&self, name: &str) -> Option<Arc<SchemaDef>> {
        self.snapshot().schema_by_name(self.database(), name).cloned()
    }

    /// Resolves a possibly schema-qualified relation name through the search path.
    fn resolve_relation(&self, schema: Option<&str>, name: &str) -> Option<Arc<TableDef>> {
        let snap = self.snapshot();
        match schema {
            Some(s) => {
                let schema = snap.schema_by_name(self.database(), s)?;
                snap.relation_by_name(schema.oid, name).cloned()
            }
            None => self.search_path().iter().find_map(|s| {
                let schema = snap.schema_by_name(self.database(), s)?;
                snap.relation_by_name(schema.oid, name).cloned()
            }),
        }
    }

    /// The schema new unqualified objects are created in: the first existing schema of the
    /// search path.
    fn creation_schema(&self) -> Option<Arc<SchemaDef>> {
        self.search_path().iter().find_map(|s| self.schema_by_name(s))
    }

    /// Plans the AQL query `query` with bind parameters `bind` (a JSON object's text) for
    /// the SQL table function `aql(...)`: one `jsonb` column `value` (with
    /// `typed_columns`, one typed column per key when the query returns object literals
    /// with fixed keys). The SQL frontend cannot depend on the AQL one, so the session
    /// supplies this; by default it is 0A000.
    fn plan_aql(&self, state: &SessionState, query: &str, bind: Option<&str>, typed_columns: bool) -> Result<LogicalPlan> {
        let _ = (state, query, bind, typed_columns);
        Err(crate::error::Error::unsupported("AQL is not available here"))
    }

    /// Plans a stored SQL expression (a column default, a CHECK constraint) against
    /// `schema`, for frontends other than SQL (AQL's writes); by default 0A000.
    fn plan_sql_expr(
        &self,
        state: &SessionState,
        sql: &str,
        schema: &datafusion::common::DFSchema,
    ) -> Result<datafusion::logical_expr::Expr> {
        let _ = (state, sql, schema);
        Err(crate::error::Error::unsupported("SQL expressions cannot be planned here"))
    }
}
