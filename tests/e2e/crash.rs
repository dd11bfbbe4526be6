//! Kills at named moments: the store's crash points (`FACTGRAPH_CRASH_AT`, compiled
//! into test builds of the binary only) abort the process there, as `kill -9` or a
//! power cut would. Whatever the moment, the store is then either absent or complete
//! with every commit whole, and the next run works and leaves no temporary behind.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::{factgraph, text};

/// The crash points of creating a store, in order (the store's `failpoint::POINTS`).
const CREATION: &[&str] = &[
    "create:dir",
    "create:lock",
    "create:marker",
    "create:engine",
    "create:filled",
    "create:closed",
    "create:renamed",
];

/// The crash points of a commit.
const COMMIT: &[&str] = &["commit:applied", "commit:flushed"];

/// Runs the binary with `FACTGRAPH_CRASH_AT=point` and checks that it died there.
fn crash_at(point: &str, mut cmd: Command) {
    let out: Output = cmd.env("FACTGRAPH_CRASH_AT", point).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), None, "{point}: the process was not stopped there: {}", text(&out.stderr));
}

/// The binary on the default store at `db` (through `FACTGRAPH_DB`).
fn default_store(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factgraph"));
    c.env("FACTGRAPH_DB", db).env("NO_COLOR", "1").args(args);
    c
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// `stats` of an existing store (never creating one), or `None` when there is none.
fn stats_if_there(db: &Path) -> Option<String> {
    if !db.exists() {
        return None;
    }
    let out = factgraph(db, &["stats"], "");
    assert!(out.status.success(), "{} does not open: {}", db.display(), text(&out.stderr));
    let check = factgraph(db, &["check"], "");
    assert!(check.status.success(), "{} fails its check: {}", db.display(), text(&check.stdout));
    Some(text(&out.stdout))
}

/// A kill at any moment of the first run leaves no default store (the next run
/// creates it with the showcase) or the default store with the whole showcase; never
/// an empty one, which the showcase would then never reach.
#[test]
fn a_kill_while_creating_the_default_store_leaves_none_or_the_whole_showcase() {
    let reference = tempfile::tempdir().unwrap();
    let out = default_store(&reference.path().join("default"), &["stats"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let showcase = text(&out.stdout);
    assert!(!showcase.contains("statements\t0"), "{showcase}");
    for point in CREATION.iter().chain(COMMIT) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("default");
        crash_at(point, default_store(&db, &["-c", ".stats"]));
        match stats_if_there(&db) {
            None => assert_ne!(*point, "create:renamed", "renamed, so it is there"),
            Some(stats) => {
                assert_eq!(*point, "create:renamed", "a store appeared before it was complete");
                assert_eq!(stats, showcase, "{point}");
            }
        }
        // The next run creates it (or opens it) with the showcase, and cleans up.
        let out = default_store(&db, &["stats"]).output().unwrap();
        assert!(out.status.success(), "{point}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), showcase, "{point}");
        assert_eq!(names(dir.path()), vec!["default"], "{point}: leftovers");
    }
}

/// A store created by `load` and killed while created or while the load commits is
/// absent, or present with none or all of the load.
#[test]
fn a_kill_while_creating_a_store_with_load_leaves_none_or_a_whole_one() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let reference = tempfile::tempdir().unwrap();
    let loaded = {
        let db = reference.path().join("db");
        assert!(factgraph(&db, &["load", data], "").status.success());
        stats_if_there(&db).unwrap()
    };
    let empty = {
        let db = reference.path().join("empty");
        assert!(factgraph(&db, &["-c", "entity Alpha: Thing"], "").status.success());
        stats_if_there(&db).unwrap().replace("entities\t1", "entities\t0").replace("kinds\t1", "kinds\t0")
    };
    for point in CREATION.iter().chain(COMMIT) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_factgraph"));
        cmd.arg("--db").arg(&db).args(["load", data]);
        crash_at(point, cmd);
        let stats = stats_if_there(&db);
        match *point {
            "commit:flushed" => assert_eq!(stats.as_deref(), Some(loaded.as_str()), "{point}: durable once flushed"),
            "create:renamed" => assert_eq!(stats.as_deref(), Some(empty.as_str()), "{point}"),
            "commit:applied" => assert!(
                stats.as_deref() == Some(empty.as_str()) || stats.as_deref() == Some(loaded.as_str()),
                "{point}: half a load: {stats:?}"
            ),
            _ => assert_eq!(stats, None, "{point}: a store appeared before it was complete"),
        }
        // Loading again works and leaves only the store.
        let out = factgraph(&db, &["load", data], "");
        assert!(out.status.success(), "{point}: {}", text(&out.stderr));
        assert_eq!(names(dir.path()), vec!["db"], "{point}: leftovers");
    }
}

/// The commands of a sweep run: forty commits, each acknowledged on its own line.
fn commits() -> Vec<String> {
    (1..=40).flat_map(|i| ["-c".to_string(), format!("entity \"Sweep {i}\": Thing")]).collect()
}

/// What a killed run left: `None` when there is no store, else its entity count,
/// after checking that it opens and that its indexes agree with its records.
fn entities_if_there(db: &Path) -> Option<u64> {
    let stats = stats_if_there(db)?;
    let line = stats.lines().find_map(|l| l.strip_prefix("entities\t")).expect("an entities line");
    Some(line.parse().unwrap())
}

/// Commits acknowledged on standard output before the kill.
fn acknowledged(stdout: &[u8]) -> u64 {
    text(stdout).lines().filter(|l| l.starts_with("written:")).count() as u64
}

/// A sweep of kills at many moments, kept within a minute in a debug build: at the
/// nth commit's crash points on an existing store, and at random times (SIGKILL)
/// while a store is created and written to. Every store opens and checks clean
/// afterwards, holds every commit acknowledged before the kill and at most the one
/// under way, whole; a store killed while being created is absent or empty.
#[test]
fn a_sweep_of_kills_never_loses_an_acknowledged_commit_or_bricks_a_store() {
    let started = std::time::Instant::now();
    let commits = commits();
    let commits: Vec<&str> = commits.iter().map(String::as_str).collect();
    let mut runs = 0;
    for point in COMMIT {
        for nth in 1..=6 {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("db");
            assert!(factgraph(&db, &["-c", "entity Seed: Thing"], "").status.success());
            let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
                .arg("--db")
                .arg(&db)
                .args(&commits)
                .env("FACTGRAPH_CRASH_AT", format!("{point}#{nth}"))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), None, "{point}#{nth}: not stopped: {}", text(&out.stderr));
            let acked = acknowledged(&out.stdout);
            assert_eq!(acked, nth - 1, "{point}#{nth}");
            let found = entities_if_there(&db).expect("the store is there") - 1;
            match *point {
                // Flushed but not yet acknowledged: durable.
                "commit:flushed" => assert_eq!(found, nth, "{point}#{nth}"),
                _ => assert!(found == acked || found == acked + 1, "{point}#{nth}: {found} of {acked} acknowledged"),
            }
            runs += 1;
        }
    }
    // Random moments: the seed is printed, so a failure can be replayed.
    let seed = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64 | 1
    });
    eprintln!("random kills with CRASH_SEED={seed}");
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // Kill within the time a whole run takes here, so the moments cover it.
    let whole = {
        let dir = tempfile::tempdir().unwrap();
        let t = std::time::Instant::now();
        assert!(factgraph(&dir.path().join("db"), &commits, "").status.success());
        t.elapsed().as_millis().max(1) as u64
    };
    let budget = std::time::Duration::from_secs(45);
    // How many runs left no store, and how many left each number of commits.
    let mut seen = std::collections::BTreeMap::<Option<u64>, usize>::new();
    while started.elapsed() < budget && runs < 60 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .arg("--db")
            .arg(&db)
            .args(&commits)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(next() % whole));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let acked = acknowledged(&out.stdout);
        let found = entities_if_there(&db);
        *seen.entry(found).or_default() += 1;
        match found {
            None => assert_eq!(acked, 0, "seed {seed}: acknowledged commits but no store"),
            Some(found) => assert!(
                found == acked || found == acked + 1,
                "seed {seed}: {found} entities, {acked} commits acknowledged"
            ),
        }
        let leftovers: Vec<String> = names(dir.path()).into_iter().filter(|n| n != "db").collect();
        if !leftovers.is_empty() {
            // A creation killed part-way: the next one clears its temporary.
            assert!(leftovers.iter().all(|n| n.starts_with(".db.creating-")), "seed {seed}: {leftovers:?}");
            assert!(factgraph(&db, &["-c", "entity After: Thing"], "").status.success());
            assert_eq!(names(dir.path()), vec!["db"], "seed {seed}");
        }
        runs += 1;
    }
    eprintln!("random kills left (entities → runs, None: no store): {seen:?}");
    assert!(runs >= 30, "only {runs} runs in the time");
}

