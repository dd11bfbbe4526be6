//! Matching the paths of one `match` against the store, for one input row.
//!
//! Nodes are entities (their label is their kind), statements that other statements
//! are about (label `Statement`) and value nodes (label `Value`): the literal object
//! of one statement, a number, a date or a text, with that literal as its `value`.
//! Relationships are statements (their type is the relation, their properties the
//! qualifiers); one whose object is a literal leads to its value node, which no other
//! relationship touches. A node's `name` property
//! in a pattern matches its canonical name or any alias, ignoring case and accents.
//! Semantics otherwise follow openCypher: no relationship is bound twice in one
//! `match`, and a variable-length relationship without an upper bound is walked up
//! to `Limits::max_hops`, a trail going on past it being an error (a search for its
//! distinct ends alone goes as far as the graph). A statement its source denies or does not confirm is no
//! relationship unless the query ends in `including negated`, or the relationship's
//! pattern names the `polarity` it wants (`-[r {polarity: 'negated'}]->`).
//!
//! Each path is walked from the anchor the planner chose: first to its right end, then
//! from the anchor to its left end. The row is written in place as variables are
//! bound and restored as the walk backs out, so a match costs no copies until a
//! complete binding is pushed on.

use factgraph_store::{normalize, Direction, Entity, Node, StatementId, Walk, DOCUMENT_KIND};
use factgraph_syntax::ast::{Arrow, Span};

use super::compile::{CExpr, NodeTest, PathPlan, RelTest, Scan};
use super::context::{Ctx, Flow};
use super::value::{equal, from_value, truth, Val, STATEMENT_LABEL, VALUE_LABEL};
use crate::error::{QueryError, Result};

type Emit<'s> = dyn FnMut(&mut Ctx<'_>, &[Val]) -> Result<Flow> + 's;

/// A node of the pattern graph: an entity or a statement of the store, or the value
/// node of a statement whose object is a literal. A value node belongs to its one
/// statement, never shared by equal values: two sources' `36` are two claims, and a
/// number shared would join unrelated claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum At {
    Node(Node),
    Value(StatementId),
}

impl At {
    fn val(self) -> Val {
        match self {
            At::Node(n) => Val::Node(n),
            At::Value(s) => Val::ValueNode(s),
        }
    }
}

/// How the matcher evaluates a pattern's expressions (its properties, its condition):
/// `expr::eval`, handed in by the caller rather than imported, since an expression
/// may hold a pattern in turn (a pattern comprehension) for the matcher to match.
pub(crate) type Eval = fn(&mut Ctx<'_>, &CExpr, &[Val]) -> Result<Val>;

/// Pushes every binding of `paths` that extends `row` and passes `filter` to `emit`.
pub(crate) fn matches(
    ctx: &mut Ctx<'_>,
    eval: Eval,
    paths: &[PathPlan],
    filter: Option<&CExpr>,
    made: &[(CExpr, usize)],
    row: &mut [Val],
    emit: &mut Emit<'_>,
) -> Result<Flow> {
    let mut m = Matcher { eval, paths, filter, made, used: Vec::new(), cut: None };
    let flow = m.path(ctx, 0, row, emit)?;
    // A trail left at the limit matters only to an answer that asked for every match:
    // a condition, `exists` or `limit` that stopped at one did not.
    match (flow, m.cut) {
        (Flow::Go, Some(span)) => Err(QueryError::Limit {
            what: format!(
                "a path without an upper bound that goes on past {} relationships (give it one, `*..{}`, \
                 or raise the limit)",
                ctx.limits.max_hops, ctx.limits.max_hops
            ),
            limit: ctx.limits.max_hops as u64,
            span,
        }
        .into()),
        _ => Ok(flow),
    }
}

struct Matcher<'p> {
    eval: Eval,
    paths: &'p [PathPlan],
    filter: Option<&'p CExpr>,
    /// Values made from each match before `filter` (its named paths), into their slots.
    made: &'p [(CExpr, usize)],
    /// The relationships bound so far, named or not: none may be bound twice.
    used: Vec<StatementId>,
    /// Where a trail of a step without an upper bound went on past the limit on hops
    /// and was left there: an error once the match is over, unless it stopped early.
    cut: Option<Span>,
}

/// Which half of a path the walk is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Right,
    Left,
}

