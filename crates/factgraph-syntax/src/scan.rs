//! The lexical skeleton of an input: where its strings, comments and brackets are,
//! by the rules of `grammar/factgraph.pest`. The parser uses it to refuse deep nests
//! before pest sees them, and the REPL (through the `factgraph` library) to know
//! whether an input is finished or needs another line. One scanner, so the two cannot
//! disagree about what is a comment or a string.
//!
//! The grammar's rules it follows: a string is `"` … `"` or `'` … `'`, where `\`
//! escapes the character after it (so `\"` does not end it), the other quote is text,
//! and line breaks may occur inside; a name in backticks is read as a string with no
//! escapes (a doubled backtick ends one name and begins the next, which is the same
//! for finding where it ends);
//! `#` and `//` outside a string start a comment that runs to the end of the line,
//! and `/*` one that runs to the next `*/` (openCypher's two kinds);
//! `(`, `[` and `{` open brackets that `)`, `]` and `}` close. Every delimiter is ASCII, so scanning bytes is exact for
//! UTF-8 text and every offset it reports is a character boundary.

/// A bracket outside strings and comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bracket {
    /// Its byte offset.
    pub at: usize,
    /// True for `(`, `[` and `{`.
    pub opens: bool,
    /// How deep it is: an outermost pair is at depth 1, both its opener and its
    /// closer. A closer that closes nothing is at depth 0.
    pub depth: usize,
}

/// Walks an input and yields its brackets, skipping strings and comments. After the
/// last bracket, `open_string` and `depth` say how the input ends.
pub(crate) struct Scanner<'t> {
    bytes: &'t [u8],
    pos: usize,
    depth: usize,
    /// Where the string being read began, while inside one.
    string_start: Option<usize>,
    /// The quote that ends the string being read.
    quote: u8,
    /// Every comment passed so far, as byte ranges (to the end of its line, or past
    /// its `*/`).
    comments: Vec<std::ops::Range<usize>>,
    /// Where a `/* … */` comment the input never closes begins.
    comment_start: Option<usize>,
}

impl<'t> Scanner<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            string_start: None,
            quote: b'"',
            comments: Vec::new(),
            comment_start: None,
        }
    }

    /// Where a `/* … */` comment that the input never closes begins, once the scan
    /// is over.
    pub(crate) fn open_comment(&self) -> Option<usize> {
        self.comment_start
    }

    /// Where a string that the input never closes begins, once the scan is over.
    pub(crate) fn open_string(&self) -> Option<usize> {
        self.string_start
    }

    /// How many brackets are open where the scan has got to.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }
}

impl Iterator for Scanner<'_> {
    type Item = Bracket;

    fn next(&mut self) -> Option<Bracket> {
        while let Some(&b) = self.bytes.get(self.pos) {
            let at = self.pos;
            self.pos += 1;
            if self.string_start.is_some() {
                match b {
                    // The escaped character, whatever it is, belongs to the string.
                    b'\\' if self.quote != b'`' => self.pos += 1,
                    q if q == self.quote => self.string_start = None,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' | b'\'' | b'`' => {
                    self.string_start = Some(at);
                    self.quote = b;
                }
                b'#' => self.skip_comment(at),
                b'/' if self.bytes.get(self.pos) == Some(&b'/') => self.skip_comment(at),
                b'/' if self.bytes.get(self.pos) == Some(&b'*') => self.skip_block_comment(at),
                b'(' | b'[' | b'{' => {
                    self.depth += 1;
                    return Some(Bracket { at, opens: true, depth: self.depth });
                }
                b')' | b']' | b'}' => {
                    let depth = self.depth;
                    self.depth = depth.saturating_sub(1);
                    return Some(Bracket { at, opens: false, depth });
                }
                _ => {}
            }
        }
        // An escape as the last byte steps past the end.
        self.pos = self.bytes.len();
        None
    }
}

impl Scanner<'_> {
    /// Moves to the line break that ends a comment (the break itself is not part of
    /// it, as in the grammar's `COMMENT`).
    fn skip_comment(&mut self, start: usize) {
        self.pos = self.bytes[self.pos..].iter().position(|&b| b == b'\n').map_or(self.bytes.len(), |i| self.pos + i);
        self.comments.push(start..self.pos);
    }

    /// Moves past the `*/` that ends a comment begun at `start` (its `/*`), or to the
    /// end of the input, leaving the comment open.
    fn skip_block_comment(&mut self, start: usize) {
        let body = self.pos + 1;
        match self.bytes[body..].windows(2).position(|w| w == b"*/") {
            Some(i) => {
                self.pos = body + i + 2;
                self.comments.push(start..self.pos);
            }
            None => {
                self.pos = self.bytes.len();
                self.comments.push(start..self.pos);
                self.comment_start = Some(start);
            }
        }
    }
}

