//! Session settings that change text conversion: [`FormatSettings`] and its parts.

use std::fmt;

use super::error::{ValueError, sqlstate};
use super::tz::TimeZone;

/// The session settings that affect text input/output of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSettings {
    /// `extra_float_digits`, -15..=3 (default 1); > 0 selects shortest round-trip output.
    pub extra_float_digits: i32,
    /// `DateStyle` (default `ISO, MDY`).
    pub date_style: DateStyle,
    /// `IntervalStyle` (default `postgres`).
    pub interval_style: IntervalStyle,
    /// `TimeZone` (default `UTC`).
    pub time_zone: TimeZone,
    /// `bytea_output` (default `hex`).
    pub bytea_output: ByteaOutput,
}

impl Default for FormatSettings {
    fn default() -> Self {
        FormatSettings {
            extra_float_digits: 1,
            date_style: DateStyle::default(),
            interval_style: IntervalStyle::Postgres,
            time_zone: TimeZone::utc(),
            bytea_output: ByteaOutput::Hex,
        }
    }
}

impl FormatSettings {
    /// Applies `SET name = value` for one of the five settings (name case-insensitive,
    /// `timezone`/`datestyle`/...); returns `Ok(false)` if `name` is not one of them.
    pub fn set(&mut self, name: &str, value: &str) -> Result<bool, ValueError> {
        match name.to_ascii_lowercase().as_str() {
            "extra_float_digits" => self.extra_float_digits = parse_extra_float_digits(value)?,
            "datestyle" => self.date_style = DateStyle::parse(value, self.date_style)?,
            "intervalstyle" => self.interval_style = IntervalStyle::parse(value)?,
            "timezone" => self.time_zone = TimeZone::parse_setting(value)?,
            "bytea_output" => self.bytea_output = ByteaOutput::parse(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `SHOW name` text for one of the five settings (name case-insensitive), else `None`.
    pub fn show(&self, name: &str) -> Option<String> {
        Some(match name.to_ascii_lowercase().as_str() {
            "extra_float_digits" => self.extra_float_digits.to_string(),
            "datestyle" => self.date_style.to_string(),
            "intervalstyle" => self.interval_style.to_string(),
            "timezone" => self.time_zone.to_string(),
            "bytea_output" => self.bytea_output.to_string(),
            _ => return None,
        })
    }
}

/// Parses an `extra_float_digits` value like PostgreSQL's integer GUCs: surrounding
/// whitespace, `0x` hex, and fractional values rounded (`'2.6'` → 3); range -15..=3.
pub fn parse_extra_float_digits(value: &str) -> Result<i32, ValueError> {
    const NAME: &str = "extra_float_digits";
    let t = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let parsed: Option<f64> = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
    } else if !body.is_empty()
        && body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.as_bytes()[0] != b'+'
        && body.as_bytes()[0] != b'-'
    {
        body.parse::<f64>().ok().filter(|v| v.is_finite())
    } else {
        None
    };
    let Some(v) = parsed else {
        return Err(ValueError::invalid_parameter(NAME, value));
    };
    let v = if neg { -v } else { v }.round_ties_even();
    if !(-15.0..=3.0).contains(&v) {
        if v.abs() > f64::from(i32::MAX) {
            return Err(ValueError::invalid_parameter(NAME, value).with_hint("Value exceeds integer range."));
        }
        return Err(ValueError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("{} is outside the valid range for parameter \"{NAME}\" (-15 .. 3)", v as i64),
        ));
    }
    Ok(v as i32)
}

/// The output half of `DateStyle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DateOutputStyle {
    /// `2024-01-05 13:45:06`
    #[default]
    Iso,
    /// `Fri Jan 05 13:45:06 2024`
    Postgres,
    /// `01/05/2024 13:45:06`
    Sql,
    /// `05.01.2024 13:45:06`
    German,
}

/// The field-order half of `DateStyle`, used to read ambiguous dates and by some outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// month/day/year (default)
    #[default]
    Mdy,
    /// day/month/year
    Dmy,
    /// year/month/day
    Ymd,
}

/// The `DateStyle` setting: output style plus field order; displays as `ISO, MDY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DateStyle {
    /// Output format.
    pub style: DateOutputStyle,
    /// Field order for input (and for SQL/Postgres output).
    pub order: DateOrder,
}

impl fmt::Display for DateStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let style = match self.style {
            DateOutputStyle::Iso => "ISO",
            DateOutputStyle::Postgres => "Postgres",
            DateOutputStyle::Sql => "SQL",
            DateOutputStyle::German => "German",
        };
        let order = match self.order {
            DateOrder::Mdy => "MDY",
            DateOrder::Dmy => "DMY",
            DateOrder::Ymd => "YMD",
        };
        write!(f, "{style}, {order}")
    }
}

