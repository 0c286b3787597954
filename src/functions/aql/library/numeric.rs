//! Numeric functions: arithmetic, trigonometry, statistics over arrays, bit operations,
//! vector distances, decay functions, `RAND()` and `RANGE()`.

use super::{Args, CallError, MAX_ELEMENTS, arg, as_number, hash, int, number, string};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;
use std::cmp::Ordering;

type R = Result<JsonValue, CallError>;

/// `f(TO_NUMBER(x))`, `null` when the result is not finite.
fn unary(a: &[JsonValue], f: impl Fn(f64) -> f64) -> R {
    Ok(number(f(value::to_number(&a[0]))))
}

pub(super) fn abs(a: Args) -> R {
    unary(&a, f64::abs)
}
pub(super) fn acos(a: Args) -> R {
    unary(&a, f64::acos)
}
pub(super) fn asin(a: Args) -> R {
    unary(&a, f64::asin)
}
pub(super) fn atan(a: Args) -> R {
    unary(&a, f64::atan)
}
pub(super) fn ceil(a: Args) -> R {
    unary(&a, f64::ceil)
}
pub(super) fn cos(a: Args) -> R {
    unary(&a, f64::cos)
}
pub(super) fn degrees(a: Args) -> R {
    unary(&a, |x| x * (180.0 / std::f64::consts::PI))
}
pub(super) fn exp(a: Args) -> R {
    unary(&a, f64::exp)
}
pub(super) fn exp2(a: Args) -> R {
    unary(&a, f64::exp2)
}
pub(super) fn floor(a: Args) -> R {
    unary(&a, f64::floor)
}
pub(super) fn log(a: Args) -> R {
    unary(&a, f64::ln)
}
pub(super) fn log2(a: Args) -> R {
    unary(&a, f64::log2)
}
pub(super) fn log10(a: Args) -> R {
    unary(&a, f64::log10)
}
pub(super) fn radians(a: Args) -> R {
    unary(&a, |x| x * (std::f64::consts::PI / 180.0))
}
/// `ROUND()`: halves round up (`ROUND(-2.5)` is -2), as `floor(x + 0.5)`.
pub(super) fn round(a: Args) -> R {
    unary(&a, |x| (x + 0.5).floor())
}
pub(super) fn sin(a: Args) -> R {
    unary(&a, f64::sin)
}
pub(super) fn sqrt(a: Args) -> R {
    unary(&a, f64::sqrt)
}
pub(super) fn tan(a: Args) -> R {
    unary(&a, f64::tan)
}

pub(super) fn atan2(a: Args) -> R {
    Ok(number(value::to_number(&a[0]).atan2(value::to_number(&a[1]))))
}

pub(super) fn pow(a: Args) -> R {
    Ok(number(value::to_number(&a[0]).powf(value::to_number(&a[1]))))
}

pub(super) fn pi(_: Args) -> R {
    Ok(number(std::f64::consts::PI))
}

/// `RAND()`: a number in [0, 1).
pub(super) fn rand(_: Args) -> R {
    Ok(number((hash::random_u64() >> 11) as f64 / (1u64 << 53) as f64))
}

/// The non-null numbers of an array argument; `Err(())` when it is not an array or holds
/// another type.
fn numbers(v: &JsonValue) -> Result<Vec<f64>, ()> {
    let JsonValue::Array(items) = v else { return Err(()) };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            JsonValue::Null => {}
            JsonValue::Number(n) => out.push(value::number_value(n)),
            _ => return Err(()),
        }
    }
    Ok(out)
}

/// A finite result, or 0 (`SUM`, `PRODUCT`).
fn finite_or_zero(f: f64) -> JsonValue {
    number(if f.is_finite() { f } else { 0.0 })
}

pub(super) fn sum(a: Args) -> R {
    Ok(numbers(&a[0]).map_or(JsonValue::Null, |v| finite_or_zero(v.iter().filter(|x| x.is_finite()).sum())))
}

pub(super) fn product(a: Args) -> R {
    Ok(numbers(&a[0]).map_or(JsonValue::Null, |v| finite_or_zero(v.iter().filter(|x| x.is_finite()).product())))
}

pub(super) fn average(a: Args) -> R {
    let Ok(v) = numbers(&a[0]) else { return Ok(JsonValue::Null) };
    let v: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Ok(JsonValue::Null);
    }
    Ok(finite_or_zero(v.iter().sum::<f64>() / v.len() as f64))
}

fn extreme(a: &[JsonValue], want: Ordering) -> R {
    let JsonValue::Array(items) = &a[0] else { return Ok(JsonValue::Null) };
    let mut best: Option<&JsonValue> = None;
    for item in items.iter().filter(|v| !matches!(v, JsonValue::Null)) {
        if best.is_none_or(|b| value::compare(item, b) == want) {
            best = Some(item);
        }
    }
    Ok(best.cloned().unwrap_or(JsonValue::Null))
}

