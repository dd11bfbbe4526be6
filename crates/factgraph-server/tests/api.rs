//! The HTTP API end to end: a real server on a free loopback port over the showcase,
//! driven by a real HTTP client — answers and their shapes, errors with spans, tokens,
//! limits, streaming, a client that leaves, and readers beside a writer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use factgraph::{Graph, Limits};
use factgraph_server::{Config, Running, Server, ServerError};
use serde_json::{json, Value};

/// The showcase's scripts, in the order the CLI loads them.
fn showcase_files() -> Vec<PathBuf> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
        .expect("the repository's data directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "fg"))
        .collect();
    files.sort();
    files
}

fn showcase() -> Arc<Graph> {
    let graph = Graph::in_memory().expect("an in-memory store");
    graph.load_scripts(&showcase_files()).expect("the showcase loads");
    Arc::new(graph)
}

const TOKEN: &str = "s3cret-token";

fn serve_with(graph: Arc<Graph>, config: Config) -> Running {
    Server::bind(graph, config).expect("the server binds").spawn()
}

fn serve() -> Running {
    serve_with(showcase(), Config { token: Some(TOKEN.to_owned()), ..Config::loopback() })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A response's status and body as JSON.
fn post(server: &Running, path: &str, body: Value, token: Option<&str>) -> (u16, Value) {
    let mut req = agent().post(format!("{}{path}", server.url())).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut resp = req.send(body.to_string()).expect("the server answers");
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON, not {text:?}: {e}")))
}

fn get(server: &Running, path: &str) -> (u16, Value) {
    let mut resp = agent().get(format!("{}{path}", server.url())).call().expect("the server answers");
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().expect("a body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON, not {text:?}: {e}")))
}

fn query(server: &Running, q: &str) -> (u16, Value) {
    post(server, "/query", json!({ "query": q }), None)
}

