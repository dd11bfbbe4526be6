//! `factgraph serve` as a user runs it: the real binary on a real store, found through
//! the store's LOCK by other `factgraph` processes, stopped by a signal or killed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{factgraph, text};

/// A `factgraph serve` child, killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn data_files() -> Vec<PathBuf> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "fg"))
        .collect();
    files.sort();
    files
}

/// A store with the showcase in it.
fn showcase_store(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    let files: Vec<String> = data_files().iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["load"];
    args.extend(files.iter().map(String::as_str));
    let out = factgraph(&db, &args, "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

/// Starts `factgraph --db DB serve` on a free port and waits for its LOCK note.
fn serve(db: &Path, extra: &[&str]) -> Served {
    let child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env_remove("FACTGRAPH_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start factgraph serve");
    let mut served = Served { child, url: String::new() };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let note = std::fs::read_to_string(db.join("LOCK")).unwrap_or_default();
        if let Some(url) = note.lines().find_map(|l| l.strip_prefix("url ")) {
            served.url = url.trim().to_owned();
            return served;
        }
        if let Ok(Some(status)) = served.child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(served.child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("factgraph serve exited with {status}: {err}");
        }
        assert!(Instant::now() < deadline, "factgraph serve did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn write(url: &str, token: &str, query: &str) -> Result<u16, String> {
    let body = serde_json::json!({ "query": query }).to_string();
    agent()
        .post(format!("{url}/query"))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .send(body)
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

#[test]
fn other_factgraph_processes_work_through_the_server_that_holds_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let db = showcase_store(tmp.path());
    let served = serve(&db, &[]);
    // Its own token sits beside the store, for its owner only.
    let token_file = db.join("SERVER-TOKEN");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let out = factgraph(&db, &["-c", r#"who reported "red notice""#], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Sky News"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains(&served.url), "says it went through the server: {}", text(&out.stderr));
    // A write through the server, seen by the next process.
    let out = factgraph(&db, &["-c", r#"entity "Through The Server": Person"#], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = factgraph(&db, &["-c", r#"describe "Through The Server""#], "");
    assert!(text(&out.stdout).contains("Person"), "{}", text(&out.stdout));
    // --read-only sends no token, so writes are refused.
    let out = factgraph(&db, &["--read-only", "-c", r#"entity "Refused": Person"#], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // Subcommands that read go through it; a load, which reads files here, says why not.
    let out = factgraph(&db, &["stats"], "");
    assert!(text(&out.stdout).starts_with("entities\t"), "{}", text(&out.stderr));
    // A load goes through it too: the server reads the files, which it shares.
    let tsv = db.parent().unwrap().join("tsv");
    super::tsv(&tsv);
    let out = factgraph(&db, &["load", tsv.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3 claims as 2 new statements"), "{}", text(&out.stdout));
    let out = factgraph(&db, &["-c", r#"describe "Alpha One""#], "");
    assert!(text(&out.stdout).contains("visited"), "the load is seen: {}", text(&out.stdout));
    let bad = db.parent().unwrap().join("bad.fg");
    std::fs::write(&bad, "entity \"Fine\": Person\nentity \"Broken: Person\n").unwrap();
    let out = factgraph(&db, &["load", bad.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("bad.fg"), "names the file: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("nothing was loaded"), "{}", text(&out.stderr));
    let out = factgraph(&db, &["-c", r#"describe "Fine""#], "");
    assert_eq!(out.status.code(), Some(1), "a failed load left nothing: {}", text(&out.stdout));
    // Values show as they do without a server: text in a list in quotes, dates bare
    // (the API's JSON gives a date as text and says it is a date).
    let out = factgraph(&db, &["-c", "return [date('2020-01-02'), 'x', duration('P1D')], {d: date('2020-01-02')}"], "");
    assert_eq!(
        text(&out.stdout).lines().nth(1),
        Some("[2020-01-02, 'x', P1D]\t{d: 2020-01-02}"),
        "{}",
        text(&out.stderr)
    );
    // A query's error points at its place, as it does without a server.
    let out = factgraph(&db, &["-c", "match (a return a"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 1, column 10"), "{}", text(&out.stderr));
}

#[test]
fn a_server_stopped_by_sigterm_clears_its_note_and_token() {
    let tmp = tempfile::tempdir().unwrap();
    let db = showcase_store(tmp.path());
    let mut served = serve(&db, &[]);
    let pid = served.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = served.child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(std::fs::read_to_string(db.join("LOCK")).unwrap(), "");
    assert!(!db.join("SERVER-TOKEN").exists());
    let out = factgraph(&db, &["stats"], "");
    assert!(out.status.success(), "the store opens here again: {}", text(&out.stderr));
}

#[test]
fn binding_beyond_loopback_without_a_token_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = showcase_store(tmp.path());
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--bind", "0.0.0.0:0"])
        .env_remove("FACTGRAPH_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("without a token"), "{}", text(&out.stderr));
}

#[test]
fn every_acknowledged_write_survives_a_kill_of_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let db = showcase_store(tmp.path());
    for round in 0..3u64 {
        let mut served = serve(&db, &[]);
        let token = std::fs::read_to_string(db.join("SERVER-TOKEN")).unwrap().trim().to_owned();
        let url = served.url.clone();
        let writer = std::thread::spawn(move || {
            let mut acknowledged = Vec::new();
            for i in 0..10_000 {
                let name = format!("Survivor {round}-{i}");
                match write(&url, &token, &format!("entity \"{name}\": Person")) {
                    Ok(200) => acknowledged.push(name),
                    _ => break,
                }
            }
            acknowledged
        });
        std::thread::sleep(Duration::from_millis(150 + 100 * round));
        served.child.kill().unwrap();
        served.child.wait().unwrap();
        let acknowledged = writer.join().unwrap();
        assert!(!acknowledged.is_empty(), "some writes were acknowledged before the kill");
        // The stale note and token do not stand in the way: the store opens here.
        let out = factgraph(&db, &["-c", "match (n:Person) return n.name"], "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let names = text(&out.stdout);
        for name in &acknowledged {
            assert!(names.contains(name.as_str()), "acknowledged {name} is gone after the kill");
        }
        let out = factgraph(&db, &["check"], "");
        assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    }
}