/// `MIN(array)` in AQL's order, `null` values ignored.
pub(super) fn min(a: Args) -> R {
    extreme(&a, Ordering::Less)
}

pub(super) fn max(a: Args) -> R {
    extreme(&a, Ordering::Greater)
}

/// Sum of squared deviations and count (Welford), `None` for a bad argument.
fn variance(v: &JsonValue) -> Option<(f64, usize)> {
    let v = numbers(v).ok()?;
    let (mut mean, mut m2) = (0.0, 0.0);
    for (i, x) in v.iter().enumerate() {
        let delta = x - mean;
        mean += delta / (i + 1) as f64;
        m2 += delta * (x - mean);
    }
    Some((m2, v.len()))
}

fn variance_fn(a: &[JsonValue], sample: bool, root: bool) -> R {
    let Some((m2, n)) = variance(&a[0]) else { return Ok(JsonValue::Null) };
    let d = if sample { n.saturating_sub(1) } else { n };
    if d == 0 {
        return Ok(JsonValue::Null);
    }
    let v = m2 / d as f64;
    Ok(number(if root { v.sqrt() } else { v }))
}

pub(super) fn variance_population(a: Args) -> R {
    variance_fn(&a, false, false)
}
pub(super) fn variance_sample(a: Args) -> R {
    variance_fn(&a, true, false)
}
pub(super) fn stddev_population(a: Args) -> R {
    variance_fn(&a, false, true)
}
pub(super) fn stddev_sample(a: Args) -> R {
    variance_fn(&a, true, true)
}

fn sorted_numbers(v: &JsonValue) -> Option<Vec<f64>> {
    let mut v = numbers(v).ok()?;
    v.sort_by(f64::total_cmp);
    Some(v)
}

pub(super) fn median(a: Args) -> R {
    let Some(v) = sorted_numbers(&a[0]) else { return Ok(JsonValue::Null) };
    let l = v.len();
    Ok(match l {
        0 => JsonValue::Null,
        _ if l % 2 == 0 => number((v[l / 2 - 1] + v[l / 2]) / 2.0),
        _ => number(v[l / 2]),
    })
}

/// `PERCENTILE(array, n, method)` with method `"rank"` (default) or `"interpolation"`.
pub(super) fn percentile(a: Args) -> R {
    let Some(p) = as_number(&a[1]) else { return Ok(JsonValue::Null) };
    if p <= 0.0 || p > 100.0 {
        return Ok(JsonValue::Null);
    }
    let interpolate = match a.get(2) {
        None => false,
        Some(JsonValue::String(m)) if m == "interpolation" => true,
        Some(JsonValue::String(m)) if m == "rank" => false,
        Some(_) => return Ok(JsonValue::Null),
    };
    let Some(v) = sorted_numbers(&a[0]) else { return Ok(JsonValue::Null) };
    let l = v.len();
    match l {
        0 => return Ok(JsonValue::Null),
        1 => return Ok(number(v[0])),
        _ => {}
    }
    let lf = l as f64;
    if interpolate {
        let idx = p * (lf + 1.0) / 100.0;
        let pos = idx.floor();
        if pos >= lf {
            return Ok(number(v[l - 1]));
        }
        if pos <= 0.0 {
            return Ok(JsonValue::Null);
        }
        let p = pos as usize;
        return Ok(number((idx - pos) * (v[p] - v[p - 1]) + v[p - 1]));
    }
    let pos = (p * lf / 100.0).ceil();
    if pos >= lf {
        return Ok(number(v[l - 1]));
    }
    if pos <= 0.0 {
        return Ok(JsonValue::Null);
    }
    Ok(number(v[pos as usize - 1]))
}

/// `RANGE(start, stop, step)`: integers (bounds truncated) without a step, else numbers from
/// `start` by `step` while not past `stop`.
pub(super) fn range(a: Args) -> R {
    let too_big = || CallError::Invalid("the range is too big to be materialized".to_string());
    if matches!(arg(&a, 2), JsonValue::Null) {
        return value::range(&a[0], &a[1], MAX_ELEMENTS).ok_or_else(too_big);
    }
    let (mut from, to, step) = (value::to_number(&a[0]), value::to_number(&a[1]), value::to_number(&a[2]));
    if step == 0.0 || (from < to && step < 0.0) || (from > to && step > 0.0) {
        return Ok(JsonValue::Null);
    }
    let count = ((to - from) / step).abs();
    if count.is_nan() || count >= MAX_ELEMENTS as f64 {
        return Err(too_big());
    }
    // Bounded by the count too: a step below the precision of `from` would not advance it.
    let most = count as usize + 2;
    let mut out = Vec::with_capacity(most);
    while out.len() < most && if step < 0.0 { from >= to } else { from <= to } {
        out.push(number(from));
        from += step;
    }
    Ok(JsonValue::Array(out))
}

