//! `/silences`, `/silence <host|rule|matchers> <duration> [comment]` and `/unsilence <id>`.

use super::{audited, failed};
use crate::format::{age, escape};
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::select_hosts;
use hostpulse_core::duration::parse_duration_ms;
use hostpulse_core::glob::{glob_regex, is_glob};
use hostpulse_core::matcher::{format_matcher, parse_matcher_list};
use hostpulse_core::{MatchOp, Matcher, Silence};
use hostpulse_engine::NewSilence;
use hostpulse_service::{CreateSilence, MAX_SILENCE_MS};

/// `/silences`: silences that have not ended.
pub async fn list(ctx: CommandContext) -> Result<Reply, CommandError> {
    let silences = ctx.services.engine.silences().await.map_err(failed)?;
    if silences.is_empty() {
        return Ok(Reply::html("No active silences."));
    }
    let now = ctx.services.clock.now_ms();
    let mut text = format!("<b>Silences</b> ({})\n", silences.len());
    for silence in &silences {
        text.push_str(&silence_line(silence, now));
    }
    Ok(Reply::html(text))
}

fn silence_line(silence: &Silence, now: i64) -> String {
    let matchers: Vec<String> = silence.matchers.iter().map(format_matcher).collect();
    let when = if silence.starts_ms > now {
        format!("starts in {}", age(silence.starts_ms - now))
    } else {
        format!("ends in {}", age(silence.ends_ms - now))
    };
    format!(
        "🔕 <code>{}</code> {} · {when} · by {}{}\n",
        escape(&silence.id),
        escape(&matchers.join(",")),
        escape(&silence.author),
        if silence.comment.is_empty() {
            String::new()
        } else {
            format!(" · {}", escape(&silence.comment))
        }
    )
}

/// `/silence <target> <duration> [comment]`.
pub async fn add(ctx: CommandContext) -> Result<Reply, CommandError> {
    let [target, duration, comment @ ..] = ctx.args.as_slice() else {
        return Err(CommandError::Usage);
    };
    let length = parse_duration_ms(duration)
        .filter(|ms| (1..=MAX_SILENCE_MS).contains(ms))
        .ok_or(CommandError::Usage)?;
    let matchers = target_matchers(&ctx, target).await?;
    let service = &ctx.services.service;
    let warnings = service.silence_warnings(&matchers).await.map_err(failed)?;
    let new = NewSilence {
        matchers,
        starts_ms: None,
        ends_ms: ctx.services.clock.now_ms().saturating_add(length),
        author: ctx.caller.actor.audit_name(),
        comment: comment.join(" "),
    };
    let request = CreateSilence {
        silence: new,
        target: Some(target.clone()),
    };
    let actor = &ctx.caller.actor;
    let silence = service
        .create_silence(actor, request)
        .await
        .map_err(audited)?;
    let mut text = format!(
        "🔕 Silenced for {}: {}\nid <code>{}</code> — /unsilence {} to end it.",
        age(length),
        escape(&matchers_text(&silence.matchers)),
        escape(&silence.id),
        escape(&silence.id)
    );
    for warning in &warnings {
        text.push_str(&format!("\n⚠️ {}", escape(warning)));
    }
    Ok(Reply::html(text))
}

fn matchers_text(matchers: &[Matcher]) -> String {
    let texts: Vec<String> = matchers.iter().map(format_matcher).collect();
    texts.join(",")
}

/// Matchers of a silence target: `name=value,...`, a rule name, or hosts as the other
/// commands select them (agent name, hostname, group, glob); an unknown word silences the
/// host of that name, with a warning.
async fn target_matchers(ctx: &CommandContext, target: &str) -> Result<Vec<Matcher>, CommandError> {
    if target.contains(['=', '~']) {
        return parse_matcher_list(target).map_err(failed);
    }
    if ctx.services.engine.rules().iter().any(|r| r.name == target) {
        return Ok(vec![eq("rule", target)]);
    }
    let hosts = ctx.services.store.hosts().await.map_err(failed)?;
    let names = select_hosts(&hosts, Some(target), &ctx.services.host_groups);
    let matcher = match names.as_slice() {
        _ if is_glob(target) => host_regex(glob_regex(target)),
        [] => eq("host", target),
        [name] => eq("host", name),
        many => host_regex(
            many.iter()
                .map(|n| regex::escape(n))
                .collect::<Vec<_>>()
                .join("|"),
        ),
    };
    Ok(vec![matcher])
}

fn host_regex(value: String) -> Matcher {
    Matcher {
        name: "host".into(),
        op: MatchOp::Regex,
        value,
    }
}

fn eq(name: &str, value: &str) -> Matcher {
    Matcher {
        name: name.into(),
        op: MatchOp::Eq,
        value: value.into(),
    }
}

/// `/unsilence <id>`: ends a silence now.
pub async fn expire(ctx: CommandContext) -> Result<Reply, CommandError> {
    let [id] = ctx.args.as_slice() else {
        return Err(CommandError::Usage);
    };
    let service = &ctx.services.service;
    let silence = service
        .expire_silence(&ctx.caller.actor, id)
        .await
        .map_err(audited)?;
    Ok(Reply::html(format!(
        "🔔 Silence <code>{}</code> ended.",
        escape(&silence.id)
    )))
}
