//! Numeric and bit functions, with the examples of ArangoDB's documentation.

use super::tests::{check, check_approx, check_invalid, run};
use crate::functions::aql::value;
use crate::functions::jsonvalue::JsonValue;

#[test]
fn rounding_and_basic_math() {
    check("ABS", "[-5]", "5");
    check("ABS", "[3.5]", "3.5");
    check("ABS", r#"["-2"]"#, "2");
    check("CEIL", "[2.49]", "3");
    check("CEIL", "[2.50]", "3");
    check("CEIL", "[-2.50]", "-2");
    check("CEIL", "[-2.51]", "-2");
    check("FLOOR", "[2.49]", "2");
    check("FLOOR", "[-2.50]", "-3");
    check("ROUND", "[2.49]", "2");
    check("ROUND", "[2.50]", "3");
    check("ROUND", "[-2.50]", "-2");
    check("ROUND", "[-2.51]", "-3");
    check("SQRT", "[9]", "3");
    check("SQRT", "[2]", "1.4142135623730951");
    check("SQRT", "[-1]", "null");
    check("POW", "[2, 4]", "16");
    check("POW", "[5, -1]", "0.2");
    check("POW", "[5, 0]", "1");
    check_approx("POW", "[4096, 0.25]", 8.0);
    check("POW", "[0, -1]", "null");
    check("EXP2", "[16]", "65536");
    check("EXP", "[0]", "1");
    check_approx("EXP", "[1]", std::f64::consts::E);
    check_approx("EXP", "[10]", 22026.46579480671);
    check("LOG", "[0]", "null");
    check_approx("LOG", "[10]", std::f64::consts::LN_10);
    check("LOG2", "[1024]", "10");
    check("LOG2", "[8]", "3");
    check("LOG10", "[10000]", "4");
    check("LOG10", "[0]", "null");
    check("PI", "[]", "3.141592653589793");
}

#[test]
fn trigonometry() {
    check("ACOS", "[-1]", "3.141592653589793");
    check("ACOS", "[0]", "1.5707963267948966");
    check("ACOS", "[1]", "0");
    check("ACOS", "[2]", "null");
    check("ASIN", "[1]", "1.5707963267948966");
    check("ASIN", "[-1]", "-1.5707963267948966");
    check("ASIN", "[2]", "null");
    check("ATAN", "[-1]", "-0.7853981633974483");
    check("ATAN", "[10]", "1.4711276743037347");
    check("ATAN2", "[0, 0]", "0");
    check("ATAN2", "[1, 0]", "1.5707963267948966");
    check("ATAN2", "[1, 1]", "0.7853981633974483");
    check("ATAN2", "[-10, 20]", "-0.4636476090008061");
    check("COS", "[1]", "0.5403023058681398");
    check("COS", "[0]", "1");
    check_approx("COS", "[-3.141592653589783]", -1.0);
    check_approx("COS", "[0.7853981633974483]", std::f64::consts::FRAC_1_SQRT_2);
    check("SIN", "[0]", "0");
    check_approx("SIN", "[1.5707963267948966]", 1.0);
    check("TAN", "[10]", "0.6483608274590866");
    check("TAN", "[5]", "-3.380515006246586");
    check("DEGREES", "[0.7853981633974483]", "45");
    check("DEGREES", "[3.141592653589793]", "180");
    check("RADIANS", "[180]", "3.141592653589793");
    check("RADIANS", "[90]", "1.5707963267948966");
}

#[test]
fn aggregates() {
    check("AVERAGE", "[[5, 2, 9, 2]]", "4.5");
    check("AVERAGE", "[[-3, -5, 2]]", "-2");
    check("AVG", "[[999, 80, 4, 4, 4, 3, 3, 3]]", "137.5");
    check("AVERAGE", "[[null]]", "null");
    check("AVERAGE", r#"[[1, "2"]]"#, "null");
    check("AVERAGE", "[5]", "null");
    check("SUM", "[[1, 2, 3, 4]]", "10");
    check("SUM", "[[null, -5, 6]]", "1");
    check("SUM", "[[]]", "0");
    check("SUM", r#"[[1, "a"]]"#, "null");
    check("PRODUCT", "[[1, 2, 3, 4]]", "24");
    check("PRODUCT", "[[null, -5, 6]]", "-30");
    check("PRODUCT", "[[]]", "1");
    check("MAX", "[[5, 9, -2, null, 1]]", "9");
    check("MAX", "[[null, null]]", "null");
    check("MAX", r#"[[1, "a", [0]]]"#, "[0]");
    check("MIN", "[[5, 9, -2, null, 1]]", "-2");
    check("MIN", "[[null, null]]", "null");
    check("MIN", r#"[[false, 3]]"#, "false");
    check("MEDIAN", "[[1, 2, 3]]", "2");
    check("MEDIAN", "[[1, 2, 3, 4]]", "2.5");
    check("MEDIAN", "[[4, 2, 3, 1]]", "2.5");
    check("MEDIAN", "[[999, 80, 4, 4, 4, 3, 3, 3]]", "4");
    check("MEDIAN", "[[]]", "null");
    check("PERCENTILE", "[[1, 2, 3, 4], 50]", "2");
    check("PERCENTILE", r#"[[1, 2, 3, 4], 50, "rank"]"#, "2");
    check("PERCENTILE", r#"[[1, 2, 3, 4], 50, "interpolation"]"#, "2.5");
    check("PERCENTILE", "[[1, 2, 3, 4], 0]", "null");
    check("PERCENTILE", r#"[[1, 2, 3, 4], 50, "other"]"#, "null");
    check("STDDEV_POPULATION", "[[1, 3, 6, 5, 2]]", "1.854723699099141");
    check("STDDEV", "[[1, 3, 6, 5, 2]]", "1.854723699099141");
    check("STDDEV_SAMPLE", "[[1, 3, 6, 5, 2]]", "2.0736441353327724");
    check("VARIANCE_POPULATION", "[[1, 3, 6, 5, 2]]", "3.4400000000000004");
    check("VARIANCE", "[[1, 3, 6, 5, 2]]", "3.4400000000000004");
    check("VARIANCE_SAMPLE", "[[1, 3, 6, 5, 2]]", "4.300000000000001");
    check("VARIANCE_SAMPLE", "[[1]]", "null");
    check("VARIANCE_POPULATION", "[[]]", "null");
}

#[test]
fn ranges_and_random() {
    check("RANGE", "[1, 4]", "[1, 2, 3, 4]");
    check("RANGE", "[1, 4, 2]", "[1, 3]");
    check("RANGE", "[1, 4, 3]", "[1, 4]");
    check("RANGE", "[1.5, 2.5]", "[1, 2]");
    check("RANGE", "[1.5, 2.5, 1]", "[1.5, 2.5]");
    check("RANGE", "[1.5, 2.5, 0.5]", "[1.5, 2, 2.5]");
    check("RANGE", "[-0.75, 1.1, 0.5]", "[-0.75, -0.25, 0.25, 0.75]");
    check("RANGE", "[4, 1]", "[4, 3, 2, 1]");
    check("RANGE", "[4, 1, -2]", "[4, 2]");
    check("RANGE", "[1, 4, 0]", "null");
    check("RANGE", "[1, 4, -1]", "null");
    check("RANGE", "[1, 4, null]", "[1, 2, 3, 4]");
    check_invalid("RANGE", "[0, 100000000]", "too big");
    check_invalid("RANGE", "[0, 1, 1e-9]", "too big");
    // A step below the precision of the start does not loop forever.
    let Ok(JsonValue::Array(stuck)) = run("RANGE", "[1e17, 1.0000000000000002e17, 1]") else { panic!() };
    assert!(stuck.len() <= 18);
    for _ in 0..100 {
        let Ok(JsonValue::Number(n)) = run("RAND", "[]") else { panic!() };
        let n = value::number_value(&n);
        assert!((0.0..1.0).contains(&n));
    }
    assert_ne!(run("RAND", "[]"), run("RAND", "[]"));
}

#[test]
fn vectors_and_decay() {
    check("COSINE_SIMILARITY", "[[0, 1], [1, 0]]", "0");
    check("COSINE_SIMILARITY", "[[-1, 0], [1, 0]]", "-1");
    check("COSINE_SIMILARITY", "[[0, 0], [1, 0]]", "null");
    let Ok(JsonValue::Array(m)) = run("COSINE_SIMILARITY", "[[[0,1,0,1],[1,0,0,1],[1,1,1,0],[0,0,0,1]], [1,1,1,1]]") else { panic!() };
    let m: Vec<f64> = m.iter().map(value::to_number).collect();
    for (got, want) in m.iter().zip([0.7071067811865475, 0.7071067811865475, 0.8660254037844387, 0.5]) {
        assert!((got - want).abs() < 1e-12, "{m:?}");
    }
    check("L1_DISTANCE", "[[-1, -1], [2, 2]]", "6");
    check("L1_DISTANCE", "[[[1,2,3],[-1,-2,-3],[3,4,5],[-5,2,1]], [1,1,1]]", "[3, 9, 9, 7]");
    check("L1_DISTANCE", "[[1.5], [3]]", "1.5");
    check("L1_DISTANCE", "[[1, 2], [3]]", "null");
    check("L1_DISTANCE", "[[], []]", "null");
    check("L1_DISTANCE", r#"[[1, "a"], [3, 4]]"#, "null");
    check("L2_DISTANCE", "[[1, 1], [5, 2]]", "4.123105625617661");
    check("L2_DISTANCE", "[[[1,2,3], [4,5,6], [7,8,9]], [3,2,1]]", "[2.8284271247461903, 5.916079783099616, 10.770329614269007]");
    check("L2_DISTANCE", "[[0, 1], [1, 0]]", "1.4142135623730951");
    check("DECAY_GAUSS", "[41, 40, 5, 5, 0.5]", "1");
    check("DECAY_GAUSS", "[[20, 41], 40, 5, 5, 0.5]", "[0.0019531250000000017, 1]");
    check_approx("DECAY_GAUSS", "[49.9889, 49.987, 0.001, 0.001, 0.2]", 0.2715403018822964);
    check("DECAY_EXP", "[41, 40, 5, 5, 0.7]", "1");
    check_approx("DECAY_EXP", "[2, 0, 10, 0, 0.2]", 0.7247796636776955);
    check_approx("DECAY_EXP", "[49.9889, 50, 0.001, 0.001, 0.2]", 8.717720806626885e-08);
    check("DECAY_LINEAR", "[41, 40, 5, 5, 0.5]", "1");
    check_approx("DECAY_LINEAR", "[9.8, 0, 10, 0, 0.2]", 0.21599999999999994);
    check("DECAY_LINEAR", "[[5, 6, 7], 0, 10, 0, 0.2]", "[0.6, 0.52, 0.44]");
    check("DECAY_LINEAR", "[5, 0, 10, 0, 1]", "null");
    check("MINHASH_COUNT", "[0.05]", "400");
    check("MINHASH_ERROR", "[400]", "0.05");
    check("MINHASH_ERROR", "[0]", "null");
}

#[test]
fn bit_functions() {
    check("BIT_AND", "[[1, 4, 8, 16]]", "0");
    check("BIT_AND", "[[3, 7, 63]]", "3");
    check("BIT_AND", "[[255, 127, null, 63]]", "63");
    check("BIT_AND", "[127, 255]", "127");
    check("BIT_AND", r#"["foo"]"#, "null");
    check("BIT_AND", "[[]]", "null");
    check("BIT_AND", "[[4294967296]]", "null");
    check("BIT_AND", "[[-1]]", "null");
    check("BIT_OR", "[[1, 4, 8, 16]]", "29");
    check("BIT_OR", "[[3, 7, 63]]", "63");
    check("BIT_OR", "[[255, 127, null, 63]]", "255");
    check("BIT_OR", "[255, 127]", "255");
    check("BIT_XOR", "[[1, 4, 8, 16]]", "29");
    check("BIT_XOR", "[[3, 7, 63]]", "59");
    check("BIT_XOR", "[[255, 127, null, 63]]", "191");
    check("BIT_XOR", "[255, 257]", "510");
    check("BIT_CONSTRUCT", "[[1, 2, 3]]", "14");
    check("BIT_CONSTRUCT", "[[0, 4, 8]]", "273");
    check("BIT_CONSTRUCT", "[[0, 1, 10, 31]]", "2147484675");
    check("BIT_CONSTRUCT", "[[32]]", "null");
    check("BIT_DECONSTRUCT", "[14]", "[1, 2, 3]");
    check("BIT_DECONSTRUCT", "[273]", "[0, 4, 8]");
    check("BIT_DECONSTRUCT", "[2147484675]", "[0, 1, 10, 31]");
    check("BIT_FROM_STRING", r#"["0111"]"#, "7");
    check("BIT_FROM_STRING", r#"["000000000000010"]"#, "2");
    check("BIT_FROM_STRING", r#"["11010111011101"]"#, "13789");
    check("BIT_FROM_STRING", r#"["100000000000000000000"]"#, "1048576");
    check("BIT_FROM_STRING", r#"["0b1"]"#, "null");
    check("BIT_NEGATE", "[0, 8]", "255");
    check("BIT_NEGATE", "[0, 10]", "1023");
    check("BIT_NEGATE", "[3, 4]", "12");
    check("BIT_NEGATE", "[446359921, 32]", "3848607374");
    check("BIT_NEGATE", "[1, 33]", "null");
    check("BIT_POPCOUNT", "[0]", "0");
    check("BIT_POPCOUNT", "[255]", "8");
    check("BIT_POPCOUNT", "[69399252]", "12");
    check("BIT_POPCOUNT", r#"["foo"]"#, "null");
    check("BIT_SHIFT_LEFT", "[0, 1, 8]", "0");
    check("BIT_SHIFT_LEFT", "[7, 1, 16]", "14");
    check("BIT_SHIFT_LEFT", "[2, 10, 16]", "2048");
    check("BIT_SHIFT_LEFT", "[878836, 16, 32]", "1760821248");
    check("BIT_SHIFT_RIGHT", "[0, 1, 8]", "0");
    check("BIT_SHIFT_RIGHT", "[33, 1, 16]", "16");
    check("BIT_SHIFT_RIGHT", "[65536, 13, 16]", "8");
    check("BIT_SHIFT_RIGHT", "[878836, 4, 32]", "54927");
    check("BIT_TEST", "[0, 3]", "false");
    check("BIT_TEST", "[255, 0]", "true");
    check("BIT_TEST", "[7, 2]", "true");
    check("BIT_TEST", "[255, 8]", "false");
    check("BIT_TEST", "[255, 32]", "null");
    check("BIT_TO_STRING", "[7, 4]", r#""0111""#);
    check("BIT_TO_STRING", "[255, 8]", r#""11111111""#);
    check("BIT_TO_STRING", "[60, 8]", r#""00111100""#);
    check("BIT_TO_STRING", "[1048576, 32]", r#""00000000000100000000000000000000""#);
    check("BIT_TO_STRING", "[1, 0]", r#""""#);
}