// ---- bit functions: unsigned 32-bit values ----

/// A number from 0 to 2^32 - 1 (fractions truncated).
fn bits(v: &JsonValue) -> Option<u64> {
    let n = as_number(v)?;
    (n >= 0.0 && n.trunc() <= u32::MAX as f64).then(|| n.trunc() as u64)
}

/// A number from 0 to `max`.
fn small(v: &JsonValue, max: u64) -> Option<u64> {
    bits(v).filter(|&n| n <= max)
}

fn bit_combine(a: &[JsonValue], f: fn(u64, u64) -> u64) -> R {
    if a.len() == 2 {
        return Ok(match (bits(&a[0]), bits(&a[1])) {
            (Some(x), Some(y)) => int(f(x, y) as i64),
            _ => JsonValue::Null,
        });
    }
    let JsonValue::Array(items) = &a[0] else { return Ok(JsonValue::Null) };
    let mut acc: Option<u64> = None;
    for item in items.iter().filter(|v| !matches!(v, JsonValue::Null)) {
        let Some(x) = bits(item) else { return Ok(JsonValue::Null) };
        acc = Some(acc.map_or(x, |r| f(r, x)));
    }
    Ok(acc.map_or(JsonValue::Null, |r| int(r as i64)))
}

pub(super) fn bit_and(a: Args) -> R {
    bit_combine(&a, |x, y| x & y)
}
pub(super) fn bit_or(a: Args) -> R {
    bit_combine(&a, |x, y| x | y)
}
pub(super) fn bit_xor(a: Args) -> R {
    bit_combine(&a, |x, y| x ^ y)
}

fn mask(width: u64) -> u64 {
    (1u64 << width) - 1
}

pub(super) fn bit_negate(a: Args) -> R {
    Ok(match (bits(&a[0]), small(&a[1], 32)) {
        (Some(x), Some(w)) => int((!x & mask(w)) as i64),
        _ => JsonValue::Null,
    })
}

pub(super) fn bit_test(a: Args) -> R {
    Ok(match (bits(&a[0]), small(&a[1], 31)) {
        (Some(x), Some(i)) => JsonValue::Bool(x & (1 << i) != 0),
        _ => JsonValue::Null,
    })
}

pub(super) fn bit_shift_left(a: Args) -> R {
    Ok(match (bits(&a[0]), small(&a[1], 32), small(&a[2], 32)) {
        (Some(x), Some(s), Some(w)) => int(((x << s) & mask(w)) as i64),
        _ => JsonValue::Null,
    })
}

pub(super) fn bit_shift_right(a: Args) -> R {
    Ok(match (bits(&a[0]), small(&a[1], 32), small(&a[2], 32)) {
        (Some(x), Some(s), Some(w)) => int(((x >> s) & mask(w)) as i64),
        _ => JsonValue::Null,
    })
}

pub(super) fn bit_popcount(a: Args) -> R {
    Ok(bits(&a[0]).map_or(JsonValue::Null, |x| int(x.count_ones() as i64)))
}

pub(super) fn bit_construct(a: Args) -> R {
    let JsonValue::Array(items) = &a[0] else { return Ok(JsonValue::Null) };
    let mut out = 0u64;
    for item in items {
        let Some(p) = small(item, 31) else { return Ok(JsonValue::Null) };
        out |= 1 << p;
    }
    Ok(int(out as i64))
}

pub(super) fn bit_deconstruct(a: Args) -> R {
    Ok(bits(&a[0]).map_or(JsonValue::Null, |x| JsonValue::Array((0..32).filter(|i| x & (1 << i) != 0).map(int).collect())))
}

/// `BIT_TO_STRING(number, bits)`: the lowest `bits` bits, most significant first.
pub(super) fn bit_to_string(a: Args) -> R {
    Ok(match (bits(&a[0]), small(&a[1], 32)) {
        (Some(x), Some(w)) => string((0..w).rev().map(|i| if x & (1 << i) != 0 { '1' } else { '0' }).collect::<String>()),
        _ => JsonValue::Null,
    })
}

pub(super) fn bit_from_string(a: Args) -> R {
    Ok(match &a[0] {
        JsonValue::String(s) if s.len() <= 32 && s.bytes().all(|b| b == b'0' || b == b'1') => {
            int(s.bytes().fold(0u64, |acc, b| acc << 1 | u64::from(b == b'1')) as i64)
        }
        _ => JsonValue::Null,
    })
}

// ---- vectors ----

