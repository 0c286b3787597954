//! The PostgreSQL protocol (v3) on top of pgwire: the only module that names pgwire types.
//!
//! One [`Connection`] per client holds the [`Session`]. pgwire does the framing, SSL
//! negotiation and portal bookkeeping; we answer:
//!
//! * TLS — SSLRequest answered 'S' when a certificate is configured (`tls`);
//! * startup — authentication by the rule for the client's address (trust, password,
//!   md5, SCRAM-SHA-256\[-PLUS\]; `auth`), session creation (3D000 for unknown databases),
//!   ParameterStatus, BackendKeyData (for CancelRequest);
//! * simple Query — statements run one after another and each result is streamed before
//!   the next statement starts; several statements form one implicit transaction;
//! * COPY FROM STDIN / TO STDOUT in text, CSV and binary (the `copy` module);
//! * Parse/Bind/Describe/Execute/Sync — statements are planned at Parse (parameter types
//!   inferred from the plan), executed at Execute (portal row limits by pgwire), and the
//!   Executes up to a Sync form one implicit transaction, as in PostgreSQL.
//!
//! Errors become ErrorResponses through the one SQLSTATE table in [`errors`].

mod auth;
mod batching;
mod cancel;
mod copy;
pub mod encode;
pub mod errors;
mod guard;
pub mod params;
mod portal_cursor;
mod query;
mod startup;
mod tls;

pub use tls::Tls;

use crate::auth::AuthConfig;
use crate::engine::Engine;
use crate::session::Session;
use pgwire::api::PgWireServerHandlers;
use std::sync::Arc;
use std::sync::atomic::AtomicI32;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// Server-wide state shared by every connection.
pub struct ServerContext {
    pub engine: Arc<Engine>,
    pub cancel: Arc<cancel::CancelRegistry>,
    pub auth: AuthConfig,
    /// The certificate and key, when clients may negotiate TLS.
    pub tls: Option<Tls>,
    /// Refuse connections without TLS.
    pub tls_required: bool,
    next_pid: AtomicI32,
}

impl ServerContext {
    /// The context of a server over `engine`.
    pub fn new(engine: Arc<Engine>, auth: AuthConfig, tls: Option<Tls>, tls_required: bool) -> Arc<Self> {
        Arc::new(ServerContext {
            engine,
            cancel: Arc::new(cancel::CancelRegistry::default()),
            auth,
            tls,
            tls_required,
            next_pid: AtomicI32::new(10_000),
        })
    }
}

/// Runs the protocol on one accepted socket until the client leaves.
pub async fn serve(socket: TcpStream, ctx: Arc<ServerContext>) -> std::io::Result<()> {
    let acceptor = ctx.tls.as_ref().map(|t| t.acceptor.clone());
    pgwire::tokio::process_socket(socket, acceptor, Connection::handlers(ctx)).await
}

/// One client connection's handlers and session.
pub struct Connection {
    ctx: Arc<ServerContext>,
    session: Arc<Mutex<Option<Session>>>,
    parser: Arc<query::Parser>,
    /// The COPY FROM STDIN waiting for data, if any.
    copy: parking_lot::Mutex<Option<copy::CopyIn>>,
    /// The authentication exchange waiting for the client's next password message.
    auth: parking_lot::Mutex<Option<auth::Pending>>,
    /// The startup packet's parameters, applied once the session exists.
    startup: parking_lot::Mutex<Vec<(String, String)>>,
}

impl Connection {
    /// Handlers for a new connection.
    pub fn handlers(ctx: Arc<ServerContext>) -> Handlers {
        let session = Arc::new(Mutex::new(None));
        let parser = Arc::new(query::Parser { session: session.clone() });
        Handlers {
            conn: Arc::new(Connection {
                ctx,
                session,
                parser,
                copy: Default::default(),
                auth: Default::default(),
                startup: Default::default(),
            }),
        }
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
