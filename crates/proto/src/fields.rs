//! Field-by-field checks of a batch's identity, facts and snapshots: every string bounded
//! and printable (no control characters), every list bounded, numbers in sane ranges.
//! A failure names the field by its JSON path (`agent.hostname`, `facts.ips[3]`,
//! `frames[2].samples[10].labels.mount`) and the limit.

use crate::batch::{AgentIdentity, Frame, IngestBatch};
use hostpulse_core::{HostFacts, ProcessInfo, UserSession, first_unprintable};

/// Bounds on the fields of a batch (the sizes of the batch itself are in [`crate::Limits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLimits {
    /// Longest host name, display name or agent version, bytes (DNS names are at most 253).
    pub max_name_bytes: usize,
    /// Longest other facts or snapshot string (OS, kernel, IP, process, user, tty), bytes.
    pub max_text_bytes: usize,
    /// Longest collector error message, bytes.
    pub max_message_bytes: usize,
    /// Longest instance or run id, bytes.
    pub max_id_bytes: usize,
    /// Most entries in `facts.ips`.
    pub max_ips: usize,
    /// Most processes in each list of a process snapshot.
    pub max_processes: usize,
    /// Most user sessions in one frame.
    pub max_users: usize,
    /// Most collector errors in one frame.
    pub max_errors: usize,
    /// Shortest collection interval accepted, milliseconds.
    pub min_interval_ms: u64,
    /// Longest collection interval accepted, milliseconds.
    pub max_interval_ms: u64,
}

impl Default for FieldLimits {
    fn default() -> Self {
        Self {
            max_name_bytes: 253,
            max_text_bytes: 256,
            max_message_bytes: 1024,
            max_id_bytes: 64,
            max_ips: 64,
            max_processes: 100,
            max_users: 256,
            max_errors: 64,
            min_interval_ms: 1_000,
            max_interval_ms: 3_600_000,
        }
    }
}

/// One field that breaks a limit: its JSON path and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct FieldError {
    /// JSON path of the field, e.g. `facts.ips[3]`.
    pub path: String,
    /// What is wrong with it, naming the limit.
    pub problem: String,
}

type Checked = Result<(), FieldError>;

fn fail(path: impl Into<String>, problem: String) -> Checked {
    Err(FieldError {
        path: path.into(),
        problem,
    })
}

/// A string of at most `max` bytes with only printable characters; `required` refuses "".
pub fn check_text(path: &dyn Fn() -> String, text: &str, max: usize, required: bool) -> Checked {
    if required && text.is_empty() {
        return fail(path(), "must not be empty".into());
    }
    if text.len() > max {
        let len = text.len();
        return fail(path(), format!("is {len} bytes long; the limit is {max}"));
    }
    if let Some((at, c)) = first_unprintable(text) {
        let code = u32::from(c);
        return fail(
            path(),
            format!(
                "contains the control character U+{code:04X} at byte {at}; only printable text is allowed"
            ),
        );
    }
    Ok(())
}

fn check_len(path: &dyn Fn() -> String, len: usize, max: usize) -> Checked {
    if len > max {
        return fail(path(), format!("has {len} entries; the limit is {max}"));
    }
    Ok(())
}

fn check_id(path: &str, id: &str, max: usize) -> Checked {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if id.is_empty() || id.len() > max || !id.bytes().all(ok) {
        return fail(
            path,
            format!("must be 1 to {max} characters of [A-Za-z0-9_-]"),
        );
    }
    Ok(())
}

/// Checks every identity, facts and snapshot field of `batch`, and every label value.
pub fn check_fields(batch: &IngestBatch, limits: &FieldLimits, max_label: usize) -> Checked {
    check_identity(&batch.agent, limits)?;
    if let Some(facts) = &batch.facts {
        check_facts(facts, limits)?;
    }
    for (i, frame) in batch.frames.iter().enumerate() {
        check_frame(i, frame, limits, max_label)?;
    }
    Ok(())
}

