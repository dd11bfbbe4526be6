//! The TCK's values: expected cells are parsed from the feature files' notation
//! (`1`, `1.5`, `'text'`, `[1, 2]`, `{k: 1}`, `(:A {name: 'a'})`, `[:T {w: 1}]`,
//! `<(:A)-[:T]->(:B)>`), our cells are converted, and both compare as `Val`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use factgraph::{Cell, Param, Value};

/// A value as the TCK means it.
#[derive(Clone, Debug)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    Node {
        labels: BTreeSet<String>,
        props: BTreeMap<String, Val>,
    },
    Rel {
        rel_type: String,
        props: BTreeMap<String, Val>,
    },
    /// A path, kept as its canonical text: nothing of ours produces one yet.
    Path(String),
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        self.to_string() == other.to_string()
    }
}

fn write_map(f: &mut fmt::Formatter<'_>, m: &BTreeMap<String, Val>) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k}: {v}")?;
    }
    f.write_str("}")
}

/// The canonical text: maps sorted by key, floats with a fraction, strings quoted.
impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Null => f.write_str("null"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Float(x) if x.is_nan() => f.write_str("NaN"),
            Val::Float(x) if x.is_infinite() => f.write_str(if *x > 0.0 { "Inf" } else { "-Inf" }),
            Val::Float(x) => write!(f, "{x:?}"),
            Val::Str(s) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Val::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Val::Map(m) => write_map(f, m),
            Val::Node { labels, props } => {
                f.write_str("(")?;
                for l in labels {
                    write!(f, ":{l}")?;
                }
                if !props.is_empty() {
                    if !labels.is_empty() {
                        f.write_str(" ")?;
                    }
                    write_map(f, props)?;
                }
                f.write_str(")")
            }
            Val::Rel { rel_type, props } => {
                write!(f, "[:{rel_type}")?;
                if !props.is_empty() {
                    f.write_str(" ")?;
                    write_map(f, props)?;
                }
                f.write_str("]")
            }
            Val::Path(p) => write!(f, "<{p}>"),
        }
    }
}

impl Val {
    /// The same value with every list sorted (for "ignoring element order for lists").
    pub fn lists_sorted(&self) -> Val {
        match self {
            Val::List(items) => {
                let mut items: Vec<Val> = items.iter().map(Val::lists_sorted).collect();
                items.sort_by_key(|v| v.to_string());
                Val::List(items)
            }
            Val::Map(m) => Val::Map(m.iter().map(|(k, v)| (k.clone(), v.lists_sorted())).collect()),
            other => other.clone(),
        }
    }
}

/// Our cell as a TCK value. Entities are nodes labelled with their kind, carrying their
/// name (if they have one) and properties; statements are relationships typed by their
/// relation, carrying their qualifiers.
pub fn from_cell(c: &Cell) -> Val {
    match c {
        Cell::Null => Val::Null,
        // An unnamed entity (`create ()`) has no name property, and one created without
        // a label has the kind `Thing`, which is no label.
        Cell::Entity { name, kind, properties, .. } => {
            let mut props: BTreeMap<String, Val> = properties.iter().map(|(k, v)| (k.clone(), from_value(v))).collect();
            if !name.is_empty() {
                props.insert("name".to_owned(), Val::Str(name.to_string()));
            }
            // Several labels are one kind, joined by `:`.
            let labels =
                if &**kind == "Thing" { BTreeSet::new() } else { kind.split(':').map(str::to_owned).collect() };
            Val::Node { labels, props }
        }
        Cell::Statement { relation, qualifiers, .. } => Val::Rel {
            rel_type: relation.to_string(),
            props: qualifiers.iter().map(|(k, v)| (k.clone(), from_value(v))).collect(),
        },
        Cell::Value { value } => from_value(value),
        Cell::Text { text } => Val::Str(text.to_string()),
        Cell::List { items } => Val::List(items.iter().map(from_cell).collect()),
        Cell::Map { entries } => Val::Map(entries.iter().map(|(k, v)| (k.clone(), from_cell(v))).collect()),
        Cell::Path(p) if p.nodes.is_empty() => Val::Path(p.steps.join(" ")),
        Cell::Path(p) => {
            let factgraph::PathCell { nodes, relationships, forward, .. } = &**p;
            let mut text = from_cell(&nodes[0]).to_string();
            for (i, r) in relationships.iter().enumerate() {
                text.push_str(&arrowed(&from_cell(r).to_string(), forward[i]));
                text.push_str(&from_cell(&nodes[i + 1]).to_string());
            }
            Val::Path(text)
        }
    }
}

