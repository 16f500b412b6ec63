//! `/ps`, `/logs` and `/actions`: what a host's agent reports about its containers and the
//! actions it allows, asked through the hub's command channel (the same checks and audit as
//! the API; the agent's own allow-list decides).

use super::vitals::{clip, pre_table, row};
use crate::format::escape;
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::select_hosts;
use hostpulse_core::ContainerInfo;
use hostpulse_proto::command::{CONTAINERS_LIST, CONTAINERS_LOGS};
use hostpulse_service::commands::{ActionRequest, CommandResult};
use std::collections::BTreeMap;

/// Log lines `/logs` shows when no count is given.
const DEFAULT_LOG_LINES: u32 = 30;
/// Most log lines `/logs` asks for.
const MAX_LOG_LINES: u32 = 200;
/// Most characters of log text shown in one reply (the rest is cut at the top).
const MAX_LOG_CHARS: usize = 3_500;
/// Longest container name and image shown in `/ps`, characters.
const MAX_NAME: usize = 24;

/// `/ps [host]`: every container of the host, running or not.
pub async fn ps(ctx: CommandContext) -> Result<Reply, CommandError> {
    let host = one_host(&ctx, ctx.args.first().map(String::as_str)).await?;
    let result = run(&ctx, &host, CONTAINERS_LIST, BTreeMap::new()).await?;
    let containers: Vec<ContainerInfo> = serde_json::from_str(&result.output).map_err(|e| {
        CommandError::Failed(format!("the agent's container list is unreadable: {e}"))
    })?;
    let mut text = format!("<b>Containers on {}</b>\n", escape(&host));
    if containers.is_empty() {
        text.push_str("<i>no containers</i>");
        return Ok(Reply::html(text));
    }
    text.push_str(&container_table(&containers));
    Ok(Reply::html(text))
}

fn container_table(containers: &[ContainerInfo]) -> String {
    let mut sorted: Vec<&ContainerInfo> = containers.iter().collect();
    sorted.sort_by(|a, b| (a.state != "running", &a.name).cmp(&(b.state != "running", &b.name)));
    let mut rows = vec![row(["NAME", "STATE", "HEALTH", "RESTARTS", "IMAGE"])];
    for c in sorted {
        let state = if c.state == "exited" {
            format!("exited ({})", c.exit_code)
        } else {
            c.state.clone()
        };
        rows.push(vec![
            clip(&c.name, MAX_NAME),
            state,
            if c.health.is_empty() {
                "-".into()
            } else {
                c.health.clone()
            },
            c.restart_count.to_string(),
            clip(&c.image, MAX_NAME),
        ]);
    }
    pre_table(&rows)
}

/// `/logs <host> <container> [lines]`: the last lines of a container's log.
pub async fn logs(ctx: CommandContext) -> Result<Reply, CommandError> {
    let (host, container, lines) = match ctx.args.as_slice() {
        [host, container] => (host, container, DEFAULT_LOG_LINES),
        [host, container, lines] => (host, container, log_lines(lines)?),
        _ => return Err(CommandError::Usage),
    };
    let host = one_host(&ctx, Some(host)).await?;
    let args = BTreeMap::from([
        ("container".to_owned(), container.clone()),
        ("tail".to_owned(), lines.to_string()),
    ]);
    let result = run(&ctx, &host, CONTAINERS_LOGS, args).await?;
    let mut text = format!(
        "<b>{} on {}</b> · last {lines} lines\n",
        escape(container),
        escape(&host)
    );
    let log = tail_chars(&result.output, MAX_LOG_CHARS);
    if log.trim().is_empty() {
        text.push_str("<i>the log is empty</i>");
    } else {
        text.push_str(&format!("<pre>{}</pre>", escape(log.trim_end())));
    }
    Ok(Reply::html(text))
}

fn log_lines(text: &str) -> Result<u32, CommandError> {
    match text.parse::<u32>() {
        Ok(n) if (1..=MAX_LOG_LINES).contains(&n) => Ok(n),
        _ => Err(CommandError::Failed(format!(
            "lines must be a whole number from 1 to {MAX_LOG_LINES}"
        ))),
    }
}

/// The last `max` characters of `text`, starting at a line when one starts in them.
fn tail_chars(text: &str, max: usize) -> &str {
    let count = text.chars().count();
    if count <= max {
        return text;
    }
    let start = text.char_indices().nth(count - max).map_or(0, |(i, _)| i);
    let cut = &text[start..];
    cut.find('\n').map_or(cut, |i| &cut[i + 1..])
}

