//! The data model: entities, statements, evidence and the typed values they carry.
//!
//! These are plain values with no storage behaviour; the store encodes them (see
//! `codec`) and the library and CLI read them. Everything here is `serde`-serialisable
//! because the JSON Lines export writes exactly these shapes.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The stable id of an entity (documents are entities too). Never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntityId(pub u64);

/// The stable id of a statement. Never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatementId(pub u64);

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "e{}", self.0)
    }
}

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

/// Something a statement can be about: an entity, or another statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Node {
    /// An entity.
    Entity(EntityId),
    /// A statement, for statements about statements.
    Statement(StatementId),
}

impl From<EntityId> for Node {
    fn from(id: EntityId) -> Self {
        Node::Entity(id)
    }
}

impl From<StatementId> for Node {
    fn from(id: StatementId) -> Self {
        Node::Statement(id)
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Entity(e) => e.fmt(f),
            Node::Statement(s) => s.fmt(f),
        }
    }
}

/// A calendar date (proleptic Gregorian), the only time type the model needs: news
/// claims are dated by day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year, e.g. 2020.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31 (checked against the month).
    pub day: u8,
}

impl Date {
    /// A date, if it exists on the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `'text'` as an openCypher literal writes it: a backslash before a backslash and
/// before `'`; line breaks, tabs and other control characters escaped, so that text
/// inside a list stays on its line.
pub fn write_quoted(text: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("'")?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04X}", u32::from(c))?,
            c => fmt::Write::write_char(f, c)?,
        }
    }
    f.write_str("'")
}

/// A typed literal: property values, qualifier values and literal objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// Text.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A floating-point number. Compared by bit pattern for statement identity.
    Float(f64),
    /// True or false.
    Bool(bool),
    /// A calendar date.
    Date(Date),
    /// An openCypher temporal value other than a date of years 0 to 9999: a time, a
    /// date and time, a duration. The store keeps its kind and ISO text; the query
    /// engine, which knows the calendar, reads them.
    Temporal(Temporal),
    /// A list of values (openCypher's list properties): after every other variant, so
    /// that stores written before it read as they did.
    List(Vec<Value>),
    /// An entity taking part in a statement: a role argument such as `for` or `to`
    /// (the request *for* Trump *to* Interpol). Only a statement's qualifiers hold one,
    /// and the store indexes the statement under the entity (`statements_with_participant`).
    /// Last, so that stores written before it read as they did.
    Entity(EntityId),
}

/// What kind of temporal value a [`Temporal`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TemporalKind {
    /// A date beyond the years 0 to 9999 (`+10000-01-01`).
    Date,
    /// A time of day (`12:31:14.645`).
    LocalTime,
    /// A time of day with an offset (`12:31+01:00`).
    Time,
    /// A date and time (`1984-10-11T12:31`).
    LocalDateTime,
    /// A date and time with an offset and maybe a zone (`1984-10-11T12:31+01:00[Europe/Stockholm]`).
    DateTime,
    /// A duration (`P1Y2M3DT4H`).
    Duration,
}

/// A temporal value as stored: its kind and its ISO 8601 text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Temporal {
    /// The kind.
    pub kind: TemporalKind,
    /// The text, as openCypher writes it.
    pub text: String,
}

impl Value {
    /// The name of this value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Bool(_) => "boolean",
            Value::Date(_) => "date",
            Value::Temporal(t) => match t.kind {
                TemporalKind::Date => "date",
                TemporalKind::LocalTime => "local time",
                TemporalKind::Time => "time",
                TemporalKind::LocalDateTime => "local date and time",
                TemporalKind::DateTime => "date and time",
                TemporalKind::Duration => "duration",
            },
            Value::List(_) => "list",
            Value::Entity(_) => "entity",
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            // As a float even when whole (`5.0`, not `5`), large and small ones with an
            // exponent (`1e20`): the shortest text that reads back as the same float.
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Date(d) => d.fmt(f),
            Value::Temporal(t) => f.write_str(&t.text),
            // Without the store at hand, the id: answers show the entity's name.
            Value::Entity(e) => e.fmt(f),
            // As openCypher writes a list: `[1, 2]`, text in quotes.
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match v {
                        Value::Str(s) => write_quoted(s, f)?,
                        other => other.fmt(f)?,
                    }
                }
                f.write_str("]")
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Date> for Value {
    fn from(d: Date) -> Self {
        Value::Date(d)
    }
}

/// The object of a statement: a node (entity or statement) or a literal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Object {
    /// An entity or a statement.
    Node(Node),
    /// A literal value.
    Literal(Value),
}

impl From<EntityId> for Object {
    fn from(id: EntityId) -> Self {
        Object::Node(Node::Entity(id))
    }
}

impl From<StatementId> for Object {
    fn from(id: StatementId) -> Self {
        Object::Node(Node::Statement(id))
    }
}

impl From<Value> for Object {
    fn from(v: Value) -> Self {
        Object::Literal(v)
    }
}

impl Object {
    /// The node, when the object is one.
    pub fn node(&self) -> Option<Node> {
        match self {
            Object::Node(n) => Some(*n),
            Object::Literal(_) => None,
        }
    }
}

/// Qualifiers of a statement (date, count, charge, place, modality, …), ordered by key
/// so that equal qualifier sets encode identically.
pub type Qualifiers = BTreeMap<String, Value>;

/// The entities qualifiers name as participants (`Value::Entity`), each once, in
/// the order of their keys.
pub fn participants(qualifiers: &Qualifiers) -> Vec<EntityId> {
    let mut out: Vec<EntityId> = Vec::new();
    for v in qualifiers.values() {
        if let Value::Entity(e) = v {
            if !out.contains(e) {
                out.push(*e);
            }
        }
    }
    out
}

