//! JSON numbers as PostgreSQL's `numeric` sees them: `jsonb` normalization (what
//! `numeric_in` followed by `numeric_out` does to a JSON number token), exact
//! comparison, and a hash consistent with that comparison. Everything works on
//! the decimal text; no floating point is involved, so no precision is lost.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use super::error::{INVALID_TEXT_REPRESENTATION, JsonError};

/// `numeric` rejects `|exponent| >= INT_MAX / 2` before looking at the digits.
const EXPONENT_LIMIT: i64 = (i32::MAX / 2) as i64;
/// `NUMERIC_DSCALE_MAX`: at most 16383 digits after the decimal point.
const MAX_DISPLAY_SCALE: i64 = 0x3FFF;
/// `NUMERIC_WEIGHT_MAX` (32767 base-10000 digits) expressed as the largest decimal
/// exponent of the leading digit: 131072 digits before the decimal point.
const MAX_DECIMAL_WEIGHT: i64 = (i16::MAX as i64 + 1) * 4 - 1;

/// The pieces of a decimal literal `[-]int[.frac][e[+-]exp]`, borrowed from its text.
struct Decimal<'a> {
    negative: bool,
    int_digits: &'a [u8],
    frac_digits: &'a [u8],
    /// The exponent, saturated to the `i64` range (like `strtol` saturates to `long`).
    exponent: i64,
}

fn take_digits(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos
}

/// Split `text` into a [`Decimal`]; `None` unless it is `-?digits(.digits)?([eE][+-]?digits)?`
/// with at least one mantissa digit (a superset of the JSON number grammar).
fn split_decimal(text: &str) -> Option<Decimal<'_>> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let int_start = usize::from(negative);
    let int_end = take_digits(bytes, int_start);
    let (frac_start, frac_end) =
        if bytes.get(int_end) == Some(&b'.') { (int_end + 1, take_digits(bytes, int_end + 1)) } else { (int_end, int_end) };
    if int_end == int_start && frac_end == frac_start {
        return None;
    }
    let mut pos = frac_end;
    let mut exponent: i64 = 0;
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        let exp_negative = bytes.get(pos) == Some(&b'-');
        if matches!(bytes.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        let exp_end = take_digits(bytes, pos);
        if exp_end == pos {
            return None;
        }
        for &d in bytes.get(pos..exp_end)? {
            exponent = exponent.saturating_mul(10).saturating_add(i64::from(d - b'0'));
        }
        if exp_negative {
            exponent = -exponent;
        }
        pos = exp_end;
    }
    if pos != bytes.len() {
        return None;
    }
    Some(Decimal { negative, int_digits: bytes.get(int_start..int_end)?, frac_digits: bytes.get(frac_start..frac_end)?, exponent })
}

fn invalid_numeric(text: &str) -> JsonError {
    JsonError::new(INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type numeric: \"{text}\""))
}

