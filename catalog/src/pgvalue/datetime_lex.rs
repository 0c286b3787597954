//! Date/time input, part 1: PostgreSQL's field splitter (`ParseDateTime`), keyword
//! tables and shared number helpers. Used by `datetime_in` and `interval`.

/// PostgreSQL's `MAXDATEFIELDS`.
const MAX_FIELDS: usize = 25;
/// PostgreSQL's work buffer size (`MAXDATELEN + MAXDATEFIELDS`).
const WORKBUF_LEN: usize = 128 + MAX_FIELDS;
/// PostgreSQL's `TOKMAXLEN`: keywords are compared on their first 10 characters.
pub(crate) const TOKMAXLEN: usize = 10;

/// A field's lexical class (PostgreSQL's `DTK_NUMBER`, `DTK_STRING`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ft {
    Number,
    String,
    Date,
    Time,
    Tz,
    Special,
}

/// Why decoding failed (PostgreSQL's `DTERR_*`), turned into a `ValueError` by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DtErr {
    BadFormat,
    FieldOverflow,
    MdFieldOverflow,
    IntervalOverflow,
    TzDispOverflow,
    /// A zone name that could not be found (reported verbatim, lower-cased).
    TzNotRecognized(String),
}

/// The split fields: lower-cased text in one buffer plus (class, start, end) entries.
pub(crate) struct Fields {
    buf: String,
    spans: Vec<(Ft, usize, usize)>,
}

impl Fields {
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }
    pub(crate) fn ft(&self, i: usize) -> Ft {
        self.spans[i].0
    }
    pub(crate) fn text(&self, i: usize) -> &str {
        let (_, s, e) = self.spans[i];
        &self.buf[s..e]
    }
}

/// Splits date/time text into fields like PostgreSQL's `ParseDateTime`.
pub(crate) fn split_fields(input: &str) -> Result<Fields, DtErr> {
    let b = input.as_bytes();
    let mut f = Fields { buf: String::with_capacity(input.len() + 8), spans: Vec::with_capacity(8) };
    let mut used = 0usize; // bytes of the C work buffer in use (chars + terminators)
    let mut i = 0usize;
    macro_rules! push {
        ($c:expr) => {{
            used += 1;
            if used + 1 >= WORKBUF_LEN {
                return Err(DtErr::BadFormat);
            }
            f.buf.push(($c as char).to_ascii_lowercase());
        }};
    }
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == 0x0b {
            i += 1;
            continue;
        }
        if f.spans.len() >= MAX_FIELDS {
            return Err(DtErr::BadFormat);
        }
        let start = f.buf.len();
        let ft;
        if c.is_ascii_digit() {
            push!(c);
            i += 1;
            while at(i).is_ascii_digit() {
                push!(at(i));
                i += 1;
            }
            if at(i) == b':' {
                ft = Ft::Time;
                push!(b':');
                i += 1;
                while at(i).is_ascii_digit() || at(i) == b':' || at(i) == b'.' {
                    push!(at(i));
                    i += 1;
                }
            } else if matches!(at(i), b'-' | b'/' | b'.') {
                let delim = at(i);
                push!(delim);
                i += 1;
                if at(i).is_ascii_digit() {
                    let mut t = if delim == b'.' { Ft::Number } else { Ft::Date };
                    while at(i).is_ascii_digit() {
                        push!(at(i));
                        i += 1;
                    }
                    if at(i) == delim {
                        t = Ft::Date;
                        push!(delim);
                        i += 1;
                        while at(i).is_ascii_digit() || at(i) == delim {
                            push!(at(i));
                            i += 1;
                        }
                    }
                    ft = t;
                } else {
                    ft = Ft::Date;
                    while at(i).is_ascii_alphanumeric() || at(i) == delim {
                        push!(at(i));
                        i += 1;
                    }
                }
            } else {
                ft = Ft::Number;
            }
        } else if c == b'.' {
            push!(c);
            i += 1;
            while at(i).is_ascii_digit() {
                push!(at(i));
                i += 1;
            }
            ft = Ft::Number;
        } else if c.is_ascii_alphabetic() {
            push!(c);
            i += 1;
            while at(i).is_ascii_alphabetic() {
                push!(at(i));
                i += 1;
            }
            let mut is_date = matches!(at(i), b'-' | b'/' | b'.');
            if !is_date && (at(i) == b'+' || at(i).is_ascii_digit()) {
                // A core keyword (like "t" or "j") is never the start of a zone name.
                is_date = lookup_keyword(&f.buf[start..]).is_none();
            }
            if is_date {
                ft = Ft::Date;
                loop {
                    push!(at(i));
                    i += 1;
                    let n = at(i);
                    if !(matches!(n, b'+' | b'-' | b'/' | b'_' | b'.' | b':') || n.is_ascii_alphanumeric()) {
                        break;
                    }
                }
            } else {
                ft = Ft::String;
            }
        } else if c == b'+' || c == b'-' {
            push!(c);
            i += 1;
            while at(i).is_ascii_whitespace() {
                i += 1;
            }
            if at(i).is_ascii_digit() {
                ft = Ft::Tz;
                push!(at(i));
                i += 1;
                while at(i).is_ascii_digit() || matches!(at(i), b':' | b'.' | b'-') {
                    push!(at(i));
                    i += 1;
                }
            } else if at(i).is_ascii_alphabetic() {
                ft = Ft::Special;
                push!(at(i));
                i += 1;
                while at(i).is_ascii_alphabetic() {
                    push!(at(i));
                    i += 1;
                }
            } else {
                return Err(DtErr::BadFormat);
            }
        } else if c.is_ascii_punctuation() {
            i += 1;
            continue;
        } else {
            return Err(DtErr::BadFormat);
        }
        used += 1; // the field terminator
        f.spans.push((ft, start, f.buf.len()));
    }
    Ok(f)
}

