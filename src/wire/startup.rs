//! Connection start-up: protocol negotiation, authentication ([`super::auth`]), session
//! creation, ParameterStatus, BackendKeyData.

use super::Connection;
use super::auth::{Login, Step};
use super::cancel::{CancelSlot, Registration};
use super::errors::fatal;
use crate::session::Session;
use async_trait::async_trait;
use futures::sink::{Sink, SinkExt};
use pgwire::api::auth::{StartupHandler, protocol_negotiation, save_startup_parameters_to_metadata};
use pgwire::api::{ClientInfo, METADATA_DATABASE, METADATA_USER, PgWireConnectionState};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::response::{ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::{Authentication, BackendKeyData, ParameterStatus, SecretKey};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage, ProtocolVersion};
use quiverdb_catalog::{Error, ErrorCode};
use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[async_trait]
impl StartupHandler for Connection {
    async fn on_startup<C>(&self, client: &mut C, message: PgWireFrontendMessage) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let step = match message {
            PgWireFrontendMessage::Startup(startup) => {
                protocol_negotiation(client, &startup).await?;
                save_startup_parameters_to_metadata(client, &startup);
                let Some(user) = client.metadata().get(METADATA_USER).cloned() else {
                    return Err(fatal(Error::new(ErrorCode::InvalidAuthorization, "no PostgreSQL user name specified in startup packet")));
                };
                let database = client.metadata().get(METADATA_DATABASE).cloned().unwrap_or_else(|| user.clone());
                *self.startup.lock() = startup.parameters.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                self.begin_auth(client, Login { user, database })?
            }
            PgWireFrontendMessage::PasswordMessageFamily(message) => {
                let Some(pending) = self.auth.lock().take() else {
                    return Err(fatal(Error::new(ErrorCode::ProtocolViolation, "unexpected password message")));
                };
                self.continue_auth(pending, message)?
            }
            _ => return Ok(()),
        };
        match step {
            Step::Challenge(challenge, pending) => {
                *self.auth.lock() = Some(pending);
                client.set_state(PgWireConnectionState::AuthenticationInProgress);
                client.send(PgWireBackendMessage::Authentication(challenge)).await?;
                Ok(())
            }
            Step::Done(login, last) => {
                if let Some(last) = last {
                    client.feed(PgWireBackendMessage::Authentication(last)).await?;
                }
                self.start_session(client, login).await
            }
        }
    }
}

impl Connection {
    /// After authentication: the role and database checks, the session, ParameterStatus,
    /// BackendKeyData and ReadyForQuery.
    async fn start_session<C>(&self, client: &mut C, login: Login) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.login_role(&login)?;
        let Login { user, database } = login;
        let pid = self.ctx.next_pid.fetch_add(1, Ordering::Relaxed);
        let secret = match client.protocol_version() {
            ProtocolVersion::PROTOCOL3_0 => SecretKey::I32(random_i32()),
            _ => SecretKey::Bytes(bytes::Bytes::from((0..32).map(|_| random_i32() as u8).collect::<Vec<u8>>())),
        };
        let mut session = Session::new(self.ctx.engine.clone(), &database, &user, pid).map_err(fatal)?;
        let params = std::mem::take(&mut *self.startup.lock());
        for (k, v) in &params {
            session.apply_startup_parameter(k, v).map_err(fatal)?;
        }
        client.set_pid_and_secret_key(pid, secret.clone());
        let (slot, registration) = self.ctx.cancel.register(pid, &secret);
        client.session_extensions().insert::<Arc<CancelSlot>>(slot);
        client.session_extensions().insert::<Arc<Registration>>(Arc::new(registration));
        tracing::info!(pid, %user, %database, peer = %client.socket_addr(), tls = client.is_secure(), "connection authorized");

        client.feed(PgWireBackendMessage::Authentication(Authentication::Ok)).await?;
        for (name, value) in session.settings().startup_parameters() {
            client.feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(name.to_string(), value))).await?;
        }
        client.feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new("session_authorization".into(), user.clone()))).await?;
        client.feed(PgWireBackendMessage::BackendKeyData(BackendKeyData::new(pid, secret))).await?;
        client.send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(TransactionStatus::Idle))).await?;
        client.set_state(PgWireConnectionState::ReadyForQuery);
        *self.session.lock().await = Some(session);
        Ok(())
    }
}

/// A random i32 for cancel keys (from the OS-seeded hasher; no extra dependency).
fn random_i32() -> i32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish() as i32
}
