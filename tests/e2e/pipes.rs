//! Unix manners: a reader that stops reading (`factgraph … | head -1`) ends the program
//! quietly with status 0, whatever it was writing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Runs factgraph on the default store (created with the showcase) in `home`, reads
/// one line of its output, closes the pipe and returns the exit status and stderr.
fn read_one_line_then_close(home: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(args)
        .env("XDG_DATA_HOME", home)
        .env_remove("FACTGRAPH_DB")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run factgraph");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here: the pipe is closed with output still to come.
    let out = child.wait_with_output().unwrap();
    (out.status.code(), first, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn showcase_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    // Create the default store once, so later runs print nothing about creating it.
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("stats")
        .env("XDG_DATA_HOME", home.path())
        .env_remove("FACTGRAPH_DB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    home
}

#[test]
fn export_into_a_closed_pipe_exits_zero_with_nothing_on_stderr() {
    let home = showcase_home();
    // Repeat the run: whether the write that fails is the first or a later one
    // depends on timing, and every outcome must be the same.
    for _ in 0..3 {
        let (code, first, stderr) = read_one_line_then_close(home.path(), &["export"]);
        assert!(first.starts_with("{\"format\""), "{first}");
        assert_eq!(code, Some(0), "stderr: {stderr}");
        assert_eq!(stderr, "");
    }
}

#[test]
fn a_query_into_a_closed_pipe_exits_zero_with_nothing_on_stderr() {
    let home = showcase_home();
    for _ in 0..3 {
        let (code, _, stderr) =
            read_one_line_then_close(home.path(), &["-c", "match (a)-[r]->(b) return a.name, b.name, evidence(r)"]);
        assert_eq!(code, Some(0), "stderr: {stderr}");
        assert_eq!(stderr, "");
    }
}

#[test]
fn dot_into_a_closed_pipe_exits_zero_with_nothing_on_stderr() {
    let home = showcase_home();
    let (code, first, stderr) = read_one_line_then_close(home.path(), &["dot", "--evidence"]);
    assert!(first.starts_with("digraph"), "{first}");
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}