impl DateStyle {
    /// Parses a `SET datestyle` value (comma-separated keywords; `current` supplies the
    /// parts not mentioned, as PostgreSQL does). Errors are PostgreSQL's 22023 texts with
    /// details `Unrecognized key word: "x".`, `Conflicting "datestyle" specifications.`,
    /// `List syntax is invalid.`.
    pub fn parse(value: &str, current: DateStyle) -> Result<DateStyle, ValueError> {
        let invalid = |detail: String| ValueError::invalid_parameter("DateStyle", value).with_detail(detail);
        let tokens = split_identifier_list(value).ok_or_else(|| invalid("List syntax is invalid.".into()))?;
        let mut style = current.style;
        let mut order = current.order;
        let (mut have_style, mut have_order, mut conflict) = (false, false, false);
        for tok in &tokens {
            let lower = tok.to_ascii_lowercase();
            let mut set_style = |s: DateOutputStyle, conflict: &mut bool| {
                if have_style && style != s {
                    *conflict = true;
                }
                style = s;
                have_style = true;
            };
            match lower.as_str() {
                "iso" => set_style(DateOutputStyle::Iso, &mut conflict),
                "sql" => set_style(DateOutputStyle::Sql, &mut conflict),
                "postgres" => set_style(DateOutputStyle::Postgres, &mut conflict),
                "german" => {
                    set_style(DateOutputStyle::German, &mut conflict);
                    if !have_order {
                        order = DateOrder::Dmy;
                    }
                }
                "default" => {
                    // The reset value is "ISO, MDY"; it fills in only what is still unset.
                    if !have_style {
                        style = DateOutputStyle::Iso;
                    }
                    if !have_order {
                        order = DateOrder::Mdy;
                    }
                }
                _ => {
                    let new_order = if lower == "ymd" {
                        DateOrder::Ymd
                    } else if lower == "dmy" || lower.starts_with("euro") {
                        DateOrder::Dmy
                    } else if lower == "mdy" || lower == "us" || lower.starts_with("noneuro") {
                        DateOrder::Mdy
                    } else {
                        return Err(invalid(format!("Unrecognized key word: \"{tok}\".")));
                    };
                    if have_order && order != new_order {
                        conflict = true;
                    }
                    order = new_order;
                    have_order = true;
                }
            }
        }
        if conflict {
            return Err(invalid("Conflicting \"datestyle\" specifications.".into()));
        }
        Ok(DateStyle { style, order })
    }
}

/// PostgreSQL's `SplitIdentifierString` with ',' separator: unquoted names are
/// lower-cased, `"..."` names keep case (`""` escapes a quote). `None` on bad syntax.
fn split_identifier_list(s: &str) -> Option<Vec<String>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(|c| c.is_ascii_whitespace()) {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i == b.len() {
        return Some(out);
    }
    loop {
        if b.get(i) == Some(&b'"') {
            let mut name = Vec::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return None,
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                        name.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        name.push(*c);
                        i += 1;
                    }
                }
            }
            if name.is_empty() {
                return None;
            }
            out.push(String::from_utf8_lossy(&name).into_owned());
        } else {
            let start = i;
            while b.get(i).is_some_and(|c| !c.is_ascii_whitespace() && *c != b',' && *c != b'"') {
                i += 1;
            }
            if i == start {
                return None;
            }
            out.push(s[start..i].to_ascii_lowercase());
        }
        skip_ws(&mut i);
        match b.get(i) {
            None => return Some(out),
            Some(b',') => {
                i += 1;
                skip_ws(&mut i);
            }
            Some(_) => return None,
        }
    }
}

/// The `IntervalStyle` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IntervalStyle {
    /// `1 year 2 mons 3 days 04:05:06` (default)
    #[default]
    Postgres,
    /// `@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs`
    PostgresVerbose,
    /// `+1-2 +3 +4:05:06`
    SqlStandard,
    /// `P1Y2M3DT4H5M6S`
    Iso8601,
}

impl IntervalStyle {
    /// Parses the setting value (case-insensitive); PostgreSQL's 22023 error otherwise.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        match value.to_ascii_lowercase().as_str() {
            "postgres" => Ok(IntervalStyle::Postgres),
            "postgres_verbose" => Ok(IntervalStyle::PostgresVerbose),
            "sql_standard" => Ok(IntervalStyle::SqlStandard),
            "iso_8601" => Ok(IntervalStyle::Iso8601),
            _ => Err(ValueError::invalid_parameter("intervalstyle", value)
                .with_hint("Available values: postgres, postgres_verbose, sql_standard, iso_8601.")),
        }
    }
}

impl fmt::Display for IntervalStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IntervalStyle::Postgres => "postgres",
            IntervalStyle::PostgresVerbose => "postgres_verbose",
            IntervalStyle::SqlStandard => "sql_standard",
            IntervalStyle::Iso8601 => "iso_8601",
        })
    }
}

/// The `bytea_output` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ByteaOutput {
    /// `\x0102` (default)
    #[default]
    Hex,
    /// `\001\002` for non-printable bytes, `\\` for backslash
    Escape,
}