/// The `name`s of every entity cell in a result.
fn entity_names(result: &Value) -> Vec<String> {
    let mut names: Vec<String> = result["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["cells"].as_array().into_iter().flatten())
        .filter(|c| c["type"] == "entity")
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn health_says_ok_with_the_counts_and_how_writes_are_taken() {
    let server = serve();
    let (status, body) = get(&server, "/health");
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["writes"], "token");
    assert!(body["counts"]["statements"].as_u64().unwrap() > 100, "{body}");
}

#[test]
fn a_question_is_answered_with_typed_cells_and_the_evidence_behind_each_row() {
    let server = serve();
    let (status, body) = query(&server, r#"who reported "red notice""#);
    assert_eq!(status, 200, "{body}");
    let result = &body["results"][0];
    assert!(result["columns"].as_array().unwrap().iter().any(|c| c == "quote"), "{result}");
    assert!(entity_names(result).iter().any(|n| n == "Ali Alqasimehr"), "{result}");
    let row = &result["rows"][0];
    let citation = &row["provenance"][0];
    assert!(citation["quote"].as_str().unwrap().to_lowercase().contains("red notice"), "{row}");
    assert!(citation["document"].is_string(), "{row}");
    // Values are plain JSON, not Rust enum tags.
    let (_, counted) = query(&server, "match (n) return count(n) as n");
    assert!(counted["results"][0]["rows"][0]["cells"][0]["value"].is_u64(), "{counted}");
}

#[test]
fn a_query_as_plain_text_is_answered_too() {
    let server = serve();
    let mut resp = agent()
        .post(format!("{}/query", server.url()))
        .header("content-type", "text/plain")
        .send("sources of IRNA")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert!(!body["results"][0]["rows"].as_array().unwrap().is_empty(), "{body}");
}

#[test]
fn a_syntax_error_names_its_kind_and_points_at_its_span() {
    let server = serve();
    let (status, body) = query(&server, "match (a return a");
    assert_eq!(status, 400);
    let e = &body["error"];
    assert_eq!(e["kind"], "syntax", "{body}");
    assert_eq!(e["line"], 1);
    assert!(e["start"].as_u64().unwrap() <= e["end"].as_u64().unwrap());
    assert!(e["column"].as_u64().unwrap() >= 1);
    assert!(!e["message"].as_str().unwrap().is_empty());
    let (status, body) = query(&server, r#"describe "Nobody Anywhere At All""#);
    assert_eq!((status, body["error"]["kind"].as_str()), (400, Some("unknown_name")), "{body}");
}

#[test]
fn an_empty_or_malformed_request_is_a_bad_request_not_a_crash() {
    let server = serve();
    let (status, body) = post(&server, "/query", json!({}), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (400, Some("bad_request")));
    let (status, body) = post(&server, "/query", json!({ "query": "match (n) return n", "nonsense": 1 }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (400, Some("bad_request")));
    let (status, body) = post(&server, "/query", json!({ "query": "describe $x", "params": [1] }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (400, Some("bad_request")), "{body}");
    let (status, body) = get(&server, "/no/such/endpoint");
    assert_eq!((status, body["error"]["kind"].as_str()), (404, Some("not_found")));
}

/// A parameter may be null, or an array or object (a list or map in the query); where
/// a name is needed, a list is refused at the parameter's place.
#[test]
fn parameters_may_be_null_lists_and_maps() {
    let server = serve();
    let q = json!({
        "query": "unwind $xs as x return sum(x) as s, $m.k as k, $none is null as n",
        "params": { "xs": [1, 2, 3], "m": { "k": [true, null] }, "none": null }
    });
    let (status, body) = post(&server, "/query", q, None);
    assert_eq!(status, 200, "{body}");
    let cells = &body["results"][0]["rows"][0]["cells"];
    assert_eq!(cells[0]["value"], json!(6), "{body}");
    assert_eq!(cells[2]["value"], json!(true), "{body}");
    let (status, body) = post(&server, "/query", json!({ "query": "describe $x", "params": { "x": [1] } }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (400, Some("syntax")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("a list, where a single value is needed"), "{body}");
}

#[test]
fn parameters_are_passed_as_values_never_spliced_into_the_query() {
    let server = serve();
    let (status, body) =
        post(&server, "/query", json!({ "query": "describe $who", "params": { "who": "Trump" } }), None);
    assert_eq!(status, 200, "{body}");
    assert!(!body["results"][0]["rows"].as_array().unwrap().is_empty());
}

#[test]
fn a_write_without_the_token_or_with_a_wrong_one_is_refused_and_changes_nothing() {
    let server = serve();
    let write = json!({ "query": "entity \"Zed Zedson\": Person" });
    let (status, body) = post(&server, "/query", write.clone(), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (401, Some("unauthorized")), "{body}");
    let (status, _) = post(&server, "/query", write.clone(), Some("wrong"));
    assert_eq!(status, 401);
    let (_, found) = get(&server, "/api/complete?prefix=zed");
    assert_eq!(found["matches"], json!([]), "a refused write left nothing");
    let (status, body) = post(&server, "/query", write, Some(TOKEN));
    assert_eq!(status, 200, "{body}");
    let (_, found) = get(&server, "/api/complete?prefix=zed");
    assert_eq!(found["matches"][0]["text"], "Zed Zedson", "the write is seen by the next read");
}

#[test]
fn a_read_only_server_refuses_writes_whatever_the_token() {
    let server =
        serve_with(showcase(), Config { token: Some(TOKEN.to_owned()), read_only: true, ..Config::loopback() });
    let (status, body) = post(&server, "/query", json!({ "query": "entity \"Zed\": Person" }), Some(TOKEN));
    assert_eq!((status, body["error"]["kind"].as_str()), (403, Some("read_only")));
    let (status, _) = query(&server, "match (n) return count(n)");
    assert_eq!(status, 200, "reads still work");
}

#[test]
fn a_server_without_a_token_takes_no_writes() {
    let server = serve_with(showcase(), Config::loopback());
    let (status, body) = post(&server, "/query", json!({ "query": "entity \"Zed\": Person" }), Some("anything"));
    assert_eq!((status, body["error"]["kind"].as_str()), (403, Some("read_only")));
    assert_eq!(get(&server, "/health").1["writes"], "refused");
}

#[test]
fn listening_beyond_loopback_without_a_token_is_refused() {
    let config = Config { bind: "0.0.0.0:0".parse().unwrap(), ..Config::loopback() };
    match Server::bind(showcase(), config) {
        Err(ServerError::OpenWithoutToken(_)) => {}
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a server open to the network with no token"),
    }
}

#[test]
fn a_body_over_the_cap_is_refused_with_a_json_error() {
    let server = serve_with(showcase(), Config { max_body: 4096, ..Config::loopback() });
    let big = "x".repeat(10_000);
    let (status, body) = post(&server, "/query", json!({ "query": big }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (413, Some("too_large")), "{body}");
}

/// A query with a great many bindings: long enough to meet any short deadline.
const SLOW: &str = "match (a), (b), (c), (d), (e) return count(*)";

#[test]
fn a_query_past_its_deadline_stops_with_a_timeout() {
    let server = serve();
    let started = Instant::now();
    let (status, body) = post(&server, "/query", json!({ "query": SLOW, "timeout_ms": 50 }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (504, Some("timeout")), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10), "it stopped near its deadline");
}

#[test]
fn a_request_may_lower_the_row_cap_but_not_raise_it() {
    let config = Config { limits: Limits { max_rows: 5, ..Config::loopback().limits }, ..Config::loopback() };
    let server = serve_with(showcase(), config);
    let (status, body) = post(&server, "/query", json!({ "query": "match (n) return n.name", "max_rows": 1000 }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (422, Some("limit")), "{body}");
    let (status, _) = post(&server, "/query", json!({ "query": "match (n) return n.name limit 3" }), None);
    assert_eq!(status, 200);
}

#[test]
fn a_query_past_the_servers_memory_budget_is_422_resource_exhausted() {
    let config = Config { limits: Limits { max_memory: 64 << 10, ..Config::loopback().limits }, ..Config::loopback() };
    let server = serve_with(showcase(), config);
    let query = "unwind range(1, 5000) as i return 'row ' + toString(i) as r order by r desc";
    let (status, body) = post(&server, "/query", json!({ "query": query }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (422, Some("resource_exhausted")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("64 KiB"), "{body}");
    let (status, _) = post(&server, "/query", json!({ "query": "match (n) return n.name limit 3" }), None);
    assert_eq!(status, 200);
}

#[test]
fn a_large_answer_streams_as_json_lines_with_a_header_rows_and_an_end() {
    let server = serve();
    let mut resp = agent()
        .post(format!("{}/query", server.url()))
        .header("accept", "application/x-ndjson")
        .header("content-type", "application/json")
        .send(json!({ "query": "match (n) return n.name; sources of IRNA" }).to_string())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers().get("content-type").unwrap(), "application/x-ndjson");
    let text = resp.body_mut().read_to_string().unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert!(lines[0]["result"]["columns"].is_array(), "{}", lines[0]);
    let rows = lines.iter().filter(|l| l.get("row").is_some()).count();
    let ends: Vec<&Value> = lines.iter().filter(|l| l.get("end").is_some()).collect();
    assert_eq!(ends.len(), 2, "one end per statement of the script");
    let counted: u64 = ends.iter().map(|e| e["end"]["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows as u64, counted);
    assert!(lines.last().unwrap().get("done").is_some());
}

/// How many queries the server is running, from `/health`.
fn running(server: &Running) -> u64 {
    get(server, "/health").1["running"].as_u64().unwrap()
}

#[test]
fn a_client_that_disconnects_cancels_its_query() {
    let server = serve();
    let body = json!({ "query": SLOW }).to_string();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    write!(
        stream,
        "POST /query HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(&server) == 0 {
        assert!(Instant::now() < deadline, "the query never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(stream);
    // Far sooner than the 30 s deadline: the query noticed that nobody waits for it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(&server) > 0 {
        assert!(Instant::now() < deadline, "the query ran on after its client left");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_client_that_stops_reading_a_stream_leaves_the_server_answering_others() {
    let server = serve();
    let body = json!({ "query": "match (a), (b) return a.name, b.name" }).to_string();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    write!(
        stream,
        "POST /query HTTP/1.1\r\nhost: x\r\naccept: application/x-ndjson\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut first = [0u8; 512];
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let n = stream.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    drop(stream);
    let (status, _) = query(&server, "match (n) return count(n)");
    assert_eq!(status, 200);
}

#[test]
fn completion_finds_names_and_aliases_by_any_word() {
    let server = serve();
    let (status, body) = get(&server, "/api/complete?prefix=Trum&limit=5");
    assert_eq!(status, 200);
    // A canonical name that starts with the prefix ("Trump administration") comes before
    // an alias ("Trump", of Donald Trump); both are found.
    let found: Vec<(String, String)> = body["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["text"].as_str().unwrap().to_owned(), m["entity"]["name"].as_str().unwrap().to_owned()))
        .collect();
    assert!(found.contains(&("Trump".into(), "Donald Trump".into())), "{body}");
    assert!(found.contains(&("Trump administration".into(), "Trump administration".into())), "{body}");
    let (_, none) = get(&server, &format!("/api/complete?prefix={}", "a".repeat(5000)));
    assert_eq!(none["matches"], json!([]), "an overlong prefix is no name");
}

#[test]
fn an_entity_a_statement_and_a_neighbourhood_are_served_by_id() {
    let server = serve();
    let (_, found) = get(&server, "/api/complete?prefix=Interpol&limit=1");
    let id = found["matches"][0]["entity"]["id"].as_u64().unwrap();
    let (status, entity) = get(&server, &format!("/api/entities/{id}"));
    assert_eq!(status, 200);
    assert_eq!(entity["name"], "Interpol");
    let (status, around) = get(&server, &format!("/api/entities/{id}/neighbours?limit=500"));
    assert_eq!(status, 200);
    let edges = around["edges"].as_array().unwrap();
    assert!(!edges.is_empty());
    let sid = edges[0]["statement"].as_u64().unwrap();
    let (status, st) = get(&server, &format!("/api/statements/{sid}"));
    assert_eq!(status, 200);
    let ev = &st["evidence"][0];
    assert!(ev["quote"].as_str().is_some_and(|q| !q.is_empty()), "{st}");
    assert!(ev["document"].is_string());
    assert_eq!(get(&server, "/api/entities/999999").0, 404);
    assert_eq!(get(&server, "/api/statements/999999").0, 404);
}

#[test]
fn the_graph_of_who_reported_red_notice_shows_the_outlets_that_answer() {
    let server = serve();
    let (status, g) = post(&server, "/graph", json!({ "query": r#"who reported "red notice""# }), None);
    assert_eq!(status, 200, "{g}");
    let nodes = g["nodes"].as_array().unwrap();
    let names: Vec<&str> = nodes.iter().filter_map(|n| n["name"].as_str()).collect();
    assert!(names.contains(&"red notice"), "{names:?}");
    assert!(names.contains(&"Sky News"), "the outlet that answers is drawn: {names:?}");
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
    for e in g["edges"].as_array().unwrap() {
        assert!(ids.contains(&e["source"].as_str().unwrap()), "edge {e} starts at a node");
        assert!(ids.contains(&e["target"].as_str().unwrap()), "edge {e} ends at a node");
    }
    let claim = g["edges"].as_array().unwrap().iter().find(|e| e["relation"] == "requested").expect("the request");
    assert!(claim["sources"].as_array().unwrap().iter().any(|s| s == "Sky News"), "{claim}");
}

#[test]
fn dot_of_a_query_and_of_the_whole_store() {
    let server = serve();
    for body in [json!({ "query": r#"who reported "red notice""# }), json!({})] {
        let mut resp = agent()
            .post(format!("{}/dot", server.url()))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let dot = resp.body_mut().read_to_string().unwrap();
        assert!(dot.starts_with("digraph"), "{dot}");
    }
}

#[test]
fn cors_headers_are_sent_only_to_origins_named() {
    let server = serve();
    let resp = agent().get(format!("{}/health", server.url())).header("origin", "http://evil.example").call().unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let server =
        serve_with(showcase(), Config { cors: vec!["http://newsroom.example".to_owned()], ..Config::loopback() });
    let resp =
        agent().get(format!("{}/health", server.url())).header("origin", "http://newsroom.example").call().unwrap();
    assert_eq!(resp.headers().get("access-control-allow-origin").unwrap(), "http://newsroom.example");
}

#[test]
fn the_browser_view_is_served_at_the_root() {
    let server = serve();
    let mut resp = agent().get(server.url()).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html"));
    assert!(resp.body_mut().read_to_string().unwrap().to_lowercase().starts_with("<!doctype html"));
    assert_eq!(get(&server, "/assets/../Cargo.toml").0, 404);
}

#[test]
fn readers_beside_a_writer_all_get_answers_and_every_write_is_seen() {
    let server = serve();
    let url = server.url();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut answered = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let mut resp = agent
                        .post(format!("{url}/query"))
                        .header("content-type", "text/plain")
                        .send(r#"who reported "red notice""#)
                        .unwrap();
                    assert_eq!(resp.status().as_u16(), 200, "{}", resp.body_mut().read_to_string().unwrap());
                    answered += 1;
                }
                answered
            })
        })
        .collect();
    let writes = 20;
    for i in 0..writes {
        let (status, body) =
            post(&server, "/query", json!({ "query": format!("entity \"Writer Probe {i}\": Person") }), Some(TOKEN));
        assert_eq!(status, 200, "{body}");
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answered: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(answered > 0);
    let (_, found) = get(&server, "/api/complete?prefix=writer%20probe&limit=100");
    assert_eq!(found["matches"].as_array().unwrap().len(), writes, "every acknowledged write is there");
}

/// Each cell as text, as the CLI prints it.
fn shown(results: &[factgraph::QueryResult]) -> Vec<Vec<String>> {
    results.iter().flat_map(|r| r.rows.iter().map(|row| row.cells.iter().map(ToString::to_string).collect())).collect()
}

#[test]
fn the_client_gets_the_same_answers_as_the_library() {
    let graph = showcase();
    let server = serve_with(graph.clone(), Config::loopback());
    let client = factgraph_server::Client::new(&server.url());
    for q in [
        r#"who reported "red notice""#,
        "sources of IRNA",
        "match (a)-[r:accused]->(b) return a.name, b.name, r",
        "match (n) return count(n) as n, collect(n.name)[0..3] as some",
        r#"path from Soleimani to Interpol"#,
    ] {
        let local = graph.query(q).unwrap();
        let remote = client.query(q, &factgraph::Params::new(), None).unwrap();
        assert_eq!(shown(&remote), shown(&local), "{q}");
        assert_eq!(remote[0].columns, local[0].columns, "{q}");
        let cited = |r: &[factgraph::QueryResult]| {
            r.iter().flat_map(|r| &r.rows).map(|r| r.provenance.clone()).collect::<Vec<_>>()
        };
        assert_eq!(cited(&remote), cited(&local), "{q}");
    }
    let e = client.query("match (a return a", &factgraph::Params::new(), None).unwrap_err();
    assert_eq!((e.status, e.kind.as_str()), (Some(400), "syntax"));
    assert!(e.span.is_some());
}

#[test]
fn the_client_reads_schema_sources_plans_checks_and_exports() {
    let graph = showcase();
    let server = serve_with(graph.clone(), Config::loopback());
    let client = factgraph_server::Client::new(&server.url());
    let schema = client.schema().unwrap();
    assert_eq!(schema.counts, graph.counts().unwrap());
    assert!(schema.relations.iter().any(|(r, n)| r == "accused" && *n > 0));
    let sources = client.sources().unwrap();
    assert_eq!(sources.len(), 5, "the showcase's five articles");
    assert!(!client.explain("match (a)-[:accused]->(b) return b", &factgraph::Params::new()).unwrap().is_empty());
    // A parameter's value is what the plan starts from, as the query would run.
    let params = factgraph::Params::new().set("who", "Interpol");
    let plan = client.explain("match (a {name: $who})-[r]->(b) return b", &params).unwrap().join("\n");
    assert!(plan.contains("by the name \"Interpol\""), "{plan}");
    assert!(client.check().unwrap().is_ok());
    let mut remote = Vec::new();
    client.export(&mut remote).unwrap();
    let mut local = Vec::new();
    graph.export_jsonl(&mut local).unwrap();
    assert_eq!(
        String::from_utf8(remote).unwrap(),
        String::from_utf8(local).unwrap(),
        "the export is byte for byte the same"
    );
}

/// `.profile` through a server: a reading query's operators with their rows; one that
/// writes is refused without the token, before anything runs, and runs with it.
#[test]
fn a_profile_through_the_server_counts_rows_and_needs_the_token_to_write() {
    let server = serve();
    let (status, body) = post(&server, "/api/profile", json!({"query": "match (a)-[:accused]->(b) return b"}), None);
    assert_eq!(status, 200, "{body}");
    let text = body["profiles"][0].as_str().unwrap();
    assert!(text.contains("rows") && text.contains("match"), "{text}");
    let write = json!({"query": "match (a {name: 'Interpol'}) set a.profiled = 1"});
    let (status, body) = post(&server, "/api/profile", write.clone(), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (401, Some("unauthorized")), "{body}");
    let (_, body) = post(&server, "/query", json!({"query": "match (a) where a.profiled = 1 return count(a)"}), None);
    assert_eq!(body["results"][0]["rows"][0]["cells"][0]["value"], json!(0), "nothing was written: {body}");
    let (status, body) = post(&server, "/api/profile", write, Some(TOKEN));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_client_of_no_server_says_it_cannot_reach_it() {
    let client = factgraph_server::Client::new("http://127.0.0.1:9");
    let e = client.health().unwrap_err();
    assert_eq!((e.status, e.kind.as_str()), (None, "io"));
    assert!(e.message.contains("cannot reach"), "{e}");
}

#[test]
fn a_load_by_path_needs_the_token_and_absolute_paths() {
    let server = serve_with(
        Arc::new(Graph::in_memory().unwrap()),
        Config { token: Some(TOKEN.to_owned()), ..Config::loopback() },
    );
    let files: Vec<String> = showcase_files().iter().map(|p| p.display().to_string()).collect();
    let (status, body) = post(&server, "/api/load", json!({ "scripts": files }), None);
    assert_eq!((status, body["error"]["kind"].as_str()), (401, Some("unauthorized")));
    let (status, body) = post(&server, "/api/load", json!({ "scripts": ["data/00-documents.fg"] }), Some(TOKEN));
    assert_eq!((status, body["error"]["kind"].as_str()), (400, Some("bad_request")), "{body}");
    let (status, body) = post(&server, "/api/load", json!({ "scripts": files }), Some(TOKEN));
    assert_eq!(status, 200, "{body}");
    assert!(body["scripts"].as_str().unwrap().contains("statements"), "{body}");
    assert!(get(&server, "/health").1["counts"]["statements"].as_u64().unwrap() > 100);
}

#[test]
fn the_graph_view_marks_statements_in_conflict_and_only_those() {
    let server = serve();
    let (status, g) = post(&server, "/graph", json!({ "query": "conflicts" }), None);
    assert_eq!(status, 200, "{g}");
    let edges = g["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["conflict"] == true), "the conflicts' statements are marked: {g}");
    let (_, quiet) = post(&server, "/graph", json!({ "query": r#"who is Soleimani"# }), None);
    for e in quiet["edges"].as_array().unwrap().iter().filter(|e| e["kind"] == "statement") {
        assert!(e["conflict"].is_boolean(), "{e}");
    }
}

#[test]
fn a_participant_is_served_by_its_name_in_cells_and_statements() {
    let server = serve();
    let (status, answer) =
        query(&server, "match (a)-[r:requested-help-from]->(b) return r, id(r) as id, r.for.name as for");
    assert_eq!(status, 200, "{answer}");
    let row = &answer["results"][0]["rows"][0];
    let text = row.to_string();
    assert!(text.contains("\"for\":\"Donald Trump\""), "the cell's qualifiers name him: {text}");
    assert!(text.contains("Donald Trump"), "{text}");
    let sid = answer["results"][0]["rows"][0]["cells"][1]["value"].as_u64().unwrap_or_else(|| panic!("{answer}"));
    let (status, st) = get(&server, &format!("/api/statements/{sid}"));
    assert_eq!(status, 200);
    assert_eq!(st["qualifiers"]["for"], "Donald Trump", "{st}");
}
