//! Catalog-aware SQL functions, bound to one statement's [`SystemView`].
//!
//! The planner asks [`udf`] before the engine's function registry, so these also replace
//! DataFusion's own `version()`. Names may be qualified with `pg_catalog.`. The reg* casts
//! (`'t'::regclass`, `oid::regtype::text`) reach here as calls of `quiver_regclass`,
//! `quiver_regclass_name`, ... (see the SQL frontend's cast rewrite): the first form gives
//! the OID and fails on an unknown name as PostgreSQL does (42P01, 42704, 3F000); the
//! `_name` form gives the name PostgreSQL would print for the OID.
//!
//! Privilege checks answer true: every session is the superuser until roles exist.

use super::describe::{constraintdef, indexdef, viewdef};
use super::relations::{constraints_of, index_by_oid, indexes_of, relations};
use super::{SystemView, pg_types};
use crate::error::{Error, ErrorCode};
use crate::ident::quote_ident;
use crate::types::{Oid, SqlType};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Result type of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Out {
    Bool,
    Text,
    Oid,
    Int4,
    TextArray,
    Timestamptz,
}

impl Out {
    fn sql_type(self) -> SqlType {
        match self {
            Out::Bool => SqlType::Bool,
            Out::Text => SqlType::Text,
            Out::Oid => SqlType::Oid,
            Out::Int4 => SqlType::Int4,
            Out::TextArray => SqlType::Array(Box::new(SqlType::Text)),
            Out::Timestamptz => SqlType::Timestamptz,
        }
    }
}

/// name, fewest and most arguments, result type.
const FUNCTIONS: &[(&str, usize, usize, Out)] = &[
    ("pg_table_is_visible", 1, 1, Out::Bool),
    ("pg_type_is_visible", 1, 1, Out::Bool),
    ("pg_collation_is_visible", 1, 1, Out::Bool),
    ("pg_function_is_visible", 1, 1, Out::Bool),
    ("pg_get_userbyid", 1, 1, Out::Text),
    ("pg_get_serial_sequence", 2, 2, Out::Text),
    ("format_type", 2, 2, Out::Text),
    ("pg_get_expr", 2, 3, Out::Text),
    ("pg_get_indexdef", 1, 3, Out::Text),
    ("pg_get_constraintdef", 1, 2, Out::Text),
    ("pg_get_viewdef", 1, 2, Out::Text),
    ("obj_description", 1, 2, Out::Text),
    ("col_description", 2, 2, Out::Text),
    ("shobj_description", 2, 2, Out::Text),
    ("has_table_privilege", 2, 3, Out::Bool),
    ("has_schema_privilege", 2, 3, Out::Bool),
    ("has_database_privilege", 2, 3, Out::Bool),
    ("has_any_column_privilege", 2, 3, Out::Bool),
    ("has_column_privilege", 3, 4, Out::Bool),
    ("has_function_privilege", 2, 3, Out::Bool),
    ("has_sequence_privilege", 2, 3, Out::Bool),
    ("pg_has_role", 2, 3, Out::Bool),
    ("pg_encoding_to_char", 1, 1, Out::Text),
    ("pg_relation_is_publishable", 1, 1, Out::Bool),
    ("pg_get_statisticsobjdef_columns", 1, 1, Out::Text),
    ("pg_get_function_result", 1, 1, Out::Text),
    ("pg_get_partkeydef", 1, 1, Out::Text),
    ("pg_get_function_arguments", 1, 1, Out::Text),
    ("pg_get_function_identity_arguments", 1, 1, Out::Text),
    ("current_schemas", 1, 1, Out::TextArray),
    ("current_schema", 0, 0, Out::Text),
    ("current_database", 0, 0, Out::Text),
    ("current_catalog", 0, 0, Out::Text),
    ("current_user", 0, 0, Out::Text),
    ("session_user", 0, 0, Out::Text),
    ("current_role", 0, 0, Out::Text),
    ("user", 0, 0, Out::Text),
    ("pg_backend_pid", 0, 0, Out::Int4),
    ("pg_postmaster_start_time", 0, 0, Out::Timestamptz),
    ("current_setting", 1, 2, Out::Text),
    ("version", 0, 0, Out::Text),
    ("to_regclass", 1, 1, Out::Oid),
    ("to_regtype", 1, 1, Out::Oid),
    ("to_regnamespace", 1, 1, Out::Oid),
    ("quiver_regclass", 1, 1, Out::Oid),
    ("quiver_regclass_name", 1, 1, Out::Text),
    ("quiver_regtype", 1, 1, Out::Oid),
    ("quiver_regtype_name", 1, 1, Out::Text),
    ("quiver_regnamespace", 1, 1, Out::Oid),
    ("quiver_regnamespace_name", 1, 1, Out::Text),
    ("quiver_regrole", 1, 1, Out::Oid),
    ("quiver_regrole_name", 1, 1, Out::Text),
];