/// `text` without its comments (strings kept whole), trimmed: how an expression reads
/// as a column name.
pub(crate) fn without_comments(text: &str) -> String {
    let mut scanner = Scanner::new(text);
    scanner.by_ref().for_each(drop);
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for c in &scanner.comments {
        out.push_str(&text[from..c.start]);
        from = c.end;
    }
    out.push_str(&text[from..]);
    out.trim().to_owned()
}

/// True when `text` is a finished input: every string it opens is closed and every
/// bracket it opens is closed, with quotes, brackets and comment markers read as the
/// parser reads them (so a `"` or `(` inside a `#` or `//` comment, or a `#` inside a
/// string, counts for nothing). An input with a closing bracket that matches nothing is
/// finished too: no further line could mend it, so it may as well fail now.
///
/// A REPL asks for another line until the input is finished; a script runner uses it
/// to know where one multi-line input ends. It says nothing about whether the input
/// parses.
///
/// ```
/// use factgraph_syntax::is_complete;
/// assert!(is_complete("describe Trump // the \"real\" one"));
/// assert!(!is_complete("match (a)-[r:accused]->(b"));
/// assert!(!is_complete("who reported \"red"));
/// ```
pub fn is_complete(text: &str) -> bool {
    let mut scan = Scanner::new(text);
    if scan.by_ref().any(|b| !b.opens && b.depth == 0) {
        return true;
    }
    scan.open_string().is_none() && scan.open_comment().is_none() && scan.depth() == 0
}

/// `text` without its comments, as `without_comments` gives it: for a reader of
/// scripts, which must see where a statement ends (`… ; // note`) and which word starts
/// one (`/* why */ match …`) as the parser does.
///
/// ```
/// use factgraph_syntax::strip_comments;
/// assert_eq!(strip_comments("return 1; // one"), "return 1;");
/// assert_eq!(strip_comments("/* a ; b */ match (n) return n"), "match (n) return n");
/// assert_eq!(strip_comments("return '// no comment'"), "return '// no comment'");
/// ```
pub fn strip_comments(text: &str) -> String {
    without_comments(text)
}

/// What a script's reader needs to know of each line (`line_states`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineState {
    /// The line begins inside a string, a `/* … */` comment or an open bracket: it
    /// goes on with the statement before it, whatever its first word.
    pub starts_inside: bool,
    /// The line ends a statement: its last character outside strings and comments
    /// is a `;`.
    pub ends_statement: bool,
}

