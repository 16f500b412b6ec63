//! The `containers:` section: which container engine the agent talks to and how often it
//! reads per-container stats (shared by the agent and the hub's `local_agent:`).

use std::time::Duration;

use serde::Deserialize;

use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::validate::{Validator, join};

/// Default `containers.stats_interval`.
pub const DEFAULT_STATS_INTERVAL: Duration = Duration::from_secs(10);

/// The validated `containers:` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainersSettings {
    /// `unix:///path` or `tcp://host:port` as written; `None`: `DOCKER_HOST`, else the
    /// usual sockets (`/var/run/docker.sock`, `/run/podman/podman.sock`).
    pub endpoint: Option<String>,
    /// Per-container stats (and a full re-inspect) are read at most this often.
    pub stats_interval: Duration,
}

impl Default for ContainersSettings {
    fn default() -> Self {
        Self {
            endpoint: None,
            stats_interval: DEFAULT_STATS_INTERVAL,
        }
    }
}

/// The `containers:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContainers {
    endpoint: Option<Scalar>,
    stats_interval: Option<Scalar>,
}

impl RawContainers {
    /// Validates the section found at `path` (`containers` or `local_agent.containers`).
    pub fn validate(self, v: &mut Validator, path: &str) -> ContainersSettings {
        let endpoint = v.parse_or(&join(path, "endpoint"), self.endpoint, None, |text| {
            check_endpoint(text).map(|()| Some(text.to_owned()))
        });
        let stats_interval = v.duration(
            &join(path, "stats_interval"),
            self.stats_interval,
            DEFAULT_STATS_INTERVAL,
            Duration::from_secs(1),
        );
        ContainersSettings {
            endpoint,
            stats_interval,
        }
    }
}

/// Accepts `unix:///absolute/path`, an absolute socket path or `tcp://host:port` (plain
/// TCP: the engine API is spoken without TLS, so only to a local or trusted address).
pub fn check_endpoint(text: &str) -> Result<(), String> {
    let hint = "use unix:///var/run/docker.sock or tcp://127.0.0.1:2375";
    if let Some(path) = text
        .strip_prefix("unix://")
        .or(text.strip_prefix("/").map(|_| text))
    {
        if path.starts_with('/') && path.len() > 1 {
            return Ok(());
        }
        return Err(format!(
            "{text:?}: a unix socket needs an absolute path ({hint})"
        ));
    }
    if let Some(addr) = text.strip_prefix("tcp://") {
        let ok = addr
            .trim_end_matches('/')
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if ok {
            return Ok(());
        }
        return Err(format!("{text:?}: a tcp endpoint needs host:port ({hint})"));
    }
    Err(format!(
        "{text:?} is not a container engine endpoint (TLS is not supported; {hint})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_unix_sockets_or_plain_tcp() {
        for ok in [
            "unix:///var/run/docker.sock",
            "/run/podman/podman.sock",
            "tcp://127.0.0.1:2375",
        ] {
            assert_eq!(check_endpoint(ok), Ok(()), "{ok}");
        }
        for bad in [
            "unix://docker.sock",
            "tcp://host",
            "https://h:2376",
            "docker.sock",
            "/",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }
}