/// The function `name` (possibly `pg_catalog.`-qualified) over the view `view` gives, if
/// it is one of these (`view` is asked only then).
pub fn udf(name: &str, view: impl FnOnce() -> Option<Arc<SystemView>>) -> Option<Arc<ScalarUDF>> {
    let bare = name.strip_prefix("pg_catalog.").unwrap_or(name);
    let &(name, min, max, out) = FUNCTIONS.iter().find(|(n, ..)| *n == bare)?;
    let view = view()?;
    let signature = match (min, max) {
        (0, 0) => Signature::nullary(Volatility::Stable),
        (0, _) => Signature::one_of(vec![TypeSignature::Nullary, TypeSignature::VariadicAny], Volatility::Stable),
        _ => Signature::variadic_any(Volatility::Stable),
    };
    Some(Arc::new(ScalarUDF::new_from_impl(CatalogFunction { name, min, max, out, signature, view })))
}

/// The names of these functions.
pub fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(n, ..)| *n)
}

/// Each of these functions and its argument count when it takes exactly one count.
pub fn arities() -> impl Iterator<Item = (&'static str, Option<i16>)> {
    FUNCTIONS.iter().map(|&(n, min, max, _)| (n, (min == max).then_some(min as i16)))
}

#[derive(Debug)]
struct CatalogFunction {
    name: &'static str,
    min: usize,
    max: usize,
    out: Out,
    signature: Signature,
    view: Arc<SystemView>,
}

impl PartialEq for CatalogFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.view, &other.view)
    }
}

impl Eq for CatalogFunction {}

