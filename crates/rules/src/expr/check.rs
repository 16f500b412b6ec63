//! Type checking: turns an [`Ast`] into a [`Node`], checking functions, arguments and that
//! the whole expression is a condition.

use regex::Regex;

use super::args::CallArgs;
use super::ast::{Ast, AstKind, BinOp, MatchKind, Selector};
use super::error::{ExprError, did_you_mean};
use super::node::{LabelMatcher, Node, SeriesFn, SeriesSelector};

/// Every function the language knows.
pub(crate) const FUNCTIONS: &[&str] = &[
    "last",
    "avg",
    "min",
    "max",
    "sum",
    "count",
    "percentile",
    "rate",
    "delta",
    "anomaly",
    "forecast",
    "absent",
    "collector_failed",
];

/// Whether a node yields numbers or a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Number,
    Condition,
}

/// Checks a parsed expression that must be a condition.
pub(crate) fn check_condition(ast: &Ast, text: &str) -> Result<Node, ExprError> {
    let (node, ty) = check(ast, text)?;
    if ty != Type::Condition {
        return Err(ExprError::new(
            ast.end,
            "a comparison is missing: the expression must be a condition, e.g. `> 90`",
        ));
    }
    Ok(node)
}

pub(crate) fn check(ast: &Ast, text: &str) -> Result<(Node, Type), ExprError> {
    match &ast.kind {
        AstKind::Number { value, .. } => Ok((Node::Const(*value), Type::Number)),
        AstKind::Str(_) => Err(ExprError::new(
            ast.start,
            "a quoted text is not a value here",
        )),
        AstKind::Word(word) => Err(unknown_word(word, ast.start)),
        AstKind::Series(selector) => Ok((
            Node::Series {
                selector: compile_selector(selector, ast.start)?,
                func: SeriesFn::Last,
            },
            Type::Number,
        )),
        AstKind::Call { name, args } => check_call(name, args, ast, text),
        AstKind::Binary { op, lhs, rhs } => check_binary(*op, lhs, rhs, text),
        AstKind::Not(inner) => {
            let inner = expect(inner, text, Type::Condition, "`not` needs a condition")?;
            Ok((Node::Not(Box::new(inner)), Type::Condition))
        }
        AstKind::Neg(inner) => {
            let inner = expect(inner, text, Type::Number, "`-` needs a number")?;
            Ok((Node::Neg(Box::new(inner)), Type::Number))
        }
    }
}

fn unknown_word(word: &str, at: usize) -> ExprError {
    let message = match did_you_mean(word, FUNCTIONS) {
        Some(function) => {
            format!("unknown name {word:?} (did you mean the function {function:?}?)")
        }
        None => format!(
            "unknown name {word:?} (metrics are written group.name, e.g. cpu.usage_percent)"
        ),
    };
    ExprError::new(at, message)
}

fn expect(ast: &Ast, text: &str, want: Type, message: &str) -> Result<Node, ExprError> {
    let (node, ty) = check(ast, text)?;
    if ty != want {
        return Err(ExprError::new(ast.start, message));
    }
    Ok(node)
}

fn check_binary(op: BinOp, lhs: &Ast, rhs: &Ast, text: &str) -> Result<(Node, Type), ExprError> {
    match op {
        BinOp::And | BinOp::Or => {
            let need = format!(
                "both sides of `{}` must be conditions (add a comparison)",
                op.symbol()
            );
            let l = Box::new(expect(lhs, text, Type::Condition, &need)?);
            let r = Box::new(expect(rhs, text, Type::Condition, &need)?);
            let node = if op == BinOp::And {
                Node::And(l, r)
            } else {
                Node::Or(l, r)
            };
            Ok((node, Type::Condition))
        }
        _ if op.is_comparison() => {
            let need = "comparisons compare numbers (a condition cannot be compared)";
            let l = expect(lhs, text, Type::Number, need)?;
            let r = expect(rhs, text, Type::Number, need)?;
            let lhs_text = text.get(lhs.start..lhs.end).unwrap_or_default().to_owned();
            let node = Node::Compare {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r),
                lhs_text,
            };
            Ok((node, Type::Condition))
        }
        _ => {
            let need = format!("`{}` needs numbers on both sides", op.symbol());
            let l = Box::new(expect(lhs, text, Type::Number, &need)?);
            let r = Box::new(expect(rhs, text, Type::Number, &need)?);
            Ok((Node::Arith { op, lhs: l, rhs: r }, Type::Number))
        }
    }
}

