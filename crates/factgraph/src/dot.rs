//! GraphViz DOT output, our own emitter: every id and label quoted and escaped, and a
//! picture laid out to be read rather than a dump of the graph.
//!
//! Three drawings, chosen by what is asked and how much of it there is:
//!
//! - **The whole store, statement by statement** (up to `DotOptions::max_statements`):
//!   entities in one box (a GraphViz cluster) per kind, statements as arrows labelled
//!   with their relation, their qualifiers and the sources that say them (the
//!   outlets, else the documents: `requested · Sky News, Newsweek +2 more`). A hedged
//!   or denied statement (`modality`, `polarity`) is dashed and grey with the hedge in
//!   its label; the versions of a claim that sources disagree on (what the `conflicts`
//!   question reports) are red. Documents are named on the arrows, not drawn.
//! - **A query's statements** (`Graph::to_dot` with ids, `Graph::results_to_dot`): the
//!   same, plus what answers a question about sources: each answered statement is a
//!   node, and each document that says it points at it (dotted, with whom the document
//!   credits it), in a box of documents labelled with their outlets; an outlet that
//!   is an answer itself points at its documents.
//! - **A summary** of a store too large to draw (above `max_statements`): one node per
//!   kind with its count and best-connected entities, and one arrow per pair of kinds
//!   with the number of statements and their commonest relations, so a
//!   1,000,000-statement store gives a page, not a gigabyte. A caption says what was
//!   left out.
//!
//! A statement that other statements are about (who reported it, who denied it) is
//! drawn as a small node of its own so the statements about it have something to
//! point at.
//!
//! Labels are what people read, so they get two more things than ids: `&` is written
//! `&amp;` (GraphViz decodes entities in labels, so `&lt;` would be drawn as `<`), and
//! a label longer than `MAX_LABEL_CHARS` is cut with an ellipsis (GraphViz refuses a
//! whole file with a quoted string over 16,384 bytes, and names may be 64 KiB).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use factgraph_store::{Direction, Entity, EntityId, Node, Object, Statement, StatementId, Store, Value};
use rustc_hash::FxHashMap as HashMap;

use crate::error::Result;
use crate::query::{Cell, Credit, QueryResult};
use crate::vocabulary::{MODALITY, POLARITY};

/// How to draw. `DotOptions::default()` is the readable picture: clusters by kind,
/// sources named on the arrows, conflicts found and marked, and a summary for a
/// store of more than `MAX_STATEMENTS` statements.
#[derive(Clone, Debug)]
pub struct DotOptions {
    /// Also label each arrow with the number of documents supporting it
    /// (`[2 sources]`).
    pub evidence_counts: bool,
    /// Statements to mark as conflicting (drawn red), besides those found when
    /// `mark_conflicts` is set.
    pub conflicts: BTreeSet<StatementId>,
    /// Find the statements that disagree (as the `conflicts` question without `all`
    /// does) among those drawn, and draw them red.
    pub mark_conflicts: bool,
    /// How to group entities into boxes.
    pub cluster: Cluster,
    /// How many sources (outlets, else documents) an arrow's label names before it
    /// says `+N more`; 0 names none.
    pub sources_named: usize,
    /// Statement by statement, or a summary.
    pub view: View,
    /// The most statements drawn one by one: above it, `View::Auto` draws a whole
    /// store as a summary, and a subgraph keeps its first answers up to it (the
    /// caption says how many were left out).
    pub max_statements: usize,
    /// Use GraphViz's HTML-like labels (`label=<…>`) for nodes that list facts and
    /// arrows that carry several statements, so each line has its colour. Off, those
    /// labels are plain text: for DOT readers other than GraphViz.
    pub html_labels: bool,
}

/// The default `DotOptions::max_statements`: the showcase (154 statements) is drawn
/// whole; a larger store is summarised.
pub const MAX_STATEMENTS: usize = 500;

impl Default for DotOptions {
    fn default() -> Self {
        DotOptions {
            evidence_counts: false,
            conflicts: BTreeSet::new(),
            mark_conflicts: true,
            cluster: Cluster::Kind,
            sources_named: 3,
            view: View::Auto,
            max_statements: MAX_STATEMENTS,
            html_labels: true,
        }
    }
}

/// How entities are grouped into boxes (GraphViz clusters). There is no grouping by
/// document: an entity is named by many documents, and a box holds a node once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cluster {
    /// One box per kind (`Person`, `Organization`, `Document`, …).
    #[default]
    Kind,
    /// No boxes.
    None,
}

impl std::fmt::Display for Cluster {
    /// The word `FromStr` reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cluster::Kind => "kind",
            Cluster::None => "none",
        })
    }
}

impl std::str::FromStr for Cluster {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Cluster, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kind" => Ok(Cluster::Kind),
            "none" => Ok(Cluster::None),
            other => Err(format!("unknown clustering {other:?}: kind or none")),
        }
    }
}

/// Whether a whole store is drawn statement by statement or summarised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum View {
    /// Statement by statement up to `DotOptions::max_statements`, a summary above.
    #[default]
    Auto,
    /// Statement by statement, however many there are.
    Full,
    /// One node per kind and one arrow per pair of kinds, however few statements
    /// there are.
    Summary,
}

impl std::fmt::Display for View {
    /// The word `FromStr` reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            View::Auto => "auto",
            View::Full => "full",
            View::Summary => "summary",
        })
    }
}

impl std::str::FromStr for View {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<View, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(View::Auto),
            "full" => Ok(View::Full),
            "summary" => Ok(View::Summary),
            other => Err(format!("unknown view {other:?}: auto, full or summary")),
        }
    }
}

/// Quotes and escapes a string as a DOT id: backslash, double quote and line breaks are
/// escaped; everything else (any Unicode) passes through, as DOT allows.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The longest label drawn, in characters; longer ones are cut and end in `…`. Even
/// escaped (`&amp;` is five bytes, a character at most four) it stays far below
/// GraphViz's 16,384 bytes per quoted string.
pub const MAX_LABEL_CHARS: usize = 1_000;

