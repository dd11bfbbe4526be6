//! The REPL core: a `Session` that evaluates input (queries, scripts, meta commands)
//! against a graph and writes to any `Write`, so it is tested like a function; and
//! the terminal loop around it (rustyline: history, completion, multi-line input).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use factgraph::vocabulary::{first_word, is_complete, line_states, needs_more, LineState};
use factgraph::{Date, Limits, Param, Params};

use crate::backend::{Backend, Failure};
use crate::output::Output;
use crate::render::{error_report, write_result, Mode, Style};

/// A meta command, parsed.
#[derive(Debug, PartialEq, Eq)]
pub enum Meta {
    /// `.help`
    Help,
    /// `.load FILE...` — data: `.fg` scripts (one batch) or a benchmark TSV directory.
    Load(Vec<String>),
    /// `.read FILE` — run a file of queries and commands.
    Read(String),
    /// `.dot [--cluster kind|none] [--view auto|full|summary] [--sources N]
    /// [--max-statements N] [QUERY] [> FILE]`
    Dot {
        /// The options given before the query, as written (`--view`, `summary`).
        flags: Vec<(String, String)>,
        /// The query whose subgraph to draw; the whole graph when empty.
        query: String,
        /// Where to write; standard output when `None`.
        file: Option<String>,
    },
    /// `.mode NAME`
    Mode(String),
    /// `.evidence on|off`
    Evidence(Option<bool>),
    /// `.timer on|off`
    Timer(Option<bool>),
    /// `.maxrows N`
    MaxRows(String),
    /// `.stats`
    Stats,
    /// `.schema`
    Schema,
    /// `.sources`
    Sources,
    /// `.conflicts`
    Conflicts,
    /// `.ast QUERY`
    Ast(String),
    /// `.explain QUERY`
    Explain(String),
    /// `.profile QUERY`
    Profile(String),
    /// `.check`
    Check,
    /// `.param NAME [VALUE]`: set a parameter, or clear it without a value.
    Param(String, Option<String>),
    /// `.params`
    Params,
    /// `.quit` / `.exit`
    Quit,
    /// Anything else.
    Unknown(String),
}

impl Meta {
    /// Whether the command only reads the store (`.load` writes, and `.read` runs
    /// commands that may), so that a session of such commands does not create one.
    pub fn only_reads(&self, params: &Params) -> bool {
        match self {
            Meta::Load(_) | Meta::Read(_) => false,
            Meta::Help
            | Meta::Dot { .. }
            | Meta::Mode(_)
            | Meta::Evidence(_)
            | Meta::Timer(_)
            | Meta::MaxRows(_)
            | Meta::Stats
            | Meta::Schema
            | Meta::Sources
            | Meta::Conflicts
            | Meta::Ast(_)
            | Meta::Explain(_)
            | Meta::Check
            | Meta::Param(..)
            | Meta::Params
            | Meta::Quit
            | Meta::Unknown(_) => true,
            // It runs the query, which may write.
            Meta::Profile(q) => !factgraph::writes(q, params).unwrap_or(false),
        }
    }
}

fn on_off(s: &str) -> Option<bool> {
    match s.trim() {
        "on" | "yes" | "true" => Some(true),
        "off" | "no" | "false" => Some(false),
        _ => None,
    }
}

/// Parses a meta command (`.name args` or `:name args`), or `None` for a query.
pub fn parse_meta(line: &str) -> Option<Meta> {
    let line = line.trim();
    let rest = line.strip_prefix('.').or_else(|| line.strip_prefix(':'))?;
    let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let args = args.trim();
    Some(match word {
        "help" | "h" | "?" => Meta::Help,
        "load" => Meta::Load(args.split_whitespace().map(str::to_owned).collect()),
        "read" => Meta::Read(args.to_owned()),
        "dot" => {
            let (flags, args) = dot_flags(args);
            match args.rsplit_once('>') {
                Some((q, f)) if !f.trim().is_empty() && !f.contains('"') => {
                    Meta::Dot { flags, query: q.trim().to_owned(), file: Some(f.trim().to_owned()) }
                }
                _ => Meta::Dot { flags, query: args.to_owned(), file: None },
            }
        }
        "mode" => Meta::Mode(args.to_owned()),
        "evidence" => Meta::Evidence(on_off(args)),
        "timer" => Meta::Timer(on_off(args)),
        "maxrows" => Meta::MaxRows(args.to_owned()),
        "stats" => Meta::Stats,
        "schema" => Meta::Schema,
        "sources" => Meta::Sources,
        "conflicts" => Meta::Conflicts,
        "ast" => Meta::Ast(args.to_owned()),
        "explain" => Meta::Explain(args.to_owned()),
        "profile" => Meta::Profile(args.to_owned()),
        "check" => Meta::Check,
        "param" => {
            let (name, value) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
            let value = value.trim();
            Meta::Param(name.trim_start_matches('$').to_owned(), (!value.is_empty()).then(|| value.to_owned()))
        }
        "params" => Meta::Params,
        "quit" | "exit" | "q" => Meta::Quit,
        other => Meta::Unknown(other.to_owned()),
    })
}

/// Whether `name` (without its `$`) names a parameter as the language writes one: a
/// letter or `_`, then letters, digits or `_`; or a number (`$1`).
pub fn is_parameter_name(name: &str) -> bool {
    let word = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    word || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
}

/// The error for a name `is_parameter_name` refuses.
pub fn not_a_parameter_name(name: &str) -> String {
    format!("{name:?} is not a parameter name: a letter or _, then letters, digits or _; or a number")
}

