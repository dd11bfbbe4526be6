//! Drawing results and errors for people and for programs.

use std::fmt::Write as _;
use std::io::Write;

use clap::ValueEnum;
use factgraph::{Cell, QueryResult};

/// How results are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A drawn table (the default on a terminal).
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// Tab-separated values with a header (the default when output is piped).
    Tsv,
    /// One JSON document per result.
    Json,
    /// One JSON object per row.
    Jsonl,
    /// A Markdown table.
    Markdown,
    /// One `column = value` line per cell, a blank line between rows.
    Line,
}

impl Mode {
    /// Parses a mode name as typed in `.mode`.
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::from_str(s, true).ok()
    }
}

/// Rendering settings.
#[derive(Clone, Debug)]
pub struct Style {
    /// Output format.
    pub mode: Mode,
    /// Show each row's quotes under the table.
    pub evidence: bool,
    /// Rows shown before "… N more".
    pub max_rows: usize,
}

fn csv_field(s: &str, sep: char) -> String {
    if s.contains(sep) || s.contains('"') || s.contains('\n') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn tsv_field(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    push_tsv_field(&mut out, s);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `s` as a TSV field: backslash, tab and newline escaped (`\\`, `\t`, `\n`),
/// the rest copied in runs found by `memchr` a word at a time (byte by byte, the
/// scan was 44% of writing the rows of the hub's 159,127-row listing). Three `replace`s per
/// field, each a new string, were a quarter of the instructions of a streamed point
/// question's rows.
fn push_tsv_field(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for i in memchr::memchr3_iter(b'\\', b'\t', b'\n', bytes) {
        let escaped: &[u8] = match bytes[i] {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            _ => b"\\n",
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

fn json_row(columns: &[String], row: &factgraph::Row) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for (c, cell) in columns.iter().zip(&row.cells) {
        obj.insert(c.clone(), cell_json(cell));
    }
    if !row.provenance.is_empty() {
        // Under a key no column has: `_evidence`, or with more underscores before it.
        let mut key = String::from("_evidence");
        while obj.contains_key(&key) {
            key.insert(0, '_');
        }
        obj.insert(key, serde_json::to_value(&row.provenance).unwrap_or_default());
    }
    serde_json::Value::Object(obj)
}

/// A cell as JSON: numbers, booleans, lists and maps as themselves (a float that is
/// no number as the text JavaScript gives it, `NaN`, `Infinity`, which JSON has no
/// number for); anything else (text, entities, statements, paths, temporal values) as
/// its text.
fn cell_json(c: &Cell) -> serde_json::Value {
    match c {
        Cell::Null => serde_json::Value::Null,
        Cell::Value { value } => value_json(value),
        Cell::List { items } => items.iter().map(cell_json).collect(),
        Cell::Map { entries } => entries.iter().map(|(k, v)| (k.clone(), cell_json(v))).collect(),
        other => other.to_string().into(),
    }
}

fn value_json(v: &factgraph::Value) -> serde_json::Value {
    match v {
        factgraph::Value::Int(i) => (*i).into(),
        factgraph::Value::Float(x) if x.is_nan() => "NaN".into(),
        factgraph::Value::Float(x) if x.is_infinite() => (if *x > 0.0 { "Infinity" } else { "-Infinity" }).into(),
        factgraph::Value::Float(x) => serde_json::json!(x),
        factgraph::Value::Bool(b) => (*b).into(),
        factgraph::Value::Str(s) => s.as_str().into(),
        factgraph::Value::List(items) => items.iter().map(value_json).collect(),
        other => other.to_string().into(),
    }
}

/// A cell as text for people and for CSV/TSV: null is empty, as in psql and sqlite3.
fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        other => other.to_string(),
    }
}

/// The id of the first of two candidates that share their canonical name, if two do.
fn shared_name(candidates: &[factgraph::Candidate]) -> Option<factgraph::EntityId> {
    let key = |c: &factgraph::Candidate| c.name.to_lowercase();
    candidates.iter().find(|c| candidates.iter().filter(|d| key(d) == key(c)).count() > 1).map(|c| c.id)
}

/// A cell's text for a Markdown table: `|` and `\` escaped, line breaks as `<br>`.
fn markdown_cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace("\r\n", "<br>").replace(['\n', '\r'], "<br>")
}

/// The most characters of one cell (or column name) that the formats for people
/// show; the rest is for the machine formats. Laying out a table whose cell held a
/// list of 70,000 strings took minutes.
const MAX_SHOWN_CHARS: usize = 4096;

/// A cell's text as a format for people shows it: cut at `MAX_SHOWN_CHARS`, saying
/// how much was left out.
fn shown(text: String) -> String {
    // Bytes count at least the characters: most texts need no counting.
    if text.len() <= MAX_SHOWN_CHARS {
        return text;
    }
    let chars = text.chars().count();
    if chars <= MAX_SHOWN_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_SHOWN_CHARS).collect();
    format!("{cut}… ({} more characters; --format tsv or json shows them)", chars - MAX_SHOWN_CHARS)
}

