//! Where a session's work goes: a store opened in this process, or a running
//! `factgraph serve` that holds the store (found through the store's `LOCK` note, or
//! named with `--server`). The REPL, scripts and subcommands ask a `Backend`, so they
//! print the same whichever it is.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use factgraph::{CheckReport, Graph, Limits, Params, QueryResult};
use factgraph_server::{Client, RemoteError};

/// A store here, or a server.
#[derive(Clone, Copy)]
pub enum Backend<'g> {
    /// A store this process opened.
    Local(&'g Graph),
    /// A server holding the store.
    Remote(&'g Client),
}

/// A failure from either: the library's error, or what a server answered.
#[derive(Debug)]
pub enum Failure {
    /// From a store here.
    Local(factgraph::Error),
    /// From a server.
    Remote(RemoteError),
}

impl From<factgraph::Error> for Failure {
    fn from(e: factgraph::Error) -> Self {
        Failure::Local(e)
    }
}

impl From<RemoteError> for Failure {
    fn from(e: RemoteError) -> Self {
        Failure::Remote(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Local(e) => e.fmt(f),
            Failure::Remote(e) => e.fmt(f),
        }
    }
}

/// The inner error is the source, so that exit codes (which look for the library's
/// error in the chain) are the same through a `Failure`.
impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Failure::Local(e) => Some(e),
            Failure::Remote(e) => Some(e),
        }
    }
}

impl<'g> Backend<'g> {
    /// Runs a query or script.
    pub fn query(&self, text: &str, params: &Params, limits: &Limits) -> Result<Vec<QueryResult>, Failure> {
        match self {
            Backend::Local(g) => Ok(g.query_params(text, params, limits)?),
            Backend::Remote(c) => Ok(c.query(text, params, limits.deadline)?),
        }
    }

