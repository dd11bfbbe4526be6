//! What the API says about the graph's things, as plain JSON: result cells and values
//! (strings, numbers and booleans as themselves, not Rust's enum tags), an entity, a
//! statement with its evidence, and the subgraph a query's answers touch as the nodes
//! and edges a graph view draws (`docs/server.md` shows each shape).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use factgraph::{
    Cell, Entity, EntityId, Graph, Node, Object, Param, QueryResult, Row, Statement, StatementId, TemporalKind, Value,
};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map};

use crate::error::ApiError;

type Json = serde_json::Value;

/// A literal as JSON: text and dates as strings, numbers as numbers.
pub(crate) fn value(v: &Value) -> Json {
    match v {
        Value::Str(s) => Json::String(s.clone()),
        Value::Int(i) => json!(i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or_else(|| Json::String(f.to_string()), Json::Number),
        Value::Bool(b) => Json::Bool(*b),
        Value::Date(d) => Json::String(d.to_string()),
        Value::Temporal(t) => Json::String(t.text.clone()),
        Value::List(items) => Json::Array(items.iter().map(value).collect()),
        // A participant without the graph at hand: its id (`named` gives its name).
        Value::Entity(e) => Json::String(e.to_string()),
    }
}

/// Qualifiers as a JSON object, each participant (`Value::Entity`) by its name.
fn named(names: &mut Names<'_>, m: &BTreeMap<String, Value>) -> Result<Json, factgraph::Error> {
    let mut out = Map::new();
    for (k, v) in m {
        let v = match v {
            Value::Entity(e) => Json::String(names.name(*e)?),
            other => value(other),
        };
        out.insert(k.clone(), v);
    }
    Ok(Json::Object(out))
}

/// Properties or qualifiers as a JSON object.
pub(crate) fn map(m: &BTreeMap<String, Value>) -> Json {
    Json::Object(m.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}

/// A literal, serialized as `value` writes it, without building a JSON tree.
struct ValueJson<'a>(&'a Value);

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Str(t) => s.serialize_str(t),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(f) => s.collect_str(f),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Date(d) => s.collect_str(d),
            Value::Temporal(t) => s.serialize_str(&t.text),
            Value::List(items) => s.collect_seq(items.iter().map(ValueJson)),
            Value::Entity(e) => s.collect_str(e),
        }
    }
}

/// Properties or qualifiers, as `map` writes them.
struct MapJson<'a>(&'a BTreeMap<String, Value>);

impl Serialize for MapJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, &ValueJson(v))?;
        }
        m.end()
    }
}

/// A result cell, tagged by `type` as the library's `Cell` is, with values as plain
/// JSON (`docs/server.md`). Answers are written straight from the library's results:
/// a tree of `serde_json::Value`s first would cost more than the query.
pub(crate) struct CellJson<'a>(pub(crate) &'a Cell);

impl Serialize for CellJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            Cell::Null => m.serialize_entry("type", "null")?,
            Cell::Entity { id, name, kind, properties } => {
                m.serialize_entry("type", "entity")?;
                m.serialize_entry("id", &id.0)?;
                m.serialize_entry("name", name)?;
                m.serialize_entry("kind", kind)?;
                if !properties.is_empty() {
                    m.serialize_entry("properties", &MapJson(properties))?;
                }
            }
            Cell::Statement { id, text, relation, qualifiers } => {
                m.serialize_entry("type", "statement")?;
                m.serialize_entry("id", &id.0)?;
                m.serialize_entry("text", text)?;
                m.serialize_entry("relation", relation)?;
                if !qualifiers.is_empty() {
                    m.serialize_entry("qualifiers", &MapJson(qualifiers))?;
                }
            }
            Cell::Value { value } => {
                m.serialize_entry("type", "value")?;
                m.serialize_entry("value", &ValueJson(value))?;
                // JSON has no dates: the value is its ISO text, and this says it is
                // not text (which a list shows in quotes).
                match value {
                    Value::Date(_) => m.serialize_entry("temporal", "date")?,
                    Value::Temporal(t) => m.serialize_entry(
                        "temporal",
                        match t.kind {
                            TemporalKind::Date => "date",
                            TemporalKind::LocalTime => "localtime",
                            TemporalKind::Time => "time",
                            TemporalKind::LocalDateTime => "localdatetime",
                            TemporalKind::DateTime => "datetime",
                            TemporalKind::Duration => "duration",
                        },
                    )?,
                    _ => {}
                }
            }
            Cell::Text { text } => {
                m.serialize_entry("type", "text")?;
                m.serialize_entry("text", text)?;
            }
            Cell::List { items } => {
                m.serialize_entry("type", "list")?;
                m.serialize_entry("items", &cells(items))?;
            }
            Cell::Map { entries } => {
                m.serialize_entry("type", "map")?;
                let pairs: Vec<(&str, CellJson<'_>)> = entries.iter().map(|(k, c)| (k.as_str(), CellJson(c))).collect();
                m.serialize_entry("entries", &pairs)?;
            }
            Cell::Path(p) => {
                let factgraph::PathCell { steps, nodes, relationships, forward } = &**p;
                m.serialize_entry("type", "path")?;
                m.serialize_entry("steps", steps)?;
                m.serialize_entry("nodes", &cells(nodes))?;
                m.serialize_entry("relationships", &cells(relationships))?;
                m.serialize_entry("forward", forward)?;
            }
        }
        m.end()
    }
}

