//! Bind parameters: PostgreSQL text or binary values → DataFusion scalars of the
//! parameter's type (the input functions live in `quiverdb_catalog::input`).

use datafusion::scalar::ScalarValue;
use quiverdb_catalog::input::{decode_binary, decode_text};
use quiverdb_catalog::pgvalue::FormatSettings;
use quiverdb_catalog::{Error, ErrorCode, Result, SqlType};

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| Error::new(ErrorCode::InvalidTextRepresentation, "invalid byte sequence for encoding \"UTF8\""))
}

/// Decodes one parameter (`None` = NULL) of type `ty`.
pub fn decode(bytes: Option<&[u8]>, binary: bool, ty: &SqlType, settings: &FormatSettings) -> Result<ScalarValue> {
    let Some(b) = bytes else {
        return Ok(ScalarValue::try_from(ty.to_arrow())?);
    };
    if binary { decode_binary(b, ty) } else { decode_text(utf8(b)?, ty, settings) }
}
