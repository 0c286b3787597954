//! Text output of `date`, `time`, `timestamp` and `timestamptz` in every DateStyle.

use std::fmt::{self, Write};

use super::calendar::{MICROS_PER_DAY, MICROS_PER_SEC, civil_from_days, weekday};
use super::settings::{DateOrder, DateOutputStyle, FormatSettings};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Broken-down civil time (astronomical year: 0 = 1 BC).
struct Tm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    usec: i64,
    days: i64,
}

impl Tm {
    fn from_micros(micros: i64) -> Tm {
        let days = micros.div_euclid(MICROS_PER_DAY);
        let t = micros.rem_euclid(MICROS_PER_DAY);
        let (year, mon, mday) = civil_from_days(days);
        let secs = t / MICROS_PER_SEC;
        Tm { year, mon, mday, hour: secs / 3600, min: secs / 60 % 60, sec: secs % 60, usec: t % MICROS_PER_SEC, days }
    }
}

/// Appends `n` zero-padded to at least `width` digits (n must be >= 0).
fn pad<W: Write + ?Sized>(out: &mut W, n: i64, width: usize) -> fmt::Result {
    write!(out, "{n:0width$}")
}

/// Year as printed by PostgreSQL: 4+ digits, BC years shown positive.
fn display_year(year: i64) -> i64 {
    if year > 0 { year } else { 1 - year }
}

/// PostgreSQL's `AppendSeconds`: seconds (two digits if `fill`), then up to six
/// fractional digits with trailing zeros removed. Signs are the caller's business.
pub(crate) fn write_seconds<W: Write + ?Sized>(out: &mut W, sec: i64, usec: i64, fill: bool) -> fmt::Result {
    let sec = sec.unsigned_abs();
    if fill {
        write!(out, "{sec:02}")?;
    } else {
        write!(out, "{sec}")?;
    }
    let mut usec = usec.unsigned_abs();
    if usec != 0 {
        if usec >= 1_000_000 {
            // Cannot happen for normalized values; print all digits like PostgreSQL.
            return write!(out, ".{usec}");
        }
        let mut width = 6;
        while usec.is_multiple_of(10) {
            usec /= 10;
            width -= 1;
        }
        write!(out, ".{usec:0width$}")?;
    }
    Ok(())
}

fn write_hms<W: Write + ?Sized>(out: &mut W, tm: &Tm) -> fmt::Result {
    pad(out, tm.hour, 2)?;
    out.write_char(':')?;
    pad(out, tm.min, 2)?;
    out.write_char(':')?;
    write_seconds(out, tm.sec, tm.usec, true)
}

/// PostgreSQL's numeric zone form: `+00`, `+05:30`, `-03:30:10` (offset in seconds east).
pub(crate) fn write_tz_offset<W: Write + ?Sized>(out: &mut W, offset_east: i32) -> fmt::Result {
    let sign = if offset_east >= 0 { '+' } else { '-' };
    let abs = offset_east.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s != 0 {
        write!(out, "{sign}{h:02}:{m:02}:{s:02}")
    } else if m != 0 {
        write!(out, "{sign}{h:02}:{m:02}")
    } else {
        write!(out, "{sign}{h:02}")
    }
}

