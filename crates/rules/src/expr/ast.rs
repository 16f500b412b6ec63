//! Syntax tree of a rule expression, as parsed (before type checking).

/// A parsed expression node and the byte range of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub kind: AstKind,
    pub start: usize,
    pub end: usize,
}

/// Node kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum AstKind {
    /// A number in base units; `duration_ms` when written with a duration suffix.
    Number {
        value: f64,
        duration_ms: Option<i64>,
    },
    /// A text literal (only valid as a function argument).
    Str(String),
    /// A bare word (only valid as a named argument's value, e.g. `direction=above`).
    Word(String),
    /// A series reference: `metric.name{label="v"}`.
    Series(Selector),
    Call {
        name: String,
        args: Vec<Arg>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Ast>,
        rhs: Box<Ast>,
    },
    Not(Box<Ast>),
    Neg(Box<Ast>),
}

/// One function argument, positional or `name=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub value: Ast,
    /// Byte offset where the argument starts (its name, if named).
    pub start: usize,
}

/// A metric name plus label matchers.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub metric: String,
    pub matchers: Vec<LabelMatch>,
}

/// One label matcher as written.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatch {
    pub label: String,
    pub op: MatchKind,
    pub value: String,
    pub start: usize,
}

/// Label matcher operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    Eq,
    NotEq,
    Regex,
    NotRegex,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    /// True for `> >= < <= == !=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le | BinOp::Eq | BinOp::Ne
        )
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    pub(crate) fn from_symbol(symbol: &str) -> Option<Self> {
        [
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
        ]
        .into_iter()
        .find(|op| op.symbol() == symbol)
    }
}
