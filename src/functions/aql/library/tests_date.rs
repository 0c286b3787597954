//! Date functions, with the examples of ArangoDB's documentation.

use super::tests::{check, check_invalid, run};
use crate::functions::jsonvalue::JsonValue;

const ISO: &str = r#""2014-05-07T14:19:09.522Z""#;

#[test]
fn conversions() {
    for input in [
        r#""2014-05-07T14:19:09.522""#,
        r#""2014-05-07T14:19:09.522Z""#,
        r#""2014-05-07 14:19:09.522""#,
        r#""2014-05-07 14:19:09.522Z""#,
        r#"" 2014-05-07T14:19:09.522Z ""#,
        r#""+2014-05-07T14:19:09.522Z""#,
        r#""2014-05-07T15:19:09.522+01:00""#,
        r#""2014-05-07T06:49:09.522-07:30""#,
        "1399472349522",
    ] {
        check("DATE_TIMESTAMP", &format!("[{input}]"), "1399472349522");
        check("DATE_ISO8601", &format!("[{input}]"), ISO);
    }
    check("DATE_TIMESTAMP", "[2014, 5, 7, 14, 19, 9, 522]", "1399472349522");
    check("DATE_ISO8601", "[2014, 5, 7, 14, 19, 9, 522]", ISO);
    check("DATE_ISO8601", r#"["2014", "5", "7"]"#, r#""2014-05-07T00:00:00.000Z""#);
    check("DATE_TIMESTAMP", "[2016, 12, -1]", "null");
    check("DATE_TIMESTAMP", "[2016, 2, 32]", "1456963200000");
    check("DATE_TIMESTAMP", "[1970, 1, 1, 26]", "93600000");
    check("DATE_TIMESTAMP", "[1970, 1, 1, 0, 0, 0, 5000]", "999");
    check("DATE_TIMESTAMP", "[1970, 1]", "null");
    check("DATE_TIMESTAMP", "[10000, 1, 1]", "null");
    check("DATE_ISO8601", "[2015, 0, 1]", r#""2014-12-01T00:00:00.000Z""#);
    check("DATE_ISO8601", "[2015, 14, 1]", r#""2016-02-01T00:00:00.000Z""#);
    check("DATE_ISO8601", r#"["2015-02-31"]"#, r#""2015-03-03T00:00:00.000Z""#);
    check("DATE_ISO8601", r#"["2015"]"#, r#""2015-01-01T00:00:00.000Z""#);
    check("DATE_ISO8601", r#"["2015-10"]"#, r#""2015-10-01T00:00:00.000Z""#);
    check("DATE_ISO8601", r#"["2014-05-07T14:19"]"#, r#""2014-05-07T14:19:00.000Z""#);
    check("DATE_ISO8601", r#"["2014-05-07T14:19:09.1"]"#, r#""2014-05-07T14:19:09.100Z""#);
    check("DATE_ISO8601", r#"["2014-05-07T14:19:09.12345"]"#, r#""2014-05-07T14:19:09.123Z""#);
    check("DATE_ISO8601", r#"["00002014-05-07"]"#, r#""2014-05-07T00:00:00.000Z""#);
    check("DATE_ISO8601", r#"["2014-05-07Z"]"#, r#""2014-05-07T00:00:00.000Z""#);
    check("DATE_ISO8601", "[-62167219200000]", r#""0000-01-01T00:00:00.000Z""#);
    check("DATE_ISO8601", "[253402300799999]", r#""9999-12-31T23:59:59.999Z""#);
    check("DATE_ISO8601", "[253402300800000]", "null");
    check("DATE_ISO8601", r#"["0000-01-01T00:00:00+01:00"]"#, "null");
    for bad in [r#""-2014""#, r#""2014-13-01""#, r#""2014-05-07T14""#, r#""2014-05-07T24:00""#, r#""foo""#, r#""""#, "null", "[]"] {
        check("DATE_ISO8601", &format!("[{bad}]"), "null");
    }
    check("IS_DATESTRING", r#"["2015"]"#, "true");
    check("IS_DATESTRING", r#"["2015-10"]"#, "true");
    check("IS_DATESTRING", r#"["2015-02-31"]"#, "true");
    check("IS_DATESTRING", r#"["2015-02-31T"]"#, "false");
    check("IS_DATESTRING", r#"["2015-05-07T14:19:09+0100"]"#, "false");
    check("IS_DATESTRING", "[1399472349522]", "false");
    let Ok(JsonValue::Number(now)) = run("DATE_NOW", "[]") else { panic!() };
    assert!(now.parse::<f64>().unwrap() > 1.6e12);
}

#[test]
fn components() {
    check("DATE_HOUR", "[7200000]", "2");
    check("DATE_HOUR", r#"["1970-01-01T02:00:00"]"#, "2");
    check("DATE_DAYOFWEEK", r#"["2020-08-29"]"#, "6");
    check("DATE_DAYOFWEEK", "[0]", "4");
    check("DATE_YEAR", r#"["2020-08-29"]"#, "2020");
    check("DATE_YEAR", "[0]", "1970");
    check("DATE_MONTH", r#"["2020-08-29"]"#, "8");
    check("DATE_MONTH", "[0]", "1");
    check("DATE_DAY", r#"["2020-08-29"]"#, "29");
    check("DATE_DAY", "[0]", "1");
    check("DATE_HOUR", r#"["2020-08-29T16:30:05.123"]"#, "16");
    check("DATE_HOUR", "[14400000]", "4");
    check("DATE_MINUTE", r#"["2020-08-29T16:30:05.123"]"#, "30");
    check("DATE_MINUTE", "[2520000]", "42");
    check("DATE_SECOND", r#"["2020-08-29T16:30:05.123"]"#, "5");
    check("DATE_SECOND", "[1234567890]", "7");
    check("DATE_MILLISECOND", r#"["2020-08-29T16:30:05.123"]"#, "123");
    check("DATE_MILLISECOND", "[1234567890]", "890");
    check("DATE_DAYOFYEAR", r#"["2020-08-29"]"#, "242");
    check("DATE_DAYOFYEAR", "[86400000]", "2");
    check("DATE_ISOWEEK", r#"["2020-08-29"]"#, "35");
    check("DATE_ISOWEEK", "[1234567890]", "3");
    check("DATE_ISOWEEKYEAR", r#"["2023-01-01"]"#, r#"{"week": 52, "year": 2022}"#);
    check("DATE_ISOWEEKYEAR", r#"["2019-12-30"]"#, r#"{"week": 1, "year": 2020}"#);
    check("DATE_ISOWEEK", r#"["2021-01-03"]"#, "53");
    check("DATE_LEAPYEAR", r#"["2020-01-01"]"#, "true");
    check("DATE_LEAPYEAR", r#"["2021-01-01"]"#, "false");
    check("DATE_LEAPYEAR", r#"["1900-01-01"]"#, "false");
    check("DATE_LEAPYEAR", r#"["2000-01-01"]"#, "true");
    check("DATE_QUARTER", r#"["2020-08-29"]"#, "3");
    check("DATE_QUARTER", r#"["2023-12-31T23:00:00.000Z"]"#, "4");
    check("DATE_DAYS_IN_MONTH", r#"["2020-08-01"]"#, "31");
    check("DATE_DAYS_IN_MONTH", r#"["2020-09-01"]"#, "30");
    check("DATE_DAYS_IN_MONTH", r#"["2020-02-01"]"#, "29");
    check("DATE_DAYS_IN_MONTH", r#"["2021-02-01"]"#, "28");
    check("DATE_DAYS_IN_MONTH", "[3045600000]", "28");
    check("DATE_YEAR", r#"["2020-08-29", "UTC"]"#, "2020");
    check("DATE_YEAR", r#"["2020-08-29", "Etc/UTC"]"#, "2020");
    check_invalid("DATE_YEAR", r#"["2023-12-31T23:00:00.000Z", "Europe/Berlin"]"#, "Europe/Berlin");
    check("DATE_YEAR", r#"[true]"#, "null");
}

#[test]
fn truncate_round_format() {
    check("DATE_TRUNC", r#"["2017-02-03", "month"]"#, r#""2017-02-01T00:00:00.000Z""#);
    check("DATE_TRUNC", r#"["2017-02-03 04:05:06", "hours"]"#, r#""2017-02-03T04:00:00.000Z""#);
    check("DATE_TRUNC", r#"["2023-03-25 23:00:00", "day"]"#, r#""2023-03-25T00:00:00.000Z""#);
    check("DATE_TRUNC", r#"["2017-02-03 04:05:06.789", "Y"]"#, r#""2017-01-01T00:00:00.000Z""#);
    check("DATE_TRUNC", r#"["2017-02-03 04:05:06.789", "i"]"#, r#""2017-02-03T04:05:00.000Z""#);
    check("DATE_TRUNC", r#"["2017-02-03 04:05:06.789", "s"]"#, r#""2017-02-03T04:05:06.000Z""#);
    check("DATE_TRUNC", r#"["2017-02-03 04:05:06.789", "f"]"#, r#""2017-02-03T04:05:06.789Z""#);
    check("DATE_TRUNC", r#"["2017-02-03", "week"]"#, "null");
    check("DATE_ROUND", r#"["2000-04-28T11:11:11.111Z", 1, "day"]"#, r#""2000-04-28T00:00:00.000Z""#);
    check("DATE_ROUND", r#"["2000-04-10T11:39:29Z", 15, "minutes"]"#, r#""2000-04-10T11:30:00.000Z""#);
    check("DATE_ROUND", r#"["2023-03-25T23:55:55.555Z", 1, "day"]"#, r#""2023-03-25T00:00:00.000Z""#);
    check("DATE_ROUND", r#"["2019-12-04T21:17:52.583Z", 5, "minutes"]"#, r#""2019-12-04T21:15:00.000Z""#);
    check("DATE_ROUND", r#"["2019-12-04T21:17:52.583Z", 0, "minutes"]"#, "null");
    check("DATE_ROUND", r#"["2019-12-04T21:17:52.583Z", 1, "months"]"#, "null");
    check("DATE_FORMAT", r#"["1969", "Summer of '%yy"]"#, r#""Summer of '69""#);
    check("DATE_FORMAT", r#"["2016", "%%l = %l"]"#, r#""%l = 1""#);
    // The documentation's comment says "063"; March 1st of a leap year is day 61.
    check("DATE_FORMAT", r#"["2016-03-01", "%xxx%"]"#, r#""061""#);
    check("DATE_FORMAT", r#"["2015-09-18T15:30:49.374Z", "%dd.%mm.%yyyy %hh:%ii:%ss,%fff"]"#, r#""18.09.2015 15:30:49,374""#);
    check("DATE_FORMAT", r#"["2015-09-18T15:30:49.374Z", "%q/%yyyy"]"#, r#""3/2015""#);
    check("DATE_FORMAT", r#"["2023-03-25", "%www %wwww %mmm %mmmm %w"]"#, r#""Sat Saturday Mar March 6""#);
    check("DATE_FORMAT", r#"["2023-03-05T04:03:02.001Z", "%y %m %d %h %i %s %f %x %k %a"]"#, r#""2023 3 5 4 3 2 1 64 9 31""#);
    check("DATE_FORMAT", r#"["2023-03-05", "%yyyyyy %kk %t"]"#, r#""+002023 09 1677974400000""#);
    check("DATE_FORMAT", r#"["2023-03-05", "%z"]"#, r#""2023-03-05T00:00:00.000Z""#);
    check("DATE_FORMAT", r#"["2023-03-05", "%m%&month %MM %YYYY"]"#, r#""3month 03 2023""#);
    check("DATE_FORMAT", r#"["2023-03-05", "ü%ü"]"#, r#""üü""#);
    check("DATE_FORMAT", r#"["2023-03-05", 1]"#, "null");
}

#[test]
fn arithmetic() {
    check("DATE_ADD", r#"["2015-04-01", 5, "years"]"#, r#""2020-04-01T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2020-04-01T00:00:00.000Z", 1, "month"]"#, r#""2020-05-01T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2015-04-01", 61, "months"]"#, r#""2020-05-01T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2020-01-31", 1, "month"]"#, r#""2020-03-02T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2016-02", 1, "month"]"#, r#""2016-03-01T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2016-03-01", -1, "day"]"#, r#""2016-02-29T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2023-03-25T23:00:00.000Z", 1, "day"]"#, r#""2023-03-26T23:00:00.000Z""#);
    check("DATE_ADD", r#"["2023-03-25T23:00:00.000Z", 1, "day", "UTC"]"#, r#""2023-03-26T23:00:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", 1.5, "days"]"#, r#""2000-01-02T12:00:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", 1.5, "years"]"#, r#""2001-07-01T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", 2, "w"]"#, r#""2000-01-15T00:00:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", 90, "i"]"#, r#""2000-01-01T01:30:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", 1, "f"]"#, r#""2000-01-01T00:00:00.001Z""#);
    check("DATE_ADD", r#"["2000-01-01", 1, "fortnight"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", "1", "day"]"#, "null");
    check("DATE_ADD", r#"["9999-12-31", 1, "day"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", 1e300, "years"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", "PT4H"]"#, r#""2000-01-01T04:00:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", "PT30M44.4S"]"#, r#""2000-01-01T00:30:44.400Z""#);
    check("DATE_ADD", r#"["2000-01-01", "P1Y2M3W4DT5H6M7.89S"]"#, r#""2001-03-26T05:06:07.890Z""#);
    check("DATE_ADD", r#"["2000-01-01", "P5DT26H", "UTC"]"#, r#""2000-01-07T02:00:00.000Z""#);
    check("DATE_ADD", r#"["2000-01-01", "P"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", "P1H"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", "P1D2Y"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", "1Y"]"#, "null");
    check("DATE_ADD", r#"["2000-01-01", "P99999999999999999999Y"]"#, "null");
    check_invalid("DATE_ADD", r#"["2023-03-25T23:00:00.000Z", 1, "day", "Europe/Berlin"]"#, "Europe/Berlin");
    check("DATE_SUBTRACT", r#"["2016-03-01", 1, "day"]"#, r#""2016-02-29T00:00:00.000Z""#);
    check("DATE_SUBTRACT", r#"["2000-01-01", "P1D"]"#, r#""1999-12-31T00:00:00.000Z""#);
    check("DATE_SUBTRACT", r#"["2000-03-31", "P1M"]"#, r#""2000-03-02T00:00:00.000Z""#);
    check("DATE_SUBTRACT", r#"["2000-01-01T02:00:00Z", "PT1H3M"]"#, r#""2000-01-01T00:57:00.000Z""#);
    check("DATE_SUBTRACT", r#"["2000-01-01", -1, "years"]"#, r#""2001-01-01T00:00:00.000Z""#);
    check("DATE_SUBTRACT", r#"["0000-01-01", 1, "f"]"#, "null");
}

#[test]
fn differences_and_comparisons() {
    check("DATE_DIFF", r#"["2023-12-01", "2024-04-01", "days"]"#, "122");
    check("DATE_DIFF", r#"["2023-03-25T23:00:00.000Z", "2023-03-26T23:00:00.000Z", "hours"]"#, "24");
    check("DATE_DIFF", r#"["2024-04-01", "2023-12-01", "d"]"#, "-122");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-01T12:00:00", "days", true]"#, "0.5");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-01T12:00:00", "days"]"#, "1");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-01T11:00:00", "days", false]"#, "0");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-02", "h", true, "UTC", "UTC"]"#, "24");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-02", "hours", "UTC"]"#, "24");
    check("DATE_DIFF", r#"["2000-01-01", "2001-01-01", "years", true]"#, "1.0020739645577939");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-02", "weeks", true]"#, "0.14285714285714285");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-01T00:00:01", "f"]"#, "1000");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-02", "centuries"]"#, "null");
    check("DATE_DIFF", r#"["2000-01-01", "2000-01-02", "d", 1]"#, "null");
    check_invalid("DATE_DIFF", r#"["2000-01-01", "2000-01-02", "d", true, "Asia/Kathmandu"]"#, "Asia/Kathmandu");
    check("DATE_COMPARE", r#"["2001-01-01T15:30:45.678Z", "2001-01-01T08:08:08.008Z", "years", "days"]"#, "true");
    check("DATE_COMPARE", r#"["2001-01-01T15:30:45.678Z", "2001-01-01T08:08:08.008Z", "years", "hours"]"#, "false");
    check("DATE_COMPARE", r#"["1985-04-04", "2023-04-04", "months", "days"]"#, "true");
    check("DATE_COMPARE", r#"["1985-04-04", "2023-04-05", "months", "days"]"#, "false");
    check("DATE_COMPARE", r#"["2023-04-01T09:00:00.000Z", "2024-04-01T18:00:00.000Z", "hour", "minute"]"#, "false");
    check("DATE_COMPARE", r#"["2023-04-01T09:15:00.000Z", "2024-05-02T09:15:59.000Z", "hour", "minute"]"#, "true");
    check("DATE_COMPARE", r#"["2023-04-01", "2023-05-01", "years"]"#, "true");
    check("DATE_COMPARE", r#"["2023-04-01", "2023-05-01", "days"]"#, "true");
    check("DATE_COMPARE", r#"["2023-04-01", "2023-04-01", "days", "years"]"#, "null");
    check("DATE_COMPARE", r#"["2023-04-01", "2023-04-01", "weeks"]"#, "null");
    check("DATE_COMPARE", r#"["2023-04-01", "x", "days"]"#, "null");
}