impl Hash for CatalogFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for CatalogFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.out.sql_type().to_arrow())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let n = args.arg_fields.len();
        if n < self.min || n > self.max {
            return Err(Error::new(ErrorCode::UndefinedFunction, format!("function {}() does not take {n} arguments", self.name))
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                .into());
        }
        Ok(Arc::new(self.out.sql_type().to_field(self.name, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?;
        let mut values = Vec::with_capacity(rows);
        for row in 0..rows {
            let argv = arrays.iter().map(|a| ScalarValue::try_from_array(a, row)).collect::<Result<Vec<_>>>()?;
            values.push(self.eval(&argv)?);
        }
        let field = self.out.sql_type().to_field("", true);
        let typed: Vec<ScalarValue> = values.into_iter().map(|v| to_scalar(v, field.data_type())).collect::<Result<_>>()?;
        if all_scalar {
            return Ok(ColumnarValue::Scalar(typed.into_iter().next().unwrap_or(ScalarValue::Null)));
        }
        // A filter pushed onto an empty table calls us with no rows.
        if typed.is_empty() {
            return Ok(ColumnarValue::Array(datafusion::arrow::array::new_empty_array(field.data_type())));
        }
        Ok(ColumnarValue::Array(ScalarValue::iter_to_array(typed)?))
    }
}

impl SystemView {
    /// The OID `'name'::regclass` gives: the relation (or index) found through the search
    /// path, or in the schema the name is qualified with (42P01 when there is none).
    pub fn regclass(&self, name: &str) -> Result<Oid> {
        let view = self;
        let parts = name_parts(name);
        let (schemas, rel) = match parts.as_slice() {
            [rel] => (view.effective_path(), rel.clone()),
            [schema, rel] => (vec![schema.clone()], rel.clone()),
            [_, schema, rel] => (vec![schema.clone()], rel.clone()),
            _ => return Err(Error::new(ErrorCode::InvalidName, format!("improper relation name (too many dotted names): {name}")).into()),
        };
        for schema in &schemas {
            if let Some(oid) = self.relation_in(schema, &rel) {
                return Ok(oid);
            }
        }
        Err(Error::new(ErrorCode::UndefinedTable, format!("relation \"{name}\" does not exist")).into())
    }

    /// The OID of relation or index `name` in schema `schema`.
    pub fn relation_in(&self, schema: &str, name: &str) -> Option<Oid> {
        let view = self;
        if let Some(t) = super::lookup(Some(schema), name) {
            return Some(t.oid);
        }
        let schema_oid = view.schema_oid(schema)?;
        if let Some(t) = view.snapshot.relation_by_name(schema_oid, name) {
            return Some(t.oid);
        }
        // Indexes share the relations' names but are not in the name map.
        relations(view).filter(|t| t.schema == schema_oid).find_map(|t| indexes_of(t).into_iter().find(|i| i.name == name).map(|i| i.oid))
    }
}

/// A function's result before it is typed.
enum Val {
    Null,
    Bool(bool),
    Text(String),
    Int(i64),
    Texts(Vec<String>),
}

fn to_scalar(v: Val, dt: &DataType) -> Result<ScalarValue> {
    Ok(match (v, dt) {
        (Val::Null, dt) => ScalarValue::try_from(dt)?,
        (Val::Bool(b), _) => ScalarValue::Boolean(Some(b)),
        (Val::Text(s), _) => ScalarValue::Utf8(Some(s)),
        (Val::Int(i), DataType::UInt32) => ScalarValue::UInt32(Some(i as u32)),
        (Val::Int(i), DataType::Int32) => ScalarValue::Int32(Some(i as i32)),
        (Val::Int(i), DataType::Timestamp(unit, tz)) => ScalarValue::Int64(Some(i)).cast_to(&DataType::Timestamp(*unit, tz.clone()))?,
        (Val::Int(i), _) => ScalarValue::Int64(Some(i)),
        (Val::Texts(items), DataType::List(field)) => {
            let values: Vec<ScalarValue> = items.into_iter().map(|s| ScalarValue::Utf8(Some(s))).collect();
            ScalarValue::List(ScalarValue::new_list_nullable(&values, field.data_type()))
        }
        (Val::Texts(_), other) => return Err(Error::internal(format!("a text array cannot be a {other} result")).into()),
    })
}

fn int(v: &ScalarValue) -> Option<i64> {
    match v {
        ScalarValue::Int8(Some(i)) => Some((*i).into()),
        ScalarValue::Int16(Some(i)) => Some((*i).into()),
        ScalarValue::Int32(Some(i)) => Some((*i).into()),
        ScalarValue::Int64(Some(i)) => Some(*i),
        ScalarValue::UInt8(Some(i)) => Some((*i).into()),
        ScalarValue::UInt16(Some(i)) => Some((*i).into()),
        ScalarValue::UInt32(Some(i)) => Some((*i).into()),
        ScalarValue::UInt64(Some(i)) => i64::try_from(*i).ok(),
        _ => None,
    }
}

fn text(v: &ScalarValue) -> Option<String> {
    v.try_as_str().flatten().map(str::to_string)
}

/// Splits a possibly qualified, possibly quoted name (`public."My T"`) into its parts,
/// folding unquoted parts to lower case.
pub(crate) fn name_parts(name: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let mut chars = name.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                parts.last_mut().expect("a part").push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c if quoted => parts.last_mut().expect("a part").push(c),
            c => parts.last_mut().expect("a part").push(c.to_ascii_lowercase()),
        }
    }
    parts
}

