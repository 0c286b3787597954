//! Simple and extended query handling.

use super::Connection;
use super::batching::Deferred;
use super::cancel::CancelSlot;
use super::copy::{CopyOutError, copy_tag};
use super::encode::{Format, encode_batch};
use super::errors::{error_info, to_pgwire};
use super::guard::StatementGuard;
use crate::session::{ColumnInfo, Notice, Prepared, Response as SessionResponse, Session, StatementResult, TxStatus};
use async_trait::async_trait;
use futures::sink::{Sink, SinkExt};
use futures::{StreamExt, stream};
use pgwire::api::DEFAULT_NAME;
use pgwire::api::portal::{Format as PortalFormat, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{CopyResponse, FieldFormat, FieldInfo, QueryResponse, Response, Tag};
use pgwire::api::stmt::QueryParser;
use pgwire::api::stmt::StoredStatement;
use pgwire::api::store::Entry;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireConnectionState, Type};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::{DataRow, NoData, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{
    Bind, BindComplete, Close, CloseComplete, Describe, Execute, Parse, ParseComplete, Sync as PgSync, TARGET_TYPE_BYTE_PORTAL,
    TARGET_TYPE_BYTE_STATEMENT,
};
use pgwire::messages::response::{CommandComplete, EmptyQueryResponse, NoticeResponse, ReadyForQuery, TransactionStatus};
use pgwire::messages::simplequery::Query;
use pgwire::messages::startup::ParameterStatus;
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use quiverdb_sql::cursor::CursorCommand;
use std::fmt::Debug;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The pgwire type of a column type.
fn pg_type(ty: &SqlType) -> Type {
    Type::from_oid(ty.oid()).unwrap_or(Type::TEXT)
}

/// RowDescription fields of `columns` with per-column formats.
fn fields(columns: &[ColumnInfo], formats: &[Format]) -> Vec<FieldInfo> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let format = match formats.get(i).copied().unwrap_or(Format::Text) {
                Format::Text => FieldFormat::Text,
                Format::Binary => FieldFormat::Binary,
            };
            FieldInfo::new(c.name.clone(), c.source.map(|s| s.0 as i32), c.source.map(|s| s.1), pg_type(&c.ty), format)
                .with_type_modifier(c.ty.typmod())
                .with_type_size(c.ty.typlen())
        })
        .collect()
}

fn formats_of(f: Option<&PortalFormat>, n: usize) -> Vec<Format> {
    (0..n)
        .map(|i| match f {
            Some(f) if f.is_binary(i) => Format::Binary,
            _ => Format::Text,
        })
        .collect()
}

pub(super) fn to_txn_status(s: TxStatus) -> TransactionStatus {
    match s {
        TxStatus::Idle => TransactionStatus::Idle,
        TxStatus::InBlock => TransactionStatus::Transaction,
        TxStatus::Failed => TransactionStatus::Error,
    }
}

/// Sends a statement's notices and ParameterStatus messages.
pub(super) async fn send_side_messages<C>(
    client: &mut C,
    notices: &[Notice],
    parameter_status: &[(&'static str, String)],
) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    for n in notices {
        client.feed(PgWireBackendMessage::NoticeResponse(notice(n))).await?;
    }
    for (name, value) in parameter_status {
        client.feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(name.to_string(), value.clone()))).await?;
    }
    Ok(())
}

fn notice(n: &Notice) -> NoticeResponse {
    let mut info = error_info(&Error::new(n.code.unwrap_or(ErrorCode::Internal), n.message.clone()), false);
    info.severity = n.severity.to_string();
    if n.code.is_none() {
        info.code = "00000".into();
    }
    info.into()
}

/// The cancel receiver of the current statement.
pub(super) fn cancel_receiver<C: ClientInfo>(client: &C) -> Option<futures::channel::oneshot::Receiver<()>> {
    let slot = client.session_extensions().get::<Arc<CancelSlot>>()?;
    Some(slot.arm())
}

