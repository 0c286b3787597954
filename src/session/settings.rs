//! Session settings (PostgreSQL's GUCs): SET, SHOW, RESET.
//!
//! Known settings are validated and normalized; the formatting ones live in
//! [`FormatSettings`] so value output reads them directly. Settings that clients track
//! (`GUC_REPORT` in PostgreSQL) are reported back with ParameterStatus when they change.
//! Custom settings with a dot in their name (`myapp.tenant`) are accepted as in
//! PostgreSQL; unknown plain names fail with 42704.

use quiverdb_catalog::pgvalue::{FormatSettings, ValueError};
use quiverdb_catalog::{Error, ErrorCode, Result};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The version we report; clients parse it (`16.0` is accepted everywhere).
pub const SERVER_VERSION: &str = "16.0";
/// `server_version_num` matching [`SERVER_VERSION`].
pub const SERVER_VERSION_NUM: &str = "160000";

/// Settings reported to the client with ParameterStatus (PostgreSQL's GUC_REPORT list).
pub const REPORTED: [&str; 11] = [
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "standard_conforming_strings",
];

/// How a setting may be changed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Any value accepted by `validate`.
    User,
    /// Shown but not settable by SET.
    ReadOnly,
}

struct Def {
    name: &'static str,
    default: &'static str,
    kind: Kind,
    validate: fn(&str) -> Result<String>,
    description: &'static str,
}

fn any(v: &str) -> Result<String> {
    Ok(v.to_string())
}

fn boolean(v: &str) -> Result<String> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" | "t" | "y" => Ok("on".into()),
        "off" | "false" | "no" | "0" | "f" | "n" => Ok("off".into()),
        _ => Err(Error::new(ErrorCode::InvalidParameterValue, format!("parameter requires a Boolean value: \"{v}\""))),
    }
}

fn milliseconds(v: &str) -> Result<String> {
    let t = v.trim().to_ascii_lowercase();
    let (num, unit) = t.split_at(t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(t.len()));
    let n: f64 = num.parse().map_err(|_| Error::new(ErrorCode::InvalidParameterValue, format!("invalid value for parameter: \"{v}\"")))?;
    let ms = match unit.trim() {
        "" | "ms" => n,
        "s" => n * 1000.0,
        "min" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        "d" => n * 86_400_000.0,
        "us" => n / 1000.0,
        _ => {
            return Err(Error::new(ErrorCode::InvalidParameterValue, format!("invalid value for parameter: \"{v}\""))
                .with_hint("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."));
        }
    };
    if ms < 0.0 || ms > i32::MAX as f64 {
        return Err(Error::new(ErrorCode::InvalidParameterValue, format!("{} ms is outside the valid range", ms as i64)));
    }
    // Shown in the largest unit that divides it exactly, as PostgreSQL does (120000 → 2min).
    let ms = ms.round() as i64;
    let units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "min"), (1000, "s")];
    Ok(match units.iter().find(|(size, _)| ms != 0 && ms % size == 0) {
        _ if ms == 0 => "0".into(),
        Some((size, unit)) => format!("{}{unit}", ms / size),
        None => format!("{ms}ms"),
    })
}

fn encoding(v: &str) -> Result<String> {
    // PostgreSQL ignores everything but letters and digits in encoding names
    // (asyncpg sends `'utf-8'`, quotes included).
    let key: String = v.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    match key.as_str() {
        "utf8" | "unicode" => Ok("UTF8".into()),
        "sqlascii" => Ok("SQL_ASCII".into()),
        _ => Err(Error::unsupported(format!("conversion between {v} and UTF8 is not supported"))),
    }
}

fn isolation(v: &str) -> Result<String> {
    match v.to_ascii_lowercase().as_str() {
        "read committed" | "read uncommitted" => Ok("read committed".into()),
        "repeatable read" => Ok("repeatable read".into()),
        "serializable" => Ok("serializable".into()),
        _ => Err(Error::new(
            ErrorCode::InvalidParameterValue,
            format!("invalid value for parameter \"default_transaction_isolation\": \"{v}\""),
        )),
    }
}

fn standard_strings(v: &str) -> Result<String> {
    match boolean(v)?.as_str() {
        "on" => Ok("on".into()),
        _ => Err(Error::unsupported("standard_conforming_strings = off is not supported")),
    }
}