impl CatalogFunction {
    fn eval(&self, args: &[ScalarValue]) -> Result<Val> {
        let view = &*self.view;
        let arg_oid = |i: usize| args.get(i).and_then(int).map(|o| o as Oid);
        let strict_null = self.min > 0 && args.first().is_some_and(ScalarValue::is_null) && !self.name.starts_with("has_");
        if strict_null {
            return Ok(Val::Null);
        }
        Ok(match self.name {
            "pg_table_is_visible" => arg_oid(0).map(|o| Val::Bool(self.relation_visible(o))).unwrap_or(Val::Null),
            "pg_type_is_visible" => Val::Bool(arg_oid(0).and_then(pg_types::by_oid).is_some()),
            // Collations and functions all live in pg_catalog, which is always searched.
            "pg_collation_is_visible" | "pg_function_is_visible" => Val::Bool(true),
            "pg_get_userbyid" => match arg_oid(0) {
                Some(o) => Val::Text(view.snapshot.role(o).map(|r| r.name.clone()).unwrap_or_else(|| format!("unknown (OID={o})"))),
                None => Val::Null,
            },
            "pg_get_serial_sequence" => {
                let (Some(table), Some(column)) = (args.first().and_then(text), args.get(1).and_then(text)) else {
                    return Ok(Val::Null);
                };
                let Some(rel) = view.snapshot.relation(view.regclass(&table)?) else {
                    return Ok(Val::Null);
                };
                // The column name is taken literally (not case-folded), as in PostgreSQL.
                let col = rel.column(&column).ok_or_else(|| {
                    Error::new(ErrorCode::UndefinedColumn, format!("column \"{column}\" of relation \"{}\" does not exist", rel.name))
                })?;
                let owned = rel
                    .owned_sequences(&view.snapshot)
                    .find(|s| s.sequence.as_ref().and_then(|d| d.owned_by) == Some((rel.oid, col.attnum)));
                match owned.and_then(|s| Some(format!("{}.{}", quote_ident(&view.schema_name(s.schema)?), quote_ident(&s.name)))) {
                    Some(name) => Val::Text(name),
                    None => Val::Null,
                }
            }
            "format_type" => match arg_oid(0) {
                Some(o) => Val::Text(pg_types::format_type(o, args.get(1).and_then(int).map(|m| m as i32))),
                None => Val::Null,
            },
            "pg_get_expr" => args.first().and_then(text).map(Val::Text).unwrap_or(Val::Null),
            "pg_get_indexdef" => match arg_oid(0).and_then(|o| index_by_oid(view, o)) {
                Some((t, i)) => {
                    let pretty = matches!(args.get(2), Some(ScalarValue::Boolean(Some(true))));
                    let unqualified = pretty && self.relation_visible(t.oid);
                    Val::Text(indexdef(view, t, &i, args.get(1).and_then(int).unwrap_or(0) as i32, unqualified))
                }
                None => Val::Null,
            },
            "pg_get_constraintdef" => {
                let oid = arg_oid(0);
                relations(view)
                    .find_map(|t| constraints_of(t).into_iter().find(|c| Some(c.oid) == oid).map(|c| constraintdef(t, &c)))
                    .map(Val::Text)
                    .unwrap_or(Val::Null)
            }
            "pg_get_viewdef" => {
                let oid = match args.first().and_then(text) {
                    Some(name) => Some(self.view.regclass(&name)?),
                    None => arg_oid(0),
                };
                oid.and_then(|o| view.snapshot.relation(o)).and_then(|t| viewdef(t)).map(Val::Text).unwrap_or(Val::Null)
            }
            "obj_description" | "col_description" | "shobj_description" | "pg_get_statisticsobjdef_columns" => Val::Null,
            // Argument and result types of functions are not modelled (see `procs`).
            "pg_get_function_result" | "pg_get_function_arguments" | "pg_get_function_identity_arguments" => Val::Null,
            // No table is partitioned.
            "pg_get_partkeydef" => Val::Null,
            "pg_relation_is_publishable" => Val::Bool(false),
            n if n.starts_with("has_") || n == "pg_has_role" => Val::Bool(true),
            "pg_encoding_to_char" => Val::Text(
                match args.first().and_then(int) {
                    Some(6) => "UTF8",
                    Some(0) => "SQL_ASCII",
                    _ => "",
                }
                .to_string(),
            ),
            "current_schemas" => {
                let implicit = args.first().is_some_and(|a| matches!(a, ScalarValue::Boolean(Some(true))));
                Val::Texts(if implicit { view.effective_path() } else { view.search_path.clone() })
            }
            "current_schema" => view.search_path.first().cloned().map(Val::Text).unwrap_or(Val::Null),
            "current_database" | "current_catalog" => Val::Text(view.database_name()),
            "current_user" | "session_user" | "current_role" | "user" => Val::Text(view.user.clone()),
            "pg_backend_pid" => Val::Int(view.pid.into()),
            "pg_postmaster_start_time" => Val::Int(view.started_micros),
            "current_setting" => {
                let name = args.first().and_then(text).unwrap_or_default();
                let missing_ok = args.get(1).is_some_and(|a| matches!(a, ScalarValue::Boolean(Some(true))));
                match view.setting(&name) {
                    Some(v) => Val::Text(v.to_string()),
                    None if missing_ok => Val::Null,
                    None => {
                        return Err(
                            Error::new(ErrorCode::UndefinedObject, format!("unrecognized configuration parameter \"{name}\"")).into()
                        );
                    }
                }
            }
            "version" => Val::Text(format!(
                "PostgreSQL {} on {}-linux, compiled by rustc (QuiverDB {})",
                view.setting("server_version").unwrap_or("15.0"),
                std::env::consts::ARCH,
                env!("CARGO_PKG_VERSION")
            )),
            "to_regclass" => {
                args.first().and_then(text).and_then(|n| self.view.regclass(&n).ok()).map(|o| Val::Int(o.into())).unwrap_or(Val::Null)
            }
            "to_regtype" => args.first().and_then(text).and_then(|n| regtype(&n).ok()).map(|o| Val::Int(o.into())).unwrap_or(Val::Null),
            "to_regnamespace" => {
                args.first().and_then(text).and_then(|n| self.regnamespace(&n).ok()).map(|o| Val::Int(o.into())).unwrap_or(Val::Null)
            }
            "quiver_regclass" => Val::Int(self.reg(args, |s| self.view.regclass(s))?.into()),
            "quiver_regtype" => Val::Int(self.reg(args, regtype)?.into()),
            "quiver_regnamespace" => Val::Int(self.reg(args, |s| self.regnamespace(s))?.into()),
            "quiver_regrole" => Val::Int(self.reg(args, |s| self.regrole(s))?.into()),
            "quiver_regclass_name" => {
                let oid = self.reg(args, |s| self.view.regclass(s))?;
                Val::Text(self.relation_name(oid).unwrap_or_else(|| oid.to_string()))
            }
            "quiver_regtype_name" => {
                let oid = self.reg(args, regtype)?;
                Val::Text(pg_types::by_oid(oid).map(|_| pg_types::format_type(oid, None)).unwrap_or_else(|| oid.to_string()))
            }
            "quiver_regnamespace_name" => {
                let oid = self.reg(args, |s| self.regnamespace(s))?;
                Val::Text(view.schema_name(oid).map(|s| quote_ident(&s)).unwrap_or_else(|| oid.to_string()))
            }
            "quiver_regrole_name" => {
                let oid = self.reg(args, |s| self.regrole(s))?;
                Val::Text(view.snapshot.role(oid).map(|r| quote_ident(&r.name)).unwrap_or_else(|| oid.to_string()))
            }
            other => return Err(Error::internal(format!("catalog function {other} has no implementation")).into()),
        })
    }