impl Connection {
    pub(super) async fn session(&self) -> PgWireResult<tokio::sync::MappedMutexGuard<'_, Session>> {
        let guard = self.session.lock().await;
        tokio::sync::MutexGuard::try_map(guard, |s| s.as_mut())
            .map_err(|_| to_pgwire(Error::new(ErrorCode::ProtocolViolation, "connection is not started")))
    }

    /// Streams one simple-protocol statement result; returns false when it failed.
    async fn send_simple_result<C>(
        &self,
        client: &mut C,
        session: &mut Session,
        result: StatementResult,
        guard: StatementGuard,
    ) -> PgWireResult<bool>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        send_side_messages(client, &result.notices, &result.parameter_status).await?;
        let binary = result.binary;
        match result.response {
            SessionResponse::Empty => client.feed(PgWireBackendMessage::EmptyQueryResponse(EmptyQueryResponse::new())).await?,
            SessionResponse::Command(tag) => {
                client.feed(PgWireBackendMessage::CommandComplete(CommandComplete::new(tag))).await?;
            }
            SessionResponse::Rows { columns, stream, tag } => {
                let mut stream = guard.wrap(stream);
                let formats = vec![if binary { Format::Binary } else { Format::Text }; columns.len()];
                let desc = fields(&columns, &formats);
                client.feed(PgWireBackendMessage::RowDescription(RowDescription::new(desc.iter().map(Into::into).collect()))).await?;
                let types: Vec<SqlType> = columns.iter().map(|c| c.ty.clone()).collect();
                let settings = session.settings().format.clone();
                let mut rows = 0usize;
                while let Some(batch) = stream.next().await {
                    let encoded = batch.map_err(Error::from).and_then(|b| encode_batch(&b, &types, &formats, &settings));
                    match encoded {
                        Ok(data) => {
                            rows += data.len();
                            // The codec writes its buffer out when it fills up; the rest
                            // leaves with ReadyForQuery.
                            for row in data {
                                client.feed(PgWireBackendMessage::DataRow(row)).await?;
                            }
                        }
                        Err(e) => {
                            session.mark_failed();
                            client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
                            return Ok(false);
                        }
                    }
                }
                // PostgreSQL counts rows in the tags of SELECT, FETCH and DML with RETURNING
                // (`INSERT 0 2`); SHOW's and EXPLAIN's tags are plain.
                let counted = matches!(tag, "SELECT" | "FETCH" | "INSERT 0" | "UPDATE" | "DELETE");
                let tag: CommandComplete = if counted { Tag::new(tag).with_rows(rows) } else { Tag::new(tag) }.into();
                client.feed(PgWireBackendMessage::CommandComplete(tag)).await?;
            }
            SessionResponse::CopyOut { columns, stream, options } => {
                let settings = session.settings().format.clone();
                match Connection::send_copy_out(client, &columns, guard.wrap(stream), options, settings).await {
                    Ok(rows) => client.feed(PgWireBackendMessage::CommandComplete(copy_tag(rows).into())).await?,
                    Err(CopyOutError::Wire(e)) => return Err(e),
                    Err(CopyOutError::Query(e)) => {
                        session.mark_failed();
                        client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
                        return Ok(false);
                    }
                }
            }
            SessionResponse::CopyIn(_) => return Err(to_pgwire(Error::internal("COPY FROM STDIN reached the result writer"))),
        }
        Ok(true)
    }
}

#[async_trait]
impl SimpleQueryHandler for Connection {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        client.set_state(PgWireConnectionState::QueryInProgress);
        let mut session = self.session().await?;
        match session.parse(&query.query) {
            Err(e) => {
                let e = session.fail(e);
                client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
            }
            Ok(stmts) if stmts.is_empty() => {
                client.feed(PgWireBackendMessage::EmptyQueryResponse(EmptyQueryResponse::new())).await?;
            }
            Ok(stmts) => {
                let multi = stmts.len() > 1;
                let mut ok = true;
                if multi && let Err(e) = session.begin_implicit(false) {
                    client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
                    ok = false;
                }
                for stmt in stmts {
                    if !ok {
                        break;
                    }
                    if let Some((cmd, portal)) = super::portal_cursor::portal_target(client.portal_store(), &session, &stmt) {
                        ok = match cmd {
                            CursorCommand::Close(_) => {
                                client.portal_store().rm_portal(&portal.name);
                                client.feed(PgWireBackendMessage::CommandComplete(Tag::new("CLOSE CURSOR").into())).await?;
                                true
                            }
                            CursorCommand::Fetch { direction, move_only, .. } => {
                                self.portal_fetch(client, &mut session, direction, move_only, portal).await?
                            }
                        };
                        continue;
                    }
                    let timeout = session.settings().statement_timeout_ms();
                    let mut guard = StatementGuard::new(cancel_receiver(client), timeout);
                    let result = guard.run(session.run_statement(stmt)).await;
                    match result {
                        Ok(StatementResult { response: SessionResponse::CopyIn(plan), notices, parameter_status, .. }) => {
                            if multi {
                                let e = session
                                    .fail(Error::unsupported("COPY FROM STDIN cannot run with other statements in one query message"));
                                client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
                                ok = false;
                                continue;
                            }
                            // The data follows as CopyData; pgwire sends ReadyForQuery after CopyDone.
                            send_side_messages(client, &notices, &parameter_status).await?;
                            let response = self.start_copy_in(&session, plan);
                            client.set_state(PgWireConnectionState::CopyInProgress(false));
                            client.send(PgWireBackendMessage::CopyInResponse(response)).await?;
                            return Ok(());
                        }
                        Ok(r) => ok = self.send_simple_result(client, &mut session, r, guard).await?,
                        Err(e) => {
                            let e = session.fail(e);
                            client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
                            ok = false;
                        }
                    }
                }
                if multi && let Err(e) = session.end_implicit().await {
                    client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
                }
            }
        }
        let status = to_txn_status(session.status());
        drop(session);
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client.set_transaction_status(status);
        client.send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(status))).await?;
        Ok(())
    }

    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        Err(to_pgwire(Error::internal("simple queries are handled by on_query")))
    }
}

