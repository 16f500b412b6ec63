//! Turns raw series into drawable runs: split at gaps, then reduced to the minimum and
//! maximum per pixel column so long ranges draw fast and spikes survive.

/// A run of points without a gap, oldest first.
pub(crate) type Segment = Vec<(i64, f64)>;

/// The lowest and highest point of one pixel column.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    column: usize,
    low: (i64, f64),
    high: (i64, f64),
}

/// A gap is a step longer than this many typical sampling intervals.
const GAP_INTERVALS: i64 = 3;

/// Splits `points` into runs at non-finite values and at gaps longer than
/// [`GAP_INTERVALS`] typical intervals (the median step between points).
pub(crate) fn segments(points: &[(i64, f64)]) -> Vec<Segment> {
    let mut sorted: Vec<(i64, f64)> = points.to_vec();
    sorted.sort_by_key(|&(ts, _)| ts);
    let limit = typical_interval(&sorted).map(|step| step * GAP_INTERVALS);
    let mut runs = Vec::new();
    let mut current: Segment = Vec::new();
    for (ts, value) in sorted {
        let broken = current
            .last()
            .is_some_and(|&(last, _)| limit.is_some_and(|limit| ts - last > limit));
        if !value.is_finite() || broken {
            push_run(&mut runs, std::mem::take(&mut current));
        }
        if value.is_finite() {
            current.push((ts, value));
        }
    }
    push_run(&mut runs, current);
    runs
}

fn push_run(runs: &mut Vec<Segment>, run: Segment) {
    if !run.is_empty() {
        runs.push(run);
    }
}

/// Median step between consecutive timestamps; `None` with fewer than two points.
fn typical_interval(sorted: &[(i64, f64)]) -> Option<i64> {
    let mut steps: Vec<i64> = sorted
        .windows(2)
        .map(|pair| pair[1].0 - pair[0].0)
        .filter(|&step| step > 0)
        .collect();
    if steps.is_empty() {
        return None;
    }
    let middle = steps.len() / 2;
    let (_, median, _) = steps.select_nth_unstable(middle);
    Some(*median)
}

/// Keeps at most two points per pixel column of `span` (`columns` wide): the minimum and
/// the maximum, in time order. Short runs are returned unchanged.
pub(crate) fn downsample(run: &[(i64, f64)], span: (i64, i64), columns: usize) -> Segment {
    let (start, end) = span;
    let width = (end - start).max(1) as i128;
    if columns == 0 || run.len() <= columns * 2 {
        return run.to_vec();
    }
    let mut out = Vec::with_capacity(columns * 2);
    let mut bucket: Option<Bucket> = None;
    for &point in run {
        let offset = (point.0 - start).max(0) as i128;
        let column = ((offset * columns as i128 / width) as usize).min(columns - 1);
        match &mut bucket {
            Some(current) if current.column == column => {
                if point.1 < current.low.1 {
                    current.low = point;
                }
                if point.1 > current.high.1 {
                    current.high = point;
                }
            }
            _ => {
                flush(&mut out, bucket);
                bucket = Some(Bucket {
                    column,
                    low: point,
                    high: point,
                });
            }
        }
    }
    flush(&mut out, bucket);
    out
}

fn flush(out: &mut Segment, bucket: Option<Bucket>) {
    let Some(Bucket { low, high, .. }) = bucket else {
        return;
    };
    let (first, second) = if low.0 <= high.0 {
        (low, high)
    } else {
        (high, low)
    };
    out.push(first);
    if second != first {
        out.push(second);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_nan_split_runs() {
        let mut points: Vec<(i64, f64)> = (0..10).map(|i| (i * 5_000, i as f64)).collect();
        points.extend((30..40).map(|i| (i * 5_000, i as f64)));
        points.push((40 * 5_000, f64::NAN));
        points.push((41 * 5_000, 1.0));
        let runs = segments(&points);
        let lengths: Vec<usize> = runs.iter().map(Vec::len).collect();
        assert_eq!(lengths, [10, 10, 1]);
    }

    #[test]
    fn downsample_keeps_spikes_and_bounds_size() {
        let mut run: Vec<(i64, f64)> = (0..10_000).map(|i| (i, 1.0)).collect();
        run[5_001].1 = 99.0;
        run[7_002].1 = -5.0;
        let small = downsample(&run, (0, 10_000), 100);
        assert!(small.len() <= 200, "{}", small.len());
        assert!(small.contains(&(5_001, 99.0)));
        assert!(small.contains(&(7_002, -5.0)));
        assert!(small.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }
}
