//! Evaluating a planned expression on one row: properties read from the store,
//! openCypher's three-valued logic, and the functions the language knows.

use std::cmp::Ordering;

use factgraph_store::{Node, StatementId};
use factgraph_syntax::ast::{CompareOp, Span, SubqueryKind};

use super::budget::{self, val_bytes};
use super::compile::{CExpr, PatternExpr, RunSubquery, SubqueryPlan};
use super::context::{Ctx, Flow};
use super::matcher;
use super::value::{arith, compare, equal, from_value, listed, negate, num, truth, RowKey, Val};
use crate::error::{QueryError, Result};

/// The longest list `range()` makes, so that a typo cannot exhaust memory.
const MAX_RANGE: i64 = 10_000_000;

/// The value of a variable or a constant, without a copy.
fn in_place<'r>(e: &'r CExpr, row: &'r [Val]) -> Option<&'r Val> {
    match e {
        CExpr::Slot(s) => row.get(*s),
        CExpr::Const(v) => Some(v),
        _ => None,
    }
}

/// `exists`, `count` or `collect { … }` for the row at hand: its queries run in turn
/// from `row`; `exists` stops at the first row, `count` counts them, `collect` lists
/// the one column's values, and a `union` (not `union all`) takes a row given twice
/// once.
fn subquery(ctx: &mut Ctx<'_>, plan: &SubqueryPlan, row: &[Val]) -> Result<Val> {
    let Some(run) = ctx.subqueries.and_then(|r| r.downcast_ref::<RunSubquery>()) else {
        return Err(QueryError::not_allowed(crate::error::Restriction::SubqueryOutsideQuery, Default::default()).into());
    };
    let collecting = plan.kind == SubqueryKind::Collect;
    let (mut count, mut items, mut bytes) = (0i64, Vec::new(), 0usize);
    let mut seen = rustc_hash::FxHashSet::default();
    for (op, slots) in &plan.parts {
        run(ctx, op, row, &mut |ctx, r| {
            if plan.kind == SubqueryKind::Exists {
                count = 1;
                return Ok(false);
            }
            ctx.tick()?;
            if plan.distinct {
                let key = RowKey::of(slots.iter().map(|s| &r[*s]));
                if seen.contains(&key) {
                    return Ok(true);
                }
                bytes += key.bytes();
                ctx.room(bytes, "the rows a subquery's `union` keeps once")?;
                seen.insert(key);
            }
            count += 1;
            if collecting {
                let v = r[slots[0]].clone();
                bytes += val_bytes(&v);
                ctx.room(bytes, "the list `collect { … }` makes")?;
                items.push(v);
            }
            Ok(true)
        })?;
        if plan.kind == SubqueryKind::Exists && count > 0 {
            break;
        }
    }
    // What it kept is checked against the room the budget has left as it grows
    // (`Ctx::room`) rather than held: the runs let go of what grew while they ran.
    Ok(match plan.kind {
        SubqueryKind::Exists => Val::Bool(count > 0),
        SubqueryKind::Count => Val::Int(count),
        SubqueryKind::Collect => Val::List(items),
    })
}

