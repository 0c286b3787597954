//! High-level operations: `FOR`, `FILTER`, `LET`, `SORT`, `LIMIT`, `COLLECT`, `WINDOW`,
//! `RETURN` and the data-modification operations.
//!
//! Each operation has its own function that appends to the operation list, so that only
//! the frame of the operation being parsed is on the stack when expressions nest.

use super::{Node, PResult, Parser};
use crate::ast::{Assign, Collect, CollectInto, CollectionRef, Expr, ExprKind, Ident, Op, Span};
use crate::lexer::{Keyword, Sym, TokenKind};

const GRAPH_UNSUPPORTED: &str = "graph traversals are not supported";

fn opt_height(node: &Option<Node>) -> usize {
    node.as_ref().map_or(0, |n| n.height)
}

pub(super) fn opt_expr(node: Option<Node>) -> Option<Expr> {
    node.map(|n| *n.expr)
}

impl Parser<'_> {
    /// The operation at the current token, appended to `ops` (`LET a = 1, b = 2` appends
    /// two): its greatest expression height and whether it may end a query (`RETURN` or a
    /// data-modification operation). `None` when the current token starts no operation.
    pub(super) fn operation(&mut self, ops: &mut Vec<Op>) -> PResult<Option<(usize, bool)>> {
        let TokenKind::Keyword(kw) = *self.kind() else { return Ok(None) };
        let start = self.span().start;
        let result = match kw {
            Keyword::For => (self.for_op(start, ops)?, false),
            Keyword::Filter => (self.filter_op(start, ops)?, false),
            Keyword::Let => (self.let_op(ops)?, false),
            Keyword::Sort => (self.sort_op(start, ops)?, false),
            Keyword::Limit => (self.limit_op(start, ops)?, false),
            Keyword::Collect => (self.collect_op(start, ops)?, false),
            Keyword::Window => (self.window_op(start, ops)?, false),
            Keyword::Return => (self.return_op(start, ops)?, true),
            Keyword::Insert => (self.insert_op(start, ops)?, true),
            Keyword::Update | Keyword::Replace => (self.update_op(start, kw == Keyword::Replace, ops)?, true),
            Keyword::Remove => (self.remove_op(start, ops)?, true),
            Keyword::Upsert => (self.upsert_op(start, ops)?, true),
            _ => return Ok(None),
        };
        Ok(Some(result))
    }

    /// The span from `start` to the end of the last consumed token.
    pub(super) fn span_from(&self, start: usize) -> Span {
        Span { start, end: self.prev_end.max(start) }
    }

    fn is_graph_keyword(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Keyword(Keyword::Outbound | Keyword::Inbound | Keyword::Any | Keyword::Graph | Keyword::ShortestPath)
        )
    }

    /// `FOR var IN source [OPTIONS {...}]`.
    fn for_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let var = self.expect_name()?;
        if self.is_sym(Sym::Comma) {
            return Err(self.unsupported("FOR with several variables (graph traversals) is not supported"));
        }
        self.expect_kw(Keyword::In)?;
        if self.is_graph_keyword() {
            return Err(self.unsupported(GRAPH_UNSUPPORTED));
        }
        let source = self.expr()?;
        if self.is_graph_keyword() {
            return Err(self.unsupported(GRAPH_UNSUPPORTED));
        }
        if self.is_kw(Keyword::Search) {
            return Err(self.unsupported("SEARCH on views is not supported"));
        }
        let options = self.options()?;
        let height = source.height.max(opt_height(&options));
        build::for_op(ops, var, source, options, self.span_from(start));
        Ok(height)
    }

    /// `FILTER condition`.
    fn filter_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let condition = self.expr()?;
        let height = condition.height;
        build::filter(ops, condition, self.span_from(start));
        Ok(height)
    }

    /// `LET a = x, b = y`: one [`Op::Let`] per assignment.
    fn let_op(&mut self, ops: &mut Vec<Op>) -> PResult<usize> {
        let mut start = self.bump().start;
        let mut height = 0;
        loop {
            let var = self.expect_name()?;
            self.expect_sym(Sym::Assign)?;
            let value = self.expr()?;
            height = height.max(value.height);
            build::let_op(ops, var, value, self.span_from(start));
            if !self.eat_sym(Sym::Comma) {
                return Ok(height);
            }
            start = self.span().start;
        }
    }

    /// `SORT key [ASC|DESC], ...`.
    fn sort_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let mut keys = Vec::new();
        let mut height = 0;
        loop {
            let key = self.expr()?;
            height = height.max(key.height);
            let descending = if self.eat_kw(Keyword::Desc) {
                true
            } else {
                self.eat_kw(Keyword::Asc);
                false
            };
            build::sort_key(&mut keys, key, descending);
            if !self.eat_sym(Sym::Comma) {
                break;
            }
        }
        build::sort(ops, keys, self.span_from(start));
        Ok(height)
    }

    /// `LIMIT count` or `LIMIT offset, count`.
    fn limit_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let first = self.expr()?;
        let second = if self.eat_sym(Sym::Comma) { Some(self.expr()?) } else { None };
        let height = first.height.max(opt_height(&second));
        build::limit(ops, first, second, self.span_from(start));
        Ok(height)
    }

    /// `RETURN [DISTINCT] value`.
    fn return_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let distinct = self.eat_kw(Keyword::Distinct);
        let value = self.expr()?;
        let height = value.height;
        build::return_op(ops, distinct, value, self.span_from(start));
        Ok(height)
    }

    /// `INSERT doc INTO|IN coll [OPTIONS {...}]`.
    fn insert_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let doc = self.expr_no_in()?;
        let collection = self.in_collection()?;
        let options = self.options()?;
        let height = doc.height.max(opt_height(&options));
        build::insert(ops, doc, *collection, options, self.span_from(start));
        Ok(height)
    }

    /// `UPDATE|REPLACE [key WITH] doc IN|INTO coll [OPTIONS {...}]`.
    fn update_op(&mut self, start: usize, replace: bool, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let first = self.expr_no_in()?;
        let (key, doc) = if self.eat_kw(Keyword::With) { (Some(first), self.expr_no_in()?) } else { (None, first) };
        let collection = self.in_collection()?;
        let options = self.options()?;
        let height = doc.height.max(opt_height(&options)).max(opt_height(&key));
        build::update(ops, key, doc, options, *collection, replace, self.span_from(start));
        Ok(height)
    }

    /// `REMOVE key IN|INTO coll [OPTIONS {...}]`.
    fn remove_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let key = self.expr_no_in()?;
        let collection = self.in_collection()?;
        let options = self.options()?;
        let height = key.height.max(opt_height(&options));
        build::remove(ops, key, *collection, options, self.span_from(start));
        Ok(height)
    }

    /// `UPSERT search INSERT doc UPDATE|REPLACE doc IN|INTO coll [OPTIONS {...}]`.
    fn upsert_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        if self.is_kw(Keyword::Filter) {
            return Err(self.unsupported("UPSERT with FILTER is not supported"));
        }
        let search = self.expr()?;
        self.expect_kw(Keyword::Insert)?;
        let insert = self.expr()?;
        let replace = if self.eat_kw(Keyword::Replace) {
            true
        } else if self.eat_kw(Keyword::Update) {
            false
        } else {
            return Err(self.unexpected("UPDATE or REPLACE"));
        };
        let update = self.expr_no_in()?;
        let collection = self.in_collection()?;
        let options = self.options()?;
        let height = search.height.max(insert.height).max(update.height).max(opt_height(&options));
        build::upsert(ops, [search, insert, update], options, *collection, replace, self.span_from(start));
        Ok(height)
    }

    /// `var = expr, ...` (COLLECT groups, AGGREGATE); aggregates must be function calls.
    fn assignments(&mut self, aggregate: bool, out: &mut Vec<Assign>) -> PResult<usize> {
        let mut height = 0;
        loop {
            let var = self.expect_name()?;
            self.expect_sym(Sym::Assign)?;
            let value = self.expr()?;
            if aggregate && !matches!(value.expr.kind, ExprKind::Call { .. }) {
                return Err(self.error_at(value.expr.span, "aggregate expression must be a function call"));
            }
            height = height.max(value.height);
            build::assign(out, var, value);
            if !self.eat_sym(Sym::Comma) {
                return Ok(height);
            }
        }
    }

    /// `COLLECT [groups] [AGGREGATE aggs] [INTO var [= expr] | WITH COUNT INTO var]
    /// [KEEP vars] [OPTIONS {...}]`.
    fn collect_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let mut collect = build::empty_collect();
        let mut height = 0;
        if self.name_here().is_some() && self.is_sym_at(1, Sym::Assign) {
            height = self.assignments(false, &mut collect.groups)?;
        } else if !self.is_kw(Keyword::Aggregate) && !self.is_kw(Keyword::With) {
            return Err(self.unexpected("identifier"));
        }
        if self.eat_kw(Keyword::Aggregate) {
            height = height.max(self.assignments(true, &mut collect.aggregates)?);
        }
        height = height.max(self.collect_into(&mut collect)?);
        self.collect_keep(&mut collect)?;
        let options = self.options()?;
        height = height.max(opt_height(&options));
        build::finish_collect(ops, collect, options, self.span_from(start));
        Ok(height)
    }

    /// `[INTO var [= expr] | WITH COUNT INTO var]` of a COLLECT.
    fn collect_into(&mut self, collect: &mut Collect) -> PResult<usize> {
        if self.eat_kw(Keyword::Into) {
            let var = self.expect_name()?;
            let value = if self.eat_sym(Sym::Assign) { Some(self.expr()?) } else { None };
            let height = opt_height(&value);
            build::collect_into(collect, var, value);
            return Ok(height);
        }
        if self.eat_kw(Keyword::With) {
            if !matches!(self.kind(), TokenKind::Ident(w) if w.eq_ignore_ascii_case("COUNT")) {
                return Err(self.unexpected("COUNT"));
            }
            self.bump();
            self.expect_kw(Keyword::Into)?;
            collect.into = Some(CollectInto::Count(self.expect_name()?));
        }
        Ok(0)
    }

    /// `[KEEP a, b]` of a COLLECT (only after `INTO var`).
    fn collect_keep(&mut self, collect: &mut Collect) -> PResult<()> {
        if !self.is_kw(Keyword::Keep) {
            return Ok(());
        }
        if !matches!(collect.into, Some(CollectInto::Group { .. })) {
            return Err(self.error_at(self.span(), "use of 'KEEP' without 'INTO'"));
        }
        self.bump();
        loop {
            collect.keep.push(self.expect_name()?);
            if !self.eat_sym(Sym::Comma) {
                return Ok(());
            }
        }
    }

    /// `WINDOW {preceding, following} AGGREGATE ...` or `WINDOW value WITH {...} AGGREGATE ...`.
    fn window_op(&mut self, start: usize, ops: &mut Vec<Op>) -> PResult<usize> {
        self.bump();
        let first = self.expr()?;
        let (range_value, bounds) = if self.eat_kw(Keyword::With) {
            if !self.is_sym(Sym::LBrace) {
                return Err(self.unexpected("'{'"));
            }
            (Some(first), self.primary_object()?)
        } else if matches!(first.expr.kind, ExprKind::Object(_)) {
            (None, first)
        } else {
            return Err(self.unexpected("WITH"));
        };
        self.expect_kw(Keyword::Aggregate)?;
        let mut aggregates = Vec::new();
        let height = self.assignments(true, &mut aggregates)?.max(bounds.height).max(opt_height(&range_value));
        build::window(ops, range_value, bounds, aggregates, self.span_from(start));
        Ok(height)
    }

    /// `IN|INTO collection`.
    fn in_collection(&mut self) -> PResult<Box<CollectionRef>> {
        if !self.eat_kw(Keyword::In) && !self.eat_kw(Keyword::Into) {
            return Err(self.unexpected("IN or INTO"));
        }
        let token = self.peek();
        let collection = match &token.kind {
            TokenKind::String(s) => CollectionRef::Name(Ident { name: s.clone(), span: token.span }),
            TokenKind::BindCollection(b) => CollectionRef::Bind(Ident { name: b.clone(), span: token.span }),
            _ => match self.name_here() {
                Some(name) => CollectionRef::Name(Ident { name, span: token.span }),
                None => return Err(self.unexpected("collection name")),
            },
        };
        self.bump();
        Ok(Box::new(collection))
    }

    /// `[OPTIONS {...}]`.
    fn options(&mut self) -> PResult<Option<Node>> {
        if !self.eat_kw(Keyword::Options) {
            return Ok(None);
        }
        if !self.is_sym(Sym::LBrace) {
            return Err(self.unexpected("'{'"));
        }
        self.primary_object().map(Some)
    }
}

