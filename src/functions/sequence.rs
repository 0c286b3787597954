//! `nextval`, `currval`, `setval` and `lastval`.
//!
//! The functions are bound per statement (like the catalog functions) to the session:
//! the statement's system view resolves a sequence named by text (`nextval('s')`, through
//! the search path) and the regclass OID a serial column's default passes
//! (`nextval('public.t_id_seq'::regclass)`); the storage's sequence states hand out the
//! values; the session remembers the last value of each sequence for `currval` and
//! `lastval`. They are volatile, so DataFusion calls them once per row and never folds
//! them; a call over a batch draws the batch's values under one lock.

use crate::storage::Storage;
use datafusion::arrow::array::{ArrayRef, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility};
use parking_lot::Mutex;
use quiverdb_catalog::system::SystemView;
use quiverdb_catalog::{Error, ErrorCode, Oid, TableDef};
use std::collections::HashMap;
use std::sync::Arc;

/// The sequence functions, by name.
pub const NAMES: [&str; 4] = ["nextval", "currval", "setval", "lastval"];

/// What one session remembers of the sequences it used.
#[derive(Debug, Default)]
pub struct SessionSequences {
    inner: Mutex<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    /// The last value `nextval` (or `setval` with is_called) gave for each sequence.
    last: HashMap<Oid, i64>,
    /// The sequence `nextval` drew from most recently.
    latest: Option<Oid>,
}

/// What the functions of one statement reach.
#[derive(Debug, Clone)]
pub struct SequenceContext {
    pub storage: Arc<Storage>,
    pub view: Arc<SystemView>,
    pub session: Arc<SessionSequences>,
    /// Whether the transaction is read-only (nextval and setval are then 25006).
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Next,
    Curr,
    Set,
    Last,
}

/// The sequence function `name` (possibly `pg_catalog.`-qualified) bound to `ctx`.
pub fn udf(name: &str, ctx: impl FnOnce() -> Option<SequenceContext>) -> Option<Arc<ScalarUDF>> {
    let kind = match name.strip_prefix("pg_catalog.").unwrap_or(name) {
        "nextval" => Kind::Next,
        "currval" => Kind::Curr,
        "setval" => Kind::Set,
        "lastval" => Kind::Last,
        _ => return None,
    };
    let signature = match kind {
        Kind::Next | Kind::Curr => Signature::any(1, Volatility::Volatile),
        Kind::Set => Signature::one_of(vec![TypeSignature::Any(2), TypeSignature::Any(3)], Volatility::Volatile),
        Kind::Last => Signature::nullary(Volatility::Volatile),
    };
    Some(Arc::new(ScalarUDF::new_from_impl(SequenceFunction { kind, signature, ctx: ctx()?, bound: None })))
}

#[derive(Debug)]
struct SequenceFunction {
    kind: Kind,
    signature: Signature,
    ctx: SequenceContext,
    /// The sequence a constant argument named, resolved when the call is simplified: the
    /// call then has no arguments, because DataFusion takes any call whose arguments are
    /// all constant for a constant (and would drop `ORDER BY nextval('s')` as a no-op).
    bound: Option<Arc<TableDef>>,
}

impl PartialEq for SequenceFunction {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && Arc::ptr_eq(&self.ctx.view, &other.ctx.view)
            && self.bound.as_ref().map(|b| b.oid) == other.bound.as_ref().map(|b| b.oid)
    }
}

impl Eq for SequenceFunction {}

impl std::hash::Hash for SequenceFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
    }
}

impl ScalarUDFImpl for SequenceFunction {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Next => "nextval",
            Kind::Curr => "currval",
            Kind::Set => "setval",
            Kind::Last => "lastval",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let constant = match args.as_slice() {
            [Expr::Literal(v, _)] if !v.is_null() && self.bound.is_none() && matches!(self.kind, Kind::Next | Kind::Curr) => v.clone(),
            _ => return Ok(ExprSimplifyResult::Original(args)),
        };
        let seq = self.sequence(&constant)?;
        let bound = SequenceFunction {
            kind: self.kind,
            signature: Signature::nullary(Volatility::Volatile),
            ctx: self.ctx.clone(),
            bound: Some(seq),
        };
        Ok(ExprSimplifyResult::Simplified(Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(ScalarUDF::new_from_impl(bound)), vec![]))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows.max(1);
        if let Some(seq) = &self.bound {
            let values = match self.kind {
                Kind::Next => self.next(seq, rows)?,
                _ => vec![self.currval(seq)?; rows],
            };
            return Ok(ColumnarValue::Array(Arc::new(Int64Array::from(values))));
        }
        let out: ArrayRef = match (self.kind, args.args.as_slice()) {
            // The common case, a default or `nextval('s')` over many rows: one draw.
            (Kind::Next, [ColumnarValue::Scalar(name)]) => {
                if name.is_null() {
                    return Ok(ColumnarValue::Array(Arc::new(Int64Array::new_null(rows))));
                }
                let seq = self.sequence(name)?;
                Arc::new(Int64Array::from(self.next(&seq, rows)?))
            }
            (Kind::Last, []) => Arc::new(Int64Array::from(vec![self.lastval()?; rows])),
            (_, argv) => {
                let arrays = argv.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?;
                let mut values = Vec::with_capacity(rows);
                for row in 0..rows {
                    let row_args = arrays.iter().map(|a| ScalarValue::try_from_array(a, row)).collect::<Result<Vec<_>>>()?;
                    values.push(self.one(&row_args)?);
                }
                Arc::new(Int64Array::from(values))
            }
        };
        Ok(ColumnarValue::Array(out))
    }
}

