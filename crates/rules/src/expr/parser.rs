//! Recursive-descent parser: tokens → [`Ast`] with byte positions.
//!
//! Precedence, lowest first: `or`, `and`, `not`, comparison, `+ -`, `* /`, unary `-`.

use super::ast::{Arg, Ast, AstKind, BinOp, LabelMatch, MatchKind, Selector};
use super::error::ExprError;
use super::lexer::{Token, TokenKind, tokenize};

/// Most tokens in one expression: bounds the depth of operator chains (`a + b + ...`), so
/// checking, evaluating and dropping the tree cannot exhaust the stack.
pub const MAX_TOKENS: usize = 1024;
/// Deepest nesting of parentheses, calls, `not` and unary minus.
pub const MAX_NESTING: usize = 64;

/// Parses an expression into its syntax tree.
pub fn parse(text: &str) -> Result<Ast, ExprError> {
    if text.trim().is_empty() {
        return Err(ExprError::new(0, "the expression is empty"));
    }
    let tokens = tokenize(text)?;
    if let Some(extra) = tokens.get(MAX_TOKENS) {
        return Err(ExprError::new(
            extra.start,
            format!("the expression is too long: more than {MAX_TOKENS} tokens"),
        ));
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        nesting: 0,
    };
    let ast = parser.or_expr()?;
    let next = parser.peek();
    match &next.kind {
        TokenKind::End => Ok(ast),
        TokenKind::RParen => Err(ExprError::new(
            next.start,
            "unexpected `)` (no matching `(`)",
        )),
        _ => Err(ExprError::new(
            next.start,
            "unexpected text after the expression (missing `and`/`or`?)",
        )),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Current depth of nested parentheses, calls, `not` and unary minus.
    nesting: usize,
}

fn node(kind: AstKind, start: usize, end: usize) -> Ast {
    Ast { kind, start, end }
}

fn binary(op: BinOp, lhs: Ast, rhs: Ast) -> Ast {
    let (start, end) = (lhs.start, rhs.end);
    node(
        AstKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        start,
        end,
    )
}

impl Parser {
    /// Runs `parse` one nesting level deeper; refused beyond [`MAX_NESTING`].
    fn nested<T>(
        &mut self,
        at: usize,
        parse: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        if self.nesting >= MAX_NESTING {
            return Err(ExprError::new(
                at,
                format!("the expression nests deeper than {MAX_NESTING} levels"),
            ));
        }
        self.nesting += 1;
        let result = parse(self);
        self.nesting -= 1;
        result
    }

    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }

    fn at_keyword(&self, word: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Name(name) if name == word)
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Op(o) if *o == op)
    }

    fn or_expr(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.and_expr()?;
        while self.at_keyword("or") {
            self.advance();
            lhs = binary(BinOp::Or, lhs, self.and_expr()?);
        }
        Ok(lhs)
    }

    fn and_expr(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.not_expr()?;
        while self.at_keyword("and") {
            self.advance();
            lhs = binary(BinOp::And, lhs, self.not_expr()?);
        }
        Ok(lhs)
    }

    fn not_expr(&mut self) -> Result<Ast, ExprError> {
        if self.at_keyword("not") {
            let start = self.advance().start;
            let inner = self.nested(start, Self::not_expr)?;
            let end = inner.end;
            return Ok(node(AstKind::Not(Box::new(inner)), start, end));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Ast, ExprError> {
        let lhs = self.sum()?;
        let Some(op) = self.comparison_op() else {
            return Ok(lhs);
        };
        self.advance();
        let result = binary(op, lhs, self.sum()?);
        if let Some(_second) = self.comparison_op() {
            let at = self.peek().start;
            return Err(ExprError::new(
                at,
                "comparisons cannot be chained (use `and`)",
            ));
        }
        Ok(result)
    }

    fn comparison_op(&self) -> Option<BinOp> {
        match &self.peek().kind {
            TokenKind::Op(op) => BinOp::from_symbol(op).filter(|op| op.is_comparison()),
            _ => None,
        }
    }

    fn sum(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.term()?;
        while self.at_op("+") || self.at_op("-") {
            let op = if self.at_op("+") {
                BinOp::Add
            } else {
                BinOp::Sub
            };
            self.advance();
            lhs = binary(op, lhs, self.term()?);
        }
        Ok(lhs)
    }

    fn term(&mut self) -> Result<Ast, ExprError> {
        let mut lhs = self.unary()?;
        while self.at_op("*") || self.at_op("/") {
            let op = if self.at_op("*") {
                BinOp::Mul
            } else {
                BinOp::Div
            };
            self.advance();
            lhs = binary(op, lhs, self.unary()?);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ast, ExprError> {
        if self.at_op("-") {
            let start = self.advance().start;
            let inner = self.nested(start, Self::unary)?;
            let end = inner.end;
            return Ok(node(AstKind::Neg(Box::new(inner)), start, end));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Ast, ExprError> {
        let token = self.advance();
        match token.kind {
            TokenKind::Number { value, duration_ms } => Ok(node(
                AstKind::Number { value, duration_ms },
                token.start,
                token.end,
            )),
            TokenKind::Str(text) => Ok(node(AstKind::Str(text), token.start, token.end)),
            TokenKind::LParen => self.nested(token.start, |p| p.parenthesised(token.start)),
            TokenKind::Name(name) => self.name(name, token.start, token.end),
            TokenKind::End => Err(ExprError::new(
                token.start,
                "the expression ends too early (a value is missing)",
            )),
            TokenKind::RParen => Err(ExprError::new(
                token.start,
                "unexpected `)` (a value is missing)",
            )),
            _ => Err(ExprError::new(
                token.start,
                "expected a value, a metric or a function",
            )),
        }
    }

    fn parenthesised(&mut self, open: usize) -> Result<Ast, ExprError> {
        let mut inner = self.or_expr()?;
        let close = self.advance();
        if close.kind != TokenKind::RParen {
            return Err(ExprError::new(open, "unclosed `(` (missing `)`)"));
        }
        inner.start = open;
        inner.end = close.end;
        Ok(inner)
    }

    fn name(&mut self, name: String, start: usize, end: usize) -> Result<Ast, ExprError> {
        if matches!(name.as_str(), "and" | "or" | "not") {
            return Err(ExprError::new(
                start,
                format!("`{name}` needs a condition before it"),
            ));
        }
        if self.peek().kind == TokenKind::LParen {
            self.advance();
            let (args, close) = self.nested(start, |p| p.arguments(start))?;
            return Ok(node(AstKind::Call { name, args }, start, close));
        }
        if !name.contains('.') {
            return Ok(node(AstKind::Word(name), start, end));
        }
        let (matchers, end) = if self.peek().kind == TokenKind::LBrace {
            self.advance();
            self.matchers()?
        } else {
            (Vec::new(), end)
        };
        let selector = Selector {
            metric: name,
            matchers,
        };
        Ok(node(AstKind::Series(selector), start, end))
    }

    fn arguments(&mut self, open: usize) -> Result<(Vec<Arg>, usize), ExprError> {
        let mut args = Vec::new();
        if self.peek().kind == TokenKind::RParen {
            return Ok((args, self.advance().end));
        }
        loop {
            args.push(self.argument()?);
            let token = self.advance();
            match token.kind {
                TokenKind::Comma => continue,
                TokenKind::RParen => return Ok((args, token.end)),
                TokenKind::End => {
                    return Err(ExprError::new(
                        open,
                        "unclosed `(` of this call (missing `)`)",
                    ));
                }
                _ => {
                    return Err(ExprError::new(
                        token.start,
                        "expected `,` or `)` after an argument",
                    ));
                }
            }
        }
    }

    fn argument(&mut self) -> Result<Arg, ExprError> {
        let start = self.peek().start;
        let is_named = matches!(self.peek().kind, TokenKind::Name(_))
            && matches!(
                self.tokens.get(self.pos + 1).map(|t| &t.kind),
                Some(TokenKind::Op("="))
            );
        if is_named {
            let TokenKind::Name(name) = self.advance().kind else {
                return Err(ExprError::new(start, "expected an argument name"));
            };
            self.advance();
            let value = self.or_expr()?;
            return Ok(Arg {
                name: Some(name),
                value,
                start,
            });
        }
        Ok(Arg {
            name: None,
            value: self.or_expr()?,
            start,
        })
    }

    fn matchers(&mut self) -> Result<(Vec<LabelMatch>, usize), ExprError> {
        let mut matchers = Vec::new();
        loop {
            let token = self.advance();
            let label = match token.kind {
                TokenKind::RBrace => return Ok((matchers, token.end)),
                TokenKind::Name(label) if !label.contains('.') => label,
                _ => return Err(ExprError::new(token.start, "expected a label name or `}`")),
            };
            let op_token = self.advance();
            let op = match op_token.kind {
                TokenKind::Op("=") => MatchKind::Eq,
                TokenKind::Op("!=") => MatchKind::NotEq,
                TokenKind::Op("=~") => MatchKind::Regex,
                TokenKind::Op("!~") => MatchKind::NotRegex,
                _ => {
                    return Err(ExprError::new(
                        op_token.start,
                        "expected =, !=, =~ or !~ after the label name",
                    ));
                }
            };
            let value_token = self.advance();
            let TokenKind::Str(value) = value_token.kind else {
                return Err(ExprError::new(
                    value_token.start,
                    "expected a quoted label value, e.g. \"/\"",
                ));
            };
            matchers.push(LabelMatch {
                label,
                op,
                value,
                start: token.start,
            });
            if self.peek().kind == TokenKind::Comma {
                self.advance();
            }
        }
    }
}
