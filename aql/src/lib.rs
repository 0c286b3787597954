//! QuiverDB's AQL frontend: ArangoDB's query language lowered to the same DataFusion
//! `LogicalPlan` SQL uses (no second executor).
//!
//! * [`parser`] (with [`lexer`]) turns text into the [`ast`]; syntax errors carry the
//!   `line:column` of the offending token ([`error`]).
//! * [`lower`] turns the tree into a plan over the catalog's tables, calling the `aql_*`
//!   scalar functions the server registers for AQL's value semantics.
//! * [`bind`] holds `@param` / `@@collection` values.
//!
//! The crate does no I/O and knows nothing of the wire protocol; the session calls
//! [`plan`] for `aql(...)` table-function calls and AQL statements.

pub mod ast;
pub mod bind;
pub mod error;
pub mod lexer;
pub mod lower;
pub mod parser;

use datafusion::execution::SessionState;
use datafusion::logical_expr::LogicalPlan;
use quiverdb_catalog::{CatalogView, Error, ErrorCode};

pub use error::{ParseError, Position};
pub use lower::VALUE_COLUMN;

/// Plans the AQL query `text` with the bind parameters `bind_vars` (a JSON object's text)
/// against `catalog`. The plan has one `jsonb` column, `value`, one row per value the
/// query returns. Errors: 42601 syntax (with `line:column`), 42P01 unknown collection,
/// 42703 unknown variable, 42P02 missing or unused bind parameter, 42883 unknown
/// function, 0A000 for parts of AQL not built yet.
///
/// With `typed_columns` (AQL session mode), a query whose RETURN value is an object
/// literal with fixed keys (`RETURN {name: u.name, age: u.age}`) gives one column per key
/// instead: a table column keeps its SQL type, a comparison is `boolean`, anything else
/// `jsonb`.
pub fn plan(
    text: &str,
    bind_vars: Option<&str>,
    catalog: &dyn CatalogView,
    state: &SessionState,
    typed_columns: bool,
) -> Result<LogicalPlan, Error> {
    let query = parser::parse(text).map_err(|e| Error::new(ErrorCode::SyntaxError, e.to_string()))?;
    let bind = bind::BindVars::parse(bind_vars)?;
    let mut lowerer = lower::Lowerer::new(catalog, state, text, &bind);
    lowerer.typed_columns = typed_columns;
    let plan = lowerer.plan_query(&query)?;
    bind.check_all_used()?;
    Ok(plan)
}

/// The highest `n` among bind parameters named by a number (`@1`, `@2`, ...) in `text`:
/// over the extended protocol, statement parameter `$n` binds `@n`. 0 when there are
/// none or the text does not lex (the planner reports that error).
pub fn positional_parameters(text: &str) -> usize {
    let (tokens, _) = lexer::tokenize_partial(text);
    tokens
        .iter()
        .filter_map(|t| match &t.kind {
            lexer::TokenKind::Bind(name) => name.parse::<usize>().ok(),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Keywords that start an AQL query and never a SQL statement.
const AQL_ONLY: [&str; 5] = ["FOR", "LET", "RETURN", "UPSERT", "REMOVE"];

/// Whether `text` starts (after whitespace and comments) with a keyword only AQL has, so
/// a SQL session routes it to AQL.
pub fn starts_with_aql_keyword(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//").or_else(|| rest.strip_prefix("--")) {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let next = rest[word.len()..].chars().next();
    AQL_ONLY.iter().any(|k| k.eq_ignore_ascii_case(&word)) && next.is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

#[cfg(test)]
mod tests {
    use super::starts_with_aql_keyword as aql;

    #[test]
    fn positional_parameters_are_counted() {
        assert_eq!(super::positional_parameters("FOR u IN t FILTER u.a > @2 AND u.b == @1 RETURN u"), 2);
        assert_eq!(super::positional_parameters("RETURN @x"), 0);
        assert_eq!(super::positional_parameters("RETURN '@3'"), 0);
    }

    #[test]
    fn routing_keywords() {
        assert!(aql("FOR u IN users RETURN u"));
        assert!(aql("  -- c\n /* x */ let x = 1 RETURN x"));
        assert!(aql("RETURN 1"));
        assert!(aql("return(1)"));
        assert!(!aql("SELECT 1"));
        assert!(!aql("FORMAT"));
        assert!(!aql("INSERT INTO t VALUES (1)"));
        assert!(!aql("returning"));
        assert!(!aql(""));
    }
}
