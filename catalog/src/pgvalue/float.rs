//! `real` / `double precision` text output and input (PostgreSQL 12+ semantics).

use std::fmt::{self, Write};

use super::error::ValueError;

/// Appends a `float8` exactly as PostgreSQL prints it: with `extra_float_digits` above
/// zero the shortest round-trip digits (exponent form when the exponent is below -4 or
/// at least 15), otherwise `%.{15+extra}g`. Specials: `NaN`, `Infinity`, `-Infinity`, `-0`.
pub fn write_float8<W: Write + ?Sized>(out: &mut W, v: f64, extra_float_digits: i32) -> fmt::Result {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        return out.write_str(s);
    }
    if extra_float_digits > 0 {
        let mut buf = ryu::Buffer::new();
        let digits = Digits::from_rust(buf.format_finite(v));
        digits.write_pg(out, 15)
    } else {
        let ndig = (15 + extra_float_digits).max(1);
        write_g(out, v, ndig as usize)
    }
}

/// Appends a `float4` exactly as PostgreSQL prints it: shortest digits with exponent
/// form when the exponent is below -4 or at least 6, or `%.{6+extra}g` when
/// `extra_float_digits` is not positive.
pub fn write_float4<W: Write + ?Sized>(out: &mut W, v: f32, extra_float_digits: i32) -> fmt::Result {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        return out.write_str(s);
    }
    if extra_float_digits > 0 {
        let mut buf = ryu::Buffer::new();
        let digits = Digits::from_rust(buf.format_finite(v));
        digits.write_pg(out, 6)
    } else {
        let ndig = (6 + extra_float_digits).max(1);
        write_g(out, f64::from(v), ndig as usize)
    }
}

fn special(nan: bool, inf: bool, neg: bool) -> Option<&'static str> {
    if nan {
        Some("NaN")
    } else if inf {
        Some(if neg { "-Infinity" } else { "Infinity" })
    } else {
        None
    }
}

/// A finite decimal `±d1.d2d3... × 10^exp` with no leading/trailing zero digits.
struct Digits {
    neg: bool,
    digits: [u8; 40],
    len: usize,
    exp: i32,
}

impl Digits {
    /// Parses Rust's float formatting (`123.45`, `1e20`, `1.5e-7`, `-0.0`, `1.2345e4`).
    fn from_rust(s: &str) -> Digits {
        let mut d = Digits { neg: false, digits: [0; 40], len: 0, exp: 0 };
        let s = match s.strip_prefix('-') {
            Some(rest) => {
                d.neg = true;
                rest
            }
            None => s,
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().unwrap_or(0)),
            None => (s, 0),
        };
        let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
        let mut leading_zeros = 0i32;
        for c in mantissa.bytes().filter(u8::is_ascii_digit) {
            if d.len == 0 && c == b'0' {
                leading_zeros += 1;
                continue;
            }
            if d.len < d.digits.len() {
                d.digits[d.len] = c;
                d.len += 1;
            }
        }
        while d.len > 0 && d.digits[d.len - 1] == b'0' {
            d.len -= 1;
        }
        d.exp = int_len - 1 - leading_zeros + exp;
        d
    }

    /// Writes in C `%g` style placement: exponent form if exp < -4 or exp >= `limit`.
    fn write_pg<W: Write + ?Sized>(&self, out: &mut W, limit: i32) -> fmt::Result {
        if self.neg {
            out.write_char('-')?;
        }
        let digits = std::str::from_utf8(&self.digits[..self.len]).unwrap_or("0");
        if self.len == 0 {
            return out.write_char('0');
        }
        if self.exp < -4 || self.exp >= limit {
            out.write_str(&digits[..1])?;
            if self.len > 1 {
                out.write_char('.')?;
                out.write_str(&digits[1..])?;
            }
            let sign = if self.exp < 0 { '-' } else { '+' };
            write!(out, "e{sign}{:02}", self.exp.unsigned_abs())
        } else if self.exp < 0 {
            out.write_str("0.")?;
            for _ in 0..(-self.exp - 1) {
                out.write_char('0')?;
            }
            out.write_str(digits)
        } else {
            let int_len = self.exp as usize + 1;
            if self.len <= int_len {
                out.write_str(digits)?;
                for _ in self.len..int_len {
                    out.write_char('0')?;
                }
                Ok(())
            } else {
                out.write_str(&digits[..int_len])?;
                out.write_char('.')?;
                out.write_str(&digits[int_len..])
            }
        }
    }
}

