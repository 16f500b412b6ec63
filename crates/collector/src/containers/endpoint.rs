//! Which container engine the agent talks to: the configured endpoint, else `DOCKER_HOST`,
//! else the first of the usual sockets that exists; none means the family is off.

use super::client::Endpoint;
use std::path::Path;

/// The sockets tried, in order, when neither the configuration nor `DOCKER_HOST` names one.
pub const DEFAULT_SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/podman/podman.sock"];

/// The chosen endpoint and where it came from (for the start-up log line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The endpoint, or `None`: no engine, the family sends nothing.
    pub endpoint: Option<Endpoint>,
    /// `config`, `DOCKER_HOST`, `default socket` or `none`.
    pub source: &'static str,
    /// A `DOCKER_HOST` that could not be used, with why (it is skipped).
    pub ignored: Option<String>,
}

/// Resolves in order: `configured`, `docker_host` (the variable's value), then the first
/// of [`DEFAULT_SOCKETS`] for which `exists` holds.
pub fn resolve_with(
    configured: Option<&Endpoint>,
    docker_host: Option<&str>,
    exists: impl Fn(&Path) -> bool,
) -> Resolved {
    if let Some(endpoint) = configured {
        return Resolved {
            endpoint: Some(endpoint.clone()),
            source: "config",
            ignored: None,
        };
    }
    let mut ignored = None;
    if let Some(value) = docker_host.filter(|v| !v.trim().is_empty()) {
        match Endpoint::parse(value.trim()) {
            Ok(endpoint) => {
                return Resolved {
                    endpoint: Some(endpoint),
                    source: "DOCKER_HOST",
                    ignored,
                };
            }
            Err(why) => ignored = Some(format!("DOCKER_HOST ignored: {why}")),
        }
    }
    let found = DEFAULT_SOCKETS.iter().map(Path::new).find(|p| exists(p));
    match found {
        Some(path) => Resolved {
            endpoint: Some(Endpoint::Unix(path.to_path_buf())),
            source: "default socket",
            ignored,
        },
        None => Resolved {
            endpoint: None,
            source: "none",
            ignored,
        },
    }
}

/// [`resolve_with`] on this process's `DOCKER_HOST` and the file system.
pub fn resolve(configured: Option<&Endpoint>) -> Resolved {
    let docker_host = std::env::var("DOCKER_HOST").ok();
    resolve_with(configured, docker_host.as_deref(), Path::exists)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_then_docker_host_then_the_first_existing_socket() {
        let conf = Endpoint::Tcp("h:1".into());
        let all = |_: &Path| true;
        let r = resolve_with(Some(&conf), Some("unix:///x"), all);
        assert_eq!((r.endpoint, r.source), (Some(conf), "config"));
        let r = resolve_with(None, Some("unix:///x.sock"), all);
        assert_eq!(r.endpoint, Some(Endpoint::Unix("/x.sock".into())));
        assert_eq!(r.source, "DOCKER_HOST");
        let r = resolve_with(None, None, all);
        assert_eq!(
            r.endpoint,
            Some(Endpoint::Unix("/var/run/docker.sock".into()))
        );
        let podman = |p: &Path| p == Path::new("/run/podman/podman.sock");
        let r = resolve_with(None, Some(""), podman);
        assert_eq!(
            r.endpoint,
            Some(Endpoint::Unix("/run/podman/podman.sock".into()))
        );
        let r = resolve_with(None, None, |_| false);
        assert_eq!((r.endpoint, r.source), (None, "none"));
    }

    #[test]
    fn an_unusable_docker_host_is_skipped_and_said() {
        let r = resolve_with(None, Some("ssh://me@box"), |_| false);
        assert_eq!(r.endpoint, None);
        assert!(r.ignored.is_some_and(|w| w.contains("ssh://")));
    }
}