/// Builds operations out of parsed parts. These do not recurse, so their (in unoptimised
/// builds, large) frames are never on the stack while expressions nest.
mod build {
    use super::{Node, opt_expr};
    use crate::ast::{Assign, Collect, CollectInto, CollectionRef, Ident, Op, SortKey, Span, Window};

    #[inline(never)]
    pub(super) fn for_op(ops: &mut Vec<Op>, var: Ident, source: Node, options: Option<Node>, span: Span) {
        ops.push(Op::For { var, source: *source.expr, options: opt_expr(options), span });
    }

    #[inline(never)]
    pub(super) fn filter(ops: &mut Vec<Op>, condition: Node, span: Span) {
        ops.push(Op::Filter { condition: *condition.expr, span });
    }

    #[inline(never)]
    pub(super) fn let_op(ops: &mut Vec<Op>, var: Ident, value: Node, span: Span) {
        ops.push(Op::Let { var, value: *value.expr, span });
    }

    #[inline(never)]
    pub(super) fn sort_key(keys: &mut Vec<SortKey>, key: Node, descending: bool) {
        keys.push(SortKey { expr: *key.expr, descending });
    }

    #[inline(never)]
    pub(super) fn sort(ops: &mut Vec<Op>, keys: Vec<SortKey>, span: Span) {
        ops.push(Op::Sort { keys, span });
    }

