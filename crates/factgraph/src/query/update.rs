//! openCypher's updating clauses on the store: `set` and `remove` (properties and
//! labels of nodes and relationships) and `[detach] delete`, each run inside the
//! transaction of its clause.
//!
//! How the graph Cypher sees maps onto the store: a node is an entity (its kind is
//! its label, or its labels joined by `:`, `Thing` being none; its canonical name is
//! its `name` property) and a
//! relationship is a statement (its qualifiers are its properties). So:
//! - `set n.name = 'x'` renames the entity (the name index follows); a `name` that is
//!   not a non-empty string is kept as a plain property of an unnamed entity, as
//!   `create` keeps an empty one;
//! - a property set to null is removed, as openCypher says;
//! - `set r.key = …` changes the statement's qualifiers in place: it stays the same
//!   relationship, with the same id and evidence;
//! - `delete r` retracts the statement, which takes the statements about it with it
//!   (they cannot stand without it), out of every index and count; `delete n` deletes
//!   the entity, refused while any statement still touches it, unless `detach`.

use factgraph_store::{EntityId, Node, Qualifiers, StatementId, StoreError, Transaction, Value};
use factgraph_syntax::ast::Span;

use super::compile::{CExpr, Update};
use super::context::Ctx;
use super::expr::eval;
use super::script::WriteSummary;
use super::value::Val;
use crate::error::{QueryError, Result};

/// The label a node created without one has: no label.
const NO_LABEL: &str = "Thing";

/// Makes one `set`/`remove` change for one row.
pub(crate) fn apply(
    ctx: &mut Ctx<'_>,
    tx: &mut Transaction<'_>,
    summary: &mut WriteSummary,
    u: &Update,
    row: &[Val],
) -> Result<()> {
    match u {
        Update::Property { target, key, value, span } => {
            let Some(target) = target_of(ctx, target, row, *span)? else { return Ok(()) };
            let value = match value {
                Some(e) => property_value(eval(ctx, e, row)?, key, *span)?,
                None => None,
            };
            set_property(tx, summary, target, key, value, *span)
        }
        Update::Properties { target, value, replace, span } => {
            let Some(target) = target_of(ctx, target, row, *span)? else { return Ok(()) };
            let map = match eval(ctx, value, row)? {
                // `set n = null` (a map that is not there) changes nothing.
                Val::Null => return Ok(()),
                Val::Map(entries) => {
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, v) in entries {
                        let v = property_value(v, &k, *span)?;
                        out.push((k, v));
                    }
                    out
                }
                // Another node's or relationship's properties, as they are now.
                Val::Node(n) => properties_of(tx, n, *span)?.into_iter().map(|(k, v)| (k, Some(v))).collect(),
                Val::Rel(s) => {
                    properties_of(tx, Node::Statement(s), *span)?.into_iter().map(|(k, v)| (k, Some(v))).collect()
                }
                other => {
                    return Err(QueryError::TypeMismatch {
                        what: "the value of `set n = …`".into(),
                        expected: "a map, a node or a relationship".into(),
                        found: other.kind().into(),
                        span: *span,
                    }
                    .into())
                }
            };
            if *replace {
                let keys: Vec<String> = properties_of(tx, target, *span)?.into_iter().map(|(k, _)| k).collect();
                for k in keys.iter().filter(|k| !map.iter().any(|(m, _)| m == *k)) {
                    set_property(tx, summary, target, k, None, *span)?;
                }
            }
            for (k, v) in map {
                set_property(tx, summary, target, &k, v, *span)?;
            }
            Ok(())
        }
        Update::Labels { target, labels, add, span } => {
            let Some(target) = target_of(ctx, target, row, *span)? else { return Ok(()) };
            let Node::Entity(id) = target else {
                return Err(refused("a relationship or statement has no labels to set or remove".into(), *span));
            };
            let Some(e) = tx.entity(id)? else { return Err(deleted(*span)) };
            // Several labels are one kind, joined by `:`; `Thing` is none.
            let mut now: Vec<&str> =
                if e.kind == NO_LABEL { Vec::new() } else { factgraph_store::kind_labels(&e.kind).collect() };
            let before = now.len();
            if *add {
                for l in labels {
                    if !now.contains(&l.as_str()) {
                        now.push(l);
                    }
                }
            } else {
                now.retain(|l| !labels.iter().any(|r| r == l));
            }
            if now.len() != before {
                let kind = if now.is_empty() { NO_LABEL.to_owned() } else { now.join(":") };
                tx.set_kind(id, &kind).map_err(|err| store_refusal(err, *span))?;
                summary.changed += now.len().abs_diff(before) as u64;
            }
            Ok(())
        }
    }
}