/// Appends a `date` (days since 1970-01-01) in the session DateStyle, e.g. `2024-01-05`,
/// `01/05/2024`, `05.01.2024`, `01-05-2024`, with ` BC` for years <= 0;
/// `i32::MAX`/`i32::MIN` print `infinity`/`-infinity`.
pub fn write_date<W: Write + ?Sized>(out: &mut W, days: i32, settings: &FormatSettings) -> fmt::Result {
    match days {
        i32::MAX => return out.write_str("infinity"),
        i32::MIN => return out.write_str("-infinity"),
        _ => {}
    }
    let (year, mon, mday) = civil_from_days(i64::from(days));
    let y = display_year(year);
    let ds = settings.date_style;
    match ds.style {
        DateOutputStyle::Iso => {
            pad(out, y, 4)?;
            out.write_char('-')?;
            pad(out, mon, 2)?;
            out.write_char('-')?;
            pad(out, mday, 2)?;
        }
        DateOutputStyle::Sql | DateOutputStyle::Postgres => {
            let sep = if ds.style == DateOutputStyle::Sql { '/' } else { '-' };
            let (a, b) = if ds.order == DateOrder::Dmy { (mday, mon) } else { (mon, mday) };
            pad(out, a, 2)?;
            out.write_char(sep)?;
            pad(out, b, 2)?;
            out.write_char(sep)?;
            pad(out, y, 4)?;
        }
        DateOutputStyle::German => {
            pad(out, mday, 2)?;
            out.write_char('.')?;
            pad(out, mon, 2)?;
            out.write_char('.')?;
            pad(out, y, 4)?;
        }
    }
    if year <= 0 {
        out.write_str(" BC")?;
    }
    Ok(())
}

/// Appends a `time` (µs since midnight) as `HH:MM:SS[.ffffff]` with trailing fractional
/// zeros trimmed; 86 400 000 000 prints `24:00:00` (out-of-range values are not rejected).
pub fn write_time<W: Write + ?Sized>(out: &mut W, micros: i64) -> fmt::Result {
    let neg = micros < 0;
    let abs = micros.unsigned_abs();
    let secs = abs / 1_000_000;
    if neg {
        out.write_char('-')?;
    }
    write!(out, "{:02}:{:02}:", secs / 3600, secs / 60 % 60)?;
    write_seconds(out, (secs % 60) as i64, (abs % 1_000_000) as i64, true)
}

/// Appends a `timestamp` (µs since 1970-01-01) in the session DateStyle, e.g.
/// `2024-01-05 13:45:06.5`; `i64::MAX`/`i64::MIN` print `infinity`/`-infinity`.
pub fn write_timestamp<W: Write + ?Sized>(out: &mut W, micros: i64, settings: &FormatSettings) -> fmt::Result {
    match micros {
        i64::MAX => return out.write_str("infinity"),
        i64::MIN => return out.write_str("-infinity"),
        _ => {}
    }
    encode_datetime(out, &Tm::from_micros(micros), None, settings)
}

/// Appends a `timestamptz` (µs since 1970-01-01 UTC) converted to the session TimeZone,
/// e.g. ISO `2024-01-05 08:45:06+05:30`; SQL/Postgres/German styles print the zone
/// abbreviation (`EST`, `LMT`, `+04`); infinities as for [`write_timestamp`].
pub fn write_timestamptz<W: Write + ?Sized>(out: &mut W, micros: i64, settings: &FormatSettings) -> fmt::Result {
    match micros {
        i64::MAX => return out.write_str("infinity"),
        i64::MIN => return out.write_str("-infinity"),
        _ => {}
    }
    let (offset, abbrev) = settings.time_zone.offset_and_abbrev_at_utc(micros);
    let local = micros.saturating_add(i64::from(offset) * MICROS_PER_SEC);
    encode_datetime(out, &Tm::from_micros(local), Some((offset, abbrev.as_str())), settings)
}

