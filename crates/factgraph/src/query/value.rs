//! The values a Cypher query computes with, and openCypher's rules for them: null
//! propagation, three-valued comparison, arithmetic that keeps whole numbers whole,
//! and the total order `order by` sorts by.

use std::cmp::Ordering;

use factgraph_store::{Node, StatementId, Value};
use factgraph_syntax::ast::{ArithOp, Span};

use super::context::Ctx;
use super::result::{Cell, PathCell};
use super::temporal::{self, Temporal};
use crate::error::{QueryError, Result};

/// The label of statements that other statements are about, as nodes.
pub(crate) const STATEMENT_LABEL: &str = "Statement";
/// The label of value nodes: a statement's literal object.
pub(crate) const VALUE_LABEL: &str = "Value";

/// A runtime value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A date, a time, a date and time, or a duration.
    Temporal(Temporal),
    Node(Node),
    /// A value node: the literal object of the statement, as a node of patterns.
    ValueNode(StatementId),
    Rel(StatementId),
    /// The relationships of a variable-length pattern, in path order.
    Rels(Vec<StatementId>),
    List(Vec<Val>),
    /// Entries in key order, so that equal maps are equal values.
    Map(Vec<(String, Val)>),
    /// A path: its nodes, and the relationships between them (one fewer).
    Path(Vec<Node>, Vec<StatementId>),
}

impl Val {
    /// The type in words, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "a boolean",
            Val::Int(_) => "an integer",
            Val::Float(_) => "a float",
            Val::Str(_) => "text",
            Val::Temporal(t) => super::temporal::type_name(t),
            Val::Node(_) => "a node",
            Val::ValueNode(_) => "a value node",
            Val::Rel(_) => "a relationship",
            Val::Rels(_) => "a list of relationships",
            Val::List(_) => "a list",
            Val::Map(_) => "a map",
            Val::Path(..) => "a path",
        }
    }

    /// The type in words without its article ("integer", "list"), for messages that
    /// say "must be …, not a/an …" themselves.
    pub(crate) fn kind(&self) -> &'static str {
        let t = self.type_name();
        t.strip_prefix("an ").or_else(|| t.strip_prefix("a ")).unwrap_or(t)
    }

    /// A map from entries in any order; a later key wins, as in a map literal.
    pub(crate) fn map(mut entries: Vec<(String, Val)>) -> Val {
        entries.reverse();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        Val::Map(entries)
    }
}

pub(crate) fn from_value(v: &Value) -> Val {
    match v {
        Value::Str(s) => Val::Str(s.clone()),
        Value::Int(i) => Val::Int(*i),
        Value::Float(x) => Val::Float(*x),
        Value::Bool(b) => Val::Bool(*b),
        Value::Date(d) => Val::Temporal(super::temporal::from_date(d)),
        // Text the engine cannot read back (written by a later version) stays text.
        Value::Temporal(t) => {
            super::temporal::from_stored(t.kind, &t.text).map_or(Val::Str(t.text.clone()), Val::Temporal)
        }
        Value::List(items) => Val::List(items.iter().map(from_value).collect()),
        // A participant is its entity: `r.for.name`, `r.for = p`.
        Value::Entity(e) => Val::Node(Node::Entity(*e)),
    }
}

fn overflow(span: Span) -> crate::Error {
    QueryError::Arithmetic { message: "the result is too large for a whole number".into(), span }.into()
}

