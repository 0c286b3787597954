//! Executing planned statements.

use super::result::{self, Notice, Response, StatementResult, batches_response, text_rows, text_table};
use super::txn_block::autocommit;
use super::{Prepared, Session, bind};
use crate::storage::Txn;
use datafusion::arrow::array::{Array, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use futures::StreamExt;
use quiverdb_catalog::{Error, ErrorCode, RelationKind, Result};
use quiverdb_sql::{ModifyVerb, Plan, SetValue};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many times an autocommit DML statement is retried after a write-write conflict.
const CONFLICT_RETRIES: usize = 8;

impl Session {
    /// Executes a planned statement.
    pub(super) async fn execute_plan(&mut self, plan: Plan) -> Result<StatementResult> {
        if let Some(b) = &mut self.block
            && !matches!(plan, Plan::Begin(_) | Plan::Commit | Plan::Rollback | Plan::SetTransaction { .. })
        {
            b.statements += 1;
        }
        match plan {
            // A query that writes (an AQL INSERT/UPDATE/REPLACE/REMOVE inside `aql()`) runs
            // to completion like DML, and commits when autocommit.
            Plan::Query(p) if writes(&p) => {
                self.check_writable("a data-modifying query")?;
                self.run_modify(p, None, true).await
            }
            Plan::Query(p) => self.run_query(p).await,
            Plan::Explain { plan, options } => self.explain(plan, options).await,
            Plan::ExplainExecute { name, params, options } => self.explain_prepared(&name, params, options).await,
            Plan::Modify { plan, verb, returning } => {
                self.check_writable(verb_name(verb))?;
                self.run_modify(plan, Some(verb), returning).await
            }
            Plan::Begin(modes) => self.begin(&modes),
            Plan::Commit => self.commit().await,
            Plan::Rollback => Ok(self.rollback()),
            Plan::Savepoint(n) => self.savepoint(&n),
            Plan::ReleaseSavepoint(n) => self.release(&n),
            Plan::RollbackTo(n) => self.rollback_to(&n),
            Plan::SetTransaction { modes, session } => self.set_transaction(&modes, session),
            Plan::Set { name, value, local } => self.set(&name, value, local),
            Plan::SetConfig { name, value, local, column } => {
                let value_shown = value.clone().unwrap_or_default();
                let mut out = self.set_config(&name, value, local)?;
                let now = if local && !self.in_block() { value_shown } else { self.settings.get(&name)? };
                out.response = text_rows(&column, vec![now], "SELECT")?;
                Ok(out)
            }
            Plan::Show(name) => self.show(&name),
            Plan::Reset(name) => self.reset(&name),
            Plan::Prepare { name, statement, param_types } => {
                let types: Vec<_> = param_types.into_iter().map(Some).collect();
                let prepared = self.prepare(&statement.to_string(), &types)?;
                self.register_statement(&name, Arc::new(prepared))?;
                Ok(StatementResult::new(Response::Command("PREPARE".into())))
            }
            Plan::Execute { name, params } => self.execute_sql_prepared(&name, params).await,
            Plan::Deallocate(name) => {
                match name {
                    None => self.sql_prepared.clear(),
                    Some(n) => {
                        if self.sql_prepared.remove(&n).is_none() {
                            return Err(Error::new(ErrorCode::InvalidStatementName, format!("prepared statement \"{n}\" does not exist")));
                        }
                    }
                }
                Ok(StatementResult::new(Response::Command("DEALLOCATE".into())))
            }
            Plan::Discard => {
                if self.in_block() {
                    return Err(Error::new(ErrorCode::ActiveTransaction, "DISCARD ALL cannot run inside a transaction block"));
                }
                self.sql_prepared.clear();
                self.cursors = Default::default();
                self.settings.reset_all();
                self.session_settings = self.settings.clone();
                Ok(StatementResult::new(Response::Command("DISCARD ALL".into())))
            }
            Plan::CopyFrom(copy) => {
                self.check_writable("COPY FROM")?;
                Ok(StatementResult::new(Response::CopyIn(copy)))
            }
            Plan::CopyTo { query, options } => {
                let rows = self.run_query(query).await?;
                let Response::Rows { columns, stream, .. } = rows.response else {
                    return Err(Error::internal("COPY TO query returned no rows"));
                };
                Ok(StatementResult::new(Response::CopyOut { columns, stream, options }))
            }
            Plan::DeclareCursor { name, query, scroll, hold, binary } => self.declare_cursor(name, query, scroll, hold, binary).await,
            Plan::Fetch { name, direction, move_only } => self.fetch(&name, direction, move_only).await,
            Plan::CloseCursor(name) => self.close_cursor(name.as_deref()),
            Plan::NoOp { tag, notices } => Ok(StatementResult::new(Response::Command(tag)).with_notices(notices)),
            ddl => {
                self.check_writable(ddl_verb(&ddl))?;
                self.run_ddl(ddl).await
            }
        }
    }

    /// Runs a query, streaming its rows.
    async fn run_query(&mut self, plan: LogicalPlan) -> Result<StatementResult> {
        let (txn, _autocommit) = self.statement_txn()?;
        txn.begin_statement();
        let columns = result::plan_columns(&plan);
        let stream = self.engine.execute(&mut self.state, &txn, &plan).await?;
        let stream = guard_stream(stream, self.fail_flag(), self.pending_settings.clone());
        Ok(StatementResult::new(Response::Rows { columns, stream, tag: "SELECT" }))
    }

    /// Runs INSERT/UPDATE/DELETE (`verb`), or a query that writes (`None`), to completion
    /// (and commits when autocommit).
    pub(super) async fn run_modify(&mut self, plan: LogicalPlan, verb: Option<ModifyVerb>, returning: bool) -> Result<StatementResult> {
        let mut attempt = 0;
        loop {
            let (txn, autocommit_txn) = self.statement_txn()?;
            let sp = txn.begin_statement();
            let outcome = self.engine.collect(&mut self.state, &txn, &plan).await.map_err(Error::from);
            let outcome = match outcome {
                Ok(batches) if autocommit_txn => match autocommit(txn.clone(), self.settings.durable()).await {
                    Ok(()) => Ok(batches),
                    Err(e) if e.code == ErrorCode::SerializationFailure && attempt < CONFLICT_RETRIES => {
                        attempt += 1;
                        tracing::debug!(attempt, "retrying autocommit statement after a write conflict");
                        continue;
                    }
                    Err(e) => Err(e),
                },
                Ok(batches) => Ok(batches),
                Err(e) => {
                    txn.rollback_to(sp);
                    Err(e)
                }
            };
            let batches = outcome?;
            let schema = plan.schema().inner().clone();
            return Ok(StatementResult::new(match verb {
                Some(verb) => modify_response(schema, batches, verb, returning)?,
                None => batches_response(schema, batches, "SELECT"),
            }));
        }
    }

    /// EXPLAIN [ANALYZE]: the physical plan, one line per row.
    async fn execute_sql_prepared(&mut self, name: &str, params: Vec<datafusion::sql::sqlparser::ast::Expr>) -> Result<StatementResult> {
        let prepared = self.prepared_statement(name, params.len())?;
        let values = self.evaluate_params(&prepared, params).await?;
        let plan = prepared.plan.clone().ok_or_else(|| Error::unsupported("EXECUTE of utility statements is not supported"))?;
        let plan = bind(plan, values)?;
        Box::pin(self.execute_plan(plan)).await
    }

    /// The statement prepared as `name` (by PREPARE or a protocol Parse), checked to take
    /// `args` parameters.
    pub(super) fn prepared_statement(&self, name: &str, args: usize) -> Result<Arc<Prepared>> {
        let prepared = self
            .sql_prepared
            .get(name)
            .cloned()
            .ok_or_else(|| Error::new(ErrorCode::InvalidStatementName, format!("prepared statement \"{name}\" does not exist")))?;
        if args != prepared.param_types.len() {
            return Err(Error::syntax(format!("wrong number of parameters for prepared statement \"{name}\""))
                .with_detail(format!("Expected {} parameters but got {args}.", prepared.param_types.len())));
        }
        Ok(prepared)
    }

    /// Evaluates EXECUTE's argument expressions, cast to the parameter types.
    pub(super) async fn evaluate_params(
        &mut self,
        prepared: &Prepared,
        params: Vec<datafusion::sql::sqlparser::ast::Expr>,
    ) -> Result<Vec<datafusion::scalar::ScalarValue>> {
        let mut values = Vec::with_capacity(params.len());
        for (e, ty) in params.into_iter().zip(&prepared.param_types) {
            let sql = format!(
                "SELECT CAST(({e}) AS {})",
                ty.to_string().replace("timestamp with time zone", "timestamptz").replace(" without time zone", "")
            );
            let stmt = quiverdb_sql::parse(&sql)?.pop().ok_or_else(|| Error::internal("no statement"))?;
            let (plan, _) = self.plan(stmt, &[])?;
            let Plan::Query(lp) = plan else {
                return Err(Error::internal("parameter is not a query"));
            };
            let (txn, _) = self.statement_txn()?;
            let batches = self.engine.collect(&mut self.state, &txn, &lp).await?;
            let batch = batches.into_iter().find(|b| b.num_rows() > 0).ok_or_else(|| Error::internal("no parameter value"))?;
            values.push(datafusion::scalar::ScalarValue::try_from_array(batch.column(0), 0)?);
        }
        Ok(values)
    }

    fn set(&mut self, name: &str, value: SetValue, local: bool) -> Result<StatementResult> {
        let mut out = StatementResult::new(Response::Command("SET".into()));
        match name {
            "transaction_isolation" => {
                let level = match &value {
                    SetValue::Values(v) => v.first().cloned().unwrap_or_default(),
                    SetValue::Default => "read committed".into(),
                };
                let modes = quiverdb_sql::TxnModes {
                    isolation: Some(match level.as_str() {
                        "repeatable read" => quiverdb_sql::IsolationLevel::RepeatableRead,
                        "serializable" => quiverdb_sql::IsolationLevel::Serializable,
                        _ => quiverdb_sql::IsolationLevel::ReadCommitted,
                    }),
                    read_only: None,
                };
                return self.set_transaction(&modes, false);
            }
            "transaction_read_only" => {
                let on = matches!(&value, SetValue::Values(v) if v.first().is_some_and(|x| matches!(x.as_str(), "on" | "true" | "1")));
                let modes = quiverdb_sql::TxnModes { isolation: None, read_only: Some(on) };
                return self.set_transaction(&modes, false);
            }
            _ => {}
        }
        if local && !self.in_block() {
            out = out.with_notice(Notice::warning(ErrorCode::NoActiveTransaction, "SET LOCAL can only be used in transaction blocks"));
            return Ok(out);
        }
        let reported = match &value {
            SetValue::Default => self.settings.reset(name)?,
            SetValue::Values(values) => {
                let joined = if name == "search_path" { super::settings::join_list(values) } else { values.join(", ") };
                self.settings.set(name, &joined)?
            }
        };
        if !local {
            match &value {
                SetValue::Default => self.session_settings.reset(name)?,
                SetValue::Values(_) => {
                    let v = self.settings.get(name)?;
                    self.session_settings.set(name, &v)?
                }
            };
        }
        if let Some(canonical) = reported {
            out.parameter_status.push((canonical, self.settings.get(canonical)?));
        }
        Ok(out)
    }

    /// `set_config(name, value, is_local)`: SET (LOCAL) without its notices; `None` resets.
    pub(super) fn set_config(&mut self, name: &str, value: Option<String>, local: bool) -> Result<StatementResult> {
        let value = match value {
            // A list setting's text is the list itself, not one quoted element.
            Some(v) if name == "search_path" => SetValue::Values(super::settings::split_list(&v)),
            Some(v) => SetValue::Values(vec![v]),
            None => SetValue::Default,
        };
        let mut out = self.set(name, value, local)?;
        out.notices.clear();
        Ok(out)
    }

    fn show(&self, name: &str) -> Result<StatementResult> {
        let column = result::show_column_name(name);
        let value = match name {
            "all" => {
                let rows = self.settings.all().into_iter().map(|(n, v, d)| vec![n, v, d]).collect();
                return Ok(StatementResult::new(text_table(&["name", "setting", "description"], rows, "SHOW")?));
            }
            "transaction isolation level" | "transaction_isolation" => self.isolation_name(),
            "transaction_read_only" => self.read_only_name().to_string(),
            other => self.settings.get(other)?,
        };
        Ok(StatementResult::new(text_rows(&column, vec![value], "SHOW")?))
    }

    fn reset(&mut self, name: &str) -> Result<StatementResult> {
        let mut out = StatementResult::new(Response::Command("RESET".into()));
        if name == "all" {
            self.settings.reset_all();
            self.session_settings = self.settings.clone();
            return Ok(out);
        }
        if let Some(canonical) = self.settings.reset(name)? {
            out.parameter_status.push((canonical, self.settings.get(canonical)?));
        }
        self.session_settings.reset(name)?;
        Ok(out)
    }

    /// Runs a DDL statement in the block's transaction or its own.
    async fn run_ddl(&mut self, plan: Plan) -> Result<StatementResult> {
        let database_level = matches!(plan, Plan::CreateDatabase { .. } | Plan::DropDatabase { .. });
        // The first statement of an extended-protocol pipeline may create or drop a
        // database (it commits at Sync); anything else counts as a transaction block.
        let in_block = self.block.as_ref().is_some_and(|b| !(b.implicit && b.pipeline && b.statements <= 1));
        if database_level && in_block {
            let verb = if matches!(plan, Plan::CreateDatabase { .. }) { "CREATE DATABASE" } else { "DROP DATABASE" };
            return Err(Error::new(ErrorCode::ActiveTransaction, format!("{verb} cannot run inside a transaction block")));
        }
        let (txn, autocommit_txn) = self.statement_txn()?;
        let sp = txn.begin_statement();
        let result = self.apply_ddl(&txn, plan).await;
        match result {
            Ok(r) => {
                if autocommit_txn {
                    autocommit(txn, true).await?;
                }
                Ok(r)
            }
            Err(e) => {
                txn.rollback_to(sp);
                Err(e)
            }
        }
    }

    async fn apply_ddl(&mut self, txn: &Arc<Txn>, plan: Plan) -> Result<StatementResult> {
        let catalog = self.catalog();
        let engine = self.engine.clone();
        let db = self.database.oid;
        let command = |t: &str| StatementResult::new(Response::Command(t.to_string()));
        match plan {
            Plan::CreateTable(ct) => {
                engine.create_table(txn, db, &ct)?;
                Ok(command(if ct.collection.is_some() { "CREATE COLLECTION" } else { "CREATE TABLE" }))
            }
            Plan::CreateTableAs { table, query } => {
                let def = engine.create_table(txn, db, &table)?;
                let snapshot = txn.catalog(&engine.storage().catalog());
                let view = self.catalog_view(snapshot);
                let insert = quiverdb_sql::SqlPlanner::new(&view, &self.state).insert_from(def, query)?;
                let batches = engine.collect(&mut self.state, txn, &insert).await?;
                Ok(command(&format!("SELECT {}", count_of(&batches))))
            }
            Plan::AlterTable { table, ops } => {
                let mut missing = Vec::new();
                for op in &ops {
                    if let quiverdb_catalog::ddl::AlterOp::AddColumn { column, .. } = op {
                        missing.push(self.evaluate_default(txn, column).await?);
                    }
                }
                let notices = engine.alter_table(txn, &table, &ops, missing)?;
                Ok(command("ALTER TABLE").with_notices(notices))
            }
            Plan::DropRelations { kind, targets, cascade, notices, collections } => {
                let more = engine.drop_relations(txn, &catalog, &targets, cascade)?;
                let tag = match kind {
                    RelationKind::View => "DROP VIEW",
                    RelationKind::Sequence => "DROP SEQUENCE",
                    RelationKind::Table if collections => "DROP COLLECTION",
                    RelationKind::Table => "DROP TABLE",
                };
                Ok(command(tag).with_notices(notices.into_iter().chain(more)))
            }
            Plan::CreateSequence { schema, name, def } => {
                engine.create_sequence(txn, db, schema.oid, &name, def)?;
                Ok(command("CREATE SEQUENCE"))
            }
            Plan::AlterSequence { sequence, def, restart, rename } => {
                engine.alter_sequence(txn, &catalog, &sequence, def, restart, rename.as_deref())?;
                Ok(command("ALTER SEQUENCE"))
            }
            Plan::CreateSchema { name } => {
                engine.create_schema(txn, db, &name)?;
                Ok(command("CREATE SCHEMA"))
            }
            Plan::DropSchemas { schemas, cascade, notices } => {
                let more = engine.drop_schemas(txn, &catalog, &schemas, cascade)?;
                Ok(command("DROP SCHEMA").with_notices(notices.into_iter().chain(more)))
            }
            Plan::CreateDatabase { name } => {
                engine.create_database(txn, &name)?;
                Ok(command("CREATE DATABASE"))
            }
            Plan::DropDatabase { name, if_exists } => {
                let Some(target) = catalog.database_by_name(&name).cloned() else {
                    if if_exists {
                        return Ok(command("DROP DATABASE").with_notices([format!("database \"{name}\" does not exist, skipping")]));
                    }
                    return Err(Error::new(ErrorCode::UndefinedDatabase, format!("database \"{name}\" does not exist")));
                };
                if target.oid == self.database.oid {
                    return Err(Error::new(ErrorCode::ObjectInUse, "cannot drop the currently open database"));
                }
                engine.drop_database(txn, &catalog, &target)?;
                Ok(command("DROP DATABASE"))
            }
            Plan::CreateView(cv) => {
                engine.create_view(txn, db, &cv)?;
                Ok(command("CREATE VIEW"))
            }
            Plan::Truncate { targets, restart_identity } => {
                engine.truncate(txn, &catalog, &targets, restart_identity)?;
                Ok(command("TRUNCATE TABLE"))
            }
            Plan::CreateIndex { table, index } => {
                engine.create_index(txn, &table, index)?;
                Ok(command("CREATE INDEX"))
            }
            Plan::Analyze(tables) => {
                engine.analyze(txn, &tables)?;
                Ok(command("ANALYZE"))
            }
            Plan::DropIndexes { targets, notices } => {
                engine.drop_indexes(txn, &targets)?;
                Ok(command("DROP INDEX").with_notices(notices))
            }
            role @ (Plan::CreateRole { .. } | Plan::AlterRole { .. } | Plan::RenameRole { .. } | Plan::DropRoles { .. }) => {
                self.apply_role(txn, &catalog, role)
            }
            other => Err(Error::internal(format!("not a DDL plan: {other:?}"))),
        }
    }

    /// The encoded value rows stored before ADD COLUMN read for the new column.
    async fn evaluate_default(&mut self, txn: &Arc<Txn>, column: &quiverdb_catalog::ddl::NewColumn) -> Result<Option<Vec<u8>>> {
        let Some(default) = &column.default else {
            return Ok(None);
        };
        let snapshot = txn.catalog(&self.engine.storage().catalog());
        let view = self.catalog_view(snapshot);
        let plan = quiverdb_sql::SqlPlanner::new(&view, &self.state).constant(default, &column.ty)?;
        let batches = self.engine.collect(&mut self.state, txn, &plan).await?;
        let batch = batches.into_iter().find(|b| b.num_rows() > 0).ok_or_else(|| Error::internal("default produced no row"))?;
        crate::storage::rowcodec::RowLayout::encode_single(&column.ty, batch.column(0), 0).map_err(Error::from)
    }
}

fn verb_name(v: ModifyVerb) -> &'static str {
    match v {
        ModifyVerb::Insert => "INSERT",
        ModifyVerb::Update => "UPDATE",
        ModifyVerb::Delete => "DELETE",
        ModifyVerb::Copy => "COPY FROM",
    }
}