/// `/actions [host]`: what each host's agent allows and its named commands.
pub async fn actions(ctx: CommandContext) -> Result<Reply, CommandError> {
    let hosts = fleet(&ctx).await?;
    let wanted = ctx.args.first().map(String::as_str);
    let names = select_hosts(&hosts, wanted, &ctx.services.host_groups);
    if names.is_empty() {
        return Err(CommandError::Failed("no such host".into()));
    }
    let mut text = String::from("<b>Actions</b>\n");
    for name in names {
        let actions = ctx.services.service.commands().host_actions(&name);
        text.push_str(&format!("<b>{}</b>", escape(&name)));
        match (&actions.allowed, actions.connected) {
            (_, false) => text.push_str(" · <i>agent not connected</i>\n"),
            (None, true) => text.push_str(" · <i>not reported yet</i>\n"),
            (Some(allowed), true) => {
                text.push_str(&format!("\nallowed: {}\n", escape(&allowed.join(", "))));
                if !actions.commands.is_empty() {
                    text.push_str(&format!(
                        "commands: {}\n",
                        escape(&actions.commands.join(", "))
                    ));
                }
            }
        }
    }
    Ok(Reply::html(text.trim_end().to_owned()))
}

/// Every host the hub knows.
async fn fleet(ctx: &CommandContext) -> Result<Vec<hostpulse_store::HostState>, CommandError> {
    let store = &ctx.services.store;
    store
        .hosts()
        .await
        .map_err(|e| CommandError::Failed(e.to_string()))
}

/// The one host `wanted` names; with no name, the fleet's only host.
pub(crate) async fn one_host(
    ctx: &CommandContext,
    wanted: Option<&str>,
) -> Result<String, CommandError> {
    let hosts = fleet(ctx).await?;
    let names = select_hosts(&hosts, wanted, &ctx.services.host_groups);
    match (names.as_slice(), wanted) {
        ([one], _) => Ok(one.clone()),
        ([], Some(name)) => Err(CommandError::Failed(format!("no host {name:?}"))),
        ([], None) => Err(CommandError::Failed("no hosts yet".into())),
        (_, None) => Err(CommandError::Usage),
        (many, Some(name)) => Err(CommandError::Failed(format!(
            "{name:?} means {} hosts; name one",
            many.len()
        ))),
    }
}

/// Runs `action` on `host` as the caller; anything but success is the reply's error.
pub(crate) async fn run(
    ctx: &CommandContext,
    host: &str,
    action: &str,
    args: BTreeMap<String, String>,
) -> Result<CommandResult, CommandError> {
    let request = ActionRequest {
        host: host.to_owned(),
        action: action.to_owned(),
        args,
        origin: "telegram".into(),
    };
    let result = ctx
        .services
        .service
        .run_action(&ctx.caller.actor, request)
        .await
        .map_err(|e| CommandError::Audited(e.to_string()))?;
    if result.is_ok() {
        return Ok(result);
    }
    let why = result
        .error
        .clone()
        .unwrap_or_else(|| result.status.as_str().to_owned());
    Err(CommandError::Audited(format!(
        "{action} on {host}: {}: {why}",
        result.status.as_str()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_tails_start_at_a_line_and_counts_are_bounded() {
        assert_eq!(tail_chars("a\nb\nc\n", 100), "a\nb\nc\n");
        assert_eq!(tail_chars("first line\nsecond\nthird\n", 10), "third\n");
        assert!(log_lines("0").is_err() && log_lines("201").is_err() && log_lines("x").is_err());
        assert_eq!(log_lines("50"), Ok(50));
    }

    #[test]
    fn running_containers_come_first_with_exit_codes_for_the_others() {
        let c = |name: &str, state: &str, exit_code: i64| ContainerInfo {
            id: "0".repeat(64),
            name: name.into(),
            image: "busybox".into(),
            state: state.into(),
            health: String::new(),
            restart_count: 2,
            started_at: String::new(),
            exit_code,
            oom_killed: false,
        };
        let table = container_table(&[
            c("zz", "running", 0),
            c("aa", "exited", 137),
            c("mm", "running", 0),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        let pos = |name: &str| lines.iter().position(|l| l.contains(name)).unwrap();
        assert!(pos("mm") < pos("zz") && pos("zz") < pos("aa"), "{table}");
        assert!(table.contains("exited (137)"), "{table}");
    }
}
