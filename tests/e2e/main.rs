//! End-to-end tests: the real `factgraph` binary on real stores in temp directories.

mod terminal;
mod transcript;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn factgraph(db: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run factgraph");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A tiny TSV directory in the benchmark generator's format.
fn tsv(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("entities.tsv"),
        "id\tname\ttype\n0\tAlpha One\tPerson\n1\tBeta Two\tPlace\n2\tGamma\tTopic\n",
    )
    .unwrap();
    std::fs::write(dir.join("aliases.tsv"), "entity_id\talias\n0\tAlfa\n").unwrap();
    std::fs::write(dir.join("sources.tsv"), "id\turl\tdate\ttitle\n0\thttps://news.example/a/0\t2024-01-01\tA title\n")
        .unwrap();
    std::fs::write(
        dir.join("statements.tsv"),
        "id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n0\t0\tvisited\t1\t0\tthe minister said\n1\t0\tvisited\t1\t0\tthe minister said\n2\t2\tlocated_in\t1\t0\tcourt ruled\n",
    )
    .unwrap();
}

#[test]
fn load_stats_check_export_import_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    tsv(&tmp.path().join("tsv"));
    let out = factgraph(&db, &["load", tmp.path().join("tsv").to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3 claims as 2 new statements"), "{}", text(&out.stdout));
    let out = factgraph(&db, &["stats"], "");
    assert_eq!(text(&out.stdout), "entities\t4\nstatements\t2\nevidence\t2\nrelations\t2\nkinds\t4\n");
    let out = factgraph(&db, &["check"], "");
    assert!(out.status.success() && text(&out.stdout).contains("ok"));
    let dump = tmp.path().join("dump.jsonl");
    assert!(factgraph(&db, &["export", "-o", dump.to_str().unwrap()], "").status.success());
    let db2 = tmp.path().join("db2");
    let out = factgraph(&db2, &["import", dump.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again = tmp.path().join("again.jsonl");
    assert!(factgraph(&db2, &["export", "-o", again.to_str().unwrap()], "").status.success());
    assert_eq!(std::fs::read(&dump).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn a_malformed_load_leaves_the_store_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let dir = tmp.path().join("tsv");
    tsv(&dir);
    assert!(factgraph(&db, &["load", dir.to_str().unwrap()], "").status.success());
    let before = factgraph(&db, &["export"], "").stdout;
    // The last line refers to a missing entity: the whole file must be refused.
    std::fs::write(
        dir.join("statements.tsv"),
        "id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n0\t2\tvisited\t0\t0\tnew claim\n1\t0\tvisited\t99\t0\tbroken\n",
    )
    .unwrap();
    let out = factgraph(&db, &["load", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("statements.tsv:3: no entity 99"), "{}", text(&out.stderr));
    assert_eq!(factgraph(&db, &["export"], "").stdout, before);
    let out = factgraph(&db, &["load", tmp.path().join("missing").to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_second_process_gets_store_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    // The first process sits in the REPL, waiting on its standard input.
    let mut first = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !db.join("sled").exists() && waited < 100 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let out = factgraph(&db, &["stats"], "");
    drop(first.stdin.take());
    first.wait().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("store is in use"), "{}", text(&out.stderr));
}

#[test]
fn foreign_directories_are_refused_with_exit_code_3() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let out = factgraph(tmp.path(), &["stats"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("not a factgraph store"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn piped_repl_runs_meta_commands_and_fails_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let out = factgraph(&db, &[], ".stats\n.schema\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("entities\t0"));
    let out = factgraph(&db, &[], ".bogus\n.stats\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stdout).contains("entities"), "stopped at the first error");
}

#[test]
fn dot_output_is_a_digraph() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    tsv(&tmp.path().join("tsv"));
    assert!(factgraph(&db, &["load", tmp.path().join("tsv").to_str().unwrap()], "").status.success());
    let out = factgraph(&db, &["dot", "--evidence"], "");
    let dot = text(&out.stdout);
    assert!(dot.starts_with("digraph factgraph {"), "{dot}");
    assert!(dot.contains("label=\"Alpha One\""));
    assert!(dot.contains("visited\\n[1 source]"), "{dot}");
}