/// Applies `f` to two vectors, or to each row of a matrix (an array of arrays) and a vector.
fn distance(a: &[JsonValue], f: fn(&[f64], &[f64]) -> Option<f64>) -> R {
    let (JsonValue::Array(x), JsonValue::Array(y)) = (&a[0], &a[1]) else { return Ok(JsonValue::Null) };
    if x.is_empty() || y.is_empty() {
        return Ok(JsonValue::Null);
    }
    let vector = |v: &[JsonValue]| v.iter().map(as_number).collect::<Option<Vec<f64>>>();
    let pair = |row: &[JsonValue], vec: &[JsonValue]| -> Option<f64> {
        let (r, v) = (vector(row)?, vector(vec)?);
        if r.len() != v.len() {
            return None;
        }
        f(&r, &v).filter(|d| d.is_finite())
    };
    let (matrix, vec) = match (&x[0], &y[0]) {
        (JsonValue::Array(_), _) => (x, y),
        (_, JsonValue::Array(_)) => (y, x),
        _ => return Ok(pair(x, y).map_or(JsonValue::Null, number)),
    };
    let mut out = Vec::with_capacity(matrix.len());
    for row in matrix {
        let JsonValue::Array(row) = row else { return Ok(JsonValue::Null) };
        match pair(row, vec) {
            Some(d) => out.push(number(d)),
            None => return Ok(JsonValue::Null),
        }
    }
    Ok(JsonValue::Array(out))
}

pub(super) fn cosine_similarity(a: Args) -> R {
    distance(&a, |x, y| {
        let dot: f64 = x.iter().zip(y).map(|(p, q)| p * q).sum();
        let nx: f64 = x.iter().map(|p| p * p).sum();
        let ny: f64 = y.iter().map(|q| q * q).sum();
        let d = nx.sqrt() * ny.sqrt();
        (d != 0.0).then(|| dot / d)
    })
}

pub(super) fn l1_distance(a: Args) -> R {
    distance(&a, |x, y| Some(x.iter().zip(y).map(|(p, q)| (p - q).abs()).sum()))
}

pub(super) fn l2_distance(a: Args) -> R {
    distance(&a, |x, y| Some(x.iter().zip(y).map(|(p, q)| (p - q) * (p - q)).sum::<f64>().sqrt()))
}

// ---- decay functions ----

/// A decay function's score of one value.
type Scorer = Box<dyn Fn(f64) -> f64>;

/// `DECAY_*(value, origin, scale, offset, decay)`; `make` builds the scoring function from
/// origin, scale, offset and decay.
fn decay(a: &[JsonValue], make: fn(f64, f64, f64, f64) -> Scorer) -> R {
    let params: Option<Vec<f64>> = a[1..5].iter().map(as_number).collect();
    let Some(p) = params else { return Ok(JsonValue::Null) };
    let (origin, scale, offset, decay) = (p[0], p[1], p[2], p[3]);
    if scale <= 0.0 || offset < 0.0 || decay <= 0.0 || decay >= 1.0 {
        return Ok(JsonValue::Null);
    }
    let f = make(origin, scale, offset, decay);
    Ok(match &a[0] {
        JsonValue::Number(n) => number(f(value::number_value(n))),
        JsonValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Some(x) = as_number(item) else { return Ok(JsonValue::Null) };
                out.push(number(f(x)));
            }
            JsonValue::Array(out)
        }
        _ => JsonValue::Null,
    })
}

pub(super) fn decay_gauss(a: Args) -> R {
    decay(&a, |origin, scale, offset, decay| {
        let sigma_sqr = -(scale * scale) / (2.0 * decay.ln());
        Box::new(move |x| {
            let d = ((x - origin).abs() - offset).max(0.0);
            (-(d * d) / (2.0 * sigma_sqr)).exp()
        })
    })
}

pub(super) fn decay_exp(a: Args) -> R {
    decay(&a, |origin, scale, offset, decay| {
        let lambda = decay.ln() / scale;
        Box::new(move |x| (lambda * ((x - origin).abs() - offset).max(0.0)).exp())
    })
}

pub(super) fn decay_linear(a: Args) -> R {
    decay(&a, |origin, scale, offset, decay| {
        let s = scale / (1.0 - decay);
        Box::new(move |x| ((s - ((x - origin).abs() - offset).max(0.0)) / s).max(0.0))
    })
}

/// `MINHASH_COUNT(error)`: the signature size keeping the error below `error`.
pub(super) fn minhash_count(a: Args) -> R {
    Ok(match as_number(&a[0]) {
        Some(e) if e > 0.0 && e < 1.0 => number((1.0 / (e * e)).ceil()),
        _ => JsonValue::Null,
    })
}

/// `MINHASH_ERROR(numHashes)`: the error to expect with that signature size.
pub(super) fn minhash_error(a: Args) -> R {
    Ok(match as_number(&a[0]) {
        Some(n) if n >= 1.0 => number(1.0 / n.trunc().sqrt()),
        _ => JsonValue::Null,
    })
}
