//! Resolving what the user typed: entity names through the alias index (with
//! suggestions and ambiguity), and relation words through light normalisation.

use std::sync::Arc;

use factgraph_store::{normalize, Entity, EntityId, Store, Transaction};
use factgraph_syntax::ast::{Ident, Name};

use crate::error::{Candidate, Error, QueryError, Result};

/// Where names are looked up: the store, or a transaction (which sees its own writes).
pub(crate) trait Lookup {
    fn ids(&mut self, name: &str) -> Result<Vec<EntityId>>;
    /// Shared: a question resolves its names against the store's decoded entities
    /// rather than decoding each (aliases, properties and all) for its name and id.
    fn get(&mut self, id: EntityId) -> Result<Option<Arc<Entity>>>;
    fn store(&self) -> &Store;
}

impl Lookup for &Store {
    fn ids(&mut self, name: &str) -> Result<Vec<EntityId>> {
        Ok(self.lookup(name)?)
    }
    fn get(&mut self, id: EntityId) -> Result<Option<Arc<Entity>>> {
        Ok(self.entity_shared(id)?)
    }
    fn store(&self) -> &Store {
        self
    }
}

impl Lookup for Transaction<'_> {
    fn ids(&mut self, name: &str) -> Result<Vec<EntityId>> {
        Ok(self.lookup(name)?)
    }
    fn get(&mut self, id: EntityId) -> Result<Option<Arc<Entity>>> {
        Ok(self.entity(id)?.map(Arc::new))
    }
    fn store(&self) -> &Store {
        Transaction::store(self)
    }
}

/// Resolves a name to exactly one entity, as a reader would. The name as written is
/// looked up first; if nothing has it, the name without a leading article ("the
/// Associated Press") or a possessive ending ("Trump's"); if still nothing and it is
/// one word, the one person whose family name it is ("Esper"). Several candidates
/// resolve when exactly one of them has the name as its canonical name (ignoring case
/// and accents); otherwise the name is ambiguous.
///
/// These forms are tried here, not in the store: the store's name index knows
/// spellings, and what a reader may leave off a name is the language's business.
/// Questions resolve this way; writes use [`stored`].
pub(crate) fn entity(l: &mut impl Lookup, name: &Name) -> Result<Arc<Entity>> {
    resolve(l, name, true)
}

/// Resolves a name in a write: by its spellings as stored only, as [`entity`] does
/// before it tries a reader's forms. A write acts on what it names (`delete entity
/// Esper` must not delete Mark Esper by a guess), so nothing is inferred.
pub(crate) fn stored(l: &mut impl Lookup, name: &Name) -> Result<Arc<Entity>> {
    resolve(l, name, false)
}

fn resolve(l: &mut impl Lookup, name: &Name, as_reader: bool) -> Result<Arc<Entity>> {
    let mut found = entities(l, &name.text)?;
    let mut wanted = normalize(&name.text);
    if found.is_empty() && as_reader {
        for form in reader_forms(&name.text) {
            found = entities(l, &form)?;
            wanted = form;
            if !found.is_empty() {
                break;
            }
        }
    }
    if found.is_empty() && as_reader && !wanted.is_empty() && !wanted.contains(' ') {
        let (persons, others) = by_family_name(l, &wanted)?;
        if let ([(person, _)], []) = (persons.as_slice(), others.as_slice()) {
            return Ok(person.clone());
        }
        if !persons.is_empty() {
            return Err(QueryError::Ambiguous {
                name: name.text.clone(),
                span: name.span,
                candidates: persons.into_iter().chain(others).map(|(e, why)| Candidate::with_detail(&e, why)).collect(),
            }
            .into());
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
            let canonical: Vec<usize> = (0..found.len()).filter(|&i| normalize(&found[i].name) == wanted).collect();
            if let [i] = canonical.as_slice() {
                return Ok(found.swap_remove(*i));
            }
            Err(QueryError::Ambiguous {
                name: name.text.clone(),
                span: name.span,
                candidates: found.iter().map(|e| Candidate::of(e)).collect(),
            }
            .into())
        }
    }
}

