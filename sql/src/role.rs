//! CREATE ROLE / USER, ALTER ROLE / USER and DROP ROLE / USER.
//!
//! sqlparser parses PostgreSQL's CREATE ROLE and ALTER ROLE; its CREATE USER and ALTER
//! USER are Snowflake's. [`rewrite_tokens`] therefore spells the USER forms as ROLE before
//! parsing (CREATE USER gets `LOGIN` unless LOGIN or NOLOGIN is written, which is the only
//! difference in PostgreSQL) and drops the noise word `ENCRYPTED` before `PASSWORD`.
//! The planner only turns syntax into [`RoleOptions`]; whether the role exists, who may
//! change it, and the password's encryption are decided when the statement runs.

use crate::normalize_ident;
use crate::parse::{next, word_at};
use crate::plan::Plan;
use datafusion::sql::sqlparser::ast::{
    AlterRoleOperation, CreateRole, Expr, Ident, ObjectName, ObjectNamePart, Password, RoleOption, UnaryOperator, Value,
};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Word};
use quiverdb_catalog::role::RoleOptions;
use quiverdb_catalog::{Error, ErrorCode, Result};

/// Rewrites the role statement starting at token `start` (CREATE / ALTER) in place.
pub fn rewrite_tokens(tokens: &mut Vec<TokenWithSpan>, start: usize) {
    let verb = word_at(tokens, start);
    let user_at = next(tokens, start);
    let object = word_at(tokens, user_at);
    if !matches!(verb.as_deref(), Some("create" | "alter")) || !matches!(object.as_deref(), Some("user" | "role")) {
        return;
    }
    let end = (start..tokens.len()).find(|&j| tokens[j].token == Token::SemiColon).unwrap_or(tokens.len());
    // `CONNECTION LIMIT -2` as one number, so the planner can report the bad limit.
    let mut end = crate::parse::merge_negative_numbers(tokens, user_at, end);
    // `ENCRYPTED PASSWORD` means `PASSWORD` (passwords are always stored encrypted).
    let mut j = user_at;
    while j < end {
        if word_at(tokens, j).as_deref() == Some("encrypted") && word_at(tokens, next(tokens, j)).as_deref() == Some("password") {
            let n = next(tokens, j) - j;
            tokens.drain(j..j + n);
            end -= n;
        }
        j += 1;
    }
    if object.as_deref() != Some("user") {
        return;
    }
    tokens[user_at].token = Token::Word(Word { value: "ROLE".into(), quote_style: None, keyword: Keyword::ROLE });
    if verb.as_deref() != Some("create") {
        return;
    }
    let says_login = (user_at..end).any(|j| matches!(word_at(tokens, j).as_deref(), Some("login" | "nologin")));
    let name_at = next(tokens, user_at);
    if says_login || name_at >= end {
        return;
    }
    // After the name, or after the optional WITH that follows it.
    let after = next(tokens, name_at);
    let name_at = if word_at(tokens, after).as_deref() == Some("with") { after } else { name_at };
    let span = tokens[name_at].span;
    let login = [
        Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space),
        Token::Word(Word { value: "LOGIN".into(), quote_style: None, keyword: Keyword::LOGIN }),
    ]
    .map(|token| TokenWithSpan { token, span });
    tokens.splice(name_at + 1..name_at + 1, login);
}

/// Plans CREATE ROLE (and CREATE USER, rewritten to it).
pub fn plan_create_role(cr: CreateRole) -> Result<Plan> {
    if cr.if_not_exists {
        return Err(Error::syntax("syntax error at or near \"IF\""));
    }
    if !cr.in_role.is_empty() || !cr.in_group.is_empty() || !cr.role.is_empty() || !cr.user.is_empty() || !cr.admin.is_empty() {
        return Err(Error::unsupported("role membership (IN ROLE, ROLE, ADMIN, USER) is not supported"));
    }
    let [name] = cr.names.as_slice() else {
        return Err(Error::syntax("CREATE ROLE takes one role name"));
    };
    let options = RoleOptions {
        superuser: cr.superuser,
        inherit: cr.inherit,
        create_role: cr.create_role,
        create_db: cr.create_db,
        login: cr.login,
        replication: cr.replication,
        bypass_rls: cr.bypassrls,
        connection_limit: cr.connection_limit.as_ref().map(connection_limit).transpose()?,
        password: cr.password.as_ref().map(password).transpose()?,
        valid_until: cr.valid_until.as_ref().map(valid_until).transpose()?,
    };
    Ok(Plan::CreateRole { name: role_name(name)?, options })
}