fn check_identity(agent: &AgentIdentity, limits: &FieldLimits) -> Checked {
    let name = limits.max_name_bytes;
    check_text(&|| "agent.hostname".into(), &agent.hostname, name, true)?;
    if let Some(display) = &agent.display_name {
        check_text(&|| "agent.display_name".into(), display, name, true)?;
    }
    check_text(
        &|| "agent.agent_version".into(),
        &agent.agent_version,
        name,
        false,
    )?;
    check_id("agent.instance_id", &agent.instance_id, limits.max_id_bytes)?;
    check_id("agent.run_id", &agent.run_id, limits.max_id_bytes)?;
    if let Some(previous) = &agent.previous_run_id {
        check_id("agent.previous_run_id", previous, limits.max_id_bytes)?;
    }
    let (min, max) = (limits.min_interval_ms, limits.max_interval_ms);
    if !(min..=max).contains(&agent.interval_ms) {
        let got = agent.interval_ms;
        return fail(
            "agent.interval_ms",
            format!("is {got}; it must be between {min} and {max}"),
        );
    }
    Ok(())
}

fn check_facts(facts: &HostFacts, limits: &FieldLimits) -> Checked {
    let (name, text) = (limits.max_name_bytes, limits.max_text_bytes);
    check_text(&|| "facts.hostname".into(), &facts.hostname, name, false)?;
    if let Some(display) = &facts.display_name {
        check_text(&|| "facts.display_name".into(), display, name, false)?;
    }
    check_text(
        &|| "facts.agent_version".into(),
        &facts.agent_version,
        name,
        false,
    )?;
    for (key, value) in [
        ("os_name", &facts.os_name),
        ("os_version", &facts.os_version),
        ("kernel", &facts.kernel),
        ("arch", &facts.arch),
    ] {
        check_text(&|| format!("facts.{key}"), value, text, false)?;
    }
    check_len(&|| "facts.ips".into(), facts.ips.len(), limits.max_ips)?;
    for (i, ip) in facts.ips.iter().enumerate() {
        check_text(&|| format!("facts.ips[{i}]"), ip, text, true)?;
    }
    Ok(())
}

fn check_frame(i: usize, frame: &Frame, limits: &FieldLimits, max_label: usize) -> Checked {
    for (j, sample) in frame.samples.iter().enumerate() {
        for (key, value) in &sample.labels {
            let path = || format!("frames[{i}].samples[{j}].labels.{key}");
            check_text(&path, value, max_label, false)?;
        }
    }
    if let Some(snapshot) = &frame.processes {
        for (list, processes) in [
            ("top_cpu", &snapshot.top_cpu),
            ("top_memory", &snapshot.top_memory),
        ] {
            let path = || format!("frames[{i}].processes.{list}");
            check_len(&path, processes.len(), limits.max_processes)?;
            for (k, process) in processes.iter().enumerate() {
                check_process(&|| format!("{}[{k}]", path()), process, limits)?;
            }
        }
    }
    if let Some(users) = &frame.users {
        check_len(
            &|| format!("frames[{i}].users"),
            users.len(),
            limits.max_users,
        )?;
        for (k, user) in users.iter().enumerate() {
            check_user(&|| format!("frames[{i}].users[{k}]"), user, limits)?;
        }
    }
    if let Some(errors) = &frame.errors {
        check_len(
            &|| format!("frames[{i}].errors"),
            errors.len(),
            limits.max_errors,
        )?;
        for (k, error) in errors.iter().enumerate() {
            let path = || format!("frames[{i}].errors[{k}]");
            check_text(
                &|| format!("{}.family", path()),
                &error.family,
                limits.max_text_bytes,
                true,
            )?;
            check_text(
                &|| format!("{}.message", path()),
                &error.message,
                limits.max_message_bytes,
                false,
            )?;
        }
    }
    Ok(())
}

fn check_process(path: &dyn Fn() -> String, p: &ProcessInfo, limits: &FieldLimits) -> Checked {
    let text = limits.max_text_bytes;
    check_text(&|| format!("{}.name", path()), &p.name, text, false)?;
    check_text(&|| format!("{}.user", path()), &p.user, text, false)?;
    if !p.cpu_percent.is_finite() || p.cpu_percent < 0.0 {
        return fail(
            format!("{}.cpu_percent", path()),
            "must be a finite number of at least 0".into(),
        );
    }
    Ok(())
}

fn check_user(path: &dyn Fn() -> String, u: &UserSession, limits: &FieldLimits) -> Checked {
    let text = limits.max_text_bytes;
    check_text(&|| format!("{}.user", path()), &u.user, text, false)?;
    check_text(&|| format!("{}.tty", path()), &u.tty, text, false)?;
    check_text(&|| format!("{}.from", path()), &u.from, text, false)
}

#[cfg(test)]
mod tests;
