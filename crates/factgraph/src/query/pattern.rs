//! Pattern queries: a subset of openCypher's MATCH … WHERE … RETURN over the store.
//!
//! Nodes are entities (their label is their kind) and statements that other
//! statements are about; relationships are statements whose object is a node (their
//! type is the relation, their properties the qualifiers). A node's `name` property
//! matches its canonical name or any alias, ignoring case and accents — names
//! resolve through aliases everywhere in factgraph. Semantics otherwise follow
//! openCypher: bag semantics, three-valued logic with null, a relationship used at
//! most once per match, columns named by the expression as written or its alias.
//! A variable-length relationship without an upper bound stops at `Limits::max_hops`.

use std::cmp::Ordering;
use std::collections::HashMap;

use factgraph_store::{normalize, Direction, Entity, Node, StatementId, Value};
use factgraph_syntax::ast::{
    ArithOp, Arrow, CompareOp, Expr, ExprKind, NodePattern, PathPattern, Pattern, RelPattern, Span,
};

use super::context::Ctx;
use super::result::{Cell, QueryResult, Row};
use super::script::value;
use crate::error::{QueryError, Restriction, Result};

/// A runtime value.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Lit(Value),
    Node(Node),
    Rel(StatementId),
    Rels(Vec<StatementId>),
    List(Vec<Val>),
}

type Env = HashMap<String, Val>;

fn from_value(v: &Value) -> Val {
    match v {
        Value::Str(s) => Val::Str(s.clone()),
        Value::Int(i) => Val::Int(*i),
        Value::Float(x) => Val::Float(*x),
        Value::Bool(b) => Val::Bool(*b),
        other => Val::Lit(other.clone()),
    }
}

pub(crate) const AGGREGATES: &[&str] = &["count", "collect", "min", "max", "sum", "avg"];

/// The functions whose names are a typo away from `name` (an edit for every three
/// letters, swapped letters counting as one), nearest first.
pub(crate) fn near_functions(name: &str) -> Vec<String> {
    let mut near: Vec<(usize, &str)> = crate::vocabulary::FUNCTIONS
        .iter()
        .map(|f| (strsim::osa_distance(f, name), *f))
        .filter(|(d, f)| *d <= (f.len() / 3).max(1))
        .collect();
    near.sort_unstable();
    near.into_iter().take(3).map(|(_, f)| f.to_owned()).collect()
}

pub(crate) fn is_aggregate(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::Call { name, .. } => AGGREGATES.contains(&name.as_str()),
        _ => false,
    }
}

