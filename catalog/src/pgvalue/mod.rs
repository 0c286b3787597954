//! PostgreSQL-exact conversion of scalar values between QuiverDB's in-memory
//! representation (Apache Arrow's layouts) and PostgreSQL's text and binary wire formats.
//!
//! # Design
//!
//! * **Representations** follow Arrow so callers can pass array values straight in:
//!   `date` = `i32` days since 1970-01-01; `time` = `i64` µs since midnight;
//!   `timestamp`/`timestamptz` = `i64` µs since 1970-01-01 (UTC for `timestamptz`);
//!   `'infinity'`/`'-infinity'` = `MAX`/`MIN` of the integer type; `numeric` = `i128`
//!   unscaled value plus `u8` scale (`Decimal128`); [`Interval`] = months/days/µs.
//! * **Text output** functions append to any `fmt::Write` (a `String`, a `Formatter`)
//!   without allocating per value, and never fail except by the writer's own error.
//!   Session-dependent output takes [`FormatSettings`] (`DateStyle`, `IntervalStyle`,
//!   `TimeZone`, `extra_float_digits`, `bytea_output`).
//! * **Text input** functions mirror PostgreSQL's `*_in` functions (the date/time parser
//!   follows `ParseDateTime`/`DecodeDateTime` field by field) and return [`ValueError`]
//!   with PostgreSQL's SQLSTATE and exact message (plus detail/hint where PostgreSQL has
//!   them). Inputs that depend on the clock (`now`, `today`) take the current instant as a
//!   parameter. No input makes them panic.
//! * **Binary** (`*_send`/`*_recv`) covers the non-trivial formats: numeric, date, time,
//!   timestamp(tz) and interval.
//! * Calendar arithmetic is done on plain integers (proleptic Gregorian, astronomical
//!   years), so any `i32`/`i64` value formats without overflow; `chrono-tz` is used only to
//!   look up zone offsets and abbreviations (instants after 2099 reuse an equivalent
//!   year's rules, since chrono-tz's tables stop there).
//!
//! Every expectation in the unit tests was checked against PostgreSQL 15 (the date/time
//! and interval parsers were also compared with it on thousands of random inputs).
//!
//! # Known differences from PostgreSQL
//!
//! * `numeric` `NaN`/`Infinity` and values beyond `i128` or scale 255 cannot be
//!   represented: they are rejected (0A000 / `value overflows numeric format`).
//! * Timestamps after 294247-01-10 (the end of `i64` µs since 1970) are out of range,
//!   although PostgreSQL accepts up to 294276-12-31.
//! * Time zone abbreviations in input use PostgreSQL's default set with fixed offsets
//!   (PostgreSQL resolves a few, e.g. `MSK`, historically); zone data comes from
//!   chrono-tz, whose tzdata release may differ from the server's (e.g. `EST5EDT`).
//! * Arrays are one-dimensional and without `[lo:hi]=` decorations.

mod array;
mod binary;
mod bytea;
mod calendar;
mod datetime_fields;
mod datetime_in;
mod datetime_lex;
mod datetime_out;
mod error;
mod float;
mod interval;
mod numeric;
mod posix_tz;
mod scalar;
mod settings;
mod time_in;
mod tz;
mod uuid;

