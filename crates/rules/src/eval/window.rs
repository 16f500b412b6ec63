//! Functions over one series' points: aggregates, percentile, rate, delta, forecast.
//! None of them allocates per point; the percentile sorts one scratch copy of its window.

use crate::expr::node::{ForecastParams, SeriesFn};

/// A fitted linear trend: value at the evaluation time and slope per millisecond.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Trend {
    pub(crate) level: f64,
    pub(crate) slope_per_ms: f64,
}

/// Points of `points` (sorted) in the half-open window `(now - window, now]`.
pub(crate) fn window(points: &[(i64, f64)], now_ms: i64, window_ms: i64) -> &[(i64, f64)] {
    let end = points.partition_point(|p| p.0 <= now_ms);
    let start = points[..end].partition_point(|p| p.0 <= now_ms - window_ms);
    &points[start..end]
}

/// Applies `func` at `now_ms`; `None` when there is no (fresh enough) data.
pub(crate) fn apply(
    func: &SeriesFn,
    points: &[(i64, f64)],
    now_ms: i64,
    stale_ms: i64,
) -> Option<(f64, Option<Trend>)> {
    if let SeriesFn::Forecast(params) = func {
        return forecast(points, now_ms, params).map(|(value, trend)| (value, Some(trend)));
    }
    if let SeriesFn::Last = func {
        return window(points, now_ms, stale_ms + 1)
            .last()
            .map(|p| (p.1, None));
    }
    let pts = window(points, now_ms, func.window_ms());
    let first = pts.first()?;
    let values = pts.iter().map(|p| p.1);
    let value = match *func {
        SeriesFn::Avg(_) => values.sum::<f64>() / pts.len() as f64,
        SeriesFn::Min(_) => values.fold(f64::INFINITY, f64::min),
        SeriesFn::Max(_) => values.fold(f64::NEG_INFINITY, f64::max),
        SeriesFn::Sum(_) => values.sum(),
        SeriesFn::Count(_) => pts.len() as f64,
        SeriesFn::Percentile(p, _) => percentile(pts, p),
        SeriesFn::Rate(_) => least_squares(pts, now_ms)?.slope_per_ms * 1000.0,
        SeriesFn::Delta(_) => pts[pts.len() - 1].1 - first.1,
        SeriesFn::Last | SeriesFn::Forecast(_) => return None,
    };
    Some((value, None))
}

/// Percentile `p` (0–100) with linear interpolation between closest ranks.
fn percentile(pts: &[(i64, f64)], p: f64) -> f64 {
    let mut values: Vec<f64> = pts.iter().map(|p| p.1).collect();
    values.sort_by(f64::total_cmp);
    let rank = p / 100.0 * (values.len() - 1) as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    values[low] + (values[high] - values[low]) * (rank - low as f64)
}

/// Ordinary least-squares line through the points; level is the fit at `now_ms`.
pub(crate) fn least_squares(pts: &[(i64, f64)], now_ms: i64) -> Option<Trend> {
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let mean_t = pts.iter().map(|p| (p.0 - now_ms) as f64).sum::<f64>() / n;
    let mean_v = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut cov, mut var) = (0.0, 0.0);
    for (t, v) in pts {
        let dt = (t - now_ms) as f64 - mean_t;
        cov += dt * (v - mean_v);
        var += dt * dt;
    }
    if var <= 0.0 {
        return None;
    }
    let slope = cov / var;
    Some(Trend {
        level: mean_v - slope * mean_t,
        slope_per_ms: slope,
    })
}

/// Buckets the Theil–Sen fit uses at most (so its cost is bounded: 48·47/2 slopes).
const FIT_BUCKETS: usize = 48;

/// Theil–Sen fit over bucket means of the lookback window; value `horizon` ahead.
fn forecast(points: &[(i64, f64)], now_ms: i64, params: &ForecastParams) -> Option<(f64, Trend)> {
    let pts = window(points, now_ms, params.lookback_ms);
    let (first, last) = (pts.first()?, pts.last()?);
    if last.0 - first.0 < params.min_history_ms || pts.len() < 3 {
        return None;
    }
    let mut buckets = [(0.0f64, 0.0f64, 0u32); FIT_BUCKETS];
    let span = (last.0 - first.0 + 1) as f64;
    for (t, v) in pts {
        let index = (((t - first.0) as f64 / span) * FIT_BUCKETS as f64) as usize;
        let bucket = &mut buckets[index.min(FIT_BUCKETS - 1)];
        bucket.0 += (t - now_ms) as f64;
        bucket.1 += v;
        bucket.2 += 1;
    }
    let mut means = [(0.0f64, 0.0f64); FIT_BUCKETS];
    let mut count = 0;
    for (sum_t, sum_v, n) in buckets.iter().filter(|b| b.2 > 0) {
        means[count] = (sum_t / f64::from(*n), sum_v / f64::from(*n));
        count += 1;
    }
    let trend = theil_sen(&means[..count])?;
    Some((
        trend.level + trend.slope_per_ms * params.horizon_ms as f64,
        trend,
    ))
}

/// Median of pairwise slopes, intercept = median residual (times relative to now).
fn theil_sen(points: &[(f64, f64)]) -> Option<Trend> {
    let mut slopes = [0.0f64; FIT_BUCKETS * (FIT_BUCKETS - 1) / 2];
    let mut n = 0;
    for (i, a) in points.iter().enumerate() {
        for b in &points[i + 1..] {
            if b.0 > a.0 {
                slopes[n] = (b.1 - a.1) / (b.0 - a.0);
                n += 1;
            }
        }
    }
    let slope = median(&mut slopes[..n])?;
    let mut residuals = [0.0f64; FIT_BUCKETS];
    for (r, (t, v)) in residuals.iter_mut().zip(points) {
        *r = v - slope * t;
    }
    let level = median(&mut residuals[..points.len()])?;
    Some(Trend {
        level,
        slope_per_ms: slope,
    })
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if values.len() % 2 == 1 {
        return Some(upper);
    }
    let lower = values[..mid]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

/// Mean and (population) standard deviation of the values, two passes, no allocation.
pub(crate) fn mean_stdev(pts: &[(i64, f64)]) -> Option<(f64, f64)> {
    if pts.is_empty() {
        return None;
    }
    let n = pts.len() as f64;
    let mean = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let var = pts.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}
