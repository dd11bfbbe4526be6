//! The planner for openCypher queries: the tree a query parsed into becomes a tree of
//! operators, with every variable resolved to a slot of the row, every function and
//! aggregate checked, and each path set to start from its most selective node.
//!
//! Everything that can be known wrong from the text alone is an error here, before the
//! query touches the store (undefined variables, a node used as a relationship,
//! aggregates where there are no groups, unknown functions, `with` items without a
//! name, clashing columns). `exec.rs` runs the operators; `matcher.rs` matches paths.
//!
//! Rows are vectors of values, one slot per variable the query ever binds: an operator
//! writes its new slots and leaves the others alone, so `order by` after `return` can
//! still read a variable the projection dropped.

use std::sync::Arc;

use factgraph_syntax::ast::{
    ArithOp, Arrow, Call, CallArgs, Clause, CompareOp, Expr, ExprKind, Ident, Literal, Match, NodePattern, PathPattern,
    PatternProperty, Projection, Query, RelPattern, RemoveItem, SetItem, Span, SubqueryKind, Yield,
};

use super::context::Ctx;
use super::script::value;
use super::value::{from_value, Val};
use crate::error::{QueryError, Restriction, Result};
use crate::procedure::{FieldType, Procedure, Procedures};

/// A place in a row.
pub(crate) type Slot = usize;

/// What a variable holds, as far as the text tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarType {
    Node,
    Rel,
    /// The relationships of a variable-length pattern.
    Rels,
    /// Anything (a projected or unwound value).
    Any,
    /// A value that is known not to be a node or relationship (`with 1 as n`).
    Value,
    /// A value known to be no node, relationship or map either (a number, text, a
    /// boolean, a list of such: `with 123 as n`), whose properties cannot be read.
    NotMap,
    /// A named path.
    Path,
}

impl VarType {
    fn name(self) -> &'static str {
        match self {
            VarType::Node => "a node",
            VarType::Rel => "a relationship",
            VarType::Rels => "a list of relationships",
            VarType::Any | VarType::Value | VarType::NotMap => "a value",
            VarType::Path => "a path",
        }
    }
}

/// A piece of a named path: a node, a relationship, or the relationships of a
/// variable-length step (in written order).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum PathPart {
    Node(Slot),
    Rel(Slot),
    Rels(Slot),
}

/// An expression with its variables resolved to slots.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CExpr {
    Const(Val),
    Slot(Slot),
    Prop(Box<CExpr>, String),
    Not(Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Compare(CompareOp, Box<CExpr>, Box<CExpr>),
    IsNull(Box<CExpr>, bool),
    Arith(ArithOp, Box<CExpr>, Box<CExpr>, Span),
    Neg(Box<CExpr>, Span),
    List(Vec<CExpr>),
    Map(Vec<(String, CExpr)>),
    Call(String, Vec<CExpr>, Span),
    Xor(Box<CExpr>, Box<CExpr>),
    Index(Box<CExpr>, Box<CExpr>, Span),
    Slice(Box<CExpr>, Option<Box<CExpr>>, Option<Box<CExpr>>, Span),
    HasLabels(Box<CExpr>, Vec<String>),
    /// A named path, made from its parts.
    Path(Vec<PathPart>),
    /// `case`: with a subject, the first `when` equal to it; without, the first true.
    Case(Option<Box<CExpr>>, Vec<(CExpr, CExpr)>, Option<Box<CExpr>>),
    /// `all(x in list where pred)` and its kin, `x` in `slot`.
    Quantifier {
        kind: factgraph_syntax::ast::Quantifier,
        slot: Slot,
        list: Box<CExpr>,
        pred: Box<CExpr>,
    },
    /// A pattern predicate, `exists {…}` or a pattern comprehension.
    Pattern(Box<PatternExpr>),
    /// `exists`, `count` or `collect { match … [union …] }`, run from the row at hand
    /// (`RunSubquery`).
    Subquery(Box<SubqueryPlan>),
    /// `[x in list where filter | map]`, `x` in `slot`.
    ListComp {
        slot: Slot,
        list: Box<CExpr>,
        filter: Option<Box<CExpr>>,
        map: Option<Box<CExpr>>,
    },
}

/// An aggregate function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AggFn {
    CountStar,
    Count,
    Collect,
    Min,
    Max,
    Sum,
    Avg,
    /// `percentileDisc(x, p)`: the value at rank `p`.
    PercentileDisc,
    /// `percentileCont(x, p)`: interpolated between the two values nearest rank `p`.
    PercentileCont,
}

/// One aggregate of a projection.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Agg {
    pub func: AggFn,
    pub distinct: bool,
    /// The argument; `None` for `count(*)`.
    pub arg: Option<CExpr>,
    /// A percentile's `p`.
    pub percentile: Option<CExpr>,
    pub slot: Slot,
    /// Where it is written, for its errors.
    pub span: Span,
}

/// The test a node of a pattern makes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NodeTest {
    pub slot: Option<Slot>,
    /// The slot already holds the node this must be (bound by an earlier clause, or
    /// earlier in this match's order).
    pub bound: bool,
    pub kind: Option<String>,
    pub props: Vec<(String, CExpr)>,
    /// `(n named "…")`: a name the node has as any of its spellings.
    pub named: Option<CExpr>,
    pub var: Option<String>,
}

/// The test a relationship of a pattern makes, in the direction the matcher walks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RelTest {
    pub slot: Option<Slot>,
    pub bound: bool,
    pub types: Vec<String>,
    /// Relative to the walk: `Right` follows the arrow, `Left` goes against it.
    pub arrow: Arrow,
    /// `(min, max)` hops for a variable-length relationship.
    pub length: Option<(usize, usize)>,
    pub props: Vec<(String, CExpr)>,
    /// Walked against the written order: the list it binds is reversed.
    pub reversed: bool,
    /// Where it was written, for errors found while matching.
    pub span: Span,
    /// Only the distinct far ends matter (set by `distinct_ends`): a variable-length
    /// step may search breadth-first instead of walking every trail.
    pub distinct_ends: bool,
}

/// How a path finds its first node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scan {
    /// The node a variable already holds.
    Bound(Slot),
    /// Through the name and alias index.
    Name(String),
    /// Every entity of a kind.
    Kind(String),
    /// The ends of every statement with one of these relations, on the side `arrow`
    /// says (`Right`: subjects, `Left`: objects, `Either`: both).
    Relation(Vec<String>, Arrow),
    /// Every entity but documents.
    All,
}

/// A path as the matcher walks it: from the anchor to the right end, then from the
/// anchor to the left end.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PathPlan {
    pub scan: Scan,
    pub anchor: NodeTest,
    pub right: Vec<(RelTest, NodeTest)>,
    pub left: Vec<(RelTest, NodeTest)>,
    /// How the path was written, for `explain`.
    pub text: String,
}

/// A pattern planned, as `match` and a pattern in an expression share it: its paths in
/// the order they are walked, the condition checked as each binding is made, the
/// slots it binds, the named paths made from a binding, and a condition that reads one
/// of them (checked once they are made).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PatternPlan {
    pub paths: Vec<PathPlan>,
    pub filter: Option<CExpr>,
    pub new_slots: Vec<Slot>,
    pub values: Vec<(CExpr, Slot)>,
    pub after: Option<CExpr>,
}

/// A pattern in an expression: with `map`, a pattern comprehension (the list of `map`
/// over the matches); without, whether it matches (a pattern predicate, `exists {…}`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PatternExpr {
    pub plan: PatternPlan,
    pub map: Option<CExpr>,
}

/// A node or relationship `create` makes, or one it refers to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CreatePlan {
    pub paths: Vec<PathPattern>,
    /// Variables bound before the clause, with their slots.
    pub bound: Vec<(String, Slot)>,
    /// Variables the clause binds, with their slots.
    pub binds: Vec<(String, Slot)>,
    /// The value of every property the clause writes, in the order the paths give
    /// them (node, then relationship, then node, …).
    pub values: Vec<CExpr>,
    /// The variables the clause creates whose properties a later node or relationship
    /// of it reads (`create (a {id: 0}), (b {num: a.id})`): the later one reads the
    /// values the earlier one was given (`exec::literal_paths`), in the clause's one
    /// transaction.
    pub read_back: Vec<String>,
}

/// One change `set`, `remove` or `merge … on create/on match set` makes to the node or
/// relationship its target evaluates to (a null target changes nothing).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Update {
    /// `e.key = value` (`None`, or a null value: the property removed).
    Property { target: CExpr, key: String, value: Option<CExpr>, span: Span },
    /// `n = map` (`replace`), or `n += map`.
    Properties { target: CExpr, value: CExpr, replace: bool, span: Span },
    /// `n:A:B` added (`add`) or removed.
    Labels { target: CExpr, labels: Vec<String>, add: bool, span: Span },
}

/// Stack a subquery is planned or run with at least (`stacker::maybe_grow`): past it,
/// a new segment of `SUBQUERY_STACK`. A debug build's frames are large: 60 nested
/// subqueries overflowed a 2 MiB thread from 20 deep.
pub(crate) const SUBQUERY_RED_ZONE: usize = 512 * 1024;

/// Stack an expression is planned with at least (`Planner::expr`): a level's frames
/// in a debug build, with room to spare.
const EXPR_RED_ZONE: usize = 256 * 1024;
pub(crate) const SUBQUERY_STACK: usize = 8 * 1024 * 1024;

/// Runs a subquery's operators from a row of the query around it, lending each row
/// they give to the sink until it answers `false`: `exec` has it, and hands it to the
/// evaluator through the query's context (`Ctx::subqueries`), which cannot name it
/// (`context.rs` is below this module), so that expressions can run operators without
/// depending on `exec`.
pub(crate) type RunSubquery =
    for<'c> fn(&mut Ctx<'c>, &Op, &[Val], &mut dyn FnMut(&mut Ctx<'_>, &[Val]) -> Result<bool>) -> Result<()>;

/// `exists`, `count` or `collect { … }`, planned.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SubqueryPlan {
    pub kind: SubqueryKind,
    /// The operators of each query of its union, with the slots of the columns it
    /// returns (none without `return`).
    pub parts: Vec<(Op, Vec<Slot>)>,
    /// `union` (not `union all`): a row given by two of its queries counts once.
    pub distinct: bool,
}

/// An operator. Each pushes rows to the next; the first is always `Unit` (or, in a
/// subquery, the row of the query around it).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    /// One row with every slot null.
    Unit,
    Match {
        input: Box<Op>,
        optional: bool,
        paths: Vec<PathPlan>,
        filter: Option<CExpr>,
        /// Slots this match binds (set to null by `optional` when nothing matches).
        new_slots: Vec<Slot>,
        /// Named paths made from each match before `filter` reads them: an optional
        /// match's condition on its path is part of the match, which keeps the row
        /// with nulls when no path passes (a filter after it would drop the row).
        made: Vec<(CExpr, Slot)>,
    },
    Unwind {
        input: Box<Op>,
        expr: CExpr,
        slot: Slot,
    },
    /// `call`: per row, the procedure's rows, each output yielded into its slot (a
    /// procedure with no outputs passes the row on once), those meeting `filter`.
    Call {
        input: Box<Op>,
        procedure: Arc<Procedure>,
        /// Each argument, with where it is written.
        args: Vec<(CExpr, Span)>,
        /// (output's index, slot) for each output yielded.
        outputs: Vec<(usize, Slot)>,
        filter: Option<CExpr>,
        span: Span,
    },
    Filter {
        input: Box<Op>,
        pred: CExpr,
    },
    Project {
        input: Box<Op>,
        items: Vec<(CExpr, Slot)>,
    },
    Aggregate {
        input: Box<Op>,
        keys: Vec<(CExpr, Slot)>,
        aggs: Vec<Agg>,
    },
    Distinct {
        input: Box<Op>,
        slots: Vec<Slot>,
    },
    Sort {
        input: Box<Op>,
        keys: Vec<(CExpr, bool)>,
    },
    Skip {
        input: Box<Op>,
        n: CExpr,
    },
    Limit {
        input: Box<Op>,
        n: CExpr,
    },
    Create {
        input: Box<Op>,
        plan: CreatePlan,
    },
    /// `merge PATH`: per row, the path's matches, or the path created; then what
    /// `on match set` or `on create set` changes.
    Merge {
        input: Box<Op>,
        paths: Vec<PathPlan>,
        create: CreatePlan,
        on_create: Vec<Update>,
        on_match: Vec<Update>,
    },
    /// `set …` or `remove …`: every row read, the changes made in one transaction.
    Update {
        input: Box<Op>,
        items: Vec<Update>,
    },
    /// `[detach] delete …`: every row read, then what they name deleted in one
    /// transaction.
    Delete {
        input: Box<Op>,
        detach: bool,
        exprs: Vec<(CExpr, Span)>,
    },
}

impl Op {
    /// The operator this one reads its rows from; `None` for `Unit`, where every
    /// chain starts.
    pub(crate) fn input(&self) -> Option<&Op> {
        match self {
            Op::Unit => None,
            Op::Match { input, .. }
            | Op::Unwind { input, .. }
            | Op::Call { input, .. }
            | Op::Filter { input, .. }
            | Op::Project { input, .. }
            | Op::Aggregate { input, .. }
            | Op::Distinct { input, .. }
            | Op::Sort { input, .. }
            | Op::Skip { input, .. }
            | Op::Limit { input, .. }
            | Op::Create { input, .. }
            | Op::Merge { input, .. }
            | Op::Update { input, .. }
            | Op::Delete { input, .. } => Some(input),
        }
    }

    /// This operator and every one before it, the last first.
    pub(crate) fn chain(&self) -> impl Iterator<Item = &Op> {
        std::iter::successors(Some(self), |op| op.input())
    }
}

/// A planned query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct QueryPlan {
    pub root: Op,
    /// Slots per row.
    pub width: usize,
    /// The answer's columns and the slots they read; empty when the query ends with
    /// an update.
    pub columns: Vec<(String, Slot)>,
    /// Whether the last projection sorts.
    pub ordered: bool,
    /// The variables whose relationships' evidence each answer row cites (none after
    /// aggregation, where a row stands for many).
    pub provenance: Vec<Slot>,
    /// Whether the query writes.
    pub writes: bool,
    /// What each slot holds, by name, for `explain`.
    pub names: Vec<String>,
    /// The queries after `union`, each with the slots of its columns.
    pub unions: Vec<(Op, Vec<Slot>)>,
    /// `union` (each row once) rather than `union all`.
    pub union_distinct: bool,
    /// What its patterns ask for, wherever they stand (its `match`es, `merge`s, the
    /// queries of a `union`, patterns in expressions and subqueries), for the notes on
    /// names nothing in the store has.
    pub asked: Asked,
}

/// The names a query's patterns ask for (`QueryPlan::asked`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Asked {
    /// Labels (`(n:Person)`).
    pub labels: Vec<String>,
    /// Relationship types (`-[:accused]->`).
    pub types: Vec<String>,
    /// Exact names given as text (`(n {name: "Trump"})`).
    pub names: Vec<String>,
    /// Property keys read from nodes and relationships (`n.born`, `(n {born: 1950})`).
    pub keys: Vec<String>,
}

impl QueryPlan {
    /// The `create` clauses of the query, first to last.
    pub(crate) fn creates(&self) -> Vec<&CreatePlan> {
        let mut out: Vec<&CreatePlan> = self
            .root
            .chain()
            .filter_map(|op| match op {
                Op::Create { plan, .. } => Some(plan),
                _ => None,
            })
            .collect();
        out.reverse();
        out
    }
}

