//! Every exposed type round-trips through the extended protocol in binary (parameters and
//! results) and prints PostgreSQL's text form through the simple protocol.
//!
//! tokio-postgres has no numeric or interval types, so this file carries small codecs of
//! their binary wire formats (which also checks ours byte for byte).

use crate::{block_on, fresh_db};
use bytes::{BufMut, BytesMut};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use std::error::Error;
use tokio_postgres::SimpleQueryMessage;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

/// A numeric value as its decimal text (`-12.500`); binary format per PostgreSQL's
/// numeric_send: ndigits, weight, sign, dscale, then base-10000 digits.
#[derive(Debug, Clone, PartialEq)]
struct Numeric(String);

impl ToSql for Numeric {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        let (neg, body) = match self.0.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let int = int.trim_start_matches('0');
        let pad_left = (4 - int.len() % 4) % 4;
        let int_digits = format!("{}{int}", "0".repeat(pad_left));
        let pad_right = (4 - frac.len() % 4) % 4;
        let frac_digits = format!("{frac}{}", "0".repeat(pad_right));
        let groups = |s: &str| -> Vec<i16> { s.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap().parse().unwrap()).collect() };
        let mut digits = groups(&int_digits);
        let mut weight = digits.len() as i16 - 1;
        digits.extend(groups(&frac_digits));
        while digits.first() == Some(&0) {
            digits.remove(0);
            weight -= 1;
        }
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            weight = 0;
        }
        out.put_i16(digits.len() as i16);
        out.put_i16(weight);
        out.put_u16(if neg && !digits.is_empty() { 0x4000 } else { 0 });
        out.put_u16(frac.len() as u16);
        for d in digits {
            out.put_i16(d);
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let rd = |i: usize| i16::from_be_bytes([raw[i], raw[i + 1]]);
        let ndigits = rd(0) as usize;
        let weight = rd(2) as i32;
        let sign = u16::from_be_bytes([raw[4], raw[5]]);
        let dscale = u16::from_be_bytes([raw[6], raw[7]]) as usize;
        if sign == 0xC000 {
            return Ok(Numeric("NaN".into()));
        }
        let digits: Vec<i16> = (0..ndigits).map(|i| rd(8 + 2 * i)).collect();
        let mut int = String::new();
        for w in 0..=weight.max(-1) {
            let d = digits.get(w as usize).copied().unwrap_or(0);
            if int.is_empty() {
                int = d.to_string();
            } else {
                int.push_str(&format!("{d:04}"));
            }
        }
        if int.is_empty() {
            int = "0".into();
        }
        let mut frac = String::new();
        let mut idx = weight + 1;
        while frac.len() < dscale {
            let d = if idx < 0 { 0 } else { digits.get(idx as usize).copied().unwrap_or(0) };
            frac.push_str(&format!("{d:04}"));
            idx += 1;
        }
        frac.truncate(dscale);
        let mut s = if sign == 0x4000 { format!("-{int}") } else { int };
        if dscale > 0 {
            s.push('.');
            s.push_str(&frac);
        }
        Ok(Numeric(s))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

/// An interval in PostgreSQL's binary layout: microseconds, days, months.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    micros: i64,
    days: i32,
    months: i32,
}

impl ToSql for Interval {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.put_i64(self.micros);
        out.put_i32(self.days);
        out.put_i32(self.months);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Interval {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Interval {
            micros: i64::from_be_bytes(raw[0..8].try_into()?),
            days: i32::from_be_bytes(raw[8..12].try_into()?),
            months: i32::from_be_bytes(raw[12..16].try_into()?),
        })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

const TABLE: &str = "CREATE TABLE every (
    id int PRIMARY KEY,
    b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(12,3), nu numeric,
    t text, vc varchar(10), c char(4), by bytea,
    d date, tm time, ts timestamp, tz timestamptz, iv interval,
    u uuid, j json, jb jsonb, ai int4[], at text[]
)";

const COLUMNS: &str = "b, i2, i4, i8, f4, f8, n, nu, t, vc, c, by, d, tm, ts, tz, iv, u, j, jb, ai, at";

/// One row of values for every column.
struct Row {
    b: bool,
    i2: i16,
    i4: i32,
    i8: i64,
    f4: f32,
    f8: f64,
    n: Numeric,
    nu: Numeric,
    t: String,
    vc: String,
    c: String,
    by: Vec<u8>,
    d: NaiveDate,
    tm: NaiveTime,
    ts: NaiveDateTime,
    tz: DateTime<Utc>,
    iv: Interval,
    u: uuid::Uuid,
    j: serde_json::Value,
    jb: serde_json::Value,
    ai: Vec<Option<i32>>,
    at: Vec<Option<String>>,
}

