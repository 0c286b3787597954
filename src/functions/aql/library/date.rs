//! Date functions over millisecond timestamps (UTC, proleptic Gregorian calendar).
//!
//! A date argument is a number (milliseconds since the epoch, truncated, from
//! `0000-01-01T00:00:00.000Z` to `9999-12-31T23:59:59.999Z`) or a string parsed as ArangoDB
//! parses ISO 8601 (`YYYY[-MM[-DD]][(T| )HH:MM[:SS[.fff]]][Z|±HH:MM]`, leading `+` allowed,
//! out-of-month days such as `2015-02-31` overflowing into the next month). Anything else, and
//! results outside that range, make the function return `null`. Time zone arguments may only
//! name UTC (`"UTC"`, `"Etc/UTC"`, ...); another zone is an error.

use super::{Args, CallError, arg, as_number, int, number, string, to_i64};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;

type R = Result<JsonValue, CallError>;

const DAY: i64 = 86_400_000;
const MIN_MS: i64 = -62_167_219_200_000;
const MAX_MS: i64 = 253_402_300_799_999;

/// Days since 1970-01-01 of a civil date; `d` may lie outside the month (it overflows).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + (d - 1)
}

/// The civil date of a day number.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A date: `year`/`month` normalized from a month count (month 0 is December before).
fn days_from_months(y: i64, months: i64, d: i64) -> i64 {
    let total = y * 12 + months - 1;
    days_from_civil(total.div_euclid(12), total.rem_euclid(12) + 1, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The calendar fields of a timestamp.
struct Parts {
    days: i64,
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    ms: i64,
}

fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(DAY);
    let t = ms.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    Parts { days, year, month, day, hour: t / 3_600_000, minute: t / 60_000 % 60, second: t / 1000 % 60, ms: t % 1000 }
}

impl Parts {
    /// 0 (Sunday) to 6.
    fn weekday(&self) -> i64 {
        (self.days + 4).rem_euclid(7)
    }

    fn day_of_year(&self) -> i64 {
        self.days - days_from_civil(self.year, 1, 1) + 1
    }

    /// ISO 8601 week-numbering year and week.
    fn iso_week(&self) -> (i64, i64) {
        let wd = match self.weekday() {
            0 => 7,
            w => w,
        };
        let thursday = self.days - wd + 4;
        let (y, _, _) = civil_from_days(thursday);
        (y, (thursday - days_from_civil(y, 1, 1)) / 7 + 1)
    }

    fn quarter(&self) -> i64 {
        (self.month + 2) / 3
    }
}

/// Digits of a field: its value (saturating) and length.
fn digits(s: &[u8]) -> (i64, usize) {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let v = s[..n].iter().fold(0i64, |acc, b| acc.saturating_mul(10).saturating_add((b - b'0') as i64));
    (v, n)
}

/// ArangoDB's date string parser.
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim_matches([' ', '\t', '\r', '\n']);
    let s = s.strip_prefix('+').unwrap_or(s).as_bytes();
    let (year, n) = digits(s);
    if n == 0 || year > 9999 {
        return None;
    }
    let mut p = n;
    let (mut month, mut day, mut hour, mut minute, mut second, mut millis) = (1, 1, 0, 0, 0, 0);
    let field = |p: &mut usize, max: i64, min: i64| -> Option<i64> {
        let (v, n) = digits(&s[*p..]);
        if n == 0 || n > 2 || v > max || v < min {
            return None;
        }
        *p += n;
        Some(v)
    };
    if s.get(p) == Some(&b'-') {
        p += 1;
        month = field(&mut p, 12, 1)?;
        if s.get(p) == Some(&b'-') {
            p += 1;
            day = field(&mut p, 31, 1)?;
        }
    }
    if matches!(s.get(p), Some(b' ' | b'T')) {
        p += 1;
        hour = field(&mut p, 23, 0)?;
        if s.get(p) != Some(&b':') {
            return None;
        }
        p += 1;
        minute = field(&mut p, 59, 0)?;
        if s.get(p) == Some(&b':') {
            p += 1;
            second = field(&mut p, 59, 0)?;
            if s.get(p) == Some(&b'.') {
                p += 1;
                let (_, n) = digits(&s[p..]);
                if n == 0 {
                    return None;
                }
                let (v, k) = digits(&s[p..p + n.min(3)]);
                millis = v * [0, 100, 10, 1][k];
                p += n;
            }
        }
    }
    let mut offset = 0;
    match s.get(p) {
        Some(b'z' | b'Z') => p += 1,
        Some(&sign @ (b'+' | b'-')) => {
            p += 1;
            let h = field(&mut p, 23, 0)?;
            if s.get(p) != Some(&b':') {
                return None;
            }
            p += 1;
            let m = field(&mut p, 59, 0)?;
            offset = (h * 60 + m) * 60_000 * if sign == b'+' { 1 } else { -1 };
        }
        _ => {}
    }
    if p != s.len() {
        return None;
    }
    let ms = days_from_civil(year, month, day) * DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset;
    if offset != 0 && !(0..=9999).contains(&parts(ms).year) {
        return None;
    }
    Some(ms)
}