/// Normalize a JSON number the way `jsonb` stores it (PostgreSQL `numeric`):
/// exponents are applied (`1e2` → `100`, `1.5e-3` → `0.0015`), trailing fraction
/// zeros are kept (`1.50` → `1.50`, display scale = fraction digits − exponent,
/// never negative), negative zero loses its sign (`-0.0` → `0.0`).
/// Errors with `22003 value overflows numeric format` past `numeric`'s limits
/// (more than 131072 integer digits, more than 16383 fraction digits, or
/// |exponent| ≥ 1073741823), and `22P02` if `text` is not a decimal literal.
pub fn normalize_number(text: &str) -> Result<String, JsonError> {
    let d = split_decimal(text).ok_or_else(|| invalid_numeric(text))?;
    if d.exponent >= EXPONENT_LIMIT || d.exponent <= -EXPONENT_LIMIT {
        return Err(JsonError::numeric_overflow());
    }
    let int_len = d.int_digits.len() as i64;
    let frac_len = d.frac_digits.len() as i64;
    // Fast path: plain JSON decimals without exponent print as written, except that
    // a negative zero loses its sign.
    let plain_int = d.int_digits.len() <= 1 || d.int_digits.first() != Some(&b'0');
    if !text.contains(['e', 'E']) && plain_int && frac_len <= MAX_DISPLAY_SCALE && int_len <= MAX_DECIMAL_WEIGHT + 1 {
        let zero = d.int_digits.iter().chain(d.frac_digits).all(|&c| c == b'0');
        let unsigned = text.strip_prefix('-').filter(|_| zero).unwrap_or(text);
        return Ok(unsigned.to_owned());
    }
    let scale = (frac_len - d.exponent).max(0);
    if scale > MAX_DISPLAY_SCALE {
        return Err(JsonError::numeric_overflow());
    }
    let digits = |i: i64| -> u8 {
        let Ok(i) = usize::try_from(i) else {
            return b'0';
        };
        let int_count = d.int_digits.len();
        let digit = if i < int_count { d.int_digits.get(i) } else { d.frac_digits.get(i - int_count) };
        digit.copied().unwrap_or(b'0')
    };
    let total = int_len + frac_len;
    let first_nonzero = (0..total).find(|&i| digits(i) != b'0');
    // Position of the decimal point, counted in digits from the start of the mantissa.
    let point = int_len + d.exponent;
    let mut out = String::new();
    match first_nonzero {
        None => out.push('0'),
        Some(first) => {
            if point - first - 1 > MAX_DECIMAL_WEIGHT {
                return Err(JsonError::numeric_overflow());
            }
            if d.negative {
                out.push('-');
            }
            if point <= first {
                out.push('0');
            } else {
                out.extend((first..point).map(|i| char::from(digits(i))));
            }
        }
    }
    if scale > 0 {
        out.push('.');
        out.extend((point..point + scale).map(|i| char::from(digits(i))));
    }
    Ok(out)
}

/// A number reduced to sign, significant digits and the decimal exponent of the
/// first significant digit, so that numerically equal texts have equal keys.
#[derive(PartialEq, Eq, Hash)]
struct NumberKey {
    /// -1, 0 or 1.
    sign: i8,
    /// Significant digits without leading or trailing zeros (empty for zero).
    significant: Vec<u8>,
    /// Decimal exponent of the first significant digit (0 for zero).
    weight: i128,
}

fn number_key(text: &str) -> NumberKey {
    let Some(d) = split_decimal(text) else {
        // Not a number at all (only possible for hand-built values): order it
        // below every real number, deterministically.
        return NumberKey { sign: -1, significant: Vec::new(), weight: i128::MAX };
    };
    let all: Vec<u8> = d.int_digits.iter().chain(d.frac_digits).copied().collect();
    let Some(first) = all.iter().position(|&c| c != b'0') else {
        return NumberKey { sign: 0, significant: Vec::new(), weight: 0 };
    };
    let last = all.iter().rposition(|&c| c != b'0').unwrap_or(first);
    let weight = d.int_digits.len() as i128 + i128::from(d.exponent) - first as i128 - 1;
    NumberKey { sign: if d.negative { -1 } else { 1 }, significant: all.get(first..=last).map(<[u8]>::to_vec).unwrap_or_default(), weight }
}

/// Compare two JSON number texts by numeric value (`1.0` = `1`, `-0` = `0`, `9` < `1e1`),
/// as `numeric` comparison does; exact for any length of digits.
pub fn compare_numbers(a: &str, b: &str) -> Ordering {
    let ka = number_key(a);
    let kb = number_key(b);
    let magnitude = || ka.weight.cmp(&kb.weight).then_with(|| ka.significant.cmp(&kb.significant));
    match ka.sign.cmp(&kb.sign) {
        Ordering::Equal => match ka.sign {
            0 => Ordering::Equal,
            1 => magnitude(),
            _ => magnitude().reverse(),
        },
        other => other,
    }
}