/// Whether a format is written row by row (a header, then a line per row), so that
/// rows can be written as a query hands them over instead of once it is done.
pub fn streams(mode: Mode) -> bool {
    matches!(mode, Mode::Csv | Mode::Tsv | Mode::Jsonl)
}

/// Writes the start of a result in a format that `streams`: a write's note, or the
/// header line of CSV and TSV.
pub fn write_begin(out: &mut dyn Write, columns: &[String], note: Option<&str>, style: &Style) -> std::io::Result<()> {
    if columns.is_empty() {
        // Every line of JSON Lines is an object: its notes go to standard error.
        if let (Some(n), false) = (note, style.mode == Mode::Jsonl) {
            writeln!(out, "{n}")?;
        }
        return Ok(());
    }
    match style.mode {
        Mode::Csv => writeln!(out, "{}", columns.iter().map(|c| csv_field(c, ',')).collect::<Vec<_>>().join(",")),
        Mode::Tsv => writeln!(out, "{}", columns.iter().map(|c| tsv_field(c)).collect::<Vec<_>>().join("\t")),
        _ => Ok(()),
    }
}

/// Writes one row in a format that `streams`.
pub fn write_row(out: &mut dyn Write, columns: &[String], row: &factgraph::Row, style: &Style) -> std::io::Result<()> {
    match style.mode {
        Mode::Csv => {
            writeln!(out, "{}", row.cells.iter().map(|c| csv_field(&cell_text(c), ',')).collect::<Vec<_>>().join(","))
        }
        Mode::Jsonl => writeln!(out, "{}", json_row(columns, row)),
        _ => {
            // The line made in one buffer and written at once; a cell that is text
            // escaped from where it is, any other formatted into one reused string.
            let mut line = Vec::with_capacity(256);
            let mut text = String::new();
            for (i, c) in row.cells.iter().enumerate() {
                if i > 0 {
                    line.push(b'\t');
                }
                match c {
                    Cell::Null => {}
                    Cell::Text { text } | Cell::Entity { name: text, .. } | Cell::Statement { text, .. } => {
                        push_tsv_field(&mut line, text)
                    }
                    other => {
                        use std::fmt::Write as _;
                        text.clear();
                        let _ = write!(text, "{other}");
                        push_tsv_field(&mut line, &text);
                    }
                }
            }
            line.push(b'\n');
            out.write_all(&line)
        }
    }
}

