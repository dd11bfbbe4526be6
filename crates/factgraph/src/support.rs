//! Whether a claim says no more than its quotes: the words of a statement's texts
//! (a text object, string qualifiers) must each be found in the quotes a document gives
//! for it, or in the names of what the statement is about. `verify` runs it for every
//! statement and document; docs/data-model.md ("Claims say no more than their quotes")
//! sets out the rule.
//!
//! Words are compared by stem (Snowball's English stemmer), so `requested` meets
//! `request` and `arresting` meets `arrests`; a short list of [`STOPWORDS`] carries no
//! claim and is skipped; [`SYNONYMS`] folds a few spellings a reader takes for one word.
//! Negations (`not`, `no`, `never`) are content words: a claim that adds one says more.

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};

/// Words that carry no claim of their own: articles, prepositions, pronouns, auxiliaries.
/// A claim may add or drop them freely.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "being", "by", "did", "do", "does", "for",
    "from", "had", "has", "have", "he", "her", "his", "in", "into", "is", "it", "its", "of", "on", "or", "she", "that",
    "the", "their", "them", "these", "they", "this", "those", "to", "was", "were", "which", "who", "whom", "will",
    "with", "would",
];

/// Spellings read as one word (left as right): British and American forms, and the
/// adjective of a country for its name, the way the showcase's articles use them.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("america", "us"),
    ("american", "us"),
    ("americans", "us"),
    ("authorised", "authorized"),
    ("authorise", "authorize"),
    ("defence", "defense"),
    ("organisation", "organization"),
    ("recognised", "recognized"),
    ("iranian", "iran"),
    ("iranians", "iran"),
];

/// The content words of `text`, lower case, in order: letters and digits, with the
/// dots of an abbreviation dropped (`U.S.` is `us`), stopwords and lone letters left out.
pub fn content_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut cleaned = String::with_capacity(lower.len());
    for (i, &c) in chars.iter().enumerate() {
        // A dot between two letters joins an abbreviation: "u.s." → "us.", "d.c." → "dc.".
        let joins =
            c == '.' && i > 0 && chars[i - 1].is_alphabetic() && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if !joins {
            cleaned.push(c);
        }
    }
    cleaned
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Compares words as a reader does: by stem, after [`SYNONYMS`].
pub struct WordMatcher {
    stemmer: Stemmer,
}

impl Default for WordMatcher {
    fn default() -> Self {
        WordMatcher { stemmer: Stemmer::create(Algorithm::English) }
    }
}

impl WordMatcher {
    /// The key a word is compared by.
    pub fn key(&self, word: &str) -> String {
        let word = SYNONYMS.iter().find(|(w, _)| *w == word).map_or(word, |(_, s)| s);
        self.stemmer.stem(word).into_owned()
    }

    /// The keys of every content word of `texts`.
    pub fn keys<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        texts.into_iter().flat_map(content_words).map(|w| self.key(&w)).collect()
    }

    /// The content words of `claim` (in order, each once) that none of `support` has.
    pub fn unsupported<'a>(&self, claim: &[&str], support: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let have = self.keys(support);
        let mut out: Vec<String> = Vec::new();
        for w in claim.iter().flat_map(|t| content_words(t)) {
            if !have.contains(&self.key(&w)) && !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }
}

/// The words of `claim` that the `support` texts do not give, with a fresh matcher.
pub fn unsupported_words<'a>(claim: &[&str], support: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    WordMatcher::default().unsupported(claim, support)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_not_an_arrest() {
        // Newsweek's words, and the claim an earlier pass stored for them.
        let quote = "This would be the highest level notice that the international body can issue.";
        assert_eq!(
            unsupported_words(&["the highest-level arrest requested by Interpol"], [quote]),
            ["arrest", "requested", "interpol"]
        );
        assert!(
            unsupported_words(&["the highest level notice that the international body can issue"], [quote]).is_empty()
        );
    }

    #[test]
    fn inflections_and_listed_synonyms_meet() {
        assert!(unsupported_words(&["local authorities arresting"], ["local authorities arrest people"]).is_empty());
        assert!(unsupported_words(&["requests"], ["Iran requested a red notice"]).is_empty());
        assert!(unsupported_words(&["authorised the strike"], ["Trump authorized the drone strike"]).is_empty());
        assert!(unsupported_words(&["US troops"], ["American troops"]).is_empty());
        assert!(unsupported_words(&["U.S. troops"], ["US troops"]).is_empty());
    }

    #[test]
    fn a_negation_or_a_filled_in_word_is_unsupported() {
        assert_eq!(unsupported_words(&["not made public"], ["Most red notices are made public."]), ["not"]);
        assert_eq!(unsupported_words(&["Iran's top general"], ["the January killing of its top general"]), ["iran"]);
        // Stopwords and lone letters are not claims.
        assert!(unsupported_words(&["the A of it"], ["nothing"]).is_empty());
    }
}
