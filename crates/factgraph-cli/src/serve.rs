//! `factgraph serve`: the store over HTTP for many clients (`docs/server.md`). This
//! module turns the command line into the server's `Config`: the token (given, or
//! made and left beside the store for local users), the limits, and the note in the
//! store's `LOCK` by which other `factgraph` processes find the server.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use factgraph::Graph;
use factgraph_server::{Config, Server};

use crate::output::note;

/// The file a server writes its own token to when the user gave none: in the store's
/// directory, readable by its owner only.
pub const TOKEN_FILE: &str = "SERVER-TOKEN";

/// `factgraph serve`'s options.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback needs a token.
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: SocketAddr,
    /// File whose first line is the bearer token writes need (else $FACTGRAPH_TOKEN;
    /// else a random one, written to SERVER-TOKEN in the store's directory).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Longest a request may run, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
    /// Most rows an answer may have.
    #[arg(long, default_value_t = 100_000)]
    max_rows: usize,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Allow browser pages from this origin to call the API (repeatable; CORS is off
    /// without it).
    #[arg(long, value_name = "ORIGIN")]
    cors: Vec<String>,
}

/// The longest token file read.
const MAX_TOKEN_FILE: u64 = 4096;

/// The token the user gave, from `--token-file` or `$FACTGRAPH_TOKEN`.
fn given_token(args: &ServeArgs) -> Result<Option<String>> {
    if let Some(path) = &args.token_file {
        crate::output::check_regular_file(path, Some(MAX_TOKEN_FILE))?;
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let token = text.lines().next().unwrap_or_default().trim().to_owned();
        if token.is_empty() {
            bail!("{} has no token on its first line", path.display());
        }
        return Ok(Some(token));
    }
    Ok(std::env::var("FACTGRAPH_TOKEN").ok().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
}

/// Writes a token the server made to `SERVER-TOKEN`, owner-only, replacing any left
/// by an earlier server.
fn write_own_token(dir: &Path, token: &str) -> Result<PathBuf> {
    let path = dir.join(TOKEN_FILE);
    let _ = std::fs::remove_file(&path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
    writeln!(f, "{token}").with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Serves `graph` until Ctrl-C or SIGTERM; each query may build `max_memory` bytes
/// (`--memory-limit`).
pub fn run(graph: Graph, args: &ServeArgs, read_only: bool, max_memory: usize) -> Result<ExitCode> {
    let mut own_token = None;
    let token = match given_token(args)? {
        Some(t) => Some(t),
        None if read_only || !args.bind.ip().is_loopback() => None,
        None => match graph.path() {
            Some(dir) => {
                let t = factgraph_server::random_token()?;
                own_token = Some(write_own_token(dir, &t)?);
                Some(t)
            }
            None => None,
        },
    };
    let config = Config {
        bind: args.bind,
        token,
        read_only,
        limits: factgraph::Limits {
            max_rows: args.max_rows.max(1),
            deadline: Some(Duration::from_millis(args.timeout_ms.max(1))),
            max_memory,
            ..factgraph::Limits::default()
        },
        max_body: args.max_body.max(1024),
        cors: args.cors.clone(),
        ..Config::loopback()
    };
    let graph = Arc::new(graph);
    let server = Server::bind(graph.clone(), config).context("starting the server")?;
    let url = format!("http://{}", server.local_addr());
    let store = graph.path().map_or_else(|| "the store".to_owned(), |p| p.display().to_string());
    // Announced once Ctrl-C and SIGTERM are caught, so that a process that reads the
    // note and stops the server finds it cleaning up, not killed.
    let served = server.run_then(|| {
        // Other processes that find the store in use read this to come through us.
        if let Err(e) = graph.announce(&format!("factgraph serve\npid {}\nurl {url}\n", std::process::id())) {
            note!("warning: other factgraph processes will not find this server: {e}");
        }
        note!("serving {store} at {url}/ (Ctrl-C to stop)");
        match &own_token {
            Some(p) => note!("writes need the token in {}", p.display()),
            None if read_only => note!("read-only: writes are refused"),
            None => note!("writes need the token you gave"),
        }
    });
    let _ = graph.announce("");
    if let Some(p) = own_token {
        let _ = std::fs::remove_file(p);
    }
    served.context("serving")?;
    note!("stopped");
    Ok(ExitCode::SUCCESS)
}
