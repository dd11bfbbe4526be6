//! Unix manners: a reader that stops reading (`factgraph … | head -1`) ends the program
//! quietly with status 0, whatever it was writing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// More than a pipe holds (64 KiB on Linux), so that the writer meets the closed pipe.
const PIPE_BUFFER: usize = 64 * 1024;

fn run(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_factgraph"));
    c.arg("--db").arg(db).args(args).env("NO_COLOR", "1").stdin(Stdio::null());
    c
}

/// A store with 3,000 statements, loaded from a TSV directory made here.
fn big_store(dir: &Path) -> std::path::PathBuf {
    let tsv = dir.join("tsv");
    std::fs::create_dir_all(&tsv).unwrap();
    let mut entities = String::from("id\tname\ttype\n");
    for i in 0..600 {
        entities.push_str(&format!("{i}\tEntity number {i}\tThing\n"));
    }
    let mut statements = String::from("id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n");
    for i in 0..3000 {
        statements.push_str(&format!("{i}\t{}\tmentioned\t{}\t0\tstatement {i} says so\n", i % 600, (i * 7 + 1) % 600));
    }
    std::fs::write(tsv.join("entities.tsv"), entities).unwrap();
    std::fs::write(tsv.join("aliases.tsv"), "entity_id\talias\n").unwrap();
    std::fs::write(tsv.join("sources.tsv"), "id\turl\tdate\ttitle\n0\thttps://news.example/0\t2024-01-01\tA title\n")
        .unwrap();
    std::fs::write(tsv.join("statements.tsv"), statements).unwrap();
    let db = dir.join("db");
    let out = run(&db, &["load", tsv.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

/// Reads one line of factgraph's output, closes the pipe and returns the exit status
/// and stderr. First checks that the whole output is more than a pipe holds, so the
/// closed pipe is really met.
fn read_one_line_then_close(db: &Path, args: &[&str]) -> (Option<i32>, String) {
    let whole = run(db, args).output().unwrap();
    assert!(whole.status.success(), "{}", String::from_utf8_lossy(&whole.stderr));
    assert!(whole.stdout.len() > PIPE_BUFFER, "{args:?} writes only {} bytes", whole.stdout.len());
    let mut child = run(db, args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here: the pipe is closed with output still to come.
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn export_dot_and_queries_into_a_closed_pipe_exit_zero_with_nothing_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = big_store(dir.path());
    for args in
        // (`--view full`: 3,000 statements are otherwise drawn as a summary of a page.)
        [
            &["export"][..],
            &["dot", "--evidence", "--view", "full"],
            &["-c", "match (a)-[r]->(b) return a.name, b.name, evidence(r)"],
        ]
    {
        // Whether the write that fails is the first or a later one depends on timing;
        // every outcome must be the same.
        for _ in 0..3 {
            let (code, stderr) = read_one_line_then_close(&db, args);
            assert_eq!(code, Some(0), "{args:?}: {stderr}");
            assert_eq!(stderr, "", "{args:?}");
        }
    }
}
