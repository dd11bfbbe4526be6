//! Procedures that a query's `call` runs: a dotted name, typed inputs and outputs, and
//! a body that turns the arguments into rows. An embedding program registers its own
//! (`Graph::register_procedure`); the graph has a few of its own (`db.labels`,
//! `db.relationshipTypes`, `db.propertyKeys`, `dbms.procedures`). The planner checks a call against the signature (the
//! number of arguments, the type of a literal one, the fields yielded); the executor
//! checks every argument and every row against it again, so a body sees only the
//! values its signature promises and a query only the fields it declares.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{Error, QueryError};
use crate::Param;
use factgraph_store::Value;

/// The type of a procedure's input or output. Each also admits null (openCypher's
/// `INTEGER?`), which a body sees as [`Param::Null`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// Any value.
    Any,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// A floating-point number; a whole number given for one becomes one.
    Float,
    /// A whole or floating-point number, as given.
    Number,
    /// Text.
    String,
    /// A list.
    List,
    /// A map.
    Map,
}

impl FieldType {
    /// openCypher's name for the type (`INTEGER`).
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Any => "ANY",
            FieldType::Boolean => "BOOLEAN",
            FieldType::Integer => "INTEGER",
            FieldType::Float => "FLOAT",
            FieldType::Number => "NUMBER",
            FieldType::String => "STRING",
            FieldType::List => "LIST",
            FieldType::Map => "MAP",
        }
    }

    /// `value` as this type holds it (an integer given for a float becomes one), or
    /// `None` when it is not of this type. Null is of every type.
    pub(crate) fn admit(self, value: Param) -> Option<Param> {
        let fits = match (&value, self) {
            (Param::Null, _) | (_, FieldType::Any) => true,
            (Param::Value(Value::Int(i)), FieldType::Float) => return Some(Param::Value(Value::Float(*i as f64))),
            (Param::Value(Value::Bool(_)), FieldType::Boolean)
            | (Param::Value(Value::Int(_)), FieldType::Integer | FieldType::Number)
            | (Param::Value(Value::Float(_)), FieldType::Float | FieldType::Number)
            | (Param::Value(Value::Str(_)), FieldType::String)
            | (Param::List(_) | Param::Value(Value::List(_)), FieldType::List)
            | (Param::Map(_), FieldType::Map) => true,
            _ => false,
        };
        fits.then_some(value)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// openCypher's spelling of a type, as a procedure's signature gives it: `INTEGER`,
/// `INTEGER?` (every type here admits null), `LIST OF STRING` (a list, of anything),
/// `MAP`; case does not matter.
impl std::str::FromStr for FieldType {
    type Err = String;

    fn from_str(s: &str) -> Result<FieldType, String> {
        let t = s.trim().trim_end_matches('?').trim().to_ascii_uppercase();
        // `LIST`, `LIST OF T`, `LIST<T>`: a list, whatever its items.
        let list = t.strip_prefix("LIST").map(|rest| rest.trim_start_matches('?').trim_start());
        if list.is_some_and(|rest| rest.is_empty() || rest.starts_with("OF ") || rest.starts_with('<')) {
            return Ok(FieldType::List);
        }
        Ok(match t.as_str() {
            "ANY" => FieldType::Any,
            "BOOLEAN" => FieldType::Boolean,
            "INTEGER" => FieldType::Integer,
            "FLOAT" => FieldType::Float,
            "NUMBER" => FieldType::Number,
            "STRING" => FieldType::String,
            "MAP" => FieldType::Map,
            _ => return Err(format!("no type is called {s:?}")),
        })
    }
}

/// What a procedure's body gives: its rows, each with one value per output in the
/// order of the outputs; or why it failed, in words.
pub type ProcedureRows = std::result::Result<Vec<Vec<Param>>, String>;

/// A body: the arguments, one per input in order, each of the input's type.
type Body = dyn Fn(&[Param]) -> ProcedureRows + Send + Sync;

/// What a procedure runs.
#[derive(Clone)]
pub(crate) enum Run {
    /// A body given by the program that registered it.
    Rows(Arc<Body>),
    /// `db.labels()`: every label a node has.
    Labels,
    /// `db.relationshipTypes()`: every type a relationship has.
    RelationshipTypes,
    /// `db.propertyKeys()`: every property key a node or relationship has had.
    PropertyKeys,
    /// `dbms.procedures()`: every procedure's name and signature, made with the set
    /// it lists (`Procedures::listed`).
    Listing(Arc<Vec<Vec<Param>>>),
}

/// A procedure a query can `call`: its name (words joined by dots, `my.lookup`), its
/// inputs and outputs, each a name and a type, and its body.
///
/// ```
/// use factgraph::{FieldType, Graph, Param, Procedure};
/// let graph = Graph::in_memory()?;
/// let squares = Procedure::new(
///     "my.squares",
///     [("upTo", FieldType::Integer)],
///     [("n", FieldType::Integer), ("square", FieldType::Integer)],
///     |args| {
///         let Param::Value(factgraph::Value::Int(up_to)) = args[0] else { return Ok(Vec::new()) };
///         Ok((1..=up_to.min(1000)).map(|n| vec![Param::from(n), Param::from(n * n)]).collect())
///     },
/// )?;
/// graph.register_procedure(squares);
/// let answer = graph.query("call my.squares(3) yield square where square > 1 return collect(square)")?;
/// assert_eq!(answer[0].rows[0].cells[0].to_string(), "[4, 9]");
/// # Ok::<(), factgraph::Error>(())
/// ```
#[derive(Clone)]
pub struct Procedure {
    name: String,
    inputs: Vec<(String, FieldType)>,
    outputs: Vec<(String, FieldType)>,
    run: Run,
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.signature())
    }
}