/// Runs a pattern query.
pub(crate) fn run(ctx: &mut Ctx<'_>, p: &Pattern) -> Result<QueryResult> {
    let mut rows: Vec<Env> = vec![Env::new()];
    for path in &p.paths {
        rows = match_path(ctx, path, rows)?;
    }
    if let Some(f) = &p.filter {
        let mut kept = Vec::with_capacity(rows.len());
        for env in rows {
            ctx.tick()?;
            if eval(ctx, f, &env)? == Val::Bool(true) {
                kept.push(env);
            }
        }
        rows = kept;
    }
    for item in &p.returns {
        if let ExprKind::Call { name, args, .. } = &item.expr.kind {
            if AGGREGATES.contains(&name.as_str()) && args.iter().any(is_aggregate) {
                return Err(QueryError::not_allowed(Restriction::NestedAggregate, item.expr.span).into());
            }
        }
    }
    let columns: Vec<String> =
        p.returns.iter().map(|r| r.alias.as_ref().map_or_else(|| r.text.clone(), |a| a.text.clone())).collect();
    let aggregated = p.returns.iter().any(|r| is_aggregate(&r.expr));
    // Output rows: the values, and the environment to sort by.
    let mut out: Vec<(Vec<Val>, Env)> = Vec::new();
    if aggregated {
        let mut groups: Vec<(Vec<Val>, Vec<Env>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for env in rows {
            ctx.tick()?;
            let mut key = Vec::new();
            for r in p.returns.iter().filter(|r| !is_aggregate(&r.expr)) {
                key.push(eval(ctx, &r.expr, &env)?);
            }
            let k = format!("{key:?}");
            match index.get(&k) {
                Some(&i) => groups[i].1.push(env),
                None => {
                    index.insert(k, groups.len());
                    groups.push((key, vec![env]));
                }
            }
        }
        if groups.is_empty() && p.returns.iter().all(|r| is_aggregate(&r.expr)) {
            groups.push((Vec::new(), Vec::new()));
        }
        for (key, members) in groups {
            let mut key = key.into_iter();
            let mut values = Vec::new();
            for r in &p.returns {
                values.push(if is_aggregate(&r.expr) {
                    aggregate(ctx, &r.expr, &members)?
                } else {
                    key.next().unwrap_or(Val::Null)
                });
            }
            out.push((values, Env::new()));
        }
    } else {
        for env in rows {
            ctx.tick()?;
            let mut values = Vec::new();
            for r in &p.returns {
                values.push(eval(ctx, &r.expr, &env)?);
            }
            out.push((values, env));
            ctx.check_rows(out.len())?;
        }
    }
    if p.distinct {
        let mut seen = std::collections::HashSet::new();
        out.retain(|(v, _)| seen.insert(format!("{v:?}")));
    }
    if !p.order.is_empty() {
        let mut keyed = Vec::with_capacity(out.len());
        for (values, env) in out {
            let mut keys = Vec::new();
            for s in &p.order {
                let column = p.returns.iter().position(|r| {
                    r.expr == s.expr || matches!((&s.expr.kind, &r.alias), (ExprKind::Var(v), Some(a)) if *v == a.text)
                });
                keys.push(match column {
                    Some(i) => values[i].clone(),
                    None if aggregated => {
                        return Err(QueryError::not_allowed(
                            Restriction::OrderByUnreturnedAfterAggregation,
                            s.expr.span,
                        )
                        .into())
                    }
                    None => eval(ctx, &s.expr, &env)?,
                });
            }
            keyed.push((keys, values, env));
        }
        keyed.sort_by(|a, b| {
            for (i, s) in p.order.iter().enumerate() {
                let o = compare_for_sort(&a.0[i], &b.0[i]);
                let o = if s.descending { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        out = keyed.into_iter().map(|(_, v, e)| (v, e)).collect();
    }
    let skip = p.skip.unwrap_or(0) as usize;
    let limit = p.limit.map_or(usize::MAX, |l| l as usize);
    let mut result = QueryResult { columns, ordered: !p.order.is_empty(), ..QueryResult::default() };
    for (values, env) in out.into_iter().skip(skip).take(limit) {
        let mut cells = Vec::with_capacity(values.len());
        for v in &values {
            cells.push(to_cell(ctx, v)?);
        }
        let mut provenance = Vec::new();
        let mut vars: Vec<&String> = env.keys().filter(|k| k.as_str() != USED).collect();
        vars.sort();
        for var in vars {
            let ids = match &env[var] {
                Val::Rel(s) => vec![*s],
                Val::Rels(v) => v.clone(),
                _ => continue,
            };
            for id in ids {
                let st = ctx.store.require_statement(id)?;
                provenance.extend(ctx.citations(&st)?);
            }
        }
        result.rows.push(Row { cells, provenance });
    }
    Ok(result)
}

/// The key under which an environment keeps the statements its `match` has bound so
/// far (named or not), so that no relationship is bound twice in one `match`. A space
/// keeps it apart from every variable name.
const USED: &str = " used";

fn match_path(ctx: &mut Ctx<'_>, path: &PathPattern, rows: Vec<Env>) -> Result<Vec<Env>> {
    let mut out = Vec::new();
    for env in rows {
        let used_before = match env.get(USED) {
            Some(Val::Rels(ids)) => ids.clone(),
            _ => Vec::new(),
        };
        let starts = match path.start.var.as_ref().and_then(|v| Some((v, env.get(&v.text)?))) {
            Some((_, Val::Node(n))) => vec![*n],
            Some((v, _)) => {
                return Err(QueryError::NotANode { name: v.text.clone(), span: path.start.span }.into());
            }
            None => candidates(ctx, &path.start, path.steps.first().map(|(r, _)| r))?,
        };
        for n in starts {
            ctx.tick()?;
            if !node_matches(ctx, n, &path.start)? {
                continue;
            }
            let mut env2 = env.clone();
            if let Some(v) = &path.start.var {
                env2.insert(v.text.clone(), Val::Node(n));
            }
            extend(ctx, &path.steps, n, env2, &mut used_before.clone(), &mut out)?;
        }
    }
    Ok(out)
}

/// The nodes a pattern may start from: by name (through the alias index), by kind, by
/// the relation index when the first relationship names its types (which also finds
/// statements that are subjects), or every entity.
fn candidates(ctx: &mut Ctx<'_>, p: &NodePattern, first: Option<&RelPattern>) -> Result<Vec<Node>> {
    if let Some(prop) = p.properties.iter().find(|x| x.key.text == "name") {
        if let factgraph_syntax::ast::Literal::Str(name) = &prop.value {
            return Ok(ctx.store.lookup(name)?.into_iter().map(Node::Entity).collect());
        }
        return Ok(Vec::new());
    }
    if let Some(k) = &p.kind {
        return Ok(ctx.store.entities_of_kind(&k.text)?.into_iter().map(Node::Entity).collect());
    }
    // The relation index finds the nodes with such a relationship, which is every
    // start only when the first step takes at least one relationship: with `*0..`,
    // any node matches at length zero.
    let takes_one = |r: &&RelPattern| r.length.is_none_or(|(min, _)| min.unwrap_or(1) >= 1);
    if let Some(r) = first.filter(|r| !r.types.is_empty()).filter(takes_one) {
        let mut nodes = std::collections::BTreeSet::new();
        for t in &r.types {
            for id in ctx.store.statements_with_relation(&t.text)? {
                ctx.tick()?;
                let st = ctx.store.require_statement(id)?;
                if r.arrow != Arrow::Left {
                    nodes.insert(st.subject);
                }
                if r.arrow != Arrow::Right {
                    if let Some(o) = st.object.node() {
                        nodes.insert(o);
                    }
                }
            }
        }
        return Ok(nodes.into_iter().collect());
    }
    let mut all = Vec::new();
    for e in ctx.store.entities() {
        ctx.tick()?;
        all.push(Node::Entity(e?.id));
    }
    Ok(all)
}

fn entity_has(e: &Entity, key: &str, want: &Value) -> bool {
    match (key, want) {
        ("name", Value::Str(s)) => {
            let n = normalize(s);
            e.spellings().any(|sp| normalize(sp) == n)
        }
        ("kind", Value::Str(s)) => &e.kind == s,
        _ => e.properties.get(key) == Some(want),
    }
}

fn node_matches(ctx: &mut Ctx<'_>, n: Node, p: &NodePattern) -> Result<bool> {
    match n {
        Node::Entity(id) => {
            let e = ctx.entity(id)?;
            if p.kind.as_ref().is_some_and(|k| k.text != e.kind) {
                return Ok(false);
            }
            Ok(p.properties.iter().all(|prop| entity_has(&e, &prop.key.text, &value(&prop.value))))
        }
        Node::Statement(s) => {
            if p.kind.as_ref().is_some_and(|k| k.text != "Statement") {
                return Ok(false);
            }
            let st = ctx.store.require_statement(s)?;
            Ok(p.properties.iter().all(|prop| st.qualifiers.get(&prop.key.text) == Some(&value(&prop.value))))
        }
    }
}

/// The relationships leaving `n` that fit `r`: (statement, far node).
fn hops(ctx: &mut Ctx<'_>, n: Node, r: &RelPattern) -> Result<Vec<(StatementId, Node)>> {
    let dirs: &[Direction] = match r.arrow {
        Arrow::Right => &[Direction::Out],
        Arrow::Left => &[Direction::In],
        Arrow::Either => &[Direction::Out, Direction::In],
    };
    let wanted: Vec<Option<u32>> = r.types.iter().map(|t| ctx.store.relation_id(&t.text)).collect();
    let mut out = Vec::new();
    for dir in dirs {
        for e in ctx.store.edges(n, *dir)? {
            ctx.tick()?;
            let Some(other) = e.other else { continue };
            // A self-loop is listed at both of its ends, which are the same node: an
            // undirected step has already taken it from the out side.
            if r.arrow == Arrow::Either && *dir == Direction::In && other == n {
                continue;
            }
            if !r.types.is_empty() && !wanted.contains(&Some(e.relation)) {
                continue;
            }
            let st = ctx.store.require_statement(e.statement)?;
            if !ctx.visible(&st)? {
                continue;
            }
            if !r.properties.iter().all(|p| st.qualifiers.get(&p.key.text) == Some(&value(&p.value))) {
                continue;
            }
            out.push((e.statement, other));
        }
    }
    Ok(out)
}

fn bind_node(env: &mut Env, p: &NodePattern, n: Node) -> bool {
    match p.var.as_ref() {
        None => true,
        Some(v) => match env.get(&v.text) {
            Some(Val::Node(bound)) => *bound == n,
            Some(_) => false,
            None => {
                env.insert(v.text.clone(), Val::Node(n));
                true
            }
        },
    }
}

fn extend(
    ctx: &mut Ctx<'_>,
    steps: &[(RelPattern, NodePattern)],
    at: Node,
    env: Env,
    used: &mut Vec<StatementId>,
    out: &mut Vec<Env>,
) -> Result<()> {
    let Some(((rel, node), rest)) = steps.split_first() else {
        let mut env = env;
        if !used.is_empty() {
            env.insert(USED.to_owned(), Val::Rels(used.clone()));
        }
        out.push(env);
        if out.len() > ctx.limits.max_rows.saturating_mul(10) {
            return Err(QueryError::Limit {
                what: "the pattern matches too many times".into(),
                limit: ctx.limits.max_rows as u64 * 10,
                span: Span::default(),
            }
            .into());
        }
        return Ok(());
    };
    match rel.length {
        None => {
            for (sid, other) in hops(ctx, at, rel)? {
                if used.contains(&sid) || !node_matches(ctx, other, node)? {
                    continue;
                }
                let mut env2 = env.clone();
                if let Some(v) = &rel.var {
                    match env2.get(&v.text) {
                        Some(Val::Rel(s)) if *s != sid => continue,
                        Some(Val::Rel(_)) => {}
                        Some(_) => continue,
                        None => {
                            env2.insert(v.text.clone(), Val::Rel(sid));
                        }
                    }
                }
                if !bind_node(&mut env2, node, other) {
                    continue;
                }
                used.push(sid);
                extend(ctx, rest, other, env2, used, out)?;
                used.pop();
            }
        }
        Some((min, max)) => {
            let min = min.unwrap_or(1) as usize;
            let cap = ctx.limits.max_hops;
            let max = max.map_or(cap, |m| m as usize);
            if max > cap {
                return Err(QueryError::Limit {
                    what: format!("a path of up to {max} relationships"),
                    limit: cap as u64,
                    span: rel.span,
                }
                .into());
            }
            let mut trail = Vec::new();
            walk(ctx, rest, (rel, node), at, min, max, &env, used, &mut trail, out)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn walk(
    ctx: &mut Ctx<'_>,
    rest: &[(RelPattern, NodePattern)],
    (rel, node): (&RelPattern, &NodePattern),
    at: Node,
    min: usize,
    max: usize,
    env: &Env,
    used: &mut Vec<StatementId>,
    trail: &mut Vec<StatementId>,
    out: &mut Vec<Env>,
) -> Result<()> {
    if trail.len() >= min && node_matches(ctx, at, node)? {
        let mut env2 = env.clone();
        let ok = match &rel.var {
            None => true,
            Some(v) => match env2.get(&v.text) {
                Some(Val::Rels(b)) => b == trail,
                Some(_) => false,
                None => {
                    env2.insert(v.text.clone(), Val::Rels(trail.clone()));
                    true
                }
            },
        };
        if ok && bind_node(&mut env2, node, at) {
            extend(ctx, rest, at, env2, used, out)?;
        }
    }
    if trail.len() == max {
        return Ok(());
    }
    for (sid, other) in hops(ctx, at, rel)? {
        if used.contains(&sid) {
            continue;
        }
        used.push(sid);
        trail.push(sid);
        walk(ctx, rest, (rel, node), other, min, max, env, used, trail, out)?;
        trail.pop();
        used.pop();
    }
    Ok(())
}

fn property(ctx: &mut Ctx<'_>, v: &Val, key: &str) -> Result<Val> {
    Ok(match v {
        Val::Node(Node::Entity(id)) => {
            let e = ctx.entity(*id)?;
            match key {
                "name" => Val::Str(e.name.clone()),
                "kind" => Val::Str(e.kind.clone()),
                // `id` is a property like any other; the internal id is `id(n)`'s.
                _ => e.properties.get(key).map_or(Val::Null, from_value),
            }
        }
        Val::Node(Node::Statement(s)) | Val::Rel(s) => {
            let st = ctx.store.require_statement(*s)?;
            match key {
                "relation" | "type" => Val::Str(st.relation),
                _ => st.qualifiers.get(key).map_or(Val::Null, from_value),
            }
        }
        Val::Null => Val::Null,
        _ => Val::Null,
    })
}

fn overflow(span: Span) -> crate::Error {
    QueryError::Arithmetic { message: "the result is too large for a whole number".into(), span }.into()
}

fn arith_type(op: ArithOp, v: &Val, span: Span) -> crate::Error {
    let found = match v {
        Val::Bool(_) => "a boolean",
        Val::Str(_) => "text",
        Val::Node(_) => "a node",
        Val::Rel(_) | Val::Rels(_) => "a relationship",
        Val::List(_) => "a list",
        _ => "a value",
    };
    let expected = if op == ArithOp::Add { "numbers, text or lists" } else { "numbers" };
    QueryError::TypeMismatch {
        what: format!("`{}`", op.symbol()),
        expected: expected.into(),
        found: found.into(),
        span,
    }
    .into()
}

/// Text of a value that `+` joins to text.
fn joined(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.clone()),
        Val::Int(i) => Some(i.to_string()),
        Val::Float(x) => Some(x.to_string()),
        _ => None,
    }
}

/// `a OP b` as openCypher computes it: null if either is null; whole numbers stay
/// whole (overflow and division by zero are errors); with a fraction on either side,
/// floating point; `+` joins text to text or numbers, and lists to lists or items.
fn arith(op: ArithOp, a: Val, b: Val, span: Span) -> Result<Val> {
    use ArithOp::*;
    Ok(match (op, a, b) {
        (_, Val::Null, _) | (_, _, Val::Null) => Val::Null,
        (Add, Val::List(mut x), Val::List(y)) => {
            x.extend(y);
            Val::List(x)
        }
        (Add, Val::List(mut x), y) => {
            x.push(y);
            Val::List(x)
        }
        (Add, x, Val::List(mut y)) => {
            y.insert(0, x);
            Val::List(y)
        }
        (Add, x @ Val::Str(_), y) | (Add, x, y @ Val::Str(_)) => match (joined(&x), joined(&y)) {
            (Some(l), Some(r)) => Val::Str(l + &r),
            (None, _) => return Err(arith_type(op, &x, span)),
            (_, None) => return Err(arith_type(op, &y, span)),
        },
        (op, Val::Int(x), Val::Int(y)) => Val::Int(
            match op {
                Add => x.checked_add(y),
                Sub => x.checked_sub(y),
                Mul => x.checked_mul(y),
                Div | Mod if y == 0 => {
                    return Err(QueryError::Arithmetic { message: "division by zero".into(), span }.into())
                }
                Div => x.checked_div(y),
                Mod => x.checked_rem(y),
            }
            .ok_or_else(|| overflow(span))?,
        ),
        (op, x @ (Val::Int(_) | Val::Float(_)), y @ (Val::Int(_) | Val::Float(_))) => {
            let f = |v: &Val| match v {
                Val::Int(i) => *i as f64,
                Val::Float(x) => *x,
                _ => 0.0,
            };
            let (x, y) = (f(&x), f(&y));
            Val::Float(match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                Div => x / y,
                Mod => x % y,
            })
        }
        (op, Val::Int(_) | Val::Float(_), y) => return Err(arith_type(op, &y, span)),
        (op, x, _) => return Err(arith_type(op, &x, span)),
    })
}

fn truth(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        _ => None,
    }
}

fn num(v: &Val) -> Option<f64> {
    match v {
        Val::Int(i) => Some(*i as f64),
        Val::Float(x) => Some(*x),
        _ => None,
    }
}

/// openCypher comparison: `None` is null (incomparable).
fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Null, _) | (_, Val::Null) => None,
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (x, y) if num(x).is_some() && num(y).is_some() => num(x)?.partial_cmp(&num(y)?),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Lit(Value::Date(x)), Val::Lit(Value::Date(y))) => Some(x.cmp(y)),
        _ => None,
    }
}

