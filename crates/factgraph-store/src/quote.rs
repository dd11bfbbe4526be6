//! Finding a quote in a document's text: exact first, then with runs of whitespace
//! collapsed (articles wrap lines; quotes are written on one).

/// Character offsets `[start, end)` of `quote` in `text`, if it occurs.
pub fn locate(text: &str, quote: &str) -> Option<(u32, u32)> {
    if quote.trim().is_empty() {
        return None;
    }
    if let Some(byte_start) = text.find(quote) {
        let start = text[..byte_start].chars().count();
        return Some((start as u32, (start + quote.chars().count()) as u32));
    }
    // Collapse whitespace in both, remembering where each collapsed char came from.
    let (flat_text, origin) = collapse(text);
    let (flat_quote, _) = collapse(quote.trim());
    let byte_start = flat_text.find(&flat_quote)?;
    let first = flat_text[..byte_start].chars().count();
    let last = first + flat_quote.chars().count() - 1;
    Some((origin[first] as u32, origin[last] as u32 + 1))
}

/// The text with every whitespace run as one space, and for each char of the result
/// the char index it came from.
fn collapse(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut in_space = false;
    for (i, c) in text.chars().enumerate() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
                origin.push(i);
            }
            in_space = true;
        } else {
            out.push(c);
            origin.push(i);
            in_space = false;
        }
    }
    (out, origin)
}

/// The characters `[start, end)` of `text`.
pub fn excerpt(text: &str, span: (u32, u32)) -> String {
    text.chars().skip(span.0 as usize).take(span.1.saturating_sub(span.0) as usize).collect()
}

/// True when the text at `span` is the quote, up to whitespace.
pub fn matches_at(text: &str, quote: &str, span: (u32, u32)) -> bool {
    collapse(&excerpt(text, span)).0.trim() == collapse(quote).0.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_whitespace_tolerant() {
        let text = "Iran has  asked\nInterpol for help.";
        assert_eq!(locate(text, "asked"), Some((10, 15)));
        let span = locate(text, "has asked Interpol").unwrap();
        assert_eq!(excerpt(text, span), "has  asked\nInterpol");
        assert!(matches_at(text, "has asked Interpol", span));
        assert_eq!(locate(text, "Interpol for aid"), None);
        assert_eq!(locate(text, "  "), None);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "Qasem Soleimaní — killed";
        let (s, e) = locate(text, "killed").unwrap();
        assert_eq!(excerpt(text, (s, e)), "killed");
        assert_eq!(s as usize, text.chars().count() - 6);
    }
}
