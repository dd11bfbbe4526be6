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
use super::result::{properties_bytes, Cell};
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
/// the query's caches: its slots and what its cells own outright (a statement's
/// qualifiers, a value, a list). The shared text is counted once by whoever made it
/// (a quote, a claim's words: the question; a name, a document: `Ctx`, as it shows
/// the entity).
pub(crate) fn shared_row_bytes(row: &super::result::Row) -> usize {
    size_of::<super::result::Row>()
        + row.cells.iter().map(owned_bytes).sum::<usize>()
        + row.provenance.len() * size_of::<super::result::Citation>()
}

/// Bytes of a cell's slot and what it owns outright, its shared text left out.
fn owned_bytes(c: &Cell) -> usize {
    match c {
        Cell::Entity { .. } | Cell::Text { .. } | Cell::Null => size_of::<Cell>(),
        Cell::Statement { qualifiers, .. } => size_of::<Cell>() + properties_bytes(qualifiers),
        _ => cell_bytes(c),
    }
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
    let props = properties_bytes;
    size_of::<Cell>()
        + match c {
            Cell::Entity { name, kind, properties, .. } => name.len() + kind.len() + properties.heap_bytes(),
            Cell::Statement { text, relation, qualifiers, .. } => text.len() + relation.len() + props(qualifiers),
            Cell::Value { value } => value_bytes(value),
            Cell::Text { text } => text.len(),
            Cell::List { items } => items.iter().map(cell_bytes).sum(),
            Cell::Map { entries } => entries.iter().map(|(k, v)| size_of::<String>() + k.len() + cell_bytes(v)).sum(),
            Cell::Path(p) => {
                let super::result::PathCell { steps, nodes, relationships, forward } = &**p;
                size_of::<super::result::PathCell>()
                    + steps.iter().map(|s| size_of::<String>() + s.len()).sum::<usize>()
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

    /// A row whose text is shared counts its slots and what its cells own outright:
    /// a statement cell's qualifiers are copied into every row showing it, so they
    /// count for each (found in review: they counted for none), while the shared
    /// words and names do not.
    #[test]
    fn a_shared_row_counts_what_its_cells_own_not_their_shared_text() {
        use super::super::result::Row;
        use std::sync::Arc;
        let words: Arc<str> = "Ali Alqasimehr accused Donald Trump".repeat(100).into();
        let statement = |qualifiers: factgraph_store::Qualifiers| Cell::Statement {
            id: factgraph_store::StatementId(1),
            text: words.clone(),
            relation: "accused".into(),
            qualifiers,
        };
        let row = |cell: Cell| Row { cells: vec![Cell::Text { text: words.clone() }, cell], provenance: Vec::new() };
        let bare = shared_row_bytes(&row(statement(Default::default())));
        assert_eq!(bare, size_of::<Row>() + 2 * size_of::<Cell>(), "shared text is not counted again");
        let charge = [("charge".to_owned(), Value::Str("murder".repeat(50)))].into_iter().collect();
        let with = shared_row_bytes(&row(statement(charge)));
        assert!(with >= bare + 300, "the qualifiers a row owns count: {with} against {bare}");
    }
}
