//! The benchmark program: loads the shared generator's TSV into a fresh store and runs
//! the workloads of `shared/bench/README.md` through the public library API, printing
//! answers (which must equal the peers') and medians, and writing a JSON result file.
//!
//! `cargo run --release -p factgraph-bench -- --m 1000000` runs every phase, each in a
//! fresh process (load, cold open, queries), as the peers' runner does.

/// mimalloc: the store's batches allocate and free millions of small records, where
/// it measured faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod serve;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use factgraph::{Direction, Graph, Node, Walk};
use serde_json::{json, Value};

#[derive(Parser, Debug)]
#[command(about = "factgraph benchmark: the shared workloads on the shared synthetic data")]
struct Args {
    /// Statements in the data set (the generator's --m).
    #[arg(long, default_value_t = 100_000)]
    m: u64,
    /// Where data, stores and results live (the peers' runner uses the same default).
    #[arg(long, env = "BENCH_DIR", default_value = "/tmp/factgraph-bench")]
    bench_dir: PathBuf,
    /// The generator (shared/bench/gen.py), run when the data is missing.
    #[arg(long, default_value = "../shared/bench/gen.py")]
    generator: PathBuf,
    /// Which phase to run; `all` runs each in a fresh process.
    #[arg(long, value_enum, default_value_t = Phase::All)]
    phase: Phase,
    /// Time budget per query workload, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    budget_ms: u64,
    /// The engine's caches in MiB for the phases that open the loaded store
    /// (`OpenOptions::cache_bytes`); unset, the store sizes them from its files and
    /// the machine. For the trade between a query process's memory and hub queries.
    #[arg(long, value_name = "MIB")]
    cache_mib: Option<u64>,
    /// Threads a query may use (`Limits::max_threads`); 0 keeps the library's default
    /// (the machine's cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Concurrent clients of the `serve` phase.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds per scenario of the `serve` phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The `serve` phase on this store instead of the benchmark's (the showcase's,
    /// say); it is copied, not changed.
    #[arg(long, value_name = "PATH")]
    serve_store: Option<PathBuf>,
    /// Where the `serve` phase's three-hop query starts (default: the benchmark's
    /// non-hub).
    #[arg(long, value_name = "NAME")]
    long_from: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Phase {
    All,
    Load,
    /// The same load into the in-memory engine (nothing touches the disk).
    LoadMemory,
    Cold,
    /// A new process's first three-hop answer from the non-hub, open included.
    ColdHop,
    /// The same, asked in the pattern language (`count(distinct y)` within three
    /// hops): what a user's first query in a new process costs.
    ColdPattern,
    Query,
    /// The same workloads written in the pattern language (issue 10's targets).
    Pattern,
    /// `who reported` at the hub, the full listing, alone: handed over row by row, then
    /// collected; their times, and the resident memory of the process (for profiles
    /// of the one workload).
    Listing,
    /// `factgraph serve` under concurrent HTTP clients (issue 14's targets); needs the
    /// release `factgraph` binary beside this one.
    Serve,
}

struct Paths {
    data: PathBuf,
    store: PathBuf,
    results: PathBuf,
    /// `--cache-mib`, in bytes.
    cache_bytes: Option<u64>,
}

/// The loaded store, with the caches `--cache-mib` asks for.
fn open_loaded(p: &Paths) -> Result<Graph> {
    let options = factgraph::OpenOptions { create: false, cache_bytes: p.cache_bytes, ..Default::default() };
    Ok(Graph::open_with(&p.store, &options)?)
}

fn paths(args: &Args) -> Paths {
    Paths {
        data: args.bench_dir.join("data").join(format!("m{}", args.m)),
        store: args.bench_dir.join("factgraph").join(format!("m{}", args.m)),
        results: args.bench_dir.join("results").join(format!("factgraph-m{}.json", args.m)),
        cache_bytes: args.cache_mib.map(|m| m.saturating_mul(1 << 20)),
    }
}

/// Transparent huge pages off, as the `factgraph` binary has them (see
/// `huge_pages_off` there), unless `MIMALLOC_ALLOW_THP=1` asks for them.
fn huge_pages_off() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        let _ = nix::sys::prctl::set_thp_disable(true);
    }
}

