//! Combining per-label values: comparisons, arithmetic and `and`/`or` match label sets;
//! a side without labels applies to every label set of the other side.

use hostpulse_core::Labels;

use super::format;
use super::{Elem, InstanceResult, Num, result};
use crate::expr::BinOp;

/// Pairs the elements of two number sides by label set.
fn pair(lhs: Num, rhs: Num) -> Vec<(Labels, f64, f64, Option<super::Trend>)> {
    let broadcast = |n: &Num| match n {
        Num::Scalar(v) => Some(*v),
        Num::Vector(e) if e.len() == 1 && e[0].labels.is_empty() => Some(e[0].value),
        Num::Vector(_) => None,
    };
    match (broadcast(&lhs), broadcast(&rhs), lhs, rhs) {
        (_, Some(r), Num::Vector(l), _) => l
            .into_iter()
            .map(|e| (e.labels, e.value, r, e.trend))
            .collect(),
        (Some(l), _, _, Num::Vector(r)) => r
            .into_iter()
            .map(|e| (e.labels, l, e.value, None))
            .collect(),
        (Some(l), Some(r), _, _) => vec![(Labels::new(), l, r, None)],
        (_, _, Num::Vector(l), Num::Vector(r)) => l
            .into_iter()
            .filter_map(|e| {
                let other = r.iter().find(|o| o.labels == e.labels)?;
                Some((e.labels, e.value, other.value, e.trend))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `lhs op rhs` for `+ - * /`; division by zero drops the label set.
pub(crate) fn arith(op: BinOp, lhs: Num, rhs: Num) -> Num {
    if let (Num::Scalar(l), Num::Scalar(r)) = (&lhs, &rhs) {
        return Num::Scalar(apply_arith(op, *l, *r));
    }
    let elems = pair(lhs, rhs)
        .into_iter()
        .map(|(labels, l, r, _)| Elem {
            labels,
            value: apply_arith(op, l, r),
            trend: None,
        })
        .filter(|e| e.value.is_finite())
        .collect();
    Num::Vector(elems)
}

fn apply_arith(op: BinOp, l: f64, r: f64) -> f64 {
    match op {
        BinOp::Add => l + r,
        BinOp::Sub => l - r,
        BinOp::Mul => l * r,
        BinOp::Div => l / r,
        _ => f64::NAN,
    }
}

fn holds(op: BinOp, l: f64, r: f64) -> bool {
    match op {
        BinOp::Gt => l > r,
        BinOp::Ge => l >= r,
        BinOp::Lt => l < r,
        BinOp::Le => l <= r,
        BinOp::Eq => l == r,
        BinOp::Ne => l != r,
        _ => false,
    }
}

/// One instance per label set: value = left side, threshold = right side.
pub(crate) fn compare(op: BinOp, lhs: Num, rhs: Num, lhs_text: &str) -> Vec<InstanceResult> {
    pair(lhs, rhs)
        .into_iter()
        .map(|(labels, l, r, trend)| {
            let ok = holds(op, l, r);
            let summary = format!(
                "{lhs_text}{} = {} {} {}",
                format::labels(&labels),
                format::value(l),
                op.symbol(),
                format::value(r)
            );
            let mut inst = result(labels, ok, l, Some(r), summary);
            if let Some(text) = trend.and_then(|t| crossing(t, r)) {
                inst.annotations.insert("forecast".to_owned(), text);
            }
            inst
        })
        .collect()
}

/// "crosses 100 in 4h12m" when the trend moves towards `threshold`.
fn crossing(trend: super::Trend, threshold: f64) -> Option<String> {
    let gap = threshold - trend.level;
    if gap == 0.0 || trend.slope_per_ms == 0.0 {
        return None;
    }
    let ms = gap / trend.slope_per_ms;
    if ms < 0.0 {
        return Some(format!(
            "beyond {} already (trend {})",
            format::value(threshold),
            direction(trend)
        ));
    }
    Some(format!(
        "crosses {} in {}",
        format::value(threshold),
        format::duration(ms as i64)
    ))
}

fn direction(trend: super::Trend) -> &'static str {
    if trend.slope_per_ms > 0.0 {
        "rising"
    } else {
        "falling"
    }
}

/// `and` (`all = true`) or `or` over instances, matched by label set.
pub(crate) fn logic(
    lhs: Vec<InstanceResult>,
    rhs: Vec<InstanceResult>,
    all: bool,
) -> Vec<InstanceResult> {
    let is_global = |side: &[InstanceResult]| side.len() == 1 && side[0].labels.is_empty();
    if is_global(&rhs) && !lhs.is_empty() {
        return lhs
            .into_iter()
            .map(|l| merge(Some(l), Some(rhs[0].clone()), all))
            .collect();
    }
    if is_global(&lhs) && !rhs.is_empty() {
        return rhs
            .into_iter()
            .map(|r| merge(Some(lhs[0].clone()), Some(r), all))
            .collect();
    }
    let mut rhs: Vec<Option<InstanceResult>> = rhs.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(lhs.len() + rhs.len());
    for l in lhs {
        let partner = rhs
            .iter_mut()
            .find(|r| r.as_ref().is_some_and(|r| r.labels == l.labels));
        out.push(merge(Some(l), partner.and_then(Option::take), all));
    }
    out.extend(rhs.into_iter().flatten().map(|r| merge(None, Some(r), all)));
    out
}

/// Merges the instances of one label set; the labels are the labelled side's.
fn merge(l: Option<InstanceResult>, r: Option<InstanceResult>, all: bool) -> InstanceResult {
    let (mut out, other) = match (l, r) {
        (Some(l), Some(r)) => (l, Some(r)),
        (Some(one), None) | (None, Some(one)) => {
            let mut one = one;
            one.holds = one.holds && !all;
            return one;
        }
        (None, None) => return result(Labels::new(), false, 0.0, None, String::new()),
    };
    let Some(r) = other else { return out };
    if out.labels.is_empty() {
        out.labels = r.labels.clone();
    }
    if all {
        out.holds = out.holds && r.holds;
        out.summary = format!("{} and {}", out.summary, r.summary);
    } else if !out.holds && r.holds {
        let labels = std::mem::take(&mut out.labels);
        out = InstanceResult {
            labels,
            ..r.clone()
        };
    }
    for (k, v) in r.annotations {
        out.annotations.entry(k).or_insert(v);
    }
    out
}