/// Special values (PostgreSQL's `RESERV` keywords).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reserved {
    Early,
    Late,
    Epoch,
    Now,
    Today,
    Tomorrow,
    Yesterday,
    Zulu,
}

/// Unit labels (PostgreSQL's `UNITS` keywords in the date/time table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Julian,
    /// The ISO "t" separator.
    Time,
    /// dow, doy, isodow, isoyear: recognized but rejected when used.
    Other,
}

/// A date/time keyword (PostgreSQL's `datetktbl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keyword {
    Reserved(Reserved),
    Month(i64),
    Dow,
    AdBc { bc: bool },
    AmPm { pm: bool },
    Ignore,
    Units(Unit),
    IsoTime,
    DstModifier,
}

/// Looks up a date/time keyword (compares the first [`TOKMAXLEN`] characters).
pub(crate) fn lookup_keyword(token: &str) -> Option<Keyword> {
    use Keyword as K;
    let t = truncate(token);
    let kw = match t {
        "-infinity" => K::Reserved(Reserved::Early),
        "infinity" => K::Reserved(Reserved::Late),
        "epoch" => K::Reserved(Reserved::Epoch),
        "now" => K::Reserved(Reserved::Now),
        "today" => K::Reserved(Reserved::Today),
        "tomorrow" => K::Reserved(Reserved::Tomorrow),
        "yesterday" => K::Reserved(Reserved::Yesterday),
        "allballs" => K::Reserved(Reserved::Zulu),
        "ad" => K::AdBc { bc: false },
        "bc" => K::AdBc { bc: true },
        "am" => K::AmPm { pm: false },
        "pm" => K::AmPm { pm: true },
        "at" | "on" => K::Ignore,
        "jan" | "january" => K::Month(1),
        "feb" | "february" => K::Month(2),
        "mar" | "march" => K::Month(3),
        "apr" | "april" => K::Month(4),
        "may" => K::Month(5),
        "jun" | "june" => K::Month(6),
        "jul" | "july" => K::Month(7),
        "aug" | "august" => K::Month(8),
        "sep" | "sept" | "september" => K::Month(9),
        "oct" | "october" => K::Month(10),
        "nov" | "november" => K::Month(11),
        "dec" | "december" => K::Month(12),
        "sun" | "sunday" | "mon" | "monday" | "tue" | "tues" | "tuesday" | "wed" | "weds" | "wednesday" | "thu" | "thur" | "thurs"
        | "thursday" | "fri" | "friday" | "sat" | "saturday" => K::Dow,
        "y" => K::Units(Unit::Year),
        "m" => K::Units(Unit::Month),
        "d" => K::Units(Unit::Day),
        "h" => K::Units(Unit::Hour),
        "mm" => K::Units(Unit::Minute),
        "s" => K::Units(Unit::Second),
        "j" | "jd" | "julian" => K::Units(Unit::Julian),
        "dow" | "doy" | "isodow" | "isoyear" => K::Units(Unit::Other),
        "t" => K::IsoTime,
        "dst" => K::DstModifier,
        _ => return None,
    };
    Some(kw)
}

