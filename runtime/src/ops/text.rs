//! `TextEncoder` and `TextDecoder`: UTF-8 natively, every WHATWG label through encoding_rs.

use crate::js::errors;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use rquickjs::{convert::List, ArrayBuffer, Ctx, Result, Value};

use super::Ops;
use crate::js::{
    bytes::{with_bytes, with_bytes_mut},
    strings::Usv,
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_text_encode", op_text_encode)?;
    ops.add("op_text_encode_into", op_text_encode_into)?;
    ops.add("op_text_decode", op_text_decode)?;
    ops.add("op_text_encoding_name", op_text_encoding_name)
}

/// The engine copies the bytes into the buffer it makes (and throws if it has no memory).
fn op_text_encode<'js>(ctx: Ctx<'js>, text: Usv<'js>) -> Result<ArrayBuffer<'js>> {
    ArrayBuffer::new_copy(ctx, text.as_bytes())
}

/// Encodes as much of `text` as fits in `dest` without splitting a character; returns
/// `[UTF-16 units read, bytes written]`.
fn op_text_encode_into<'js>(ctx: Ctx<'js>, text: Usv<'js>, dest: Value<'js>) -> Result<List<(usize, usize)>> {
    with_bytes_mut(&ctx, &dest, |out| {
        let (mut read, mut written) = (0, 0);
        for ch in text.chars() {
            let len = ch.len_utf8();
            if written + len > out.len() {
                break;
            }
            ch.encode_utf8(&mut out[written..written + len]);
            written += len;
            read += ch.len_utf16();
        }
        List((read, written))
    })
}

/// The canonical lower-case name of an encoding label (`"latin1"` → `"windows-1252"`), or
/// `None` when the label is unknown. (`for_label` trims ASCII whitespace only, as the spec says.)
fn op_text_encoding_name(label: Usv<'_>) -> Option<String> {
    Encoding::for_label(label.as_bytes()).map(|e| e.name().to_ascii_lowercase())
}

/// Decodes `view` as `encoding` (a canonical name). With `stream`, an incomplete character at
/// the end is not decoded: the result says how many trailing bytes to keep for the next call.
/// Valid UTF-8 goes to the engine without a copy in between.
fn op_text_decode<'js>(
    ctx: Ctx<'js>,
    view: Value<'js>,
    encoding: String,
    fatal: bool,
    strip_bom: bool,
    stream: bool,
) -> Result<List<(rquickjs::String<'js>, usize)>> {
    let encoding = Encoding::for_label(encoding.as_bytes()).unwrap_or(UTF_8);
    let decoded = with_bytes(&ctx, &view, |bytes| {
        let keep = if stream { incomplete_tail(encoding, bytes) } else { 0 };
        let bytes = &bytes[..bytes.len() - keep];
        let (text, malformed) = if strip_bom {
            encoding.decode_with_bom_removal(bytes)
        } else {
            encoding.decode_without_bom_handling(bytes)
        };
        if fatal && malformed {
            return Ok(None);
        }
        rquickjs::String::from_str(ctx.clone(), &text).map(|text| Some(List((text, keep))))
    })??;
    decoded.ok_or_else(|| {
        errors::type_error(
            &ctx,
            &format!("The encoded data was not valid for encoding {}", encoding.name().to_ascii_lowercase()),
        )
    })
}

/// How many bytes at the end of `bytes` start a character that is not complete yet.
fn incomplete_tail(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    if encoding == UTF_8 {
        // The last lead byte, at most 3 bytes back, if it and what follows it begin a valid
        // sequence that runs past the end. Anything else is malformed, and decoded (to U+FFFD,
        // or an error when fatal) now rather than when the next chunk arrives.
        let is_continuation = |b: &u8| (0x80..=0xBF).contains(b);
        let Some(back) = (1..=bytes.len().min(3)).find(|&back| !is_continuation(&bytes[bytes.len() - back])) else {
            return 0;
        };
        let tail = &bytes[bytes.len() - back..];
        let (need, second) = match tail[0] {
            0xC2..=0xDF => (2, 0x80..=0xBF),
            0xE0 => (3, 0xA0..=0xBF),
            0xED => (3, 0x80..=0x9F),
            0xE1..=0xEF => (3, 0x80..=0xBF),
            0xF0 => (4, 0x90..=0xBF),
            0xF1..=0xF3 => (4, 0x80..=0xBF),
            0xF4 => (4, 0x80..=0x8F),
            _ => return 0,
        };
        if back < need && tail.get(1).is_none_or(|b| second.contains(b)) {
            back
        } else {
            0
        }
    } else if encoding == UTF_16LE || encoding == UTF_16BE {
        let odd = bytes.len() % 2;
        let even = &bytes[..bytes.len() - odd];
        let last_unit = even.len().checked_sub(2).map(|i| {
            let pair = [even[i], even[i + 1]];
            if encoding == UTF_16LE {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        odd + if last_unit.is_some_and(|u| (0xD800..0xDC00).contains(&u)) { 2 } else { 0 }
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_between_chunks_is_kept_for_the_next_chunk() {
        let euro = "€".as_bytes(); // three bytes
        assert_eq!(incomplete_tail(UTF_8, &euro[..1]), 1);
        assert_eq!(incomplete_tail(UTF_8, &euro[..2]), 2);
        assert_eq!(incomplete_tail(UTF_8, euro), 0);
        assert_eq!(incomplete_tail(UTF_8, b"ab"), 0);
        assert_eq!(incomplete_tail(UTF_8, &[0xE0, 0x80]), 0); // no valid sequence starts E0 80
        assert_eq!(incomplete_tail(UTF_8, &[0xC1]), 0); // never a lead byte
        assert_eq!(incomplete_tail(UTF_8, &[0xF0, 0x9F, 0x98]), 3);
        assert_eq!(incomplete_tail(UTF_16LE, &[0x3D, 0xD8]), 2); // lone high surrogate
        assert_eq!(incomplete_tail(UTF_16LE, &[0x41, 0x00, 0x42]), 1);
    }
}