/// The entities that have `spelling` as their name or an alias.
fn entities(l: &mut impl Lookup, spelling: &str) -> Result<Vec<Arc<Entity>>> {
    let mut found = Vec::new();
    for id in l.ids(spelling)? {
        if let Some(e) = l.get(id)? {
            found.push(e);
        }
    }
    Ok(found)
}

/// Leading articles a reader puts before a name ("the UK"); a name that has one as
/// written ("The New York Times") is found before they are tried.
const DETERMINERS: &[&str] = &["the", "a", "an"];

/// The normalised forms of `text` a reader may mean, most literal first: without a
/// possessive ending, without a leading article, without both.
fn reader_forms(text: &str) -> Vec<String> {
    let mut words: Vec<&str> = Vec::new();
    let n = normalize(text);
    words.extend(n.split(' ').filter(|w| !w.is_empty()));
    let trimmed = text.trim_end();
    // Normalising turns "Trump's" into "trump s": the lone `s` is the possessive.
    let possessive = ["'s", "\u{2019}s"].iter().any(|p| trimmed.to_lowercase().ends_with(p))
        && words.len() > 1
        && words.last() == Some(&"s");
    let determiner = words.len() > 1 && DETERMINERS.contains(&words[0]);
    let mut forms = Vec::new();
    let join = |w: &[&str]| w.join(" ");
    if possessive {
        forms.push(join(&words[..words.len() - 1]));
    }
    if determiner {
        forms.push(join(&words[1..]));
        if possessive && words.len() > 2 {
            forms.push(join(&words[1..words.len() - 1]));
        }
    }
    forms.retain(|f| !f.is_empty());
    forms
}

/// Who a one-word name may mean by its place in longer spellings: persons with a
/// spelling that ends in it (their family name: "Esper" in "Mark Esper"), and other
/// entities with a spelling that begins with it ("Mehr news agency"), each with the
/// spelling that makes it a candidate. Reads the whole name index, so only an
/// otherwise unknown name comes here.
#[allow(clippy::type_complexity)]
fn by_family_name(l: &mut impl Lookup, word: &str) -> Result<(Vec<(Arc<Entity>, String)>, Vec<(Arc<Entity>, String)>)> {
    let mut persons: Vec<(Arc<Entity>, String)> = Vec::new();
    let mut others: Vec<(Arc<Entity>, String)> = Vec::new();
    for (spelling, ids) in l.store().names()? {
        let words: Vec<&str> = spelling.split(' ').collect();
        if words.len() < 2 || (words.last() != Some(&word) && words[0] != word) {
            continue;
        }
        for id in ids {
            let Some(e) = l.get(id)? else { continue };
            let person = e.kind == "Person";
            let fits = if person { words.last() == Some(&word) } else { words[0] == word };
            if !fits || persons.iter().chain(&others).any(|(x, _)| x.id == e.id) {
                continue;
            }
            let written = e
                .aliases
                .iter()
                .map(|a| a.text.clone())
                .chain(std::iter::once(e.name.clone()))
                .find(|t| normalize(t) == spelling)
                .unwrap_or_else(|| spelling.clone());
            let why =
                if person { format!("family name of {written:?}") } else { format!("{written:?} begins with it") };
            if person { &mut persons } else { &mut others }.push((e, why));
        }
    }
    Ok((persons, others))
}

