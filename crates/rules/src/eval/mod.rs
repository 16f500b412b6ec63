//! Evaluation of a checked expression for one host at one time.

mod format;
mod join;
pub(crate) mod window;

use std::collections::BTreeMap;

use hostpulse_core::Labels;

use crate::expr::node::{AnomalyParams, Direction, Node, SeriesFn, SeriesSelector};
use crate::source::{Point, SeriesSource};
use window::Trend;

/// Interval assumed when the source does not know the host's.
const DEFAULT_INTERVAL_MS: i64 = 5_000;
/// A latest value older than this many intervals is stale (treated as absent).
const STALE_INTERVALS: i64 = 3;

/// The outcome of a condition for one label set (one alert instance).
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceResult {
    /// Series labels identifying the instance (empty for host-level conditions).
    pub labels: Labels,
    /// Whether the condition holds.
    pub holds: bool,
    /// The value compared (or the latest value for `anomaly`, seconds of silence for `absent`).
    pub value: f64,
    /// The threshold or baseline bound compared against.
    pub threshold: Option<f64>,
    /// One line saying what was evaluated, e.g. `avg(cpu.usage_percent, 1m) = 91.2 > 85`.
    pub summary: String,
    /// Extra facts: `baseline` (anomaly), `forecast` (forecast compared with a threshold).
    pub annotations: BTreeMap<String, String>,
    /// Whether the rule's `clear` condition holds for this label set; `None` when the rule
    /// has no clear condition or it yields nothing for this label set.
    pub clear: Option<bool>,
}

/// A number per label set, or one plain number.
#[derive(Debug, Clone)]
pub(crate) enum Num {
    Scalar(f64),
    Vector(Vec<Elem>),
}

/// One labelled number; `trend` is set by `forecast`.
#[derive(Debug, Clone)]
pub(crate) struct Elem {
    pub(crate) labels: Labels,
    pub(crate) value: f64,
    pub(crate) trend: Option<Trend>,
}

/// What an evaluation reads.
pub(crate) struct Ctx<'a> {
    pub(crate) host: &'a str,
    pub(crate) now_ms: i64,
    pub(crate) src: &'a dyn SeriesSource,
    stale_ms: i64,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(host: &'a str, now_ms: i64, src: &'a dyn SeriesSource) -> Self {
        let interval = src.interval_ms(host).unwrap_or(DEFAULT_INTERVAL_MS).max(1);
        Self {
            host,
            now_ms,
            src,
            stale_ms: interval * STALE_INTERVALS,
        }
    }
}

pub(crate) fn result(
    labels: Labels,
    holds: bool,
    value: f64,
    threshold: Option<f64>,
    summary: String,
) -> InstanceResult {
    InstanceResult {
        labels,
        holds,
        value,
        threshold,
        summary,
        annotations: BTreeMap::new(),
        clear: None,
    }
}

/// Evaluates a condition node.
pub(crate) fn condition(node: &Node, ctx: &Ctx) -> Vec<InstanceResult> {
    match node {
        Node::Compare {
            op,
            lhs,
            rhs,
            lhs_text,
        } => join::compare(*op, number(lhs, ctx), number(rhs, ctx), lhs_text),
        Node::And(lhs, rhs) => join::logic(condition(lhs, ctx), condition(rhs, ctx), true),
        Node::Or(lhs, rhs) => join::logic(condition(lhs, ctx), condition(rhs, ctx), false),
        Node::Not(inner) => {
            let mut results = condition(inner, ctx);
            for r in &mut results {
                r.holds = !r.holds;
                r.summary = format!("not ({})", r.summary);
            }
            results
        }
        Node::Absent { window_ms } => vec![absent(*window_ms, ctx)],
        Node::CollectorFailed { family } => collector_failed(family.as_deref(), ctx),
        Node::Anomaly {
            selector,
            params,
            text,
        } => anomaly(selector, params, text, ctx),
        Node::Const(_) | Node::Series { .. } | Node::Arith { .. } | Node::Neg(_) => Vec::new(),
    }
}

/// Evaluates a number node.
pub(crate) fn number(node: &Node, ctx: &Ctx) -> Num {
    match node {
        Node::Const(v) => Num::Scalar(*v),
        Node::Series { selector, func } => Num::Vector(series(selector, func, ctx)),
        Node::Arith { op, lhs, rhs } => join::arith(*op, number(lhs, ctx), number(rhs, ctx)),
        Node::Neg(inner) => match number(inner, ctx) {
            Num::Scalar(v) => Num::Scalar(-v),
            Num::Vector(mut elems) => {
                elems.iter_mut().for_each(|e| {
                    e.value = -e.value;
                    e.trend = None;
                });
                Num::Vector(elems)
            }
        },
        _ => Num::Vector(Vec::new()),
    }
}