fn min_messages(v: &str) -> Result<String> {
    let l = v.to_ascii_lowercase();
    match l.as_str() {
        "debug5" | "debug4" | "debug3" | "debug2" | "debug1" | "debug" | "log" | "notice" | "warning" | "error" | "info" => Ok(l),
        _ => Err(Error::new(ErrorCode::InvalidParameterValue, format!("invalid value for parameter \"client_min_messages\": \"{v}\""))),
    }
}

fn language(v: &str) -> Result<String> {
    let l = v.to_ascii_lowercase();
    match l.as_str() {
        "sql" | "aql" => Ok(l),
        _ => Err(Error::new(
            ErrorCode::InvalidParameterValue,
            format!("invalid value for parameter \"quiver.language\": \"{v}\" (sql or aql)"),
        )),
    }
}

fn password_encryption(v: &str) -> Result<String> {
    let l = v.to_ascii_lowercase();
    match l.as_str() {
        "scram-sha-256" | "md5" => Ok(l),
        _ => Err(Error::new(ErrorCode::InvalidParameterValue, format!("invalid value for parameter \"password_encryption\": \"{v}\""))
            .with_hint("Available values: md5, scram-sha-256.")),
    }
}

fn table_access_method(v: &str) -> Result<String> {
    match v {
        "heap" => Ok(v.into()),
        _ => Err(Error::new(
            ErrorCode::InvalidParameterValue,
            format!("invalid value for parameter \"default_table_access_method\": \"{v}\""),
        )
        .with_detail(format!("Table access method \"{v}\" does not exist."))),
    }
}

fn application_name(v: &str) -> Result<String> {
    // PostgreSQL replaces non-ASCII bytes with '?'.
    Ok(v.bytes().map(|b| if (32..127).contains(&b) { b as char } else { '?' }).take(63).collect())
}

const DEFS: &[Def] = &[
    Def {
        name: "application_name",
        default: "",
        kind: Kind::User,
        validate: application_name,
        description: "Sets the application name to be reported in statistics and logs.",
    },
    Def {
        name: "client_encoding",
        default: "UTF8",
        kind: Kind::User,
        validate: encoding,
        description: "Sets the client's character set encoding.",
    },
    Def {
        name: "client_min_messages",
        default: "notice",
        kind: Kind::User,
        validate: min_messages,
        description: "Sets the message levels that are sent to the client.",
    },
    Def {
        name: "default_table_access_method",
        default: "heap",
        kind: Kind::User,
        validate: table_access_method,
        description: "Sets the default table access method for new tables.",
    },
    Def {
        name: "default_transaction_isolation",
        default: "read committed",
        kind: Kind::User,
        validate: isolation,
        description: "Sets the transaction isolation level of each new transaction.",
    },
    Def {
        name: "default_transaction_read_only",
        default: "off",
        kind: Kind::User,
        validate: boolean,
        description: "Sets the default read-only status of new transactions.",
    },
    Def {
        name: "idle_in_transaction_session_timeout",
        default: "0",
        kind: Kind::User,
        validate: milliseconds,
        description: "Sets the maximum allowed idle time between queries, when in a transaction.",
    },
    Def {
        name: "in_hot_standby",
        default: "off",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows whether hot standby is currently active.",
    },
    Def {
        name: "integer_datetimes",
        default: "on",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows whether datetimes are integer based.",
    },
    Def {
        name: "is_superuser",
        default: "on",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows whether the current user is a superuser.",
    },
    Def {
        name: "jit",
        default: "on",
        kind: Kind::User,
        validate: boolean,
        description: "Allow JIT compilation (QuiverDB has none; kept for clients that read or set it).",
    },
    Def { name: "lc_collate", default: "C", kind: Kind::ReadOnly, validate: any, description: "Shows the collation order locale." },
    Def {
        name: "lc_ctype",
        default: "C",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows the character classification and case conversion locale.",
    },
    Def {
        name: "lock_timeout",
        default: "0",
        kind: Kind::User,
        validate: milliseconds,
        description: "Sets the maximum allowed duration of any wait for a lock.",
    },
    Def {
        name: "max_identifier_length",
        default: "63",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows the maximum identifier length.",
    },
    Def {
        name: "max_index_keys",
        default: "32",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows the maximum number of index keys.",
    },
    Def {
        name: "password_encryption",
        default: "scram-sha-256",
        kind: Kind::User,
        validate: password_encryption,
        description: "Chooses the algorithm for encrypting passwords.",
    },
    Def {
        name: "quiver.language",
        default: "sql",
        kind: Kind::User,
        validate: language,
        description: "Sets the query language of statements: sql or aql.",
    },
    Def {
        name: "search_path",
        default: "\"$user\", public",
        kind: Kind::User,
        validate: any,
        description: "Sets the schema search order for names that are not schema-qualified.",
    },
    Def {
        name: "server_encoding",
        default: "UTF8",
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows the server (database) character set encoding.",
    },
    Def { name: "server_version", default: SERVER_VERSION, kind: Kind::ReadOnly, validate: any, description: "Shows the server version." },
    Def {
        name: "server_version_num",
        default: SERVER_VERSION_NUM,
        kind: Kind::ReadOnly,
        validate: any,
        description: "Shows the server version as an integer.",
    },
    Def {
        name: "standard_conforming_strings",
        default: "on",
        kind: Kind::User,
        validate: standard_strings,
        description: "Causes '...' strings to treat backslashes literally.",
    },
    Def {
        name: "statement_timeout",
        default: "0",
        kind: Kind::User,
        validate: milliseconds,
        description: "Sets the maximum allowed duration of any statement.",
    },
    Def {
        name: "synchronous_commit",
        default: "on",
        kind: Kind::User,
        validate: boolean,
        description: "Sets the current transaction's synchronization level.",
    },
];

