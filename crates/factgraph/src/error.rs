//! The library's error type: one enum that keeps the layer an error came from.

pub use factgraph_store::StoreError;
pub use factgraph_syntax::ast::Span;
pub use factgraph_syntax::ParseError;

/// An entity a name could mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its id.
    pub id: factgraph_store::EntityId,
    /// Its canonical name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Something that tells it apart from candidates of the same name and kind: another
    /// spelling of it, or one of its properties.
    pub detail: Option<String>,
}

impl Candidate {
    /// The candidate for an entity, with the first alias that differs from its name
    /// (else its first property) as the detail.
    pub(crate) fn of(e: &factgraph_store::Entity) -> Candidate {
        let alias = e.aliases.iter().find(|a| a.text != e.name).map(|a| format!("also {:?}", a.text));
        let property = || e.properties.iter().next().map(|(k, v)| format!("{k}: {v}"));
        let detail = alias.or_else(property);
        Candidate { id: e.id, name: e.name.clone(), kind: e.kind.clone(), detail }
    }

    /// The candidate for an entity, with what makes it one as the detail.
    pub(crate) fn with_detail(e: &factgraph_store::Entity, detail: String) -> Candidate {
        Candidate { id: e.id, name: e.name.clone(), kind: e.kind.clone(), detail: Some(detail) }
    }
}

impl std::fmt::Display for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} ({}, {}", self.name, self.kind, self.id)?;
        if let Some(d) = &self.detail {
            write!(f, ", {d}")?;
        }
        f.write_str(")")
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one:?}?"),
        many => {
            format!("; did you mean one of {}?", many.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "))
        }
    }
}