impl Matcher<'_> {
    fn path(&mut self, ctx: &mut Ctx<'_>, p: usize, row: &mut [Val], emit: &mut Emit<'_>) -> Result<Flow> {
        let Some(path) = self.paths.get(p) else {
            for (e, slot) in self.made {
                row[*slot] = (self.eval)(ctx, e, row)?;
            }
            if let Some(f) = self.filter {
                if truth(&(self.eval)(ctx, f, row)?) != Some(true) {
                    return Ok(Flow::Go);
                }
            }
            return emit(ctx, row);
        };
        for n in candidates(ctx, &path.scan, row)? {
            ctx.tick()?;
            if !node_ok(ctx, self.eval, n, &path.anchor, row)? {
                continue;
            }
            let saved = bind_node(&path.anchor, n, row);
            let flow = self.step(ctx, p, Side::Right, 0, n, n, row, emit)?;
            restore(path.anchor.slot, saved, row);
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Go)
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        ctx: &mut Ctx<'_>,
        p: usize,
        side: Side,
        i: usize,
        anchor: At,
        at: At,
        row: &mut [Val],
        emit: &mut Emit<'_>,
    ) -> Result<Flow> {
        let path = &self.paths[p];
        let steps = if side == Side::Right { &path.right } else { &path.left };
        let Some((rel, node)) = steps.get(i) else {
            return match side {
                Side::Right => self.step(ctx, p, Side::Left, 0, anchor, anchor, row, emit),
                Side::Left => self.path(ctx, p + 1, row, emit),
            };
        };
        match rel.length {
            None => {
                for (sid, other) in hops(ctx, self.eval, at, rel, row)? {
                    if self.used.contains(&sid) || !node_ok(ctx, self.eval, other, node, row)? {
                        continue;
                    }
                    if rel.bound && rel.slot.is_some_and(|s| row[s] != Val::Rel(sid)) {
                        continue;
                    }
                    let saved_rel = match rel.slot.filter(|_| !rel.bound) {
                        Some(s) => Some(std::mem::replace(&mut row[s], Val::Rel(sid))),
                        None => None,
                    };
                    let saved = bind_node(node, other, row);
                    self.used.push(sid);
                    let flow = self.step(ctx, p, side, i + 1, anchor, other, row, emit)?;
                    self.used.pop();
                    restore(node.slot, saved, row);
                    if let (Some(s), Some(v)) = (rel.slot, saved_rel) {
                        row[s] = v;
                    }
                    if flow == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
            Some((min, max)) => {
                let cap = ctx.limits.max_hops;
                if max != usize::MAX && max > cap {
                    return Err(QueryError::Limit {
                        what: format!("a path of up to {max} relationships"),
                        limit: cap as u64,
                        span: rel.span,
                    }
                    .into());
                }
                // The adjacency has no value nodes: from one, the trails are walked.
                // A breadth-first search of the ends needs no bound: it reads each node
                // once, however far.
                if rel.distinct_ends && ctx.source.is_none() && !names_polarity(rel) && matches!(at, At::Node(_)) {
                    return self.reach(ctx, p, side, i, anchor, at, (min, max), row, emit);
                }
                // Trails without an upper bound are walked up to the limit, past which
                // one that goes on is an error (`walk`).
                let mut trail = Vec::new();
                self.walk(ctx, p, side, i, anchor, at, (min, max), &mut trail, row, emit)
            }
        }
    }

    /// A variable-length relationship whose trails matter only through their distinct
    /// ends (the planner checked): each node a trail of `min..=max` (`min` at most 1)
    /// statements from `at` can end at, once, from a breadth-first search of the
    /// store's adjacency.
    #[allow(clippy::too_many_arguments)]
    fn reach(
        &mut self,
        ctx: &mut Ctx<'_>,
        p: usize,
        side: Side,
        i: usize,
        anchor: At,
        at: At,
        (min, max): (usize, usize),
        row: &mut [Val],
        emit: &mut Emit<'_>,
    ) -> Result<Flow> {
        let path = &self.paths[p];
        let steps = if side == Side::Right { &path.right } else { &path.left };
        let (rel, node) = &steps[i];
        let At::Node(start) = at else { unreachable!("a value node's trails are walked") };
        let ends = reach_ends(ctx, rel, start, (min, max), true)?;
        for end in ends {
            ctx.tick()?;
            if !node_ok(ctx, self.eval, end, node, row)? {
                continue;
            }
            let saved = bind_node(node, end, row);
            let flow = self.step(ctx, p, side, i + 1, anchor, end, row, emit)?;
            restore(node.slot, saved, row);
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Go)
    }

    /// A variable-length relationship: every trail of `min..=max` hops from `at`.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &mut self,
        ctx: &mut Ctx<'_>,
        p: usize,
        side: Side,
        i: usize,
        anchor: At,
        at: At,
        (min, max): (usize, usize),
        trail: &mut Vec<StatementId>,
        row: &mut [Val],
        emit: &mut Emit<'_>,
    ) -> Result<Flow> {
        let path = &self.paths[p];
        let steps = if side == Side::Right { &path.right } else { &path.left };
        let (rel, node) = &steps[i];
        if trail.len() >= min && node_ok(ctx, self.eval, at, node, row)? {
            let list = || {
                let mut l = trail.clone();
                if rel.reversed {
                    l.reverse();
                }
                Val::Rels(l)
            };
            let fits = match rel.slot {
                // Bound to a variable-length step's relationships, or to a list of
                // relationships (`with [r1, r2] as rs match ()-[rs*]->()`).
                Some(s) if rel.bound => match (&row[s], list()) {
                    (Val::Rels(b), Val::Rels(l)) => *b == l,
                    (Val::List(items), Val::Rels(l)) => {
                        items.len() == l.len() && items.iter().zip(&l).all(|(i, r)| *i == Val::Rel(*r))
                    }
                    _ => false,
                },
                _ => true,
            };
            if fits {
                let saved_rel = match rel.slot.filter(|_| !rel.bound) {
                    Some(s) => Some(std::mem::replace(&mut row[s], list())),
                    None => None,
                };
                let saved = bind_node(node, at, row);
                let flow = self.step(ctx, p, side, i + 1, anchor, at, row, emit)?;
                restore(node.slot, saved, row);
                if let (Some(s), Some(v)) = (rel.slot, saved_rel) {
                    row[s] = v;
                }
                if flow == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
        }
        let cap = ctx.limits.max_hops;
        if trail.len() >= max.min(cap) {
            // Only a bound not written is past the limit here (one written past it
            // was refused): a trail that would go on is not left out in silence.
            if self.cut.is_none()
                && max > cap
                && hops(ctx, self.eval, at, rel, row)?.iter().any(|(sid, _)| !self.used.contains(sid))
            {
                self.cut = Some(rel.span);
            }
            return Ok(Flow::Go);
        }
        for (sid, other) in hops(ctx, self.eval, at, rel, row)? {
            if self.used.contains(&sid) {
                continue;
            }
            self.used.push(sid);
            trail.push(sid);
            let flow = self.walk(ctx, p, side, i, anchor, other, (min, max), trail, row, emit)?;
            trail.pop();
            self.used.pop();
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Go)
    }
}

/// The distinct ends of the trails of `rel` (`min..=max` hops, `min` at most 1) from
/// `start`, from a breadth-first search of the store's adjacency: every node a trail
/// reaches, `start` itself when `min` is 0 or a trail comes back to it, and the value
/// nodes one statement beyond.
///
/// When `start` does not matter (the caller leaves it out), whether a trail comes back
/// to it is not asked.
fn reach_ends(
    ctx: &mut Ctx<'_>,
    rel: &RelTest,
    start: Node,
    (min, max): (usize, usize),
    start_matters: bool,
) -> Result<Vec<At>> {
    let (walk, forwards) = match rel.arrow {
        Arrow::Right => (Walk::Directed, true),
        Arrow::Left => (Walk::Directed, false),
        Arrow::Either => (Walk::Undirected, true),
    };
    let withdrawn = ctx.withdrawn()?;
    let avoid = |s: StatementId| withdrawn.as_ref().is_some_and(|w| w.contains(s));
    // The graph's shape alone answers a search that avoids nothing where no node is a
    // statement: a new process then reads half of the kept adjacency.
    let shape = ctx.store.topology()?;
    let adjacency = match withdrawn.is_none() && !shape.has_statement_nodes() {
        true => None,
        false => Some(ctx.store.adjacency()?),
    };
    let others = |k: usize| match (&adjacency, &withdrawn) {
        (Some(a), Some(_)) => a.reach_others_avoiding(start, k, walk, forwards, &avoid),
        (Some(a), None) => a.reach_others(start, k, walk, forwards),
        (None, _) => shape.reach_others(start, k, walk, forwards).unwrap_or_default(),
    };
    let mut ends: Vec<At>;
    if min == 0 || !start_matters {
        ends = others(max).into_iter().map(At::Node).collect();
        if min == 0 {
            ends.push(At::Node(start));
        }
    } else {
        // Whether a trail comes back to `start` asks for the statements (cached: one
        // build or read per commit).
        let (found, closed) = ctx.store.adjacency()?.reach_avoiding(start, max, walk, forwards, &avoid);
        ends = found.into_iter().map(At::Node).collect();
        if closed {
            ends.push(At::Node(start));
        }
    }
    // The value nodes, which the adjacency's rows leave out: one step beyond a node
    // the trails reach in fewer than `max` steps, along a statement they did not take
    // (a value node's one statement leads nowhere else). The adjacency keeps those
    // statements apart, by subject, so a graph with none (the common case) pays
    // nothing, and one with some reads no store list per node reached.
    if max > 0 && (walk == Walk::Undirected || forwards) && shape.has_value_edges() {
        let types: Vec<Option<u32>> = rel.types.iter().map(|t| ctx.store.relation_id(t)).collect();
        let mut before: Vec<Node> = if max > 1 { others(max - 1) } else { Vec::new() };
        before.push(start);
        for n in before {
            for e in shape.value_edges(n) {
                ctx.tick()?;
                let fits = types.is_empty() || types.contains(&Some(e.relation));
                if fits && !withdrawn.as_ref().is_some_and(|w| w.contains(e.statement)) {
                    ends.push(At::Value(e.statement));
                }
            }
        }
    }
    Ok(ends)
}

/// `count(distinct y)` over a match of one path of one variable-length step whose
/// trails matter only through their distinct ends (`(x …)-[*1..3]-(y …)`, see
/// `RelTest::distinct_ends`), leaving out `y = x` when `skip_anchor` (the planner saw
/// `where y <> x`): the ends of one breadth-first search per anchor, tested and
/// counted in a set, with no row built for any of them. `None` when the step is to
/// be walked trail by trail instead (under `according to`, when the pattern names a
/// polarity, or from a value node), which the caller then does.
pub(crate) fn count_distinct_ends(
    ctx: &mut Ctx<'_>,
    eval: Eval,
    path: &PathPlan,
    row: &mut [Val],
    skip_anchor: bool,
) -> Result<Option<usize>> {
    let (rel, node) = match (path.right.as_slice(), path.left.as_slice()) {
        ([(rel, node)], []) | ([], [(rel, node)]) => (rel, node),
        _ => return Ok(None),
    };
    let Some((min, max)) = rel.length else { return Ok(None) };
    if !rel.distinct_ends || ctx.source.is_some() || names_polarity(rel) || min > 1 {
        return Ok(None);
    }
    let anchors = candidates(ctx, &path.scan, row)?;
    if anchors.iter().any(|a| matches!(a, At::Value(_))) {
        return Ok(None);
    }
    let most = ctx.limits.max_rows.saturating_mul(10);
    let mut fitting = Vec::new();
    for a in anchors {
        ctx.tick()?;
        if node_ok(ctx, eval, a, &path.anchor, row)? {
            fitting.push(a);
        }
    }
    // As the walk does, the bound on hops is checked where a step is taken: a
    // pattern no node starts takes none.
    let cap = ctx.limits.max_hops;
    if !fitting.is_empty() && max != usize::MAX && max > cap {
        let what = format!("a path of up to {max} relationships");
        return Err(QueryError::Limit { what, limit: cap as u64, span: rel.span }.into());
    }
    // Without an upper bound the search goes as far as the graph: it reads each node
    // once.
    // One search's ends are distinct already: from one anchor they are counted, not
    // kept.
    let one = fitting.len() == 1;
    let (mut count, mut seen) = (0, rustc_hash::FxHashSet::<At>::default());
    for a in fitting {
        let At::Node(start) = a else { continue };
        let saved = bind_node(&path.anchor, a, row);
        for end in reach_ends(ctx, rel, start, (min, max), !skip_anchor)? {
            ctx.tick()?;
            if (skip_anchor && end == a) || (!one && seen.contains(&end)) || !node_ok(ctx, eval, end, node, row)? {
                continue;
            }
            if one {
                count += 1;
                continue;
            }
            if seen.len() >= most {
                let what = "the query holds too many distinct values".into();
                return Err(QueryError::Limit { what, limit: most as u64, span: Default::default() }.into());
            }
            ctx.hold(48, "the distinct values of an aggregate")?;
            seen.insert(end);
        }
        restore(path.anchor.slot, saved, row);
    }
    Ok(Some(if one { count } else { seen.len() }))
}

/// Writes a node to its variable's slot unless the slot already holds it; returns what
/// was there, to put back.
fn bind_node(t: &NodeTest, n: At, row: &mut [Val]) -> Option<Val> {
    match t.slot {
        Some(s) if !t.bound => Some(std::mem::replace(&mut row[s], n.val())),
        _ => None,
    }
}

fn restore(slot: Option<usize>, saved: Option<Val>, row: &mut [Val]) {
    if let (Some(s), Some(v)) = (slot, saved) {
        row[s] = v;
    }
}

/// The nodes a path may start from.
fn candidates(ctx: &mut Ctx<'_>, scan: &Scan, row: &[Val]) -> Result<Vec<At>> {
    Ok(match scan {
        Scan::Bound(slot) => match &row[*slot] {
            Val::Node(n) => vec![At::Node(*n)],
            Val::ValueNode(s) => vec![At::Value(*s)],
            Val::Null => Vec::new(),
            other => {
                return Err(QueryError::TypeMismatch {
                    what: "a pattern's node".into(),
                    expected: "a node".into(),
                    found: other.kind().into(),
                    span: Default::default(),
                }
                .into())
            }
        },
        Scan::Name(name) => {
            let mut out = Vec::new();
            for e in ctx.store.lookup(name)? {
                // Documents hold evidence; they are not nodes of the graph Cypher sees.
                if ctx.entity(e)?.kind != DOCUMENT_KIND {
                    out.push(At::Node(Node::Entity(e)));
                }
            }
            // A statement that is a node has its qualifiers as properties, `name`
            // among them, which the name index does not hold.
            let named = ctx.store.derived(NamedStatementNodes::find)?;
            out.extend(named.0.get(name.as_str()).into_iter().flatten().map(|s| At::Node(Node::Statement(*s))));
            out
        }
        Scan::Kind(kind) if kind == STATEMENT_LABEL => statement_nodes(ctx)?,
        Scan::Kind(kind) if kind == VALUE_LABEL => value_nodes(ctx)?,
        Scan::Kind(kind) => ctx.store.entities_of_kind(kind)?.into_iter().map(|e| At::Node(Node::Entity(e))).collect(),
        Scan::Relation(types, side) => {
            let mut nodes = std::collections::BTreeSet::new();
            let mut values = Vec::new();
            for t in types {
                for id in ctx.store.statements_with_relation(t)? {
                    ctx.tick()?;
                    let st = ctx.store.require_statement_without_quotes(id)?;
                    if *side != Arrow::Left {
                        nodes.insert(st.subject);
                    }
                    if *side != Arrow::Right {
                        match st.object.node() {
                            Some(o) => {
                                nodes.insert(o);
                            }
                            None => values.push(At::Value(id)),
                        }
                    }
                }
            }
            nodes.into_iter().map(At::Node).chain(values).collect()
        }
        Scan::All => {
            let mut all = Vec::new();
            for e in ctx.store.entities() {
                ctx.tick()?;
                let e = e?;
                // Documents hold evidence; they are not nodes of the graph Cypher sees.
                if e.kind != DOCUMENT_KIND {
                    all.push(At::Node(Node::Entity(e.id)));
                }
            }
            all.extend(statement_nodes(ctx)?);
            all.extend(value_nodes(ctx)?);
            all
        }
    })
}

/// The statements that are nodes (other statements are about them) by the text of
/// their `name` qualifier: what a start from the name index adds to the entities it
/// finds. Derived once a commit (`Store::derived`); most stores have none.
struct NamedStatementNodes(std::collections::HashMap<String, Vec<StatementId>>);

impl NamedStatementNodes {
    fn find(store: &factgraph_store::Store) -> factgraph_store::Result<NamedStatementNodes> {
        let mut by_name: std::collections::HashMap<String, Vec<StatementId>> = Default::default();
        for id in store.statements_with_statements_about()? {
            let st = store.require_statement_without_quotes(id)?;
            if let Some(factgraph_store::Value::Str(name)) = st.qualifiers.get("name") {
                by_name.entry(name.clone()).or_default().push(id);
            }
        }
        Ok(NamedStatementNodes(by_name))
    }
}

/// Every statement that is a node: one that other statements are about.
fn statement_nodes(ctx: &mut Ctx<'_>) -> Result<Vec<At>> {
    ctx.tick()?;
    Ok(ctx.store.statements_with_statements_about()?.into_iter().map(|s| At::Node(Node::Statement(s))).collect())
}

/// Every value node: one per statement whose object is a literal.
fn value_nodes(ctx: &mut Ctx<'_>) -> Result<Vec<At>> {
    ctx.tick()?;
    Ok(ctx.store.statements_with_literal_objects()?.into_iter().map(At::Value).collect())
}

/// Whether an entity has `key` equal to `want` (openCypher's equality: null equals
/// nothing). `name` is its canonical name, exactly, as `n.name` reads it.
fn entity_has(e: &Entity, key: &str, want: &Val) -> bool {
    match (key, want) {
        ("name", Val::Str(s)) if s.is_empty() => e.name.is_empty() && e.properties.contains_key("name"),
        ("name", Val::Str(s)) => e.name == *s,
        ("kind", Val::Str(s)) => &e.kind == s,
        _ => e.properties.get(key).is_some_and(|v| equal(&from_value(v), want) == Some(true)),
    }
}

/// Whether `name` is one of the entity's spellings (its canonical name or an alias),
/// ignoring case, accents, punctuation and spacing: what `named` asks.
pub(crate) fn spelled(e: &Entity, name: &str) -> bool {
    let n = normalize(name);
    !n.is_empty() && e.spellings().any(|sp| normalize(sp) == n)
}

/// The pattern's property values for this row.
fn wanted(ctx: &mut Ctx<'_>, eval: Eval, props: &[(String, CExpr)], row: &[Val]) -> Result<Vec<Val>> {
    props.iter().map(|(_, e)| eval(ctx, e, row)).collect()
}

fn node_ok(ctx: &mut Ctx<'_>, eval: Eval, n: At, t: &NodeTest, row: &[Val]) -> Result<bool> {
    if t.bound {
        if let Some(s) = t.slot {
            if row[s] != n.val() {
                return Ok(false);
            }
        }
    }
    if t.kind.is_none() && t.props.is_empty() && t.named.is_none() {
        return Ok(true);
    }
    let want = wanted(ctx, eval, &t.props, row)?;
    // `named`: a value node or a statement has no name to be spelled.
    let named = match &t.named {
        Some(e) => match eval(ctx, e, row)? {
            Val::Str(s) => Some(s),
            _ => return Ok(false),
        },
        None => None,
    };
    if named.is_some() && !matches!(n, At::Node(Node::Entity(_))) {
        return Ok(false);
    }
    let n = match n {
        At::Node(n) => n,
        At::Value(s) => {
            if t.kind.as_ref().is_some_and(|k| k != VALUE_LABEL) {
                return Ok(false);
            }
            let st = ctx.store.require_statement_without_quotes(s)?;
            let value = match &st.object {
                factgraph_store::Object::Literal(v) => from_value(v),
                factgraph_store::Object::Node(_) => Val::Null,
            };
            return Ok(t.props.iter().zip(&want).all(|((k, _), v)| k == "value" && equal(&value, v) == Some(true)));
        }
    };
    match n {
        Node::Entity(id) => {
            let e = ctx.entity(id)?;
            if t.kind.as_ref().is_some_and(|k| !factgraph_store::has_labels(&e.kind, k)) {
                return Ok(false);
            }
            if named.as_deref().is_some_and(|s| !spelled(&e, s)) {
                return Ok(false);
            }
            Ok(t.props.iter().zip(&want).all(|((k, _), v)| entity_has(&e, k, v)))
        }
        Node::Statement(s) => {
            if t.kind.as_ref().is_some_and(|k| k != STATEMENT_LABEL) {
                return Ok(false);
            }
            let st = ctx.store.require_statement_without_quotes(s)?;
            qualifiers_are(ctx, &st.qualifiers, &t.props, &want)
        }
    }
}

/// Whether the qualifiers have each wanted key with the wanted value. A participant
/// (`for`, `to`, …) is its entity, and a name asks for it as a node's `name` does: by
/// its canonical name, exactly (`where r.for named "…"` reads every spelling).
fn qualifiers_are(
    ctx: &mut Ctx<'_>,
    q: &factgraph_store::Qualifiers,
    props: &[(String, CExpr)],
    want: &[Val],
) -> Result<bool> {
    for ((key, _), want) in props.iter().zip(want) {
        let ok = match (q.get(key), want) {
            (Some(factgraph_store::Value::Entity(e)), Val::Str(name)) => {
                let e = ctx.entity(*e)?;
                entity_has(&e, "name", &Val::Str(name.clone()))
            }
            (Some(v), want) => equal(&from_value(v), want) == Some(true),
            (None, _) => false,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether a relationship's pattern names the polarity it wants, which asks for
/// statements of that polarity whatever `including negated` says.
fn names_polarity(r: &RelTest) -> bool {
    r.props.iter().any(|(k, _)| k == crate::vocabulary::POLARITY)
}

/// The relationships leaving `n` that fit `r`: (statement, far node).
fn hops(ctx: &mut Ctx<'_>, eval: Eval, n: At, r: &RelTest, row: &[Val]) -> Result<Vec<(StatementId, At)>> {
    let dirs: &[Direction] = match r.arrow {
        Arrow::Right => &[Direction::Out],
        Arrow::Left => &[Direction::In],
        Arrow::Either => &[Direction::Out, Direction::In],
    };
    let types: Vec<Option<u32>> = r.types.iter().map(|t| ctx.store.relation_id(t)).collect();
    if !r.types.is_empty() && types.iter().all(Option::is_none) {
        return Ok(Vec::new());
    }
    // The statement itself is read only when something about it must be checked:
    // qualifiers, or the evidence `according to` admits.
    let read = !r.props.is_empty() || ctx.source.is_some();
    // The statements withdrawn by their polarity, unless this relationship asks for a
    // polarity itself: then its properties decide.
    let withdrawn = if names_polarity(r) { None } else { ctx.withdrawn()? };
    let want = if r.props.is_empty() { Vec::new() } else { wanted(ctx, eval, &r.props, row)? };
    // A value node's one relationship comes in from its statement's subject.
    let edges: Vec<(Direction, factgraph_store::Edge)> = match n {
        At::Node(n) => {
            let mut all = Vec::new();
            for dir in dirs {
                all.extend(ctx.store.edges(n, *dir)?.into_iter().map(|e| (*dir, e)));
            }
            all
        }
        At::Value(s) if dirs.contains(&Direction::In) => {
            let st = ctx.store.require_statement_without_quotes(s)?;
            let relation = ctx.store.relation_id(&st.relation).unwrap_or(u32::MAX);
            vec![(Direction::In, factgraph_store::Edge { statement: s, relation, other: Some(st.subject) })]
        }
        At::Value(_) => Vec::new(),
    };
    let mut out = Vec::new();
    for (dir, e) in edges {
        ctx.tick()?;
        let other = match e.other {
            Some(o) => At::Node(o),
            None => At::Value(e.statement),
        };
        // A self-loop is listed at both of its ends, which are the same node: an
        // undirected step has already taken it from the out side.
        if r.arrow == Arrow::Either && dir == Direction::In && other == n {
            continue;
        }
        if !r.types.is_empty() && !types.contains(&Some(e.relation)) {
            continue;
        }
        if withdrawn.as_ref().is_some_and(|w| w.contains(e.statement)) {
            continue;
        }
        if read {
            let st = ctx.store.require_statement_without_quotes(e.statement)?;
            if !ctx.admitted(&st)? {
                continue;
            }
            if !qualifiers_are(ctx, &st.qualifiers, &r.props, &want)? {
                continue;
            }
        }
        out.push((e.statement, other));
    }
    Ok(out)
}