/// Plans statements at Parse time through the connection's session.
pub struct Parser {
    pub(super) session: Arc<Mutex<Option<Session>>>,
}

#[async_trait]
impl QueryParser for Parser {
    type Statement = Arc<Prepared>;

    async fn parse_sql<C>(&self, _client: &C, sql: &str, types: &[Option<Type>]) -> PgWireResult<Option<Self::Statement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        let mut guard = self.session.lock().await;
        let session = guard.as_mut().ok_or_else(|| to_pgwire(Error::new(ErrorCode::ProtocolViolation, "connection is not started")))?;
        let declared: Vec<Option<SqlType>> = types.iter().map(|t| t.as_ref().and_then(|t| sql_type_of_oid(t.oid()))).collect();
        match session.prepare(sql, &declared) {
            Ok(p) if p.stmt.is_none() => Ok(None),
            Ok(p) => Ok(Some(Arc::new(p))),
            Err(e) => Err(to_pgwire(session.fail(e))),
        }
    }

    fn get_parameter_types(&self, stmt: &Self::Statement) -> PgWireResult<Vec<Type>> {
        Ok(stmt.param_types.iter().map(pg_type).collect())
    }

    fn get_result_schema(&self, stmt: &Self::Statement, format: Option<&PortalFormat>) -> PgWireResult<Vec<FieldInfo>> {
        Ok(fields(&stmt.columns, &formats_of(format, stmt.columns.len())))
    }
}

/// Our column type for a parameter type OID a client declared (`None`: infer it).
fn sql_type_of_oid(oid: u32) -> Option<SqlType> {
    Some(match oid {
        0 | 705 => return None,
        16 => SqlType::Bool,
        17 => SqlType::Bytea,
        20 => SqlType::Int8,
        21 => SqlType::Int2,
        23 => SqlType::Int4,
        25 | 19 => SqlType::Text,
        26 => SqlType::Oid,
        114 => SqlType::Json,
        700 => SqlType::Float4,
        701 => SqlType::Float8,
        1042 => SqlType::Char(1),
        1043 => SqlType::Varchar(None),
        1082 => SqlType::Date,
        1083 => SqlType::Time,
        1114 => SqlType::Timestamp,
        1184 => SqlType::Timestamptz,
        1186 => SqlType::Interval,
        1700 => SqlType::Numeric { precision: None, scale: 0 },
        2950 => SqlType::Uuid,
        3802 => SqlType::Jsonb,
        1000 => SqlType::Array(Box::new(SqlType::Bool)),
        1005 => SqlType::Array(Box::new(SqlType::Int2)),
        1007 => SqlType::Array(Box::new(SqlType::Int4)),
        1016 => SqlType::Array(Box::new(SqlType::Int8)),
        1009 => SqlType::Array(Box::new(SqlType::Text)),
        1015 => SqlType::Array(Box::new(SqlType::Varchar(None))),
        1021 => SqlType::Array(Box::new(SqlType::Float4)),
        1022 => SqlType::Array(Box::new(SqlType::Float8)),
        1231 => SqlType::Array(Box::new(SqlType::Numeric { precision: None, scale: 0 })),
        _ => return None,
    })
}