/// Threads a query may use, from `--threads` (0: the library's default).
static QUERY_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The limits of the workloads whose answers are long (the hub's has more rows than
/// the default limit of 100,000), with `--threads`.
fn long_answers() -> factgraph::Limits {
    let mut limits = factgraph::Limits { max_rows: 10_000_000, ..factgraph::Limits::default() };
    match QUERY_THREADS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => {}
        n => limits.max_threads = n,
    }
    limits
}

fn main() -> Result<()> {
    huge_pages_off();
    let args = Args::parse();
    QUERY_THREADS.store(args.threads, std::sync::atomic::Ordering::Relaxed);
    let p = paths(&args);
    // Every phase but a serve on another store reads the generated data (or the store
    // loaded from it); a first run of one phase alone generates it too.
    if !(matches!(args.phase, Phase::Serve) && args.serve_store.is_some()) {
        generate(&args, &p)?;
    }
    match args.phase {
        Phase::All => run_all(&args, &p),
        Phase::Load => print_json(&load(&p)?),
        Phase::LoadMemory => print_json(&load_memory(&p)?),
        Phase::Cold => print_json(&cold(&p)?),
        Phase::ColdHop => print_json(&cold_hop(&p)?),
        Phase::ColdPattern => print_json(&cold_pattern(&p)?),
        Phase::Query => print_json(&queries(&p, Duration::from_millis(args.budget_ms))?),
        Phase::Pattern => print_json(&patterns(&p, Duration::from_millis(args.budget_ms))?),
        Phase::Listing => print_json(&listing(&p, Duration::from_millis(args.budget_ms))?),
        Phase::Serve => {
            let long_from = match &args.long_from {
                Some(n) => n.clone(),
                None => queries_json(&p)?["nonhub"]["name"].as_str().context("queries.json: nonhub")?.to_owned(),
            };
            print_json(&serve::run(&serve::ServeBench {
                store: args.serve_store.as_deref().unwrap_or(&p.store),
                long_from: &long_from,
                clients: args.clients.max(1),
                seconds: args.seconds.clamp(1, 600),
            })?)
        }
    }
}

fn print_json(v: &Value) -> Result<()> {
    println!("{}", serde_json::to_string(v)?);
    Ok(())
}

/// Runs the shared generator when the data for `--m` is missing.
fn generate(args: &Args, p: &Paths) -> Result<()> {
    if !p.data.join("queries.json").is_file() {
        eprintln!("generating data for M = {} with {}", args.m, args.generator.display());
        let status = Command::new("python3")
            .arg(&args.generator)
            .args(["--m", &args.m.to_string(), "--formats", "tsv", "--out"])
            .arg(&p.data)
            .status()
            .context("running the generator")?;
        if !status.success() {
            bail!("the generator failed");
        }
    }
    Ok(())
}

