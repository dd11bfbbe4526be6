//! The language's keywords as data: the one list that completion, generated tests and
//! documentation read, checked against the grammar by a test so that it cannot drift.

/// Every word that `grammar/factgraph.pest` spells out, in lower case and in
/// alphabetical order: the words of questions (`who`, `according`), of patterns
/// (`match`, `return`, `count`), of writes (`assert`, `aka`) and of expressions
/// (`and`, `null`), with each alternative spelling the grammar accepts (`neighbors`
/// beside `neighbours`, `did` and `does` beside `do`, `ascending` beside `asc`).
///
/// The grammar matches them without regard to case. They are not reserved: a bare word
/// that is also a keyword can still be a name where the grammar expects a name
/// (`describe match`), but a tool that writes queries out should quote such names.
///
/// For completion, syntax colouring, and generators of test input that must avoid
/// keywords. A test in this module fails when the grammar and this list disagree.
pub const KEYWORDS: &[&str] = &[
    "about",
    "according",
    "aka",
    "all",
    "and",
    "any",
    "as",
    "asc",
    "ascending",
    "assert",
    "by",
    "call",
    "case",
    "collect",
    "conflicts",
    "contains",
    "count",
    "create",
    "delete",
    "depth",
    "desc",
    "descending",
    "describe",
    "detach",
    "did",
    "distinct",
    "do",
    "document",
    "does",
    "else",
    "end",
    "ends",
    "entity",
    "exists",
    "explain",
    "false",
    "from",
    "in",
    "including",
    "is",
    "limit",
    "match",
    "merge",
    "named",
    "negated",
    "neighbors",
    "neighbours",
    "none",
    "not",
    "null",
    "of",
    "on",
    "optional",
    "or",
    "order",
    "path",
    "profile",
    "remove",
    "retract",
    "return",
    "set",
    "single",
    "skip",
    "sources",
    "starts",
    "text",
    "then",
    "to",
    "true",
    "union",
    "unwind",
    "verify",
    "what",
    "when",
    "where",
    "who",
    "why",
    "with",
    "xor",
    "yield",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::KEYWORDS;

    const GRAMMAR: &str = include_str!("../../../grammar/factgraph.pest");

    /// The words of the grammar's case-insensitive literals (`^"word"`), lower-cased.
    /// Reads pest's lexical rules just far enough not to be fooled: `//` comments, and
    /// `"…"` and `'…'` literals with `\` escapes.
    fn grammar_keywords(grammar: &str) -> BTreeSet<String> {
        let mut words = BTreeSet::new();
        let mut chars = grammar.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '/' if grammar[i + 1..].starts_with('/') => {
                    for (_, c) in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '"' | '\'' => {
                    let insensitive = grammar[..i].ends_with('^');
                    let mut literal = String::new();
                    while let Some((_, d)) = chars.next() {
                        match d {
                            '\\' => {
                                chars.next();
                                literal.push('\\');
                            }
                            d if d == c => break,
                            d => literal.push(d),
                        }
                    }
                    let is_word = !literal.is_empty() && literal.chars().all(|c| c.is_alphanumeric() || c == '_');
                    if insensitive && is_word {
                        words.insert(literal.to_lowercase());
                    }
                }
                _ => {}
            }
        }
        words
    }

    #[test]
    fn the_keyword_table_is_the_grammars_list_of_words() {
        let grammar = grammar_keywords(GRAMMAR);
        let table: BTreeSet<String> = KEYWORDS.iter().map(|k| (*k).to_owned()).collect();
        let missing: Vec<&String> = grammar.difference(&table).collect();
        let extra: Vec<&String> = table.difference(&grammar).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "factgraph_syntax::KEYWORDS and grammar/factgraph.pest disagree.\n  \
             in the grammar (as ^\"…\") but not in KEYWORDS: {missing:?}\n  \
             in KEYWORDS but not in the grammar: {extra:?}\n\
             Add or remove them in crates/factgraph-syntax/src/keywords.rs."
        );
    }

    #[test]
    fn the_keyword_table_is_lower_case_sorted_and_without_repeats() {
        for k in KEYWORDS {
            assert_eq!(*k, k.to_lowercase(), "keywords are listed in lower case");
        }
        for pair in KEYWORDS.windows(2) {
            assert!(
                pair[0] < pair[1],
                "KEYWORDS is kept sorted and without repeats: {:?} before {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn the_grammar_reader_sees_literals_and_skips_comments() {
        let words = grammar_keywords(
            "// ^\"ignored\"\n/// doc with ^\"ignored\" too\nkw = @{ ^\"Match\" ~ \"^\" ~ ^\"x-y\" ~ \"\\\"\" ~ ^\"with\" }",
        );
        assert_eq!(words.into_iter().collect::<Vec<_>>(), ["match", "with"]);
    }
}