impl SequenceFunction {
    /// The sequence an argument names: regclass OID or text (42P01 when missing, 42809
    /// when not a sequence).
    fn sequence(&self, arg: &ScalarValue) -> Result<Arc<TableDef>> {
        let view = &self.ctx.view;
        let oid: Oid = match arg {
            ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => view.regclass(s)?,
            other => match other.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(Some(v)) => {
                    Oid::try_from(v).map_err(|_| Error::new(ErrorCode::UndefinedTable, format!("could not open relation with OID {v}")))?
                }
                _ => return Err(Error::internal(format!("{}() needs a sequence name", self.name())).into()),
            },
        };
        if let Some(system) = quiverdb_catalog::system::by_oid(oid) {
            return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{}\" is not a sequence", system.name)).into());
        }
        let rel = view
            .snapshot
            .relation(oid)
            .filter(|r| r.database == view.database)
            .ok_or_else(|| Error::new(ErrorCode::UndefinedTable, format!("could not open relation with OID {oid}")))?;
        if !rel.is_sequence() {
            return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{}\" is not a sequence", rel.name)).into());
        }
        Ok(rel.clone())
    }

    fn writable(&self) -> Result<()> {
        if self.ctx.read_only {
            return Err(
                Error::new(ErrorCode::ReadOnlyTransaction, format!("cannot execute {}() in a read-only transaction", self.name())).into()
            );
        }
        Ok(())
    }

    fn next(&self, seq: &TableDef, n: usize) -> Result<Vec<i64>> {
        self.writable()?;
        let values = self.ctx.storage.sequences().next(seq, n)?;
        if let Some(&last) = values.last() {
            let mut remembered = self.ctx.session.inner.lock();
            remembered.last.insert(seq.oid, last);
            remembered.latest = Some(seq.oid);
        }
        Ok(values)
    }

    fn currval(&self, seq: &TableDef) -> Result<i64> {
        let remembered = self.ctx.session.inner.lock();
        let value = remembered.last.get(&seq.oid).copied().ok_or_else(|| {
            Error::new(
                ErrorCode::ObjectNotInPrerequisiteState,
                format!("currval of sequence \"{}\" is not yet defined in this session", seq.name),
            )
        })?;
        Ok(value)
    }

    fn lastval(&self) -> Result<i64> {
        let remembered = self.ctx.session.inner.lock();
        remembered
            .latest
            .and_then(|oid| remembered.last.get(&oid).copied())
            .ok_or_else(|| Error::new(ErrorCode::ObjectNotInPrerequisiteState, "lastval is not yet defined in this session").into())
    }

    /// One row's call (NULL arguments give NULL, as the functions are strict).
    fn one(&self, args: &[ScalarValue]) -> Result<Option<i64>> {
        if args.iter().any(ScalarValue::is_null) {
            return Ok(None);
        }
        let seq = self.sequence(&args[0])?;
        match self.kind {
            Kind::Next => Ok(self.next(&seq, 1)?.first().copied()),
            Kind::Curr => self.currval(&seq).map(Some),
            Kind::Set => {
                self.writable()?;
                let value = match args[1].cast_to(&DataType::Int64)? {
                    ScalarValue::Int64(Some(v)) => v,
                    _ => return Ok(None),
                };
                let called = match args.get(2) {
                    Some(ScalarValue::Boolean(Some(b))) => *b,
                    Some(_) => return Err(Error::new(ErrorCode::DatatypeMismatch, "setval()'s third argument must be boolean").into()),
                    None => true,
                };
                let def = seq.sequence.as_ref().ok_or_else(|| Error::internal("sequence without options"))?;
                let state = def.set(&seq.name, value, called)?;
                self.ctx.storage.sequences().set(&seq, state)?;
                if called {
                    self.ctx.session.inner.lock().last.insert(seq.oid, value);
                }
                Ok(Some(value))
            }
            Kind::Last => self.lastval().map(Some),
        }
    }
}