/// `count(distinct y)`, alone, over a match (from one empty row) of one path of one
/// variable-length step to `y` whose distinct ends are sought, with no filter but
/// `y <> x` for its anchor `x`: `exec` counts it from the search's ends without
/// building a row (`matcher::count_distinct_ends`). Returns the path, and whether
/// `y = x` is left out.
pub(crate) fn counts_ends<'p>(input: &'p Op, keys: &[(CExpr, Slot)], aggs: &[Agg]) -> Option<(&'p PathPlan, bool)> {
    let Op::Match { input: from, optional: false, paths, filter, .. } = input else { return None };
    let ([path], [agg], [], Op::Unit) = (paths.as_slice(), aggs, keys, &**from) else { return None };
    let (rel, end) = match (path.right.as_slice(), path.left.as_slice()) {
        ([(rel, end)], []) | ([], [(rel, end)]) => (rel, end),
        _ => return None,
    };
    let y = end.slot?;
    if agg.func != AggFn::Count || !agg.distinct || agg.arg != Some(CExpr::Slot(y)) || !rel.distinct_ends {
        return None;
    }
    let skip_anchor = match filter {
        None => false,
        Some(CExpr::Compare(CompareOp::Ne, a, b)) => {
            let x = path.anchor.slot?;
            match (&**a, &**b) {
                (CExpr::Slot(a), CExpr::Slot(b)) if (*a, *b) == (x, y) || (*a, *b) == (y, x) => true,
                _ => return None,
            }
        }
        Some(_) => return None,
    };
    Some((path, skip_anchor))
}

/// `count(distinct s)` alone over `unwind sources(r) as s` over an input that only
/// reads: `exec` counts the classes of the sources' names from the index of every
/// statement's sources (`sources::SourceNames`) instead of reading each statement and
/// each source's name. Returns the input, the expression `sources(r)` (evaluated as
/// written for a row whose `r` is not a relationship) and `r`'s slot.
pub(crate) fn counts_sources<'p>(
    input: &'p Op,
    keys: &[(CExpr, Slot)],
    aggs: &[Agg],
) -> Option<(&'p Op, &'p CExpr, Slot)> {
    let Op::Unwind { input: from, expr, slot } = input else { return None };
    let ([agg], []) = (aggs, keys) else { return None };
    if agg.func != AggFn::Count || !agg.distinct || agg.arg != Some(CExpr::Slot(*slot)) {
        return None;
    }
    let CExpr::Call(name, args, _) = expr else { return None };
    let ("sources", [CExpr::Slot(r)]) = (name.as_str(), args.as_slice()) else { return None };
    reads_only(from).then_some((from, expr, *r))
}

/// True when no operator of `op`'s chain writes.
fn reads_only(op: &Op) -> bool {
    op.chain().all(|o| !matches!(o, Op::Create { .. } | Op::Merge { .. } | Op::Update { .. } | Op::Delete { .. }))
}

/// Marks the variable-length steps whose trails only matter through their distinct far
/// ends: under `distinct` or under aggregates that all ignore repeats (`count(distinct
/// y)`, `collect(distinct y)`, `min`, `max`), through filters and projections, a match
/// of one path of one unnamed, untyped step with no properties. `count(distinct y)`
/// over `(x)-[*1..3]-(y)` then costs a breadth-first search, not every trail.
fn distinct_ends(op: &mut Op, repeats_ignored: bool) {
    match op {
        Op::Unit => {}
        Op::Distinct { input, .. } => distinct_ends(input, true),
        Op::Aggregate { input, aggs, .. } => {
            let ignored = aggs
                .iter()
                .all(|a| (a.distinct && a.func != AggFn::CountStar) || matches!(a.func, AggFn::Min | AggFn::Max));
            distinct_ends(input, ignored)
        }
        Op::Filter { input, .. } | Op::Project { input, .. } => distinct_ends(input, repeats_ignored),
        Op::Match { input, paths, .. } => {
            if repeats_ignored {
                if let [p] = paths.as_mut_slice() {
                    let steps = p.right.len() + p.left.len();
                    if let (1, Some((rel, _))) = (steps, p.right.first_mut().or(p.left.first_mut())) {
                        let plain = rel.slot.is_none() && rel.types.is_empty() && rel.props.is_empty();
                        if plain && rel.length.is_some_and(|(min, _)| min <= 1) {
                            rel.distinct_ends = true;
                        }
                    }
                }
            }
            distinct_ends(input, false)
        }
        Op::Unwind { input, .. }
        | Op::Call { input, .. }
        | Op::Sort { input, .. }
        | Op::Skip { input, .. }
        | Op::Limit { input, .. }
        | Op::Merge { input, .. }
        | Op::Update { input, .. }
        | Op::Delete { input, .. }
        | Op::Create { input, .. } => distinct_ends(input, false),
    }
}

/// The variables in scope, in the order they were bound.
#[derive(Clone, Debug, Default)]
struct Scope {
    vars: Vec<(String, Slot, VarType)>,
    /// The type of the items of a written list, for the slots of the comprehension and
    /// quantifier variables that run over one (`x in ['a', 'b']`): a slot is bound
    /// once, so an entry never outlives its variable.
    items: Vec<(Slot, Written)>,
}

impl Scope {
    /// The type `name` is known to have from the text (a comprehension's variable over
    /// a written list of text or booleans).
    fn written(&self, name: &str) -> Option<Written> {
        let (slot, _) = self.get(name)?;
        self.items.iter().find(|(s, _)| *s == slot).map(|(_, w)| *w)
    }

    fn get(&self, name: &str) -> Option<(Slot, VarType)> {
        self.vars.iter().rev().find(|(n, ..)| n == name).map(|(_, s, t)| (*s, *t))
    }

    fn bind(&mut self, name: &str, slot: Slot, t: VarType) {
        self.vars.retain(|(n, ..)| n != name);
        self.vars.push((name.to_owned(), slot, t));
    }
}

pub(crate) const AGGREGATES: &[&str] =
    &["count", "collect", "min", "max", "sum", "avg", "percentiledisc", "percentilecont"];

/// Functions and the numbers of arguments they take.
const FUNCTION_ARITY: &[(&str, usize, usize)] = &[
    ("abs", 1, 1),
    ("ceil", 1, 1),
    ("coalesce", 1, usize::MAX),
    ("endnode", 1, 1),
    ("evidence", 1, 1),
    ("floor", 1, 1),
    ("head", 1, 1),
    ("id", 1, 1),
    ("keys", 1, 1),
    ("labels", 1, 1),
    ("last", 1, 1),
    ("left", 2, 2),
    ("length", 1, 1),
    ("ltrim", 1, 1),
    ("nodes", 1, 1),
    ("properties", 1, 1),
    ("quotes", 1, 1),
    ("rand", 0, 0),
    ("range", 2, 3),
    ("relationships", 1, 1),
    ("replace", 3, 3),
    ("reverse", 1, 1),
    ("right", 2, 2),
    ("round", 1, 1),
    ("rtrim", 1, 1),
    ("sign", 1, 1),
    ("size", 1, 1),
    ("sources", 1, 1),
    ("split", 2, 2),
    ("sqrt", 1, 1),
    ("startnode", 1, 1),
    ("substring", 2, 3),
    ("tail", 1, 1),
    ("toboolean", 1, 1),
    ("tofloat", 1, 1),
    ("tointeger", 1, 1),
    ("tolower", 1, 1),
    ("tostring", 1, 1),
    ("toupper", 1, 1),
    ("trim", 1, 1),
    ("type", 1, 1),
];

/// The numbers of arguments a function takes, or `None` for a function that does not
/// exist.
pub(crate) fn arity(name: &str) -> Option<(usize, usize)> {
    if name.starts_with("percentile") && AGGREGATES.contains(&name) {
        return Some((2, 2));
    }
    if AGGREGATES.contains(&name) {
        return Some((1, 1));
    }
    FUNCTION_ARITY.iter().chain(super::temporal::FUNCTIONS).find(|(n, ..)| *n == name).map(|(_, lo, hi)| (*lo, *hi))
}

/// A function's name as openCypher spells it (`toUpper`), for messages: calls are
/// matched without regard to case, so the parser keeps them in lower case.
pub(crate) fn function_shown(name: &str) -> &str {
    crate::vocabulary::FUNCTIONS.iter().find(|f| f.eq_ignore_ascii_case(name)).copied().unwrap_or(name)
}

/// The functions whose names are a typo away from `name` (an edit for every three
/// letters, swapped letters counting as one), nearest first.
pub(crate) fn near_functions(name: &str) -> Vec<String> {
    near_names(name, crate::vocabulary::FUNCTIONS.iter().copied())
}

fn is_aggregate_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::Call { name, .. } => AGGREGATES.contains(&name.as_str()),
        _ => false,
    }
}

/// The first value an item that aggregates reads beside its aggregates that is not a
/// grouping key (`keys`: the items that are a variable or property on their own, in
/// print; `key_vars`: the items that are a variable), nor a variable of a comprehension
/// or quantifier inside it (`locals`). openCypher refuses such an item as ambiguous:
/// each group has many values of it.
fn ungrouped<'e>(
    e: &'e Expr,
    scope: &Scope,
    keys: &[String],
    key_vars: &[&str],
    locals: &mut Vec<String>,
) -> Option<&'e Expr> {
    match &e.kind {
        _ if is_aggregate_call(e) => None,
        ExprKind::ListComp { var, list, filter, map } => ungrouped(list, scope, keys, key_vars, locals).or_else(|| {
            locals.push(var.clone());
            let found = [filter.as_deref(), map.as_deref()]
                .into_iter()
                .flatten()
                .find_map(|x| ungrouped(x, scope, keys, key_vars, locals));
            locals.pop();
            found
        }),
        ExprKind::Quantifier { var, list, pred, .. } => ungrouped(list, scope, keys, key_vars, locals).or_else(|| {
            locals.push(var.clone());
            let found = ungrouped(pred, scope, keys, key_vars, locals);
            locals.pop();
            found
        }),
        // A subquery reads the variables it names that are bound outside it as wholes.
        ExprKind::Subquery(_, q) => {
            let names = query_names(q);
            let outer = |v: &str| !locals.iter().any(|l| l == v) && scope.get(v).is_some();
            names.iter().any(|v| outer(v) && !key_vars.contains(&v.as_str())).then_some(e)
        }
        ExprKind::PatternPredicate(_) | ExprKind::PatternComp { .. } | ExprKind::Exists { .. } => {
            // A pattern reads the variables it names that are bound outside it as a
            // whole; the others are its own.
            let names: Vec<&str> = pattern_paths(e).flat_map(path_names).collect();
            let outer = |v: &str, locals: &[String]| !locals.iter().any(|l| l == v) && scope.get(v).is_some();
            if names.iter().any(|v| outer(v, locals) && !key_vars.contains(v)) {
                return Some(e);
            }
            let own: Vec<String> = names.iter().filter(|v| !outer(v, locals)).map(|v| (*v).to_owned()).collect();
            let before = locals.len();
            locals.extend(own);
            let found = children(e).into_iter().find_map(|c| ungrouped(c, scope, keys, key_vars, locals));
            locals.truncate(before);
            found
        }
        _ => match property_chain(e) {
            // A variable, or properties read from one (`me.age`, `m.a.b`): grouped
            // when its variable is a key or the comprehension's own, or when it is a
            // key as a whole. One not in scope is left to compiling, which says it is
            // undefined.
            Some(v) => {
                let grouped = locals.iter().any(|l| l == v)
                    || key_vars.contains(&v)
                    || scope.get(v).is_none()
                    || keys.contains(&factgraph_syntax::print_expr(e));
                (!grouped).then_some(e)
            }
            None => children(e).into_iter().find_map(|c| ungrouped(c, scope, keys, key_vars, locals)),
        },
    }
}

/// Whether `e` reads variable `name` only for its properties (`name.key`), never as
/// itself.
fn only_properties_of(e: &Expr, name: &str) -> bool {
    match &e.kind {
        ExprKind::Var(v) => v != name,
        ExprKind::Property(..) => true,
        // A pattern naming it reads it as itself (a node to match from).
        ExprKind::PatternPredicate(_) | ExprKind::PatternComp { .. } | ExprKind::Exists { .. }
            if pattern_paths(e).flat_map(path_names).any(|v| v == name) =>
        {
            false
        }
        ExprKind::Subquery(_, q) => !query_names(q).iter().any(|v| v == name),
        _ => children(e).into_iter().all(|c| only_properties_of(c, name)),
    }
}

/// Whether a query's `create` reads the properties of what an earlier `create`
/// clause of it creates (`create (a {id: 0}) create (:B {num: a.id})`). Within one
/// clause the values are read back (`CreatePlan::read_back`); across clauses only
/// what was written can be read, so such a query is not written in the script's
/// batch (whose clauses are all read before any is written) but runs clause by
/// clause.
pub(crate) fn reads_an_earlier_create(q: &Query) -> bool {
    let mut made: Vec<&str> = Vec::new();
    for clause in &q.clauses {
        let Clause::Create(paths) = clause else { continue };
        let parts = || paths.iter().flat_map(path_parts);
        // A subquery reads the store, which must hold what the clauses before wrote.
        if parts().flat_map(|(properties, _)| properties).any(|p| has_subquery(&p.value)) {
            return true;
        }
        if parts().flat_map(|(properties, _)| properties).any(|p| made.iter().any(|v| uses_var(&p.value, v))) {
            return true;
        }
        let mine: Vec<&str> = parts().filter_map(|(_, var)| var.as_ref()).map(|v| v.text.as_str()).collect();
        made.extend(mine);
    }
    false
}

/// What an aggregating projection's items may read beside their aggregates, as
/// `ungrouped` takes it: the items that are a variable or a chain of properties on
/// their own (in print), and the items that are a variable (whose properties are keys
/// too).
fn grouping_keys(items: &[(String, Expr, Span)]) -> (Vec<String>, Vec<&str>) {
    let keys = items
        .iter()
        .filter(|(_, e, _)| !contains_aggregate(e) && property_chain(e).is_some())
        .map(|(_, e, _)| factgraph_syntax::print_expr(e))
        .collect();
    let vars = items
        .iter()
        .filter_map(|(_, e, _)| match &e.kind {
            ExprKind::Var(v) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    (keys, vars)
}

/// A path's nodes and relationships in written order, each as its properties and its
/// variable.
fn path_parts(path: &PathPattern) -> impl Iterator<Item = (&Vec<PatternProperty>, &Option<Ident>)> {
    std::iter::once((&path.start.properties, &path.start.var))
        .chain(path.steps.iter().flat_map(|(r, n)| [(&r.properties, &r.var), (&n.properties, &n.var)]))
}

/// Every expression a path pattern holds: its properties' values and the names its
/// nodes are `named` by, for the checks that ask what an expression reads.
fn pattern_values(path: &PathPattern) -> impl Iterator<Item = &Expr> {
    nodes(path)
        .flat_map(|n| n.named.iter().chain(n.properties.iter().map(|p| &p.value)))
        .chain(path.steps.iter().flat_map(|(r, _)| r.properties.iter().map(|p| &p.value)))
}

/// Whether `e` holds `exists { match … }` (or `count`, `collect`) anywhere.
fn has_subquery(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Subquery(..)) || children(e).into_iter().any(has_subquery)
}

/// Whether `e` calls `rand()`, whose value differs at every call.
fn draws(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { name, .. } if name == "rand") || children(e).into_iter().any(draws)
}

