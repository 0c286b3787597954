//! Binary wire formats (`*_send` / `*_recv`) for numeric, date, time, timestamp(tz) and
//! interval. All integers are big-endian; date/time values count from 2000-01-01.

use super::calendar::{MICROS_PER_DAY, PG_EPOCH_DAYS, PG_EPOCH_MICROS, is_valid_date, is_valid_timestamp};
use super::error::{ValueError, sqlstate};
use super::interval::Interval;
use super::numeric::{DigitSeq, Numeric, NumericTypmod, from_digits};

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

fn short_message() -> ValueError {
    ValueError::new(sqlstate::PROTOCOL_VIOLATION, "insufficient data left in message")
}

fn fixed<const N: usize>(buf: &[u8]) -> Result<[u8; N], ValueError> {
    if buf.len() < N {
        return Err(short_message());
    }
    if buf.len() > N {
        return Err(ValueError::invalid_binary("incorrect binary data format"));
    }
    let mut a = [0u8; N];
    a.copy_from_slice(buf);
    Ok(a)
}

/// Appends PostgreSQL's binary `numeric` (`numeric_send`) for `unscaled × 10^-scale`:
/// ndigits, weight, sign, dscale (= `scale`), then base-10000 digits with leading and
/// trailing zero groups stripped (zero → no digits, weight 0).
pub fn numeric_send(out: &mut Vec<u8>, unscaled: i128, scale: u8) {
    let mut buf = [0u8; 40];
    let mut v = unscaled.unsigned_abs();
    let mut n = 0; // decimal digits, least significant first
    while v != 0 {
        buf[n] = (v % 10) as u8;
        v /= 10;
        n += 1;
    }
    let sign = if unscaled < 0 { NUMERIC_NEG } else { NUMERIC_POS };
    let s = i64::from(scale);
    if n == 0 {
        for x in [0u16, 0, NUMERIC_POS, u16::from(scale)] {
            out.extend_from_slice(&x.to_be_bytes());
        }
        return;
    }
    // Digit at decimal power p (value = Σ d(p)·10^p).
    let digit = |p: i64| -> u16 {
        let idx = p + s;
        if (0..n as i64).contains(&idx) { u16::from(buf[idx as usize]) } else { 0 }
    };
    let trailing_zeros = buf[..n].iter().take_while(|d| **d == 0).count() as i64;
    let hi = (n as i64 - 1 - s).div_euclid(4);
    let lo = (trailing_zeros - s).div_euclid(4);
    let ndigits = (hi - lo + 1) as u16;
    for x in [ndigits, hi as i16 as u16, sign, u16::from(scale)] {
        out.extend_from_slice(&x.to_be_bytes());
    }
    for w in (lo..=hi).rev() {
        let g = digit(4 * w + 3) * 1000 + digit(4 * w + 2) * 100 + digit(4 * w + 1) * 10 + digit(4 * w);
        out.extend_from_slice(&g.to_be_bytes());
    }
}

