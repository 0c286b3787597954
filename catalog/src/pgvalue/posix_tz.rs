//! POSIX `TZ` strings (`UTC+3`, `<+0530>-5:30`, `EST5EDT,M3.2.0,M11.1.0`) parsed with the
//! same permissive rules as the tzcode copy inside PostgreSQL (`tzparse`): names are any
//! run of characters other than digits, `,`, `+`, `-` (or `<...>`), offsets count hours
//! *west* of UTC, and a DST name without rules gets the US default `M3.2.0,M11.1.0`.

use super::calendar::{SECS_PER_DAY, civil_from_days, days_from_civil, days_in_month, is_leap, weekday};

/// A transition rule (`Jn`, `n`, or `Mm.w.d`, plus the local time of the change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Julian { day: i64, time: i64 },
    DayOfYear { day: i64, time: i64 },
    MonthWeekDay { month: i64, week: i64, dow: i64, time: i64 },
}

/// A parsed POSIX time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PosixTz {
    /// Standard offset, seconds east of UTC.
    pub(crate) std_offset: i32,
    pub(crate) std_abbrev: Box<str>,
    dst: Option<Dst>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Dst {
    offset: i32,
    abbrev: Box<str>,
    start: Rule,
    end: Rule,
}

fn get_zname(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && !s[i].is_ascii_digit() && !matches!(s[i], b',' | b'-' | b'+') {
        i += 1;
    }
    i
}

fn get_num(s: &[u8], i: usize, min: i64, max: i64) -> Option<(i64, usize)> {
    let mut j = i;
    let mut num: i64 = 0;
    if !s.get(j)?.is_ascii_digit() {
        return None;
    }
    while let Some(c) = s.get(j).filter(|c| c.is_ascii_digit()) {
        num = num * 10 + i64::from(c - b'0');
        if num > max {
            return None;
        }
        j += 1;
    }
    (num >= min).then_some((num, j))
}

fn get_secs(s: &[u8], i: usize) -> Option<(i64, usize)> {
    let (h, mut i) = get_num(s, i, 0, 24 * 7 - 1)?;
    let mut secs = h * 3600;
    if s.get(i) == Some(&b':') {
        let (m, j) = get_num(s, i + 1, 0, 59)?;
        secs += m * 60;
        i = j;
        if s.get(i) == Some(&b':') {
            let (sec, j) = get_num(s, i + 1, 0, 60)?;
            secs += sec;
            i = j;
        }
    }
    Some((secs, i))
}

/// `[+-]hh[:mm[:ss]]` → seconds (sign as written, i.e. west-positive).
fn get_offset(s: &[u8], mut i: usize) -> Option<(i64, usize)> {
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (v, j) = get_secs(s, i)?;
    Some((if neg { -v } else { v }, j))
}

fn get_rule(s: &[u8], mut i: usize) -> Option<(Rule, usize)> {
    let rule_kind;
    match s.get(i)? {
        b'J' => {
            let (day, j) = get_num(s, i + 1, 1, 365)?;
            rule_kind = (0, day, 0, 0);
            i = j;
        }
        b'M' => {
            let (month, j) = get_num(s, i + 1, 1, 12)?;
            if s.get(j) != Some(&b'.') {
                return None;
            }
            let (week, j) = get_num(s, j + 1, 1, 5)?;
            if s.get(j) != Some(&b'.') {
                return None;
            }
            let (dow, j) = get_num(s, j + 1, 0, 6)?;
            rule_kind = (2, month, week, dow);
            i = j;
        }
        c if c.is_ascii_digit() => {
            let (day, j) = get_num(s, i, 0, 365)?;
            rule_kind = (1, day, 0, 0);
            i = j;
        }
        _ => return None,
    }
    let mut time = 2 * 3600;
    if s.get(i) == Some(&b'/') {
        let (t, j) = get_offset(s, i + 1)?;
        time = t;
        i = j;
    }
    let rule = match rule_kind {
        (0, day, _, _) => Rule::Julian { day, time },
        (1, day, _, _) => Rule::DayOfYear { day, time },
        (_, month, week, dow) => Rule::MonthWeekDay { month, week, dow, time },
    };
    Some((rule, i))
}

/// Parses an (upper-cased) POSIX TZ string; `None` if PostgreSQL's `tzparse` would reject it.
pub(crate) fn parse(spec: &str) -> Option<PosixTz> {
    let s = spec.as_bytes();
    if s.first() == Some(&b':') || s.len() > 255 {
        return None;
    }
    let name = |s: &[u8], i: usize| -> Option<(usize, usize, usize)> {
        // (name start, name end, next index)
        if s.get(i) == Some(&b'<') {
            let start = i + 1;
            let end = start + s[start..].iter().position(|c| *c == b'>')?;
            Some((start, end, end + 1))
        } else {
            let end = get_zname(s, i);
            Some((i, end, end))
        }
    };
    let (a, b, i) = name(s, 0)?;
    if i >= s.len() {
        return None;
    }
    let (std_west, i) = get_offset(s, i)?;
    let std_abbrev: Box<str> = String::from_utf8_lossy(&s[a..b]).into();
    let std_offset = i32::try_from(-std_west).ok()?;
    if i == s.len() {
        return Some(PosixTz { std_offset, std_abbrev, dst: None });
    }
    let (a, b, mut i) = name(s, i)?;
    if a == b {
        return None;
    }
    let dst_abbrev: Box<str> = String::from_utf8_lossy(&s[a..b]).into();
    let mut dst_west = std_west - 3600;
    if i < s.len() && !matches!(s[i], b',' | b';') {
        let (v, j) = get_offset(s, i)?;
        dst_west = v;
        i = j;
    }
    const DEFAULT_RULES: &[u8] = b",M3.2.0,M11.1.0";
    let (rules, mut j): (&[u8], usize) = if i == s.len() { (DEFAULT_RULES, 0) } else { (s, i) };
    if !matches!(rules.get(j), Some(b',' | b';')) {
        return None;
    }
    let (start, k) = get_rule(rules, j + 1)?;
    if rules.get(k) != Some(&b',') {
        return None;
    }
    let (end, k) = get_rule(rules, k + 1)?;
    j = k;
    if j != rules.len() {
        return None;
    }
    Some(PosixTz { std_offset, std_abbrev, dst: Some(Dst { offset: i32::try_from(-dst_west).ok()?, abbrev: dst_abbrev, start, end }) })
}