/// Feed a hash of the number's value into `state`: numerically equal texts hash alike.
pub fn hash_number<H: Hasher>(text: &str, state: &mut H) {
    number_key(text).hash(state);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        match normalize_number(s) {
            Ok(v) => v,
            Err(e) => format!("ERR {} {}", e.sqlstate, e.message),
        }
    }

    #[test]
    fn normalization_matches_postgres() {
        // select '[1e2, 1E2, 1.50, -0, -0.0, 1e-5, 1.5e1, 1.500e1, 0.000e3, 1.0e-1,
        //          123e-1, 0e10, -1e0, 1E+2, 1e-0, 0.1e1]'::jsonb
        let cases = [
            ("1e2", "100"),
            ("1E2", "100"),
            ("1.50", "1.50"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("1e-5", "0.00001"),
            ("1.5e1", "15"),
            ("1.500e1", "15.00"),
            ("0.000e3", "0"),
            ("1.0e-1", "0.10"),
            ("123e-1", "12.3"),
            ("0e10", "0"),
            ("-1e0", "-1"),
            ("1E+2", "100"),
            ("1e-0", "1"),
            ("0.1e1", "1"),
            ("-0.000", "0.000"),
            ("0.00001e5", "1"),
            ("1e-1", "0.1"),
            ("-1.5e-3", "-0.0015"),
            ("1e0000000000000000000005", "100000"),
            ("0e999999999", "0"),
            ("0e1073741822", "0"),
            ("12345678901234567890.123456789012345678901234567890", "12345678901234567890.123456789012345678901234567890"),
        ];
        for (input, expected) in cases {
            assert_eq!(norm(input), expected, "input {input}");
        }
    }

    #[test]
    fn overflow_matches_postgres() {
        let overflow = "ERR 22003 value overflows numeric format";
        for input in [
            "1e131072",
            "1e-16384",
            "0e-16384",
            "0e-20000",
            "0.0e-16383",
            "1e999999999",
            "1e9999999999999",
            "1e-9999999999999",
            "0e9999999999999",
            "0e-1073741823",
            "0e-1073741822",
            "0e1073741823",
        ] {
            assert_eq!(norm(input), overflow, "input {input}");
        }
        assert_eq!(normalize_number("1e131071").map(|s| s.len()), Ok(131072));
        assert!(normalize_number("9.9e131071").is_ok());
        assert!(normalize_number("1e-16383").is_ok());
    }

    #[test]
    fn long_fraction_with_exponent() {
        // select ('0.' || repeat('0', 20000) || '1e20000')::jsonb  -> 0.1
        let long = format!("0.{}1e20000", "0".repeat(20000));
        assert_eq!(norm(&long), "0.1");
        let too_long = format!("0.{}1e-1", "0".repeat(20000));
        assert_eq!(norm(&too_long), "ERR 22003 value overflows numeric format");
    }

    #[test]
    fn not_a_number() {
        for bad in ["", "-", "1e", "abc", "1.2.3", ".", "1e+"] {
            let err = normalize_number(bad).err();
            assert_eq!(err.map(|e| e.sqlstate), Some("22P02"), "input {bad:?}");
        }
    }

    #[test]
    fn comparison() {
        use Ordering::*;
        let cases = [
            ("1", "1.0", Equal),
            ("-0", "0.000", Equal),
            ("100", "1e2", Equal),
            ("9", "1e1", Less),
            ("-9", "-1e1", Greater),
            ("-1", "0", Less),
            ("0.001", "0", Greater),
            ("0.0015", "0.002", Less),
            ("123", "122.999999", Greater),
            ("1e400", "1e399", Greater),
            ("-1e400", "-1e399", Less),
            ("1.5", "1.50", Equal),
        ];
        for (a, b, expected) in cases {
            assert_eq!(compare_numbers(a, b), expected, "{a} vs {b}");
            assert_eq!(compare_numbers(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn hash_consistent_with_equality() {
        use std::collections::hash_map::DefaultHasher;
        let h = |s: &str| {
            let mut st = DefaultHasher::new();
            hash_number(s, &mut st);
            st.finish()
        };
        assert_eq!(h("1"), h("1.000"));
        assert_eq!(h("100"), h("1e2"));
        assert_eq!(h("-0"), h("0.0"));
        assert_ne!(h("1"), h("-1"));
    }
}
