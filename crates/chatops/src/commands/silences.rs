//! `/silences`, `/silence <host|rule|matchers> <duration> [comment]` and `/unsilence <id>`.

use super::failed;
use crate::format::{age, escape};
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::is_glob;
use hostpulse_api::matchers::parse_matcher;
use hostpulse_api::query::parse_duration_ms;
use hostpulse_core::{MatchOp, Matcher, Silence};
use hostpulse_engine::NewSilence;

/// Longest silence, milliseconds (one year).
const MAX_SILENCE_MS: i64 = 366 * 86_400_000;

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
    let matchers: Vec<String> = silence.matchers.iter().map(matcher_text).collect();
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

fn matcher_text(m: &Matcher) -> String {
    let op = match m.op {
        MatchOp::Eq => "=",
        MatchOp::NotEq => "!=",
        MatchOp::Regex => "=~",
        MatchOp::NotRegex => "!~",
    };
    format!("{}{op}{}", m.name, m.value)
}

/// `/silence <target> <duration> [comment]`.
pub async fn add(ctx: CommandContext) -> Result<Reply, CommandError> {
    let [target, duration, comment @ ..] = ctx.args.as_slice() else {
        return Err(CommandError::Usage);
    };
    let length = parse_duration_ms(duration)
        .filter(|ms| (1..=MAX_SILENCE_MS).contains(ms))
        .ok_or(CommandError::Usage)?;
    let matchers = target_matchers(&ctx, target)?;
    let new = NewSilence {
        matchers,
        starts_ms: None,
        ends_ms: ctx.services.clock.now_ms().saturating_add(length),
        author: ctx.caller.actor.clone(),
        comment: comment.join(" "),
    };
    let silence = ctx.services.engine.add_silence(new).await.map_err(failed)?;
    Ok(Reply::html(format!(
        "🔕 Silenced for {}: {}\nid <code>{}</code> — /unsilence {} to end it.",
        age(length),
        escape(
            &silence
                .matchers
                .iter()
                .map(matcher_text)
                .collect::<Vec<_>>()
                .join(",")
        ),
        escape(&silence.id),
        escape(&silence.id)
    )))
}

/// Matchers of a silence target: `name=value,...`, a rule name, a host glob or a host name.
fn target_matchers(ctx: &CommandContext, target: &str) -> Result<Vec<Matcher>, CommandError> {
    if target.contains(['=', '~']) {
        return target
            .split(',')
            .map(|m| parse_matcher(m).map_err(failed))
            .collect();
    }
    let is_rule = ctx.services.engine.rules().iter().any(|r| r.name == target);
    let matcher = if is_rule {
        eq("rule", target)
    } else if is_glob(target) {
        Matcher {
            name: "host".into(),
            op: MatchOp::Regex,
            value: glob_regex(target),
        }
    } else {
        eq("host", target)
    };
    Ok(vec![matcher])
}

fn eq(name: &str, value: &str) -> Matcher {
    Matcher {
        name: name.into(),
        op: MatchOp::Eq,
        value: value.into(),
    }
}

/// A regex matching the same names as a `*`/`?` glob.
fn glob_regex(glob: &str) -> String {
    let mut out = String::new();
    for c in glob.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => out.push(c),
            c => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

/// `/unsilence <id>`: ends a silence now.
pub async fn expire(ctx: CommandContext) -> Result<Reply, CommandError> {
    let [id] = ctx.args.as_slice() else {
        return Err(CommandError::Usage);
    };
    let silence = ctx
        .services
        .engine
        .expire_silence(id)
        .await
        .map_err(failed)?;
    Ok(Reply::html(format!(
        "🔔 Silence <code>{}</code> ended.",
        escape(&silence.id)
    )))
}