/// Quotes text to be shown (a label or a tooltip): cut to `MAX_LABEL_CHARS` with an
/// ellipsis, `&` written as `&amp;` so that GraphViz shows what was written, then
/// escaped as `quote` does.
pub fn label(s: &str) -> String {
    let cut: String = match s.char_indices().nth(MAX_LABEL_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    };
    quote(&cut.replace('&', "&amp;"))
}

/// The widest line of a label, in characters, before it is wrapped at a space: long
/// labels are what made the pictures wide.
const WRAP: usize = 28;

/// Breaks text into lines of at most `width` characters at spaces (a longer word
/// keeps its own line). Existing line breaks stay.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, para) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut line = 0usize;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let n = word.chars().count();
            if line > 0 && line + 1 + n > width {
                out.push('\n');
                line = 0;
            } else if line > 0 {
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += n;
        }
    }
    out
}

fn kind_shape(kind: &str) -> &'static str {
    match kind {
        "Person" => "ellipse",
        "Organization" | "Company" | "Agency" | "Outlet" => "box",
        "Country" => "hexagon",
        "Place" => "house",
        "Event" => "diamond",
        "Document" => "folder",
        "Concept" | "Law" | "Topic" => "note",
        _ => "ellipse",
    }
}

fn kind_fill(kind: &str) -> &'static str {
    match kind {
        "Person" => "#cfe2ff",
        "Organization" | "Company" | "Agency" | "Outlet" => "#fff3cd",
        "Country" => "#d1e7dd",
        "Place" => "#e2e3e5",
        "Event" => "#f8d7da",
        "Document" => "#ffffff",
        "Concept" | "Law" | "Topic" => "#e0cffc",
        _ => "#f8f9fa",
    }
}

fn kind_style(kind: &str) -> String {
    format!("shape={}, fillcolor=\"{}\"", kind_shape(kind), kind_fill(kind))
}

/// Escapes text for a GraphViz HTML-like label: cut to `max` characters with an
/// ellipsis, `&`, `<`, `>` and `"` written as entities, line breaks as `<br/>`
/// (left-aligned), other control characters as spaces.
fn html(s: &str, max: usize) -> String {
    let cut: String = match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    };
    let mut out = String::with_capacity(cut.len() + 8);
    for c in cut.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br align=\"left\"/>"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The most facts (statements with a value as object) listed in one node; the rest
/// are counted.
const CARD_FACTS: usize = 10;
/// The longest fact drawn, in characters (a node's label must stay far below
/// GraphViz's 16,384 bytes: ten facts, each escaped, and a cut name).
const FACT_CHARS: usize = 160;

const HEDGED: &str = "color=\"#6c757d\", fontcolor=\"#6c757d\", style=dashed";
const CONFLICT: &str = "color=\"#b02a37\", fontcolor=\"#b02a37\", penwidth=1.6";
const CONFLICT_HEDGED: &str = "color=\"#b02a37\", fontcolor=\"#b02a37\", penwidth=1.6, style=dashed";

fn node_id(n: Node) -> String {
    match n {
        Node::Entity(e) => format!("e{}", e.0),
        Node::Statement(s) => format!("s{}", s.0),
    }
}

/// The documents a query's rows cite for each statement, by name (what a `Citation`
/// holds): the support a query's picture draws, rather than every document behind
/// the statement.
pub(crate) type Cited = BTreeSet<(StatementId, String)>;

/// The statements a query's results are about (statement cells, in lists too, and
/// every row's provenance), in order of first appearance; and the documents each row
/// cites for them.
pub(crate) fn answers_of(results: &[QueryResult]) -> (Vec<StatementId>, Vec<EntityId>, Cited) {
    fn walk(c: &Cell, ids: &mut Vec<StatementId>, entities: &mut Vec<EntityId>) {
        match c {
            Cell::Statement { id, .. } => ids.push(*id),
            Cell::Entity { id, .. } => entities.push(*id),
            Cell::List { items } => items.iter().for_each(|c| walk(c, ids, entities)),
            _ => {}
        }
    }
    let (mut ids, mut entities, mut cited) = (Vec::new(), Vec::new(), Cited::new());
    for r in results {
        for row in &r.rows {
            row.cells.iter().for_each(|c| walk(c, &mut ids, &mut entities));
            for c in &row.provenance {
                ids.push(c.statement);
                cited.insert((c.statement, c.document.to_string()));
            }
        }
    }
    let mut seen = BTreeSet::new();
    ids.retain(|id| seen.insert(*id));
    let mut seen = BTreeSet::new();
    entities.retain(|id| seen.insert(*id));
    (ids, entities, cited)
}

/// What a subgraph picture is asked to show.
#[derive(Default)]
pub(crate) struct Asked<'a> {
    /// The statements that answer (the rest come along as their provenance).
    pub statements: &'a [StatementId],
    /// Entities the answers name, drawn even when no statement drawn touches them.
    pub entities: &'a [EntityId],
    /// The documents cited for each answer; every document behind it when `None`.
    pub cited: Option<&'a Cited>,
}

/// Writes the statements asked for (or every statement, for `None`) and the entities
/// they touch as a DOT digraph.
pub(crate) fn to_dot(store: &Store, asked: Option<&Asked<'_>>, options: &DotOptions) -> Result<String> {
    match asked {
        None => {
            let total = store.counts()?.statements as usize;
            let summarise = match options.view {
                View::Summary => true,
                View::Full => false,
                View::Auto => total > options.max_statements,
            };
            if summarise {
                return summary(store, total, options);
            }
            let rows: Vec<Statement> = store.statements().collect::<std::result::Result<_, _>>()?;
            Drawing::new(store, options).draw(rows, None, 0)
        }
        Some(asked) => {
            let cap = if options.view == View::Full { usize::MAX } else { options.max_statements.max(1) };
            let (rows, answers, left_out) = subgraph(store, asked.statements, cap)?;
            let mut d = Drawing::new(store, options);
            d.extra = asked.entities.iter().take(cap).copied().collect();
            d.extra_left_out = asked.entities.len() - d.extra.len();
            d.draw(rows, Some((&answers, asked.cited)), left_out)
        }
    }
}