fn rows() -> Vec<Row> {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    vec![
        Row {
            b: true,
            i2: i16::MIN,
            i4: i32::MAX,
            i8: i64::MIN,
            f4: 1.5,
            f8: -0.1,
            n: Numeric("-12345.678".into()),
            nu: Numeric("0.000001".into()),
            t: "héllo, wörld ✓".into(),
            vc: "short".into(),
            c: "ab  ".into(),
            by: vec![0, 1, 2, 255, b'\\'],
            d: d(1999, 12, 31),
            tm: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
            ts: d(2024, 2, 29).and_hms_micro_opt(12, 30, 45, 123_456).unwrap(),
            tz: d(1970, 1, 1).and_hms_opt(0, 0, 1).unwrap().and_utc(),
            iv: Interval { micros: 3_723_000_004, days: -2, months: 14 },
            u: uuid::Uuid::parse_str("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").unwrap(),
            j: serde_json::json!({"k": [1, 2.5, null, "s"], "z": true}),
            jb: serde_json::json!({"a": {"b": 1}}),
            ai: vec![Some(1), None, Some(-3)],
            at: vec![Some("x y".into()), None, Some("".into())],
        },
        Row {
            b: false,
            i2: 0,
            i4: -1,
            i8: i64::MAX,
            f4: f32::INFINITY,
            f8: 1e300,
            n: Numeric("0.000".into()),
            nu: Numeric("123456789012345678.5".into()),
            t: String::new(),
            vc: "tenletters".into(),
            c: "abcd".into(),
            by: vec![],
            d: d(1, 1, 1),
            tm: NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
            ts: d(1900, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
            tz: d(2038, 1, 19).and_hms_opt(3, 14, 8).unwrap().and_utc(),
            iv: Interval { micros: 0, days: 0, months: 0 },
            u: uuid::Uuid::nil(),
            j: serde_json::json!([]),
            jb: serde_json::json!("text"),
            ai: vec![],
            at: vec![Some("NULL".into())],
        },
    ]
}

#[test]
fn binary_round_trip_of_every_type() {
    block_on(async {
        let client = fresh_db("types_binary").await;
        client.batch_execute(TABLE).await.unwrap();
        let placeholders: Vec<String> = (1..=23).map(|i| format!("${i}")).collect();
        let insert = client.prepare(&format!("INSERT INTO every (id, {COLUMNS}) VALUES ({})", placeholders.join(", "))).await.unwrap();
        for (id, r) in rows().iter().enumerate() {
            let id = id as i32;
            let params: [&(dyn ToSql + Sync); 23] = [
                &id, &r.b, &r.i2, &r.i4, &r.i8, &r.f4, &r.f8, &r.n, &r.nu, &r.t, &r.vc, &r.c, &r.by, &r.d, &r.tm, &r.ts, &r.tz, &r.iv,
                &r.u, &r.j, &r.jb, &r.ai, &r.at,
            ];
            client.execute(&insert, &params).await.unwrap();
        }
        let select = client.prepare(&format!("SELECT {COLUMNS} FROM every ORDER BY id")).await.unwrap();
        let got = client.query(&select, &[]).await.unwrap();
        assert_eq!(got.len(), 2);
        for (g, r) in got.iter().zip(rows()) {
            assert_eq!(g.get::<_, bool>("b"), r.b);
            assert_eq!(g.get::<_, i16>("i2"), r.i2);
            assert_eq!(g.get::<_, i32>("i4"), r.i4);
            assert_eq!(g.get::<_, i64>("i8"), r.i8);
            assert_eq!(g.get::<_, f32>("f4"), r.f4);
            assert_eq!(g.get::<_, f64>("f8"), r.f8);
            assert_eq!(g.get::<_, Numeric>("n"), r.n);
            assert_eq!(g.get::<_, Numeric>("nu"), r.nu);
            assert_eq!(g.get::<_, String>("t"), r.t);
            assert_eq!(g.get::<_, String>("vc"), r.vc);
            assert_eq!(g.get::<_, String>("c"), r.c);
            assert_eq!(g.get::<_, Vec<u8>>("by"), r.by);
            assert_eq!(g.get::<_, NaiveDate>("d"), r.d);
            assert_eq!(g.get::<_, NaiveTime>("tm"), r.tm);
            assert_eq!(g.get::<_, NaiveDateTime>("ts"), r.ts);
            assert_eq!(g.get::<_, DateTime<Utc>>("tz"), r.tz);
            assert_eq!(g.get::<_, Interval>("iv"), r.iv);
            assert_eq!(g.get::<_, uuid::Uuid>("u"), r.u);
            assert_eq!(g.get::<_, serde_json::Value>("j"), r.j);
            assert_eq!(g.get::<_, serde_json::Value>("jb"), r.jb);
            assert_eq!(g.get::<_, Vec<Option<i32>>>("ai"), r.ai);
            assert_eq!(g.get::<_, Vec<Option<String>>>("at"), r.at);
        }
        // Column types as the driver sees them.
        let types: Vec<Type> = select.columns().iter().map(|c| c.type_().clone()).collect();
        assert_eq!(
            types,
            [
                Type::BOOL,
                Type::INT2,
                Type::INT4,
                Type::INT8,
                Type::FLOAT4,
                Type::FLOAT8,
                Type::NUMERIC,
                Type::NUMERIC,
                Type::TEXT,
                Type::VARCHAR,
                Type::BPCHAR,
                Type::BYTEA,
                Type::DATE,
                Type::TIME,
                Type::TIMESTAMP,
                Type::TIMESTAMPTZ,
                Type::INTERVAL,
                Type::UUID,
                Type::JSON,
                Type::JSONB,
                Type::INT4_ARRAY,
                Type::TEXT_ARRAY,
            ]
        );
    });
}

#[test]
fn nulls_round_trip_in_every_column() {
    block_on(async {
        let client = fresh_db("types_nulls").await;
        client.batch_execute(TABLE).await.unwrap();
        client.execute("INSERT INTO every (id) VALUES ($1)", &[&1i32]).await.unwrap();
        let row = client.query_one(&format!("SELECT {COLUMNS} FROM every"), &[]).await.unwrap();
        for i in 0..row.len() {
            let raw: Option<RawValue> = row.get(i);
            assert!(raw.is_none(), "column {} is not NULL", row.columns()[i].name());
        }
    });
}

/// Any value's raw bytes (to check NULL-ness of every type alike).
struct RawValue;

impl<'a> FromSql<'a> for RawValue {
    fn from_sql(_ty: &Type, _raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(RawValue)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

#[test]
fn text_output_matches_postgres() {
    block_on(async {
        let client = fresh_db("types_text").await;
        client.batch_execute(TABLE).await.unwrap();
        client
            .batch_execute(
                "INSERT INTO every VALUES (1, true, -32768, 2147483647, -9223372036854775808, 1.5, -0.1, \
                 -12345.678, 0.000001, 'héllo', 'short', 'ab', '\\x0001ff', '1999-12-31', '23:59:59.999999', \
                 '2024-02-29 12:30:45.123456', '1970-01-01 00:00:01+00', '1 year 2 mons -2 days 01:02:03.000004', \
                 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{\"k\": [1, 2.5]}', '{\"b\": 1, \"a\": [true]}', \
                 '{1,NULL,-3}', '{\"x y\",NULL,\"\"}')",
            )
            .await
            .unwrap();
        let msgs = client.simple_query(&format!("SELECT {COLUMNS} FROM every")).await.unwrap();
        let row = msgs
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect::<Vec<_>>()),
                _ => None,
            })
            .expect("one row");
        let expected = [
            "t",
            "-32768",
            "2147483647",
            "-9223372036854775808",
            "1.5",
            "-0.1",
            "-12345.678",
            "0.000001",
            "héllo",
            "short",
            "ab  ",
            "\\x0001ff",
            "1999-12-31",
            "23:59:59.999999",
            "2024-02-29 12:30:45.123456",
            "1970-01-01 00:00:01+00",
            "1 year 2 mons -2 days +01:02:03.000004",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "{\"k\": [1, 2.5]}",
            "{\"a\": [true], \"b\": 1}",
            "{1,NULL,-3}",
            "{\"x y\",NULL,\"\"}",
        ];
        let got: Vec<&str> = row.iter().map(|v| v.as_deref().unwrap_or("NULL")).collect();
        assert_eq!(got, expected);
    });
}

#[test]
fn float_text_follows_extra_float_digits() {
    block_on(async {
        let client = fresh_db("types_float_text").await;
        let text = |msgs: Vec<SimpleQueryMessage>| -> Vec<String> {
            msgs.iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap().to_string()),
                    _ => None,
                })
                .collect()
        };
        let q = "SELECT 0.1::float8 + 0.2::float8 UNION ALL SELECT 1e20::float8 UNION ALL SELECT 'inf'::float8";
        assert_eq!(text(client.simple_query(q).await.unwrap()), ["0.30000000000000004", "1e+20", "Infinity"]);
        client.batch_execute("SET extra_float_digits = 0").await.unwrap();
        assert_eq!(text(client.simple_query(q).await.unwrap()), ["0.3", "1e+20", "Infinity"]);
    });
}
