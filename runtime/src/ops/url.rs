//! WHATWG URL parsing and setters, from the `url` crate (which implements them to the spec
//! in its `quirks` module); `URLSearchParams` is plain TypeScript on top.

use rquickjs::{Ctx, Exception, Result};
use url::{quirks, Url};

use super::Ops;

pub fn register(ops: &Ops<'_>) -> Result<()> {
    ops.add("op_url_parse", op_url_parse)?;
    ops.add("op_url_set", op_url_set)
}

/// The components of a URL, in the order lib/internal/url.ts reads them.
type Parts = Vec<String>;

fn parts(url: &Url) -> Parts {
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

/// Parses `input` against an optional `base`; `None` when either is not a valid URL.
fn op_url_parse(input: String, base: Option<String>) -> Option<Parts> {
    let base = match base {
        Some(base) => Some(Url::parse(&base).ok()?),
        None => None,
    };
    Url::options().base_url(base.as_ref()).parse(&input).ok().map(|u| parts(&u))
}

/// Applies the setter of `part` to the URL `href`, returning the new components. Invalid
/// values are ignored, as the spec's setters do.
fn op_url_set(ctx: Ctx<'_>, href: String, part: String, value: String) -> Result<Parts> {
    let mut url = Url::parse(&href).map_err(|e| Exception::throw_type(&ctx, &format!("Invalid URL '{href}': {e}")))?;
    let _ = match part.as_str() {
        "href" => {
            url = Url::parse(&value).map_err(|e| Exception::throw_type(&ctx, &format!("Invalid URL '{value}': {e}")))?;
            Ok(())
        }
        "protocol" => quirks::set_protocol(&mut url, &value),
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
        other => return Err(Exception::throw_type(&ctx, &format!("unknown URL component {other}"))),
    };
    Ok(parts(&url))
}