/// Decodes PostgreSQL's binary `numeric` (`numeric_recv`). Digits hidden by dscale are
/// truncated (as PostgreSQL does); then the value is rounded half away from zero to the
/// typmod's scale with a precision check (`numeric field overflow`), or kept at dscale
/// without a typmod. Malformed input → 22P03 / 08P01; NaN/±Infinity are not representable
/// (0A000, or PostgreSQL's field-overflow text for infinity under a typmod).
pub fn numeric_recv(buf: &[u8], typmod: Option<NumericTypmod>) -> Result<Numeric, ValueError> {
    let word = |i: usize| -> Result<u16, ValueError> {
        match buf.get(2 * i..2 * i + 2) {
            Some(w) => Ok(u16::from_be_bytes([w[0], w[1]])),
            None => Err(short_message()),
        }
    };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = word(3)?;
    if !matches!(sign, NUMERIC_POS | NUMERIC_NEG | NUMERIC_NAN | NUMERIC_PINF | NUMERIC_NINF) {
        return Err(ValueError::invalid_binary("invalid sign in external \"numeric\" value"));
    }
    if dscale & 0x3FFF != dscale {
        return Err(ValueError::invalid_binary("invalid scale in external \"numeric\" value"));
    }
    let mut digits: Vec<u8> = Vec::with_capacity(ndigits * 4);
    for i in 0..ndigits {
        let d = word(4 + i)?;
        if d >= 10000 {
            return Err(ValueError::invalid_binary("invalid digit in external \"numeric\" value"));
        }
        digits.extend_from_slice(&[
            b'0' + (d / 1000) as u8,
            b'0' + (d / 100 % 10) as u8,
            b'0' + (d / 10 % 10) as u8,
            b'0' + (d % 10) as u8,
        ]);
    }
    if buf.len() > 8 + 2 * ndigits {
        return Err(ValueError::invalid_binary("incorrect binary data format"));
    }
    match sign {
        NUMERIC_NAN => {
            return Err(ValueError::new(sqlstate::FEATURE_NOT_SUPPORTED, "numeric value NaN is not supported"));
        }
        NUMERIC_PINF | NUMERIC_NINF => {
            if let Some(tm) = typmod {
                return Err(ValueError::numeric_field_overflow(format!(
                    "A field with precision {}, scale {} cannot hold an infinite value.",
                    tm.precision(),
                    tm.scale()
                )));
            }
            let what = if sign == NUMERIC_PINF { "Infinity" } else { "-Infinity" };
            return Err(ValueError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("numeric value {what} is not supported")));
        }
        _ => {}
    }
    // value = digits × 10^-frac
    let mut frac = 4 * (ndigits as i64 - 1 - weight);
    let dscale = i64::from(dscale);
    if frac > dscale {
        let cut = (frac - dscale).min(digits.len() as i64) as usize;
        digits.truncate(digits.len() - cut);
        frac = dscale;
    } else if frac < dscale && typmod.is_none() {
        // Keep the declared display scale (e.g. 1.50 has dscale 2).
        digits.resize(digits.len() + (dscale - frac) as usize, b'0');
        frac = dscale;
    }
    let seq = DigitSeq { parts: [&digits, &[]] };
    from_digits(sign == NUMERIC_NEG, &seq, frac, typmod)
}

/// `date_send`: days since 2000-01-01; `i32::MAX`/`i32::MIN` (infinities) pass through.
/// Error: `date out of range` (22008) for days outside PostgreSQL's range.
pub fn date_send(days: i32) -> Result<[u8; 4], ValueError> {
    if days == i32::MAX || days == i32::MIN {
        return Ok(days.to_be_bytes());
    }
    if !is_valid_date(i64::from(days)) {
        return Err(ValueError::datetime_out_of_range("date", None));
    }
    Ok(((i64::from(days) - PG_EPOCH_DAYS) as i32).to_be_bytes())
}

/// `date_recv`: 4 bytes → days since 1970 (infinities kept); `date out of range` (22008).
pub fn date_recv(buf: &[u8]) -> Result<i32, ValueError> {
    let v = i32::from_be_bytes(fixed::<4>(buf)?);
    if v == i32::MAX || v == i32::MIN {
        return Ok(v);
    }
    let days = i64::from(v) + PG_EPOCH_DAYS;
    if !is_valid_date(days) {
        return Err(ValueError::datetime_out_of_range("date", None));
    }
    Ok(days as i32)
}

/// `time_send`: µs since midnight as int64 (no range check).
pub fn time_send(micros: i64) -> [u8; 8] {
    micros.to_be_bytes()
}

/// `time_recv`: 8 bytes → µs since midnight; outside 0..=24:00:00 → `time out of range` (22008).
pub fn time_recv(buf: &[u8]) -> Result<i64, ValueError> {
    let v = i64::from_be_bytes(fixed::<8>(buf)?);
    if !(0..=MICROS_PER_DAY).contains(&v) {
        return Err(ValueError::datetime_out_of_range("time", None));
    }
    Ok(v)
}

/// `timestamp_send`/`timestamptz_send`: µs since 1970 → µs since 2000 (infinities kept).
/// Error: `timestamp out of range` (22008) outside PostgreSQL's range.
pub fn timestamp_send(micros: i64) -> Result<[u8; 8], ValueError> {
    if micros == i64::MAX || micros == i64::MIN {
        return Ok(micros.to_be_bytes());
    }
    if !is_valid_timestamp(micros) {
        return Err(ValueError::datetime_out_of_range("timestamp", None));
    }
    Ok((micros - PG_EPOCH_MICROS).to_be_bytes())
}

