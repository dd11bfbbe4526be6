//! GraphViz DOT output, our own emitter: every id and label quoted and escaped,
//! nodes styled by kind, statements as edges labelled with their relation, and a
//! statement that other statements are about drawn as a small node of its own so the
//! statements about it have something to point at.
//!
//! Labels are what people read, so they get two more things than ids: `&` is written
//! `&amp;` (GraphViz decodes entities in labels, so `&lt;` would be drawn as `<`), and
//! a label longer than `MAX_LABEL_CHARS` is cut with an ellipsis (GraphViz refuses a
//! whole file with a quoted string over 16,384 bytes, and names may be 64 KiB).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use factgraph_store::{EntityId, Node, Object, Statement, StatementId, Store};

use crate::error::Result;

/// How to draw.
#[derive(Clone, Debug, Default)]
pub struct DotOptions {
    /// Label each edge with the number of documents supporting it.
    pub evidence_counts: bool,
    /// Statements to mark as conflicting (drawn red and dashed).
    pub conflicts: BTreeSet<StatementId>,
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

fn kind_style(kind: &str) -> &'static str {
    match kind {
        "Person" => "shape=ellipse, fillcolor=\"#cfe2ff\"",
        "Organization" | "Company" | "Agency" | "Outlet" => "shape=box, fillcolor=\"#fff3cd\"",
        "Country" => "shape=hexagon, fillcolor=\"#d1e7dd\"",
        "Place" => "shape=house, fillcolor=\"#e2e3e5\"",
        "Event" => "shape=diamond, fillcolor=\"#f8d7da\"",
        "Document" => "shape=folder, fillcolor=\"#ffffff\"",
        "Concept" | "Law" | "Topic" => "shape=note, fillcolor=\"#e0cffc\"",
        _ => "shape=ellipse, fillcolor=\"#f8f9fa\"",
    }
}

fn node_id(n: Node) -> String {
    match n {
        Node::Entity(e) => format!("e{}", e.0),
        Node::Statement(s) => format!("s{}", s.0),
    }
}

/// Writes the statements given (or every statement, for `None`) and the entities they
/// touch as a DOT digraph.
pub(crate) fn to_dot(store: &Store, statements: Option<&[StatementId]>, options: &DotOptions) -> Result<String> {
    let rows: Vec<Statement> = match statements {
        None => store.statements().collect::<std::result::Result<_, _>>()?,
        Some(ids) => {
            let mut out = Vec::with_capacity(ids.len());
            let mut seen = BTreeSet::new();
            // Statements about the chosen ones (who reported them, to whom they were
            // told) come along: they are the provenance a reader wants to see.
            let mut stack: Vec<StatementId> = ids.to_vec();
            for id in ids {
                stack.extend(store.statements_about(*id)?);
            }
            // A statement about a statement needs that statement drawn too.
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                if let Some(st) = store.statement(id)? {
                    for n in [Some(st.subject), st.object.node()].into_iter().flatten() {
                        if let Node::Statement(s) = n {
                            stack.push(s);
                        }
                    }
                    out.push(st);
                }
            }
            out.sort_by_key(|s| s.id);
            out
        }
    };
    let reified: BTreeSet<StatementId> = rows
        .iter()
        .flat_map(|s| [Some(s.subject), s.object.node()])
        .flatten()
        .filter_map(|n| match n {
            Node::Statement(s) => Some(s),
            Node::Entity(_) => None,
        })
        .collect();
    let entities: BTreeSet<EntityId> = rows
        .iter()
        .flat_map(|s| [Some(s.subject), s.object.node()])
        .flatten()
        .filter_map(|n| match n {
            Node::Entity(e) => Some(e),
            Node::Statement(_) => None,
        })
        .collect();

    let mut out = String::new();
    out.push_str("digraph factgraph {\n");
    out.push_str("  graph [rankdir=LR, charset=\"UTF-8\", fontname=\"Helvetica\"];\n");
    out.push_str("  node [style=filled, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for id in &entities {
        let e = store.require_entity(*id)?;
        let _ = writeln!(
            out,
            "  {} [label={}, tooltip={}, {}];",
            quote(&node_id(Node::Entity(*id))),
            label(&e.name),
            label(&format!("{} ({})", e.name, e.kind)),
            kind_style(&e.kind)
        );
    }
    let mut literal_no = 0usize;
    for st in &rows {
        let text = edge_label(st, options);
        let conflict = options.conflicts.contains(&st.id);
        let style = if conflict { ", color=\"#b02a37\", fontcolor=\"#b02a37\", style=dashed" } else { "" };
        let target = match &st.object {
            Object::Node(n) => node_id(*n),
            Object::Literal(v) => {
                literal_no += 1;
                let id = format!("lit{literal_no}");
                let _ =
                    writeln!(out, "  {} [label={}, shape=plaintext, style=\"\"];", quote(&id), label(&v.to_string()));
                id
            }
        };
        let source = node_id(st.subject);
        if reified.contains(&st.id) {
            // The statement is a node: subject → [statement] → object.
            let me = node_id(Node::Statement(st.id));
            let _ = writeln!(
                out,
                "  {} [label={}, shape=box, style=\"rounded,filled\", fillcolor=\"#fafafa\", fontsize=9{}];",
                quote(&me),
                label(&text),
                if conflict { ", color=\"#b02a37\"" } else { "" }
            );
            let _ = writeln!(out, "  {} -> {} [arrowhead=none{}];", quote(&source), quote(&me), style);
            let attrs = style.trim_start_matches(", ");
            if attrs.is_empty() {
                let _ = writeln!(out, "  {} -> {};", quote(&me), quote(&target));
            } else {
                let _ = writeln!(out, "  {} -> {} [{attrs}];", quote(&me), quote(&target));
            }
        } else {
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, tooltip={}{}];",
                quote(&source),
                quote(&target),
                label(&text),
                label(&format!("{} ({})", text, st.id)),
                style
            );
        }
    }
    out.push_str("}\n");
    Ok(out)
}

fn edge_label(st: &Statement, options: &DotOptions) -> String {
    let mut label = st.relation.clone();
    let quals: BTreeMap<&String, String> = st.qualifiers.iter().map(|(k, v)| (k, v.to_string())).collect();
    for (k, v) in quals {
        let _ = write!(label, "\n{k}: {v}");
    }
    if options.evidence_counts {
        let docs: BTreeSet<EntityId> = st.evidence.iter().map(|e| e.document).collect();
        let _ = write!(label, "\n[{} source{}]", docs.len(), if docs.len() == 1 { "" } else { "s" });
    }
    label
}

#[cfg(test)]
mod tests {
    use super::{label, quote, MAX_LABEL_CHARS};

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
}