/// Writes one result.
pub fn write_result(out: &mut dyn Write, r: &QueryResult, style: &Style) -> std::io::Result<()> {
    if r.columns.is_empty() {
        match (&r.note, style.mode) {
            // Every line of JSON Lines is an object: its notes go to standard error.
            (_, Mode::Jsonl) | (None, _) => {}
            // JSON output is JSON documents: a write's note is one, with no rows.
            (Some(n), Mode::Json) => {
                let doc = serde_json::json!({"columns": [], "rows": [], "note": n});
                writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
            }
            (Some(n), _) => writeln!(out, "{n}")?,
        }
        return Ok(());
    }
    let shown = r.rows.len().min(style.max_rows);
    match style.mode {
        Mode::Table | Mode::Markdown => {
            let mut table = comfy_table::Table::new();
            if style.mode == Mode::Markdown {
                table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
            } else {
                table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                // Wrap to the terminal's width, unless it reports none worth wrapping to
                // (a pseudo-terminal of zero columns would put one letter per line).
                if table.width().is_some_and(|w| w >= 40) {
                    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
                }
            }
            // In Markdown a `|` would end the cell and a line break the row: escaped,
            // and a break written as `<br>`, as GitHub's tables take them.
            let markdown = style.mode == Mode::Markdown;
            let cell = |text: String| if markdown { markdown_cell(&text) } else { text };
            table.set_header(r.columns.iter().cloned().map(|c| cell(self::shown(c))).collect::<Vec<_>>());
            for row in &r.rows[..shown] {
                table.add_row(row.cells.iter().map(|c| cell(self::shown(cell_text(c)))).collect::<Vec<_>>());
            }
            writeln!(out, "{table}")?;
            let n = r.rows.len();
            let mut footer = format!("{n} row{}", if n == 1 { "" } else { "s" });
            if shown < n {
                let _ = write!(footer, " ({} not shown; .maxrows N shows more)", n - shown);
            }
            if let Some(note) = &r.note {
                let _ = write!(footer, "; {note}");
            }
            writeln!(out, "{footer}")?;
            if style.evidence {
                for (i, row) in r.rows[..shown].iter().enumerate() {
                    for c in &row.provenance {
                        let by = c.attribution.as_deref().map(|a| format!(", credited to {a}")).unwrap_or_default();
                        // The outlet and title beside the id: the id alone tells a
                        // reader nothing.
                        let about: Vec<String> = c
                            .outlet
                            .iter()
                            .map(|o| o.to_string())
                            .chain(c.title.iter().map(|t| format!("“{t}”")))
                            .collect();
                        let about = if about.is_empty() { String::new() } else { format!(" ({})", about.join(", ")) };
                        // The quote as the document has it: typographic marks around
                        // it, so straight quotes inside it need no escapes.
                        writeln!(out, "  [{}] {}{about} — “{}”{by}", i + 1, c.document, c.quote)?;
                    }
                }
            }
        }
        Mode::Csv | Mode::Tsv | Mode::Jsonl => {
            write_begin(out, &r.columns, r.note.as_deref(), style)?;
            for row in &r.rows {
                write_row(out, &r.columns, row, style)?;
            }
        }
        Mode::Json => {
            let rows: Vec<serde_json::Value> = r.rows.iter().map(|row| json_row(&r.columns, row)).collect();
            let doc = serde_json::json!({"columns": r.columns, "rows": rows, "note": r.note});
            writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        }
        Mode::Line => {
            let columns: Vec<String> = r.columns.iter().cloned().map(self::shown).collect();
            let width = columns.iter().map(|c| c.chars().count()).max().unwrap_or(0);
            for (i, row) in r.rows[..shown].iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                for (c, cell) in columns.iter().zip(&row.cells) {
                    writeln!(out, "{c:>width$} = {}", self::shown(cell_text(cell)))?;
                }
            }
        }
    }
    Ok(())
}

/// A failure from a store here or from a server, drawn as `error_report` draws it.
pub fn failure_report(f: &crate::backend::Failure, name: &str, text: &str, color: bool) -> String {
    match f {
        crate::backend::Failure::Local(e) => error_report(e, name, text, color),
        crate::backend::Failure::Remote(e) => remote_error_report(e, name, text, color),
    }
}

