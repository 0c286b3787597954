//! `numeric` as a scaled `i128` (Arrow `Decimal128` layout): text output and input.

use std::fmt::{self, Write};

use super::error::{ValueError, sqlstate};

/// A decimal value `unscaled × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Numeric {
    /// The digits as an integer.
    pub unscaled: i128,
    /// Number of fractional digits.
    pub scale: u8,
}

impl fmt::Display for Numeric {
    /// PostgreSQL text form with exactly `scale` fractional digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_numeric(f, self.unscaled, self.scale)
    }
}

/// A `numeric(precision, scale)` type modifier (PostgreSQL 15 rules: precision 1..=1000,
/// scale -1000..=1000, scale may exceed precision or be negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumericTypmod {
    precision: i32,
    scale: i32,
}

impl NumericTypmod {
    /// Validates like `numerictypmodin`: errors `NUMERIC precision 0 must be between 1
    /// and 1000` / `NUMERIC scale ... must be between -1000 and 1000` (22023).
    pub fn new(precision: i32, scale: i32) -> Result<Self, ValueError> {
        if !(1..=1000).contains(&precision) {
            return Err(ValueError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("NUMERIC precision {precision} must be between 1 and 1000"),
            ));
        }
        if !(-1000..=1000).contains(&scale) {
            return Err(ValueError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("NUMERIC scale {scale} must be between -1000 and 1000"),
            ));
        }
        Ok(NumericTypmod { precision, scale })
    }

    /// Total significant digits allowed.
    pub fn precision(&self) -> i32 {
        self.precision
    }

    /// Digits after the decimal point (negative: rounds to tens, hundreds, ...).
    pub fn scale(&self) -> i32 {
        self.scale
    }

    fn overflow(&self) -> ValueError {
        let maxdigits = self.precision - self.scale;
        let bound = if maxdigits != 0 { format!("10^{maxdigits}") } else { "1".to_string() };
        ValueError::numeric_field_overflow(format!(
            "A field with precision {}, scale {} must round to an absolute value less than {bound}.",
            self.precision, self.scale
        ))
    }
}

/// ASCII digits as `&str`.
fn ascii_str(d: &[u8]) -> &str {
    std::str::from_utf8(d).unwrap_or("")
}

