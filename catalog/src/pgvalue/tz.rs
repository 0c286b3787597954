//! [`TimeZone`]: the session `TimeZone` setting and time zones named inside values.
//!
//! Covers IANA zone names (via `chrono-tz`, matched case-insensitively and displayed
//! with their canonical spelling, like PostgreSQL), numeric hour offsets as accepted by
//! `SET TIME ZONE` (`-7`, `5.5`, `'+05'`, displayed `<-07>+07`), and POSIX
//! standard-time-only specs such as `UTC+3` (POSIX sign convention: 3 hours *west*).

use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use chrono::{Offset, TimeZone as _};
use chrono_tz::{OffsetName, Tz};

use super::calendar::{MICROS_PER_SEC, SECS_PER_DAY, days_from_civil, naive_from_unix_secs, year_of_unix_secs};
use super::error::{ValueError, sqlstate};
use super::posix_tz::{self, PosixTz};

/// Largest accepted offset for numeric zone settings, in hours (PostgreSQL's tzparse limit).
const MAX_POSIX_HOURS: i64 = 167;
/// chrono-tz's transition tables end in 2099; later instants reuse an equivalent year.
const LAST_TABLE_YEAR: i64 = 2099;

/// A time zone: an IANA zone or a fixed UTC offset with a name and abbreviation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeZone {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Named(Tz),
    Posix {
        tz: Box<PosixTz>,
        /// Canonical setting text, e.g. `<-07>+07` or `UTC+3`.
        name: Box<str>,
    },
}

/// A time zone abbreviation of at most 10 bytes (PostgreSQL's `MAXTZLEN`), stored inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TzAbbrev {
    buf: [u8; 10],
    len: u8,
}

impl TzAbbrev {
    fn new(s: &str) -> Self {
        let mut buf = [0u8; 10];
        // Truncate on a char boundary (abbreviations are ASCII in practice).
        let mut len = s.len().min(10);
        while !s.is_char_boundary(len) {
            len -= 1;
        }
        buf[..len].copy_from_slice(&s.as_bytes()[..len]);
        TzAbbrev { buf, len: len as u8 }
    }

    /// tzdb's `%z` form: `+04`, `-0330`, `+003552`.
    fn numeric(offset_east: i32) -> Self {
        let sign = if offset_east < 0 { '-' } else { '+' };
        let a = offset_east.unsigned_abs();
        let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
        let mut abbrev = TzAbbrev { buf: [0; 10], len: 0 };
        // At most 7 bytes: cannot fail.
        let _ = if s != 0 {
            write!(abbrev, "{sign}{h:02}{m:02}{s:02}")
        } else if m != 0 {
            write!(abbrev, "{sign}{h:02}{m:02}")
        } else {
            write!(abbrev, "{sign}{h:02}")
        };
        abbrev
    }

    /// The abbreviation text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Write for TzAbbrev {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = usize::from(self.len);
        let end = start + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[start..end].copy_from_slice(s.as_bytes());
        self.len = end as u8;
        Ok(())
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::utc()
    }
}

impl fmt::Display for TimeZone {
    /// The canonical setting text, as `SHOW timezone` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Named(tz) => f.write_str(tz.name()),
            Kind::Posix { name, .. } => f.write_str(name),
        }
    }
}

impl TimeZone {
    /// The `UTC` zone (the default).
    pub fn utc() -> Self {
        TimeZone { kind: Kind::Named(Tz::UTC) }
    }

    /// Wraps a `chrono-tz` zone.
    pub fn named(tz: Tz) -> Self {
        TimeZone { kind: Kind::Named(tz) }
    }

    /// A fixed offset in seconds east of UTC, named like `SET TIME ZONE <hours>` does
    /// (`<+05:30>-05:30`); `None` if beyond ±167 hours.
    pub fn fixed(offset_secs_east: i32) -> Option<Self> {
        let abs = i64::from(offset_secs_east).abs();
        if abs > MAX_POSIX_HOURS * 3600 {
            return None;
        }
        let mut digits = format!("{:02}", abs / 3600);
        let rest = abs % 3600;
        if rest != 0 {
            digits.push_str(&format!(":{:02}", rest / 60));
            if rest % 60 != 0 {
                digits.push_str(&format!(":{:02}", rest % 60));
            }
        }
        let (east_sign, posix_sign) = if offset_secs_east < 0 { ('-', '+') } else { ('+', '-') };
        let name = format!("<{east_sign}{digits}>{posix_sign}{digits}");
        let tz = posix_tz::parse(&name)?;
        Some(TimeZone { kind: Kind::Posix { tz: Box::new(tz), name: name.into() } })
    }