/// A server's error drawn as `error_report` draws the library's: its span in the
/// query underlined.
pub fn remote_error_report(e: &factgraph_server::RemoteError, name: &str, text: &str, color: bool) -> String {
    // The span is the server's word about our text: use it only where it fits.
    let span =
        e.span.filter(|&(s, t)| s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t));
    draw(&e.message, span, "here".to_owned(), None, name, text, color)
}

/// An error drawn with the offending text underlined, via miette. `color` picks the
/// themed or the plain rendering.
pub fn error_report(err: &factgraph::Error, name: &str, text: &str, color: bool) -> String {
    use factgraph::{Error, QueryError};
    let (message, span, label, help) = match err {
        Error::Parse(p) => (
            p.summary(),
            Some((p.span.start, p.span.end.max(p.span.start))),
            if p.expected.is_empty() { "here".to_string() } else { format!("expected {}", p.expected.join(" or ")) },
            p.hint.clone(),
        ),
        Error::Query(q) => {
            let help = match q {
                QueryError::UnknownEntity { suggestions, .. } if !suggestions.is_empty() => Some(format!(
                    "did you mean {}?",
                    suggestions.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(" or ")
                )),
                // Entities that share their canonical name are told apart by id.
                QueryError::Ambiguous { candidates, .. } => Some(match shared_name(candidates) {
                    Some(id) => format!(
                        "in a pattern, by id: `match (n) where id(n) = {}`; or give one another name \
                         (`set n.name = …`)",
                        id.0
                    ),
                    None => "write the full canonical name, in quotes".into(),
                }),
                _ => None,
            };
            let message = match q {
                QueryError::UnknownEntity { name, .. } => format!("no entity is called {name:?}"),
                other => other.to_string(),
            };
            (message, q.span().map(|s| (s.start, s.end)), "here".to_string(), help)
        }
        Error::InFile { path, source } => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            return error_report(source, &path.display().to_string(), &text, color);
        }
        other => return format!("error: {other}\n"),
    };
    draw(&message, span, label, help, name, text, color)
}