/// Renders |v| in decimal into `buf`, returning the used tail.
fn u128_digits(mut v: u128, buf: &mut [u8; 40]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Appends `unscaled × 10^-scale` with exactly `scale` fractional digits (`1.50`,
/// `-0.05`, `0.000`); never prints a negative zero.
pub fn write_numeric<W: Write + ?Sized>(out: &mut W, unscaled: i128, scale: u8) -> fmt::Result {
    write_numeric_trimmed(out, unscaled, scale, scale)
}

/// Appends the value with trailing fractional zeros removed, but keeping at least
/// `min_scale` fractional digits (for unconstrained `numeric`; `min_scale >= scale`
/// prints exactly `scale` digits).
pub fn write_numeric_trimmed<W: Write + ?Sized>(out: &mut W, unscaled: i128, scale: u8, min_scale: u8) -> fmt::Result {
    let mut buf = [0u8; 40];
    let digits = u128_digits(unscaled.unsigned_abs(), &mut buf);
    let scale = usize::from(scale);
    // Number of fractional digits to print.
    let trailing_zeros = digits.iter().rev().take_while(|d| **d == b'0').count();
    let keep = if unscaled == 0 {
        usize::from(min_scale).min(scale)
    } else {
        scale.saturating_sub(trailing_zeros).max(usize::from(min_scale).min(scale))
    };
    if unscaled < 0 {
        out.write_char('-')?;
    }
    if digits.len() > scale {
        let int_len = digits.len() - scale;
        out.write_str(ascii_str(&digits[..int_len]))?;
        if keep > 0 {
            out.write_char('.')?;
            out.write_str(ascii_str(&digits[int_len..int_len + keep]))?;
        }
    } else {
        out.write_char('0')?;
        if keep > 0 {
            out.write_char('.')?;
            let leading = scale - digits.len();
            for _ in 0..leading.min(keep) {
                out.write_char('0')?;
            }
            if keep > leading {
                out.write_str(ascii_str(&digits[..keep - leading]))?;
            }
        }
    }
    Ok(())
}

/// Parses `numeric` text like `numeric_in`: whitespace, sign, digits with optional point
/// and exponent. With a typmod, rounds half away from zero to its scale and checks the
/// precision (`numeric field overflow`, 22003, with PostgreSQL's detail); without one,
/// keeps the input's own scale (`1.50` → scale 2, `1e3` → scale 0). Values beyond i128 or
/// scale 255 → `value overflows numeric format` (22003); `NaN`/`Infinity` → an error
/// (PostgreSQL's text for typmod'd infinity, otherwise 0A000).
pub fn parse_numeric(s: &str, typmod: Option<NumericTypmod>) -> Result<Numeric, ValueError> {
    let syntax = || ValueError::invalid_syntax("numeric", s);
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if body.eq_ignore_ascii_case("nan") && body.len() == t.len() {
        return Err(unsupported_special("NaN"));
    }
    if body.eq_ignore_ascii_case("infinity") || body.eq_ignore_ascii_case("inf") {
        if let Some(tm) = typmod {
            return Err(ValueError::numeric_field_overflow(format!(
                "A field with precision {}, scale {} cannot hold an infinite value.",
                tm.precision, tm.scale
            )));
        }
        return Err(unsupported_special(if neg { "-Infinity" } else { "Infinity" }));
    }
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_end = i;
    let (frac_start, frac_end) = if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (start, i)
    } else {
        (i, i)
    };
    if int_end == 0 && frac_end == frac_start {
        return Err(syntax());
    }
    let mut exponent: i64 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let exp_neg = match b.get(i) {
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
        while i < b.len() && b[i].is_ascii_digit() {
            exponent = exponent.saturating_mul(10).saturating_add(i64::from(b[i] - b'0'));
            i += 1;
        }
        if i == start {
            return Err(syntax());
        }
        if exponent > i64::from(i32::MAX / 2) {
            return Err(ValueError::numeric_overflow());
        }
        if exp_neg {
            exponent = -exponent;
        }
    }
    if i != b.len() {
        return Err(syntax());
    }
    let int_digits = &b[..int_end];
    let frac_digits = &b[frac_start..frac_end];
    let frac = frac_digits.len() as i64 - exponent;
    let digits = DigitSeq { parts: [int_digits, frac_digits] };
    from_digits(neg, &digits, frac, typmod)
}

fn unsupported_special(what: &str) -> ValueError {
    ValueError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("numeric value {what} is not supported"))
}

/// A digit string made of up to two ASCII-digit slices (integer and fraction parts).
pub(crate) struct DigitSeq<'a> {
    pub(crate) parts: [&'a [u8]; 2],
}

impl DigitSeq<'_> {
    fn len(&self) -> usize {
        self.parts[0].len() + self.parts[1].len()
    }
    fn get(&self, i: usize) -> u8 {
        let p0 = self.parts[0];
        let d = if i < p0.len() { p0[i] } else { self.parts[1].get(i - p0.len()).copied().unwrap_or(b'0') };
        d.wrapping_sub(b'0').min(9)
    }
}

