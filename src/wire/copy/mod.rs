//! COPY over the protocol: CopyIn (`COPY ... FROM STDIN`) and CopyOut (`COPY ... TO
//! STDOUT`), from the simple and the extended protocol alike.
//!
//! * **CopyIn.** The session plans the statement and answers [`SessionResponse::CopyIn`];
//!   we send CopyInResponse and keep a [`CopyDecoder`] on the connection. pgwire routes
//!   the client's CopyData / CopyDone / CopyFail to our [`CopyHandler`]. Data is decoded as
//!   it arrives; the first bad record is remembered and the rest of the data ignored, and
//!   at CopyDone the rows are inserted through the session ([`Session::copy_from`]) in one
//!   statement, so any error loads nothing. After CopyDone pgwire sends ReadyForQuery
//!   (simple protocol) or waits for Sync (extended).
//! * **CopyOut.** The rows stream from the query and leave as one CopyData per row
//!   between CopyOutResponse and CopyDone, followed by `COPY n`.
//!
//! [`SessionResponse::CopyIn`]: crate::session::Response::CopyIn
//! [`Session::copy_from`]: crate::session::Session::copy_from

mod decode;
mod encode;

use super::Connection;
use super::errors::{error_info, to_pgwire};
use super::guard::StatementGuard;
use super::query::{cancel_receiver, send_side_messages, to_txn_status};
use crate::session::{ColumnInfo, Session, StatementResult};
use async_trait::async_trait;
use datafusion::execution::SendableRecordBatchStream;
use decode::CopyDecoder;
use encode::CopyEncoder;
use futures::StreamExt;
use futures::sink::{Sink, SinkExt};
use pgwire::api::ClientInfo;
use pgwire::api::copy::CopyHandler;
use pgwire::api::results::Tag;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail, CopyInResponse, CopyOutResponse};
use pgwire::messages::response::CommandComplete;
use quiverdb_catalog::{Error, ErrorCode, SqlType};
use quiverdb_sql::copy::{CopyFormat, CopyFromPlan, CopyOptions};
use std::fmt::Debug;

/// A COPY FROM STDIN waiting for its data.
pub struct CopyIn {
    plan: Box<CopyFromPlan>,
    decoder: CopyDecoder,
    /// The first error found in the data; the rest of the data is ignored.
    error: Option<Error>,
}

/// The protocol's format code of a COPY (0 text, 1 binary) and its per-column codes.
fn format_codes(options: &CopyOptions, columns: usize) -> (i8, Vec<i16>) {
    let code = i8::from(options.format == CopyFormat::Binary);
    (code, vec![code as i16; columns])
}

impl Connection {
    /// Starts a COPY FROM STDIN on this connection; returns the CopyInResponse to send.
    pub(super) fn start_copy_in(&self, session: &Session, plan: Box<CopyFromPlan>) -> CopyInResponse {
        let (format, columns) = format_codes(&plan.options, plan.columns.len());
        let decoder = CopyDecoder::new(&plan, session.settings().format.clone());
        *self.copy.lock() = Some(CopyIn { plan, decoder, error: None });
        CopyInResponse::new(format, columns.len() as i16, columns)
    }