/// Plans ALTER ROLE name \[WITH\] options / RENAME TO.
pub fn plan_alter_role(name: Ident, operation: AlterRoleOperation) -> Result<Plan> {
    let name = normalize_ident(&name);
    match operation {
        AlterRoleOperation::RenameRole { role_name } => Ok(Plan::RenameRole { name, new_name: normalize_ident(&role_name) }),
        AlterRoleOperation::WithOptions { options } => {
            let mut out = RoleOptions::default();
            for option in &options {
                apply_option(&mut out, option)?;
            }
            Ok(Plan::AlterRole { name, options: out })
        }
        AlterRoleOperation::Set { .. } | AlterRoleOperation::Reset { .. } => {
            Err(Error::unsupported("ALTER ROLE ... SET/RESET (per-role settings) is not supported"))
        }
        other => Err(Error::unsupported(format!("ALTER ROLE {other} is not supported"))),
    }
}

/// Plans DROP ROLE / DROP USER.
pub fn plan_drop_roles(names: &[ObjectName], if_exists: bool) -> Result<Plan> {
    Ok(Plan::DropRoles { names: names.iter().map(role_name).collect::<Result<_>>()?, if_exists })
}

/// One ALTER ROLE option into `out`; a repeated option is PostgreSQL's 42601.
fn apply_option(out: &mut RoleOptions, option: &RoleOption) -> Result<()> {
    fn once<T>(slot: &mut Option<T>, value: T) -> Result<()> {
        if slot.is_some() {
            return Err(Error::syntax("conflicting or redundant options"));
        }
        *slot = Some(value);
        Ok(())
    }
    match option {
        RoleOption::SuperUser(v) => once(&mut out.superuser, *v),
        RoleOption::Inherit(v) => once(&mut out.inherit, *v),
        RoleOption::CreateRole(v) => once(&mut out.create_role, *v),
        RoleOption::CreateDB(v) => once(&mut out.create_db, *v),
        RoleOption::Login(v) => once(&mut out.login, *v),
        RoleOption::Replication(v) => once(&mut out.replication, *v),
        RoleOption::BypassRLS(v) => once(&mut out.bypass_rls, *v),
        RoleOption::ConnectionLimit(e) => once(&mut out.connection_limit, connection_limit(e)?),
        RoleOption::Password(p) => once(&mut out.password, password(p)?),
        RoleOption::ValidUntil(e) => once(&mut out.valid_until, valid_until(e)?),
    }
}

/// A role's name (one identifier).
fn role_name(name: &ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => Ok(normalize_ident(i)),
        _ => Err(Error::syntax(format!("syntax error at or near \"{name}\""))),
    }
}

/// CONNECTION LIMIT n (n ≥ -1).
fn connection_limit(e: &Expr) -> Result<i32> {
    let n = match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse::<i64>().ok(),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => n.parse::<i64>().ok().map(|n| -n),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    match n {
        Some(n) if (-1..=i32::MAX as i64).contains(&n) => Ok(n as i32),
        Some(n) => Err(Error::new(ErrorCode::InvalidParameterValue, format!("invalid connection limit: {n}"))),
        None => Err(Error::syntax(format!("syntax error at or near \"{e}\""))),
    }
}

/// PASSWORD 'text' or PASSWORD NULL (`None`).
fn password(p: &Password) -> Result<Option<String>> {
    match p {
        Password::NullPassword => Ok(None),
        Password::Password(e) => string(e).map(Some),
    }
}

/// VALID UNTIL 'timestamp'.
fn valid_until(e: &Expr) -> Result<String> {
    string(e)
}

/// A string literal's text.
fn string(e: &Expr) -> Result<String> {
    if let Expr::Value(v) = e {
        match &v.value {
            Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => return Ok(s.clone()),
            Value::DollarQuotedString(d) => return Ok(d.value.clone()),
            _ => {}
        }
    }
    Err(Error::syntax(format!("syntax error at or near \"{e}\"")))
}

#[cfg(test)]
mod tests {
    use crate::parse::parse;
    use datafusion::sql::sqlparser::ast::Statement;

    #[test]
    fn create_user_is_a_login_role_and_encrypted_is_noise() {
        let s = parse("CREATE USER alice WITH ENCRYPTED PASSWORD 'pw'").unwrap();
        let Statement::CreateRole(cr) = &s[0] else { panic!("{s:?}") };
        assert_eq!(cr.login, Some(true));
        assert!(cr.password.is_some());
        let s = parse("create user bob nologin").unwrap();
        let Statement::CreateRole(cr) = &s[0] else { panic!("{s:?}") };
        assert_eq!(cr.login, Some(false));
        let s = parse("CREATE ROLE carol").unwrap();
        let Statement::CreateRole(cr) = &s[0] else { panic!("{s:?}") };
        assert_eq!(cr.login, None);
        assert!(matches!(parse("ALTER USER alice WITH PASSWORD 'x'").unwrap()[0], Statement::AlterRole { .. }));
    }
}