/// The answers (up to `cap` statements in all) with what they need drawn (the
/// statements they are about) and their provenance (statements about them: who
/// reported them, to whom they were told), in id order; the answers drawn; and how
/// many answers or provenance statements were left out for the cap.
fn subgraph(store: &Store, ids: &[StatementId], cap: usize) -> Result<(Vec<Statement>, BTreeSet<StatementId>, usize)> {
    let mut drawn: BTreeMap<StatementId, Statement> = BTreeMap::new();
    let mut left_out = 0usize;
    // Adds a statement with every statement it is about, all or none.
    let add = |id: StatementId, drawn: &mut BTreeMap<StatementId, Statement>| -> Result<bool> {
        let mut chain: Vec<Statement> = Vec::new();
        let mut stack = vec![id];
        let mut local = BTreeSet::new();
        while let Some(s) = stack.pop() {
            if drawn.contains_key(&s) || !local.insert(s) {
                continue;
            }
            if let Some(st) = store.statement(s)? {
                for n in [Some(st.subject), st.object.node()].into_iter().flatten() {
                    if let Node::Statement(x) = n {
                        stack.push(x);
                    }
                }
                chain.push(st);
            }
            if drawn.len() + chain.len() > cap {
                return Ok(false);
            }
        }
        for st in chain {
            drawn.insert(st.id, st);
        }
        Ok(true)
    };
    let mut answers = BTreeSet::new();
    for id in ids {
        if answers.contains(id) {
            continue;
        }
        if drawn.len() >= cap {
            // Full: the rest are counted, not read.
            left_out += 1;
            continue;
        }
        if !add(*id, &mut drawn)? {
            left_out += 1;
        } else if drawn.contains_key(id) {
            answers.insert(*id);
        }
    }
    for id in answers.clone() {
        for about in store.statements_about(id)? {
            if !add(about, &mut drawn)? {
                left_out += 1;
            }
        }
    }
    Ok((drawn.into_values().collect(), answers, left_out))
}

/// One picture being written.
struct Drawing<'a> {
    store: &'a Store,
    options: &'a DotOptions,
    entities: HashMap<EntityId, Entity>,
    /// Entities to draw even when no statement touches them (a query's entity cells).
    extra: Vec<EntityId>,
    /// Entities of a query left out for `max_statements`.
    extra_left_out: usize,
    /// Whether a label named sources (`· Sky News`), so the caption explains it.
    named_sources: bool,
    /// The agencies a statement is credited to through statements about it (`…
    /// reported-by IRNA`, `… told-to CNN`), named in its label instead of drawn.
    relays: BTreeMap<StatementId, Vec<(Credit, EntityId)>>,
    out: String,
}

/// A document behind an answer, with whom it credits for it.
struct Support {
    document: EntityId,
    statement: StatementId,
    credited: Vec<EntityId>,
}

