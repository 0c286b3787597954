//! The AQL parser: query text to [`Query`], following ArangoDB 3.12's grammar.
//!
//! A recursive-descent parser over the tokens of [`crate::lexer`]; expressions use
//! precedence climbing with ArangoDB's operator precedence (lowest first):
//!
//! | level | operators                                   | associativity |
//! |-------|---------------------------------------------|---------------|
//! | 1     | `? :` (and `?:`)                            | right         |
//! | 2     | `\|\|`, `OR`                                 | left          |
//! | 3     | `&&`, `AND`                                 | left          |
//! | 4     | `ALL`/`ANY`/`NONE` + a comparison or `IN`   | left          |
//! | 5     | `==` `!=` `LIKE` `NOT LIKE` `=~` `!~`       | left          |
//! | 6     | `IN`, `NOT IN`                              | left          |
//! | 7     | `<` `<=` `>` `>=`                           | left          |
//! | 8     | `..`                                        | left          |
//! | 9     | `+` `-`                                     | left          |
//! | 10    | `*` `/` `%`                                 | left          |
//! | 11    | unary `!` `NOT` `+` `-`                     | right         |
//! | 12    | `.name`, `[index]`, `[*]`, calls            | left          |
//!
//! So `NOT a == b` is `(NOT a) == b`, `x IN y == true` is `(x IN y) == true`, and in
//! `a == b ALL IN c` the quantifier applies to `a == b`.
//!
//! Errors read like ArangoDB's: the message is `unexpected <token>, expecting <what>`
//! (`unexpected identifier 'x', expecting '='`), or `unexpected end of query` at the end
//! of the text; [`ParseError`]'s `Display` adds `syntax error, ` and the position.
//!
//! Nesting is limited ([`MAX_NESTING`], [`MAX_HEIGHT`]) so that neither the parser nor
//! code walking the tree recursively can overflow the stack; the parser never panics.

mod expr;
mod ops;
#[cfg(test)]
mod tests;

use crate::ast::{Expr, Op, Query, Span};
use crate::error::ParseError;
use crate::lexer::{Keyword, Sym, Token, TokenKind, describe, tokenize_partial};

/// How deeply expressions may nest: each parenthesised expression, array element, object
/// value, function argument, index, inline expansion operation, `? :` branch and
/// subquery (which counts twice: the query and its expressions) is a level. At this limit
/// the parser needs at most about 600 KB of stack in unoptimised builds (a few hundred
/// bytes per frame), so it is safe on 2 MB threads.
pub const MAX_NESTING: usize = 256;

/// The greatest height an expression tree may have (a chain `a + b + c ...`, `NOT NOT x`
/// or `a.b.c...` is as high as it is long), so that code walking the tree recursively,
/// including `Drop`, stays within small stacks too.
pub const MAX_HEIGHT: usize = 1000;

/// Parses a whole AQL query.
///
/// Shapes worth knowing (the AST has no dedicated node for these):
///
/// * `LET a = 1, b = 2` is two [`Op::Let`]s;
/// * `doc.@attr` is [`ExprKind::Index`](crate::ast::ExprKind::Index) with a
///   [`Bind`](crate::ast::ExprKind::Bind) index, and `{ @key: v }` a computed key;
/// * `a NOT =~ b` is `a !~ b` (and `a NOT !~ b` is `a =~ b`); `a ! LIKE b` is `NOT LIKE`;
/// * a bind parameter in `WITH` is kept as written in the [`Ident`](crate::ast::Ident)
///   (`WITH @@c` gives the name `@@c`);
/// * a parenthesised expression keeps its node, with the span widened to the parentheses;
/// * `KEEP`, `OPTIONS`, `PRUNE` and `SEARCH` are names outside their clauses (as in
///   ArangoDB), and keywords may be attribute names after `.` and as object keys.
///
/// Not supported (a syntax error that says so): graph traversals and shortest paths,
/// `SEARCH` on views, `UPSERT FILTER`, the `[? ...]` array filter, `AT LEAST`, quantifiers
/// in an expansion's inline `FILTER`, and a bind parameter as `SORT` direction.
pub fn parse(text: &str) -> Result<Query, ParseError> {
    let (tokens, lex_error) = tokenize_partial(text);
    let eof_at = tokens.last().map_or(text.len(), |t| t.span.start);
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        lex_error,
        depth: 0,
        prev_end: 0,
        eof: Token { kind: TokenKind::Eof, span: Span { start: eof_at, end: eof_at } },
    };
    let (query, _) = parser.query(true).map_err(|e| *e)?;
    if !matches!(parser.peek().kind, TokenKind::Eof) {
        return Err(*parser.unexpected("end of query"));
    }
    // The text after the last token did not lex.
    if let Some(e) = parser.lex_error.take() {
        return Err(e);
    }
    Ok(query)
}