fn arith_type(op: ArithOp, v: &Val, span: Span) -> crate::Error {
    let expected = match op {
        ArithOp::Add => "numbers, text, lists, or a temporal value and a duration",
        ArithOp::Sub => "numbers, or a temporal value and a duration",
        ArithOp::Mul | ArithOp::Div => "numbers, or a duration and a number",
        ArithOp::Mod | ArithOp::Pow => "numbers",
    };
    QueryError::TypeMismatch {
        what: format!("`{}`", op.symbol()),
        expected: expected.into(),
        found: v.kind().into(),
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
/// and always for `^`, floating point; `+` joins text to text or numbers, and lists to
/// lists or items.
pub(crate) fn arith(op: ArithOp, a: Val, b: Val, span: Span) -> Result<Val> {
    use ArithOp::*;
    Ok(match (op, a, b) {
        (_, Val::Null, _) | (_, _, Val::Null) => Val::Null,
        (Add | Sub, Val::Temporal(x), Val::Temporal(y)) => match temporal::add(&x, &y, op == Sub, span)? {
            Some(t) => Val::Temporal(t),
            None => return Err(arith_type(op, &Val::Temporal(if op == Sub { y } else { x }), span)),
        },
        (Mul | Div, Val::Temporal(Temporal::Duration(d)), n) | (Mul, n, Val::Temporal(Temporal::Duration(d))) => {
            let factor = match n {
                Val::Int(i) => temporal::Num::Int(i),
                Val::Float(x) => temporal::Num::Float(x),
                other => return Err(arith_type(op, &other, span)),
            };
            Val::Temporal(temporal::scale(&d, factor, op == Div, span)?)
        }
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
                Pow => return Ok(Val::Float((x as f64).powf(y as f64))),
            }
            .ok_or_else(|| overflow(span))?,
        ),
        (op, x @ (Val::Int(_) | Val::Float(_)), y @ (Val::Int(_) | Val::Float(_))) => {
            let (x, y) = (num(&x).unwrap_or(0.0), num(&y).unwrap_or(0.0));
            Val::Float(match op {
                Add => x + y,
                Sub => x - y,
                Mul => x * y,
                Div => x / y,
                Mod => x % y,
                Pow => x.powf(y),
            })
        }
        (op, Val::Int(_) | Val::Float(_), y) => return Err(arith_type(op, &y, span)),
        (op, x, _) => return Err(arith_type(op, &x, span)),
    })
}

/// `-a`.
pub(crate) fn negate(v: Val, span: Span) -> Result<Val> {
    Ok(match v {
        Val::Null => Val::Null,
        Val::Int(i) => Val::Int(i.checked_neg().ok_or_else(|| overflow(span))?),
        // `0 - x`, as openCypher negates: zero negated is zero, not negative zero.
        Val::Float(x) => Val::Float(0.0 - x),
        other => return Err(arith_type(ArithOp::Sub, &other, span)),
    })
}

/// A truth value: `None` is null (unknown), and so is anything not a boolean.
pub(crate) fn truth(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        _ => None,
    }
}

/// The relationships of a variable-length step as the list they are to list
/// functions and operators (`last(r)`, `r[0]`, `x in r`); any other value as it is.
pub(crate) fn listed(v: Val) -> Val {
    match v {
        Val::Rels(rs) => Val::List(rs.into_iter().map(Val::Rel).collect()),
        other => other,
    }
}

pub(crate) fn num(v: &Val) -> Option<f64> {
    match v {
        Val::Int(i) => Some(*i as f64),
        Val::Float(x) => Some(*x),
        _ => None,
    }
}

/// openCypher's comparison for `<` and friends: `None` is null (incomparable).
pub(crate) fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Null, _) | (_, Val::Null) => None,
        (Val::Rels(_), Val::List(_) | Val::Rels(_)) | (Val::List(_), Val::Rels(_)) => {
            compare(&listed(a.clone()), &listed(b.clone()))
        }
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (x, y) if num(x).is_some() && num(y).is_some() => num(x)?.partial_cmp(&num(y)?),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Temporal(x), Val::Temporal(y)) => temporal::compare(x, y),
        (Val::List(x), Val::List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match compare(p, q)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}

/// openCypher's `=`: `None` is null (a null inside a list makes equality unknown).
pub(crate) fn equal(a: &Val, b: &Val) -> Option<bool> {
    match (a, b) {
        (Val::Null, _) | (_, Val::Null) => None,
        // A variable-length step's relationships are the list of them.
        (Val::Rels(_), Val::List(_)) | (Val::List(_), Val::Rels(_)) => equal(&listed(a.clone()), &listed(b.clone())),
        // Whole numbers compare exactly: as floats, large ones would look equal.
        (Val::Int(x), Val::Int(y)) => Some(x == y),
        (x, y) if num(x).is_some() && num(y).is_some() => Some(num(x) == num(y)),
        (Val::List(x), Val::List(y)) => all_equal(x.iter().zip(y), x.len() == y.len()),
        (Val::Map(x), Val::Map(y)) => {
            let same_keys = x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.0 == q.0);
            all_equal(x.iter().zip(y).map(|(p, q)| (&p.1, &q.1)), same_keys)
        }
        (x, y) => Some(x == y),
    }
}