/// `LineState` of each line of `text` (as `str::lines` cuts it), in one pass, by the
/// rules `Scanner` follows: a `;` in a string or a comment ends nothing, and a line
/// inside a multi-line string or comment is no line a statement starts on.
///
/// ```
/// use factgraph_syntax::line_states;
/// let s = line_states("create (:N {t: 'a;\nb'});\n/* x;\ny */ return 1; // done\n");
/// let ends: Vec<bool> = s.iter().map(|l| l.ends_statement).collect();
/// assert_eq!(ends, [false, true, false, true]);
/// assert!(s[1].starts_inside && s[3].starts_inside && !s[0].starts_inside);
/// assert!(line_states("unwind [\n1,\n2] as x")[1].starts_inside, "inside a bracket");
/// ```
pub fn line_states(text: &str) -> Vec<LineState> {
    #[derive(PartialEq)]
    enum In {
        Code,
        Str(u8),
        Line,
        Block,
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut state = In::Code;
    let mut starts_inside = false;
    let mut depth = 0usize;
    let mut last = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            out.push(LineState { starts_inside, ends_statement: last == b';' });
            if state == In::Line {
                state = In::Code;
            }
            starts_inside = matches!(state, In::Str(_) | In::Block) || depth > 0;
            last = 0;
            i += 1;
            continue;
        }
        match state {
            In::Str(q) => {
                if b == b'\\' && q != b'`' {
                    // The escaped character belongs to the string (a line break too).
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                        continue;
                    }
                    i += 1;
                } else if b == q {
                    state = In::Code;
                    last = b;
                }
            }
            In::Line => {}
            In::Block => {
                if b == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    state = In::Code;
                    i += 1;
                }
            }
            In::Code => match b {
                b'"' | b'\'' | b'`' => {
                    state = In::Str(b);
                    last = b;
                }
                b'#' => state = In::Line,
                b'/' if bytes.get(i + 1) == Some(&b'/') => state = In::Line,
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    state = In::Block;
                    i += 1;
                }
                b' ' | b'\t' | b'\r' => {}
                other => {
                    match other {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    last = other;
                }
            },
        }
        i += 1;
    }
    if !text.is_empty() && !text.ends_with('\n') {
        out.push(LineState { starts_inside, ends_statement: last == b';' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brackets(text: &str) -> Vec<(usize, bool, usize)> {
        Scanner::new(text).map(|b| (b.at, b.opens, b.depth)).collect()
    }

    #[test]
    fn brackets_come_with_their_offsets_and_depths() {
        assert_eq!(
            brackets("(a [b] {c})"),
            [(0, true, 1), (3, true, 2), (5, false, 2), (7, true, 2), (9, false, 2), (10, false, 1)]
        );
        assert_eq!(brackets(") ("), [(0, false, 0), (2, true, 1)], "a closer that closes nothing is at depth 0");
    }

    #[test]
    fn strings_hide_brackets_and_comment_markers() {
        assert!(brackets("\"(#//[\" (").len() == 1);
        let mut s = Scanner::new("who said \"a ( b");
        assert_eq!(s.next(), None);
        assert_eq!(s.open_string(), Some(9));
    }

    #[test]
    fn an_escaped_quote_does_not_end_a_string() {
        let mut s = Scanner::new(r#""say \"hi\" (" ("#);
        assert_eq!(s.next(), Some(Bracket { at: 15, opens: true, depth: 1 }));
        assert_eq!(s.open_string(), None);
        assert!(!is_complete(r#"describe "a \""#));
        assert!(is_complete(r#"describe "a \\""#), "an escaped backslash does not escape the quote");
    }

    #[test]
    fn an_escape_at_the_very_end_leaves_the_string_open() {
        let mut s = Scanner::new("\"abc\\");
        assert_eq!(s.next(), None);
        assert_eq!(s.open_string(), Some(0));
    }

    #[test]
    fn comments_are_cut_from_text_but_not_from_strings() {
        assert_eq!(without_comments("a.name // trailing\n"), "a.name");
        assert_eq!(without_comments("'a # b' # c\n"), "'a # b'");
        assert_eq!(without_comments("x # one\n + y"), "x \n + y");
    }

    /// openCypher's `/* … */` comments were a syntax error.
    #[test]
    fn a_block_comment_hides_what_it_holds_and_may_span_lines() {
        assert_eq!(brackets("/* ( \" [\n */ ("), [(13, true, 1)]);
        assert_eq!(without_comments("a.name /* the \n name */ + 1"), "a.name  + 1");
        assert!(!is_complete("match (n) /* not yet"), "an open comment needs more");
        assert!(is_complete("match (n) /* done */ return n"));
        assert!(is_complete("return 'a /* b' "), "no comment inside a string");
        assert_eq!(brackets("a /*/ ( */ ("), [(11, true, 1)], "`/*/` does not close the comment it opens");
    }

    #[test]
    fn both_comment_styles_run_to_the_end_of_the_line() {
        assert_eq!(brackets("# ( \" [\n(").len(), 1);
        assert_eq!(brackets("// ( \" [\n("), [(9, true, 1)]);
        assert!(brackets("a / (").len() == 1, "a single slash is not a comment");
        assert!(is_complete("describe x # (\n"));
        assert!(is_complete("describe x // \"\n"));
        assert!(!is_complete("match (a // )\n"));
    }

    #[test]
    fn a_closer_that_matches_nothing_finishes_the_input() {
        assert!(is_complete("describe x)"));
        assert!(is_complete("match (a)) (b"));
        assert!(!is_complete("match (a) (b"));
    }

    #[test]
    fn multibyte_text_scans_by_characters() {
        assert_eq!(brackets("«é» (ا)"), [(7, true, 1), (10, false, 1)]);
        assert!(is_complete("describe \"Ali Qāsimī\""));
    }
}
