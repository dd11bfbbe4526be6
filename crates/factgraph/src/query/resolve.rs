//! Resolving what the user typed: entity names through the alias index (with
//! suggestions and ambiguity), and relation words through light normalisation.

use factgraph_store::{normalize, Entity, EntityId, Store, Transaction};
use factgraph_syntax::ast::{Ident, Name};

use crate::error::{Candidate, Error, QueryError, Result};

/// Where names are looked up: the store, or a transaction (which sees its own writes).
pub(crate) trait Lookup {
    fn ids(&mut self, name: &str) -> Result<Vec<EntityId>>;
    fn get(&mut self, id: EntityId) -> Result<Option<Entity>>;
    fn store(&self) -> &Store;
}

impl Lookup for &Store {
    fn ids(&mut self, name: &str) -> Result<Vec<EntityId>> {
        Ok(self.lookup(name)?)
    }
    fn get(&mut self, id: EntityId) -> Result<Option<Entity>> {
        Ok(self.entity(id)?)
    }
    fn store(&self) -> &Store {
        self
    }
}

impl Lookup for Transaction<'_> {
    fn ids(&mut self, name: &str) -> Result<Vec<EntityId>> {
        Ok(self.lookup(name)?)
    }
    fn get(&mut self, id: EntityId) -> Result<Option<Entity>> {
        Ok(self.entity(id)?)
    }
    fn store(&self) -> &Store {
        Transaction::store(self)
    }
}

/// Resolves a name to exactly one entity. Several candidates resolve when exactly one
/// of them has the name as its canonical name (ignoring case and accents); otherwise
/// the name is ambiguous.
pub(crate) fn entity(l: &mut impl Lookup, name: &Name) -> Result<Entity> {
    let ids = l.ids(&name.text)?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(e) = l.get(id)? {
            found.push(e);
        }
    }
    match found.len() {
        0 => Err(QueryError::UnknownEntity {
            name: name.text.clone(),
            span: name.span,
            suggestions: suggestions(l.store(), &name.text)?,
        }
        .into()),
        1 => Ok(found.remove(0)),
        _ => {
            let n = normalize(&name.text);
            let canonical: Vec<usize> = (0..found.len()).filter(|&i| normalize(&found[i].name) == n).collect();
            if let [i] = canonical.as_slice() {
                return Ok(found.swap_remove(*i));
            }
            Err(QueryError::Ambiguous {
                name: name.text.clone(),
                span: name.span,
                candidates: found.into_iter().map(Candidate::of).collect(),
            }
            .into())
        }
    }
}

/// Up to three known names closest to `name` (normalised edit distance), as their
/// entities' canonical names.
pub(crate) fn suggestions(store: &Store, name: &str) -> Result<Vec<String>> {
    let wanted = normalize(name);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let budget = (wanted.chars().count() / 3).clamp(1, 4);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for (spelling, ids) in store.names()? {
        let d = strsim::levenshtein(&wanted, &spelling);
        let prefix = spelling.starts_with(&wanted) && wanted.chars().count() >= 3;
        if d <= budget || prefix {
            for id in ids {
                if let Some(e) = store.entity(id)? {
                    scored.push((if prefix { d.min(budget) } else { d }, e.name));
                }
            }
        }
    }
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, n) in scored {
        if !out.contains(&n) {
            out.push(n);
        }
        if out.len() == 3 {
            break;
        }
    }
    Ok(out)
}

/// The stem a relation word is compared by: lower-cased, `-by`/`_by` dropped, a few
/// irregular past tenses mapped to their present, then one of `ing`, `ies`, `es`, `ed`,
/// `s` removed and a final `e` dropped. So `forbid`, `forbids` and `forbade` meet, and so do `report`,
/// `reported` and `reported-by`.
pub fn relation_stem(word: &str) -> String {
    let mut w = word.to_lowercase().replace('_', "-");
    for suffix in ["-by", "-of", "-to", "-in", "-on", "-with"] {
        if let Some(s) = w.strip_suffix(suffix) {
            w = s.to_owned();
            break;
        }
    }
    const IRREGULAR: &[(&str, &str)] = &[
        ("forbade", "forbid"),
        ("forbidden", "forbid"),
        ("said", "say"),
        ("says", "say"),
        ("told", "tell"),
        ("sent", "send"),
        ("gave", "give"),
        ("given", "give"),
        ("made", "make"),
        ("took", "take"),
        ("taken", "take"),
        ("held", "hold"),
        ("led", "lead"),
        ("met", "meet"),
        ("won", "win"),
        ("went", "go"),
        ("was", "be"),
        ("were", "be"),
        ("is", "be"),
        ("are", "be"),
        ("did", "do"),
        ("does", "do"),
        ("had", "have"),
        ("has", "have"),
        ("killed", "kill"),
        ("sought", "seek"),
        ("brought", "bring"),
        ("withdrew", "withdraw"),
        ("withdrawn", "withdraw"),
        ("struck", "strike"),
        ("fled", "flee"),
        ("wrote", "write"),
        ("written", "write"),
        ("spoke", "speak"),
        ("spoken", "speak"),
        ("chose", "choose"),
        ("began", "begin"),
    ];
    if let Some((_, base)) = IRREGULAR.iter().find(|(past, _)| *past == w) {
        return (*base).to_owned();
    }
    for suffix in ["ing", "ies", "es", "ed", "s"] {
        if w.len() > suffix.len() + 2 {
            if let Some(s) = w.strip_suffix(suffix) {
                w = if suffix == "ies" { format!("{s}y") } else { s.to_owned() };
                break;
            }
        }
    }
    // `accuse` and `accus(ed)` meet here.
    if w.len() > 3 && w.ends_with('e') {
        w.pop();
    }
    w
}

/// Every stored relation a word may mean: exact names first, then by stem.
pub(crate) fn relations(store: &Store, word: &Ident) -> Result<Vec<String>> {
    let all = store.relations();
    if all.iter().any(|r| r == &word.text) {
        return Ok(vec![word.text.clone()]);
    }
    let stem = relation_stem(&word.text);
    let matched: Vec<String> = all.iter().filter(|r| relation_stem(r) == stem).cloned().collect();
    if matched.is_empty() {
        let mut near: Vec<(usize, &String)> =
            all.iter().map(|r| (strsim::levenshtein(&relation_stem(r), &stem), r)).filter(|(d, _)| *d <= 3).collect();
        near.sort();
        return Err(Error::Query(QueryError::UnknownRelation {
            word: word.text.clone(),
            span: word.span,
            suggestions: near.into_iter().take(3).map(|(_, r)| r.clone()).collect(),
        }));
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::relation_stem;

    #[test]
    fn relation_words_meet_their_forms() {
        for group in [
            &["forbid", "forbids", "forbade"][..],
            &["report", "reported", "reported-by", "reports"],
            &["accuse", "accused", "accuses"],
            &["kill", "killed", "kills"],
            &["say", "said", "says"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| relation_stem(w)).collect();
            assert!(stems.windows(2).all(|w| w[0] == w[1]), "{group:?} -> {stems:?}");
        }
        assert_ne!(relation_stem("accused"), relation_stem("killed"));
    }
}