/// The paths of a pattern in an expression (none for any other expression).
fn pattern_paths(e: &Expr) -> impl Iterator<Item = &PathPattern> {
    let paths: &[PathPattern] = match &e.kind {
        ExprKind::PatternPredicate(path) | ExprKind::PatternComp { path, .. } => std::slice::from_ref(&**path),
        ExprKind::Exists { paths, .. } => paths,
        _ => &[],
    };
    paths.iter()
}

/// The variables a path names: its own, its nodes' and its relationships'.
fn path_names(path: &PathPattern) -> impl Iterator<Item = &str> {
    path.name.iter().chain(path_parts(path).filter_map(|(_, var)| var.as_ref())).map(|v| v.text.as_str())
}

/// The aggregate calls in `e`, outermost (an aggregate holds none: nesting is refused).
fn aggregate_calls(e: &Expr) -> Vec<&Expr> {
    if is_aggregate_call(e) {
        return vec![e];
    }
    children(e).into_iter().flat_map(aggregate_calls).collect()
}

/// The first variable `e` reads, with where: what an error names when `e` cannot be
/// made.
fn first_variable(e: &Expr) -> Option<(&str, Span)> {
    match property_chain(e) {
        Some(v) => Some((v, e.span)),
        None => children(e).into_iter().find_map(first_variable),
    }
}

/// The variable a variable or a chain of properties read from it starts at: `me` of
/// `me`, `me.age`, `m.a.b`; `None` for anything else.
fn property_chain(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Var(v) | ExprKind::Property(v, _) => Some(v),
        ExprKind::Lookup(inner, _) => property_chain(inner),
        _ => None,
    }
}

/// Whether an aggregate appears anywhere in `e`.
fn contains_aggregate(e: &Expr) -> bool {
    is_aggregate_call(e) || children(e).into_iter().any(contains_aggregate)
}

/// The expressions directly inside `e`, in order (none for a leaf).
fn children(e: &Expr) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    match &e.kind {
        ExprKind::Not(a)
        | ExprKind::IsNull { expr: a, .. }
        | ExprKind::Neg(a)
        | ExprKind::Lookup(a, _)
        | ExprKind::HasLabels(a, _) => out.push(a),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Xor(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Index(a, b)
        | ExprKind::Quantifier { list: a, pred: b, .. } => out.extend([&**a, &**b]),
        ExprKind::Slice(a, f, t) => {
            out.push(a);
            out.extend(f.as_deref());
            out.extend(t.as_deref());
        }
        ExprKind::Case { subject, whens, otherwise } => {
            out.extend(subject.as_deref());
            out.extend(whens.iter().flat_map(|(w, t)| [w, t]));
            out.extend(otherwise.as_deref());
        }
        ExprKind::ListComp { list, filter, map, .. } => {
            out.push(list);
            out.extend(filter.as_deref());
            out.extend(map.as_deref());
        }
        ExprKind::List(items) | ExprKind::Call { args: items, .. } => out.extend(items),
        ExprKind::Map(entries) => out.extend(entries.iter().map(|(_, v)| v)),
        ExprKind::PatternPredicate(path) => out.extend(pattern_values(path)),
        ExprKind::PatternComp { path, filter, map } => {
            out.extend(pattern_values(path));
            out.extend(filter.as_deref());
            out.push(map);
        }
        ExprKind::Exists { paths, filter } => {
            out.extend(paths.iter().flat_map(pattern_values));
            out.extend(filter.as_deref());
        }
        // A subquery's expressions are its own: it is planned, checked and run whole.
        ExprKind::Literal(_)
        | ExprKind::Null
        | ExprKind::Var(_)
        | ExprKind::Property(..)
        | ExprKind::CountStar
        | ExprKind::Subquery(..) => {}
    }
    out
}

/// `subquery_names` of every query of a union.
fn query_names(q: &Query) -> Vec<String> {
    let mut out = subquery_names(&q.clauses);
    for u in &q.unions {
        out.extend(subquery_names(&u.clauses));
    }
    out
}

/// Every variable a subquery's text names (its own and those of the query around it),
/// for the checks that ask which outer variables an expression reads: reading too
/// many only makes them stricter or a filter wait.
fn subquery_names(clauses: &[Clause]) -> Vec<String> {
    fn expr_names(e: &Expr, out: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Var(v) | ExprKind::Property(v, _) => out.push(v.clone()),
            ExprKind::Subquery(_, q) => out.extend(query_names(q)),
            _ => {}
        }
        out.extend(pattern_paths(e).flat_map(path_names).map(str::to_owned));
        for c in children(e) {
            expr_names(c, out);
        }
    }
    fn paths_names(paths: &[PathPattern], out: &mut Vec<String>) {
        for p in paths {
            out.extend(path_names(p).map(str::to_owned));
            for value in pattern_values(p) {
                expr_names(value, out);
            }
        }
    }
    let mut out = Vec::new();
    for clause in clauses {
        match clause {
            Clause::Match(m) => {
                paths_names(&m.paths, &mut out);
                if let Some(f) = &m.filter {
                    expr_names(f, &mut out);
                }
            }
            Clause::Unwind { expr, var } => {
                expr_names(expr, &mut out);
                out.push(var.text.clone());
            }
            Clause::Call(c) => {
                if let CallArgs::Given(args) = &c.args {
                    args.iter().for_each(|a| expr_names(a, &mut out));
                }
                if let Some(Yield::Items { filter: Some(f), .. }) = &c.yields {
                    expr_names(f, &mut out);
                }
            }
            Clause::With(p) | Clause::Return(p) => {
                // `*` reads every variable in scope: named here as none, it is
                // checked when planned.
                for item in &p.items {
                    expr_names(&item.expr, &mut out);
                }
                for key in &p.order {
                    expr_names(&key.expr, &mut out);
                }
                if let Some(f) = &p.filter {
                    expr_names(f, &mut out);
                }
            }
            // A subquery only reads (`Planner::subquery` refuses the rest).
            Clause::Create(_) | Clause::Merge(_) | Clause::Set(_) | Clause::Remove(_) | Clause::Delete { .. } => {}
        }
    }
    out
}

/// Where an expression stands, which decides whether aggregates may appear in it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `where`, `unwind`, a property map: one row at a time.
    Row,
    /// An item of `return` or `with`: aggregates allowed (and collected).
    Projection,
    /// `order by`.
    OrderBy,
}

struct Planner<'p> {
    /// The procedures a `call` can name.
    procs: &'p Procedures,
    /// Inside `exists { … }`: the variables of the queries around it, which stay in
    /// scope past its `with` and `return` and which it may not bind anew.
    outer: Vec<(String, Slot, VarType)>,
    /// Every label and relationship type a pattern of the query asks for, wherever it
    /// stands (`QueryPlan::asked`).
    asked: Asked,
    width: usize,
    /// What each slot holds, by name.
    names: Vec<String>,
    /// Set while compiling a projection's items: the aggregates found.
    aggs: Vec<(Expr, Agg)>,
    /// How deep in an expression `expr` is (`MAX_EXPR_DEPTH`).
    depth: usize,
}

/// How deep an expression may nest, counted as the plan nests it (a term inside
/// `-`, `not`, a comparison, a call, brackets, …). The parser bounds each chain of
/// operators and the brackets apart, which together allowed thousands of levels
/// (`(- - … (- - … 1))`, 60 by 60): running one, the evaluator recursed a level
/// each, and a server's 2 MiB thread overflowed and took the process down.
const MAX_EXPR_DEPTH: usize = 500;

/// The plan of a query.
pub(crate) fn plan(q: &Query, procs: &Procedures) -> Result<QueryPlan> {
    let mut p = Planner {
        procs,
        outer: Vec::new(),
        asked: Default::default(),
        width: 0,
        names: Vec::new(),
        aggs: Vec::new(),
        depth: 0,
    };
    let mut out = QueryPlan {
        root: Op::Unit,
        width: 0,
        columns: Vec::new(),
        ordered: false,
        provenance: Vec::new(),
        writes: q.writes(),
        names: Vec::new(),
        unions: Vec::new(),
        union_distinct: false,
        asked: Default::default(),
    };
    let first = p.part(&q.clauses, Scope::default(), true)?;
    out.root = first.root;
    out.columns = first.columns;
    out.ordered = first.ordered;
    out.provenance = first.provenance;
    if let Some(u) = q.unions.first() {
        out.union_distinct = !u.all;
    }
    for u in &q.unions {
        // One kind of union per query: which rows are kept once would be unclear.
        if u.all == out.union_distinct {
            return Err(QueryError::not_allowed(Restriction::UnionMixed, u.span).into());
        }
        let part = p.part(&u.clauses, Scope::default(), true)?;
        let names = |c: &[(String, Slot)]| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        if names(&part.columns) != names(&out.columns) {
            return Err(QueryError::not_allowed(Restriction::UnionColumns, u.span).into());
        }
        out.unions.push((part.root, part.columns.into_iter().map(|(_, s)| s).collect()));
        // Rows from several queries stand for no one statement each.
        out.provenance.clear();
        out.ordered = false;
    }
    out.width = p.width;
    out.names = p.names;
    out.asked = p.asked;
    Ok(out)
}

/// One query of a union, planned.
struct Part {
    root: Op,
    columns: Vec<(String, Slot)>,
    ordered: bool,
    provenance: Vec<Slot>,
}

impl Planner<'_> {
    /// One query's clauses: a query of its own (`top`), or one inside `exists {…}`,
    /// which starts from the variables of the query around it (`scope`).
    fn part(&mut self, clauses: &[Clause], mut scope: Scope, top: bool) -> Result<Part> {
        let mut op = Op::Unit;
        let mut out = Part { root: Op::Unit, columns: Vec::new(), ordered: false, provenance: Vec::new() };
        for clause in clauses {
            op = match clause {
                Clause::Match(m) => self.matching(op, m, &mut scope)?,
                Clause::Call(call) => {
                    // A call alone in its query returns what it yields.
                    let alone = top && clauses.len() == 1;
                    let (op2, yielded) = self.call(op, call, &mut scope, alone)?;
                    if alone {
                        out.columns = yielded;
                        out.ordered = true;
                    }
                    op2
                }
                Clause::Unwind { expr, var } => {
                    let e = self.expr(expr, &scope, Place::Row)?;
                    if scope.get(&var.text).is_some() {
                        return Err(QueryError::AlreadyBound { name: var.text.clone(), span: var.span }.into());
                    }
                    let slot = self.slot(&var.text);
                    scope.bind(&var.text, slot, VarType::Any);
                    Op::Unwind { input: Box::new(op), expr: e, slot }
                }
                Clause::With(proj) => {
                    self.no_outer_rebound(proj)?;
                    let (op2, columns, _, _) = self.projection(op, proj, &mut scope, true)?;
                    scope = Scope { vars: self.with_outer(columns), items: Vec::new() };
                    op2
                }
                Clause::Return(proj) => {
                    self.no_outer_rebound(proj)?;
                    let before = scope.clone();
                    let (op2, columns, ordered, aggregated) = self.projection(op, proj, &mut scope, false)?;
                    out.columns = columns.iter().map(|(n, s, _)| (n.clone(), *s)).collect();
                    out.ordered = ordered;
                    if !aggregated && !proj.distinct {
                        let mut rels: Vec<&(String, Slot, VarType)> =
                            before.vars.iter().filter(|(_, _, t)| matches!(t, VarType::Rel | VarType::Rels)).collect();
                        rels.sort_by(|a, b| a.0.cmp(&b.0));
                        out.provenance = rels.into_iter().map(|(_, s, _)| *s).collect();
                    }
                    op2
                }
                Clause::Create(paths) => self.create(op, paths, &mut scope)?,
                Clause::Merge(m) => self.merge(op, m, &mut scope)?,
                Clause::Set(items) => Op::Update { input: Box::new(op), items: self.set_items(items, &scope)? },
                Clause::Remove(items) => Op::Update { input: Box::new(op), items: self.remove_items(items, &scope)? },
                Clause::Delete { detach, exprs } => {
                    let mut out = Vec::new();
                    for e in exprs {
                        deletable(e, &scope)?;
                        out.push((self.expr(e, &scope, Place::Row)?, e.span));
                    }
                    Op::Delete { input: Box::new(op), detach: *detach, exprs: out }
                }
            };
        }
        distinct_ends(&mut op, false);
        out.root = op;
        Ok(out)
    }
}