/// Results inside the parser. Errors and nodes are boxed so that the frames of the
/// recursive functions stay small (in unoptimised builds every temporary gets its own
/// stack slot), which keeps deep nesting within small thread stacks.
pub(super) type PResult<T> = Result<T, Box<ParseError>>;

/// An expression and the height of its tree.
pub(super) struct Node {
    pub(super) expr: Box<Expr>,
    pub(super) height: usize,
}

pub(super) struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// The lexical error the tokens stop at, reported when the parser gets there.
    lex_error: Option<ParseError>,
    /// Current nesting (see [`MAX_NESTING`]).
    depth: usize,
    /// End of the last consumed token.
    prev_end: usize,
    /// Returned by `peek` past the end.
    eof: Token,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Token {
        self.tokens.get(self.pos + n).unwrap_or(&self.eof)
    }

    fn kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    fn span(&self) -> Span {
        self.peek().span
    }

    /// Consumes the current token (not past the end) and returns its span.
    fn bump(&mut self) -> Span {
        let span = self.span();
        if !matches!(self.kind(), TokenKind::Eof) {
            self.pos += 1;
            self.prev_end = span.end;
        }
        span
    }

    fn is_kw(&self, kw: Keyword) -> bool {
        matches!(self.kind(), TokenKind::Keyword(k) if *k == kw)
    }

    fn is_sym(&self, s: Sym) -> bool {
        self.is_sym_at(0, s)
    }

    fn is_sym_at(&self, n: usize, s: Sym) -> bool {
        matches!(&self.peek_at(n).kind, TokenKind::Sym(t) if *t == s)
    }

    fn eat_kw(&mut self, kw: Keyword) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.bump();
        }
        hit
    }

    fn eat_sym(&mut self, s: Sym) -> bool {
        let hit = self.is_sym(s);
        if hit {
            self.bump();
        }
        hit
    }

    fn expect_sym(&mut self, s: Sym) -> PResult<Span> {
        if self.is_sym(s) { Ok(self.bump()) } else { Err(self.unexpected(&format!("'{s}'"))) }
    }

    fn expect_kw(&mut self, kw: Keyword) -> PResult<Span> {
        if self.is_kw(kw) { Ok(self.bump()) } else { Err(self.unexpected(kw.as_str())) }
    }

    /// An error at the current token: `unexpected <token>, expecting <expecting>`, or
    /// `unexpected end of query` (or the pending lexical error) at the end.
    #[cold]
    #[inline(never)]
    fn unexpected(&self, expecting: &str) -> Box<ParseError> {
        let token = self.peek();
        if matches!(token.kind, TokenKind::Eof) {
            if let Some(e) = &self.lex_error {
                return Box::new(e.clone());
            }
            return Box::new(ParseError::new(self.text, token.span, "unexpected end of query"));
        }
        let found = describe(token, self.text);
        let msg = if expecting.is_empty() { format!("unexpected {found}") } else { format!("unexpected {found}, expecting {expecting}") };
        Box::new(ParseError::new(self.text, token.span, msg))
    }

    /// An error at the current token: `unexpected <token>, <reason>`.
    #[cold]
    #[inline(never)]
    fn unsupported(&self, reason: &str) -> Box<ParseError> {
        let token = self.peek();
        Box::new(ParseError::new(self.text, token.span, format!("unexpected {}, {reason}", describe(token, self.text))))
    }

    #[cold]
    #[inline(never)]
    fn error_at(&self, span: Span, msg: &str) -> Box<ParseError> {
        Box::new(ParseError::new(self.text, span, msg))
    }

    /// Enters one level of nesting.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_at(self.span(), "query is nested too deeply"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A node of `height`, unless that is too high.
    fn node(&self, kind: crate::ast::ExprKind, span: Span, height: usize) -> PResult<Node> {
        if height > MAX_HEIGHT {
            return Err(self.error_at(span, "query is nested too deeply"));
        }
        Ok(Node { expr: Box::new(Expr { kind, span }), height })
    }

    /// The name at the current token if it can name a variable, collection or function:
    /// an identifier, a quoted name, or a keyword ArangoDB treats as a name (`KEEP`,
    /// `OPTIONS`, `PRUNE`, `SEARCH`), spelled as written.
    fn name_here(&self) -> Option<String> {
        let token = self.peek();
        match &token.kind {
            TokenKind::Ident(n) | TokenKind::QuotedIdent(n) => Some(n.clone()),
            TokenKind::Keyword(kw) if kw.is_soft() => Some(self.raw(token.span).to_string()),
            _ => None,
        }
    }

    fn raw(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// A variable name.
    fn expect_name(&mut self) -> PResult<crate::ast::Ident> {
        match self.name_here() {
            Some(name) => Ok(crate::ast::Ident { name, span: self.bump() }),
            None => Err(self.unexpected("identifier")),
        }
    }

    fn is_with_name(&self) -> bool {
        matches!(self.kind(), TokenKind::String(_) | TokenKind::Bind(_) | TokenKind::BindCollection(_)) || self.name_here().is_some()
    }

    /// Whether the current token starts a (sub)query.
    fn starts_query(&self) -> bool {
        use Keyword::*;
        matches!(
            self.kind(),
            TokenKind::Keyword(
                For | Let | Filter | Sort | Limit | Collect | Window | Return | Insert | Update | Replace | Remove | Upsert | With
            )
        )
    }

    /// A query (`top`) or the body of a subquery, and its height.
    fn query(&mut self, top: bool) -> PResult<(Query, usize)> {
        self.enter()?;
        let start = self.span().start;
        let mut with = Vec::new();
        if self.is_kw(Keyword::With) {
            if !top {
                return Err(self.unsupported("WITH is only allowed at the start of the query"));
            }
            self.bump();
            with = self.with_collections()?;
        }
        let mut ops: Vec<Op> = Vec::new();
        let mut height = 0;
        let mut complete = false;
        // RETURN ends its query level.
        while !matches!(ops.last(), Some(Op::Return { .. })) {
            match self.operation(&mut ops)? {
                Some((h, is_final)) => {
                    height = height.max(h);
                    complete = is_final;
                }
                None => break,
            }
        }
        if !complete {
            return Err(self.unexpected("RETURN or another operation"));
        }
        let end = self.prev_end.max(start);
        self.leave();
        Ok((Query { with, ops, span: Span { start, end } }, height + 1))
    }

    /// `WITH a, b c, @@d`: names separated by commas or whitespace.
    fn with_collections(&mut self) -> PResult<Vec<crate::ast::Ident>> {
        let mut out = Vec::new();
        loop {
            let token = self.peek();
            let name = match &token.kind {
                TokenKind::String(s) => Some(s.clone()),
                TokenKind::Bind(_) | TokenKind::BindCollection(_) => Some(self.raw(token.span).to_string()),
                _ => self.name_here(),
            };
            match name {
                Some(name) => out.push(crate::ast::Ident { name, span: self.bump() }),
                None => return Err(self.unexpected("collection name")),
            }
            // A comma must be followed by another name; without one, the list ends at the
            // first token that is not a name.
            if !self.eat_sym(Sym::Comma) && !self.is_with_name() {
                return Ok(out);
            }
        }
    }
}