/// A fixed stack buffer implementing `fmt::Write`.
struct StackBuf {
    buf: [u8; 64],
    len: usize,
}

impl Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// C's `%.{ndig}g` (correctly rounded, ties-to-even on the exact binary value like glibc).
fn write_g<W: Write + ?Sized>(out: &mut W, v: f64, ndig: usize) -> fmt::Result {
    let ndig = ndig.min(40);
    let mut buf = StackBuf { buf: [0; 64], len: 0 };
    write!(buf, "{:.*e}", ndig - 1, v)?;
    let s = std::str::from_utf8(&buf.buf[..buf.len]).map_err(|_| fmt::Error)?;
    let digits = Digits::from_rust(s);
    // `%g` with precision P uses exponent form when X < -4 or X >= P.
    digits.write_pg(out, ndig as i32)
}

/// Parses `double precision` text like `float8in`: surrounding whitespace, `NaN`,
/// `[+-]Infinity`/`inf` (any case), decimal or hex (`0x1p3`) numbers with exponents.
/// Errors: 22P02 syntax, 22003 `"1e400" is out of range for type double precision`
/// (overflow, or underflow of a nonzero value to zero; subnormals are accepted).
pub fn parse_float8(s: &str) -> Result<f64, ValueError> {
    const TY: &str = "double precision";
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    match parse_c_float(t) {
        Some(Parsed::Value { value, nonzero }) => {
            if value.is_infinite() || (value == 0.0 && nonzero) {
                Err(ValueError::float_out_of_range(TY, s))
            } else {
                Ok(value)
            }
        }
        Some(Parsed::Special(v)) => Ok(v),
        None => Err(ValueError::invalid_syntax(TY, s)),
    }
}

/// Parses `real` text like `float4in` (same syntax as [`parse_float8`], correctly rounded
/// to f32; overflow and underflow-to-zero → `"..." is out of range for type real`).
pub fn parse_float4(s: &str) -> Result<f32, ValueError> {
    const TY: &str = "real";
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    match parse_c_float(t) {
        Some(Parsed::Value { nonzero, .. }) => {
            let value: f32 = if is_hex(t) {
                // Hex literals are exact in f64 for all practical inputs.
                parse_c_float(t)
                    .and_then(|p| match p {
                        Parsed::Value { value, .. } => Some(value as f32),
                        Parsed::Special(_) => None,
                    })
                    .unwrap_or(f32::NAN)
            } else {
                t.parse::<f32>().unwrap_or(f32::NAN)
            };
            if value.is_nan() {
                return Err(ValueError::invalid_syntax(TY, s));
            }
            if value.is_infinite() || (value == 0.0 && nonzero) { Err(ValueError::float_out_of_range(TY, s)) } else { Ok(value) }
        }
        Some(Parsed::Special(v)) => Ok(v as f32),
        None => Err(ValueError::invalid_syntax(TY, s)),
    }
}

enum Parsed {
    Value { value: f64, nonzero: bool },
    Special(f64),
}

fn is_hex(t: &str) -> bool {
    let b = t.trim_start_matches(['+', '-']).as_bytes();
    b.len() > 1 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X')
}

/// The full-string syntax `strtod` accepts, plus PostgreSQL's special words.
fn parse_c_float(t: &str) -> Option<Parsed> {
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower_eq = |w: &str| body.eq_ignore_ascii_case(w);
    if lower_eq("nan") {
        return Some(Parsed::Special(f64::NAN));
    }
    if lower_eq("inf") || lower_eq("infinity") {
        return Some(Parsed::Special(if neg { f64::NEG_INFINITY } else { f64::INFINITY }));
    }
    if is_hex(t) {
        let v = parse_hex_float(&body[2..])?;
        let value = if neg { -v.0 } else { v.0 };
        return Some(Parsed::Value { value, nonzero: v.1 });
    }
    // Decimal: digits [. digits] [e [+-] digits], at least one mantissa digit.
    let b = body.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    let mut nonzero = false;
    while i < b.len() && b[i].is_ascii_digit() {
        nonzero |= b[i] != b'0';
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            nonzero |= b[i] != b'0';
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j == start {
            return None;
        }
        i = j;
    }
    if i != b.len() {
        return None;
    }
    let value: f64 = t.parse().ok()?;
    Some(Parsed::Value { value, nonzero })
}

