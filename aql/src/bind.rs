//! Bind parameters: `@name` values and `@@name` collections, from one JSON object.
//!
//! As in ArangoDB, a collection parameter's key in the object starts with `@`
//! (`{"@coll": "users"}` for `@@coll`). A parameter the query uses but the object lacks is
//! an error, and so is a key the query never uses.

use crate::error::Position;
use quiverdb_catalog::{Error, ErrorCode};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeSet;

/// The bind parameters of one query and which of them were used.
pub struct BindVars {
    values: Map<String, Value>,
    used: RefCell<BTreeSet<String>>,
}

impl BindVars {
    /// Parses the bind object's text (`None` or SQL NULL: no parameters). Anything but a
    /// JSON object is a 22023 error.
    pub fn parse(text: Option<&str>) -> Result<Self, Error> {
        let values = match text {
            None => Map::new(),
            Some(t) => match serde_json::from_str::<Value>(t) {
                Ok(Value::Object(m)) => m,
                Ok(Value::Null) => Map::new(),
                Ok(_) => return Err(Error::new(ErrorCode::InvalidParameterValue, "bind parameters must be a JSON object")),
                Err(e) => return Err(Error::new(ErrorCode::InvalidTextRepresentation, format!("invalid bind parameters: {e}"))),
            },
        };
        Ok(BindVars { values, used: RefCell::new(BTreeSet::new()) })
    }

    /// The value of `@name`; 42P02 naming the parameter and its position when missing.
    pub fn value(&self, name: &str, at: Position) -> Result<&Value, Error> {
        self.used.borrow_mut().insert(name.to_string());
        self.values.get(name).ok_or_else(|| {
            Error::new(ErrorCode::UndefinedParameter, format!("no value specified for declared bind parameter '{name}' at position {at}"))
        })
    }

    /// The collection name of `@@name` (the object's key `@name`); it must be a string.
    pub fn collection(&self, name: &str, at: Position) -> Result<String, Error> {
        let key = format!("@{name}");
        match self.value(&key, at)? {
            Value::String(s) => Ok(s.clone()),
            _ => Err(Error::new(ErrorCode::InvalidParameterValue, format!("bind parameter '@{name}' must name a collection (a string)"))),
        }
    }

    /// 42P02 when some parameter was given but never used.
    pub fn check_all_used(&self) -> Result<(), Error> {
        let used = self.used.borrow();
        match self.values.keys().find(|k| !used.contains(*k)) {
            Some(k) => Err(Error::new(ErrorCode::UndefinedParameter, format!("bind parameter '{k}' was not declared in the query"))),
            None => Ok(()),
        }
    }
}