/// Names of the settings held in [`FormatSettings`], in their canonical spelling.
const FORMAT_NAMES: [(&str, &str, &str); 5] = [
    ("datestyle", "DateStyle", "Sets the display format for date and time values."),
    ("intervalstyle", "IntervalStyle", "Sets the display format for interval values."),
    ("timezone", "TimeZone", "Sets the time zone for displaying and interpreting time stamps."),
    ("extra_float_digits", "extra_float_digits", "Sets the number of digits displayed for floating-point values."),
    ("bytea_output", "bytea_output", "Sets the output format for bytea."),
];

/// A session's settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Formatting settings (DateStyle, TimeZone, ...).
    pub format: FormatSettings,
    /// Shared until changed: sessions copy their settings at every transaction start.
    values: Arc<BTreeMap<String, String>>,
}

fn value_error(e: ValueError) -> Error {
    let code = match e.code() {
        "22P02" => ErrorCode::InvalidTextRepresentation,
        "22023" => ErrorCode::InvalidParameterValue,
        _ => ErrorCode::InvalidParameterValue,
    };
    let mut err = Error::new(code, e.message());
    err.detail = e.detail().map(str::to_string);
    err.hint = e.hint().map(str::to_string);
    err
}

impl Settings {
    /// The defaults of a session whose user is (or is not) a superuser (`is_superuser`).
    pub fn for_role(superuser: bool) -> Settings {
        let mut s = Settings::default();
        if !superuser {
            Arc::make_mut(&mut s.values).insert("is_superuser".into(), "off".into());
        }
        s
    }

    /// Every setting back to its default (RESET ALL, DISCARD ALL); the read-only values
    /// the session was started with (`is_superuser`) stay.
    pub fn reset_all(&mut self) {
        let kept = self.values.iter().filter(|(name, _)| DEFS.iter().any(|d| d.name == *name && d.kind == Kind::ReadOnly));
        let kept: BTreeMap<String, String> = kept.map(|(n, v)| (n.clone(), v.clone())).collect();
        *self = Settings { values: Arc::new(kept), ..Settings::default() };
    }

    /// The canonical (display) name of a setting, if known.
    pub fn canonical(name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        if let Some((_, c, _)) = FORMAT_NAMES.iter().find(|(l, _, _)| *l == lower) {
            return Some(c);
        }
        DEFS.iter().find(|d| d.name == lower).map(|d| d.name)
    }

