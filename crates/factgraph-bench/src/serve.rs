//! The `serve` phase: `factgraph serve` under load from concurrent HTTP clients on
//! loopback (issue 14's targets). It copies the benchmark store (the writer scenario
//! writes), starts the real binary on a free port, finds it through the store's LOCK
//! note as the CLI does, and runs three scenarios of `seconds` each:
//!
//! - `points`: `clients` clients asking `who reported "NAME"` for random non-hub
//!   entities (at most `MAX_POINT_DEGREE` statements);
//! - `points_beside_long`: the same while one more client runs a three-hop count from
//!   the non-hub (every node within three statements), one after another;
//! - `points_beside_writer`: the same while a writer commits an entity every 100 ms.
//!
//! Each reports answers per second and the latency percentiles of the point
//! questions; every answer's status is checked. Bounded: time per scenario, and
//! loopback only.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use factgraph::{Direction, EntityId, Graph, Node};
use serde_json::{json, Value};

/// How the phase runs.
pub struct ServeBench<'a> {
    pub store: &'a Path,
    pub long_from: &'a str,
    pub clients: usize,
    pub seconds: u64,
}

/// The server process, killed when dropped.
struct Served {
    child: Child,
    url: String,
    token: Option<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `factgraph` binary beside this one (`cargo build --release` builds both).
fn factgraph_binary() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let bin = me.with_file_name("factgraph");
    if !bin.is_file() {
        bail!("{} is missing: build it with `cargo build --release -p factgraph-cli`", bin.display());
    }
    Ok(bin)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if entry.file_name() != "LOCK" {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn start(store: &Path) -> Result<Served> {
    let dir = tempfile::Builder::new().prefix("factgraph-serve-bench").tempdir_in(store.parent().unwrap_or(store))?;
    let copy = dir.path().join("store");
    copy_dir(store, &copy).context("copying the store")?;
    let child = Command::new(factgraph_binary()?)
        .arg("--db")
        .arg(&copy)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting factgraph serve")?;
    let mut served = Served { child, url: String::new(), token: None, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(note) = factgraph::lock_note(&copy) {
            if let Some(url) = note.lines().find_map(|l| l.strip_prefix("url ")) {
                served.url = url.trim().to_owned();
                break;
            }
        }
        if let Some(status) = served.child.try_wait()? {
            bail!("factgraph serve exited: {status}");
        }
        if Instant::now() > deadline {
            bail!("factgraph serve did not start within 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    served.token = std::fs::read_to_string(copy.join("SERVER-TOKEN")).ok().map(|t| t.trim().to_owned());
    Ok(served)
}

/// The most statements an entity of a point question has: the benchmark's non-hub
/// class (its non-hub has 4). A hub's `who reported` is thousands of rows, a report
/// rather than a point question; `run` says how many sampled entities were left out.
const MAX_POINT_DEGREE: usize = 50;

/// Names of non-hub entities spread over the store, for the point questions, and how
/// many entities the sample passed over as hubs.
fn sample_names(store: &Path, n: usize) -> Result<(Vec<String>, usize)> {
    let graph = Graph::open_read_only(store)?;
    let count = graph.counts()?.entities;
    let mut names = Vec::new();
    let mut hubs = 0;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut tries = 0;
    while names.len() < n && tries < n * 20 {
        tries += 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let id = EntityId(x % count.max(1));
        let Some(e) = graph.entity(id)? else { continue };
        if e.is_document() {
            continue;
        }
        let degree =
            graph.edges(Node::Entity(id), Direction::Out)?.len() + graph.edges(Node::Entity(id), Direction::In)?.len();
        if degree > MAX_POINT_DEGREE {
            hubs += 1;
            continue;
        }
        names.push(e.name);
    }
    if names.is_empty() {
        bail!("no entities found in {}", store.display());
    }
    Ok((names, hubs))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A keep-alive HTTP/1.1 connection that posts a query and reads the answer whole:
/// the least a client can do, so that the load generator's own work (it shares the
/// machine's two cores with the server) takes as little as it can from the server.
/// Answers must come with a `Content-Length`, as the server's JSON answers do.
struct Connection {
    stream: std::io::BufReader<std::net::TcpStream>,
    host: String,
    body: Vec<u8>,
}

impl Connection {
    fn open(url: &str) -> Result<Connection> {
        let host = url.strip_prefix("http://").context("an http:// URL")?.trim_end_matches('/').to_owned();
        let stream = std::net::TcpStream::connect(&host)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Connection { stream: std::io::BufReader::with_capacity(64 * 1024, stream), host, body: Vec::new() })
    }

    /// Posts `query` as text; the status and the body.
    fn ask(&mut self, query: &str) -> Result<(u16, &[u8])> {
        use std::io::{BufRead, Read, Write};
        let request = format!(
            "POST /query HTTP/1.1\r\nhost: {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{query}",
            self.host,
            query.len()
        );
        self.stream.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("an HTTP status line")?;
        let mut length = None;
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                bail!("the server closed the connection");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.context("an answer without Content-Length")?;
        self.body.resize(length, 0);
        self.stream.read_exact(&mut self.body)?;
        Ok((status, &self.body))
    }
}

/// Latencies of one client, in microseconds.
fn ask_points(url: &str, names: &[String], seed: u64, stop: &AtomicBool) -> Result<Vec<u32>> {
    let mut conn = Connection::open(url)?;
    let mut lat = Vec::new();
    let mut x = seed | 1;
    while !stop.load(Ordering::Relaxed) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let name = &names[(x % names.len() as u64) as usize];
        let query = format!("who reported \"{name}\"");
        let t = Instant::now();
        let (status, body) = conn.ask(&query)?;
        let us = t.elapsed().as_micros();
        if status != 200 || !body.starts_with(b"{\"results\"") {
            bail!("who reported {name:?}: {status} {}", String::from_utf8_lossy(body));
        }
        lat.push(u32::try_from(us).unwrap_or(u32::MAX));
    }
    Ok(lat)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// A client run beside the point questions until the flag is set.
type SideClient = Box<dyn FnOnce(&AtomicBool) -> Result<Value> + Send>;

/// A client beside the point questions: posts `query(n)` for n = 0, 1, … (with the
/// token, if any), one every `every` at most, until stopped; reports how many under
/// `names.0` and their times under `names.1`.
fn side_client(
    url: &str,
    token: Option<String>,
    every: Option<Duration>,
    names: (&'static str, &'static str),
    query: impl Fn(u32) -> String + Send + 'static,
) -> SideClient {
    let url = url.to_owned();
    Box::new(move |stop: &AtomicBool| {
        let agent = agent();
        let (mut n, mut ms) = (0u32, Vec::new());
        while !stop.load(Ordering::Relaxed) {
            let t = Instant::now();
            let q = query(n);
            let mut req = agent.post(format!("{url}/query")).header("content-type", "application/json");
            if let Some(token) = &token {
                req = req.header("authorization", format!("Bearer {token}"));
            }
            let mut resp = req.send(json!({ "query": q }).to_string())?;
            let text = resp.body_mut().read_to_string()?;
            if resp.status().as_u16() != 200 {
                bail!("{q}: {} {text}", resp.status());
            }
            let took = t.elapsed();
            ms.push(took.as_secs_f64() * 1e3);
            n += 1;
            if let Some(every) = every {
                std::thread::sleep(every.saturating_sub(took));
            }
        }
        Ok(json!({ names.0: n, names.1: summary(&mut ms) }))
    })
}

/// Runs one scenario: the point clients, and beside them `extra` (a long query or a
/// writer) until the time is up. The answer counts of `extra` are reported too.
fn scenario(
    served: &Served,
    names: &Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
    extra: Option<SideClient>,
) -> Result<Value> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let (url, names, stop) = (served.url.clone(), names.clone(), stop.clone());
            std::thread::spawn(move || ask_points(&url, &names, 0x1234_5678 + i as u64 * 7919, &stop))
        })
        .collect();
    let side = extra.map(|f| {
        let stop = stop.clone();
        std::thread::spawn(move || f(&stop))
    });
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.join().map_err(|_| anyhow::anyhow!("a client panicked"))??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let side = match side {
        Some(h) => h.join().map_err(|_| anyhow::anyhow!("the side client panicked"))??,
        None => Value::Null,
    };
    all.sort_unstable();
    Ok(json!({
        "answers": all.len(),
        "answers_per_s": all.len() as f64 / elapsed,
        "p50_ms": percentile(&all, 0.50),
        "p90_ms": percentile(&all, 0.90),
        "p99_ms": percentile(&all, 0.99),
        "max_ms": percentile(&all, 1.0),
        "beside": side,
    }))
}

/// Median and maximum of some timings, in milliseconds.
fn summary(ms: &mut [f64]) -> Value {
    ms.sort_by(f64::total_cmp);
    json!({ "median": ms.get(ms.len() / 2), "max": ms.last() })
}

/// Runs the phase.
pub fn run(b: &ServeBench<'_>) -> Result<Value> {
    let (names, hubs) = sample_names(b.store, 2_000)?;
    let names = Arc::new(names);
    let nonhub = b.long_from.replace('\\', "\\\\").replace('"', "\\\"");
    let served = start(b.store)?;
    // Warm up: the first answers read the store's pages from disk.
    let _ = scenario(&served, &names, b.clients, 2, None)?;

    let points = scenario(&served, &names, b.clients, b.seconds, None)?;

    // Every node within three statements of one entity (of the benchmark's non-hub:
    // 88,930 of them at M = 1M).
    let long = format!("match (a {{name: \"{nonhub}\"}})-[*1..3]-(d) return count(distinct d)");
    let long_client = side_client(&served.url, None, None, ("long_queries", "long_query_ms"), move |_| long.clone());
    let beside_long = scenario(&served, &names, b.clients, b.seconds, Some(long_client))?;

    let token = served.token.clone().context("the server wrote no SERVER-TOKEN")?;
    let writer =
        side_client(&served.url, Some(token), Some(Duration::from_millis(100)), ("commits", "commit_ms"), |n| {
            format!("entity \"serve-bench writer {n}\": Person")
        });
    let beside_writer = scenario(&served, &names, b.clients, b.seconds, Some(writer))?;
    drop(served);
    Ok(json!({
        "point_entities": names.len(),
        "point_max_degree": MAX_POINT_DEGREE,
        "hubs_passed_over": hubs,
        "clients": b.clients,
        "seconds": b.seconds,
        "points": points,
        "points_beside_long": beside_long,
        "points_beside_writer": beside_writer,
    }))
}