    /// The OID a reg* cast's argument names: a number is taken as is, text is looked up.
    fn reg(&self, args: &[ScalarValue], lookup: impl Fn(&str) -> Result<Oid>) -> Result<Oid> {
        let arg = args.first().cloned().unwrap_or(ScalarValue::Null);
        if let Some(o) = int(&arg) {
            return Ok(o as Oid);
        }
        let name = text(&arg).unwrap_or_default();
        if let Ok(o) = name.trim().parse::<Oid>() {
            return Ok(o);
        }
        lookup(&name)
    }

    /// The relation (or index) `name` through the search path: `regclass` input.
    /// The schema and name of relation (or index) `oid`.
    fn relation_schema_name(&self, oid: Oid) -> Option<(String, String)> {
        let view = &*self.view;
        if let Some(t) = super::by_oid(oid) {
            return Some((t.schema.to_string(), t.name.to_string()));
        }
        if let Some(t) = view.snapshot.relation(oid).filter(|t| t.database == view.database) {
            return Some((view.schema_name(t.schema)?, t.name.clone()));
        }
        let (t, i) = index_by_oid(view, oid)?;
        Some((view.schema_name(t.schema)?, i.name.to_string()))
    }

    /// `regclass` output: the name, schema-qualified when the search path would not find it.
    fn relation_name(&self, oid: Oid) -> Option<String> {
        let (schema, name) = self.relation_schema_name(oid)?;
        if self.relation_visible(oid) { Some(quote_ident(&name)) } else { Some(format!("{}.{}", quote_ident(&schema), quote_ident(&name))) }
    }