impl<'a> Drawing<'a> {
    fn new(store: &'a Store, options: &'a DotOptions) -> Drawing<'a> {
        Drawing {
            store,
            options,
            entities: HashMap::default(),
            extra: Vec::new(),
            extra_left_out: 0,
            named_sources: false,
            relays: BTreeMap::new(),
            out: String::new(),
        }
    }

    fn entity(&mut self, id: EntityId) -> Result<&Entity> {
        if !self.entities.contains_key(&id) {
            let e = self.store.require_entity(id)?;
            self.entities.insert(id, e);
        }
        Ok(&self.entities[&id])
    }

    /// How a document is named on an arrow: its outlet, else its name.
    fn source_name(&mut self, doc: EntityId) -> Result<String> {
        let e = self.entity(doc)?;
        Ok(crate::query::outlet(e).unwrap_or(&e.name).to_owned())
    }

    /// `· Sky News, Newsweek +2 more`: the sources of a statement, each once, in the
    /// order of its evidence, at most `sources_named` of them.
    fn sources_line(&mut self, st: &Statement) -> Result<Option<String>> {
        if self.options.sources_named == 0 {
            return Ok(None);
        }
        let mut names: Vec<String> = Vec::new();
        let docs: Vec<EntityId> = st.evidence.iter().map(|e| e.document).collect();
        for d in docs {
            let n = self.source_name(d)?;
            if !names.contains(&n) {
                names.push(n);
            }
        }
        if names.is_empty() {
            return Ok(None);
        }
        let more = names.len().saturating_sub(self.options.sources_named);
        names.truncate(self.options.sources_named);
        self.named_sources = true;
        let mut line = format!("· {}", names.join(", "));
        if more > 0 {
            let _ = write!(line, " +{more} more");
        }
        Ok(Some(line))
    }

    /// The first part of a statement's label: the relation with its hedge (`NOT
    /// acts-on (usually)`), then its other qualifiers, a line each.
    fn claim_head(&self, st: &Statement) -> String {
        let mut text = String::new();
        if let Some(Value::Str(p)) = st.qualifiers.get(POLARITY) {
            match p.as_str() {
                "negated" => text.push_str("NOT "),
                "affirmed" => {}
                other => {
                    let _ = write!(text, "{} ", other.replace('-', " ").to_uppercase());
                }
            }
        }
        text.push_str(&st.relation);
        if let Some(m) = st.qualifiers.get(MODALITY) {
            if value_words(m) != "asserted" {
                let _ = write!(text, " ({})", value_words(m));
            }
        }
        let quals: BTreeMap<&String, String> = st
            .qualifiers
            .iter()
            .filter(|(k, _)| k.as_str() != MODALITY && k.as_str() != POLARITY)
            .map(|(k, v)| match v {
                // A participant by its name; its id if the store cannot say.
                Value::Entity(e) => (k, self.store.require_entity(*e).map_or_else(|_| e.to_string(), |e| e.name)),
                v => (k, value_words(v)),
            })
            .collect();
        for (k, v) in quals {
            let _ = write!(text, "\n{}", wrap(&format!("{k}: {v}"), WRAP));
        }
        text
    }

    /// `via IRNA, Mehr news agency` and `told to CNN`: the agencies credited with a
    /// statement through statements about it.
    fn relay_lines(&mut self, st: &Statement) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (credit, words) in [(Credit::Relay, "via"), (Credit::Recipient, "told to")] {
            let mut names: Vec<String> = Vec::new();
            let agents: Vec<EntityId> =
                self.relays.get(&st.id).into_iter().flatten().filter(|r| r.0 == credit).map(|r| r.1).collect();
            for a in agents {
                let n = self.entity(a)?.name.clone();
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            if !names.is_empty() {
                out.push(format!("{words} {}", names.join(", ")));
            }
        }
        Ok(out)
    }

    /// A statement's label: `claim_head`, then (when `with_sources`) who says it, then
    /// the agencies credited with it.
    fn statement_label(&mut self, st: &Statement, with_sources: bool) -> Result<String> {
        let mut text = self.claim_head(st);
        if with_sources {
            if let Some(line) = self.sources_line(st)? {
                let _ = write!(text, "\n{}", wrap(&line, WRAP + 8));
            }
        }
        for line in self.relay_lines(st)? {
            let _ = write!(text, "\n{}", wrap(&line, WRAP + 8));
        }
        if self.options.evidence_counts {
            let docs: BTreeSet<EntityId> = st.evidence.iter().map(|e| e.document).collect();
            let _ = write!(text, "\n[{} source{}]", docs.len(), if docs.len() == 1 { "" } else { "s" });
        }
        Ok(text)
    }

    /// Draws `rows`. `answers` (a query's picture) are drawn as nodes with the
    /// documents behind them pointing at them, cited ones only when `cited` is given.
    fn draw(
        mut self,
        rows: Vec<Statement>,
        answers: Option<(&BTreeSet<StatementId>, Option<&Cited>)>,
        left_out: usize,
    ) -> Result<String> {
        // A statement crediting an agency with a drawn statement (`reported-by`,
        // `told-to`) is provenance: named in that statement's label, not drawn as an
        // arrow to the agency, unless it or the agency is an answer itself.
        let drawn: BTreeSet<StatementId> = rows.iter().map(|s| s.id).collect();
        let referenced: BTreeSet<StatementId> = rows
            .iter()
            .flat_map(|s| [Some(s.subject), s.object.node()])
            .flatten()
            .filter_map(|n| match n {
                Node::Statement(s) => Some(s),
                Node::Entity(_) => None,
            })
            .collect();
        let mut rows = rows;
        rows.retain(|st| {
            if answers.is_some_and(|(a, _)| a.contains(&st.id)) || referenced.contains(&st.id) {
                return true;
            }
            let (Node::Statement(about), Object::Node(Node::Entity(agent)), Some(credit)) =
                (st.subject, &st.object, Credit::of_relation(&st.relation))
            else {
                return true;
            };
            if !drawn.contains(&about) || self.extra.contains(agent) {
                return true;
            }
            self.relays.entry(about).or_default().push((credit, *agent));
            false
        });
        let drawn_ids: Vec<StatementId> = rows.iter().map(|s| s.id).collect();
        let mut conflicts = self.options.conflicts.clone();
        if self.options.mark_conflicts && !rows.is_empty() {
            conflicts.extend(crate::query::conflicting(self.store, Some(&drawn_ids))?);
        }
        // The documents behind each answer: dotted arrows to the answer.
        let mut support: Vec<Support> = Vec::new();
        if let Some((answers, cited)) = answers {
            for st in rows.iter().filter(|s| answers.contains(&s.id)) {
                let mut by_doc: BTreeMap<EntityId, Vec<EntityId>> = BTreeMap::new();
                for ev in &st.evidence {
                    if let Some(cited) = cited {
                        let name = self.entity(ev.document)?.name.clone();
                        if !cited.contains(&(st.id, name)) {
                            continue;
                        }
                    }
                    let credited = by_doc.entry(ev.document).or_default();
                    if let Some(a) = ev.attribution {
                        if !credited.contains(&a) {
                            credited.push(a);
                        }
                    }
                }
                for (document, credited) in by_doc {
                    support.push(Support { document, statement: st.id, credited });
                }
            }
        }
        let supported: BTreeSet<StatementId> = support.iter().map(|s| s.statement).collect();
        // A statement is a node when statements are about it or documents point at it.
        let mut reified: BTreeSet<StatementId> = rows
            .iter()
            .flat_map(|s| [Some(s.subject), s.object.node()])
            .flatten()
            .filter_map(|n| match n {
                Node::Statement(s) => Some(s),
                Node::Entity(_) => None,
            })
            .collect();
        reified.extend(supported.iter().copied());
        let mut entities: BTreeSet<EntityId> = rows
            .iter()
            .flat_map(|s| [Some(s.subject), s.object.node()])
            .flatten()
            .filter_map(|n| match n {
                Node::Entity(e) => Some(e),
                Node::Statement(_) => None,
            })
            .collect();
        entities.extend(support.iter().map(|s| s.document));
        entities.extend(self.extra.iter().copied());
        // An outlet among the entities drawn points at the documents it published.
        let mut published: Vec<(EntityId, EntityId)> = Vec::new();
        let documents: Vec<EntityId> =
            support.iter().map(|s| s.document).collect::<BTreeSet<_>>().into_iter().collect();
        for doc in documents {
            let Some(outlet) = crate::query::outlet(self.entity(doc)?).map(str::to_owned) else { continue };
            for id in self.store.lookup(&outlet)? {
                if entities.contains(&id) && !published.contains(&(id, doc)) {
                    published.push((id, doc));
                }
            }
        }

        // A statement with a value as object, that nothing points at, is a line of
        // its subject's node (a fact) rather than an arrow to a node of its own:
        // values were half the nodes of the whole picture.
        let mut facts: BTreeMap<Node, Vec<&Statement>> = BTreeMap::new();
        for st in &rows {
            if matches!(st.object, Object::Literal(_)) && !reified.contains(&st.id) {
                facts.entry(st.subject).or_default().push(st);
            }
        }

        self.header();
        self.entity_nodes(&entities, &facts, &conflicts)?;
        let mut edges = String::new();
        let mut plain: BTreeMap<(Node, Node), Vec<&Statement>> = BTreeMap::new();
        for st in &rows {
            if matches!(st.object, Object::Literal(_)) && !reified.contains(&st.id) {
                continue;
            }
            let conflict = conflicts.contains(&st.id);
            let hedged = is_hedged(st);
            let style = match (conflict, hedged) {
                (true, true) => CONFLICT_HEDGED,
                (true, false) => CONFLICT,
                (false, true) => HEDGED,
                (false, false) => "",
            };
            // A value is never a node: a statement with one is a fact of its
            // subject's node, or (when something points at it) a node naming it.
            let target = st.object.node();
            let source = node_id(st.subject);
            let claim = claim_words(self.store, st)?;
            if reified.contains(&st.id) {
                // The statement is a node: subject → [statement] → object. Documents
                // point at it, so it names no sources itself.
                let mut text = self.statement_label(st, !supported.contains(&st.id))?;
                if let Object::Literal(v) = &st.object {
                    let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
                    let mut with_value = wrap(&format!("{head}: {}", value_words(v)), WRAP);
                    if !rest.is_empty() {
                        let _ = write!(with_value, "\n{rest}");
                    }
                    text = with_value;
                }
                let me = node_id(Node::Statement(st.id));
                let colour = match (conflict, hedged) {
                    (true, _) => ", color=\"#b02a37\", fontcolor=\"#b02a37\"",
                    (false, true) => ", color=\"#6c757d\", fontcolor=\"#6c757d\"",
                    (false, false) => "",
                };
                let dashed = if hedged { "rounded,filled,dashed" } else { "rounded,filled" };
                let own = facts.get(&Node::Statement(st.id)).map(Vec::as_slice).unwrap_or_default();
                let text = if own.is_empty() { label(&text) } else { self.card(&text, false, own, &conflicts)? };
                let _ = writeln!(
                    self.out,
                    "  {} [label={}, tooltip={}, shape=box, style=\"{dashed}\", fillcolor=\"#fafafa\", fontsize=9{colour}];",
                    quote(&me),
                    text,
                    label(&format!("{claim} ({})", st.id)),
                );
                let attrs = if style.is_empty() { String::new() } else { format!(", {style}") };
                let _ = writeln!(edges, "  {} -> {} [arrowhead=none{attrs}];", quote(&source), quote(&me));
                match target {
                    Some(t) if style.is_empty() => {
                        let _ = writeln!(edges, "  {} -> {};", quote(&me), quote(&node_id(t)));
                    }
                    Some(t) => {
                        let _ = writeln!(edges, "  {} -> {} [{style}];", quote(&me), quote(&node_id(t)));
                    }
                    None => {}
                }
            } else if let Some(target) = target {
                plain.entry((st.subject, target)).or_default().push(st);
            }
        }
        // Statements between the same two nodes share one arrow, a line each: the
        // versions of a claim side by side. A large picture places its labels after
        // the layout (`xlabel`), so they do not push the ranks apart.
        let key = if plain.len() > XLABEL_ABOVE { "xlabel" } else { "label" };
        for ((subject, target), sts) in &plain {
            let source = node_id(*subject);
            let conflict = sts.iter().any(|s| conflicts.contains(&s.id));
            let hedged = sts.iter().all(|s| is_hedged(s));
            let style = match (conflict, hedged) {
                (true, true) => CONFLICT_HEDGED,
                (true, false) => CONFLICT,
                (false, true) => HEDGED,
                (false, false) => "",
            };
            let attrs = if style.is_empty() { String::new() } else { format!(", {style}") };
            let mut claims = Vec::new();
            for st in sts {
                claims.push(format!("{} ({})", claim_words(self.store, st)?, st.id));
            }
            let text = if let [st] = sts.as_slice() {
                label(&self.statement_label(st, true)?)
            } else {
                let mut lines = Vec::new();
                for st in sts.iter().take(CARD_FACTS) {
                    lines.push((self.statement_label(st, true)?, *st));
                }
                self.lines_label(None, &lines, sts.len().saturating_sub(CARD_FACTS), &conflicts, 9)
            };
            let _ = writeln!(
                edges,
                "  {} -> {} [{key}={text}, tooltip={}{attrs}];",
                quote(&source),
                quote(&node_id(*target)),
                label(&claims.join("\n")),
            );
        }
        for s in &support {
            let mut text = String::new();
            if !s.credited.is_empty() {
                let mut names = Vec::new();
                for c in &s.credited {
                    names.push(self.entity(*c)?.name.clone());
                }
                text = wrap(&format!("credits {}", names.join(", ")), WRAP);
            }
            let _ = writeln!(
                edges,
                "  {} -> {} [label={}, style=dotted, color=\"#495057\", fontcolor=\"#495057\", arrowhead=open];",
                quote(&node_id(Node::Entity(s.document))),
                quote(&node_id(Node::Statement(s.statement))),
                label(&text)
            );
        }
        for (outlet, doc) in &published {
            let _ = writeln!(
                edges,
                "  {} -> {} [label=\"published\", style=dotted, color=\"#495057\", fontcolor=\"#495057\", arrowhead=open];",
                quote(&node_id(Node::Entity(*outlet))),
                quote(&node_id(Node::Entity(*doc))),
            );
        }
        self.out.push_str(&edges);
        self.caption(&rows, !support.is_empty(), &conflicts, left_out);
        self.out.push_str("}\n");
        Ok(self.out)
    }

    fn header(&mut self) {
        self.out.push_str("digraph factgraph {\n");
        self.out.push_str(
            "  graph [rankdir=LR, charset=\"UTF-8\", fontname=\"Helvetica\", fontsize=11, newrank=true, forcelabels=true, \
             nodesep=0.15, ranksep=0.35, labeljust=l];\n",
        );
        self.out.push_str("  node [style=filled, fontname=\"Helvetica\", fontsize=11, margin=\"0.08,0.03\"];\n");
        self.out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    }

    /// The entity nodes, in one box per kind when clustering by kind (kinds in
    /// alphabetical order, documents last); an entity with facts lists them.
    fn entity_nodes(
        &mut self,
        entities: &BTreeSet<EntityId>,
        facts: &BTreeMap<Node, Vec<&Statement>>,
        conflicts: &BTreeSet<StatementId>,
    ) -> Result<()> {
        let mut by_kind: BTreeMap<(bool, String), Vec<EntityId>> = BTreeMap::new();
        for id in entities {
            let e = self.entity(*id)?;
            by_kind.entry((e.is_document(), e.kind.clone())).or_default().push(*id);
        }
        for (n, ((_, kind), ids)) in by_kind.into_iter().enumerate() {
            let indent = match self.options.cluster {
                Cluster::Kind => {
                    let title =
                        if kind == factgraph_store::DOCUMENT_KIND { "Documents".to_owned() } else { kind.clone() };
                    let _ = writeln!(
                        self.out,
                        "  subgraph {} {{\n    label={}; style=\"rounded,filled\"; color=\"#ced4da\"; fillcolor=\"#fcfcfd\"; fontcolor=\"#495057\";",
                        quote(&format!("cluster_{n}")),
                        label(&title)
                    );
                    "    "
                }
                Cluster::None => "  ",
            };
            for id in ids {
                let e = self.entity(id)?.clone();
                let (text, tip) = if e.is_document() {
                    let mut text = e.name.clone();
                    if let Some(o) = crate::query::outlet(&e) {
                        let _ = write!(text, "\n{o}");
                    }
                    let tip = match crate::query::title(&e) {
                        Some(t) => format!("{} ({}): {t}", e.name, e.kind),
                        None => format!("{} ({})", e.name, e.kind),
                    };
                    (text, tip)
                } else {
                    (wrap(&e.name, WRAP), format!("{} ({})", e.name, e.kind))
                };
                let own = facts.get(&Node::Entity(id)).map(Vec::as_slice).unwrap_or_default();
                let (text, style) = if own.is_empty() {
                    (label(&text), kind_style(&e.kind))
                } else {
                    // A card: a box, coloured as its kind.
                    let style = format!("shape=box, style=\"rounded,filled\", fillcolor=\"{}\"", kind_fill(&e.kind));
                    (self.card(&text, true, own, conflicts)?, style)
                };
                let _ = writeln!(
                    self.out,
                    "{indent}{} [label={text}, tooltip={}, {style}];",
                    quote(&node_id(Node::Entity(id))),
                    label(&tip),
                );
            }
            if self.options.cluster == Cluster::Kind {
                self.out.push_str("  }\n");
            }
        }
        Ok(())
    }

    /// An HTML-like label: a title, then one line per fact (`relation: value ·
    /// sources`), red when sources disagree on it, grey and italic when hedged, at
    /// most `CARD_FACTS` of them.
    fn card(
        &mut self,
        title: &str,
        bold: bool,
        facts: &[&Statement],
        conflicts: &BTreeSet<StatementId>,
    ) -> Result<String> {
        let mut lines = Vec::new();
        for st in facts.iter().take(CARD_FACTS) {
            let mut text = self.claim_head(st).replace('\n', "; ");
            if let Object::Literal(v) = &st.object {
                let _ = write!(text, ": {}", value_words(v));
            }
            if let Some(line) = self.sources_line(st)? {
                let _ = write!(text, " {line}");
            }
            for line in self.relay_lines(st)? {
                let _ = write!(text, "; {line}");
            }
            if self.options.evidence_counts {
                let docs: BTreeSet<EntityId> = st.evidence.iter().map(|e| e.document).collect();
                let _ = write!(text, " [{} source{}]", docs.len(), if docs.len() == 1 { "" } else { "s" });
            }
            lines.push((wrap(&text, WRAP + 12), *st));
        }
        Ok(self.lines_label(Some((title, bold)), &lines, facts.len().saturating_sub(CARD_FACTS), conflicts, 9))
    }

    /// A label of lines, each a statement's, coloured as `fact_colour` says and in
    /// italics when hedged, under an optional title; as plain text (no colours) when
    /// HTML-like labels are off.
    fn lines_label(
        &self,
        title: Option<(&str, bool)>,
        lines: &[(String, &Statement)],
        more: usize,
        conflicts: &BTreeSet<StatementId>,
        points: u32,
    ) -> String {
        if !self.options.html_labels {
            let mut text: Vec<String> = title.map(|t| t.0.to_owned()).into_iter().collect();
            text.extend(lines.iter().map(|l| l.0.clone()));
            if more > 0 {
                text.push(format!("+{more} more"));
            }
            return label(&text.join("\n"));
        }
        let mut out = String::from("<<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">");
        match title {
            Some((t, true)) => {
                let _ = write!(out, "<tr><td><b>{}</b></td></tr>", html(t, MAX_LABEL_CHARS));
            }
            Some((t, false)) => {
                let _ = write!(out, "<tr><td>{}</td></tr>", html(t, MAX_LABEL_CHARS));
            }
            None => {}
        }
        for (text, st) in lines {
            let mut cell = html(text, FACT_CHARS);
            if is_hedged(st) {
                cell = format!("<i>{cell}</i>");
            }
            let _ = write!(
                out,
                "<tr><td align=\"left\" balign=\"left\"><font point-size=\"{points}\" color=\"{}\">{cell}</font></td></tr>",
                fact_colour(st, conflicts)
            );
        }
        if more > 0 {
            let _ = write!(out, "<tr><td align=\"left\"><font point-size=\"{points}\">+{more} more</font></td></tr>");
        }
        out.push_str("</table>>");
        out
    }

    /// A key to what the picture shows, under it, naming only what it uses.
    fn caption(&mut self, rows: &[Statement], support: bool, conflicts: &BTreeSet<StatementId>, left_out: usize) {
        let mut lines: Vec<String> = Vec::new();
        if self.named_sources {
            lines.push("after ·: the outlets (else the documents) that say it".into());
        }
        if !self.relays.is_empty() {
            lines.push("via, told to: whom the sources credit with it, or say it was told to".into());
        }
        if rows.iter().any(|s| conflicts.contains(&s.id)) {
            lines.push("red: versions of a claim that sources disagree on".into());
        }
        if rows.iter().any(is_hedged) {
            lines.push("dashed grey: hedged or denied by its source".into());
        }
        if support {
            lines.push("dotted: a document that says it (and whom it credits)".into());
        }
        if left_out > 0 {
            lines.push(format!(
                "{} statement{} left out: more than {} to draw",
                thousands(left_out as u64),
                if left_out == 1 { "" } else { "s" },
                thousands(self.options.max_statements as u64)
            ));
        }
        if self.extra_left_out > 0 {
            lines.push(format!(
                "{} left out: more than {} to draw",
                count(self.extra_left_out as u64, "entity", "entities"),
                thousands(self.options.max_statements as u64)
            ));
        }
        if !lines.is_empty() {
            // `\l` ends a left-aligned line.
            let text = label(&(lines.join("\n") + "\n")).replace("\\n", "\\l");
            let _ = writeln!(self.out, "  label={text}; labelloc=b;");
        }
    }
}

