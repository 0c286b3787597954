//! SQL cursors: `DECLARE name [BINARY] [NO SCROLL | SCROLL] CURSOR [WITH HOLD] FOR query`,
//! `FETCH` / `MOVE [direction] [FROM | IN] name`, `CLOSE name | ALL`.
//!
//! The planner only plans the query and normalizes the direction into the four moves
//! PostgreSQL's executor knows ([`FetchDirection`]); the session keeps the open cursors.
//! sqlparser requires `FROM`/`IN` and has no MOVE: [`crate::parse()`] inserts the `FROM`
//! and turns `MOVE` into a FETCH whose INTO target is [`MOVE_MARKER`] (PostgreSQL's
//! FETCH has no INTO, so the marker cannot clash with a real statement).

use crate::context::QuiverContext;
use crate::{Plan, normalize_ident, query};
use datafusion::sql::sqlparser::ast::{CloseCursor, DeclareType, FetchDirection as AstDirection, Statement, Value, ValueWithSpan};
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType};

/// The INTO name that marks a FETCH parsed from `MOVE`.
pub const MOVE_MARKER: &str = "__quiver_move";

/// How far a FETCH or MOVE goes (`None` counts mean ALL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchDirection {
    /// The next `n` rows (FORWARD 0 re-reads the current row).
    Forward(Option<u64>),
    /// The previous `n` rows, in reverse order.
    Backward(Option<u64>),
    /// Row `n` (negative: from the end; 0: before the first row).
    Absolute(i64),
    /// The row `n` away from the current one.
    Relative(i64),
}

fn count(v: &ValueWithSpan) -> Result<i64> {
    match &v.value {
        Value::Number(n, _) => n.parse::<i64>().map_err(|_| Error::syntax(format!("syntax error at or near \"{n}\""))),
        other => Err(Error::syntax(format!("syntax error at or near \"{other}\""))),
    }
}

/// A signed count as a direction: negative counts go backward.
fn signed(n: i64) -> FetchDirection {
    if n < 0 { FetchDirection::Backward(Some(n.unsigned_abs())) } else { FetchDirection::Forward(Some(n as u64)) }
}

fn direction(d: &AstDirection) -> Result<FetchDirection> {
    Ok(match d {
        AstDirection::Count { limit } => signed(count(limit)?),
        AstDirection::Next => FetchDirection::Forward(Some(1)),
        AstDirection::Prior => FetchDirection::Backward(Some(1)),
        AstDirection::First => FetchDirection::Absolute(1),
        AstDirection::Last => FetchDirection::Absolute(-1),
        AstDirection::Absolute { limit } => FetchDirection::Absolute(count(limit)?),
        AstDirection::Relative { limit } => FetchDirection::Relative(count(limit)?),
        AstDirection::All | AstDirection::ForwardAll => FetchDirection::Forward(None),
        AstDirection::Forward { limit: None } => FetchDirection::Forward(Some(1)),
        AstDirection::Forward { limit: Some(l) } => signed(count(l)?),
        AstDirection::Backward { limit: None } => FetchDirection::Backward(Some(1)),
        AstDirection::Backward { limit: Some(l) } => match signed(count(l)?) {
            FetchDirection::Forward(n) => FetchDirection::Backward(n),
            FetchDirection::Backward(n) => FetchDirection::Forward(n),
            other => other,
        },
        AstDirection::BackwardAll => FetchDirection::Backward(None),
    })
}

/// FETCH / MOVE / CLOSE, resolved without a catalog (the wire layer routes those naming a
/// protocol portal before planning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorCommand {
    /// FETCH (rows) or MOVE (`move_only`); the direction fails on a malformed count.
    Fetch { name: String, direction: Result<FetchDirection>, move_only: bool },
    /// CLOSE name, or CLOSE ALL (`None`).
    Close(Option<String>),
}

/// The cursor command of `stmt`; `None` for other statements and for FETCH ... INTO.
pub fn cursor_command(stmt: &Statement) -> Option<CursorCommand> {
    match stmt {
        Statement::Fetch { name, direction: d, into, .. } => {
            let move_only = match into {
                None => false,
                Some(n) if n.to_string() == MOVE_MARKER => true,
                Some(_) => return None,
            };
            Some(CursorCommand::Fetch { name: normalize_ident(name), direction: direction(d), move_only })
        }
        Statement::Close { cursor } => Some(CursorCommand::Close(match cursor {
            CloseCursor::All => None,
            CloseCursor::Specific { name } => Some(normalize_ident(name)),
        })),
        _ => None,
    }
}

/// Plans DECLARE, FETCH/MOVE and CLOSE.
pub fn plan_cursor(ctx: &QuiverContext, stmt: Statement, params: &[Option<SqlType>]) -> Result<Plan> {
    match stmt {
        Statement::Declare { mut stmts } => {
            if stmts.len() != 1 {
                return Err(Error::syntax("DECLARE takes one cursor"));
            }
            let d = stmts.remove(0);
            if !matches!(d.declare_type, Some(DeclareType::Cursor)) {
                return Err(Error::unsupported("only DECLARE ... CURSOR is supported outside PL/pgSQL"));
            }
            let [name] = d.names.as_slice() else {
                return Err(Error::syntax("DECLARE takes one cursor name"));
            };
            let Some(q) = d.for_query else {
                return Err(Error::syntax("DECLARE CURSOR needs FOR query"));
            };
            let query = query::plan_statement(ctx, Statement::Query(q), params)?;
            Ok(Plan::DeclareCursor {
                name: normalize_ident(name),
                query,
                scroll: d.scroll.unwrap_or(false),
                hold: d.hold.unwrap_or(false),
                binary: d.binary.unwrap_or(false),
            })
        }
        Statement::Fetch { .. } | Statement::Close { .. } => match cursor_command(&stmt) {
            Some(CursorCommand::Fetch { name, direction, move_only }) => Ok(Plan::Fetch { name, direction: direction?, move_only }),
            Some(CursorCommand::Close(name)) => Ok(Plan::CloseCursor(name)),
            None => Err(Error::syntax("syntax error at or near \"INTO\"")),
        },
        other => Err(Error::new(ErrorCode::Internal, format!("not a cursor statement: {other}"))),
    }
}