fn equal(a: &Val, b: &Val) -> Option<bool> {
    match (a, b) {
        (Val::Null, _) | (_, Val::Null) => None,
        (x, y) if num(x).is_some() && num(y).is_some() => Some(num(x) == num(y)),
        (Val::List(x), Val::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut any_null = false;
            for (p, q) in x.iter().zip(y) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => any_null = true,
                    Some(true) => {}
                }
            }
            if any_null {
                None
            } else {
                Some(true)
            }
        }
        (x, y) => Some(x == y),
    }
}

/// Sort order: numbers, then strings, then booleans, … nulls last (openCypher's
/// ascending order).
fn compare_for_sort(a: &Val, b: &Val) -> Ordering {
    let rank = |v: &Val| match v {
        Val::Node(_) => 0,
        Val::Rel(_) | Val::Rels(_) => 1,
        Val::List(_) => 2,
        Val::Str(_) => 3,
        Val::Bool(_) => 4,
        Val::Int(_) | Val::Float(_) => 5,
        Val::Lit(_) => 6,
        Val::Null => 7,
    };
    match compare(a, b) {
        Some(o) => o,
        None => rank(a).cmp(&rank(b)).then_with(|| format!("{a:?}").cmp(&format!("{b:?}"))),
    }
}

fn eval(ctx: &mut Ctx<'_>, e: &Expr, env: &Env) -> Result<Val> {
    Ok(match &e.kind {
        ExprKind::Literal(l) => from_value(&value(l)),
        ExprKind::Null => Val::Null,
        ExprKind::Var(v) => {
            env.get(v).cloned().ok_or_else(|| QueryError::UndefinedVariable { name: v.clone(), span: e.span })?
        }
        ExprKind::Property(v, k) => {
            let base =
                env.get(v).cloned().ok_or_else(|| QueryError::UndefinedVariable { name: v.clone(), span: e.span })?;
            property(ctx, &base, k)?
        }
        ExprKind::Not(x) => match truth(&eval(ctx, x, env)?) {
            Some(b) => Val::Bool(!b),
            None => Val::Null,
        },
        ExprKind::And(a, b) => {
            let (x, y) = (truth(&eval(ctx, a, env)?), truth(&eval(ctx, b, env)?));
            match (x, y) {
                (Some(false), _) | (_, Some(false)) => Val::Bool(false),
                (Some(true), Some(true)) => Val::Bool(true),
                _ => Val::Null,
            }
        }
        ExprKind::Or(a, b) => {
            let (x, y) = (truth(&eval(ctx, a, env)?), truth(&eval(ctx, b, env)?));
            match (x, y) {
                (Some(true), _) | (_, Some(true)) => Val::Bool(true),
                (Some(false), Some(false)) => Val::Bool(false),
                _ => Val::Null,
            }
        }
        ExprKind::Compare(op, a, b) => {
            let (x, y) = (eval(ctx, a, env)?, eval(ctx, b, env)?);
            let r = match op {
                CompareOp::Eq => equal(&x, &y),
                CompareOp::Ne => equal(&x, &y).map(|b| !b),
                CompareOp::Lt => compare(&x, &y).map(|o| o == Ordering::Less),
                CompareOp::Le => compare(&x, &y).map(|o| o != Ordering::Greater),
                CompareOp::Gt => compare(&x, &y).map(|o| o == Ordering::Greater),
                CompareOp::Ge => compare(&x, &y).map(|o| o != Ordering::Less),
                CompareOp::StartsWith | CompareOp::EndsWith | CompareOp::Contains => match (&x, &y) {
                    (Val::Str(s), Val::Str(t)) => Some(match op {
                        CompareOp::StartsWith => s.starts_with(t.as_str()),
                        CompareOp::EndsWith => s.ends_with(t.as_str()),
                        _ => s.contains(t.as_str()),
                    }),
                    _ => None,
                },
                CompareOp::In => match &y {
                    Val::List(items) => {
                        let mut any_null = false;
                        let mut found = false;
                        for i in items {
                            match equal(&x, i) {
                                Some(true) => found = true,
                                None => any_null = true,
                                Some(false) => {}
                            }
                        }
                        if found {
                            Some(true)
                        } else if any_null {
                            None
                        } else {
                            Some(false)
                        }
                    }
                    _ => None,
                },
            };
            r.map_or(Val::Null, Val::Bool)
        }
        ExprKind::IsNull { expr, negated } => {
            let is_null = eval(ctx, expr, env)? == Val::Null;
            Val::Bool(is_null != *negated)
        }
        ExprKind::List(items) => {
            let mut out = Vec::new();
            for i in items {
                out.push(eval(ctx, i, env)?);
            }
            Val::List(out)
        }
        ExprKind::Arith(op, a, b) => arith(*op, eval(ctx, a, env)?, eval(ctx, b, env)?, e.span)?,
        ExprKind::Neg(a) => match eval(ctx, a, env)? {
            Val::Null => Val::Null,
            Val::Int(i) => Val::Int(i.checked_neg().ok_or_else(|| overflow(e.span))?),
            Val::Float(x) => Val::Float(-x),
            other => return Err(arith_type(ArithOp::Sub, &other, e.span)),
        },
        ExprKind::CountStar => return Err(QueryError::not_allowed(Restriction::CountStarOutsideReturn, e.span).into()),
        ExprKind::Call { name, args, .. } => call(ctx, name, args, env, e.span)?,
    })
}