/// Deletes what the rows name: relationships first, then nodes (so that `delete n, r`
/// of a node and its one relationship is allowed), each once.
pub(crate) fn delete(
    tx: &mut Transaction<'_>,
    summary: &mut WriteSummary,
    nodes: &[(Node, Span)],
    rels: &[(StatementId, Span)],
    detach: bool,
) -> Result<()> {
    for (s, _) in rels {
        if tx.statement_exists(*s)? {
            summary.retracted += tx.retract(*s)? as u64;
        }
    }
    for (n, span) in nodes {
        let exists = match n {
            Node::Entity(id) => tx.entity(*id)?.is_some(),
            Node::Statement(s) => tx.statement_exists(*s)?,
        };
        if !exists {
            continue;
        }
        let touching = tx.statements_touching(*n)?;
        if !touching.is_empty() {
            if !detach {
                let what = match n {
                    Node::Entity(id) => match tx.entity(*id)? {
                        Some(e) if !e.name.is_empty() => format!("the node {:?} ({n})", e.name),
                        _ => format!("the node {n}"),
                    },
                    Node::Statement(_) => format!("the statement {n}"),
                };
                return Err(refused(
                    format!(
                        "{what} still has {} relationship{}: delete them first, or use `detach delete`",
                        touching.len(),
                        if touching.len() == 1 { "" } else { "s" }
                    ),
                    *span,
                ));
            }
            for s in touching {
                if tx.statement_exists(s)? {
                    summary.retracted += tx.retract(s)? as u64;
                }
            }
        }
        match n {
            Node::Entity(id) => {
                tx.delete_entity(*id).map_err(|e| store_refusal(e, *span))?;
                summary.deleted += 1;
            }
            Node::Statement(s) => {
                if tx.statement_exists(*s)? {
                    summary.retracted += tx.retract(*s)? as u64;
                }
            }
        }
    }
    Ok(())
}

/// What `delete` is given, sorted into nodes and relationships; null is nothing.
pub(crate) fn gather(
    v: Val,
    span: Span,
    nodes: &mut Vec<(Node, Span)>,
    rels: &mut Vec<(StatementId, Span)>,
) -> Result<()> {
    match v {
        Val::Null => {}
        Val::Node(n) => nodes.push((n, span)),
        Val::Rel(s) => rels.push((s, span)),
        Val::Rels(ss) => rels.extend(ss.into_iter().map(|s| (s, span))),
        Val::ValueNode(_) => return Err(value_node_refused("deleted: delete its relationship", span)),
        Val::Path(ns, ss) => {
            nodes.extend(ns.into_iter().map(|n| (n, span)));
            rels.extend(ss.into_iter().map(|s| (s, span)));
        }
        other => {
            return Err(QueryError::TypeMismatch {
                what: "what `delete` is given".into(),
                expected: "a node, a relationship or a path".into(),
                found: other.kind().into(),
                span,
            }
            .into())
        }
    }
    Ok(())
}

/// A value node belongs to the one statement whose object it is: it cannot be written
/// to, nor deleted apart from it.
fn value_node_refused(what: &str, span: Span) -> crate::Error {
    QueryError::Refused { reason: format!("a value node cannot be {what}"), span }.into()
}

/// The node or relationship a `set` or `remove` changes; `None` for null (nothing
/// to change, as after an `optional match` that found nothing).
fn target_of(ctx: &mut Ctx<'_>, e: &CExpr, row: &[Val], span: Span) -> Result<Option<Node>> {
    match eval(ctx, e, row)? {
        Val::Null => Ok(None),
        Val::Node(n) => Ok(Some(n)),
        Val::Rel(s) => Ok(Some(Node::Statement(s))),
        Val::ValueNode(_) => Err(value_node_refused("changed: its value is its statement's object", span)),
        other => Err(QueryError::TypeMismatch {
            what: "what `set` or `remove` changes".into(),
            expected: "a node or a relationship".into(),
            found: other.kind().into(),
            span,
        }
        .into()),
    }
}

