//! `Params`: the values of a query's `$name` parameters, given beside the query so that
//! untrusted text (a user's search, a quote from a feed) is never spliced into it.

use std::collections::BTreeMap;

use factgraph_store::Value;
use factgraph_syntax::ast::{Date, Literal};

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
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }

    /// These parameters with `name` set to `value`.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Value>) -> Params {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value`, replacing any value it had.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.values.insert(name.into(), value.into());
    }

    /// Removes `name`; its value, if it had one.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.values.remove(name)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Every parameter, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values as the parser takes them.
    pub(crate) fn to_syntax(&self) -> factgraph_syntax::Params {
        self.values
            .iter()
            .filter_map(|(k, v)| {
                let literal = match v {
                    Value::Str(s) => Literal::Str(s.clone()),
                    Value::Int(i) => Literal::Int(*i),
                    Value::Float(x) => Literal::Float(*x),
                    Value::Bool(b) => Literal::Bool(*b),
                    Value::Date(d) => Literal::Date(Date { year: d.year, month: d.month, day: d.day }),
                    Value::Temporal(t) => Literal::Temporal(super::temporal::kind_word(t.kind).into(), t.text.clone()),
                    // The parser takes parameters as literals, and has no list literal:
                    // a list parameter is not given (the query says it is missing).
                    // Nor an entity: a parameter names one by its name.
                    Value::List(_) | Value::Entity(_) => return None,
                };
                Some((k.clone(), literal))
            })
            .collect()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Params {
        Params { values: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }
}
