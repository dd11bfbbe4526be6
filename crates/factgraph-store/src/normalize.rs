//! Name normalisation for the name index: how "Qasem Soleimani", "QASEM  soleimani"
//! and "Qasem Soleimaní" come to the same key.
//!
//! Steps: Unicode NFKD (compatibility forms split, accents become combining marks),
//! combining marks dropped (accent folding), lower-cased, every run of whitespace and
//! punctuation collapsed to one space, trimmed. Control characters separate words like spaces,
//! so the result never contains the byte 0, which keeps index keys prefix-free.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The longest normalised name, in bytes: the name index stores a name's length in
/// two bytes. Longer forms are cut at the last whole character within it, by every
/// caller alike, so a long name is stored and found under the same key.
pub const MAX_NORMALIZED_LEN: usize = u16::MAX as usize;

/// The normalised form of a name. Empty when the name has no letters or digits; at
/// most `MAX_NORMALIZED_LEN` bytes.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            for lower in c.to_lowercase() {
                if out.len() + lower.len_utf8() > MAX_NORMALIZED_LEN {
                    out.truncate(out.trim_end().len());
                    return out;
                }
                out.push(lower);
            }
        } else {
            // Whitespace, control characters, punctuation and symbols all separate words: "al-Muhandis" and
            // "al Muhandis" are the same spelling for lookup purposes.
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{normalize, MAX_NORMALIZED_LEN};

    #[test]
    fn long_names_are_cut_at_a_character_and_never_end_in_a_space() {
        for name in ["ж".repeat(40_000), "ab ".repeat(30_000), "\u{FDFA}".repeat(20_000)] {
            let n = normalize(&name);
            assert!(n.len() <= MAX_NORMALIZED_LEN && n.len() > MAX_NORMALIZED_LEN - 8, "{}", n.len());
            assert!(!n.ends_with(' '));
        }
    }

    #[test]
    fn folds_case_accents_space_and_punctuation() {
        assert_eq!(normalize("Qasem  Soleimaní"), "qasem soleimani");
        assert_eq!(normalize("  QASEM\tSOLEIMANI "), "qasem soleimani");
        assert_eq!(normalize("Abu Mahdi al-Muhandis"), "abu mahdi al muhandis");
        assert_eq!(normalize("Mr. Trump"), "mr trump");
        assert_eq!(normalize("ﬁve"), "five", "NFKC compatibility ligature");
        assert_eq!(normalize("Ｔｒｕｍｐ"), "trump", "full-width letters");
    }

    #[test]
    fn empty_and_symbol_only_names_normalise_to_empty() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("--- !!"), "");
        assert!(!normalize("a\u{0}b").contains('\u{0}'));
    }
}
