//! `interval`: text output in every IntervalStyle and PostgreSQL's interval input.

use std::fmt::{self, Write};

use super::calendar::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SEC};
use super::datetime_fields::decode_time_for_interval;
use super::datetime_in::dt_error;
use super::datetime_lex::{DtErr, Ft, TOKMAXLEN, parse_fraction, split_fields, strtoint};
use super::datetime_out::write_seconds;
use super::error::ValueError;
use super::settings::IntervalStyle;

/// An interval as PostgreSQL (and Arrow's `MonthDayNano` minus nanos) stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    /// Months (a year is 12 months).
    pub months: i32,
    /// Days (not folded into months or time).
    pub days: i32,
    /// Microseconds (not folded into days).
    pub micros: i64,
}

/// Broken-down interval for output (PostgreSQL's `pg_itm`).
struct Itm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    usec: i64,
}

impl Itm {
    fn from(iv: &Interval) -> Itm {
        let t = iv.micros;
        Itm {
            year: i64::from(iv.months / 12),
            mon: i64::from(iv.months % 12),
            mday: i64::from(iv.days),
            hour: t / MICROS_PER_HOUR,
            min: t % MICROS_PER_HOUR / MICROS_PER_MINUTE,
            sec: t % MICROS_PER_MINUTE / MICROS_PER_SEC,
            usec: t % MICROS_PER_SEC,
        }
    }
}

/// Appends an interval in the given IntervalStyle exactly as PostgreSQL's
/// `EncodeInterval`: `1 year 2 mons 3 days 04:05:06.5`, `-1 days +02:03:00`, `00:00:00`;
/// `@ 1 day 2 hours ago`; `+1-2 +3 +4:05:06.5`; `P1Y2M3DT4H5M6.5S`.
pub fn write_interval<W: Write + ?Sized>(out: &mut W, iv: &Interval, style: IntervalStyle) -> fmt::Result {
    let t = Itm::from(iv);
    match style {
        IntervalStyle::Postgres => write_postgres(out, &t),
        IntervalStyle::PostgresVerbose => write_verbose(out, &t),
        IntervalStyle::SqlStandard => write_sql_standard(out, t),
        IntervalStyle::Iso8601 => write_iso(out, &t),
    }
}

fn write_postgres<W: Write + ?Sized>(out: &mut W, t: &Itm) -> fmt::Result {
    let (mut is_zero, mut is_before) = (true, false);
    for (value, unit) in [(t.year, "year"), (t.mon, "mon"), (t.mday, "day")] {
        if value == 0 {
            continue;
        }
        let sep = if is_zero { "" } else { " " };
        let plus = if is_before && value > 0 { "+" } else { "" };
        let s = if value != 1 { "s" } else { "" };
        write!(out, "{sep}{plus}{value} {unit}{s}")?;
        is_before = value < 0;
        is_zero = false;
    }
    if is_zero || t.hour != 0 || t.min != 0 || t.sec != 0 || t.usec != 0 {
        let minus = t.hour < 0 || t.min < 0 || t.sec < 0 || t.usec < 0;
        let sep = if is_zero { "" } else { " " };
        let sign = if minus {
            "-"
        } else if is_before {
            "+"
        } else {
            ""
        };
        write!(out, "{sep}{sign}{:02}:{:02}:", t.hour.unsigned_abs(), t.min.unsigned_abs())?;
        write_seconds(out, t.sec, t.usec, true)?;
    }
    Ok(())
}

fn write_verbose<W: Write + ?Sized>(out: &mut W, t: &Itm) -> fmt::Result {
    let (mut is_zero, mut is_before) = (true, false);
    out.write_char('@')?;
    for (value, unit) in [(t.year, "year"), (t.mon, "mon"), (t.mday, "day"), (t.hour, "hour"), (t.min, "min")] {
        if value == 0 {
            continue;
        }
        let mut v = value;
        if is_zero {
            is_before = v < 0;
            v = v.abs();
        } else if is_before {
            v = -v;
        }
        let s = if v == 1 { "" } else { "s" };
        write!(out, " {v} {unit}{s}")?;
        is_zero = false;
    }
    if t.sec != 0 || t.usec != 0 {
        out.write_char(' ')?;
        if t.sec < 0 || (t.sec == 0 && t.usec < 0) {
            if is_zero {
                is_before = true;
            } else if !is_before {
                out.write_char('-')?;
            }
        } else if is_before {
            out.write_char('-')?;
        }
        write_seconds(out, t.sec, t.usec, false)?;
        let s = if t.sec.abs() != 1 || t.usec != 0 { "s" } else { "" };
        write!(out, " sec{s}")?;
        is_zero = false;
    }
    if is_zero {
        out.write_str(" 0")?;
    }
    if is_before {
        out.write_str(" ago")?;
    }
    Ok(())
}