fn truncate(token: &str) -> &str {
    let mut n = token.len().min(TOKMAXLEN);
    while !token.is_char_boundary(n) {
        n -= 1;
    }
    &token[..n]
}

/// PostgreSQL's default `timezone_abbreviations` set: (abbrev, seconds east, is_dst).
/// Abbreviations that PostgreSQL resolves dynamically use their current offset.
const TZ_ABBREVS: &[(&str, i32, bool)] = &[
    ("acdt", 37800, true),
    ("acsst", 37800, true),
    ("acst", 34200, false),
    ("act", -18000, false),
    ("acwst", 31500, false),
    ("adt", -10800, true),
    ("aedt", 39600, true),
    ("aesst", 39600, true),
    ("aest", 36000, false),
    ("aft", 16200, false),
    ("akdt", -28800, true),
    ("akst", -32400, false),
    ("almst", 25200, true),
    ("almt", 21600, false),
    ("amst", 14400, false),
    ("amt", -14400, false),
    ("anast", 43200, false),
    ("anat", 43200, false),
    ("arst", -10800, false),
    ("art", -10800, false),
    ("ast", -14400, false),
    ("awsst", 32400, true),
    ("awst", 28800, false),
    ("azost", 0, true),
    ("azot", -3600, false),
    ("azst", 14400, false),
    ("azt", 14400, false),
    ("bdst", 7200, true),
    ("bdt", 21600, false),
    ("bnt", 28800, false),
    ("bort", 28800, false),
    ("bot", -14400, false),
    ("bra", -10800, false),
    ("brst", -7200, true),
    ("brt", -10800, false),
    ("bst", 3600, true),
    ("btt", 21600, false),
    ("cadt", 37800, true),
    ("cast", 34200, false),
    ("cct", 28800, false),
    ("cdt", -18000, true),
    ("cest", 7200, true),
    ("cet", 3600, false),
    ("cetdst", 7200, true),
    ("chadt", 49500, true),
    ("chast", 45900, false),
    ("chut", 36000, false),
    ("ckt", -36000, false),
    ("clst", -10800, true),
    ("clt", -10800, true),
    ("cot", -18000, false),
    ("cst", -21600, false),
    ("cxt", 25200, false),
    ("davt", 25200, false),
    ("ddut", 36000, false),
    ("easst", -18000, true),
    ("east", -18000, true),
    ("eat", 10800, false),
    ("edt", -14400, true),
    ("eest", 10800, true),
    ("eet", 7200, false),
    ("eetdst", 10800, true),
    ("egst", 0, true),
    ("egt", -3600, false),
    ("est", -18000, false),
    ("fet", 10800, false),
    ("fjst", 46800, true),
    ("fjt", 43200, false),
    ("fkst", -10800, false),
    ("fkt", -10800, false),
    ("fnst", -3600, true),
    ("fnt", -7200, false),
    ("galt", -21600, false),
    ("gamt", -32400, false),
    ("gest", 14400, false),
    ("get", 14400, false),
    ("gft", -10800, false),
    ("gilt", 43200, false),
    ("gmt", 0, false),
    ("gyt", -14400, false),
    ("hkt", 28800, false),
    ("hst", -36000, false),
    ("ict", 25200, false),
    ("idt", 10800, true),
    ("iot", 21600, false),
    ("irkst", 28800, false),
    ("irkt", 28800, false),
    ("irt", 12600, false),
    ("ist", 7200, false),
    ("jayt", 32400, false),
    ("jst", 32400, false),
    ("kdt", 36000, true),
    ("kgst", 21600, true),
    ("kgt", 21600, false),
    ("kost", 39600, false),
    ("krast", 25200, false),
    ("krat", 25200, false),
    ("kst", 32400, false),
    ("lhdt", 39600, true),
    ("lhst", 37800, false),
    ("ligt", 36000, false),
    ("lint", 50400, false),
    ("lkt", 19800, false),
    ("magst", 39600, false),
    ("magt", 39600, false),
    ("mart", -34200, false),
    ("mawt", 18000, false),
    ("mdt", -21600, true),
    ("mest", 7200, true),
    ("mesz", 7200, true),
    ("met", 3600, false),
    ("metdst", 7200, true),
    ("mez", 3600, false),
    ("mht", 43200, false),
    ("mmt", 23400, false),
    ("mpt", 36000, false),
    ("msd", 14400, true),
    ("msk", 10800, false),
    ("mst", -25200, false),
    ("must", 18000, true),
    ("mut", 14400, false),
    ("mvt", 18000, false),
    ("myt", 28800, false),
    ("ndt", -9000, true),
    ("nft", -12600, false),
    ("novst", 25200, false),
    ("novt", 25200, false),
    ("npt", 20700, false),
    ("nst", -12600, false),
    ("nut", -39600, false),
    ("nzdt", 46800, true),
    ("nzst", 43200, false),
    ("nzt", 43200, false),
    ("omsst", 21600, false),
    ("omst", 21600, false),
    ("pdt", -25200, true),
    ("pet", -18000, false),
    ("petst", 43200, false),
    ("pett", 43200, false),
    ("pgt", 36000, false),
    ("pht", 28800, false),
    ("pkst", 21600, true),
    ("pkt", 18000, false),
    ("pmdt", -7200, true),
    ("pmst", -10800, false),
    ("pont", 39600, false),
    ("pst", -28800, false),
    ("pwt", 32400, false),
    ("pyst", -10800, true),
    ("pyt", -10800, false),
    ("ret", 14400, false),
    ("sadt", 37800, true),
    ("sast", 7200, false),
    ("sct", 14400, false),
    ("sgt", 28800, false),
    ("taht", -36000, false),
    ("tft", 18000, false),
    ("tjt", 18000, false),
    ("tkt", 46800, false),
    ("tmt", 18000, false),
    ("tot", 46800, false),
    ("trut", 36000, false),
    ("tvt", 43200, false),
    ("uct", 0, false),
    ("ulast", 32400, true),
    ("ulat", 28800, false),
    ("ut", 0, false),
    ("utc", 0, false),
    ("uyst", -7200, true),
    ("uyt", -10800, false),
    ("uzst", 21600, true),
    ("uzt", 18000, false),
    ("vet", -14400, false),
    ("vlast", 36000, false),
    ("vlat", 36000, false),
    ("volt", 10800, false),
    ("vut", 39600, false),
    ("wadt", 28800, true),
    ("wakt", 43200, false),
    ("wast", 25200, false),
    ("wat", 3600, false),
    ("wdt", 32400, true),
    ("wet", 0, false),
    ("wetdst", 3600, true),
    ("wft", 43200, false),
    ("wgst", -7200, true),
    ("wgt", -10800, false),
    ("xjt", 21600, false),
    ("yakst", 32400, false),
    ("yakt", 32400, false),
    ("yapt", 36000, false),
    ("yekst", 21600, true),
    ("yekt", 18000, false),
    ("z", 0, false),
    ("zulu", 0, false),
];

