//! Sequences: their definition (`CREATE SEQUENCE` options) and how a value is drawn.
//!
//! A sequence is a relation of kind [`RelationKind::Sequence`](crate::RelationKind) whose
//! [`TableDef::sequence`](crate::TableDef) holds a [`SequenceDef`]. Its definition is
//! transactional like any catalog object, but its *state* ([`SeqState`]: the last value
//! and whether it was handed out) is not: as in PostgreSQL, a value drawn by `nextval` is
//! never given out again, even when the transaction that drew it rolls back. The server
//! keeps the state outside the transaction machinery; this module only says what the next
//! state is, and checks options and bounds with PostgreSQL's messages.

use crate::error::{Error, ErrorCode, Result};
use crate::types::{Oid, SqlType};
use serde::{Deserialize, Serialize};

/// A sequence's options (`pg_sequence`), and the column that owns it (serial columns, `OWNED BY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceDef {
    /// `smallint`, `integer` or `bigint`.
    pub ty: SqlType,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The (table OID, attnum) whose column owns the sequence: dropping the column or the
    /// table drops the sequence.
    #[serde(default)]
    pub owned_by: Option<(Oid, i16)>,
}

/// Where a sequence stands: the last value drawn (or set), and whether it was drawn
/// (`false`: the next `nextval` returns `last` itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqState {
    pub last: i64,
    pub called: bool,
}

/// The options of one CREATE or ALTER SEQUENCE, as written (`None`: not mentioned;
/// `Some(None)` for MINVALUE/MAXVALUE: `NO MINVALUE`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SequenceOptions {
    pub ty: Option<SqlType>,
    pub increment: Option<i64>,
    pub min: Option<Option<i64>>,
    pub max: Option<Option<i64>>,
    pub start: Option<i64>,
    /// `RESTART` (`Some(None)`) or `RESTART WITH n` (ALTER only).
    pub restart: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
}

