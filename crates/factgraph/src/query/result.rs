//! Query results: typed rows with provenance attached.
//!
//! The text in a cell or citation is shared (`Arc<str>`): a long answer repeats the
//! same few names, documents, quotes and claims across its rows (a hub's `who
//! reported` has 159,127 rows naming about 90,000 distinct things), and a row that
//! owned copies of them cost about 25 allocations.

use std::fmt;
use std::sync::Arc;

use factgraph_store::{EntityId, LazyProperties, Properties, Qualifiers, StatementId, Value};
use serde::Serialize;

/// One value in a result row.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Cell {
    /// No value (openCypher's null).
    Null,
    /// An entity.
    Entity {
        /// Its id.
        id: EntityId,
        /// Its canonical name (empty for a node created without one).
        name: Arc<str>,
        /// Its kind (`Thing` for a node created without a label).
        kind: Arc<str>,
        /// Its properties other than the name.
        #[serde(skip_serializing_if = "LazyProperties::is_empty")]
        properties: LazyProperties,
    },
    /// A statement, shown as its subject, relation and object.
    Statement {
        /// Its id.
        id: StatementId,
        /// `subject relation object`, in words.
        text: Arc<str>,
        /// The relation (a relationship's type).
        relation: Arc<str>,
        /// Its qualifiers (a relationship's properties).
        #[serde(skip_serializing_if = "Qualifiers::is_empty")]
        qualifiers: Qualifiers,
    },
    /// A literal.
    Value {
        /// The value.
        value: Value,
    },
    /// Text produced by the query (a role, a relation, a note).
    Text {
        /// The text.
        text: Arc<str>,
    },
    /// A list of cells.
    List {
        /// The items.
        items: Vec<Cell>,
    },
    /// A map, its entries in key order.
    Map {
        /// `(key, value)` pairs.
        entries: Vec<(String, Cell)>,
    },
    /// A path: alternating nodes and statements. Boxed, so that every other cell
    /// is not as large as a path's four lists.
    Path(Box<PathCell>),
}

/// A path in a cell: alternating nodes and statements.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathCell {
    /// The steps in words.
    pub steps: Vec<String>,
    /// Its nodes, first to last (empty for a path given only in words).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<Cell>,
    /// The relationships between them, one fewer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Cell>,
    /// For each relationship, whether it points from the node before it to the one
    /// after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forward: Vec<bool>,
}

/// Bytes a map of properties or qualifiers owns beside its slot, for the memory
/// budget (`query/budget.rs`; here, where both the budget and the query's context
/// can reach it).
pub(crate) fn properties_bytes(p: &Properties) -> usize {
    p.iter()
        .map(|(k, v)| {
            std::mem::size_of::<String>()
                + std::mem::size_of::<Value>()
                + k.len()
                + match v {
                    Value::Str(s) => s.len(),
                    _ => 0,
                }
        })
        .sum()
}

impl Cell {
    /// A text cell, with a copy of `s` (`Cell::Text { text }` shares an `Arc<str>`).
    pub fn text(s: impl AsRef<str>) -> Cell {
        Cell::Text { text: Arc::from(s.as_ref()) }
    }

    /// An integer cell.
    pub fn int(i: i64) -> Cell {
        Cell::Value { value: Value::Int(i) }
    }