/// A relationship between two path nodes, with its arrow: `-[:T]->` or `<-[:T]-`.
fn arrowed(rel: &str, forwards: bool) -> String {
    if forwards {
        format!("-{rel}->")
    } else {
        format!("<-{rel}-")
    }
}

fn from_value(v: &Value) -> Val {
    match v {
        Value::Str(s) => Val::Str(s.clone()),
        Value::Int(i) => Val::Int(*i),
        Value::Float(x) => Val::Float(*x),
        Value::Bool(b) => Val::Bool(*b),
        Value::Date(d) => Val::Str(d.to_string()),
        // The TCK writes temporal values as their text.
        Value::Temporal(t) => Val::Str(t.text.clone()),
        Value::List(items) => Val::List(items.iter().map(from_value).collect()),
        // The TCK's graphs have no participants (only `assert` writes them).
        Value::Entity(e) => Val::Str(e.to_string()),
    }
}

/// A TCK scalar as a parameter value; `None` for what our parameters cannot hold.
pub fn to_param(v: &Val) -> Option<Param> {
    Some(match v {
        Val::Null => Param::Null,
        Val::Bool(b) => Param::from(*b),
        Val::Int(i) => Param::from(*i),
        Val::Float(x) => Param::from(*x),
        Val::Str(s) => Param::from(s.as_str()),
        Val::List(items) => Param::List(items.iter().map(to_param).collect::<Option<_>>()?),
        Val::Map(entries) => {
            Param::Map(entries.iter().map(|(k, v)| Some((k.clone(), to_param(v)?))).collect::<Option<_>>()?)
        }
        _ => return None,
    })
}

/// Parses a TCK value; `Err` says where it could not.
pub fn parse(text: &str) -> Result<Val, String> {
    let mut p = P { s: text.as_bytes(), at: 0, text };
    let v = p.value()?;
    p.ws();
    if p.at != p.s.len() {
        return Err(format!("trailing text in {text:?} at {}", p.at));
    }
    Ok(v)
}

