//! CREATE SEQUENCE and ALTER SEQUENCE; serial columns.
//!
//! PostgreSQL accepts sequence options in any order and has ALTER SEQUENCE; sqlparser
//! takes CREATE SEQUENCE's options in one fixed order and has no ALTER SEQUENCE. So both
//! statements are read here: at the token level [`rewrite_tokens`] checks the statement's
//! syntax (reporting errors at their position in the whole text) and replaces it with a
//! marker `SET` carrying the statement's text, which [`marked`] recognizes when the
//! statement is planned and [`plan`] reads again into a [`Plan`].
//!
//! A `serial` column is an `integer` column (`smallserial`: `smallint`, `bigserial`:
//! `bigint`) that is NOT NULL, owns a new sequence named `table_column_seq` of its type,
//! and defaults to `nextval('schema.table_column_seq'::regclass)`; the sequence goes when
//! the column or the table goes.

use crate::context::QuiverContext;
use crate::plan::Plan;
use datafusion::sql::sqlparser::ast::{Expr, Ident, Set, Statement, Value};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace, Word};
use quiverdb_catalog::sequence::{SequenceDef, SequenceOptions};
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType};

/// Quote character of the marker variable's name: the PostgreSQL dialect's tokenizer
/// never quotes a word with it, so no client can write the marker.
const MARKER_QUOTE: char = '`';
/// Name of the marker variable.
const MARKER: &str = "quiver_sequence_statement";

/// A CREATE or ALTER SEQUENCE as written.
#[derive(Debug, Clone, PartialEq)]
struct SequenceStatement {
    create: bool,
    /// CREATE: IF NOT EXISTS; ALTER: IF EXISTS.
    if_exists: bool,
    name: Vec<String>,
    options: SequenceOptions,
    /// `OWNED BY t.c` (`Some(names)`) or `OWNED BY NONE` (`Some(empty)`).
    owned_by: Option<Vec<String>>,
    rename: Option<String>,
}

/// Replaces the CREATE/ALTER SEQUENCE statement starting at token `start` (if it is
/// one) with the marker statement; a syntax error is reported at its place in `sql`.
pub fn rewrite_tokens(sql: &str, tokens: &mut Vec<TokenWithSpan>, start: usize) -> Result<bool> {
    let words: Vec<usize> = (start..tokens.len()).filter(|&j| !matches!(tokens[j].token, Token::Whitespace(_))).take(3).collect();
    let word = |k: usize| words.get(k).and_then(|&j| crate::parse::word_at(tokens, j));
    let is_sequence = match (word(0).as_deref(), word(1).as_deref()) {
        (Some("create"), Some("sequence")) | (Some("alter"), Some("sequence")) => true,
        (Some("create"), Some("temp" | "temporary")) => word(2).as_deref() == Some("sequence"),
        _ => false,
    };
    if !is_sequence {
        return Ok(false);
    }
    let end = (start..tokens.len()).find(|&j| tokens[j].token == Token::SemiColon).unwrap_or(tokens.len());
    let last = (start..end).rev().find(|&j| !matches!(tokens[j].token, Token::Whitespace(_))).unwrap_or(start);
    let (from, to) = (char_offset(sql, tokens[start].span.start), char_offset(sql, tokens[last].span.end));
    let text: String = sql.chars().skip(from).take(to.saturating_sub(from)).collect();
    read(&text).map_err(|e| match e.position {
        Some(p) => Error { position: Some(p + from as u32), ..e },
        None => e,
    })?;
    let span = tokens[start].span;
    let token = |token| TokenWithSpan { token, span };
    let marker = [
        token(Token::Word(Word { value: "SET".into(), quote_style: None, keyword: Keyword::SET })),
        token(Token::Whitespace(Whitespace::Space)),
        token(Token::Word(Word { value: MARKER.into(), quote_style: Some(MARKER_QUOTE), keyword: Keyword::NoKeyword })),
        token(Token::Eq),
        token(Token::SingleQuotedString(text)),
    ];
    tokens.splice(start..end, marker);
    Ok(true)
}

/// 0-based character offset of `loc` (1-based line and column) in `sql`.
fn char_offset(sql: &str, loc: Location) -> usize {
    let mut offset = 0;
    for (i, line) in sql.split('\n').enumerate() {
        if i as u64 + 1 == loc.line {
            return offset + (loc.column as usize).saturating_sub(1);
        }
        offset += line.chars().count() + 1;
    }
    offset
}

