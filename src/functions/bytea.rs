//! Conversions between text and bytea: `convert_to(text, encoding)`,
//! `convert_from(bytea, encoding)`, and `encode(bytea, format)` / `decode(text, format)`
//! with PostgreSQL's formats (`hex`; `base64` padded and wrapped at 76 characters;
//! `escape`), replacing DataFusion's `encode`/`decode`.
//!
//! Text is always UTF-8 here (server_encoding is UTF8), so the only encodings accepted
//! are UTF8 (and its aliases) and SQL_ASCII; converting invalid UTF-8 bytes to text fails
//! with PostgreSQL's 22021 message.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use quiverdb_catalog::input::value_error;
use quiverdb_catalog::pgvalue;
use quiverdb_catalog::{Error, ErrorCode};
use std::sync::Arc;

/// Checks the encoding argument; PostgreSQL's 22023 for unknown names.
fn check_encoding(args: &ScalarFunctionArgs) -> Result<()> {
    let name = match args.args.get(1) {
        Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(s)))) => s.clone(),
        Some(ColumnarValue::Scalar(v)) if v.is_null() => return Ok(()),
        _ => return exec_err!("the encoding must be a constant"),
    };
    let normalized: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    if matches!(normalized.as_str(), "UTF8" | "UNICODE" | "SQLASCII") {
        return Ok(());
    }
    Err(Error::new(ErrorCode::InvalidParameterValue, format!("invalid destination encoding name \"{name}\"")).into())
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Convert {
    to_bytes: bool,
    signature: Signature,
}

impl ScalarUDFImpl for Convert {
    fn name(&self) -> &str {
        if self.to_bytes { "convert_to" } else { "convert_from" }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.to_bytes { DataType::Binary } else { DataType::Utf8 })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        check_encoding(&args)?;
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let input = args.args[0].to_array(args.number_rows)?;
        let out: ArrayRef = if self.to_bytes {
            let text = datafusion::arrow::compute::cast(&input, &DataType::Utf8)?;
            let text = text.as_string::<i32>();
            let mut b = BinaryBuilder::with_capacity(text.len(), text.value_data().len());
            for v in text.iter() {
                b.append_option(v.map(str::as_bytes));
            }
            Arc::new(b.finish())
        } else {
            let bytes = datafusion::arrow::compute::cast(&input, &DataType::Binary)?;
            let bytes = bytes.as_binary::<i32>();
            let mut b = StringBuilder::with_capacity(bytes.len(), bytes.value_data().len());
            for v in bytes.iter() {
                match v {
                    None => b.append_null(),
                    Some(raw) => match std::str::from_utf8(raw) {
                        Ok(s) => b.append_value(s),
                        Err(e) => {
                            let bad = &raw[e.valid_up_to()..raw.len().min(e.valid_up_to() + 1)];
                            let hex: Vec<String> = bad.iter().map(|x| format!("0x{x:02x}")).collect();
                            return Err(Error::new(
                                ErrorCode::CharacterNotInRepertoire,
                                format!("invalid byte sequence for encoding \"UTF8\": {}", hex.join(" ")),
                            )
                            .into());
                        }
                    },
                }
            }
            Arc::new(b.finish())
        };
        crate::functions::columnar(out, scalar)
    }
}

/// A binary-to-text format of `encode`/`decode`.
#[derive(Clone, Copy)]
enum Format {
    Hex,
    Base64,
    Escape,
}

fn format_arg(args: &ScalarFunctionArgs) -> Result<Option<Format>> {
    match args.args.get(1) {
        Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(s)))) => match s.to_ascii_lowercase().as_str() {
            "hex" => Ok(Some(Format::Hex)),
            "base64" => Ok(Some(Format::Base64)),
            "escape" => Ok(Some(Format::Escape)),
            _ => Err(Error::new(ErrorCode::InvalidParameterValue, format!("unrecognized encoding: \"{s}\"")).into()),
        },
        Some(ColumnarValue::Scalar(v)) if v.is_null() => Ok(None),
        _ => exec_err!("the format must be a constant"),
    }
}

