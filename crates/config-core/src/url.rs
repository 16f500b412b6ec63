//! Validation of http(s) URLs (hub address, external URL, receiver URLs), parsed by the
//! `http` crate's `Uri` — linked into both binaries already (hyper and reqwest in the hub,
//! ureq in the agent) — with the product's rules on top.

use http::Uri;

/// Checks that `text` is an absolute `http://` or `https://` URL with a host and an optional
/// non-zero port; returns it without a trailing slash. A bare `host:port` is refused with the
/// URL to write instead (no scheme is guessed: a token must not go out in clear by accident),
/// and so are credentials in the URL (the text is then not echoed: it may hold a password).
pub fn parse_http_url(text: &str) -> Result<String, String> {
    let bad = |why: &str| {
        format!(
            "{text:?} is not a valid http(s) URL: {why} (use e.g. https://hub.example.com:9810)"
        )
    };
    if authority_part(text).contains('@') {
        return Err("the URL must not contain credentials (use the token setting)".to_owned());
    }
    if text.chars().any(char::is_whitespace) {
        return Err(bad("it contains whitespace"));
    }
    let uri: Uri = text.parse().map_err(|_| match is_bare_authority(text) {
        true => no_scheme(text),
        false => bad("it cannot be parsed"),
    })?;
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http" | "https") => {}
        None if is_bare_authority(text) => return Err(no_scheme(text)),
        _ => return Err(bad("it must start with http:// or https://")),
    }
    let authority = uri.authority().ok_or_else(|| bad("it has no host"))?;
    if authority.host().trim_matches(['[', ']']).is_empty() {
        return Err(bad("it has no valid host name"));
    }
    if authority.port_u16() == Some(0) || has_bad_port(authority.as_str()) {
        return Err(bad("it has no valid port number"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// What stands between the scheme and the path: where credentials would be written.
fn authority_part(text: &str) -> &str {
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

fn no_scheme(text: &str) -> String {
    format!("{text:?} has no scheme: write http://{text} (or https://{text} for TLS)")
}

/// `host`, `host:port` or `[v6]:port` with nothing else: what a scheme-less hub address looks like.
fn is_bare_authority(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(['/', '@', '?', '#'])
        && text.parse::<http::uri::Authority>().is_ok_and(|a| {
            !a.host().is_empty() && a.port_u16() != Some(0) && !has_bad_port(a.as_str())
        })
}

/// An authority ending in `:` followed by something that is not a port (`Uri` keeps
/// `hub:port` as written and only reports "no port").
fn has_bad_port(authority: &str) -> bool {
    let after_host = authority
        .rsplit_once(']')
        .map_or(authority, |(_, rest)| rest);
    after_host
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_urls() {
        assert_eq!(
            parse_http_url("https://hub.example.com:9810/"),
            Ok("https://hub.example.com:9810".to_owned())
        );
        assert!(parse_http_url("http://127.0.0.1:9810").is_ok());
        assert!(parse_http_url("http://[::1]:9810/base").is_ok());
        assert!(parse_http_url("HTTPS://hub").is_ok());
        // An @ after the host (a path or query) is not a credential.
        assert!(parse_http_url("https://hooks.example.com/x?to=ops@example.com").is_ok());
    }

    #[test]
    fn a_bare_host_and_port_is_refused_with_the_url_to_write() {
        let error = parse_http_url("127.0.0.1:9810").unwrap_err();
        assert!(
            error.contains("write http://127.0.0.1:9810 (or https://127.0.0.1:9810"),
            "{error}"
        );
        let error = parse_http_url("hub.example.com").unwrap_err();
        assert!(error.contains("write http://hub.example.com"), "{error}");
        let error = parse_http_url("user:pw@hub").unwrap_err();
        assert!(!error.contains("pw"), "{error}");
    }

    #[test]
    fn rejects_other_urls() {
        for text in [
            "hub.example.com",
            "ftp://hub",
            "https://",
            "https://hub:port",
            "https://hub:0",
            "https://user:pw@hub",
            "https://hub name",
            "http://[::1",
            "http://hub:99999",
            "https://:9810",
        ] {
            assert!(parse_http_url(text).is_err(), "{text}");
        }
    }
}