fn rel_ids(v: &Val) -> Vec<StatementId> {
    match v {
        Val::Rel(s) | Val::Node(Node::Statement(s)) => vec![*s],
        Val::Rels(v) => v.clone(),
        _ => Vec::new(),
    }
}

fn call(ctx: &mut Ctx<'_>, name: &str, args: &[Expr], env: &Env, span: Span) -> Result<Val> {
    if AGGREGATES.contains(&name) {
        let rule = Restriction::AggregateOutsideReturn { function: name.to_owned() };
        return Err(QueryError::not_allowed(rule, span).into());
    }
    let mut vals = Vec::new();
    for a in args {
        vals.push(eval(ctx, a, env)?);
    }
    let one = |vals: &[Val]| -> Result<Val> {
        match vals {
            [v] => Ok(v.clone()),
            _ => Err(QueryError::ArgumentCount { function: name.to_owned(), expected: 1, span }.into()),
        }
    };
    Ok(match name {
        // The documents, outlets and credited agents behind a relationship.
        "sources" => {
            let mut out: Vec<Val> = Vec::new();
            for id in rel_ids(&one(&vals)?) {
                let st = ctx.store.require_statement(id)?;
                for c in ctx.citations(&st)? {
                    for s in [Some(c.document), c.attribution].into_iter().flatten() {
                        if !out.contains(&Val::Str(s.clone())) {
                            out.push(Val::Str(s));
                        }
                    }
                }
            }
            Val::List(out)
        }
        // The verbatim quotes behind a relationship.
        "evidence" | "quotes" => {
            let mut out = Vec::new();
            for id in rel_ids(&one(&vals)?) {
                let st = ctx.store.require_statement(id)?;
                for ev in ctx.evidence(&st)? {
                    out.push(Val::Str(ev.quote));
                }
            }
            Val::List(out)
        }
        "type" => match one(&vals)? {
            Val::Rel(s) => Val::Str(ctx.store.require_statement(s)?.relation),
            _ => Val::Null,
        },
        "id" => match one(&vals)? {
            Val::Node(Node::Entity(e)) => Val::Int(e.0 as i64),
            Val::Node(Node::Statement(s)) | Val::Rel(s) => Val::Int(s.0 as i64),
            _ => Val::Null,
        },
        "labels" => match one(&vals)? {
            Val::Node(Node::Entity(e)) => Val::List(vec![Val::Str(ctx.entity(e)?.kind.clone())]),
            Val::Node(Node::Statement(_)) => Val::List(vec![Val::Str("Statement".into())]),
            _ => Val::Null,
        },
        "tolower" => match one(&vals)? {
            Val::Str(s) => Val::Str(s.to_lowercase()),
            _ => Val::Null,
        },
        "toupper" => match one(&vals)? {
            Val::Str(s) => Val::Str(s.to_uppercase()),
            _ => Val::Null,
        },
        "size" | "length" => match one(&vals)? {
            Val::Str(s) => Val::Int(s.chars().count() as i64),
            Val::List(l) => Val::Int(l.len() as i64),
            Val::Rels(r) => Val::Int(r.len() as i64),
            _ => Val::Null,
        },
        "coalesce" => vals.into_iter().find(|v| *v != Val::Null).unwrap_or(Val::Null),
        other => {
            return Err(QueryError::UnknownFunction {
                name: other.to_owned(),
                span,
                suggestions: near_functions(other),
            }
            .into())
        }
    })
}

