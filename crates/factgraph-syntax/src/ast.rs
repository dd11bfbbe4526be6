//! The abstract syntax tree: what the user wrote, with byte spans, names unresolved.
//!
//! Spans are byte offsets into the parsed text, and they are part of a tree's
//! equality: two trees are equal when they say the same thing at the same places.
//! (Tests that compare meaning alone, like print-then-parse, blank the spans first.)

use std::fmt;

/// A byte range `[start, end)` of the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A whole input: one or more statements.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// `explain` or `profile` before the text's only statement.
    pub mode: Option<RunMode>,
}

/// What a text asks of its statement besides running it (`Script::mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    /// `explain …`: its plan, without running it.
    Explain,
    /// `profile …`: its answer, and its plan with what each operator did.
    Profile,
}

impl Script {
    /// Whether running the text would write: a statement that writes, run (not only
    /// explained).
    pub fn writes(&self) -> bool {
        self.mode != Some(RunMode::Explain) && self.statements.iter().any(Statement::writes)
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// A write.
    Write(Write),
    /// A question in words.
    Question(Question),
    /// An openCypher query: `match … return …`, `create …`, `unwind … with … return …`.
    Query(Query),
}

impl Statement {
    /// Whether running it would write: a write, or a query that creates or merges.
    pub fn writes(&self) -> bool {
        match self {
            Statement::Write(_) => true,
            Statement::Query(q) => q.writes(),
            Statement::Question(_) => false,
        }
    }
}

/// A word as written: a relation, a kind, a document handle, a variable.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The text.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// An entity name: quoted or a bare word.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The name, unescaped.
    pub text: String,
    /// Whether it was written in quotes (in questions a quoted target may also be a
    /// phrase to search for).
    pub quoted: bool,
    /// Where.
    pub span: Span,
}

/// A statement label, `@accusation`.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The label without `@`.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A calendar date as written; checked to exist by the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day, 1..=31.
    pub day: u8,
}

/// A parameter's value, as the parser puts it into the tree in the parameter's place:
/// a literal, or (in an expression) null, a list or a map.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// A literal: text, a number, a boolean, a date or another temporal value.
    Literal(Literal),
    /// `null`.
    Null,
    /// A list.
    List(Vec<ParamValue>),
    /// A map, its keys in order.
    Map(Vec<(String, ParamValue)>),
}

impl From<Literal> for ParamValue {
    fn from(l: Literal) -> ParamValue {
        ParamValue::Literal(l)
    }
}

impl ParamValue {
    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Literal(l) => l.type_name(),
            ParamValue::Null => "null",
            ParamValue::List(_) => "a list",
            ParamValue::Map(_) => "a map",
        }
    }

    /// How deep lists and maps nest in it (a literal or null: 0).
    pub fn depth(&self) -> usize {
        match self {
            ParamValue::Literal(_) | ParamValue::Null => 0,
            ParamValue::List(items) => 1 + items.iter().map(ParamValue::depth).max().unwrap_or(0),
            ParamValue::Map(entries) => 1 + entries.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
        }
    }
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date.
    Date(Date),
    /// A temporal value other than a date, as openCypher names its type (`localtime`,
    /// `time`, `localdatetime`, `datetime`, `duration`, or `date` for a year beyond
    /// 0 to 9999) and its ISO text. Queries cannot write one: the query engine puts the
    /// values it computed into a `create` as literals.
    Temporal(String, String),
}

impl Literal {
    /// The name of the value's type, for messages: "text", "a whole number", ….
    pub fn type_name(&self) -> &'static str {
        match self {
            Literal::Str(_) => "text",
            Literal::Int(_) => "a whole number",
            Literal::Float(_) => "a number with a fraction",
            Literal::Bool(_) => "true or false",
            Literal::Date(_) => "a date",
            Literal::Temporal(..) => "a temporal value",
        }
    }
}

/// `key: literal`
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Literal,
    /// Where the value is.
    pub span: Span,
}

/// `key: expr` in a node or relationship pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternProperty {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Expr,
    /// Where the value is.
    pub span: Span,
}