    /// The text of a text or string cell, or an entity's name.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Text { text } => Some(text),
            Cell::Value { value: Value::Str(text) } => Some(text),
            Cell::Entity { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The number in an integer cell.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Cell::Value { value: Value::Int(i) } => Some(*i),
            _ => None,
        }
    }

    /// The id of an entity cell.
    pub fn as_entity(&self) -> Option<EntityId> {
        match self {
            Cell::Entity { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// The id of a statement cell.
    pub fn as_statement(&self) -> Option<StatementId> {
        match self {
            Cell::Statement { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }

    /// The cell within a list or map: a string value in quotes, as openCypher writes
    /// it (and as a stored list property shows), so that `['a, b']` and `['a', 'b']`
    /// differ. The names a question lists (`Cell::Text`: documents, roles) stay bare.
    fn fmt_inside(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Value { value: Value::Str(text) } => factgraph_store::write_quoted(text, f),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Null => f.write_str("null"),
            Cell::Entity { name, .. } => f.write_str(name),
            Cell::Statement { text, .. } => f.write_str(text),
            Cell::Value { value } => value.fmt(f),
            Cell::Text { text } => f.write_str(text),
            Cell::List { items } => {
                f.write_str("[")?;
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    c.fmt_inside(f)?;
                }
                f.write_str("]")
            }
            Cell::Map { entries } => {
                f.write_str("{")?;
                for (i, (k, c)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: ")?;
                    c.fmt_inside(f)?;
                }
                f.write_str("}")
            }
            Cell::Path(p) => f.write_str(&p.steps.join(" ")),
        }
    }
}

/// One piece of evidence behind a row: which statement, which document, which words,
/// credited to whom.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Citation {
    /// The statement supported.
    pub statement: StatementId,
    /// The statement in words.
    pub claim: Arc<str>,
    /// The document's name.
    pub document: Arc<str>,
    /// Its outlet, when known.
    pub outlet: Option<Arc<str>>,
    /// Its title, when it has one.
    pub title: Option<Arc<str>>,
    /// The verbatim quote.
    pub quote: Arc<str>,
    /// Who the document credits; `None` is the document's own voice.
    pub attribution: Option<Arc<str>>,
}

/// What `Graph::query_each` hands over, in order: each result as it begins, then its
/// rows.
#[derive(Debug)]
pub enum Streamed<'a> {
    /// A result begins; its rows follow. A write's note has no columns.
    Result {
        /// Its place among the results the query returns.
        index: usize,
        /// Its column names.
        columns: &'a [String],
        /// Its note, when it has one.
        note: Option<&'a str>,
    },
    /// A row of the result begun last, lent for the call: what the caller keeps of it,
    /// it clones. Lent rather than given so that the rows another thread made are
    /// freed on that thread: freed on the caller's, every row's texts were memory the
    /// other core had written last, and the hub's listing on two threads spent a
    /// third more time in all than on one.
    Row(&'a Row),
}

/// A result row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// The evidence behind this row.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<Citation>,
}

/// The answer to one statement of a query or script.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, in order.
    pub rows: Vec<Row>,
    /// Whether row order means something (ORDER BY, path steps); otherwise tests
    /// sort rows before comparing.
    pub ordered: bool,
    /// A one-line note: what a write did, what a check found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl QueryResult {
    /// An empty result with these columns.
    pub fn with_columns(columns: &[&str]) -> QueryResult {
        QueryResult { columns: columns.iter().map(|c| (*c).to_owned()).collect(), ..QueryResult::default() }
    }

    /// A result that is only a note.
    pub fn note(note: impl Into<String>) -> QueryResult {
        QueryResult { note: Some(note.into()), ..QueryResult::default() }
    }

    /// The position of a column, by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The rows as records, whose cells can be read by column name.
    pub fn records(&self) -> impl ExactSizeIterator<Item = Record<'_>> + '_ {
        self.rows.iter().map(move |row| Record { columns: &self.columns, row })
    }
}

/// A row with its result's column names: cells by name as well as by position.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    columns: &'a [String],
    row: &'a Row,
}

impl<'a> Record<'a> {
    /// The cell under the column `name`; `None` when there is no such column.
    pub fn get(&self, name: &str) -> Option<&'a Cell> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.row.cells.get(i)
    }

    /// The cells in column order.
    pub fn cells(&self) -> &'a [Cell] {
        &self.row.cells
    }

    /// The evidence behind the row.
    pub fn provenance(&self) -> &'a [Citation] {
        &self.row.provenance
    }
}