fn ddl_verb(plan: &Plan) -> &'static str {
    match plan {
        Plan::CreateTable(_) | Plan::CreateTableAs { .. } => "CREATE TABLE",
        Plan::AlterTable { .. } => "ALTER TABLE",
        Plan::DropRelations { kind: RelationKind::View, .. } => "DROP VIEW",
        Plan::DropRelations { kind: RelationKind::Sequence, .. } => "DROP SEQUENCE",
        Plan::DropRelations { .. } => "DROP TABLE",
        Plan::CreateSequence { .. } => "CREATE SEQUENCE",
        Plan::AlterSequence { .. } => "ALTER SEQUENCE",
        Plan::CreateSchema { .. } => "CREATE SCHEMA",
        Plan::DropSchemas { .. } => "DROP SCHEMA",
        Plan::CreateDatabase { .. } => "CREATE DATABASE",
        Plan::DropDatabase { .. } => "DROP DATABASE",
        Plan::CreateView(_) => "CREATE VIEW",
        Plan::Truncate { .. } => "TRUNCATE TABLE",
        Plan::CreateIndex { .. } => "CREATE INDEX",
        Plan::DropIndexes { .. } => "DROP INDEX",
        Plan::Analyze(_) => "ANALYZE",
        Plan::CreateRole { .. } => "CREATE ROLE",
        Plan::AlterRole { .. } | Plan::RenameRole { .. } => "ALTER ROLE",
        Plan::DropRoles { .. } => "DROP ROLE",
        _ => "this command",
    }
}