pub(crate) fn eval(ctx: &mut Ctx<'_>, e: &CExpr, row: &[Val]) -> Result<Val> {
    Ok(match e {
        CExpr::Const(v) => {
            budget::built(ctx, v, "a literal value")?;
            v.clone()
        }
        CExpr::Slot(s) => row[*s].clone(),
        CExpr::Prop(base, key) => {
            let base = eval(ctx, base, row)?;
            property(ctx, &base, key)?
        }
        CExpr::Not(x) => match truth(&eval(ctx, x, row)?) {
            Some(b) => Val::Bool(!b),
            None => Val::Null,
        },
        CExpr::And(a, b) => {
            let x = truth(&eval(ctx, a, row)?);
            if x == Some(false) {
                return Ok(Val::Bool(false));
            }
            match (x, truth(&eval(ctx, b, row)?)) {
                (_, Some(false)) => Val::Bool(false),
                (Some(true), Some(true)) => Val::Bool(true),
                _ => Val::Null,
            }
        }
        CExpr::Or(a, b) => {
            let x = truth(&eval(ctx, a, row)?);
            if x == Some(true) {
                return Ok(Val::Bool(true));
            }
            match (x, truth(&eval(ctx, b, row)?)) {
                (_, Some(true)) => Val::Bool(true),
                (Some(false), Some(false)) => Val::Bool(false),
                _ => Val::Null,
            }
        }
        // Two variables, or a variable and a constant, compared where they lie.
        CExpr::Compare(op, a, b)
            if *op != CompareOp::In && in_place(a, row).is_some() && in_place(b, row).is_some() =>
        {
            let (Some(x), Some(y)) = (in_place(a, row), in_place(b, row)) else { unreachable!("checked by the guard") };
            comparison(ctx, *op, x, y)?.map_or(Val::Null, Val::Bool)
        }
        CExpr::Compare(op, a, b) => {
            let x = eval(ctx, a, row)?;
            if let (CompareOp::In, CExpr::List(items)) = (op, &**b) {
                if let Some(answer) = in_literal(ctx, &x, items)? {
                    return Ok(answer.map_or(Val::Null, Val::Bool));
                }
            }
            let y = eval(ctx, b, row)?;
            let y = if *op == CompareOp::In { listed(y) } else { y };
            comparison(ctx, *op, &x, &y)?.map_or(Val::Null, Val::Bool)
        }
        CExpr::IsNull(x, negated) => {
            let is_null = eval(ctx, x, row)? == Val::Null;
            Val::Bool(is_null != *negated)
        }
        CExpr::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut bytes = 0;
            for i in items {
                let v = eval(ctx, i, row)?;
                bytes += val_bytes(&v);
                ctx.room(bytes, "a list")?;
                out.push(v);
            }
            Val::List(out)
        }
        CExpr::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            let mut bytes = 0;
            for (k, v) in entries {
                let v = eval(ctx, v, row)?;
                bytes += k.len() + val_bytes(&v);
                ctx.room(bytes, "a map")?;
                out.push((k.clone(), v));
            }
            Val::map(out)
        }
        CExpr::Arith(op, a, b, span) => {
            let (x, y) = (listed(eval(ctx, a, row)?), listed(eval(ctx, b, row)?));
            // `+` of text or lists makes a value as large as both.
            if budget::may_be_large(&x) || budget::may_be_large(&y) {
                ctx.room(val_bytes(&x) + val_bytes(&y), "the result of `+`")?;
            }
            arith(*op, x, y, *span)?
        }
        CExpr::Neg(a, span) => negate(eval(ctx, a, row)?, *span)?,
        CExpr::Xor(a, b) => match (truth(&eval(ctx, a, row)?), truth(&eval(ctx, b, row)?)) {
            (Some(x), Some(y)) => Val::Bool(x != y),
            _ => Val::Null,
        },
        CExpr::Index(base, i, span) => {
            let (base, i) = (listed(eval(ctx, base, row)?), eval(ctx, i, row)?);
            index(ctx, base, i, *span)?
        }
        CExpr::Slice(base, from, to, span) => {
            let base = listed(eval(ctx, base, row)?);
            let from = match from {
                Some(f) => Some(eval(ctx, f, row)?),
                None => None,
            };
            let to = match to {
                Some(t) => Some(eval(ctx, t, row)?),
                None => None,
            };
            slice(base, from, to, *span)?
        }
        CExpr::HasLabels(base, labels) => match eval(ctx, base, row)? {
            Val::Null => Val::Null,
            Val::Node(Node::Entity(id)) => {
                let kind = ctx.entity(id)?.kind.clone();
                Val::Bool(labels.iter().all(|l| factgraph_store::has_labels(&kind, l)))
            }
            Val::Node(Node::Statement(_)) => Val::Bool(labels.iter().all(|l| l == super::value::STATEMENT_LABEL)),
            Val::ValueNode(_) => Val::Bool(labels.iter().all(|l| l == super::value::VALUE_LABEL)),
            other => return Err(not_a(":Label", "a node", &other)),
        },
        CExpr::Path(parts) => {
            use super::compile::PathPart;
            let mut nodes = Vec::new();
            let mut rels = Vec::new();
            for part in parts {
                match (
                    part,
                    &row[match part {
                        PathPart::Node(s) | PathPart::Rel(s) | PathPart::Rels(s) => *s,
                    }],
                ) {
                    (_, Val::Null) => return Ok(Val::Null),
                    (PathPart::Node(_), Val::Node(n)) if nodes.is_empty() => nodes.push(*n),
                    (PathPart::Node(_), Val::Node(_)) => {}
                    // A path holds entities and statements; a value node ends a
                    // relationship, not a path that can be named.
                    (PathPart::Node(_), v @ Val::ValueNode(_)) => {
                        return Err(not_a("a named path's node", "an entity or a statement", v))
                    }
                    (PathPart::Rel(_), Val::Rel(r)) => rels.push(*r),
                    (PathPart::Rels(_), Val::Rels(rs)) => rels.extend(rs.iter().copied()),
                    (_, other) => return Err(not_a("a path's part", "a node or a relationship", other)),
                }
                // Each relationship leads from the last node to its other end.
                while nodes.len() <= rels.len() {
                    let at = *nodes.last().expect("a path starts with a node");
                    let st = ctx.store.require_statement_without_quotes(rels[nodes.len() - 1])?;
                    let next = match st.object.node() {
                        Some(o) if st.subject == at => o,
                        _ => st.subject,
                    };
                    nodes.push(next);
                }
            }
            Val::Path(nodes, rels)
        }
        CExpr::Case(subject, arms, otherwise) => {
            let subject = match subject {
                Some(s) => Some(eval(ctx, s, row)?),
                None => None,
            };
            for (when, then) in arms {
                let w = eval(ctx, when, row)?;
                let hit = match &subject {
                    Some(s) => equal(s, &w) == Some(true),
                    None => truth(&w) == Some(true),
                };
                if hit {
                    return eval(ctx, then, row);
                }
            }
            match otherwise {
                Some(o) => eval(ctx, o, row)?,
                None => Val::Null,
            }
        }
        CExpr::Quantifier { kind, slot, list, pred } => match listed(eval(ctx, list, row)?) {
            Val::Null => Val::Null,
            Val::List(items) => {
                use factgraph_syntax::ast::Quantifier as Q;
                let mut scratch = row.to_vec();
                let (mut trues, mut nulls, mut falses) = (0usize, 0usize, 0usize);
                for item in items {
                    ctx.tick()?;
                    scratch[*slot] = item;
                    match truth(&eval(ctx, pred, &scratch)?) {
                        Some(true) => trues += 1,
                        Some(false) => falses += 1,
                        None => nulls += 1,
                    }
                    // Stop as soon as the answer is known.
                    let settled = match kind {
                        Q::All => falses > 0,
                        Q::Any | Q::None => trues > 0,
                        Q::Single => trues > 1,
                    };
                    if settled {
                        break;
                    }
                }
                // Three-valued: an unknown item leaves the answer unknown unless the
                // known ones settle it.
                let answer = match kind {
                    Q::All if falses > 0 => Some(false),
                    Q::All => (nulls == 0).then_some(true),
                    Q::Any if trues > 0 => Some(true),
                    Q::Any => (nulls == 0).then_some(false),
                    Q::None if trues > 0 => Some(false),
                    Q::None => (nulls == 0).then_some(true),
                    Q::Single if trues > 1 => Some(false),
                    Q::Single if nulls > 0 => None,
                    Q::Single => Some(trues == 1),
                };
                answer.map_or(Val::Null, Val::Bool)
            }
            other => return Err(not_a(kind.word(), "a list", &other)),
        },
        CExpr::Pattern(p) => pattern(ctx, p, row)?,
        CExpr::Subquery(plan) => subquery(ctx, plan, row)?,
        CExpr::ListComp { slot, list, filter, map } => match listed(eval(ctx, list, row)?) {
            Val::Null => Val::Null,
            Val::List(items) => {
                // The list read is kept while the new one grows beside it.
                let input = items.iter().map(val_bytes).sum();
                ctx.hold(input, "a list comprehension")?;
                let mut scratch = row.to_vec();
                let mut out = Vec::with_capacity(items.len());
                let mut bytes = 0;
                for item in items {
                    ctx.tick()?;
                    scratch[*slot] = item;
                    if let Some(f) = filter {
                        if truth(&eval(ctx, f, &scratch)?) != Some(true) {
                            continue;
                        }
                    }
                    let v = match map {
                        Some(m) => eval(ctx, m, &scratch)?,
                        None => scratch[*slot].clone(),
                    };
                    bytes += val_bytes(&v);
                    ctx.room(bytes, "a list comprehension")?;
                    out.push(v);
                }
                ctx.release(input);
                Val::List(out)
            }
            other => return Err(not_a("a list comprehension", "a list", &other)),
        },
        CExpr::Call(name, args, span) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(ctx, a, row)?);
            }
            let v = call(ctx, name, vals, *span)?;
            budget::built(ctx, &v, "the value of a function")?;
            v
        }
    })
}