/// The range of values of a sequence type; `None` for other types.
fn type_range(ty: &SqlType) -> Option<(i64, i64)> {
    match ty {
        SqlType::Int2 => Some((i16::MIN as i64, i16::MAX as i64)),
        SqlType::Int4 => Some((i32::MIN as i64, i32::MAX as i64)),
        SqlType::Int8 => Some((i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// The bounds `NO MINVALUE` / `NO MAXVALUE` mean for a sequence of `ty` counting by
/// `increment`: 1 up to the type's maximum, or the type's minimum up to -1.
fn default_bounds(ty: &SqlType, increment: i64) -> (i64, i64) {
    let (lo, hi) = type_range(ty).unwrap_or((i64::MIN, i64::MAX));
    if increment > 0 { (1, hi) } else { (lo, -1) }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidParameterValue, message)
}

impl SequenceDef {
    /// A bigint sequence with PostgreSQL's defaults (1, 2, 3, ...).
    pub fn new() -> Self {
        SequenceDef { ty: SqlType::Int8, start: 1, increment: 1, min: 1, max: i64::MAX, cache: 1, cycle: false, owned_by: None }
    }

    /// Applies `opts` to this definition (CREATE applies them to [`SequenceDef::new`]),
    /// checking them as PostgreSQL does (22023, with its messages). Bounds that were the
    /// old type's or direction's defaults follow a new type or increment sign. Returns
    /// the state to restart at when the options ask for it (RESTART).
    pub fn apply(&mut self, opts: &SequenceOptions, creating: bool) -> Result<Option<SeqState>> {
        let (old_min, old_max) = default_bounds(&self.ty, self.increment);
        let min_was_default = creating || self.min == old_min;
        let max_was_default = creating || self.max == old_max;
        if let Some(ty) = &opts.ty {
            if type_range(ty).is_none() {
                return Err(invalid("sequence type must be smallint, integer, or bigint".into()));
            }
            self.ty = ty.clone();
        }
        let (lo, hi) = type_range(&self.ty).unwrap_or((i64::MIN, i64::MAX));
        if let Some(inc) = opts.increment {
            if inc == 0 {
                return Err(invalid("INCREMENT must not be zero".into()));
            }
            self.increment = inc;
        }
        let ascending = self.increment > 0;
        let (default_min, default_max) = default_bounds(&self.ty, self.increment);
        self.min = match opts.min {
            Some(Some(v)) => v,
            Some(None) => default_min,
            None if min_was_default || opts.ty.is_some() && self.min < lo => default_min,
            None => self.min,
        };
        self.max = match opts.max {
            Some(Some(v)) => v,
            Some(None) => default_max,
            None if max_was_default || opts.ty.is_some() && self.max > hi => default_max,
            None => self.max,
        };
        let name = self.ty.display_name();
        if self.max < lo || self.max > hi {
            return Err(invalid(format!("MAXVALUE ({}) is out of range for sequence data type {name}", self.max)));
        }
        if self.min < lo || self.min > hi {
            return Err(invalid(format!("MINVALUE ({}) is out of range for sequence data type {name}", self.min)));
        }
        if self.min >= self.max {
            return Err(invalid(format!("MINVALUE ({}) must be less than MAXVALUE ({})", self.min, self.max)));
        }
        match opts.start {
            Some(s) => self.start = s,
            None if creating => self.start = if ascending { self.min } else { self.max },
            None => {}
        }
        if self.start < self.min {
            return Err(invalid(format!("START value ({}) cannot be less than MINVALUE ({})", self.start, self.min)));
        }
        if self.start > self.max {
            return Err(invalid(format!("START value ({}) cannot be greater than MAXVALUE ({})", self.start, self.max)));
        }
        if let Some(cache) = opts.cache {
            if cache <= 0 {
                return Err(invalid(format!("CACHE ({cache}) must be greater than zero")));
            }
            self.cache = cache;
        }
        if let Some(cycle) = opts.cycle {
            self.cycle = cycle;
        }
        let Some(restart) = opts.restart else { return Ok(None) };
        let at = restart.unwrap_or(self.start);
        if at < self.min {
            return Err(invalid(format!("RESTART value ({at}) cannot be less than MINVALUE ({})", self.min)));
        }
        if at > self.max {
            return Err(invalid(format!("RESTART value ({at}) cannot be greater than MAXVALUE ({})", self.max)));
        }
        Ok(Some(SeqState { last: at, called: false }))
    }

    /// The state of a new (or restarted) sequence.
    pub fn initial(&self) -> SeqState {
        SeqState { last: self.start, called: false }
    }

    /// The value `nextval` returns in state `state`, and the state after it. Past a bound
    /// a cycling sequence starts over at the other one; otherwise it is 2200H.
    pub fn next(&self, name: &str, state: SeqState) -> Result<(i64, SeqState)> {
        if !state.called {
            return Ok((state.last, SeqState { last: state.last, called: true }));
        }
        let next = state.last.checked_add(self.increment).filter(|v| (self.min..=self.max).contains(v));
        let value = match next {
            Some(v) => v,
            None if self.cycle => {
                if self.increment > 0 {
                    self.min
                } else {
                    self.max
                }
            }
            None => {
                let (which, bound) = if self.increment > 0 { ("maximum", self.max) } else { ("minimum", self.min) };
                return Err(Error::new(
                    ErrorCode::SequenceGeneratorLimitExceeded,
                    format!("nextval: reached {which} value of sequence \"{name}\" ({bound})"),
                ));
            }
        };
        Ok((value, SeqState { last: value, called: true }))
    }

    /// The state after `n` more values are drawn from `state` (or the first error), and
    /// the values. Used to reserve values ahead before the state is persisted.
    pub fn advance(&self, name: &str, mut state: SeqState, n: usize) -> Result<(Vec<i64>, SeqState)> {
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            let (v, s) = self.next(name, state)?;
            values.push(v);
            state = s;
        }
        Ok((values, state))
    }

    /// The state `setval(name, value, called)` sets, if `value` is within bounds (22003
    /// otherwise, with PostgreSQL's message).
    pub fn set(&self, name: &str, value: i64, called: bool) -> Result<SeqState> {
        if value < self.min || value > self.max {
            return Err(Error::new(
                ErrorCode::NumericValueOutOfRange,
                format!("setval: value {value} is out of bounds for sequence \"{name}\" ({}..{})", self.min, self.max),
            ));
        }
        Ok(SeqState { last: value, called })
    }
}

/// The default of a column drawing from sequence `name` of schema `schema`
/// (`nextval('schema.name'::regclass)`, qualified so that it does not depend on the
/// search path; the system views print it as PostgreSQL would, see
/// `system::describe::default_expr`).
pub fn nextval_default(schema: &str, name: &str) -> String {
    let qualified = format!("{}.{}", crate::ident::quote_ident(schema), crate::ident::quote_ident(name));
    format!("nextval('{}'::regclass)", qualified.replace('\'', "''"))
}

/// `default` with calls of `nextval` on sequence `schema.old` renamed to `schema.new`;
/// `None` when it does not call it.
pub fn renamed_in_default(default: &str, schema: &str, old: &str, new: &str) -> Option<String> {
    let from = nextval_default(schema, old);
    default.contains(&from).then(|| default.replace(&from, &nextval_default(schema, new)))
}

impl Default for SequenceDef {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(opts: SequenceOptions) -> Result<SequenceDef> {
        let mut def = SequenceDef::new();
        def.apply(&opts, true)?;
        Ok(def)
    }

    #[test]
    fn defaults_follow_type_and_direction() {
        let up = created(SequenceOptions { ty: Some(SqlType::Int4), ..Default::default() }).unwrap();
        assert_eq!((up.min, up.max, up.start), (1, i32::MAX as i64, 1));
        let down = created(SequenceOptions { increment: Some(-1), ..Default::default() }).unwrap();
        assert_eq!((down.min, down.max, down.start), (i64::MIN, -1, -1));
    }

    #[test]
    fn bad_options_use_postgres_messages() {
        let err = |o: SequenceOptions| created(o).unwrap_err().message;
        assert_eq!(err(SequenceOptions { increment: Some(0), ..Default::default() }), "INCREMENT must not be zero");
        assert_eq!(
            err(SequenceOptions { ty: Some(SqlType::Int2), max: Some(Some(40000)), ..Default::default() }),
            "MAXVALUE (40000) is out of range for sequence data type smallint"
        );
        assert_eq!(
            err(SequenceOptions { min: Some(Some(10)), max: Some(Some(5)), ..Default::default() }),
            "MINVALUE (10) must be less than MAXVALUE (5)"
        );
        assert_eq!(err(SequenceOptions { start: Some(0), ..Default::default() }), "START value (0) cannot be less than MINVALUE (1)");
        assert_eq!(err(SequenceOptions { cache: Some(0), ..Default::default() }), "CACHE (0) must be greater than zero");
        assert_eq!(
            err(SequenceOptions { ty: Some(SqlType::Text), ..Default::default() }),
            "sequence type must be smallint, integer, or bigint"
        );
    }

    #[test]
    fn values_stop_or_cycle_at_the_bounds() {
        let def = created(SequenceOptions { max: Some(Some(3)), ..Default::default() }).unwrap();
        let (values, state) = def.advance("s", def.initial(), 3).unwrap();
        assert_eq!(values, vec![1, 2, 3]);
        let e = def.next("s", state).unwrap_err();
        assert_eq!(e.code, ErrorCode::SequenceGeneratorLimitExceeded);
        assert_eq!(e.message, "nextval: reached maximum value of sequence \"s\" (3)");
        let cyc = created(SequenceOptions { max: Some(Some(2)), cycle: Some(true), ..Default::default() }).unwrap();
        assert_eq!(cyc.advance("c", cyc.initial(), 5).unwrap().0, vec![1, 2, 1, 2, 1]);
        let down = created(SequenceOptions { increment: Some(-5), min: Some(Some(-12)), ..Default::default() }).unwrap();
        assert_eq!(down.advance("d", down.initial(), 3).unwrap().0, vec![-1, -6, -11]);
        assert!(down.next("d", SeqState { last: -11, called: true }).unwrap_err().message.contains("minimum value"));
    }

    #[test]
    fn alter_keeps_explicit_bounds_and_moves_default_ones() {
        let mut def = created(SequenceOptions { ty: Some(SqlType::Int4), ..Default::default() }).unwrap();
        def.apply(&SequenceOptions { ty: Some(SqlType::Int8), ..Default::default() }, false).unwrap();
        assert_eq!(def.max, i64::MAX);
        let mut def = created(SequenceOptions { max: Some(Some(100)), ..Default::default() }).unwrap();
        let restart = def.apply(&SequenceOptions { restart: Some(Some(50)), ..Default::default() }, false).unwrap();
        assert_eq!(def.max, 100);
        assert_eq!(restart, Some(SeqState { last: 50, called: false }));
        let e = def.apply(&SequenceOptions { restart: Some(Some(500)), ..Default::default() }, false).unwrap_err();
        assert_eq!(e.message, "RESTART value (500) cannot be greater than MAXVALUE (100)");
    }

    #[test]
    fn defaults_name_the_sequence_qualified() {
        assert_eq!(nextval_default("public", "t_id_seq"), "nextval('public.t_id_seq'::regclass)");
        assert_eq!(nextval_default("My", "it's"), "nextval('\"My\".\"it''s\"'::regclass)");
        let d = nextval_default("public", "a");
        assert_eq!(renamed_in_default(&d, "public", "a", "b").as_deref(), Some("nextval('public.b'::regclass)"));
        assert_eq!(renamed_in_default(&d, "public", "x", "b"), None);
    }

    #[test]
    fn setval_checks_bounds() {
        let def = SequenceDef::new();
        assert_eq!(def.set("s", 10, true).unwrap(), SeqState { last: 10, called: true });
        assert_eq!(
            def.set("s", 0, true).unwrap_err().message,
            "setval: value 0 is out of bounds for sequence \"s\" (1..9223372036854775807)"
        );
    }
}