/// Splits the `--name value` pairs at the start of `.dot`'s arguments from the rest.
fn dot_flags(mut args: &str) -> (Vec<(String, String)>, &str) {
    let mut flags = Vec::new();
    while let Some(rest) = args.strip_prefix("--") {
        let (name, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let rest = rest.trim_start();
        let (value, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        flags.push((name.to_owned(), value.to_owned()));
        args = rest.trim_start();
    }
    (flags, args)
}

/// The picture `.dot` and `factgraph dot` draw: the library's default, with
/// `[n sources]` on the arrows under `.evidence on`, and the flags given.
pub fn dot_options(evidence: bool, flags: &[(String, String)]) -> Result<factgraph::dot::DotOptions, String> {
    let mut options = factgraph::dot::DotOptions { evidence_counts: evidence, ..Default::default() };
    let number = |name: &str, v: &str| v.parse::<usize>().map_err(|_| format!("--{name} needs a number, not {v:?}"));
    for (name, value) in flags {
        match name.as_str() {
            "cluster" => options.cluster = value.parse()?,
            "view" => options.view = value.parse()?,
            "sources" => options.sources_named = number(name, value)?,
            "max-statements" => options.max_statements = number(name, value)?,
            other => {
                return Err(format!(
                    "unknown option --{other}: .dot takes --cluster, --view, --sources and --max-statements"
                ))
            }
        }
    }
    Ok(options)
}

/// The meta commands, for `.help` and completion.
pub const META_HELP: &[(&str, &str)] = &[
    (".help", "this list"),
    (".load FILE...", "load data: .fg scripts (one atomic batch) or a benchmark TSV directory"),
    (".read FILE", "run a file of queries and commands"),
    (
        ".dot [--view V] [--cluster C] [QUERY] [> FILE]",
        "GraphViz DOT of the whole graph (a summary when large), or of a query's answers and their sources",
    ),
    (".mode MODE", "output: table, csv, tsv, json, jsonl, markdown, line"),
    (".evidence on|off", "show the quotes behind each answer"),
    (".timer on|off", "show how long each query takes"),
    (".maxrows N", "rows shown in a table"),
    (".stats", "counts of entities, statements and evidence"),
    (".schema", "kinds and relations, with counts"),
    (".sources", "every document and credited source, with counts"),
    (".conflicts", "where sources disagree (same as `conflicts`)"),
    (".ast QUERY", "the parsed syntax tree"),
    (".explain QUERY", "the plan: its operators in words, with estimated rows"),
    (".profile QUERY", "run a pattern query (a write writes): each operator's rows and own time beside its estimate"),
    (".check", "verify every index against the records"),
    (
        ".param NAME [VALUE]",
        "set $NAME for later queries (\"text\", 42, 1.5, true, null, 2020-01-03, [\"json\", 1]); no value clears it",
    ),
    (".params", "the parameters set"),
    (".quit", "leave (Ctrl-D works too)"),
];

const QUESTION_HELP: &str = "\
Questions:  who reported \"red notice\" · who accused Trump · what does Interpol forbid
            describe \"Qasi Mehr\" · path from Trump to Interpol · neighbours of Soleimani depth 2
            sources of IRNA · conflicts [all] [about NAME] · verify · according to IRNA QUESTION · why QUESTION
Patterns:   match (a:Person)-[r:accused]->(b named \"Trump\") where … return a.name, sources(r)
Writes:     entity \"Name\": Kind aka \"Alias\" · assert @x = A rel B from DOC \"quote\" by WHO
Meta commands also work with `:` for Cypher users (:help).";

/// How deep `.read` may nest: a script that reads itself stops here with an error
/// instead of overflowing the stack.
pub const MAX_READ_DEPTH: usize = 16;

/// A format written line by line (CSV, TSV, JSON Lines) has no place for a note
/// beside its rows, whose lines a program reads: the note of an answer with columns
/// (a label, type or property key nothing has; what a write changed) goes to standard
/// error, where a person at the pipe's end still sees it. An answer without columns
/// (a write's) writes its note in CSV or TSV output, as it always has; JSON Lines,
/// every line of which is a JSON object, gives it to standard error too.
fn note_beside(err: &mut dyn Write, mode: Mode, columns: &[String], note: Option<&str>) {
    if let (true, Some(note)) = (note_aside(mode, columns), note) {
        let _ = writeln!(err, "note: {note}");
    }
}

/// Whether an answer's note goes to standard error (`note_beside`).
fn note_aside(mode: Mode, columns: &[String]) -> bool {
    !columns.is_empty() || mode == Mode::Jsonl
}

/// A REPL session over a graph.
pub struct Session<'g, W: Write, E: Write> {
    backend: Backend<'g>,
    /// Results; its first write error stops the session (see `output_error`).
    out: Output<W>,
    err: E,
    /// Output settings.
    pub style: Style,
    timer: bool,
    color: bool,
    /// Set from a signal handler to cancel the running query.
    pub cancel: Arc<AtomicBool>,
    /// Relative paths in `.load` and `.read` are resolved against this.
    pub cwd: PathBuf,
    /// Values of `$name` parameters, set by `.param`.
    pub params: Params,
    /// How many `.read`s the input being evaluated is inside.
    read_depth: usize,
    /// The memory budget of each query, in bytes (`--memory-limit`).
    pub max_memory: usize,
    /// The rows each query's answer may have (`--max-rows`).
    pub max_rows: usize,
}

/// A parameter's value as typed after `.param NAME` (or in `--param NAME=VALUE`): a
/// quoted string (with the language's escapes), a whole number, a number with a
/// fraction, true or false, null, a date, a list or map in JSON (`["a", 1]`, `{"k":
/// 2}`), or else the text as it is.
pub fn param_value(typed: &str) -> Param {
    let t = typed.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        if let Ok(s) = serde_json::from_str::<String>(t) {
            return Param::from(s);
        }
    }
    if let Ok(i) = t.parse::<i64>() {
        return Param::from(i);
    }
    if let Ok(x) = t.parse::<f64>() {
        if t.contains('.') && x.is_finite() {
            return Param::from(x);
        }
    }
    match t {
        "true" => return Param::from(true),
        "false" => return Param::from(false),
        "null" => return Param::Null,
        _ => {}
    }
    if t.starts_with('[') || t.starts_with('{') {
        if let Some(p) = serde_json::from_str(t).ok().as_ref().and_then(json_param) {
            return p;
        }
    }
    if let Some(d) = Date::parse(t) {
        return Param::from(d);
    }
    Param::from(t)
}

/// Why a typed value would not be the value it looks like, if it would not: a list
/// or map that is no JSON (`[1, "a"`), or a whole number past the largest (which
/// `param_value` would otherwise keep as text, for a query to compare in vain).
pub fn param_problem(typed: &str) -> Option<String> {
    let t = typed.trim();
    if (t.starts_with('[') || t.starts_with('{'))
        && serde_json::from_str(t).ok().as_ref().and_then(json_param).is_none()
    {
        return Some(format!(
            "{t:?} is not a list or map in JSON (`[\"a\", 1]`, `{{\"k\": 2}}`), nor within the numbers a value \
             holds; quote it to pass it as text"
        ));
    }
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && t.parse::<i64>().is_err() {
        return Some(format!(
            "{t} is outside the whole numbers (-9223372036854775808 to 9223372036854775807); quote it to pass it as text"
        ));
    }
    None
}

/// A parameter from JSON: whole numbers as integers, other numbers as floats;
/// `None` for a number out of range.
fn json_param(v: &serde_json::Value) -> Option<Param> {
    use serde_json::Value as Json;
    Some(match v {
        Json::Null => Param::Null,
        Json::Bool(b) => Param::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Param::from(i),
            (None, Some(x)) => Param::from(x),
            _ => return None,
        },
        Json::String(s) => Param::from(s.as_str()),
        Json::Array(items) => Param::List(items.iter().map(json_param).collect::<Option<_>>()?),
        Json::Object(entries) => {
            Param::Map(entries.iter().map(|(k, v)| Some((k.clone(), json_param(v)?))).collect::<Option<_>>()?)
        }
    })
}