/// `x in [a, b, …]` for a list written with constants only, read where it is
/// written rather than copied for every row (a list of 70,000 names took 46 s);
/// `None` when an item is not a constant. `Some(None)` is null.
fn in_literal(ctx: &mut Ctx<'_>, x: &Val, items: &[CExpr]) -> Result<Option<Option<bool>>> {
    let mut any_null = false;
    for i in items {
        let CExpr::Const(item) = i else { return Ok(None) };
        ctx.tick()?;
        match equal(x, item) {
            Some(true) => return Ok(Some(Some(true))),
            None => any_null = true,
            Some(false) => {}
        }
    }
    Ok(Some(if any_null { None } else { Some(false) }))
}

fn not_a(what: &str, expected: &str, v: &Val) -> crate::Error {
    QueryError::TypeMismatch {
        what: what.into(),
        expected: expected.into(),
        found: v.kind().into(),
        span: Span::default(),
    }
    .into()
}

/// `list[i]` (from the end when negative; null past either end) or `map[key]`.
fn index(ctx: &mut Ctx<'_>, base: Val, i: Val, span: Span) -> Result<Val> {
    Ok(match (base, i) {
        (Val::Null, _) | (_, Val::Null) => Val::Null,
        (Val::List(items), Val::Int(i)) => {
            let n = items.len() as i64;
            let at = if i < 0 { n + i } else { i };
            if at < 0 || at >= n {
                Val::Null
            } else {
                items.into_iter().nth(at as usize).unwrap_or(Val::Null)
            }
        }
        (Val::List(_), other) => {
            return Err(QueryError::TypeMismatch {
                what: "a list index".into(),
                expected: "a whole number".into(),
                found: other.kind().into(),
                span,
            }
            .into())
        }
        (base @ (Val::Map(_) | Val::Node(_) | Val::ValueNode(_) | Val::Rel(_)), Val::Str(key)) => {
            property(ctx, &base, &key)?
        }
        (Val::Map(_) | Val::Node(_) | Val::ValueNode(_) | Val::Rel(_), other) => {
            return Err(QueryError::TypeMismatch {
                what: "a key".into(),
                expected: "text".into(),
                found: other.kind().into(),
                span,
            }
            .into())
        }
        (other, _) => {
            return Err(QueryError::TypeMismatch {
                what: "the value before `[…]`".into(),
                expected: "a list or a map".into(),
                found: other.kind().into(),
                span,
            }
            .into())
        }
    })
}