/// The fields a procedure gives, for a `yield` of one it does not.
fn fields_given(outputs: &[String]) -> String {
    match outputs {
        [] => "it has no outputs".into(),
        _ => format!("it gives {}", outputs.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// `word` with its indefinite article: "a Person", "an Organization".
fn a(word: &str) -> String {
    // Words that take no article: "not text", "not null".
    if matches!(word, "text" | "null") {
        return word.to_owned();
    }
    let vowel = word.chars().next().is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// A number of bytes as people write a budget: `1 GiB`, `512 MiB`, `64 KiB`, or
/// bytes when it is none of these exactly.
pub(crate) fn size_text(bytes: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

fn arguments(n: usize, at_most: usize) -> String {
    let count = |n: usize| match n {
        0 => "no arguments".to_owned(),
        1 => "one argument".to_owned(),
        n => format!("{n} arguments"),
    };
    match at_most {
        m if m <= n => count(n),
        usize::MAX => format!("{} or more", count(n)),
        m => format!("{n} to {m} arguments"),
    }
}

/// What to do about an ambiguous name: a fuller name helps unless candidates share
/// their canonical name, and then only another of their spellings does.
fn ambiguity_advice(c: &[Candidate]) -> &'static str {
    let mut names: Vec<String> = c.iter().map(|c| factgraph_store::normalize(&c.name)).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    if names.len() < before {
        "some share their name: ask by another of their spellings, or by id in a pattern"
    } else {
        "use a fuller name"
    }
}

fn list_candidates(c: &[Candidate]) -> String {
    c.iter().map(Candidate::to_string).collect::<Vec<_>>().join(", ")
}

/// A query or script that parsed but cannot run: names that do not resolve, limits,
/// writes the store refuses. Each carries the span it is about.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum QueryError {
    /// No entity has that name or alias.
    #[error("no entity is called {name:?}{}", did_you_mean(suggestions))]
    UnknownEntity {
        /// The name as written.
        name: String,
        /// Where.
        span: Span,
        /// The nearest known names.
        suggestions: Vec<String>,
    },
    /// Several entities have that name or alias.
    #[error("{name:?} could mean {}; {}", list_candidates(candidates), ambiguity_advice(candidates))]
    Ambiguous {
        /// The name as written.
        name: String,
        /// Where.
        span: Span,
        /// Every entity it could mean.
        candidates: Vec<Candidate>,
    },
    /// No relation matches the word.
    #[error("no relation matches {word:?}{}", did_you_mean(suggestions))]
    UnknownRelation {
        /// The word as written.
        word: String,
        /// Where.
        span: Span,
        /// The nearest relations.
        suggestions: Vec<String>,
    },
    /// A statement label used before it was defined.
    #[error("@{label} is not defined; labels are defined by `assert @{label} = …` earlier in the same load")]
    UnknownLabel {
        /// The label.
        label: String,
        /// Where.
        span: Span,
    },
    /// A pattern uses a variable that none of its parts binds.
    #[error("`{name}` is not defined in the pattern")]
    UndefinedVariable {
        /// The variable.
        name: String,
        /// Where it is used.
        span: Span,
    },
    /// A node in `create` gives a name or kind to a variable that is already bound.
    #[error("`{name}` is already bound; refer to it as ({name})")]
    AlreadyBound {
        /// The variable.
        name: String,
        /// The node pattern.
        span: Span,
    },
    /// A variable used as a node in one place and as a relationship in another.
    #[error("`{name}` is {was} in one place and {now} in another")]
    VariableTypeConflict {
        /// The variable.
        name: String,
        /// What it was first bound to.
        was: &'static str,
        /// What it is used as here.
        now: &'static str,
        /// Where.
        span: Span,
    },
    /// Arithmetic that has no whole-number answer: overflow, division by zero.
    #[error("{message}")]
    Arithmetic {
        /// What went wrong, in words.
        message: String,
        /// The operation.
        span: Span,
    },
    /// A path starts at a variable that is bound to something other than a node.
    #[error("`{name}` is not a node")]
    NotANode {
        /// The variable.
        name: String,
        /// The node pattern.
        span: Span,
    },
    /// A call to a function the language does not have.
    #[error("there is no function {name}(){}", did_you_mean(suggestions))]
    UnknownFunction {
        /// The name as written (lower-cased).
        name: String,
        /// The call.
        span: Span,
        /// The nearest functions' names.
        suggestions: Vec<String>,
    },
    /// `call` of a procedure that is not registered (`Graph::register_procedure`).
    #[error("no procedure is called `{name}`{}", did_you_mean(suggestions))]
    UnknownProcedure {
        /// The name as written.
        name: String,
        /// The call.
        span: Span,
        /// The nearest procedures' names.
        suggestions: Vec<String>,
    },
    /// `yield` of a field the procedure does not give.
    #[error("`{procedure}` gives no field `{name}`; {}", fields_given(outputs))]
    UnknownOutput {
        /// The procedure.
        procedure: String,
        /// The field as written.
        name: String,
        /// The yield item.
        span: Span,
        /// The fields it does give.
        outputs: Vec<String>,
    },
    /// A `$parameter` with no value given for a `call NAME` that takes its arguments
    /// from the parameters (one the parser finds missing is a `ParseError`, of the
    /// same kind).
    #[error("no value was given for the parameter ${name}")]
    MissingParameter {
        /// The parameter, without its `$`.
        name: String,
        /// What needs it.
        span: Span,
    },
    /// A procedure's body reported a failure, or gave rows that do not fit its outputs.
    #[error("the procedure `{procedure}` failed: {message}")]
    ProcedureFailed {
        /// The procedure.
        procedure: String,
        /// What it said, or what was wrong with its rows.
        message: String,
        /// The call.
        span: Span,
    },
    /// A procedure that cannot be registered as defined (`Procedure::new`).
    #[error("the procedure `{name}` cannot be defined: {reason}")]
    BadProcedure {
        /// Its name as given.
        name: String,
        /// Why.
        reason: String,
    },
    /// A function called with the wrong number of arguments.
    #[error("{function}() takes {}", arguments(*expected, *at_most))]
    ArgumentCount {
        /// The function.
        function: String,
        /// How many arguments it takes (at least, when `at_most` is more).
        expected: usize,
        /// How many it takes at most (`usize::MAX`: any number).
        at_most: usize,
        /// The call.
        span: Span,
    },
    /// Something the language allows only in another place: see `Restriction`.
    #[error("{rule}")]
    NotAllowed {
        /// The rule broken.
        rule: Restriction,
        /// Where.
        span: Span,
    },
    /// A value of the wrong type.
    #[error("{what} must be {expected}, not {}", a(found))]
    TypeMismatch {
        /// What holds the value, as the user wrote it (`` `file:` ``).
        what: String,
        /// The type it needs, in words with its article ("a string").
        expected: String,
        /// The type it has ("integer").
        found: String,
        /// Where.
        span: Span,
    },
    /// A name cited as a document belongs to an entity of another kind.
    #[error("{name:?} is {}, not a document", a(kind))]
    NotADocument {
        /// The entity's canonical name.
        name: String,
        /// Its kind.
        kind: String,
        /// Where it is cited.
        span: Span,
    },
    /// A write gives an existing entity a kind other than the one it has.
    #[error("{name:?} is already {}; it cannot also be {}", a(kind), a(wanted))]
    KindConflict {
        /// The entity's canonical name.
        name: String,
        /// The kind it has.
        kind: String,
        /// The kind the write gives it.
        wanted: String,
        /// Where.
        span: Span,
    },
    /// An `entity` declaration names a new entity without giving its kind.
    #[error("{name:?} is new: give its kind, as in `entity {name:?}: Person`")]
    MissingKind {
        /// The name as written.
        name: String,
        /// Where.
        span: Span,
    },
    /// A statement label defined twice in one load.
    #[error("@{label} is already defined in this load")]
    DuplicateLabel {
        /// The label.
        label: String,
        /// The second definition.
        span: Span,
    },
    /// A quote that does not occur in the text of the document it cites.
    #[error("this quote does not occur in {document:?}'s text (quotes must be verbatim, up to whitespace)")]
    QuoteNotFound {
        /// The document as written.
        document: String,
        /// The quote.
        span: Span,
    },
    /// A `modality` or `polarity` qualifier whose value is outside its closed
    /// vocabulary (`factgraph::vocabulary::MODALITIES`, `POLARITIES`).
    #[error("{value} is not a known {key}; the {key} values are {}", allowed.join(", "))]
    UnknownQualifierValue {
        /// The qualifier key.
        key: String,
        /// The value as written (strings quoted).
        value: String,
        /// Every value the key allows.
        allowed: Vec<String>,
        /// The qualifier.
        span: Span,
    },
    /// A document's `file:` could not be read.
    #[error("cannot read {path}: {message}")]
    UnreadableFile {
        /// The file, as resolved against the script's directory.
        path: String,
        /// Why.
        message: String,
        /// The `file:` property.
        span: Span,
    },
    /// The store refused a write (an empty name, an over-long text, a statement with
    /// no evidence, an entity still in use), placed at what asked for it.
    #[error("{reason}")]
    Refused {
        /// The store's reason, in words.
        reason: String,
        /// The part of the script that asked for the write.
        span: Span,
    },
    /// A bound was reached.
    #[error("{what}: the limit is {limit}")]
    Limit {
        /// What grew too large.
        what: String,
        /// The limit.
        limit: u64,
        /// Where.
        span: Span,
    },
    /// The values and rows the query builds would take more memory than its budget
    /// (`Limits::max_memory`).
    #[error(
        "{what} would take the query past its memory budget of {}: ask for less (a `limit`, fewer or smaller values), or raise the budget (--memory-limit)",
        size_text(*budget)
    )]
    ResourceExhausted {
        /// What was being built or kept: "a list", "the rows to sort", ….
        what: String,
        /// The budget, in bytes.
        budget: u64,
    },
    /// The query was cancelled.
    #[error("the query was cancelled")]
    Cancelled,
    /// The query ran past its deadline.
    #[error("the query ran past its deadline of {0:?}")]
    Timeout(std::time::Duration),
}

impl QueryError {
    /// The part of the input the error is about, if any.
    pub fn span(&self) -> Option<Span> {
        match self {
            QueryError::UnknownEntity { span, .. }
            | QueryError::Ambiguous { span, .. }
            | QueryError::UnknownRelation { span, .. }
            | QueryError::UnknownLabel { span, .. }
            | QueryError::UndefinedVariable { span, .. }
            | QueryError::AlreadyBound { span, .. }
            | QueryError::VariableTypeConflict { span, .. }
            | QueryError::Arithmetic { span, .. }
            | QueryError::NotANode { span, .. }
            | QueryError::UnknownFunction { span, .. }
            | QueryError::ArgumentCount { span, .. }
            | QueryError::NotAllowed { span, .. }
            | QueryError::TypeMismatch { span, .. }
            | QueryError::NotADocument { span, .. }
            | QueryError::KindConflict { span, .. }
            | QueryError::MissingKind { span, .. }
            | QueryError::DuplicateLabel { span, .. }
            | QueryError::QuoteNotFound { span, .. }
            | QueryError::UnknownQualifierValue { span, .. }
            | QueryError::UnreadableFile { span, .. }
            | QueryError::Refused { span, .. }
            | QueryError::UnknownProcedure { span, .. }
            | QueryError::UnknownOutput { span, .. }
            | QueryError::MissingParameter { span, .. }
            | QueryError::ProcedureFailed { span, .. }
            | QueryError::Limit { span, .. } => Some(*span),
            QueryError::ResourceExhausted { .. }
            | QueryError::Cancelled
            | QueryError::Timeout(_)
            | QueryError::BadProcedure { .. } => None,
        }
    }

    pub(crate) fn not_allowed(rule: Restriction, span: Span) -> QueryError {
        QueryError::NotAllowed { rule, span }
    }
}

/// A rule of the language that holds in some places only: aggregates belong in
/// `return`, `create` makes one statement per relationship, a document's `file:` is
/// read only from a script file. Its `Display` is the sentence the user sees.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Restriction {
    /// An aggregate inside another aggregate: `count(collect(x))`.
    #[error("aggregates cannot be nested")]
    NestedAggregate,
    /// `create`, `merge`, `set`, `remove` or `delete` inside `exists { … }`, which only
    /// reads.
    #[error(
        "a subquery in `exists {{ … }}`, `count {{ … }}` or `collect {{ … }}` only reads: it cannot create, \
         merge, set, remove or delete"
    )]
    UpdateInSubquery,
    /// `collect { … }` whose query returns no column or several.
    #[error(
        "`collect {{ … }}` takes a query that returns exactly one column, as in \
         `collect {{ match (n)-->(m) return m.name }}`"
    )]
    CollectColumns,
    /// `count { … union … }` whose queries return nothing: their rows, all alike,
    /// would count once.
    #[error(
        "a `union` in `count {{ … }}` counts each distinct row once, and these queries return no columns to \
         tell rows apart by: return what makes a row (`return b`), or count every row with `union all`"
    )]
    CountUnionWithoutColumns,
    /// `exists { match … }` (or `count`, `collect`) where no query runs it: in the
    /// values of a text's `create` that runs with its writes.
    #[error("a subquery (`exists {{ match … }}`) runs only in a query that reads: put a `match` or `with` before the `create`")]
    SubqueryOutsideQuery,
    /// A random number inside an aggregate (`count(rand())`), whose answer would not
    /// be the group's.
    #[error(
        "`rand()` cannot be inside an aggregate: its answer would be no property of the group; \
         draw the numbers first (`with rand() as r`) and aggregate them"
    )]
    RandomInAggregate,
    /// An aggregate inside a list comprehension, which runs per item, not per group:
    /// `[x in list | count(*)]`.
    #[error("an aggregate cannot be inside a list comprehension; aggregate outside it")]
    AggregateInComprehension,
    /// `profile` of a question or a write, which have no operators to show, or of a
    /// query that writes beside other statements.
    #[error(
        "`profile` runs pattern queries (`match … return …`; one that writes must be alone in its text) and \
         shows what their operators did; a question or a write of factgraph's own has no operators: \
         `explain` (or `.explain`) shows what it reads"
    )]
    ProfileWithoutOperators,
    /// `call NAME` without parentheses within a query, of a procedure with inputs:
    /// only a call alone in its query takes its arguments from the parameters.
    #[error(
        "a `call` within a query gives its arguments in parentheses (`call NAME(…)`): only a call alone \
         in its query takes them from the parameters of the same names"
    )]
    ImplicitArguments,
    /// `call` within a query, of a procedure with outputs, yielding none: each row
    /// would be repeated once per row of the procedure.
    #[error("a `call` within a query names the fields it takes from the procedure's rows: add `yield FIELD, …`")]
    CallWithoutYield,
    /// A value beside an aggregate in one item that is not a grouping key:
    /// `return me.age + count(*)` without `me.age` as a column of its own.
    #[error(
        "`{expression}` is read beside an aggregate but is no grouping key, so each group has many values of it: \
         return it as a column of its own (a variable or property), or put it inside the aggregate"
    )]
    AmbiguousAggregation {
        /// The value, as written.
        expression: String,
    },
    /// An aggregate outside `return` and `with`, where there are no groups of rows.
    #[error("{function}() aggregates rows: use it in `return` or `with`")]
    AggregateOutsideReturn {
        /// The aggregate.
        function: String,
    },
    /// `count(*)` outside `return` and `with`.
    #[error("count(*) only works in `return` or `with`")]
    CountStarOutsideReturn,
    /// `return *` with no variables to stand for (`with *` with none passes its rows on).
    #[error("`*` stands for every variable, and there are none here")]
    StarWithoutVariables,
    /// A `with` item that is not a variable and has no name.
    #[error("an expression in `with` needs a name: add `as NAME`")]
    WithNeedsAlias,
    /// `skip` or `limit` with a value that depends on the row.
    #[error("`{clause}` takes a constant: a number or a parameter, not a variable")]
    NotConstant {
        /// `skip` or `limit`.
        clause: &'static str,
    },
    /// `skip` or `limit` below zero.
    #[error("`{clause}` cannot be negative")]
    NegativeCount {
        /// `skip` or `limit`.
        clause: &'static str,
    },
    /// `create p = …`.
    #[error("`create` does not name its path yet: name the nodes and relationships instead")]
    NamedPathInCreate,
    /// `union` and `union all` in one query.
    #[error("a query uses either `union` or `union all`, not both")]
    UnionMixed,
    /// The queries of a `union` return different columns.
    #[error("the queries of a union must return the same columns, in the same order and with the same names")]
    UnionColumns,
    /// Two columns of a `return` or `with` with one name.
    #[error("two columns are called `{name}`; rename one with `as`")]
    DuplicateColumn {
        /// The name.
        name: String,
    },
    /// After aggregation the rows are groups: only returned columns can order them.
    #[error("after aggregation, order by a returned column")]
    OrderByUnreturnedAfterAggregation,
    /// A literal where a statement's subject goes.
    #[error("a subject must be an entity or a @label")]
    LiteralSubject,
    /// `file:` in a document typed at the REPL or passed as a query.
    #[error("`file:` is only read when loading a script from a file")]
    FileOutsideScript,
    /// `file:` with an absolute path or a `..`.
    #[error("`file:` must be a relative path inside the script's directory")]
    FileOutsideScriptDirectory,
    /// `(n $p)`: a parameter standing for a pattern's properties.
    #[error("a parameter cannot stand for a pattern's properties: write them as a map, as in (n {{name: $name}})")]
    ParameterAsProperties,
    /// `delete n:Label`: `delete` takes nodes, relationships and paths, not labels
    /// (`remove n:Label` takes a label away).
    #[error(
        "`delete` takes nodes, relationships or paths, not a label test: use `remove n:Label` to take a label away"
    )]
    DeleteLabel,
    /// `delete 1 + 1`: a value that can never be a node, relationship or path.
    #[error("`delete` takes nodes, relationships or paths, and this is never one")]
    DeleteNotAnEntity,
    /// A created relationship without a type, or with several: `-[]->`, `-[:a|b]->`.
    #[error("a created relationship needs exactly one type, as in -[:met]->")]
    CreateWithoutOneType,
    /// A created relationship with a length (`*2`) or a variable bound earlier.
    #[error("a created relationship is one new statement")]
    CreateMoreThanOneStatement,
    /// A created relationship without an arrow.
    #[error("a created relationship needs a direction: -[]-> or <-[]-")]
    CreateWithoutDirection,
    /// `named` in a node that `create` or `merge` makes: `create (n named "X")`.
    #[error("`named` finds a node by any of its spellings; a node `create` or `merge` makes takes its name as a property, as in (n {{name: \"Ali Alqasimehr\"}})")]
    NamedInWrite,
    /// A relationship's length range without the `*` before it: `-[:LIKES..]->`.
    #[error("a relationship's length follows a `*`: write `*1..3`, `*..3` or `*`, as in -[:knows*1..3]->")]
    LengthWithoutStar,
    /// A relationship's length with a bound below zero: `-[:LIKES*-2]->`.
    #[error("a relationship's length is a number of steps, written without a sign: from 0 (`*0..2` is up to two)")]
    NegativeLength,
    /// `who reported "%"`: a phrase with no words, which every text would have.
    #[error("this phrase has no words to search for (only punctuation or spaces): quote a word or a name, as in `who reported \"red notice\"`")]
    PhraseWithoutWords,
    /// A property or the whole of a node or relationship the query itself deleted.
    #[error(
        "the query reads a node or relationship it has deleted: read what it needs before the `delete`, \
         as in `with n, n.name as name detach delete n return name`"
    )]
    DeletedEntityAccess,
    /// A question or pattern in a data file, which holds writes only.
    #[error("a data file holds writes only; ask questions in the REPL")]
    WritesOnlyInDataFile,
}