/// Looks up a time zone abbreviation: `(seconds east, is_dst)`.
pub(crate) fn lookup_tz_abbrev(token: &str) -> Option<(i32, bool)> {
    let t = truncate(token);
    TZ_ABBREVS.binary_search_by(|(a, _, _)| (*a).cmp(t)).ok().and_then(|i| TZ_ABBREVS.get(i)).map(|(_, off, dst)| (*off, *dst))
}

/// C `strtol`-like: optional sign and digits at the start of `s`. Returns the value and
/// bytes consumed (0 if there are no digits); `FieldOverflow` beyond the i32 range when
/// `int32`, else beyond i64.
pub(crate) fn strtoint(s: &str, int32: bool) -> Result<(i64, usize), DtErr> {
    let b = s.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    let mut overflow = false;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        match v.checked_mul(10).and_then(|v| v.checked_add(i64::from(c - b'0'))) {
            Some(n) => v = n,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return Ok((0, 0));
    }
    let v = if neg { -v } else { v };
    if overflow || (int32 && i32::try_from(v).is_err()) {
        return Err(DtErr::FieldOverflow);
    }
    Ok((v, i))
}

/// PostgreSQL's `ParseFractionalSecond`: `s` is `.digits` (the whole rest of a field);
/// returns microseconds rounded half-to-even like `rint(frac * 1e6)`.
pub(crate) fn parse_fractional_second(s: &str) -> Result<i64, DtErr> {
    let frac = parse_fraction(s)?;
    Ok((frac * 1_000_000.0).round_ties_even() as i64)
}