/// The colour of a statement's line in a node or a shared arrow: red when sources
/// disagree on it, grey when hedged.
fn fact_colour(st: &Statement, conflicts: &BTreeSet<StatementId>) -> &'static str {
    if conflicts.contains(&st.id) {
        "#b02a37"
    } else if is_hedged(st) {
        "#6c757d"
    } else {
        "#212529"
    }
}

/// Above this many arrows, their labels are placed after the layout (`xlabel`).
const XLABEL_ABOVE: usize = 40;

/// Whether a source hedges or denies the statement: a `modality` other than
/// `asserted`, or a `polarity` other than `affirmed`.
fn is_hedged(st: &Statement) -> bool {
    let is = |k: &str, plain: &str| st.qualifiers.get(k).is_some_and(|v| value_words(v) != plain);
    is(MODALITY, "asserted") || is(POLARITY, "affirmed")
}

/// A value as words: strings without their quotes.
fn value_words(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        v => v.to_string(),
    }
}

/// A statement in words for a tooltip: `Ali Alqasimehr accused Donald Trump`.
fn claim_words(store: &Store, st: &Statement) -> Result<String> {
    let name = |n: Node| -> Result<String> {
        Ok(match n {
            Node::Entity(e) => store.require_entity(e)?.name,
            Node::Statement(s) => format!("({s})"),
        })
    };
    let object = match &st.object {
        Object::Node(n) => name(*n)?,
        Object::Literal(v) => value_words(v),
    };
    Ok(format!("{} {} {object}", name(st.subject)?, st.relation))
}

