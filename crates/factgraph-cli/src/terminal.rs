//! The interactive loop on a terminal: rustyline with history, completion, and
//! multi-line input under a `...>` prompt while a quote or bracket is open.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use factgraph::vocabulary::{FUNCTIONS, KEYWORDS};

use crate::backend::Backend;

use crate::repl::{Flow, Session, META_HELP};

/// Completion of keywords, function names, meta commands, relation names and entity
/// names, and file paths after `.load` and `.read`.
pub struct FgHelper {
    words: Vec<String>,
    files: FilenameCompleter,
}

impl FgHelper {
    /// A helper knowing the graph's relations and names (up to 100,000 names; a
    /// server's relations only).
    pub fn new(backend: Backend<'_>) -> FgHelper {
        let mut words: Vec<String> = KEYWORDS.iter().chain(FUNCTIONS).map(|s| (*s).to_owned()).collect();
        words.extend(META_HELP.iter().map(|(c, _)| c.split_whitespace().next().unwrap_or("").to_owned()));
        match backend {
            Backend::Local(graph) => {
                words.extend(graph.relations());
                for e in graph.entities().take(100_000).flatten() {
                    for s in e.spellings() {
                        words.push(if s.contains(char::is_whitespace) { format!("\"{s}\"") } else { s.to_owned() });
                    }
                }
            }
            Backend::Remote(client) => {
                if let Ok(schema) = client.schema() {
                    words.extend(schema.relations.into_iter().map(|(r, _)| r));
                }
            }
        }
        words.sort();
        words.dedup();
        FgHelper { words, files: FilenameCompleter::new() }
    }
}

impl Completer for FgHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        if before.starts_with(".load ") || before.starts_with(".read ") || before.starts_with(":load ") {
            return self.files.complete(line, pos, ctx);
        }
        // A word starts after whitespace or an opening bracket; a quoted name after its quote.
        let start = before.rfind(|c: char| c.is_whitespace() || "([{,".contains(c)).map_or(0, |i| i + 1);
        let prefix = &before[start..];
        let lower = prefix.to_lowercase();
        let candidates = self
            .words
            .iter()
            .filter(|w| w.to_lowercase().starts_with(&lower) && w.len() > prefix.len())
            .take(200)
            .map(|w| Pair { display: w.clone(), replacement: w.clone() })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for FgHelper {
    type Hint = String;
}

impl Highlighter for FgHelper {
    // Prompts and input are shown as typed: no colour codes that could break width.
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _default: bool) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for FgHelper {}

impl Helper for FgHelper {}

/// Where history lives: `$FACTGRAPH_HISTORY`, else `$XDG_STATE_HOME/factgraph/history`
/// (or the platform's state directory).
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FACTGRAPH_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(dirs::state_dir)
        .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))?;
    Some(base.join("factgraph").join("history"))
}

/// Runs the interactive loop until `.quit` or Ctrl-D. Ctrl-C clears the line being
/// typed, or cancels the running query; the session goes on either way.
pub fn run<W: Write, E: Write>(session: &mut Session<'_, W, E>, backend: Backend<'_>) -> anyhow::Result<()> {
    let config = rustyline::Config::builder()
        .history_ignore_dups(true)?
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: Editor<FgHelper, rustyline::history::DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(FgHelper::new(backend)));
    let history = history_path();
    if let Some(h) = &history {
        if h.exists() {
            if let Err(e) = editor.load_history(h) {
                crate::output::note!("warning: cannot read history {}: {e}", h.display());
            }
        }
    }
    let cancel = session.cancel.clone();
    // While a query runs, Ctrl-C cancels it instead of killing the process.
    let _ = ctrlc::set_handler(move || cancel.store(true, std::sync::atomic::Ordering::Relaxed));
    crate::output::note!("factgraph {} — type .help for commands, Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
    let mut history_warned = false;
    let mut pending = String::new();
    loop {
        // An unfinished quote or bracket continues on the next line, under `...>`.
        let prompt = if pending.is_empty() { "factgraph> " } else { "      ...> " };
        match editor.readline(prompt) {
            Ok(line) => {
                pending.push_str(&line);
                if crate::repl::wants_more(&pending, &line) {
                    pending.push('\n');
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if !input.trim().is_empty() {
                    let _ = editor.add_history_entry(input.as_str());
                    if let Some(h) = &history {
                        let saved = h
                            .parent()
                            .map_or(Ok(()), std::fs::create_dir_all)
                            .and_then(|()| editor.save_history(h).map_err(std::io::Error::other));
                        if let Err(e) = saved {
                            if !history_warned {
                                crate::output::note!("warning: cannot write history {}: {e}", h.display());
                                history_warned = true;
                            }
                        }
                    }
                }
                let flow = session.eval(&input);
                if let Some(e) = session.output_error() {
                    return Err(crate::output::output_failed(e));
                }
                if let Ok(Flow::Quit) = flow {
                    return Ok(());
                }
            }
            // Ctrl-C drops the input being typed; the session goes on.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) if pending.is_empty() => return Ok(()),
            Err(ReadlineError::Eof) => pending.clear(),
            Err(e) => return Err(e.into()),
        }
    }
}