/// Seconds from Jan 1 00:00 UTC of `year` to the transition, given the offset (west)
/// in effect before it (tzcode's `transtime`).
fn trans_time(year: i64, rule: Rule, west: i64) -> i64 {
    let (value, time) = match rule {
        Rule::Julian { day, time } => {
            let mut v = (day - 1) * SECS_PER_DAY;
            if is_leap(year) && day >= 60 {
                v += SECS_PER_DAY;
            }
            (v, time)
        }
        Rule::DayOfYear { day, time } => (day * SECS_PER_DAY, time),
        Rule::MonthWeekDay { month, week, dow, time } => {
            let first = days_from_civil(year, month, 1);
            let mut d = (dow - weekday(first)).rem_euclid(7);
            let mdays = days_in_month(year, month);
            for _ in 1..week {
                if d + 7 >= mdays {
                    break;
                }
                d += 7;
            }
            ((first + d - days_from_civil(year, 1, 1)) * SECS_PER_DAY, time)
        }
    };
    value + time + west
}

impl PosixTz {
    /// Offset (seconds east) and abbreviation at a UTC instant in Unix seconds.
    pub(crate) fn at_utc(&self, secs: i64) -> (i32, &str) {
        let Some(dst) = &self.dst else {
            return (self.std_offset, &self.std_abbrev);
        };
        let year = civil_from_days(secs.div_euclid(SECS_PER_DAY)).0;
        let jan1 = days_from_civil(year, 1, 1) * SECS_PER_DAY;
        let start = jan1 + trans_time(year, dst.start, -i64::from(self.std_offset));
        let end = jan1 + trans_time(year, dst.end, -i64::from(dst.offset));
        let in_dst = if start <= end { start <= secs && secs < end } else { !(end <= secs && secs < start) };
        if in_dst { (dst.offset, &dst.abbrev) } else { (self.std_offset, &self.std_abbrev) }
    }

    /// True if there is no DST part.
    #[cfg(test)]
    pub(crate) fn is_fixed(&self) -> bool {
        self.dst.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_tzparse() {
        let p = parse("UTC+3").unwrap();
        assert_eq!((p.std_offset, &*p.std_abbrev, p.is_fixed()), (-3 * 3600, "UTC", true));
        let p = parse("<+0530>-5:30").unwrap();
        assert_eq!((p.std_offset, &*p.std_abbrev), (5 * 3600 + 1800, "+0530"));
        assert_eq!(parse("A+3").unwrap().std_abbrev.as_ref(), "A");
        assert_eq!(parse("<>+3").unwrap().std_abbrev.as_ref(), "");
        assert_eq!(parse("AMERICA/NEW_YORK60").unwrap().std_offset, -60 * 3600);
        assert!(parse("XY").is_none());
        assert!(parse("UTC+").is_none());
        assert!(parse("XYZ-168").is_none());
        assert!(parse("XYZ-167").is_some());
        assert!(parse("<UTC+3").is_none());
        assert!(parse(":UTC+3").is_none());
        assert!(parse("EST5EDT,M3.2.0").is_none());
        assert!(parse("EST5EDT,M13.2.0,M11.1.0").is_none());
        assert!(!parse("UTC+3X").unwrap().is_fixed());
        assert!(parse("CET-1CEST,M3.5.0,M10.5.0/3").is_some());
        assert!(parse("EST5EDT4,J60/1,300").is_some());
    }

    #[test]
    fn dst_rules() {
        // set timezone='FOO+3BAR'; select '2024-07-05 13:45+00'::timestamptz → 11:45:00-02
        let p = parse("FOO+3BAR").unwrap();
        let jul = days_from_civil(2024, 7, 5) * SECS_PER_DAY;
        assert_eq!(p.at_utc(jul), (-2 * 3600, "BAR"));
        let jan = days_from_civil(2024, 1, 5) * SECS_PER_DAY;
        assert_eq!(p.at_utc(jan), (-3 * 3600, "FOO"));
        // Southern hemisphere style (start after end).
        let p = parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(p.at_utc(jan).0, 11 * 3600);
        assert_eq!(p.at_utc(jul).0, 10 * 3600);
        // US 2024: DST starts 2024-03-10 07:00 UTC for EST5EDT.
        let p = parse("EST5EDT").unwrap();
        let start = days_from_civil(2024, 3, 10) * SECS_PER_DAY + 7 * 3600;
        assert_eq!(p.at_utc(start - 1).0, -5 * 3600);
        assert_eq!(p.at_utc(start).0, -4 * 3600);
        let _ = p.at_utc(i64::MAX / 2);
        let _ = p.at_utc(i64::MIN / 2);
    }
}