/// `1 entity`, `2,000 entities`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A summary arrow: (from, to) groups, its statements, and its relations by count.
type Arrow = ((usize, usize), u64, Vec<(u32, u64)>);

/// The most kinds the summary draws as nodes; the rest share one node.
const SUMMARY_KINDS: usize = 12;
/// The most arrows between kinds the summary draws; the smallest are left out.
const SUMMARY_ARROWS: usize = 24;
/// Relations named on a summary arrow.
const SUMMARY_RELATIONS: usize = 3;
/// Entities named in a kind's node, best connected first.
const SUMMARY_TOP: usize = 3;

/// One node per kind and one arrow per pair of kinds (see the module docs). Reads the
/// kind lists and each entity's adjacency (two lists per entity), never a statement,
/// so its cost grows with the entities and statements but its output does not.
fn summary(store: &Store, total: usize, options: &DotOptions) -> Result<String> {
    let mut kinds = store.kinds()?;
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // Groups: the commonest kinds, then "other kinds", statements and values.
    let shown = kinds.len().min(SUMMARY_KINDS);
    let other = shown;
    let claims = shown + 1;
    let values = shown + 2;
    let mut group_names: Vec<String> = kinds.iter().take(shown).map(|k| k.0.clone()).collect();
    group_names.push(format!("{} other kinds", kinds.len() - shown));
    group_names.push("statements about\nwhich others are made".into());
    group_names.push("values".into());
    let mut group_of: HashMap<EntityId, usize> = HashMap::default();
    let mut members: Vec<u64> = vec![0; group_names.len()];
    for (i, (kind, _)) in kinds.iter().enumerate() {
        let g = if i < shown { i } else { other };
        for id in store.entities_of_kind(kind)? {
            if group_of.insert(id, g).is_none() {
                members[g] += 1;
            }
        }
    }
    let relation_names: HashMap<u32, String> =
        store.relations().into_iter().filter_map(|r| store.relation_id(&r).map(|id| (id, r))).collect();
    let mut pairs: BTreeMap<(usize, usize), HashMap<u32, u64>> = BTreeMap::new();
    let mut top: Vec<Vec<(usize, EntityId)>> = vec![Vec::new(); group_names.len()];
    let mut counted = 0u64;
    let mut ids: Vec<(EntityId, usize)> = group_of.iter().map(|(e, g)| (*e, *g)).collect();
    ids.sort_unstable();
    for (id, g) in ids {
        let out = store.edges(Node::Entity(id), Direction::Out)?;
        let inc = store.edges(Node::Entity(id), Direction::In)?;
        let degree = out.len() + inc.len();
        let t = &mut top[g];
        if degree > 0 && (t.len() < SUMMARY_TOP || degree > t[t.len() - 1].0) {
            t.push((degree, id));
            t.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            t.truncate(SUMMARY_TOP);
        }
        for e in out {
            let to = match e.other {
                Some(Node::Entity(o)) => group_of.get(&o).copied().unwrap_or(other),
                Some(Node::Statement(_)) => claims,
                None => values,
            };
            *pairs.entry((g, to)).or_default().entry(e.relation).or_default() += 1;
            counted += 1;
        }
        for e in inc {
            if let Some(Node::Statement(_)) = e.other {
                *pairs.entry((claims, g)).or_default().entry(e.relation).or_default() += 1;
                counted += 1;
            }
        }
    }
    let mut arrows: Vec<Arrow> = pairs
        .into_iter()
        .map(|(k, rels)| {
            let n = rels.values().sum();
            let mut rels: Vec<(u32, u64)> = rels.into_iter().collect();
            rels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (k, n, rels)
        })
        .collect();
    arrows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let arrows_left: usize = arrows.len().saturating_sub(SUMMARY_ARROWS);
    let statements_left: u64 = arrows.iter().skip(SUMMARY_ARROWS).map(|a| a.1).sum();
    arrows.truncate(SUMMARY_ARROWS);
    let used: BTreeSet<usize> = arrows.iter().flat_map(|a| [a.0 .0, a.0 .1]).collect();

    let mut out = String::new();
    out.push_str("digraph factgraph {\n");
    out.push_str(
        "  graph [rankdir=LR, charset=\"UTF-8\", fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.6, labeljust=l];\n",
    );
    out.push_str("  node [style=filled, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    let mut unlinked: Vec<String> = Vec::new();
    for (g, name) in group_names.iter().enumerate() {
        let is_kind = g < shown || g == other;
        if !used.contains(&g) {
            if is_kind && members[g] > 0 {
                unlinked.push(format!("{name} ({})", thousands(members[g])));
            }
            continue;
        }
        let mut text = name.clone();
        if is_kind {
            let _ = write!(text, "\n{}", count(members[g], "entity", "entities"));
        }
        for (degree, id) in &top[g] {
            let e = store.require_entity(*id)?;
            let _ = write!(text, "\n{} ({})", wrap(&e.name, WRAP), thousands(*degree as u64));
        }
        let style = if g < shown {
            kind_style(&group_names[g])
        } else if g == values {
            "shape=plaintext, style=\"\"".to_owned()
        } else {
            "shape=box, style=\"rounded,filled\", fillcolor=\"#fafafa\"".to_owned()
        };
        let _ = writeln!(out, "  {} [label={}, {style}];", quote(&format!("g{g}")), label(&text));
    }
    for ((from, to), n, rels) in &arrows {
        let mut text = count(*n, "statement", "statements");
        for (rel, k) in rels.iter().take(SUMMARY_RELATIONS) {
            let name = relation_names.get(rel).map_or("?", String::as_str);
            let _ = write!(text, "\n{name} {}", thousands(*k));
        }
        if rels.len() > SUMMARY_RELATIONS {
            let _ = write!(text, "\n+{} more relations", rels.len() - SUMMARY_RELATIONS);
        }
        let width = 1.0 + (*n as f64).log10().max(0.0) * 0.6;
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, penwidth={width:.1}];",
            quote(&format!("g{from}")),
            quote(&format!("g{to}")),
            label(&text)
        );
    }
    let mut first = format!(
        "A summary of {} about {}",
        count(total as u64, "statement", "statements"),
        count(group_of.len() as u64, "entity", "entities")
    );
    if total > options.max_statements {
        let _ = write!(first, ": more than {} to draw one by one", thousands(options.max_statements as u64));
    }
    first.push('.');
    let mut lines = vec![first];
    lines.push(
        "Each node is a kind (with its best-connected entities and their statements), each arrow the statements from one kind to another.".into(),
    );
    lines.push("Draw a question's statements to see them one by one, with their sources.".into());
    if !unlinked.is_empty() {
        lines.push(format!("Not drawn (no arrow of theirs among those drawn): {}.", unlinked.join(", ")));
    }
    if arrows_left > 0 {
        lines.push(format!(
            "Left out: the {} smallest arrows ({} statements).",
            thousands(arrows_left as u64),
            thousands(statements_left)
        ));
    }
    let rest = (total as u64).saturating_sub(counted);
    if rest > 0 {
        lines.push(format!("Not counted: {} statements from a statement to a statement or a value.", thousands(rest)));
    }
    let caption: Vec<String> = lines.iter().map(|l| wrap(l, 100)).collect();
    let text = label(&(caption.join("\n") + "\n")).replace("\\n", "\\l");
    let _ = writeln!(out, "  label={text}; labelloc=b;");
    out.push_str("}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{html, label, quote, thousands, wrap, MAX_LABEL_CHARS};

    #[test]
    fn labels_escape_ampersands_and_cut_long_text_with_an_ellipsis() {
        assert_eq!(label("AT&T &lt;"), "\"AT&amp;T &amp;lt;\"");
        assert_eq!(label("<b>\"q\"</b>"), "\"<b>\\\"q\\\"</b>\"");
        let long = "é".repeat(MAX_LABEL_CHARS + 5);
        let cut = label(&long);
        assert_eq!(cut.chars().count(), MAX_LABEL_CHARS + 3, "the text, an ellipsis and two quotes");
        assert!(cut.ends_with("é…\""));
        assert_eq!(label(&"a".repeat(MAX_LABEL_CHARS)), quote(&"a".repeat(MAX_LABEL_CHARS)));
    }

    #[test]
    fn quoting_escapes_what_dot_needs() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(quote("two\nlines\r"), "\"two\\nlines\"");
        assert_eq!(quote("Soleimaní — قاسم"), "\"Soleimaní — قاسم\"");
        assert_eq!(quote("bell\u{7}"), "\"bell \"");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_long_words_whole() {
        assert_eq!(
            wrap("the highest-level arrest requested by Interpol", 20),
            "the highest-level\narrest requested by\nInterpol"
        );
        assert_eq!(wrap("short", 20), "short");
        assert_eq!(wrap("a\nb c", 1), "a\nb\nc");
        assert_eq!(wrap(&"x".repeat(30), 10), "x".repeat(30));
        assert_eq!(wrap("", 10), "");
    }

    #[test]
    fn html_labels_escape_markup_and_cut_long_text() {
        assert_eq!(html("AT&T <b>\"q\"</b>", 100), "AT&amp;T &lt;b&gt;&quot;q&quot;&lt;/b&gt;");
        assert_eq!(html("a\nb\r\u{7}", 100), "a<br align=\"left\"/>b ");
        assert_eq!(html("éééé", 2), "éé…");
        assert_eq!(html("&&&", 2), "&amp;&amp;…", "cut before escaping, so no entity is cut in two");
    }

    #[test]
    fn thousands_are_separated_with_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
