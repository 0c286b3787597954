//! CREATE / ALTER / DROP ROLE: privilege checks, password encryption, catalog changes.
//!
//! The rules are PostgreSQL 15's: superusers may do anything; a role with CREATEROLE may
//! create, alter and drop roles that are not superusers; any role may change its own
//! password. Clear-text passwords are encrypted here, by `password_encryption`
//! (`scram-sha-256` or `md5`), and never reach the catalog. Renaming a role clears an md5
//! password (the role name is its salt), with PostgreSQL's notice.

use super::Session;
use super::result::{Response, StatementResult};
use crate::auth::password::{self, Encryption};
use crate::storage::Txn;
use quiverdb_catalog::input::{now_micros, value_error};
use quiverdb_catalog::role::{BOOTSTRAP_ROLE_OID, RoleOptions};
use quiverdb_catalog::{CatalogChange, CatalogSnapshot, Error, ErrorCode, Result, RoleDef};
use quiverdb_sql::Plan;
use std::sync::Arc;

impl Session {
    /// Applies a role statement in `txn`.
    pub(super) fn apply_role(&self, txn: &Txn, catalog: &CatalogSnapshot, plan: Plan) -> Result<StatementResult> {
        let me = catalog.role_by_name(&self.user).cloned();
        let command = |t: &str| StatementResult::new(Response::Command(t.to_string()));
        match plan {
            Plan::CreateRole { name, options } => {
                reserved(&name)?;
                let me = me.ok_or_else(|| denied("create role"))?;
                if !(me.superuser || me.create_role) {
                    return Err(denied("create role").with_detail("Only roles with the CREATEROLE attribute may create roles."));
                }
                if options.superuser == Some(true) && !me.superuser {
                    return Err(Error::new(ErrorCode::InsufficientPrivilege, "must be superuser to create superusers"));
                }
                if catalog.role_by_name(&name).is_some() {
                    return Err(Error::new(ErrorCode::DuplicateObject, format!("role \"{name}\" already exists")));
                }
                let mut role = RoleDef::new(self.engine.storage().allocate_oid(), name);
                self.set_options(&mut role, &options)?;
                txn.record_catalog(CatalogChange::PutRole(role))?;
                Ok(command("CREATE ROLE"))
            }
            Plan::AlterRole { name, options } => {
                let target = existing(catalog, &name)?;
                let me = me.ok_or_else(|| denied("alter role"))?;
                let only_password = options == RoleOptions { password: options.password.clone(), ..RoleOptions::default() };
                if !me.superuser {
                    if target.superuser || options.superuser.is_some() {
                        return Err(Error::new(
                            ErrorCode::InsufficientPrivilege,
                            "must be superuser to alter superuser roles or change superuser attribute",
                        ));
                    }
                    if !(me.create_role || (me.oid == target.oid && only_password)) {
                        return Err(denied("alter role"));
                    }
                }
                if target.oid == BOOTSTRAP_ROLE_OID && options.superuser == Some(false) {
                    return Err(Error::new(
                        ErrorCode::FeatureNotSupported,
                        format!("permission denied: bootstrap user must be superuser (\"{}\")", target.name),
                    ));
                }
                let mut role = RoleDef::clone(&target);
                self.set_options(&mut role, &options)?;
                txn.record_catalog(CatalogChange::PutRole(role))?;
                Ok(command("ALTER ROLE"))
            }
            Plan::RenameRole { name, new_name } => {
                let target = existing(catalog, &name)?;
                let me = me.ok_or_else(|| denied("rename role"))?;
                if target.name == self.user {
                    return Err(Error::new(ErrorCode::FeatureNotSupported, "session user cannot be renamed"));
                }
                if !(me.superuser || (me.create_role && !target.superuser)) {
                    return Err(denied("rename role"));
                }
                reserved(&new_name)?;
                if catalog.role_by_name(&new_name).is_some() {
                    return Err(Error::new(ErrorCode::DuplicateObject, format!("role \"{new_name}\" already exists")));
                }
                let mut role = RoleDef::clone(&target);
                role.name = new_name;
                let mut out = command("ALTER ROLE");
                if role.password.as_deref().is_some_and(password::is_md5) {
                    role.password = None;
                    out = out.with_notices(["MD5 password cleared because of role rename".to_string()]);
                }
                txn.record_catalog(CatalogChange::PutRole(role))?;
                Ok(out)
            }
            Plan::DropRoles { names, if_exists } => {
                let me = me.ok_or_else(|| denied("drop role"))?;
                let mut notices = Vec::new();
                for name in names {
                    let Some(target) = catalog.role_by_name(&name).cloned() else {
                        if if_exists {
                            notices.push(format!("role \"{name}\" does not exist, skipping"));
                            continue;
                        }
                        return Err(undefined(&name));
                    };
                    if !(me.superuser || (me.create_role && !target.superuser)) {
                        return Err(denied("drop role"));
                    }
                    if target.name == self.user {
                        return Err(Error::new(ErrorCode::ObjectInUse, "current user cannot be dropped"));
                    }
                    if target.oid == BOOTSTRAP_ROLE_OID {
                        return Err(Error::new(
                            ErrorCode::DependentObjectsStillExist,
                            format!("role \"{name}\" cannot be dropped because some objects depend on it"),
                        )
                        .with_detail("owner of every database and schema"));
                    }
                    txn.record_catalog(CatalogChange::DropRole(target.oid))?;
                }
                Ok(command("DROP ROLE").with_notices(notices))
            }
            other => Err(Error::internal(format!("not a role plan: {other:?}"))),
        }
    }

    /// Sets the role's attributes, encrypted password and expiry from `options`.
    fn set_options(&self, role: &mut RoleDef, options: &RoleOptions) -> Result<()> {
        options.apply_flags(role);
        if let Some(given) = &options.password {
            role.password = match given.as_deref() {
                None | Some("") => None,
                Some(clear) => Some(password::encrypt(&role.name, clear, self.password_encryption()?)),
            };
        }
        if let Some(text) = &options.valid_until {
            let micros = quiverdb_catalog::pgvalue::parse_timestamptz(text, &self.settings.format, now_micros()).map_err(value_error)?;
            role.valid_until = Some(micros);
        }
        Ok(())
    }

    /// How new passwords are encrypted (`password_encryption`).
    fn password_encryption(&self) -> Result<Encryption> {
        Ok(if self.settings.get("password_encryption")? == "md5" { Encryption::Md5 } else { Encryption::ScramSha256 })
    }
}

fn existing(catalog: &CatalogSnapshot, name: &str) -> Result<Arc<RoleDef>> {
    catalog.role_by_name(name).cloned().ok_or_else(|| undefined(name))
}

fn undefined(name: &str) -> Error {
    Error::new(ErrorCode::UndefinedObject, format!("role \"{name}\" does not exist"))
}

fn denied(what: &str) -> Error {
    Error::new(ErrorCode::InsufficientPrivilege, format!("permission denied to {what}"))
}

/// Role names starting with `pg_` are reserved (42939), as in PostgreSQL.
fn reserved(name: &str) -> Result<()> {
    if name.starts_with("pg_") {
        return Err(Error::new(ErrorCode::ReservedName, format!("role name \"{name}\" is reserved"))
            .with_detail("Role names starting with \"pg_\" are reserved."));
    }
    Ok(())
}