/// Typed properties of an entity.
pub type Properties = BTreeMap<String, Value>;

/// One spelling of an entity's name and the documents that use it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    /// The spelling as written.
    pub text: String,
    /// The documents in which this spelling occurs (sorted, no duplicates).
    pub documents: Vec<EntityId>,
}

/// A thing in the world, or a document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id.
    pub id: EntityId,
    /// The canonical name.
    pub name: String,
    /// The kind: Person, Organization, Country, Place, Event, Concept, Document, …
    pub kind: String,
    /// Every other spelling (the canonical name may appear too, to record its documents).
    pub aliases: Vec<Alias>,
    /// Typed properties. Documents carry `outlet`, `title`, `published`.
    pub properties: Properties,
}

/// The kind name documents carry.
pub const DOCUMENT_KIND: &str = "Document";

/// The labels a kind stands for: a kind is one word (`Person`) or, for a node given
/// several labels in openCypher, the words joined by `:` (`Person:Official`); the
/// kind lists index an entity under each.
pub fn kind_labels(kind: &str) -> impl Iterator<Item = &str> {
    kind.split(':')
}

/// Whether a kind has every label of `wanted` (a kind too: a label, or labels joined by
/// `:`).
pub fn has_labels(kind: &str, wanted: &str) -> bool {
    kind_labels(wanted).all(|w| kind_labels(kind).any(|l| l == w))
}

impl Entity {
    /// True for documents, the entities evidence points into.
    pub fn is_document(&self) -> bool {
        self.kind == DOCUMENT_KIND
    }

    /// Every spelling of this entity: the canonical name, then the aliases.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        // An unnamed entity (name "") has only its aliases.
        std::iter::once(self.name.as_str())
            .filter(|n| !n.is_empty())
            .chain(self.aliases.iter().map(|a| a.text.as_str()))
    }
}

/// One citation of a statement: where it was said, in which words, credited to whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The document (an entity of kind Document).
    pub document: EntityId,
    /// The verbatim words of the document.
    pub quote: String,
    /// Character offsets `[start, end)` of the quote in the document's text, when known.
    pub span: Option<(u32, u32)>,
    /// To whom the document credits the claim; `None` is the document's own voice.
    pub attribution: Option<EntityId>,
}

/// A claim: subject, relation, object, qualifiers, and the evidence for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Stable id.
    pub id: StatementId,
    /// What the statement is about.
    pub subject: Node,
    /// The relation name, e.g. `accused`, `reported-by`.
    pub relation: String,
    /// The object.
    pub object: Object,
    /// Qualifiers, part of the statement's identity.
    pub qualifiers: Qualifiers,
    /// At least one citation.
    pub evidence: Vec<Evidence>,
}

/// The content of a new statement, before it has an id.
#[derive(Clone, Debug, PartialEq)]
pub struct NewStatement {
    /// What the statement is about.
    pub subject: Node,
    /// The relation name.
    pub relation: String,
    /// The object.
    pub object: Object,
    /// Qualifiers.
    pub qualifiers: Qualifiers,
    /// At least one citation; an empty list is refused.
    pub evidence: Vec<Evidence>,
}

impl NewStatement {
    /// A statement with no qualifiers and one piece of evidence.
    pub fn new(
        subject: impl Into<Node>,
        relation: impl Into<String>,
        object: impl Into<Object>,
        evidence: Evidence,
    ) -> NewStatement {
        NewStatement {
            subject: subject.into(),
            relation: relation.into(),
            object: object.into(),
            qualifiers: Qualifiers::new(),
            evidence: vec![evidence],
        }
    }

    /// Adds a qualifier.
    pub fn qualifier(mut self, key: impl Into<String>, value: impl Into<Value>) -> NewStatement {
        self.qualifiers.insert(key.into(), value.into());
        self
    }
}

impl Evidence {
    /// Evidence in the document's own voice, offsets unknown.
    pub fn new(document: EntityId, quote: impl Into<String>) -> Evidence {
        Evidence { document, quote: quote.into(), span: None, attribution: None }
    }

    /// Credits the claim to someone.
    pub fn by(mut self, attribution: EntityId) -> Evidence {
        self.attribution = Some(attribution);
        self
    }
}

/// Which end of a statement a node is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Direction {
    /// The node is the subject.
    Out,
    /// The node is the object.
    In,
}

/// A limit on names and quotes so a user cannot make a single record unbounded.
pub const MAX_TEXT_LEN: usize = 64 * 1024;
/// A limit on a document's text.
pub const MAX_DOCUMENT_LEN: usize = 16 * 1024 * 1024;
/// A limit on a temporal value's text (the longest, a date-time with a zone's name,
/// is under 70 bytes).
pub const MAX_TEMPORAL_LEN: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_are_the_entity_values_each_once_in_key_order() {
        let q = Qualifiers::from([
            ("to".into(), Value::Str("ease sanctions".into())),
            ("for".into(), Value::Entity(EntityId(7))),
            ("addressee".into(), Value::Entity(EntityId(3))),
            ("over".into(), Value::Entity(EntityId(7))),
        ]);
        assert_eq!(participants(&q), [EntityId(3), EntityId(7)], "addressee, then for; text is no participant");
        assert!(participants(&Qualifiers::new()).is_empty());
    }

    #[test]
    fn an_entity_value_encodes_after_every_older_variant() {
        // Records written before participants keep their encoding: the new variant is
        // last, so the tags of the others are unchanged.
        let list = postcard::to_allocvec(&Value::List(Vec::new())).unwrap();
        let entity = postcard::to_allocvec(&Value::Entity(EntityId(1))).unwrap();
        assert_eq!(entity[0], list[0] + 1);
    }
}