/// What to do after a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// The user asked to leave.
    Quit,
}

impl<'g, W: Write, E: Write> Session<'g, W, E> {
    /// A session on a store here, writing results to `out` and errors to `err`.
    #[cfg(test)]
    pub fn new(graph: &'g factgraph::Graph, out: W, err: E, style: Style, color: bool) -> Self {
        Session::with_backend(Backend::Local(graph), out, err, style, color)
    }

    /// A session whose work goes to `backend`: a store here or a server.
    pub fn with_backend(backend: Backend<'g>, out: W, err: E, style: Style, color: bool) -> Self {
        Session {
            backend,
            out: Output::new(out),
            err,
            style,
            timer: false,
            color,
            cancel: Arc::new(AtomicBool::new(false)),
            cwd: std::env::current_dir().unwrap_or_default(),
            params: Params::new(),
            read_depth: 0,
            max_memory: Limits::default().max_memory,
            max_rows: Limits::default().max_rows,
        }
    }

    /// The first error writing the results, if any: once output fails the session
    /// writes no more, and the caller decides what it means (a reader that has gone
    /// is a quiet end; a full disk is an error).
    pub fn output_error(&self) -> Option<&std::io::Error> {
        self.out.error()
    }

    /// Flushes the results written so far; a failure is kept for `output_error`.
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// Writes text as it is to the output (used by `--echo`).
    pub fn write_raw(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    fn limits(&self) -> Limits {
        Limits {
            cancel: Some(self.cancel.clone()),
            max_memory: self.max_memory,
            max_rows: self.max_rows,
            ..Limits::default()
        }
    }

    /// Evaluates one complete input (a meta command, or queries). `Err(())` means the
    /// input failed; the error has been written to the error stream.
    #[allow(clippy::result_unit_err)]
    pub fn eval(&mut self, input: &str) -> Result<Flow, ()> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') && !trimmed.contains('\n') {
            return Ok(Flow::Continue);
        }
        match parse_meta(trimmed) {
            Some(m) => self.meta(m),
            None => self.query(input, "query"),
        }
    }

    fn fail(&mut self, message: impl std::fmt::Display) -> Result<Flow, ()> {
        // A failed output is the caller's to report, once; this failure is its echo.
        if self.out.flush().is_err() {
            return Err(());
        }
        let _ = writeln!(self.err, "error: {message}");
        Err(())
    }

    /// Writes DOT to `file` (relative to the session's directory) or to the output.
    fn write_dot(&mut self, dot: &str, file: Option<String>) -> Result<Flow, ()> {
        match file {
            Some(f) => {
                let path = self.path(&f);
                if let Err(e) = std::fs::write(&path, dot) {
                    return self.fail(format!("cannot write {}: {e}", path.display()));
                }
                let _ = writeln!(self.out, "wrote {}", path.display());
            }
            None => {
                let _ = self.out.write_all(dot.as_bytes());
            }
        }
        Ok(Flow::Continue)
    }

    /// Prints `.explain`'s or `.profile`'s plans of `text`, or reports why there are none.
    fn plans(&mut self, plans: Result<Vec<String>, Failure>, text: &str) -> Result<Flow, ()> {
        match plans {
            Ok(plans) => {
                for p in plans {
                    let _ = writeln!(self.out, "{p}");
                }
                Ok(Flow::Continue)
            }
            Err(e) => {
                self.report_failure(&e, "query", text);
                Err(())
            }
        }
    }

    fn report_failure(&mut self, e: &Failure, name: &str, text: &str) {
        let remote = match e {
            Failure::Local(e) => return self.report(e, name, text),
            Failure::Remote(r) => r,
        };
        if self.out.flush().is_err() {
            return;
        }
        if self.style.mode == Mode::Json || self.style.mode == Mode::Jsonl {
            let _ = writeln!(self.err, "{}", remote_error_json(remote, text));
            return;
        }
        let _ = write!(self.err, "{}", crate::render::remote_error_report(remote, name, text, self.color));
    }

    fn report(&mut self, e: &factgraph::Error, name: &str, text: &str) {
        // Results already written come before the error that follows them.
        if self.out.flush().is_err() {
            return;
        }
        if self.style.mode == Mode::Json || self.style.mode == Mode::Jsonl {
            let _ = writeln!(self.err, "{}", error_json(e, text));
            return;
        }
        let _ = write!(self.err, "{}", error_report(e, name, text, self.color));
    }

    fn query(&mut self, text: &str, name: &str) -> Result<Flow, ()> {
        self.cancel.store(false, Ordering::Relaxed);
        let started = Instant::now();
        // Formats written line by line are written as the rows are made: a long
        // answer's first rows come at once and it is never held whole. Through a
        // server (no `query_each`), and in the other formats, the answers come whole.
        let mut write_failed = false;
        let streamed = if crate::render::streams(self.style.mode) {
            let limits = self.limits();
            let (out, err, style, backend, params) =
                (&mut self.out, &mut self.err, &self.style, self.backend, &self.params);
            let mut columns: Vec<String> = Vec::new();
            backend.query_each(text, params, &limits, |streamed| {
                let written = match streamed {
                    // A result begins once the one before is done: a write's note
                    // acknowledges a commit, and goes out before the next one runs
                    // (the output may be buffered, `run_session`).
                    factgraph::Streamed::Result { columns: c, note, .. } => {
                        columns = c.to_vec();
                        // The rows before go out first, for a reader of both streams.
                        let aside = note.is_some() && note_aside(style.mode, c);
                        let flushed = if aside { out.flush() } else { Ok(()) };
                        note_beside(err, style.mode, c, note);
                        flushed
                            .and_then(|()| crate::render::write_begin(out, c, note, style))
                            .and_then(|()| out.flush())
                    }
                    factgraph::Streamed::Row(row) => crate::render::write_row(out, &columns, row, style),
                };
                write_failed = written.is_err();
                if write_failed {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            })
        } else {
            None
        };
        let done = match streamed {
            Some(done) => done.map(|_| ()),
            None => self.backend.query(text, &self.params, &self.limits()).map(|results| {
                let streams = crate::render::streams(self.style.mode);
                write_failed = results.iter().any(|r| {
                    if streams && r.note.is_some() && note_aside(self.style.mode, &r.columns) {
                        // The answers before go out first, for a reader of both streams.
                        if self.out.flush().is_err() {
                            return true;
                        }
                        note_beside(&mut self.err, self.style.mode, &r.columns, r.note.as_deref());
                    }
                    write_result(&mut self.out, r, &self.style).is_err()
                });
            }),
        };
        // `output_error` has it: the caller ends quietly for a reader that has gone
        // (`| head`) and reports anything else.
        if write_failed {
            return Err(());
        }
        match done {
            Ok(()) => {
                if self.timer {
                    let time = format!("time: {:.3} ms", started.elapsed().as_secs_f64() * 1e3);
                    self.say_aside(&time);
                }
                Ok(Flow::Continue)
            }
            Err(e) => {
                self.report_failure(&e, name, text);
                Err(())
            }
        }
    }

    /// Writes what the session says beside the answers (a load's summary, a query's
    /// time) to the output, or in JSON Lines, every line of which is an object, to
    /// standard error after the answers before it.
    fn say_aside(&mut self, text: &str) {
        if self.style.mode == Mode::Jsonl {
            let _ = self.out.flush();
            let _ = writeln!(self.err, "{text}");
        } else {
            let _ = writeln!(self.out, "{text}");
        }
    }

    fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.cwd.join(p)
        }
    }

    fn meta(&mut self, m: Meta) -> Result<Flow, ()> {
        match m {
            Meta::Help => {
                for (cmd, what) in META_HELP {
                    let _ = writeln!(self.out, "{cmd:<24} {what}");
                }
                let _ = writeln!(self.out, "\n{QUESTION_HELP}");
            }
            Meta::Quit => return Ok(Flow::Quit),
            Meta::Unknown(w) => return self.fail(format!("unknown command .{w}; .help lists the commands")),
            Meta::Load(files) => {
                if files.is_empty() {
                    return self.fail(".load needs a file: .load data/showcase.fg");
                }
                let paths: Vec<PathBuf> = files.iter().map(|f| self.path(f)).collect();
                let mut done = Vec::new();
                let loaded = crate::load_paths(self.backend, &paths, false, false, &mut done);
                if !done.is_empty() {
                    self.say_aside(&done.join("\n"));
                }
                match loaded {
                    Ok(()) => {}
                    Err(e) => {
                        let text = format!("{e:#}");
                        match e.downcast_ref::<factgraph::Error>() {
                            Some(fe) => self.report(fe, "load", ""),
                            None => {
                                let _ = writeln!(self.err, "error: {text}");
                            }
                        }
                        return Err(());
                    }
                }
            }
            Meta::Read(file) => {
                if self.read_depth >= MAX_READ_DEPTH {
                    return self.fail(format!(
                        ".read is nested more than {MAX_READ_DEPTH} deep (does a script read itself?); stopped at {file}"
                    ));
                }
                let path = self.path(&file);
                let text = match crate::output::read_text_file(&path) {
                    Ok(t) => t,
                    Err(e) => return self.fail(format!("cannot read {}: {e:#}", path.display())),
                };
                self.read_depth += 1;
                let mut flow = Ok(Flow::Continue);
                for chunk in split_inputs(&text) {
                    match self.eval(&chunk) {
                        Ok(Flow::Continue) => {}
                        other => {
                            flow = other;
                            break;
                        }
                    }
                }
                self.read_depth -= 1;
                return flow;
            }
            Meta::Dot { flags, query, file } => {
                let options = match dot_options(self.style.evidence, &flags) {
                    Ok(o) => o,
                    Err(e) => return self.fail(e),
                };
                let q = (!query.is_empty()).then_some(query.as_str());
                let dot = match self.backend.dot(q, &self.params, &options, &self.limits()) {
                    Ok(d) => d,
                    Err(e) => {
                        self.report_failure(&e, "query", &query);
                        return Err(());
                    }
                };
                return self.write_dot(&dot, file);
            }
            Meta::Mode(m) => match Mode::parse(&m) {
                Some(mode) => self.style.mode = mode,
                None => {
                    return self.fail(format!("unknown mode {m:?}: table, csv, tsv, json, jsonl, markdown or line"))
                }
            },
            Meta::Evidence(Some(b)) => self.style.evidence = b,
            Meta::Timer(Some(b)) => self.timer = b,
            Meta::Evidence(None) | Meta::Timer(None) => return self.fail("say on or off"),
            Meta::MaxRows(n) => match n.parse::<usize>() {
                Ok(n) if n > 0 => self.style.max_rows = n,
                _ => return self.fail(format!(".maxrows needs a positive number, not {n:?}")),
            },
            Meta::Stats => {
                if let Err(e) = self.backend.write_stats(&mut self.out) {
                    return self.fail(e);
                }
            }
            Meta::Schema => {
                if let Err(e) = self.backend.write_schema(&mut self.out) {
                    return self.fail(e);
                }
            }
            Meta::Sources => {
                if let Err(e) = self.backend.write_sources(&mut self.out) {
                    return self.fail(e);
                }
            }
            Meta::Conflicts => return self.query("conflicts", "query"),
            Meta::Param(name, value) => {
                if !is_parameter_name(&name) {
                    return self.fail(not_a_parameter_name(&name));
                }
                if let Some(problem) = value.as_deref().and_then(param_problem) {
                    return self.fail(problem);
                }
                match value {
                    Some(v) => self.params.insert(name, param_value(&v)),
                    None => {
                        self.params.remove(&name);
                    }
                }
            }
            Meta::Params => {
                for (name, value) in self.params.iter() {
                    let _ = writeln!(self.out, "${name}\t{value}\t{}", value.type_name());
                }
            }
            Meta::Ast(q) => match factgraph::syntax_tree(&q) {
                Ok(ast) => {
                    let _ = writeln!(self.out, "{ast}");
                }
                Err(e) => {
                    self.report(&e, "query", &q);
                    return Err(());
                }
            },
            Meta::Profile(q) if q.trim().is_empty() => {
                return self.fail("`.profile` takes a query: `.profile match (n) return count(*)`")
            }
            Meta::Profile(q) => {
                let plans = self.backend.profile(&q, &self.params, &self.limits());
                return self.plans(plans, &q);
            }
            Meta::Explain(q) => {
                let plans = self.backend.explain(&q, &self.params);
                return self.plans(plans, &q);
            }
            Meta::Check => match self.backend.check() {
                Ok(r) if r.is_ok() => {
                    let _ = writeln!(
                        self.out,
                        "ok: {} entities, {} statements, {} evidence, {} index entries checked",
                        r.entities, r.statements, r.evidence, r.index_entries
                    );
                }
                Ok(r) => {
                    for p in &r.problems {
                        let _ = writeln!(self.out, "problem: {p}");
                    }
                    return self.fail(format!("the store has {} problems", r.problems.len()));
                }
                Err(e) => return self.fail(e),
            },
        }
        Ok(Flow::Continue)
    }
}