fn write_sql_standard<W: Write + ?Sized>(out: &mut W, mut t: Itm) -> fmt::Result {
    let vals = [t.year, t.mon, t.mday, t.hour, t.min, t.sec, t.usec];
    let has_negative = vals.iter().any(|v| *v < 0);
    let has_positive = vals.iter().any(|v| *v > 0);
    let has_year_month = t.year != 0 || t.mon != 0;
    let has_day_time = vals[2..].iter().any(|v| *v != 0);
    let has_day = t.mday != 0;
    let mixed_signs = has_negative && has_positive;
    let sql_standard_value = !(mixed_signs || (has_year_month && has_day_time));
    if has_negative && sql_standard_value {
        out.write_char('-')?;
        t = Itm { year: -t.year, mon: -t.mon, mday: -t.mday, hour: -t.hour, min: -t.min, sec: -t.sec, usec: -t.usec };
    }
    if !has_negative && !has_positive {
        out.write_char('0')
    } else if !sql_standard_value {
        let year_sign = if t.year < 0 || t.mon < 0 { '-' } else { '+' };
        let day_sign = if t.mday < 0 { '-' } else { '+' };
        let sec_sign = if t.hour < 0 || t.min < 0 || t.sec < 0 || t.usec < 0 { '-' } else { '+' };
        write!(
            out,
            "{year_sign}{}-{} {day_sign}{} {sec_sign}{}:{:02}:",
            t.year.unsigned_abs(),
            t.mon.unsigned_abs(),
            t.mday.unsigned_abs(),
            t.hour.unsigned_abs(),
            t.min.unsigned_abs()
        )?;
        write_seconds(out, t.sec, t.usec, true)
    } else if has_year_month {
        write!(out, "{}-{}", t.year, t.mon)
    } else if has_day {
        write!(out, "{} {}:{:02}:", t.mday, t.hour, t.min)?;
        write_seconds(out, t.sec, t.usec, true)
    } else {
        write!(out, "{}:{:02}:", t.hour, t.min)?;
        write_seconds(out, t.sec, t.usec, true)
    }
}

fn write_iso<W: Write + ?Sized>(out: &mut W, t: &Itm) -> fmt::Result {
    if [t.year, t.mon, t.mday, t.hour, t.min, t.sec, t.usec].iter().all(|v| *v == 0) {
        return out.write_str("PT0S");
    }
    out.write_char('P')?;
    let part = |out: &mut W, v: i64, unit: char| -> fmt::Result { if v != 0 { write!(out, "{v}{unit}") } else { Ok(()) } };
    part(out, t.year, 'Y')?;
    part(out, t.mon, 'M')?;
    part(out, t.mday, 'D')?;
    if t.hour != 0 || t.min != 0 || t.sec != 0 || t.usec != 0 {
        out.write_char('T')?;
    }
    part(out, t.hour, 'H')?;
    part(out, t.min, 'M')?;
    if t.sec != 0 || t.usec != 0 {
        if t.sec < 0 || t.usec < 0 {
            out.write_char('-')?;
        }
        write_seconds(out, t.sec, t.usec, false)?;
        out.write_char('S')?;
    }
    Ok(())
}

/// Interval being built (PostgreSQL's `pg_itm_in`).
#[derive(Default)]
struct ItmIn {
    usec: i64,
    mday: i32,
    mon: i32,
    year: i32,
}

