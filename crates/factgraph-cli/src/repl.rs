//! The REPL: line editing on a terminal (rustyline), plain line reading otherwise, and
//! the meta commands. `Repl` works over any `Write`, so it is tested like a function.

use std::io::Write;

use anyhow::Result;
use factgraph::Graph;

/// What one input line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Meta {
    /// `.help`
    Help,
    /// `.stats`
    Stats,
    /// `.schema`
    Schema,
    /// `.check`
    Check,
    /// `.quit` / `.exit`
    Quit,
    /// Anything else starting with `.` or `:`.
    Unknown(String),
}

/// Parses a meta command (`.name` or `:name`), or `None` for anything else.
pub fn parse_meta(line: &str) -> Option<Meta> {
    let line = line.trim();
    let rest = line.strip_prefix('.').or_else(|| line.strip_prefix(':'))?;
    let word = rest.split_whitespace().next().unwrap_or("");
    Some(match word {
        "help" => Meta::Help,
        "stats" => Meta::Stats,
        "schema" => Meta::Schema,
        "check" => Meta::Check,
        "quit" | "exit" | "q" => Meta::Quit,
        other => Meta::Unknown(other.to_owned()),
    })
}

const HELP: &str = "\
.help            this list
.stats           counts of entities, statements and evidence
.schema          kinds and relations with counts
.check           verify every index against the records
.quit            leave (Ctrl-D works too)
Questions and patterns (who reported \"red notice\", match ...) arrive with the query language.";

/// The REPL state over an output.
pub struct Repl<'g, W: Write> {
    graph: &'g Graph,
    out: W,
}

impl<'g, W: Write> Repl<'g, W> {
    /// A REPL writing to `out`.
    pub fn new(graph: &'g Graph, out: W) -> Self {
        Repl { graph, out }
    }

    /// Evaluates one line. Returns `Ok(false)` when the session should end; an `Err`
    /// is a failed command, reported by the caller.
    pub fn eval_line(&mut self, line: &str) -> Result<bool> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(true);
        }
        match parse_meta(line) {
            Some(Meta::Help) => writeln!(self.out, "{HELP}")?,
            Some(Meta::Stats) => write_stats(self.graph, &mut self.out)?,
            Some(Meta::Schema) => write_schema(self.graph, &mut self.out)?,
            Some(Meta::Check) => {
                let r = self.graph.check()?;
                if r.is_ok() {
                    writeln!(
                        self.out,
                        "ok: {} entities, {} statements, {} index entries",
                        r.entities, r.statements, r.index_entries
                    )?;
                } else {
                    for p in &r.problems {
                        writeln!(self.out, "problem: {p}")?;
                    }
                    anyhow::bail!("the store has {} problems", r.problems.len());
                }
            }
            Some(Meta::Quit) => return Ok(false),
            Some(Meta::Unknown(w)) => {
                anyhow::bail!("unknown command .{w}; .help lists the commands")
            }
            None => anyhow::bail!("queries are not available yet in this build: only meta commands (.help) work"),
        }
        Ok(true)
    }
}

/// Writes the counts of a store.
pub fn write_stats(graph: &Graph, out: &mut dyn Write) -> Result<()> {
    let c = graph.counts()?;
    writeln!(out, "entities\t{}\nstatements\t{}\nevidence\t{}", c.entities, c.statements, c.evidence)?;
    Ok(())
}

fn write_schema(graph: &Graph, out: &mut dyn Write) -> Result<()> {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED).set_header(vec!["kind", "entities"]);
    for (kind, n) in graph.store().kinds()? {
        table.add_row(vec![kind, n.to_string()]);
    }
    writeln!(out, "{table}")?;
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED).set_header(vec!["relation", "statements"]);
    for rel in graph.store().relations() {
        let n = graph.store().statements_with_relation(&rel)?.len();
        table.add_row(vec![rel, n.to_string()]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

/// Runs the REPL on standard input. On a terminal, errors are reported and the session
/// goes on; on piped input the first error stops it (fail fast). Returns whether every
/// line succeeded.
pub fn run(graph: &Graph, interactive: bool) -> Result<bool> {
    let stdout = std::io::stdout();
    let mut repl = Repl::new(graph, stdout.lock());
    if interactive {
        let mut editor = rustyline::DefaultEditor::new()?;
        eprintln!("factgraph {} — .help for commands, Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
        loop {
            match editor.readline("factgraph> ") {
                Ok(line) => {
                    let _ = editor.add_history_entry(line.as_str());
                    match repl.eval_line(&line) {
                        Ok(true) => {}
                        Ok(false) => return Ok(true),
                        Err(e) => eprintln!("error: {e:#}"),
                    }
                }
                Err(rustyline::error::ReadlineError::Interrupted) => continue,
                Err(rustyline::error::ReadlineError::Eof) => return Ok(true),
                Err(e) => return Err(e.into()),
            }
        }
    }
    for line in std::io::stdin().lines() {
        match repl.eval_line(&line?) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                eprintln!("error: {e:#}");
                return Ok(false);
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_commands_parse_with_dot_or_colon() {
        assert_eq!(parse_meta(".help"), Some(Meta::Help));
        assert_eq!(parse_meta(" :stats "), Some(Meta::Stats));
        assert_eq!(parse_meta(".exit"), Some(Meta::Quit));
        assert_eq!(parse_meta(".nope x"), Some(Meta::Unknown("nope".into())));
        assert_eq!(parse_meta("who reported x"), None);
    }

    #[test]
    fn eval_line_writes_stats_and_refuses_unknown_commands() {
        let graph = Graph::temporary().unwrap();
        let mut out = Vec::new();
        let mut repl = Repl::new(&graph, &mut out);
        assert!(repl.eval_line(".stats").unwrap());
        assert!(repl.eval_line("# a comment").unwrap());
        assert!(repl.eval_line(".bogus").is_err());
        assert!(!repl.eval_line(".quit").unwrap());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("statements\t0"), "{text}");
    }
}
