//! Authentication exchanges: trust, clear-text password, md5 and SCRAM-SHA-256[-PLUS].
//!
//! The [`AuthConfig`](crate::auth::AuthConfig) rule for the client's address picks the
//! method; the role and its verifier come from the latest committed catalog. The
//! exchange is a small state machine kept on the connection between pgwire's calls:
//! Startup → (challenge) → PasswordMessage(s) → AuthenticationOk, or a FATAL error.
//!
//! As in PostgreSQL, a password exchange with an unknown role, a role without a password
//! or an expired one runs to the end against a throw-away verifier and then fails with
//! the same 28P01 as a wrong password, so clients cannot probe which roles exist. The
//! `md5` method uses SCRAM when the role's stored password is a SCRAM verifier, and
//! SCRAM-SHA-256-PLUS (channel binding) is offered only over TLS.

use super::Connection;
use super::errors::fatal;
use crate::auth::Method;
use crate::auth::password::{self, ScramVerifier};
use pgwire::api::ClientInfo;
use pgwire::api::auth::sasl::scram::{ScramSecret, ScramServerAuth, ScramServerAuthWaitingForClientFinal};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::startup::{Authentication, PasswordMessageFamily};
use quiverdb_catalog::input::now_micros;
use quiverdb_catalog::{Error, ErrorCode, RoleDef};

const SCRAM: &str = "SCRAM-SHA-256";
const SCRAM_PLUS: &str = "SCRAM-SHA-256-PLUS";

/// Who is logging in, and where.
#[derive(Debug, Clone)]
pub(super) struct Login {
    pub user: String,
    pub database: String,
}

/// The exchange waiting for the client's next password message.
pub(super) enum Pending {
    Cleartext { login: Login, stored: Option<String> },
    Md5 { login: Login, stored: Option<String>, salt: [u8; 4] },
    ScramFirst { login: Login, verifier: Option<ScramVerifier>, mechanisms: Vec<String> },
    ScramFinal { login: Login, genuine: bool, state: Box<ScramServerAuthWaitingForClientFinal> },
}

/// What the connection does after a step.
pub(super) enum Step {
    /// Send this challenge and wait for the next message.
    Challenge(Authentication, Pending),
    /// Authenticated (with an optional final SASL message to send first).
    Done(Login, Option<Authentication>),
}

impl Connection {
    /// Decides the method for a new login and returns the first step.
    pub(super) fn begin_auth<C: ClientInfo>(&self, client: &C, login: Login) -> PgWireResult<Step> {
        let tls = client.is_secure();
        let peer = client.socket_addr().ip();
        let encryption = if tls { "SSL encryption" } else { "no encryption" };
        let where_ = format!("host \"{peer}\", user \"{}\", database \"{}\", {encryption}", login.user, login.database);
        let method = if self.ctx.tls_required && !tls { None } else { self.ctx.auth.method_for(peer, tls) };
        let role = self.ctx.engine.storage().catalog().role_by_name(&login.user).cloned();
        let stored = role.as_deref().filter(|r| password_valid(r)).and_then(|r| r.password.clone());
        let verifier = stored.as_deref().and_then(ScramVerifier::parse);
        match method {
            None => Err(fatal(Error::new(ErrorCode::InvalidAuthorization, format!("no pg_hba.conf entry for {where_}")))),
            Some(Method::Reject) => {
                Err(fatal(Error::new(ErrorCode::InvalidAuthorization, format!("pg_hba.conf rejects connection for {where_}"))))
            }
            Some(Method::Trust) => Ok(Step::Done(login, None)),
            Some(Method::Password) => Ok(Step::Challenge(Authentication::CleartextPassword, Pending::Cleartext { login, stored })),
            Some(Method::Md5) if verifier.is_none() => {
                let salt = password::md5_salt();
                Ok(Step::Challenge(Authentication::MD5Password(salt.to_vec()), Pending::Md5 { login, stored, salt }))
            }
            Some(Method::Md5 | Method::ScramSha256) => {
                let mut mechanisms = Vec::new();
                if tls && self.ctx.tls.is_some() {
                    mechanisms.push(SCRAM_PLUS.to_string());
                }
                mechanisms.push(SCRAM.to_string());
                Ok(Step::Challenge(Authentication::SASL(mechanisms.clone()), Pending::ScramFirst { login, verifier, mechanisms }))
            }
        }
    }