/// `list[from..to]`: negative ends count from the end; out-of-range ends are clamped.
fn slice(base: Val, from: Option<Val>, to: Option<Val>, span: Span) -> Result<Val> {
    let Val::List(items) = base else {
        return match base {
            Val::Null => Ok(Val::Null),
            other => Err(QueryError::TypeMismatch {
                what: "the value before `[…]`".into(),
                expected: "a list".into(),
                found: other.kind().into(),
                span,
            }
            .into()),
        };
    };
    let n = items.len() as i64;
    let end = |v: Option<Val>, default: i64| -> Result<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Val::Null) => Ok(None),
            Some(Val::Int(i)) => Ok(Some((if i < 0 { n + i } else { i }).clamp(0, n))),
            Some(other) => Err(QueryError::TypeMismatch {
                what: "a slice's end".into(),
                expected: "a whole number".into(),
                found: other.kind().into(),
                span,
            }
            .into()),
        }
    };
    let (Some(a), Some(b)) = (end(from, 0)?, end(to, n)?) else { return Ok(Val::Null) };
    Ok(Val::List(if a >= b { Vec::new() } else { items[a as usize..b as usize].to_vec() }))
}

fn comparison(ctx: &mut Ctx<'_>, op: CompareOp, x: &Val, y: &Val) -> Result<Option<bool>> {
    let nan = |v: &Val| matches!(v, Val::Float(f) if f.is_nan());
    Ok(match op {
        // NaN is ordered against no number: each of these is false, not null (which
        // they are against a value of another type).
        CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge
            if (nan(x) || nan(y)) && num(x).is_some() && num(y).is_some() =>
        {
            Some(false)
        }
        CompareOp::Eq => equal(x, y),
        CompareOp::Ne => equal(x, y).map(|b| !b),
        CompareOp::Lt => compare(x, y).map(|o| o == Ordering::Less),
        CompareOp::Le => compare(x, y).map(|o| o != Ordering::Greater),
        CompareOp::Gt => compare(x, y).map(|o| o == Ordering::Greater),
        CompareOp::Ge => compare(x, y).map(|o| o != Ordering::Less),
        CompareOp::StartsWith | CompareOp::EndsWith | CompareOp::Contains => match (x, y) {
            (Val::Str(s), Val::Str(t)) => Some(match op {
                CompareOp::StartsWith => s.starts_with(t.as_str()),
                CompareOp::EndsWith => s.ends_with(t.as_str()),
                _ => s.contains(t.as_str()),
            }),
            _ => None,
        },
        // A node has the name as one of its spellings; anything but an entity has none.
        CompareOp::Named => match (x, y) {
            (Val::Null, _) | (_, Val::Null) => None,
            (Val::Node(factgraph_store::Node::Entity(id)), Val::Str(s)) => {
                let e = ctx.entity(*id)?;
                Some(super::matcher::spelled(&e, s))
            }
            (_, Val::Str(_)) => Some(false),
            _ => None,
        },
        CompareOp::In => match y {
            Val::List(items) => {
                let mut any_null = false;
                for i in items {
                    ctx.tick()?;
                    match equal(x, i) {
                        Some(true) => return Ok(Some(true)),
                        None => any_null = true,
                        Some(false) => {}
                    }
                }
                if any_null {
                    None
                } else {
                    Some(false)
                }
            }
            _ => None,
        },
    })
}

