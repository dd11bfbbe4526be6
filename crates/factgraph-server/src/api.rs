//! The HTTP API's routes and handlers (`docs/server.md`): queries, the graph view's
//! JSON, DOT, completion, entities and statements, health, and the browser view.
//!
//! Every handler that touches the store runs its work on tokio's blocking pool
//! ([`State::run`]), at most `max_running` at once, under the request's limits and a
//! cancel flag that is raised when the client goes away.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State as Shared};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use factgraph::{Direction, EntityId, Graph, Limits, Node, QueryResult, StatementId};
use serde::Deserialize;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::error::ApiError;
use crate::subgraph::{self, Subgraph};
use crate::Config;

/// What every handler shares.
pub(crate) struct State {
    pub(crate) graph: Arc<Graph>,
    pub(crate) config: Config,
    slots: Arc<tokio::sync::Semaphore>,
    /// Queries running now (for `/health`, and for tests that a client that left
    /// stopped its query).
    running: Arc<AtomicUsize>,
}

impl State {
    pub(crate) fn new(graph: Arc<Graph>, config: Config) -> State {
        let slots = Arc::new(tokio::sync::Semaphore::new(config.max_running.max(1)));
        State { graph, config, slots, running: Arc::new(AtomicUsize::new(0)) }
    }

    /// The server's limits, lowered to what the request asks for.
    fn limits(&self, max_rows: Option<usize>, timeout_ms: Option<u64>) -> Limits {
        let mut limits = self.config.limits.clone();
        if let Some(n) = max_rows {
            limits.max_rows = limits.max_rows.min(n.max(1));
        }
        if let Some(ms) = timeout_ms {
            let asked = Duration::from_millis(ms.max(1));
            limits.deadline = Some(limits.deadline.map_or(asked, |d| d.min(asked)));
        }
        limits
    }

    /// Runs `work` on the blocking pool with `limits` and a cancel flag that is set
    /// if this future is dropped (the client disconnected) before the work ends.
    async fn run<T: Send + 'static>(
        &self,
        mut limits: Limits,
        work: impl FnOnce(&Graph, &Limits) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "in_use", "the server is stopping"))?;
        let cancel = Arc::new(AtomicBool::new(false));
        limits.cancel = Some(cancel.clone());
        let guard = CancelOnDrop(cancel);
        let graph = self.graph.clone();
        let running = self.running.clone();
        running.fetch_add(1, Ordering::SeqCst);
        let task = tokio::task::spawn_blocking(move || {
            let out = work(&graph, &limits);
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        });
        let out = task
            .await
            .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "io", "the query's thread failed"))?;
        drop(guard);
        Ok(out)
    }

    /// Whether this request may write: the server is not read-only, has a token, and
    /// the request carries it.
    fn authorize_write(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        if self.config.read_only {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only",
                "this server is read-only: writes are refused",
            ));
        }
        let Some(token) = &self.config.token else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only",
                "this server takes no writes: it was started without a token",
            ));
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match given {
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this query writes: send the server's token as `Authorization: Bearer TOKEN`",
            )),
            Some(g) if same(g.as_bytes(), token.trim().as_bytes()) => Ok(()),
            Some(_) => Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "wrong token")),
        }
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Sets a cancel flag when dropped.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    let max_body = state.config.max_body;
    let cors = state.config.cors.clone();
    let mut app = Router::new()
        .route("/", get(index))
        .route("/assets/{*path}", get(asset))
        .route("/health", get(health))
        .route("/query", post(query))
        .route("/graph", post(graph_view))
        .route("/dot", post(dot))
        .route("/api/complete", get(complete))
        .route("/api/entities/{id}", get(entity))
        .route("/api/entities/{id}/neighbours", get(neighbours))
        .route("/api/statements/{id}", get(statement))
        .route("/api/schema", get(schema))
        .route("/api/sources", get(sources))
        .route("/api/explain", post(explain))
        .route("/api/profile", post(profile))
        .route("/api/check", get(check))
        .route("/api/export", get(export))
        .route("/api/load", post(load))
        .fallback(|| async { ApiError::not_found("no such endpoint; see docs/server.md") })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state);
    if !cors.is_empty() {
        let origins: Vec<HeaderValue> = cors.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        );
    }
    app
}

