//! The AQL syntax tree.
//!
//! Every node that can be the subject of an error carries a [`Span`] (byte offsets into
//! the query text); [`crate::Position`] turns a span into the 1-based `line:column`
//! ArangoDB prints. Keywords are case-insensitive and are not kept; names (variables,
//! attributes, collections, functions) keep the spelling of the query.

/// Byte range `start..end` of a node in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte of the node.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `self`'s start to `other`'s end.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start, end: other.end }
    }
}

/// A name as written (a variable, attribute, collection or option), with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name, unquoted (`` `my var` `` → `my var`).
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A whole query, or the body of a subquery: `WITH` declarations and operations in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Collections declared by a leading `WITH a, b` (top level only).
    pub with: Vec<Ident>,
    /// High-level operations in the order written. A query ends with `RETURN` or a
    /// data-modification operation; the parser checks this.
    pub ops: Vec<Op>,
    /// The whole query's span.
    pub span: Span,
}

/// Where a data-modification operation writes: a collection name or `@@param`.
#[derive(Debug, Clone, PartialEq)]
pub enum CollectionRef {
    /// `users` or `` `users` ``.
    Name(Ident),
    /// `@@coll`: the bind parameter `@coll` names the collection.
    Bind(Ident),
}

/// One high-level operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `FOR var IN source [OPTIONS {...}]`; `source` is a collection name
    /// ([`ExprKind::Name`]), `@@coll`, or any expression yielding an array.
    For { var: Ident, source: Expr, options: Option<Expr>, span: Span },
    /// `FILTER condition`.
    Filter { condition: Expr, span: Span },
    /// `LET var = value`.
    Let { var: Ident, value: Expr, span: Span },
    /// `SORT key [ASC|DESC], ...`.
    Sort { keys: Vec<SortKey>, span: Span },
    /// `LIMIT count` or `LIMIT offset, count`.
    Limit { offset: Option<Expr>, count: Expr, span: Span },
    /// `COLLECT ...` in any of its forms.
    Collect(Box<Collect>),
    /// `WINDOW [rangeValue WITH] {preceding, following} AGGREGATE ...`.
    Window(Box<Window>),
    /// `RETURN [DISTINCT] value`.
    Return { distinct: bool, value: Expr, span: Span },
    /// `INSERT doc INTO|IN coll [OPTIONS {...}]`.
    Insert { doc: Expr, collection: CollectionRef, options: Option<Expr>, span: Span },
    /// `UPDATE doc IN coll` or `UPDATE key WITH doc IN coll` (`replace` false), and the
    /// same for `REPLACE` (`replace` true).
    Update { key: Option<Expr>, doc: Expr, collection: CollectionRef, options: Option<Expr>, replace: bool, span: Span },
    /// `REMOVE key IN|INTO coll [OPTIONS {...}]`.
    Remove { key: Expr, collection: CollectionRef, options: Option<Expr>, span: Span },
    /// `UPSERT search INSERT insert UPDATE|REPLACE update IN|INTO coll [OPTIONS {...}]`.
    Upsert { search: Expr, insert: Expr, update: Expr, replace: bool, collection: CollectionRef, options: Option<Expr>, span: Span },
}

/// One key of `SORT`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The value sorted by.
    pub expr: Expr,
    /// `DESC` given.
    pub descending: bool,
}

/// `var = expr` in COLLECT / AGGREGATE / WINDOW.
#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    /// The variable introduced.
    pub var: Ident,
    /// Its value (for AGGREGATE: an aggregate function call such as `SUM(u.x)`).
    pub value: Expr,
}

/// What `COLLECT` puts into its group variable.
#[derive(Debug, Clone, PartialEq)]
pub enum CollectInto {
    /// `INTO var` (all variables of each row) or `INTO var = expr`.
    Group { var: Ident, value: Option<Expr> },
    /// `WITH COUNT INTO var`.
    Count(Ident),
}

