//! Proleptic Gregorian calendar arithmetic on plain integers (no range limits, no panics).
//!
//! Years are astronomical: year 0 is 1 BC, year -1 is 2 BC (PostgreSQL's internal `tm_year`).

use chrono::{DateTime, NaiveDateTime};

pub(crate) const MICROS_PER_SEC: i64 = 1_000_000;
pub(crate) const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SEC;
pub(crate) const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
pub(crate) const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;
pub(crate) const SECS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch).
pub(crate) const PG_EPOCH_DAYS: i64 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
pub(crate) const PG_EPOCH_MICROS: i64 = PG_EPOCH_DAYS * MICROS_PER_DAY;

/// First valid date (4714-11-24 BC, Julian day 0) in days since 1970.
pub(crate) const MIN_DATE_DAYS: i64 = -2_440_588;
/// Last valid date (5874897-12-31) in days since 1970.
pub(crate) const MAX_DATE_DAYS: i64 = 2_147_483_493 - 2_440_588;
/// First valid timestamp (4714-11-24 00:00:00 BC) in µs since 1970.
pub(crate) const MIN_TIMESTAMP: i64 = MIN_DATE_DAYS * MICROS_PER_DAY;
/// One past the last representable finite timestamp. PostgreSQL's own limit
/// (294277-01-01 00:00:00) lies beyond i64 µs since 1970, so the limit here is
/// `i64::MAX` (which itself means `infinity`): 294247-01-10 04:00:54.775806 is the last.
pub(crate) const END_TIMESTAMP: i64 = i64::MAX;

/// True if `days` (since 1970) is within PostgreSQL's finite date range.
pub(crate) fn is_valid_date(days: i64) -> bool {
    (MIN_DATE_DAYS..=MAX_DATE_DAYS).contains(&days)
}

/// True if `micros` (since 1970) is within PostgreSQL's finite timestamp range.
pub(crate) fn is_valid_timestamp(micros: i64) -> bool {
    (MIN_TIMESTAMP..END_TIMESTAMP).contains(&micros)
}

pub(crate) fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date; `month` 1..=12 (other values extrapolate).
/// Inputs are clamped to ±10^12 (far outside any valid range) so that garbage input
/// cannot overflow.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    const LIMIT: i64 = 1_000_000_000_000;
    let (year, month, day) = (year.clamp(-LIMIT, LIMIT), month.clamp(-LIMIT, LIMIT), day.clamp(-LIMIT, LIMIT));
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9).rem_euclid(12);
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month, day)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day of week (0 = Sunday) of a day count since 1970-01-01.
pub(crate) fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// Year containing a Unix-seconds instant (UTC).
pub(crate) fn year_of_unix_secs(secs: i64) -> i64 {
    civil_from_days(secs.div_euclid(SECS_PER_DAY)).0
}

/// A chrono `NaiveDateTime` for Unix seconds, clamped into chrono's supported range.
pub(crate) fn naive_from_unix_secs(secs: i64) -> NaiveDateTime {
    const LIMIT: i64 = 8_000_000_000_000; // ~ ±253,000 years, inside chrono's range
    let secs = secs.clamp(-LIMIT, LIMIT);
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH).naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_inputs_do_not_overflow() {
        for v in [i64::MIN, i64::MAX, 0] {
            let _ = days_from_civil(v, v, v);
            let _ = civil_from_days(v / 2);
        }
    }

    #[test]
    fn civil_roundtrip() {
        for d in [-1_000_000_000i64, -2_440_588, -719_468, -1, 0, 1, 10_957, 2_000_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(days_from_civil(2000, 1, 1), PG_EPOCH_DAYS);
        assert_eq!(civil_from_days(MIN_DATE_DAYS), (-4713, 11, 24));
        assert_eq!(civil_from_days(MAX_DATE_DAYS), (5_874_897, 12, 31));
        assert_eq!(weekday(days_from_civil(2024, 1, 5)), 5);
        assert_eq!(civil_from_days(END_TIMESTAMP / MICROS_PER_DAY), (294_247, 1, 10));
    }
}
