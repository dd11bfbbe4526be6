//! A blocking client of the HTTP API: what the CLI uses when a store is held by a
//! running `factgraph serve`, and what a Rust program can use to ask a server. It
//! turns the API's JSON back into the library's result types, so that answers print
//! the same whether they came from a store or from a server.

use std::io::{Read, Write};
use std::time::Duration;

use factgraph::{Cell, CheckReport, Citation, Counts, EntityId, Params, QueryResult, Row, StatementId, Value};
use serde_json::{json, Value as Json};

/// An error the server answered with, or a failure to reach it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    /// The HTTP status; `None` when the server could not be reached.
    pub status: Option<u16>,
    /// The error's kind, as the library names kinds (`syntax`, `unknown_name`, …),
    /// or the server's own (`unauthorized`, `too_large`, …), or `io`.
    pub kind: String,
    /// The message.
    pub message: String,
    /// Byte offsets `[start, end)` in the query text (or in `file`), when the error
    /// has a place.
    pub span: Option<(usize, usize)>,
    /// The file the error is in, for an error in a loaded script.
    pub file: Option<String>,
}

impl RemoteError {
    fn unreachable(url: &str, e: impl std::fmt::Display) -> RemoteError {
        RemoteError {
            status: None,
            kind: "io".to_owned(),
            message: format!("cannot reach the server at {url}: {e}"),
            span: None,
            file: None,
        }
    }

    fn malformed(what: &str) -> RemoteError {
        RemoteError {
            status: None,
            kind: "io".to_owned(),
            message: format!("the server's answer is not what this version understands ({what})"),
            span: None,
            file: None,
        }
    }
}

type Result<T> = std::result::Result<T, RemoteError>;

/// What `GET /health` says.
#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    /// The store's path on the server's machine.
    pub store: Option<String>,
    /// Whether the server refuses writes.
    pub read_only: bool,
    /// How writes are taken: `token` or `refused`.
    pub writes: String,
    /// The store's counts.
    pub counts: Counts,
}

/// What `GET /api/schema` says: counts, and kinds and relations with theirs.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The store's counts.
    pub counts: Counts,
    /// Each kind and how many entities have it.
    pub kinds: Vec<(String, u64)>,
    /// Each relation in use and how many statements have it.
    pub relations: Vec<(String, u64)>,
}

/// One document, as `GET /api/sources` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Its name.
    pub name: String,
    /// Its outlet, title and publication date, as text, when known.
    pub outlet: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// When it was published.
    pub published: Option<String>,
    /// How many statements it supports.
    pub statements: u64,
}

/// A client of one server.
#[derive(Clone, Debug)]
pub struct Client {
    url: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the server at `url` (`http://127.0.0.1:7878`).
    pub fn new(url: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .build()
            .into();
        Client { url: url.trim_end_matches('/').to_owned(), token: None, agent }
    }