    /// Advances `pending` with the client's password message.
    pub(super) fn continue_auth(&self, pending: Pending, message: PasswordMessageFamily) -> PgWireResult<Step> {
        match pending {
            Pending::Cleartext { login, stored } => {
                let given = message.into_password()?.password;
                let ok = stored.as_deref().is_some_and(|s| password::check_cleartext(s, &login.user, &given));
                if ok { Ok(Step::Done(login, None)) } else { Err(failed(&login)) }
            }
            Pending::Md5 { login, stored, salt } => {
                let given = message.into_password()?.password;
                let ok = stored.as_deref().is_some_and(|s| password::check_md5_response(s, &salt, &given));
                if ok { Ok(Step::Done(login, None)) } else { Err(failed(&login)) }
            }
            Pending::ScramFirst { login, verifier, mechanisms } => {
                let initial = message.into_sasl_initial_response()?;
                if !mechanisms.contains(&initial.auth_method) {
                    return Err(protocol("client selected an invalid SASL authentication mechanism"));
                }
                let data = initial.data.ok_or_else(|| protocol("malformed SCRAM message (empty message)"))?;
                let mut server = ScramServerAuth::new();
                if initial.auth_method == SCRAM_PLUS
                    && let Some(tls) = &self.ctx.tls
                {
                    server.configure_certificate(&tls.cert_pem)?;
                }
                let genuine = verifier.is_some();
                let v = verifier.unwrap_or_else(ScramVerifier::throwaway);
                let secret = ScramSecret::Verifier {
                    salt: v.salt,
                    iterations: v.iterations as usize,
                    stored_key: v.stored_key,
                    server_key: v.server_key,
                };
                let (server_first, state) = server.on_client_first_message_with_secret(&data, secret).map_err(scram_error)?;
                Ok(Step::Challenge(
                    Authentication::SASLContinue(server_first.into()),
                    Pending::ScramFinal { login, genuine, state: Box::new(state) },
                ))
            }
            Pending::ScramFinal { login, genuine, state } => {
                let response = message.into_sasl_response()?;
                match state.on_client_final_message(&response.data) {
                    Ok(server_final) if genuine => Ok(Step::Done(login, Some(Authentication::SASLFinal(server_final.into())))),
                    Ok(_) | Err(PgWireError::InvalidPassword(_)) => Err(failed(&login)),
                    Err(e) => Err(scram_error(e)),
                }
            }
        }
    }

    /// The role checks after authentication: it exists and may log in.
    pub(super) fn login_role(&self, login: &Login) -> PgWireResult<()> {
        let catalog = self.ctx.engine.storage().catalog();
        let role = catalog
            .role_by_name(&login.user)
            .ok_or_else(|| fatal(Error::new(ErrorCode::InvalidAuthorization, format!("role \"{}\" does not exist", login.user))))?;
        if !role.login {
            return Err(fatal(Error::new(ErrorCode::InvalidAuthorization, format!("role \"{}\" is not permitted to log in", login.user))));
        }
        Ok(())
    }
}

/// Whether the role's password is still valid (VALID UNTIL not passed).
fn password_valid(role: &RoleDef) -> bool {
    role.valid_until.is_none_or(|until| now_micros() < until)
}

/// 28P01, the same for every kind of failed password exchange.
fn failed(login: &Login) -> PgWireError {
    fatal(Error::new(ErrorCode::InvalidPassword, format!("password authentication failed for user \"{}\"", login.user)))
}

fn protocol(message: &str) -> PgWireError {
    fatal(Error::new(ErrorCode::ProtocolViolation, message))
}

/// A malformed or mismatched SCRAM message (08P01, or 28P01 for a bad proof).
fn scram_error(e: PgWireError) -> PgWireError {
    match e {
        PgWireError::InvalidPassword(user) => {
            fatal(Error::new(ErrorCode::InvalidPassword, format!("password authentication failed for user \"{user}\"")))
        }
        PgWireError::InvalidScramMessage(m) => protocol(&format!("malformed SCRAM message ({m})")),
        other => other,
    }
}