#[async_trait]
impl ExtendedQueryHandler for Connection {
    type Statement = Arc<Prepared>;
    type QueryParser = Parser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        self.parser.clone()
    }

    /// Describe: as pgwire's default, except that a statement returning no rows answers
    /// NoData after its ParameterDescription, as PostgreSQL does (pgwire sends an empty
    /// RowDescription when the statement has parameters; pgjdbc then rejects the
    /// statement's update count).
    async fn on_describe<C>(&self, client: &mut C, message: Describe) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if message.target_type == TARGET_TYPE_BYTE_STATEMENT
            && let Some(Entry::Value(stmt)) = client.portal_store().get_statement(message.name.as_deref().unwrap_or(DEFAULT_NAME))
        {
            let described = self.do_describe_statement(client, &stmt).await?;
            let oids = described.parameters.iter().map(|t| t.oid()).collect();
            client.send(PgWireBackendMessage::ParameterDescription(ParameterDescription::new(oids))).await?;
            let rows = if described.fields.is_empty() {
                PgWireBackendMessage::NoData(NoData::new())
            } else {
                PgWireBackendMessage::RowDescription(RowDescription::new(described.fields.iter().map(Into::into).collect()))
            };
            client.send(rows).await?;
            return Ok(());
        }
        self._on_describe(client, message).await
    }

    /// Parse: as pgwire's default, but ParseComplete waits for Sync (the batching module).
    async fn on_parse<C>(&self, client: &mut C, message: Parse) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let name = message.name.clone().unwrap_or_else(|| DEFAULT_NAME.to_owned());
        // A named statement shares PREPARE's namespace (SQL EXECUTE and DEALLOCATE see it).
        if name != DEFAULT_NAME && self.session().await?.has_statement(&name) {
            let e = Error::new(ErrorCode::DuplicatePreparedStatement, format!("prepared statement \"{name}\" already exists"));
            return Err(to_pgwire(self.session().await?.fail(e)));
        }
        match StoredStatement::parse(client, &message, self.query_parser()).await? {
            Some(stmt) => {
                if name != DEFAULT_NAME {
                    self.session().await?.register_statement(&name, stmt.statement.clone()).map_err(to_pgwire)?;
                }
                client.portal_store().put_statement(Arc::new(stmt))
            }
            None => client.portal_store().put_empty_statement(&name),
        }
        client.feed(PgWireBackendMessage::ParseComplete(ParseComplete::new())).await?;
        Ok(())
    }

    /// Bind: as pgwire's default, but BindComplete waits for Sync (the batching module).
    async fn on_bind<C>(&self, client: &mut C, message: Bind) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let statement_name = message.statement_name.as_deref().unwrap_or(DEFAULT_NAME);
        let portal_name = message.portal_name.as_deref().unwrap_or(DEFAULT_NAME);
        let stored = client.portal_store().get_statement(statement_name);
        // DEALLOCATE (SQL) removed it from the shared namespace.
        if statement_name != DEFAULT_NAME && matches!(stored, Some(Entry::Value(_))) && !self.session().await?.has_statement(statement_name)
        {
            client.portal_store().rm_statement(statement_name);
            return Err(PgWireError::StatementNotFound(statement_name.to_owned()));
        }
        match stored {
            Some(Entry::Value(statement)) => {
                let portal = Portal::try_new(&message, statement)?;
                client.portal_store().put_portal(Arc::new(portal));
            }
            Some(Entry::Empty) => {
                if !message.parameters.is_empty() {
                    let msg = format!(
                        "bind message supplies {} parameters, but prepared statement \"{statement_name}\" requires 0",
                        message.parameters.len()
                    );
                    return Err(to_pgwire(Error::new(ErrorCode::ProtocolViolation, msg)));
                }
                client.portal_store().put_empty_portal(portal_name);
            }
            None => return Err(PgWireError::StatementNotFound(statement_name.to_owned())),
        }
        client.feed(PgWireBackendMessage::BindComplete(BindComplete::new())).await?;
        Ok(())
    }

    /// Close: as pgwire's default, and a closed statement leaves the shared namespace.
    async fn on_close<C>(&self, client: &mut C, message: Close) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
        match message.target_type {
            TARGET_TYPE_BYTE_STATEMENT => {
                client.portal_store().rm_statement(name);
                self.session().await?.forget_statement(name);
            }
            TARGET_TYPE_BYTE_PORTAL => client.portal_store().rm_portal(name),
            _ => {}
        }
        client.send(PgWireBackendMessage::CloseComplete(CloseComplete::new())).await?;
        Ok(())
    }

    async fn on_execute<C>(&self, client: &mut C, message: Execute) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        // Responses (rows, CommandComplete) are written at Sync.
        let result = self._on_execute(&mut Deferred(&mut *client), message).await;
        let status = to_txn_status(self.session().await?.status());
        client.set_transaction_status(status);
        // A COPY FROM STDIN waits for the client's data: CopyInResponse must leave now.
        if matches!(client.state(), PgWireConnectionState::CopyInProgress(_)) {
            client.flush().await?;
        }
        result
    }

    async fn on_sync<C>(&self, client: &mut C, _message: PgSync) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        client.portal_store().rm_portal(pgwire::api::DEFAULT_NAME);
        let mut session = self.session().await?;
        if let Err(e) = session.end_implicit().await {
            client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
        }
        let status = to_txn_status(session.status());
        drop(session);
        client.set_transaction_status(status);
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client.send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(status))).await?;
        client.flush().await?;
        Ok(())
    }

    async fn do_query<C>(&self, client: &mut C, portal: &Portal<Self::Statement>, _max_rows: usize) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut session = self.session().await?;
        self.run_portal(client, &mut session, portal).await
    }
}

