//! Date/time input, part 3: PostgreSQL's `DecodeDateTime` / `DecodeTimeOnly` field
//! decoding and the public `date`, `timestamp`, `timestamptz` parsers.

use super::calendar::{MICROS_PER_DAY, MICROS_PER_SEC, civil_from_days, days_from_civil, is_valid_date, is_valid_timestamp};
use super::datetime_fields::{
    DATE_M, M_ADBC, M_AMPM, M_DAY, M_DOW, M_DTZ, M_DTZMOD, M_MONTH, M_RESERV, M_TZ, Mer, TIME_M, Tm, apply_meridian, decode_date,
    decode_labeled_number, decode_number, decode_number_field, decode_time, decode_timezone, set_julian, time_overflows, validate_date,
};
use super::datetime_lex::{DtErr, Fields, Ft, Keyword, Reserved, Unit, lookup_keyword, lookup_tz_abbrev, split_fields, strtoint};
use super::error::ValueError;
use super::settings::{DateOrder, FormatSettings};
use super::tz::TimeZone;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dtype {
    Date,
    Epoch,
    Late,
    Early,
}

/// What decoding needs from the session.
pub(crate) struct Ctx<'a> {
    pub(crate) order: DateOrder,
    pub(crate) zone: &'a TimeZone,
    pub(crate) now: i64,
}

impl Ctx<'_> {
    /// Current local time in the session zone and its offset.
    pub(crate) fn now_local(&self) -> (i64, i32) {
        let off = self.zone.offset_at_utc(self.now);
        (self.now.saturating_add(i64::from(off) * MICROS_PER_SEC), off)
    }
    fn offset_for(&self, zone: &TimeZone, tm: &Tm) -> i32 {
        zone.offset_for_local(tm.local_micros().unwrap_or(i64::MAX))
    }
}

struct Decoded {
    dtype: Dtype,
    tm: Tm,
    /// Zone offset, seconds east of UTC.
    tz: i32,
}

/// Parses `date` text (PostgreSQL's `date_in`) to days since 1970-01-01: ISO and
/// DateStyle-ordered numeric forms, month names, `BC`, Julian `J2451187`, `epoch`,
/// `infinity`/`-infinity` (→ `i32::MAX`/`i32::MIN`), `today`/`tomorrow`/`yesterday`/`now`
/// relative to `now_utc_micros` in the session TimeZone. Errors: 22007 syntax, 22008 range.
pub fn parse_date(s: &str, settings: &FormatSettings, now_utc_micros: i64) -> Result<i32, ValueError> {
    const TY: &str = "date";
    let d = decode_datetime_str(s, settings, now_utc_micros).map_err(|e| dt_error(e, s, TY))?;
    let tm = match d.dtype {
        Dtype::Date => d.tm,
        Dtype::Epoch => return Ok(0),
        Dtype::Late => return Ok(i32::MAX),
        Dtype::Early => return Ok(i32::MIN),
    };
    let days = days_from_civil(tm.year, tm.mon, tm.mday);
    if !is_valid_date(days) {
        return Err(ValueError::datetime_out_of_range("date", Some(s)));
    }
    Ok(days as i32)
}

/// Parses `timestamp` text (PostgreSQL's `timestamp_in`) to µs since 1970: ISO with space
/// or `T`, other DateStyle forms, fractional seconds rounded to µs, `BC`; a time zone in
/// the input is accepted and ignored; `epoch`, `infinity` (→ `i64::MAX`), `-infinity`
/// (→ `i64::MIN`), `now`/`today`/... use `now_utc_micros` in the session TimeZone.
pub fn parse_timestamp(s: &str, settings: &FormatSettings, now_utc_micros: i64) -> Result<i64, ValueError> {
    parse_ts(s, settings, now_utc_micros, false)
}

