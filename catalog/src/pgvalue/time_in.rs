//! Date/time input, part 4: `time` input (PostgreSQL's `DecodeTimeOnly` and `time_in`).

use super::datetime_fields::{
    DATE_M, M_ADBC, M_AMPM, M_DTZ, M_DTZMOD, M_TZ, Mer, TIME_M, Tm, apply_meridian, decode_date, decode_labeled_number, decode_number,
    decode_number_field, decode_time, decode_timezone, time_overflows, validate_date,
};
use super::datetime_in::{Ctx, dt_error, find_zone};
use super::datetime_lex::{DtErr, Fields, Ft, Keyword, Reserved, Unit, lookup_keyword, lookup_tz_abbrev, split_fields};
use super::error::ValueError;
use super::settings::FormatSettings;
use super::tz::TimeZone;

/// Parses `time` text (PostgreSQL's `time_in`) to µs since midnight: `10:30`,
/// `10:30:00.123456`, `103000`, `10:30 pm`, `24:00:00`, `allballs`, `now`; a leading date
/// and a zone are accepted and ignored. Errors: 22007 syntax, 22008 out of range.
pub fn parse_time(s: &str, settings: &FormatSettings, now_utc_micros: i64) -> Result<i64, ValueError> {
    const TY: &str = "time";
    let ctx = Ctx { order: settings.date_style.order, zone: &settings.time_zone, now: now_utc_micros };
    let tm = split_fields(s).and_then(|f| decode_time_only(&f, &ctx)).map_err(|e| dt_error(e, s, TY))?;
    tm.time_micros().ok_or_else(|| ValueError::datetime_field_overflow(s))
}

/// PostgreSQL's `DecodeTimeOnly` for `time` (the zone is validated, then ignored).
pub(crate) fn decode_time_only(f: &Fields, ctx: &Ctx<'_>) -> Result<Tm, DtErr> {
    let mut fmask: u32 = 0;
    let mut tm = Tm::default();
    let mut tz_unused: i32 = 0;
    let mut ptype: Option<Unit> = None;
    let (mut is2digits, mut bc, mut isjulian) = (false, false, false);
    let mut mer = Mer::Hr24;
    let mut named: Option<TimeZone> = None;
    let nf = f.len();
    for i in 0..nf {
        let field = f.text(i);
        let mut tmask: u32 = 0;
        match f.ft(i) {
            Ft::Date => {
                if i == 0 && nf >= 2 && (f.ft(nf - 1) == Ft::Date || f.ft(1) == Ft::Time) {
                    decode_date(field, fmask, &mut tmask, &mut is2digits, &mut tm, ctx.order)?;
                } else if field.as_bytes()[0].is_ascii_digit() {
                    if fmask & TIME_M == TIME_M {
                        return Err(DtErr::BadFormat);
                    }
                    let dash = field.find('-').ok_or(DtErr::BadFormat)?;
                    tz_unused = decode_timezone(&field[dash..])?;
                    decode_number_field(&field[..dash], fmask | DATE_M, &mut tmask, &mut tm, &mut is2digits)?;
                    tmask |= M_TZ;
                } else {
                    named = Some(find_zone(field)?);
                    tmask = M_TZ;
                }
            }
            Ft::Time => decode_time(field, &mut tmask, &mut tm)?,
            Ft::Tz => {
                tz_unused = decode_timezone(field)?;
                tmask = M_TZ;
            }
            Ft::Number => {
                if let Some(p) = ptype {
                    decode_labeled_number(field, p, fmask, &mut tmask, &mut tm, true, &mut isjulian, &mut is2digits)?;
                    ptype = None;
                } else if let Some(dot) = field.find('.') {
                    if i == 0 && nf >= 2 && f.ft(nf - 1) == Ft::Date {
                        decode_date(field, fmask, &mut tmask, &mut is2digits, &mut tm, ctx.order)?;
                    } else if dot > 2 {
                        decode_number_field(field, fmask | DATE_M, &mut tmask, &mut tm, &mut is2digits)?;
                    } else {
                        return Err(DtErr::BadFormat);
                    }
                } else if field.len() > 4 {
                    decode_number_field(field, fmask | DATE_M, &mut tmask, &mut tm, &mut is2digits)?;
                } else {
                    decode_number(field, false, fmask | DATE_M, &mut tmask, &mut tm, &mut is2digits, ctx.order)?;
                }
            }
            Ft::String | Ft::Special => {
                if let Some((off, dst)) = lookup_tz_abbrev(field) {
                    tmask = if dst { M_DTZ | M_TZ } else { M_TZ };
                    tz_unused = off;
                } else {
                    match lookup_keyword(field) {
                        None => {
                            named = Some(TimeZone::parse_name(field).map_err(|_| DtErr::BadFormat)?);
                            tmask = M_TZ;
                        }
                        Some(Keyword::Ignore) => continue,
                        Some(Keyword::Reserved(Reserved::Now)) => {
                            tmask = TIME_M;
                            let (local, _) = ctx.now_local();
                            let (y, m, d) = (tm.year, tm.mon, tm.mday);
                            tm.set_from_local(local);
                            (tm.year, tm.mon, tm.mday) = (y, m, d);
                        }
                        Some(Keyword::Reserved(Reserved::Zulu)) => {
                            tmask = TIME_M | M_TZ;
                            (tm.hour, tm.min, tm.sec) = (0, 0, 0);
                        }
                        Some(Keyword::Reserved(_)) => return Err(DtErr::BadFormat),
                        Some(Keyword::DstModifier) => tmask = M_DTZMOD | M_DTZ,
                        Some(Keyword::AmPm { pm }) => {
                            tmask = M_AMPM;
                            mer = if pm { Mer::Pm } else { Mer::Am };
                        }
                        Some(Keyword::AdBc { bc: is_bc }) => {
                            tmask = M_ADBC;
                            bc = is_bc;
                        }
                        Some(Keyword::Units(u)) => ptype = Some(u),
                        Some(Keyword::IsoTime) => {
                            if i + 1 >= nf || !matches!(f.ft(i + 1), Ft::Number | Ft::Time | Ft::Date) {
                                return Err(DtErr::BadFormat);
                            }
                            ptype = Some(Unit::Time);
                        }
                        Some(Keyword::Month(_) | Keyword::Dow) => return Err(DtErr::BadFormat),
                    }
                }
            }
        }
        if tmask & fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= tmask;
    }
    let _ = tz_unused;
    validate_date(fmask, isjulian, is2digits, bc, &mut tm)?;
    apply_meridian(mer, &mut tm)?;
    if time_overflows(&tm) {
        return Err(DtErr::FieldOverflow);
    }
    if fmask & TIME_M != TIME_M {
        return Err(DtErr::BadFormat);
    }
    if let Some(zone) = named {
        if fmask & M_DTZMOD != 0 {
            return Err(DtErr::BadFormat);
        }
        // A zone with DST needs a date to be meaningful.
        if !is_fixed_zone(&zone) && fmask & DATE_M != DATE_M {
            return Err(DtErr::BadFormat);
        }
    } else if fmask & M_TZ == 0 {
        // The session zone is resolved for the given date: a partial date is an error.
        if fmask & M_DTZMOD != 0 || (fmask & DATE_M != 0 && fmask & DATE_M != DATE_M) {
            return Err(DtErr::BadFormat);
        }
    }
    Ok(tm)
}

