//! The standard formats under the resolver in lib/internal/dns.ts, which keeps the policy
//! (hosts, search list, servers, retries, error codes): DNS messages through `hickory-proto`,
//! resolv.conf through `resolv-conf`, numeric addresses through `std::net`.
//!
//! A response is read with hickory's decoders for the header, the question, names (with
//! their compression pointers and length limits) and the A, AAAA and CNAME data, but record by
//! record over the answer section rather than as a whole `Message`: a stub resolver needs
//! only those records, a record of another type is skipped unparsed (its damage is not this
//! lookup's problem), and a truncated reply keeps the records before the cut.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::{
    op::{Header, Message, MessageType, OpCode, Query},
    rr::{DNSClass, Label, Name, RData, RecordType},
    serialize::binary::{BinDecodable, BinDecoder, DecodeError, Restrict},
    ProtoError,
};
use rquickjs::{convert::List, Ctx, Object, Result, Value};

use super::Ops;
use crate::js::{
    bytes::{uint8_array_of, with_uint8_array},
    errors,
    strings::Usv,
};

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_dns_encode_query", op_dns_encode_query)?;
    ops.add("op_dns_parse_response", op_dns_parse_response)?;
    ops.add("op_dns_name_error", op_dns_name_error)?;
    ops.add("op_dns_parse_ip", op_dns_parse_ip)?;
    ops.add("op_dns_format_ip", op_dns_format_ip)?;
    ops.add("op_dns_parse_resolv_conf", op_dns_parse_resolv_conf)
}

const HEADER_LENGTH: usize = 12;

// ---------------------------------------------------------------------------------------------
// Queries

/// A standard query (RFC 1035 §4.1): recursion desired, one question for `name` (one trailing
/// dot allowed) of `kind` A (1) or AAAA (28), class IN.
fn op_dns_encode_query<'js>(ctx: Ctx<'js>, id: f64, name: Usv<'js>, kind: f64) -> Result<Value<'js>> {
    let id = query_id(&ctx, id)?;
    let kind = record_type(&ctx, kind)?;
    let text = name.strip_suffix('.').unwrap_or(&name);
    let name = name_of(text).map_err(|why| invalid_name(&ctx, &name, &why))?;
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name, kind));
    let packet =
        message.to_vec().map_err(|e| errors::internal_error(&ctx, &format!("encoding a DNS query failed: {e}")))?;
    uint8_array_of(&ctx, packet)
}

/// Why DNS cannot carry `name` (no trailing dot), or `None` if it can: what the resolver
/// checks before it reads resolv.conf, and for each name the search list makes.
fn op_dns_name_error(name: Usv<'_>) -> Option<String> {
    name_of(&name).err()
}

fn invalid_name(ctx: &Ctx<'_>, name: &str, why: &str) -> rquickjs::Error {
    errors::plain_error(ctx, &format!("Invalid hostname {}: {why}", quoted(name)))
}

/// `name` as DNS labels. Only printable ASCII is sent: an internationalized name would need
/// IDNA mapping first, which the resolver does not do, and a space or a control character is
/// a mistake in the caller's text rather than a name. The label and name length limits are
/// hickory's (RFC 1035 §2.3.4: 63 and 255 bytes on the wire, so 253 characters of text).
fn name_of(text: &str) -> std::result::Result<Name, String> {
    if text.is_empty() {
        return Err("it is empty".into());
    }
    match text.chars().find(|&c| c > '~' || c <= ' ') {
        Some(c) if c > '~' => return Err("non-ASCII names (IDN) are not supported".into()),
        Some(_) => return Err("it contains a space or control character".into()),
        None => {}
    }
    let mut labels = Vec::new();
    for label in text.split('.') {
        if label.is_empty() {
            return Err("it has an empty label".into());
        }
        labels.push(Label::from_raw_bytes(label.as_bytes()).map_err(|e| name_limit(&e))?);
    }
    Name::from_labels(labels).map_err(|e| name_limit(&e))
}

