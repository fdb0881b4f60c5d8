//! Strings between the engine and Rust: as UTF-8 read in place ([`Usv`]), and in the engine's
//! own encoding, WTF-8 (UTF-8 that also encodes lone surrogates), which file names need.

use rquickjs::{qjs, Ctx, FromJs, Result, Value};

/// A JS string as UTF-8 with lone surrogates replaced by U+FFFD (WebIDL's USVString), read in
/// place from the engine's bytes: a big string is not copied to be written or encoded.
/// (The engine encodes a lone surrogate as its code point's three-byte form ED A0..BF xx, which
/// UTF-8 forbids; paired surrogates arrive as one 4-byte character.)
pub struct Usv<'js> {
    engine: rquickjs::CString<'js>,
    /// The text with lone surrogates replaced, when there were any.
    fixed: Option<String>,
}

impl std::ops::Deref for Usv<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.fixed {
            Some(fixed) => fixed,
            // SAFETY: checked to be UTF-8 when made.
            None => unsafe { std::str::from_utf8_unchecked(engine_bytes(&self.engine)) },
        }
    }
}

fn engine_bytes<'a>(text: &'a rquickjs::CString<'_>) -> &'a [u8] {
    // SAFETY: the engine's bytes of the string, which live as long as `text`.
    unsafe { std::slice::from_raw_parts(text.as_ptr().cast::<u8>(), text.len()) }
}

impl<'js> FromJs<'js> for Usv<'js> {
    fn from_js(_ctx: &Ctx<'js>, value: Value<'js>) -> Result<Self> {
        let engine = rquickjs::String::from_value(value)?.to_cstring()?;
        let bytes = engine_bytes(&engine);
        if std::str::from_utf8(bytes).is_ok() {
            return Ok(Usv { engine, fixed: None });
        }
        let mut bytes = bytes.to_vec();
        for i in 0..bytes.len().saturating_sub(2) {
            if bytes[i] == 0xED && bytes[i + 1] >= 0xA0 {
                bytes[i..i + 3].copy_from_slice("\u{FFFD}".as_bytes());
            }
        }
        let fixed = Some(String::from_utf8_lossy(&bytes).into_owned());
        Ok(Usv { engine, fixed })
    }
}

/// The engine's bytes of `string`: UTF-8, with lone surrogates in their three-byte forms.
pub fn wtf8(ctx: &Ctx<'_>, string: &rquickjs::String<'_>) -> Result<Vec<u8>> {
    let raw = ctx.as_raw().as_ptr();
    let mut len: qjs::size_t = 0;
    // SAFETY: the engine encodes the string into memory it owns until freed below.
    unsafe {
        let data = qjs::JS_ToCStringLen2(raw, &mut len, string.as_raw(), false);
        if data.is_null() {
            return Err(rquickjs::Error::Exception);
        }
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), len as usize).to_vec();
        qjs::JS_FreeCString(raw, data);
        Ok(bytes)
    }
}

/// A string from WTF-8 bytes (lone surrogates included).
pub fn from_wtf8<'js>(ctx: &Ctx<'js>, bytes: &[u8]) -> Result<Value<'js>> {
    // SAFETY: the engine decodes the bytes (which it copies) into a new string.
    unsafe {
        let value = qjs::JS_NewStringLen(ctx.as_raw().as_ptr(), bytes.as_ptr().cast(), bytes.len() as _);
        if qjs::JS_IsException(value) {
            return Err(rquickjs::Error::Exception);
        }
        Ok(Value::from_raw(ctx.clone(), value))
    }
}