/// Two procedures are the same when they have the same signature and the same body.
impl PartialEq for Procedure {
    fn eq(&self, other: &Procedure) -> bool {
        let same_run = match (&self.run, &other.run) {
            (Run::Rows(a), Run::Rows(b)) => Arc::ptr_eq(a, b),
            (Run::Labels, Run::Labels)
            | (Run::RelationshipTypes, Run::RelationshipTypes)
            | (Run::PropertyKeys, Run::PropertyKeys) => true,
            (Run::Listing(a), Run::Listing(b)) => a == b,
            _ => false,
        };
        same_run && self.name == other.name && self.inputs == other.inputs && self.outputs == other.outputs
    }
}

/// Whether `s` can be one dotted part of a procedure's or a field's name as the
/// language writes it unquoted: a letter or `_`, then letters, digits and `_`.
fn plain_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

impl Procedure {
    /// No inputs, or no outputs: `Procedure::new("my.now", Procedure::NO_FIELDS, …)`.
    pub const NO_FIELDS: [(&'static str, FieldType); 0] = [];

    /// A procedure called `name`, taking `inputs` and giving rows of `outputs`, each
    /// row made by `body` from the arguments (one per input, in order, each of its
    /// type or null). A procedure with no outputs gives no rows: a call of it passes
    /// each row of its query on once. Refused when the name is not words joined by
    /// dots, or two inputs or two outputs share a name.
    ///
    /// Procedures take and give values, never nodes: a row holding an entity
    /// (`Value::Entity`) fails the call. The body runs once per row of the query that
    /// calls it, to its end: its rows are all made before the first goes on (a
    /// `limit` after the call does not stop it early), they count against the
    /// query's memory budget, and the query's deadline and cancellation are checked
    /// between rows, not inside the body, which should bound its own work. A body
    /// that panics fails the query.
    pub fn new<I, O, N, M>(
        name: impl Into<String>,
        inputs: I,
        outputs: O,
        body: impl Fn(&[Param]) -> ProcedureRows + Send + Sync + 'static,
    ) -> crate::Result<Procedure>
    where
        I: IntoIterator<Item = (N, FieldType)>,
        O: IntoIterator<Item = (M, FieldType)>,
        N: Into<String>,
        M: Into<String>,
    {
        let name = name.into();
        let inputs: Vec<(String, FieldType)> = inputs.into_iter().map(|(n, t)| (n.into(), t)).collect();
        let outputs: Vec<(String, FieldType)> = outputs.into_iter().map(|(n, t)| (n.into(), t)).collect();
        let bad = |reason: String| -> Error { QueryError::BadProcedure { name: name.clone(), reason }.into() };
        if !name.split('.').all(plain_name) {
            return Err(bad("its name must be words of letters, digits and `_` joined by dots (`my.lookup`)".into()));
        }
        for (what, fields) in [("input", &inputs), ("output", &outputs)] {
            for (i, (field, _)) in fields.iter().enumerate() {
                if !plain_name(field) {
                    return Err(bad(format!(
                        "the {what} {field:?} must be a word of letters, digits and `_` (a variable can be bound to it)"
                    )));
                }
                if fields[..i].iter().any(|(f, _)| f == field) {
                    return Err(bad(format!("two {what}s are called `{field}`")));
                }
            }
        }
        Ok(Procedure { name, inputs, outputs, run: Run::Rows(Arc::new(body)) })
    }

    /// Its name (`my.lookup`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its inputs, in the order a call gives its arguments.
    pub fn inputs(&self) -> &[(String, FieldType)] {
        &self.inputs
    }

    /// Its outputs: the fields of each row, in order.
    pub fn outputs(&self) -> &[(String, FieldType)] {
        &self.outputs
    }

    /// Its signature as openCypher writes one: `my.lookup(name :: STRING?) :: (id ::
    /// INTEGER?)`.
    pub fn signature(&self) -> String {
        let fields =
            |fs: &[(String, FieldType)]| fs.iter().map(|(n, t)| format!("{n} :: {t}?")).collect::<Vec<_>>().join(", ");
        format!("{}({}) :: ({})", self.name, fields(&self.inputs), fields(&self.outputs))
    }

    pub(crate) fn run(&self) -> &Run {
        &self.run
    }

    /// Whether it gives the same rows wherever a query calls it: the graph's own, which
    /// take no arguments and read the store as the query found it.
    pub(crate) fn fixed(&self) -> bool {
        !matches!(self.run, Run::Rows(_))
    }

    /// The graph's own procedures.
    fn builtins() -> [Procedure; 3] {
        let one = |name: &str, output: &str, run| Procedure {
            name: name.into(),
            inputs: Vec::new(),
            outputs: vec![(output.into(), FieldType::String)],
            run,
        };
        [
            one("db.labels", "label", Run::Labels),
            one("db.relationshipTypes", "relationshipType", Run::RelationshipTypes),
            one("db.propertyKeys", "propertyKey", Run::PropertyKeys),
        ]
    }
}

/// The procedures a graph's queries can call, by name. Queries take the set as it is
/// when they start (an `Arc` of it), so registering one never changes a running query.
#[derive(Clone, Debug)]
pub(crate) struct Procedures {
    by_name: BTreeMap<String, Arc<Procedure>>,
}

impl Default for Procedures {
    fn default() -> Procedures {
        let by_name = Procedure::builtins().into_iter().map(|p| (p.name.clone(), Arc::new(p))).collect();
        Procedures::listed(by_name, true)
    }
}

/// The name of the procedure that lists the others.
const LISTING: &str = "dbms.procedures";

impl Procedures {
    /// The procedure called `name` (names are compared as written).
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<Procedure>> {
        self.by_name.get(name)
    }

    /// Every procedure, by name.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<Procedure>> {
        self.by_name.values()
    }

    /// The set with `p` added, in place of any of its name.
    pub(crate) fn with(&self, p: Procedure) -> Procedures {
        let mut by_name = self.by_name.clone();
        by_name.insert(p.name.clone(), Arc::new(p));
        // The listing is the graph's own until a program registers one of its name.
        let own = by_name.get(LISTING).is_some_and(|l| matches!(l.run, Run::Listing(_)));
        Procedures::listed(by_name, own)
    }

    /// `by_name` with `dbms.procedures()` made anew to list it (when `own`: else the
    /// registered one of that name stays).
    fn listed(mut by_name: BTreeMap<String, Arc<Procedure>>, own: bool) -> Procedures {
        if own {
            let listing = |rows| Procedure {
                name: LISTING.into(),
                inputs: Vec::new(),
                outputs: vec![("name".into(), FieldType::String), ("signature".into(), FieldType::String)],
                run: Run::Listing(rows),
            };
            by_name.insert(LISTING.into(), Arc::new(listing(Arc::default())));
            let rows = by_name.values().map(|p| vec![Param::from(p.name.as_str()), Param::from(p.signature())]);
            by_name.insert(LISTING.into(), Arc::new(listing(Arc::new(rows.collect()))));
        }
        Procedures { by_name }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop(_: &[Param]) -> ProcedureRows {
        Ok(Vec::new())
    }

    #[test]
    fn types_are_read_as_opencypher_writes_them() {
        assert_eq!("INTEGER?".parse::<FieldType>(), Ok(FieldType::Integer));
        assert_eq!("string".parse::<FieldType>(), Ok(FieldType::String));
        assert_eq!("LIST? OF INTEGER?".parse::<FieldType>(), Ok(FieldType::List));
        assert!("NODE".parse::<FieldType>().is_err());
        assert!("LISTING".parse::<FieldType>().is_err());
        assert_eq!("LIST<STRING>".parse::<FieldType>(), Ok(FieldType::List));
    }

    #[test]
    fn an_integer_is_admitted_as_a_float_and_text_is_not_a_number() {
        let int = Param::from(42);
        assert_eq!(FieldType::Float.admit(int.clone()), Some(Param::from(42.0)));
        assert_eq!(FieldType::Number.admit(int.clone()), Some(int.clone()));
        assert_eq!(FieldType::Number.admit(Param::from("42")), None);
        assert_eq!(FieldType::Boolean.admit(Param::Null), Some(Param::Null));
    }

    #[test]
    fn a_malformed_name_or_a_repeated_field_is_refused() {
        assert!(Procedure::new("my lookup", [("a", FieldType::Any)], [("b", FieldType::Any)], noop).is_err());
        assert!(Procedure::new("my..lookup", [("a", FieldType::Any)], [("b", FieldType::Any)], noop).is_err());
        let twice =
            Procedure::new("my.p", [("a", FieldType::Any), ("a", FieldType::Any)], [("b", FieldType::Any)], noop);
        assert!(twice.unwrap_err().to_string().contains("two inputs are called `a`"));
        let p = Procedure::new("my.p", [("a", FieldType::Integer)], [("b", FieldType::String)], noop).unwrap();
        assert_eq!(p.signature(), "my.p(a :: INTEGER?) :: (b :: STRING?)");
    }

    #[test]
    fn a_registered_procedure_replaces_one_of_its_name() {
        let first = Procedure::new("my.p", [("a", FieldType::Any)], [("b", FieldType::Any)], noop).unwrap();
        let second = Procedure::new("my.p", Vec::<(String, FieldType)>::new(), [("b", FieldType::Any)], noop).unwrap();
        let set = Procedures::default().with(first).with(second);
        assert!(set.get("my.p").is_some_and(|p| p.inputs().is_empty()));
        assert!(set.get("db.labels").is_some(), "the graph's own stay");
        // The listing is made anew for the set it lists, until one of its name is
        // registered, which then stays.
        let Some(Run::Listing(rows)) = set.get(LISTING).map(|p| p.run.clone()) else { panic!("a listing") };
        assert!(rows.iter().any(|r| r[0] == Param::from("my.p")));
        let mine = Procedure::new(LISTING, Procedure::NO_FIELDS, [("n", FieldType::Any)], noop).unwrap();
        let set =
            set.with(mine).with(Procedure::new("my.q", Procedure::NO_FIELDS, Procedure::NO_FIELDS, noop).unwrap());
        assert!(matches!(set.get(LISTING).map(|p| &p.run), Some(Run::Rows(_))));
    }
}