fn name_limit(error: &ProtoError) -> String {
    match error {
        ProtoError::Decode(DecodeError::LabelBytesTooLong(_)) => "it has a label longer than 63 characters".into(),
        ProtoError::Decode(DecodeError::DomainNameTooLong(_)) => "it is longer than 253 characters".into(),
        other => other.to_string(),
    }
}

fn query_id(ctx: &Ctx<'_>, id: f64) -> Result<u16> {
    if id.fract() != 0.0 || !(0.0..=65535.0).contains(&id) {
        return Err(errors::range_error(ctx, &format!("DNS query id {id} is not 16 bits")));
    }
    Ok(id as u16)
}

fn record_type(ctx: &Ctx<'_>, kind: f64) -> Result<RecordType> {
    match kind {
        1.0 => Ok(RecordType::A),
        28.0 => Ok(RecordType::AAAA),
        _ => Err(errors::type_error(ctx, &format!("DNS query type {kind} is not A (1) or AAAA (28)"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

/// The reply to query `id` for `name` (if given) of `kind`: `[rcode, addresses, truncated]`,
/// the addresses in text form (RFC 5952 for IPv6) in answer order. Only records owned by the
/// question's name or an alias of it (through CNAMEs in the answer, in any order) count. A
/// reply to a different query, or anything malformed, throws an `Error`; answers are read only
/// when rcode is 0, and in a truncated reply up to the first one that is cut off.
fn op_dns_parse_response<'js>(
    ctx: Ctx<'js>,
    bytes: Value<'js>,
    id: f64,
    kind: f64,
    name: Option<Usv<'js>>,
) -> Result<List<(u8, Vec<String>, bool)>> {
    let id = query_id(&ctx, id)?;
    let kind = record_type(&ctx, kind)?;
    let parsed = with_uint8_array(&ctx, &bytes, |bytes| parse_response(bytes, id, kind, name.as_deref()))?;
    match parsed {
        Ok(response) => Ok(List((response.rcode, response.addresses, response.truncated))),
        Err(Failure::Malformed(why)) => Err(errors::plain_error(&ctx, &format!("Malformed DNS response: {why}"))),
        Err(Failure::Mismatch(why)) => Err(errors::plain_error(&ctx, &why)),
    }
}

#[derive(Debug, PartialEq)]
struct Response {
    rcode: u8,
    addresses: Vec<String>,
    truncated: bool,
}

#[derive(Debug, PartialEq)]
enum Failure {
    /// Not a well-formed DNS response.
    Malformed(String),
    /// A well-formed response to some other query.
    Mismatch(String),
}

enum Answer {
    Alias(Name, Name),
    Address(Name, IpAddr),
    Other,
}

fn parse_response(
    bytes: &[u8],
    id: u16,
    kind: RecordType,
    name: Option<&str>,
) -> std::result::Result<Response, Failure> {
    use Failure::{Malformed, Mismatch};
    if bytes.len() < HEADER_LENGTH {
        return Err(Malformed(format!("{} bytes is shorter than a header", bytes.len())));
    }
    let mut decoder = BinDecoder::new(bytes);
    let Header { metadata, counts } = Header::read(&mut decoder).map_err(|e| Malformed(why(&e, "the header")))?;
    if metadata.id != id {
        return Err(Mismatch(format!("DNS response id {} does not match query id {id}", metadata.id)));
    }
    if metadata.message_type != MessageType::Response {
        return Err(Malformed("the QR bit is clear (it is a query)".into()));
    }
    if metadata.op_code != OpCode::Query {
        return Err(Malformed(format!("opcode {} is not a standard query", u8::from(metadata.op_code))));
    }
    let truncated = metadata.truncation;
    // The header's four bits: without an OPT record of our own there is no extended rcode.
    let rcode = metadata.response_code.low();

    // Error replies may leave the question out (FORMERR replies do); answers must carry it.
    if counts.queries > 1 || counts.queries == 0 && rcode == 0 {
        return Err(Malformed(format!("{} questions, not 1", counts.queries)));
    }
    let mut question = None;
    if counts.queries == 1 {
        let query = Query::read(&mut decoder).map_err(|e| Malformed(why(&e, "the question")))?;
        let (query_type, query_class) = (u16::from(query.query_type()), u16::from(query.query_class()));
        if query.query_type() != kind || query.query_class() != DNSClass::IN {
            return Err(Mismatch(format!(
                "DNS response is for type {query_type} class {query_class}, not type {} class IN",
                u16::from(kind)
            )));
        }
        if let Some(name) = name {
            let asked = name.strip_suffix('.').unwrap_or(name);
            if !same_name(query.name(), asked) {
                return Err(Mismatch(format!(
                    "DNS response is for {}, not {}",
                    quoted(&text_of(query.name())),
                    quoted(&asked.to_ascii_lowercase())
                )));
            }
        }
        question = Some(query.name().clone());
    }
    let Some(question) = question.filter(|_| rcode == 0) else {
        return Ok(Response { rcode, addresses: Vec::new(), truncated });
    };

    let mut aliases = Vec::new();
    let mut found = Vec::new();
    for number in 1..=counts.answers {
        match read_answer(&mut decoder, kind, number) {
            Ok(Answer::Alias(from, to)) => aliases.push((from, to)),
            Ok(Answer::Address(owner, address)) => found.push((owner, address)),
            Ok(Answer::Other) => {}
            Err(_) if truncated => break,
            Err(why) => return Err(Malformed(why)),
        }
    }

    // Follow CNAMEs from the question; each pass adds an alias or ends the loop.
    let mut names = vec![question];
    let mut grew = true;
    while grew {
        grew = false;
        for (from, to) in &aliases {
            if names.contains(from) && !names.contains(to) {
                names.push(to.clone());
                grew = true;
            }
        }
    }
    let addresses =
        found.into_iter().filter(|(owner, _)| names.contains(owner)).map(|(_, address)| address.to_string()).collect();
    Ok(Response { rcode, addresses, truncated })
}

/// The resource record at the decoder (RFC 1035 §4.1.3), read as far as the resolver needs:
/// the data of CNAMEs and of addresses of the asked type, in class IN; other records are
/// skipped.
fn read_answer(decoder: &mut BinDecoder<'_>, kind: RecordType, number: u16) -> std::result::Result<Answer, String> {
    let this = format!("answer {number}");
    let past_end = || format!("{this} runs past the end of the message");
    let owner = Name::read(decoder).map_err(|e| why(&e, &this))?;
    // Type, class, TTL and data length.
    if decoder.len() < 10 {
        return Err(past_end());
    }
    let record_type = RecordType::read(decoder).map_err(|e| why(&e, &this))?;
    let class = DNSClass::read(decoder).map_err(|e| why(&e, &this))?;
    decoder.read_u32().map_err(|e| why(&e, &this))?;
    let length = decoder.read_u16().map_err(|e| why(&e, &this))?.unverified(/* checked below */);
    if usize::from(length) > decoder.len() {
        return Err(past_end());
    }
    let wanted = class == DNSClass::IN && (record_type == RecordType::CNAME || record_type == kind);
    if !wanted {
        decoder.read_slice(usize::from(length)).map_err(|e| why(&e, &this))?;
        return Ok(Answer::Other);
    }
    if record_type != RecordType::CNAME {
        let size = if kind == RecordType::A { 4 } else { 16 };
        if usize::from(length) != size {
            return Err(format!("{this} has {length} bytes of address, not {size}"));
        }
    }
    let data = RData::read(decoder, record_type, Restrict::new(length)).map_err(|e| match e {
        DecodeError::IncorrectRDataLengthRead { .. } => format!("the CNAME in {this} does not fill its data"),
        e => why(&e, &this),
    })?;
    Ok(match data {
        RData::CNAME(target) => Answer::Alias(owner, target.0),
        RData::A(address) => Answer::Address(owner, IpAddr::V4(address.0)),
        RData::AAAA(address) => Answer::Address(owner, IpAddr::V6(address.0)),
        _ => Answer::Other,
    })
}

/// What a decoding error says about a message, in words; `what` is the part being read.
fn why(error: &DecodeError, what: &str) -> String {
    match error {
        DecodeError::InsufficientBytes => format!("{what} runs past the end of the message"),
        // Encoders only point back at names already written; hickory enforces it, which also
        // makes every walk over pointers end, whatever cycles a message contains.
        DecodeError::PointerNotPriorToLabel { idx, .. } => {
            format!("a compression pointer at byte {idx} does not point back")
        }
        DecodeError::LabelOverlapsWithOther { other, .. } => {
            format!("a name reached through a compression pointer runs into the name at byte {other}")
        }
        DecodeError::DomainNameTooLong(_) => "a name is longer than 255 bytes".into(),
        DecodeError::UnrecognizedLabelCode(code) => format!("unsupported label type 0x{:x}", code & 0xc0),
        other => format!("{what}: {other}"),
    }
}

/// Whether `name` (from a message) is `text` (dotted, no trailing dot), ignoring ASCII case.
/// Labels are compared as bytes, so a label holding a "." never passes for two.
fn same_name(name: &Name, text: &str) -> bool {
    let mut labels = name.iter();
    if !text.is_empty() {
        for part in text.split('.') {
            match labels.next() {
                Some(label) if label.eq_ignore_ascii_case(part.as_bytes()) => {}
                _ => return false,
            }
        }
    }
    labels.next().is_none()
}

/// A name from a message as text, for error messages: lower case, dotted, "" for the root,
/// with "." and "\" inside a label escaped and other bytes as Latin-1 characters.
fn text_of(name: &Name) -> String {
    let mut text = String::new();
    for (i, label) in name.iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        for &byte in label {
            if byte == b'.' || byte == b'\\' {
                text.push('\\');
            }
            text.push(char::from(byte.to_ascii_lowercase()));
        }
    }
    text
}

/// `text` as a JSON string, as JS's `JSON.stringify` writes it.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

// ---------------------------------------------------------------------------------------------
// Numeric addresses

/// A numeric address, IPv6 optionally in brackets: its 4 or 16 bytes, or `None`. `std::net`'s
/// parsers are inet_pton's strict forms: four decimal octets without leading zeros (no
/// "127.1", no hex, no octal), IPv6 groups of at most four hex digits with at most one "::"
/// standing for one group or more, an optional dotted IPv4 tail, and no zone id.
fn op_dns_parse_ip<'js>(ctx: Ctx<'js>, text: Usv<'js>) -> Result<Option<Value<'js>>> {
    parse_ip(&text)
        .map(|ip| match ip {
            IpAddr::V4(v4) => uint8_array_of(&ctx, v4.octets().to_vec()),
            IpAddr::V6(v6) => uint8_array_of(&ctx, v6.octets().to_vec()),
        })
        .transpose()
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    match text.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']')?.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        None => text.parse().ok(),
    }
}

/// The text form of 4 or 16 address bytes: a dotted quad, or RFC 5952's canonical IPv6 (an
/// IPv4-mapped address keeps its dotted tail, as inet_ntop writes it).
fn op_dns_format_ip<'js>(ctx: Ctx<'js>, bytes: Value<'js>) -> Result<String> {
    let ip = with_uint8_array(&ctx, &bytes, |bytes| {
        if let Ok(v4) = <[u8; 4]>::try_from(&*bytes) {
            Some(IpAddr::V4(Ipv4Addr::from(v4)))
        } else {
            <[u8; 16]>::try_from(&*bytes).ok().map(|v6| IpAddr::V6(Ipv6Addr::from(v6)))
        }
    })?;
    ip.map(|ip| ip.to_string()).ok_or_else(|| errors::type_error(&ctx, "expected 4 or 16 bytes of address"))
}