/// A problem with a file being loaded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// A line of the file is malformed.
    #[error("{file}:{line}: {message}")]
    Format {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Everything the library can return as an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not valid: it did not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The query parsed but cannot run as written.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// From the store: storage, integrity, refused writes.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file being loaded was unreadable or malformed; nothing was written.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// An error in a script file; the path lets a reader show the line.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong there.
        source: Box<Error>,
    },
    /// An I/O error outside the store (writing an export, a DOT file).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Results of library calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an error is: a stable, coarse classification for programs
/// (and a server's JSON) to act on, whatever the message says. New kinds may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text did not parse.
    Syntax,
    /// A name, relation, label or function that does not exist.
    UnknownName,
    /// A name that means several entities.
    Ambiguous,
    /// The query or write parsed but cannot run as written (types, variables,
    /// arguments, what the store refuses to record).
    Invalid,
    /// A bound on rows, hops, depth or size was reached.
    Limit,
    /// The query needed more memory than its budget (`Limits::max_memory`).
    ResourceExhausted,
    /// The caller cancelled.
    Cancelled,
    /// The deadline passed.
    Timeout,
    /// A file being loaded or imported is malformed.
    Load,
    /// No store where one was expected.
    NotFound,
    /// Another process has the store open.
    InUse,
    /// A write on a store opened read-only.
    ReadOnly,
    /// The store's files are damaged, foreign, newer or from an engine this build lacks.
    Damaged,
    /// Reading or writing a file failed.
    Io,
}

