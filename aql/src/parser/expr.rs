//! Expressions: operators by precedence climbing, primaries, and postfix accesses.

use super::{MAX_HEIGHT, Node, PResult, Parser};
use crate::ast::{BinaryOp, Expansion, Expr, ExprKind, ObjectKey, Quantifier, Span, UnaryOp};
use crate::lexer::{Keyword, Sym, TokenKind};

// Binding powers, lowest first (see the table in the module documentation).
const TERNARY: u8 = 1;
const OR: u8 = 2;
const AND: u8 = 3;
const QUANTIFIER: u8 = 4;
const EQUALITY: u8 = 5;
const IN: u8 = 6;
const COMPARISON: u8 = 7;
const RANGE: u8 = 8;
const ADDITIVE: u8 = 9;
const MULTIPLICATIVE: u8 = 10;

/// An operator after an operand.
#[derive(Clone, Copy)]
enum Infix {
    /// `?` of `? :` / `?:`.
    Ternary,
    /// A binary operator written with `tokens` tokens (`NOT IN` has two).
    Binary { op: BinaryOp, bp: u8, tokens: usize },
    /// `ALL|ANY|NONE` and an operator, `tokens` tokens in all.
    Quantified { quantifier: Quantifier, op: BinaryOp, bp: u8, tokens: usize },
}

impl Infix {
    fn binding_power(self) -> u8 {
        match self {
            Infix::Ternary => TERNARY,
            Infix::Binary { bp, .. } => bp,
            Infix::Quantified { .. } => QUANTIFIER,
        }
    }
}

/// An access after an operand: `.name`, `["name"]`, `[index]`, `.@param`.
enum Access {
    Attribute(String),
    Index(Node),
}

/// The synthetic `CURRENT` an expansion's projection starts from, empty at `at`.
fn current(at: usize) -> Box<Expr> {
    Box::new(Expr { kind: ExprKind::Name("CURRENT".to_string()), span: Span { start: at, end: at } })
}

/// An expansion with `stars` stars over `CURRENT` at `at`, without inline operations yet.
#[inline(never)]
fn new_expansion(at: usize, stars: u32) -> Box<Expansion> {
    Box::new(Expansion { base: current(at), flatten: stars.saturating_sub(1), filter: None, limit: None, ret: None, projection: None })
}

/// The innermost expansion of a chain (`a[*].b[*]`: the one over `.b`) whose projection
/// further accesses extend; extends the spans along the way to `end`.
fn bottom_expansion(mut e: &mut Expr, end: usize) -> Option<&mut Expansion> {
    loop {
        e.span.end = end;
        let ExprKind::Expansion(x) = &mut e.kind else { return None };
        let descend = matches!(x.projection.as_deref(), Some(Expr { kind: ExprKind::Expansion(_), .. }));
        if !descend {
            return Some(x);
        }
        e = x.projection.as_deref_mut()?;
    }
}

#[inline(never)]
fn push_computed(entries: &mut Vec<(ObjectKey, Expr)>, key: Node, value: Node) {
    entries.push((ObjectKey::Computed(*key.expr), *value.expr));
}

fn access_kind(base: Box<Expr>, access: Access) -> ExprKind {
    match access {
        Access::Attribute(name) => ExprKind::Attribute(base, name),
        Access::Index(index) => ExprKind::Index(base, index.expr),
    }
}

/// A binary operator token (`NOT` and `!` start two-token operators).
fn simple_binary(kind: &TokenKind, no_in: bool) -> Option<(BinaryOp, u8)> {
    use BinaryOp::*;
    Some(match kind {
        TokenKind::Sym(s) => match s {
            Sym::OrOr => (Or, OR),
            Sym::AndAnd => (And, AND),
            Sym::Eq => (Eq, EQUALITY),
            Sym::Ne => (Ne, EQUALITY),
            Sym::RegexMatch => (RegexMatch, EQUALITY),
            Sym::RegexNotMatch => (RegexNotMatch, EQUALITY),
            Sym::Lt => (Lt, COMPARISON),
            Sym::Le => (Le, COMPARISON),
            Sym::Gt => (Gt, COMPARISON),
            Sym::Ge => (Ge, COMPARISON),
            Sym::Range => (Range, RANGE),
            Sym::Plus => (Add, ADDITIVE),
            Sym::Minus => (Sub, ADDITIVE),
            Sym::Star => (Mul, MULTIPLICATIVE),
            Sym::Slash => (Div, MULTIPLICATIVE),
            Sym::Percent => (Mod, MULTIPLICATIVE),
            _ => return None,
        },
        TokenKind::Keyword(Keyword::Or) => (Or, OR),
        TokenKind::Keyword(Keyword::And) => (And, AND),
        TokenKind::Keyword(Keyword::Like) => (Like, EQUALITY),
        TokenKind::Keyword(Keyword::In) if !no_in => (In, IN),
        _ => return None,
    })
}