/// An error as one JSON object: message, and where it is when it has a place.
pub fn error_json(e: &factgraph::Error, text: &str) -> serde_json::Value {
    let span = match e {
        factgraph::Error::Parse(p) => Some(p.span),
        factgraph::Error::Query(q) => q.span(),
        _ => None,
    };
    let mut obj = serde_json::json!({ "error": e.to_string(), "kind": e.kind().as_str() });
    if let Some(s) = span {
        let (line, column) = factgraph::line_col(text, s.start);
        obj["line"] = line.into();
        obj["column"] = column.into();
        obj["start"] = s.start.into();
        obj["end"] = s.end.into();
    }
    obj
}

/// A server's error as one JSON object, as `error_json` writes the library's.
pub fn remote_error_json(e: &factgraph_server::RemoteError, text: &str) -> serde_json::Value {
    let mut obj = serde_json::json!({ "error": e.message, "kind": e.kind });
    // The span is the server's word about our text: use it only where it fits.
    if let Some((start, end)) = e.span.filter(|&(s, _)| s <= text.len() && text.is_char_boundary(s)) {
        let (line, column) = factgraph::line_col(text, start);
        obj["line"] = line.into();
        obj["column"] = column.into();
        obj["start"] = start.into();
        obj["end"] = end.into();
    }
    obj
}