impl Planner<'_> {
    /// `call NAME(ARGS) [yield …]`, alone in its query (`alone`: then what it yields
    /// is the answer, every field unless it names some, and its arguments may come
    /// from the parameters) or within one. Returns the operator and the variables
    /// yielded, in order, with their slots.
    fn call(&mut self, input: Op, call: &Call, scope: &mut Scope, alone: bool) -> Result<(Op, Vec<(String, Slot)>)> {
        let name = &call.procedure;
        let Some(procedure) = self.procs.get(&name.text).cloned() else {
            return Err(QueryError::UnknownProcedure {
                name: name.text.clone(),
                span: name.span,
                suggestions: near_names(&name.text, self.procs.all().map(|p| p.name())),
            }
            .into());
        };
        let inputs = procedure.inputs();
        let args = match &call.args {
            CallArgs::Given(given) => {
                if given.len() != inputs.len() {
                    return Err(QueryError::ArgumentCount {
                        function: procedure.name().to_owned(),
                        expected: inputs.len(),
                        at_most: inputs.len(),
                        span: call.span,
                    }
                    .into());
                }
                let mut args = Vec::with_capacity(given.len());
                for (e, (input, t)) in given.iter().zip(inputs) {
                    // An argument whose type the text shows is checked now; the others
                    // as the call runs.
                    if let Some(found) = written_type(e) {
                        if !found.fits(*t) {
                            return Err(QueryError::TypeMismatch {
                                what: format!("the argument `{input}` of `{}`", procedure.name()),
                                expected: format!("{t} (or null)"),
                                found: found.words().into(),
                                span: e.span,
                            }
                            .into());
                        }
                    }
                    args.push((self.expr(e, scope, Place::Row)?, e.span));
                }
                args
            }
            CallArgs::Implicit(params) => {
                if !alone && !inputs.is_empty() {
                    return Err(QueryError::not_allowed(Restriction::ImplicitArguments, call.span).into());
                }
                let mut args = Vec::with_capacity(inputs.len());
                for (input, _) in inputs {
                    let Some((_, value)) = params.iter().find(|(p, _)| p == input) else {
                        return Err(QueryError::MissingParameter { name: input.clone(), span: name.span }.into());
                    };
                    args.push((self.expr(value, scope, Place::Row)?, name.span));
                }
                args
            }
        };
        let outputs = procedure.outputs();
        let every = || outputs.iter().enumerate().map(|(i, (field, _))| (i, field.clone(), name.span)).collect();
        let (yielded, filter): (Vec<(usize, String, Span)>, _) = match &call.yields {
            None if alone => (every(), None),
            None if outputs.is_empty() => (Vec::new(), None),
            // Within a query, each row would be repeated once per row the procedure
            // gives, with nothing to tell them apart.
            None => return Err(QueryError::not_allowed(Restriction::CallWithoutYield, call.span).into()),
            Some(Yield::All(_)) => (every(), None),
            Some(Yield::Items { items, filter }) => {
                let mut yielded = Vec::with_capacity(items.len());
                for (field, alias) in items {
                    let Some(i) = outputs.iter().position(|(o, _)| *o == field.text) else {
                        return Err(QueryError::UnknownOutput {
                            procedure: procedure.name().to_owned(),
                            name: field.text.clone(),
                            span: field.span,
                            outputs: outputs.iter().map(|(o, _)| o.clone()).collect(),
                        }
                        .into());
                    };
                    let var = alias.as_ref().unwrap_or(field);
                    yielded.push((i, var.text.clone(), var.span));
                }
                (yielded, filter.as_ref())
            }
        };
        let mut bound: Vec<(String, Slot)> = Vec::with_capacity(yielded.len());
        let mut taken = Vec::with_capacity(yielded.len());
        for (i, var, span) in yielded {
            // A yielded variable is a new one: not one in scope, nor one yielded twice.
            if scope.get(&var).is_some() || bound.iter().any(|(b, _)| *b == var) {
                return Err(QueryError::AlreadyBound { name: var, span }.into());
            }
            let slot = self.slot(&var);
            // A procedure gives values: never a node or a relationship.
            let t =
                if matches!(outputs[i].1, FieldType::Map | FieldType::Any) { VarType::Value } else { VarType::NotMap };
            scope.bind(&var, slot, t);
            bound.push((var, slot));
            taken.push((i, slot));
        }
        let filter = filter.map(|f| self.condition(f, scope)).transpose()?;
        let op = Op::Call { input: Box::new(input), procedure, args, outputs: taken, filter, span: call.span };
        Ok((op, bound))
    }

    /// A new slot, named for `explain` by the variable or column it holds.
    fn slot(&mut self, name: &str) -> Slot {
        self.names.push(name.to_owned());
        self.width += 1;
        self.width - 1
    }

    /// Binds or checks a pattern variable. Returns its slot and whether it was bound.
    fn variable(
        &mut self,
        name: &str,
        want: VarType,
        span: Span,
        scope: &mut Scope,
        here: &mut Vec<(String, Slot)>,
    ) -> Result<(Slot, bool)> {
        if let Some((slot, t)) = scope.get(name) {
            let fits = t == want || t == VarType::Any;
            // `Value` never fits a pattern: `with 1 as n match (n)`.
            if !fits {
                return Err(QueryError::VariableTypeConflict {
                    name: name.to_owned(),
                    was: t.name(),
                    now: want.name(),
                    span,
                }
                .into());
            }
            return Ok((slot, true));
        }
        let slot = self.slot(name);
        scope.bind(name, slot, want);
        here.push((name.to_owned(), slot));
        Ok((slot, false))
    }

    fn matching(&mut self, input: Op, m: &Match, scope: &mut Scope) -> Result<Op> {
        let PatternPlan { paths, filter, new_slots, values, after } =
            self.pattern(&m.paths, m.filter.as_ref(), scope)?;
        if m.optional && after.is_some() {
            let op =
                Op::Match { input: Box::new(input), optional: true, paths, filter: after, new_slots, made: values };
            return Ok(op);
        }
        let mut op =
            Op::Match { input: Box::new(input), optional: m.optional, paths, filter, new_slots, made: Vec::new() };
        if !values.is_empty() {
            op = Op::Project { input: Box::new(op), items: values };
        }
        if let Some(pred) = after {
            op = Op::Filter { input: Box::new(op), pred };
        }
        Ok(op)
    }

    /// Plans the paths of a pattern and its condition, binding its variables in
    /// `scope`.
    fn pattern(&mut self, paths: &[PathPattern], filter: Option<&Expr>, scope: &mut Scope) -> Result<PatternPlan> {
        // Before anything else, and in the order written: the grammar let these through
        // for this error to say what is wrong, and the paths are walked in another order.
        paths.iter().flat_map(|p| &p.steps).try_for_each(|(r, _)| well_formed_length(r))?;
        paths.iter().try_for_each(no_parameter_properties)?;
        // A named path needs a slot for each of its nodes and relationships: the ones
        // written without a variable get a hidden one (`hidden_name`).
        let mut m = paths.to_vec();
        let mut named: Vec<Ident> = Vec::new();
        for path in &mut m {
            let Some(name) = path.name.clone() else { continue };
            if scope.get(&name.text).is_some() || named.iter().any(|n| n.text == name.text) {
                return Err(QueryError::AlreadyBound { name: name.text.clone(), span: name.span }.into());
            }
            let hidden = |k: usize| Ident { text: hidden_name(&name.text, k), span: name.span };
            let mut k = 0;
            if path.start.var.is_none() {
                path.start.var = Some(hidden(k));
                k += 1;
            }
            for (r, n) in &mut path.steps {
                if r.var.is_none() {
                    r.var = Some(hidden(k));
                    k += 1;
                }
                if n.var.is_none() {
                    n.var = Some(hidden(k));
                    k += 1;
                }
            }
            named.push(name);
        }
        // `where b.name = 'Bo'` is `(b {name: 'Bo'})`: the same rows, and a start from
        // the name index rather than a scan of every node.
        let rest = names_into_patterns(&mut m, filter, scope);
        let filter = match &rest {
            Some(rest) => rest.as_ref(),
            None => filter,
        };
        let m = &m;
        // A path's name names nothing else of its match (`p = (p)-[]->()`).
        for path in m {
            let parts = nodes(path)
                .map(|n| (&n.var, "a node", n.span))
                .chain(path.steps.iter().map(|(r, _)| (&r.var, "a relationship", r.span)));
            for (var, now, span) in parts {
                if let Some(v) = var.as_ref().filter(|v| named.iter().any(|n| n.text == v.text)) {
                    return Err(
                        QueryError::VariableTypeConflict { name: v.text.clone(), was: "a path", now, span }.into()
                    );
                }
            }
        }
        // Bind every variable first (checking types), so that each path can then pick
        // its anchor knowing which nodes are bound before the match.
        let before = scope.clone();
        let mut new: Vec<(String, Slot)> = Vec::new();
        let mut rel_vars: Vec<&str> = Vec::new();
        for path in m {
            for n in nodes(path) {
                if let Some(v) = &n.var {
                    self.variable(&v.text, VarType::Node, n.span, scope, &mut new)?;
                }
            }
            for (r, _) in &path.steps {
                if let Some(v) = &r.var {
                    let want = if r.length.is_some() { VarType::Rels } else { VarType::Rel };
                    if rel_vars.contains(&v.text.as_str()) {
                        return Err(QueryError::AlreadyBound { name: v.text.clone(), span: r.span }.into());
                    }
                    rel_vars.push(&v.text);
                    self.variable(&v.text, want, r.span, scope, &mut new)?;
                }
            }
        }
        // Order the paths: each next one is the one that starts best given what the
        // earlier ones bound.
        let mut bound: Vec<String> = before.vars.iter().map(|(n, ..)| n.clone()).collect();
        let mut left: Vec<&PathPattern> = m.iter().collect();
        let mut plans = Vec::new();
        while !left.is_empty() {
            let (i, _) = left
                .iter()
                .enumerate()
                .map(|(i, p)| (i, best_anchor(p, &bound).1))
                .min_by_key(|(i, rank)| (*rank, *i))
                .expect("a path is left");
            let path = left.remove(i);
            plans.push(self.path(path, scope, &mut bound)?);
        }
        // The named paths, made from their parts once a row matches.
        let mut values = Vec::new();
        for path in m.iter().filter(|p| p.name.is_some()) {
            let slot_of = |v: &Option<Ident>| scope.get(&v.as_ref().expect("named above").text).map(|(s, _)| s);
            let mut parts = vec![PathPart::Node(slot_of(&path.start.var).expect("bound above"))];
            for (r, n) in &path.steps {
                let rs = slot_of(&r.var).expect("bound above");
                parts.push(if r.length.is_some() { PathPart::Rels(rs) } else { PathPart::Rel(rs) });
                parts.push(PathPart::Node(slot_of(&n.var).expect("bound above")));
            }
            let name = path.name.as_ref().expect("filtered");
            let slot = self.slot(&name.text);
            new.push((name.text.clone(), slot));
            values.push((CExpr::Path(parts), slot));
        }
        for name in &named {
            let slot = values.iter().map(|(_, s)| *s).find(|s| self.names[*s] == name.text).expect("made above");
            scope.bind(&name.text, slot, VarType::Path);
        }
        // A filter that reads a named path runs after the path is made (for an
        // optional match, a filter on a path keeps or drops whole rows).
        let reads_path = filter.is_some_and(|f| named.iter().any(|n| uses_var(f, &n.text)));
        let filter = match filter {
            Some(f) => Some(self.condition(f, scope)?),
            None => None,
        };
        let (filter, after) = if reads_path { (None, filter) } else { (filter, None) };
        Ok(PatternPlan { paths: plans, filter, new_slots: new.into_iter().map(|(_, s)| s).collect(), values, after })
    }

    /// `exists { match … }` (or `count`, `collect`): the subquery planned from the
    /// variables in `scope`, which it sees throughout (`outer`), its aggregates its
    /// own. It only reads.
    fn subquery(&mut self, kind: SubqueryKind, q: &Query, scope: &Scope, span: Span) -> Result<CExpr> {
        let parts = std::iter::once(&q.clauses).chain(q.unions.iter().map(|u| &u.clauses));
        if parts.clone().flatten().any(Clause::updates) {
            return Err(QueryError::not_allowed(Restriction::UpdateInSubquery, span).into());
        }
        let aggs = std::mem::take(&mut self.aggs);
        let outer = std::mem::replace(&mut self.outer, scope.vars.clone());
        // Each subquery planned recurses through a query's whole planning: nested to
        // the language's limit, on a thread's small stack, it is given room of its own.
        let planned = stacker::maybe_grow(SUBQUERY_RED_ZONE, SUBQUERY_STACK, || self.union_parts(q, scope));
        self.aggs = aggs;
        self.outer = outer;
        let parts = planned?;
        if kind == SubqueryKind::Collect && parts[0].1.len() != 1 {
            return Err(QueryError::not_allowed(Restriction::CollectColumns, span).into());
        }
        let distinct = q.unions.first().is_some_and(|u| !u.all);
        if kind == SubqueryKind::Count && distinct && parts[0].1.is_empty() {
            return Err(QueryError::not_allowed(Restriction::CountUnionWithoutColumns, span).into());
        }
        Ok(CExpr::Subquery(Box::new(SubqueryPlan { kind, parts, distinct })))
    }

    /// The queries of a subquery's union, planned, with the slots of the columns each
    /// returns, and a query's rules for a union: one kind of union, the same columns
    /// in each.
    fn union_parts(&mut self, q: &Query, scope: &Scope) -> Result<Vec<(Op, Vec<Slot>)>> {
        let first = self.part(&q.clauses, scope.clone(), false)?;
        let names = |c: &[(String, Slot)]| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        let slots = |c: &[(String, Slot)]| c.iter().map(|(_, s)| *s).collect::<Vec<_>>();
        let columns = names(&first.columns);
        let mut parts = vec![(first.root, slots(&first.columns))];
        for u in &q.unions {
            if u.all != q.unions[0].all {
                return Err(QueryError::not_allowed(Restriction::UnionMixed, u.span).into());
            }
            let part = self.part(&u.clauses, scope.clone(), false)?;
            if names(&part.columns) != columns {
                return Err(QueryError::not_allowed(Restriction::UnionColumns, u.span).into());
            }
            parts.push((part.root, slots(&part.columns)));
        }
        Ok(parts)
    }

    /// Inside a subquery, refuses a `with` or `return` item named as a variable of the
    /// query around it unless it is that variable passed on (`with n, count(*) as c`).
    fn no_outer_rebound(&self, proj: &Projection) -> Result<()> {
        for item in &proj.items {
            let (name, span) = match &item.alias {
                Some(a) => (a.text.as_str(), a.span),
                None => (item.text.as_str(), item.expr.span),
            };
            let passed_on = matches!(&item.expr.kind, ExprKind::Var(v) if v == name);
            if !passed_on && self.outer.iter().any(|(n, ..)| n == name) {
                return Err(QueryError::AlreadyBound { name: name.to_owned(), span }.into());
            }
        }
        Ok(())
    }

    /// The variables in scope after a `with`: its columns, and inside a subquery the
    /// variables of the query around it that no column passes on.
    fn with_outer(&self, columns: Vec<(String, Slot, VarType)>) -> Vec<(String, Slot, VarType)> {
        let mut vars: Vec<(String, Slot, VarType)> =
            self.outer.iter().filter(|(n, ..)| !columns.iter().any(|(c, ..)| c == n)).cloned().collect();
        vars.extend(columns);
        vars
    }

    /// A pattern in an expression: a predicate (every variable it names bound before
    /// it; the parser keeps it to conditions), `exists {…}` or a comprehension (whose new variables are
    /// its own).
    fn pattern_expr(&mut self, e: &Expr, scope: &Scope, place: Place) -> Result<CExpr> {
        let mut inner = scope.clone();
        let expr = match &e.kind {
            ExprKind::PatternPredicate(path) => {
                let named = nodes(path)
                    .map(|n| &n.var)
                    .chain(path.steps.iter().map(|(r, _)| &r.var))
                    .flatten()
                    .find(|v| scope.get(&v.text).is_none());
                if let Some(v) = named {
                    return Err(QueryError::UndefinedVariable { name: v.text.clone(), span: v.span }.into());
                }
                PatternExpr { plan: self.pattern(std::slice::from_ref(&**path), None, &mut inner)?, map: None }
            }
            ExprKind::Exists { paths, filter } => {
                PatternExpr { plan: self.pattern(paths, filter.as_deref(), &mut inner)?, map: None }
            }
            ExprKind::PatternComp { path, filter, map } => {
                if let Some(x) = [filter.as_deref(), Some(&**map)].into_iter().flatten().find(|x| contains_aggregate(x))
                {
                    return Err(QueryError::not_allowed(Restriction::AggregateInComprehension, x.span).into());
                }
                let plan = self.pattern(std::slice::from_ref(&**path), filter.as_deref(), &mut inner)?;
                PatternExpr { plan, map: Some(self.expr(map, &inner, place)?) }
            }
            _ => unreachable!("pattern_expr is called on patterns"),
        };
        Ok(CExpr::Pattern(Box::new(expr)))
    }

    fn path(&mut self, path: &PathPattern, scope: &Scope, bound: &mut Vec<String>) -> Result<PathPlan> {
        let (anchor_at, _) = best_anchor(path, bound);
        let all: Vec<&NodePattern> = nodes(path).collect();
        let scan = scan_for(path, anchor_at, bound, scope);
        let anchor = self.node_test(all[anchor_at], scope, bound)?;
        let mut right = Vec::new();
        for (r, n) in &path.steps[anchor_at..] {
            let rt = self.rel_test(r, false, scope, bound)?;
            right.push((rt, self.node_test(n, scope, bound)?));
        }
        let mut left = Vec::new();
        for i in (0..anchor_at).rev() {
            let rt = self.rel_test(&path.steps[i].0, true, scope, bound)?;
            left.push((rt, self.node_test(all[i], scope, bound)?));
        }
        let mut text = String::new();
        write_path(&mut text, path);
        Ok(PathPlan { scan, anchor, right, left, text })
    }

    /// The slot of a pattern variable and whether it is bound at this point of the
    /// walk (marking it bound for what comes after).
    fn walk_slot(var: Option<&str>, scope: &Scope, bound: &mut Vec<String>) -> (Option<Slot>, bool) {
        match var {
            Some(v) => {
                let slot = scope.get(v).map(|(s, _)| s);
                let was = bound.iter().any(|b| b == v);
                if !was {
                    bound.push(v.to_owned());
                }
                (slot, was)
            }
            None => (None, false),
        }
    }

    fn props(&mut self, props: &[PatternProperty], scope: &Scope) -> Result<Vec<(String, CExpr)>> {
        self.asked.keys.extend(props.iter().map(|p| p.key.text.clone()));
        props.iter().map(|p| Ok((p.key.text.clone(), self.expr(&p.value, scope, Place::Row)?))).collect()
    }

    fn node_test(&mut self, n: &NodePattern, scope: &Scope, bound: &mut Vec<String>) -> Result<NodeTest> {
        let (slot, was) = Self::walk_slot(n.var.as_ref().map(|v| v.text.as_str()), scope, bound);
        if let Some(k) = &n.kind {
            self.asked.labels.extend(factgraph_store::kind_labels(&k.text).map(str::to_owned));
        }
        if let Some(name) = exact_name_of(n) {
            self.asked.names.push(name.to_owned());
        }
        let named = match &n.named {
            Some(name) => {
                name_is_text(name)?;
                Some(self.expr(name, scope, Place::Row)?)
            }
            None => None,
        };
        Ok(NodeTest {
            slot,
            bound: was,
            kind: n.kind.as_ref().map(|k| k.text.clone()),
            props: self.props(&n.properties, scope)?,
            named,
            var: n.var.as_ref().map(|v| v.text.clone()),
        })
    }

    fn rel_test(&mut self, r: &RelPattern, reversed: bool, scope: &Scope, bound: &mut Vec<String>) -> Result<RelTest> {
        let (slot, was) = Self::walk_slot(r.var.as_ref().map(|v| v.text.as_str()), scope, bound);
        self.asked.types.extend(r.types.iter().map(|t| t.text.clone()));
        let arrow = match (r.arrow, reversed) {
            (Arrow::Right, true) => Arrow::Left,
            (Arrow::Left, true) => Arrow::Right,
            (a, _) => a,
        };
        let length = r.length.map(|(min, max)| (min.unwrap_or(1) as usize, max.map_or(usize::MAX, |m| m as usize)));
        Ok(RelTest {
            slot,
            bound: was,
            types: r.types.iter().map(|t| t.text.clone()).collect(),
            arrow,
            length,
            props: self.props(&r.properties, scope)?,
            reversed,
            span: r.span,
            distinct_ends: false,
        })
    }

    fn merge(&mut self, input: Op, merge: &factgraph_syntax::ast::Merge, scope: &mut Scope) -> Result<Op> {
        no_parameter_properties(&merge.path)?;
        no_named(&merge.path)?;
        let mut path = merge.path.clone();
        // A named path needs every node and relationship in a slot, made from them
        // once a row is matched or created: the ones written without a variable get a
        // hidden one (`hidden_name`), as `match` gives them.
        if let Some(name) = path.name.clone() {
            if scope.get(&name.text).is_some() {
                return Err(QueryError::AlreadyBound { name: name.text.clone(), span: name.span }.into());
            }
            let hidden = |k: usize| Some(Ident { text: hidden_name(&name.text, k), span: name.span });
            let mut k = 0;
            if path.start.var.is_none() {
                path.start.var = hidden(k);
                k += 1;
            }
            for (r, n) in &mut path.steps {
                if r.var.is_none() {
                    r.var = hidden(k);
                    k += 1;
                }
                if n.var.is_none() {
                    n.var = hidden(k);
                    k += 1;
                }
            }
        }
        let path = &path;
        // What `merge` may have to create, it must be able to: relationships with one
        // type; bound nodes referred to, not redeclared. An undirected relationship
        // matches either way and is created left to right, as openCypher says.
        for (r, _) in &path.steps {
            creatable(&RelPattern { arrow: Arrow::Right, ..r.clone() })?;
            if let Some(v) = r.var.as_ref().filter(|v| scope.get(&v.text).is_some()) {
                return Err(QueryError::AlreadyBound { name: v.text.clone(), span: r.span }.into());
            }
        }
        for n in nodes(path) {
            if let Some(v) = n.var.as_ref().filter(|v| scope.get(&v.text).is_some()) {
                if n.kind.is_some() || n.braces || path.steps.is_empty() {
                    return Err(QueryError::AlreadyBound { name: v.text.clone(), span: n.span }.into());
                }
            }
        }
        let before = scope.clone();
        let m = Match { optional: false, paths: vec![path.clone()], filter: None };
        let (matched, named) = match self.matching(Op::Unit, &m, scope)? {
            Op::Project { input, items } => (*input, items),
            op => (op, Vec::new()),
        };
        let Op::Match { paths, .. } = matched else { unreachable!("matching plans a match") };
        let mut bound = Vec::new();
        let mut binds = Vec::new();
        let vars =
            nodes(path).filter_map(|n| n.var.as_ref()).chain(path.steps.iter().filter_map(|(r, _)| r.var.as_ref()));
        for v in vars {
            let Some((slot, _)) = scope.get(&v.text) else { continue };
            let list = if before.get(&v.text).is_some() { &mut bound } else { &mut binds };
            if !list.iter().any(|(n, _): &(String, Slot)| *n == v.text) {
                list.push((v.text.clone(), slot));
            }
        }
        let mut values = Vec::new();
        for p in &path.start.properties {
            values.push(self.expr(&p.value, scope, Place::Row)?);
        }
        for (r, n) in &path.steps {
            for p in r.properties.iter().chain(&n.properties) {
                values.push(self.expr(&p.value, scope, Place::Row)?);
            }
        }
        let mut created = path.clone();
        for (r, _) in &mut created.steps {
            if r.arrow == Arrow::Either {
                r.arrow = Arrow::Right;
            }
        }
        let create = CreatePlan { paths: vec![created], bound, binds, values, read_back: Vec::new() };
        let on_create = self.set_items(&merge.on_create, scope)?;
        let on_match = self.set_items(&merge.on_match, scope)?;
        let op = Op::Merge { input: Box::new(input), paths, create, on_create, on_match };
        Ok(if named.is_empty() { op } else { Op::Project { input: Box::new(op), items: named } })
    }

    /// The items of `set` (or of `on create set`, `on match set`), checked.
    fn set_items(&mut self, items: &[SetItem], scope: &Scope) -> Result<Vec<Update>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                SetItem::Property { target, key, value } => Update::Property {
                    target: self.target(target, scope, false)?,
                    key: key.text.clone(),
                    value: Some(self.expr(value, scope, Place::Row)?),
                    span: key.span,
                },
                SetItem::Replace { var, value } | SetItem::Extend { var, value } => Update::Properties {
                    target: self.target(&var_expr(var), scope, false)?,
                    value: self.expr(value, scope, Place::Row)?,
                    replace: matches!(item, SetItem::Replace { .. }),
                    span: var.span,
                },
                SetItem::Labels { var, labels } => Update::Labels {
                    target: self.target(&var_expr(var), scope, true)?,
                    labels: labels.iter().map(|l| l.text.clone()).collect(),
                    add: true,
                    span: var.span,
                },
            });
        }
        Ok(out)
    }

    /// The items of `remove`, checked.
    fn remove_items(&mut self, items: &[RemoveItem], scope: &Scope) -> Result<Vec<Update>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                RemoveItem::Property { target, key } => Update::Property {
                    target: self.target(target, scope, false)?,
                    key: key.text.clone(),
                    value: None,
                    span: key.span,
                },
                RemoveItem::Labels { var, labels } => Update::Labels {
                    target: self.target(&var_expr(var), scope, true)?,
                    labels: labels.iter().map(|l| l.text.clone()).collect(),
                    add: false,
                    span: var.span,
                },
            });
        }
        Ok(out)
    }

    /// What `set` or `remove` changes: an expression that can be a node (or, but for
    /// labels, a relationship); a variable known to hold something else is an error
    /// here.
    fn target(&mut self, e: &Expr, scope: &Scope, labels: bool) -> Result<CExpr> {
        if let ExprKind::Var(v) = &e.kind {
            if let Some((_, t)) = scope.get(v) {
                let fits = match t {
                    VarType::Node | VarType::Any => true,
                    VarType::Rel => !labels,
                    VarType::Rels | VarType::Value | VarType::NotMap | VarType::Path => false,
                };
                if !fits {
                    let want = if labels { "a node" } else { "a node or a relationship" };
                    return Err(QueryError::TypeMismatch {
                        what: format!("`{v}` in `set` or `remove`"),
                        expected: want.into(),
                        found: t.name().trim_start_matches("a ").trim_start_matches("an ").into(),
                        span: e.span,
                    }
                    .into());
                }
            }
        }
        self.expr(e, scope, Place::Row)
    }

    fn create(&mut self, input: Op, paths: &[PathPattern], scope: &mut Scope) -> Result<Op> {
        paths.iter().try_for_each(no_parameter_properties)?;
        paths.iter().try_for_each(no_named)?;
        let mut bound = Vec::new();
        let mut binds: Vec<(String, Slot)> = Vec::new();
        for path in paths {
            if let Some(n) = &path.name {
                return Err(QueryError::not_allowed(Restriction::NamedPathInCreate, n.span).into());
            }
            // `create (a)` of a bound `a` alone would create nothing: openCypher calls it
            // an error rather than a no-op.
            if let (true, Some(v)) = (path.steps.is_empty(), &path.start.var) {
                if scope.get(&v.text).is_some() {
                    return Err(QueryError::AlreadyBound { name: v.text.clone(), span: path.start.span }.into());
                }
            }
            for n in nodes(path) {
                let Some(v) = &n.var else { continue };
                match scope.get(&v.text) {
                    Some((slot, t)) if !binds.iter().any(|(b, _)| *b == v.text) => {
                        if !matches!(t, VarType::Node | VarType::Any) {
                            return Err(QueryError::VariableTypeConflict {
                                name: v.text.clone(),
                                was: t.name(),
                                now: VarType::Node.name(),
                                span: n.span,
                            }
                            .into());
                        }
                        // A bound node is referred to as `(a)`, never redeclared
                        // (`(a {})` redeclares it too).
                        if n.kind.is_some() || n.braces {
                            return Err(QueryError::AlreadyBound { name: v.text.clone(), span: n.span }.into());
                        }
                        if !bound.iter().any(|(b, _)| *b == v.text) {
                            bound.push((v.text.clone(), slot));
                        }
                    }
                    Some(_) => {
                        if n.kind.is_some() || n.braces {
                            return Err(QueryError::AlreadyBound { name: v.text.clone(), span: n.span }.into());
                        }
                    }
                    None => {
                        let slot = self.slot(&v.text);
                        scope.bind(&v.text, slot, VarType::Node);
                        binds.push((v.text.clone(), slot));
                    }
                }
            }
            for (r, _) in &path.steps {
                creatable(r)?;
                if let Some(v) = &r.var {
                    if scope.get(&v.text).is_some() {
                        return Err(QueryError::AlreadyBound { name: v.text.clone(), span: r.span }.into());
                    }
                    let slot = self.slot(&v.text);
                    scope.bind(&v.text, slot, VarType::Rel);
                    binds.push((v.text.clone(), slot));
                }
            }
        }
        let mut values = Vec::new();
        // The variables the nodes and relationships before this one create, and those
        // of them a later one reads properties of (and only properties: a node's id
        // or labels are not among the values it was given).
        let mut made: Vec<&str> = Vec::new();
        let mut read_back: Vec<String> = Vec::new();
        // Read as themselves too (`id(a)`): the values they were given would stand in
        // for them there, so none of their reads is read back.
        let mut read_whole: Vec<&str> = Vec::new();
        for path in paths {
            for (properties, var) in path_parts(path) {
                for p in properties {
                    for v in made.iter().filter(|v| uses_var(&p.value, v)) {
                        if !only_properties_of(&p.value, v) {
                            read_whole.push(v);
                        } else if !read_back.iter().any(|r| r == v) {
                            read_back.push((*v).to_owned());
                        }
                    }
                    values.push(self.expr(&p.value, scope, Place::Row)?);
                }
                if let Some(v) = var.as_ref().filter(|v| binds.iter().any(|(b, _)| *b == v.text)) {
                    made.push(&v.text);
                }
            }
        }
        read_back.retain(|v| !read_whole.contains(&v.as_str()));
        let plan = CreatePlan { paths: paths.to_vec(), bound, binds, values, read_back };
        Ok(Op::Create { input: Box::new(input), plan })
    }

    /// `return` or `with`: returns the operator, the columns (name, slot, type), whether
    /// it sorts and whether it aggregates. `scope` is what `order by` may read.
    #[allow(clippy::type_complexity)]
    fn projection(
        &mut self,
        input: Op,
        proj: &Projection,
        scope: &mut Scope,
        is_with: bool,
    ) -> Result<(Op, Vec<(String, Slot, VarType)>, bool, bool)> {
        // The items, with `*` standing for every variable in scope, by name.
        let mut items: Vec<(String, Expr, Span)> = Vec::new();
        if proj.star {
            // Hidden variables (the unnamed parts of a named path) are not columns.
            let mut names: Vec<&String> =
                scope.vars.iter().map(|(n, ..)| n).filter(|n| !n.starts_with(HIDDEN)).collect();
            names.sort();
            // `with *` with none passes its rows on; `return *` would return nothing.
            if names.is_empty() && !is_with {
                return Err(QueryError::not_allowed(Restriction::StarWithoutVariables, proj.span).into());
            }
            for n in names {
                items.push((n.clone(), Expr { kind: ExprKind::Var(n.clone()), span: proj.span }, proj.span));
            }
        }
        for item in &proj.items {
            let name = match (&item.alias, &item.expr.kind) {
                (Some(a), _) => a.text.clone(),
                (None, ExprKind::Var(v)) => v.clone(),
                (None, _) if is_with => {
                    return Err(QueryError::not_allowed(Restriction::WithNeedsAlias, item.expr.span).into())
                }
                (None, _) => item.text.clone(),
            };
            if items.iter().any(|(n, ..)| *n == name) {
                return Err(QueryError::not_allowed(Restriction::DuplicateColumn { name }, item.expr.span).into());
            }
            items.push((name, item.expr.clone(), item.expr.span));
        }
        let aggregated = items.iter().any(|(_, e, _)| contains_aggregate(e));
        if aggregated {
            // What an item may read beside its aggregates: the grouping keys that are a
            // variable or a property on their own, and the properties of a variable
            // that is one.
            let (keys, key_vars) = grouping_keys(&items);
            for (_, e, _) in items.iter().filter(|(_, e, _)| contains_aggregate(e)) {
                if let Some(x) = ungrouped(e, scope, &keys, &key_vars, &mut Vec::new()) {
                    let rule = Restriction::AmbiguousAggregation { expression: factgraph_syntax::print_expr(x) };
                    return Err(QueryError::not_allowed(rule, x.span).into());
                }
            }
        }
        let mut columns: Vec<(String, Slot, VarType)> = Vec::new();
        let mut op = input;
        // The items' compiled expressions, by the text tree they came from, so that
        // `order by` can find an item it repeats.
        let mut compiled: Vec<(Expr, Slot)> = Vec::new();
        // The slots of the `order by` items that aggregate, by their place in it.
        let mut order_aggregates: Vec<Option<Slot>> = Vec::new();
        if aggregated {
            let mut keys = Vec::new();
            let mut after = Vec::new();
            self.aggs.clear();
            for (name, e, _) in &items {
                let t = var_type(e, scope);
                let slot = if contains_aggregate(e) {
                    match self.expr(e, scope, Place::Projection)? {
                        // An aggregate alone is its own column, named by it.
                        CExpr::Slot(s) => {
                            self.names[s] = name.clone();
                            s
                        }
                        c => {
                            let slot = self.slot(name);
                            after.push((c, slot));
                            slot
                        }
                    }
                } else {
                    let slot = self.slot(name);
                    keys.push((self.expr(e, scope, Place::Row)?, slot));
                    slot
                };
                columns.push((name.clone(), slot, t));
                compiled.push((e.clone(), slot));
            }
            // The `order by` items read the columns `after` sets: worked out beside
            // them, they read them unset.
            let mut ordering = Vec::new();
            order_aggregates = self.order_aggregates(proj, &items, &compiled, &columns, scope, &mut ordering)?;
            let aggs = std::mem::take(&mut self.aggs).into_iter().map(|(_, a)| a).collect();
            op = Op::Aggregate { input: Box::new(op), keys, aggs };
            for items in [after, ordering] {
                if !items.is_empty() {
                    op = Op::Project { input: Box::new(op), items };
                }
            }
        } else {
            let mut project = Vec::new();
            for (name, e, _) in &items {
                let c = self.expr(e, scope, Place::Row)?;
                let t = var_type(e, scope);
                // A variable passed on unchanged keeps its slot.
                let slot = match c {
                    CExpr::Slot(s) => s,
                    _ => {
                        let s = self.slot(name);
                        project.push((c, s));
                        s
                    }
                };
                columns.push((name.clone(), slot, t));
                compiled.push((e.clone(), slot));
            }
            if !project.is_empty() {
                op = Op::Project { input: Box::new(op), items: project };
            }
        }
        if proj.distinct {
            op = Op::Distinct { input: Box::new(op), slots: columns.iter().map(|(_, s, _)| *s).collect() };
        }
        // `order by` reads the columns, and (unless the rows were grouped or made
        // distinct) the variables the projection started from.
        let mut order_scope = if aggregated || proj.distinct {
            Scope { vars: self.outer.clone(), items: Vec::new() }
        } else {
            scope.clone()
        };
        for (n, s, t) in &columns {
            order_scope.bind(n, *s, *t);
        }
        if !proj.order.is_empty() {
            let mut keys = Vec::new();
            for (i, s) in proj.order.iter().enumerate() {
                let same = compiled
                    .iter()
                    .find(|(e, _)| same_expr(e, &s.expr))
                    .map(|(_, slot)| *slot)
                    .or(order_aggregates.get(i).copied().flatten());
                let key = match same {
                    Some(slot) => CExpr::Slot(slot),
                    None => {
                        if contains_aggregate(&s.expr) {
                            let rule = if aggregated {
                                Restriction::OrderByUnreturnedAfterAggregation
                            } else {
                                let name = aggregate_name(&s.expr);
                                Restriction::AggregateOutsideReturn { function: function_shown(&name).to_owned() }
                            };
                            return Err(QueryError::not_allowed(rule, s.expr.span).into());
                        }
                        match self.expr(&s.expr, &order_scope, Place::OrderBy) {
                            // A variable the grouping dropped: say why it is gone.
                            Err(crate::Error::Query(QueryError::UndefinedVariable { name, .. }))
                                if aggregated && scope.get(&name).is_some() =>
                            {
                                let rule = Restriction::OrderByUnreturnedAfterAggregation;
                                return Err(QueryError::not_allowed(rule, s.expr.span).into());
                            }
                            other => other?,
                        }
                    }
                };
                keys.push((key, s.descending));
            }
            op = Op::Sort { input: Box::new(op), keys };
        }
        if let Some(n) = &proj.skip {
            op = Op::Skip { input: Box::new(op), n: self.count(n, "skip")? };
        }
        if let Some(n) = &proj.limit {
            op = Op::Limit { input: Box::new(op), n: self.count(n, "limit")? };
        }
        if let Some(f) = &proj.filter {
            // `with … where` sees the columns and, unless the rows were grouped, the
            // variables before them (the row still holds them).
            let mut after =
                if aggregated { Scope { vars: self.outer.clone(), items: Vec::new() } } else { scope.clone() };
            for (n, s, t) in &columns {
                after.bind(n, *s, *t);
            }
            let pred = self.condition(f, &after)?;
            op = Op::Filter { input: Box::new(op), pred };
        }
        Ok((op, columns, !proj.order.is_empty(), aggregated))
    }

    /// The `order by` items of an aggregating projection that are not one of its items
    /// (`return me.age as age, count(you) order by age + count(you)`, `with a.name as
    /// name, count(*) as n order by a.name + 'C'`), made after the grouping and its
    /// columns: each a slot set by an expression pushed onto `ordering`, by its place
    /// in the `order by`;
    /// `None` for the others. Such an item may read the returned columns by name, the
    /// grouping keys, constants and the items' aggregates: a variable the grouping
    /// dropped, or an aggregate the items do not make, is refused as unreturned, and
    /// any other value as ambiguous, as beside an aggregate in the items themselves.
    fn order_aggregates(
        &mut self,
        proj: &Projection,
        items: &[(String, Expr, Span)],
        compiled: &[(Expr, Slot)],
        columns: &[(String, Slot, VarType)],
        scope: &Scope,
        ordering: &mut Vec<(CExpr, Slot)>,
    ) -> Result<Vec<Option<Slot>>> {
        // The columns by name, before the variables they were made from.
        let mut seen = scope.clone();
        for (n, slot, t) in columns {
            seen.bind(n, *slot, *t);
        }
        let plain = || items.iter().filter(|(_, e, _)| !contains_aggregate(e));
        let (keys, mut key_vars) = grouping_keys(items);
        key_vars.extend(columns.iter().map(|(n, ..)| n.as_str()));
        let mut out = Vec::with_capacity(proj.order.len());
        for s in &proj.order {
            let e = &s.expr;
            if compiled.iter().any(|(c, _)| same_expr(c, e)) {
                out.push(None);
                continue;
            }
            // Its aggregates must be the items': the values one aggregates that they do
            // not are gone after the grouping (`with …, min(sum) as min order by
            // sum(sum)`).
            for agg in aggregate_calls(e) {
                if !items.iter().any(|(_, i, _)| aggregate_calls(i).iter().any(|x| same_expr(x, agg))) {
                    let span = first_variable(agg).map_or(agg.span, |(_, span)| span);
                    return Err(QueryError::not_allowed(Restriction::OrderByUnreturnedAfterAggregation, span).into());
                }
            }
            if let Some(x) = ungrouped(e, &seen, &keys, &key_vars, &mut Vec::new()) {
                let var = property_chain(x).unwrap_or_default();
                // A variable no plain item reads is gone after the grouping.
                if !var.is_empty() && !plain().any(|(_, i, _)| uses_var(i, var)) {
                    let rule = Restriction::OrderByUnreturnedAfterAggregation;
                    return Err(QueryError::not_allowed(rule, x.span).into());
                }
                let rule = Restriction::AmbiguousAggregation { expression: factgraph_syntax::print_expr(x) };
                return Err(QueryError::not_allowed(rule, x.span).into());
            }
            let slot = match self.expr(e, &seen, Place::Projection)? {
                CExpr::Slot(slot) => slot,
                c => {
                    let slot = self.slot(&format!("{HIDDEN}order by #{}", out.len() + 1));
                    ordering.push((c, slot));
                    slot
                }
            };
            out.push(Some(slot));
        }
        Ok(out)
    }

    /// The count of `skip` or `limit`: a constant whole number, checked here when it is
    /// written out and when the query runs otherwise (a parameter, an expression).
    fn count(&mut self, e: &Expr, clause: &'static str) -> Result<CExpr> {
        if mentions_variables(e) {
            return Err(QueryError::not_allowed(Restriction::NotConstant { clause }, e.span).into());
        }
        match &e.kind {
            ExprKind::Literal(Literal::Int(i)) if *i < 0 => {
                return Err(QueryError::not_allowed(Restriction::NegativeCount { clause }, e.span).into())
            }
            ExprKind::Literal(
                l @ (Literal::Float(_) | Literal::Str(_) | Literal::Bool(_) | Literal::Date(_) | Literal::Temporal(..)),
            ) => {
                return Err(QueryError::TypeMismatch {
                    what: format!("`{clause}`"),
                    expected: "a whole number".into(),
                    found: literal_kind(l).into(),
                    span: e.span,
                }
                .into())
            }
            _ => {}
        }
        self.expr(e, &Scope::default(), Place::Row)
    }

    /// `where`'s condition.
    fn condition(&mut self, e: &Expr, scope: &Scope) -> Result<CExpr> {
        if let Some(found) = not_a_condition(e, scope) {
            return Err(QueryError::TypeMismatch {
                what: "`where`".into(),
                expected: "a boolean".into(),
                found: found.into(),
                span: e.span,
            }
            .into());
        }
        self.expr(e, scope, Place::Row)
    }

    fn expr(&mut self, e: &Expr, scope: &Scope, place: Place) -> Result<CExpr> {
        // An expression nests as deep as the parser allows (61 `-` before a term, from
        // the fuzz corpus): each level is a frame of this function, large in a debug
        // build, so planning one takes room of its own when the stack runs low.
        if self.depth >= MAX_EXPR_DEPTH {
            return Err(QueryError::Limit {
                what: "an expression nests deeper than the engine runs".into(),
                limit: MAX_EXPR_DEPTH as u64,
                span: e.span,
            }
            .into());
        }
        self.depth += 1;
        let planned = stacker::maybe_grow(EXPR_RED_ZONE, SUBQUERY_STACK, || self.expr_here(e, scope, place));
        self.depth -= 1;
        planned
    }

    fn expr_here(&mut self, e: &Expr, scope: &Scope, place: Place) -> Result<CExpr> {
        let b = |x: CExpr| Box::new(x);
        if let ExprKind::Not(a) | ExprKind::And(a, _) | ExprKind::Or(a, _) | ExprKind::Xor(a, _) = &e.kind {
            let word = match e.kind {
                ExprKind::Not(_) => "not",
                ExprKind::And(..) => "and",
                ExprKind::Or(..) => "or",
                _ => "xor",
            };
            let second = match &e.kind {
                ExprKind::And(_, x) | ExprKind::Or(_, x) | ExprKind::Xor(_, x) => Some(x),
                _ => None,
            };
            for operand in std::iter::once(a).chain(second) {
                if let Some(found) = not_boolean(operand) {
                    return Err(QueryError::TypeMismatch {
                        what: format!("an operand of `{word}`"),
                        expected: "a boolean".into(),
                        found: found.into(),
                        span: operand.span,
                    }
                    .into());
                }
            }
        }
        Ok(match &e.kind {
            ExprKind::Literal(l) => CExpr::Const(literal(l)),
            ExprKind::Null => CExpr::Const(Val::Null),
            ExprKind::Var(v) => CExpr::Slot(self.read(v, scope, e.span)?),
            ExprKind::Property(v, k) => {
                if let Some((_, t @ (VarType::NotMap | VarType::Path))) = scope.get(v) {
                    let found = if t == VarType::Path { "path" } else { "value of another type" };
                    return Err(QueryError::TypeMismatch {
                        what: format!("`{v}` in `{v}.{k}`"),
                        expected: "a node, a relationship or a map".into(),
                        found: found.into(),
                        span: e.span,
                    }
                    .into());
                }
                if let Some((_, VarType::Node | VarType::Rel)) = scope.get(v) {
                    self.asked.keys.push(k.clone());
                }
                CExpr::Prop(b(CExpr::Slot(self.read(v, scope, e.span)?)), k.clone())
            }
            ExprKind::Not(a) => CExpr::Not(b(self.expr(a, scope, place)?)),
            ExprKind::And(x, y) => CExpr::And(b(self.expr(x, scope, place)?), b(self.expr(y, scope, place)?)),
            ExprKind::Or(x, y) => CExpr::Or(b(self.expr(x, scope, place)?), b(self.expr(y, scope, place)?)),
            ExprKind::Compare(op, x, y) => {
                if *op == CompareOp::Named {
                    name_is_text(y)?;
                }
                if let (CompareOp::In, Some(found)) = (op, not_a_list(y)) {
                    return Err(QueryError::TypeMismatch {
                        what: "`in`'s right-hand side".into(),
                        expected: "a list".into(),
                        found: found.into(),
                        span: y.span,
                    }
                    .into());
                }
                CExpr::Compare(*op, b(self.expr(x, scope, place)?), b(self.expr(y, scope, place)?))
            }
            ExprKind::IsNull { expr, negated } => CExpr::IsNull(b(self.expr(expr, scope, place)?), *negated),
            ExprKind::Arith(op, x, y) => {
                arithmetic_on_written(*op, x, y, scope)?;
                CExpr::Arith(*op, b(self.expr(x, scope, place)?), b(self.expr(y, scope, place)?), e.span)
            }
            ExprKind::Neg(x) => CExpr::Neg(b(self.expr(x, scope, place)?), e.span),
            ExprKind::List(items) => {
                CExpr::List(items.iter().map(|i| self.expr(i, scope, place)).collect::<Result<_>>()?)
            }
            ExprKind::Map(entries) => CExpr::Map(
                entries.iter().map(|(k, v)| Ok((k.clone(), self.expr(v, scope, place)?))).collect::<Result<_>>()?,
            ),
            ExprKind::Xor(x, y) => CExpr::Xor(b(self.expr(x, scope, place)?), b(self.expr(y, scope, place)?)),
            ExprKind::Lookup(x, k) => CExpr::Prop(b(self.expr(x, scope, place)?), k.clone()),
            ExprKind::Index(x, i) => {
                CExpr::Index(b(self.expr(x, scope, place)?), b(self.expr(i, scope, place)?), e.span)
            }
            ExprKind::Slice(x, from, to) => {
                let from = match from {
                    Some(f) => Some(b(self.expr(f, scope, place)?)),
                    None => None,
                };
                let to = match to {
                    Some(t) => Some(b(self.expr(t, scope, place)?)),
                    None => None,
                };
                CExpr::Slice(b(self.expr(x, scope, place)?), from, to, e.span)
            }
            ExprKind::HasLabels(x, labels) => {
                if let ExprKind::Var(v) = &x.kind {
                    if let Some((_, t @ (VarType::Rel | VarType::Rels | VarType::Value | VarType::NotMap))) =
                        scope.get(v)
                    {
                        return Err(QueryError::VariableTypeConflict {
                            name: v.clone(),
                            was: t.name(),
                            now: VarType::Node.name(),
                            span: x.span,
                        }
                        .into());
                    }
                }
                CExpr::HasLabels(b(self.expr(x, scope, place)?), labels.clone())
            }
            ExprKind::Case { subject, whens, otherwise } => {
                let subject = match subject {
                    Some(x) => Some(b(self.expr(x, scope, place)?)),
                    None => None,
                };
                let mut arms = Vec::with_capacity(whens.len());
                for (w, t) in whens {
                    arms.push((self.expr(w, scope, place)?, self.expr(t, scope, place)?));
                }
                let otherwise = match otherwise {
                    Some(x) => Some(b(self.expr(x, scope, place)?)),
                    None => None,
                };
                CExpr::Case(subject, arms, otherwise)
            }
            ExprKind::Quantifier { kind, var, list: items, pred } => {
                let list = b(self.expr(items, scope, place)?);
                let slot = self.slot(var);
                let mut inner = scope.clone();
                inner.bind(var, slot, VarType::Any);
                if let Some(w) = item_type(items) {
                    inner.items.push((slot, w));
                }
                let pred = b(self.expr(pred, &inner, Place::Row)?);
                CExpr::Quantifier { kind: *kind, slot, list, pred }
            }
            ExprKind::PatternPredicate(_) | ExprKind::Exists { .. } | ExprKind::PatternComp { .. } => {
                self.pattern_expr(e, scope, place)?
            }
            ExprKind::Subquery(kind, q) => self.subquery(*kind, q, scope, e.span)?,
            ExprKind::ListComp { var, list, filter, map } => {
                if let Some(x) =
                    [filter.as_deref(), map.as_deref()].into_iter().flatten().find(|x| contains_aggregate(x))
                {
                    return Err(QueryError::not_allowed(Restriction::AggregateInComprehension, x.span).into());
                }
                let written = item_type(list);
                let list = b(self.expr(list, scope, place)?);
                let slot = self.slot(var);
                let mut inner = scope.clone();
                inner.bind(var, slot, VarType::Any);
                if let Some(w) = written {
                    inner.items.push((slot, w));
                }
                let filter = match filter {
                    Some(f) => Some(b(self.expr(f, &inner, Place::Row)?)),
                    None => None,
                };
                let map = match map {
                    Some(m) => Some(b(self.expr(m, &inner, place)?)),
                    None => None,
                };
                CExpr::ListComp { slot, list, filter, map }
            }
            ExprKind::CountStar => {
                if place != Place::Projection {
                    return Err(QueryError::not_allowed(Restriction::CountStarOutsideReturn, e.span).into());
                }
                let agg =
                    Agg { func: AggFn::CountStar, distinct: false, arg: None, percentile: None, slot: 0, span: e.span };
                self.aggregate(e, agg)
            }
            ExprKind::Call { name, distinct, args } => {
                let Some((lo, hi)) = arity(name) else {
                    return Err(QueryError::UnknownFunction {
                        name: name.clone(),
                        span: e.span,
                        suggestions: near_functions(name),
                    }
                    .into());
                };
                if args.len() < lo || args.len() > hi {
                    return Err(QueryError::ArgumentCount {
                        function: function_shown(name).to_owned(),
                        expected: lo,
                        at_most: hi,
                        span: e.span,
                    }
                    .into());
                }
                if AGGREGATES.contains(&name.as_str()) {
                    if place != Place::Projection {
                        let rule = Restriction::AggregateOutsideReturn { function: function_shown(name).to_owned() };
                        return Err(QueryError::not_allowed(rule, e.span).into());
                    }
                    if args.iter().any(contains_aggregate) {
                        return Err(QueryError::not_allowed(Restriction::NestedAggregate, e.span).into());
                    }
                    if args.iter().any(draws) {
                        return Err(QueryError::not_allowed(Restriction::RandomInAggregate, e.span).into());
                    }
                    let arg = self.expr(&args[0], scope, Place::Row)?;
                    let percentile = match args.get(1) {
                        Some(p) => Some(self.expr(p, scope, Place::Row)?),
                        None => None,
                    };
                    let func = match name.as_str() {
                        "count" => AggFn::Count,
                        "collect" => AggFn::Collect,
                        "min" => AggFn::Min,
                        "max" => AggFn::Max,
                        "sum" => AggFn::Sum,
                        "percentiledisc" => AggFn::PercentileDisc,
                        "percentilecont" => AggFn::PercentileCont,
                        _ => AggFn::Avg,
                    };
                    let agg = Agg { func, distinct: *distinct, arg: Some(arg), percentile, slot: 0, span: e.span };
                    self.aggregate(e, agg)
                } else {
                    if let Some((expected, found, span)) = wrong_argument(name, args, scope) {
                        return Err(QueryError::TypeMismatch {
                            what: format!("`{name}()`'s argument"),
                            expected: expected.into(),
                            found: found.into(),
                            span,
                        }
                        .into());
                    }
                    let args = args.iter().map(|a| self.expr(a, scope, place)).collect::<Result<_>>()?;
                    CExpr::Call(name.clone(), args, e.span)
                }
            }
        })
    }

    /// An aggregate of the projection being compiled: the slot its value will be in
    /// (one slot for the same aggregate written twice).
    /// `agg` (its slot not yet given) as an aggregate of the projection.
    fn aggregate(&mut self, e: &Expr, agg: Agg) -> CExpr {
        // Except one that draws random numbers: each is drawn apart.
        if let Some((_, a)) = self.aggs.iter().find(|(x, _)| same_expr(x, e) && !draws(e)) {
            return CExpr::Slot(a.slot);
        }
        let slot = self.slot(&factgraph_syntax::print_expr(e));
        self.aggs.push((e.clone(), Agg { slot, ..agg }));
        CExpr::Slot(slot)
    }

    fn read(&self, name: &str, scope: &Scope, span: Span) -> Result<Slot> {
        scope
            .get(name)
            .map(|(s, _)| s)
            .ok_or_else(|| QueryError::UndefinedVariable { name: name.to_owned(), span }.into())
    }
}