fn cells(items: &[Cell]) -> Vec<CellJson<'_>> {
    items.iter().map(CellJson).collect()
}

/// A result row: its cells, and its evidence when it has any (the library's
/// `Citation` serializes as the API shows it).
pub(crate) struct RowJson<'a>(pub(crate) &'a Row);

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cells", &self.0.cells.iter().map(CellJson).collect::<Vec<_>>())?;
        if !self.0.provenance.is_empty() {
            m.serialize_entry("provenance", &self.0.provenance)?;
        }
        m.end()
    }
}

/// A whole result: columns, rows, whether their order means something, its note.
pub(crate) struct ResultJson<'a>(pub(crate) &'a QueryResult);

impl Serialize for ResultJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("columns", &r.columns)?;
        m.serialize_entry("rows", &r.rows.iter().map(RowJson).collect::<Vec<_>>())?;
        m.serialize_entry("ordered", &r.ordered)?;
        m.serialize_entry("note", &r.note)?;
        m.end()
    }
}

/// An entity, with every spelling and its properties.
pub(crate) fn entity(e: &Entity) -> Json {
    let aliases: Vec<&str> = e.aliases.iter().map(|a| a.text.as_str()).filter(|t| *t != e.name).collect();
    json!({ "id": e.id.0, "name": e.name, "kind": e.kind, "aliases": aliases, "properties": map(&e.properties) })
}

fn entity_ref(e: &Entity) -> Json {
    json!({ "id": e.id.0, "name": e.name, "kind": e.kind })
}

/// Reads entities by id, each once, for one answer.
struct Names<'g> {
    graph: &'g Graph,
    seen: HashMap<EntityId, Option<Entity>>,
}

impl<'g> Names<'g> {
    fn new(graph: &'g Graph) -> Self {
        Names { graph, seen: HashMap::new() }
    }

    fn get(&mut self, id: EntityId) -> Result<Option<&Entity>, factgraph::Error> {
        if !self.seen.contains_key(&id) {
            let e = self.graph.entity(id)?;
            self.seen.insert(id, e);
        }
        Ok(self.seen.get(&id).and_then(Option::as_ref))
    }

    fn name(&mut self, id: EntityId) -> Result<String, factgraph::Error> {
        Ok(self.get(id)?.map_or_else(|| id.to_string(), |e| e.name.clone()))
    }

    /// A document's outlet, unless missing or written as "unknown" (as the showcase
    /// says rather than guess).
    fn outlet(&mut self, doc: EntityId) -> Result<Option<String>, factgraph::Error> {
        Ok(self.get(doc)?.and_then(|d| match d.properties.get("outlet") {
            Some(Value::Str(o)) if !o.trim().is_empty() && !o.trim().eq_ignore_ascii_case("unknown") => Some(o.clone()),
            _ => None,
        }))
    }
}