/// A write statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Write {
    /// `document NAME { … }`
    Document {
        /// The document's name.
        name: Name,
        /// Its properties (`title`, `outlet`, `published`, `file`, …).
        properties: Vec<Property>,
    },
    /// `entity NAME [: Kind] [aka …] [{ … }]`
    Entity {
        /// The canonical name.
        name: Name,
        /// The kind, if given.
        kind: Option<Ident>,
        /// Spellings and the documents that use them.
        aliases: Vec<AliasDecl>,
        /// Properties.
        properties: Vec<Property>,
    },
    /// `assert …`
    Assert(Assert),
    /// `retract @label`
    Retract(Label),
    /// `delete entity NAME`
    DeleteEntity(Name),
}

/// One alias in an `aka` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct AliasDecl {
    /// The spelling.
    pub text: String,
    /// Where the spelling is.
    pub span: Span,
    /// Documents that use it.
    pub documents: Vec<Ident>,
}

/// `assert [@label =] subject relation object [{ … }] from …+`
#[derive(Clone, Debug, PartialEq)]
pub struct Assert {
    /// The label to give the statement.
    pub label: Option<Label>,
    /// What it is about.
    pub subject: Term,
    /// The relation.
    pub relation: Ident,
    /// The object.
    pub object: Term,
    /// Qualifiers.
    pub qualifiers: Vec<Property>,
    /// One or more citations.
    pub evidence: Vec<EvidenceDecl>,
}

/// A subject or object in a write.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// A labelled statement.
    Label(Label),
    /// An entity.
    Name(Name),
    /// A literal (objects only).
    Literal(Literal, Span),
}

/// `from DOC "quote" [by NAME]`
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceDecl {
    /// The document.
    pub document: Name,
    /// The quote, unescaped.
    pub quote: String,
    /// Where the quote is.
    pub quote_span: Span,
    /// Who the document credits.
    pub by: Option<Name>,
}

/// A question in words.
#[derive(Clone, Debug, PartialEq)]
pub enum Question {
    /// `who RELATION TARGET`; `who reported X` asks for sources.
    Who {
        /// The relation word as typed.
        relation: Ident,
        /// The name or phrase.
        target: Name,
    },
    /// `what does SUBJECT RELATION`
    What {
        /// The subject.
        subject: Name,
        /// The relation word as typed.
        relation: Ident,
    },
    /// `describe NAME`
    Describe(Name),
    /// `who is NAME`: answered as `describe NAME`, kept apart so it prints back as typed.
    WhoIs(Name),
    /// `path from A to B`
    Path {
        /// Start.
        from: Name,
        /// End.
        to: Name,
    },
    /// `neighbours of NAME [depth N]`
    Neighbours {
        /// The centre.
        name: Name,
        /// Depth, default 1.
        depth: Option<(u64, Span)>,
    },
    /// `sources of NAME`
    Sources(Name),
    /// `conflicts [all] [about NAME]`
    Conflicts {
        /// `all`: every difference, not only the disagreements.
        all: bool,
        /// The entity the statements must involve.
        about: Option<Name>,
    },
    /// `verify`
    Verify,
    /// `according to SOURCE QUESTION`
    According {
        /// The source.
        source: Name,
        /// The question.
        question: Box<Question>,
    },
    /// `why QUESTION`
    Why(Box<Question>),
    /// `QUESTION including negated`: statements their sources deny or do not confirm
    /// answer too. The parser puts it round the innermost question, so `why who … including
    /// negated` is a `Why` of an `IncludingNegated`.
    IncludingNegated(Box<Question>),
}

/// An openCypher query: clauses in order, each working on the rows the one before it
/// made (the first starts from one empty row).
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The clauses, in order; the parser has checked that their order is allowed.
    pub clauses: Vec<Clause>,
    /// Further queries whose rows are added to this one's: `union [all] …`.
    pub unions: Vec<Union>,
    /// Whether it ends in `including negated`: relationships their sources deny or do
    /// not confirm match too, in every part of the `union`.
    pub including_negated: bool,
}

/// `union [all]` and the query after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    /// `union all` keeps every row; `union` keeps each row once.
    pub all: bool,
    /// The query's clauses.
    pub clauses: Vec<Clause>,
    /// Where `union` is written.
    pub span: Span,
}

impl Query {
    fn all_clauses(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().chain(self.unions.iter().flat_map(|u| u.clauses.iter()))
    }

    /// Whether the query changes the store.
    pub fn writes(&self) -> bool {
        self.all_clauses().any(Clause::updates)
    }