/// `COLLECT [groups] [AGGREGATE aggs] [INTO ... | WITH COUNT INTO var] [KEEP vars] [OPTIONS {...}]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    /// `var = expr` grouping criteria; empty for `COLLECT WITH COUNT INTO` / `COLLECT AGGREGATE`.
    pub groups: Vec<Assign>,
    /// `AGGREGATE var = FUNC(expr), ...`.
    pub aggregates: Vec<Assign>,
    /// `INTO` or `WITH COUNT INTO`.
    pub into: Option<CollectInto>,
    /// `KEEP a, b`.
    pub keep: Vec<Ident>,
    /// `OPTIONS {...}`.
    pub options: Option<Expr>,
    /// The whole operation.
    pub span: Span,
}

/// `WINDOW [rangeValue WITH] { preceding: n, following: m } AGGREGATE var = FUNC(expr), ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The value a range-based window is over (`WINDOW t.time WITH {...}`); `None` for a
    /// row-based window.
    pub range_value: Option<Expr>,
    /// The `{ preceding, following }` object.
    pub bounds: Expr,
    /// `AGGREGATE` assignments.
    pub aggregates: Vec<Assign>,
    /// The whole operation.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!x`, `NOT x`.
    Not,
    /// `-x`.
    Neg,
    /// `+x`.
    Plus,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `||`, `OR`: returns one of its operands.
    Or,
    /// `&&`, `AND`: returns one of its operands.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `IN`.
    In,
    /// `NOT IN`.
    NotIn,
    /// `LIKE`.
    Like,
    /// `NOT LIKE`.
    NotLike,
    /// `=~`.
    RegexMatch,
    /// `!~`.
    RegexNotMatch,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Mod,
    /// `a..b`: the array of integers from a to b.
    Range,
}

/// The quantifier of an array comparison (`[1, 2] ALL IN [...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `ALL`.
    All,
    /// `ANY`.
    Any,
    /// `NONE`.
    None,
}

/// A key of an object literal.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// `name: v`, `"name": v` or the shorthand `{ name }` (value: the variable `name`).
    Name(String),
    /// `[expr]: v`, a computed key.
    Computed(Expr),
}

/// Inline operations of an array expansion: `a[* FILTER c LIMIT n RETURN p]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    /// The array expanded.
    pub base: Box<Expr>,
    /// Number of `*` minus one: `[*]` is 0, `[**]` flattens one level first, `[***]` two.
    pub flatten: u32,
    /// `FILTER cond` over `CURRENT`.
    pub filter: Option<Box<Expr>>,
    /// `LIMIT [offset,] count`.
    pub limit: Option<(Option<Box<Expr>>, Box<Expr>)>,
    /// `RETURN expr` over `CURRENT`.
    pub ret: Option<Box<Expr>>,
    /// Attribute and index accesses written after the brackets (`a[*].b.c`), as an
    /// expression over `CURRENT` applied to each element; `None` when nothing follows.
    pub projection: Option<Box<Expr>>,
}

/// Expression kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number literal (AQL numbers are doubles; `0x1F`, `0b101`, `1.5e3` accepted).
    Number(f64),
    /// A string literal, unescaped.
    String(String),
    /// `[a, b, ...]`.
    Array(Vec<Expr>),
    /// `{k: v, ...}` in the order written.
    Object(Vec<(ObjectKey, Expr)>),
    /// A bare name: a variable, or a collection where one is expected (`FOR x IN users`).
    /// `CURRENT` inside an expansion is the name `CURRENT`.
    Name(String),
    /// `@name`: a value bind parameter.
    Bind(String),
    /// `@@name`: a collection bind parameter.
    BindCollection(String),
    /// `base.name` (also `base["name"]` when the key is a string literal).
    Attribute(Box<Expr>, String),
    /// `base[index]`: array position (negative from the end) or computed attribute.
    Index(Box<Expr>, Box<Expr>),
    /// `base[*]...`.
    Expansion(Expansion),
    /// A unary operation.
    Unary(UnaryOp, Box<Expr>),
    /// A binary operation.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `lhs ALL|ANY|NONE op rhs`, `op` a comparison or `IN` / `NOT IN`.
    Quantified { quantifier: Quantifier, op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// `cond ? then : else`, or `cond ?: else` (`then` is `None`: the condition's value).
    Ternary { cond: Box<Expr>, then: Option<Box<Expr>>, otherwise: Box<Expr> },
    /// `NAME(args)`; `name` as written, possibly namespaced (`MY::FUNC`).
    Call { name: String, args: Vec<Expr> },
    /// `( query )`.
    Subquery(Box<Query>),
}