    /// Ends the COPY FROM STDIN in progress: inserts its rows, or reports its error.
    async fn finish_copy_in<C>(&self, client: &mut C, copy: CopyIn) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut session = self.session().await?;
        let decoded = match copy.error {
            Some(e) => Err(e),
            None => copy.decoder.finish(),
        };
        let result = match decoded {
            Ok((schema, batches)) => {
                let timeout = session.settings().statement_timeout_ms();
                let mut guard = StatementGuard::new(cancel_receiver(client), timeout);
                guard.run(session.copy_from(&copy.plan, schema, batches)).await
            }
            Err(e) => Err(e),
        };
        // (Failing twice is harmless: the block is already marked or rolled back.)
        let result = result.map_err(|e| session.fail(e));
        client.set_transaction_status(to_txn_status(session.status()));
        let result: StatementResult = result.map_err(to_pgwire)?;
        send_side_messages(client, &result.notices, &result.parameter_status).await?;
        if let crate::session::Response::Command(tag) = result.response {
            client.feed(PgWireBackendMessage::CommandComplete(CommandComplete::new(tag))).await?;
        }
        Ok(())
    }

    /// Streams the rows of a COPY TO STDOUT (CopyOutResponse, CopyData per row,
    /// CopyDone); returns the row count for the `COPY n` tag.
    pub(super) async fn send_copy_out<C>(
        client: &mut C,
        columns: &[ColumnInfo],
        mut stream: SendableRecordBatchStream,
        options: CopyOptions,
        settings: quiverdb_catalog::pgvalue::FormatSettings,
    ) -> Result<usize, CopyOutError>
    where
        C: Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let (format, codes) = format_codes(&options, columns.len());
        let types: Vec<SqlType> = columns.iter().map(|c| c.ty.clone()).collect();
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let encoder = CopyEncoder::new(options, types, settings);
        client.feed(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(format, codes.len() as i16, codes))).await.map_err(wire)?;
        // A header line is a message of its own; the binary file header travels in the
        // first row's message (or the trailer's), as PostgreSQL sends it: psycopg's binary
        // row parser expects a row right after the signature.
        let mut prefix = Vec::new();
        if let Some(header) = encoder.header(&names) {
            if format == 1 {
                prefix = header;
            } else {
                client.feed(PgWireBackendMessage::CopyData(CopyData::new(header.into()))).await.map_err(wire)?;
            }
        }
        let mut rows = 0;
        while let Some(batch) = stream.next().await {
            let encoded = batch.map_err(Error::from).and_then(|b| encoder.rows(&b)).map_err(CopyOutError::Query)?;
            rows += encoded.len();
            for row in encoded {
                let row = if prefix.is_empty() { row } else { [std::mem::take(&mut prefix), row].concat() };
                client.feed(PgWireBackendMessage::CopyData(CopyData::new(row.into()))).await.map_err(wire)?;
            }
        }
        if let Some(trailer) = encoder.trailer() {
            let trailer = [prefix, trailer].concat();
            client.feed(PgWireBackendMessage::CopyData(CopyData::new(trailer.into()))).await.map_err(wire)?;
        }
        client.feed(PgWireBackendMessage::CopyDone(CopyDone::new())).await.map_err(wire)?;
        Ok(rows)
    }
}

/// Why a COPY TO stopped: the query failed (reported, the connection goes on) or the
/// client connection did.
pub enum CopyOutError {
    Query(Error),
    Wire(PgWireError),
}

/// A client-side failure while sending COPY data.
fn wire<E>(e: E) -> CopyOutError
where
    PgWireError: From<E>,
{
    CopyOutError::Wire(PgWireError::from(e))
}

/// The tag of a finished COPY TO.
pub fn copy_tag(rows: usize) -> Tag {
    Tag::new("COPY").with_rows(rows)
}

#[async_trait]
impl CopyHandler for Connection {
    async fn on_copy_data<C>(&self, _client: &mut C, data: CopyData) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut slot = self.copy.lock();
        let Some(copy) = slot.as_mut() else {
            return Err(to_pgwire(Error::new(ErrorCode::ProtocolViolation, "unexpected CopyData message: no COPY in progress")));
        };
        if copy.error.is_none()
            && let Err(e) = copy.decoder.push(&data.data)
        {
            copy.error = Some(e);
        }
        Ok(())
    }

    async fn on_copy_done<C>(&self, client: &mut C, _done: CopyDone) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let copy = self.copy.lock().take();
        match copy {
            Some(copy) => self.finish_copy_in(client, copy).await,
            None => Err(to_pgwire(Error::new(ErrorCode::ProtocolViolation, "unexpected CopyDone message: no COPY in progress"))),
        }
    }

    async fn on_copy_fail<C>(&self, client: &mut C, fail: CopyFail) -> PgWireError
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.copy.lock().take();
        let e = Error::new(ErrorCode::QueryCanceled, format!("COPY from stdin failed: {}", fail.message));
        let e = match self.session().await {
            Ok(mut session) => {
                let e = session.fail(e);
                client.set_transaction_status(to_txn_status(session.status()));
                e
            }
            Err(_) => e,
        };
        PgWireError::UserError(Box::new(error_info(&e, false)))
    }
}
