//! The `factgraph` binary: the REPL on the default store (created with the showcase
//! when it does not exist yet), scripting with `-c`, `-f` and standard input, and
//! subcommands for loading, exporting, checking and drawing.
//!
//! Exit codes: 0 success, 1 a query or script failed, 2 usage (clap), 3 storage or I/O
//! (a full disk included). A reader of our output that has gone (`| head`) is not a
//! failure: the program ends quietly with 0.

mod backend;
mod output;
mod render;
mod repl;
mod serve;
mod showcase;
mod terminal;

/// mimalloc: the store's batches allocate and free millions of small records, where
/// it measured faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use factgraph::{Error, ErrorKind, Graph, JsonlCheck, OpenOptions, StoreError};

use crate::backend::Backend;
use crate::output::note;
use crate::render::{Mode, Style};
use crate::repl::{split_inputs, Flow, Session};

/// A knowledge-graph store that keeps what sources say: entities, statements, and for
/// every statement who said it, where, and in which words.
#[derive(Parser, Debug)]
#[command(name = "factgraph", version, after_help = EXAMPLES)]
struct Cli {
    /// Open or create this store (created empty by a command that may write; `stats`,
    /// `check`, `export`, `dot`, and scripts whose queries and meta commands only
    /// read, never create one). Without
    /// it, factgraph opens the default store — $FACTGRAPH_DB, else the platform data
    /// directory — created with the showcase data the first time.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Open the store read-only: every write is refused, nothing is created, and a
    /// store on a read-only file system can be read (commands that only read open
    /// read-only by themselves).
    #[arg(long, global = true)]
    read_only: bool,
    /// The store's caches in MiB (1 to 1048576): less memory, and slower questions
    /// that read much of a store (a hub's). Without it, they are sized from the store's
    /// files and the machine.
    #[arg(long, global = true, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    cache_mib: Option<u64>,
    /// Work through the `factgraph serve` at this URL instead of opening a store
    /// (writes send $FACTGRAPH_TOKEN). Without it, a store held by a running server is
    /// reached through that server by itself.
    #[arg(long, global = true, value_name = "URL")]
    server: Option<String>,
    /// Run a query or command and exit (repeatable).
    #[arg(short = 'c', long = "command", value_name = "QUERY")]
    commands: Vec<String>,
    /// Run a file of queries and commands and exit.
    #[arg(short = 'f', long = "file", value_name = "FILE", conflicts_with = "commands")]
    file: Option<PathBuf>,
    /// Give `$NAME` a value for the queries (repeatable), read as `.param` reads it:
    /// `"text"`, `42`, `1.5`, `true`, `null`, `2020-01-03`, a list or map in JSON
    /// (`["a", 1]`, `{"k": 2}`), else the text as typed.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
    /// Output format (default: table on a terminal, tsv when piped).
    #[arg(long, value_enum, global = true)]
    format: Option<Mode>,
    /// Keep going after a failing query in a script.
    #[arg(long)]
    continue_on_error: bool,
    /// Colour in error messages.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
    /// Show the quotes behind each answer.
    #[arg(long)]
    evidence: bool,
    /// Print each command of a script before its output, as the REPL would show it.
    #[arg(long)]
    echo: bool,
    /// The memory each query may build (values, rows kept by sorting and grouping, the
    /// answer), as bytes or with a unit: 512MiB, 2GiB, 64KiB (K, M and G are binary
    /// too; KB, MB and GB decimal). Past it the query fails with a clear error. For
    /// `serve`, the budget of each request's query.
    #[arg(long, global = true, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size)]
    memory_limit: usize,
    /// The rows one query's answer may have (queries, scripts and the REPL); past it the
    /// query fails with exit code 1, after the rows before it when they are streamed.
    /// At most 1,000,000,000. Through `--server`, the server's own limit applies.
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    max_rows: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

const EXAMPLES: &str = "Examples:
  factgraph                                  REPL on the default store (showcase data)
  factgraph -c 'who reported \"red notice\"'   one question, then exit
  factgraph --db ./claims load data/*.fg     load scripts as one atomic batch
  factgraph --db ./claims load ./bench/tsv   load the benchmark's TSV directory
  factgraph export -o dump.jsonl             lossless JSON Lines export
  factgraph dot 'who reported \"red notice\"' -o red-notice.dot
  factgraph --db ./claims serve              HTTP API and browser view on 127.0.0.1:7878";

#[derive(Subcommand, Debug)]
enum Command {
    /// Counts of entities, statements and evidence.
    Stats,
    /// Verify every index against the primary records.
    Check,
    /// Load .fg scripts (together, as one atomic batch, or one batch per file) or
    /// benchmark TSV directories (each atomically).
    #[command(after_help = "Example: factgraph --db ./claims load data/00-documents.fg data/01-entities.fg")]
    Load {
        /// Script files, directories of scripts, or TSV directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Commit each script file on its own instead of all of them together: a
        /// failing file then leaves the files before it loaded.
        #[arg(long)]
        batch_per_file: bool,
    },
    /// Write the whole store as versioned JSON Lines.
    #[command(after_help = "Example: factgraph export -o dump.jsonl")]
    Export {
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Read a JSON Lines export into an empty store (all or nothing).
    #[command(after_help = "Example: factgraph --db ./copy import dump.jsonl")]
    Import {
        /// The export file.
        file: PathBuf,
    },
    /// GraphViz DOT of the whole graph (a summary by kind when it is large), or of a
    /// query's answers with the documents and outlets behind them.
    #[command(
        after_help = "Example: factgraph dot 'who reported \"red notice\"' -o rn.dot && dot -Tsvg rn.dot > rn.svg"
    )]
    Dot {
        /// A query whose answers (and the statements and documents behind them) to draw.
        query: Option<String>,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Also label edges with the number of supporting documents.
        #[arg(long)]
        evidence: bool,
        /// Boxes around entities: one per kind, or none.
        #[arg(long, value_name = "kind|none", default_value = "kind")]
        cluster: factgraph::dot::Cluster,
        /// Statement by statement (full), one node per kind (summary), or the summary
        /// only above --max-statements (auto).
        #[arg(long, value_name = "auto|full|summary", default_value = "auto")]
        view: factgraph::dot::View,
        /// The most statements drawn one by one.
        #[arg(long, value_name = "N", default_value_t = factgraph::dot::MAX_STATEMENTS)]
        max_statements: usize,
        /// How many sources an edge's label names before "+N more" (0: none).
        #[arg(long, value_name = "N", default_value_t = 3)]
        sources: usize,
    },
    /// Serve the store over HTTP to many clients at once: a JSON API and a browser
    /// view (docs/server.md).
    #[command(after_help = "Example: factgraph --db ./claims serve --bind 127.0.0.1:7878")]
    Serve(serve::ServeArgs),
}

/// The default store: `$FACTGRAPH_DB`, else `factgraph/default` in the platform data
/// directory.
fn default_db() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("FACTGRAPH_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let base = dirs::data_dir().context("no platform data directory; pass --db PATH or set FACTGRAPH_DB")?;
    Ok(base.join("factgraph").join("default"))
}

/// Transparent huge pages off for this process (and what it runs), unless mimalloc's
/// own setting asks for them (`MIMALLOC_ALLOW_THP=1`). mimalloc asks the kernel for
/// 2 MiB pages, which the kernel zeroes whole on first touch: measured at 1,000,000
/// statements, a new process's open took 74 MB resident with them and 22 MB without,
/// a query process 80-120 MB more, and a third of a hub question's time was the
/// kernel zeroing pages the allocator had given back and took again.
fn huge_pages_off() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // Best effort: a kernel without the setting leaves things as they were.
        let _ = nix::sys::prctl::set_thp_disable(true);
    }
}

fn main() -> ExitCode {
    huge_pages_off();
    let cli = Cli::parse();
    // A script beside a subcommand would be left unrun, with success.
    if cli.command.is_some() && (!cli.commands.is_empty() || cli.file.is_some()) {
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "-c and -f run a script on their own; a subcommand (stats, load, export, …) takes neither",
            )
            .exit();
    }
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped reading (`factgraph export | head -1`) is not a failure:
        // end quietly with success, as ripgrep and ls do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            note!("error: {}", message(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// An error and its causes, outermost first, as `{:#}` would write them, except that
/// a cause the layer above already ended with is not said twice (an I/O error's
/// message includes its cause: "opening LOCK: Read-only file system (os error 30)").
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Whether an error comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = c.downcast_ref::<std::io::Error>().or_else(|| match c.downcast_ref::<Error>() {
            Some(Error::Io { source, .. }) => Some(source),
            _ => None,
        });
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// 3 for storage and I/O (the store, a file that cannot be read or written), 1 for
/// everything else: a query, a script, an import or a TSV file that is wrong is the
/// input's fault, whichever layer found it.
fn exit_code(e: &anyhow::Error) -> u8 {
    for c in e.chain() {
        if let Some(e) = c.downcast_ref::<Error>() {
            return match e.kind() {
                ErrorKind::Syntax
                | ErrorKind::UnknownName
                | ErrorKind::Ambiguous
                | ErrorKind::Invalid
                | ErrorKind::Limit
                | ErrorKind::ResourceExhausted
                | ErrorKind::Cancelled
                | ErrorKind::Timeout
                | ErrorKind::Load => 1,
                // Not found, in use, read-only, damaged, I/O, and kinds added later.
                _ => 3,
            };
        }
        if let Some(e) = c.downcast_ref::<StoreError>() {
            return match e {
                StoreError::Import { .. } | StoreError::Invalid(_) => 1,
                _ => 3,
            };
        }
        if c.downcast_ref::<std::io::Error>().is_some() {
            return 3;
        }
    }
    1
}

/// A size as `--memory-limit` takes it: bytes, or a number with a unit (`512MiB`,
/// `2 GiB`, `1.5G`; `K`, `M`, `G`, `T` and `KiB`… are binary, `KB`, `MB`… decimal).
/// `NAME=VALUE` of `--param`: a name as `.param` takes one (`repl::is_parameter_name`;
/// a leading `$` is allowed), then the value as typed.
fn parse_param(text: &str) -> std::result::Result<(String, String), String> {
    let (name, value) = text.split_once('=').ok_or("expected NAME=VALUE, such as who=Trump")?;
    let name = name.trim().trim_start_matches('$');
    if !repl::is_parameter_name(name) {
        return Err(repl::not_a_parameter_name(name));
    }
    if let Some(problem) = repl::param_problem(value) {
        return Err(problem);
    }
    Ok((name.to_owned(), value.to_owned()))
}

fn parse_size(text: &str) -> std::result::Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = (t[..split].trim(), t[split..].trim());
    let number: f64 = number.parse().map_err(|_| format!("{text:?} is not a size: write bytes, or 512MiB, 2GiB"))?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        _ => return Err(format!("{unit:?} is not a unit of size: use KiB, MiB, GiB (or K, M, G), KB, MB, GB")),
    };
    let bytes = number * scale;
    if !(1.0..usize::MAX as f64).contains(&bytes) {
        return Err(format!("{text:?} is not a size a query can be given: from 1 byte up"));
    }
    Ok(bytes as usize)
}

fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// Loads script files (as one batch, or one per file) and TSV directories (each as
/// one batch). The summary of each batch committed is pushed to `lines` as it
/// commits, so that a caller can say what a failure left loaded.
pub(crate) fn load_paths(
    backend: Backend<'_>,
    paths: &[PathBuf],
    progress: bool,
    per_file: bool,
    lines: &mut Vec<String>,
) -> Result<()> {
    let mut scripts = Vec::new();
    for p in paths {
        if p.is_dir() && factgraph::is_tsv_dir(p) {
            // The library reads the directory's files; refuse a FIFO or device among
            // them before it waits or reads forever.
            for entry in std::fs::read_dir(p).with_context(|| format!("reading {}", p.display()))?.flatten() {
                if entry.path().extension().is_some_and(|x| x == "tsv") {
                    output::check_regular_file(&entry.path(), None)?;
                }
            }
            let bar = progress.then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg:>10} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta} left)",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let s = match backend {
                Backend::Local(graph) => graph.load_tsv_dir(p, &mut |phase, done, total| {
                    if let Some(b) = &bar {
                        b.set_message(phase.to_owned());
                        b.set_length(total);
                        b.set_position(done);
                    }
                })?,
                Backend::Remote(client) => client.load_tsv_dir(&absolute(p)?)?,
            };
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            lines.push(format!(
                "{}: {} entities, {} aliases, {} documents, {} claims as {} new statements",
                p.display(),
                s.entities,
                s.aliases,
                s.documents,
                s.claims,
                s.statements
            ));
        } else if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "fg"))
                .collect();
            found.sort();
            for f in &found {
                output::check_regular_file(f, None)?;
            }
            if found.is_empty() {
                anyhow::bail!("{} holds no .fg scripts and is not a TSV directory", p.display());
            }
            scripts.extend(found);
        } else if p.is_file() {
            scripts.push(p.clone());
        } else if p.exists() {
            output::check_regular_file(p, None)?;
        } else {
            anyhow::bail!("{} does not exist", p.display());
        }
    }
    let load = |batch: &[PathBuf]| -> Result<String> {
        Ok(match backend {
            Backend::Local(graph) => graph.load_scripts(batch)?.to_string(),
            Backend::Remote(client) => {
                let absolute: Vec<PathBuf> = batch.iter().map(|p| absolute(p)).collect::<Result<_>>()?;
                client.load_scripts(&absolute)?
            }
        })
    };
    if per_file {
        for script in &scripts {
            let s = load(std::slice::from_ref(script))?;
            lines.push(format!("{}: {s}", script.display()));
        }
    } else if !scripts.is_empty() {
        let s = load(&scripts)?;
        lines.push(format!("{} script{}: {s}", scripts.len(), if scripts.len() == 1 { "" } else { "s" }));
    }
    Ok(())
}

/// A path as the server, which shares this machine but not our working directory,
/// must be given it.
fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("resolving {}", p.display()))
}

/// Whether a command only reads the store, so that a missing store is an error rather
/// than created empty (`--db typo stats` must not leave a `typo` store behind).
/// `inputs` are a script session's inputs (`-c`, `-f` or standard input), read before
/// the store is opened; `None` for the interactive REPL, which may write.
fn only_reads(cli: &Cli, inputs: Option<&[String]>) -> bool {
    match &cli.command {
        Some(Command::Stats | Command::Check | Command::Export { .. } | Command::Dot { .. }) => true,
        Some(Command::Load { .. } | Command::Import { .. } | Command::Serve(_)) => false,
        None => inputs.is_some_and(|inputs| inputs_only_read(inputs, &cli.params)),
    }
}

/// Whether a session of these inputs only reads: each is a meta command that reads
/// or a text the language says does not write (`factgraph::writes`). `.param`
/// commands are followed, as the session would, so that a `$name` parses. A text
/// that does not parse counts as reading: it fails when run and writes nothing, so
/// it is no reason to create a store.
fn inputs_only_read(inputs: &[String], given: &[(String, String)]) -> bool {
    // The `--param` values first, as the session has them.
    let mut params: factgraph::Params = given.iter().map(|(n, v)| (n.clone(), repl::param_value(v))).collect();
    for input in inputs {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') && !trimmed.contains('\n') {
            continue;
        }
        match repl::parse_meta(trimmed) {
            Some(repl::Meta::Param(name, value)) => match value {
                Some(v) => params.insert(name, repl::param_value(&v)),
                None => {
                    params.remove(&name);
                }
            },
            Some(m) if !m.only_reads(&params) => return false,
            Some(_) => {}
            None => {
                if factgraph::writes(input, &params).unwrap_or(false) {
                    return false;
                }
            }
        }
    }
    true
}

/// Opens the store: read-only for `--read-only` and for commands that only read (so
/// that they work on read-only media and never create a store), else for writing,
/// created when missing.
fn open(cli: &Cli, inputs: Option<&[String]>) -> Result<Graph> {
    let Some(path) = &cli.db else {
        if cli.read_only {
            let path = default_db()?;
            return Graph::open_with(&path, &read_only(cli))
                .with_context(|| format!("opening the default store at {}", path.display()));
        }
        return open_default(cli);
    };
    let options = if cli.read_only || only_reads(cli, inputs) { read_only(cli) } else { writable(cli) };
    Graph::open_with(path, &options).with_context(|| format!("opening {}", path.display()))
}

/// How a store is opened for writing (created when missing), with `--cache-mib`.
fn writable(cli: &Cli) -> OpenOptions {
    OpenOptions { cache_bytes: cli.cache_mib.map(|m| m << 20), ..OpenOptions::default() }
}

/// How a store is opened for reading only (never created), with `--cache-mib`.
fn read_only(cli: &Cli) -> OpenOptions {
    OpenOptions { create: false, read_only: true, ..writable(cli) }
}

/// A script session's inputs (`-c`, `-f` or standard input) and the directory its
/// `.read` and `.load` paths are relative to; `None` for the interactive REPL.
/// They are read before the store is opened, because whether they write decides
/// whether a missing store is created.
fn session_inputs(cli: &Cli) -> Result<Option<(Vec<String>, Option<PathBuf>)>> {
    if cli.command.is_some() {
        return Ok(None);
    }
    if !cli.commands.is_empty() {
        return Ok(Some((cli.commands.clone(), None)));
    }
    if let Some(f) = &cli.file {
        let text = output::read_text_file(f)?;
        return Ok(Some((split_inputs(&text), Some(f.parent().map(Path::to_owned).unwrap_or_default()))));
    }
    if std::io::stdin().is_terminal() {
        return Ok(None);
    }
    Ok(Some((split_inputs(&output::read_bounded(std::io::stdin().lock(), "standard input")?), None)))
}

/// The default store, created with the showcase in the same step: the store appears
/// with the showcase in it or not at all, so a first run that is killed leaves
/// nothing, and the next run starts again.
fn open_default(cli: &Cli) -> Result<Graph> {
    let path = default_db()?;
    if !showcase::available() {
        return Graph::open_with(&path, &writable(cli))
            .with_context(|| format!("opening the default store at {}", path.display()));
    }
    let mut loaded = None;
    let graph = Graph::create_with_options(&path, &writable(cli), |graph| {
        let files = tempfile::tempdir()
            .map_err(|e| Error::Io { context: "creating a temporary directory for the showcase".into(), source: e })?;
        loaded = Some(showcase::load_into(graph, files.path())?);
        Ok(())
    })
    .with_context(|| format!("opening the default store at {}", path.display()))?;
    if let Some(s) = loaded {
        note!(
            "created the default store at {} with the showcase: {} documents, {} entities, {} statements",
            path.display(),
            s.documents,
            s.entities,
            s.statements
        );
    }
    Ok(graph)
}

/// `import FILE`: into an existing (empty) store, or into a new one created with the
/// import in it in one step, so that a refused import leaves no empty store behind.
fn import(cli: &Cli, file: &Path) -> Result<ExitCode> {
    output::check_regular_file(file, None)?;
    let f = BufReader::new(File::open(file).with_context(|| format!("opening {}", file.display()))?);
    let new = cli.db.as_ref().filter(|p| !cli.read_only && !Graph::exists(p));
    let (counts, check) = match new {
        Some(path) => {
            let mut imported = None;
            Graph::create_with_options(path, &writable(cli), |graph| {
                imported = Some(graph.import_jsonl_checked(f)?);
                Ok(())
            })
            .with_context(|| format!("importing {}", file.display()))?;
            imported.context("the store existed already")?
        }
        None => open(cli, None)?.import_jsonl_checked(f).with_context(|| format!("importing {}", file.display()))?,
    };
    if check == JsonlCheck::Unchecked {
        note!(
            "warning: {} is a version 1 export, which has no closing line: whether it was cut off could not be checked",
            file.display()
        );
    }
    writeln!(
        std::io::stdout().lock(),
        "imported {} entities, {} statements, {} evidence",
        counts.entities,
        counts.statements,
        counts.evidence
    )
    .context("the import was committed, but its summary could not be written")?;
    Ok(ExitCode::SUCCESS)
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(Command::Import { file }) = &cli.command {
        return import(&cli, file);
    }
    // Whether the inputs write decides whether a missing store is created, and whether
    // an existing one is opened read-only (which read-only media need), so `-c` and
    // `-f` inputs are read first. Standard input is read first only for a missing
    // store: an existing one is opened first, so that a session holds it while its
    // input arrives, as the REPL does (and opens it for writing: `--read-only` says
    // otherwise).
    if let Some(url) = &cli.server {
        let client = backend::named_server(url)?;
        return run_remote(&cli, &client);
    }
    let missing = cli.db.as_ref().is_some_and(|p| !Graph::exists(p));
    let opened = if missing || !cli.commands.is_empty() || cli.file.is_some() {
        session_inputs(&cli).and_then(|inputs| Ok((open(&cli, inputs.as_ref().map(|(i, _)| i.as_slice()))?, inputs)))
    } else {
        open(&cli, None).and_then(|graph| Ok((graph, session_inputs(&cli)?)))
    };
    let (graph, inputs) = match opened {
        Ok(both) => both,
        // Held by a running server: go through it.
        Err(e) if in_use(&e) => {
            match cli.db.clone().map_or_else(default_db, Ok).ok().and_then(|p| backend::server_for(&p)) {
                Some(client) => return run_remote(&cli, &client),
                None => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    if let Some(Command::Serve(args)) = &cli.command {
        return serve::run(graph, args, cli.read_only, cli.memory_limit);
    }
    // `import` ran before the store was opened, since it may create it.
    if let Some(code) = subcommand(&cli, Backend::Local(&graph))? {
        return Ok(code);
    }
    run_session(&cli, Backend::Local(&graph), inputs)
}

/// The subcommands that a store here and a server both serve (`None` when there is
/// none to run: the session follows). `import` and `serve` are the caller's.
fn subcommand(cli: &Cli, backend: Backend<'_>) -> Result<Option<ExitCode>> {
    let color = use_color(cli.color);
    let stdout = std::io::stdout();
    let code = match &cli.command {
        None => return Ok(None),
        Some(Command::Import { .. } | Command::Serve(_)) => anyhow::bail!("import and serve are run before this"),
        Some(Command::Stats) => {
            backend.write_stats(&mut stdout.lock())?;
            ExitCode::SUCCESS
        }
        Some(Command::Check) => {
            let report = backend.check()?;
            let mut out = stdout.lock();
            writeln!(
                out,
                "checked {} entities, {} statements, {} evidence, {} index entries",
                report.entities, report.statements, report.evidence, report.index_entries
            )?;
            for p in &report.problems {
                writeln!(out, "problem: {p}")?;
            }
            if !report.is_ok() {
                return Ok(Some(ExitCode::from(3)));
            }
            writeln!(out, "ok")?;
            ExitCode::SUCCESS
        }
        Some(Command::Load { paths, batch_per_file }) => load_command(backend, paths, *batch_per_file, color)?,
        Some(Command::Export { output }) => {
            let said = match output {
                Some(p) => {
                    let mut f =
                        std::io::BufWriter::new(File::create(p).with_context(|| format!("creating {}", p.display()))?);
                    let said = backend.export(&mut f)?;
                    f.flush().with_context(|| format!("writing {}", p.display()))?;
                    said
                }
                None => backend.export(&mut stdout.lock())?,
            };
            note!("{said}");
            ExitCode::SUCCESS
        }
        Some(Command::Dot { query, output, evidence, cluster, view, max_statements, sources }) => {
            let options = factgraph::dot::DotOptions {
                evidence_counts: *evidence,
                cluster: *cluster,
                view: *view,
                max_statements: *max_statements,
                sources_named: *sources,
                ..Default::default()
            };
            let limits = factgraph::Limits {
                max_memory: cli.memory_limit,
                max_rows: cli.max_rows as usize,
                ..factgraph::Limits::default()
            };
            let dot = match backend.dot(query.as_deref(), &factgraph::Params::new(), &options, &limits) {
                Ok(d) => d,
                Err(e @ (backend::Failure::Remote(_) | backend::Failure::Local(Error::Parse(_) | Error::Query(_)))) => {
                    output::note_raw(&render::failure_report(&e, "query", query.as_deref().unwrap_or(""), color));
                    return Ok(Some(ExitCode::from(1)));
                }
                Err(e) => return Err(e.into()),
            };
            match output {
                Some(p) => std::fs::write(p, dot).with_context(|| format!("writing {}", p.display()))?,
                None => {
                    let mut out = stdout.lock();
                    out.write_all(dot.as_bytes())?;
                    out.flush()?;
                }
            }
            ExitCode::SUCCESS
        }
    };
    Ok(Some(code))
}

/// `load`: the batches, their summaries, and what a failure left loaded.
fn load_command(backend: Backend<'_>, paths: &[PathBuf], batch_per_file: bool, color: bool) -> Result<ExitCode> {
    let mut done = Vec::new();
    let loaded = load_paths(backend, paths, std::io::stderr().is_terminal(), batch_per_file, &mut done);
    if !done.is_empty() {
        writeln!(std::io::stdout().lock(), "{}", done.join("\n"))
            .context("the load was committed, but its summary could not be written")?;
    }
    // What a failure leaves: the batches committed before it (listed above).
    let nothing = if done.is_empty() { "nothing was loaded" } else { "nothing more was loaded" };
    let Err(e) = loaded else {
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(fe) = e.downcast_ref::<Error>() {
        if matches!(fe, Error::Parse(_) | Error::Query(_) | Error::InFile { .. }) {
            output::note_raw(&render::error_report(fe, "load", "", color));
            note!("{nothing}");
            return Ok(ExitCode::from(1));
        }
    }
    if let Some(re) = e.downcast_ref::<factgraph_server::RemoteError>() {
        if re.status == Some(400) {
            let file = re.file.clone().unwrap_or_default();
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            output::note_raw(&render::remote_error_report(re, &file, &text, color));
            note!("{nothing}");
            return Ok(ExitCode::from(1));
        }
    }
    // Only a commit that could not be taken back out may have left part of itself;
    // every other failure leaves the store as it was.
    let uncertain = e.chain().any(|c| {
        matches!(c.downcast_ref::<StoreError>(), Some(StoreError::CommitUncertain { .. }))
            || matches!(c.downcast_ref::<Error>(), Some(Error::Store(StoreError::CommitUncertain { .. })))
    });
    if uncertain {
        return Err(e.context("the load failed, and the store may hold part of it"));
    }
    Err(e.context(nothing))
}

/// Whether a failure is "the store is in use by another process".
fn in_use(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<Error>().is_some_and(|e| e.kind() == ErrorKind::InUse)
            || matches!(c.downcast_ref::<StoreError>(), Some(StoreError::InUse { .. }))
    })
}

/// Everything through a running server: the subcommands it can serve, and the
/// session (REPL, `-c`, `-f`, standard input).
fn run_remote(cli: &Cli, client: &factgraph_server::Client) -> Result<ExitCode> {
    let client = if cli.read_only { client.clone().with_token(None) } else { client.clone() };
    let server = client.url().to_owned();
    match &cli.command {
        Some(Command::Load { .. }) => note!("the store is held by the server at {server}; loading through it"),
        Some(Command::Import { .. }) => anyhow::bail!(
            "the store is held by the server at {server}: import makes a store from an export, \
             and this one exists; stop the server, or import into a new store (--db NEW import FILE)"
        ),
        Some(Command::Serve(_)) => anyhow::bail!("the store is already served at {server}"),
        _ => {}
    }
    if let Some(code) = subcommand(cli, Backend::Remote(&client))? {
        return Ok(code);
    }
    note!("the store is held by the server at {server}; working through it");
    let inputs = session_inputs(cli)?;
    run_session(cli, Backend::Remote(&client), inputs)
}

/// The session: the REPL on a terminal, else each input of `-c`, `-f` or standard
/// input in turn.
fn run_session(cli: &Cli, backend: Backend<'_>, inputs: Option<(Vec<String>, Option<PathBuf>)>) -> Result<ExitCode> {
    let color = use_color(cli.color);
    let stdout = std::io::stdout();
    let mode = cli.format.unwrap_or(if stdout.is_terminal() { Mode::Table } else { Mode::Tsv });
    let style = Style { mode, evidence: cli.evidence, max_rows: if stdout.is_terminal() { 200 } else { usize::MAX } };
    // Commands and scripts writing to a pipe or a file write through a buffer, flushed
    // after each command and each result's start (a write's acknowledgement is out
    // before the next commit: `tests/e2e/crash.rs` counts them), before each error and
    // at the end: a long answer's rows each cost a write call otherwise (two a row:
    // 318,256 for the hub's `who reported` at 1,000,000 statements). A terminal, and
    // the REPL, see each line as it is made.
    let out: Box<dyn std::io::Write> = if stdout.is_terminal() || inputs.is_none() {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock()))
    };
    let mut session = Session::with_backend(backend, out, std::io::stderr(), style, color);
    session.max_memory = cli.memory_limit;
    session.max_rows = cli.max_rows as usize;
    for (name, value) in &cli.params {
        session.params.insert(name.clone(), repl::param_value(value));
    }
    let Some((inputs, cwd)) = inputs else {
        terminal::run(&mut session, backend)?;
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(cwd) = cwd {
        session.cwd = cwd;
    }
    let mut failed = false;
    for input in inputs {
        if cli.echo {
            let mut lines = input.trim_end().lines();
            let first = lines.next().unwrap_or_default();
            let mut shown = format!("factgraph> {first}\n");
            for l in lines {
                shown.push_str(&format!("      ...> {l}\n"));
            }
            session.write_raw(&shown);
        }
        if let Some(e) = session.output_error() {
            return Err(output::output_failed(e));
        }
        let result = session.eval(&input);
        session.flush();
        if let Some(e) = session.output_error() {
            return Err(output::output_failed(e));
        }
        match result {
            Ok(Flow::Continue) => {}
            Ok(Flow::Quit) => break,
            Err(()) => {
                failed = true;
                if !cli.continue_on_error {
                    break;
                }
            }
        }
    }
    session.flush();
    if let Some(e) = session.output_error() {
        return Err(output::output_failed(e));
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::{message, parse_size};

    #[test]
    fn sizes_take_binary_and_decimal_units() {
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").unwrap_err().contains("unit"));
    }

    #[test]
    fn a_cause_the_message_already_ends_with_is_not_said_twice() {
        let io = std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem);
        let store = factgraph::Error::Io { context: "opening LOCK".into(), source: io };
        let e = anyhow::Error::new(store).context("opening db");
        assert_eq!(message(&e), "opening db: opening LOCK: read-only filesystem or storage medium");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&e), "outer: inner");
    }
}
