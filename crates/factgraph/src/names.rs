//! Completion over names: every spelling of every entity (canonical name and
//! aliases), found by the start of any of its words, as a search box wants it.
//!
//! The store's name index answers exact names (hashed buckets); a prefix needs order,
//! so this keeps a sorted list of `(normalized word-suffix, spelling)` built from the
//! entities on first use and rebuilt after a commit (it is tagged with the store's
//! generation). Built lazily because only servers and completers need it.

use std::sync::Arc;

use factgraph_store::{normalize, EntityId, Store};
use serde::Serialize;

use crate::error::Result;

/// One completion: a spelling that matched, and the entity it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Completion {
    /// The spelling that matched, as written (the canonical name or an alias).
    pub text: String,
    /// The entity's id.
    pub id: EntityId,
    /// Its canonical name.
    pub name: String,
    /// Its kind.
    pub kind: String,
}

/// How many words into a spelling a prefix may start: enough for "Trum" to find
/// "President Donald Trump", without indexing every word of a long title.
const MAX_WORD_STARTS: usize = 6;

/// Spellings longer than this are not offered (a title-length alias is no name to
/// complete to, and would only grow the index).
const MAX_SPELLING_CHARS: usize = 200;

/// The sorted index; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    /// `(normalized text from a word start, entry)`, sorted by the text.
    keys: Vec<(Box<str>, u32)>,
    entries: Vec<Entry>,
    /// Each entity's canonical name and kind, shared by its spellings.
    names: Vec<Named>,
}

#[derive(Debug)]
struct Entry {
    text: Box<str>,
    id: EntityId,
    /// Index into `names`: the canonical name and kind, shared by an entity's
    /// spellings.
    entity: u32,
    canonical: bool,
}

#[derive(Debug)]
struct Named {
    name: Box<str>,
    kind: Box<str>,
}

impl NameIndex {
    /// Builds the index from every entity of the store (documents included: they are
    /// what `according to` and `sources of` name).
    pub(crate) fn build(store: &Store) -> Result<NameIndex> {
        let mut ix = NameIndex::default();
        for entity in store.entities() {
            let e = entity?;
            ix.add_entity(e.id, &e.name, &e.kind, e.aliases.iter().map(|a| a.text.as_str()));
        }
        ix.keys.sort_unstable();
        Ok(ix)
    }

    fn add_entity<'a>(&mut self, id: EntityId, name: &str, kind: &str, aliases: impl Iterator<Item = &'a str>) {
        let at = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(Named { name: name.into(), kind: kind.into() });
        self.add(name, id, at, true);
        for alias in aliases {
            if alias != name {
                self.add(alias, id, at, false);
            }
        }
    }

    /// Up to `limit` spellings whose words start with `prefix`, one per entity, best
    /// first: a whole-name match, then a match at the spelling's start, then
    /// canonical names before aliases, then shorter spellings, then by name.
    pub(crate) fn complete(&self, prefix: &str, limit: usize) -> Vec<Completion> {
        let key = normalize(prefix);
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        let start = self.keys.partition_point(|(k, _)| k.as_ref() < key.as_str());
        // Scan the matches (bounded: a one-letter prefix could match most of a big
        // store), keeping each entity's best spelling.
        const MAX_SCANNED: usize = 20_000;
        let mut best: Vec<(Rank, u32)> = Vec::new();
        for (k, entry) in self.keys[start..].iter().take_while(|(k, _)| k.starts_with(key.as_str())).take(MAX_SCANNED) {
            let e = &self.entries[*entry as usize];
            let rank = Rank {
                whole: k.len() != key.len(),
                inner: !normalize(&e.text).starts_with(key.as_str()),
                alias: !e.canonical,
                len: e.text.chars().count(),
            };
            best.push((rank, *entry));
        }
        best.sort_by(|(ra, a), (rb, b)| {
            ra.cmp(rb).then_with(|| self.entries[*a as usize].text.cmp(&self.entries[*b as usize].text))
        });
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (_, entry) in best {
            let e = &self.entries[entry as usize];
            if !seen.insert(e.id) {
                continue;
            }
            let named = &self.names[e.entity as usize];
            out.push(Completion {
                text: e.text.to_string(),
                id: e.id,
                name: named.name.to_string(),
                kind: named.kind.to_string(),
            });
            if out.len() == limit {
                break;
            }
        }
        out
    }
}

/// Orders matches: `false` sorts first in each field.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    whole: bool,
    inner: bool,
    alias: bool,
    len: usize,
}

impl NameIndex {
    fn add(&mut self, text: &str, id: EntityId, entity: u32, canonical: bool) {
        if text.chars().count() > MAX_SPELLING_CHARS {
            return;
        }
        let key = normalize(text);
        if key.is_empty() {
            return;
        }
        let entry = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        self.entries.push(Entry { text: text.into(), id, entity, canonical });
        let starts = std::iter::once(0).chain(key.match_indices(' ').map(|(i, _)| i + 1));
        for at in starts.take(MAX_WORD_STARTS) {
            self.keys.push((key[at..].into(), entry));
        }
    }
}

/// The index as readers share it, with the generation it was built at.
pub(crate) type Cached = Option<(u64, Arc<NameIndex>)>;

#[cfg(test)]
mod tests {
    use super::*;

    fn index(entities: &[(&str, &str, &[&str])]) -> NameIndex {
        let mut ix = NameIndex::default();
        for (i, (name, kind, aliases)) in entities.iter().enumerate() {
            ix.add_entity(EntityId(i as u64 + 1), name, kind, aliases.iter().copied());
        }
        ix.keys.sort_unstable();
        ix
    }

    fn texts(found: &[Completion]) -> Vec<&str> {
        found.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn a_prefix_finds_names_by_any_word_and_folds_case_and_accents() {
        let ix = index(&[
            ("Donald Trump", "Person", &["Trump", "US President Donald Trump"]),
            ("Qassem Soleimani", "Person", &["Soleimani"]),
            ("Téhéran", "Place", &[]),
        ]);
        assert_eq!(texts(&ix.complete("trum", 10)), ["Trump"]);
        assert_eq!(texts(&ix.complete("sole", 10)), ["Soleimani"]);
        assert_eq!(texts(&ix.complete("teh", 10)), ["Téhéran"]);
        assert_eq!(texts(&ix.complete("DONALD", 10)), ["Donald Trump"]);
        assert!(ix.complete("zz", 10).is_empty());
        assert!(ix.complete("  ", 10).is_empty());
    }

    #[test]
    fn each_entity_is_offered_once_by_its_best_spelling_and_whole_names_come_first() {
        let ix = index(&[
            ("Iran", "Country", &["Islamic Republic of Iran"]),
            ("Iranian Revolutionary Guard Corps", "Organization", &["IRGC"]),
            ("IRNA", "Organization", &[]),
        ]);
        let found = ix.complete("iran", 10);
        assert_eq!(texts(&found), ["Iran", "Iranian Revolutionary Guard Corps"]);
        assert_eq!(found[0].name, "Iran");
        assert_eq!(found[0].kind, "Country");
        assert_eq!(ix.complete("ir", 2).len(), 2, "the limit holds");
    }
}