impl ErrorKind {
    /// The kind's stable name, in snake case: `syntax`, `unknown_name`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::UnknownName => "unknown_name",
            ErrorKind::Ambiguous => "ambiguous",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Limit => "limit",
            ErrorKind::ResourceExhausted => "resource_exhausted",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Load => "load",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InUse => "in_use",
            ErrorKind::ReadOnly => "read_only",
            ErrorKind::Damaged => "damaged",
            ErrorKind::Io => "io",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl QueryError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            QueryError::UnknownEntity { .. }
            | QueryError::UnknownRelation { .. }
            | QueryError::UnknownLabel { .. }
            | QueryError::UnknownFunction { .. }
            | QueryError::UnknownProcedure { .. }
            | QueryError::UnknownOutput { .. } => ErrorKind::UnknownName,
            // As the parser reports a parameter it has no value for.
            QueryError::MissingParameter { .. } => ErrorKind::Syntax,
            QueryError::Ambiguous { .. } => ErrorKind::Ambiguous,
            QueryError::UndefinedVariable { .. }
            | QueryError::AlreadyBound { .. }
            | QueryError::VariableTypeConflict { .. }
            | QueryError::Arithmetic { .. }
            | QueryError::NotANode { .. }
            | QueryError::ArgumentCount { .. }
            | QueryError::NotAllowed { .. }
            | QueryError::TypeMismatch { .. }
            | QueryError::NotADocument { .. }
            | QueryError::KindConflict { .. }
            | QueryError::MissingKind { .. }
            | QueryError::DuplicateLabel { .. }
            | QueryError::QuoteNotFound { .. }
            | QueryError::UnknownQualifierValue { .. }
            | QueryError::Refused { .. }
            | QueryError::ProcedureFailed { .. }
            | QueryError::BadProcedure { .. } => ErrorKind::Invalid,
            QueryError::UnreadableFile { .. } => ErrorKind::Io,
            QueryError::Limit { .. } => ErrorKind::Limit,
            QueryError::ResourceExhausted { .. } => ErrorKind::ResourceExhausted,
            QueryError::Cancelled => ErrorKind::Cancelled,
            QueryError::Timeout(_) => ErrorKind::Timeout,
        }
    }
}

