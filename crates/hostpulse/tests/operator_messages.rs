//! Operator mistakes get messages that say what to fix, from the real `hostpulse` and
//! `hostpulse-agent` binaries: a hub address without a scheme, https against the plain-HTTP
//! hub, an agent token given to the CLI, revoking twice; and logs carry no ANSI colour
//! when stderr is not a terminal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{
    Hub, Mode, START_TIMEOUT, agent_bin, clean_command, kill_and_reap, run_cli, text, wait_for,
};
use std::process::Stdio;

const ESC: char = '\u{1b}';

fn address(hub: &Hub) -> String {
    hub.url.trim_start_matches("http://").to_string()
}

#[test]
fn the_cli_says_which_url_to_write_and_when_https_meets_plain_http() {
    let hub = Hub::start(Mode::Hub);
    let addr = address(&hub);
    let data_dir = hub.data_dir();
    let data_dir = data_dir.to_str().unwrap();

    let bare = run_cli(&["status", "--hub", &addr, "--data-dir", data_dir]);
    assert!(!bare.status.success());
    let stderr = text(&bare.stderr);
    assert!(
        stderr.contains(&format!("write http://{addr}")),
        "a bare host:port is answered with the URL to write:\n{stderr}"
    );

    let https = format!("https://{addr}");
    let tls = run_cli(&["status", "--hub", &https, "--data-dir", data_dir]);
    assert!(!tls.status.success());
    let stderr = text(&tls.stderr);
    assert!(
        stderr.contains(&format!(
            "the hub at {https} answered plain HTTP; use http://{addr}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("InvalidContentType"), "{stderr}");
    assert!(
        !hub.stderr(1).contains(ESC),
        "the hub's log (not a terminal) has ANSI escapes:\n{}",
        hub.stderr(1)
    );
}

#[test]
fn an_agent_token_given_to_the_cli_is_named_with_what_to_use_instead() {
    let hub = Hub::start(Mode::Hub);
    let agent_token = hub.add_agent("web-1");

    let out = hub.cli(&["agents", "list", "--token", &agent_token]);
    assert!(!out.status.success(), "an agent token must not list agents");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("403") && stderr.contains("agent token"),
        "{stderr}"
    );
    let admin_file = hub.data_dir().join("admin.token");
    assert!(
        stderr.contains(&admin_file.display().to_string()),
        "the message points at the admin token file:\n{stderr}"
    );
}

#[test]
fn revoking_an_unknown_or_revoked_agent_fails_with_404() {
    let hub = Hub::start(Mode::Hub);
    hub.add_agent("web-1");
    let first = hub.cli(&["agents", "revoke", "web-1"]);
    assert!(first.status.success(), "{}", text(&first.stderr));

    let again = hub.cli(&["agents", "revoke", "web-1"]);
    assert!(!again.status.success(), "a second revoke must fail");
    let stderr = text(&again.stderr);
    assert!(
        stderr.contains("404") && stderr.contains("already revoked"),
        "{stderr}"
    );

    let unknown = hub.cli(&["agents", "revoke", "nobody"]);
    assert!(!unknown.status.success(), "revoking nobody must fail");
    let stderr = text(&unknown.stderr);
    assert!(
        stderr.contains("404") && stderr.contains("no agent named \"nobody\""),
        "{stderr}"
    );
}

#[test]
fn the_agent_says_which_url_to_write_and_when_https_meets_plain_http() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("web-1");
    let addr = address(&hub);
    let dir = tempfile::tempdir().unwrap();

    let bare = clean_command(&agent_bin())
        .args(["--hub", &addr, "--token", &token])
        .output()
        .expect("run hostpulse-agent");
    assert_eq!(bare.status.code(), Some(2), "{}", text(&bare.stderr));
    let stderr = text(&bare.stderr);
    assert!(stderr.contains(&format!("write http://{addr}")), "{stderr}");

    let log = dir.path().join("agent.err");
    let https = format!("https://{addr}");
    let mut child = clean_command(&agent_bin())
        .args(["--hub", &https, "--token", &token, "--interval", "1s"])
        .args(["--log-format", "text"])
        .arg("--spool-dir")
        .arg(dir.path().join("spool"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn hostpulse-agent");
    let advice = format!("the hub at {https} answered plain HTTP; use http://{addr}");
    let logged = wait_for(
        "the agent to log the plain-HTTP advice",
        START_TIMEOUT,
        || {
            let logged = std::fs::read_to_string(&log).unwrap_or_default();
            logged.contains(&advice).then_some(logged)
        },
    );
    kill_and_reap(&mut child);
    assert!(
        !logged.contains(ESC),
        "the agent's log (not a terminal) has ANSI escapes:\n{logged}"
    );
}

#[test]
fn rules_check_warns_about_unknown_metrics_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.yaml");
    let yaml = "\
rules:
  - name: busy_cpu
    expr: avg(cpu.usage_percnt, 5m) > 90
";
    std::fs::write(&file, yaml).unwrap();
    let out = run_cli(&["rules", "check", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(
        out.status.success(),
        "a warning does not fail the check:\n{stderr}"
    );
    assert!(
        stderr.contains(
            "rule \"busy_cpu\": unknown metric \"cpu.usage_percnt\" (did you mean \"cpu.usage_percent\"?)"
        ),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("1 rule(s) OK, 1 warning(s)"),
        "{}",
        text(&out.stdout)
    );
}

fn this_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

/// Lines of the indented block under the line starting with `title`.
fn block<'a>(stdout: &'a str, title: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .skip_while(|line| !line.trim_start().starts_with(title))
        .take_while(|line| line.starts_with("  "))
        .collect()
}

#[test]
fn status_shows_sizes_humanised_in_aligned_columns() {
    let hub = Hub::start(Mode::Up);
    let host = this_hostname();
    let stdout = wait_for("a host detail with processes", START_TIMEOUT, || {
        let out = hub.cli(&["status", &host]);
        let stdout = text(&out.stdout);
        (out.status.success()
            && stdout.contains("mem.total_bytes")
            && stdout.contains("top by CPU:"))
        .then_some(stdout)
    });
    let metrics = block(&stdout, "METRIC");
    assert!(metrics.len() > 10, "{stdout}");
    let width = metrics[0].chars().count();
    assert!(
        metrics.iter().all(|line| line.chars().count() == width),
        "metric rows are not aligned:\n{stdout}"
    );
    let memory = metrics
        .iter()
        .find(|line| line.trim_start().starts_with("mem.total_bytes "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let value = memory
        .split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        value.ends_with(" GiB") || value.ends_with(" MiB"),
        "mem.total_bytes is not humanised: {memory:?}"
    );
    let processes: Vec<&str> = stdout
        .lines()
        .skip_while(|line| !line.starts_with("top by CPU:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect();
    let rss_end = processes[0].chars().count();
    assert!(
        processes.iter().all(|line| line.chars().count() == rss_end)
            && processes[1..]
                .iter()
                .all(|line| line.ends_with("iB") || line.ends_with(" B")),
        "process rows are not aligned or RSS is not humanised:\n{stdout}"
    );
}

#[test]
fn the_hub_logs_rules_that_read_unknown_metrics() {
    let extra = "rule_files:\n  - {dir}/rules.yaml\n";
    let hub = Hub::start_with(Mode::Hub, extra, |dir| {
        let yaml = "rules:\n  - name: busy_cpu\n    expr: avg(cpu.usage_percnt, 5m) > 90\n";
        std::fs::write(dir.join("rules.yaml"), yaml).unwrap();
    });
    let log = hub.stderr(1);
    assert!(
        log.contains("WARN")
            && log.contains(
                "rule \"busy_cpu\": unknown metric \"cpu.usage_percnt\" (did you mean \"cpu.usage_percent\"?)"
            ),
        "{log}"
    );
}