type Api = Shared<Arc<State>>;

async fn index() -> Response {
    asset_response("index.html")
}

async fn asset(Path(path): Path<String>) -> Response {
    asset_response(&path)
}

fn asset_response(path: &str) -> Response {
    match crate::assets::asset(path) {
        Some(a) => {
            ([(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "no-cache")], a.bytes).into_response()
        }
        None => ApiError::not_found(format!("no file {path:?}")).into_response(),
    }
}

async fn health(Shared(state): Api) -> Result<Json<serde_json::Value>, ApiError> {
    let counts =
        state.run(state.config.limits.clone(), |g, _| g.counts()).await?.map_err(|e| ApiError::from_library(&e, ""))?;
    let writes = if state.config.read_only {
        "refused"
    } else if state.config.token.is_some() {
        "token"
    } else {
        "refused"
    };
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "store": state.graph.path().map(|p| p.display().to_string()),
        "read_only": state.config.read_only,
        "writes": writes,
        // Read after this request's own work ended: the count is of the others.
        "running": state.running.load(Ordering::SeqCst),
        "counts": { "entities": counts.entities, "statements": counts.statements, "evidence": counts.evidence },
    })))
}

/// A query request's body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryRequest {
    #[serde(default)]
    query: String,
    #[serde(default)]
    params: serde_json::Map<String, serde_json::Value>,
    max_rows: Option<usize>,
    timeout_ms: Option<u64>,
    /// How `/dot` draws (`docs/server.md`); ignored elsewhere.
    #[serde(default)]
    dot: DotRequest,
}

/// `/dot`'s drawing options, as `factgraph dot` takes them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DotRequest {
    #[serde(default)]
    evidence: bool,
    cluster: Option<String>,
    view: Option<String>,
    sources: Option<usize>,
    max_statements: Option<usize>,
}

impl DotRequest {
    fn options(&self) -> Result<factgraph::dot::DotOptions, ApiError> {
        let mut o = factgraph::dot::DotOptions { evidence_counts: self.evidence, ..Default::default() };
        if let Some(c) = &self.cluster {
            o.cluster = c.parse().map_err(ApiError::bad_request)?;
        }
        if let Some(v) = &self.view {
            o.view = v.parse().map_err(ApiError::bad_request)?;
        }
        if let Some(n) = self.sources {
            o.sources_named = n;
        }
        if let Some(n) = self.max_statements {
            // Bounded: a full drawing of a huge store would be gigabytes.
            o.max_statements = n.min(100_000);
        }
        Ok(o)
    }
}

/// Reads a request body: JSON (`QueryRequest`), or the query itself as text.
fn parse_body(
    state: &State,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<QueryRequest, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the request body is over {} bytes", state.config.max_body),
            )
        } else {
            ApiError::bad_request(e.body_text())
        }
    })?;
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::bad_request(format!("the request body is not UTF-8 (at byte {})", e.valid_up_to())))?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("text/plain") {
        return Ok(QueryRequest { query: text.to_owned(), ..QueryRequest::default() });
    }
    if text.trim().is_empty() {
        return Ok(QueryRequest::default());
    }
    serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("the request body: {e}")))
}