/// The timestamp of a date argument.
fn time_point(v: &JsonValue) -> Option<i64> {
    match v {
        JsonValue::Number(_) => {
            let n = value::to_number(v).trunc();
            (MIN_MS as f64..=MAX_MS as f64).contains(&n).then_some(n as i64)
        }
        JsonValue::String(s) => parse_date(s),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, `null` outside years 0 to 9999.
fn iso(ms: i64) -> JsonValue {
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return JsonValue::Null;
    }
    string(iso_text(&parts(ms)))
}

fn iso_text(p: &Parts) -> String {
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", p.year, p.month, p.day, p.hour, p.minute, p.second, p.ms)
}

/// Checks an optional time zone argument: `Ok(false)` for a non-string (the result is then
/// `null`), an error for a zone other than UTC.
fn utc(v: Option<&JsonValue>) -> Result<bool, CallError> {
    const UTC: &[&str] = &[
        "UTC",
        "Etc/UTC",
        "UCT",
        "Etc/UCT",
        "Universal",
        "Etc/Universal",
        "Zulu",
        "Etc/Zulu",
        "GMT",
        "Etc/GMT",
        "GMT0",
        "Etc/GMT0",
        "GMT+0",
        "Etc/GMT+0",
        "GMT-0",
        "Etc/GMT-0",
        "Greenwich",
        "Etc/Greenwich",
    ];
    match v {
        None | Some(JsonValue::Null) => Ok(true),
        Some(JsonValue::String(tz)) if UTC.contains(&tz.as_str()) => Ok(true),
        Some(JsonValue::String(tz)) => Err(CallError::Invalid(format!("unsupported timezone '{tz}': only UTC is supported"))),
        Some(_) => Ok(false),
    }
}

/// A function of one date (and an optional time zone).
fn component(a: &[JsonValue], f: impl Fn(&Parts, i64) -> JsonValue) -> R {
    if !utc(a.get(1))? {
        return Ok(JsonValue::Null);
    }
    Ok(time_point(&a[0]).map_or(JsonValue::Null, |ms| f(&parts(ms), ms)))
}

pub(super) fn date_dayofweek(a: Args) -> R {
    component(&a, |p, _| int(p.weekday()))
}
pub(super) fn date_year(a: Args) -> R {
    component(&a, |p, _| int(p.year))
}
pub(super) fn date_month(a: Args) -> R {
    component(&a, |p, _| int(p.month))
}
pub(super) fn date_day(a: Args) -> R {
    component(&a, |p, _| int(p.day))
}
pub(super) fn date_hour(a: Args) -> R {
    component(&a, |p, _| int(p.hour))
}
pub(super) fn date_minute(a: Args) -> R {
    component(&a, |p, _| int(p.minute))
}
pub(super) fn date_second(a: Args) -> R {
    component(&a, |p, _| int(p.second))
}
pub(super) fn date_millisecond(a: Args) -> R {
    component(&a, |p, _| int(p.ms))
}
pub(super) fn date_dayofyear(a: Args) -> R {
    component(&a, |p, _| int(p.day_of_year()))
}
pub(super) fn date_isoweek(a: Args) -> R {
    component(&a, |p, _| int(p.iso_week().1))
}
pub(super) fn date_isoweekyear(a: Args) -> R {
    component(&a, |p, _| {
        let (y, w) = p.iso_week();
        JsonValue::Object(vec![("week".to_string(), int(w)), ("year".to_string(), int(y))])
    })
}
pub(super) fn date_leapyear(a: Args) -> R {
    component(&a, |p, _| JsonValue::Bool(is_leap(p.year)))
}
pub(super) fn date_quarter(a: Args) -> R {
    component(&a, |p, _| int(p.quarter()))
}
pub(super) fn date_days_in_month(a: Args) -> R {
    component(&a, |p, _| int(days_in_month(p.year, p.month)))
}

pub(super) fn is_datestring(a: Args) -> R {
    Ok(JsonValue::Bool(matches!(&a[0], JsonValue::String(s) if parse_date(s).is_some())))
}

pub(super) fn date_now(_: Args) -> R {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    Ok(int(ms))
}

/// The timestamp of `DATE_TIMESTAMP`/`DATE_ISO8601` arguments: one date, or year, month,
/// day[, hour, minute, second, millisecond] (larger values overflow into the next unit).
fn from_parameters(a: &[JsonValue]) -> Option<i64> {
    if a.len() == 1 {
        return time_point(&a[0]);
    }
    if a.len() < 3 || !a.iter().all(|v| matches!(v, JsonValue::Number(_) | JsonValue::String(_))) {
        return None;
    }
    let f: Vec<i64> = a.iter().map(to_i64).collect();
    let (y, m, d) = (f[0], f[1], f[2]);
    if !(0..=9999).contains(&y) || m < 0 || d < 0 || f[3..].iter().any(|&x| x < 0) {
        return None;
    }
    let get = |i: usize| f.get(i).copied().unwrap_or(0) as i128;
    let days = days_from_months(y, m.min(1 << 40), 1) as i128 + d as i128 - 1;
    let ms = days * DAY as i128 + get(3) * 3_600_000 + get(4) * 60_000 + get(5) * 1000 + get(6).min(999);
    i64::try_from(ms).ok()
}

pub(super) fn date_timestamp(a: Args) -> R {
    Ok(from_parameters(&a).map_or(JsonValue::Null, int))
}

pub(super) fn date_iso8601(a: Args) -> R {
    Ok(from_parameters(&a).map_or(JsonValue::Null, iso))
}

/// Units of `DATE_ADD`, `DATE_DIFF`, `DATE_COMPARE`, `DATE_TRUNC`, ... (ordered small to large).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Milli,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

fn unit(v: &JsonValue) -> Option<Unit> {
    let JsonValue::String(s) = v else { return None };
    Some(match s.to_lowercase().as_str() {
        "y" | "year" | "years" => Unit::Year,
        "m" | "month" | "months" => Unit::Month,
        "w" | "week" | "weeks" => Unit::Week,
        "d" | "day" | "days" => Unit::Day,
        "h" | "hour" | "hours" => Unit::Hour,
        "i" | "minute" | "minutes" => Unit::Minute,
        "s" | "second" | "seconds" => Unit::Second,
        "f" | "millisecond" | "milliseconds" => Unit::Milli,
        _ => return None,
    })
}

fn unit_ms(u: Unit) -> f64 {
    match u {
        Unit::Milli => 1.0,
        Unit::Second => 1000.0,
        Unit::Minute => 60_000.0,
        Unit::Hour => 3_600_000.0,
        Unit::Day => DAY as f64,
        Unit::Week => 7.0 * DAY as f64,
        Unit::Month => 365.2425 * DAY as f64 / 12.0,
        Unit::Year => 365.2425 * DAY as f64,
    }
}

/// `ms` shifted by whole years and months (the day kept, overflowing the month), then by
/// `extra` milliseconds (truncated).
fn shift(ms: i64, years: i64, months: i64, extra: f64) -> JsonValue {
    let p = parts(ms);
    let (years, months) = (years.clamp(-100_000, 100_000), months.clamp(-1_200_000, 1_200_000));
    if !extra.is_finite() || extra.abs() > 1e18 {
        return JsonValue::Null;
    }
    let days = days_from_months(p.year + years, p.month + months, p.day);
    let t = days as i128 * DAY as i128 + ms.rem_euclid(DAY) as i128 + extra.trunc() as i128;
    i64::try_from(t).map_or(JsonValue::Null, iso)
}

/// `amount` `u`s added (or subtracted): fractions of years become months, fractions of months
/// 30-day days, as ArangoDB does.
fn add_unit(ms: i64, amount: f64, u: Unit, subtract: bool) -> JsonValue {
    let sign = if (amount < 0.0) != subtract { -1.0 } else { 1.0 };
    let mut amount = amount.abs();
    let (mut years, mut months) = (0.0, 0.0);
    let mut u = u;
    if u == Unit::Year {
        years = amount.trunc();
        amount = (amount - years) * 12.0;
        u = Unit::Month;
    }
    if u == Unit::Month {
        months = amount.trunc();
        amount = (amount - months) * 30.0;
        u = Unit::Day;
    }
    let extra = amount * unit_ms(u);
    shift(ms, (sign * years) as i64, (sign * months) as i64, sign * extra)
}

/// An ISO 8601 duration `P[nY][nM][nW][nD][T[nH][nM][n[.fff]S]]`: (years, months,
/// milliseconds).
fn parse_duration(s: &str) -> Option<(i64, i64, i128)> {
    let b = s.as_bytes();
    if b.len() <= 1 || b[0] != b'P' {
        return None;
    }
    let (mut p, mut years, mut months, mut ms) = (1, 0i64, 0i64, 0i128);
    let mut time = false;
    let mut next_designator = 0usize;
    const DATE: &[u8] = b"YMWD";
    const TIME: &[u8] = b"HMS";
    while p < b.len() {
        if b[p] == b'T' && !time {
            time = true;
            next_designator = 0;
            p += 1;
            continue;
        }
        let (v, n) = digits(&b[p..]);
        if n == 0 {
            return None;
        }
        p += n;
        let mut frac = 0i128;
        if time && matches!(b.get(p), Some(b'.' | b',')) {
            let (f, k) = digits(&b[p + 1..]);
            if k == 0 || k > 3 {
                return None;
            }
            frac = f as i128 * [0, 100, 10, 1][k];
            p += 1 + k;
            if b.get(p) != Some(&b'S') {
                return None;
            }
        }
        let designators = if time { TIME } else { DATE };
        let i = designators.iter().position(|d| b.get(p) == Some(d))?;
        if i < next_designator {
            return None;
        }
        next_designator = i + 1;
        p += 1;
        let v = v as i128;
        match (time, i) {
            (false, 0) => years = v as i64,
            (false, 1) => months = v as i64,
            (false, 2) => ms += v * 7 * DAY as i128,
            (false, _) => ms += v * DAY as i128,
            (true, 0) => ms += v * 3_600_000,
            (true, 1) => ms += v * 60_000,
            (true, _) => ms += v * 1000 + frac,
        }
    }
    Some((years, months, ms))
}

fn date_add_fn(a: Args, subtract: bool) -> R {
    // `(date, isoDuration, tz)` or `(date, amount, unit, tz)`.
    let duration = match &a[1] {
        JsonValue::String(d) if a.len() == 2 || (a.len() == 3 && d.starts_with('P')) => Some(d.as_str()),
        _ => None,
    };
    let tz = if duration.is_some() { a.get(2) } else { a.get(3) };
    if !utc(tz)? {
        return Ok(JsonValue::Null);
    }
    let Some(ms) = time_point(&a[0]) else { return Ok(JsonValue::Null) };
    let sign = if subtract { -1 } else { 1 };
    if let Some(d) = duration {
        return Ok(match parse_duration(d) {
            Some((y, m, extra)) => shift(ms, sign * y.min(1 << 40), sign * m.min(1 << 40), (sign as i128 * extra) as f64),
            None => JsonValue::Null,
        });
    }
    Ok(match (&a[1], arg(&a, 2)) {
        (JsonValue::Number(_), u) => match unit(u) {
            Some(u) => add_unit(ms, value::to_number(&a[1]), u, subtract),
            None => JsonValue::Null,
        },
        _ => JsonValue::Null,
    })
}

/// `DATE_ADD(date, amount, unit, tz)` or `DATE_ADD(date, isoDuration, tz)`.
pub(super) fn date_add(a: Args) -> R {
    date_add_fn(a, false)
}

pub(super) fn date_subtract(a: Args) -> R {
    date_add_fn(a, true)
}

/// `DATE_DIFF(date1, date2, unit, asFloat, tz1, tz2)`: `date2 - date1` in `unit`, rounded
/// unless `asFloat`.
pub(super) fn date_diff(a: Args) -> R {
    let mut as_float = false;
    for (i, v) in a.iter().enumerate().skip(3) {
        match v {
            JsonValue::Bool(b) if i == 3 => as_float = *b,
            JsonValue::String(_) | JsonValue::Null => {
                if !utc(Some(v))? {
                    return Ok(JsonValue::Null);
                }
            }
            _ => return Ok(JsonValue::Null),
        }
    }
    let (Some(t1), Some(t2), Some(u)) = (time_point(&a[0]), time_point(&a[1]), unit(&a[2])) else { return Ok(JsonValue::Null) };
    let diff = (t2 - t1) as f64 / unit_ms(u);
    Ok(number(if as_float { diff } else { diff.round() }))
}

/// `DATE_COMPARE(date1, date2, unitRangeStart, unitRangeEnd, tz1, tz2)`: whether the
/// components from `unitRangeStart` down to `unitRangeEnd` are equal.
pub(super) fn date_compare(a: Args) -> R {
    for v in a.iter().skip(4) {
        if !utc(Some(v))? {
            return Ok(JsonValue::Null);
        }
    }
    let (Some(t1), Some(t2)) = (time_point(&a[0]), time_point(&a[1])) else { return Ok(JsonValue::Null) };
    let Some(start) = unit(&a[2]).filter(|u| *u != Unit::Week) else { return Ok(JsonValue::Null) };
    let end = match a.get(3) {
        None | Some(JsonValue::Null) => start,
        Some(v) => match unit(v).filter(|u| *u != Unit::Week) {
            Some(e) if e <= start => e,
            _ => return Ok(JsonValue::Null),
        },
    };
    let (p, q) = (parts(t1), parts(t2));
    let fields = [
        (Unit::Year, p.year, q.year),
        (Unit::Month, p.month, q.month),
        (Unit::Day, p.day, q.day),
        (Unit::Hour, p.hour, q.hour),
        (Unit::Minute, p.minute, q.minute),
        (Unit::Second, p.second, q.second),
        (Unit::Milli, p.ms, q.ms),
    ];
    Ok(JsonValue::Bool(fields.iter().filter(|(u, _, _)| *u <= start && *u >= end).all(|(_, x, y)| x == y)))
}

/// `DATE_TRUNC(date, unit, tz)`.
pub(super) fn date_trunc(a: Args) -> R {
    if !utc(a.get(2))? {
        return Ok(JsonValue::Null);
    }
    let Some(ms) = time_point(&a[0]) else { return Ok(JsonValue::Null) };
    let p = parts(ms);
    let t = ms.rem_euclid(DAY);
    Ok(match unit(&a[1]) {
        Some(Unit::Year) => iso(days_from_civil(p.year, 1, 1) * DAY),
        Some(Unit::Month) => iso(days_from_civil(p.year, p.month, 1) * DAY),
        Some(Unit::Day) => iso(p.days * DAY),
        Some(Unit::Hour) => iso(p.days * DAY + t / 3_600_000 * 3_600_000),
        Some(Unit::Minute) => iso(p.days * DAY + t / 60_000 * 60_000),
        Some(Unit::Second) => iso(p.days * DAY + t / 1000 * 1000),
        Some(Unit::Milli) => iso(ms),
        _ => JsonValue::Null,
    })
}

/// `DATE_ROUND(date, amount, unit, tz)`: down to a multiple of `amount` `unit`s since the
/// epoch (days at most).
pub(super) fn date_round(a: Args) -> R {
    if !utc(a.get(3))? {
        return Ok(JsonValue::Null);
    }
    let (Some(ms), Some(_)) = (time_point(&a[0]), as_number(&a[1])) else { return Ok(JsonValue::Null) };
    let amount = to_i64(&a[1]);
    let factor = match unit(&a[2]) {
        Some(u @ (Unit::Milli | Unit::Second | Unit::Minute | Unit::Hour | Unit::Day)) => unit_ms(u) as i64,
        _ => return Ok(JsonValue::Null),
    };
    match factor.checked_mul(amount) {
        Some(m) if amount > 0 => Ok(iso(ms / m * m)),
        _ => Ok(JsonValue::Null),
    }
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Placeholders in matching order (the first that matches wins, as ArangoDB's alternation).
const PLACEHOLDERS: [&str; 33] = [
    "%&", "%yyyyyy", "%mmmm", "%yyyy", "%wwww", "%mmm", "%www", "%fff", "%xxx", "%yy", "%mm", "%dd", "%hh", "%ii", "%ss", "%kk", "%t",
    "%z", "%w", "%y", "%m", "%d", "%h", "%i", "%s", "%f", "%x", "%k", "%l", "%q", "%a", "%%", "%",
];

fn placeholder(token: &str, p: &Parts, ms: i64) -> String {
    let y = p.year;
    match token {
        "%yyyyyy" if y < 0 => format!("-{:06}", -y),
        "%yyyyyy" if y > 99_999 => y.to_string(),
        "%yyyyyy" => format!("+{y:06}"),
        "%yyyy" if y < 0 => format!("-{:04}", -y),
        "%yyyy" => format!("{:04}", y % 10_000),
        "%yy" => format!("{:02}", y.abs() % 100),
        "%y" => y.to_string(),
        "%mmmm" => MONTHS[(p.month - 1) as usize].to_string(),
        "%mmm" => MONTHS[(p.month - 1) as usize][..3].to_string(),
        "%mm" => format!("{:02}", p.month),
        "%m" => p.month.to_string(),
        "%wwww" => WEEKDAYS[p.weekday() as usize].to_string(),
        "%www" => WEEKDAYS[p.weekday() as usize][..3].to_string(),
        "%w" => p.weekday().to_string(),
        "%fff" => format!("{:03}", p.ms),
        "%f" => p.ms.to_string(),
        "%xxx" => format!("{:03}", p.day_of_year()),
        "%x" => p.day_of_year().to_string(),
        "%dd" => format!("{:02}", p.day),
        "%d" => p.day.to_string(),
        "%hh" => format!("{:02}", p.hour),
        "%h" => p.hour.to_string(),
        "%ii" => format!("{:02}", p.minute),
        "%i" => p.minute.to_string(),
        "%ss" => format!("{:02}", p.second),
        "%s" => p.second.to_string(),
        "%kk" => format!("{:02}", p.iso_week().1),
        "%k" => p.iso_week().1.to_string(),
        "%t" => ms.to_string(),
        "%z" => iso_text(p),
        "%l" => u8::from(is_leap(y)).to_string(),
        "%q" => p.quarter().to_string(),
        "%a" => days_in_month(y, p.month).to_string(),
        "%%" => "%".to_string(),
        _ => String::new(),
    }
}

/// `DATE_FORMAT(date, format, tz)`: placeholders are case-insensitive.
pub(super) fn date_format(a: Args) -> R {
    if !utc(a.get(2))? {
        return Ok(JsonValue::Null);
    }
    let (Some(ms), JsonValue::String(format)) = (time_point(&a[0]), &a[1]) else { return Ok(JsonValue::Null) };
    let p = parts(ms);
    let bytes = format.as_bytes();
    let mut out = String::with_capacity(format.len() * 2);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            let next = format[i..].find('%').map_or(format.len(), |j| i + j);
            out.push_str(&format[i..next]);
            i = next;
            continue;
        }
        let token = PLACEHOLDERS
            .iter()
            .find(|t| bytes.len() - i >= t.len() && bytes[i..i + t.len()].eq_ignore_ascii_case(t.as_bytes()))
            .copied()
            .unwrap_or("%");
        out.push_str(&placeholder(token, &p, ms));
        i += token.len();
    }
    Ok(string(out))
}
