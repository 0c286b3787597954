//! `uuid` text conversion.

use std::fmt::{self, Write};

use super::error::ValueError;

/// Appends a uuid in PostgreSQL's form: lower-case `8-4-4-4-12` hex.
pub fn write_uuid<W: Write + ?Sized>(out: &mut W, u: &[u8; 16]) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.write_char('-')?;
        }
        out.write_char(HEX[usize::from(b >> 4)] as char)?;
        out.write_char(HEX[usize::from(b & 15)] as char)?;
    }
    Ok(())
}

/// Parses uuid text like `uuid_in`: 32 hex digits (any case), optionally in `{}` braces,
/// with an optional hyphen after any group of four digits; no whitespace.
/// Error: `invalid input syntax for type uuid: "..."` (22P02).
pub fn parse_uuid(s: &str) -> Result<[u8; 16], ValueError> {
    let err = || ValueError::invalid_syntax("uuid", s);
    let b = s.as_bytes();
    let mut i = 0;
    let braces = b.first() == Some(&b'{');
    if braces {
        i = 1;
    }
    let mut out = [0u8; 16];
    for (k, slot) in out.iter_mut().enumerate() {
        let hi = b.get(i).and_then(|c| (*c as char).to_digit(16)).ok_or_else(err)?;
        let lo = b.get(i + 1).and_then(|c| (*c as char).to_digit(16)).ok_or_else(err)?;
        *slot = (hi << 4 | lo) as u8;
        i += 2;
        if b.get(i) == Some(&b'-') && k % 2 == 1 && k < 15 {
            i += 1;
        }
    }
    if braces {
        if b.get(i) != Some(&b'}') {
            return Err(err());
        }
        i += 1;
    }
    if i != b.len() {
        return Err(err());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: [u8; 16] = [0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11];

    #[test]
    fn roundtrip_and_forms() {
        let mut o = String::new();
        write_uuid(&mut o, &U).unwrap();
        assert_eq!(o, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        // select 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid, '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}'::uuid,
        //   'a0eebc999c0b4ef8bb6d6bb9bd380a11'::uuid, 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11'::uuid
        for s in [
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
        ] {
            assert_eq!(parse_uuid(s), Ok(U), "{s}");
        }
    }

    #[test]
    fn rejects() {
        for s in [
            " a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0eebc999c0b4ef8bb6d6bb9bd380a1",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11 ",
            "{a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-",
            "a0eebc999c0b4ef8bb6d6bb9bd380a-11",
            "a-0eebc999c0b4ef8bb6d6bb9bd380a11",
            "",
            "g0eebc999c0b4ef8bb6d6bb9bd380a11",
        ] {
            let e = parse_uuid(s).unwrap_err();
            assert_eq!(e.message(), format!("invalid input syntax for type uuid: \"{s}\""));
            assert_eq!(e.code(), "22P02");
        }
    }
}