    /// Parses a `SET TIME ZONE` / `SET timezone` value: a number of hours (ISO sign, may
    /// be fractional), an IANA name (any case), or a POSIX spec without DST (`UTC+3`).
    /// Errors: `invalid value for parameter "TimeZone": "..."` (22023).
    pub fn parse_setting(value: &str) -> Result<Self, ValueError> {
        let invalid = || ValueError::invalid_parameter("TimeZone", value);
        if let Some(hours) = parse_c_double(value.trim_start()) {
            // Here we change from SQL to Unix sign convention, as PostgreSQL does.
            let west = -hours * 3600.0;
            if !west.is_finite() || west.abs() > (MAX_POSIX_HOURS * 3600) as f64 {
                return Err(invalid().with_detail("UTC timezone offset is out of range."));
            }
            // Truncation toward zero, as C's assignment of double to long.
            let east = -(west as i64) as i32;
            return Self::fixed(east).ok_or_else(|| invalid().with_detail("UTC timezone offset is out of range."));
        }
        let tz = Self::lookup(value).ok_or_else(invalid)?;
        // PostgreSQL's pg_tz_acceptable(): 2000-01-01 00:00 UTC must be a whole minute.
        if tz.offset_at_utc(946_684_800_000_000) % 60 != 0 {
            return Err(ValueError::new(sqlstate::INVALID_PARAMETER_VALUE, format!("time zone \"{value}\" appears to use leap seconds"))
                .with_detail("PostgreSQL does not support leap seconds."));
        }
        Ok(tz)
    }

    /// Looks up a zone name used inside a value or by `AT TIME ZONE`: IANA name (any
    /// case) or POSIX spec. Error: `time zone "..." not recognized` (22023).
    pub fn parse_name(name: &str) -> Result<Self, ValueError> {
        Self::lookup(name).ok_or_else(|| ValueError::tz_not_recognized(name))
    }

    /// IANA name (any case) first, then a POSIX spec, as PostgreSQL's `pg_tzset`.
    fn lookup(name: &str) -> Option<Self> {
        if let Some(tz) = find_iana(name) {
            return Some(TimeZone::named(tz));
        }
        parse_posix(name)
    }

    /// The chrono-tz zone, if this is an IANA zone.
    pub fn as_tz(&self) -> Option<Tz> {
        match self.kind {
            Kind::Named(tz) => Some(tz),
            Kind::Posix { .. } => None,
        }
    }

    /// UTC offset (seconds east) in effect at a UTC instant (µs since 1970); any i64
    /// is accepted (instants outside the zone tables use the nearest rules).
    pub fn offset_at_utc(&self, utc_micros: i64) -> i32 {
        self.offset_and_abbrev_at_utc(utc_micros).0
    }

    /// UTC offset (seconds east) and abbreviation in effect at a UTC instant.
    pub fn offset_and_abbrev_at_utc(&self, utc_micros: i64) -> (i32, TzAbbrev) {
        match &self.kind {
            Kind::Posix { tz, .. } => {
                let (off, abbrev) = tz.at_utc(utc_micros.div_euclid(MICROS_PER_SEC));
                (off, TzAbbrev::new(abbrev))
            }
            Kind::Named(tz) => {
                let secs = utc_micros.div_euclid(MICROS_PER_SEC);
                let secs = secs + equivalent_year_shift(secs);
                let off = tz.offset_from_utc_datetime(&naive_from_unix_secs(secs));
                let east = off.fix().local_minus_utc();
                let abbrev = match off.abbreviation() {
                    Some(a) => TzAbbrev::new(a),
                    // chrono-tz omits tzdb's numeric abbreviations ("-03", "+0530").
                    None => TzAbbrev::numeric(east),
                };
                (east, abbrev)
            }
        }
    }

    /// UTC offset (seconds east) to use for a local wall-clock time (µs since 1970 in
    /// local time). In a DST gap the pre-transition offset is used; in an overlap the
    /// post-transition one (PostgreSQL's rule).
    pub fn offset_for_local(&self, local_micros: i64) -> i32 {
        let tz = match &self.kind {
            Kind::Posix { tz, .. } => return posix_offset_for_local(tz, local_micros),
            Kind::Named(tz) => *tz,
        };
        let secs = local_micros.div_euclid(MICROS_PER_SEC);
        let secs = secs + equivalent_year_shift(secs);
        let local = naive_from_unix_secs(secs);
        match tz.offset_from_local_datetime(&local) {
            chrono::LocalResult::Single(o) => o.fix().local_minus_utc(),
            // The later instant is the one using the post-transition offset.
            chrono::LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.fix().local_minus_utc(), b.fix().local_minus_utc());
                a.min(b)
            }
            chrono::LocalResult::None => {
                // Gap: use the offset in effect a day earlier (before the transition).
                let before = naive_from_unix_secs(secs.saturating_sub(SECS_PER_DAY));
                tz.offset_from_utc_datetime(&before).fix().local_minus_utc()
            }
        }
    }
}

