//! Syntax tree of a rule expression, as parsed (before type checking).

/// A parsed expression node and the byte range of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    /// What the node is.
    pub kind: AstKind,
    /// Byte offset of the node's first character in the expression text.
    pub start: usize,
    /// Byte offset just past the node's last character (exclusive end).
    pub end: usize,
}

/// Node kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum AstKind {
    /// A number in base units; `duration_ms` when written with a duration suffix.
    Number {
        /// The value with its unit applied: bytes for sizes (`500MB` is `5e8`), seconds for
        /// durations (`5m` is `300`), percent points for `%` (`90%` is `90`).
        value: f64,
        /// The duration in milliseconds when a duration unit (`s`, `m`, `h`, `d`, ...) was
        /// written; `None` for plain numbers, sizes and percentages.
        duration_ms: Option<i64>,
    },
    /// A text literal (only valid as a function argument).
    Str(String),
    /// A bare word (only valid as a named argument's value, e.g. `direction=above`).
    Word(String),
    /// A series reference: `metric.name{label="v"}`.
    Series(Selector),
    /// A function call such as `avg(cpu.usage_percent, 5m)`.
    Call {
        /// The function name as written; whether it exists is checked after parsing.
        name: String,
        /// The arguments in written order.
        args: Vec<Arg>,
    },
    /// Two operands joined by an operator, e.g. `a > 90` or `x and y`.
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Ast>,
        /// The right operand.
        rhs: Box<Ast>,
    },
    /// Logical negation: `not <expr>`.
    Not(Box<Ast>),
    /// Arithmetic negation: `-<expr>`.
    Neg(Box<Ast>),
}

/// One function argument, positional or `name=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The name of a `name=value` argument; `None` for a positional one.
    pub name: Option<String>,
    /// The argument's value (for a named argument, the part after `=`).
    pub value: Ast,
    /// Byte offset where the argument starts (its name, if named).
    pub start: usize,
}

/// A metric name plus label matchers.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The dotted metric name, e.g. `disk.used_percent`.
    pub metric: String,
    /// The label matchers inside `{...}`, in written order; empty when there are no braces.
    /// A series must satisfy all of them.
    pub matchers: Vec<LabelMatch>,
}

/// One label matcher as written.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatch {
    /// The label name, e.g. `mount`.
    pub label: String,
    /// How the label's value is compared.
    pub op: MatchKind,
    /// The quoted text after the operator, unescaped: a literal value for `=`/`!=`, a
    /// regular expression (matched against the whole value) for `=~`/`!~`.
    pub value: String,
    /// Byte offset of the label name in the expression text.
    pub start: usize,
}

/// Label matcher operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// `=`: the label has exactly this value.
    Eq,
    /// `!=`: the label does not have this value.
    NotEq,
    /// `=~`: the whole label value matches the regular expression.
    Regex,
    /// `!~`: the whole label value does not match the regular expression.
    NotRegex,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`: true when either side is true.
    Or,
    /// `and`: true when both sides are true.
    And,
    /// `>`: greater than.
    Gt,
    /// `>=`: greater than or equal.
    Ge,
    /// `<`: less than.
    Lt,
    /// `<=`: less than or equal.
    Le,
    /// `==`: equal.
    Eq,
    /// `!=`: not equal.
    Ne,
    /// `+`: sum.
    Add,
    /// `-`: difference.
    Sub,
    /// `*`: product.
    Mul,
    /// `/`: quotient.
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