/// The query a request to run one sends (`/query`, `/graph`, `/api/profile`), which
/// must have text: the text, its admission, and the limits it runs under.
fn query_request(
    state: &State,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(String, Admitted, Limits), ApiError> {
    let req = parse_body(state, headers, body)?;
    if req.query.trim().is_empty() {
        return Err(ApiError::bad_request("no query: send {\"query\": \"…\"}"));
    }
    let admitted = admit(state, headers, &req)?;
    let limits = state.limits(req.max_rows, req.timeout_ms);
    Ok((req.query, admitted, limits))
}

/// A query's parameters, and whether it may write: with the token it may; without,
/// it runs with `reads_only`, and a text that writes is refused (`refused`) before
/// anything runs. So the text is parsed once, whoever sends it.
fn admit(state: &State, headers: &HeaderMap, req: &QueryRequest) -> Result<Admitted, ApiError> {
    let params = subgraph::params(&req.params)?;
    let refused = state.authorize_write(headers).err();
    Ok(Admitted { params, refused })
}

struct Admitted {
    params: factgraph::Params,
    /// Why a write would be refused; `None` when writes are allowed.
    refused: Option<ApiError>,
}

impl Admitted {
    /// Runs the query under `limits`, read-only unless the request may write.
    fn run(&mut self, g: &Graph, text: &str, limits: &Limits) -> Result<Vec<QueryResult>, ApiError> {
        self.under(text, limits, |params, limits| g.query_params(text, params, limits))
    }

    /// Profiles the query (`Graph::profile_params`) as `run` runs it.
    fn profile(&mut self, g: &Graph, text: &str, limits: &Limits) -> Result<Vec<String>, ApiError> {
        self.under(text, limits, |params, limits| g.profile_params(text, params, limits))
    }

    /// `f` with the request's parameters and `limits`, read-only unless the request
    /// may write; a write refused so is the refusal the request gets.
    fn under<T>(
        &mut self,
        text: &str,
        limits: &Limits,
        f: impl FnOnce(&factgraph::Params, &Limits) -> factgraph::Result<T>,
    ) -> Result<T, ApiError> {
        let mut limits = limits.clone();
        limits.reads_only = self.refused.is_some();
        f(&self.params, &limits).map_err(|e| match self.refused.take() {
            Some(refused) if e.kind() == factgraph::ErrorKind::ReadOnly => refused,
            _ => ApiError::from_library(&e, text),
        })
    }
}

fn wants_lines(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/x-ndjson") || a.contains("application/jsonl"))
}

async fn query(Shared(state): Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    match answer(&state, &headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn answer(state: &State, headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let (text, mut admitted, limits) = query_request(state, headers, body)?;
    let started = Instant::now();
    let results = state.run(limits, move |g, limits| admitted.run(g, &text, limits)).await??;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if wants_lines(headers) {
        return Ok(stream_lines(results, elapsed_ms));
    }
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        results: Vec<subgraph::ResultJson<'a>>,
        elapsed_ms: f64,
    }
    let body = serde_json::to_vec(&Answer { results: results.iter().map(subgraph::ResultJson).collect(), elapsed_ms })
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "io", format!("writing the answer: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// An answer as JSON lines, written by a blocking task into a bounded channel so that
/// a large answer is sent as it is written and a client that stops reading stops the
/// writing.
fn stream_lines(results: Vec<QueryResult>, elapsed_ms: f64) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(8);
    tokio::task::spawn_blocking(move || {
        const CHUNK: usize = 64 * 1024;
        let mut buf = Vec::with_capacity(CHUNK);
        let line = |buf: &mut Vec<u8>, v: &dyn erased::Line| -> bool {
            let _ = v.write_to(buf);
            buf.push(b'\n');
            if buf.len() >= CHUNK {
                return tx.blocking_send(Ok(std::mem::take(buf))).is_ok();
            }
            true
        };
        for r in &results {
            if !line(&mut buf, &json!({ "result": { "columns": r.columns, "ordered": r.ordered } })) {
                return;
            }
            for row in &r.rows {
                if !line(&mut buf, &erased::RowLine(row)) {
                    return;
                }
            }
            if !line(&mut buf, &json!({ "end": { "rows": r.rows.len(), "note": r.note } })) {
                return;
            }
        }
        if line(&mut buf, &json!({ "done": { "elapsed_ms": elapsed_ms } })) && !buf.is_empty() {
            let _ = tx.blocking_send(Ok(buf));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
}

async fn graph_view(Shared(state): Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let run = async {
        let (text, mut admitted, limits) = query_request(&state, &headers, body)?;
        let max_edges = limits.max_rows.min(5_000);
        state
            .run(limits, move |g, limits| {
                let results = admitted.run(g, &text, limits)?;
                let mut sub = Subgraph::new(g, max_edges);
                sub.add_results(&results).map_err(|e| ApiError::from_library(&e, &text))?;
                let picture = sub.finish().map_err(|e| ApiError::from_library(&e, &text))?;
                Ok::<_, ApiError>(Json(picture).into_response())
            })
            .await?
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

async fn dot(Shared(state): Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let run = async {
        let req = parse_body(&state, &headers, body)?;
        let mut admitted = admit(&state, &headers, &req)?;
        let options = req.dot.options()?;
        let limits = state.limits(req.max_rows, req.timeout_ms);
        let text = req.query;
        state
            .run(limits, move |g, limits| {
                let dot = if text.trim().is_empty() {
                    g.to_dot(None, &options)
                } else {
                    let results = admitted.run(g, &text, limits)?;
                    g.results_to_dot(&results, &options)
                };
                let dot = dot.map_err(|e| ApiError::from_library(&e, &text))?;
                Ok::<_, ApiError>(([(header::CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8")], dot).into_response())
            })
            .await?
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
struct CompleteParams {
    #[serde(default)]
    prefix: String,
    limit: Option<usize>,
}

/// The longest prefix completed: no name is longer than this is worth typing, and a
/// longer one would only cost work.
const MAX_PREFIX_CHARS: usize = 200;

async fn complete(Shared(state): Api, Query(p): Query<CompleteParams>) -> Result<Json<serde_json::Value>, ApiError> {
    if p.prefix.chars().count() > MAX_PREFIX_CHARS {
        return Ok(Json(json!({ "matches": [] })));
    }
    let limit = p.limit.unwrap_or(10).clamp(1, 100);
    let found = state
        .run(state.config.limits.clone(), move |g, _| g.complete(&p.prefix, limit))
        .await?
        .map_err(|e| ApiError::from_library(&e, ""))?;
    let matches: Vec<serde_json::Value> = found
        .iter()
        .map(|c| json!({ "text": c.text, "entity": { "id": c.id.0, "name": c.name, "kind": c.kind } }))
        .collect();
    Ok(Json(json!({ "matches": matches })))
}

async fn entity(Shared(state): Api, Path(id): Path<u64>) -> Result<Json<serde_json::Value>, ApiError> {
    let found = state
        .run(state.config.limits.clone(), move |g, _| g.entity(EntityId(id)))
        .await?
        .map_err(|e| ApiError::from_library(&e, ""))?;
    match found {
        Some(e) => Ok(Json(subgraph::entity(&e))),
        None => Err(ApiError::not_found(format!("no entity {id}"))),
    }
}

async fn statement(Shared(state): Api, Path(id): Path<u64>) -> Result<Json<serde_json::Value>, ApiError> {
    let found = state
        .run(state.config.limits.clone(), move |g, _| subgraph::statement(g, StatementId(id)))
        .await?
        .map_err(|e| ApiError::from_library(&e, ""))?;
    if found.is_null() {
        return Err(ApiError::not_found(format!("no statement {id}")));
    }
    Ok(Json(found))
}

#[derive(Debug, Deserialize)]
struct NeighbourParams {
    limit: Option<usize>,
}

async fn neighbours(
    Shared(state): Api,
    Path(id): Path<u64>,
    Query(p): Query<NeighbourParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = p.limit.unwrap_or(200).clamp(1, 2_000);
    state
        .run(state.config.limits.clone(), move |g, _| {
            let library = |e: factgraph::Error| ApiError::from_library(&e, "");
            if g.entity(EntityId(id)).map_err(library)?.is_none() {
                return Err(ApiError::not_found(format!("no entity {id}")));
            }
            let mut sub = Subgraph::new(g, limit);
            for dir in [Direction::Out, Direction::In] {
                for edge in g.edges(Node::Entity(EntityId(id)), dir).map_err(library)? {
                    sub.add_statement(edge.statement).map_err(library)?;
                }
            }
            Ok(Json(sub.finish().map_err(library)?))
        })
        .await?
}

/// Kinds and relations with their counts, and the store's counts (`.stats`,
/// `.schema`).
async fn schema(Shared(state): Api) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .run(state.config.limits.clone(), |g, _| {
            let library = |e: factgraph::Error| ApiError::from_library(&e, "");
            let counts = g.counts().map_err(library)?;
            let kinds: Vec<serde_json::Value> =
                g.kinds().map_err(library)?.into_iter().map(|(k, n)| json!([k, n])).collect();
            let mut relations = Vec::new();
            for rel in g.relations() {
                let n = g.statements_with_relation(&rel).map_err(library)?.len();
                if n > 0 {
                    relations.push(json!([rel, n]));
                }
            }
            Ok(Json(json!({
                "counts": { "entities": counts.entities, "statements": counts.statements, "evidence": counts.evidence },
                "kinds": kinds,
                "relations": relations,
            })))
        })
        .await?
}

#[derive(Debug, Deserialize)]
struct SourcesParams {
    limit: Option<usize>,
}

/// Documents with their outlet, date and how many statements cite each
/// (`.sources`), at most `limit` (default and cap 10,000).
async fn sources(Shared(state): Api, Query(p): Query<SourcesParams>) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = p.limit.unwrap_or(10_000).clamp(1, 10_000);
    state
        .run(state.config.limits.clone(), move |g, _| {
            let library = |e: factgraph::Error| ApiError::from_library(&e, "");
            let mut out = Vec::new();
            let ids = g.entities_of_kind(factgraph::DOCUMENT_KIND).map_err(library)?;
            let truncated = ids.len() > limit;
            for id in ids.into_iter().take(limit) {
                let Some(e) = g.entity(id).map_err(library)? else { continue };
                let prop = |k: &str| e.properties.get(k).map(subgraph::value);
                out.push(json!({
                    "id": id.0,
                    "name": e.name,
                    "outlet": prop("outlet"),
                    "title": prop("title"),
                    "published": prop("published"),
                    "statements": g.statements_citing(id).map_err(library)?.len(),
                }));
            }
            Ok(Json(json!({ "sources": out, "truncated": truncated })))
        })
        .await?
}

/// The plan of each statement of a query (`.explain`).
async fn explain(Shared(state): Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let run = async {
        let req = parse_body(&state, &headers, body)?;
        let params = subgraph::params(&req.params)?;
        let text = req.query;
        state
            .run(state.config.limits.clone(), move |g, _| {
                let plans = g.explain_params(&text, &params).map_err(|e| ApiError::from_library(&e, &text))?;
                Ok::<_, ApiError>(Json(json!({ "plans": plans })).into_response())
            })
            .await?
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// Each pattern query of a text run with its operators' rows and times counted
/// (`.profile`), under the limits and write permission of `/api/query`: a query that
/// writes is refused without the write token, before anything runs.
async fn profile(Shared(state): Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let run = async {
        let (text, mut admitted, limits) = query_request(&state, &headers, body)?;
        state
            .run(limits, move |g, limits| {
                let profiles = admitted.profile(g, &text, limits)?;
                Ok::<_, ApiError>(Json(json!({ "profiles": profiles })).into_response())
            })
            .await?
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

/// Every index checked against the records (`check`).
async fn check(Shared(state): Api) -> Result<Json<serde_json::Value>, ApiError> {
    let report =
        state.run(state.config.limits.clone(), |g, _| g.check()).await?.map_err(|e| ApiError::from_library(&e, ""))?;
    Ok(Json(json!({
        "entities": report.entities,
        "statements": report.statements,
        "evidence": report.evidence,
        "index_entries": report.index_entries,
        "problems": report.problems,
    })))
}

/// A `Write` that sends what is written down a channel in chunks.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    buf: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.tx
            .blocking_send(Ok(std::mem::take(&mut self.buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

/// The whole store as the versioned JSON Lines `export` writes, streamed (`export`).
/// It is not bounded by the query deadline: an export of a large store is long by
/// nature, and a client that leaves stops it.
async fn export(Shared(state): Api) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(8);
    let graph = state.graph.clone();
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter { tx: tx.clone(), buf: Vec::new() };
        let done = graph
            .export_jsonl(&mut w)
            .map_err(|e| e.to_string())
            .and_then(|_| std::io::Write::flush(&mut w).map_err(|e| e.to_string()));
        // A failure midway must not look like a complete export: the stream ends in
        // an error, and the client sees a cut-off body (which import refuses).
        if let Err(e) = done {
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
}

/// One line of a streamed answer, whatever builds it.
mod erased {
    use super::subgraph::RowJson;

    pub(super) trait Line {
        fn write_to(&self, buf: &mut Vec<u8>) -> serde_json::Result<()>;
    }

    impl Line for serde_json::Value {
        fn write_to(&self, buf: &mut Vec<u8>) -> serde_json::Result<()> {
            serde_json::to_writer(buf, self)
        }
    }

    /// `{"row": …}`, written straight from the library's row.
    pub(super) struct RowLine<'a>(pub(super) &'a factgraph::Row);

    impl Line for RowLine<'_> {
        fn write_to(&self, buf: &mut Vec<u8>) -> serde_json::Result<()> {
            #[derive(serde::Serialize)]
            struct Wrapped<'a> {
                row: RowJson<'a>,
            }
            serde_json::to_writer(buf, &Wrapped { row: RowJson(self.0) })
        }
    }
}

/// A load by path: `.fg` scripts as one batch, or a benchmark TSV directory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadRequest {
    #[serde(default)]
    scripts: Vec<std::path::PathBuf>,
    tsv: Option<std::path::PathBuf>,
}

/// Loads files named by absolute path on the server's machine (`factgraph load`
/// through a server). Only for a server on loopback, whose clients share its file
/// system, and only with the token: the files are read with the server's rights. Not
/// bounded by the query deadline (a load is long by nature); all or nothing as a
/// load here is.
async fn load(Shared(state): Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let run = async {
        state.authorize_write(&headers)?;
        if !state.config.bind.ip().is_loopback() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only",
                "loading files by path is for a server on loopback, whose clients share its files; send writes as queries",
            ));
        }
        let body = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
        let req: LoadRequest =
            serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("the request body: {e}")))?;
        if req.scripts.iter().chain(req.tsv.iter()).any(|p| !p.is_absolute()) {
            return Err(ApiError::bad_request("paths to load must be absolute"));
        }
        let limits = Limits { deadline: None, ..state.config.limits.clone() };
        state
            .run(limits, move |g, _| {
                let library = |e: factgraph::Error| ApiError::from_library(&e, "");
                let summary = match &req.tsv {
                    Some(dir) => {
                        let s = g.load_tsv_dir(dir, &mut |_, _, _| {}).map_err(library)?;
                        json!({ "tsv": {
                            "entities": s.entities, "aliases": s.aliases, "documents": s.documents,
                            "claims": s.claims, "statements": s.statements,
                        } })
                    }
                    None => json!({ "scripts": g.load_scripts(&req.scripts).map_err(library)?.to_string() }),
                };
                Ok::<_, ApiError>(Json(summary).into_response())
            })
            .await?
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}