/// Seconds to add to an instant after 2099 so that it falls in an equivalent year
/// (same leap-ness and weekday of January 1) covered by chrono-tz's tables.
fn equivalent_year_shift(secs: i64) -> i64 {
    let year = year_of_unix_secs(secs);
    if year <= LAST_TABLE_YEAR {
        return 0;
    }
    let is_leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let jan1_dow = |y: i64| (days_from_civil(y, 1, 1) + 4).rem_euclid(7);
    let (leap, dow) = (is_leap(year), jan1_dow(year));
    let mut candidate = LAST_TABLE_YEAR;
    while candidate > LAST_TABLE_YEAR - 40 {
        if is_leap(candidate) == leap && jan1_dow(candidate) == dow {
            return (days_from_civil(candidate, 1, 1) - days_from_civil(year, 1, 1)) * SECS_PER_DAY;
        }
        candidate -= 1;
    }
    0
}

fn iana_index() -> &'static [(String, Tz)] {
    static INDEX: OnceLock<Vec<(String, Tz)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut v: Vec<(String, Tz)> = chrono_tz::TZ_VARIANTS.iter().map(|tz| (tz.name().to_ascii_lowercase(), *tz)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    })
}

/// Case-insensitive IANA lookup.
fn find_iana(name: &str) -> Option<Tz> {
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    let lower = name.to_ascii_lowercase();
    let index = iana_index();
    index.binary_search_by(|(n, _)| n.as_str().cmp(lower.as_str())).ok().and_then(|i| index.get(i)).map(|(_, tz)| *tz)
}

/// Parses the longest prefix of `s` that C's `strtod` would accept as a decimal number,
/// requiring it to cover the whole string; returns `None` otherwise.
fn parse_c_double(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut ndigits = i - digits_start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let f = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        ndigits += i - f;
    }
    if ndigits == 0 {
        return None;
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
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok()
}

/// A POSIX spec (`UTC+3`, `EST5EDT,M3.2.0,M11.1.0`), canonical name upper-cased as
/// PostgreSQL does.
fn parse_posix(spec: &str) -> Option<TimeZone> {
    let upper = spec.to_ascii_uppercase();
    let tz = posix_tz::parse(&upper)?;
    Some(TimeZone { kind: Kind::Posix { tz: Box::new(tz), name: upper.into() } })
}

/// PostgreSQL's local-time resolution for a rule-based zone: gap → offset before the
/// transition, overlap → offset after it.
fn posix_offset_for_local(tz: &PosixTz, local_micros: i64) -> i32 {
    let local = local_micros.div_euclid(MICROS_PER_SEC);
    let before = tz.at_utc(local.saturating_sub(SECS_PER_DAY)).0;
    let after = tz.at_utc(local.saturating_add(SECS_PER_DAY)).0;
    let fits = |off: i32| tz.at_utc(local.saturating_sub(i64::from(off))).0 == off;
    match (fits(before), fits(after)) {
        (_, true) => after,
        (true, false) => before,
        (false, false) => before,
    }
}

