//! `/graph [host] [metric] [range]`: a PNG line chart of one host's metrics, rendered in the
//! hub and sent as a photo.

mod kinds;
mod marks;

use super::failed;
use crate::client::Upload;
use crate::format::{escape, utc_offset_minutes};
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::select_hosts;
use crate::services::Services;
use hostpulse_charts::{ChartSpec, DEFAULT_WIDTH, Series, render_png};
use hostpulse_core::duration::parse_duration_ms;
use hostpulse_store::{HostState, RangeQuery};
use jiff::tz::TimeZone;
use kinds::{DEFAULT_KIND, Kind, custom_kind, kind_for, series_name};

const DEFAULT_RANGE: &str = "1h";
const MIN_RANGE_MS: i64 = 15 * 60_000;
const MAX_RANGE_MS: i64 = 30 * 86_400_000;
/// Finest bucket the chart asks the store for.
const MIN_STEP_MS: i64 = 1_000;

/// Parsed arguments, in any order.
#[derive(Debug)]
pub(crate) struct GraphArgs {
    host: Option<String>,
    kind: Kind,
    range: String,
    range_ms: i64,
}

/// `/graph [host] [metric] [range]`.
pub async fn graph(ctx: CommandContext) -> Result<Reply, CommandError> {
    let args = parse_args(&ctx.args)?;
    let services = &ctx.services;
    let host = pick_host(services, args.host.as_deref()).await?;
    let end = services.clock.now_ms();
    let span = (end - args.range_ms, end);
    let metrics: Vec<&str> = args.kind.lines.iter().map(|l| l.metric.as_ref()).collect();
    let title = format!("{} — {}, last {}", host.name, args.kind.title, args.range);
    let mut spec = ChartSpec::new(title, args.kind.unit);
    spec.time_range = Some(span);
    spec.utc_offset_minutes = utc_offset_minutes(end, &services.timezone);
    spec.series = read_series(services, &host.name, &args.kind, span).await?;
    let rules = services.engine.rules();
    spec.thresholds = marks::thresholds(&rules, &metrics);
    spec.firing = marks::firing_periods(services, &host.name, &rules, &metrics, span).await;
    let png = tokio::task::spawn_blocking(move || render_png(&spec))
        .await
        .map_err(failed)?
        .map_err(failed)?;
    let ip = host.facts.as_ref().and_then(|facts| facts.ips.first());
    let caption = format!(
        "<b>{}</b>{} · {} · last {}{}",
        escape(&host.name),
        ip.map(|ip| format!(" ({})", escape(ip)))
            .unwrap_or_default(),
        escape(&args.kind.title),
        escape(&args.range),
        zone_note(&services.timezone)
    );
    let photo = Upload {
        file_name: format!("{}.png", host.name),
        bytes: png,
        caption: Some(caption),
    };
    Ok(Reply {
        photo: Some(photo),
        ..Reply::default()
    })
}

/// ` · times in Europe/Berlin` for a chart drawn in a zone other than UTC; nothing in UTC.
fn zone_note(zone: &TimeZone) -> String {
    match zone.iana_name() {
        Some("UTC") | None => String::new(),
        Some(name) => format!(" · times in {}", escape(name)),
    }
}

pub(crate) fn parse_args(args: &[String]) -> Result<GraphArgs, CommandError> {
    let (mut host, mut kind, mut range) = (None, None, None);
    for arg in args {
        if let Some(found) = kind_for(arg) {
            set_once(&mut kind, found)?;
        } else if let Some(ms) = parse_range(arg)? {
            set_once(&mut range, (arg.clone(), ms))?;
        } else if let Some(found) = custom_kind(arg).filter(|_| host.is_some()) {
            // After the host, a dotted word is a metric; before it, a host name.
            set_once(&mut kind, found)?;
        } else {
            set_once(&mut host, arg.clone())?;
        }
    }
    let (range, range_ms) = match range {
        Some(range) => range,
        None => (DEFAULT_RANGE.to_string(), 3_600_000),
    };
    Ok(GraphArgs {
        host,
        kind: kind.unwrap_or(DEFAULT_KIND),
        range,
        range_ms,
    })
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), CommandError> {
    match slot.replace(value) {
        Some(_) => Err(CommandError::Usage),
        None => Ok(()),
    }
}

/// `Some` for a duration from 15m to 30d; a usage error for other durations; `None` for
/// words that are not durations (host names).
fn parse_range(arg: &str) -> Result<Option<i64>, CommandError> {
    let duration_like = arg.starts_with(|c: char| c.is_ascii_digit())
        && arg.ends_with(|c: char| c.is_ascii_alphabetic());
    if !duration_like {
        return Ok(None);
    }
    match parse_duration_ms(arg) {
        Some(ms) if (MIN_RANGE_MS..=MAX_RANGE_MS).contains(&ms) => Ok(Some(ms)),
        Some(_) => Err(CommandError::Usage),
        None => Ok(None),
    }
}

/// The one host `wanted` names; without a name, the only host there is.
async fn pick_host(services: &Services, wanted: Option<&str>) -> Result<HostState, CommandError> {
    let hosts = services.store.hosts().await.map_err(failed)?;
    let names = select_hosts(&hosts, wanted, &services.host_groups);
    let name = match (names.as_slice(), wanted) {
        ([name], _) => name.clone(),
        ([], Some(wanted)) => {
            return Err(CommandError::Failed(format!("No host matches {wanted}.")));
        }
        ([], None) => return Err(CommandError::Failed("No host has reported yet.".into())),
        (_, None) => return Err(CommandError::Usage),
        (many, Some(wanted)) => {
            let text = format!("{wanted} matches {} hosts; name one.", many.len());
            return Err(CommandError::Failed(text));
        }
    };
    hosts
        .into_iter()
        .find(|host| host.name == name)
        .ok_or_else(|| CommandError::Failed(format!("No host matches {name}.")))
}

/// The chart's series: bucket averages, about one bucket per pixel column.
async fn read_series(
    services: &Services,
    host: &str,
    kind: &Kind,
    (start_ms, end_ms): (i64, i64),
) -> Result<Vec<Series>, CommandError> {
    let step_ms = ((end_ms - start_ms) / i64::from(DEFAULT_WIDTH)).max(MIN_STEP_MS);
    let mut out = Vec::new();
    for line in kind.lines.iter() {
        let query = RangeQuery {
            host: host.to_string(),
            metric: line.metric.to_string(),
            labels: Default::default(),
            start_ms,
            end_ms,
            step_ms,
        };
        let result = services.store.query_range(query).await.map_err(failed)?;
        for series in &result.series {
            if let Some(name) = series_name(line, series) {
                let points = series.points.iter().map(|p| (p.ts_ms, p.avg)).collect();
                out.push(Series { name, points });
            }
        }
    }
    Ok(out)
}
