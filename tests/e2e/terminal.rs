//! The REPL under a pseudo-terminal, as a person uses it: completion, multi-line
//! input, Ctrl-C, history, Ctrl-D.

use std::path::Path;
use std::time::Duration;

use rexpect::session::{spawn_command, PtySession};

fn repl(db: &Path, history: &Path) -> PtySession {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_factgraph"));
    cmd.arg("--db").arg(db).env("FACTGRAPH_HISTORY", history).env("NO_COLOR", "1").env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(10_000)).expect("spawn factgraph under a pty");
    p.exp_string("factgraph> ").expect("first prompt");
    p
}

fn seed(db: &Path) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(db)
        .arg("-c")
        .arg("document d { outlet: \"X\" }; entity \"Donald Trump\": Person aka \"Mr Trump\"; entity \"Ali Alqasimehr\": Person; assert \"Ali Alqasimehr\" accused \"Donald Trump\" from d \"accused him\"")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn completion_multiline_ctrl_c_history_and_ctrl_d() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let history = tmp.path().join("state").join("history");
    seed(&db);
    let mut p = repl(&db, &history);

    // Tab completes an entity name, quoted because it has a space.
    p.send("describe \"Don").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    p.send_line("").unwrap();
    p.exp_string("Mr Trump").expect("describe ran on the completed name");
    p.exp_string("factgraph> ").unwrap();

    // An open bracket continues on the next line under `...>`.
    p.send_line("match (a)-[r:accused]->(b").unwrap();
    p.exp_string("...> ").expect("continuation prompt");
    p.send_line(") return a.name").unwrap();
    p.exp_string("Ali Alqasimehr").expect("the multi-line query ran");
    p.exp_string("factgraph> ").unwrap();

    // Ctrl-C drops the unfinished input and keeps the session.
    p.send_line("describe \"never finished").unwrap();
    p.exp_string("...> ").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("factgraph> ").expect("a fresh prompt after Ctrl-C");
    p.send_line(".stats").unwrap();
    p.exp_string("statements").expect("the session goes on");
    p.exp_string("factgraph> ").unwrap();

    // Ctrl-D on an empty line leaves with status 0.
    p.send_control('d').unwrap();
    let status = format!("{:?}", p.process().wait().unwrap());
    assert!(status.starts_with("Exited(") && status.ends_with(", 0)"), "{status}");
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains(".stats"), "{saved}");
    assert!(!saved.contains("never finished"), "cancelled input is not history: {saved}");
}

#[test]
fn an_unwritable_history_is_one_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    // The history's directory is a file: nothing can be written under it.
    std::fs::write(tmp.path().join("blocker"), "x").unwrap();
    let mut p = repl(&db, &tmp.path().join("blocker").join("history"));
    p.send_line(".stats").unwrap();
    p.exp_string("warning: cannot write history").expect("one warning");
    p.exp_string("factgraph> ").unwrap();
    p.send_line(".stats").unwrap();
    let (between, _) = p.exp_string("factgraph> ").map(|s| (s, ())).unwrap();
    assert!(!between.contains("warning"), "warned twice: {between}");
    p.send_line(".quit").unwrap();
    let status = format!("{:?}", p.process().wait().unwrap());
    assert!(status.starts_with("Exited(") && status.ends_with(", 0)"), "{status}");
}

#[test]
fn ctrl_c_cancels_a_running_query_and_the_session_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    // A dense little graph where an unbounded walk explodes: 16 people, every pair met.
    let mut script = String::from("document d { outlet: \"X\" };");
    for i in 0..16 {
        script.push_str(&format!("entity \"P{i}\": Person;"));
    }
    for i in 0..16 {
        for j in 0..16 {
            if i != j {
                script.push_str(&format!("assert \"P{i}\" met \"P{j}\" from d \"q\";"));
            }
        }
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(&db)
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut p = repl(&db, &tmp.path().join("history"));
    p.send_line("match (a {name: \"P0\"})-[*1..12]-(b) return count(*)").unwrap();
    // The walk runs for seconds before any limit; Ctrl-C comes well before that.
    std::thread::sleep(Duration::from_millis(300));
    p.send_control('c').unwrap();
    p.exp_string("cancelled").expect("the running query stops on Ctrl-C");
    p.exp_string("factgraph> ").unwrap();
    p.send_line(".stats").unwrap();
    p.exp_string("statements").expect("the session goes on");
    p.send_line(".quit").unwrap();
    let status = format!("{:?}", p.process().wait().unwrap());
    assert!(status.ends_with(", 0)"), "{status}");
}