fn literal(l: &Literal) -> Val {
    from_value(&value(l))
}

fn aggregate_name(e: &Expr) -> String {
    match &e.kind {
        ExprKind::CountStar => "count".into(),
        ExprKind::Call { name, args, .. } if AGGREGATES.contains(&name.as_str()) || args.is_empty() => name.clone(),
        ExprKind::Call { args, .. } | ExprKind::List(args) => {
            args.iter().find(|a| contains_aggregate(a)).map_or_else(String::new, aggregate_name)
        }
        ExprKind::Not(a) | ExprKind::IsNull { expr: a, .. } | ExprKind::Neg(a) => aggregate_name(a),
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            if contains_aggregate(a) {
                aggregate_name(a)
            } else {
                aggregate_name(b)
            }
        }
        ExprKind::Map(entries) => {
            entries.iter().find(|(_, v)| contains_aggregate(v)).map_or_else(String::new, |(_, v)| aggregate_name(v))
        }
        _ => String::new(),
    }
}

/// Two expressions that say the same thing, wherever they were written.
fn same_expr(a: &Expr, b: &Expr) -> bool {
    let mut x = String::new();
    let mut y = String::new();
    strip(&mut x, a);
    strip(&mut y, b);
    x == y
}

fn strip(out: &mut String, e: &Expr) {
    let text = format!("{:?}", e.kind);
    // Spans are the only positions inside an expression's Debug text.
    let mut rest = text.as_str();
    while let Some(at) = rest.find("span: Span {") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('}').map_or(rest.len(), |e| e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
}

/// What a projected expression holds, as far as the text tells: a variable keeps its
/// type; literals, arithmetic, comparisons and properties are never nodes.
fn var_type(e: &Expr, scope: &Scope) -> VarType {
    match &e.kind {
        ExprKind::Var(v) => scope.get(v).map_or(VarType::Any, |(_, t)| t),
        // A number, text, a boolean. (A temporal value has properties, `d.year`, and
        // arithmetic may make one: `date(…) + duration(…)`.)
        ExprKind::Literal(Literal::Str(_) | Literal::Int(_) | Literal::Float(_) | Literal::Bool(_))
        | ExprKind::Compare(..)
        | ExprKind::Not(_)
        | ExprKind::And(..)
        | ExprKind::Or(..)
        | ExprKind::Xor(..)
        | ExprKind::IsNull { .. }
        | ExprKind::HasLabels(..)
        | ExprKind::Quantifier { .. }
        | ExprKind::PatternPredicate(_)
        | ExprKind::Exists { .. }
        | ExprKind::Subquery(SubqueryKind::Exists | SubqueryKind::Count, _)
        | ExprKind::CountStar => VarType::NotMap,
        // A list may hold relationships, for a variable-length pattern to follow,
        // unless what it holds is known to be none (values, nodes, paths).
        ExprKind::List(items)
            if items.iter().all(|i| {
                matches!(var_type(i, scope), VarType::Value | VarType::NotMap | VarType::Node | VarType::Path)
            }) =>
        {
            VarType::NotMap
        }
        // A property may hold a map; arithmetic and a temporal literal, a temporal value.
        ExprKind::Literal(_) | ExprKind::Arith(..) | ExprKind::Neg(_) | ExprKind::Map(_) | ExprKind::Property(..) => {
            VarType::Value
        }
        _ => VarType::Any,
    }
}

/// The type of an expression known from its text to be no boolean (and not null),
/// such as a number literal, for the operands of `and`, `or`, `xor` and `not`: in
/// words without an article, as `QueryError::TypeMismatch` takes it.
fn not_boolean(e: &Expr) -> Option<&'static str> {
    match &e.kind {
        ExprKind::Literal(Literal::Bool(_)) | ExprKind::Null => None,
        ExprKind::Literal(l) => Some(literal_kind(l)),
        ExprKind::List(_) | ExprKind::ListComp { .. } | ExprKind::PatternComp { .. } => Some("list"),
        ExprKind::Map(_) => Some("map"),
        ExprKind::Arith(..) | ExprKind::Neg(_) => Some("number"),
        _ => None,
    }
}