fn aggregate(ctx: &mut Ctx<'_>, e: &Expr, rows: &[Env]) -> Result<Val> {
    if matches!(e.kind, ExprKind::CountStar) {
        return Ok(Val::Int(rows.len() as i64));
    }
    let ExprKind::Call { name, distinct, args } = &e.kind else {
        return Ok(Val::Null);
    };
    let [arg] = args.as_slice() else {
        return Err(QueryError::ArgumentCount { function: name.clone(), expected: 1, span: e.span }.into());
    };
    let mut vals = Vec::new();
    for env in rows {
        let v = eval(ctx, arg, env)?;
        if v != Val::Null {
            vals.push(v);
        }
    }
    if *distinct {
        let mut seen = std::collections::HashSet::new();
        vals.retain(|v| seen.insert(format!("{v:?}")));
    }
    Ok(match name.as_str() {
        "count" => Val::Int(vals.len() as i64),
        "collect" => Val::List(vals),
        "min" => vals.into_iter().min_by(compare_for_sort).unwrap_or(Val::Null),
        "max" => vals.into_iter().max_by(compare_for_sort).unwrap_or(Val::Null),
        "sum" => {
            if vals.iter().all(|v| matches!(v, Val::Int(_))) {
                Val::Int(vals.iter().map(|v| if let Val::Int(i) = v { *i } else { 0 }).sum())
            } else {
                Val::Float(vals.iter().filter_map(num).sum())
            }
        }
        "avg" if vals.is_empty() => Val::Null,
        "avg" => Val::Float(vals.iter().filter_map(num).sum::<f64>() / vals.len() as f64),
        _ => Val::Null,
    })
}

