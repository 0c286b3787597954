//! Date/time input, part 2: PostgreSQL's per-field decoders (`DecodeDate`,
//! `DecodeNumber`, `DecodeNumberField`, `DecodeTime`, `DecodeTimezone`, `ValidateDate`).

use super::calendar::{MICROS_PER_DAY, MICROS_PER_SEC, civil_from_days, days_from_civil, days_in_month};
use super::datetime_lex::{DtErr, Keyword, Unit, lookup_keyword, parse_fraction, parse_fractional_second, strtoint};
use super::settings::DateOrder;

// Field masks (PostgreSQL's DTK_M bits).
pub(crate) const M_RESERV: u32 = 1 << 0;
pub(crate) const M_MONTH: u32 = 1 << 1;
pub(crate) const M_YEAR: u32 = 1 << 2;
pub(crate) const M_DAY: u32 = 1 << 3;
pub(crate) const M_TZ: u32 = 1 << 5;
pub(crate) const M_DTZ: u32 = 1 << 6;
pub(crate) const M_AMPM: u32 = 1 << 9;
pub(crate) const M_HOUR: u32 = 1 << 10;
pub(crate) const M_MINUTE: u32 = 1 << 11;
pub(crate) const M_SECOND: u32 = 1 << 12;
pub(crate) const M_MILLISECOND: u32 = 1 << 13;
pub(crate) const M_MICROSECOND: u32 = 1 << 14;
pub(crate) const M_DOY: u32 = 1 << 15;
pub(crate) const M_DOW: u32 = 1 << 16;
pub(crate) const M_ADBC: u32 = 1 << 18;
pub(crate) const M_DTZMOD: u32 = 1 << 28;
pub(crate) const DATE_M: u32 = M_YEAR | M_MONTH | M_DAY;
pub(crate) const TIME_M: u32 = M_HOUR | M_MINUTE | M_SECOND;
pub(crate) const ALL_SECS_M: u32 = M_SECOND | M_MILLISECOND | M_MICROSECOND;

#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct Tm {
    pub(crate) year: i64,
    pub(crate) mon: i64,
    pub(crate) mday: i64,
    pub(crate) hour: i64,
    pub(crate) min: i64,
    pub(crate) sec: i64,
    pub(crate) fsec: i64,
    pub(crate) yday: i64,
}

impl Tm {
    pub(crate) fn local_micros(&self) -> Option<i64> {
        let days = days_from_civil(self.year, self.mon, self.mday);
        days.checked_mul(MICROS_PER_DAY)?.checked_add(self.time_micros()?)
    }
    pub(crate) fn time_micros(&self) -> Option<i64> {
        self.hour
            .checked_mul(60)?
            .checked_add(self.min)?
            .checked_mul(60)?
            .checked_add(self.sec)?
            .checked_mul(MICROS_PER_SEC)?
            .checked_add(self.fsec)
    }
    pub(crate) fn set_from_local(&mut self, local: i64) {
        let (y, m, d) = civil_from_days(local.div_euclid(MICROS_PER_DAY));
        let t = local.rem_euclid(MICROS_PER_DAY);
        self.year = y;
        self.mon = m;
        self.mday = d;
        self.hour = t / 3_600_000_000;
        self.min = t / 60_000_000 % 60;
        self.sec = t / MICROS_PER_SEC % 60;
        self.fsec = t % MICROS_PER_SEC;
    }
}

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JDATE: i64 = 2_440_588;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mer {
    Hr24,
    Am,
    Pm,
}

/// PostgreSQL's `time_overflows`: fields in range and the total at most 24:00:00.
pub(crate) fn time_overflows(tm: &Tm) -> bool {
    tm.hour < 0
        || tm.hour > 24
        || !(0..60).contains(&tm.min)
        || !(0..=60).contains(&tm.sec)
        || !(0..=MICROS_PER_SEC).contains(&tm.fsec)
        || tm.time_micros().is_none_or(|t| t > MICROS_PER_DAY)
}