/// The text of a sequence statement `stmt` stands for, if it is the marker.
pub fn marked(stmt: &Statement) -> Option<&str> {
    let Statement::Set(Set::SingleAssignment { variable, values, .. }) = stmt else { return None };
    let [part] = variable.0.as_slice() else { return None };
    let ident = part.as_ident()?;
    if ident.quote_style != Some(MARKER_QUOTE) || ident.value != MARKER {
        return None;
    }
    match values.as_slice() {
        [Expr::Value(v)] => match &v.value {
            Value::SingleQuotedString(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Plans the sequence statement `text` (from [`marked`]).
pub fn plan(ctx: &QuiverContext, text: &str) -> Result<Plan> {
    let stmt = read(text)?;
    let (schema, name) = match stmt.name.as_slice() {
        [n] => (None, n.clone()),
        [s, n] | [_, s, n] => (Some(s.clone()), n.clone()),
        _ => return Err(Error::syntax(format!("improper qualified name (too many dotted names): {}", stmt.name.join(".")))),
    };
    if stmt.create {
        return plan_create(ctx, stmt, schema, name);
    }
    let Some(seq) = ctx.catalog.resolve_relation(schema.as_deref(), &name) else {
        if stmt.if_exists {
            return Ok(Plan::NoOp { tag: "ALTER SEQUENCE".into(), notices: vec![format!("relation \"{name}\" does not exist, skipping")] });
        }
        return Err(Error::new(ErrorCode::UndefinedTable, format!("relation \"{name}\" does not exist")));
    };
    let Some(current) = &seq.sequence else {
        return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{}\" is not a sequence", seq.name)));
    };
    if let Some(new_name) = stmt.rename {
        if ctx.catalog.snapshot().relation_by_name(seq.schema, &new_name).is_some() {
            return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{new_name}\" already exists")));
        }
        return Ok(Plan::AlterSequence { sequence: seq.clone(), def: current.clone(), restart: None, rename: Some(new_name) });
    }
    let mut def = current.clone();
    let restart = def.apply(&stmt.options, false)?;
    if let Some(owner) = &stmt.owned_by {
        def.owned_by = owner_of(ctx, owner, seq.schema)?;
    }
    Ok(Plan::AlterSequence { sequence: seq, def, restart, rename: None })
}

fn plan_create(ctx: &QuiverContext, stmt: SequenceStatement, schema: Option<String>, name: String) -> Result<Plan> {
    let schema = crate::ddl::creation_schema(ctx, schema.as_deref())?;
    if ctx.catalog.snapshot().relation_by_name(schema.oid, &name).is_some() {
        if stmt.if_exists {
            return Ok(Plan::NoOp {
                tag: "CREATE SEQUENCE".into(),
                notices: vec![format!("relation \"{name}\" already exists, skipping")],
            });
        }
        return Err(Error::new(ErrorCode::DuplicateTable, format!("relation \"{name}\" already exists")));
    }
    let mut def = SequenceDef::new();
    def.apply(&stmt.options, true)?;
    if let Some(owner) = &stmt.owned_by {
        def.owned_by = owner_of(ctx, owner, schema.oid)?;
    }
    Ok(Plan::CreateSequence { schema, name, def })
}

/// The (table, attnum) of `OWNED BY table.column` for a sequence in schema `schema`.
fn owner_of(ctx: &QuiverContext, owner: &[String], schema: quiverdb_catalog::Oid) -> Result<Option<(quiverdb_catalog::Oid, i16)>> {
    let (table_schema, table, column) = match owner {
        [] => return Ok(None),
        [t, c] => (None, t, c),
        [s, t, c] | [_, s, t, c] => (Some(s.as_str()), t, c),
        _ => return Err(Error::syntax("invalid OWNED BY option").with_hint("Specify OWNED BY table.column or OWNED BY NONE.")),
    };
    let rel = ctx
        .catalog
        .resolve_relation(table_schema, table)
        .ok_or_else(|| Error::new(ErrorCode::UndefinedTable, format!("relation \"{table}\" does not exist")))?;
    if !rel.is_table() {
        return Err(Error::new(ErrorCode::WrongObjectType, format!("sequence cannot be owned by relation \"{}\"", rel.name))
            .with_detail("This operation is not supported for this kind of relation."));
    }
    if rel.schema != schema {
        return Err(Error::new(ErrorCode::ObjectNotInPrerequisiteState, "sequence must be in same schema as table it is linked to"));
    }
    let col = rel
        .column(column)
        .ok_or_else(|| Error::new(ErrorCode::UndefinedColumn, format!("column \"{column}\" of relation \"{table}\" does not exist")))?;
    Ok(Some((rel.oid, col.attnum)))
}

/// The integer type and sequence of a serial type name (`serial`, `bigserial`, ...).
pub fn serial_type(name: &str) -> Option<SqlType> {
    match name {
        "smallserial" | "serial2" => Some(SqlType::Int2),
        "serial" | "serial4" => Some(SqlType::Int4),
        "bigserial" | "serial8" => Some(SqlType::Int8),
        _ => None,
    }
}

