//! Roles: who may connect, with which password, and which role attributes they hold.
//!
//! A role is a cluster-wide object (like PostgreSQL's `pg_authid`), not part of a
//! database. The password is never stored in clear text: it is a SCRAM-SHA-256 verifier
//! (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, PostgreSQL's format) or
//! an md5 hash (`md5` + 32 hex digits), so dumps and `pg_authid` compare with PostgreSQL's.
//! Computing and checking them is the server's job (it owns the cryptography).

use crate::types::Oid;
use serde::{Deserialize, Serialize};

/// OID of the bootstrap superuser (PostgreSQL's `BOOTSTRAP_SUPERUSERID`).
pub const BOOTSTRAP_ROLE_OID: Oid = 10;
/// Name of the bootstrap superuser created with a new data directory.
pub const BOOTSTRAP_ROLE: &str = "quiver";

/// A role (user or group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    pub oid: Oid,
    pub name: String,
    pub superuser: bool,
    pub inherit: bool,
    pub create_role: bool,
    pub create_db: bool,
    pub login: bool,
    pub replication: bool,
    pub bypass_rls: bool,
    /// Concurrent connections allowed; -1 is no limit.
    pub connection_limit: i32,
    /// The stored password verifier (never clear text); `None`: password logins fail.
    pub password: Option<String>,
    /// When the password stops being accepted, in microseconds since the Unix epoch
    /// (`None`: never; `i64::MAX` is 'infinity').
    #[serde(default)]
    pub valid_until: Option<i64>,
}

impl RoleDef {
    /// A role with PostgreSQL's CREATE ROLE defaults (INHERIT, nothing else).
    pub fn new(oid: Oid, name: String) -> Self {
        RoleDef {
            oid,
            name,
            superuser: false,
            inherit: true,
            create_role: false,
            create_db: false,
            login: false,
            replication: false,
            bypass_rls: false,
            connection_limit: -1,
            password: None,
            valid_until: None,
        }
    }

    /// The bootstrap superuser (every attribute, no password).
    pub fn bootstrap() -> Self {
        RoleDef {
            superuser: true,
            create_role: true,
            create_db: true,
            login: true,
            replication: true,
            bypass_rls: true,
            ..RoleDef::new(BOOTSTRAP_ROLE_OID, BOOTSTRAP_ROLE.into())
        }
    }
}

/// The attributes a CREATE ROLE or ALTER ROLE statement sets (`None`: not mentioned).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleOptions {
    pub superuser: Option<bool>,
    pub inherit: Option<bool>,
    pub create_role: Option<bool>,
    pub create_db: Option<bool>,
    pub login: Option<bool>,
    pub replication: Option<bool>,
    pub bypass_rls: Option<bool>,
    pub connection_limit: Option<i32>,
    /// The password as written (clear text, or an already encrypted verifier);
    /// `Some(None)`: PASSWORD NULL (removes the password).
    pub password: Option<Option<String>>,
    /// VALID UNTIL's timestamp text, parsed by the session (it knows the time zone).
    pub valid_until: Option<String>,
}

impl RoleOptions {
    /// Applies the mentioned attributes except the password and VALID UNTIL (which the
    /// session resolves) to `role`.
    pub fn apply_flags(&self, role: &mut RoleDef) {
        let set = |dst: &mut bool, v: Option<bool>| {
            if let Some(v) = v {
                *dst = v;
            }
        };
        set(&mut role.superuser, self.superuser);
        set(&mut role.inherit, self.inherit);
        set(&mut role.create_role, self.create_role);
        set(&mut role.create_db, self.create_db);
        set(&mut role.login, self.login);
        set(&mut role.replication, self.replication);
        set(&mut role.bypass_rls, self.bypass_rls);
        if let Some(limit) = self.connection_limit {
            role.connection_limit = limit;
        }
    }
}