    /// The same client, sending `token` with every request (writes need it).
    pub fn with_token(mut self, token: Option<String>) -> Client {
        self.token = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        self
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A `POST` of `body` as JSON, or a `GET` without one.
    fn request(&self, path: &str, body: Option<Json>) -> Result<ureq::http::Response<ureq::Body>> {
        let url = format!("{}{path}", self.url);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let sent = match body {
            Some(b) => {
                let mut req = self.agent.post(&url).header("content-type", "application/json");
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                req.send(b.to_string())
            }
            None => {
                let mut req = self.agent.get(&url);
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                req.call()
            }
        };
        let resp = sent.map_err(|e| RemoteError::unreachable(&self.url, e))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let mut resp = resp;
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let parsed: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
        let e = &parsed["error"];
        let span = match (e["start"].as_u64(), e["end"].as_u64()) {
            (Some(s), Some(t)) => Some((s as usize, t as usize)),
            _ => None,
        };
        Err(RemoteError {
            status: Some(status),
            kind: e["kind"].as_str().unwrap_or("io").to_owned(),
            message: e["message"]
                .as_str()
                .map_or_else(|| format!("the server answered {status}: {text}"), str::to_owned),
            span,
            file: e["file"].as_str().map(str::to_owned),
        })
    }

    fn json(&self, path: &str, body: Option<Json>) -> Result<Json> {
        let mut resp = self.request(path, body)?;
        let text = resp.body_mut().read_to_string().map_err(|e| RemoteError::unreachable(&self.url, e))?;
        serde_json::from_str(&text).map_err(|_| RemoteError::malformed("not JSON"))
    }

    /// `GET /health`.
    pub fn health(&self) -> Result<Health> {
        let h = self.json("/health", None)?;
        Ok(Health {
            store: h["store"].as_str().map(str::to_owned),
            read_only: h["read_only"].as_bool().unwrap_or(false),
            writes: h["writes"].as_str().unwrap_or("refused").to_owned(),
            counts: counts(&h["counts"]),
        })
    }

    /// Runs a query or script; as `Graph::query_params`, on the server.
    pub fn query(&self, text: &str, params: &Params, timeout: Option<Duration>) -> Result<Vec<QueryResult>> {
        let mut body = json!({ "query": text, "params": params_json(params) });
        if let Some(t) = timeout {
            body["timeout_ms"] = json!(u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
        }
        let answer = self.json("/query", Some(body))?;
        answer["results"].as_array().ok_or_else(|| RemoteError::malformed("no results"))?.iter().map(result).collect()
    }

    /// GraphViz DOT of the whole store (`None`) or of a query's answers and their
    /// sources, drawn with `options` (its conflicts to mark are the server's own).
    pub fn dot(&self, query: Option<&str>, params: &Params, options: &factgraph::dot::DotOptions) -> Result<String> {
        let dot = json!({
            "evidence": options.evidence_counts,
            "cluster": options.cluster.to_string(),
            "view": options.view.to_string(),
            "sources": options.sources_named,
            "max_statements": options.max_statements,
        });
        let body = match query {
            Some(q) => json!({ "query": q, "params": params_json(params), "dot": dot }),
            None => json!({ "dot": dot }),
        };
        let mut resp = self.request("/dot", Some(body))?;
        resp.body_mut().read_to_string().map_err(|e| RemoteError::unreachable(&self.url, e))
    }

    /// Counts, kinds and relations.
    pub fn schema(&self) -> Result<Schema> {
        let s = self.json("/api/schema", None)?;
        let pairs = |v: &Json| -> Vec<(String, u64)> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_u64()?)))
                .collect()
        };
        Ok(Schema { counts: counts(&s["counts"]), kinds: pairs(&s["kinds"]), relations: pairs(&s["relations"]) })
    }

    /// The documents, with how many statements each supports.
    pub fn sources(&self) -> Result<Vec<Source>> {
        let s = self.json("/api/sources", None)?;
        let text = |v: &Json| match v {
            Json::Null => None,
            Json::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        Ok(s["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| Source {
                name: d["name"].as_str().unwrap_or_default().to_owned(),
                outlet: text(&d["outlet"]),
                title: text(&d["title"]),
                published: text(&d["published"]),
                statements: d["statements"].as_u64().unwrap_or(0),
            })
            .collect())
    }

    /// The plan of each statement of a query.
    pub fn explain(&self, text: &str, params: &Params) -> Result<Vec<String>> {
        let p = self.json("/api/explain", Some(json!({ "query": text, "params": params_json(params) })))?;
        Ok(p["plans"].as_array().into_iter().flatten().filter_map(|l| l.as_str().map(str::to_owned)).collect())
    }

    /// Each pattern query of a text run on the server with its operators' rows and
    /// times (`.profile`), within `timeout` as `query`; a query that writes needs the
    /// client's token.
    pub fn profile(&self, text: &str, params: &Params, timeout: Option<Duration>) -> Result<Vec<String>> {
        let mut body = json!({ "query": text, "params": params_json(params) });
        if let Some(t) = timeout {
            body["timeout_ms"] = json!(u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
        }
        let p = self.json("/api/profile", Some(body))?;
        Ok(p["profiles"].as_array().into_iter().flatten().filter_map(|l| l.as_str().map(str::to_owned)).collect())
    }

    /// Checks every index against the records, on the server.
    pub fn check(&self) -> Result<CheckReport> {
        let r = self.json("/api/check", None)?;
        Ok(CheckReport {
            entities: r["entities"].as_u64().unwrap_or(0),
            statements: r["statements"].as_u64().unwrap_or(0),
            evidence: r["evidence"].as_u64().unwrap_or(0),
            index_entries: r["index_entries"].as_u64().unwrap_or(0),
            problems: r["problems"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect(),
        })
    }

    /// Loads `.fg` scripts (absolute paths on the server's machine, which must be this
    /// one) as one batch; what was written, in words.
    pub fn load_scripts(&self, paths: &[std::path::PathBuf]) -> Result<String> {
        let r = self.json("/api/load", Some(json!({ "scripts": paths })))?;
        Ok(r["scripts"].as_str().unwrap_or_default().to_owned())
    }

    /// Loads a benchmark TSV directory (an absolute path on this machine) as one
    /// batch: entities, aliases, documents, claims and statements, as the library's
    /// `TsvSummary` counts them.
    pub fn load_tsv_dir(&self, dir: &std::path::Path) -> Result<factgraph::TsvSummary> {
        let r = self.json("/api/load", Some(json!({ "tsv": dir })))?;
        let n = |k: &str| r["tsv"][k].as_u64().unwrap_or(0);
        Ok(factgraph::TsvSummary {
            entities: n("entities"),
            aliases: n("aliases"),
            documents: n("documents"),
            claims: n("claims"),
            statements: n("statements"),
        })
    }

    /// Writes the server's export (JSON Lines) to `out`; the bytes written.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64> {
        let mut resp = self.request("/api/export", None)?;
        let mut reader = resp.body_mut().as_reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buf).map_err(|e| RemoteError::unreachable(&self.url, e))?;
            if n == 0 {
                return Ok(total);
            }
            out.write_all(&buf[..n]).map_err(|e| RemoteError {
                status: None,
                kind: "io".to_owned(),
                message: format!("writing the export: {e}"),
                span: None,
                file: None,
            })?;
            total += n as u64;
        }
    }
}