/// PostgreSQL's `ParseFraction`: `s` is `.digits` (a lone `.` means 0); returns the
/// fraction as f64.
pub(crate) fn parse_fraction(s: &str) -> Result<f64, DtErr> {
    let digits = s.strip_prefix('.').ok_or(DtErr::BadFormat)?;
    if digits.is_empty() {
        return Ok(0.0);
    }
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtErr::BadFormat);
    }
    s.parse::<f64>().map_err(|_| DtErr::BadFormat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<(Ft, String)> {
        let f = split_fields(s).expect("split");
        (0..f.len()).map(|i| (f.ft(i), f.text(i).to_string())).collect()
    }

    #[test]
    fn splits_like_postgres() {
        use Ft::*;
        assert_eq!(
            split("2024-01-05T10:00:00.5Z"),
            vec![(Date, "2024-01-05".into()), (String, "t".into()), (Time, "10:00:00.5".into()), (String, "z".into())]
        );
        assert_eq!(split("Jan-05-2024 America/New_York"), vec![(Date, "jan-05-2024".into()), (Date, "america/new_york".into())]);
        assert_eq!(split("10:00 -08"), vec![(Time, "10:00".into()), (Tz, "-08".into())]);
        assert_eq!(split("- 08"), vec![(Tz, "-08".into())]);
        assert_eq!(split("-infinity"), vec![(Special, "-infinity".into())]);
        assert_eq!(split("utc+3"), vec![(Date, "utc+3".into())]);
        assert_eq!(split("J2451187"), vec![(String, "j".into()), (Number, "2451187".into())]);
        assert_eq!(split("1999.008"), vec![(Number, "1999.008".into())]);
        assert_eq!(split("2024.01.05"), vec![(Date, "2024.01.05".into())]);
        assert_eq!(split("@ 1 day,"), vec![(Number, "1".into()), (String, "day".into())]);
        assert!(split_fields("+").is_err());
        assert!(split_fields("é").is_err());
        assert!(split_fields(&"1 ".repeat(26)).is_err());
        assert!(split_fields(&"1".repeat(200)).is_err());
    }

    #[test]
    fn tables_are_sorted_and_helpers() {
        assert!(TZ_ABBREVS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(lookup_tz_abbrev("est"), Some((-18000, false)));
        assert_eq!(lookup_tz_abbrev("zulu"), Some((0, false)));
        assert_eq!(lookup_keyword("septembers"), None);
        assert_eq!(lookup_keyword("sept"), Some(Keyword::Month(9)));
        assert_eq!(strtoint("12:30", true), Ok((12, 2)));
        assert_eq!(strtoint(":30", true), Ok((0, 0)));
        assert_eq!(strtoint("99999999999", true), Err(DtErr::FieldOverflow));
        assert_eq!(strtoint("-5", false), Ok((-5, 2)));
        assert_eq!(parse_fractional_second(".1234565"), Ok(123_456));
        assert_eq!(parse_fractional_second(".9999995"), Ok(1_000_000));
        assert_eq!(parse_fractional_second("."), Ok(0));
        assert!(parse_fractional_second(".5x").is_err());
    }
}
