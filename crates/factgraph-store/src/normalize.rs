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
    if name.is_ascii() {
        return normalize_ascii(name);
    }
    normalize_unicode(name)
}

/// `normalize`'s steps for any text.
fn normalize_unicode(name: &str) -> String {
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

/// Whether a name has a letter or digit, so that it normalises to something.
pub fn has_word(name: &str) -> bool {
    if name.is_ascii() {
        return name.bytes().any(|b| b.is_ascii_alphanumeric());
    }
    !normalize(name).is_empty()
}

/// `normalize` for ASCII, which NFKD leaves as it is and which has no combining
/// marks: the same steps a byte at a time (most names are ASCII, and a bulk load
/// normalises each of them).
fn normalize_ascii(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(MAX_NORMALIZED_LEN));
    let mut pending_space = false;
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() {
            let space = pending_space && !out.is_empty();
            if out.len() + usize::from(space) + 1 > MAX_NORMALIZED_LEN {
                // Cut before the space that would have come: never ending in one.
                return out;
            }
            if space {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{has_word, normalize, normalize_ascii, normalize_unicode, MAX_NORMALIZED_LEN};

    #[test]
    fn ascii_names_normalise_as_the_unicode_steps_do() {
        let mut names: Vec<String> = [
            "",
            " ",
            "--",
            "Qasem  Soleimani",
            "  QASEM\tSOLEIMANI ",
            "al-Muhandis",
            "a\u{0}b",
            "x.y,z",
            "A1 b2",
            "\u{7f}del",
            "trailing!!",
            "  lead",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // At the length limit: a space, or a word, falling just past it.
        for pad in 0..4 {
            names.push(format!("{}{} bc", "a".repeat(MAX_NORMALIZED_LEN - 3), "b".repeat(pad)));
            names.push(format!("{}--{}", "a".repeat(MAX_NORMALIZED_LEN - 2 + pad), "c".repeat(3)));
            names.push("ab ".repeat(MAX_NORMALIZED_LEN / 3 + pad));
        }
        for name in &names {
            assert!(name.is_ascii());
            assert_eq!(normalize_ascii(name), normalize_unicode(name), "{:?}", &name[..name.len().min(40)]);
            assert_eq!(has_word(name), !normalize_unicode(name).is_empty(), "{name:?}");
        }
        assert!(!has_word("--- !!") && has_word("é") && !has_word("\u{301}"));
    }

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