fn run_all(args: &Args, p: &Paths) -> Result<()> {
    let me = std::env::current_exe()?;
    let phase = |name: &str| -> Result<Value> {
        drop_caches();
        let out = Command::new(&me)
            .args(["--m", &args.m.to_string(), "--phase", name, "--budget-ms", &args.budget_ms.to_string()])
            .args(["--threads", &args.threads.to_string()])
            .args(args.cache_mib.iter().flat_map(|m| ["--cache-mib".to_owned(), m.to_string()]))
            .arg("--bench-dir")
            .arg(&args.bench_dir)
            .output()
            .with_context(|| format!("running phase {name}"))?;
        if !out.status.success() {
            bail!("phase {name} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let line = String::from_utf8(out.stdout)?;
        Ok(serde_json::from_str(line.trim())?)
    };
    let mut result = json!({"m": args.m});
    for name in ["load", "load-memory", "cold", "cold-hop", "cold-pattern", "query", "pattern"] {
        let v = phase(name)?;
        eprintln!("{name}: {v}");
        result[name] = v;
    }
    std::fs::create_dir_all(p.results.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&p.results, serde_json::to_string_pretty(&result)?)?;
    eprintln!("wrote {}", p.results.display());
    Ok(())
}

/// Drops the page cache when running as root (as the peers' runner does); otherwise
/// the cold figures are warm and say so.
fn drop_caches() {
    let _ = Command::new("sync").status();
    let _ = std::fs::write("/proc/sys/vm/drop_caches", "3");
}

/// Resident memory now, in kB (`VmRSS`).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The workloads written as pattern queries, through `Graph::query_params`: what a
/// Cypher user would type. Answers must equal the direct ones (and the peers').
fn patterns(p: &Paths, budget: Duration) -> Result<Value> {
    let q = queries_json(p)?;
    let graph = open_loaded(p)?;
    let s = |v: &Value| v.as_str().map(str::to_owned).context("queries.json field");
    let limits = long_answers();
    let count = |text: &str, params: &factgraph::Params| -> Result<i64> {
        let r = graph.query_params(text, params, &limits)?;
        r[0].rows[0].cells[0].as_int().context("a count")
    };
    let mut out = json!({});
    // First, while the peak is still the open store's:
    // Counting many bindings holds a counter, not the bindings: resident memory above
    // what the open store holds, for two hops of the hub's predicate from everyone.
    let hub_pred = s(&q["hub_pred"])?;
    let text = format!("match (a)-[:{hub_pred}]->(b)-[:{hub_pred}]->(c) return count(*)");
    let before = rss_kb();
    let t = Instant::now();
    let ans = count(&text, &factgraph::Params::new())?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    // The first run also fills the store's page cache (bounded, the store's own); the
    // second, on the warmed store, shows what counting itself holds.
    let first_peak = peak_rss_kb();
    // The peak is reset, so the second run's own is read.
    reset_peak();
    let warmed = rss_kb();
    let again = count(&text, &factgraph::Params::new())?;
    if again != ans {
        bail!("answer changed between runs: {ans} then {again}");
    }
    out["count_2hop_bindings"] = json!({
        "ms": ms,
        "answer": ans,
        "rss_above_open_mb": first_peak.saturating_sub(before) as f64 / 1024.0,
        "rss_above_warmed_store_mb": vm_hwm_kb().saturating_sub(warmed) as f64 / 1024.0,
    });
    for which in ["nonhub", "hub"] {
        let params = factgraph::Params::new().set("x", s(&q[which]["name"])?.as_str());
        // (d) who reported X: distinct sources of the statements touching X.
        let text = "match (x {name: $x})-[r]-() unwind sources(r) as s return count(distinct s)";
        let (us, ans) = measure(budget, || count(text, &params))?;
        out[format!("d_who_reported_count_{which}")] = workload(us, &ans);
        // (c) 1-hop, the name on the left and on the right of the pattern; rows are
        // claims (a statement made twice has two quotes), as the direct workload counts.
        let pred = s(&q[format!("{which}_pred")])?;
        let left = format!("match (x {{name: $x}})-[r:{pred}]->(o) unwind quotes(r) as q return count(q)");
        let right = format!("match (o)<-[r:{pred}]-(x {{name: $x}}) unwind quotes(r) as q return count(q)");
        let (us, ans) = measure(budget, || count(&left, &params))?;
        out[format!("c_1hop_left_{which}")] = workload(us, &ans);
        let (us, ans) = measure(budget, || count(&right, &params))?;
        out[format!("c_1hop_right_{which}")] = workload(us, &ans);
    }
    // (e) three hops from the non-hub: distinct entities other than X within 3.
    let params = factgraph::Params::new().set("x", s(&q["nonhub"]["name"])?.as_str());
    let text = "match (x {name: $x})-[*1..3]-(y) where y <> x return count(distinct y)";
    let (us, ans) = measure(budget, || count(text, &params))?;
    out["e_3hop_count_nonhub"] = workload(us, &ans);
    // Parse and plan of a point pattern.
    let params = factgraph::Params::new().set("x", s(&q["nonhub"]["name"])?.as_str());
    let (us, ans) = measure(budget, || {
        graph.validate_params("match (x {name: $x})-[r]->(o) return o.name", &params)?;
        Ok(true)
    })?;
    out["parse_plan_point_pattern"] = workload(us, &ans);
    let (us, ans) = measure(budget, || Ok(factgraph::writes("match (x {name: $x})-[r]->(o) return o.name", &params)?))?;
    out["parse_point_pattern"] = workload(us, &ans);
    out["peak_rss_mb"] = json!(peak_rss_kb().max(first_peak) as f64 / 1024.0);
    Ok(out)
}

/// `who reported` at the hub, the whole listing, alone (`--phase listing`).
fn listing(p: &Paths, budget: Duration) -> Result<Value> {
    let q = queries_json(p)?;
    let graph = open_loaded(p)?;
    let name = q["hub"]["name"].as_str().context("queries.json: hub.name")?.to_owned();
    let text = format!("who reported \"{name}\"");
    let limits = long_answers();
    let before = rss_kb();
    // Handed over row by row (`Graph::query_each`) and counted, first: its resident
    // peak is read before the collected listing's.
    let (streamed_us, streamed) = measure(budget, || {
        let mut rows = 0usize;
        graph.query_each(&text, &factgraph::Params::new(), &limits, |streamed| {
            if let factgraph::Streamed::Row(_) = streamed {
                rows += 1;
            }
            std::ops::ControlFlow::Continue(())
        })?;
        Ok(rows)
    })?;
    let streamed_peak = vm_hwm_kb();
    let (us, ans) = measure(budget, || Ok(graph.query_with(&text, &limits)?[0].rows.len()))?;
    Ok(json!({
        "d_who_reported_hub_rows": {"us": us, "answer": ans},
        "d_who_reported_hub_rows_streamed": {"us": streamed_us, "answer": streamed},
        "rss_before_mb": before as f64 / 1024.0,
        "streamed_peak_rss_mb": streamed_peak as f64 / 1024.0,
        "peak_rss_mb": peak_rss_kb() as f64 / 1024.0,
    }))
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// The process's resident memory at its peak so far, in KiB, across the resets of
/// `reset_peak`.
fn peak_rss_kb() -> u64 {
    vm_hwm_kb().max(EARLIER_PEAK_KB.load(std::sync::atomic::Ordering::Relaxed))
}

/// The peak before the last `reset_peak`.
static EARLIER_PEAK_KB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Starts measuring the resident peak afresh (Linux: `5` to `clear_refs`), keeping
/// the peak so far for `peak_rss_kb`.
fn reset_peak() {
    EARLIER_PEAK_KB.fetch_max(vm_hwm_kb(), std::sync::atomic::Ordering::Relaxed);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The resident peak since the last reset (`VmHWM`), in KiB.
fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn load(p: &Paths) -> Result<Value> {
    if p.store.exists() {
        std::fs::remove_dir_all(&p.store)?;
    }
    let t = Instant::now();
    let graph = Graph::open(&p.store)?;
    // When each phase the loader reports began, in seconds from the start: the
    // entities, aliases and sources before "statements", the commit at "writing", the
    // adjacency at "indexing".
    let mut phases = serde_json::Map::new();
    let summary = graph.load_tsv_dir(&p.data.join("tsv"), &mut |phase, _, _| {
        if !phases.contains_key(phase) {
            phases.insert(phase.to_owned(), json!(t.elapsed().as_secs_f64()));
        }
    })?;
    let secs = t.elapsed().as_secs_f64();
    let commit = graph.last_commit();
    drop(graph);
    Ok(json!({
        "phases_began_s": phases,
        "seconds": secs,
        "statements_per_s": summary.claims as f64 / secs,
        "claims": summary.claims,
        "statements": summary.statements,
        "disk_mb": dir_size(&p.store) as f64 / 1e6,
        "peak_rss_mb": peak_rss_kb() as f64 / 1024.0,
        "commit_encode_s": commit.map(|c| c.encode.as_secs_f64()),
        "commit_apply_s": commit.map(|c| c.apply.as_secs_f64()),
        "commit_flush_s": commit.map(|c| c.flush.as_secs_f64()),
        "commit_writes": commit.map(|c| c.writes),
    }))
}

/// The load into the memory engine: what the engine costs, beside `load`'s sled.
fn load_memory(p: &Paths) -> Result<Value> {
    let t = Instant::now();
    let graph = Graph::in_memory()?;
    let summary = graph.load_tsv_dir(&p.data.join("tsv"), &mut |_, _, _| {})?;
    let secs = t.elapsed().as_secs_f64();
    Ok(json!({
        "seconds": secs,
        "statements_per_s": summary.claims as f64 / secs,
        "statements": summary.statements,
        "peak_rss_mb": peak_rss_kb() as f64 / 1024.0,
    }))
}

fn queries_json(p: &Paths) -> Result<Value> {
    Ok(serde_json::from_str(&std::fs::read_to_string(p.data.join("queries.json"))?)?)
}

fn cold(p: &Paths) -> Result<Value> {
    let q = queries_json(p)?;
    let name = q["nonhub"]["name"].as_str().context("queries.json: nonhub.name")?.to_owned();
    let t = Instant::now();
    let graph = open_loaded(p)?;
    let found = graph.lookup_ids(&name)?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    Ok(json!({"open_first_lookup_ms": ms, "answer": found.first().map(|e| e.0)}))
}

/// Opens the store in a new process and answers one walk: three hops (undirected)
/// from the non-hub, the graph's shape read (or the adjacency built) on the way.
fn cold_hop(p: &Paths) -> Result<Value> {
    let q = queries_json(p)?;
    let name = q["nonhub"]["name"].as_str().context("queries.json: nonhub.name")?.to_owned();
    let t = Instant::now();
    let graph = open_loaded(p)?;
    let e = *graph.lookup_ids(&name)?.first().context("the non-hub is not in the store")?;
    let found = graph.neighbourhood(Node::Entity(e), 3)?.len();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    Ok(json!({"open_first_3hop_ms": ms, "answer": found, "peak_rss_mb": peak_rss_kb() as f64 / 1024.0}))
}

fn cold_pattern(p: &Paths) -> Result<Value> {
    let q = queries_json(p)?;
    let name = q["nonhub"]["name"].as_str().context("queries.json: nonhub.name")?.to_owned();
    let t = Instant::now();
    let graph = open_loaded(p)?;
    let params = factgraph::Params::new().set("x", name.as_str());
    let text = "match (x {name: $x})-[*1..3]-(y) where y <> x return count(distinct y)";
    let r = graph.query_params(text, &params, &factgraph::Limits::default())?;
    let found = r[0].rows[0].cells[0].as_int().context("a count")?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    Ok(json!({"open_first_pattern_ms": ms, "answer": found, "peak_rss_mb": peak_rss_kb() as f64 / 1024.0}))
}

/// Runs `f` once cold, then repeatedly for about `budget` (at least 3, at most 200
/// times) and returns the median in microseconds and the answer.
/// The resident memory at its peak during the last `measure`, in KiB: the peak is
/// reset before the workload's first run (Linux: `5` to `clear_refs`), so each
/// workload reports its own, which issue 13 asks for.
static LAST_PEAK_KB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A workload's figures: its median time, its answer, and the process's resident
/// memory at its peak while the workload ran.
fn workload<T: serde::Serialize>(us: f64, answer: &T) -> Value {
    let peak = LAST_PEAK_KB.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0;
    json!({"us": us, "answer": answer, "peak_rss_mb": peak})
}

fn measure<T: PartialEq + std::fmt::Debug>(budget: Duration, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    reset_peak();
    let first = f()?;
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 3 || (times.len() < 200 && start.elapsed() < budget) {
        let t = Instant::now();
        let v = f()?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
        if v != first {
            bail!("answer changed between runs: {first:?} then {v:?}");
        }
    }
    times.sort_by(f64::total_cmp);
    LAST_PEAK_KB.store(vm_hwm_kb(), std::sync::atomic::Ordering::Relaxed);
    Ok((times[times.len() / 2], first))
}

fn queries(p: &Paths, budget: Duration) -> Result<Value> {
    let q = queries_json(p)?;
    let graph = open_loaded(p)?;
    let s = |v: &Value| v.as_str().map(str::to_owned).context("queries.json field");
    let nonhub_name = s(&q["nonhub"]["name"])?;
    let nonhub_alias = s(&q["nonhub"]["alias"])?;
    let mut out = json!({});

    let (us, ans) = measure(budget, || Ok(graph.lookup_ids(&nonhub_name)?.first().map(|e| e.0)))?;
    out["b_name"] = workload(us, &ans);
    let (us, ans) = measure(budget, || Ok(graph.lookup_ids(&nonhub_alias)?.first().map(|e| e.0)))?;
    out["b_alias"] = workload(us, &ans);

    // Statements of an entity: the ids of every statement it is the subject or object of.
    for which in ["nonhub", "hub"] {
        let name = s(&q[which]["name"])?;
        let (us, ans) = measure(budget, || {
            let e = *graph.lookup_ids(&name)?.first().context("entity not found")?;
            let n = graph.edges(Node::Entity(e), Direction::Out)?.len()
                + graph.edges(Node::Entity(e), Direction::In)?.len();
            Ok(n)
        })?;
        out[format!("statements_of_{which}")] = workload(us, &ans);
    }
    // (c) 1-hop: one row per claim (object name, source id) for subject = X and a predicate.
    for (which, pred) in [("hub", s(&q["hub_pred"])?), ("nonhub", s(&q["nonhub_pred"])?)] {
        let name = s(&q[which]["name"])?;
        let (us, ans) = measure(budget, || {
            let e = *graph.lookup_ids(&name)?.first().context("entity not found")?;
            let Some(rel) = graph.relation_id(&pred) else { return Ok(0) };
            let mut rows = 0usize;
            for edge in graph.edges(Node::Entity(e), Direction::Out)? {
                if edge.relation != rel {
                    continue;
                }
                // The workload shows object names and documents, not quotes.
                let st = graph.statement_without_quotes(edge.statement)?.context("statement not found")?;
                let object = match st.object.node() {
                    Some(Node::Entity(o)) => graph.entity(o)?.context("entity not found")?.name,
                    _ => String::new(),
                };
                for ev in &st.evidence {
                    std::hint::black_box((&object, ev.document));
                    rows += 1;
                }
            }
            Ok(rows)
        })?;
        out[format!("c_1hop_{which}")] = workload(us, &ans);
    }
    // (e) k-hop and (f) shortest path, on the cached whole-graph adjacency. The first
    // call builds it; its time is reported apart from the medians.
    let t = Instant::now();
    let csr = graph.adjacency()?;
    out["csr_build_ms"] = json!(t.elapsed().as_secs_f64() * 1e3);
    for which in ["nonhub", "hub"] {
        let name = s(&q[which]["name"])?;
        for k in [2usize, 3] {
            let (us, ans) = measure(budget, || {
                let e = *graph.lookup_ids(&name)?.first().context("entity not found")?;
                Ok(graph.adjacency()?.within(Node::Entity(e), k, Walk::Undirected).len())
            })?;
            out[format!("e_{k}hop_{which}")] = workload(us, &ans);
        }
    }
    let (a, b) = (s(&q["path_a"]["name"])?, s(&q["path_b"]["name"])?);
    let (us, ans) = measure(budget, || {
        let x = *graph.lookup_ids(&a)?.first().context("entity not found")?;
        let y = *graph.lookup_ids(&b)?.first().context("entity not found")?;
        Ok(csr.shortest_path(Node::Entity(x), Node::Entity(y), Walk::Undirected, 12).map(|p| p.statements.len()))
    })?;
    out["f_shortest"] = workload(us, &ans);
    let path_q = format!("path from \"{a}\" to \"{b}\"");
    let (us, ans) = measure(budget, || Ok(graph.query(&path_q)?[0].rows.len()))?;
    out["f_shortest_language"] = workload(us, &ans);

    // The query language: parse + plan of a point question, and who-reported end to
    // end (distinct sources must equal the peers' d_reported answers).
    let question = format!("who reported \"{nonhub_name}\"");
    let (us, ans) = measure(budget, || {
        graph.validate(&question)?;
        Ok(true)
    })?;
    out["parse_plan_point_question"] = workload(us, &ans);
    for which in ["nonhub", "hub"] {
        let name = s(&q[which]["name"])?;
        let text = format!("who reported \"{name}\"");
        // The hub's answer has more rows than the default limit of 100,000.
        let limits = long_answers();
        // The rows handed over as they are made (`Graph::query_each`), as the CLI
        // writes them: the distinct sources are counted, no answer is held (the
        // collected listing is the `listing` phase's).
        let (us, ans) = measure(budget, || {
            let mut sources: std::collections::HashSet<String> = std::collections::HashSet::new();
            graph.query_each(&text, &factgraph::Params::new(), &limits, |streamed| {
                if let factgraph::Streamed::Row(row) = streamed {
                    if let Some(source) = row.cells.first() {
                        let source = source.to_string();
                        if !sources.contains(&source) {
                            sources.insert(source);
                        }
                    }
                }
                std::ops::ControlFlow::Continue(())
            })?;
            Ok(sources.len())
        })?;
        out[format!("d_who_reported_{which}")] = workload(us, &ans);
    }
    out["peak_rss_mb"] = json!(peak_rss_kb() as f64 / 1024.0);
    Ok(out)
}
