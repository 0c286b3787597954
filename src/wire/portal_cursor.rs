//! SQL FETCH, MOVE and CLOSE that name a protocol portal.
//!
//! PostgreSQL keeps one namespace for cursors and portals: a portal bound through the
//! extended protocol can be advanced with `MOVE FORWARD n FROM "portal"` in a simple query,
//! which is how asyncpg's `Cursor.forward(n)` skips rows. The session owns SQL cursors;
//! protocol portals live in pgwire's portal store, so the simple-query handler asks here
//! first when a FETCH/MOVE/CLOSE names no SQL cursor but a portal exists.
//!
//! Portals read forward only (PostgreSQL's protocol portals are NO SCROLL): FETCH/MOVE
//! `n`, NEXT and ALL pull rows from the portal's stream (starting it on first use);
//! backward and absolute moves are 55000, as for a NO SCROLL cursor. FETCH answers the
//! rows in the portal's own result formats, as PostgreSQL does.

use super::Connection;
use super::errors::{error_info, pgwire_error_info};
use crate::session::{Prepared, Session};
use futures::StreamExt;
use futures::sink::{Sink, SinkExt};
use pgwire::api::ClientInfo;
use pgwire::api::portal::{Portal, PortalExecutionState};
use pgwire::api::results::{Response, Tag};
use pgwire::api::store::{Entry, MemPortalStore, PortalStore};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::RowDescription;
use pgwire::messages::response::CommandComplete;
use quiverdb_catalog::{Error, ErrorCode, Result};
use quiverdb_sql::cursor::{CursorCommand, FetchDirection, cursor_command};
use std::fmt::Debug;
use std::sync::Arc;

/// The protocol portal a cursor statement names, when no SQL cursor has that name.
pub(super) fn portal_target<S: PortalStore>(
    store: &S,
    session: &Session,
    stmt: &datafusion::sql::sqlparser::ast::Statement,
) -> Option<(CursorCommand, Arc<Portal<Arc<Prepared>>>)> {
    let cmd = cursor_command(stmt)?;
    let name = match &cmd {
        CursorCommand::Fetch { name, .. } | CursorCommand::Close(Some(name)) => name,
        CursorCommand::Close(None) => return None,
    };
    if session.has_cursor(name) {
        return None;
    }
    let store = store.as_any().downcast_ref::<MemPortalStore<Arc<Prepared>>>()?;
    match store.get_portal(name)? {
        Entry::Value(portal) => Some((cmd, portal)),
        Entry::Empty => None,
    }
}

/// How many rows a forward FETCH/MOVE pulls (0: all, as pgwire's `fetch` counts).
fn forward_count(direction: Result<FetchDirection>) -> Result<usize> {
    match direction? {
        FetchDirection::Forward(None) => Ok(0),
        FetchDirection::Forward(Some(0)) => {
            Err(Error::unsupported("FETCH FORWARD 0 (re-reading the current row) is not supported on a protocol portal"))
        }
        FetchDirection::Forward(Some(n)) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        FetchDirection::Relative(n) if n > 0 => Ok(n as usize),
        _ => Err(Error::new(ErrorCode::ObjectNotInPrerequisiteState, "cursor can only scan forward")
            .with_hint("Declare it with SCROLL option to enable backward scan.")),
    }
}

impl Connection {
    /// Runs FETCH (or MOVE, `move_only`) on `portal`, feeding the answer; returns false
    /// when it failed (an ErrorResponse was fed and the session marked failed). CLOSE of
    /// a portal is the caller's: it removes the portal from the store.
    pub(super) async fn portal_fetch<C>(
        &self,
        client: &mut C,
        session: &mut Session,
        direction: Result<FetchDirection>,
        move_only: bool,
        portal: Arc<Portal<Arc<Prepared>>>,
    ) -> PgWireResult<bool>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let count = match forward_count(direction) {
            Ok(n) => n,
            Err(e) => return fail(client, session, e).await,
        };
        if matches!(*portal.state().lock().await, PortalExecutionState::Initial) {
            match self.run_portal(client, session, &portal).await? {
                Response::Query(rows) => portal.start(rows).await,
                _ => {
                    return fail(
                        client,
                        session,
                        Error::new(ErrorCode::InvalidCursorName, format!("portal \"{}\" does not return rows", portal.name)),
                    )
                    .await;
                }
            }
        }
        let mut fetched = match portal.fetch(count).await {
            Ok(f) => f,
            Err(e) => {
                session.mark_failed();
                client.feed(PgWireBackendMessage::ErrorResponse(pgwire_error_info(e).into())).await?;
                return Ok(false);
            }
        };
        let mut rows = 0usize;
        if !move_only {
            let fields = fetched.response.row_schema();
            client.feed(PgWireBackendMessage::RowDescription(RowDescription::new(fields.iter().map(Into::into).collect()))).await?;
        }
        while let Some(row) = fetched.response.data_rows().next().await {
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    session.mark_failed();
                    client.feed(PgWireBackendMessage::ErrorResponse(pgwire_error_info(e).into())).await?;
                    return Ok(false);
                }
            };
            rows += 1;
            if !move_only {
                client.feed(PgWireBackendMessage::DataRow(row)).await?;
            }
        }
        let tag: CommandComplete = Tag::new(if move_only { "MOVE" } else { "FETCH" }).with_rows(rows).into();
        client.feed(PgWireBackendMessage::CommandComplete(tag)).await?;
        Ok(true)
    }
}

/// Feeds `e` as an ErrorResponse, marking the session's transaction failed.
async fn fail<C>(client: &mut C, session: &mut Session, e: Error) -> PgWireResult<bool>
where
    C: Sink<PgWireBackendMessage> + Unpin,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let e = session.fail(e);
    client.feed(PgWireBackendMessage::ErrorResponse(error_info(&e, false).into())).await?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portals_move_forward_only() {
        assert_eq!(forward_count(Ok(FetchDirection::Forward(None))).unwrap(), 0);
        assert_eq!(forward_count(Ok(FetchDirection::Forward(Some(3)))).unwrap(), 3);
        assert_eq!(forward_count(Ok(FetchDirection::Relative(2))).unwrap(), 2);
        assert_eq!(forward_count(Ok(FetchDirection::Backward(Some(1)))).unwrap_err().code, ErrorCode::ObjectNotInPrerequisiteState);
        assert_eq!(forward_count(Ok(FetchDirection::Absolute(1))).unwrap_err().code, ErrorCode::ObjectNotInPrerequisiteState);
        assert_eq!(forward_count(Ok(FetchDirection::Forward(Some(0)))).unwrap_err().code, ErrorCode::FeatureNotSupported);
    }
}