    /// Whether the query only writes (no clause reads or returns anything), so that it
    /// can join the writes of a script.
    pub fn only_writes(&self) -> bool {
        self.unions.is_empty() && self.clauses.iter().all(|c| matches!(c, Clause::Create(_)))
    }
}

/// One clause of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `[optional] match PATH, … [where EXPR]`
    Match(Match),
    /// `unwind EXPR as NAME`
    Unwind {
        /// The list.
        expr: Expr,
        /// The variable each item is bound to.
        var: Ident,
    },
    /// `call NAME(ARGS) [yield …]`
    Call(Call),
    /// `with ITEMS … [where EXPR]`
    With(Projection),
    /// `return ITEMS …`
    Return(Projection),
    /// `create PATH, …`
    Create(Vec<PathPattern>),
    /// `merge PATH [on create set …] [on match set …]`
    Merge(Merge),
    /// `set ITEM, …`
    Set(Vec<SetItem>),
    /// `remove ITEM, …`
    Remove(Vec<RemoveItem>),
    /// `[detach] delete EXPR, …`
    Delete {
        /// `detach delete`: a node's relationships go with it.
        detach: bool,
        /// What to delete: nodes, relationships or paths (null is skipped).
        exprs: Vec<Expr>,
    },
}

impl Clause {
    /// Whether the clause changes the store.
    pub fn updates(&self) -> bool {
        matches!(
            self,
            Clause::Create(_) | Clause::Merge(_) | Clause::Set(_) | Clause::Remove(_) | Clause::Delete { .. }
        )
    }
}

/// `call NAME(ARGS) [yield …]`: a procedure's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The procedure's name, dots and all (`db.labels`).
    pub procedure: Ident,
    /// Its arguments.
    pub args: CallArgs,
    /// What it yields: `None` when the clause says nothing (a call alone in its query
    /// then returns every field; within a query, it binds none).
    pub yields: Option<Yield>,
    /// The whole clause.
    pub span: Span,
}

/// A procedure's arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum CallArgs {
    /// `NAME(EXPR, …)`: given, in the order of its inputs.
    Given(Vec<Expr>),
    /// `NAME` without parentheses: each input takes the parameter of its name. The
    /// parser does not know the procedure's inputs, so it keeps every parameter here,
    /// by name, its value written as an expression, for the planner to pick from.
    Implicit(Vec<(String, Expr)>),
}

/// What a `call` yields.
#[derive(Clone, Debug, PartialEq)]
pub enum Yield {
    /// `yield *`: every field (only in a call alone in its query).
    All(Span),
    /// `yield FIELD [as NAME], … [where EXPR]`
    Items {
        /// Each field yielded, with the variable it is bound to when renamed.
        items: Vec<(Ident, Option<Ident>)>,
        /// The condition the rows must meet.
        filter: Option<Expr>,
    },
}

/// `merge PATH [on create set …] [on match set …]`
#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    /// The path matched or created.
    pub path: PathPattern,
    /// `on create set …`: what to set on a row whose path was created.
    pub on_create: Vec<SetItem>,
    /// `on match set …`: what to set on a row whose path was found.
    pub on_match: Vec<SetItem>,
}

/// One thing `set` changes.
#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `e.key = value`: one property; null removes it.
    Property {
        /// The node or relationship (`n` in `n.key`, `(n)` in `(n).key`).
        target: Expr,
        /// The property.
        key: Ident,
        /// The new value.
        value: Expr,
    },
    /// `n = map`: every property replaced by the map's (or another node's or
    /// relationship's).
    Replace {
        /// The node or relationship.
        var: Ident,
        /// The map.
        value: Expr,
    },
    /// `n += map`: the map's properties set, the others kept (null removes one).
    Extend {
        /// The node or relationship.
        var: Ident,
        /// The map.
        value: Expr,
    },
    /// `n:A:B`: labels added.
    Labels {
        /// The node.
        var: Ident,
        /// The labels.
        labels: Vec<Ident>,
    },
}

/// One thing `remove` takes away.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    /// `e.key`
    Property {
        /// The node or relationship.
        target: Expr,
        /// The property.
        key: Ident,
    },
    /// `n:A:B`
    Labels {
        /// The node.
        var: Ident,
        /// The labels.
        labels: Vec<Ident>,
    },
}