fn all_equal<'v>(pairs: impl Iterator<Item = (&'v Val, &'v Val)>, same_shape: bool) -> Option<bool> {
    if !same_shape {
        return Some(false);
    }
    let mut any_null = false;
    for (p, q) in pairs {
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

/// The total order of `order by`, openCypher's ascending order: maps, nodes,
/// relationships, lists, text, booleans, numbers, then null last.
pub(crate) fn compare_for_sort(a: &Val, b: &Val) -> Ordering {
    if matches!((a, b), (Val::Rels(_), Val::List(_) | Val::Rels(_)) | (Val::List(_), Val::Rels(_))) {
        return compare_for_sort(&listed(a.clone()), &listed(b.clone()));
    }
    // openCypher's order of types: maps, nodes, relationships, lists, paths, temporal
    // values, strings, booleans, numbers, null last.
    let rank = |v: &Val| match v {
        Val::Map(_) => 0,
        Val::Node(_) | Val::ValueNode(_) => 1,
        Val::Rel(_) => 2,
        Val::List(_) | Val::Rels(_) => 3,
        Val::Path(..) => 4,
        Val::Temporal(_) => 5,
        Val::Str(_) => 6,
        Val::Bool(_) => 7,
        Val::Int(_) | Val::Float(_) => 8,
        Val::Null => 9,
    };
    match (a, b) {
        (Val::List(x), Val::List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match compare_for_sort(p, q) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            x.len().cmp(&y.len())
        }
        // NaN sorts above every other number, whole or not (against a whole number it
        // once fell through to comparing the values' debug text: no order at all).
        (x, y) if num(x).is_some_and(f64::is_nan) || num(y).is_some_and(f64::is_nan) => match (num(x), num(y)) {
            (Some(p), Some(q)) => p.is_nan().cmp(&q.is_nan()),
            _ => rank(x).cmp(&rank(y)),
        },
        (Val::Temporal(x), Val::Temporal(y)) => match temporal::compare(x, y) {
            Some(o) => o,
            None => temporal::sort_rank(x).cmp(&temporal::sort_rank(y)).then_with(|| x.to_string().cmp(&y.to_string())),
        },
        _ => match compare(a, b) {
            Some(o) => o,
            None => rank(a).cmp(&rank(b)).then_with(|| format!("{a:?}").cmp(&format!("{b:?}"))),
        },
    }
}

/// What grouping, `distinct` and `union` compare rows by: equal exactly when the rows'
/// `group_key` texts are. A row of one node, relationship or whole number (the
/// common `count(distinct y)`) is a word, so keying it builds no text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum RowKey {
    Word(u8, u64),
    Text(String),
}

impl RowKey {
    /// The key of the values of one row, in order.
    pub(crate) fn of<'a>(vals: impl IntoIterator<Item = &'a Val>) -> RowKey {
        let mut vals = vals.into_iter();
        let first = vals.next();
        let mut text = String::new();
        match (first, vals.next()) {
            (Some(v), None) => {
                // The same words `group_key` writes, as numbers.
                match v {
                    Val::Int(i) => return RowKey::Word(b'n', *i as u64),
                    Val::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                        return RowKey::Word(b'n', *x as i64 as u64)
                    }
                    Val::Node(Node::Entity(id)) => return RowKey::Word(b'e', id.0),
                    Val::Node(Node::Statement(id)) => return RowKey::Word(b's', id.0),
                    Val::Rel(id) => return RowKey::Word(b'r', id.0),
                    other => group_key(other, &mut text),
                }
            }
            (first, second) => {
                for v in first.into_iter().chain(second).chain(vals) {
                    group_key(v, &mut text);
                    text.push('\u{1}');
                }
            }
        }
        RowKey::Text(text)
    }

    /// About what keeping it in a hash set costs, for the memory budget: the key, its
    /// slot and the table's spare room.
    pub(crate) fn bytes(&self) -> usize {
        match self {
            RowKey::Word(..) => 48,
            RowKey::Text(t) => t.len() + std::mem::size_of::<String>() + 8,
        }
    }
}