/// What kind of failure a store error is.
fn store_kind(e: &StoreError) -> ErrorKind {
    match e {
        StoreError::InUse { .. } => ErrorKind::InUse,
        StoreError::NotFound { .. } | StoreError::Unfinished { .. } => ErrorKind::NotFound,
        StoreError::ReadOnly => ErrorKind::ReadOnly,
        StoreError::Io { .. } | StoreError::DiskFull { .. } => ErrorKind::Io,
        StoreError::Import { .. } => ErrorKind::Load,
        StoreError::NoEvidence
        | StoreError::NoSuchEntity(_)
        | StoreError::NoSuchStatement(_)
        | StoreError::NotADocument { .. }
        | StoreError::InUseEntity(_)
        | StoreError::Invalid(_) => ErrorKind::Invalid,
        // Foreign, not a directory, newer, damaged, corrupt, unknown engine, engine failures, and
        // whatever the store adds later: the files cannot be used as they are.
        _ => ErrorKind::Damaged,
    }
}

impl Error {
    /// What kind of failure this is; stable across versions, unlike the messages.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Parse(_) => ErrorKind::Syntax,
            Error::Query(q) => q.kind(),
            Error::Store(s) => store_kind(s),
            Error::Load(LoadError::Io { .. }) | Error::Io { .. } => ErrorKind::Io,
            Error::Load(_) => ErrorKind::Load,
            Error::InFile { source, .. } => source.kind(),
        }
    }
}
