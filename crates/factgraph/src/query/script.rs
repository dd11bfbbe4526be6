//! Writes: `document`, `entity`, `assert`, `retract`, `delete`, run inside one
//! transaction so that a script is one atomic batch.

use std::collections::HashMap;
use std::path::Path;

use factgraph_store::{
    quote, Added, Date, Entity, EntityId, Evidence, NewStatement, Node, Object, Properties, Qualifiers, StatementId,
    StoreError, Transaction, Value, DOCUMENT_KIND,
};
use factgraph_syntax::ast::{self, Arrow, Literal, Name, PathPattern, Property, Span, Term, Write};

use super::resolve;
use crate::error::{Candidate, Error, QueryError, Restriction, Result};

/// What a script's writes did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Entities created (documents excluded).
    pub entities: u64,
    /// Documents created.
    pub documents: u64,
    /// Statements created.
    pub statements: u64,
    /// Statements that already existed (their new evidence merged).
    pub merged: u64,
    /// Pieces of evidence added.
    pub evidence: u64,
    /// Statements retracted (with those about them).
    pub retracted: u64,
    /// Entities deleted.
    pub deleted: u64,
    /// Properties and labels set or removed by openCypher's `set`, `remove` and
    /// `merge … on … set`.
    pub changed: u64,
}

impl std::fmt::Display for WriteSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} entities, {} documents, {} new statements, {} already there, {} evidence added",
            self.entities, self.documents, self.statements, self.merged, self.evidence
        )?;
        if self.retracted > 0 || self.deleted > 0 {
            write!(f, ", {} statements retracted, {} entities deleted", self.retracted, self.deleted)?;
        }
        if self.changed > 0 {
            write!(f, ", {} properties or labels changed", self.changed)?;
        }
        Ok(())
    }
}

/// State shared by the writes of one load: labels and where files are read from.
#[derive(Debug, Default)]
pub struct ScriptState {
    /// Statement labels defined so far.
    pub labels: HashMap<String, StatementId>,
    /// Directory that `file:` paths are relative to; `None` refuses `file:`.
    pub base_dir: Option<std::path::PathBuf>,
    /// Running totals.
    pub summary: WriteSummary,
}

/// Reads a document's `file:` text: a relative path in the script's folder `base`,
/// resolved without leaving it. Symbolic links are followed only while they stay
/// inside (a link in the data folder to any readable file would otherwise put that
/// file in the store); the file must be a regular file (a FIFO would wait forever)
/// within the store's limit on a document's text, and UTF-8 (refused with its
/// position).
fn read_document_file(base: &Path, file: &str, span: Span) -> Result<String> {
    use std::io::Read;
    let outside = || -> Error { QueryError::not_allowed(Restriction::FileOutsideScriptDirectory, span).into() };
    if Path::new(file).is_absolute() || file.split(['/', '\\']).any(|c| c == "..") {
        return Err(outside());
    }
    let path = base.join(file);
    let unreadable = |e: std::io::Error| -> Error {
        QueryError::UnreadableFile { path: path.display().to_string(), message: e.to_string(), span }.into()
    };
    // Both resolved, every link followed: the file must end up inside the folder.
    let real_base = base.canonicalize().map_err(unreadable)?;
    let real = path.canonicalize().map_err(unreadable)?;
    if !real.starts_with(&real_base) {
        return Err(outside());
    }
    // Opened by its resolved path (no link left to follow unless one is put in place
    // in the moment since), and the handle is checked rather than the name.
    let handle = std::fs::File::open(&real).map_err(unreadable)?;
    let meta = handle.metadata().map_err(unreadable)?;
    let refused = |reason: String| -> Error { QueryError::Refused { reason, span }.into() };
    if !meta.is_file() {
        return Err(refused(format!("`file:` {file:?} is not a regular file (a directory, FIFO, device or socket)")));
    }
    let limit = factgraph_store::MAX_DOCUMENT_LEN as u64;
    if meta.len() > limit {
        return Err(refused(format!(
            "`file:` {file:?} is {} bytes; a document's text is limited to {} MiB",
            meta.len(),
            limit / (1024 * 1024)
        )));
    }
    let mut bytes = Vec::new();
    handle.take(limit + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = factgraph_syntax::line_col(before, before.len());
        refused(format!(
            "`file:` {file:?} is not UTF-8 text: invalid bytes at line {line}, column {column} (byte offset {valid})"
        ))
    })
}

