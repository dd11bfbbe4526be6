//! What the API says about the graph's things, as plain JSON: result cells and values
//! (strings, numbers and booleans as themselves, not Rust's enum tags), an entity, a
//! statement with its evidence, and the subgraph a query's answers touch as the nodes
//! and edges a graph view draws (`docs/server.md` shows each shape).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use factgraph::{
    Cell, Citation, Entity, EntityId, Graph, Node, Object, QueryResult, Row, Statement, StatementId, Value,
};
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
    }
}

/// Properties or qualifiers as a JSON object.
pub(crate) fn map(m: &BTreeMap<String, Value>) -> Json {
    Json::Object(m.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}

/// A result cell, tagged by `type` as the library's `Cell` is.
pub(crate) fn cell(c: &Cell) -> Json {
    match c {
        Cell::Null => json!({ "type": "null" }),
        Cell::Entity { id, name, kind, properties } => {
            let mut o = json!({ "type": "entity", "id": id.0, "name": name, "kind": kind });
            if !properties.is_empty() {
                o["properties"] = map(properties);
            }
            o
        }
        Cell::Statement { id, text, relation, qualifiers } => {
            let mut o = json!({ "type": "statement", "id": id.0, "text": text, "relation": relation });
            if !qualifiers.is_empty() {
                o["qualifiers"] = map(qualifiers);
            }
            o
        }
        Cell::Value { value: v } => json!({ "type": "value", "value": value(v) }),
        Cell::Text { text } => json!({ "type": "text", "text": text }),
        Cell::List { items } => json!({ "type": "list", "items": items.iter().map(cell).collect::<Vec<_>>() }),
        Cell::Map { entries } => json!({
            "type": "map",
            "entries": entries.iter().map(|(k, c)| json!([k, cell(c)])).collect::<Vec<_>>(),
        }),
        Cell::Path { steps, nodes, relationships, forward } => json!({
            "type": "path",
            "steps": steps,
            "nodes": nodes.iter().map(cell).collect::<Vec<_>>(),
            "relationships": relationships.iter().map(cell).collect::<Vec<_>>(),
            "forward": forward,
        }),
    }
}

/// One piece of a row's evidence.
pub(crate) fn citation(c: &Citation) -> Json {
    json!({
        "statement": c.statement.0,
        "claim": c.claim,
        "document": c.document,
        "outlet": c.outlet,
        "title": c.title,
        "quote": c.quote,
        "attribution": c.attribution,
    })
}

/// A result row: its cells, and its evidence when it has any.
pub(crate) fn row(r: &Row) -> Json {
    let mut o = json!({ "cells": r.cells.iter().map(cell).collect::<Vec<_>>() });
    if !r.provenance.is_empty() {
        o["provenance"] = r.provenance.iter().map(citation).collect();
    }
    o
}

/// A whole result: columns, rows, whether their order means something, its note.
pub(crate) fn result(r: &QueryResult) -> Json {
    json!({
        "columns": r.columns,
        "rows": r.rows.iter().map(row).collect::<Vec<_>>(),
        "ordered": r.ordered,
        "note": r.note,
    })
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
        "qualifiers": map(&st.qualifiers),
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
    conflicts: &'g BTreeSet<StatementId>,
}

impl<'g> Subgraph<'g> {
    pub(crate) fn new(graph: &'g Graph, max_edges: usize, conflicts: &'g BTreeSet<StatementId>) -> Self {
        Subgraph {
            names: Names::new(graph),
            nodes: Vec::new(),
            node_ids: BTreeSet::new(),
            edges: Vec::new(),
            edge_ids: BTreeSet::new(),
            max_edges,
            truncated: false,
            conflicts,
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
        self.edge_ids.insert(key.clone());
        self.edges.push(json!({
            "id": key,
            "statement": id.0,
            "source": source,
            "target": target,
            "relation": st.relation,
            "kind": "statement",
            "qualifiers": map(&st.qualifiers),
            "modality": modality,
            "polarity": polarity,
            "hedged": hedged,
            "negated": negated,
            "conflict": self.conflicts.contains(&id),
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

    /// The graph-view JSON.
    pub(crate) fn finish(self) -> Json {
        json!({ "nodes": self.nodes, "edges": self.edges, "truncated": self.truncated })
    }
}

/// The statements and entities a cell names, looking into lists, maps and paths.
fn collect(c: &Cell, claims: &mut Vec<StatementId>, entities: &mut Vec<EntityId>) {
    match c {
        Cell::Entity { id, .. } => entities.push(*id),
        Cell::Statement { id, .. } => claims.push(*id),
        Cell::List { items } => items.iter().for_each(|c| collect(c, claims, entities)),
        Cell::Map { entries } => entries.iter().for_each(|(_, c)| collect(c, claims, entities)),
        Cell::Path { nodes, relationships, .. } => {
            nodes.iter().chain(relationships).for_each(|c| collect(c, claims, entities));
        }
        Cell::Null | Cell::Value { .. } | Cell::Text { .. } => {}
    }
}

/// Query parameters from JSON: strings, numbers and booleans.
pub(crate) fn params(given: &Map<String, Json>) -> Result<factgraph::Params, ApiError> {
    let mut params = factgraph::Params::new();
    for (name, v) in given {
        let value = match v {
            Json::String(s) => Value::Str(s.clone()),
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(f)) => Value::Float(f),
                _ => return Err(ApiError::bad_request(format!("parameter ${name}: {n} is out of range"))),
            },
            Json::Null | Json::Array(_) | Json::Object(_) => {
                return Err(ApiError::bad_request(format!(
                    "parameter ${name}: a string, number or boolean, not {}",
                    match v {
                        Json::Null => "null",
                        Json::Array(_) => "a list",
                        _ => "an object",
                    }
                )))
            }
        };
        params.insert(name.clone(), value);
    }
    Ok(params)
}