fn check_call(
    name: &str,
    args: &[super::ast::Arg],
    ast: &Ast,
    text: &str,
) -> Result<(Node, Type), ExprError> {
    let mut call = CallArgs::new(name, args, ast.start);
    let windowed =
        |f: fn(i64) -> SeriesFn, call: &mut CallArgs| -> Result<(Node, Type), ExprError> {
            call.expect_positional(2, "a metric and a window, e.g. avg(cpu.usage_percent, 5m)")?;
            let selector = call.selector(0)?;
            let func = f(call.duration(1)?);
            Ok((Node::Series { selector, func }, Type::Number))
        };
    match name {
        "last" => {
            call.expect_positional(1, "a metric, e.g. last(cpu.usage_percent)")?;
            let selector = call.selector(0)?;
            Ok((
                Node::Series {
                    selector,
                    func: SeriesFn::Last,
                },
                Type::Number,
            ))
        }
        "avg" => windowed(SeriesFn::Avg, &mut call),
        "min" => windowed(SeriesFn::Min, &mut call),
        "max" => windowed(SeriesFn::Max, &mut call),
        "sum" => windowed(SeriesFn::Sum, &mut call),
        "count" => windowed(SeriesFn::Count, &mut call),
        "rate" => windowed(SeriesFn::Rate, &mut call),
        "delta" => windowed(SeriesFn::Delta, &mut call),
        "percentile" => {
            call.expect_positional(
                3,
                "a metric, a percentile and a window, e.g. percentile(cpu.usage_percent, 95, 5m)",
            )?;
            let selector = call.selector(0)?;
            let p = call.number_in(1, 0.0..=100.0, "a percentile from 0 to 100")?;
            let func = SeriesFn::Percentile(p, call.duration(2)?);
            Ok((Node::Series { selector, func }, Type::Number))
        }
        "forecast" => call.forecast(),
        "anomaly" => call.anomaly(text.get(ast.start..ast.end).unwrap_or_default()),
        "absent" => {
            call.expect_positional(1, "a duration, e.g. absent(5m)")?;
            Ok((
                Node::Absent {
                    window_ms: call.duration(0)?,
                },
                Type::Condition,
            ))
        }
        "collector_failed" => call.collector_failed(),
        _ => Err(unknown_function(name, ast.start)),
    }
}

fn unknown_function(name: &str, at: usize) -> ExprError {
    let hint = did_you_mean(name, FUNCTIONS)
        .map(|f| format!(" (did you mean {f:?}?)"))
        .unwrap_or_else(|| format!(" (functions: {})", FUNCTIONS.join(", ")));
    ExprError::new(at, format!("unknown function {name:?}{hint}"))
}

/// Compiles a selector's matchers (regexes are anchored: they must match the whole value).
pub(crate) fn compile_selector(
    selector: &Selector,
    at: usize,
) -> Result<SeriesSelector, ExprError> {
    hostpulse_core::validate_metric_name(&selector.metric)
        .map_err(|error| ExprError::new(at, error.to_string()))?;
    let mut matchers = Vec::with_capacity(selector.matchers.len());
    for m in &selector.matchers {
        let regex = || {
            Regex::new(&format!("^(?:{})$", m.value)).map_err(|error| {
                ExprError::new(
                    m.start,
                    format!("invalid regular expression {:?}: {error}", m.value),
                )
            })
        };
        let label = m.label.clone();
        matchers.push(match m.op {
            MatchKind::Eq => LabelMatcher::Eq(label, m.value.clone()),
            MatchKind::NotEq => LabelMatcher::NotEq(label, m.value.clone()),
            MatchKind::Regex => LabelMatcher::Regex(label, regex()?),
            MatchKind::NotRegex => LabelMatcher::NotRegex(label, regex()?),
        });
    }
    Ok(SeriesSelector {
        metric: selector.metric.clone(),
        matchers,
    })
}