/// Parses `timestamptz` text (PostgreSQL's `timestamptz_in`) to µs since 1970 UTC. Zone
/// suffixes: `Z`, `+05`, `+05:30`, `-0800`, abbreviations (`UTC`, `EST`), IANA names,
/// POSIX specs (`UTC+3` = 3 hours west); without one the session TimeZone applies
/// (DST gaps/overlaps resolved as PostgreSQL does). Specials as for [`parse_timestamp`].
pub fn parse_timestamptz(s: &str, settings: &FormatSettings, now_utc_micros: i64) -> Result<i64, ValueError> {
    parse_ts(s, settings, now_utc_micros, true)
}

fn parse_ts(s: &str, settings: &FormatSettings, now: i64, with_tz: bool) -> Result<i64, ValueError> {
    let ty = if with_tz { "timestamp with time zone" } else { "timestamp" };
    let d = decode_datetime_str(s, settings, now).map_err(|e| dt_error(e, s, ty))?;
    match d.dtype {
        Dtype::Date => {}
        Dtype::Epoch => return Ok(0),
        Dtype::Late => return Ok(i64::MAX),
        Dtype::Early => return Ok(i64::MIN),
    }
    let out_of_range = || ValueError::datetime_out_of_range("timestamp", Some(s));
    let days = days_from_civil(d.tm.year, d.tm.mon, d.tm.mday);
    if !is_valid_date(days) {
        return Err(out_of_range());
    }
    let mut v = d.tm.local_micros().ok_or_else(out_of_range)?;
    if with_tz {
        v = v.checked_sub(i64::from(d.tz) * MICROS_PER_SEC).ok_or_else(out_of_range)?;
    }
    if !is_valid_timestamp(v) {
        return Err(out_of_range());
    }
    Ok(v)
}

/// Maps a decoding failure to PostgreSQL's `DateTimeParseError` message for `ty`.
pub(crate) fn dt_error(e: DtErr, input: &str, ty: &str) -> ValueError {
    match e {
        DtErr::BadFormat => ValueError::datetime_syntax(ty, input),
        DtErr::FieldOverflow => ValueError::datetime_field_overflow(input),
        DtErr::MdFieldOverflow => ValueError::datetime_md_field_overflow(input),
        DtErr::IntervalOverflow => ValueError::interval_field_overflow(input),
        DtErr::TzDispOverflow => ValueError::tz_displacement_out_of_range(input),
        DtErr::TzNotRecognized(name) => ValueError::tz_not_recognized(&name),
    }
}

fn decode_datetime_str(s: &str, settings: &FormatSettings, now: i64) -> Result<Decoded, DtErr> {
    let ctx = Ctx { order: settings.date_style.order, zone: &settings.time_zone, now };
    let fields = split_fields(s)?;
    decode_datetime(&fields, &ctx)
}

pub(crate) fn find_zone(name: &str) -> Result<TimeZone, DtErr> {
    TimeZone::parse_name(name).map_err(|_| DtErr::TzNotRecognized(name.to_string()))
}