pub(crate) fn set_julian(tm: &mut Tm, jd: i64) {
    let (y, m, d) = civil_from_days(jd - UNIX_EPOCH_JDATE);
    (tm.year, tm.mon, tm.mday) = (y, m, d);
}

pub(crate) fn apply_meridian(mer: Mer, tm: &mut Tm) -> Result<(), DtErr> {
    if mer != Mer::Hr24 && tm.hour > 12 {
        return Err(DtErr::FieldOverflow);
    }
    if mer == Mer::Am && tm.hour == 12 {
        tm.hour = 0;
    } else if mer == Mer::Pm && tm.hour != 12 {
        tm.hour += 12;
    }
    Ok(())
}

/// A number following a unit label (`y2001m02d04`, `j2451187`, `t101010`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_labeled_number(
    field: &str,
    unit: Unit,
    fmask: u32,
    tmask: &mut u32,
    tm: &mut Tm,
    time_only: bool,
    isjulian: &mut bool,
    is2digits: &mut bool,
) -> Result<(), DtErr> {
    let (val, used) = strtoint(field, true)?;
    let rest = &field[used..];
    if rest.starts_with('.') {
        if !matches!(unit, Unit::Julian | Unit::Time | Unit::Second) {
            return Err(DtErr::BadFormat);
        }
    } else if !rest.is_empty() {
        return Err(DtErr::BadFormat);
    }
    match unit {
        Unit::Year => {
            tm.year = val;
            *tmask = M_YEAR;
        }
        Unit::Month => {
            if fmask & M_MONTH != 0 && fmask & M_HOUR != 0 {
                tm.min = val;
                *tmask = M_MINUTE;
            } else {
                tm.mon = val;
                *tmask = M_MONTH;
            }
        }
        Unit::Day => {
            tm.mday = val;
            *tmask = M_DAY;
        }
        Unit::Hour => {
            tm.hour = val;
            *tmask = M_HOUR;
        }
        Unit::Minute => {
            tm.min = val;
            *tmask = M_MINUTE;
        }
        Unit::Second => {
            tm.sec = val;
            // Observed PostgreSQL 15 behaviour: in time-only input a labeled whole
            // second (`s5`) does not count as a seconds field; `s5.0` does.
            *tmask = if time_only { 0 } else { M_SECOND };
            if rest.starts_with('.') {
                tm.fsec = parse_fractional_second(rest)?;
                *tmask = ALL_SECS_M;
            }
        }
        Unit::Julian => {
            if val < 0 {
                return Err(DtErr::FieldOverflow);
            }
            *tmask = DATE_M;
            set_julian(tm, val);
            *isjulian = true;
            if rest.starts_with('.') {
                let frac = parse_fraction(rest)?;
                let t = (frac * MICROS_PER_DAY as f64) as i64;
                tm.hour = t / 3_600_000_000;
                tm.min = t / 60_000_000 % 60;
                tm.sec = t / MICROS_PER_SEC % 60;
                tm.fsec = t % MICROS_PER_SEC;
                *tmask |= TIME_M;
            }
        }
        Unit::Time => {
            let mut t = 0;
            decode_number_field(field, fmask | DATE_M, &mut t, tm, is2digits)?;
            if t != TIME_M {
                return Err(DtErr::BadFormat);
            }
            *tmask = t;
        }
        Unit::Other => return Err(DtErr::BadFormat),
    }
    Ok(())
}

