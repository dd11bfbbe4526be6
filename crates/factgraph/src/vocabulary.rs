//! The words and lexical rules of the query language as data, for tools built on the
//! library: completion, syntax colouring, a REPL that knows when an input is finished.

/// Every keyword of the language, in lower case and alphabetical order, with each
/// alternative spelling (`neighbors`, `did`, `ascending`). Keywords are matched
/// without regard to case. A test checks this list against the grammar.
pub const KEYWORDS: &[&str] = factgraph_syntax::KEYWORDS;

/// Every function a pattern query can call, in alphabetical order: the aggregates
/// (`count`, `collect`, `min`, `max`, `sum`, `avg`), which only work in `return`, and
/// the rest (`sources(r)`, `type(r)`, `tolower(s)`, …). A test checks that each one
/// is known to the query engine.
pub const FUNCTIONS: &[&str] = &[
    "avg", "coalesce", "collect", "count", "evidence", "id", "labels", "length", "max", "min", "quotes", "size",
    "sources", "sum", "tolower", "toupper", "type",
];

/// True when `text` is a finished input: its strings and brackets are all closed, as
/// the parser reads them (quotes, brackets and comment markers inside a `#` or `//`
/// comment count for nothing, nor do comment markers and brackets inside a string).
/// An input with a closing bracket that matches nothing is finished too, since no
/// further line could mend it. A REPL reads more lines until the input is finished;
/// whether it then parses is another matter.
///
/// ```
/// use factgraph::vocabulary::is_complete;
/// assert!(is_complete("describe Trump // the \"real\" one"));
/// assert!(!is_complete("match (a)-[r:accused]->(b"));
/// ```
pub fn is_complete(text: &str) -> bool {
    factgraph_syntax::is_complete(text)
}
