//! Argument checking of function calls: counts, kinds and named arguments.

use std::ops::RangeInclusive;

use super::ast::{Arg, AstKind};
use super::check::{Type, compile_selector};
use super::error::{ExprError, did_you_mean};
use super::node::{AnomalyParams, Direction, ForecastParams, Node, SeriesFn, SeriesSelector};

const HOUR_MS: i64 = 3_600_000;

/// The arguments of one call, split into positional and named.
pub(crate) struct CallArgs<'a> {
    name: &'a str,
    start: usize,
    positional: Vec<&'a Arg>,
    named: Vec<&'a Arg>,
}

impl<'a> CallArgs<'a> {
    pub(crate) fn new(name: &'a str, args: &'a [Arg], start: usize) -> Self {
        let (named, positional) = args.iter().partition(|a| a.name.is_some());
        Self {
            name,
            start,
            positional,
            named,
        }
    }

    /// Exactly `count` positional arguments and no named ones.
    pub(crate) fn expect_positional(&self, count: usize, what: &str) -> Result<(), ExprError> {
        if let Some(arg) = self.named.first() {
            return Err(ExprError::new(
                arg.start,
                format!("{} takes no named arguments", self.name),
            ));
        }
        self.positional_count(count, count, what)
    }

    fn positional_count(&self, min: usize, max: usize, what: &str) -> Result<(), ExprError> {
        let got = self.positional.len();
        if (min..=max).contains(&got) {
            return Ok(());
        }
        let at = self.positional.get(max).map_or(self.start, |a| a.start);
        let plural = if max == 1 { "argument" } else { "arguments" };
        Err(ExprError::new(
            at,
            format!("{} takes {max} {plural} ({what}), got {got}", self.name),
        ))
    }

    pub(crate) fn selector(&self, index: usize) -> Result<SeriesSelector, ExprError> {
        let arg = self.arg(index)?;
        match &arg.value.kind {
            AstKind::Series(selector) => compile_selector(selector, arg.value.start),
            _ => Err(ExprError::new(
                arg.value.start,
                format!(
                    "argument {} of {} must be a metric, e.g. cpu.usage_percent",
                    index + 1,
                    self.name
                ),
            )),
        }
    }