impl ItmIn {
    fn add_micros(&mut self, val: i64, fval: f64, scale: i64) -> Result<(), DtErr> {
        let v = val.checked_mul(scale).ok_or(DtErr::FieldOverflow)?;
        self.usec = self.usec.checked_add(v).ok_or(DtErr::FieldOverflow)?;
        self.add_fract_micros(fval, scale)
    }
    fn add_fract_micros(&mut self, frac: f64, scale: i64) -> Result<(), DtErr> {
        if frac == 0.0 {
            return Ok(());
        }
        let frac = frac * scale as f64;
        let whole = frac as i64; // truncation toward zero, as C
        let usec = whole + (frac - whole as f64).round_ties_even() as i64;
        self.usec = self.usec.checked_add(usec).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }
    fn add_days(&mut self, val: i64, scale: i32) -> Result<(), DtErr> {
        let v = i32::try_from(val).map_err(|_| DtErr::FieldOverflow)?;
        let d = v.checked_mul(scale).ok_or(DtErr::FieldOverflow)?;
        self.mday = self.mday.checked_add(d).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }
    fn add_fract_days(&mut self, frac: f64, scale: i32) -> Result<(), DtErr> {
        if frac == 0.0 {
            return Ok(());
        }
        let frac = frac * f64::from(scale);
        let extra = frac as i32;
        self.mday = self.mday.checked_add(extra).ok_or(DtErr::FieldOverflow)?;
        self.add_fract_micros(frac - f64::from(extra), MICROS_PER_DAY)
    }
    fn add_months(&mut self, val: i64) -> Result<(), DtErr> {
        let v = i32::try_from(val).map_err(|_| DtErr::FieldOverflow)?;
        self.mon = self.mon.checked_add(v).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }
    fn add_years(&mut self, val: i64, scale: i32) -> Result<(), DtErr> {
        let v = i32::try_from(val).map_err(|_| DtErr::FieldOverflow)?;
        let y = v.checked_mul(scale).ok_or(DtErr::FieldOverflow)?;
        self.year = self.year.checked_add(y).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }
    fn add_fract_years(&mut self, frac: f64, scale: i32) -> Result<(), DtErr> {
        let extra = (frac * f64::from(scale) * 12.0).round_ties_even() as i32;
        self.mon = self.mon.checked_add(extra).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum IUnit {
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
    /// Recognized by PostgreSQL but not valid in interval input (quarter, timezone...).
    Invalid,
}

enum UnitWord {
    Unit(IUnit),
    Ago,
    Ignore,
}

/// PostgreSQL's `deltatktbl` (first 10 characters compared).
fn lookup_unit(token: &str) -> Option<UnitWord> {
    use IUnit::*;
    let mut n = token.len().min(TOKMAXLEN);
    while !token.is_char_boundary(n) {
        n -= 1;
    }
    let u = match &token[..n] {
        "@" => return Some(UnitWord::Ignore),
        "ago" => return Some(UnitWord::Ago),
        "c" | "cent" | "centuries" | "century" => Century,
        "d" | "day" | "days" => Day,
        "dec" | "decade" | "decades" | "decs" => Decade,
        "h" | "hour" | "hours" | "hr" | "hrs" => Hour,
        "m" | "min" | "mins" | "minute" | "minutes" => Minute,
        "microsecon" | "us" | "usec" | "microsecond" | "useconds" | "usecs" => Microsecond,
        "mil" | "millennia" | "millennium" | "mils" => Millennium,
        "millisecon" | "ms" | "msec" | "millisecond" | "mseconds" | "msecs" => Millisecond,
        "mon" | "mons" | "month" | "months" => Month,
        "s" | "sec" | "second" | "seconds" | "secs" => Second,
        "w" | "week" | "weeks" => Week,
        "y" | "year" | "years" | "yr" | "yrs" => Year,
        "qtr" | "quarter" | "timezone" | "timezone_h" | "timezone_m" => Invalid,
        _ => return None,
    };
    Some(UnitWord::Unit(u))
}

/// Parses `interval` text like PostgreSQL's `interval_in` under the given IntervalStyle
/// (which only matters for `sql_standard`'s leading-sign rule): units and abbreviations
/// (`1 year 2 mons`, `3 hrs`), `@ ... ago`, `hh:mm[:ss]`, SQL `1-2`, `1 2:03:04`, ISO 8601
/// `P1Y2M3DT4H5M6S` / `P0001-02-03T04:05:06`; fractional units spill down (`1.5 months`
/// = 1 mon 15 days). Errors: 22007 syntax, 22015 field overflow, 22008 out of range.
pub fn parse_interval(s: &str, style: IntervalStyle) -> Result<Interval, ValueError> {
    const TY: &str = "interval";
    let mut r = split_fields(s).and_then(|f| decode_interval(&f, style));
    if r.as_ref().err() == Some(&DtErr::BadFormat) {
        r = decode_iso8601_interval(s);
    }
    let itm = r.map_err(|e| {
        let e = if e == DtErr::FieldOverflow { DtErr::IntervalOverflow } else { e };
        dt_error(e, s, TY)
    })?;
    let months = i64::from(itm.year) * 12 + i64::from(itm.mon);
    let months = i32::try_from(months).map_err(|_| ValueError::datetime_out_of_range("interval", None))?;
    Ok(Interval { months, days: itm.mday, micros: itm.usec })
}

// Field-type bits used by interval decoding (PostgreSQL's DTK_M values).
const IM_TIME: u32 = (1 << 10) | (1 << 11) | (1 << 12);
fn unit_mask(u: IUnit) -> u32 {
    match u {
        IUnit::Microsecond => 1 << 14,
        IUnit::Millisecond => 1 << 13,
        IUnit::Second => 1 << 12,
        IUnit::Minute => 1 << 11,
        IUnit::Hour => 1 << 10,
        IUnit::Day => 1 << 3,
        IUnit::Week => 1 << 24,
        IUnit::Month => 1 << 1,
        IUnit::Year => 1 << 2,
        IUnit::Decade => 1 << 25,
        IUnit::Century => 1 << 26,
        IUnit::Millennium => 1 << 27,
        IUnit::Invalid => 0,
    }
}

/// PostgreSQL's `DecodeInterval` (full range, no typmod).
fn decode_interval(f: &super::datetime_lex::Fields, style: IntervalStyle) -> Result<ItmIn, DtErr> {
    let nf = f.len();
    let mut itm = ItmIn::default();
    let mut fmask: u32 = 0;
    let mut is_before = false;
    let mut unit: Option<IUnit> = None;
    let mut force_negative = false;
    if style == IntervalStyle::SqlStandard && nf > 0 && f.text(0).starts_with('-') {
        force_negative = !(1..nf).any(|i| f.text(i).starts_with(['-', '+']));
    }
    for i in (0..nf).rev() {
        let field = f.text(i);
        let tmask: u32;
        let mut ft = f.ft(i);
        if ft == Ft::Tz && field[1..].contains(':') {
            if decode_time_for_interval(&field[1..], &mut itm.usec).is_ok() {
                if field.starts_with('-') {
                    itm.usec = itm.usec.checked_neg().ok_or(DtErr::FieldOverflow)?;
                }
                if force_negative && itm.usec > 0 {
                    itm.usec = -itm.usec;
                }
                unit = Some(IUnit::Day);
                if IM_TIME & fmask != 0 {
                    return Err(DtErr::BadFormat);
                }
                fmask |= IM_TIME;
                continue;
            }
            ft = Ft::Number;
        }
        match ft {
            Ft::Time => {
                decode_time_for_interval(field, &mut itm.usec)?;
                if force_negative && itm.usec > 0 {
                    itm.usec = -itm.usec;
                }
                unit = Some(IUnit::Day);
                tmask = IM_TIME;
            }
            Ft::Tz | Ft::Date | Ft::Number => {
                let u = unit.unwrap_or(IUnit::Second);
                let (mut val, used) = strtoint(field, false)?;
                let rest = &field[used..];
                let mut fval = 0.0;
                let mut u = u;
                if let Some(r) = rest.strip_prefix('-') {
                    // SQL "years-months" syntax
                    let (mut val2, used2) = strtoint(r, true)?;
                    if !(0..12).contains(&val2) {
                        return Err(DtErr::FieldOverflow);
                    }
                    if used2 != r.len() || r.starts_with(['+', '-']) {
                        return Err(DtErr::BadFormat);
                    }
                    u = IUnit::Month;
                    if field.starts_with('-') {
                        val2 = -val2;
                    }
                    val = val.checked_mul(12).and_then(|v| v.checked_add(val2)).ok_or(DtErr::FieldOverflow)?;
                } else if rest.starts_with('.') {
                    fval = parse_fraction(rest)?;
                    if field.starts_with('-') {
                        fval = -fval;
                    }
                } else if !rest.is_empty() || used == 0 {
                    return Err(DtErr::BadFormat);
                }
                if force_negative {
                    if val > 0 {
                        val = -val;
                    }
                    if fval > 0.0 {
                        fval = -fval;
                    }
                }
                match u {
                    IUnit::Microsecond => itm.add_micros(val, fval, 1)?,
                    IUnit::Millisecond => itm.add_micros(val, fval, 1000)?,
                    IUnit::Second => itm.add_micros(val, fval, MICROS_PER_SEC)?,
                    IUnit::Minute => itm.add_micros(val, fval, MICROS_PER_MINUTE)?,
                    IUnit::Hour => itm.add_micros(val, fval, MICROS_PER_HOUR)?,
                    IUnit::Day => {
                        itm.add_days(val, 1)?;
                        itm.add_fract_micros(fval, MICROS_PER_DAY)?;
                    }
                    IUnit::Week => {
                        itm.add_days(val, 7)?;
                        itm.add_fract_days(fval, 7)?;
                    }
                    IUnit::Month => {
                        itm.add_months(val)?;
                        itm.add_fract_days(fval, 30)?;
                    }
                    IUnit::Year => {
                        itm.add_years(val, 1)?;
                        itm.add_fract_years(fval, 1)?;
                    }
                    IUnit::Decade => {
                        itm.add_years(val, 10)?;
                        itm.add_fract_years(fval, 10)?;
                    }
                    IUnit::Century => {
                        itm.add_years(val, 100)?;
                        itm.add_fract_years(fval, 100)?;
                    }
                    IUnit::Millennium => {
                        itm.add_years(val, 1000)?;
                        itm.add_fract_years(fval, 1000)?;
                    }
                    IUnit::Invalid => return Err(DtErr::BadFormat),
                }
                tmask = match u {
                    IUnit::Second if fval != 0.0 => unit_mask(IUnit::Second) | (1 << 13) | (1 << 14),
                    other => unit_mask(other),
                };
                // PostgreSQL keeps the (possibly defaulted) unit; hours move on to days.
                unit = Some(if u == IUnit::Hour { IUnit::Day } else { u });
            }
            Ft::String | Ft::Special => match lookup_unit(field) {
                Some(UnitWord::Ignore) => {
                    unit = None;
                    continue;
                }
                Some(UnitWord::Unit(u)) => {
                    unit = Some(u);
                    tmask = 0;
                }
                Some(UnitWord::Ago) => {
                    is_before = true;
                    unit = Some(IUnit::Invalid);
                    tmask = 0;
                }
                None => return Err(DtErr::BadFormat),
            },
        }
        if tmask & fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= tmask;
    }
    if fmask == 0 {
        return Err(DtErr::BadFormat);
    }
    if is_before {
        itm.usec = itm.usec.checked_neg().ok_or(DtErr::FieldOverflow)?;
        itm.mday = itm.mday.checked_neg().ok_or(DtErr::FieldOverflow)?;
        itm.mon = itm.mon.checked_neg().ok_or(DtErr::FieldOverflow)?;
        itm.year = itm.year.checked_neg().ok_or(DtErr::FieldOverflow)?;
    }
    Ok(itm)
}

/// PostgreSQL's `ParseISO8601Number`: a decimal number (with optional exponent) at the
/// start of `s`; returns (integer part, fractional part, bytes consumed).
fn parse_iso_number(s: &str) -> Result<(i64, f64, usize), DtErr> {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'.' => {}
        _ => return Err(DtErr::BadFormat),
    }
    let mut i = usize::from(b[0] == b'-');
    let digits_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut ndigits = i - digits_start;
    if b.get(i) == Some(&b'.') {
        let save = i;
        i += 1;
        let f = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        ndigits += i - f;
        if ndigits == 0 {
            i = save;
        }
    }
    if ndigits == 0 {
        let rest = &s[usize::from(b[0] == b'-')..];
        let lower = rest.get(..3).map(str::to_ascii_lowercase);
        if matches!(lower.as_deref(), Some("inf" | "nan")) {
            return Err(DtErr::FieldOverflow);
        }
        return Err(DtErr::BadFormat);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            i = j;
        }
    }
    let val: f64 = s[..i].parse().map_err(|_| DtErr::BadFormat)?;
    if val.is_nan() || !(-1.0e15..=1.0e15).contains(&val) {
        return Err(DtErr::FieldOverflow);
    }
    let ipart = val.trunc() as i64;
    Ok((ipart, val - ipart as f64, i))
}