/// Draws a message with its span in `text` underlined and its help, via miette.
fn draw(
    message: &str,
    span: Option<(usize, usize)>,
    label: String,
    help: Option<String>,
    name: &str,
    text: &str,
    color: bool,
) -> String {
    // A snippet of a very long line helps nobody (and costs a lot to draw): give the
    // position in words instead.
    if let Some((start, _)) = span {
        let line_start = text[..start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start.min(text.len())..].find('\n').map_or(text.len(), |i| start + i);
        if line_end - line_start > 400 {
            let (line, column) = factgraph::line_col(text, start);
            let help = help.map(|h| format!("\n  help: {h}")).unwrap_or_default();
            return format!("error: {message} (at line {line}, column {column} of {name}){help}\n");
        }
    }
    let mut diag = miette::MietteDiagnostic::new(message.to_owned());
    if let Some((start, end)) = span.filter(|(s, _)| *s <= text.len()) {
        let end = end.min(text.len());
        diag = diag.with_label(miette::LabeledSpan::at(start..end.max(start), label));
    }
    if let Some(h) = help {
        diag = diag.with_help(h);
    }
    let report = miette::Report::new(diag).with_source_code(miette::NamedSource::new(name, text.to_owned()));
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("error: {message}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_tsv_escape_what_they_must() {
        assert_eq!(csv_field("a,b", ','), "\"a,b\"");
        assert_eq!(csv_field("say \"x\"", ','), "\"say \"\"x\"\"\"");
        assert_eq!(tsv_field("a\tb\nc"), "a\\tb\\nc");
        for s in ["", "plain", "\\", "a\\tb", "é\t\n\\x", "\n\n", "tab\tend\t", "Ünïcödé \\n"] {
            let replaced = s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n");
            assert_eq!(tsv_field(s), replaced, "{s:?}");
        }
    }

    /// A TSV row writes every cell as its text, escaped: text, entity and statement
    /// cells from where they are, the others as they display; null as nothing.
    #[test]
    fn tsv_rows_write_each_cell_as_its_text_escaped() {
        use std::sync::Arc;
        let entity = Cell::Entity {
            id: factgraph::EntityId(7),
            name: Arc::from("Ali\tAlqasimehr"),
            kind: Arc::from("Person"),
            properties: Default::default(),
        };
        let cells = vec![
            Cell::text("says\n\"so\"\\"),
            entity,
            Cell::Null,
            Cell::Value { value: factgraph::Value::Int(42) },
            Cell::List { items: vec![Cell::text("a\tb"), Cell::text("c")] },
        ];
        let expected: Vec<String> = cells
            .iter()
            .map(|c| if matches!(c, Cell::Null) { String::new() } else { tsv_field(&c.to_string()) })
            .collect();
        let row = factgraph::Row { cells, provenance: Vec::new() };
        let mut out = Vec::new();
        let style = Style { mode: Mode::Tsv, evidence: false, max_rows: 10 };
        write_row(&mut out, &[], &row, &style).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line, format!("{}\n", expected.join("\t")));
        assert_eq!(line, "says\\n\"so\"\\\\\tAli\\tAlqasimehr\t\t42\t[a\\tb, c]\n");
    }

    /// JSON wrote a map as text in Cypher's notation (`"{name: x, tags: [a]}"`) where a
    /// list is an array; a float that is no number (NaN, infinity) as `null`; and a
    /// column the query named `_evidence` was overwritten by the rows' evidence.
    #[test]
    fn json_writes_maps_as_objects_floats_as_what_they_are_and_keeps_every_column() {
        let map = Cell::Map {
            entries: vec![
                ("name".into(), Cell::text("x")),
                ("tags".into(), Cell::List { items: vec![Cell::text("a")] }),
                ("n".into(), Cell::Value { value: factgraph::Value::Int(1) }),
            ],
        };
        assert_eq!(cell_json(&map), serde_json::json!({"name": "x", "tags": ["a"], "n": 1}));
        let list = factgraph::Value::List(vec![factgraph::Value::Str("a".into()), factgraph::Value::Int(2)]);
        assert_eq!(cell_json(&Cell::Value { value: list }), serde_json::json!(["a", 2]));
        for (x, text) in [(f64::NAN, "NaN"), (f64::INFINITY, "Infinity"), (f64::NEG_INFINITY, "-Infinity")] {
            assert_eq!(cell_json(&Cell::Value { value: factgraph::Value::Float(x) }), serde_json::json!(text));
        }
        let citation = factgraph::Citation {
            statement: factgraph::StatementId(1),
            document: "d".into(),
            outlet: None,
            title: None,
            quote: "q".into(),
            claim: "c".into(),
            attribution: None,
        };
        let row = factgraph::Row { cells: vec![Cell::text("mine")], provenance: vec![citation] };
        let obj = json_row(&["_evidence".to_string()], &row);
        assert_eq!(obj["_evidence"], serde_json::json!("mine"));
        assert_eq!(obj["__evidence"][0]["quote"], serde_json::json!("q"));
    }

    /// Markdown wrote `a|b` as two cells and a line break inside a cell as two rows.
    #[test]
    fn markdown_escapes_bars_and_line_breaks_in_cells() {
        let r = QueryResult {
            columns: vec!["s|t".into()],
            rows: vec![factgraph::Row { cells: vec![Cell::text("a|b\nc")], provenance: Vec::new() }],
            ..QueryResult::default()
        };
        let mut out = Vec::new();
        write_result(&mut out, &r, &Style { mode: Mode::Markdown, evidence: false, max_rows: 10 }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("| s\\|t "), "{text}");
        assert!(text.contains("| a\\|b<br>c |"), "{text}");
        assert_eq!(text.lines().count(), 4, "a header, its rule, one row, the count: {text}");
    }

    #[test]
    fn modes_parse_case_insensitively() {
        assert_eq!(Mode::parse("JSONL"), Some(Mode::Jsonl));
        assert_eq!(Mode::parse("nope"), None);
    }
}