    /// The current value of `name` (SHOW), or 42704.
    pub fn get(&self, name: &str) -> Result<String> {
        let lower = name.to_ascii_lowercase();
        if let Some(v) = self.format.show(&lower) {
            return Ok(v);
        }
        if let Some(v) = self.values.get(&lower) {
            return Ok(v.clone());
        }
        if let Some(d) = DEFS.iter().find(|d| d.name == lower) {
            return Ok(d.default.to_string());
        }
        Err(Error::new(ErrorCode::UndefinedObject, format!("unrecognized configuration parameter \"{name}\"")))
    }

    /// Sets `name` to `value` (already unquoted); returns the canonical name when the
    /// client must be told (ParameterStatus).
    pub fn set(&mut self, name: &str, value: &str) -> Result<Option<&'static str>> {
        let lower = name.to_ascii_lowercase();
        if let Some((_, canonical, _)) = FORMAT_NAMES.iter().find(|(l, _, _)| *l == lower) {
            self.format.set(&lower, value).map_err(value_error)?;
            return Ok(REPORTED.contains(canonical).then_some(*canonical).or(if lower == "timezone" { Some("TimeZone") } else { None }));
        }
        if let Some(d) = DEFS.iter().find(|d| d.name == lower) {
            if d.kind == Kind::ReadOnly {
                return Err(Error::new(ErrorCode::CantChangeRuntimeParam, format!("parameter \"{lower}\" cannot be changed")));
            }
            // Validators do not know the name; PostgreSQL's message carries it.
            let v = (d.validate)(value).map_err(|mut e| {
                if let Some(rest) = e.message.strip_prefix("invalid value for parameter: ") {
                    e.message = format!("invalid value for parameter \"{lower}\": {rest}");
                }
                e
            })?;
            Arc::make_mut(&mut self.values).insert(lower, v);
            return Ok(REPORTED.contains(&d.name).then_some(d.name));
        }
        if lower.contains('.') && !lower.starts_with('.') && !lower.ends_with('.') {
            Arc::make_mut(&mut self.values).insert(lower, value.to_string());
            return Ok(None);
        }
        Err(Error::new(ErrorCode::UndefinedObject, format!("unrecognized configuration parameter \"{name}\"")))
    }

    /// Removes an explicit value; false when there was none (the shared map is then not
    /// copied).
    fn unset(&mut self, lower: &str) -> bool {
        self.values.contains_key(lower) && Arc::make_mut(&mut self.values).remove(lower).is_some()
    }

    /// Restores `name` to its default (RESET); returns the canonical name when reported.
    pub fn reset(&mut self, name: &str) -> Result<Option<&'static str>> {
        let lower = name.to_ascii_lowercase();
        if let Some((_, canonical, _)) = FORMAT_NAMES.iter().find(|(l, _, _)| *l == lower) {
            let fresh = FormatSettings::default();
            let v = fresh.show(&lower).unwrap_or_default();
            self.format.set(&lower, &v).map_err(value_error)?;
            return Ok(Some(canonical));
        }
        if let Some(d) = DEFS.iter().find(|d| d.name == lower) {
            if d.kind == Kind::ReadOnly {
                return Err(Error::new(ErrorCode::CantChangeRuntimeParam, format!("parameter \"{lower}\" cannot be changed")));
            }
            self.unset(&lower);
            return Ok(REPORTED.contains(&d.name).then_some(d.name));
        }
        if self.unset(&lower) {
            return Ok(None);
        }
        Err(Error::new(ErrorCode::UndefinedObject, format!("unrecognized configuration parameter \"{name}\"")))
    }

    /// Every setting as (name, value, description), sorted by name (SHOW ALL).
    pub fn all(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> =
            DEFS.iter().map(|d| (d.name.to_string(), self.get(d.name).unwrap_or_default(), d.description.to_string())).collect();
        for (l, c, desc) in FORMAT_NAMES {
            out.push((c.to_string(), self.format.show(l).unwrap_or_default(), desc.to_string()));
        }
        out.sort_by_key(|(n, _, _)| n.to_ascii_lowercase());
        out
    }

    /// The parameters sent at startup (ParameterStatus), canonical names.
    pub fn startup_parameters(&self) -> Vec<(&'static str, String)> {
        let mut v: Vec<(&'static str, String)> = REPORTED.iter().map(|n| (*n, self.get(n).unwrap_or_default())).collect();
        v.push(("TimeZone", self.format.show("timezone").unwrap_or_default()));
        v.push(("server_version", SERVER_VERSION.to_string()));
        v.dedup_by_key(|(n, _)| *n);
        v
    }

    /// The schemas of search_path, with `$user` replaced by `user`.
    pub fn search_path(&self, user: &str) -> Vec<String> {
        let raw = self.get("search_path").unwrap_or_default();
        split_list(&raw).into_iter().map(|s| if s == "$user" { user.to_string() } else { s }).collect()
    }

    /// statement_timeout in milliseconds (0 = none).
    pub fn statement_timeout_ms(&self) -> u64 {
        parse_ms(&self.get("statement_timeout").unwrap_or_default())
    }

    /// True unless synchronous_commit = off.
    pub fn durable(&self) -> bool {
        self.get("synchronous_commit").map(|v| v != "off").unwrap_or(true)
    }
}