/// A store created inside an existing empty directory (made in place, the directory
/// kept): a kill at any moment leaves a complete store, or a directory that says it
/// holds an interrupted creation, which the next write clears.
#[test]
fn a_kill_while_creating_in_an_empty_directory_leaves_it_unfinished_or_whole() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    for point in CREATION.iter().chain(COMMIT) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir(&db).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_factgraph"));
        cmd.arg("--db").arg(&db).args(["load", data]);
        crash_at(point, cmd);
        let out = factgraph(&db, &["stats"], "");
        let complete = out.status.success();
        if !complete {
            assert!(text(&out.stderr).contains("interrupted creation"), "{point}: {}", text(&out.stderr));
        }
        match *point {
            "create:renamed" | "commit:applied" | "commit:flushed" => assert!(complete, "{point}"),
            _ => assert!(!complete, "{point}: a store before its marker was in place"),
        }
        let out = factgraph(&db, &["load", data], "");
        assert!(out.status.success(), "{point}: {}", text(&out.stderr));
        // The store, and what the load derived for later processes beside it.
        assert_eq!(
            names(&db),
            vec!["FACTGRAPH", "LOCK", "adjacency.csr", "kept-source-names", "kept-withdrawn", "sled"],
            "{point}"
        );
        assert!(factgraph(&db, &["check"], "").status.success(), "{point}");
    }
}

