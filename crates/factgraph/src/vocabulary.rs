//! The words and lexical rules of the query language as data, for tools built on the
//! library: completion, syntax colouring, a REPL that knows when an input is finished;
//! and the closed vocabularies of the epistemic qualifiers a load checks.

use crate::{Qualifiers, Value};

/// Every keyword of the language, in lower case and alphabetical order, with each
/// alternative spelling (`neighbors`, `did`, `ascending`). Keywords are matched
/// without regard to case. A test checks this list against the grammar.
pub const KEYWORDS: &[&str] = factgraph_syntax::KEYWORDS;

/// Every function a pattern query can call, spelt as openCypher writes it (`toLower`;
/// calls match without regard to case), in alphabetical order: the aggregates
/// (`count`, `collect`, `min`, `max`, `sum`, `avg`), which only work in `return`, and
/// the rest (`sources(r)`, `type(r)`, `toLower(s)`, …). A test checks that each one
/// is known to the query engine.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "avg",
    "ceil",
    "coalesce",
    "collect",
    "count",
    "date",
    "date.realtime",
    "date.statement",
    "date.transaction",
    "date.truncate",
    "datetime",
    "datetime.fromEpoch",
    "datetime.fromEpochMillis",
    "datetime.realtime",
    "datetime.statement",
    "datetime.transaction",
    "datetime.truncate",
    "duration",
    "duration.between",
    "duration.inDays",
    "duration.inMonths",
    "duration.inSeconds",
    "endNode",
    "evidence",
    "floor",
    "head",
    "id",
    "keys",
    "labels",
    "last",
    "left",
    "length",
    "localdatetime",
    "localdatetime.realtime",
    "localdatetime.statement",
    "localdatetime.transaction",
    "localdatetime.truncate",
    "localtime",
    "localtime.realtime",
    "localtime.statement",
    "localtime.transaction",
    "localtime.truncate",
    "ltrim",
    "max",
    "min",
    "percentileCont",
    "percentileDisc",
    "properties",
    "quotes",
    "rand",
    "range",
    "replace",
    "reverse",
    "right",
    "round",
    "rtrim",
    "sign",
    "size",
    "sources",
    "split",
    "sqrt",
    "startNode",
    "substring",
    "sum",
    "tail",
    "time",
    "time.realtime",
    "time.statement",
    "time.transaction",
    "time.truncate",
    "toBoolean",
    "toFloat",
    "toInteger",
    "toLower",
    "toString",
    "toUpper",
    "trim",
    "type",
];

/// The statement qualifier that says how a source hedges a claim.
pub const MODALITY: &str = "modality";

/// The statement qualifier that says whether a source affirms a claim, denies it, or
/// declines to confirm it.
pub const POLARITY: &str = "polarity";

/// Every value the `modality` qualifier may take, most committed first. The list is
/// closed so that a question can rely on it: a hedge spelt a new way would otherwise be
/// a modality no answer knows how to show or weigh. `docs/data-model.md` says which
/// source words select each one.
pub const MODALITIES: &[&str] = &[
    "asserted",
    "reportedly",
    "allegedly",
    "announced",
    "usually",
    "not-necessarily",
    "possibly",
    "conditional",
    "unlikely",
    "demanded",
];

/// Every value the `polarity` qualifier may take. A statement without one is
/// `affirmed`.
pub const POLARITIES: &[&str] = &["affirmed", "negated", "not-confirmed"];

/// Whether a statement with these qualifiers puts its claim forward as so: true unless
/// its `polarity` is one of `POLARITIES` other than `affirmed` (`negated`: the source
/// says it is not so; `not-confirmed`: the source declines to say it is). This is the
/// one rule of what a positive answer may rest on: questions and patterns skip a
/// statement it refuses unless they end in `including negated`, and `describe`, `why`
/// and `conflicts` show it with its status. A modality never withdraws a claim, however
/// weak (`unlikely`, `not-necessarily`): it weighs a claim the source still makes, and
/// rows show it. A polarity outside the vocabulary, which a load refuses, counts as not
/// affirmed.
///
/// ```
/// use factgraph::vocabulary::affirms;
/// use factgraph::{Qualifiers, Value};
/// let mut q = Qualifiers::new();
/// assert!(affirms(&q));
/// q.insert("modality".into(), Value::Str("unlikely".into()));
/// assert!(affirms(&q));
/// q.insert("polarity".into(), Value::Str("not-confirmed".into()));
/// assert!(!affirms(&q));
/// ```
pub fn affirms(qualifiers: &Qualifiers) -> bool {
    match qualifiers.get(POLARITY) {
        None => true,
        Some(Value::Str(p)) => p == POLARITIES[0],
        Some(_) => false,
    }
}

