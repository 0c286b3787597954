//! `set_config(name, value, is_local)` anywhere in a query.
//!
//! A statement that is only `SELECT set_config(...)` is planned as a SET (see the SQL
//! crate's session statements). Everywhere else — next to other columns, per row, in a
//! prepared statement (asyncpg sends `SELECT current_setting('jit'), set_config('jit',
//! 'off', false)`) — this function is bound to the session for the statement: each call
//! checks the value against the session's settings at once (an invalid value is the SET
//! error, 22023 / 42704 / 55P02) and returns what `current_setting` will then show, and
//! the session applies the recorded changes, in call order, when the statement succeeds.
//! A statement that fails changes nothing, as PostgreSQL's transactional settings give.

use crate::session::settings::Settings;
use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use parking_lot::Mutex;
use std::sync::Arc;

/// One `set_config` call to apply after the statement: name, value, is_local.
pub type SettingChange = (String, String, bool);

/// The changes `set_config` calls of the running statement recorded, in call order.
#[derive(Debug, Default)]
pub struct PendingSettings(Mutex<Vec<SettingChange>>);

impl PendingSettings {
    /// Takes the recorded changes (the statement succeeded, or they are to be dropped).
    pub fn take(&self) -> Vec<SettingChange> {
        std::mem::take(&mut *self.0.lock())
    }
}

/// `set_config` bound to a session: `settings` is the session's state when the statement
/// was planned, used to check values; `pending` collects the calls.
pub fn udf(settings: Settings, pending: Arc<PendingSettings>) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(SetConfig {
        signature: Signature::any(3, Volatility::Volatile),
        settings: Mutex::new(settings),
        pending,
    }))
}

#[derive(Debug)]
struct SetConfig {
    signature: Signature,
    /// The settings as the calls so far left them (a later call sees an earlier one's value).
    settings: Mutex<Settings>,
    pending: Arc<PendingSettings>,
}

impl PartialEq for SetConfig {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.pending, &other.pending)
    }
}

impl Eq for SetConfig {}

impl std::hash::Hash for SetConfig {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        "set_config".hash(state);
    }
}

/// The text of a scalar argument; `None` for NULL.
fn text(v: &ScalarValue) -> Result<Option<String>> {
    Ok(match v.cast_to(&DataType::Utf8)? {
        ScalarValue::Utf8(s) => s,
        _ => None,
    })
}

impl ScalarUDFImpl for SetConfig {
    fn name(&self) -> &str {
        "set_config"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows.max(1);
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows);
        let mut settings = self.settings.lock();
        for row in 0..rows {
            let argv = arrays.iter().map(|a| ScalarValue::try_from_array(a, row)).collect::<Result<Vec<_>>>()?;
            let Some(name) = text(&argv[0])? else {
                return Err(
                    quiverdb_catalog::Error::new(quiverdb_catalog::ErrorCode::NullValueNotAllowed, "SET requires parameter name").into()
                );
            };
            let value = text(&argv[1])?.unwrap_or_default();
            let local = matches!(argv[2].cast_to(&DataType::Boolean)?, ScalarValue::Boolean(Some(true)));
            settings.set(&name, &value)?;
            out.push(settings.get(&name)?);
            self.pending.0.lock().push((name, value, local));
        }
        let array: ArrayRef = Arc::new(StringArray::from(out));
        Ok(ColumnarValue::Array(array))
    }
}