/// The words a statement's qualifiers use for how sure a source is; see the
/// library's `vocabulary` module.
fn epistemic(st: &Statement) -> (Option<String>, Option<String>, bool, bool) {
    let text = |k: &str| match st.qualifiers.get(k) {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(v) => Some(v.to_string()),
        None => None,
    };
    let modality = text("modality");
    let polarity = text("polarity");
    let hedged = modality.as_deref().is_some_and(|m| !m.eq_ignore_ascii_case("asserted"));
    let negated = polarity.as_deref().is_some_and(|p| !p.eq_ignore_ascii_case("positive"))
        || modality.as_deref().is_some_and(|m| m.starts_with("not ") || m == "denied");
    (modality, polarity, hedged, negated)
}

/// A statement in words, `subject relation object`.
fn statement_text(names: &mut Names<'_>, st: &Statement) -> Result<String, factgraph::Error> {
    let node = |names: &mut Names<'_>, n: &Node| -> Result<String, factgraph::Error> {
        match n {
            Node::Entity(e) => names.name(*e),
            Node::Statement(s) => Ok(format!("({s})")),
        }
    };
    let subject = node(names, &st.subject)?;
    let object = match &st.object {
        Object::Node(n) => node(names, n)?,
        Object::Literal(v) => v.to_string(),
    };
    Ok(format!("{subject} {} {object}", st.relation))
}

/// A statement and all its evidence (`GET /api/statements/{id}`).
pub(crate) fn statement(graph: &Graph, id: StatementId) -> Result<Json, factgraph::Error> {
    let Some(st) = graph.statement(id)? else {
        return Ok(Json::Null);
    };
    let mut names = Names::new(graph);
    let node = |names: &mut Names<'_>, n: &Node| -> Result<Json, factgraph::Error> {
        Ok(match n {
            Node::Entity(e) => match names.get(*e)? {
                Some(e) => entity_ref(e),
                None => json!({ "id": e.0 }),
            },
            Node::Statement(s) => {
                let text = match graph.statement(*s)? {
                    Some(inner) => statement_text(names, &inner)?,
                    None => s.to_string(),
                };
                json!({ "statement": s.0, "text": text })
            }
        })
    };
    let subject = node(&mut names, &st.subject)?;
    let object = match &st.object {
        Object::Node(n) => node(&mut names, n)?,
        Object::Literal(v) => json!({ "value": value(v) }),
    };
    let (modality, polarity, hedged, negated) = epistemic(&st);
    let mut evidence = Vec::new();
    for ev in &st.evidence {
        let document = names.name(ev.document)?;
        let title = names.get(ev.document)?.and_then(|d| match d.properties.get("title") {
            Some(Value::Str(t)) => Some(t.clone()),
            _ => None,
        });
        let outlet = names.outlet(ev.document)?;
        let attribution = match ev.attribution {
            Some(a) => Some(names.name(a)?),
            None => None,
        };
        evidence.push(json!({
            "document": document,
            "document_id": ev.document.0,
            "title": title,
            "outlet": outlet,
            "quote": ev.quote,
            "attribution": attribution,
        }));
    }
    Ok(json!({
        "id": st.id.0,
        "text": statement_text(&mut names, &st)?,
        "subject": subject,
        "relation": st.relation,
        "object": object,
        "qualifiers": named(&mut names, &st.qualifiers)?,
        "modality": modality,
        "polarity": polarity,
        "hedged": hedged,
        "negated": negated,
        "evidence": evidence,
    }))
}

/// The nodes and edges of a graph view, built up from statements and answers.
pub(crate) struct Subgraph<'g> {
    names: Names<'g>,
    nodes: Vec<Json>,
    node_ids: BTreeSet<String>,
    edges: Vec<Json>,
    edge_ids: BTreeSet<String>,
    max_edges: usize,
    truncated: bool,
}

impl<'g> Subgraph<'g> {
    pub(crate) fn new(graph: &'g Graph, max_edges: usize) -> Self {
        Subgraph {
            names: Names::new(graph),
            nodes: Vec::new(),
            node_ids: BTreeSet::new(),
            edges: Vec::new(),
            edge_ids: BTreeSet::new(),
            max_edges,
            truncated: false,
        }
    }