    #[inline(never)]
    pub(super) fn limit(ops: &mut Vec<Op>, first: Node, second: Option<Node>, span: Span) {
        let (offset, count) = match second {
            Some(count) => (Some(*first.expr), *count.expr),
            None => (None, *first.expr),
        };
        ops.push(Op::Limit { offset, count, span });
    }

    #[inline(never)]
    pub(super) fn return_op(ops: &mut Vec<Op>, distinct: bool, value: Node, span: Span) {
        ops.push(Op::Return { distinct, value: *value.expr, span });
    }

    #[inline(never)]
    pub(super) fn insert(ops: &mut Vec<Op>, doc: Node, collection: CollectionRef, options: Option<Node>, span: Span) {
        ops.push(Op::Insert { doc: *doc.expr, collection, options: opt_expr(options), span });
    }

    #[inline(never)]
    pub(super) fn update(
        ops: &mut Vec<Op>,
        key: Option<Node>,
        doc: Node,
        options: Option<Node>,
        collection: CollectionRef,
        replace: bool,
        span: Span,
    ) {
        ops.push(Op::Update { key: opt_expr(key), doc: *doc.expr, collection, options: opt_expr(options), replace, span });
    }

    #[inline(never)]
    pub(super) fn remove(ops: &mut Vec<Op>, key: Node, collection: CollectionRef, options: Option<Node>, span: Span) {
        ops.push(Op::Remove { key: *key.expr, collection, options: opt_expr(options), span });
    }