/// PostgreSQL's `DecodeDateTime` (zone always accepted).
fn decode_datetime(f: &Fields, ctx: &Ctx<'_>) -> Result<Decoded, DtErr> {
    let mut fmask: u32 = 0;
    let mut tm = Tm::default();
    let mut tz: i32 = 0;
    let mut dtype = Dtype::Date;
    let mut ptype: Option<Unit> = None;
    let (mut is2digits, mut bc, mut isjulian, mut have_text_month) = (false, false, false, false);
    let mut mer = Mer::Hr24;
    let mut named: Option<TimeZone> = None;
    let nf = f.len();
    for i in 0..nf {
        let field = f.text(i);
        let mut tmask: u32;
        match f.ft(i) {
            Ft::Date => {
                if ptype == Some(Unit::Julian) {
                    let (val, used) = strtoint(field, true)?;
                    if val < 0 {
                        return Err(DtErr::FieldOverflow);
                    }
                    set_julian(&mut tm, val);
                    isjulian = true;
                    tz = decode_timezone(&field[used..])?;
                    tmask = DATE_M | TIME_M | M_TZ;
                    ptype = None;
                } else if ptype.is_some() || fmask & (M_MONTH | M_DAY) == (M_MONTH | M_DAY) {
                    if field.as_bytes()[0].is_ascii_digit() || ptype.is_some() {
                        // Allow a preceding "t" field, but no other units.
                        if let Some(p) = ptype {
                            if p != Unit::Time {
                                return Err(DtErr::BadFormat);
                            }
                            ptype = None;
                        }
                        if fmask & TIME_M == TIME_M {
                            return Err(DtErr::BadFormat);
                        }
                        let dash = field.find('-').ok_or(DtErr::BadFormat)?;
                        tz = decode_timezone(&field[dash..])?;
                        let mut t = 0;
                        decode_number_field(&field[..dash], fmask, &mut t, &mut tm, &mut is2digits)?;
                        tmask = t | M_TZ;
                    } else {
                        named = Some(find_zone(field)?);
                        tmask = M_TZ;
                    }
                } else {
                    tmask = 0;
                    decode_date(field, fmask, &mut tmask, &mut is2digits, &mut tm, ctx.order)?;
                }
            }
            Ft::Time => {
                if let Some(p) = ptype {
                    if p != Unit::Time {
                        return Err(DtErr::BadFormat);
                    }
                    ptype = None;
                }
                tmask = 0;
                decode_time(field, &mut tmask, &mut tm)?;
                if time_overflows(&tm) {
                    return Err(DtErr::FieldOverflow);
                }
            }
            Ft::Tz => {
                tz = decode_timezone(field)?;
                tmask = M_TZ;
            }
            Ft::Number => {
                tmask = 0;
                if let Some(p) = ptype {
                    decode_labeled_number(field, p, fmask, &mut tmask, &mut tm, false, &mut isjulian, &mut is2digits)?;
                    ptype = None;
                    dtype = Dtype::Date;
                } else {
                    let dot = field.find('.');
                    let flen = field.len();
                    if dot.is_some() && fmask & DATE_M == 0 {
                        decode_date(field, fmask, &mut tmask, &mut is2digits, &mut tm, ctx.order)?;
                    } else if dot.is_some_and(|d| d > 2) || (flen >= 6 && (fmask & DATE_M == 0 || fmask & TIME_M == 0)) {
                        decode_number_field(field, fmask, &mut tmask, &mut tm, &mut is2digits)?;
                    } else {
                        decode_number(field, have_text_month, fmask, &mut tmask, &mut tm, &mut is2digits, ctx.order)?;
                    }
                }
            }
            Ft::String | Ft::Special => {
                if let Some((off, dst)) = lookup_tz_abbrev(field) {
                    tmask = if dst { M_DTZ | M_TZ } else { M_TZ };
                    tz = off;
                } else {
                    match lookup_keyword(field) {
                        None => {
                            named = Some(TimeZone::parse_name(field).map_err(|_| DtErr::BadFormat)?);
                            tmask = M_TZ;
                        }
                        Some(Keyword::Ignore) => continue,
                        Some(Keyword::Reserved(r)) => {
                            tmask = M_RESERV;
                            match r {
                                Reserved::Now => {
                                    tmask = DATE_M | TIME_M | M_TZ;
                                    dtype = Dtype::Date;
                                    let (local, off) = ctx.now_local();
                                    tm.set_from_local(local);
                                    tz = off;
                                }
                                Reserved::Today | Reserved::Tomorrow | Reserved::Yesterday => {
                                    tmask = DATE_M;
                                    dtype = Dtype::Date;
                                    let delta = match r {
                                        Reserved::Tomorrow => 1,
                                        Reserved::Yesterday => -1,
                                        _ => 0,
                                    };
                                    let (local, _) = ctx.now_local();
                                    let (y, m, d) = civil_from_days(local.div_euclid(MICROS_PER_DAY) + delta);
                                    (tm.year, tm.mon, tm.mday) = (y, m, d);
                                }
                                Reserved::Zulu => {
                                    tmask = TIME_M | M_TZ;
                                    dtype = Dtype::Date;
                                    (tm.hour, tm.min, tm.sec) = (0, 0, 0);
                                    tz = 0;
                                }
                                Reserved::Epoch => dtype = Dtype::Epoch,
                                Reserved::Late => dtype = Dtype::Late,
                                Reserved::Early => dtype = Dtype::Early,
                            }
                        }
                        Some(Keyword::Month(m)) => {
                            tmask = M_MONTH;
                            if fmask & M_MONTH != 0 && !have_text_month && fmask & M_DAY == 0 && (1..=31).contains(&tm.mon) {
                                tm.mday = tm.mon;
                                tmask = M_DAY;
                            }
                            have_text_month = true;
                            tm.mon = m;
                        }
                        Some(Keyword::DstModifier) => {
                            tmask = M_DTZMOD | M_DTZ;
                            tz += 3600;
                        }
                        Some(Keyword::AmPm { pm }) => {
                            tmask = M_AMPM;
                            mer = if pm { Mer::Pm } else { Mer::Am };
                        }
                        Some(Keyword::AdBc { bc: is_bc }) => {
                            tmask = M_ADBC;
                            bc = is_bc;
                        }
                        Some(Keyword::Dow) => tmask = M_DOW,
                        Some(Keyword::Units(u)) => {
                            tmask = 0;
                            ptype = Some(u);
                        }
                        Some(Keyword::IsoTime) => {
                            tmask = 0;
                            if fmask & DATE_M != DATE_M {
                                return Err(DtErr::BadFormat);
                            }
                            if i + 1 >= nf || !matches!(f.ft(i + 1), Ft::Number | Ft::Time | Ft::Date) {
                                return Err(DtErr::BadFormat);
                            }
                            ptype = Some(Unit::Time);
                        }
                    }
                }
            }
        }
        if tmask & fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= tmask;
    }

    validate_date(fmask, isjulian, is2digits, bc, &mut tm)?;
    apply_meridian(mer, &mut tm)?;
    if dtype == Dtype::Date {
        if fmask & DATE_M != DATE_M {
            return Err(DtErr::BadFormat);
        }
        if let Some(zone) = &named {
            if fmask & M_DTZMOD != 0 {
                return Err(DtErr::BadFormat);
            }
            tz = ctx.offset_for(zone, &tm);
        }
        if fmask & M_TZ == 0 {
            if fmask & M_DTZMOD != 0 {
                return Err(DtErr::BadFormat);
            }
            tz = ctx.offset_for(ctx.zone, &tm);
        }
    }
    Ok(Decoded { dtype, tm, tz })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pgvalue::datetime_out::{write_date, write_timestamp, write_timestamptz};
    use crate::pgvalue::settings::DateStyle;

    /// 2023-11-14 22:13:20 UTC, the fixed "current instant" of these tests.
    const NOW: i64 = 1_700_000_000_000_000;

    fn settings(ds: &str, zone: &str) -> FormatSettings {
        FormatSettings {
            date_style: DateStyle::parse(ds, DateStyle::default()).expect("datestyle"),
            time_zone: TimeZone::parse_setting(zone).expect("zone"),
            ..FormatSettings::default()
        }
    }

    /// Parses `input` as `ty` and prints it back (or `ERR <code> <message>`).
    fn run(ty: &str, input: &str, st: &FormatSettings) -> String {
        let mut o = String::new();
        let r = match ty {
            "date" => parse_date(input, st, NOW).map(|v| write_date(&mut o, v, st)),
            "timestamp" => parse_timestamp(input, st, NOW).map(|v| write_timestamp(&mut o, v, st)),
            _ => parse_timestamptz(input, st, NOW).map(|v| write_timestamptz(&mut o, v, st)),
        };
        match r {
            Ok(_) => o,
            Err(e) => format!("ERR {} {}", e.code(), e.message()),
        }
    }

    /// Each case: (input, PostgreSQL 15 output of `select '<input>'::<ty>` with the given
    /// DateStyle and TimeZone).
    fn check(ty: &str, ds: &str, zone: &str, cases: &[(&str, &str)]) {
        let st = settings(ds, zone);
        for (input, want) in cases {
            assert_eq!(run(ty, input, &st), *want, "{ty} {input:?} ({ds}, {zone})");
        }
    }

    #[test]
    fn date_input() {
        check(
            "date",
            "ISO, MDY",
            "UTC",
            &[
                ("2024-01-05", "2024-01-05"),
                ("1/5/2024", "2024-01-05"),
                ("1-5-2024", "2024-01-05"),
                ("20240105", "2024-01-05"),
                ("240105", "2024-01-05"),
                ("January 5, 2024", "2024-01-05"),
                ("5-Jan-2024", "2024-01-05"),
                ("Jan-05-2024", "2024-01-05"),
                ("2024-Jan-05", "2024-01-05"),
                ("2024.01.05", "2024-01-05"),
                ("Fri Jan 05 2024", "2024-01-05"),
                ("05jan2024", "2024-01-05"),
                ("1/5/70", "1970-01-05"),
                ("1/5/69", "2069-01-05"),
                ("0044-03-15 BC", "0044-03-15 BC"),
                ("J2451187", "1999-01-08"),
                ("1999.008", "1999-01-08"),
                ("2024-060", "2024-02-29"),
                ("y2024m01d05", "2024-01-05"),
                ("2024-01-05T10:00", "2024-01-05"),
                ("2024-01-05 America/New_York", "2024-01-05"),
                ("epoch", "1970-01-01"),
                ("Epoch 2024", "1970-01-01"),
                ("infinity", "infinity"),
                ("-infinity", "-infinity"),
                ("5874897-12-31", "5874897-12-31"),
                ("4714-11-24 BC", "4714-11-24 BC"),
                ("today", "2023-11-14"),
                ("tomorrow", "2023-11-15"),
                ("yesterday", "2023-11-13"),
                ("now", "2023-11-14"),
                ("x", "ERR 22007 invalid input syntax for type date: \"x\""),
                ("", "ERR 22007 invalid input syntax for type date: \"\""),
                ("2024-13-01", "ERR 22008 date/time field value out of range: \"2024-13-01\""),
                ("2024-02-30", "ERR 22008 date/time field value out of range: \"2024-02-30\""),
                ("0000-01-01", "ERR 22008 date/time field value out of range: \"0000-01-01\""),
                ("5874898-01-01", "ERR 22008 date out of range: \"5874898-01-01\""),
                ("4714-11-23 BC", "ERR 22008 date out of range: \"4714-11-23 BC\""),
                ("2024-01-05 Mars/Olympus", "ERR 22023 time zone \"mars/olympus\" not recognized"),
                ("epoch 2024-01-01", "ERR 22007 invalid input syntax for type date: \"epoch 2024-01-01\""),
                ("monday 2024-01-05", "ERR 22007 invalid input syntax for type date: \"monday 2024-01-05\""),
                ("2024-001-005", "ERR 22007 invalid input syntax for type date: \"2024-001-005\""),
                ("1 BC", "ERR 22007 invalid input syntax for type date: \"1 BC\""),
            ],
        );
        // Hint for month/day mix-ups.
        let e = parse_date("13/01/2024", &settings("ISO, MDY", "UTC"), NOW).unwrap_err();
        assert_eq!(e.hint(), Some("Perhaps you need a different \"datestyle\" setting."));
        // set datestyle='DMY' / 'YMD'
        check("date", "DMY", "UTC", &[("1/5/2024", "2024-05-01"), ("5-Jan-24", "2024-01-05"), ("1/5/24", "2024-05-01")]);
        check(
            "date",
            "YMD",
            "UTC",
            &[
                ("24/1/5", "2024-01-05"),
                ("2024/1/5", "2024-01-05"),
                ("5-Jan-2024", "2024-01-05"),
                ("1/5/2024", "ERR 22008 date/time field value out of range: \"1/5/2024\""),
            ],
        );
        // 'today' is the date in the session zone (NOW is 2023-11-15 03:43 in Kolkata).
        check("date", "ISO", "Asia/Kolkata", &[("today", "2023-11-15")]);
    }

    #[test]
    fn timestamp_input() {
        check(
            "timestamp",
            "ISO, MDY",
            "UTC",
            &[
                ("2024-01-05 13:45:06.5", "2024-01-05 13:45:06.5"),
                ("2024-01-05T13:45:06.123456789", "2024-01-05 13:45:06.123457"),
                ("2024-01-05 13:45:06.9999995", "2024-01-05 13:45:07"),
                ("2024-01-05 23:59:59.9999996", "2024-01-06 00:00:00"),
                ("2024-01-05 24:00:00", "2024-01-06 00:00:00"),
                ("2024-01-05 23:59:60", "2024-01-06 00:00:00"),
                ("2024-01-05 13:45:06.", "2024-01-05 13:45:06"),
                ("2024-01-05 13:45:06+05", "2024-01-05 13:45:06"),
                ("2024-01-05 13:45 America/New_York", "2024-01-05 13:45:00"),
                ("0044-03-15 12:00 BC", "0044-03-15 12:00:00 BC"),
                ("2024-01-05 10:00 pm", "2024-01-05 22:00:00"),
                ("2024-01-05 12:00 am", "2024-01-05 00:00:00"),
                ("4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC"),
                ("20240105T101010", "2024-01-05 10:10:10"),
                ("2024-01-05 1010", "2024-01-05 10:10:00"),
                ("J2451187.5", "1999-01-08 12:00:00"),
                ("Fri Jan 05 13:45:06.5 2024", "2024-01-05 13:45:06.5"),
                ("y2024m1d5h10m30s15.5", "2024-01-05 10:30:15.5"),
                ("epoch", "1970-01-01 00:00:00"),
                ("epoch 10:00", "1970-01-01 00:00:00"),
                ("infinity", "infinity"),
                ("today 10:00", "2023-11-14 10:00:00"),
                ("now", "2023-11-14 22:13:20"),
                ("allballs", "ERR 22007 invalid input syntax for type timestamp: \"allballs\""),
                ("now 10:00", "ERR 22007 invalid input syntax for type timestamp: \"now 10:00\""),
                ("2024-01-05 25:00", "ERR 22008 date/time field value out of range: \"2024-01-05 25:00\""),
                ("2024-01-05 13:00 pm", "ERR 22008 date/time field value out of range: \"2024-01-05 13:00 pm\""),
                ("4714-11-23 23:59:59 BC", "ERR 22008 timestamp out of range: \"4714-11-23 23:59:59 BC\""),
                ("294277-01-01 00:00:00", "ERR 22008 timestamp out of range: \"294277-01-01 00:00:00\""),
            ],
        );
        check("timestamp", "SQL, DMY", "UTC", &[("05/01/2024 13:45:06.5", "05/01/2024 13:45:06.5")]);
    }

    #[test]
    fn timestamptz_input() {
        check(
            "timestamptz",
            "ISO",
            "UTC",
            &[
                ("2024-01-05 13:45:06+05", "2024-01-05 08:45:06+00"),
                ("2024-01-05 13:45:06Z", "2024-01-05 13:45:06+00"),
                ("2024-01-05 13:45:06 -0800", "2024-01-05 21:45:06+00"),
                ("2024-01-05 13:45:06 UTC", "2024-01-05 13:45:06+00"),
                ("2024-01-05 13:45 America/New_York", "2024-01-05 18:45:00+00"),
                ("2024-07-05 13:45 America/New_York", "2024-07-05 17:45:00+00"),
                ("2024-01-05 13:45 EST", "2024-01-05 18:45:00+00"),
                ("2024-01-05 13:45 EST DST", "2024-01-05 17:45:00+00"),
                ("2024-01-05 13:45 UTC+3", "2024-01-05 16:45:00+00"),
                ("2024-01-05 13:45+05:30", "2024-01-05 08:15:00+00"),
                ("2024-01-05 13:45:06+15:59", "2024-01-04 21:46:06+00"),
                ("2024-01-05 13:45 gb", "2024-01-05 13:45:00+00"),
                ("2024-01-05 13:45 Etc/GMT+5", "2024-01-05 18:45:00+00"),
                ("J2451187-05", "1999-01-08 05:00:00+00"),
                ("epoch", "1970-01-01 00:00:00+00"),
                ("-infinity", "-infinity"),
                ("2024-01-05 13:45:06+16", "ERR 22009 time zone displacement out of range: \"2024-01-05 13:45:06+16\""),
                ("2024-01-05 13:45:06+05:60", "ERR 22009 time zone displacement out of range: \"2024-01-05 13:45:06+05:60\""),
                ("x", "ERR 22007 invalid input syntax for type timestamp with time zone: \"x\""),
                ("2024-01-05 13:45 Mars/Olympus", "ERR 22023 time zone \"mars/olympus\" not recognized"),
                ("2024-01-05 13:45 foo", "ERR 22007 invalid input syntax for type timestamp with time zone: \"2024-01-05 13:45 foo\""),
                (
                    "2024-01-05 10:00 +05 +06",
                    "ERR 22007 invalid input syntax for type timestamp with time zone: \"2024-01-05 10:00 +05 +06\"",
                ),
            ],
        );
        // set timezone='America/New_York'; select '...'::timestamptz
        check(
            "timestamptz",
            "ISO",
            "America/New_York",
            &[
                ("2024-01-05 13:45", "2024-01-05 13:45:00-05"),
                ("2024-07-05 13:45", "2024-07-05 13:45:00-04"),
                ("1850-01-01 00:00", "1850-01-01 00:00:00-04:56:02"),
                ("2024-03-10 02:30", "2024-03-10 03:30:00-04"),
                ("2024-11-03 01:30", "2024-11-03 01:30:00-05"),
                ("2100-07-01 12:00", "2100-07-01 12:00:00-04"),
                ("0044-03-15 12:00 BC", "0044-03-15 12:00:00-04:56:02 BC"),
                ("today", "2023-11-14 00:00:00-05"),
            ],
        );
        check("timestamptz", "ISO", "Asia/Kolkata", &[("2024-01-05 13:45", "2024-01-05 13:45:00+05:30")]);
        check("timestamptz", "ISO", "FOO+3BAR", &[("2024-07-05 13:45+00", "2024-07-05 11:45:00-02")]);
        check("timestamptz", "ISO", "UTC-3", &[("2024-01-05 13:45+00", "2024-01-05 16:45:00+03")]);
    }

    #[test]
    fn no_panics_on_garbage() {
        let st = settings("SQL, DMY", "America/New_York");
        let pieces = [
            "9",
            "99999999999",
            "-",
            "+",
            "/",
            ".",
            ":",
            " ",
            "T",
            "J",
            "jan",
            "bc",
            "pm",
            "z",
            "america/new_york",
            "utc+3",
            "<+03>-3",
            "epoch",
            "now",
            "y",
            "h",
            "mm",
            "s",
            "é",
            "\u{0}",
            "24:00",
            "23:59:60.9999999",
            "2147483647",
            "-2147483648",
            "+15:59:59",
            ",M3.2.0,M11.1.0",
        ];
        let mut seed: u64 = 12345;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 7) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let _ = parse_date(&s, &st, NOW);
            let _ = crate::pgvalue::time_in::parse_time(&s, &st, NOW);
            let _ = parse_timestamp(&s, &st, i64::MAX);
            let _ = parse_timestamptz(&s, &st, i64::MIN);
        }
    }
}