/// The operator a `NOT` (or `!`) turns the following token into: `NOT IN`, `NOT LIKE`,
/// `NOT =~` (that is, `!~`) and `NOT !~` (`=~`).
fn negated_binary(kind: &TokenKind) -> Option<(BinaryOp, u8)> {
    Some(match kind {
        TokenKind::Keyword(Keyword::In) => (BinaryOp::NotIn, IN),
        TokenKind::Keyword(Keyword::Like) => (BinaryOp::NotLike, EQUALITY),
        TokenKind::Sym(Sym::RegexMatch) => (BinaryOp::RegexNotMatch, EQUALITY),
        TokenKind::Sym(Sym::RegexNotMatch) => (BinaryOp::RegexMatch, EQUALITY),
        _ => return None,
    })
}

impl Parser<'_> {
    /// A full expression.
    pub(super) fn expr(&mut self) -> PResult<Node> {
        self.expr_mode(false)
    }

    /// An expression that ends before a top-level `IN` (the document or key of a
    /// data-modification operation: `REMOVE u IN users`). `NOT IN`, `ALL IN` and `IN`
    /// inside brackets are still operators.
    pub(super) fn expr_no_in(&mut self) -> PResult<Node> {
        self.expr_mode(true)
    }

    fn expr_mode(&mut self, no_in: bool) -> PResult<Node> {
        self.enter()?;
        let node = self.binary(0, no_in)?;
        self.leave();
        Ok(node)
    }

    /// A binary operator starting at token `n`: the operator, its binding power and how
    /// many tokens it spans.
    fn binary_op_at(&self, n: usize, no_in: bool) -> Option<(BinaryOp, u8, usize)> {
        let kind = &self.peek_at(n).kind;
        if matches!(kind, TokenKind::Sym(Sym::Bang) | TokenKind::Keyword(Keyword::Not)) {
            let (op, bp) = negated_binary(&self.peek_at(n + 1).kind)?;
            return Some((op, bp, 2));
        }
        let (op, bp) = simple_binary(kind, no_in)?;
        Some((op, bp, 1))
    }

    /// The operator at the current token, if any.
    fn infix(&self, no_in: bool) -> Option<Infix> {
        let quantifier = match self.kind() {
            TokenKind::Sym(Sym::Question) => return Some(Infix::Ternary),
            TokenKind::Keyword(Keyword::All) => Quantifier::All,
            TokenKind::Keyword(Keyword::Any) => Quantifier::Any,
            TokenKind::Keyword(Keyword::None) => Quantifier::None,
            _ => {
                let (op, bp, tokens) = self.binary_op_at(0, no_in)?;
                return Some(Infix::Binary { op, bp, tokens });
            }
        };
        // Not followed by a comparison or IN: not ours (e.g. the graph direction ANY).
        let (op, bp, tokens) = self.binary_op_at(1, false)?;
        use BinaryOp::*;
        matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | NotIn).then_some(Infix::Quantified { quantifier, op, bp, tokens: tokens + 1 })
    }

    /// Operators binding at least as tightly as `min`.
    fn binary(&mut self, min: u8, no_in: bool) -> PResult<Node> {
        let mut lhs = self.unary()?;
        while let Some(infix) = self.infix(no_in) {
            if infix.binding_power() < min {
                break;
            }
            lhs = self.infix_step(lhs, infix, no_in)?;
        }
        Ok(lhs)
    }

    /// Applies `infix` (at the current token) to `lhs`.
    fn infix_step(&mut self, lhs: Node, infix: Infix, no_in: bool) -> PResult<Node> {
        let (op, bp, tokens, quantifier) = match infix {
            Infix::Ternary => return self.ternary(lhs, no_in),
            Infix::Binary { op, bp, tokens } => (op, bp, tokens, None),
            Infix::Quantified { quantifier, op, bp, tokens } => (op, bp, tokens, Some(quantifier)),
        };
        for _ in 0..tokens {
            self.bump();
        }
        let rhs = self.binary(bp + 1, no_in)?;
        let height = 1 + lhs.height.max(rhs.height);
        let span = lhs.expr.span.to(rhs.expr.span);
        let kind = match quantifier {
            None => ExprKind::Binary(op, lhs.expr, rhs.expr),
            Some(quantifier) => ExprKind::Quantified { quantifier, op, lhs: lhs.expr, rhs: rhs.expr },
        };
        self.node(kind, span, height)
    }

    /// `cond ? then : otherwise` or `cond ?: otherwise` at the `?`.
    fn ternary(&mut self, cond: Node, no_in: bool) -> PResult<Node> {
        self.bump();
        let then = if self.is_sym(Sym::Colon) { None } else { Some(self.expr()?) };
        self.expect_sym(Sym::Colon)?;
        self.enter()?;
        let otherwise = self.binary(TERNARY, no_in)?;
        self.leave();
        let height = 1 + cond.height.max(otherwise.height).max(then.as_ref().map_or(0, |t| t.height));
        let span = cond.expr.span.to(otherwise.expr.span);
        self.node(ExprKind::Ternary { cond: cond.expr, then: then.map(|t| t.expr), otherwise: otherwise.expr }, span, height)
    }

    /// Prefix operators (read iteratively), then an operand with its postfix accesses.
    fn unary(&mut self) -> PResult<Node> {
        let mut prefix = Vec::new();
        loop {
            let op = match self.kind() {
                TokenKind::Sym(Sym::Minus) => UnaryOp::Neg,
                TokenKind::Sym(Sym::Plus) => UnaryOp::Plus,
                TokenKind::Sym(Sym::Bang) | TokenKind::Keyword(Keyword::Not) => UnaryOp::Not,
                _ => break,
            };
            prefix.push((op, self.bump().start));
        }
        let mut node = self.primary()?;
        while let Some((op, start)) = prefix.pop() {
            let span = Span { start, end: node.expr.span.end };
            let height = node.height + 1;
            node = self.node(ExprKind::Unary(op, node.expr), span, height)?;
        }
        Ok(node)
    }

    /// An operand with its postfix accesses (which literals do not take).
    fn primary(&mut self) -> PResult<Node> {
        let node = match self.kind() {
            TokenKind::Sym(Sym::LBracket) => self.array()?,
            TokenKind::Sym(Sym::LBrace) => self.primary_object()?,
            TokenKind::Sym(Sym::LParen) => self.parenthesized()?,
            TokenKind::Keyword(Keyword::Like) if self.is_sym_at(1, Sym::LParen) => self.call()?,
            TokenKind::Keyword(Keyword::Outbound | Keyword::Inbound | Keyword::Any | Keyword::Graph | Keyword::ShortestPath) => {
                return Err(self.unsupported("graph traversals are not supported"));
            }
            TokenKind::Number { .. } | TokenKind::String(_) | TokenKind::Keyword(Keyword::Null | Keyword::True | Keyword::False) => {
                return self.literal();
            }
            _ if (self.is_sym_at(1, Sym::LParen) || self.is_sym_at(1, Sym::Scope)) && self.name_here().is_some() => self.call()?,
            _ => self.name_or_bind()?,
        };
        self.postfix(node)
    }

    /// A number, string, `null`, `true` or `false`.
    fn literal(&mut self) -> PResult<Node> {
        let kind = match self.kind() {
            TokenKind::Number { value, .. } => ExprKind::Number(*value),
            TokenKind::String(s) => ExprKind::String(s.clone()),
            TokenKind::Keyword(Keyword::True) => ExprKind::Bool(true),
            TokenKind::Keyword(Keyword::False) => ExprKind::Bool(false),
            _ => ExprKind::Null,
        };
        let span = self.bump();
        self.node(kind, span, 1)
    }

    /// A name, `@param` or `@@param`.
    fn name_or_bind(&mut self) -> PResult<Node> {
        let kind = match self.kind() {
            TokenKind::Bind(name) => ExprKind::Bind(name.clone()),
            TokenKind::BindCollection(name) => ExprKind::BindCollection(name.clone()),
            _ => match self.name_here() {
                Some(name) => ExprKind::Name(name),
                None => return Err(self.unexpected("expression")),
            },
        };
        let span = self.bump();
        self.node(kind, span, 1)
    }

    /// `NAME(args)`, `NS::NAME(args)`, `LIKE(args)`; an argument may be a bare subquery.
    fn call(&mut self) -> PResult<Node> {
        let first = self.span();
        let Some(mut name) = self.name_here().or_else(|| self.is_kw(Keyword::Like).then(|| self.raw(first).to_string())) else {
            return Err(self.unexpected("expression"));
        };
        self.bump();
        while self.eat_sym(Sym::Scope) {
            let Some(part) = self.name_here() else { return Err(self.unexpected("identifier")) };
            self.bump();
            name.push_str("::");
            name.push_str(&part);
        }
        self.expect_sym(Sym::LParen)?;
        let mut args = Vec::new();
        let mut height = 0;
        if !self.eat_sym(Sym::RParen) {
            loop {
                let arg = if self.starts_query() { self.bare_subquery()? } else { self.expr()? };
                height = height.max(arg.height);
                args.push(*arg.expr);
                if self.eat_sym(Sym::RParen) {
                    break;
                }
                if !self.eat_sym(Sym::Comma) {
                    return Err(self.unexpected("',' or ')'"));
                }
            }
        }
        self.node(ExprKind::Call { name, args }, self.span_from(first.start), height + 1)
    }

    /// A subquery without parentheses (a function argument).
    fn bare_subquery(&mut self) -> PResult<Node> {
        let (query, height) = self.query(false)?;
        let query = Box::new(query);
        let span = query.span;
        self.node(ExprKind::Subquery(query), span, height + 1)
    }

    /// `( expr )` or `( query )`; the node's span includes the parentheses.
    fn parenthesized(&mut self) -> PResult<Node> {
        let start = self.bump().start;
        if self.starts_query() {
            return self.subquery(start);
        }
        let mut inner = self.expr()?;
        self.expect_sym(Sym::RParen)?;
        inner.expr.span = self.span_from(start);
        Ok(inner)
    }

    /// The query and `)` of a subquery whose `(` is at `start`.
    fn subquery(&mut self, start: usize) -> PResult<Node> {
        let (query, height) = self.query(false)?;
        let query = Box::new(query);
        self.expect_sym(Sym::RParen)?;
        self.node(ExprKind::Subquery(query), self.span_from(start), height + 1)
    }

    /// `[a, b, ...]` (a trailing comma is allowed).
    fn array(&mut self) -> PResult<Node> {
        let start = self.bump().start;
        let mut items = Vec::new();
        let mut height = 0;
        while !self.eat_sym(Sym::RBracket) {
            let item = self.expr()?;
            height = height.max(item.height);
            items.push(*item.expr);
            if !self.eat_sym(Sym::Comma) && !self.is_sym(Sym::RBracket) {
                return Err(self.unexpected("',' or ']'"));
            }
        }
        self.node(ExprKind::Array(items), self.span_from(start), height + 1)
    }

    /// `{k: v, ...}` at the current `{` (a trailing comma is allowed).
    pub(super) fn primary_object(&mut self) -> PResult<Node> {
        let start = self.bump().start;
        let mut entries = Vec::new();
        let mut height = 0;
        while !self.eat_sym(Sym::RBrace) {
            height = height.max(self.object_entry(&mut entries)?);
            if !self.eat_sym(Sym::Comma) && !self.is_sym(Sym::RBrace) {
                return Err(self.unexpected("',' or '}'"));
            }
        }
        self.node(ExprKind::Object(entries), self.span_from(start), height + 1)
    }

    /// One `key: value` (or shorthand `name`) of an object literal, appended to
    /// `entries`; returns its height.
    fn object_entry(&mut self, entries: &mut Vec<(ObjectKey, Expr)>) -> PResult<usize> {
        if self.is_sym(Sym::LBracket) {
            return self.computed_entry(entries);
        }
        if !self.object_key(entries)? {
            return Ok(1);
        }
        self.expect_sym(Sym::Colon)?;
        let value = self.expr()?;
        if let Some(entry) = entries.last_mut() {
            entry.1 = *value.expr;
        }
        Ok(value.height)
    }

    /// Appends the entry of the key at the current token (not a computed one) to
    /// `entries`: whole for a shorthand `{ name }` (`false`), or with a placeholder value
    /// to be replaced (`true`).
    #[inline(never)]
    fn object_key(&mut self, entries: &mut Vec<(ObjectKey, Expr)>) -> PResult<bool> {
        let token = self.peek();
        let span = token.span;
        let colon_next = self.is_sym_at(1, Sym::Colon);
        let key = match &token.kind {
            TokenKind::Ident(_) | TokenKind::QuotedIdent(_) | TokenKind::Keyword(_) if !colon_next => {
                // Shorthand `{ name }`: the variable `name`.
                let Some(name) = self.name_here() else { return Err(self.unexpected("attribute name")) };
                self.bump();
                entries.push((ObjectKey::Name(name.clone()), Expr { kind: ExprKind::Name(name), span }));
                return Ok(false);
            }
            TokenKind::Ident(name) | TokenKind::QuotedIdent(name) | TokenKind::String(name) => ObjectKey::Name(name.clone()),
            // Keywords may name attributes here (`{ return: 1 }`).
            TokenKind::Keyword(_) => ObjectKey::Name(self.raw(span).to_string()),
            TokenKind::Bind(name) => ObjectKey::Computed(Expr { kind: ExprKind::Bind(name.clone()), span }),
            _ => return Err(self.unexpected("attribute name")),
        };
        self.bump();
        entries.push((key, Expr { kind: ExprKind::Null, span }));
        Ok(true)
    }

    /// `[key]: value` in an object literal.
    fn computed_entry(&mut self, entries: &mut Vec<(ObjectKey, Expr)>) -> PResult<usize> {
        self.bump();
        let key = self.expr()?;
        self.expect_sym(Sym::RBracket)?;
        self.expect_sym(Sym::Colon)?;
        let value = self.expr()?;
        let height = value.height.max(key.height);
        push_computed(entries, key, value);
        Ok(height)
    }

    /// `.name`, `.@param`, `[index]`, `["name"]` and expansions after an operand.
    fn postfix(&mut self, mut node: Node) -> PResult<Node> {
        // Whether `node` is an expansion of this chain, so that accesses project its
        // elements (`a[*].b`) instead of applying to its result (`(a[*]).b`).
        let mut chained = false;
        loop {
            if self.is_sym(Sym::Dot) {
                node = self.dot_access(node, chained)?;
            } else if !self.is_sym(Sym::LBracket) {
                return Ok(node);
            } else if self.is_sym_at(1, Sym::Star) {
                node = self.expansion(node, chained)?;
                chained = true;
            } else if self.is_sym_at(1, Sym::Question) {
                self.bump();
                return Err(self.unsupported("the array filter operator [? ...] is not supported"));
            } else {
                node = self.index_access(node, chained)?;
            }
        }
    }

    /// `.name` or `.@param` after `node`.
    fn dot_access(&mut self, node: Node, chained: bool) -> PResult<Node> {
        let at = self.bump().start;
        let token = self.peek();
        let access = match &token.kind {
            TokenKind::Ident(name) | TokenKind::QuotedIdent(name) => Access::Attribute(name.clone()),
            TokenKind::Keyword(_) => Access::Attribute(self.raw(token.span).to_string()),
            TokenKind::Bind(name) => {
                Access::Index(Node { expr: Box::new(Expr { kind: ExprKind::Bind(name.clone()), span: token.span }), height: 1 })
            }
            _ => return Err(self.unexpected("attribute name")),
        };
        self.bump();
        self.access(node, chained, access, at)
    }

    /// `[index]` (or `["name"]`, an attribute) after `node`.
    fn index_access(&mut self, node: Node, chained: bool) -> PResult<Node> {
        let at = self.bump().start;
        let index = self.expr()?;
        self.expect_sym(Sym::RBracket)?;
        let access = match &index.expr.kind {
            ExprKind::String(name) => Access::Attribute(name.clone()),
            _ => Access::Index(index),
        };
        self.access(node, chained, access, at)
    }

    /// Applies an access written at `at` to `node`, or to the projection of its innermost
    /// expansion when `chained`.
    fn access(&mut self, mut node: Node, chained: bool, access: Access, at: usize) -> PResult<Node> {
        let end = self.prev_end;
        let access_height = match &access {
            Access::Attribute(_) => 0,
            Access::Index(index) => index.height,
        };
        if !chained {
            let span = Span { start: node.expr.span.start, end };
            let height = 1 + node.height.max(access_height);
            return self.node(access_kind(node.expr, access), span, height);
        }
        // An upper bound: the projection is at most `node.height` deep.
        let height = node.height + 1 + access_height;
        if height > MAX_HEIGHT {
            return Err(self.error_at(Span { start: at, end }, "query is nested too deeply"));
        }
        if let Some(x) = bottom_expansion(&mut node.expr, end) {
            let base = x.projection.take().unwrap_or_else(|| current(at));
            let span = Span { start: base.span.start, end };
            x.projection = Some(Box::new(Expr { kind: access_kind(base, access), span }));
        }
        node.height = height;
        Ok(node)
    }

    /// `[* ...]` after `node`: `[*]`, `[**]` (flattening), with inline `FILTER`, `LIMIT`
    /// and `RETURN`.
    ///
    /// After an expansion of the same chain, a `[*]` nests: `a[*].b[*].c` is an expansion
    /// over `a` whose projection is an expansion over `CURRENT.b` projecting `CURRENT.c`
    /// (an array of arrays, as in ArangoDB), and further accesses go to the innermost
    /// expansion's projection. `[**]` (or more stars) after an expansion instead applies
    /// to the whole expansion so far: `a[*].b[**]` flattens the result of `a[*].b`.
    fn expansion(&mut self, node: Node, chained: bool) -> PResult<Node> {
        let at = self.bump().start;
        let mut stars: u32 = 0;
        while self.eat_sym(Sym::Star) {
            stars = stars.saturating_add(1);
        }
        let mut inline = new_expansion(at, stars);
        let inline_height = self.expansion_ops(&mut inline)?;
        self.finish_expansion(node, chained && stars == 1, inline, inline_height, at)
    }

    /// Puts the expansion `inline` (its brackets just read, starting at `at`) after
    /// `node`, or into the projection of `node`'s innermost expansion when `nest`.
    #[inline(never)]
    #[allow(clippy::boxed_local, reason = "boxed so the recursive caller's frame stays small")]
    fn finish_expansion(&self, mut node: Node, nest: bool, mut inline: Box<Expansion>, inline_height: usize, at: usize) -> PResult<Node> {
        let end = self.prev_end;
        if nest {
            let height = node.height + 1 + inline_height;
            if height > MAX_HEIGHT {
                return Err(self.error_at(Span { start: at, end }, "query is nested too deeply"));
            }
            if let Some(x) = bottom_expansion(&mut node.expr, end) {
                if let Some(base) = x.projection.take() {
                    inline.base = base;
                }
                let span = Span { start: inline.base.span.start, end };
                x.projection = Some(Box::new(Expr { kind: ExprKind::Expansion(*inline), span }));
            }
            node.height = height;
            return Ok(node);
        }
        let height = 1 + node.height.max(inline_height);
        let span = Span { start: node.expr.span.start, end };
        inline.base = node.expr;
        self.node(ExprKind::Expansion(*inline), span, height)
    }

    /// `[FILTER cond] [LIMIT [offset,] count] [RETURN expr] ]` of an expansion; returns
    /// their greatest height.
    fn expansion_ops(&mut self, x: &mut Expansion) -> PResult<usize> {
        let mut height = 0;
        if self.eat_kw(Keyword::Filter) {
            let filter = self.expr()?;
            height = filter.height;
            x.filter = Some(filter.expr);
        }
        if self.eat_kw(Keyword::Limit) {
            let first = self.expr()?;
            height = height.max(first.height);
            x.limit = Some(if self.eat_sym(Sym::Comma) {
                let count = self.expr()?;
                height = height.max(count.height);
                (Some(first.expr), count.expr)
            } else {
                (None, first.expr)
            });
        }
        if self.eat_kw(Keyword::Return) {
            let ret = self.expr()?;
            height = height.max(ret.height);
            x.ret = Some(ret.expr);
        }
        if !self.is_sym(Sym::RBracket) {
            let expecting = match (&x.filter, &x.limit, &x.ret) {
                (None, None, None) => "FILTER, LIMIT, RETURN or ']'",
                (_, None, None) => "LIMIT, RETURN or ']'",
                (_, _, None) => "RETURN or ']'",
                _ => "']'",
            };
            return Err(self.unexpected(expecting));
        }
        self.bump();
        Ok(height)
    }
}
