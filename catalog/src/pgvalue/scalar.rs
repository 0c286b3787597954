//! `bool` and `int2`/`int4`/`int8` text conversion.

use std::fmt::{self, Write};

use super::error::ValueError;

/// Appends a `bool` as PostgreSQL prints it: `t` or `f`.
pub fn write_bool<W: Write + ?Sized>(out: &mut W, v: bool) -> fmt::Result {
    out.write_char(if v { 't' } else { 'f' })
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn trim_c_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_c_space(c as u8))
}

/// Parses `bool` text like `boolin`: any case, surrounding whitespace, and unique
/// prefixes of `true`/`false`/`yes`/`no` (`t`, `tr`, `y`, `n`), `on`, `of`/`off`, `1`, `0`.
/// Error: `invalid input syntax for type boolean: "..."` (22P02).
pub fn parse_bool(s: &str) -> Result<bool, ValueError> {
    let t = trim_c_space(s).to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| t.len() >= min && word.starts_with(t.as_str());
    let v = match t.as_bytes().first() {
        Some(b't') if prefix_of("true", 1) => Some(true),
        Some(b'f') if prefix_of("false", 1) => Some(false),
        Some(b'y') if prefix_of("yes", 1) => Some(true),
        Some(b'n') if prefix_of("no", 1) => Some(false),
        Some(b'o') if t == "on" => Some(true),
        Some(b'o') if prefix_of("off", 2) => Some(false),
        Some(b'1') if t.len() == 1 => Some(true),
        Some(b'0') if t.len() == 1 => Some(false),
        _ => None,
    };
    v.ok_or_else(|| ValueError::invalid_syntax("boolean", s))
}

/// Parses a signed decimal integer like PostgreSQL 15's `pg_strtoint*`: surrounding
/// whitespace and one sign allowed, nothing else; overflow is reported as soon as the
/// digits exceed the range (even with trailing junk), like PostgreSQL.
fn parse_int(s: &str, min: i64, max: i64, ty: &str) -> Result<i64, ValueError> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    // Accumulate as a negative number so that the minimum value fits.
    let mut acc: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        let d = i64::from(b[i] - b'0');
        acc = match acc.checked_mul(10).and_then(|v| v.checked_sub(d)) {
            Some(v) if v >= min => v,
            _ => return Err(ValueError::int_out_of_range(ty, s)),
        };
        i += 1;
    }
    if i == start {
        return Err(ValueError::invalid_syntax(ty, s));
    }
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    if i != b.len() {
        return Err(ValueError::invalid_syntax(ty, s));
    }
    if neg { Ok(acc) } else { acc.checked_neg().filter(|v| *v <= max).ok_or_else(|| ValueError::int_out_of_range(ty, s)) }
}

/// Parses `smallint` text; errors `invalid input syntax for type smallint: "..."` (22P02)
/// and `value "..." is out of range for type smallint` (22003).
pub fn parse_int2(s: &str) -> Result<i16, ValueError> {
    parse_int(s, i16::MIN.into(), i16::MAX.into(), "smallint").map(|v| v as i16)
}

/// Parses `integer` text; errors as [`parse_int2`] with type name `integer`.
pub fn parse_int4(s: &str) -> Result<i32, ValueError> {
    parse_int(s, i32::MIN.into(), i32::MAX.into(), "integer").map(|v| v as i32)
}

/// Parses `bigint` text; errors as [`parse_int2`] with type name `bigint`.
pub fn parse_int8(s: &str) -> Result<i64, ValueError> {
    parse_int(s, i64::MIN, i64::MAX, "bigint")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools() {
        // select 'yes'::bool, ' TR '::bool, 'of'::bool, 'y'::bool, 'n'::bool, '1'::bool, 'ye'::bool
        for (s, v) in [("yes", true), (" TR ", true), ("of", false), ("y", true), ("n", false), ("1", true), ("ye", true)] {
            assert_eq!(parse_bool(s), Ok(v), "{s}");
        }
        for (s, v) in
            [("t", true), ("TRUE", true), ("f", false), ("fAlSe", false), ("on", true), ("off", false), ("0", false), ("\tno\n", false)]
        {
            assert_eq!(parse_bool(s), Ok(v), "{s}");
        }
        for s in ["o", "maybe", "", "truex", "onn", "offf", "10", "yess", "t t"] {
            let e = parse_bool(s).unwrap_err();
            assert_eq!(e.message(), format!("invalid input syntax for type boolean: \"{s}\""));
            assert_eq!(e.code(), "22P02");
        }
        let mut o = String::new();
        write_bool(&mut o, true).unwrap();
        write_bool(&mut o, false).unwrap();
        assert_eq!(o, "tf");
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int4(" 12 "), Ok(12));
        assert_eq!(parse_int2("+12"), Ok(12));
        assert_eq!(parse_int2("-32768"), Ok(i16::MIN));
        assert_eq!(parse_int8("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_int8("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_int4("-0"), Ok(0));
        let e = parse_int4("abc").unwrap_err();
        assert_eq!((e.code(), e.message()), ("22P02", "invalid input syntax for type integer: \"abc\""));
        let e = parse_int4("99999999999").unwrap_err();
        assert_eq!((e.code(), e.message()), ("22003", "value \"99999999999\" is out of range for type integer"));
        assert_eq!(parse_int2("40000").unwrap_err().message(), "value \"40000\" is out of range for type smallint");
        assert_eq!(
            parse_int8("9223372036854775808").unwrap_err().message(),
            "value \"9223372036854775808\" is out of range for type bigint"
        );
        assert_eq!(parse_int2("32768").unwrap_err().code(), "22003");
        for bad in ["", " ", "1.5", "0x1A", "1_000", "- 1", "+-1", "1 2", "١"] {
            assert_eq!(parse_int4(bad).unwrap_err().code(), "22P02", "{bad}");
        }
    }
}