fn to_cell(ctx: &mut Ctx<'_>, v: &Val) -> Result<Cell> {
    Ok(match v {
        Val::Null => Cell::Null,
        Val::Bool(b) => Cell::Value { value: Value::Bool(*b) },
        Val::Int(i) => Cell::Value { value: Value::Int(*i) },
        Val::Float(x) => Cell::Value { value: Value::Float(*x) },
        Val::Str(s) => Cell::Value { value: Value::Str(s.clone()) },
        Val::Lit(v) => Cell::Value { value: v.clone() },
        Val::Node(n) => ctx.node_cell(*n)?,
        Val::Rel(s) => ctx.statement_cell(*s)?,
        Val::Rels(r) => {
            let mut items = Vec::new();
            for s in r {
                items.push(ctx.statement_cell(*s)?);
            }
            Cell::List { items }
        }
        Val::List(items) => {
            let mut out = Vec::new();
            for i in items {
                out.push(to_cell(ctx, i)?);
            }
            Cell::List { items: out }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_aggregate_is_in_the_published_function_list() {
        for a in AGGREGATES {
            assert!(crate::vocabulary::FUNCTIONS.contains(a), "add {a} to vocabulary::FUNCTIONS");
        }
    }

    #[test]
    fn misspelt_functions_find_their_neighbours() {
        assert_eq!(near_functions("tolowr"), ["tolower"]);
        assert_eq!(near_functions("szie"), ["size"]);
        assert!(near_functions("nosuch").is_empty());
        assert!(near_functions("x").is_empty(), "one letter is not near `id` or `max`");
    }
}