/// The type of an argument whose text shows it (a literal, a list, a map), for a
/// `call`'s check against its procedure's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Written {
    Boolean,
    Integer,
    Float,
    String,
    List,
    Map,
    /// A date, time or duration: a procedure takes one only as any value.
    Temporal,
}

impl Written {
    fn fits(self, t: FieldType) -> bool {
        matches!(
            (self, t),
            (_, FieldType::Any)
                | (Written::Boolean, FieldType::Boolean)
                | (Written::Integer, FieldType::Integer | FieldType::Float | FieldType::Number)
                | (Written::Float, FieldType::Float | FieldType::Number)
                | (Written::String, FieldType::String)
                | (Written::List, FieldType::List)
                | (Written::Map, FieldType::Map)
        )
    }

    fn words(self) -> &'static str {
        match self {
            Written::Boolean => "boolean",
            Written::Integer => "integer",
            Written::Float => "float",
            Written::String => "text",
            Written::List => "list",
            Written::Map => "map",
            Written::Temporal => "temporal value",
        }
    }
}

/// Text or a boolean where the text shows one (a comprehension's variable over a
/// written list of them), in arithmetic that takes neither: refused while planning.
/// A function of its own, not an arm of `Planner::expr`, whose frame every level of a
/// nested expression pays for (a debug build's stack overflowed on the fuzz corpus).
#[inline(never)]
fn arithmetic_on_written(op: ArithOp, x: &Expr, y: &Expr, scope: &Scope) -> Result<()> {
    // Text or a boolean where the text shows one, in arithmetic that takes
    // neither (text only joins with `+`).
    let known = |e: &Expr| match &e.kind {
        ExprKind::Var(v) => scope.written(v),
        _ => written_type(e),
    };
    for (operand, other) in [(x, y), (y, x)] {
        let written = match &operand.kind {
            ExprKind::Var(v) => scope.written(v),
            _ => None,
        };
        let refused = match written {
            // `+` joins anything to a list: refused only beside what is
            // known to be no list.
            Some(Written::Boolean) => op != ArithOp::Add || known(other).is_some_and(|w| w != Written::List),
            Some(Written::String) => op != ArithOp::Add,
            _ => false,
        };
        if let (true, Some(w)) = (refused, written) {
            return Err(QueryError::TypeMismatch {
                what: format!("`{}`", op.symbol()),
                expected: "numbers".into(),
                found: w.words().into(),
                span: operand.span,
            }
            .into());
        }
    }
    Ok(())
}