/// Converts `digits × 10^-frac` to a [`Numeric`], rounding half away from zero to the
/// typmod scale (or keeping the natural scale `max(frac, 0)`) and checking precision.
pub(crate) fn from_digits(neg: bool, digits: &DigitSeq<'_>, frac: i64, typmod: Option<NumericTypmod>) -> Result<Numeric, ValueError> {
    let len = digits.len() as i64;
    let target: i64 = match typmod {
        Some(tm) => i64::from(tm.scale),
        None => {
            let natural = frac.max(0);
            if natural > i64::from(u8::MAX) {
                // Too many fractional digits to store: drop trailing zeros if possible.
                let mut tz = 0i64;
                while tz < len && digits.get((len - 1 - tz) as usize) == 0 {
                    tz += 1;
                }
                (frac - tz).max(0)
            } else {
                natural
            }
        }
    };
    let drop = frac - target; // digits to remove (negative: zeros to append)
    let keep_len = if drop > 0 { (len - drop).max(0) } else { len };
    let round_up = drop > 0 && {
        let idx = len - drop;
        idx >= 0 && digits.get(idx as usize) >= 5
    };
    let first_sig = (0..keep_len).find(|&i| digits.get(i as usize) != 0);
    let sig_len = first_sig.map_or(0, |f| keep_len - f);
    let all_nines = (first_sig.unwrap_or(keep_len)..keep_len).all(|i| digits.get(i as usize) == 9);
    let mut ndigits = sig_len;
    if round_up && (sig_len == 0 || all_nines) {
        ndigits += 1;
    }
    let is_zero = ndigits == 0;
    let appended = if drop < 0 && !is_zero { -drop } else { 0 };
    let total_digits = ndigits.saturating_add(appended);
    if let Some(tm) = typmod
        && !is_zero
        && total_digits > i64::from(tm.precision)
    {
        return Err(tm.overflow());
    }
    // Shift for negative scales: the stored scale is never negative.
    let shift = if target < 0 && !is_zero { -target } else { 0 };
    if total_digits.saturating_add(shift) > 39 {
        return Err(ValueError::numeric_overflow());
    }
    let mut v: i128 = 0;
    let start = first_sig.unwrap_or(keep_len);
    for i in start..keep_len {
        v = v.checked_mul(10).and_then(|v| v.checked_add(i128::from(digits.get(i as usize)))).ok_or_else(ValueError::numeric_overflow)?;
    }
    if round_up {
        v = v.checked_add(1).ok_or_else(ValueError::numeric_overflow)?;
    }
    for _ in 0..(appended + shift) {
        v = v.checked_mul(10).ok_or_else(ValueError::numeric_overflow)?;
    }
    let scale = u8::try_from(target.max(0)).map_err(|_| ValueError::numeric_overflow())?;
    Ok(Numeric { unscaled: if neg { -v } else { v }, scale })
}

