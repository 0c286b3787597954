//! Session and transaction commands: SET/SHOW/RESET, `SELECT set_config(...)`,
//! BEGIN/COMMIT/ROLLBACK, savepoints, PREPARE/EXECUTE/DEALLOCATE, DISCARD — and a clear
//! error for everything else.

use crate::context::QuiverContext;
use crate::plan::*;
use crate::split_name;
use crate::types::sql_type;
use datafusion::sql::sqlparser::ast::{
    self, ContextModifier, Reset, Set, Statement, TransactionAccessMode, TransactionIsolationLevel, TransactionMode, UnaryOperator, Value,
};
use quiverdb_catalog::{Error, ErrorCode, Result};

/// Plans statements that are not queries, DML or DDL.
pub fn plan_other(_ctx: &QuiverContext, stmt: Statement) -> Result<Plan> {
    match stmt {
        Statement::Set(set) => plan_set(set),
        Statement::ShowVariable { variable } => {
            let name = variable.iter().map(|i| i.value.to_lowercase()).collect::<Vec<_>>().join(" ");
            let name = match name.as_str() {
                "time zone" => "timezone".to_string(),
                "session authorization" => "session_authorization".to_string(),
                _ => name,
            };
            Ok(Plan::Show(name))
        }
        Statement::Reset(r) => Ok(Plan::Reset(match r.reset {
            Reset::ALL => "all".into(),
            Reset::ConfigurationParameter(n) => n.to_string().to_lowercase(),
        })),
        Statement::StartTransaction { modes, .. } => Ok(Plan::Begin(txn_modes(&modes)?)),
        Statement::Commit { chain, .. } | Statement::Rollback { chain, savepoint: None } if chain => {
            Err(Error::unsupported("AND CHAIN is not supported"))
        }
        Statement::Commit { .. } => Ok(Plan::Commit),
        Statement::Rollback { savepoint: None, .. } => Ok(Plan::Rollback),
        Statement::Rollback { savepoint: Some(name), .. } => Ok(Plan::RollbackTo(crate::normalize_ident(&name))),
        Statement::Savepoint { name } => Ok(Plan::Savepoint(crate::normalize_ident(&name))),
        Statement::ReleaseSavepoint { name } => Ok(Plan::ReleaseSavepoint(crate::normalize_ident(&name))),
        Statement::Prepare { name, data_types, statement } => {
            let param_types = data_types.iter().map(sql_type).collect::<Result<Vec<_>>>()?;
            Ok(Plan::Prepare { name: crate::normalize_ident(&name), statement, param_types })
        }
        Statement::Execute { name: Some(name), parameters, immediate: false, .. } => {
            let (_, n) = split_name(&name)?;
            Ok(Plan::Execute { name: n, params: parameters })
        }
        Statement::Deallocate { name, .. } => {
            let n = crate::normalize_ident(&name);
            Ok(Plan::Deallocate(if n == "all" && name.quote_style.is_none() { None } else { Some(n) }))
        }
        Statement::Discard { .. } => Ok(Plan::Discard),
        Statement::CreateIndex(_) => Err(Error::unsupported("CREATE INDEX is not supported yet")),
        Statement::Copy { .. } => Err(Error::unsupported("COPY is not supported yet")),
        Statement::Declare { .. } | Statement::Fetch { .. } | Statement::Close { .. } => {
            Err(Error::unsupported("cursors are not supported yet"))
        }
        Statement::Grant(_) | Statement::Revoke(_) => Err(Error::unsupported("GRANT and REVOKE (privileges) are not supported yet")),
        other => {
            let text = other.to_string();
            let verb: String = text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            Err(Error::unsupported(format!("{verb} is not supported")))
        }
    }
}

