//! `Params`: the values of a query's `$name` parameters, given beside the query so that
//! untrusted text (a user's search, a quote from a feed) is never spliced into it.

use std::collections::BTreeMap;

use factgraph_store::Value;
use factgraph_syntax::ast::{Date, Literal, ParamValue};

/// A parameter's value: a value a property may hold ([`Value`]: text, numbers,
/// booleans, dates and other temporal values, lists of them), null, or a list or map
/// of parameter values, nested as deep as the language's own (64 levels).
///
/// ```
/// use factgraph::{Graph, Param, Params};
/// let graph = Graph::in_memory()?;
/// graph.query("create (:P {name: 'Ada'}), (:P {name: 'Bo'}), (:P {name: 'Cy'})")?;
/// let params = Params::new()
///     .set("names", vec![Param::from("Ada"), Param::from("Cy")])
///     .set("none", Param::Null);
/// let answer = graph.query_params(
///     "match (p:P) where p.name in $names return count(*), $none is null",
///     &params,
///     &factgraph::Limits::default(),
/// )?;
/// assert_eq!(answer[0].rows[0].cells[0].to_string(), "2");
/// # Ok::<(), factgraph::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Param {
    /// `null`.
    Null,
    /// A value.
    Value(Value),
    /// A list.
    List(Vec<Param>),
    /// A map.
    Map(BTreeMap<String, Param>),
}

/// A list value becomes a list parameter (`Param::List`), so that one list has one
/// shape whichever way it was made.
impl From<Value> for Param {
    fn from(v: Value) -> Param {
        match v {
            Value::List(items) => Param::List(items.into_iter().map(Param::from).collect()),
            other => Param::Value(other),
        }
    }
}

/// The values that convert into a [`Value`] convert into a parameter too (spelt out:
/// a blanket conversion would collide with lists and maps).
macro_rules! param_from_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Param {
            fn from(v: $t) -> Param {
                Param::Value(Value::from(v))
            }
        }
    )*};
}
param_from_value!(&str, String, i64, bool, factgraph_store::Date);

impl From<f64> for Param {
    fn from(x: f64) -> Param {
        Param::Value(Value::Float(x))
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Param {
        v.map_or(Param::Null, Into::into)
    }
}

impl From<Vec<Param>> for Param {
    fn from(items: Vec<Param>) -> Param {
        Param::List(items)
    }
}

impl From<BTreeMap<String, Param>> for Param {
    fn from(entries: BTreeMap<String, Param>) -> Param {
        Param::Map(entries)
    }
}

impl Param {
    /// The name of the value's type: "string", "integer", …, "null", "list", "map".
    pub fn type_name(&self) -> &'static str {
        match self {
            Param::Null => "null",
            Param::Value(v) => v.type_name(),
            Param::List(_) => "list",
            Param::Map(_) => "map",
        }
    }

    /// The value as the parser takes it; `None` for what no query can hold (an
    /// entity, which a parameter names by its name instead).
    fn to_syntax(&self) -> Option<ParamValue> {
        Some(match self {
            Param::Null => ParamValue::Null,
            Param::Value(v) => value_to_syntax(v)?,
            Param::List(items) => ParamValue::List(items.iter().map(Param::to_syntax).collect::<Option<_>>()?),
            Param::Map(entries) => {
                ParamValue::Map(entries.iter().map(|(k, v)| Some((k.clone(), v.to_syntax()?))).collect::<Option<_>>()?)
            }
        })
    }
}

/// As openCypher writes a value: a top-level text as it is, text inside a list or
/// map in quotes (`['a', 1]`, `{k: 'v'}`), `null`.
impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn inner(p: &Param, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match p {
                Param::Value(Value::Str(s)) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
                other => other.fmt(f),
            }
        }
        match self {
            Param::Null => f.write_str("null"),
            Param::Value(v) => v.fmt(f),
            Param::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    inner(v, f)?;
                }
                f.write_str("]")
            }
            Param::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: ")?;
                    inner(v, f)?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A value as the parser takes it.
fn value_to_syntax(v: &Value) -> Option<ParamValue> {
    Some(ParamValue::Literal(match v {
        Value::Str(s) => Literal::Str(s.clone()),
        Value::Int(i) => Literal::Int(*i),
        Value::Float(x) => Literal::Float(*x),
        Value::Bool(b) => Literal::Bool(*b),
        Value::Date(d) => Literal::Date(Date { year: d.year, month: d.month, day: d.day }),
        Value::Temporal(t) => Literal::Temporal(super::temporal::kind_word(t.kind).into(), t.text.clone()),
        Value::List(items) => return Some(ParamValue::List(items.iter().map(value_to_syntax).collect::<Option<_>>()?)),
        // A parameter names an entity by its name.
        Value::Entity(_) => return None,
    }))
}

/// Parameter values by name (without the `$`).
///
/// ```
/// use factgraph::{Graph, Limits, Params};
/// let graph = Graph::in_memory()?;
/// graph.query("entity \"O'Brien \\\"the elder\\\"\": Person")?;
/// let params = Params::new().set("who", "O'Brien \"the elder\"");
/// let answer = &graph.query_params("describe $who", &params, &Limits::default())?[0];
/// assert!(!answer.rows.is_empty());
/// # Ok::<(), factgraph::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, Param>,
}

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }

    /// These parameters with `name` set to `value`.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Param>) -> Params {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value`, replacing any value it had.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Param>) {
        self.values.insert(name.into(), value.into());
    }

    /// Removes `name`; its value, if it had one.
    pub fn remove(&mut self, name: &str) -> Option<Param> {
        self.values.remove(name)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.values.get(name)
    }

    /// Every parameter, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many there are.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The first parameter `text` uses (`$name`) that holds an entity anywhere, which
    /// no query can take as a value (a parameter names an entity by its name): its
    /// name, for an error that says so rather than that no value was given.
    pub(crate) fn entity_used_in(&self, text: &str) -> Option<(&str, factgraph_syntax::ast::Span)> {
        self.values.iter().find_map(|(name, value)| {
            if value.to_syntax().is_some() {
                return None;
            }
            let written = format!("${name}");
            let (at, _) = text
                .match_indices(&written)
                .find(|(at, m)| !text[at + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))?;
            Some((name.as_str(), factgraph_syntax::ast::Span::new(at, at + written.len())))
        })
    }

    /// The values as the parser takes them. One that no query can hold (an entity) is
    /// not given (`entity_used_in` says which a text uses).
    pub(crate) fn to_syntax(&self) -> factgraph_syntax::Params {
        self.values.iter().filter_map(|(k, v)| Some((k.clone(), v.to_syntax()?))).collect()
    }
}

impl<K: Into<String>, V: Into<Param>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Params {
        Params { values: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}