/// Rescales a value to `typmod` (rounding half away from zero, checking precision), as
/// PostgreSQL's `numeric(value, typmod)` cast does.
pub fn apply_numeric_typmod(value: Numeric, typmod: NumericTypmod) -> Result<Numeric, ValueError> {
    let mut buf = [0u8; 40];
    let digits = u128_digits(value.unscaled.unsigned_abs(), &mut buf);
    let seq = DigitSeq { parts: [digits, &[]] };
    from_digits(value.unscaled < 0, &seq, i64::from(value.scale), Some(typmod))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(u: i128, s: u8) -> String {
        let mut o = String::new();
        write_numeric(&mut o, u, s).expect("fmt");
        o
    }
    fn trimmed(u: i128, s: u8, min: u8) -> String {
        let mut o = String::new();
        write_numeric_trimmed(&mut o, u, s, min).expect("fmt");
        o
    }
    fn tm(p: i32, s: i32) -> Option<NumericTypmod> {
        Some(NumericTypmod::new(p, s).expect("typmod"))
    }
    fn p(s: &str, t: Option<NumericTypmod>) -> String {
        match parse_numeric(s, t) {
            Ok(n) => n.to_string(),
            Err(e) => format!("ERR {} {} / {}", e.code(), e.message(), e.detail().unwrap_or("")),
        }
    }

    #[test]
    fn output() {
        assert_eq!(out(150, 2), "1.50");
        assert_eq!(out(-5, 2), "-0.05");
        assert_eq!(out(0, 3), "0.000");
        assert_eq!(out(0, 0), "0");
        assert_eq!(out(-12345678, 3), "-12345.678");
        assert_eq!(out(i128::MAX, 0), "170141183460469231731687303715884105727");
        assert_eq!(out(i128::MIN, 38), "-1.70141183460469231731687303715884105728");
        assert_eq!(out(1, 40), "0.0000000000000000000000000000000000000001");
        assert_eq!(out(7, 255).len(), 257);
        assert_eq!(trimmed(1500, 3, 0), "1.5");
        assert_eq!(trimmed(1000, 3, 0), "1");
        assert_eq!(trimmed(1000, 3, 1), "1.0");
        assert_eq!(trimmed(0, 3, 0), "0");
        assert_eq!(trimmed(-120, 4, 0), "-0.012");
        assert_eq!(trimmed(120, 4, 9), "0.0120");
        assert_eq!(trimmed(5, 0, 2), "5");
    }

    #[test]
    fn input_unconstrained() {
        // select '1.5e2'::numeric, '1.50'::numeric, ' -1.5e-3 '::numeric, '.5'::numeric,
        //   '5.'::numeric, '-0'::numeric, '-0.00'::numeric, '0e5'::numeric, '1E+2'::numeric
        assert_eq!(p("1.5e2", None), "150");
        assert_eq!(p("1.50", None), "1.50");
        assert_eq!(p(" -1.5e-3 ", None), "-0.0015");
        assert_eq!(p(".5", None), "0.5");
        assert_eq!(p("5.", None), "5");
        assert_eq!(p("-0", None), "0");
        assert_eq!(p("-0.00", None), "0.00");
        assert_eq!(p("0e5", None), "0");
        assert_eq!(p("1E+2", None), "100");
        assert_eq!(p(" +1.5 ", None), "1.5");
        // select '0e-5'::numeric, '0.000e2'::numeric, '-0.0e-2'::numeric → 0.00000|0.0|0.000
        assert_eq!(p("0e-5", None), "0.00000");
        assert_eq!(p("0.000e2", None), "0.0");
        assert_eq!(p("-0.0e-2", None), "0.000");
        assert_eq!(p("00012.3400", None), "12.3400");
        assert_eq!(parse_numeric("1.50", None), Ok(Numeric { unscaled: 150, scale: 2 }));
    }

    #[test]
    fn input_typmod() {
        // select '123.456'::numeric(5,2) → 123.46; '0.125'::numeric(10,2) → 0.13 ...
        assert_eq!(p("123.456", tm(5, 2)), "123.46");
        assert_eq!(p("0.125", tm(10, 2)), "0.13");
        assert_eq!(p("-0.125", tm(10, 2)), "-0.13");
        assert_eq!(p("-0.124", tm(10, 2)), "-0.12");
        assert_eq!(p("0.5", tm(2, 2)), "0.50");
        assert_eq!(p("12345", tm(3, -2)), "12300");
        assert_eq!(p("123.456e-1", tm(20, 3)), "12.346");
        assert_eq!(p("1e-5000", tm(5, 2)), "0.00");
        assert_eq!(p("0.004", tm(5, 2)), "0.00");
        assert_eq!(p("0.005", tm(5, 2)), "0.01");
        assert_eq!(p("99.995", tm(5, 2)), "100.00");
        // select '1234.5'::numeric(5,2)
        assert_eq!(
            p("1234.5", tm(5, 2)),
            "ERR 22003 numeric field overflow / A field with precision 5, scale 2 must round to an absolute value less than 10^3."
        );
        assert!(p("999.995", tm(5, 2)).contains("less than 10^3."));
        assert!(p("1", tm(2, 2)).ends_with("must round to an absolute value less than 1."));
        assert!(p("123456", tm(3, -2)).ends_with("precision 3, scale -2 must round to an absolute value less than 10^5."));
        assert!(p("0.001", tm(2, 5)).ends_with("less than 10^-3."));
        assert_eq!(
            p("Infinity", tm(10, 2)),
            "ERR 22003 numeric field overflow / A field with precision 10, scale 2 cannot hold an infinite value."
        );
    }

    #[test]
    fn input_errors() {
        for bad in ["abc", "1e", "1 2", "+.e1", ".", "1.2.3", "", "  ", "--1", "1e+", "0x10", "1_000"] {
            let got = p(bad, None);
            assert_eq!(got, format!("ERR 22P02 invalid input syntax for type numeric: \"{bad}\" / "));
        }
        assert!(p("1e999999999999", None).starts_with("ERR 22003 value overflows numeric format"));
        assert!(p("1e39", None).starts_with("ERR 22003 value overflows numeric format"));
        assert!(p("1e-300", None).starts_with("ERR 22003 value overflows numeric format"));
        assert!(p("NaN", None).starts_with("ERR 0A000"));
        assert!(p("-inf", None).starts_with("ERR 0A000"));
        assert_eq!(p("1e38", None), format!("1{}", "0".repeat(38)));
        assert!(p("NUMERIC", None).starts_with("ERR 22P02"));
    }

    #[test]
    fn typmods() {
        assert_eq!(NumericTypmod::new(0, 0).unwrap_err().message(), "NUMERIC precision 0 must be between 1 and 1000");
        assert_eq!(NumericTypmod::new(5, 1001).unwrap_err().message(), "NUMERIC scale 1001 must be between -1000 and 1000");
        let v = Numeric { unscaled: 123456, scale: 3 };
        assert_eq!(apply_numeric_typmod(v, NumericTypmod::new(5, 1).unwrap()).map(|n| n.to_string()), Ok("123.5".into()));
        assert!(apply_numeric_typmod(v, NumericTypmod::new(3, 1).unwrap()).is_err());
    }
}