fn iso_integer_width(s: &str) -> usize {
    let s = s.strip_prefix('-').unwrap_or(s);
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// PostgreSQL's `DecodeISO8601Interval` (format with designators and the alternative
/// `P0001-02-03T04:05:06` / basic `P00010203T040506` forms).
fn decode_iso8601_interval(s: &str) -> Result<ItmIn, DtErr> {
    let mut itm = ItmIn::default();
    if s.len() < 2 || !s.starts_with('P') {
        return Err(DtErr::BadFormat);
    }
    let mut rest = &s[1..];
    let (mut datepart, mut havefield) = (true, false);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            datepart = false;
            havefield = false;
            rest = r;
            continue;
        }
        let fieldstart = rest;
        let (val, fval, used) = parse_iso_number(rest)?;
        rest = &rest[used..];
        let unit = rest.as_bytes().first().copied().unwrap_or(0);
        if !unit.is_ascii() {
            return Err(DtErr::BadFormat);
        }
        if unit != 0 {
            rest = &rest[1..];
        }
        if datepart {
            match unit {
                b'Y' => {
                    itm.add_years(val, 1)?;
                    itm.add_fract_years(fval, 1)?;
                }
                b'M' => {
                    itm.add_months(val)?;
                    itm.add_fract_days(fval, 30)?;
                }
                b'W' => {
                    itm.add_days(val, 7)?;
                    itm.add_fract_days(fval, 7)?;
                }
                b'D' => {
                    itm.add_days(val, 1)?;
                    itm.add_fract_micros(fval, MICROS_PER_DAY)?;
                }
                b'T' | 0 | b'-' => {
                    if unit != b'-' && iso_integer_width(fieldstart) == 8 && !havefield {
                        itm.add_years(val / 10000, 1)?;
                        itm.add_months((val / 100) % 100)?;
                        itm.add_days(val % 100, 1)?;
                        itm.add_fract_micros(fval, MICROS_PER_DAY)?;
                        if unit == 0 {
                            return Ok(itm);
                        }
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    if havefield {
                        return Err(DtErr::BadFormat);
                    }
                    itm.add_years(val, 1)?;
                    itm.add_fract_years(fval, 1)?;
                    if unit == 0 {
                        return Ok(itm);
                    }
                    if unit == b'T' {
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    let (val, fval, used) = parse_iso_number(rest)?;
                    rest = &rest[used..];
                    itm.add_months(val)?;
                    itm.add_fract_days(fval, 30)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    if let Some(r) = rest.strip_prefix('T') {
                        rest = r;
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    rest = rest.strip_prefix('-').ok_or(DtErr::BadFormat)?;
                    let (val, fval, used) = parse_iso_number(rest)?;
                    rest = &rest[used..];
                    itm.add_days(val, 1)?;
                    itm.add_fract_micros(fval, MICROS_PER_DAY)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    if let Some(r) = rest.strip_prefix('T') {
                        rest = r;
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    return Err(DtErr::BadFormat);
                }
                _ => return Err(DtErr::BadFormat),
            }
        } else {
            match unit {
                b'H' => itm.add_micros(val, fval, MICROS_PER_HOUR)?,
                b'M' => itm.add_micros(val, fval, MICROS_PER_MINUTE)?,
                b'S' => itm.add_micros(val, fval, MICROS_PER_SEC)?,
                0 | b':' => {
                    if unit == 0 && iso_integer_width(fieldstart) == 6 && !havefield {
                        itm.add_micros(val / 10000, 0.0, MICROS_PER_HOUR)?;
                        itm.add_micros((val / 100) % 100, 0.0, MICROS_PER_MINUTE)?;
                        itm.add_micros(val % 100, 0.0, MICROS_PER_SEC)?;
                        itm.add_fract_micros(fval, 1)?;
                        return Ok(itm);
                    }
                    if havefield {
                        return Err(DtErr::BadFormat);
                    }
                    itm.add_micros(val, fval, MICROS_PER_HOUR)?;
                    if unit == 0 {
                        return Ok(itm);
                    }
                    let (val, fval, used) = parse_iso_number(rest)?;
                    rest = &rest[used..];
                    itm.add_micros(val, fval, MICROS_PER_MINUTE)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    rest = rest.strip_prefix(':').ok_or(DtErr::BadFormat)?;
                    let (val, fval, used) = parse_iso_number(rest)?;
                    rest = &rest[used..];
                    itm.add_micros(val, fval, MICROS_PER_SEC)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    return Err(DtErr::BadFormat);
                }
                _ => return Err(DtErr::BadFormat),
            }
        }
        havefield = true;
    }
    Ok(itm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(months: i32, days: i32, micros: i64) -> Interval {
        Interval { months, days, micros }
    }
    fn out(v: Interval, style: IntervalStyle) -> String {
        let mut o = String::new();
        write_interval(&mut o, &v, style).expect("fmt");
        o
    }
    /// Parses with `postgres` style and prints in `style` (or `ERR <code> <message>`).
    fn run(input: &str, style: IntervalStyle) -> String {
        match parse_interval(input, IntervalStyle::Postgres) {
            Ok(v) => out(v, style),
            Err(e) => format!("ERR {} {}", e.code(), e.message()),
        }
    }

    // Expected values: `select '<input>'::interval` under each IntervalStyle (PostgreSQL 15).
    #[test]
    fn postgres_style() {
        use IntervalStyle::Postgres as P;
        for (input, want) in [
            ("1 year 2 mons 3 days 04:05:06.5", "1 year 2 mons 3 days 04:05:06.5"),
            ("-1 days +02:03:00", "-1 days +02:03:00"),
            ("0", "00:00:00"),
            ("1.5 years", "1 year 6 mons"),
            ("1.5 months", "1 mon 15 days"),
            ("1.5 days", "1 day 12:00:00"),
            ("1.5 weeks", "10 days 12:00:00"),
            ("1.5 hours", "01:30:00"),
            ("@ 1 day 2 hours ago", "-1 days -02:00:00"),
            ("-1 day -02:03:00", "-1 days -02:03:00"),
            ("1 day -02:03:00", "1 day -02:03:00"),
            ("-1 year -2 mons +3 days -04:05:06", "-1 years -2 mons +3 days -04:05:06"),
            ("1-2", "1 year 2 mons"),
            ("-1-2", "-1 years -2 mons"),
            ("1 2:03:04", "1 day 02:03:04"),
            ("P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"),
            ("P1.5Y", "1 year 6 mons"),
            ("PT1.5S", "00:00:01.5"),
            ("P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"),
            ("10:30", "10:30:00"),
            ("10:30.5", "00:10:30.5"),
            ("1 microsecond", "00:00:00.000001"),
            ("3 milliseconds", "00:00:00.003"),
            ("1 century 2 decades 1 millennium", "1120 years"),
            ("1 y 2 mon 3 d 4 h 5 m 6 s", "1 year 2 mons 3 days 04:05:06"),
            ("100000 hours", "100000:00:00"),
            ("1.0000005 sec", "00:00:01"),
            ("0.0000015 sec", "00:00:00.000001"),
            ("-0.5 days", "-12:00:00"),
            ("1 min 60 secs", "00:02:00"),
            ("1 day ago ago", "-1 days"),
            ("10:00 5 secs", "ERR 22007 invalid input syntax for type interval: \"10:00 5 secs\""),
            ("x", "ERR 22007 invalid input syntax for type interval: \"x\""),
            ("1 fortnight", "ERR 22007 invalid input syntax for type interval: \"1 fortnight\""),
            ("1 day 1 day", "ERR 22007 invalid input syntax for type interval: \"1 day 1 day\""),
            ("p1y", "ERR 22007 invalid input syntax for type interval: \"p1y\""),
            ("1 hour 10:00", "ERR 22007 invalid input syntax for type interval: \"1 hour 10:00\""),
            ("99999999999 days", "ERR 22015 interval field value out of range: \"99999999999 days\""),
            ("1-12", "ERR 22015 interval field value out of range: \"1-12\""),
            ("178956970 years 8 months", "ERR 22008 interval out of range"),
        ] {
            assert_eq!(run(input, P), want, "{input}");
        }
    }

    #[test]
    fn other_styles() {
        use IntervalStyle::*;
        let cases = ["1 year 2 mons 3 days 04:05:06.5", "-1 days +02:03:00", "0", "-1 year -2 mons", "-0.5 sec"];
        let verbose = [
            "@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs",
            "@ 1 day -2 hours -3 mins ago",
            "@ 0",
            "@ 1 year 2 mons ago",
            "@ 0.5 secs ago",
        ];
        let sql = ["+1-2 +3 +4:05:06.5", "+0-0 -1 +2:03:00", "0", "-1-2", "-0:00:00.5"];
        let iso = ["P1Y2M3DT4H5M6.5S", "P-1DT2H3M", "PT0S", "P-1Y-2M", "PT-0.5S"];
        for (i, c) in cases.iter().enumerate() {
            assert_eq!(run(c, PostgresVerbose), verbose[i], "{c}");
            assert_eq!(run(c, SqlStandard), sql[i], "{c}");
            assert_eq!(run(c, Iso8601), iso[i], "{c}");
        }
        assert_eq!(run("1 sec", PostgresVerbose), "@ 1 sec");
        assert_eq!(run("1 day -1 sec", PostgresVerbose), "@ 1 day -1 sec");
        assert_eq!(run("-1 day 1 sec", PostgresVerbose), "@ 1 day -1 sec ago");
        assert_eq!(run("3 days 04:05:06.5", SqlStandard), "3 4:05:06.5");
        assert_eq!(run("-3 days -04:05:06.5", SqlStandard), "-3 4:05:06.5");
        assert_eq!(run("04:05:06", SqlStandard), "4:05:06");
        assert_eq!(run("-1 min -0.5 sec", Iso8601), "PT-1M-0.5S");
        assert_eq!(run("1 min -0.5 sec", Iso8601), "PT59.5S");
        // Extremes print without overflow.
        for style in [Postgres, PostgresVerbose, SqlStandard, Iso8601] {
            let _ = out(iv(i32::MIN, i32::MIN, i64::MIN), style);
            let _ = out(iv(i32::MAX, i32::MAX, i64::MAX), style);
        }
    }

    #[test]
    fn sql_standard_input_sign() {
        // set intervalstyle=sql_standard; select '-1 2:03:04'::interval, '-1 +2:03:04'::interval
        let st = IntervalStyle::SqlStandard;
        let v = parse_interval("-1 2:03:04", st).expect("parse");
        assert_eq!(v, iv(0, -1, -(2 * 3600 + 3 * 60 + 4) * 1_000_000));
        assert_eq!(out(v, st), "-1 2:03:04");
        let v = parse_interval("-1 +2:03:04", st).expect("parse");
        assert_eq!(out(v, st), "+0-0 -1 +2:03:04");
    }

    #[test]
    fn no_panics_on_garbage() {
        let pieces = [
            "1",
            "-",
            "+",
            ".",
            ":",
            " ",
            "P",
            "T",
            "Y",
            "M",
            "D",
            "H",
            "S",
            "W",
            "9223372036854775807",
            "2147483647",
            "-2147483648",
            "1e15",
            "day",
            "ago",
            "@",
            "hours",
            "1-2",
            "é",
            "0.5",
            "inf",
        ];
        let mut seed: u64 = 99;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 8) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let _ = parse_interval(&s, IntervalStyle::SqlStandard);
            let _ = parse_interval(&s, IntervalStyle::Postgres);
        }
    }
}