/// The `count` of a TableModify's output.
fn count_of(batches: &[RecordBatch]) -> u64 {
    batches
        .iter()
        .filter_map(|b| b.column(0).as_any().downcast_ref::<UInt64Array>().map(|a| if a.is_empty() { 0 } else { a.value(0) }))
        .sum()
}

/// The response of a completed INSERT/UPDATE/DELETE.
fn modify_response(schema: SchemaRef, batches: Vec<RecordBatch>, verb: ModifyVerb, returning: bool) -> Result<Response> {
    if returning {
        return Ok(batches_response(schema, batches, verb.tag()));
    }
    Ok(Response::Command(format!("{} {}", verb.tag(), count_of(&batches))))
}

/// Whether `plan` writes: it holds a `TableModify` (also inside a subquery).
pub(super) fn writes(plan: &LogicalPlan) -> bool {
    use datafusion::common::tree_node::TreeNodeRecursion;
    let mut found = false;
    let _ = plan.apply_with_subqueries(|p| {
        found = matches!(p, LogicalPlan::Extension(e) if e.node.as_any().is::<quiverdb_catalog::plan::TableModify>());
        Ok(if found { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    found
}

/// Marks the transaction block failed, and drops the statement's `set_config` changes,
/// when the stream yields an error.
fn guard_stream(
    stream: SendableRecordBatchStream,
    flag: Option<Arc<AtomicBool>>,
    pending: Arc<crate::functions::set_config::PendingSettings>,
) -> SendableRecordBatchStream {
    let schema = stream.schema();
    let guarded = stream.map(move |item| {
        if item.is_err() {
            if let Some(flag) = &flag {
                flag.store(true, Ordering::Release);
            }
            // A failed statement's set_config calls change nothing.
            pending.take();
        }
        item
    });
    Box::pin(RecordBatchStreamAdapter::new(schema, guarded))
}
