//! The session transcripts in `docs/repl.md` and `docs/tutorial.md` are produced here,
//! by the real binary on a fresh default store (created with the showcase), so the
//! documents stay true. `UPDATE_DOCS=1 cargo test` rewrites them after a change.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Runs the commands as one session (`factgraph --echo -c … -c …`) on the default
/// store under `home`; standard error is merged in, as a terminal would show it.
fn transcript(home: &Path, commands: &[String]) -> String {
    let mut args = vec!["--echo".to_string(), "--format".into(), "table".into(), "--color".into(), "never".into()];
    for c in commands {
        args.push("-c".into());
        args.push(c.clone());
    }
    let o = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" 2>&1")
        .arg(env!("CARGO_BIN_EXE_factgraph"))
        .args(&args)
        .env("XDG_DATA_HOME", home)
        .env_remove("FACTGRAPH_DB")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    // The one-line notice of the store's creation is not part of the session.
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.starts_with("created the default store")) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The commands of a document: the lines of its ```` ```fg-session ```` block.
fn commands_of(doc: &str) -> Vec<String> {
    let start = doc.find("```fg-session\n").expect("a ```fg-session block") + "```fg-session\n".len();
    let end = start + doc[start..].find("```").expect("closed block");
    doc[start..end].lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

fn check(doc_name: &str) {
    let path = root().join("docs").join(doc_name);
    let doc = std::fs::read_to_string(&path).unwrap();
    let home = tempfile::tempdir().unwrap();
    let text = transcript(home.path(), &commands_of(&doc));
    let (open, close) = ("<!-- transcript -->\n```text\n", "```\n<!-- /transcript -->");
    let a = doc.find(open).expect("a transcript marker") + open.len();
    let b = a + doc[a..].find(close).expect("a closing transcript marker");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{}{}", &doc[..a], text, &doc[b..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        doc[a..b],
        text,
        "{doc_name} is out of date: run UPDATE_DOCS=1 cargo test -p factgraph-cli --test e2e transcript"
    );
}

#[test]
fn repl_guide_transcript_is_current() {
    check("repl.md");
}

#[test]
fn tutorial_transcript_is_current() {
    check("tutorial.md");
}