/// `[optional] match PATH, … [where EXPR]`
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// `optional match`: a row with nulls when nothing matches.
    pub optional: bool,
    /// The paths, which must all match at once with no relationship used twice.
    pub paths: Vec<PathPattern>,
    /// The filter, part of the match (it decides what `optional` keeps).
    pub filter: Option<Expr>,
}

/// The items of a `return` or `with`, then sorting and paging.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// `distinct`?
    pub distinct: bool,
    /// `*`: every variable in scope, before the items.
    pub star: bool,
    /// The items.
    pub items: Vec<ReturnItem>,
    /// Sort keys.
    pub order: Vec<SortItem>,
    /// Rows to skip: a constant expression, checked by the planner.
    pub skip: Option<Expr>,
    /// Rows to keep: a constant expression, checked by the planner.
    pub limit: Option<Expr>,
    /// `with … where EXPR` (always `None` for `return`).
    pub filter: Option<Expr>,
    /// Where the clause is.
    pub span: Span,
}

/// A node, then (relationship, node) steps.
#[derive(Clone, Debug, PartialEq)]
pub struct PathPattern {
    /// `p = …`: the variable the whole path is bound to.
    pub name: Option<Ident>,
    /// The first node.
    pub start: NodePattern,
    /// The rest.
    pub steps: Vec<(RelPattern, NodePattern)>,
}

/// `(var:Kind {…})`
#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    /// The variable.
    pub var: Option<Ident>,
    /// The kind: its label, or its labels joined by `:` (`A:B`), each once.
    pub kind: Option<Ident>,
    /// `(n named "Trump")`: a name the node must have as any of its spellings,
    /// ignoring case and accents (its `name` property, `{name: …}`, is exact).
    pub named: Option<Expr>,
    /// Required properties.
    pub properties: Vec<PatternProperty>,
    /// Whether `{…}` was written, even empty: `create (n {})` of a bound `n`
    /// redeclares it as `create (n {a: 1})` does, where `(n)` refers to it.
    pub braces: bool,
    /// `(n $p)`: the properties as one parameter, which openCypher refuses in a
    /// pattern (the planner says so); kept so that the error is the planner's.
    pub parameter: Option<Ident>,
    /// Where.
    pub span: Span,
}

/// Which way a relationship pattern points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrow {
    /// `-[]->`
    Right,
    /// `<-[]-`
    Left,
    /// `-[]-`
    Either,
}

/// `-[var:rel|rel *min..max {…}]->`
#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    /// The variable.
    pub var: Option<Ident>,
    /// Allowed relations (any when empty).
    pub types: Vec<Ident>,
    /// Direction.
    pub arrow: Arrow,
    /// Variable length `(min, max)`, if `*` was written (or its bounds without it:
    /// `bad_length`).
    pub length: Option<(Option<u64>, Option<u64>)>,
    /// A length written as openCypher refuses it (`[:T..2]`, `*-2`), and where: read
    /// rather than refused by the grammar, so that the planner's error can say what is
    /// wrong with it. Its bounds are in `length`, a negative one left out.
    pub bad_length: Option<(BadLength, Span)>,
    /// Required qualifiers.
    pub properties: Vec<PatternProperty>,
    /// `-[r $p]-`: as `NodePattern::parameter`.
    pub parameter: Option<Ident>,
    /// Where.
    pub span: Span,
}

/// What is wrong with a relationship's length (`RelPattern::bad_length`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadLength {
    /// Bounds without the `*` before them: `[:LIKES..]`, `[:LIKES 1..3]`, `[:LIKES 2]`.
    WithoutStar,
    /// A bound with a sign: `*-2`, `*1..-1`, `*-0`.
    Negative,
}

/// `expr [as name]`
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnItem {
    /// The expression.
    pub expr: Expr,
    /// The alias.
    pub alias: Option<Ident>,
    /// The expression's text as written (openCypher names columns by it).
    pub text: String,
}