fn property(ctx: &mut Ctx<'_>, v: &Val, key: &str) -> Result<Val> {
    Ok(match v {
        Val::Node(Node::Entity(id)) => {
            let e = ctx.entity(*id)?;
            match key {
                // An unnamed node has no name (or the empty one, kept as a property).
                "name" if e.name.is_empty() => e.properties.get("name").map_or(Val::Null, from_value),
                "name" => Val::Str(e.name.clone()),
                "kind" => Val::Str(e.kind.clone()),
                // `id` is a property like any other; the internal id is `id(n)`'s.
                _ => e.properties.get(key).map_or(Val::Null, from_value),
            }
        }
        Val::Node(Node::Statement(s)) | Val::Rel(s) => {
            let st = ctx.store.require_statement_without_quotes(*s)?;
            match key {
                "relation" | "type" => Val::Str(st.relation),
                _ => st.qualifiers.get(key).map_or(Val::Null, from_value),
            }
        }
        Val::ValueNode(s) => match (key, ctx.store.require_statement_without_quotes(*s)?.object) {
            ("value", factgraph_store::Object::Literal(v)) => from_value(&v),
            _ => Val::Null,
        },
        Val::Map(entries) => entries.iter().find(|(k, _)| k == key).map_or(Val::Null, |(_, v)| v.clone()),
        Val::Temporal(t) => super::temporal::component(t, key),
        Val::Null => Val::Null,
        other => {
            return Err(QueryError::TypeMismatch {
                what: format!("the value before `.{key}`"),
                expected: "a node, a relationship or a map".into(),
                found: other.kind().into(),
                span: Span::default(),
            }
            .into())
        }
    })
}