    /// As `query`, handing each result as it begins and each row to `each` instead of
    /// keeping them (`Graph::query_each`); `None` through a server, whose answers
    /// come whole.
    pub fn query_each(
        &self,
        text: &str,
        params: &Params,
        limits: &Limits,
        each: impl FnMut(factgraph::Streamed<'_>) -> std::ops::ControlFlow<()>,
    ) -> Option<Result<Vec<QueryResult>, Failure>> {
        match self {
            Backend::Local(g) => Some(g.query_each(text, params, limits, each).map_err(Failure::from)),
            Backend::Remote(_) => None,
        }
    }

    /// The plan of each statement of a query.
    pub fn explain(&self, text: &str, params: &Params) -> Result<Vec<String>, Failure> {
        match self {
            Backend::Local(g) => Ok(g.explain_params(text, params)?),
            Backend::Remote(c) => Ok(c.explain(text, params)?),
        }
    }

    /// Each pattern query run with its operators' rows and times (`.profile`): through
    /// a server, under the server's limits.
    pub fn profile(&self, text: &str, params: &Params, limits: &Limits) -> Result<Vec<String>, Failure> {
        match self {
            Backend::Local(g) => Ok(g.profile_params(text, params, limits)?),
            Backend::Remote(c) => Ok(c.profile(text, params, limits.deadline)?),
        }
    }

    /// Every index checked against the records.
    pub fn check(&self) -> Result<CheckReport, Failure> {
        match self {
            Backend::Local(g) => Ok(g.check()?),
            Backend::Remote(c) => Ok(c.check()?),
        }
    }

    /// DOT of the whole store (`None`) or of a query's answers and their sources.
    pub fn dot(
        &self,
        query: Option<&str>,
        params: &Params,
        options: &factgraph::dot::DotOptions,
        limits: &Limits,
    ) -> Result<String, Failure> {
        match (self, query) {
            (Backend::Local(g), None) => Ok(g.to_dot(None, options)?),
            (Backend::Local(g), Some(q)) => Ok(g.results_to_dot(&g.query_params(q, params, limits)?, options)?),
            (Backend::Remote(c), q) => Ok(c.dot(q, params, options)?),
        }
    }

    /// Writes the whole store as JSON Lines to `out`; what was written, in words.
    pub fn export(&self, out: &mut dyn Write) -> anyhow::Result<String> {
        Ok(match self {
            Backend::Local(g) => {
                let counts = g.export_jsonl(out)?;
                format!("exported {} entities, {} statements", counts.entities, counts.statements)
            }
            Backend::Remote(c) => format!("exported {} bytes through the server at {}", c.export(out)?, c.url()),
        })
    }

    /// Writes the counts (`.stats`, `stats`).
    pub fn write_stats(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        match self {
            Backend::Local(g) => {
                let c = g.counts()?;
                writeln!(out, "entities\t{}\nstatements\t{}\nevidence\t{}", c.entities, c.statements, c.evidence)?;
                writeln!(out, "relations\t{}\nkinds\t{}", g.relations().len(), g.kinds()?.len())?;
            }
            Backend::Remote(client) => {
                let s = client.schema()?;
                let c = s.counts;
                writeln!(out, "entities\t{}\nstatements\t{}\nevidence\t{}", c.entities, c.statements, c.evidence)?;
                writeln!(out, "relations\t{}\nkinds\t{}", s.relations.len(), s.kinds.len())?;
            }
        }
        Ok(())
    }

    /// Writes kinds and relations with their counts (`.schema`).
    pub fn write_schema(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        let (kinds, relations): (Counted, Counted) = match self {
            Backend::Local(g) => {
                let kinds = g.kinds()?.into_iter().map(|(k, n)| (k, n as u64)).collect();
                let mut relations = Vec::new();
                for rel in g.relations() {
                    let n = g.statements_with_relation(&rel)?.len();
                    if n > 0 {
                        relations.push((rel, n as u64));
                    }
                }
                (kinds, relations)
            }
            Backend::Remote(c) => {
                let s = c.schema()?;
                (s.kinds, s.relations)
            }
        };
        let mut t = table(&["kind", "entities"]);
        for (kind, n) in kinds {
            t.add_row(vec![kind, n.to_string()]);
        }
        writeln!(out, "{t}")?;
        let mut t = table(&["relation", "statements"]);
        for (rel, n) in relations {
            t.add_row(vec![rel, n.to_string()]);
        }
        writeln!(out, "{t}")?;
        Ok(())
    }

    /// Writes the documents with their outlet, date and statement counts
    /// (`.sources`).
    pub fn write_sources(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        let mut t = table(&["document", "outlet", "published", "statements"]);
        match self {
            Backend::Local(g) => {
                for id in g.entities_of_kind(factgraph::DOCUMENT_KIND)? {
                    let Some(e) = g.entity(id)? else { continue };
                    let prop = |k: &str| e.properties.get(k).map(|v| v.to_string()).unwrap_or_default();
                    t.add_row(vec![
                        e.name.clone(),
                        prop("outlet"),
                        prop("published"),
                        g.statements_citing(id)?.len().to_string(),
                    ]);
                }
            }
            Backend::Remote(c) => {
                for s in c.sources()? {
                    t.add_row(vec![
                        s.name,
                        s.outlet.unwrap_or_default(),
                        s.published.unwrap_or_default(),
                        s.statements.to_string(),
                    ]);
                }
            }
        }
        writeln!(out, "{t}")?;
        Ok(())
    }
}

/// Names with a count each.
type Counted = Vec<(String, u64)>;

fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED).set_header(header.to_vec());
    t
}

/// The server holding the store at `path`, if the process that holds it is a
/// `factgraph serve` that answers for this very store. Writes go with the token it
/// left beside the store (readable by the store's owner), else `$FACTGRAPH_TOKEN`.
pub fn server_for(path: &Path) -> Option<Client> {
    let note = factgraph::lock_note(path)?;
    let url = note.lines().find_map(|l| l.strip_prefix("url "))?.trim().to_owned();
    let token = std::fs::read_to_string(path.join(crate::serve::TOKEN_FILE))
        .ok()
        .or_else(|| std::env::var("FACTGRAPH_TOKEN").ok());
    let client = Client::new(&url).with_token(token);
    let health = client.health().ok()?;
    let theirs = std::fs::canonicalize(health.store?).ok()?;
    let ours = std::fs::canonicalize(path).ok()?;
    (theirs == ours).then_some(client)
}

/// A client of the server named with `--server`, with `$FACTGRAPH_TOKEN` for writes;
/// checked to answer.
pub fn named_server(url: &str) -> anyhow::Result<Client> {
    let client = Client::new(url).with_token(std::env::var("FACTGRAPH_TOKEN").ok());
    client.health().with_context(|| format!("connecting to {url}"))?;
    Ok(client)
}