/// A benchmark-format TSV directory of `n` statements over 200 entities and 20
/// sources, every fifth statement repeating an earlier claim from another source; 600
/// distinct claims in all, so most statements merge into earlier ones as evidence.
fn tsv_dir(dir: &Path, n: usize) {
    use std::fmt::Write as _;
    let mut entities = String::from("id\tname\ttype\n");
    let mut aliases = String::from("entity_id\talias\n");
    for i in 0..200 {
        writeln!(entities, "{i}\tEntity {i}\tThing").unwrap();
        writeln!(aliases, "{i}\tE{i}").unwrap();
    }
    let mut sources = String::from("id\turl\tdate\ttitle\n");
    for i in 0..20 {
        writeln!(sources, "{i}\thttps://news.example/{i}\t2024-01-02\tStory {i}").unwrap();
    }
    let mut statements = String::from("id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n");
    for i in 0..n {
        let j = if i % 5 == 4 { i / 2 } else { i };
        let rel = ["met", "called", "visited"][j % 3];
        writeln!(statements, "{i}\t{}\t{rel}\t{}\t{}\tsaid so in words number {i}", j % 200, (j * 7 + 1) % 200, i % 20)
            .unwrap();
    }
    for (name, text) in
        [("entities.tsv", entities), ("aliases.tsv", aliases), ("sources.tsv", sources), ("statements.tsv", statements)]
    {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A load large enough to write its records ahead of its commit (made so with a
/// small `FACTGRAPH_SPILL_BYTES`, read by test builds only), killed at several
/// moments while it writes ahead and while it commits: the store is the one before
/// the load, or (once the commit is flushed) the one after it; it opens and checks
/// clean, and the same load then succeeds.
#[test]
fn a_load_killed_while_writing_ahead_of_its_commit_leaves_the_store_before_or_after_it() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let tsv = tempfile::tempdir().unwrap();
    tsv_dir(tsv.path(), 3000);
    let tsv = tsv.path().to_str().unwrap();
    let spilling = |db: &Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_factgraph"));
        // Batches applied in parts of a few writes each.
        cmd.arg("--db")
            .arg(db)
            .args(["load", tsv])
            .env("FACTGRAPH_SPILL_BYTES", "20000")
            .env("FACTGRAPH_APPLY_BYTES", "4000");
        cmd
    };
    let reference = tempfile::tempdir().unwrap();
    let (before, after) = {
        let db = reference.path().join("db");
        assert!(factgraph(&db, &["load", data], "").status.success());
        let before = stats_if_there(&db).unwrap();
        let out = spilling(&db).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        (before, stats_if_there(&db).unwrap())
    };
    assert_ne!(before, after);
    // Batches written ahead while it reads, and then by its commit.
    for point in [
        "spill:part-applied#1",
        "spill:applied#1",
        "spill:part-applied#6",
        "spill:applied#3",
        "spill:applied#7",
        "commit:applied",
        "commit:flushed",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        assert!(factgraph(&db, &["load", data], "").status.success());
        crash_at(point, spilling(&db));
        let stats = stats_if_there(&db).expect("the store is there");
        match point {
            "commit:flushed" => assert_eq!(stats, after, "{point}: durable once flushed"),
            "commit:applied" => assert!(stats == before || stats == after, "{point}: part of a load: {stats}"),
            _ => assert_eq!(stats, before, "{point}: part of a load is visible"),
        }
        if stats == before {
            let out = spilling(&db).output().unwrap();
            assert!(out.status.success(), "{point}: {}", text(&out.stderr));
            assert_eq!(stats_if_there(&db).unwrap(), after, "{point}: loading again");
        }
    }
}