/// The relationships a function's argument holds: one, or a variable-length step's
/// (which `call` hands on as the list of them).
fn rel_ids(v: &Val) -> Vec<StatementId> {
    match v {
        Val::Rel(s) | Val::Node(Node::Statement(s)) => vec![*s],
        Val::List(items) => items
            .iter()
            .filter_map(|i| match i {
                Val::Rel(s) => Some(*s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn wrong_type(function: &str, expected: &str, v: &Val, span: Span) -> crate::Error {
    QueryError::TypeMismatch {
        what: format!("the argument of {}()", super::compile::function_shown(function)),
        expected: expected.into(),
        found: v.kind().into(),
        span,
    }
    .into()
}

fn int_arg(function: &str, v: &Val, span: Span) -> Result<Option<i64>> {
    match v {
        Val::Null => Ok(None),
        Val::Int(i) => Ok(Some(*i)),
        other => Err(wrong_type(function, "an integer", other, span)),
    }
}

/// Characters `[from, from + len)` of `s`, by character, not byte.
fn chars(s: &str, from: usize, len: usize) -> String {
    s.chars().skip(from).take(len).collect()
}

/// A pattern in an expression, for the row at hand: whether it matches (stopping at
/// the first match), or the list of its comprehension's values, one per match.
fn pattern(ctx: &mut Ctx<'_>, p: &PatternExpr, row: &[Val]) -> Result<Val> {
    let plan = &p.plan;
    let mut scratch = row.to_vec();
    let mut out = Vec::new();
    let mut bytes = 0;
    let mut found = false;
    matcher::matches(
        ctx,
        eval,
        &plan.paths,
        plan.filter.as_ref(),
        &[],
        &mut scratch,
        &mut |ctx, found_row: &[Val]| {
            // Named paths are made from the binding, then the condition reading them.
            let mut bound = Vec::new();
            if !plan.values.is_empty() {
                bound = found_row.to_vec();
                for (value, slot) in &plan.values {
                    bound[*slot] = eval(ctx, value, &bound)?;
                }
            }
            let at = if plan.values.is_empty() { found_row } else { &bound };
            if let Some(after) = &plan.after {
                if truth(&eval(ctx, after, at)?) != Some(true) {
                    return Ok(Flow::Go);
                }
            }
            let Some(map) = &p.map else {
                found = true;
                return Ok(Flow::Stop);
            };
            let v = eval(ctx, map, at)?;
            bytes += val_bytes(&v);
            ctx.room(bytes, "a pattern comprehension")?;
            out.push(v);
            Ok(Flow::Go)
        },
    )?;
    Ok(match p.map {
        Some(_) => Val::List(out),
        None => Val::Bool(found),
    })
}

fn call(ctx: &mut Ctx<'_>, name: &str, vals: Vec<Val>, span: Span) -> Result<Val> {
    if let Some(v) = super::temporal::call(ctx.now(), name, &vals, span)? {
        return Ok(v);
    }
    // Takes no argument, and is drawn anew at every call: nothing evaluates an
    // expression once for many rows.
    if name == "rand" {
        return Ok(Val::Float(fastrand::f64()));
    }
    // A function taking a list takes a variable-length step's relationships (but
    // `coalesce` hands back what it is given, as it was).
    let mut vals: Vec<Val> = if name == "coalesce" { vals } else { vals.into_iter().map(listed).collect() };
    let first = vals.first().cloned().unwrap_or(Val::Null);
    // Most functions return null for a null argument.
    let nullable = !matches!(name, "coalesce" | "range");
    if nullable && first == Val::Null {
        return Ok(Val::Null);
    }
    Ok(match name {
        // The documents, outlets and credited agents behind a relationship.
        "sources" => {
            let mut out: Vec<Val> = Vec::new();
            for id in rel_ids(&first) {
                let st = ctx.store.require_statement_without_quotes(id)?;
                // Names only: a citation's words would cost a claim per statement.
                for ev in ctx.evidence(&st)? {
                    for who in [Some(ev.document), ev.attribution].into_iter().flatten() {
                        let s = Val::Str(ctx.entity_name(who)?.to_string());
                        if !out.contains(&s) {
                            out.push(s);
                        }
                    }
                }
            }
            Val::List(out)
        }
        // The verbatim quotes behind a relationship.
        "evidence" | "quotes" => {
            let mut out = Vec::new();
            for id in rel_ids(&first) {
                // Every quote answers when no source restricts them: the quotes
                // alone are read (one block where the statement is two).
                if ctx.source.is_none() {
                    let quotes = ctx.store.quotes(id)?.ok_or(factgraph_store::StoreError::NoSuchStatement(id))?;
                    out.extend(quotes.into_iter().map(Val::Str));
                    continue;
                }
                let st = ctx.store.require_statement(id)?;
                for ev in ctx.evidence(&st)? {
                    out.push(Val::Str(ev.quote));
                }
            }
            Val::List(out)
        }
        "type" => match first {
            Val::Rel(s) => match ctx.deleted_types.get(&s) {
                Some(t) => Val::Str(t.clone()),
                None => Val::Str(ctx.store.require_statement_without_quotes(s)?.relation),
            },
            other => return Err(wrong_type(name, "a relationship", &other, span)),
        },
        "id" => match first {
            Val::Node(Node::Entity(e)) => Val::Int(e.0 as i64),
            Val::Node(Node::Statement(s)) | Val::ValueNode(s) | Val::Rel(s) => Val::Int(s.0 as i64),
            other => return Err(wrong_type(name, "a node or a relationship", &other, span)),
        },
        "labels" => match first {
            Val::Node(Node::Entity(e)) => {
                let kind = ctx.entity(e)?.kind.clone();
                // A node created without a label has the kind `Thing`, which is no label.
                // Several labels are one kind, joined by `:`.
                Val::List(if kind == "Thing" {
                    Vec::new()
                } else {
                    factgraph_store::kind_labels(&kind).map(|l| Val::Str(l.to_owned())).collect()
                })
            }
            Val::Node(Node::Statement(_)) => Val::List(vec![Val::Str(super::value::STATEMENT_LABEL.into())]),
            Val::ValueNode(_) => Val::List(vec![Val::Str(super::value::VALUE_LABEL.into())]),
            other => return Err(wrong_type(name, "a node", &other, span)),
        },
        "startnode" | "endnode" => match first {
            Val::Rel(s) => {
                let st = ctx.store.require_statement_without_quotes(s)?;
                if name == "startnode" {
                    Val::Node(st.subject)
                } else {
                    st.object.node().map_or(Val::ValueNode(s), Val::Node)
                }
            }
            other => return Err(wrong_type(name, "a relationship", &other, span)),
        },
        "keys" | "properties" => {
            let entries: Vec<(String, Val)> = match &first {
                Val::Node(Node::Entity(id)) => {
                    let e = ctx.entity(*id)?;
                    let mut out: Vec<(String, Val)> =
                        e.properties.iter().map(|(k, v)| (k.clone(), from_value(v))).collect();
                    if !e.name.is_empty() {
                        out.push(("name".into(), Val::Str(e.name.clone())));
                    }
                    out
                }
                Val::Node(Node::Statement(s)) | Val::Rel(s) => {
                    let st = ctx.store.require_statement_without_quotes(*s)?;
                    st.qualifiers.iter().map(|(k, v)| (k.clone(), from_value(v))).collect()
                }
                Val::ValueNode(s) => match ctx.store.require_statement_without_quotes(*s)?.object {
                    factgraph_store::Object::Literal(v) => vec![("value".into(), from_value(&v))],
                    factgraph_store::Object::Node(_) => Vec::new(),
                },
                Val::Map(entries) => entries.clone(),
                other => return Err(wrong_type(name, "a node, a relationship or a map", other, span)),
            };
            let map = Val::map(entries);
            match (name, map) {
                ("keys", Val::Map(entries)) => Val::List(entries.into_iter().map(|(k, _)| Val::Str(k)).collect()),
                (_, map) => map,
            }
        }
        "tolower" | "toupper" | "trim" | "ltrim" | "rtrim" | "reverse" if matches!(first, Val::Str(_)) => {
            let Val::Str(s) = first else { unreachable!("matched above") };
            Val::Str(match name {
                "tolower" => s.to_lowercase(),
                "toupper" => s.to_uppercase(),
                "trim" => s.trim().to_owned(),
                "ltrim" => s.trim_start().to_owned(),
                "rtrim" => s.trim_end().to_owned(),
                _ => s.chars().rev().collect(),
            })
        }
        "reverse" => match first {
            Val::List(mut l) => {
                l.reverse();
                Val::List(l)
            }
            other => return Err(wrong_type(name, "text or a list", &other, span)),
        },
        "tolower" | "toupper" | "trim" | "ltrim" | "rtrim" => return Err(wrong_type(name, "text", &first, span)),
        "size" => match first {
            Val::Str(s) => Val::Int(s.chars().count() as i64),
            Val::List(l) => Val::Int(l.len() as i64),
            other => return Err(wrong_type(name, "text or a list", &other, span)),
        },
        "nodes" => match first {
            Val::Path(nodes, _) => Val::List(nodes.into_iter().map(Val::Node).collect()),
            other => return Err(wrong_type(name, "a path", &other, span)),
        },
        "relationships" => match first {
            Val::Path(_, rels) => Val::List(rels.into_iter().map(Val::Rel).collect()),
            other => return Err(wrong_type(name, "a path", &other, span)),
        },
        "length" => match first {
            Val::Path(_, r) => Val::Int(r.len() as i64),
            Val::Str(s) => Val::Int(s.chars().count() as i64),
            Val::List(l) => Val::Int(l.len() as i64),
            other => return Err(wrong_type(name, "a path", &other, span)),
        },
        "head" | "last" => match first {
            Val::List(l) => {
                (if name == "head" { l.into_iter().next() } else { l.into_iter().last() }).unwrap_or(Val::Null)
            }
            other => return Err(wrong_type(name, "a list", &other, span)),
        },
        "tail" => match first {
            Val::List(l) => Val::List(l.into_iter().skip(1).collect()),
            other => return Err(wrong_type(name, "a list", &other, span)),
        },
        "coalesce" => vals.into_iter().find(|v| *v != Val::Null).unwrap_or(Val::Null),
        "range" => {
            let bounds = vals.iter().map(|v| int_arg(name, v, span)).collect::<Result<Vec<_>>>()?;
            let (Some(start), Some(end)) = (bounds[0], bounds[1]) else { return Ok(Val::Null) };
            let step = match bounds.get(2) {
                Some(Some(0)) => {
                    return Err(QueryError::Arithmetic { message: "range()'s step cannot be 0".into(), span }.into())
                }
                Some(Some(s)) => *s,
                Some(None) => return Ok(Val::Null),
                None => 1,
            };
            let count = if (step > 0 && end >= start) || (step < 0 && end <= start) {
                (end as i128 - start as i128) / step as i128 + 1
            } else {
                0
            };
            if count > MAX_RANGE as i128 {
                return Err(QueryError::Limit {
                    what: format!("range() of {count} numbers"),
                    limit: MAX_RANGE as u64,
                    span,
                }
                .into());
            }
            ctx.room(count as usize * std::mem::size_of::<Val>(), "range()")?;
            let mut out = Vec::with_capacity(count as usize);
            let mut x = start as i128;
            for _ in 0..count {
                out.push(Val::Int(x as i64));
                x += step as i128;
            }
            Val::List(out)
        }
        "tostring" => match first {
            Val::Str(s) => Val::Str(s),
            Val::Int(i) => Val::Str(i.to_string()),
            Val::Float(x) => Val::Str(float_text(x)),
            Val::Bool(b) => Val::Str(b.to_string()),
            Val::Temporal(t) => Val::Str(t.to_string()),
            other => return Err(wrong_type(name, "a number, text, a boolean or a temporal value", &other, span)),
        },
        "tointeger" => match first {
            Val::Int(i) => Val::Int(i),
            Val::Float(x) if x.is_finite() && x.abs() < 9.2e18 => Val::Int(x.trunc() as i64),
            Val::Float(_) => Val::Null,
            Val::Str(s) => {
                let t = s.trim();
                match t.parse::<i64>() {
                    Ok(i) => Val::Int(i),
                    Err(_) => match t.parse::<f64>() {
                        Ok(x) if x.is_finite() && x.abs() < 9.2e18 => Val::Int(x.trunc() as i64),
                        _ => Val::Null,
                    },
                }
            }
            other => return Err(wrong_type(name, "a number or text", &other, span)),
        },
        "tofloat" => match first {
            Val::Int(i) => Val::Float(i as f64),
            Val::Float(x) => Val::Float(x),
            Val::Str(s) => s.trim().parse::<f64>().map_or(Val::Null, Val::Float),
            other => return Err(wrong_type(name, "a number or text", &other, span)),
        },
        "toboolean" => match first {
            Val::Bool(b) => Val::Bool(b),
            Val::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                _ => Val::Null,
            },
            other => return Err(wrong_type(name, "a boolean or text", &other, span)),
        },
        "abs" => match first {
            Val::Int(i) => Val::Int(i.checked_abs().ok_or_else(|| QueryError::Arithmetic {
                message: "the result is too large for a whole number".into(),
                span,
            })?),
            Val::Float(x) => Val::Float(x.abs()),
            other => return Err(wrong_type(name, "a number", &other, span)),
        },
        "sign" => match first {
            Val::Int(i) => Val::Int(i.signum()),
            Val::Float(x) => Val::Int(if x > 0.0 {
                1
            } else if x < 0.0 {
                -1
            } else {
                0
            }),
            other => return Err(wrong_type(name, "a number", &other, span)),
        },
        "ceil" | "floor" | "round" | "sqrt" => match num(&first) {
            Some(x) => Val::Float(match name {
                "ceil" => x.ceil(),
                "floor" => x.floor(),
                // openCypher rounds halves up, towards positive infinity.
                "round" => (x + 0.5).floor(),
                _ => x.sqrt(),
            }),
            None => return Err(wrong_type(name, "a number", &first, span)),
        },
        "substring" | "left" | "right" => {
            let Val::Str(s) = first else { return Err(wrong_type(name, "text", &first, span)) };
            let n = s.chars().count();
            let a = int_arg(name, &vals[1], span)?;
            let b = match vals.get(2) {
                Some(v) => int_arg(name, v, span)?,
                None => None,
            };
            let negative = || QueryError::Arithmetic {
                message: format!("{}() takes no negative numbers", super::compile::function_shown(name)),
                span,
            };
            match name {
                "substring" => {
                    let Some(from) = a else { return Ok(Val::Null) };
                    if from < 0 || b.is_some_and(|l| l < 0) {
                        return Err(negative().into());
                    }
                    Val::Str(chars(&s, from as usize, b.map_or(n, |l| l as usize)))
                }
                _ => {
                    let Some(len) = a else { return Ok(Val::Null) };
                    if len < 0 {
                        return Err(negative().into());
                    }
                    let len = (len as usize).min(n);
                    Val::Str(if name == "left" { chars(&s, 0, len) } else { chars(&s, n - len, len) })
                }
            }
        }
        "replace" => match (first, vals.swap_remove(1), vals.swap_remove(1)) {
            (Val::Str(s), Val::Str(from), Val::Str(to)) => {
                // Each match may grow the text: know the size before making it.
                if to.len() > from.len() {
                    let grows = s.matches(from.as_str()).count().saturating_mul(to.len() - from.len());
                    ctx.room(s.len().saturating_add(grows), "the text replace() makes")?;
                }
                Val::Str(s.replace(&from, &to))
            }
            (_, Val::Null, _) | (_, _, Val::Null) => Val::Null,
            (other, ..) => return Err(wrong_type(name, "text", &other, span)),
        },
        "split" => match (first, vals.swap_remove(1)) {
            // An empty delimiter splits into the characters, as Neo4j has it.
            (Val::Str(s), Val::Str(sep)) if sep.is_empty() => {
                Val::List(s.chars().map(|c| Val::Str(c.into())).collect())
            }
            (Val::Str(s), Val::Str(sep)) => Val::List(s.split(sep.as_str()).map(|p| Val::Str(p.to_owned())).collect()),
            // Several delimiters (Neo4j 5): split at any of them, the longest first
            // where two start at one place.
            (Val::Str(s), Val::List(seps)) => {
                let mut delimiters = Vec::with_capacity(seps.len());
                for d in seps {
                    match d {
                        Val::Str(d) if !d.is_empty() => delimiters.push(d),
                        Val::Str(_) => {}
                        Val::Null => return Ok(Val::Null),
                        other => return Err(wrong_type(name, "a list of texts", &other, span)),
                    }
                }
                delimiters.sort_by_key(|d| std::cmp::Reverse(d.len()));
                let (mut parts, mut from, mut at) = (Vec::new(), 0, 0);
                while at < s.len() {
                    match delimiters.iter().find(|d| s[at..].starts_with(d.as_str())) {
                        Some(d) => {
                            parts.push(Val::Str(s[from..at].to_owned()));
                            at += d.len();
                            from = at;
                        }
                        None => at += s[at..].chars().next().map_or(1, char::len_utf8),
                    }
                }
                parts.push(Val::Str(s[from..].to_owned()));
                Val::List(parts)
            }
            (_, Val::Null) => Val::Null,
            (Val::Str(_), other) => return Err(wrong_type(name, "text or a list of texts", &other, span)),
            (other, _) => return Err(wrong_type(name, "text", &other, span)),
        },
        other => {
            return Err(QueryError::UnknownFunction {
                name: other.to_owned(),
                span,
                suggestions: super::compile::near_functions(other),
            }
            .into())
        }
    })
}

/// A float as openCypher writes it: always with a fraction (`1.0`, not `1`).
fn float_text(x: f64) -> String {
    let s = x.to_string();
    if x.is_finite() && !s.contains('.') && !s.contains('e') {
        format!("{s}.0")
    } else {
        s
    }
}