    fn arg(&self, index: usize) -> Result<&'a Arg, ExprError> {
        self.positional.get(index).copied().ok_or_else(|| {
            ExprError::new(
                self.start,
                format!("{} is missing argument {}", self.name, index + 1),
            )
        })
    }

    pub(crate) fn duration(&self, index: usize) -> Result<i64, ExprError> {
        duration_of(self.arg(index)?, self.name)
    }

    pub(crate) fn number_in(
        &self,
        index: usize,
        range: RangeInclusive<f64>,
        what: &str,
    ) -> Result<f64, ExprError> {
        number_of(self.arg(index)?, range, what)
    }

    fn named_arg(&self, key: &str) -> Option<&'a Arg> {
        self.named
            .iter()
            .copied()
            .find(|a| a.name.as_deref() == Some(key))
    }

    fn check_named(&self, allowed: &[&str]) -> Result<(), ExprError> {
        for arg in &self.named {
            let name = arg.name.as_deref().unwrap_or_default();
            if !allowed.contains(&name) {
                let hint = did_you_mean(name, allowed)
                    .map(|s| format!(" (did you mean {s:?}?)"))
                    .unwrap_or_else(|| format!(" (use {})", allowed.join(", ")));
                return Err(ExprError::new(
                    arg.start,
                    format!("{} has no argument {name:?}{hint}", self.name),
                ));
            }
        }
        Ok(())
    }

    fn named_duration(&self, key: &str, default: i64) -> Result<i64, ExprError> {
        self.named_arg(key)
            .map_or(Ok(default), |a| duration_of(a, self.name))
    }

    /// `forecast(metric, horizon, lookback=6h, min_history=1h)`.
    pub(crate) fn forecast(&self) -> Result<(Node, Type), ExprError> {
        self.check_named(&["lookback", "min_history"])?;
        self.positional_count(
            2,
            2,
            "a metric and a horizon, e.g. forecast(disk.used_percent, 6h)",
        )?;
        let selector = self.selector(0)?;
        let horizon_ms = self.duration(1)?;
        let lookback_ms = self.named_duration("lookback", 6 * HOUR_MS)?;
        let min_history_ms = self.named_duration("min_history", HOUR_MS.min(lookback_ms))?;
        let params = ForecastParams {
            horizon_ms,
            lookback_ms,
            min_history_ms,
        };
        Ok((
            Node::Series {
                selector,
                func: SeriesFn::Forecast(params),
            },
            Type::Number,
        ))
    }

    /// `anomaly(metric, window=1h, sigma=2, direction=above, min_history=30m, min_deviation=x)`.
    pub(crate) fn anomaly(&self, text: &str) -> Result<(Node, Type), ExprError> {
        self.check_named(&[
            "window",
            "sigma",
            "direction",
            "min_history",
            "min_deviation",
        ])?;
        self.positional_count(
            1,
            1,
            "a metric, then named options, e.g. anomaly(cpu.usage_percent, window=1h, sigma=2)",
        )?;
        let selector = self.selector(0)?;
        let window_ms = self.named_duration("window", HOUR_MS)?;
        let sigma = match self.named_arg("sigma") {
            Some(arg) => number_of(arg, 0.1..=100.0, "a sigma from 0.1 to 100")?,
            None => 2.0,
        };
        let direction = match self.named_arg("direction") {
            Some(arg) => direction_of(arg)?,
            None => Direction::Above,
        };
        let min_history_ms = self.named_duration("min_history", (HOUR_MS / 2).min(window_ms))?;
        let min_deviation = match self.named_arg("min_deviation") {
            Some(arg) => Some(number_of(arg, 0.0..=f64::MAX, "a non-negative deviation")?),
            None => None,
        };
        let params = AnomalyParams {
            window_ms,
            sigma,
            direction,
            min_history_ms,
            min_deviation,
        };
        Ok((
            Node::Anomaly {
                selector,
                params,
                text: text.to_owned(),
            },
            Type::Condition,
        ))
    }

    /// `collector_failed()` or `collector_failed("disk")`.
    pub(crate) fn collector_failed(&self) -> Result<(Node, Type), ExprError> {
        self.check_named(&[])?;
        self.positional_count(
            0,
            1,
            "optionally a collector family, e.g. collector_failed(\"disk\")",
        )?;
        let family = match self.positional.first() {
            None => None,
            Some(arg) => match &arg.value.kind {
                AstKind::Str(family) => Some(family.clone()),
                _ => {
                    return Err(ExprError::new(
                        arg.value.start,
                        "the collector family must be quoted, e.g. \"disk\"",
                    ));
                }
            },
        };
        Ok((Node::CollectorFailed { family }, Type::Condition))
    }
}

fn duration_of(arg: &Arg, function: &str) -> Result<i64, ExprError> {
    match arg.value.kind {
        AstKind::Number {
            duration_ms: Some(ms),
            ..
        } if ms > 0 => Ok(ms),
        AstKind::Number {
            duration_ms: None, ..
        } => Err(ExprError::new(
            arg.value.start,
            format!("{function} expects a duration with a unit here, e.g. 5m, 1h"),
        )),
        _ => Err(ExprError::new(
            arg.value.start,
            format!("{function} expects a positive duration here, e.g. 5m, 1h"),
        )),
    }
}

fn number_of(arg: &Arg, range: RangeInclusive<f64>, what: &str) -> Result<f64, ExprError> {
    match arg.value.kind {
        AstKind::Number {
            value,
            duration_ms: None,
        } if range.contains(&value) => Ok(value),
        _ => Err(ExprError::new(arg.value.start, format!("expected {what}"))),
    }
}

fn direction_of(arg: &Arg) -> Result<Direction, ExprError> {
    match &arg.value.kind {
        AstKind::Word(word) if word == "above" => Ok(Direction::Above),
        AstKind::Word(word) if word == "below" => Ok(Direction::Below),
        AstKind::Word(word) if word == "both" => Ok(Direction::Both),
        _ => Err(ExprError::new(
            arg.value.start,
            "direction must be above, below or both",
        )),
    }
}