/// Hex float body after `0x`: `h[.h][p[+-]d]` → (value, any nonzero digit).
fn parse_hex_float(s: &str) -> Option<(f64, bool)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut mant: u64 = 0;
    let mut exp2: i64 = 0;
    let mut ndigits = 0;
    let mut nonzero = false;
    let mut seen_dot = false;
    while i < b.len() {
        let c = b[i];
        if c == b'.' && !seen_dot {
            seen_dot = true;
        } else if let Some(d) = (c as char).to_digit(16) {
            ndigits += 1;
            nonzero |= d != 0;
            if mant >> 56 == 0 {
                mant = (mant << 4) | u64::from(d);
                if seen_dot {
                    exp2 -= 4;
                }
            } else if !seen_dot {
                exp2 += 4;
            }
        } else {
            break;
        }
        i += 1;
    }
    if ndigits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'p' || b[i] == b'P') {
        let rest = &s[i + 1..];
        let digits = rest.trim_start_matches(['+', '-']);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let e: i64 = rest.parse().unwrap_or(if rest.starts_with('-') { -100_000 } else { 100_000 });
        exp2 = exp2.saturating_add(e.clamp(-100_000, 100_000));
        i = b.len();
    }
    if i != b.len() {
        return None;
    }
    // mant < 2^60 is exact in f64 only up to 2^53; the rounding here is acceptable for
    // the hex form (a rarely used glibc extension).
    let mut v = mant as f64;
    let mut e = exp2.clamp(-3000, 3000) as i32;
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        v *= 2f64.powi(step);
        e -= step;
    }
    Some((v, nonzero))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(v: f64, extra: i32) -> String {
        let mut s = String::new();
        write_float8(&mut s, v, extra).expect("fmt");
        s
    }
    fn f4(v: f32, extra: i32) -> String {
        let mut s = String::new();
        write_float4(&mut s, v, extra).expect("fmt");
        s
    }

    #[test]
    fn float8_shortest() {
        // select 1e15::float8, 1e14::float8, 123456789012345::float8, 1234567890123456::float8,
        //   0.0001::float8, 0.00001::float8, 1.5e-5::float8, 1e20::float8, 1e100::float8, ...
        let cases: [(f64, &str); 21] = [
            (1e15, "1e+15"),
            (1e14, "100000000000000"),
            (123456789012345.0, "123456789012345"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (1e20, "1e+20"),
            (1e100, "1e+100"),
            (1e-100, "1e-100"),
            (-0.0, "-0"),
            (0.0, "0"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (100.0, "100"),
            (0.5, "0.5"),
            (123.456, "123.456"),
            (-2.5, "-2.5"),
        ];
        for (v, want) in cases {
            assert_eq!(f8(v, 1), want, "{v:e}");
        }
        assert_eq!(f8(f64::NAN, 1), "NaN");
        assert_eq!(f8(f64::INFINITY, 0), "Infinity");
        assert_eq!(f8(f64::NEG_INFINITY, 3), "-Infinity");
    }

    #[test]
    fn float4_shortest() {
        // select 1e6::float4, 123456::float4, 1234567::float4, 1e5::float4, 0.0001::float4, ...
        let cases: [(f32, &str); 12] = [
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e5, "100000"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.1, "1.1"),
            (f32::MAX, "3.4028235e+38"),
            (1e-45, "1e-45"),
            (1234567.9, "1.2345679e+06"),
            (12345678.0, "1.2345678e+07"),
            (1e7, "1e+07"),
        ];
        for (v, want) in cases {
            assert_eq!(f4(v, 1), want, "{v:e}");
        }
    }

    #[test]
    fn float_g_format() {
        // set extra_float_digits=0; select 1e15::float8, 1e14::float8, 0.1::float8, 1/3::float8,
        //   1e-5::float8, 123456789012345678::float8, 1.1::float4, 1e6::float4, ...
        assert_eq!(f8(1e15, 0), "1e+15");
        assert_eq!(f8(1e14, 0), "100000000000000");
        assert_eq!(f8(0.1, 0), "0.1");
        assert_eq!(f8(1.0 / 3.0, 0), "0.333333333333333");
        assert_eq!(f8(1e-5, 0), "1e-05");
        assert_eq!(f8(123456789012345678.0, 0), "1.23456789012346e+17");
        assert_eq!(f4(1.1, 0), "1.1");
        assert_eq!(f4(1e6, 0), "1e+06");
        assert_eq!(f4(100000.0, 0), "100000");
        assert_eq!(f8(0.125, 0), "0.125");
        assert_eq!(f8(-0.0, 0), "-0");
        // set extra_float_digits=-15 → %.1g: select 1e15, 0.1, 1/3, 5.5, 150, 1.1::float4, 0.0001
        assert_eq!(f8(1e15, -15), "1e+15");
        assert_eq!(f8(0.1, -15), "0.1");
        assert_eq!(f8(1.0 / 3.0, -15), "0.3");
        assert_eq!(f8(5.5, -15), "6");
        assert_eq!(f8(150.0, -15), "2e+02");
        assert_eq!(f4(1.1, -15), "1");
        assert_eq!(f8(0.0001, -15), "0.0001");
        // set extra_float_digits=-14 → %.1g for float8: 25 → 2e+01 (ties to even)
        assert_eq!(f8(25.0, -14), "2e+01");
        assert_eq!(f4(1.5, -14), "2");
        // set extra_float_digits=-13: select 0.125::float8, 0.375::float8, 2.5::float8
        assert_eq!(f8(0.125, -13), "0.12");
        assert_eq!(f8(0.375, -13), "0.38");
        assert_eq!(f8(2.5, -13), "2.5");
    }

    #[test]
    fn parse_floats() {
        // select ' inf '::float8, '+Infinity'::float8, '-INF'::float4, 'nan'::float8,
        //   '  1.5  '::float8, '.5'::float8, '5.'::float8, '0x10'::float8
        assert_eq!(parse_float8(" inf "), Ok(f64::INFINITY));
        assert_eq!(parse_float8("+Infinity"), Ok(f64::INFINITY));
        assert_eq!(parse_float4("-INF"), Ok(f32::NEG_INFINITY));
        assert!(parse_float8("nan").is_ok_and(f64::is_nan));
        assert_eq!(parse_float8("  1.5  "), Ok(1.5));
        assert_eq!(parse_float8(".5"), Ok(0.5));
        assert_eq!(parse_float8("5."), Ok(5.0));
        assert_eq!(parse_float8("0x10"), Ok(16.0));
        assert_eq!(parse_float8("1e3"), Ok(1000.0));
        assert_eq!(parse_float8("-0"), Ok(-0.0));
        assert_eq!(parse_float8("5e-324"), Ok(5e-324));
        assert_eq!(parse_float4("1.1"), Ok(1.1f32));
        let e = parse_float8("1e400").unwrap_err();
        assert_eq!((e.code(), e.message()), ("22003", "\"1e400\" is out of range for type double precision"));
        assert_eq!(parse_float8("1e-400").unwrap_err().code(), "22003");
        assert_eq!(parse_float8("0e-400"), Ok(0.0));
        assert_eq!(parse_float4("1e39").unwrap_err().message(), "\"1e39\" is out of range for type real");
        assert_eq!(parse_float4("1e-50").unwrap_err().code(), "22003");
        let e = parse_float8("abc").unwrap_err();
        assert_eq!((e.code(), e.message()), ("22P02", "invalid input syntax for type double precision: \"abc\""));
        assert_eq!(parse_float4("abc").unwrap_err().message(), "invalid input syntax for type real: \"abc\"");
        for bad in ["infx", "", " ", "1e", "e5", ".", "1.2.3", "1 2", "--1", "0x", "1_0"] {
            assert!(parse_float8(bad).is_err(), "{bad}");
            assert!(parse_float4(bad).is_err(), "{bad}");
        }
    }
}