fn encode_bytes(b: &[u8], f: Format) -> String {
    use base64::Engine;
    match f {
        Format::Hex => b.iter().map(|x| format!("{x:02x}")).collect(),
        Format::Base64 => {
            let s = base64::engine::general_purpose::STANDARD.encode(b);
            // PostgreSQL breaks base64 output into lines of 76 characters.
            s.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or("")).collect::<Vec<_>>().join("\n")
        }
        Format::Escape => {
            let mut out = String::with_capacity(b.len());
            for &x in b {
                match x {
                    b'\\' => out.push_str("\\\\"),
                    0 | 0x80..=0xff => out.push_str(&format!("\\{x:03o}")),
                    x => out.push(x as char),
                }
            }
            out
        }
    }
}

fn invalid(what: &str) -> datafusion::error::DataFusionError {
    Error::new(ErrorCode::InvalidParameterValue, what.to_string()).into()
}

fn decode_text(s: &str, f: Format) -> Result<Vec<u8>> {
    use base64::Engine;
    match f {
        Format::Hex => pgvalue::parse_hex(s).map_err(|e| value_error(e).into()),
        Format::Base64 => {
            let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(clean).map_err(|_| invalid("invalid base64 end sequence"))
        }
        Format::Escape => pgvalue::parse_bytea_escape(s).map_err(|e| value_error(e).into()),
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Codec {
    encode: bool,
    signature: Signature,
}

impl ScalarUDFImpl for Codec {
    fn name(&self) -> &str {
        if self.encode { "encode" } else { "decode" }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.encode { DataType::Utf8 } else { DataType::Binary })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let input = args.args[0].to_array(args.number_rows)?;
        let Some(format) = format_arg(&args)? else {
            let dt = if self.encode { DataType::Utf8 } else { DataType::Binary };
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from(&dt)?));
        };
        let out: ArrayRef = if self.encode {
            let bytes = datafusion::arrow::compute::cast(&input, &DataType::Binary)?;
            let bytes = bytes.as_binary::<i32>();
            let mut b = StringBuilder::with_capacity(bytes.len(), bytes.value_data().len() * 2);
            for v in bytes.iter() {
                b.append_option(v.map(|v| encode_bytes(v, format)));
            }
            Arc::new(b.finish())
        } else {
            let text = datafusion::arrow::compute::cast(&input, &DataType::Utf8)?;
            let text = text.as_string::<i32>();
            let mut b = BinaryBuilder::with_capacity(text.len(), text.value_data().len());
            for v in text.iter() {
                match v {
                    None => b.append_null(),
                    Some(v) => b.append_value(decode_text(v, format)?),
                }
            }
            Arc::new(b.finish())
        };
        crate::functions::columnar(out, scalar)
    }
}

/// A text function that also takes bytea (`substr`, `strpos`): bytea arguments are
/// handled here, everything else goes to DataFusion's function.
#[derive(Debug, PartialEq, Eq, Hash)]
struct BinaryOr {
    inner: Arc<ScalarUDF>,
    substr: bool,
    signature: Signature,
}