/// The type of every item of a written list when they are all text or all booleans
/// (and not null), for what a comprehension's variable over it is known to be.
fn item_type(list: &Expr) -> Option<Written> {
    let ExprKind::List(items) = &list.kind else { return None };
    let first = written_type(items.first()?)?;
    let same = items.iter().all(|i| written_type(i) == Some(first));
    (same && matches!(first, Written::String | Written::Boolean)).then_some(first)
}

/// `e`'s type where its text shows it; `None` for null, which every input admits, and
/// for what only running tells.
fn written_type(e: &Expr) -> Option<Written> {
    Some(match &e.kind {
        ExprKind::Literal(Literal::Bool(_)) => Written::Boolean,
        ExprKind::Literal(Literal::Int(_)) => Written::Integer,
        ExprKind::Literal(Literal::Float(_)) => Written::Float,
        ExprKind::Literal(Literal::Str(_)) => Written::String,
        ExprKind::List(_) => Written::List,
        ExprKind::Map(_) => Written::Map,
        ExprKind::Literal(Literal::Date(_) | Literal::Temporal(..)) => Written::Temporal,
        _ => return None,
    })
}

/// The names among `names` a typo away from `name` (a third of a name's length, at
/// least one edit), nearest first, at most three.
fn near_names<'n>(name: &str, names: impl Iterator<Item = &'n str>) -> Vec<String> {
    let name = name.to_lowercase();
    let chars = name.chars().count();
    let near_enough = |n: &str| (n.chars().count() / 3).max(1);
    let mut near: Vec<(usize, &str)> = names
        // A name far longer or shorter is no typo away (and is not scored).
        .filter(|n| n.chars().count().abs_diff(chars) <= near_enough(n))
        .map(|n| (strsim::osa_distance(&n.to_lowercase(), &name), n))
        .filter(|(d, n)| *d <= near_enough(n))
        .collect();
    near.sort_unstable();
    near.into_iter().take(3).map(|(_, n)| n.to_owned()).collect()
}

/// A literal's type in words without an article, for `QueryError::TypeMismatch`.
fn literal_kind(l: &Literal) -> &'static str {
    match l {
        Literal::Bool(_) => "boolean",
        l => without_article(l.type_name()),
    }
}

/// `in`'s right-hand side when the query's text shows it is no list: its type.
fn not_a_list(e: &Expr) -> Option<&'static str> {
    match &e.kind {
        ExprKind::Literal(l) => Some(literal_kind(l)),
        ExprKind::Map(_) => Some("map"),
        // (Arithmetic may make a list: `[3] + 4`.)
        _ => None,
    }
}

/// Refuses a name after `named` that the text shows is no text (`named 3`,
/// `named ['a']`); one only known when the query runs matches nothing.
fn name_is_text(e: &Expr) -> Result<()> {
    let found = match &e.kind {
        ExprKind::Literal(Literal::Str(_)) => return Ok(()),
        ExprKind::Literal(l) => literal_kind(l),
        ExprKind::List(_) => "list",
        ExprKind::Map(_) => "map",
        _ => return Ok(()),
    };
    Err(QueryError::TypeMismatch {
        what: "the name after `named`".into(),
        expected: "text".into(),
        found: found.into(),
        span: e.span,
    }
    .into())
}

fn without_article(words: &'static str) -> &'static str {
    words.strip_prefix("an ").or_else(|| words.strip_prefix("a ")).unwrap_or(words)
}

/// The argument of a function whose type, known from the query's text, the function
/// cannot take (openCypher's compile-time `InvalidArgumentType`): what it takes, what
/// it was given (without an article), and where. Only what the text tells for sure:
/// a variable's type where it was bound, a literal.
fn wrong_argument(name: &str, args: &[Expr], scope: &Scope) -> Option<(&'static str, &'static str, Span)> {
    let arg = args.first()?;
    match name {
        "type" => match &arg.kind {
            ExprKind::Var(v) => match scope.get(v)?.1 {
                t @ (VarType::Node | VarType::Path) => Some(("a relationship", without_article(t.name()), arg.span)),
                _ => None,
            },
            _ => None,
        },
        "length" | "size" | "labels" => {
            let ExprKind::Var(v) = &arg.kind else { return None };
            let t = scope.get(v)?.1;
            let expected = match (name, t) {
                ("length", VarType::Node | VarType::Rel) => "a path",
                ("size", VarType::Path) => "a list or text",
                ("labels", VarType::Rel | VarType::Rels | VarType::Path) => "a node",
                _ => return None,
            };
            Some((expected, without_article(t.name()), arg.span))
        }
        "properties" => {
            let found = match &arg.kind {
                ExprKind::Literal(l) => literal_kind(l),
                ExprKind::List(_) | ExprKind::ListComp { .. } => "list",
                _ => return None,
            };
            Some(("a node, a relationship or a map", found, arg.span))
        }
        _ => None,
    }
}

/// `where`'s condition when the query's text tells it is a node, a relationship or a
/// path (`match (n) where (n)`), which is no boolean: the type, without an article.
fn not_a_condition(e: &Expr, scope: &Scope) -> Option<&'static str> {
    match &e.kind {
        ExprKind::Var(v) => match scope.get(v)?.1 {
            t @ (VarType::Node | VarType::Rel | VarType::Rels | VarType::Path) => Some(without_article(t.name())),
            _ => None,
        },
        _ => None,
    }
}