    fn graph(&self) -> &'g Graph {
        self.names.graph
    }

    /// The node id of an entity, adding the node.
    fn entity_node(&mut self, id: EntityId) -> Result<String, factgraph::Error> {
        let key = format!("e{}", id.0);
        if !self.node_ids.contains(&key) {
            let node = match self.names.get(id)? {
                Some(e) => json!({ "id": key, "entity": id.0, "name": e.name, "kind": e.kind }),
                None => json!({ "id": key, "entity": id.0, "name": id.to_string(), "kind": "Thing" }),
            };
            self.node_ids.insert(key.clone());
            self.nodes.push(node);
        }
        Ok(key)
    }

    /// The node id of a statement drawn as a node (one that others are about).
    fn statement_node(&mut self, id: StatementId) -> Result<String, factgraph::Error> {
        let key = format!("s{}", id.0);
        if !self.node_ids.contains(&key) {
            let text = match self.graph().statement(id)? {
                Some(st) => statement_text(&mut self.names, &st)?,
                None => id.to_string(),
            };
            self.node_ids.insert(key.clone());
            self.nodes.push(json!({ "id": key, "statement": id.0, "name": text, "kind": "Statement" }));
        }
        Ok(key)
    }

    fn node(&mut self, n: Node) -> Result<String, factgraph::Error> {
        match n {
            Node::Entity(e) => self.entity_node(e),
            Node::Statement(s) => self.statement_node(s),
        }
    }

    fn room(&mut self) -> bool {
        if self.edges.len() >= self.max_edges {
            self.truncated = true;
            return false;
        }
        true
    }

    /// Adds a statement as an edge, with its endpoints.
    pub(crate) fn add_statement(&mut self, id: StatementId) -> Result<(), factgraph::Error> {
        let key = format!("s{}", id.0);
        if self.edge_ids.contains(&key) || !self.room() {
            return Ok(());
        }
        let Some(st) = self.graph().statement(id)? else { return Ok(()) };
        let source = self.node(st.subject)?;
        let target = match &st.object {
            Object::Node(n) => self.node(*n)?,
            Object::Literal(v) => {
                let vkey = format!("v{}", id.0);
                if self.node_ids.insert(vkey.clone()) {
                    self.nodes.push(json!({ "id": vkey, "value": value(v), "name": v.to_string(), "kind": "Value" }));
                }
                vkey
            }
        };
        let mut sources = Vec::new();
        for ev in &st.evidence {
            let name = match self.names.outlet(ev.document)? {
                Some(o) => o,
                None => self.names.name(ev.document)?,
            };
            if !sources.contains(&name) {
                sources.push(name);
            }
        }
        let documents: BTreeSet<EntityId> = st.evidence.iter().map(|e| e.document).collect();
        let (modality, polarity, hedged, negated) = epistemic(&st);
        let qualifiers = named(&mut self.names, &st.qualifiers)?;
        self.edge_ids.insert(key.clone());
        self.edges.push(json!({
            "id": key,
            "statement": id.0,
            "source": source,
            "target": target,
            "relation": st.relation,
            "kind": "statement",
            "qualifiers": qualifiers,
            "modality": modality,
            "polarity": polarity,
            "hedged": hedged,
            "negated": negated,
            "conflict": false,
            "sources": sources,
            "evidence": documents.len(),
        }));
        Ok(())
    }

    /// Adds an entity that answers a question by itself (an outlet in a `who
    /// reported` row) and, for each claim of its row, an edge `source` from it to
    /// the claim's subject, so the picture shows who answers.
    fn add_answer(&mut self, id: EntityId, claims: &[StatementId]) -> Result<(), factgraph::Error> {
        let from = self.entity_node(id)?;
        for claim in claims {
            let Some(st) = self.graph().statement(*claim)? else { continue };
            let to = self.node(st.subject)?;
            if to == from {
                continue;
            }
            let key = format!("a{}-{}", id.0, claim.0);
            if self.edge_ids.contains(&key) || !self.room() {
                continue;
            }
            self.edge_ids.insert(key.clone());
            self.edges.push(json!({
                "id": key,
                "statement": claim.0,
                "source": from,
                "target": to,
                "relation": format!("source of: {}", st.relation),
                "kind": "source",
            }));
        }
        Ok(())
    }

    /// Adds everything the answers touch: statements in cells and behind each row's
    /// evidence, and entities in cells (linked to their row's claims).
    pub(crate) fn add_results(&mut self, results: &[QueryResult]) -> Result<(), factgraph::Error> {
        for r in results {
            for row in &r.rows {
                let mut claims: Vec<StatementId> = Vec::new();
                let mut entities: Vec<EntityId> = Vec::new();
                for c in &row.cells {
                    collect(c, &mut claims, &mut entities);
                }
                claims.extend(row.provenance.iter().map(|c| c.statement));
                claims.sort();
                claims.dedup();
                for id in &claims {
                    self.add_statement(*id)?;
                }
                let cited: Vec<StatementId> = row.provenance.iter().map(|c| c.statement).collect();
                for e in entities {
                    let linked = self.edges.iter().any(|edge| {
                        edge["kind"] == "statement"
                            && claims.iter().any(|c| edge["statement"] == c.0)
                            && (edge["source"] == format!("e{}", e.0) || edge["target"] == format!("e{}", e.0))
                    });
                    if linked {
                        continue;
                    }
                    self.add_answer(e, &cited)?;
                }
            }
        }
        Ok(())
    }

    /// The graph-view JSON, with the statements that disagree with another version
    /// in the store (as `conflicts` without `all` judges them: contradictions and
    /// differences the texts leave open) marked `conflict`.
    pub(crate) fn finish(mut self) -> Result<Json, factgraph::Error> {
        let drawn: Vec<StatementId> = self
            .edges
            .iter()
            .filter(|e| e["kind"] == "statement")
            .filter_map(|e| e["statement"].as_u64().map(StatementId))
            .collect();
        let conflicting = self.graph().conflicting_statements(Some(&drawn))?;
        for edge in &mut self.edges {
            if edge["kind"] == "statement" {
                let id = edge["statement"].as_u64().map(StatementId);
                edge["conflict"] = Json::Bool(id.is_some_and(|id| conflicting.contains(&id)));
            }
        }
        Ok(json!({ "nodes": self.nodes, "edges": self.edges, "truncated": self.truncated }))
    }
}