/// True if the zone never changes offset (like `Etc/GMT+5` or `UTC+3`).
fn is_fixed_zone(zone: &TimeZone) -> bool {
    const SAMPLES: [i64; 6] = [
        -5_364_662_400_000_000, // 1800-01-01
        -2_208_988_800_000_000, // 1900-01-01
        0,
        946_684_800_000_000,   // 2000-01-01
        1_704_067_200_000_000, // 2024-01-01
        1_719_792_000_000_000, // 2024-07-01
    ];
    let first = zone.offset_at_utc(SAMPLES[0]);
    SAMPLES.iter().all(|t| zone.offset_at_utc(*t) == first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pgvalue::datetime_out::write_time;

    /// 2023-11-14 22:13:20 UTC, the fixed "current instant" of these tests.
    const NOW: i64 = 1_700_000_000_000_000;

    fn check(cases: &[(&str, &str)]) {
        let st = FormatSettings::default();
        for (input, want) in cases {
            let got = match parse_time(input, &st, NOW) {
                Ok(v) => {
                    let mut o = String::new();
                    let _ = write_time(&mut o, v);
                    o
                }
                Err(e) => format!("ERR {} {}", e.code(), e.message()),
            };
            assert_eq!(got, *want, "{input:?}");
        }
    }

    #[test]
    fn time_input() {
        // select '<input>'::time
        check(&[
            ("10:30", "10:30:00"),
            ("10:30:00.123456", "10:30:00.123456"),
            ("24:00:00", "24:00:00"),
            ("allballs", "00:00:00"),
            ("10:30 pm", "22:30:00"),
            ("103000", "10:30:00"),
            ("10:30:00+05", "10:30:00"),
            ("2024-01-05 10:30", "10:30:00"),
            ("23:59:59.9999999", "24:00:00"),
            (" 10:30:05.5 ", "10:30:05.5"),
            ("1030", "10:30:00"),
            ("10:30:60", "10:31:00"),
            ("10:30.5", "00:10:30.5"),
            ("T10:30", "10:30:00"),
            ("10:", "10:00:00"),
            ("12:00 am", "00:00:00"),
            ("12:30 pm", "12:30:00"),
            ("10:00:00.1234565", "10:00:00.123456"),
            ("10:00:00.0000015", "10:00:00.000002"),
            ("13:45 Etc/GMT+5", "13:45:00"),
            ("now", "22:13:20"),
            ("1030mm", "10:30:00"),
            ("24:00:01", "ERR 22008 date/time field value out of range: \"24:00:01\""),
            ("25:00", "ERR 22008 date/time field value out of range: \"25:00\""),
            ("23:59:60.5", "ERR 22008 date/time field value out of range: \"23:59:60.5\""),
            ("13:00 pm", "ERR 22008 date/time field value out of range: \"13:00 pm\""),
            ("mm101010", "ERR 22008 date/time field value out of range: \"mm101010\""),
            ("today", "ERR 22007 invalid input syntax for type time: \"today\""),
            ("10", "ERR 22007 invalid input syntax for type time: \"10\""),
            ("x", "ERR 22007 invalid input syntax for type time: \"x\""),
            ("10:30 America/New_York", "ERR 22007 invalid input syntax for type time: \"10:30 America/New_York\""),
            ("13:45 EST5EDT", "ERR 22007 invalid input syntax for type time: \"13:45 EST5EDT\""),
            ("h10mm30s5", "ERR 22007 invalid input syntax for type time: \"h10mm30s5\""),
            ("y2024m1d5h10m30s5", "ERR 22007 invalid input syntax for type time: \"y2024m1d5h10m30s5\""),
        ]);
    }
}