/// PostgreSQL's `DecodeDate`: a date field with separators, possibly with a month name.
pub(crate) fn decode_date(
    s: &str,
    mut fmask: u32,
    tmask: &mut u32,
    is2digits: &mut bool,
    tm: &mut Tm,
    order: DateOrder,
) -> Result<(), DtErr> {
    let b = s.as_bytes();
    let mut subs: [(usize, usize); 25] = [(0, 0); 25];
    let mut nf = 0;
    let mut i = 0;
    *tmask = 0;
    while i < b.len() && nf < subs.len() {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= b.len() {
            return Err(DtErr::BadFormat);
        }
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
        }
        subs[nf] = (start, i);
        nf += 1;
        if i < b.len() {
            i += 1; // the separator is consumed
        }
    }
    let mut have_text_month = false;
    let mut done = [false; 25];
    for k in 0..nf {
        let (a, e) = subs[k];
        let sub = &s[a..e];
        if sub.as_bytes()[0].is_ascii_alphabetic() {
            match lookup_keyword(sub) {
                // Like PostgreSQL, an ignorable word is skipped here but then fails the
                // numeric pass below.
                Some(Keyword::Ignore) => continue,
                Some(Keyword::Month(m)) => {
                    tm.mon = m;
                    have_text_month = true;
                }
                _ => return Err(DtErr::BadFormat),
            }
            if fmask & M_MONTH != 0 {
                return Err(DtErr::BadFormat);
            }
            fmask |= M_MONTH;
            *tmask |= M_MONTH;
            done[k] = true;
        }
    }
    for k in 0..nf {
        if done[k] {
            continue;
        }
        let (a, e) = subs[k];
        let mut dmask = 0;
        decode_number(&s[a..e], have_text_month, fmask, &mut dmask, tm, is2digits, order)?;
        if fmask & dmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= dmask;
        *tmask |= dmask;
    }
    if fmask & !(M_DOY | M_TZ) != DATE_M {
        return Err(DtErr::BadFormat);
    }
    Ok(())
}

/// PostgreSQL's `DecodeNumber`: one numeric field, interpreted by what is known so far.
pub(crate) fn decode_number(
    s: &str,
    have_text_month: bool,
    fmask: u32,
    tmask: &mut u32,
    tm: &mut Tm,
    is2digits: &mut bool,
    order: DateOrder,
) -> Result<(), DtErr> {
    *tmask = 0;
    let flen = s.len();
    let (val, used) = strtoint(s, true)?;
    if used == 0 {
        return Err(DtErr::BadFormat);
    }
    let rest = &s[used..];
    if rest.starts_with('.') {
        if used > 2 {
            return decode_number_field(s, fmask | DATE_M, tmask, tm, is2digits);
        }
        tm.fsec = parse_fractional_second(rest)?;
    } else if !rest.is_empty() {
        return Err(DtErr::BadFormat);
    }
    if flen == 3 && fmask & DATE_M == M_YEAR && (1..=366).contains(&val) {
        *tmask = M_DOY | M_MONTH | M_DAY;
        tm.yday = val;
        return Ok(());
    }
    match fmask & DATE_M {
        0 => {
            if flen >= 3 || order == DateOrder::Ymd {
                *tmask = M_YEAR;
                tm.year = val;
            } else if order == DateOrder::Dmy {
                *tmask = M_DAY;
                tm.mday = val;
            } else {
                *tmask = M_MONTH;
                tm.mon = val;
            }
        }
        M_YEAR => {
            *tmask = M_MONTH;
            tm.mon = val;
        }
        M_MONTH => {
            if have_text_month && (flen >= 3 || order == DateOrder::Ymd) {
                *tmask = M_YEAR;
                tm.year = val;
            } else {
                *tmask = M_DAY;
                tm.mday = val;
            }
        }
        m if m == M_YEAR | M_MONTH => {
            if have_text_month && flen >= 3 && *is2digits {
                *tmask = M_DAY;
                tm.mday = tm.year;
                tm.year = val;
                *is2digits = false;
            } else {
                *tmask = M_DAY;
                tm.mday = val;
            }
        }
        M_DAY => {
            *tmask = M_MONTH;
            tm.mon = val;
        }
        m if m == M_MONTH | M_DAY => {
            *tmask = M_YEAR;
            tm.year = val;
        }
        DATE_M => {
            return decode_number_field(s, fmask, tmask, tm, is2digits);
        }
        _ => return Err(DtErr::BadFormat),
    }
    if *tmask == M_YEAR {
        *is2digits = flen <= 2;
    }
    Ok(())
}

