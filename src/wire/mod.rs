//! The PostgreSQL protocol (v3) on top of pgwire: the only module that names pgwire types.
//!
//! One [`Connection`] per client holds the [`Session`]. pgwire does the framing, SSL
//! negotiation and portal bookkeeping; we answer:
//!
//! * startup — session creation (3D000 for unknown databases), ParameterStatus,
//!   BackendKeyData (for CancelRequest);
//! * simple Query — statements run one after another and each result is streamed before
//!   the next statement starts; several statements form one implicit transaction;
//! * COPY FROM STDIN / TO STDOUT in text, CSV and binary (the `copy` module);
//! * Parse/Bind/Describe/Execute/Sync — statements are planned at Parse (parameter types
//!   inferred from the plan), executed at Execute (portal row limits by pgwire), and the
//!   Executes up to a Sync form one implicit transaction, as in PostgreSQL.
//!
//! Errors become ErrorResponses through the one SQLSTATE table in [`errors`].

mod batching;
mod cancel;
mod copy;
pub mod encode;
pub mod errors;
mod guard;
pub mod params;
mod query;
mod startup;

use crate::engine::Engine;
use crate::session::Session;
use pgwire::api::PgWireServerHandlers;
use std::sync::Arc;
use std::sync::atomic::AtomicI32;
use tokio::sync::Mutex;

/// How clients authenticate.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {}

/// Server-wide state shared by every connection.
pub struct ServerContext {
    pub engine: Arc<Engine>,
    pub cancel: Arc<cancel::CancelRegistry>,
    pub auth: AuthConfig,
    next_pid: AtomicI32,
}

impl ServerContext {
    /// The context of a server over `engine`.
    pub fn new(engine: Arc<Engine>, auth: AuthConfig) -> Arc<Self> {
        Arc::new(ServerContext { engine, cancel: Arc::new(cancel::CancelRegistry::default()), auth, next_pid: AtomicI32::new(10_000) })
    }
}

/// One client connection's handlers and session.
pub struct Connection {
    ctx: Arc<ServerContext>,
    session: Arc<Mutex<Option<Session>>>,
    parser: Arc<query::Parser>,
    /// The COPY FROM STDIN waiting for data, if any.
    copy: parking_lot::Mutex<Option<copy::CopyIn>>,
}

impl Connection {
    /// Handlers for a new connection.
    pub fn handlers(ctx: Arc<ServerContext>) -> Handlers {
        let session = Arc::new(Mutex::new(None));
        let parser = Arc::new(query::Parser { session: session.clone() });
        Handlers { conn: Arc::new(Connection { ctx, session, parser, copy: Default::default() }) }
    }
}

/// pgwire's handler factory for one connection.
pub struct Handlers {
    conn: Arc<Connection>,
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl pgwire::api::query::SimpleQueryHandler> {
        self.conn.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl pgwire::api::query::ExtendedQueryHandler> {
        self.conn.clone()
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        self.conn.clone()
    }

    fn copy_handler(&self) -> Arc<impl pgwire::api::copy::CopyHandler> {
        self.conn.clone()
    }

    fn cancel_handler(&self) -> Arc<impl pgwire::api::cancel::CancelHandler> {
        Arc::new(cancel::CancelHandler(self.conn.ctx.cancel.clone()))
    }
}