/// A store refusal, placed at the span it is about.
fn refused(e: StoreError, span: Span) -> Error {
    match e {
        StoreError::Invalid(reason) => QueryError::Refused { reason, span }.into(),
        StoreError::NoEvidence | StoreError::NotADocument { .. } | StoreError::InUseEntity(_) => {
            QueryError::Refused { reason: e.to_string(), span }.into()
        }
        other => Error::Store(other),
    }
}

pub(crate) fn value(l: &Literal) -> Value {
    match l {
        Literal::Str(s) => Value::Str(s.clone()),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(x) => Value::Float(*x),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Date(d) => Value::Date(Date { year: d.year, month: d.month, day: d.day }),
        Literal::Temporal(kind, text) => {
            Value::Temporal(factgraph_store::Temporal { kind: super::temporal::kind_of_word(kind), text: text.clone() })
        }
    }
}

/// As `literal_of`, for any property value: a list of literals is a list value.
fn value_of(p: &ast::PatternProperty) -> Result<Option<Value>> {
    if let ast::ExprKind::List(items) = &p.value.kind {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.kind {
                ast::ExprKind::Literal(l) => out.push(value(l)),
                _ => return literal_of(p).map(|l| l.map(|l| value(&l))),
            }
        }
        return Ok(Some(Value::List(out)));
    }
    Ok(literal_of(p)?.map(|l| value(&l)))
}

/// The value a `create` gives a property: the planner has put each value in as a
/// literal (`None` is null: no property).
fn literal_of(p: &ast::PatternProperty) -> Result<Option<Literal>> {
    match &p.value.kind {
        ast::ExprKind::Literal(l) => Ok(Some(l.clone())),
        ast::ExprKind::Null => Ok(None),
        _ => Err(QueryError::TypeMismatch {
            what: format!("`{}`", p.key.text),
            expected: "a value".into(),
            found: "expression".into(),
            span: p.span,
        }
        .into()),
    }
}

fn pattern_props(list: &[ast::PatternProperty]) -> Result<Properties> {
    let mut out = Properties::new();
    for p in list {
        if let Some(v) = value_of(p)? {
            check_epistemic(&p.key.text, &v, p.span)?;
            out.insert(p.key.text.clone(), v);
        }
    }
    Ok(out)
}