/// PostgreSQL's `EncodeDateTime`.
fn encode_datetime<W: Write + ?Sized>(out: &mut W, tm: &Tm, tz: Option<(i32, &str)>, settings: &FormatSettings) -> fmt::Result {
    let y = display_year(tm.year);
    let ds = settings.date_style;
    // Non-ISO styles print the zone abbreviation (every zone has one, possibly empty,
    // as with PostgreSQL's `<>+3`).
    let write_named_tz = |out: &mut W| -> fmt::Result {
        if let Some((_, abbrev)) = tz {
            out.write_char(' ')?;
            out.write_str(abbrev)?;
        }
        Ok(())
    };
    match ds.style {
        DateOutputStyle::Iso => {
            pad(out, y, 4)?;
            out.write_char('-')?;
            pad(out, tm.mon, 2)?;
            out.write_char('-')?;
            pad(out, tm.mday, 2)?;
            out.write_char(' ')?;
            write_hms(out, tm)?;
            if let Some((offset, _)) = tz {
                write_tz_offset(out, offset)?;
            }
        }
        DateOutputStyle::Sql => {
            let (a, b) = if ds.order == DateOrder::Dmy { (tm.mday, tm.mon) } else { (tm.mon, tm.mday) };
            pad(out, a, 2)?;
            out.write_char('/')?;
            pad(out, b, 2)?;
            out.write_char('/')?;
            pad(out, y, 4)?;
            out.write_char(' ')?;
            write_hms(out, tm)?;
            write_named_tz(out)?;
        }
        DateOutputStyle::German => {
            pad(out, tm.mday, 2)?;
            out.write_char('.')?;
            pad(out, tm.mon, 2)?;
            out.write_char('.')?;
            pad(out, y, 4)?;
            out.write_char(' ')?;
            write_hms(out, tm)?;
            write_named_tz(out)?;
        }
        DateOutputStyle::Postgres => {
            let dow = DAYS[weekday(tm.days) as usize % 7];
            let mon = MONTHS[(tm.mon - 1).clamp(0, 11) as usize];
            out.write_str(dow)?;
            out.write_char(' ')?;
            if ds.order == DateOrder::Dmy {
                pad(out, tm.mday, 2)?;
                out.write_char(' ')?;
                out.write_str(mon)?;
            } else {
                out.write_str(mon)?;
                out.write_char(' ')?;
                pad(out, tm.mday, 2)?;
            }
            out.write_char(' ')?;
            write_hms(out, tm)?;
            out.write_char(' ')?;
            pad(out, y, 4)?;
            write_named_tz(out)?;
        }
    }
    if tm.year <= 0 {
        out.write_str(" BC")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pgvalue::calendar::days_from_civil;
    use crate::pgvalue::settings::DateStyle;
    use crate::pgvalue::tz::tz;

    fn settings(ds: &str, zone: &str) -> FormatSettings {
        FormatSettings {
            date_style: DateStyle::parse(ds, DateStyle::default()).expect("ds"),
            time_zone: tz(zone),
            ..FormatSettings::default()
        }
    }
    fn ts(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64, us: i64) -> i64 {
        ((days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000) + us
    }
    fn date(y: i64, m: i64, d: i64, st: &FormatSettings) -> String {
        let mut o = String::new();
        write_date(&mut o, days_from_civil(y, m, d) as i32, st).expect("fmt");
        o
    }
    fn tsout(v: i64, st: &FormatSettings) -> String {
        let mut o = String::new();
        write_timestamp(&mut o, v, st).expect("fmt");
        o
    }
    fn tstz(v: i64, st: &FormatSettings) -> String {
        let mut o = String::new();
        write_timestamptz(&mut o, v, st).expect("fmt");
        o
    }

    #[test]
    fn dates_in_all_styles() {
        let iso = settings("ISO, MDY", "UTC");
        assert_eq!(date(2024, 1, 5, &iso), "2024-01-05");
        // select '0044-03-15 BC'::date
        assert_eq!(date(-43, 3, 15, &iso), "0044-03-15 BC");
        assert_eq!(date(10000, 1, 1, &iso), "10000-01-01");
        assert_eq!(date(5_874_897, 12, 31, &iso), "5874897-12-31");
        assert_eq!(date(-4713, 11, 24, &iso), "4714-11-24 BC");
        // set datestyle='SQL, MDY' / 'SQL, DMY' / 'Postgres, MDY' / 'Postgres, DMY' / German
        assert_eq!(date(2024, 1, 5, &settings("SQL, MDY", "UTC")), "01/05/2024");
        assert_eq!(date(-43, 3, 15, &settings("SQL, MDY", "UTC")), "03/15/0044 BC");
        assert_eq!(date(2024, 1, 5, &settings("SQL, DMY", "UTC")), "05/01/2024");
        assert_eq!(date(2024, 1, 5, &settings("Postgres, MDY", "UTC")), "01-05-2024");
        assert_eq!(date(-43, 3, 15, &settings("Postgres, MDY", "UTC")), "03-15-0044 BC");
        assert_eq!(date(2024, 1, 5, &settings("Postgres, DMY", "UTC")), "05-01-2024");
        assert_eq!(date(2024, 1, 5, &settings("German", "UTC")), "05.01.2024");
        let mut o = String::new();
        write_date(&mut o, i32::MAX, &iso).expect("fmt");
        write_date(&mut o, i32::MIN, &iso).expect("fmt");
        assert_eq!(o, "infinity-infinity");
    }

    #[test]
    fn times() {
        let t = |us: i64| {
            let mut o = String::new();
            write_time(&mut o, us).expect("fmt");
            o
        };
        assert_eq!(t(0), "00:00:00");
        assert_eq!(t(37_800_123_456), "10:30:00.123456");
        assert_eq!(t(37_805_500_000), "10:30:05.5");
        assert_eq!(t(86_400_000_000), "24:00:00");
        assert_eq!(t(1), "00:00:00.000001");
        let _ = t(i64::MIN);
        let _ = t(i64::MAX);
    }

    #[test]
    fn timestamps_in_all_styles() {
        let v = ts(2024, 1, 5, 13, 45, 6, 500_000);
        // select '2024-01-05 13:45:06.5'::timestamp under each datestyle
        assert_eq!(tsout(v, &settings("ISO", "UTC")), "2024-01-05 13:45:06.5");
        assert_eq!(tsout(v, &settings("SQL, MDY", "UTC")), "01/05/2024 13:45:06.5");
        assert_eq!(tsout(v, &settings("SQL, DMY", "UTC")), "05/01/2024 13:45:06.5");
        assert_eq!(tsout(v, &settings("Postgres, MDY", "UTC")), "Fri Jan 05 13:45:06.5 2024");
        assert_eq!(tsout(v, &settings("Postgres, DMY", "UTC")), "Fri 05 Jan 13:45:06.5 2024");
        assert_eq!(tsout(v, &settings("German", "UTC")), "05.01.2024 13:45:06.5");
        // select '0044-03-15 12:00 BC'::timestamp / 'Postgres' style
        assert_eq!(tsout(ts(-43, 3, 15, 12, 0, 0, 0), &settings("ISO", "UTC")), "0044-03-15 12:00:00 BC");
        assert_eq!(tsout(ts(-43, 3, 15, 0, 0, 0, 0), &settings("Postgres", "UTC")), "Fri Mar 15 00:00:00 0044 BC");
        assert_eq!(tsout(i64::MAX - 1, &settings("ISO", "UTC")), "294247-01-10 04:00:54.775806");
        assert_eq!(tsout(ts(2024, 1, 5, 13, 45, 6, 123_457), &settings("ISO", "UTC")), "2024-01-05 13:45:06.123457");
        assert_eq!(tsout(i64::MAX, &settings("ISO", "UTC")), "infinity");
        assert_eq!(tsout(i64::MIN, &settings("SQL", "UTC")), "-infinity");
        let _ = tsout(i64::MAX - 1, &settings("Postgres", "UTC"));
        let _ = tsout(i64::MIN + 1, &settings("Postgres", "UTC"));
    }

    #[test]
    fn timestamptz_zones_and_styles() {
        let ny = settings("ISO", "America/New_York");
        // set timezone='America/New_York'; select '2024-01-05 13:45'::timestamptz ...
        assert_eq!(tstz(ts(2024, 1, 5, 18, 45, 0, 0), &ny), "2024-01-05 13:45:00-05");
        assert_eq!(tstz(ts(2024, 7, 5, 17, 45, 0, 0), &ny), "2024-07-05 13:45:00-04");
        assert_eq!(tstz(ts(1850, 1, 1, 4, 56, 2, 0), &ny), "1850-01-01 00:00:00-04:56:02");
        assert_eq!(tstz(ts(2100, 7, 1, 16, 0, 0, 0), &ny), "2100-07-01 12:00:00-04");
        assert_eq!(tstz(ts(-43, 3, 15, 16, 56, 2, 0), &ny), "0044-03-15 12:00:00-04:56:02 BC");
        assert_eq!(tstz(ts(2024, 1, 5, 8, 15, 0, 0), &settings("ISO", "Asia/Kolkata")), "2024-01-05 13:45:00+05:30");
        // set timezone='America/St_Johns'; select '1900-01-01'::timestamptz
        assert_eq!(tstz(ts(1900, 1, 1, 3, 30, 52, 0), &settings("ISO", "America/St_Johns")), "1900-01-01 00:00:00-03:30:52");
        assert_eq!(tstz(ts(2024, 1, 5, 13, 45, 6, 0), &settings("ISO", "UTC")), "2024-01-05 13:45:06+00");
        let v = ts(2024, 1, 5, 13, 45, 6, 500_000);
        // set datestyle='SQL, MDY'; set timezone='America/New_York'
        assert_eq!(tstz(ts(2024, 1, 5, 18, 45, 6, 500_000), &settings("SQL, MDY", "America/New_York")), "01/05/2024 13:45:06.5 EST");
        assert_eq!(tstz(ts(2024, 7, 5, 17, 45, 6, 0), &settings("SQL, MDY", "America/New_York")), "07/05/2024 13:45:06 EDT");
        assert_eq!(tstz(ts(-43, 3, 15, 14, 56, 2, 0), &settings("SQL, MDY", "America/New_York")), "03/15/0044 10:00:00 LMT BC");
        assert_eq!(tstz(v, &settings("SQL, DMY", "UTC")), "05/01/2024 13:45:06.5 UTC");
        assert_eq!(tstz(v, &settings("Postgres, MDY", "UTC")), "Fri Jan 05 13:45:06.5 2024 UTC");
        assert_eq!(tstz(v, &settings("Postgres, DMY", "UTC")), "Fri 05 Jan 13:45:06.5 2024 UTC");
        assert_eq!(tstz(v, &settings("German", "UTC")), "05.01.2024 13:45:06.5 UTC");
        assert_eq!(tstz(v, &settings("SQL", "Asia/Kolkata")), "01/05/2024 19:15:06.5 IST");
        assert_eq!(tstz(ts(1900, 1, 5, 13, 45, 6, 500_000), &settings("SQL", "Asia/Kolkata")), "01/05/1900 19:06:16.5 MMT");
        assert_eq!(tstz(v, &settings("SQL", "-7")), "01/05/2024 06:45:06.5 -07");
        assert_eq!(tstz(v, &settings("Postgres", "UTC+3")), "Fri Jan 05 10:45:06.5 2024 UTC");
        assert_eq!(tstz(v, &settings("SQL", "Europe/Moscow")), "01/05/2024 16:45:06.5 MSK");
        assert_eq!(tstz(v, &settings("Postgres", "Asia/Dubai")), "Fri Jan 05 17:45:06.5 2024 +04");
        assert_eq!(tstz(v, &settings("SQL", "5.5")), "01/05/2024 19:15:06.5 +05:30");
        assert_eq!(tstz(v, &settings("SQL", "<+0530>-5:30")), "01/05/2024 19:15:06.5 +0530");
        // set timezone='<>+3'; set datestyle=sql → empty abbreviation after a space
        assert_eq!(tstz(v, &settings("SQL", "<>+3")), "01/05/2024 10:45:06.5 ");
        assert_eq!(tstz(i64::MAX, &ny), "infinity");
        assert_eq!(tstz(i64::MIN, &ny), "-infinity");
        let _ = tstz(i64::MAX - 1, &ny);
        let _ = tstz(i64::MIN + 1, &ny);
    }
}