/// Milliseconds of a stored duration setting (as [`milliseconds`] writes it).
fn parse_ms(v: &str) -> u64 {
    let units = [("ms", 1), ("min", 60_000), ("s", 1000), ("h", 3_600_000), ("d", 86_400_000)];
    for (suffix, size) in units {
        if let Some(n) = v.strip_suffix(suffix).and_then(|n| n.parse::<u64>().ok()) {
            return n * size;
        }
    }
    v.parse().unwrap_or(0)
}

/// Splits a list setting (`"$user", public`) into names, honouring double quotes.
pub fn split_list(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            ',' if !quoted => {
                let t = cur.trim();
                if !t.is_empty() {
                    out.push(if was_quoted { t.to_string() } else { t.to_lowercase() });
                }
                cur.clear();
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    let t = cur.trim();
    if !t.is_empty() {
        out.push(if was_quoted { t.to_string() } else { t.to_lowercase() });
    }
    out
}

/// Joins list elements the way PostgreSQL shows search_path (`"$user", public`).
pub fn join_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            let plain = v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && !v.is_empty();
            if plain { v.clone() } else { format!("\"{}\"", v.replace('"', "\"\"")) }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_path_lists_round_trip() {
        assert_eq!(split_list("\"$user\", public"), vec!["$user", "public"]);
        assert_eq!(join_list(&["$user".into(), "public".into()]), "\"$user\", public");
        assert_eq!(split_list("A, \"B c\""), vec!["a", "B c"]);
    }

    #[test]
    fn reset_all_keeps_the_role_dependent_read_only_values() {
        let mut s = Settings::for_role(false);
        s.set("search_path", "x").unwrap();
        s.reset_all();
        assert_eq!(s.get("is_superuser").unwrap(), "off");
        assert_eq!(s.get("search_path").unwrap(), Settings::default().get("search_path").unwrap());
        assert_eq!(Settings::for_role(true).get("is_superuser").unwrap(), "on");
    }

    #[test]
    fn unknown_settings_fail_but_custom_ones_work() {
        let mut s = Settings::default();
        assert_eq!(s.set("nope", "1").unwrap_err().code, ErrorCode::UndefinedObject);
        s.set("myapp.tenant", "42").unwrap();
        assert_eq!(s.get("myapp.tenant").unwrap(), "42");
        assert_eq!(s.set("server_version", "1").unwrap_err().code, ErrorCode::CantChangeRuntimeParam);
    }

    #[test]
    fn timeouts_normalize_like_postgres() {
        let mut s = Settings::default();
        s.set("statement_timeout", "1500").unwrap();
        assert_eq!(s.get("statement_timeout").unwrap(), "1500ms");
        s.set("statement_timeout", "2s").unwrap();
        assert_eq!(s.get("statement_timeout").unwrap(), "2s");
        assert_eq!(s.statement_timeout_ms(), 2000);
        s.set("statement_timeout", "120000").unwrap();
        assert_eq!(s.get("statement_timeout").unwrap(), "2min");
        assert_eq!(s.statement_timeout_ms(), 120_000);
        s.set("statement_timeout", "90min").unwrap();
        assert_eq!(s.get("statement_timeout").unwrap(), "90min");
        s.set("statement_timeout", "1d").unwrap();
        assert_eq!(s.get("statement_timeout").unwrap(), "1d");
    }
}
