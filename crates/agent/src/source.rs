//! The real frame source: the Linux collector, configured from the agent settings.

use crate::run::FrameSource;
use hostpulse_agent_config::CollectSettings;
use hostpulse_collector::{Collector, CollectorConfig};
use hostpulse_core::HostFacts;
use hostpulse_proto::Frame;

impl FrameSource for Collector {
    fn collect(&mut self, now_ms: i64) -> Frame {
        Collector::collect(self, now_ms)
    }

    fn facts(&self) -> HostFacts {
        Collector::facts(self)
    }

    fn refresh_facts(&mut self) {
        Collector::refresh_facts(self);
    }
}

/// Collector settings derived from the agent's collect settings; user names are read from
/// the host root's `etc/passwd`.
pub fn collector_config(settings: &CollectSettings) -> CollectorConfig {
    let paths = &settings.paths;
    CollectorConfig {
        proc_path: paths.proc.clone(),
        sys_path: paths.sys.clone(),
        rootfs_path: paths.rootfs.clone(),
        utmp_path: paths.utmp.clone(),
        etc_passwd_path: paths.rootfs.join("etc/passwd"),
        display_name: settings.display_name.clone(),
        process_interval_ms: u64::try_from(settings.process_interval.as_millis())
            .unwrap_or(u64::MAX),
        users_interval_ms: u64::try_from(settings.users_interval.as_millis()).unwrap_or(u64::MAX),
        top_n: settings.top_n,
        families: settings.families.iter().map(|f| (*f).to_owned()).collect(),
        containers: hostpulse_collector::containers::configure(
            settings.containers.endpoint.as_deref(),
            settings.containers.stats_interval,
            settings.families.contains(&"containers"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_settings_and_collects_from_this_machine() {
        let settings = CollectSettings::default();
        let config = collector_config(&settings);
        assert_eq!(config.etc_passwd_path, std::path::Path::new("/etc/passwd"));
        assert_eq!(config.process_interval_ms, 15_000);
        let mut collector = Collector::new(config);
        let frame = FrameSource::collect(&mut collector, 1_700_000_000_000);
        assert_eq!(frame.ts_ms, 1_700_000_000_000);
        assert!(!frame.samples.is_empty());
        assert!(!FrameSource::facts(&collector).hostname.is_empty());
    }

    #[test]
    fn families_turned_off_in_the_file_send_no_samples() {
        let text = "hub: https://hub\ntoken: t\nfamilies:\n  users: false\n  processes: false\n";
        let name = std::path::Path::new("agent.yaml");
        let config = hostpulse_agent_config::load_agent_config_text(
            text,
            name,
            &[],
            &hostpulse_agent_config::AgentOverrides::default(),
        )
        .unwrap();
        let mut collector = Collector::new(collector_config(&config.collect));
        assert!(!collector.family_names().contains(&"users"));
        let frame = FrameSource::collect(&mut collector, 1_700_000_000_000);
        let names: Vec<&str> = frame.samples.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"mem.total_bytes") && names.contains(&"load.1"));
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("proc.") || n.starts_with("users.")),
            "{names:?}"
        );
        assert!(frame.processes.is_none() && frame.users.is_none());
    }
}