/// A value as a property can hold it: `None` for null (no property).
fn property_value(v: Val, key: &str, span: Span) -> Result<Option<Value>> {
    Ok(Some(match v {
        Val::Null => return Ok(None),
        Val::Bool(b) => Value::Bool(b),
        Val::Int(i) => Value::Int(i),
        Val::Float(x) => Value::Float(x),
        Val::Str(s) => Value::Str(s),
        Val::Temporal(t) => super::temporal::to_stored(&t),
        // The store checks that a list's items are of one type and not lists.
        Val::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match property_value(item, key, span)? {
                    Some(v) => out.push(v),
                    None => {
                        return Err(QueryError::TypeMismatch {
                            what: format!("an item of the property `{key}`"),
                            expected: "a value".into(),
                            found: "null".into(),
                            span,
                        }
                        .into())
                    }
                }
            }
            Value::List(out)
        }
        other => {
            return Err(QueryError::TypeMismatch {
                what: format!("the property `{key}`"),
                expected: "text, a number, a boolean, a date or a list of them".into(),
                found: other.kind().into(),
                span,
            }
            .into())
        }
    }))
}

/// A node's or relationship's properties as the transaction sees them, the name
/// among them.
fn properties_of(tx: &mut Transaction<'_>, n: Node, span: Span) -> Result<Vec<(String, Value)>> {
    match n {
        Node::Entity(id) => {
            let Some(e) = tx.entity(id)? else { return Err(deleted(span)) };
            let mut out: Vec<(String, Value)> = e.properties.into_iter().collect();
            if !e.name.is_empty() {
                out.push(("name".into(), Value::Str(e.name)));
            }
            Ok(out)
        }
        Node::Statement(s) => match tx.qualifiers(s)? {
            Some(q) => Ok(q.into_iter().collect()),
            None => Err(deleted(span)),
        },
    }
}

/// Sets (or, with `None`, removes) one property of a node or relationship.
fn set_property(
    tx: &mut Transaction<'_>,
    summary: &mut WriteSummary,
    n: Node,
    key: &str,
    value: Option<Value>,
    span: Span,
) -> Result<()> {
    match n {
        Node::Entity(id) => set_entity_property(tx, summary, id, key, value, span),
        Node::Statement(s) => {
            let Some(mut q): Option<Qualifiers> = tx.qualifiers(s)? else { return Err(deleted(span)) };
            let before = q.clone();
            match value {
                Some(v) => {
                    // `modality` and `polarity` keep their closed vocabularies, as in
                    // `assert` and `create`.
                    super::script::check_epistemic(key, &v, span)?;
                    q.insert(key.to_owned(), v);
                }
                None => {
                    q.remove(key);
                }
            }
            if q != before {
                tx.set_qualifiers(s, q).map_err(|e| store_refusal(e, span))?;
                summary.changed += 1;
            }
            Ok(())
        }
    }
}

fn set_entity_property(
    tx: &mut Transaction<'_>,
    summary: &mut WriteSummary,
    id: EntityId,
    key: &str,
    value: Option<Value>,
    span: Span,
) -> Result<()> {
    let Some(e) = tx.entity(id)? else { return Err(deleted(span)) };
    if e.is_document() {
        return Err(refused("a document's properties are set by `document`, not by `set`".into(), span));
    }
    let err = |x| store_refusal(x, span);
    if key == "name" {
        // The canonical name is the entity's `name`; anything else a `name` can be (an
        // empty string, a number) is a plain property of an unnamed entity.
        let (name, property) = match value {
            Some(Value::Str(s)) if !s.is_empty() => (s, None),
            other => (String::new(), other),
        };
        let unchanged = e.name == name && e.properties.get("name") == property.as_ref();
        if unchanged {
            return Ok(());
        }
        tx.rename_entity(id, &name).map_err(err)?;
        match property {
            Some(v) => tx.set_property(id, "name", v).map_err(err)?,
            None => {
                tx.remove_property(id, "name").map_err(err)?;
            }
        }
        summary.changed += 1;
        return Ok(());
    }
    match value {
        Some(v) if e.properties.get(key) != Some(&v) => {
            tx.set_property(id, key, v).map_err(err)?;
            summary.changed += 1;
        }
        Some(_) => {}
        None => {
            if tx.remove_property(id, key).map_err(err)? {
                summary.changed += 1;
            }
        }
    }
    Ok(())
}

fn refused(reason: String, span: Span) -> crate::Error {
    QueryError::Refused { reason, span }.into()
}

/// What the store refuses to record, as an error at the place it is about.
fn store_refusal(e: StoreError, span: Span) -> crate::Error {
    match e {
        StoreError::Invalid(reason) => refused(reason, span),
        StoreError::InUseEntity(_) | StoreError::NoSuchEntity(_) | StoreError::NoSuchStatement(_) => {
            refused(e.to_string(), span)
        }
        other => crate::Error::Store(other),
    }
}

fn deleted(span: Span) -> crate::Error {
    refused("the node or relationship was deleted earlier in this query".into(), span)
}
