//! Reads the TCK's feature files: scenarios (outlines expanded, one per `Examples`
//! row), each a list of steps with their doc strings and tables, placeholders filled.

use std::path::Path;

/// A step's argument.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// The step's words after `Given`/`And`/`When`/`Then`, without a trailing `:`.
    pub text: String,
    /// A `"""` block, dedented.
    pub doc: Option<String>,
    /// A table, cell by cell, header included.
    pub table: Vec<Vec<String>>,
}

/// One scenario, as `tiers.tsv` names it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The feature file, relative to `features/`.
    pub file: String,
    /// 1-based line of its `Scenario` keyword.
    pub line: usize,
    /// For an outline, the 1-based row of its examples; empty otherwise.
    pub example: String,
    /// The title.
    pub title: String,
    /// Background steps, then the scenario's.
    pub steps: Vec<Step>,
    /// Tagged `@ignore`.
    pub ignored: bool,
}

/// Splits a table row into its cells: `|` separates, `\|` is a bar inside a cell and
/// `\\` a backslash (Gherkin's escapes in tables).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '\\' if chars.peek() == Some(&'\\') => {
                cell.push('\\');
                chars.next();
            }
            '|' => out.push(std::mem::take(&mut cell).trim().to_owned()),
            c => cell.push(c),
        }
    }
    out
}

/// The steps of a block of lines (a scenario's or the background's body).
fn steps(lines: &[(usize, &str)]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i].1;
        let line = raw.trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("\"\"\"") {
            let indent = raw.len() - raw.trim_start().len();
            let mut doc = Vec::new();
            while i < lines.len() && !lines[i].1.trim().starts_with("\"\"\"") {
                let l = lines[i].1;
                doc.push(l.get(indent.min(l.len() - l.trim_start().len())..).unwrap_or(""));
                i += 1;
            }
            i += 1;
            if let Some(last) = out.last_mut() {
                last.doc = Some(doc.join("\n"));
            }
            continue;
        }
        if line.starts_with('|') {
            if let Some(last) = out.last_mut() {
                last.table.push(cells(line));
            }
            continue;
        }
        for kw in ["Given ", "And ", "When ", "Then ", "But "] {
            if let Some(rest) = line.strip_prefix(kw) {
                out.push(Step { text: rest.trim_end_matches(':').trim().to_owned(), ..Step::default() });
            }
        }
    }
    out
}

fn fill(text: &str, names: &[String], values: &[String]) -> String {
    let mut out = text.to_owned();
    for (n, v) in names.iter().zip(values) {
        out = out.replace(&format!("<{n}>"), v);
    }
    out
}

/// Every scenario of one feature file.
pub fn read(features: &Path, file: &Path) -> Vec<Scenario> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let rel = file.strip_prefix(features).unwrap_or(file).to_string_lossy().replace('\\', "/");
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    // Sections: the background and each scenario, by the line their keyword is on.
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let t = lines[i].1.trim_start();
            t.starts_with("Scenario") || t.starts_with("Background:")
        })
        .collect();
    let mut background = Vec::new();
    let mut out = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        let head = lines[s].1.trim();
        // Tags sit on the line before a scenario.
        let ignored = s > 0 && lines[s - 1].1.contains("@ignore");
        if head.starts_with("Background:") {
            background = steps(&lines[s + 1..end]);
            continue;
        }
        let title = head.split_once(':').map_or("", |(_, t)| t).trim().to_owned();
        let body = &lines[s + 1..end];
        // An outline's examples: every table under an `Examples:` line.
        let examples_at = body.iter().position(|(_, l)| l.trim().starts_with("Examples"));
        let own = steps(&body[..examples_at.unwrap_or(body.len())]);
        let mut all = background.clone();
        all.extend(own);
        match examples_at {
            None => out.push(Scenario {
                file: rel.clone(),
                line: lines[s].0,
                example: String::new(),
                title,
                steps: all,
                ignored,
            }),
            Some(at) => {
                let mut names: Option<Vec<String>> = None;
                let mut row = 0;
                for (_, l) in &body[at..] {
                    let t = l.trim();
                    if t.starts_with("Examples") {
                        names = None;
                        continue;
                    }
                    if !t.starts_with('|') {
                        continue;
                    }
                    let values = cells(t);
                    match &names {
                        None => names = Some(values),
                        Some(names) => {
                            row += 1;
                            let steps = all
                                .iter()
                                .map(|st| Step {
                                    text: fill(&st.text, names, &values),
                                    doc: st.doc.as_ref().map(|d| fill(d, names, &values)),
                                    table: st
                                        .table
                                        .iter()
                                        .map(|r| r.iter().map(|c| fill(c, names, &values)).collect())
                                        .collect(),
                                })
                                .collect();
                            out.push(Scenario {
                                file: rel.clone(),
                                line: lines[s].0,
                                example: row.to_string(),
                                title: title.clone(),
                                steps,
                                ignored,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}
