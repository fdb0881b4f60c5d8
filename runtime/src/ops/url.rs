//! WHATWG URL parsing and setters, from the `url` crate (which implements them to the spec
//! in its `quirks` module); `URLSearchParams` is plain TypeScript on top.

use crate::js::errors;
use rquickjs::{Ctx, Result};
use url::{quirks, Url};

use super::Ops;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_url_parse", op_url_parse)?;
    ops.add("op_url_set", op_url_set)
}

/// The components of a URL, in the order lib/internal/url.ts reads them.
type Parts = Vec<String>;

fn parts(mut url: Url) -> Parts {
    encode_carets(&mut url);
    let url = &url;
    vec![
        quirks::href(url).to_owned(),
        quirks::protocol(url).to_owned(),
        quirks::username(url).to_owned(),
        quirks::password(url).to_owned(),
        quirks::host(url).to_owned(),
        quirks::hostname(url).to_owned(),
        quirks::port(url).to_owned(),
        quirks::pathname(url).to_owned(),
        quirks::search(url).to_owned(),
        quirks::hash(url).to_owned(),
        quirks::origin(url),
    ]
}

/// `^` joined the spec's path percent-encode set in 2025 (whatwg/url#846); the `url` crate
/// (2.5.8) does not encode it yet. Opaque paths (`mailto:a^b`) keep it, as the spec says.
fn encode_carets(url: &mut Url) {
    if !url.cannot_be_a_base() && url.path().contains('^') {
        let path = url.path().replace('^', "%5E");
        url.set_path(&path);
    }
}

/// Parses `input` against an optional `base`; `None` when either is not a valid URL.
fn op_url_parse(input: String, base: Option<String>) -> Option<Parts> {
    let base = match base {
        Some(base) => Some(Url::parse(&base).ok()?),
        None => None,
    };
    Url::options().base_url(base.as_ref()).parse(&input).ok().map(parts)
}

/// Applies the setter of `part` to the URL `href`, returning the new components. Invalid
/// values are ignored, as the spec's setters do.
fn op_url_set(ctx: Ctx<'_>, href: String, part: String, value: String) -> Result<Parts> {
    let mut url = Url::parse(&href).map_err(|e| errors::type_error(&ctx, &format!("Invalid URL '{href}': {e}")))?;
    let _ = match part.as_str() {
        "protocol" => quirks::set_protocol(&mut url, &value).or_else(|()| set_file_scheme(&mut url, &value)),
        "username" => quirks::set_username(&mut url, &value),
        "password" => quirks::set_password(&mut url, &value),
        "host" => quirks::set_host(&mut url, &value),
        "hostname" => quirks::set_hostname(&mut url, &value),
        "port" => quirks::set_port(&mut url, &value),
        "pathname" => {
            quirks::set_pathname(&mut url, &value);
            Ok(())
        }
        "search" => {
            quirks::set_search(&mut url, &value);
            Ok(())
        }
        "hash" => {
            quirks::set_hash(&mut url, &value);
            Ok(())
        }
        other => return Err(errors::type_error(&ctx, &format!("unknown URL component {other}"))),
    };
    Ok(parts(url))
}

/// The protocol setter from a special scheme to `file`, which the `url` crate refuses for any
/// URL with a host; the spec refuses it only with credentials or a port (`http://h/` becomes
/// `file://h/`). The rest of the URL is reparsed, which keeps it as it was, bar a `localhost`
/// host that reparsing empties.
fn set_file_scheme(url: &mut Url, value: &str) -> std::result::Result<(), ()> {
    let scheme = value.split(':').next().unwrap_or_default();
    let special = matches!(url.scheme(), "http" | "https" | "ws" | "wss" | "ftp");
    if !scheme.eq_ignore_ascii_case("file")
        || !special
        || !url.username().is_empty()
        || url.password().is_some()
        || url.port().is_some()
    {
        return Err(());
    }
    *url = Url::parse(&format!("file{}", &url.as_str()[url.scheme().len()..])).map_err(|_| ())?;
    Ok(())
}