/// Whether an expression reads the variable `name` (by name, wherever it appears).
/// What the names of hidden variables begin with: a character no name may hold (the
/// grammar refuses it even in backticks), so that no query can name one.
const HIDDEN: char = '\0';

/// The hidden variable for the `k`th unnamed node or relationship of path `path`.
fn hidden_name(path: &str, k: usize) -> String {
    format!("{HIDDEN}{path}#{k}")
}

fn uses_var(e: &Expr, name: &str) -> bool {
    match &e.kind {
        ExprKind::Var(v) | ExprKind::Property(v, _) => v == name,
        // A comprehension's own variable of that name counts too: reading too much
        // only makes a filter wait for the path.
        ExprKind::ListComp { var, .. } | ExprKind::Quantifier { var, .. } if var == name => true,
        ExprKind::PatternPredicate(_) | ExprKind::PatternComp { .. } | ExprKind::Exists { .. }
            if pattern_paths(e).flat_map(path_names).any(|v| v == name) =>
        {
            true
        }
        ExprKind::Subquery(_, q) => query_names(q).iter().any(|v| v == name),
        _ => children(e).into_iter().any(|c| uses_var(c, name)),
    }
}

/// Whether an expression reads any variable.
fn mentions_variables(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Var(_) | ExprKind::Property(..) => true,
        // A comprehension's own variable does not count, but anything else does.
        ExprKind::ListComp { .. } | ExprKind::Quantifier { .. } => true,
        ExprKind::PatternPredicate(_)
        | ExprKind::PatternComp { .. }
        | ExprKind::Exists { .. }
        | ExprKind::Subquery(..) => true,
        _ => children(e).into_iter().any(mentions_variables),
    }
}

fn nodes(path: &PathPattern) -> impl Iterator<Item = &NodePattern> {
    std::iter::once(&path.start).chain(path.steps.iter().map(|(_, n)| n))
}

/// The node a path should start from and its rank (lower is better): a bound
/// variable, then a name, then a kind, then a typed relationship, then a scan.
fn best_anchor(path: &PathPattern, bound: &[String]) -> (usize, u8) {
    let all: Vec<&NodePattern> = nodes(path).collect();
    let mut best = (0, u8::MAX);
    for (i, n) in all.iter().enumerate() {
        let rank = if n.var.as_ref().is_some_and(|v| bound.contains(&v.text)) {
            0
        } else if name_of(n).is_some() {
            1
        } else if n.kind.is_some() {
            2
        } else if typed_neighbour(path, i).is_some() {
            3
        } else {
            4
        };
        if rank < best.1 {
            best = (i, rank);
        }
    }
    best
}

/// The name a node pattern gives as a constant, which the name index can find: its
/// exact `name`, or a spelling it is `named` by.
fn name_of(n: &NodePattern) -> Option<&str> {
    exact_name_of(n).or_else(|| match n.named.as_ref().map(|e| &e.kind) {
        Some(ExprKind::Literal(Literal::Str(s))) if !s.is_empty() => Some(s.as_str()),
        _ => None,
    })
}

/// The exact name (`{name: "…"}`) a node pattern gives as a constant.
fn exact_name_of(n: &NodePattern) -> Option<&str> {
    // The empty name is kept as a property, not in the name index.
    n.properties.iter().find(|p| p.key.text == "name").and_then(|p| match &p.value.kind {
        ExprKind::Literal(Literal::Str(s)) if !s.is_empty() => Some(s.as_str()),
        _ => None,
    })
}

/// A relationship next to node `i` that has types and takes at least one hop, with the
/// side of it node `i` is on (`Right`: the subject, `Left`: the object).
fn typed_neighbour(path: &PathPattern, i: usize) -> Option<(Vec<String>, Arrow)> {
    let takes_one = |r: &RelPattern| !r.types.is_empty() && r.length.is_none_or(|(min, _)| min.unwrap_or(1) >= 1);
    if let Some((r, _)) = path.steps.get(i).filter(|(r, _)| takes_one(r)) {
        // Node i is on the left of step i.
        return Some((r.types.iter().map(|t| t.text.clone()).collect(), r.arrow));
    }
    if i > 0 {
        let (r, _) = &path.steps[i - 1];
        if takes_one(r) {
            // Node i is on the right of step i - 1.
            let side = match r.arrow {
                Arrow::Right => Arrow::Left,
                Arrow::Left => Arrow::Right,
                Arrow::Either => Arrow::Either,
            };
            return Some((r.types.iter().map(|t| t.text.clone()).collect(), side));
        }
    }
    None
}

fn scan_for(path: &PathPattern, at: usize, bound: &[String], scope: &Scope) -> Scan {
    let n = nodes(path).nth(at).expect("the anchor is a node of the path");
    if let Some(v) = n.var.as_ref().filter(|v| bound.contains(&v.text)) {
        if let Some((slot, _)) = scope.get(&v.text) {
            return Scan::Bound(slot);
        }
    }
    // Documents are nodes only where a pattern asks for them by their label, and a
    // start from the name index leaves them out: such a pattern starts from the label.
    let document = n.kind.as_ref().is_some_and(|k| k.text.split(':').any(|l| l == factgraph_store::DOCUMENT_KIND));
    if let Some(name) = name_of(n).filter(|_| !document) {
        return Scan::Name(name.to_owned());
    }
    if let Some(k) = &n.kind {
        return Scan::Kind(k.text.clone());
    }
    if let Some((types, side)) = typed_neighbour(path, at) {
        return Scan::Relation(types, side);
    }
    Scan::All
}

pub(crate) fn write_path(out: &mut String, path: &PathPattern) {
    let q = Query { clauses: vec![Clause::Create(vec![path.clone()])], unions: Vec::new(), including_negated: false };
    let text = factgraph_syntax::print(&factgraph_syntax::ast::Script {
        statements: vec![factgraph_syntax::ast::Statement::Query(q)],
        mode: None,
    });
    out.push_str(text.trim_start_matches("create "));
}

/// Moves each condition of a match's `where` that compares a node's `name` with a text
/// (`b.name = 'Bo'`, `'Bo' = b.name`), `and`ed with the rest, into the node's pattern
/// as `{name: 'Bo'}`, which means the same (a name is exact either way) and which the
/// planner can start the match from. Only for a node the match introduces (one bound
/// before is already fixed) whose pattern has no name of its own; a comparison with
/// anything but a text is left as it is (`{name: 5}` is refused, `where n.name = 5`
/// is false). The filter left, `Some(None)` when nothing is; `None` when nothing moved.
fn names_into_patterns(m: &mut [PathPattern], filter: Option<&Expr>, scope: &Scope) -> Option<Option<Expr>> {
    fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match &e.kind {
            ExprKind::And(a, b) => {
                conjuncts(a, out);
                conjuncts(b, out);
            }
            _ => out.push(e),
        }
    }
    let mut all = Vec::new();
    conjuncts(filter?, &mut all);
    let mut kept = Vec::new();
    let mut moved = false;
    for c in all {
        let named = match &c.kind {
            ExprKind::Compare(CompareOp::Eq, a, b) => match (&a.kind, &b.kind) {
                (ExprKind::Property(v, k), ExprKind::Literal(Literal::Str(_))) if k == "name" => Some((v, &**b)),
                (ExprKind::Literal(Literal::Str(_)), ExprKind::Property(v, k)) if k == "name" => Some((v, &**a)),
                _ => None,
            },
            _ => None,
        };
        let node = named.filter(|(v, _)| scope.get(v).is_none()).and_then(|(v, value)| {
            let node = m
                .iter_mut()
                .flat_map(|p| std::iter::once(&mut p.start).chain(p.steps.iter_mut().map(|(_, n)| n)))
                .find(|n| n.var.as_ref().is_some_and(|x| &x.text == v))?;
            let free = node.named.is_none()
                && node.parameter.is_none()
                && !node.properties.iter().any(|p| p.key.text == "name");
            free.then_some((node, value))
        });
        match node {
            Some((node, value)) => {
                node.properties.push(PatternProperty {
                    key: Ident { text: "name".into(), span: c.span },
                    value: value.clone(),
                    span: c.span,
                });
                moved = true;
            }
            None => kept.push(c),
        }
    }
    if !moved {
        return None;
    }
    Some(kept.into_iter().cloned().reduce(|a, b| {
        let span = a.span.to(b.span);
        Expr { kind: ExprKind::And(Box::new(a), Box::new(b)), span }
    }))
}

/// Refuses `named` where a node is made (`create`, `merge`): it finds nodes by any
/// spelling, and a node made has one name, given as a property.
fn no_named(path: &PathPattern) -> Result<()> {
    match nodes(path).find_map(|n| n.named.as_ref()) {
        Some(name) => Err(QueryError::not_allowed(Restriction::NamedInWrite, name.span).into()),
        None => Ok(()),
    }
}

/// Refuses `(n $p)` and `-[r $p]-`: openCypher's parameters stand for values, and
/// properties in a pattern are written as a map of them.
fn no_parameter_properties(path: &PathPattern) -> Result<()> {
    let nodes = nodes(path).map(|n| &n.parameter);
    let rels = path.steps.iter().map(|(r, _)| &r.parameter);
    match nodes.chain(rels).flatten().next() {
        Some(p) => Err(QueryError::not_allowed(Restriction::ParameterAsProperties, p.span).into()),
        None => Ok(()),
    }
}

/// A variable as an expression, for the targets of `set n = …` and `set n:L`.
fn var_expr(v: &Ident) -> Expr {
    Expr { kind: ExprKind::Var(v.text.clone()), span: v.span }
}

/// Refuses, before running, what `delete` could never delete: a label or type test
/// (`delete n:Person`), and values that cannot be a node, relationship or path.
fn deletable(e: &Expr, scope: &Scope) -> Result<()> {
    let not = |rule| Err(QueryError::not_allowed(rule, e.span).into());
    match &e.kind {
        ExprKind::HasLabels(..) => not(Restriction::DeleteLabel),
        ExprKind::Literal(_)
        | ExprKind::Arith(..)
        | ExprKind::Neg(_)
        | ExprKind::Not(_)
        | ExprKind::And(..)
        | ExprKind::Or(..)
        | ExprKind::Xor(..)
        | ExprKind::Compare(..)
        | ExprKind::IsNull { .. }
        | ExprKind::CountStar
        | ExprKind::List(_)
        | ExprKind::Map(_)
        | ExprKind::ListComp { .. }
        | ExprKind::Quantifier { .. } => not(Restriction::DeleteNotAnEntity),
        ExprKind::Var(v) if scope.get(v).is_some_and(|(_, t)| matches!(t, VarType::Value | VarType::NotMap)) => {
            not(Restriction::DeleteNotAnEntity)
        }
        _ => Ok(()),
    }
}

/// Refuses a length the grammar read but openCypher does not have (`[:T..2]`,
/// `*-2`), where it was written.
fn well_formed_length(r: &RelPattern) -> Result<()> {
    match r.bad_length {
        Some((factgraph_syntax::ast::BadLength::WithoutStar, span)) => {
            Err(QueryError::not_allowed(Restriction::LengthWithoutStar, span).into())
        }
        Some((factgraph_syntax::ast::BadLength::Negative, span)) => {
            Err(QueryError::not_allowed(Restriction::NegativeLength, span).into())
        }
        None => Ok(()),
    }
}

/// Refuses a relationship `create` or `merge` could not make: one statement needs one
/// type, a direction and a single step.
fn creatable(r: &RelPattern) -> Result<()> {
    well_formed_length(r)?;
    if r.types.len() != 1 {
        return Err(QueryError::not_allowed(Restriction::CreateWithoutOneType, r.span).into());
    }
    if r.arrow == Arrow::Either {
        return Err(QueryError::not_allowed(Restriction::CreateWithoutDirection, r.span).into());
    }
    if r.length.is_some() {
        return Err(QueryError::not_allowed(Restriction::CreateMoreThanOneStatement, r.span).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A comprehension's or quantifier's variable over a written list of text or
    /// booleans is known to be one: arithmetic on it that takes neither is refused
    /// before running (openCypher's InvalidArgumentType); text still joins with `+`.
    #[test]
    fn arithmetic_on_the_items_of_a_written_list_of_text_is_refused() {
        for q in [
            "return none(x in ['Clara'] where x % 2 = 0)",
            "return all(x in [false, true] where x * 2 = 0)",
            "return [x in ['a', 'b'] | x - 1]",
        ] {
            let e = planned(q).unwrap_err().to_string();
            assert!(e.contains("numbers"), "{q}: {e}");
        }
        assert!(planned("return [x in ['a', 'b'] | x + 'c']").is_ok());
        // A boolean joins a list with `+`.
        assert!(planned("return [b in [true, false] | b + [1]]").is_ok());
        assert!(planned("return [x in [true] | [x] + x]").is_ok());
        assert!(planned("return [b in [true] | b + 1]").is_err());
        assert!(planned("return [x in ['a', 1] | x % 2]").is_ok(), "a list of mixed items is known to be nothing");
    }

    fn planned(text: &str) -> Result<QueryPlan> {
        let script = factgraph_syntax::parse(text).expect("parses");
        let factgraph_syntax::ast::Statement::Query(q) = &script.statements[0] else { panic!("not a query") };
        plan(q, &Procedures::default())
    }

    #[test]
    fn a_path_starts_from_its_named_node_wherever_it_is_written() {
        let p = planned("match (a)-[:said]->(b {name: 'Trump'}) return a").unwrap();
        let Op::Match { paths, .. } = &p.root_input() else { panic!("{p:?}") };
        assert_eq!(paths[0].scan, Scan::Name("Trump".into()));
        assert!(paths[0].right.is_empty() && paths[0].left.len() == 1, "walks leftwards from b");
        assert_eq!(paths[0].left[0].0.arrow, Arrow::Left, "against the arrow");
    }

    #[test]
    fn variables_out_of_scope_after_with_are_undefined() {
        let e = planned("match (a), (b) with a return b").unwrap_err();
        assert!(e.to_string().contains("`b` is not defined"), "{e}");
        planned("match (a), (b) with a, b as c return c").unwrap();
    }

    #[test]
    fn aggregates_inside_expressions_are_grouped_once() {
        let p = planned("match (n) return count(n) > 0 as any, count(n) as c").unwrap();
        let mut op = &p.root;
        let mut aggs = None;
        loop {
            match op {
                Op::Aggregate { aggs: a, .. } => {
                    aggs = Some(a.len());
                    break;
                }
                Op::Project { input, .. } => op = input,
                _ => break,
            }
        }
        assert_eq!(aggs, Some(1), "count(n) written twice is counted once");
    }

    impl QueryPlan {
        /// The operator under the final projection.
        fn root_input(&self) -> &Op {
            let mut op = &self.root;
            while let Op::Project { input, .. } | Op::Limit { input, .. } | Op::Sort { input, .. } = op {
                op = input;
            }
            op
        }
    }
}