/// `expr [asc|desc]`
#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    /// The key.
    pub expr: Expr,
    /// Descending?
    pub descending: bool,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `starts with`
    StartsWith,
    /// `ends with`
    EndsWith,
    /// `contains`
    Contains,
    /// `in`
    In,
    /// `named`: whether the node on the left has the name on the right as any of its
    /// spellings (canonical name or alias), ignoring case and accents.
    Named,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// `null`
    Null,
    /// A variable.
    Var(String),
    /// `var.key`
    Property(String, String),
    /// `not e`
    Not(Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a OP b`
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `e is [not] null`
    IsNull {
        /// The operand.
        expr: Box<Expr>,
        /// `is not null`?
        negated: bool,
    },
    /// `f([distinct] args)`
    Call {
        /// Function name, lower-cased.
        name: String,
        /// `distinct` inside the call.
        distinct: bool,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{key: a, other: b}`
    Map(Vec<(String, Expr)>),
    /// `a xor b`
    Xor(Box<Expr>, Box<Expr>),
    /// `e.key` on anything but a variable (`m.a.b`, `(x).k`)
    Lookup(Box<Expr>, String),
    /// `list[i]` or `map[key]`
    Index(Box<Expr>, Box<Expr>),
    /// `list[from..to]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `n:A:B`
    HasLabels(Box<Expr>, Vec<String>),
    /// `case [subject] when … then … [else …] end`
    Case {
        /// With a subject, each `when` value is compared to it; without, each is a
        /// condition.
        subject: Option<Box<Expr>>,
        /// `(when, then)` pairs, in order.
        whens: Vec<(Expr, Expr)>,
        /// `else`
        otherwise: Option<Box<Expr>>,
    },
    /// `all(x in list where pred)`, `any(…)`, `none(…)`, `single(…)`
    Quantifier {
        /// Which.
        kind: Quantifier,
        /// The variable each item is bound to.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// The predicate.
        pred: Box<Expr>,
    },
    /// `[x in list where pred | expr]`
    ListComp {
        /// The variable each item is bound to.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// Items kept.
        filter: Option<Box<Expr>>,
        /// What each kept item becomes.
        map: Option<Box<Expr>>,
    },
    /// A pattern as a condition: `(n)-[:T]->()`, true when it matches.
    PatternPredicate(Box<PathPattern>),
    /// `[p = (a)-->(b) where pred | expr]`
    PatternComp {
        /// The pattern, at least one relationship long.
        path: Box<PathPattern>,
        /// Matches kept.
        filter: Option<Box<Expr>>,
        /// What each kept match becomes.
        map: Box<Expr>,
    },
    /// `exists { (a)-->(b), … where pred }`
    Exists {
        /// The patterns.
        paths: Vec<PathPattern>,
        /// What a match must pass.
        filter: Option<Box<Expr>>,
    },
    /// `exists { match … }`, `count { … }`, `collect { match … return x }`: a query
    /// (with its union's), run for the row at hand (its variables in scope), and
    /// whether it gives a row, how many, or the list of its one column's values.
    /// Never `including negated`: that is said of the query around it. `count { (a)-->(b)
    /// where … }` is the query `match (a)-->(b) where …`.
    Subquery(SubqueryKind, Box<Query>),
    /// `a + b`, `a * b`, …
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `-a`
    Neg(Box<Expr>),
}

/// What a subquery in an expression gives (`ExprKind::Subquery`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `exists { … }`: whether it gives a row.
    Exists,
    /// `count { … }`: how many rows it gives.
    Count,
    /// `collect { … }`: the values of its one column, in its order.
    Collect,
}

impl SubqueryKind {
    /// The keyword it is written with.
    pub fn word(self) -> &'static str {
        match self {
            SubqueryKind::Exists => "exists",
            SubqueryKind::Count => "count",
            SubqueryKind::Collect => "collect",
        }
    }
}

/// How many items a quantifier wants the predicate true for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    /// Every item.
    All,
    /// At least one.
    Any,
    /// None.
    None,
    /// Exactly one.
    Single,
}

impl Quantifier {
    /// The word as written.
    pub fn word(self) -> &'static str {
        match self {
            Quantifier::All => "all",
            Quantifier::Any => "any",
            Quantifier::None => "none",
            Quantifier::Single => "single",
        }
    }
}

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`: numbers add, strings and lists concatenate.
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: whole numbers divide to a whole number.
    Div,
    /// `%`
    Mod,
    /// `^`: a float, whatever the numbers.
    Pow,
}

impl ArithOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
            ArithOp::Pow => "^",
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_at_different_places_are_not_equal() {
        assert_ne!(Span::new(0, 1), Span::new(2, 3));
        assert_eq!(Span::new(2, 3), Span::new(2, 3));
        let at = |start| Name { text: "Trump".into(), quoted: false, span: Span::new(start, start + 5) };
        assert_ne!(at(0), at(10), "the same name written at two places");
    }
}