// ---------------------------------------------------------------------------------------------
// resolv.conf

/// resolv.conf(5) as written: `{ nameservers, search, ndots, timeout, attempts }`, with glibc's
/// defaults for what it does not say (timeout in seconds). Lines that do not parse and
/// nameservers with a zone id are skipped; `search` is that of the last `search` or `domain`
/// line. The resolver applies glibc's limits.
fn op_dns_parse_resolv_conf<'js>(ctx: Ctx<'js>, text: Usv<'js>) -> Result<Object<'js>> {
    // Best effort, as glibc reads it: a line in error is skipped, the rest still counts.
    let (conf, _errors) = resolv_conf::Config::parse_with_errors(text.as_bytes());
    let nameservers: Vec<String> = conf
        .nameservers
        .iter()
        .filter_map(|server| match server {
            resolv_conf::ScopedIp::V4(v4) => Some(v4.to_string()),
            resolv_conf::ScopedIp::V6(v6, None) => Some(v6.to_string()),
            resolv_conf::ScopedIp::V6(_, Some(_)) => None,
        })
        .collect();
    let search: Vec<String> = conf.get_last_search_or_domain().cloned().collect();
    let object = Object::new(ctx)?;
    object.set("nameservers", nameservers)?;
    object.set("search", search)?;
    object.set("ndots", conf.ndots)?;
    object.set("timeout", conf.timeout)?;
    object.set("attempts", conf.attempts)?;
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_parses_addresses_as_strictly_as_inet_pton() {
        for good in ["1.2.3.4", "0.0.0.0", "::", "::1", "1::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7::", "[::1]"] {
            assert!(parse_ip(good).is_some(), "{good}");
        }
        for bad in [
            "127.1",
            "01.2.3.4",
            "1.2.3.00",
            "0x1.2.3.4",
            "1.2.3.4.",
            " 1.2.3.4",
            "１.2.3.4",
            "fe80::1%eth0",
            "[fe80::1%25eth0]",
            "12345::",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "::ffff:01.2.3.4",
            "[1.2.3.4]",
            "1:2:3:4:5:6:7:1.2.3.4",
            "[::1",
            "::1]",
        ] {
            assert!(parse_ip(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn names_are_checked_before_a_query_is_made() {
        assert!(name_of("example.com").is_ok());
        assert_eq!(name_of(&"a".repeat(64)).unwrap_err(), "it has a label longer than 63 characters");
        let longest = [&"a".repeat(63)[..], &"a".repeat(63), &"a".repeat(63), &"b".repeat(61)].join(".");
        assert!(name_of(&longest).is_ok());
        assert_eq!(name_of(&format!("{longest}b")).unwrap_err(), "it is longer than 253 characters");
        assert_eq!(name_of("a..b").unwrap_err(), "it has an empty label");
    }

    #[test]
    fn a_query_is_one_recursive_question() {
        let mut message = Message::new(0x1234, MessageType::Query, OpCode::Query);
        message.metadata.recursion_desired = true;
        message.add_query(Query::query(name_of("example.com").unwrap(), RecordType::A));
        let mut expected = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7];
        expected.extend_from_slice(b"example\x03com\x00\x00\x01\x00\x01");
        assert_eq!(message.to_vec().unwrap(), expected);
    }

    #[test]
    fn a_response_is_read_through_pointers_and_aliases() {
        // example.com CNAME www.example.com (a pointer into the question), which has A 1.2.3.4.
        let mut bytes = vec![0, 7, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0, 7];
        bytes.extend_from_slice(b"example\x03com\x00\x00\x01\x00\x01");
        bytes.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, b'w', b'w', b'w', 0xc0, 12]);
        bytes.extend_from_slice(&[0xc0, 41, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4]);
        let response = parse_response(&bytes, 7, RecordType::A, Some("EXAMPLE.com.")).unwrap();
        assert_eq!(response, Response { rcode: 0, addresses: vec!["1.2.3.4".into()], truncated: false });
        assert!(matches!(parse_response(&bytes, 8, RecordType::A, None), Err(Failure::Mismatch(_))));
        let cut = parse_response(&bytes[..bytes.len() - 1], 7, RecordType::A, None);
        assert_eq!(cut, Err(Failure::Malformed("answer 2 runs past the end of the message".into())));
    }
}
