//! Validation of http(s) URLs (hub address, external URL) without a URL library.

/// Checks that `text` is an absolute `http://` or `https://` URL with a host and an optional
/// numeric port; returns it without a trailing slash. A bare `host:port` is refused with the
/// URL to write instead (no scheme is guessed: a token must not go out in clear by accident).
pub fn parse_http_url(text: &str) -> Result<String, String> {
    let bad = |why: &str| {
        format!(
            "{text:?} is not a valid http(s) URL: {why} (use e.g. https://hub.example.com:9810)"
        )
    };
    let lower = text.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &text[8..]
    } else if lower.starts_with("http://") {
        &text[7..]
    } else if is_bare_authority(text) {
        return Err(format!(
            "{text:?} has no scheme: write http://{text} (or https://{text} for TLS)"
        ));
    } else if text.contains('@') {
        return Err("the URL must not contain credentials (use the token setting)".to_owned());
    } else {
        return Err(bad("it must start with http:// or https://"));
    };
    if text.chars().any(char::is_whitespace) {
        return Err(bad("it contains whitespace"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        // The text is not echoed: it may contain a password.
        return Err("the URL must not contain credentials (use the token setting)".to_owned());
    }
    check_authority(authority).map_err(|why| bad(&why))?;
    Ok(text.trim_end_matches('/').to_owned())
}

/// `host`, `host:port` or `[v6]:port` with nothing else: what a scheme-less hub address looks like.
fn is_bare_authority(text: &str) -> bool {
    !text.is_empty() && !text.contains(['/', '@', '?', '#']) && check_authority(text).is_ok()
}

fn check_authority(authority: &str) -> Result<(), String> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or("the IPv6 address is missing its closing ]")?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c));
    if !host_ok {
        return Err("it has no valid host name".to_owned());
    }
    match port {
        Some(port) if port.parse::<u16>().map_or(true, |p| p == 0) => {
            Err(format!("{port:?} is not a port number"))
        }
        _ => Ok(()),
    }
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
        ] {
            assert!(parse_http_url(text).is_err(), "{text}");
        }
    }
}