/// Whether the REPL reads another line into `pending` after `line`: while the input
/// needs more, except that an empty line runs a query whose strings and brackets are
/// closed (so that an unfinished pattern shows its error instead of waiting forever).
pub fn wants_more(pending: &str, line: &str) -> bool {
    let meta = pending.trim_start().starts_with('.') || pending.trim_start().starts_with(':');
    !meta && (!is_complete(pending) || (needs_more(pending) && !line.trim().is_empty()))
}

/// Splits a script into inputs. A meta command is one line. A query runs to a line
/// ending in `;` (strings and comments aside), or until the next line that starts in
/// the first column once the query so far needs no more (quotes, brackets and
/// comments closed, and a pattern query not stopped where the grammar wants more):
/// `match (a)` / `where a.name = 'x'` / `return a` is one input, and so is anything
/// whose continuation lines are indented. A line holding only a comment goes with
/// what is being read. A pattern query also goes on at a line in the first column
/// that starts with a word no input starts with (`order by`, `skip`, `limit`,
/// `union`, `on create set`, `set`, `where`, …), and at lines that start with a
/// clause (`create`, `return`, `match`, …) and empty lines when a `;` ends them
/// before any line that starts another kind of input (a question, a write of
/// factgraph's own, a meta command), as psql and cypher-shell read scripts:
/// `create (a)` / `create (b)` / `create (a)-[:K]->(b);` is one query. A `;` alone on
/// a line ends the input before it.
pub fn split_inputs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let states = line_states(text);
    let state = |i: usize| states.get(i).copied().unwrap_or(LineState { starts_inside: false, ends_statement: false });
    // For each line, the line at or after it whose `;` ends the run of clause lines
    // it is in, if one does before a line that starts another kind of input.
    let mut ended_at: Vec<Option<usize>> = vec![None; lines.len() + 1];
    for i in (0..lines.len()).rev() {
        let line = lines[i];
        let breaks = !state(i).starts_inside
            && !line.starts_with(char::is_whitespace)
            && !line.trim().is_empty()
            && !only_comment(line)
            && !goes_on(line)
            && !is_clause(line);
        ended_at[i] = if state(i).ends_statement {
            Some(i)
        } else if breaks {
            None
        } else {
            ended_at[i + 1]
        };
    }
    let mut out = Vec::new();
    let mut current = String::new();
    // The first word of `current`, once it has one: asked at every line, and taking it
    // from the whole query so far each time made a long one quadratic.
    let mut word = String::new();
    let flush = |current: &mut String, word: &mut String, out: &mut Vec<String>| {
        if !current.trim().is_empty() {
            out.push(std::mem::take(current));
        }
        current.clear();
        word.clear();
    };
    for (i, line) in lines.iter().copied().enumerate() {
        let starts_fresh = !line.starts_with(char::is_whitespace) && !only_comment(line) && !state(i).starts_inside;
        // (Whether the line goes on with the query is asked first: it is cheap, and
        // `needs_more` parses the query so far.)
        if starts_fresh {
            let query = STARTS.contains(&word.as_str());
            let on = query && (goes_on(line) || (ended_at[i].is_some() && (line.trim().is_empty() || is_clause(line))));
            if on {
                if line.trim().is_empty() {
                    continue;
                }
            } else if !needs_more(&current) {
                flush(&mut current, &mut word, &mut out);
            }
        }
        if line.trim() == ";" && is_complete(&current) {
            flush(&mut current, &mut word, &mut out);
            continue;
        }
        if current.trim().is_empty() && (line.trim_start().starts_with('.') || line.trim_start().starts_with(':')) {
            out.push(line.to_owned());
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if word.is_empty() {
            word = first_word(&current);
        }
        if state(i).ends_statement && is_complete(&current) {
            flush(&mut current, &mut word, &mut out);
        }
    }
    flush(&mut current, &mut word, &mut out);
    out
}

/// A line with nothing but a comment (or the start of one).
fn only_comment(line: &str) -> bool {
    !line.trim().is_empty() && factgraph::vocabulary::without_comments(line).is_empty()
}

/// Words that start no input but go on with a pattern query.
const GOES_ON: &[&str] = &[
    "order",
    "skip",
    "limit",
    "union",
    "on",
    "set",
    "where",
    "and",
    "or",
    "xor",
    "yield",
    "asc",
    "desc",
    "ascending",
    "descending",
    "remove",
    "detach",
    "then",
    "else",
    "end",
    "when",
];