/// The qualifier keys whose value is a participant: an entity that takes part in the
/// claim, written by its name in a script (`{ for: "Donald Trump", addressee: Interpol }`),
/// resolved on load like every name a write uses and kept as the entity
/// (`Value::Entity`), so that questions, patterns and `path` reach the claim from it.
/// `docs/data-model.md` says what each means. A `charge` or a `reason` is the source's
/// words, not a participant: those stay text, and so does `to`, which the showcase
/// uses for what someone is urged to do (the addressee is `addressee`).
///
/// ```
/// use factgraph::vocabulary::is_role;
/// assert!(is_role("for") && is_role("addressee"));
/// assert!(!is_role("charge") && !is_role("to"));
/// ```
pub const ROLES: &[&str] = &["for", "addressee", "issuer", "over", "forbidden-to", "on-behalf-of"];

/// Whether a qualifier key is a participant's role (one of `ROLES`).
pub fn is_role(key: &str) -> bool {
    ROLES.contains(&key)
}

/// The closed vocabulary of a qualifier key, if it has one (`modality`, `polarity`).
///
/// ```
/// use factgraph::vocabulary::allowed_values;
/// assert!(allowed_values("polarity").unwrap().contains(&"negated"));
/// assert_eq!(allowed_values("charge"), None);
/// ```
pub fn allowed_values(key: &str) -> Option<&'static [&'static str]> {
    match key {
        MODALITY => Some(MODALITIES),
        POLARITY => Some(POLARITIES),
        _ => None,
    }
}

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

/// The first word of `text`, in lower case, past comments and an `explain` or
/// `profile`: which kind of statement it is.
///
/// ```
/// use factgraph::vocabulary::first_word;
/// assert_eq!(first_word("/* note */ MATCH (n) return n"), "match");
/// assert_eq!(first_word("explain match (n) return n"), "match");
/// assert_eq!(first_word("// only a comment"), "");
/// ```
pub fn first_word(text: &str) -> String {
    let text = factgraph_syntax::strip_comments(text);
    let mut words = text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty());
    let word = |w: Option<&str>| w.unwrap_or_default().to_ascii_lowercase();
    // Only words at the very start: `(a)` begins no statement with `a`.
    if !text.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return String::new();
    }
    let first = word(words.next());
    match first.as_str() {
        "explain" | "profile" => word(words.next()),
        _ => first,
    }
}

/// `text` without its comments, trimmed (strings kept whole).
///
/// ```
/// use factgraph::vocabulary::without_comments;
/// assert_eq!(without_comments("  // a note"), "");
/// assert_eq!(without_comments("return 1 /* one */"), "return 1");
/// ```
pub fn without_comments(text: &str) -> String {
    factgraph_syntax::strip_comments(text)
}

/// What a script's reader needs of each line: whether it begins inside a string or
/// a comment, and whether it ends a statement with a `;` outside them.
pub use factgraph_syntax::{line_states, LineState};

/// True when a shell should read another line before running `text`: its strings or
/// brackets are open (`is_complete` is false), or it is a pattern query (`match`,
/// `return`, `create`) that stops where the grammar wants more, as after
/// `match (a)-[r]->(b)` with the `return` still to come on the next line. Questions
/// and writes are one line unless a bracket or string is open.
///
/// ```
/// use factgraph::vocabulary::needs_more;
/// assert!(needs_more("match (a)-[r:accused]->(b)"));
/// assert!(needs_more("MATCH (a)\nWHERE a.name = 'x'"));
/// assert!(!needs_more("match (a) return a.name"));
/// assert!(!needs_more("describe"), "a question is run, and its error shown");
/// ```
pub fn needs_more(text: &str) -> bool {
    if !is_complete(text) {
        return true;
    }
    if !matches!(first_word(text).as_str(), "match" | "optional" | "unwind" | "with" | "return" | "create") {
        return false;
    }
    match factgraph_syntax::parse(text) {
        Ok(_) => false,
        Err(e) => e.found == "end of input",
    }
}
