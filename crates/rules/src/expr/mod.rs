//! The rule expression language: lexer, parser (with byte positions), type checker.

mod args;
mod ast;
mod check;
mod error;
mod lexer;
pub(crate) mod node;
mod parser;
mod units;

pub use ast::{Arg, Ast, AstKind, BinOp, LabelMatch, MatchKind, Selector};
pub use error::ExprError;
pub use parser::parse;

/// Parses and type-checks a condition expression.
pub(crate) fn compile_condition(text: &str) -> Result<node::Node, ExprError> {
    let ast = parse(text)?;
    check::check_condition(&ast, text)
}