/// Leading-digits value of a substring (C `atoi` on digit-only text), saturating.
fn atoi(s: &str) -> i64 {
    s.bytes().take_while(u8::is_ascii_digit).fold(0i64, |v, c| v.saturating_mul(10).saturating_add(i64::from(c - b'0')))
}

/// PostgreSQL's `DecodeNumberField`: run-together `YYYYMMDD`, `YYMMDD`, `hhmmss`, `hhmm`.
pub(crate) fn decode_number_field(s: &str, fmask: u32, tmask: &mut u32, tm: &mut Tm, is2digits: &mut bool) -> Result<(), DtErr> {
    let mut s = s;
    if let Some(dot) = s.find('.') {
        let frac = &s[dot..];
        tm.fsec = if frac.len() == 1 {
            0
        } else {
            let n = frac[1..].bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                0 // strtod() converts nothing
            } else {
                parse_fractional_second(&frac[..1 + n])?
            }
        };
        s = &s[..dot];
    } else if fmask & DATE_M != DATE_M && s.len() >= 6 {
        let len = s.len();
        *tmask = DATE_M;
        tm.mday = atoi(&s[len - 2..]);
        tm.mon = atoi(&s[len - 4..len - 2]);
        tm.year = atoi(&s[..len - 4]);
        if len - 4 == 2 {
            *is2digits = true;
        }
        return Ok(());
    }
    if fmask & TIME_M != TIME_M {
        if s.len() == 6 {
            *tmask = TIME_M;
            tm.sec = atoi(&s[4..]);
            tm.min = atoi(&s[2..4]);
            tm.hour = atoi(&s[..2]);
            return Ok(());
        } else if s.len() == 4 {
            *tmask = TIME_M;
            tm.sec = 0;
            tm.min = atoi(&s[2..]);
            tm.hour = atoi(&s[..2]);
            return Ok(());
        }
    }
    Err(DtErr::BadFormat)
}

/// PostgreSQL's `DecodeTimeCommon`: `hh:mm`, `hh:mm:ss[.fff]`, or `mm:ss.fff`
/// → (hours, minutes, seconds, microseconds); hours may be large.
fn decode_time_common(s: &str) -> Result<(i64, i64, i64, i64), DtErr> {
    let (hour, used) = strtoint(s, false)?;
    let rest = s[used..].strip_prefix(':').ok_or(DtErr::BadFormat)?;
    let (min, used) = strtoint(rest, true)?;
    let rest = &rest[used..];
    let (mut h, mut m, mut sec, mut fsec) = (hour, min, 0, 0);
    if rest.is_empty() {
    } else if rest.starts_with('.') {
        fsec = parse_fractional_second(rest)?;
        if i32::try_from(h).is_err() {
            return Err(DtErr::FieldOverflow);
        }
        sec = m;
        m = h;
        h = 0;
    } else if let Some(r) = rest.strip_prefix(':') {
        let (sv, used) = strtoint(r, true)?;
        sec = sv;
        let r = &r[used..];
        if r.starts_with('.') {
            fsec = parse_fractional_second(r)?;
        } else if !r.is_empty() {
            return Err(DtErr::BadFormat);
        }
    } else {
        return Err(DtErr::BadFormat);
    }
    if h < 0 || !(0..60).contains(&m) || !(0..=60).contains(&sec) || !(0..=MICROS_PER_SEC).contains(&fsec) {
        return Err(DtErr::FieldOverflow);
    }
    Ok((h, m, sec, fsec))
}

/// PostgreSQL's `DecodeTime` (for timestamps and times).
pub(crate) fn decode_time(s: &str, tmask: &mut u32, tm: &mut Tm) -> Result<(), DtErr> {
    *tmask = TIME_M;
    let (h, m, sec, fsec) = decode_time_common(s)?;
    if h > i64::from(i32::MAX) {
        return Err(DtErr::FieldOverflow);
    }
    (tm.hour, tm.min, tm.sec, tm.fsec) = (h, m, sec, fsec);
    Ok(())
}

