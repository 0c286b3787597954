//! `bytea` text conversion (hex and escape formats).

use std::fmt::{self, Write};

use super::error::{ValueError, sqlstate};
use super::settings::ByteaOutput;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends bytes as `bytea_output` dictates: hex `\x0aff` (empty → `\x`), or escape
/// format (`\\` for backslash, `\ooo` octal for bytes outside 0x20..=0x7e).
pub fn write_bytea<W: Write + ?Sized>(out: &mut W, bytes: &[u8], format: ByteaOutput) -> fmt::Result {
    match format {
        ByteaOutput::Hex => {
            out.write_str("\\x")?;
            for b in bytes {
                out.write_char(HEX[usize::from(b >> 4)] as char)?;
                out.write_char(HEX[usize::from(b & 15)] as char)?;
            }
        }
        ByteaOutput::Escape => {
            for &b in bytes {
                if b == b'\\' {
                    out.write_str("\\\\")?;
                } else if !(0x20..=0x7e).contains(&b) {
                    out.write_char('\\')?;
                    out.write_char((b'0' + (b >> 6)) as char)?;
                    out.write_char((b'0' + ((b >> 3) & 7)) as char)?;
                    out.write_char((b'0' + (b & 7)) as char)?;
                } else {
                    out.write_char(b as char)?;
                }
            }
        }
    }
    Ok(())
}

/// Parses `bytea` text like `byteain`: `\x` hex (whitespace allowed between byte pairs;
/// errors `invalid hexadecimal digit: "z"`, `invalid hexadecimal data: odd number of
/// digits`, 22023) or escape format (`\\`, `\ooo`; other backslashes →
/// `invalid input syntax for type bytea`, 22P02).
pub fn parse_bytea(s: &str) -> Result<Vec<u8>, ValueError> {
    match s.strip_prefix("\\x") {
        Some(hex) => parse_hex(hex),
        None => parse_bytea_escape(s),
    }
}

/// Parses the escape format of `bytea` (`\\` and `\ooo` octal; any other backslash is
/// `invalid input syntax for type bytea`, 22P02), as `decode(s, 'escape')` does.
pub fn parse_bytea_escape(s: &str) -> Result<Vec<u8>, ValueError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let octal = |c: u8, max: u8| (b'0'..=max).contains(&c);
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if let (Some(&a), Some(&m), Some(&c)) = (b.get(i + 1), b.get(i + 2), b.get(i + 3))
            && octal(a, b'3')
            && octal(m, b'7')
            && octal(c, b'7')
        {
            out.push(((a - b'0') << 6) | ((m - b'0') << 3) | (c - b'0'));
            i += 4;
        } else {
            return Err(ValueError::new(sqlstate::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea"));
        }
    }
    Ok(out)
}

/// Parses hex digits (whitespace allowed between byte pairs), as after `\x` or in
/// `decode(s, 'hex')`.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut chars = s.chars();
    let digit = |c: char| {
        c.to_digit(16).ok_or_else(|| ValueError::new(sqlstate::INVALID_PARAMETER_VALUE, format!("invalid hexadecimal digit: \"{c}\"")))
    };
    while let Some(c) = chars.next() {
        if matches!(c, ' ' | '\n' | '\t' | '\r') {
            continue;
        }
        let hi = digit(c)?;
        let Some(c2) = chars.next() else {
            return Err(ValueError::new(sqlstate::INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"));
        };
        let lo = digit(c2)?;
        out.push((hi << 4 | lo) as u8);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(b: &[u8], f: ByteaOutput) -> String {
        let mut o = String::new();
        write_bytea(&mut o, b, f).unwrap();
        o
    }

    #[test]
    fn output() {
        // select '\x00017f80ff5c27414243'::bytea (hex and escape)
        let v = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x5c, 0x27, 0x41, 0x42, 0x43];
        assert_eq!(out(&v, ByteaOutput::Hex), "\\x00017f80ff5c27414243");
        assert_eq!(out(&v, ByteaOutput::Escape), "\\000\\001\\177\\200\\377\\\\'ABC");
        assert_eq!(out(&[], ByteaOutput::Hex), "\\x");
        assert_eq!(out(&[], ByteaOutput::Escape), "");
    }

    #[test]
    fn input() {
        // select '\x414243'::bytea, 'abc\\def'::bytea, '\001\377'::bytea, 'a\047b'::bytea
        assert_eq!(parse_bytea("\\x414243"), Ok(b"ABC".to_vec()));
        assert_eq!(parse_bytea("abc\\\\def"), Ok(b"abc\\def".to_vec()));
        assert_eq!(parse_bytea("\\001\\377"), Ok(vec![1, 255]));
        assert_eq!(parse_bytea("a\\047b"), Ok(b"a'b".to_vec()));
        // select '\x 41 42'::bytea, '\x4142 '::bytea, '\x'::bytea
        assert_eq!(parse_bytea("\\x 41 42"), Ok(b"AB".to_vec()));
        assert_eq!(parse_bytea("\\x4142 "), Ok(b"AB".to_vec()));
        assert_eq!(parse_bytea("\\x"), Ok(vec![]));
        assert_eq!(parse_bytea("a\\\\\\000"), Ok(b"a\\\0".to_vec()));
        assert_eq!(parse_bytea("é"), Ok("é".as_bytes().to_vec()));
        let e = parse_bytea("\\x4").unwrap_err();
        assert_eq!((e.code(), e.message()), ("22023", "invalid hexadecimal data: odd number of digits"));
        let e = parse_bytea("\\xzz").unwrap_err();
        assert_eq!((e.code(), e.message()), ("22023", "invalid hexadecimal digit: \"z\""));
        assert_eq!(parse_bytea("\\x4 1").unwrap_err().message(), "invalid hexadecimal digit: \" \"");
        for bad in ["a\\9", "a\\", "\\X4142", "\\400", "\\12"] {
            let e = parse_bytea(bad).unwrap_err();
            assert_eq!((e.code(), e.message()), ("22P02", "invalid input syntax for type bytea"), "{bad}");
        }
    }
}