    /// `parts` are the search, insert and update expressions.
    #[inline(never)]
    pub(super) fn upsert(ops: &mut Vec<Op>, parts: [Node; 3], options: Option<Node>, collection: CollectionRef, replace: bool, span: Span) {
        let [search, insert, update] = parts;
        ops.push(Op::Upsert {
            search: *search.expr,
            insert: *insert.expr,
            update: *update.expr,
            replace,
            collection,
            options: opt_expr(options),
            span,
        });
    }

    #[inline(never)]
    pub(super) fn assign(out: &mut Vec<Assign>, var: Ident, value: Node) {
        out.push(Assign { var, value: *value.expr });
    }

    #[inline(never)]
    pub(super) fn empty_collect() -> Box<Collect> {
        Box::new(Collect { groups: Vec::new(), aggregates: Vec::new(), into: None, keep: Vec::new(), options: None, span: Span::default() })
    }

    #[inline(never)]
    pub(super) fn collect_into(collect: &mut Collect, var: Ident, value: Option<Node>) {
        collect.into = Some(CollectInto::Group { var, value: opt_expr(value) });
    }

    #[inline(never)]
    pub(super) fn finish_collect(ops: &mut Vec<Op>, mut collect: Box<Collect>, options: Option<Node>, span: Span) {
        collect.options = opt_expr(options);
        collect.span = span;
        ops.push(Op::Collect(collect));
    }

    #[inline(never)]
    pub(super) fn window(ops: &mut Vec<Op>, range_value: Option<Node>, bounds: Node, aggregates: Vec<Assign>, span: Span) {
        ops.push(Op::Window(Box::new(Window { range_value: opt_expr(range_value), bounds: *bounds.expr, aggregates, span })));
    }
}
