//! File names between JS strings and the kernel's bytes. Linux names are bytes, not text: a
//! name that is not UTF-8 is given to JS with each invalid byte as a lone surrogate
//! U+DC80–U+DCFF (Python's "surrogateescape"), and such a string given back names the same
//! bytes — so every file can be listed, opened, renamed and removed, whatever its name.

use super::{errors, strings};
use std::ffi::CString;

use rquickjs::{Ctx, FromJs, Result, Value};

/// A path argument, as the kernel's NUL-terminated bytes, and as text for error messages.
pub struct PathArg {
    pub c: CString,
    pub text: String,
}

impl<'js> FromJs<'js> for PathArg {
    fn from_js(ctx: &Ctx<'js>, value: Value<'js>) -> Result<Self> {
        let Some(string) = value.as_string() else {
            let kind = value.type_name();
            return Err(errors::type_error(ctx, &format!("a path must be a string, got {kind}")));
        };
        let bytes = strings::wtf8(ctx, string)?;
        let bytes = unescape(&bytes);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if bytes.is_empty() {
            return Err(errors::type_error(ctx, "a path must not be empty"));
        }
        let c = CString::new(bytes)
            .map_err(|_| errors::type_error(ctx, &format!("a path must not contain NUL: {text:?}")))?;
        Ok(PathArg { c, text })
    }
}

/// WTF-8 from the engine to the name's bytes: U+DC80–U+DCFF become the bytes 0x80–0xFF they
/// stand for; any other lone surrogate becomes U+FFFD.
fn unescape(wtf8: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(wtf8.len());
    let mut i = 0;
    while i < wtf8.len() {
        if wtf8[i] == 0xED && i + 3 <= wtf8.len() && wtf8[i + 1] >= 0xA0 {
            let code = 0xD000 | ((wtf8[i + 1] as u32 & 0x3F) << 6) | (wtf8[i + 2] as u32 & 0x3F);
            if (0xDC80..=0xDCFF).contains(&code) {
                out.push((code & 0xFF) as u8);
            } else {
                out.extend_from_slice("\u{FFFD}".as_bytes());
            }
            i += 3;
        } else {
            out.push(wtf8[i]);
            i += 1;
        }
    }
    out
}

/// A name's bytes as a JS string: UTF-8 as text, each other byte as U+DC80 + its value.
pub fn name_to_js<'js>(ctx: &Ctx<'js>, bytes: &[u8]) -> Result<Value<'js>> {
    let mut wtf8 = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                wtf8.extend_from_slice(valid.as_bytes());
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                wtf8.extend_from_slice(valid);
                let bad = after[0];
                // U+DC80 + (byte − 0x80), as three bytes: ED B2..B3 80..BF.
                let code = 0xDC00 | bad as u32;
                wtf8.extend_from_slice(&[0xED, 0x80 | ((code >> 6) & 0x3F) as u8, 0x80 | (code & 0x3F) as u8]);
                rest = &after[1..];
            }
        }
    }
    strings::from_wtf8(ctx, &wtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_bytes_come_back_as_the_same_bytes() {
        let escaped = [b'a', 0xED, 0xB3, 0xA9, b'b']; // "a\u{DCE9}b" in WTF-8
        assert_eq!(unescape(&escaped), [b'a', 0xE9, b'b']);
        assert_eq!(unescape("é".as_bytes()), "é".as_bytes());
        assert_eq!(unescape(&[0xED, 0xA0, 0x80]), "\u{FFFD}".as_bytes(), "other lone surrogates");
    }
}