/// Helper for tests elsewhere: a zone by IANA name.
#[cfg(test)]
pub(crate) fn tz(name: &str) -> TimeZone {
    TimeZone::parse_setting(name).unwrap_or_else(|e| panic!("bad zone {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        match TimeZone::parse_setting(s) {
            Ok(tz) => tz.to_string(),
            Err(e) => format!("ERR {} {}{}", e.code(), e.message(), e.detail().map(|d| format!(" / {d}")).unwrap_or_default()),
        }
    }

    #[test]
    fn setting_display_matches_show_timezone() {
        // set timezone='...'; show timezone
        assert_eq!(show("america/new_york"), "America/New_York");
        assert_eq!(show("utc"), "UTC");
        assert_eq!(show("gmt"), "GMT");
        assert_eq!(show("zulu"), "Zulu");
        assert_eq!(show("Etc/GMT+5"), "Etc/GMT+5");
        assert_eq!(show("EST5EDT"), "EST5EDT");
        assert_eq!(show("utc+3"), "UTC+3");
        assert_eq!(show("UTC+3:30"), "UTC+3:30");
        assert_eq!(show("<+03>-3"), "<+03>-3");
        assert_eq!(show("<A+3>+3"), "<A+3>+3");
        assert_eq!(show("XYZ-167"), "XYZ-167");
        assert_eq!(show("-7"), "<-07>+07");
        assert_eq!(show("+05"), "<+05>-05");
        assert_eq!(show("5.5"), "<+05:30>-05:30");
        assert_eq!(show("-3.25"), "<-03:15>+03:15");
        assert_eq!(show("1e1"), "<+10>-10");
        assert_eq!(show(" 5"), "<+05>-05");
        assert_eq!(show("167"), "<+167>-167");
        // POSIX specs with DST parts (PostgreSQL applies US rules when none are given).
        assert_eq!(show("UTC+3x"), "UTC+3X");
        assert_eq!(show("FOO+3BAR"), "FOO+3BAR");
        assert_eq!(show("5 "), "5 ");
        assert_eq!(show("<>+3"), "<>+3");
        assert_eq!(show("CET-1CEST,M3.5.0,M10.5.0/3"), "CET-1CEST,M3.5.0,M10.5.0/3");
    }

    #[test]
    fn setting_errors() {
        assert_eq!(show("Mars/Olympus"), "ERR 22023 invalid value for parameter \"TimeZone\": \"Mars/Olympus\"");
        assert_eq!(show("168"), "ERR 22023 invalid value for parameter \"TimeZone\": \"168\" / UTC timezone offset is out of range.");
        assert!(show("PST").starts_with("ERR 22023"));
        assert!(show("XY").starts_with("ERR"));
        assert!(show("UTC+").starts_with("ERR"));
        assert!(show("XYZ-168").starts_with("ERR"));
        assert!(show("America/New_York ").starts_with("ERR"));
        // set timezone='XYZ-5:30:15'
        assert_eq!(
            show("xyz-5:30:15"),
            "ERR 22023 time zone \"xyz-5:30:15\" appears to use leap seconds / PostgreSQL does not support leap seconds."
        );
        let e = TimeZone::parse_name("Mars/Olympus").unwrap_err();
        assert_eq!(e.message(), "time zone \"Mars/Olympus\" not recognized");
        assert_eq!(e.code(), "22023");
    }

    #[test]
    fn offsets() {
        let ny = tz("America/New_York");
        // 2024-01-05 12:00 UTC
        let jan = 1_704_456_000_000_000;
        assert_eq!(ny.offset_and_abbrev_at_utc(jan).0, -5 * 3600);
        assert_eq!(ny.offset_and_abbrev_at_utc(jan).1.as_str(), "EST");
        // 2200-07-01 12:00 America/New_York is -04 in PostgreSQL (DST rules extrapolated).
        let y2200 = (days_from_civil(2200, 7, 1) * SECS_PER_DAY + 12 * 3600) * MICROS_PER_SEC;
        assert_eq!(ny.offset_at_utc(y2200), -4 * 3600);
        // 1850: LMT -04:56:02
        let y1850 = days_from_civil(1850, 1, 1) * SECS_PER_DAY * MICROS_PER_SEC;
        assert_eq!(ny.offset_at_utc(y1850), -(4 * 3600 + 56 * 60 + 2));
        assert_eq!(tz("UTC+3").offset_at_utc(0), -3 * 3600);
        assert_eq!(tz("UTC+3").offset_and_abbrev_at_utc(0).1.as_str(), "UTC");
        assert_eq!(tz("-7").offset_and_abbrev_at_utc(0).1.as_str(), "-07");
        // Extreme instants do not panic.
        let _ = ny.offset_and_abbrev_at_utc(i64::MAX);
        let _ = ny.offset_and_abbrev_at_utc(i64::MIN);
        let _ = ny.offset_for_local(i64::MAX);
        let _ = ny.offset_for_local(i64::MIN);
    }

    #[test]
    fn local_resolution_follows_postgres() {
        let ny = tz("America/New_York");
        let local =
            |y: i64, m: i64, d: i64, h: i64, mi: i64| (days_from_civil(y, m, d) * SECS_PER_DAY + h * 3600 + mi * 60) * MICROS_PER_SEC;
        // '2024-03-10 02:30'::timestamptz → 2024-03-10 03:30:00-04 (gap: offset before)
        assert_eq!(ny.offset_for_local(local(2024, 3, 10, 2, 30)), -5 * 3600);
        // '2024-11-03 01:30'::timestamptz → 2024-11-03 01:30:00-05 (overlap: later)
        assert_eq!(ny.offset_for_local(local(2024, 11, 3, 1, 30)), -5 * 3600);
        assert_eq!(ny.offset_for_local(local(2024, 7, 5, 13, 45)), -4 * 3600);
    }
}