    /// Whether relation `oid` is the one its unqualified name finds.
    fn relation_visible(&self, oid: Oid) -> bool {
        let Some((_, name)) = self.relation_schema_name(oid) else {
            return false;
        };
        self.view.effective_path().iter().find_map(|s| self.view.relation_in(s, &name)) == Some(oid)
    }

    fn regnamespace(&self, name: &str) -> Result<Oid> {
        let parts = name_parts(name);
        let schema = parts.first().cloned().unwrap_or_default();
        self.view
            .schema_oid(&schema)
            .ok_or_else(|| Error::new(ErrorCode::UndefinedSchema, format!("schema \"{name}\" does not exist")).into())
    }

    fn regrole(&self, name: &str) -> Result<Oid> {
        let parts = name_parts(name);
        if let [role] = parts.as_slice()
            && let Some(r) = self.view.snapshot.role_by_name(role)
        {
            return Ok(r.oid);
        }
        Err(Error::new(ErrorCode::UndefinedObject, format!("role \"{name}\" does not exist")).into())
    }
}

/// The type `name` names: `regtype` input (`integer`, `int4`, `pg_catalog.text`, `int[]`).
fn regtype(name: &str) -> Result<Oid> {
    let trimmed = name.trim();
    let bare = trimmed.strip_prefix("pg_catalog.").unwrap_or(trimmed);
    let (base, array) = match bare.strip_suffix("[]") {
        Some(b) => (b, true),
        None => (bare, false),
    };
    let base = base.split('(').next().unwrap_or(base).trim();
    let found = pg_types::by_name(base).map(|t| if array { t.array } else { t.oid }).filter(|o| *o != 0);
    found.ok_or_else(|| Error::new(ErrorCode::UndefinedObject, format!("type \"{name}\" does not exist")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_dots_and_fold_unquoted_parts() {
        assert_eq!(name_parts("public.T"), vec!["public", "t"]);
        assert_eq!(name_parts("\"My.T\""), vec!["My.T"]);
        assert_eq!(name_parts("s.\"a\"\"b\""), vec!["s", "a\"b"]);
    }

    #[test]
    fn type_names_resolve_with_arrays_and_modifiers() {
        assert_eq!(regtype("integer").unwrap(), 23);
        assert_eq!(regtype("pg_catalog.text").unwrap(), 25);
        assert_eq!(regtype("int4[]").unwrap(), 1007);
        assert_eq!(regtype("character varying(10)").unwrap(), 1043);
        assert!(regtype("nosuchtype").is_err());
    }
}