/// The words a pattern query starts with.
const STARTS: &[&str] = &["match", "optional", "with", "unwind", "return", "create", "merge", "call"];

/// Whether `line` starts with a word that only goes on with a query.
fn goes_on(line: &str) -> bool {
    GOES_ON.contains(&first_word(line).as_str())
}

/// Whether `line` starts with a clause of a pattern query (`delete entity NAME` is a
/// write of factgraph's own, which stands alone).
fn is_clause(line: &str) -> bool {
    let word = first_word(line);
    if word == "delete" {
        let rest = factgraph::vocabulary::without_comments(line);
        let second = rest.split_whitespace().nth(1).unwrap_or_default();
        return !second.eq_ignore_ascii_case("entity");
    }
    STARTS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use factgraph::Graph;

    fn style() -> Style {
        Style { mode: Mode::Tsv, evidence: false, max_rows: 100 }
    }

    #[test]
    fn meta_commands_parse_with_dot_or_colon() {
        assert_eq!(parse_meta(".help"), Some(Meta::Help));
        assert_eq!(parse_meta(" :stats "), Some(Meta::Stats));
        assert_eq!(parse_meta(".exit"), Some(Meta::Quit));
        assert_eq!(parse_meta(".mode csv"), Some(Meta::Mode("csv".into())));
        assert_eq!(parse_meta(".evidence on"), Some(Meta::Evidence(Some(true))));
        assert_eq!(
            parse_meta(".dot who reported \"x\" > out.dot"),
            Some(Meta::Dot { flags: vec![], query: "who reported \"x\"".into(), file: Some("out.dot".into()) })
        );
        assert_eq!(parse_meta(".dot"), Some(Meta::Dot { flags: vec![], query: String::new(), file: None }));
        assert_eq!(
            parse_meta(".dot --view summary --cluster none  who accused Trump > a.dot"),
            Some(Meta::Dot {
                flags: vec![("view".into(), "summary".into()), ("cluster".into(), "none".into())],
                query: "who accused Trump".into(),
                file: Some("a.dot".into())
            })
        );
        assert_eq!(parse_meta(".nope x"), Some(Meta::Unknown("nope".into())));
        assert_eq!(parse_meta("who reported x"), None);
    }

    #[test]
    fn completeness_follows_quotes_and_brackets() {
        assert!(is_complete("describe Trump"));
        assert!(!is_complete("describe \"Trump"));
        assert!(!is_complete("match (a {name: \"x\""));
        assert!(is_complete("describe \"a (b\""));
        assert!(is_complete("# note (\ndescribe x"));
    }

    #[test]
    fn a_quote_inside_a_slash_comment_does_not_open_a_string() {
        // The grammar reads `//` as a comment, so the REPL must not wait for the quote
        // or the bracket in it to close.
        assert!(is_complete("describe Trump // the \"real\" one"));
        assert!(is_complete("describe Trump // who's (this"));
        let parts = split_inputs("describe Trump // say \"hi\n.stats\n");
        assert_eq!(parts, ["describe Trump // say \"hi\n", ".stats"]);
    }

    #[test]
    fn multi_line_cypher_is_one_input_without_indentation() {
        let parts = split_inputs("MATCH (a)\nWHERE a.name = 'x'\nRETURN a\ndescribe Trump\nwho accused Trump\n");
        assert_eq!(parts, ["MATCH (a)\nWHERE a.name = 'x'\nRETURN a\n", "describe Trump\n", "who accused Trump\n"]);
        assert!(wants_more("match (a)", "match (a)"));
        assert!(!wants_more("match (a)\n", ""), "an empty line runs it, to show the error");
        assert!(wants_more("describe \"Trump\n", ""), "an open string always reads on");
        assert!(!wants_more(".stats", ".stats"));
    }

    /// A script cut a query at a line in the first column that started with a word
    /// only a query goes on with (`ORDER BY`, `LIMIT`, `ON CREATE SET`, `SET`,
    /// `UNION`), or with a clause before the `;` that ended the query, and ran the
    /// first half, writes included.
    #[test]
    fn a_script_keeps_a_query_whole_to_its_semicolon_without_indentation() {
        let parts = split_inputs("MATCH (a:P)\nRETURN a.name\nORDER BY a.name DESC\nLIMIT 2;\nwho accused Trump\n");
        assert_eq!(parts, ["MATCH (a:P)\nRETURN a.name\nORDER BY a.name DESC\nLIMIT 2;\n", "who accused Trump\n"]);
        let parts = split_inputs("MERGE (n:K {k: 2})\nON CREATE SET n.created = true\nRETURN n.created;\n");
        assert_eq!(parts.len(), 1, "{parts:?}");
        let parts = split_inputs("CREATE (n:K {k: 1})\nSET n.flag = true\nRETURN n.k;\nMATCH (n) RETURN n;\n");
        assert_eq!(parts, ["CREATE (n:K {k: 1})\nSET n.flag = true\nRETURN n.k;\n", "MATCH (n) RETURN n;\n"]);
        let parts = split_inputs("match (a) return a.x as x\nunion\nmatch (b) return b.x as x\n");
        assert_eq!(parts.len(), 1, "{parts:?}");
        // Without a `;` in the script, a clause in the first column after a whole
        // query starts another.
        assert_eq!(split_inputs("create (a:X)\nmatch (m) return count(m)\n").len(), 2);
        // With them, a query runs to its own.
        assert_eq!(split_inputs("create (a:X)\nmatch (m) return count(m);\n").len(), 1);
        // A question is never continued.
        assert_eq!(split_inputs("who accused Trump\norder\n").len(), 2);
        // A `;` alone on a line ends the input before it.
        assert_eq!(split_inputs("return 1 as a\n;\nreturn 2 as b;\n"), ["return 1 as a\n", "return 2 as b;\n"]);
    }

    /// The first rules for a query's `;` (6a6860b) joined the statement after a `;`
    /// followed by a comment to it; a `;` alone on a line ended a string or comment it
    /// was inside; a comment line between clauses, `explain` and a leading `/* … */`
    /// cut a query; a long script without `;` took seconds to split. Their next form
    /// (6ba7786) cut `create (a …)` / `create (b …)` / `create (a)-[:K]->(b);` in three
    /// (the last made two blank nodes) and a query whose `;` was more than 32 lines on:
    /// a script that ends its statements with `;` now runs each query to its own.
    #[test]
    fn a_script_that_ends_its_queries_with_semicolons_runs_each_to_its_own() {
        let parts = |t: &str| split_inputs(t);
        // The review of 08ca072: one `;` anywhere (a write of factgraph's own, a
        // comment, a string) joined the queries after it that had none; `delete entity`
        // was joined to the clause after it.
        let t4 = "entity A: Person\nassert A met A from d \"A met A\";\nMATCH (p:Person) SET p.checked = true\nCREATE (:Audit)\nwho met A\n";
        assert_eq!(parts(t4).len(), 5, "{:?}", parts(t4));
        let t5 = "entity T: Org\ndelete entity T\nMATCH (n) RETURN n.name;\n";
        assert_eq!(parts(t5).len(), 3, "{:?}", parts(t5));
        let t3 = "/* Nightly load.\n   people first; then the log;\n*/\nUNWIND ['a'] AS n\nCREATE (:Person {name: n})\nCREATE (:Log)\nMATCH (l:Log) RETURN count(l)\n";
        assert_eq!(parts(t3).len(), 4, "{:?}", parts(t3));
        let t9 = "CREATE (:Note {text: 'first line;\nsecond'})\nMATCH (n:Note) SET n.seen = true\nCREATE (:Log)\n";
        assert_eq!(parts(t9).len(), 3, "{:?}", parts(t9));
        // A long list in the first column is read in one pass.
        let mut list = String::from("UNWIND [\n");
        list.extend((0..20_000).map(|i| format!("{{name: 'p{i}'}},\n")));
        list.push_str("{name: 'last'}\n] AS row\nCREATE (:P {name: row.name});\n");
        assert_eq!(parts(&list).len(), 1);
        let s5 = "match (n:N) return count(n) as before; // count first\ncreate (:N {v: 9});\nmatch (n:N) return count(n) as after;\n";
        assert_eq!(parts(s5).len(), 3, "{:?}", parts(s5));
        let m1 = "CREATE (a:P {name: 'x'})\nCREATE (b:P {name: 'y'})\nCREATE (a)-[:K]->(b);\nMATCH (n) RETURN count(n) AS nodes;\n";
        assert_eq!(parts(m1).len(), 2, "{:?}", parts(m1));
        let mut far = String::from("CREATE (n:Batch {name: 'b1'})\nWITH n\nUNWIND [\n");
        far.extend((0..40).map(|i| format!("  'item{i}',\n")));
        far.push_str("  'last'\n] AS x\nCREATE (n)-[:HAS]->(:Item {name: x});\nwho reported \"x\"\n");
        assert_eq!(parts(&far).len(), 2, "{:?}", parts(&far));
        // An empty line inside such a query is no end; questions and meta commands
        // stand alone as ever.
        assert_eq!(parts("create (n:K)\n\nreturn n;\n.mode csv\nwho reported \"x\"\n").len(), 3);
        assert_eq!(parts("return 'a\n;\nb' as x;\n"), ["return 'a\n;\nb' as x;\n"]);
        let s10 = "/* old cleanup, disabled\n;\nmatch (n) detach delete n\n*/\nmatch (n:N) return count(n) as c;\n";
        assert!(parts(s10).iter().all(|p| !p.contains("detach delete") || p.contains("/*")), "{:?}", parts(s10));
        let s11 = "MATCH (n:N) WHERE n.v = 1\nSET n.x = 2\n// then show it\nRETURN n.x;\n";
        assert_eq!(parts(s11).len(), 1, "{:?}", parts(s11));
        for t in ["explain match (n:N)\nreturn count(n) as c;\n", "/* find */ match (n:N)\nreturn count(n) as c;\n"] {
            assert_eq!(parts(t).len(), 1, "{t}: {:?}", parts(t));
        }
        let mut long: String = (0..2000).map(|i| format!("return {i} as x\n")).collect();
        assert_eq!(parts(&long).len(), 2000, "without `;`, a line in the first column starts a query");
        long.push_str("return 1 as last;\n");
        assert_eq!(parts(&long).len(), 1, "with them, the `;` ends it (and the text will not parse)");
    }

    #[test]
    fn scripts_split_into_inputs() {
        let parts = split_inputs(
            ".mode csv\nmatch (a)\n  -[r]->(b)\n  return a\n\ndescribe \"x\"\nwho accused \"a\nb\"\nverify;\n",
        );
        assert_eq!(parts.len(), 5, "{parts:?}");
        assert_eq!(parts[0], ".mode csv");
        assert_eq!(parts[1], "match (a)\n  -[r]->(b)\n  return a\n");
        assert_eq!(parts[3], "who accused \"a\nb\"\n");
    }

    /// `.evidence on` printed each quote with Rust's escapes (`\"propaganda stunt\"`);
    /// a quote is the document's words and is printed as they are.
    #[test]
    fn evidence_is_printed_as_its_words_not_with_escapes() {
        let graph = Graph::in_memory().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let table = Style { mode: Mode::Table, evidence: true, max_rows: 100 };
        let mut s = Session::new(&graph, &mut out, &mut err, table, false);
        assert_eq!(s.eval("document d { outlet: \"X\" }; entity A: Person"), Ok(Flow::Continue));
        let write = r#"assert A said text "it is a \"stunt\"" from d "called it a \"propaganda stunt\" \\ twice" by A"#;
        assert_eq!(s.eval(write), Ok(Flow::Continue));
        assert_eq!(s.eval("what does A say"), Ok(Flow::Continue));
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains(r#"d (X) — “called it a "propaganda stunt" \ twice”, credited to A"#), "{out}");
        assert!(!out.contains(r#"\""#), "{out}");
    }

    /// `.evidence on` named each document by its id only: its outlet and title, when
    /// the document has them, stand beside the id.
    #[test]
    fn evidence_names_each_documents_outlet_and_title() {
        let graph = Graph::in_memory().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let table = Style { mode: Mode::Table, evidence: true, max_rows: 100 };
        let mut s = Session::new(&graph, &mut out, &mut err, table, false);
        let write = "document d { outlet: \"Sky News\", title: \"Iran issues warrant\" }; \
                     document e { outlet: \"unknown\" }; entity A: Person; entity B: Person; \
                     assert A met B from d \"they met\" from e \"met\"";
        assert_eq!(s.eval(write), Ok(Flow::Continue));
        assert_eq!(s.eval("who met B"), Ok(Flow::Continue));
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("d (Sky News, “Iran issues warrant”) — “they met”"), "{out}");
        // An outlet written as unknown is no outlet, and nothing is shown for it.
        assert!(out.contains("] e — “met”"), "{out}");
    }

    #[test]
    fn a_session_runs_writes_questions_and_meta_commands() {
        let graph = Graph::in_memory().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut s = Session::new(&graph, &mut out, &mut err, style(), false);
        assert_eq!(s.eval("document d { outlet: \"X\" }; entity A: Person; entity B: Person"), Ok(Flow::Continue));
        assert_eq!(s.eval("assert A met B from d \"they met\""), Ok(Flow::Continue));
        assert_eq!(s.eval("who met B"), Ok(Flow::Continue));
        assert_eq!(s.eval(".stats"), Ok(Flow::Continue));
        assert!(s.eval("describe Bb").is_err());
        assert!(s.eval(".bogus").is_err());
        assert_eq!(s.eval(".quit"), Ok(Flow::Quit));
        let out = String::from_utf8(out).unwrap();
        let err = String::from_utf8(err).unwrap();
        assert!(out.contains("who\trelation\tdetails\tsources\nA\tmet\t\t[d]"), "{out}");
        assert!(out.contains("statements\t1"), "{out}");
        assert!(err.contains("no entity is called \"Bb\""), "{err}");
        assert!(err.contains("did you mean \"B\"?") || err.contains("did you mean"), "{err}");
    }

    #[test]
    fn parameter_values_are_typed_as_the_language_types_literals() {
        assert_eq!(param_value("\"a \\\"b\\\"\""), Param::from("a \"b\""));
        assert_eq!(param_value("42"), Param::from(42));
        assert_eq!(param_value("-1.5"), Param::from(-1.5));
        assert_eq!(param_value("true"), Param::from(true));
        assert_eq!(param_value("2020-01-03"), Param::from(Date { year: 2020, month: 1, day: 3 }));
        assert_eq!(param_value("Qasi Mehr"), Param::from("Qasi Mehr"));
        // A list or a number that is not what it looks like is refused, not kept as
        // text for a query to compare in vain.
        assert!(param_problem("[1, \"a\"").is_some());
        assert!(param_problem("{\"k\": }").is_some());
        assert!(param_problem("9223372036854775808").is_some());
        assert!(param_problem("\"[1\"").is_none(), "quoted, it is text");
        assert!(param_problem("[1, \"a\"]").is_none());
        assert!(param_problem("Qasi Mehr").is_none());
        assert_eq!(param_value("null"), Param::Null);
        assert_eq!(
            param_value("[\"a\", 1, 2.5, null, {\"k\": [true]}]"),
            Param::List(vec![
                Param::from("a"),
                Param::from(1),
                Param::from(2.5),
                Param::Null,
                Param::Map([("k".to_owned(), Param::List(vec![Param::from(true)]))].into()),
            ])
        );
        // Not JSON: the text as it is.
        assert_eq!(param_value("[not json"), Param::from("[not json"));
        assert_eq!(parse_meta(".param $who Trump"), Some(Meta::Param("who".into(), Some("Trump".into()))));
        assert_eq!(parse_meta(":param who"), Some(Meta::Param("who".into(), None)));
    }

    #[test]
    fn parameters_set_in_a_session_stand_in_its_queries() {
        let graph = Graph::in_memory().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut s = Session::new(&graph, &mut out, &mut err, style(), false);
        assert_eq!(
            s.eval("document d { outlet: \"X\" }; entity \"A \\\"the elder\\\"\": Person; entity B: Person"),
            Ok(Flow::Continue)
        );
        assert_eq!(s.eval(".param who \"A \\\"the elder\\\"\""), Ok(Flow::Continue));
        assert_eq!(s.eval("assert $who met B from d \"they met\""), Ok(Flow::Continue));
        assert_eq!(s.eval("who met B"), Ok(Flow::Continue));
        assert_eq!(s.eval(".params"), Ok(Flow::Continue));
        assert!(s.eval(".param 9x 1").is_err());
        assert_eq!(s.eval(".param who"), Ok(Flow::Continue));
        assert!(s.eval("describe $who").is_err(), "a cleared parameter has no value");
        let out = String::from_utf8(out).unwrap();
        let err = String::from_utf8(err).unwrap();
        assert!(out.contains("A \"the elder\"\tmet"), "{out}");
        assert!(out.contains("$who\tA \"the elder\"\tstring"), "{out}");
        assert!(err.contains("no value was given for the parameter $who"), "{err}");
    }

    /// `.explain` of a query with a parameter failed ("no value was given") although
    /// `.param` had given it one: it plans with the session's values.
    #[test]
    fn profile_runs_with_the_sessions_parameters_and_asks_for_a_query() {
        let graph = Graph::in_memory().unwrap();
        graph.query("create (:P {name: 'Ann'})-[:knows]->(:P {name: 'Bo'})").unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut s = Session::new(&graph, &mut out, &mut err, style(), false);
        assert_eq!(s.eval(".param who \"Ann\""), Ok(Flow::Continue));
        assert_eq!(s.eval(".profile match (a {name: $who})-[r]->(b) return b.name"), Ok(Flow::Continue));
        assert_eq!(s.eval(".profile"), Err(()));
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("(rows 1, about") && out.contains("1 row in "), "{out}");
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("`.profile` takes a query"), "{err}");
    }

    #[test]
    fn explain_plans_with_the_sessions_parameters() {
        let graph = Graph::in_memory().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut s = Session::new(&graph, &mut out, &mut err, style(), false);
        assert_eq!(s.eval(".param who \"Ann\""), Ok(Flow::Continue));
        assert_eq!(s.eval(".explain match (a {name: $who})-[r]->(b) return b"), Ok(Flow::Continue));
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("starting at a by the name \"Ann\""), "{out}");
        assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
    }

    /// A server's span is its word about our text: one that does not fit the text
    /// (past its end, or inside a character) is left out, not a panic.
    #[test]
    fn a_remote_span_that_does_not_fit_the_text_is_left_out() {
        let e = |span| factgraph_server::RemoteError {
            status: Some(400),
            kind: "syntax".into(),
            message: "bad".into(),
            span: Some(span),
            file: None,
        };
        let text = "who is «Trump»";
        assert!(remote_error_json(&e((8, 9)), text).get("line").is_none(), "inside «");
        assert!(remote_error_json(&e((99, 100)), text).get("line").is_none(), "past the end");
        assert_eq!(remote_error_json(&e((7, 9)), text)["column"], 8);
        assert!(crate::render::remote_error_report(&e((8, 99)), "q", text, false).contains("bad"));
    }
}