impl ByteaOutput {
    /// Parses the setting value (case-insensitive); PostgreSQL's 22023 error otherwise.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        match value.to_ascii_lowercase().as_str() {
            "hex" => Ok(ByteaOutput::Hex),
            "escape" => Ok(ByteaOutput::Escape),
            _ => Err(ValueError::invalid_parameter("bytea_output", value).with_hint("Available values: escape, hex.")),
        }
    }
}

impl fmt::Display for ByteaOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ByteaOutput::Hex => "hex",
            ByteaOutput::Escape => "escape",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(v: &str, cur: &str) -> String {
        let cur = DateStyle::parse(cur, DateStyle::default()).expect("current");
        match DateStyle::parse(v, cur) {
            Ok(d) => d.to_string(),
            Err(e) => format!("ERR {} / {}", e.message(), e.detail().unwrap_or("")),
        }
    }

    #[test]
    fn datestyle_like_show_datestyle() {
        // set datestyle='...'; show datestyle  (starting from ISO, MDY unless noted)
        assert_eq!(ds("euro", "ISO, MDY"), "ISO, DMY");
        assert_eq!(ds("NonEuropean", "ISO, DMY"), "ISO, MDY");
        assert_eq!(ds("us", "ISO, DMY"), "ISO, MDY");
        assert_eq!(ds("postgres,european", "ISO, MDY"), "Postgres, DMY");
        assert_eq!(ds("SQL", "German"), "SQL, DMY");
        assert_eq!(ds("German", "ymd"), "German, DMY");
        assert_eq!(ds("German, YMD", "ISO"), "German, YMD");
        assert_eq!(ds("YMD, German", "ISO"), "German, YMD");
        assert_eq!(ds("default", "SQL, DMY"), "ISO, MDY");
        assert_eq!(ds("SQL, default", "German"), "SQL, MDY");
        assert_eq!(ds("\"ISO\"", "SQL"), "ISO, MDY");
        assert_eq!(ds(" iso , dmy ", "SQL"), "ISO, DMY");
        assert_eq!(ds("", "SQL, DMY"), "SQL, DMY");
        assert_eq!(DateStyle::default().to_string(), "ISO, MDY");
    }

    #[test]
    fn datestyle_errors() {
        assert_eq!(ds("FOO", "ISO"), "ERR invalid value for parameter \"DateStyle\": \"FOO\" / Unrecognized key word: \"foo\".");
        assert_eq!(
            ds("ISO, SQL", "ISO"),
            "ERR invalid value for parameter \"DateStyle\": \"ISO, SQL\" / Conflicting \"datestyle\" specifications."
        );
        assert!(ds("DMY, MDY", "ISO").contains("Conflicting"));
        assert!(ds("ISO DMY", "ISO").ends_with("List syntax is invalid."));
        assert!(ds("ISO,", "ISO").ends_with("List syntax is invalid."));
        let e = DateStyle::parse("x", DateStyle::default()).unwrap_err();
        assert_eq!(e.code(), "22023");
    }

    #[test]
    fn enums_and_float_digits() {
        assert_eq!(IntervalStyle::parse("SQL_STANDARD"), Ok(IntervalStyle::SqlStandard));
        let e = IntervalStyle::parse("foo").unwrap_err();
        assert_eq!(e.message(), "invalid value for parameter \"intervalstyle\": \"foo\"");
        assert_eq!(e.hint(), Some("Available values: postgres, postgres_verbose, sql_standard, iso_8601."));
        assert_eq!(ByteaOutput::parse("Escape"), Ok(ByteaOutput::Escape));
        assert_eq!(ByteaOutput::parse("foo").unwrap_err().hint(), Some("Available values: escape, hex."));
        assert_eq!(parse_extra_float_digits(" 2 "), Ok(2));
        assert_eq!(parse_extra_float_digits("2.6"), Ok(3));
        assert_eq!(parse_extra_float_digits("-15"), Ok(-15));
        assert_eq!(parse_extra_float_digits("abc").unwrap_err().message(), "invalid value for parameter \"extra_float_digits\": \"abc\"");
        assert_eq!(
            parse_extra_float_digits("4").unwrap_err().message(),
            "4 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)"
        );
        assert!(parse_extra_float_digits("1e400").is_err());
        assert!(parse_extra_float_digits("").is_err());
        assert!(parse_extra_float_digits("--1").is_err());
    }

    #[test]
    fn set_and_show() {
        let mut s = FormatSettings::default();
        assert_eq!(s.set("DateStyle", "sql, dmy"), Ok(true));
        assert_eq!(s.show("datestyle").as_deref(), Some("SQL, DMY"));
        assert_eq!(s.set("TimeZone", "america/new_york"), Ok(true));
        assert_eq!(s.show("timezone").as_deref(), Some("America/New_York"));
        assert_eq!(s.set("work_mem", "1"), Ok(false));
        assert_eq!(s.show("IntervalStyle").as_deref(), Some("postgres"));
        assert_eq!(s.show("bytea_output").as_deref(), Some("hex"));
        assert_eq!(s.show("extra_float_digits").as_deref(), Some("1"));
        assert_eq!(s.show("nope"), None);
    }
}