fn plan_set(set: Set) -> Result<Plan> {
    match set {
        Set::SingleAssignment { scope, variable, values, .. } => {
            let name = variable.to_string().to_lowercase();
            let local = matches!(scope, Some(ContextModifier::Local));
            let is_default = matches!(values.as_slice(), [ast::Expr::Identifier(i)] if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"));
            if (name == "transaction_isolation" || name == "default_transaction_isolation") && !is_default {
                let v = values.first().map(value_text).transpose()?.unwrap_or_default();
                return Ok(Plan::Set { name, value: SetValue::Values(vec![v.to_lowercase()]), local });
            }
            let value =
                if is_default { SetValue::Default } else { SetValue::Values(values.iter().map(value_text).collect::<Result<_>>()?) };
            Ok(Plan::Set { name, value, local })
        }
        Set::SetTimeZone { local, value } => {
            let value = match &value {
                ast::Expr::Identifier(i)
                    if i.quote_style.is_none() && (i.value.eq_ignore_ascii_case("local") || i.value.eq_ignore_ascii_case("default")) =>
                {
                    SetValue::Default
                }
                other => SetValue::Values(vec![value_text(other)?]),
            };
            Ok(Plan::Set { name: "timezone".into(), value, local })
        }
        Set::SetNames { charset_name, .. } => {
            Ok(Plan::Set { name: "client_encoding".into(), value: SetValue::Values(vec![charset_name.value]), local: false })
        }
        Set::SetTransaction { modes, session, .. } => Ok(Plan::SetTransaction { modes: txn_modes(&modes)?, session }),
        Set::SetRole { .. } | Set::SetSessionAuthorization(_) => Err(Error::unsupported("SET ROLE is not supported yet")),
        other => Err(Error::unsupported(format!("{other} is not supported"))),
    }
}

/// The text of a SET value: strings unquoted, identifiers case-folded, numbers as written.
fn value_text(e: &ast::Expr) -> Result<String> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) | Value::EscapedStringLiteral(s) => Ok(s.clone()),
            Value::Number(n, _) => Ok(n.to_string()),
            Value::Boolean(b) => Ok(if *b { "on".into() } else { "off".into() }),
            Value::Null => Err(Error::syntax("syntax error at or near \"NULL\"")),
            other => Ok(other.to_string()),
        },
        ast::Expr::Identifier(i) => Ok(crate::normalize_ident(i)),
        ast::Expr::CompoundIdentifier(parts) => Ok(parts.iter().map(crate::normalize_ident).collect::<Vec<_>>().join(".")),
        ast::Expr::UnaryOp { op: UnaryOperator::Minus, expr } => Ok(format!("-{}", value_text(expr)?)),
        ast::Expr::UnaryOp { op: UnaryOperator::Plus, expr } => value_text(expr),
        ast::Expr::Interval(i) => value_text(&i.value),
        other => Err(Error::new(ErrorCode::InvalidParameterValue, format!("invalid value for a setting: {other}"))),
    }
}

fn txn_modes(modes: &[TransactionMode]) -> Result<TxnModes> {
    let mut out = TxnModes::default();
    for m in modes {
        match m {
            TransactionMode::AccessMode(TransactionAccessMode::ReadOnly) => out.read_only = Some(true),
            TransactionMode::AccessMode(TransactionAccessMode::ReadWrite) => out.read_only = Some(false),
            TransactionMode::IsolationLevel(l) => {
                out.isolation = Some(match l {
                    TransactionIsolationLevel::ReadUncommitted => IsolationLevel::ReadUncommitted,
                    TransactionIsolationLevel::ReadCommitted => IsolationLevel::ReadCommitted,
                    TransactionIsolationLevel::RepeatableRead => IsolationLevel::RepeatableRead,
                    TransactionIsolationLevel::Serializable => IsolationLevel::Serializable,
                    TransactionIsolationLevel::Snapshot => IsolationLevel::RepeatableRead,
                })
            }
        }
    }
    Ok(out)
}

/// `SELECT [pg_catalog.]set_config('name', 'value' | NULL, is_local) [AS alias]` — how
/// pg_dump, pgAdmin and drivers change a setting from a query — as a SET that returns the
/// new value. Other shapes (non-constant arguments, more columns, a FROM clause) are not
/// recognised and plan as ordinary queries.
pub fn set_config_call(stmt: &Statement) -> Option<Plan> {
    let Statement::Query(q) = stmt else { return None };
    let ast::SetExpr::Select(select) = q.body.as_ref() else { return None };
    if !select.from.is_empty() || select.selection.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
        return None;
    }
    let [item] = select.projection.as_slice() else { return None };
    let (expr, column) = match item {
        ast::SelectItem::UnnamedExpr(e) => (e, "set_config".to_string()),
        ast::SelectItem::ExprWithAlias { expr, alias } => (expr, crate::normalize_ident(alias)),
        _ => return None,
    };
    let ast::Expr::Function(f) = expr else { return None };
    let name = f.name.0.last()?.as_ident()?;
    let schema_ok = match f.name.0.as_slice() {
        [_] => true,
        [schema, _] => schema.as_ident().is_some_and(|s| s.value.eq_ignore_ascii_case("pg_catalog")),
        _ => false,
    };
    if !schema_ok || !name.value.eq_ignore_ascii_case("set_config") {
        return None;
    }
    let ast::FunctionArguments::List(list) = &f.args else { return None };
    let args: Vec<&ast::Expr> = list
        .args
        .iter()
        .map(|a| match a {
            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let [name, value, local] = args.as_slice() else { return None };
    let literal = |e: &ast::Expr| match e {
        ast::Expr::Value(v) => Some(v.value.clone()),
        _ => None,
    };
    let name = match literal(name)? {
        Value::SingleQuotedString(s) => s,
        _ => return None,
    };
    let value = match literal(value)? {
        Value::SingleQuotedString(s) => Some(s),
        Value::Null => None,
        _ => return None,
    };
    let local = match literal(local)? {
        Value::Boolean(b) => b,
        _ => return None,
    };
    Some(Plan::SetConfig { name: name.to_lowercase(), value, local, column })
}