/// The statements and entities a cell names, looking into lists, maps and paths.
fn collect(c: &Cell, claims: &mut Vec<StatementId>, entities: &mut Vec<EntityId>) {
    match c {
        Cell::Entity { id, .. } => entities.push(*id),
        Cell::Statement { id, .. } => claims.push(*id),
        Cell::List { items } => items.iter().for_each(|c| collect(c, claims, entities)),
        Cell::Map { entries } => entries.iter().for_each(|(_, c)| collect(c, claims, entities)),
        Cell::Path(p) => {
            p.nodes.iter().chain(&p.relationships).for_each(|c| collect(c, claims, entities));
        }
        Cell::Null | Cell::Value { .. } | Cell::Text { .. } => {}
    }
}

/// Query parameters from JSON: strings, numbers, booleans, null, and arrays and
/// objects of them.
pub(crate) fn params(given: &Map<String, Json>) -> Result<factgraph::Params, ApiError> {
    let mut params = factgraph::Params::new();
    for (name, v) in given {
        let value = param(v).map_err(|e| ApiError::bad_request(format!("parameter ${name}: {e}")))?;
        params.insert(name.clone(), value);
    }
    Ok(params)
}

/// A parameter's value from JSON: whole numbers as integers, other numbers as floats.
fn param(v: &Json) -> Result<Param, String> {
    Ok(match v {
        Json::Null => Param::Null,
        Json::String(s) => Param::from(s.as_str()),
        Json::Bool(b) => Param::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Param::from(i),
            (None, Some(f)) => Param::from(f),
            _ => return Err(format!("{n} is out of range")),
        },
        Json::Array(items) => Param::List(items.iter().map(param).collect::<Result<_, _>>()?),
        Json::Object(entries) => {
            Param::Map(entries.iter().map(|(k, v)| Ok((k.clone(), param(v)?))).collect::<Result<_, String>>()?)
        }
    })
}

/// A parameter's value as JSON (the client sends them so): a date as its text.
pub(crate) fn param_json(p: &Param) -> Json {
    match p {
        Param::Value(v) => value(v),
        Param::List(items) => Json::Array(items.iter().map(param_json).collect()),
        Param::Map(entries) => Json::Object(entries.iter().map(|(k, v)| (k.clone(), param_json(v))).collect()),
        // `Null`, and whatever a later version adds.
        _ => Json::Null,
    }
}
