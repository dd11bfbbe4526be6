//! Parse errors as data: a span, what was expected in words, what was found.

use std::fmt;

use crate::ast::Span;

/// Why a text is not a valid query or script. `Display` gives line and column; the
/// CLI draws the caret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// Where the problem is (byte offsets).
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column (in characters) of `span.start`.
    pub column: usize,
    /// What would have been accepted there, in words.
    pub expected: Vec<&'static str>,
    /// What was there instead, in words (`"end of input"`, `` `foo` ``).
    pub found: String,
    /// A sentence for problems that are not about tokens (limits, bad dates, …).
    pub message: Option<String>,
    /// A suggestion, when there is one.
    pub hint: Option<String>,
}

impl ParseError {
    /// The headline, without position: "expected a quoted string, found `foo`".
    pub fn summary(&self) -> String {
        if let Some(m) = &self.message {
            return m.clone();
        }
        let expected = match self.expected.as_slice() {
            [] => "something else".to_string(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} or {}", init.join(", "), last),
        };
        format!("expected {expected}, found {}", self.found)
    }

    pub(crate) fn at(text: &str, span: Span, message: impl Into<String>) -> ParseError {
        let (line, column) = line_col(text, span.start);
        ParseError {
            span,
            line,
            column,
            expected: Vec::new(),
            found: String::new(),
            message: Some(message.into()),
            hint: None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.summary())?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