/// Calls `f` for each series matching `selector`. A selector without matchers on a metric
/// that has an unlabelled series (a host total such as `cpu.usage_percent`) selects only it.
fn matching_series(
    selector: &SeriesSelector,
    ctx: &Ctx,
    f: &mut dyn FnMut(&Labels, &[Point]) -> bool,
) {
    let bare = selector.matchers.is_empty();
    let mut total_seen = false;
    ctx.src
        .for_each_series(ctx.host, &selector.metric, &mut |labels, points| {
            if !selector.matchers.iter().all(|m| m.matches(labels)) || (bare && total_seen) {
                return;
            }
            let is_total = bare && labels.is_empty();
            if f(labels, points) && is_total {
                total_seen = true;
            }
        });
}

fn series(selector: &SeriesSelector, func: &SeriesFn, ctx: &Ctx) -> Vec<Elem> {
    let mut out: Vec<Elem> = Vec::new();
    let bare = selector.matchers.is_empty();
    matching_series(selector, ctx, &mut |labels, points| {
        let Some((value, trend)) = window::apply(func, points, ctx.now_ms, ctx.stale_ms) else {
            return false;
        };
        if bare && labels.is_empty() {
            out.clear();
        }
        out.push(Elem {
            labels: labels.clone(),
            value,
            trend,
        });
        true
    });
    out
}

fn absent(window_ms: i64, ctx: &Ctx) -> InstanceResult {
    let seen = ctx.src.last_seen_at(ctx.host, ctx.now_ms);
    let silent_ms = seen.map_or(i64::MAX, |t| ctx.now_ms - t);
    let holds = silent_ms > window_ms;
    let summary = match seen {
        Some(_) if holds => format!(
            "no data from {} for {} (limit {})",
            ctx.host,
            format::duration(silent_ms),
            format::duration(window_ms)
        ),
        Some(_) => format!("{} sent data {} ago", ctx.host, format::duration(silent_ms)),
        None => format!("no data from {} yet", ctx.host),
    };
    let value = seen.map_or(window_ms, |_| silent_ms) as f64 / 1000.0;
    result(
        Labels::new(),
        holds,
        value,
        Some(window_ms as f64 / 1000.0),
        summary,
    )
}

fn collector_failed(family: Option<&str>, ctx: &Ctx) -> Vec<InstanceResult> {
    let errors = ctx.src.collector_errors(ctx.host);
    errors
        .into_iter()
        .filter(|e| family.is_none_or(|f| f == e.family))
        .map(|e| {
            let summary = format!("collector {} failing: {}", e.family, e.message);
            let labels = Labels::from([("family".to_owned(), e.family)]);
            result(labels, true, 1.0, None, summary)
        })
        .collect()
}

fn anomaly(
    selector: &SeriesSelector,
    params: &AnomalyParams,
    text: &str,
    ctx: &Ctx,
) -> Vec<InstanceResult> {
    let mut out = Vec::new();
    let bare = selector.matchers.is_empty();
    matching_series(selector, ctx, &mut |labels, points| {
        let Some(r) = anomaly_of(points, params, text, ctx) else {
            return false;
        };
        if bare && labels.is_empty() {
            out.clear();
        }
        out.push(InstanceResult {
            labels: labels.clone(),
            ..r
        });
        true
    });
    out
}

fn anomaly_of(
    points: &[(i64, f64)],
    p: &AnomalyParams,
    text: &str,
    ctx: &Ctx,
) -> Option<InstanceResult> {
    let (latest_ms, latest) = *window::window(points, ctx.now_ms, ctx.stale_ms + 1).last()?;
    let before = window::window(points, latest_ms - 1, p.window_ms - 1);
    let first_ms = before.first()?.0;
    if latest_ms - first_ms < p.min_history_ms || before.len() < 3 {
        return None;
    }
    let (mean, sd) = window::mean_stdev(before)?;
    let min_dev = p.min_deviation.unwrap_or(0.1 * mean.abs());
    let deviation = latest - mean;
    let (upper, lower) = (mean + p.sigma * sd, mean - p.sigma * sd);
    let above = latest > upper && deviation >= min_dev;
    let below = latest < lower && -deviation >= min_dev;
    let holds = match p.direction {
        Direction::Above => above,
        Direction::Below => below,
        Direction::Both => above || below,
    };
    let use_lower =
        p.direction == Direction::Below || (p.direction == Direction::Both && deviation < 0.0);
    let bound = if use_lower { lower } else { upper };
    let baseline = format!(
        "{} ± {}·{}",
        format::value(mean),
        format::value(p.sigma),
        format::value(sd)
    );
    let summary = format!(
        "{text}: latest {} vs baseline {baseline}",
        format::value(latest)
    );
    let mut r = result(Labels::new(), holds, latest, Some(bound), summary);
    r.annotations.insert("baseline".to_owned(), baseline);
    Some(r)
}
