//! The `factgraph` binary: opens a store and runs a REPL, or a subcommand.
//!
//! Exit codes: 0 success, 1 a command failed, 2 usage error (clap's), 3 storage or I/O.

/// mimalloc: the store's batches allocate and free millions of small records, where
/// it measured faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod repl;

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use factgraph::{Error, Graph, StoreError};

/// A knowledge-graph store that keeps what sources say: entities, statements,
/// and for every statement who said it, where, and in which words.
#[derive(Parser, Debug)]
#[command(name = "factgraph", version, after_help = EXAMPLES)]
struct Cli {
    /// The store directory (default: $FACTGRAPH_DB, else the platform data directory).
    #[arg(long, global = true, env = "FACTGRAPH_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

const EXAMPLES: &str = "Examples:
  factgraph                         REPL on the default store
  factgraph --db ./claims stats     counts of a store
  factgraph load ./bench/tsv        load the benchmark's TSV directory (atomic)
  factgraph export -o dump.jsonl    lossless JSON Lines export
  factgraph dot -o graph.dot        the whole graph as GraphViz DOT";

#[derive(Subcommand, Debug)]
enum Command {
    /// Counts of entities, statements and evidence.
    Stats,
    /// Verify every index against the primary records.
    Check,
    /// Load a directory of benchmark TSV (entities, aliases, sources, statements) as one batch.
    Load {
        /// Directories holding entities.tsv, aliases.tsv, sources.tsv and statements.tsv.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Write the whole store as versioned JSON Lines.
    Export {
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Read a JSON Lines export into an empty store (all or nothing).
    Import {
        /// The export file.
        file: PathBuf,
    },
    /// The whole graph as GraphViz DOT.
    Dot {
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Label edges with the number of supporting documents.
        #[arg(long)]
        evidence: bool,
    },
}

fn default_db() -> Result<PathBuf> {
    let base = dirs::data_dir().context("no platform data directory; pass --db PATH or set FACTGRAPH_DB")?;
    Ok(base.join("factgraph").join("default"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            let storage = e.chain().any(|c| {
                c.downcast_ref::<StoreError>().is_some()
                    || matches!(c.downcast_ref::<Error>(), Some(Error::Store(_) | Error::Io { .. }))
                    || c.downcast_ref::<std::io::Error>().is_some()
            });
            ExitCode::from(if storage { 3 } else { 1 })
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let path = match cli.db {
        Some(p) => p,
        None => default_db()?,
    };
    let graph = Graph::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let stdout = std::io::stdout();
    match cli.command {
        None => {
            let interactive = std::io::stdin().is_terminal();
            let ok = repl::run(&graph, interactive)?;
            return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        Some(Command::Stats) => {
            let mut out = stdout.lock();
            repl::write_stats(&graph, &mut out)?;
        }
        Some(Command::Check) => {
            let report = graph.check()?;
            println!(
                "checked {} entities, {} statements, {} evidence, {} index entries",
                report.entities, report.statements, report.evidence, report.index_entries
            );
            if !report.is_ok() {
                for p in &report.problems {
                    println!("problem: {p}");
                }
                return Ok(ExitCode::from(3));
            }
            println!("ok");
        }
        Some(Command::Load { paths }) => {
            for dir in paths {
                if !factgraph::tsv::is_tsv_dir(&dir) {
                    anyhow::bail!(
                        "{} is not a TSV directory (entities.tsv, aliases.tsv, sources.tsv, statements.tsv); .fg scripts load once the query language lands",
                        dir.display()
                    );
                }
                let bar = std::io::stderr().is_terminal().then(|| {
                    let b = indicatif::ProgressBar::new(0);
                    b.set_style(
                        indicatif::ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec})")
                            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                    );
                    b
                });
                let summary = graph.load_tsv_dir(&dir, &mut |phase, done, total| {
                    if let Some(b) = &bar {
                        b.set_message(phase.to_owned());
                        b.set_length(total);
                        b.set_position(done);
                    }
                })?;
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
                println!(
                    "{}: {} entities, {} aliases, {} documents, {} claims as {} new statements",
                    dir.display(),
                    summary.entities,
                    summary.aliases,
                    summary.documents,
                    summary.claims,
                    summary.statements
                );
            }
        }
        Some(Command::Export { output }) => {
            let counts = match output {
                Some(p) => {
                    let mut f =
                        std::io::BufWriter::new(File::create(&p).with_context(|| format!("creating {}", p.display()))?);
                    graph.export_jsonl(&mut f)?
                }
                None => graph.export_jsonl(&mut stdout.lock())?,
            };
            eprintln!("exported {} entities, {} statements", counts.entities, counts.statements);
        }
        Some(Command::Import { file }) => {
            let f = File::open(&file).with_context(|| format!("opening {}", file.display()))?;
            let counts = graph.import_jsonl(BufReader::new(f))?;
            println!(
                "imported {} entities, {} statements, {} evidence",
                counts.entities, counts.statements, counts.evidence
            );
        }
        Some(Command::Dot { output, evidence }) => {
            let dot =
                graph.to_dot(None, &factgraph::dot::DotOptions { evidence_counts: evidence, ..Default::default() })?;
            match output {
                Some(p) => std::fs::write(&p, dot).with_context(|| format!("writing {}", p.display()))?,
                None => stdout.lock().write_all(dot.as_bytes())?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