struct P<'a> {
    s: &'a [u8],
    at: usize,
    text: &'a str,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {:?} at {} in {:?}", c as char, self.at, self.text))
        }
    }

    fn word(&mut self) -> String {
        self.ws();
        if self.s.get(self.at) == Some(&b'`') {
            let start = self.at + 1;
            let end = self.s[start..].iter().position(|&c| c == b'`').map_or(self.s.len(), |e| start + e);
            self.at = (end + 1).min(self.s.len());
            return self.text[start..end].to_owned();
        }
        let start = self.at;
        while self.at < self.s.len() && (self.s[self.at].is_ascii_alphanumeric() || self.s[self.at] == b'_') {
            self.at += 1;
        }
        self.text[start..self.at].to_owned()
    }

    fn map(&mut self) -> Result<BTreeMap<String, Val>, String> {
        self.expect(b'{')?;
        let mut m = BTreeMap::new();
        if self.eat(b'}') {
            return Ok(m);
        }
        loop {
            let k = self.word();
            self.expect(b':')?;
            let v = self.value()?;
            m.insert(k, v);
            if self.eat(b'}') {
                return Ok(m);
            }
            self.expect(b',')?;
        }
    }

    fn value(&mut self) -> Result<Val, String> {
        match self.peek() {
            None => Err(format!("a value is missing in {:?}", self.text)),
            Some(b'[') if self.s.get(self.at + 1) == Some(&b':') => {
                self.at += 2;
                let rel_type = self.word();
                let props = if self.peek() == Some(b'{') { self.map()? } else { BTreeMap::new() };
                self.expect(b']')?;
                Ok(Val::Rel { rel_type, props })
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Val::List(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b']') {
                        return Ok(Val::List(items));
                    }
                    self.expect(b',')?;
                }
            }
            Some(b'{') => Ok(Val::Map(self.map()?)),
            Some(b'(') => {
                self.at += 1;
                let mut labels = BTreeSet::new();
                while self.eat(b':') {
                    labels.insert(self.word());
                }
                let props = if self.peek() == Some(b'{') { self.map()? } else { BTreeMap::new() };
                self.expect(b')')?;
                Ok(Val::Node { labels, props })
            }
            Some(b'<') => {
                // A path: node, then (arrow, relationship, arrow, node)…, kept as the
                // canonical text of its parts (maps sorted), so that ours compares.
                self.at += 1;
                let mut text = self.value()?.to_string();
                loop {
                    self.ws();
                    if self.eat(b'>') {
                        break;
                    }
                    let backwards = self.eat(b'<');
                    self.expect(b'-')?;
                    let rel = self.value()?;
                    self.expect(b'-')?;
                    let forwards = self.eat(b'>');
                    let node = self.value()?;
                    text.push_str(&arrowed(&rel.to_string(), forwards && !backwards));
                    text.push_str(&node.to_string());
                }
                Ok(Val::Path(text))
            }
            Some(b'\'') => {
                self.at += 1;
                let mut out = String::new();
                let mut chars = self.text[self.at..].char_indices();
                loop {
                    let Some((i, c)) = chars.next() else {
                        return Err(format!("an unclosed string in {:?}", self.text));
                    };
                    match c {
                        '\\' => match chars.next() {
                            Some((_, 'n')) => out.push('\n'),
                            Some((_, 't')) => out.push('\t'),
                            Some((_, other)) => out.push(other),
                            None => return Err("a string ends in a backslash".into()),
                        },
                        '\'' => {
                            self.at += i + 1;
                            return Ok(Val::Str(out));
                        }
                        c => out.push(c),
                    }
                }
            }
            Some(_) => {
                let start = self.at;
                while self.at < self.s.len() && !matches!(self.s[self.at], b',' | b']' | b'}' | b')') {
                    self.at += 1;
                }
                let token = self.text[start..self.at].trim();
                match token {
                    "null" => Ok(Val::Null),
                    "true" => Ok(Val::Bool(true)),
                    "false" => Ok(Val::Bool(false)),
                    "NaN" => Ok(Val::Float(f64::NAN)),
                    "Inf" | "Infinity" => Ok(Val::Float(f64::INFINITY)),
                    "-Inf" | "-Infinity" => Ok(Val::Float(f64::NEG_INFINITY)),
                    t => {
                        if let Ok(i) = t.parse::<i64>() {
                            Ok(Val::Int(i))
                        } else if let Ok(x) = t.parse::<f64>() {
                            Ok(Val::Float(x))
                        } else {
                            Err(format!("{t:?} is not a value"))
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn tck_values_parse_and_print_canonically() {
    for (text, canonical) in [
        ("1", "1"),
        ("-1.50", "-1.5"),
        ("'it\\'s'", "'it\\'s'"),
        ("[1, 'a', null]", "[1, 'a', null]"),
        ("{b: 2, a: [true]}", "{a: [true], b: 2}"),
        ("(:B:A {name: 'n'})", "(:A:B {name: 'n'})"),
        ("({numbers: [1, 2, 3]})", "({numbers: [1, 2, 3]})"),
        ("[:T {w: 1}]", "[:T {w: 1}]"),
        ("<(:A)-[:T]->(:B)>", "<(:A)-[:T]->(:B)>"),
        ("NaN", "NaN"),
    ] {
        assert_eq!(parse(text).unwrap().to_string(), canonical, "{text}");
    }
    assert!(parse("[1, 2").is_err());
    assert_eq!(parse("[2, 1]").unwrap().lists_sorted(), parse("[1, 2]").unwrap());
}
