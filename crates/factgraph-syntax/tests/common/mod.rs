//! What the tests share: a tree's meaning without its positions.

use factgraph_syntax::ast::{Clause, Script, Statement};

/// The tree's `Debug` text with every span and every return item's written text
/// blanked, so two trees that say the same thing at different places or in other
/// spacing (a tree and its printed-then-parsed copy) compare equal.
pub fn meaning(script: &Script) -> String {
    let mut script = script.clone();
    for st in &mut script.statements {
        if let Statement::Query(q) = st {
            let unions = q.unions.iter_mut().flat_map(|u| u.clauses.iter_mut());
            for c in q.clauses.iter_mut().chain(unions) {
                if let Clause::With(p) | Clause::Return(p) = c {
                    for r in &mut p.items {
                        r.text.clear();
                    }
                }
            }
        }
    }
    let text = format!("{script:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        rest = &rest[at..];
        // A span's Debug is `Span { start: N, end: M }`: skip to its closing brace.
        let end = rest.find('}').map_or(rest.len(), |e| e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
