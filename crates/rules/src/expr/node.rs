//! Type-checked expression tree that evaluation walks.

use regex::Regex;

use super::ast::BinOp;

/// A checked expression node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Const(f64),
    /// A function of each matching series (or its latest value).
    Series {
        selector: SeriesSelector,
        func: SeriesFn,
    },
    Arith {
        op: BinOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Neg(Box<Node>),
    /// A comparison; `lhs_text` is the left side as written, for summaries.
    Compare {
        op: BinOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        lhs_text: String,
    },
    Anomaly {
        selector: SeriesSelector,
        params: AnomalyParams,
        text: String,
    },
    Absent {
        window_ms: i64,
    },
    CollectorFailed {
        family: Option<String>,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

/// Metric name plus compiled label matchers.
#[derive(Debug, Clone)]
pub(crate) struct SeriesSelector {
    pub(crate) metric: String,
    pub(crate) matchers: Vec<LabelMatcher>,
}

/// One compiled label matcher; a missing label matches as the empty string.
#[derive(Debug, Clone)]
pub(crate) enum LabelMatcher {
    Eq(String, String),
    NotEq(String, String),
    Regex(String, Regex),
    NotRegex(String, Regex),
}

impl LabelMatcher {
    pub(crate) fn matches(&self, labels: &hostpulse_core::Labels) -> bool {
        let value = |label: &str| labels.get(label).map_or("", String::as_str);
        match self {
            LabelMatcher::Eq(label, want) => value(label) == want,
            LabelMatcher::NotEq(label, want) => value(label) != want,
            LabelMatcher::Regex(label, re) => re.is_match(value(label)),
            LabelMatcher::NotRegex(label, re) => !re.is_match(value(label)),
        }
    }
}

/// What is computed from one series' points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SeriesFn {
    Last,
    Avg(i64),
    Min(i64),
    Max(i64),
    Sum(i64),
    Count(i64),
    Percentile(f64, i64),
    Rate(i64),
    Delta(i64),
    Forecast(ForecastParams),
}

impl SeriesFn {
    /// How far back (ms) the function reads.
    pub(crate) fn window_ms(&self) -> i64 {
        match *self {
            SeriesFn::Last => 0,
            SeriesFn::Avg(w)
            | SeriesFn::Min(w)
            | SeriesFn::Max(w)
            | SeriesFn::Sum(w)
            | SeriesFn::Count(w)
            | SeriesFn::Percentile(_, w)
            | SeriesFn::Rate(w)
            | SeriesFn::Delta(w) => w,
            SeriesFn::Forecast(params) => params.lookback_ms,
        }
    }
}

/// `forecast(m, horizon, lookback=6h, min_history=1h)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ForecastParams {
    pub(crate) horizon_ms: i64,
    pub(crate) lookback_ms: i64,
    pub(crate) min_history_ms: i64,
}

/// Which side of the baseline counts as anomalous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Above,
    Below,
    Both,
}

/// `anomaly(m, window=1h, sigma=2, direction=above, min_history=30m, min_deviation=x)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AnomalyParams {
    pub(crate) window_ms: i64,
    pub(crate) sigma: f64,
    pub(crate) direction: Direction,
    pub(crate) min_history_ms: i64,
    /// `None`: 10 % of the baseline mean's magnitude.
    pub(crate) min_deviation: Option<f64>,
}

impl Node {
    /// Calls `f` with every series selector and the window it needs.
    pub(crate) fn visit_series(&self, f: &mut dyn FnMut(&SeriesSelector, i64)) {
        match self {
            Node::Series { selector, func } => f(selector, func.window_ms()),
            Node::Anomaly {
                selector, params, ..
            } => f(selector, params.window_ms),
            Node::Arith { lhs, rhs, .. }
            | Node::Compare { lhs, rhs, .. }
            | Node::And(lhs, rhs)
            | Node::Or(lhs, rhs) => {
                lhs.visit_series(f);
                rhs.visit_series(f);
            }
            Node::Neg(inner) | Node::Not(inner) => inner.visit_series(f),
            Node::Const(_) | Node::Absent { .. } | Node::CollectorFailed { .. } => {}
        }
    }
}
