//! The memory budget (`Limits::max_memory`): approximate sizes of the values and rows
//! a query builds, for `Ctx::room` (a value being built must fit beside what the query
//! holds) and `Ctx::hold` (rows and values an operator keeps: sorting, grouping,
//! `distinct`, `collect`, the answer's rows).
//!
//! Approximate on purpose: a value counts its own slot and the bytes it owns (text,
//! items, entries), not the allocator's rounding or a vector's spare capacity. That
//! is within a small factor of what the process holds, costs one pass over a value
//! that was just built in one pass, and nothing for a scalar.

use std::mem::size_of;

use factgraph_store::{Node, StatementId, Value};

use super::context::Ctx;
use super::result::Cell;
use super::value::Val;
use crate::error::Result;

/// Fails when `v`, just built, takes the query past its memory budget (a scalar
/// costs nothing to check).
pub(crate) fn built(ctx: &Ctx<'_>, v: &Val, what: &str) -> Result<()> {
    if may_be_large(v) {
        ctx.room(val_bytes(v), what)?;
    }
    Ok(())
}

/// Bytes of a value: its slot and what it owns.
pub(crate) fn val_bytes(v: &Val) -> usize {
    size_of::<Val>()
        + match v {
            Val::Str(s) => s.len(),
            Val::List(items) => items.iter().map(val_bytes).sum(),
            Val::Map(entries) => entries.iter().map(|(k, v)| size_of::<String>() + k.len() + val_bytes(v)).sum(),
            Val::Rels(ids) => ids.len() * size_of::<StatementId>(),
            Val::Path(nodes, rels) => nodes.len() * size_of::<Node>() + rels.len() * size_of::<StatementId>(),
            // Scalars, nodes and relationships own nothing beside their slot; a
            // temporal value at most a time zone's short name.
            _ => 0,
        }
}

/// Bytes of a row of values.
pub(crate) fn row_bytes(row: &[Val]) -> usize {
    row.iter().map(val_bytes).sum()
}

/// Whether building `v` may have taken much memory: only text and collections can.
/// Lets the hot path skip the size of a scalar.
pub(crate) fn may_be_large(v: &Val) -> bool {
    matches!(v, Val::Str(_) | Val::List(_) | Val::Map(_))
}

/// What a stored value owns beside its slot.
fn value_bytes(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len(),
        _ => 0,
    }
}

/// Bytes of an answer's row whose text is shared (`Arc<str>`) with other rows or with
/// the query's caches: its slots only. The text made for it (a quote, a claim's words)
/// is counted once by whoever made it.
pub(crate) fn shared_row_bytes(row: &super::result::Row) -> usize {
    size_of::<super::result::Row>()
        + row.cells.len() * size_of::<Cell>()
        + row.provenance.len() * size_of::<super::result::Citation>()
}

/// Bytes of an answer's row: its cells and the evidence behind it.
pub(crate) fn answer_row_bytes(row: &super::result::Row) -> usize {
    let text = |s: &str| size_of::<String>() + s.len();
    row.cells.iter().map(cell_bytes).sum::<usize>()
        + row
            .provenance
            .iter()
            .map(|c| {
                size_of::<super::result::Citation>()
                    + [&c.claim, &c.document, &c.quote].into_iter().map(|s| text(s)).sum::<usize>()
                    + [&c.outlet, &c.title, &c.attribution].into_iter().flatten().map(|s| text(s)).sum::<usize>()
            })
            .sum::<usize>()
}

/// Bytes of an answer's cell: its slot and what it owns (an entity's name, kind and
/// properties; a statement's words).
pub(crate) fn cell_bytes(c: &Cell) -> usize {
    let props = |p: &factgraph_store::Properties| -> usize {
        p.iter().map(|(k, v)| size_of::<String>() + size_of::<Value>() + k.len() + value_bytes(v)).sum()
    };
    size_of::<Cell>()
        + match c {
            Cell::Entity { name, kind, properties, .. } => name.len() + kind.len() + props(properties),
            Cell::Statement { text, relation, qualifiers, .. } => text.len() + relation.len() + props(qualifiers),
            Cell::Value { value } => value_bytes(value),
            Cell::Text { text } => text.len(),
            Cell::List { items } => items.iter().map(cell_bytes).sum(),
            Cell::Map { entries } => entries.iter().map(|(k, v)| size_of::<String>() + k.len() + cell_bytes(v)).sum(),
            Cell::Path(p) => {
                let super::result::PathCell { steps, nodes, relationships, forward } = &**p;
                steps.iter().map(|s| size_of::<String>() + s.len()).sum::<usize>()
                    + nodes.iter().chain(relationships).map(cell_bytes).sum::<usize>()
                    + forward.len()
            }
            Cell::Null => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_counts_its_items_and_their_text() {
        let one = val_bytes(&Val::Str("abcd".into()));
        assert_eq!(one, size_of::<Val>() + 4);
        let list = Val::List(vec![Val::Str("abcd".into()); 10]);
        assert_eq!(val_bytes(&list), size_of::<Val>() + 10 * one);
        assert!(!may_be_large(&Val::Int(1)));
    }
}