/// `timestamp_recv`/`timestamptz_recv`: 8 bytes (µs since 2000) → µs since 1970
/// (infinities kept); out of range → `timestamp out of range` (22008).
pub fn timestamp_recv(buf: &[u8]) -> Result<i64, ValueError> {
    let v = i64::from_be_bytes(fixed::<8>(buf)?);
    if v == i64::MAX || v == i64::MIN {
        return Ok(v);
    }
    match v.checked_add(PG_EPOCH_MICROS) {
        Some(t) if is_valid_timestamp(t) => Ok(t),
        _ => Err(ValueError::datetime_out_of_range("timestamp", None)),
    }
}

/// `interval_send`: int64 µs, int32 days, int32 months.
pub fn interval_send(iv: &Interval) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&iv.micros.to_be_bytes());
    out[8..12].copy_from_slice(&iv.days.to_be_bytes());
    out[12..].copy_from_slice(&iv.months.to_be_bytes());
    out
}

/// `interval_recv`: the 16-byte layout of [`interval_send`] (no range checks, as PG 15).
pub fn interval_recv(buf: &[u8]) -> Result<Interval, ValueError> {
    let b = fixed::<16>(buf)?;
    let mut m = [0u8; 8];
    m.copy_from_slice(&b[..8]);
    let mut d = [0u8; 4];
    d.copy_from_slice(&b[8..12]);
    let mut mo = [0u8; 4];
    mo.copy_from_slice(&b[12..]);
    Ok(Interval { micros: i64::from_be_bytes(m), days: i32::from_be_bytes(d), months: i32::from_be_bytes(mo) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
    fn send(u: i128, s: u8) -> String {
        let mut v = Vec::new();
        numeric_send(&mut v, u, s);
        hex(&v)
    }

    // select numeric_send('0'), numeric_send('0.00'), numeric_send('1.5'), numeric_send('-12345.678'),
    //   numeric_send('10000'), numeric_send('0.0001'), numeric_send('123456789.123456789'),
    //   numeric_send('1e20'), numeric_send('100.10'), numeric_send('-0.00000012')
    const CASES: [(i128, u8, &str); 10] = [
        (0, 0, "0000000000000000"),
        (0, 2, "0000000000000002"),
        (15, 1, "000200000000000100011388"),
        (-12345678, 3, "0003000140000003000109291a7c"),
        (10000, 0, "00010001000000000001"),
        (1, 4, "0001ffff000000040001"),
        (123456789123456789, 9, "0006000200000009000109291a8504d2162e2328"),
        (100000000000000000000, 0, "00010005000000000001"),
        (10010, 2, "0002000000000002006403e8"),
        (-12, 8, "0001fffe40000008000c"),
    ];

    #[test]
    fn numeric_send_matches_postgres() {
        for (u, s, want) in CASES {
            assert_eq!(send(u, s), want, "{u} scale {s}");
        }
        let mut v = Vec::new();
        numeric_send(&mut v, i128::MIN, 38);
        numeric_send(&mut v, i128::MAX, 0);
        numeric_send(&mut v, 1, 255);
    }

    #[test]
    fn numeric_recv_roundtrip_and_rescale() {
        for (u, s, want) in CASES {
            let got = numeric_recv(&unhex(want), None).unwrap();
            assert_eq!(got, Numeric { unscaled: u, scale: s }, "{want}");
        }
        let tm = |p, s| Some(NumericTypmod::new(p, s).unwrap());
        // 123456789.123456789 into numeric(20,4) → 123456789.1235
        let got = numeric_recv(&unhex(CASES[6].2), tm(20, 4)).unwrap();
        assert_eq!(got, Numeric { unscaled: 1234567891235, scale: 4 });
        // -12345.678 into numeric(4,0) → overflow
        let e = numeric_recv(&unhex(CASES[3].2), tm(4, 0)).unwrap_err();
        assert_eq!(e.message(), "numeric field overflow");
        assert_eq!(e.detail(), Some("A field with precision 4, scale 0 must round to an absolute value less than 10^4."));
        // dscale 1 hides digits of 1.55 (digits 0001 1388+...): truncated, not rounded
        let got = numeric_recv(&unhex("000200000000000100011644"), None).unwrap(); // 1.5700 dscale 1
        assert_eq!(got, Numeric { unscaled: 15, scale: 1 });
        assert_eq!(numeric_recv(&unhex("00000000c0000000"), None).unwrap_err().code(), "0A000");
        let e = numeric_recv(&unhex("00000000d0000020"), tm(10, 2)).unwrap_err();
        assert_eq!(e.detail(), Some("A field with precision 10, scale 2 cannot hold an infinite value."));
        assert_eq!(numeric_recv(&unhex("0000000012340000"), None).unwrap_err().message(), "invalid sign in external \"numeric\" value");
        assert_eq!(numeric_recv(&unhex("000000000000c000"), None).unwrap_err().message(), "invalid scale in external \"numeric\" value");
        assert_eq!(
            numeric_recv(&unhex("0001000000000000ffff"), None).unwrap_err().message(),
            "invalid digit in external \"numeric\" value"
        );
        assert_eq!(numeric_recv(&unhex("000100000000"), None).unwrap_err().code(), "08P01");
        assert_eq!(numeric_recv(&unhex("00010000000000000001"), None).unwrap(), Numeric { unscaled: 1, scale: 0 });
        // weight 20 → far beyond i128
        assert_eq!(numeric_recv(&unhex("00010014000000000001"), None).unwrap_err().message(), "value overflows numeric format");
    }

    #[test]
    fn datetime_binary_matches_postgres() {
        // select time_send('10:30:00.5'), date_send('2024-01-05'), date_send('infinity'),
        //   date_send('-infinity'), timestamp_send('2024-01-05 10:30'), timestamp_send('infinity'),
        //   timestamp_send('-infinity'), timestamptz_send('2000-01-01 00:00+00'),
        //   interval_send('1 year 2 mons 3 days 04:05:06.5'), interval_send('-1 days')
        assert_eq!(hex(&time_send(37_800_500_000)), "00000008cd15db20");
        let d2024 = 19727; // 2024-01-05
        assert_eq!(hex(&date_send(d2024).unwrap()), "00002242");
        assert_eq!(hex(&date_send(i32::MAX).unwrap()), "7fffffff");
        assert_eq!(hex(&date_send(i32::MIN).unwrap()), "80000000");
        let ts = 1_704_450_600_000_000; // 2024-01-05 10:30 UTC
        assert_eq!(hex(&timestamp_send(ts).unwrap()), "0002b12f1954fa00");
        assert_eq!(hex(&timestamp_send(i64::MAX).unwrap()), "7fffffffffffffff");
        assert_eq!(hex(&timestamp_send(i64::MIN).unwrap()), "8000000000000000");
        assert_eq!(hex(&timestamp_send(PG_EPOCH_MICROS).unwrap()), "0000000000000000");
        let iv = Interval { months: 14, days: 3, micros: 14_706_500_000 };
        assert_eq!(hex(&interval_send(&iv)), "000000036c9361a0000000030000000e");
        assert_eq!(hex(&interval_send(&Interval { months: 0, days: -1, micros: 0 })), "0000000000000000ffffffff00000000");
        // and back
        assert_eq!(date_recv(&unhex("00002242")), Ok(d2024));
        assert_eq!(date_recv(&unhex("7fffffff")), Ok(i32::MAX));
        assert_eq!(time_recv(&unhex("00000008cd15db20")), Ok(37_800_500_000));
        assert_eq!(timestamp_recv(&unhex("0002b12f1954fa00")), Ok(ts));
        assert_eq!(timestamp_recv(&unhex("8000000000000000")), Ok(i64::MIN));
        assert_eq!(interval_recv(&unhex("000000036c9361a0000000030000000e")), Ok(iv));
        // errors
        assert_eq!(date_recv(&unhex("7ffffffe")).unwrap_err().message(), "date out of range");
        assert_eq!(time_recv(&unhex("ffffffffffffffff")).unwrap_err().message(), "time out of range");
        assert_eq!(timestamp_recv(&unhex("7ffffffffffffffe")).unwrap_err().message(), "timestamp out of range");
        assert!(timestamp_send(i64::MAX - 1).is_ok());
        assert_eq!(timestamp_send(i64::MIN + 1).unwrap_err().code(), "22008");
        assert_eq!(date_send(i32::MAX - 1).unwrap_err().code(), "22008");
        assert_eq!(date_recv(&[0, 0]).unwrap_err().code(), "08P01");
        assert_eq!(interval_recv(&[0; 17]).unwrap_err().code(), "22P03");
    }
}