impl Connection {
    /// Runs a bound portal's statement: decodes its parameters, executes it under the
    /// statement timeout and cancel, and answers its result (rows are encoded lazily in
    /// the portal's result formats). Shared by Execute and by SQL FETCH/MOVE that name a
    /// portal not started yet.
    pub(super) async fn run_portal<C>(
        &self,
        client: &mut C,
        session: &mut Session,
        portal: &Portal<Arc<Prepared>>,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = portal.statement.statement.clone();
        let settings: FormatSettings = session.settings().format.clone();
        let mut values = Vec::with_capacity(portal.parameters.len());
        for (i, raw) in portal.parameters.iter().enumerate() {
            let ty = prepared.param_types.get(i).cloned().unwrap_or(SqlType::Text);
            match super::params::decode(raw.as_deref(), portal.parameter_format.is_binary(i), &ty, &settings) {
                Ok(v) => values.push(v),
                Err(e) => return Err(to_pgwire(session.fail(e))),
            }
        }
        if let Err(e) = session.begin_implicit(true) {
            return Err(to_pgwire(session.fail(e)));
        }
        let timeout = session.settings().statement_timeout_ms();
        let mut guard = StatementGuard::new(cancel_receiver(client), timeout);
        let result = guard.run(session.execute_prepared(&prepared, values)).await;
        let result = match result {
            Ok(r) => r,
            Err(e) => return Err(to_pgwire(session.fail(e))),
        };
        send_side_messages(client, &result.notices, &result.parameter_status).await?;
        Ok(match result.response {
            SessionResponse::Empty => Response::EmptyQuery,
            SessionResponse::Command(tag) => Response::Execution(Tag::new(&tag)),
            SessionResponse::CopyIn(plan) => {
                let response = self.start_copy_in(session, plan);
                Response::CopyIn(CopyResponse::new(response.format, response.columns as usize, stream::empty()))
            }
            SessionResponse::CopyOut { columns, stream, options } => {
                let settings = session.settings().format.clone();
                match Connection::send_copy_out(client, &columns, guard.wrap(stream), options, settings).await {
                    Ok(rows) => Response::Execution(copy_tag(rows)),
                    Err(CopyOutError::Wire(e)) => return Err(e),
                    Err(CopyOutError::Query(e)) => return Err(to_pgwire(session.fail(e))),
                }
            }
            SessionResponse::Rows { columns, stream, tag } => {
                let stream = guard.wrap(stream);
                let formats = formats_of(Some(&portal.result_column_format), columns.len());
                let desc = Arc::new(fields(&columns, &formats));
                let types: Vec<SqlType> = columns.iter().map(|c| c.ty.clone()).collect();
                let fail = session.fail_handle();
                let rows = stream
                    .map(move |batch| {
                        let rows: Vec<PgWireResult<DataRow>> =
                            match batch.map_err(Error::from).and_then(|b| encode_batch(&b, &types, &formats, &settings)) {
                                Ok(rows) => rows.into_iter().map(Ok).collect(),
                                Err(e) => {
                                    fail();
                                    vec![Err(to_pgwire(e))]
                                }
                            };
                        stream::iter(rows)
                    })
                    .flatten();
                let mut response = QueryResponse::new(desc, rows);
                response.command_tag = tag.to_string();
                Response::Query(response)
            }
        })
    }
}