fn is_binary(dt: &DataType) -> bool {
    matches!(dt, DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
}

impl ScalarUDFImpl for BinaryOr {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.first().is_some_and(is_binary) {
            return Ok(if self.substr {
                std::iter::once(DataType::Binary).chain(arg_types[1..].iter().map(|_| DataType::Int64)).collect()
            } else {
                vec![DataType::Binary; arg_types.len()]
            });
        }
        let fields: Vec<datafusion::arrow::datatypes::FieldRef> =
            arg_types.iter().map(|t| Arc::new(datafusion::arrow::datatypes::Field::new("", t.clone(), true))).collect();
        let coerced = datafusion::logical_expr::type_coercion::functions::fields_with_udf(&fields, self.inner.as_ref())?;
        Ok(coerced.iter().map(|f| f.data_type().clone()).collect())
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.first().is_some_and(is_binary) {
            return Ok(if self.substr { DataType::Binary } else { DataType::Int32 });
        }
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: datafusion::logical_expr::ReturnFieldArgs) -> Result<datafusion::arrow::datatypes::FieldRef> {
        if args.arg_fields.first().is_some_and(|f| is_binary(f.data_type())) {
            let dt = if self.substr { DataType::Binary } else { DataType::Int32 };
            return Ok(Arc::new(datafusion::arrow::datatypes::Field::new(self.name(), dt, true)));
        }
        self.inner.return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if !is_binary(&args.args[0].data_type()) {
            return self.inner.invoke_with_args(args);
        }
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let arrays: Vec<ArrayRef> = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<_>>()?;
        let hay = arrays[0].as_binary::<i32>();
        let out: ArrayRef = if self.substr {
            let start = arrays[1].as_primitive::<datafusion::arrow::datatypes::Int64Type>();
            let count = arrays.get(2).map(|a| a.as_primitive::<datafusion::arrow::datatypes::Int64Type>());
            let mut b = BinaryBuilder::with_capacity(rows, 0);
            for i in 0..rows {
                if hay.is_null(i) || start.is_null(i) || count.is_some_and(|c| c.is_null(i)) {
                    b.append_null();
                    continue;
                }
                let bytes = hay.value(i);
                // PostgreSQL's substring: positions from 1; a start before 1 eats into the count.
                let s = start.value(i);
                let end = match count {
                    Some(c) => {
                        let c = c.value(i);
                        if c < 0 {
                            return Err(Error::new(ErrorCode::SubstringError, "negative substring length not allowed").into());
                        }
                        s.saturating_add(c)
                    }
                    None => i64::MAX,
                };
                let from = (s.max(1) - 1).min(bytes.len() as i64) as usize;
                let to = (end.max(1) - 1).min(bytes.len() as i64).max(from as i64) as usize;
                b.append_value(&bytes[from..to]);
            }
            Arc::new(b.finish())
        } else {
            let needle = arrays[1].as_binary::<i32>();
            let mut b = datafusion::arrow::array::Int32Builder::with_capacity(rows);
            for i in 0..rows {
                if hay.is_null(i) || needle.is_null(i) {
                    b.append_null();
                    continue;
                }
                let (h, n) = (hay.value(i), needle.value(i));
                let pos = if n.is_empty() { Some(0) } else { h.windows(n.len()).position(|w| w == n) };
                b.append_value(pos.map(|p| p as i32 + 1).unwrap_or(0));
            }
            Arc::new(b.finish())
        };
        crate::functions::columnar(out, scalar)
    }
}

/// `quiver_bytea_in(text)`: text read by bytea's input function (`'\\x616263'` is `abc`),
/// for casts of non-literal text to bytea.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ByteaIn {
    signature: Signature,
}

impl ScalarUDFImpl for ByteaIn {
    fn name(&self) -> &str {
        "quiver_bytea_in"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let text = datafusion::arrow::compute::cast(&args.args[0].to_array(args.number_rows)?, &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        let mut b = BinaryBuilder::with_capacity(text.len(), text.value_data().len());
        for v in text.iter() {
            match v {
                None => b.append_null(),
                Some(v) => b.append_value(
                    quiverdb_catalog::pgvalue::parse_bytea(v)
                        .map_err(|e| Error::new(ErrorCode::InvalidTextRepresentation, e.message().to_string()))?,
                ),
            }
        }
        let out: ArrayRef = Arc::new(b.finish());
        crate::functions::columnar(out, scalar)
    }
}

/// The bytea input function as a UDF.
pub fn bytea_in_udf() -> ScalarUDF {
    ScalarUDF::from(ByteaIn { signature: Signature::exact(vec![DataType::Utf8], Volatility::Immutable) })
}

/// `substr` that also takes bytea (SUBSTRING(x FROM a FOR b) plans to it).
pub fn substr_udf() -> ScalarUDF {
    ScalarUDF::from(BinaryOr {
        inner: datafusion::functions::unicode::substr(),
        substr: true,
        signature: Signature::user_defined(Volatility::Immutable),
    })
}

/// `strpos` that also takes bytea (POSITION(a IN b) plans to it).
pub fn strpos_udf() -> ScalarUDF {
    ScalarUDF::from(BinaryOr {
        inner: datafusion::functions::unicode::strpos(),
        substr: false,
        signature: Signature::user_defined(Volatility::Immutable),
    })
}

/// `convert_to`, `convert_from`, `encode`, `decode`, and bytea-aware `substr`/`strpos`.
pub fn udfs() -> Vec<ScalarUDF> {
    let sig = |a: DataType| Signature::exact(vec![a, DataType::Utf8], Volatility::Immutable);
    vec![
        ScalarUDF::from(Convert { to_bytes: true, signature: sig(DataType::Utf8) }),
        ScalarUDF::from(Convert { to_bytes: false, signature: sig(DataType::Binary) }),
        ScalarUDF::from(Codec { encode: true, signature: sig(DataType::Binary) }),
        ScalarUDF::from(Codec { encode: false, signature: sig(DataType::Utf8) }),
        substr_udf(),
        strpos_udf(),
        bytea_in_udf(),
    ]
}