/// Refuses a `modality` or `polarity` outside its closed vocabulary. The check is
/// here, on the script path, and not in the store, which knows nothing of what
/// qualifiers mean.
pub(crate) fn check_epistemic(key: &str, value: &Value, span: Span) -> Result<()> {
    let Some(allowed) = crate::vocabulary::allowed_values(key) else { return Ok(()) };
    if matches!(value, Value::Str(s) if allowed.contains(&s.as_str())) {
        return Ok(());
    }
    let value = match value {
        Value::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    Err(QueryError::UnknownQualifierValue {
        key: key.to_string(),
        value,
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
        span,
    }
    .into())
}

fn props(list: &[Property]) -> Properties {
    list.iter().map(|p| (p.key.text.clone(), value(&p.value))).collect()
}

/// An existing entity asked to be of another kind.
fn kind_conflict(e: factgraph_store::Entity, wanted: &factgraph_syntax::ast::Ident) -> crate::Error {
    QueryError::KindConflict { name: e.name, kind: e.kind, wanted: wanted.text.clone(), span: wanted.span }.into()
}

fn document(tx: &mut Transaction<'_>, name: &Name) -> Result<EntityId> {
    let e = resolve::stored(tx, name)?;
    if e.kind != DOCUMENT_KIND {
        return Err(QueryError::NotADocument { name: e.name.clone(), kind: e.kind.clone(), span: name.span }.into());
    }
    Ok(e.id)
}

fn node(tx: &mut Transaction<'_>, state: &ScriptState, term: &Term) -> Result<Node> {
    match term {
        Term::Label(l) => state
            .labels
            .get(&l.name)
            .map(|s| Node::Statement(*s))
            .ok_or_else(|| QueryError::UnknownLabel { label: l.name.clone(), span: l.span }.into()),
        Term::Name(n) => Ok(Node::Entity(resolve::stored(tx, n)?.id)),
        Term::Literal(_, span) => Err(QueryError::not_allowed(Restriction::LiteralSubject, *span).into()),
    }
}

/// Runs one write inside `tx`.
pub(crate) fn run(tx: &mut Transaction<'_>, state: &mut ScriptState, w: &Write) -> Result<()> {
    match w {
        Write::Document { name, properties } => {
            let mut p = props(properties);
            let text = match p.remove("file") {
                None => None,
                Some(Value::Str(file)) => {
                    let span = properties.iter().find(|x| x.key.text == "file").map_or(name.span, |x| x.span);
                    let Some(base) = &state.base_dir else {
                        return Err(QueryError::not_allowed(Restriction::FileOutsideScript, span).into());
                    };
                    let text = read_document_file(base, &file, span)?;
                    p.insert("file".into(), Value::Str(file));
                    Some(text)
                }
                Some(other) => {
                    return Err(QueryError::TypeMismatch {
                        what: "`file:`".into(),
                        expected: "a string".into(),
                        found: other.type_name().into(),
                        span: name.span,
                    }
                    .into())
                }
            };
            match declared(tx, name)? {
                Some(e) if e.kind == DOCUMENT_KIND => {
                    for (k, v) in p {
                        tx.set_property(e.id, &k, v).map_err(|e| refused(e, name.span))?;
                    }
                    if let Some(t) = text {
                        tx.set_document_text(e.id, t).map_err(|e| refused(e, name.span))?;
                    }
                }
                Some(e) => {
                    return Err(QueryError::KindConflict {
                        name: e.name,
                        kind: e.kind,
                        wanted: DOCUMENT_KIND.into(),
                        span: name.span,
                    }
                    .into())
                }
                None => {
                    tx.create_document(&name.text, p, text).map_err(|e| refused(e, name.span))?;
                    state.summary.documents += 1;
                }
            }
        }
        Write::Entity { name, kind, aliases, properties } => {
            let id = match declared(tx, name)? {
                Some(e) => {
                    if let Some(k) = kind.as_ref().filter(|k| k.text != e.kind) {
                        return Err(kind_conflict(e, k));
                    }
                    e.id
                }
                None => {
                    let Some(k) = kind else {
                        return Err(QueryError::MissingKind { name: name.text.clone(), span: name.span }.into());
                    };
                    // A declaration names its entity: unnamed ones come from `create ()`.
                    factgraph_store::check_entity_name(&name.text).map_err(|e| refused(e, k.span))?;
                    state.summary.entities += 1;
                    tx.create_entity(&name.text, &k.text).map_err(|e| refused(e, k.span))?
                }
            };
            for a in aliases {
                if a.documents.is_empty() {
                    tx.add_alias(id, &a.text, None).map_err(|e| refused(e, a.span))?;
                }
                for d in &a.documents {
                    let doc = document(tx, &Name { text: d.text.clone(), quoted: false, span: d.span })?;
                    tx.add_alias(id, &a.text, Some(doc)).map_err(|e| refused(e, a.span))?;
                }
            }
            for p in properties {
                tx.set_property(id, &p.key.text, value(&p.value)).map_err(|e| refused(e, p.span))?;
            }
        }
        Write::Assert(a) => assert(tx, state, a)?,
        Write::Retract(l) => {
            let id = *state
                .labels
                .get(&l.name)
                .ok_or_else(|| Error::Query(QueryError::UnknownLabel { label: l.name.clone(), span: l.span }))?;
            state.summary.retracted += tx.retract(id).map_err(|e| refused(e, l.span))? as u64;
            state.labels.retain(|_, s| *s != id);
        }
        Write::DeleteEntity(n) => {
            let e = resolve::stored(tx, n)?;
            tx.delete_entity(e.id).map_err(|e| refused(e, n.span))?;
            state.summary.deleted += 1;
        }
    }
    Ok(())
}

/// The entity a declaration (`entity NAME …`, `document NAME …`) amends: the one whose
/// canonical name `name` is, or none (it creates one). Two with that name (`create`
/// makes such) and it would act on a guess: ambiguous, naming them.
fn declared(tx: &mut Transaction<'_>, name: &Name) -> Result<Option<Entity>> {
    let mut found = tx.all_by_canonical_name(&name.text, None, usize::MAX)?;
    if found.len() > 1 {
        return Err(QueryError::Ambiguous {
            name: name.text.clone(),
            span: name.span,
            candidates: found.iter().map(Candidate::of).collect(),
        }
        .into());
    }
    Ok(found.pop())
}

fn assert(tx: &mut Transaction<'_>, state: &mut ScriptState, a: &ast::Assert) -> Result<()> {
    if let Some(l) = &a.label {
        if state.labels.contains_key(&l.name) {
            return Err(QueryError::DuplicateLabel { label: l.name.clone(), span: l.span }.into());
        }
    }
    let subject = node(tx, state, &a.subject)?;
    let object = match &a.object {
        Term::Literal(l, _) => Object::Literal(value(l)),
        other => Object::Node(node(tx, state, other)?),
    };
    let mut qualifiers = Qualifiers::new();
    for p in &a.qualifiers {
        let v = value(&p.value);
        check_epistemic(&p.key.text, &v, p.span)?;
        let v = if crate::vocabulary::is_role(&p.key.text) { participant(tx, &p.key.text, v, p.span)? } else { v };
        qualifiers.insert(p.key.text.clone(), v);
    }
    let mut evidence = Vec::with_capacity(a.evidence.len());
    for e in &a.evidence {
        let doc = document(tx, &e.document)?;
        if let Some(text) = tx.document_text(doc)? {
            if quote::locate(text, &e.quote).is_none() {
                return Err(QueryError::QuoteNotFound { document: e.document.text.clone(), span: e.quote_span }.into());
            }
        }
        let attribution = match &e.by {
            Some(n) => Some(resolve::stored(tx, n)?.id),
            None => None,
        };
        evidence.push(Evidence { document: doc, quote: e.quote.clone(), span: None, attribution });
    }
    let new = NewStatement { subject, relation: a.relation.text.clone(), object, qualifiers, evidence };
    let n_evidence = new.evidence.len() as u64;
    let added = tx.add_statement(new).map_err(|e| refused(e, a.relation.span))?;
    match added {
        Added::Created(_) => {
            state.summary.statements += 1;
            state.summary.evidence += n_evidence;
        }
        Added::Merged { new_evidence, .. } => {
            state.summary.merged += 1;
            state.summary.evidence += new_evidence as u64;
        }
    }
    if let Some(l) = &a.label {
        state.labels.insert(l.name.clone(), added.id());
    }
    Ok(())
}

/// A role's value, a name, resolved as every name a write uses (canonical name or
/// alias, never a reader's guess) to the entity it names: an unknown name is an error
/// at the value, with the nearest names. Documents take no part in claims.
fn participant(tx: &mut Transaction<'_>, key: &str, v: Value, span: Span) -> Result<Value> {
    let Value::Str(text) = v else {
        return Err(QueryError::TypeMismatch {
            what: format!("the participant `{key}:`"),
            expected: "an entity's name in quotes".into(),
            found: v.type_name().into(),
            span,
        }
        .into());
    };
    let e = resolve::stored(tx, &Name { text, quoted: true, span })?;
    if e.kind == DOCUMENT_KIND {
        return Err(QueryError::Refused {
            reason: format!("`{key}:` names the document {:?}; a participant is an entity of the graph", e.name),
            span,
        }
        .into());
    }
    Ok(Value::Entity(e.id))
}

/// The document that statements created by hand cite: "never silently", the
/// evidence says the claim was typed, and quotes the text that created it.
pub const NOTE_DOCUMENT: &str = "note: typed by hand";

fn note_document(tx: &mut Transaction<'_>) -> Result<EntityId> {
    match tx.by_canonical_name(NOTE_DOCUMENT, None)? {
        Some(e) if e.kind == DOCUMENT_KIND => Ok(e.id),
        Some(e) => Err(QueryError::KindConflict {
            name: e.name,
            kind: e.kind,
            wanted: DOCUMENT_KIND.into(),
            span: Span::default(),
        }
        .into()),
        None => {
            let mut p = Properties::new();
            p.insert(
                "note".into(),
                Value::Str("statements created with `create`; each quotes the text that created it".into()),
            );
            Ok(tx.create_document(NOTE_DOCUMENT, p, None)?)
        }
    }
}

/// `create PATH, …`: new entities and new statements citing the note document,
/// quoting `text`. `vars` holds the nodes bound
/// before (by earlier clauses or an earlier `create` of the same query) and receives
/// the new ones; `rels` receives the statements bound to relationship variables.
pub(crate) fn create(
    tx: &mut Transaction<'_>,
    state: &mut ScriptState,
    paths: &[PathPattern],
    text: &str,
    vars: &mut HashMap<String, Node>,
    rels: &mut HashMap<String, StatementId>,
) -> Result<()> {
    let mut quote: String = text.trim().to_owned();
    if quote.len() > factgraph_store::MAX_TEXT_LEN {
        let mut cut = factgraph_store::MAX_TEXT_LEN;
        while !quote.is_char_boundary(cut) {
            cut -= 1;
        }
        quote.truncate(cut);
    }
    // The note document is made only for statements: nodes need no evidence.
    let mut doc = None;
    for path in paths {
        let mut at = create_node(tx, state, vars, &path.start)?;
        for (rel, node) in &path.steps {
            let next = create_node(tx, state, vars, node)?;
            let [relation] = rel.types.as_slice() else {
                return Err(QueryError::not_allowed(Restriction::CreateWithoutOneType, rel.span).into());
            };
            if rel.length.is_some() || rel.var.as_ref().is_some_and(|v| rels.contains_key(&v.text)) {
                return Err(QueryError::not_allowed(Restriction::CreateMoreThanOneStatement, rel.span).into());
            }
            let (subject, object) = match rel.arrow {
                Arrow::Right => (at, next),
                Arrow::Left => (next, at),
                Arrow::Either => {
                    return Err(QueryError::not_allowed(Restriction::CreateWithoutDirection, rel.span).into())
                }
            };
            let new = NewStatement {
                subject,
                relation: relation.text.clone(),
                object: Object::Node(object),
                qualifiers: pattern_props(&rel.properties)?,
                evidence: vec![Evidence {
                    document: match doc {
                        Some(d) => d,
                        None => *doc.insert(note_document(tx)?),
                    },
                    quote: quote.clone(),
                    span: None,
                    attribution: None,
                }],
            };
            // `create` always creates: two identical relationships created are two.
            let id = tx.create_statement(new).map_err(|e| refused(e, relation.span))?;
            state.summary.statements += 1;
            state.summary.evidence += 1;
            if let Some(v) = &rel.var {
                rels.insert(v.text.clone(), id);
            }
            at = next;
        }
    }
    Ok(())
}

fn create_node(
    tx: &mut Transaction<'_>,
    state: &mut ScriptState,
    vars: &mut HashMap<String, Node>,
    p: &ast::NodePattern,
) -> Result<Node> {
    let name = p.properties.iter().find(|x| x.key.text == "name");
    if let Some(v) = &p.var {
        if let Some(id) = vars.get(&v.text) {
            if name.is_some() || p.kind.is_some() {
                return Err(QueryError::AlreadyBound { name: v.text.clone(), span: p.span }.into());
            }
            return Ok(*id);
        }
    }
    let name = match name {
        Some(n) => Some((n, literal_of(n)?)),
        None => None,
    };
    // A null name is no name; an empty one is kept as a property, since an entity's
    // name is what it is found by and `''` names nothing.
    let empty_name = matches!(&name, Some((_, Some(Literal::Str(n)))) if n.is_empty());
    let name = name.filter(|(_, v)| v.is_some() && !empty_name);
    let id = match name {
        // A node without a name is a new, unnamed entity every time, as in openCypher.
        None => {
            let kind = p.kind.as_ref().map_or("Thing", |k| k.text.as_str());
            state.summary.entities += 1;
            tx.create_entity("", kind).map_err(|e| refused(e, p.span))?
        }
        Some((_, Some(Literal::Str(name)))) => named_node(tx, state, p, &name)?,
        Some((prop, value)) => {
            return Err(QueryError::TypeMismatch {
                what: "`name`".into(),
                expected: "a string".into(),
                found: value.map_or("null", |v| v.type_name()).into(),
                span: prop.span,
            }
            .into())
        }
    };
    if empty_name {
        tx.set_property(id, "name", Value::Str(String::new())).map_err(|e| refused(e, p.span))?;
    }
    for prop in p.properties.iter().filter(|x| x.key.text != "name") {
        // A property set to null is no property.
        if let Some(v) = value_of(prop)? {
            tx.set_property(id, &prop.key.text, v).map_err(|e| refused(e, prop.span))?;
        }
    }
    if let Some(v) = &p.var {
        vars.insert(v.text.clone(), Node::Entity(id));
    }
    Ok(Node::Entity(id))
}

/// A named node of `create` is a new entity, whatever else has that name: openCypher's
/// `CREATE` always creates (`match` finds what exists; names may repeat, and questions
/// that name one of several ask which is meant).
fn named_node(tx: &mut Transaction<'_>, state: &mut ScriptState, p: &ast::NodePattern, name: &str) -> Result<EntityId> {
    let kind = p.kind.as_ref().map_or("Thing", |k| k.text.as_str());
    state.summary.entities += 1;
    tx.create_entity(name, kind).map_err(|e| refused(e, p.span))
}