/// A key under which values that openCypher groups together (and `distinct` keeps
/// once) are equal: `1` and `1.0` are one group, as are equal lists and maps.
pub(crate) fn group_key(v: &Val, out: &mut String) {
    use std::fmt::Write as _;
    match v {
        Val::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
            let _ = write!(out, "n{}", *x as i64);
        }
        Val::Int(i) => {
            let _ = write!(out, "n{i}");
        }
        Val::List(items) => {
            out.push('[');
            for i in items {
                group_key(i, out);
                out.push(',');
            }
            out.push(']');
        }
        // Keyed as the list of them, which it is.
        Val::Rels(_) => group_key(&listed(v.clone()), out),
        Val::Map(entries) => {
            out.push('{');
            for (k, i) in entries {
                let _ = write!(out, "{k:?}:");
                group_key(i, out);
                out.push(',');
            }
            out.push('}');
        }
        // The common kinds without the formatting machinery: grouping and `distinct`
        // key every row.
        Val::Node(Node::Entity(id)) => {
            let _ = write!(out, "e{}", id.0);
        }
        Val::Node(Node::Statement(id)) => {
            let _ = write!(out, "s{}", id.0);
        }
        Val::Rel(id) => {
            let _ = write!(out, "r{}", id.0);
        }
        Val::Str(s) => {
            // Length first, so that no text can look like two keys.
            let _ = write!(out, "t{}:", s.len());
            out.push_str(s);
        }
        Val::Null => out.push('0'),
        Val::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

pub(crate) fn to_cell(ctx: &mut Ctx<'_>, v: &Val) -> Result<Cell> {
    Ok(match v {
        Val::Null => Cell::Null,
        Val::Bool(b) => Cell::Value { value: Value::Bool(*b) },
        Val::Int(i) => Cell::Value { value: Value::Int(*i) },
        Val::Float(x) => Cell::Value { value: Value::Float(*x) },
        Val::Str(s) => Cell::Value { value: Value::Str(s.clone()) },
        Val::Temporal(t) => Cell::Value { value: temporal::to_stored(t) },
        Val::Node(n) => ctx.node_cell(*n)?,
        Val::ValueNode(s) => match ctx.store.require_statement_without_quotes(*s)?.object {
            factgraph_store::Object::Literal(value) => Cell::Value { value },
            factgraph_store::Object::Node(n) => ctx.node_cell(n)?,
        },
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
        Val::Map(entries) => {
            let mut out = Vec::new();
            for (k, i) in entries {
                out.push((k.clone(), to_cell(ctx, i)?));
            }
            Cell::Map { entries: out }
        }
        Val::Path(nodes, rels) => {
            let mut cells = Vec::new();
            let mut steps = Vec::new();
            for n in nodes {
                let c = ctx.node_cell(*n)?;
                steps.push(c.to_string());
                cells.push(c);
            }
            let mut relationships = Vec::new();
            let mut forward = Vec::new();
            for (i, r) in rels.iter().enumerate() {
                let st = ctx.store.require_statement_without_quotes(*r)?;
                forward.push(st.subject == nodes[i]);
                relationships.push(ctx.statement_cell(*r)?);
            }
            // In words: node, relation (with its arrow), node, …
            let mut words = Vec::new();
            for (i, n) in steps.into_iter().enumerate() {
                if i > 0 {
                    if let Cell::Statement { relation, .. } = &relationships[i - 1] {
                        words.push(if forward[i - 1] { format!("-{relation}->") } else { format!("<-{relation}-") });
                    }
                }
                words.push(n);
            }
            Cell::Path(Box::new(PathCell { steps: words, nodes: cells, relationships, forward }))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_equal_numbers_group_together() {
        let key = |v: Val| {
            let mut s = String::new();
            group_key(&v, &mut s);
            s
        };
        assert_eq!(key(Val::Int(1)), key(Val::Float(1.0)));
        assert_ne!(key(Val::Int(1)), key(Val::Float(1.5)));
        assert_ne!(key(Val::Int(1)), key(Val::Str("1".into())));
        assert_eq!(key(Val::List(vec![Val::Int(2)])), key(Val::List(vec![Val::Float(2.0)])));
    }

    #[test]
    fn large_whole_numbers_are_equal_only_when_they_are() {
        assert_eq!(equal(&Val::Int(4611686018427387905), &Val::Int(4611686018427387900)), Some(false));
        assert_eq!(equal(&Val::Int(2), &Val::Float(2.0)), Some(true));
    }

    #[test]
    fn sorting_puts_null_last_and_numbers_after_text() {
        let mut v = vec![Val::Null, Val::Int(2), Val::Str("a".into()), Val::Float(1.5), Val::Bool(true)];
        v.sort_by(compare_for_sort);
        assert_eq!(v, vec![Val::Str("a".into()), Val::Bool(true), Val::Float(1.5), Val::Int(2), Val::Null]);
    }

    #[test]
    fn a_later_key_of_a_map_literal_wins_and_keys_are_sorted() {
        let m = Val::map(vec![("b".into(), Val::Int(1)), ("a".into(), Val::Int(2)), ("b".into(), Val::Int(3))]);
        assert_eq!(m, Val::Map(vec![("a".into(), Val::Int(2)), ("b".into(), Val::Int(3))]));
    }
}