/// Up to three known names closest to `name` (normalised edit distance), as their
/// entities' canonical names.
pub(crate) fn suggestions(store: &Store, name: &str) -> Result<Vec<String>> {
    // A text longer than a name can be is near no name.
    if name.len() > factgraph_store::MAX_TEXT_LEN {
        return Ok(Vec::new());
    }
    let wanted = normalize(name);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let chars = wanted.chars().count();
    let budget = (chars / 3).clamp(1, 4);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for (spelling, ids) in store.names()? {
        // The edit distance is at least the difference in length, so only spellings
        // of about the wanted length are scored (scoring a 64 KiB name against every
        // spelling took 39 s).
        let far = spelling.chars().count().abs_diff(chars) > budget;
        let prefix = chars >= 3 && spelling.starts_with(&wanted);
        if far && !prefix {
            continue;
        }
        let d = if far { budget } else { strsim::levenshtein(&wanted, &spelling) };
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

/// The stem a relation word is compared by: lower-cased, `_` read as `-`, a trailing
/// `-by`, `-of`, `-to`, `-in`, `-on` or `-with` dropped, then each word of it stemmed
/// (see [`word_stem`]) and read through [`SYNONYMS`]. So `forbid`, `forbids` and
/// `forbade` meet, and so do `report`, `reported` and `reported-by`,
/// `refuse-to-consider` and `refused-to-consider`, `asked-help-from` and
/// `requested-help-from`.
pub fn relation_stem(word: &str) -> String {
    // Remembered: every question compares the store's relations by stem (`who
    // reported` looks for every reporting relation), and stemming allocates. The words
    // are relation names and words typed in queries; the memory is cleared when it
    // holds more than `MAX_REMEMBERED`, so a stream of odd words cannot grow it.
    const MAX_REMEMBERED: usize = 4096;
    static STEMS: std::sync::LazyLock<std::sync::RwLock<std::collections::HashMap<String, String>>> =
        std::sync::LazyLock::new(Default::default);
    if let Some(stem) = STEMS.read().unwrap_or_else(|p| p.into_inner()).get(word) {
        return stem.clone();
    }
    let stem = stem_relation(word);
    let mut memo = STEMS.write().unwrap_or_else(|p| p.into_inner());
    if memo.len() >= MAX_REMEMBERED {
        memo.clear();
    }
    memo.insert(word.to_owned(), stem.clone());
    stem
}

fn stem_relation(word: &str) -> String {
    let mut w = word.to_lowercase().replace('_', "-");
    for suffix in ["-by", "-of", "-to", "-in", "-on", "-with"] {
        if let Some(s) = w.strip_suffix(suffix) {
            w = s.to_owned();
            break;
        }
    }
    w.split('-').map(|part| synonym(&word_stem(part))).collect::<Vec<_>>().join("-")
}

/// Relation words that mean the same to a reader of the showcase, each with the word
/// it is read as. Kept small and listed in docs/language.md: a synonym here makes
/// every relation with that word answer for the other.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("ask", "request"),
    ("seek", "request"),
    ("charge", "accuse"),
    ("prohibit", "forbid"),
    ("ban", "forbid"),
    ("decline", "refuse"),
    ("assassinate", "kill"),
    ("champion", "praise"),
];

/// The stem of a word as the one its synonym stems to, if it has one.
fn synonym(stem: &str) -> String {
    static STEMMED: std::sync::LazyLock<Vec<(String, String)>> =
        std::sync::LazyLock::new(|| SYNONYMS.iter().map(|(w, to)| (word_stem(w), word_stem(to))).collect());
    match STEMMED.iter().find(|(w, _)| w == stem) {
        Some((_, to)) => to.clone(),
        None => stem.to_owned(),
    }
}

/// The stem of one word: a few irregular past tenses mapped to their present, then
/// one of `ing`, `ies`, `es`, `ed`, `s` removed and a final `e` dropped.
fn word_stem(word: &str) -> String {
    let mut w = word.to_owned();
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
    // "-ied" and "-ies" are the -y verb's ("identified", "denies"), not a stem in -i.
    for suffix in ["ing", "ies", "ied", "es", "ed", "s"] {
        if w.len() > suffix.len() + 2 {
            if let Some(s) = w.strip_suffix(suffix) {
                w = if suffix == "ies" || suffix == "ied" { format!("{s}y") } else { s.to_owned() };
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
            &["refuse-to-consider", "refused-to-consider", "declined-to-consider"],
            &["request-help-from", "requested-help-from", "asked-help-from"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| relation_stem(w)).collect();
            assert!(stems.windows(2).all(|w| w[0] == w[1]), "{group:?} -> {stems:?}");
        }
        assert_ne!(relation_stem("accused"), relation_stem("killed"));
        assert_ne!(relation_stem("refused-to-consider"), relation_stem("refused"));
    }
}