/// Reads a CREATE/ALTER SEQUENCE statement.
fn read(text: &str) -> Result<SequenceStatement> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| Error::syntax(format!("syntax error: {e}")))?;
    let tokens: Vec<(Token, usize)> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| {
            let at = char_offset(text, t.span.start);
            (t.token, at)
        })
        .collect();
    let mut r = Reader { tokens, at: 0, text_len: text.chars().count() };
    r.statement()
}

/// A cursor over a sequence statement's tokens.
struct Reader {
    tokens: Vec<(Token, usize)>,
    at: usize,
    text_len: usize,
}

impl Reader {
    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some((Token::Word(w), _)) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.peek_word().as_deref() == Some(word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The syntax error at the current token.
    fn error(&self) -> Error {
        match self.tokens.get(self.at) {
            Some((t, at)) => Error::syntax(format!("syntax error at or near \"{t}\"")).with_position(*at as u32 + 1),
            None => Error::syntax("syntax error at end of input").with_position(self.text_len as u32 + 1),
        }
    }

    fn expect(&mut self, word: &str) -> Result<()> {
        if self.eat(word) { Ok(()) } else { Err(self.error()) }
    }

    /// An identifier (folded to lower case unless quoted).
    fn ident(&mut self) -> Result<String> {
        match self.tokens.get(self.at) {
            Some((Token::Word(w), _)) => {
                self.at += 1;
                Ok(crate::normalize_ident(&Ident {
                    value: w.value.clone(),
                    quote_style: w.quote_style,
                    span: datafusion::sql::sqlparser::tokenizer::Span::empty(),
                }))
            }
            _ => Err(self.error()),
        }
    }

    /// A dotted name.
    fn name(&mut self) -> Result<Vec<String>> {
        let mut parts = vec![self.ident()?];
        while matches!(self.tokens.get(self.at), Some((Token::Period, _))) {
            self.at += 1;
            parts.push(self.ident()?);
        }
        Ok(parts)
    }

    /// A signed integer.
    fn integer(&mut self) -> Result<i64> {
        let negative = match self.tokens.get(self.at) {
            Some((Token::Minus, _)) => {
                self.at += 1;
                true
            }
            Some((Token::Plus, _)) => {
                self.at += 1;
                false
            }
            _ => false,
        };
        let Some((Token::Number(n, _), _)) = self.tokens.get(self.at) else { return Err(self.error()) };
        let text = if negative { format!("-{n}") } else { n.clone() };
        let value = text
            .parse::<i64>()
            .map_err(|_| Error::new(ErrorCode::NumericValueOutOfRange, format!("value \"{text}\" is out of range for type bigint")))?;
        self.at += 1;
        Ok(value)
    }

    fn statement(&mut self) -> Result<SequenceStatement> {
        let create = self.eat("create");
        if !create {
            self.expect("alter")?;
        }
        if create && (self.eat("temp") || self.eat("temporary")) {
            return Err(Error::unsupported("temporary sequences are not supported yet"));
        }
        self.expect("sequence")?;
        let if_exists = if create {
            self.eat("if") && {
                self.expect("not")?;
                self.expect("exists")?;
                true
            }
        } else {
            self.eat("if") && {
                self.expect("exists")?;
                true
            }
        };
        let name = self.name()?;
        let mut stmt = SequenceStatement { create, if_exists, name, options: SequenceOptions::default(), owned_by: None, rename: None };
        if !create && self.eat("rename") {
            self.expect("to")?;
            stmt.rename = Some(self.ident()?);
            return self.finish(stmt);
        }
        if !create && self.peek_word().as_deref() == Some("owner") {
            return Err(Error::unsupported("ALTER SEQUENCE ... OWNER TO is not supported: object ownership is not modelled yet"));
        }
        if !create && self.peek_word().as_deref() == Some("set") {
            return Err(Error::unsupported("ALTER SEQUENCE ... SET is not supported yet"));
        }
        while self.at < self.tokens.len() {
            self.option(&mut stmt)?;
        }
        Ok(stmt)
    }

    fn finish(&self, stmt: SequenceStatement) -> Result<SequenceStatement> {
        if self.at < self.tokens.len() { Err(self.error()) } else { Ok(stmt) }
    }

    /// One option; a repeated option is 42601 "conflicting or redundant options".
    fn option(&mut self, stmt: &mut SequenceStatement) -> Result<()> {
        let start = self.at;
        let at = self.tokens.get(start).map(|(_, p)| *p as u32 + 1);
        let redundant = || {
            let e = Error::syntax("conflicting or redundant options");
            match at {
                Some(p) => e.with_position(p),
                None => e,
            }
        };
        let o = &mut stmt.options;
        fn once<T>(slot: &mut Option<T>, value: T, redundant: impl Fn() -> Error) -> Result<()> {
            if slot.is_some() {
                return Err(redundant());
            }
            *slot = Some(value);
            Ok(())
        }
        let word = self.peek_word().ok_or_else(|| self.error())?;
        self.at += 1;
        match word.as_str() {
            "as" => {
                let ty = self.type_name()?;
                once(&mut o.ty, ty, redundant)
            }
            "increment" => {
                self.eat("by");
                let v = self.integer()?;
                once(&mut o.increment, v, redundant)
            }
            "minvalue" => {
                let v = self.integer()?;
                once(&mut o.min, Some(v), redundant)
            }
            "maxvalue" => {
                let v = self.integer()?;
                once(&mut o.max, Some(v), redundant)
            }
            "no" => {
                if self.eat("minvalue") {
                    once(&mut o.min, None, redundant)
                } else if self.eat("maxvalue") {
                    once(&mut o.max, None, redundant)
                } else if self.eat("cycle") {
                    once(&mut o.cycle, false, redundant)
                } else {
                    Err(self.error())
                }
            }
            "start" => {
                self.eat("with");
                let v = self.integer()?;
                once(&mut o.start, v, redundant)
            }
            "restart" if !stmt.create => {
                let with = self.eat("with");
                let v = if with || matches!(self.tokens.get(self.at), Some((Token::Number(..) | Token::Minus, _))) {
                    Some(self.integer()?)
                } else {
                    None
                };
                once(&mut o.restart, v, redundant)
            }
            "cache" => {
                let v = self.integer()?;
                once(&mut o.cache, v, redundant)
            }
            "cycle" => once(&mut o.cycle, true, redundant),
            "owned" => {
                self.expect("by")?;
                let owner = if self.eat("none") { vec![] } else { self.name()? };
                if owner.len() == 1 {
                    return Err(Error::syntax("invalid OWNED BY option").with_hint("Specify OWNED BY table.column or OWNED BY NONE."));
                }
                once(&mut stmt.owned_by, owner, redundant)
            }
            _ => {
                self.at = start;
                Err(self.error())
            }
        }
    }

    /// The type after AS, read by sqlparser and mapped like any column type (only the
    /// integer types are valid sequence types; the definition rejects the others).
    fn type_name(&mut self) -> Result<SqlType> {
        let rest: Vec<Token> = self.tokens[self.at..].iter().map(|(t, _)| t.clone()).collect();
        let mut parser = Parser::new(&PostgreSqlDialect {}).with_tokens(rest);
        let data_type = parser.parse_data_type().map_err(|_| self.error())?;
        self.at += parser.index();
        crate::types::sql_type(&data_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_in_any_order() {
        let s = read("CREATE SEQUENCE IF NOT EXISTS s.q START 10 INCREMENT BY -2 NO MAXVALUE CYCLE AS integer").unwrap();
        assert!(s.create && s.if_exists);
        assert_eq!(s.name, vec!["s", "q"]);
        assert_eq!(s.options.start, Some(10));
        assert_eq!(s.options.increment, Some(-2));
        assert_eq!(s.options.max, Some(None));
        assert_eq!(s.options.cycle, Some(true));
        assert_eq!(s.options.ty, Some(SqlType::Int4));
        let a = read("alter sequence \"Q\" restart with 5 no cycle owned by none").unwrap();
        assert_eq!(a.name, vec!["Q"]);
        assert_eq!(a.options.restart, Some(Some(5)));
        assert_eq!(a.options.cycle, Some(false));
        assert_eq!(a.owned_by, Some(vec![]));
        assert_eq!(read("ALTER SEQUENCE q RESTART").unwrap().options.restart, Some(None));
    }

    #[test]
    fn errors_name_the_token() {
        let e = read("CREATE SEQUENCE s INCREMENT 1 INCREMENT 2").unwrap_err();
        assert_eq!((e.message.as_str(), e.position), ("conflicting or redundant options", Some(31)));
        let e = read("CREATE SEQUENCE s FOO").unwrap_err();
        assert_eq!((e.message.as_str(), e.position), ("syntax error at or near \"FOO\"", Some(19)));
        let e = read("CREATE SEQUENCE s START").unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");
        assert!(read("CREATE SEQUENCE s RESTART 1").is_err());
    }

    #[test]
    fn the_marker_carries_the_statement() {
        let stmts = crate::parse("select 1; create sequence s start 3; alter sequence s restart").unwrap();
        assert_eq!(stmts.len(), 3);
        assert_eq!(marked(&stmts[1]), Some("create sequence s start 3"));
        assert_eq!(marked(&stmts[2]), Some("alter sequence s restart"));
        let e = crate::parse("select 1;\ncreate sequence s start x").unwrap_err();
        assert_eq!(e.position, Some(35));
    }
}