fn counts(c: &Json) -> Counts {
    Counts {
        entities: c["entities"].as_u64().unwrap_or(0),
        statements: c["statements"].as_u64().unwrap_or(0),
        evidence: c["evidence"].as_u64().unwrap_or(0),
    }
}

/// Parameters as JSON; a date is sent as its text.
fn params_json(params: &Params) -> Json {
    Json::Object(params.iter().map(|(k, v)| (k.to_owned(), crate::subgraph::param_json(v))).collect())
}

/// A literal from JSON: whole numbers as integers, other numbers as floats.
fn value(v: &Json) -> Value {
    match v {
        Json::String(s) => Value::Str(s.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        other => Value::Str(other.to_string()),
    }
}

fn map(v: &Json) -> std::collections::BTreeMap<String, Value> {
    v.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), value(v))).collect()
}

fn text(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn shared(v: &Json) -> std::sync::Arc<str> {
    v.as_str().unwrap_or_default().into()
}

/// A result cell from the API's JSON (`docs/server.md`).
fn cell(c: &Json) -> Result<Cell> {
    let list = |v: &Json| -> Result<Vec<Cell>> { v.as_array().into_iter().flatten().map(cell).collect() };
    Ok(match c["type"].as_str().ok_or_else(|| RemoteError::malformed("a cell without a type"))? {
        "null" => Cell::Null,
        "entity" => Cell::Entity {
            id: EntityId(c["id"].as_u64().unwrap_or(0)),
            name: shared(&c["name"]),
            kind: shared(&c["kind"]),
            properties: map(&c["properties"]).into(),
        },
        "statement" => Cell::Statement {
            id: StatementId(c["id"].as_u64().unwrap_or(0)),
            text: shared(&c["text"]),
            relation: shared(&c["relation"]),
            qualifiers: map(&c["qualifiers"]),
        },
        // A date or other temporal value comes as its text: shown as such (a list
        // shows text values in quotes, and these are none).
        "value" if c["temporal"].is_string() => Cell::Text { text: shared(&c["value"]) },
        "value" => Cell::Value { value: value(&c["value"]) },
        "text" => Cell::Text { text: shared(&c["text"]) },
        "list" => Cell::List { items: list(&c["items"])? },
        "map" => Cell::Map {
            entries: c["entries"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| Ok((text(&e[0]), cell(&e[1])?)))
                .collect::<Result<_>>()?,
        },
        "path" => Cell::Path(Box::new(factgraph::PathCell {
            steps: c["steps"].as_array().into_iter().flatten().map(text).collect(),
            nodes: list(&c["nodes"])?,
            relationships: list(&c["relationships"])?,
            forward: c["forward"].as_array().into_iter().flatten().map(|b| b.as_bool().unwrap_or(true)).collect(),
        })),
        other => return Err(RemoteError::malformed(&format!("a cell of type {other:?}"))),
    })
}

fn optional(v: &Json) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn result(r: &Json) -> Result<QueryResult> {
    let rows = r["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            Ok(Row {
                cells: row["cells"].as_array().into_iter().flatten().map(cell).collect::<Result<_>>()?,
                provenance: row["provenance"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| Citation {
                        statement: StatementId(c["statement"].as_u64().unwrap_or(0)),
                        claim: shared(&c["claim"]),
                        document: shared(&c["document"]),
                        outlet: optional(&c["outlet"]).map(Into::into),
                        title: optional(&c["title"]).map(Into::into),
                        quote: shared(&c["quote"]),
                        attribution: optional(&c["attribution"]).map(Into::into),
                    })
                    .collect(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(QueryResult {
        columns: r["columns"].as_array().into_iter().flatten().map(text).collect(),
        rows,
        ordered: r["ordered"].as_bool().unwrap_or(false),
        note: optional(&r["note"]),
    })
}
