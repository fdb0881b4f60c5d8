//! `TextEncoder` and `TextDecoder`: UTF-8 natively, every WHATWG label through encoding_rs.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use rquickjs::{convert::List, ArrayBuffer, Ctx, Exception, Result, Value};

use super::{
    util::{with_bytes, with_bytes_mut},
    Ops,
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_text_encode", op_text_encode)?;
    ops.add("op_text_encode_into", op_text_encode_into)?;
    ops.add("op_text_decode", op_text_decode)?;
    ops.add("op_text_encoding_name", op_text_encoding_name)
}

/// UTF-8 bytes of `text` (lone surrogates become U+FFFD, as the engine converts them).
fn op_text_encode(ctx: Ctx<'_>, text: String) -> Result<ArrayBuffer<'_>> {
    ArrayBuffer::new(ctx, text.into_bytes())
}

/// Encodes as much of `text` as fits in `dest` without splitting a character; returns
/// `[UTF-16 units read, bytes written]`.
fn op_text_encode_into<'js>(ctx: Ctx<'js>, text: String, dest: Value<'js>) -> Result<List<(usize, usize)>> {
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
/// `None` when the label is unknown.
fn op_text_encoding_name(label: String) -> Option<String> {
    Encoding::for_label(label.trim().as_bytes()).map(|e| e.name().to_ascii_lowercase())
}

/// Decodes `view` as `encoding` (a canonical name). With `stream`, an incomplete character at
/// the end is not decoded: the result says how many trailing bytes to keep for the next call.
fn op_text_decode<'js>(
    ctx: Ctx<'js>,
    view: Value<'js>,
    encoding: String,
    fatal: bool,
    strip_bom: bool,
    stream: bool,
) -> Result<List<(String, usize)>> {
    let encoding = Encoding::for_label(encoding.as_bytes()).unwrap_or(UTF_8);
    let decoded = with_bytes(&ctx, &view, |bytes| {
        let keep = if stream { incomplete_tail(encoding, bytes) } else { 0 };
        let bytes = &bytes[..bytes.len() - keep];
        let text = if fatal {
            let decoded = if strip_bom {
                encoding.decode_with_bom_removal(bytes)
            } else {
                encoding.decode_without_bom_handling(bytes)
            };
            (!decoded.1).then(|| decoded.0.into_owned())
        } else if strip_bom {
            Some(encoding.decode_with_bom_removal(bytes).0.into_owned())
        } else {
            Some(encoding.decode_without_bom_handling(bytes).0.into_owned())
        };
        text.map(|t| List((t, keep)))
    })?;
    decoded.ok_or_else(|| {
        Exception::throw_type(&ctx, &format!("The encoded data was not valid for encoding {}", encoding.name().to_ascii_lowercase()))
    })
}

/// How many bytes at the end of `bytes` start a character that is not complete yet.
fn incomplete_tail(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    if encoding == UTF_8 {
        // Look back at most 3 bytes for a lead byte whose sequence runs past the end.
        for back in 1..=bytes.len().min(3) {
            let b = bytes[bytes.len() - back];
            let need = match b {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                0x80..=0xBF => continue,
                _ => return 0,
            };
            return if need > back { back } else { 0 };
        }
        0
    } else if encoding == UTF_16LE || encoding == UTF_16BE {
        let odd = bytes.len() % 2;
        let even = &bytes[..bytes.len() - odd];
        let last_unit = even.len().checked_sub(2).map(|i| {
            let pair = [even[i], even[i + 1]];
            if encoding == UTF_16LE { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) }
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
        assert_eq!(incomplete_tail(UTF_16LE, &[0x3D, 0xD8]), 2); // lone high surrogate
        assert_eq!(incomplete_tail(UTF_16LE, &[0x41, 0x00, 0x42]), 1);
    }
}