pub use array::{parse_array, write_array, write_array_element};
pub use binary::{
    date_recv, date_send, interval_recv, interval_send, numeric_recv, numeric_send, time_recv, time_send, timestamp_recv, timestamp_send,
};
pub use bytea::{parse_bytea, parse_bytea_escape, parse_hex, write_bytea};
pub use datetime_in::{parse_date, parse_timestamp, parse_timestamptz};
pub use datetime_out::{write_date, write_time, write_timestamp, write_timestamptz};
pub use error::{ValueError, sqlstate};
pub use float::{parse_float4, parse_float8, write_float4, write_float8};
pub use interval::{Interval, parse_interval, write_interval};
pub use numeric::{Numeric, NumericTypmod, apply_numeric_typmod, parse_numeric, write_numeric, write_numeric_trimmed};
pub use scalar::{parse_bool, parse_int2, parse_int4, parse_int8, write_bool};
pub use settings::{ByteaOutput, DateOrder, DateOutputStyle, DateStyle, FormatSettings, IntervalStyle, parse_extra_float_digits};
pub use time_in::parse_time;
pub use tz::{TimeZone, TzAbbrev};
pub use uuid::{parse_uuid, write_uuid};

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds pseudo-random strings to every parser (and prints whatever parses) to make
    /// sure nothing panics or overflows.
    #[test]
    fn fuzz_all_parsers_no_panic() {
        const ALPHABET: &[u8] = b"0123456789+-.:/ ,eEpPTtZzxX{}\"\\@abcdjmnsyhNULinf\t\xc3\xa9";
        let st = FormatSettings::default();
        let mut seed: u64 = 0x5eed;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut out = String::new();
        for round in 0..30_000 {
            let len = next() % if round % 100 == 0 { 300 } else { 24 };
            let bytes: Vec<u8> = (0..len).map(|_| ALPHABET[next() % ALPHABET.len()]).collect();
            let s = String::from_utf8_lossy(&bytes);
            out.clear();
            if let Ok(v) = parse_bool(&s) {
                let _ = write_bool(&mut out, v);
            }
            let _ = (parse_int2(&s), parse_int4(&s), parse_int8(&s));
            if let Ok(v) = parse_float8(&s) {
                let _ = write_float8(&mut out, v, (next() % 19) as i32 - 15);
            }
            if let Ok(v) = parse_float4(&s) {
                let _ = write_float4(&mut out, v, (next() % 19) as i32 - 15);
            }
            let typmod = NumericTypmod::new(1 + (next() % 40) as i32, (next() % 50) as i32 - 10).ok();
            if let Ok(n) = parse_numeric(&s, typmod) {
                let _ = write_numeric(&mut out, n.unscaled, n.scale);
                let mut b = Vec::new();
                numeric_send(&mut b, n.unscaled, n.scale);
                assert_eq!(numeric_recv(&b, None), Ok(n));
            }
            let _ = numeric_recv(&bytes, typmod);
            if let Ok(v) = parse_date(&s, &st, 0) {
                let _ = write_date(&mut out, v, &st);
            }
            if let Ok(v) = parse_time(&s, &st, 0) {
                let _ = write_time(&mut out, v);
            }
            if let Ok(v) = parse_timestamptz(&s, &st, 0) {
                let _ = write_timestamptz(&mut out, v, &st);
            }
            let _ = parse_timestamp(&s, &st, 0);
            if let Ok(v) = parse_interval(&s, IntervalStyle::Postgres) {
                let _ = write_interval(&mut out, &v, IntervalStyle::SqlStandard);
            }
            let _ = (parse_bytea(&s), parse_uuid(&s), parse_array(&s));
            let _ = (TimeZone::parse_setting(&s), DateStyle::parse(&s, DateStyle::default()));
            let _ = (date_recv(&bytes), time_recv(&bytes), timestamp_recv(&bytes), interval_recv(&bytes));
        }
    }

    #[test]
    fn long_digit_runs() {
        let st = FormatSettings::default();
        for n in [7, 19, 20, 40, 120, 127, 128, 200] {
            let d = "9".repeat(n);
            for s in [d.clone(), format!("{d}-01-01"), format!("2024-01-01 {d}"), format!("{d}.5"), format!("J{d}")] {
                let _ = parse_date(&s, &st, 0);
                let _ = parse_timestamptz(&s, &st, 0);
                let _ = parse_time(&s, &st, 0);
                let _ = parse_interval(&s, IntervalStyle::Postgres);
                let _ = parse_numeric(&s, None);
            }
        }
    }
}