/// PostgreSQL's `DecodeTimeForInterval`: *sets* `usec` to the time's total microseconds.
pub(crate) fn decode_time_for_interval(s: &str, usec: &mut i64) -> Result<(), DtErr> {
    let (h, m, sec, fsec) = decode_time_common(s)?;
    *usec = h
        .checked_mul(3_600_000_000)
        .and_then(|v| v.checked_add(m * 60_000_000))
        .and_then(|v| v.checked_add(sec * MICROS_PER_SEC))
        .and_then(|v| v.checked_add(fsec))
        .ok_or(DtErr::FieldOverflow)?;
    Ok(())
}

/// PostgreSQL's `DecodeTimezone`: `+hh`, `-hh:mm`, `+hhmm`, `+hh:mm:ss` → seconds east.
pub(crate) fn decode_timezone(s: &str) -> Result<i32, DtErr> {
    let b = s.as_bytes();
    let neg = match b.first() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Err(DtErr::BadFormat),
    };
    let body = &s[1..];
    let map = |e: DtErr| {
        if e == DtErr::FieldOverflow { DtErr::TzDispOverflow } else { e }
    };
    let (mut hr, used) = strtoint(body, true).map_err(map)?;
    let mut rest = &body[used..];
    let (mut min, mut sec) = (0, 0);
    if let Some(r) = rest.strip_prefix(':') {
        let (m, u) = strtoint(r, true).map_err(map)?;
        min = m;
        rest = &r[u..];
        if let Some(r) = rest.strip_prefix(':') {
            let (sv, u) = strtoint(r, true).map_err(map)?;
            sec = sv;
            rest = &r[u..];
        }
    } else if rest.is_empty() && s.len() > 3 {
        min = hr % 100;
        hr /= 100;
    }
    if !(0..=15).contains(&hr) || !(0..60).contains(&min) || !(0..60).contains(&sec) {
        return Err(DtErr::TzDispOverflow);
    }
    let tz = ((hr * 60 + min) * 60 + sec) as i32;
    if !rest.is_empty() {
        return Err(DtErr::BadFormat);
    }
    Ok(if neg { -tz } else { tz })
}

/// PostgreSQL's `ValidateDate`: BC and two-digit years, day of year, field ranges.
pub(crate) fn validate_date(fmask: u32, isjulian: bool, is2digits: bool, bc: bool, tm: &mut Tm) -> Result<(), DtErr> {
    if fmask & M_YEAR != 0 {
        if isjulian {
        } else if bc {
            if tm.year <= 0 {
                return Err(DtErr::FieldOverflow);
            }
            tm.year = -(tm.year - 1);
        } else if is2digits {
            if tm.year < 0 {
                return Err(DtErr::FieldOverflow);
            }
            if tm.year < 70 {
                tm.year += 2000;
            } else if tm.year < 100 {
                tm.year += 1900;
            }
        } else if tm.year <= 0 {
            return Err(DtErr::FieldOverflow);
        }
    }
    if fmask & M_DOY != 0 {
        let (y, m, d) = civil_from_days(days_from_civil(tm.year, 1, 1) + tm.yday - 1);
        (tm.year, tm.mon, tm.mday) = (y, m, d);
    }
    if fmask & M_MONTH != 0 && !(1..=12).contains(&tm.mon) {
        return Err(DtErr::MdFieldOverflow);
    }
    if fmask & M_DAY != 0 && !(1..=31).contains(&tm.mday) {
        return Err(DtErr::MdFieldOverflow);
    }
    if fmask & DATE_M == DATE_M && tm.mday > days_in_month(tm.year, tm.mon) {
        return Err(DtErr::FieldOverflow);
    }
    Ok(())
}
