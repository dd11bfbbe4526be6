//! Honest messages and exit codes: commands that only read never create a store, a
//! file is called a file, output that cannot be written is an error (or, for a reader
//! that has gone, a quiet end) and never a panic, scripts cannot include themselves,
//! and special files are refused before anything is read from them.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::{factgraph, text};

/// Exit status of a Rust panic.
const PANIC: i32 = 101;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factgraph")).args(args).env("NO_COLOR", "1").stdin(Stdio::null()).output().unwrap()
}

/// A store holding one entity, and a script that adds another.
fn small_store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    let out = factgraph(&db, &["-c", "entity Alpha: Thing"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(dir.join("more.fg"), "entity Beta: Thing;\n").unwrap();
    db
}

#[test]
fn read_only_commands_on_a_missing_store_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo");
    for args in
        [&["stats"][..], &["check"], &["export"], &["dot"], &["-c", ".stats"], &["-c", ".schema", "-c", ".check"]]
    {
        let out = factgraph(&typo, args, "");
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stderr).contains("no factgraph store at"), "{args:?}: {}", text(&out.stderr));
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temporary either");
}

#[test]
fn db_on_a_regular_file_says_it_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    for args in [&["stats"][..], &["-c", "entity A: Thing"]] {
        let out = factgraph(&file, args, "");
        assert_eq!(out.status.code(), Some(3));
        assert!(text(&out.stderr).contains("is a file, not a directory"), "{}", text(&out.stderr));
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
}

/// `/dev/full` fails every write with "no space left": each command says so and
/// exits 3, after whatever it committed.
#[test]
fn output_to_dev_full_is_an_error_with_exit_3_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let more = dir.path().join("more.fg");
    let dump = dir.path().join("dump.jsonl");
    assert!(factgraph(&db, &["export", "-o", dump.to_str().unwrap()], "").status.success());
    let copy = dir.path().join("copy");
    let cases: Vec<(&Path, Vec<&str>)> = vec![
        (&db, vec!["stats"]),
        (&db, vec!["check"]),
        (&db, vec!["export"]),
        (&db, vec!["dot"]),
        (&db, vec!["load", more.to_str().unwrap()]),
        (&copy, vec!["import", dump.to_str().unwrap()]),
        (&db, vec!["-c", ".stats"]),
        (&db, vec!["-c", ".help"]),
        (&db, vec!["-c", ".schema"]),
        (&db, vec!["-c", "describe Alpha"]),
        (&db, vec!["--echo", "-c", "describe Alpha"]),
    ];
    for (db, args) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .arg("--db")
            .arg(db)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("No space left on device"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Standard output and standard error both pipes whose reader has gone (as in
/// `factgraph … 2>&1 | true`): the program ends quietly with 0, never a panic.
#[test]
fn closed_stdout_and_stderr_end_quietly_never_with_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let more = dir.path().join("more.fg");
    for args in [
        &["stats"][..],
        &["check"],
        &["export"],
        &["dot"],
        &["load", more.to_str().unwrap()],
        &["-c", ".stats"],
        &["-c", ".help"],
        &["-c", "describe Alpha"],
        &["--echo", "-c", "describe Alpha"],
        &["-c", "describe Nobody"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdin(Stdio::null())
            .stdout(writer.try_clone().unwrap())
            .stderr(writer)
            .status()
            .unwrap();
        assert_ne!(status.code(), Some(PANIC), "{args:?}");
        assert!(status.code().is_some(), "{args:?} died of a signal: {status}");
        if args != ["-c", "describe Nobody"] {
            assert_eq!(status.code(), Some(0), "{args:?}");
        }
    }
}

#[test]
fn a_script_that_reads_itself_fails_with_a_depth_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let script = dir.path().join("loop.fgq");
    std::fs::write(&script, format!(".read {}\n", script.display())).unwrap();
    let out = factgraph(&db, &["-f", script.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(".read is nested more than"), "{}", text(&out.stderr));
    // Through standard input too.
    let out = factgraph(&db, &[], &format!(".read {}\n", script.display()));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

/// A FIFO or a device would be read without end (or wait forever): every file the
/// binary reads is checked to be a regular file first.
#[test]
fn special_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let fifo = dir.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.to_str().unwrap();
    let dbs = db.to_str().unwrap();
    let copy = dir.path().join("copy");
    let copy = copy.to_str().unwrap();
    for args in [
        &["--db", dbs, "-f", "/dev/zero"][..],
        &["--db", dbs, "-f", fifo],
        &["--db", dbs, "-c", ".read /dev/zero"],
        &["--db", dbs, "-c", &format!(".read {fifo}")],
        &["--db", dbs, "load", "/dev/zero"],
        &["--db", dbs, "load", fifo],
        &["--db", dbs, "-c", &format!(".load {fifo}")],
        &["--db", copy, "import", "/dev/zero"],
        &["--db", copy, "import", fifo],
    ] {
        let started = std::time::Instant::now();
        let out = run(args);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains("not a regular file"), "{args:?}: {}", text(&out.stderr));
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{args:?}");
    }
}

#[test]
fn an_oversized_script_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_store(dir.path());
    let big = dir.path().join("big.fgq");
    // Sparse: the size is checked, not the bytes read.
    std::fs::File::create(&big).unwrap().set_len(65 * 1024 * 1024).unwrap();
    let out = factgraph(&db, &["-f", big.to_str().unwrap()], "");
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("limited to 64 MiB"), "{}", text(&out.stderr));
    let out = factgraph(&db, &["-c", &format!(".read {}", big.display())], "");
    assert!(text(&out.stderr).contains("limited to 64 MiB"), "{}", text(&out.stderr));
}

/// `mkdir s && cd s && factgraph --db . …`: the store is made in the directory the
/// user is in (it used to be renamed over, which failed for `.` and left the shell in
/// a deleted directory for `../s`).
#[test]
fn the_current_directory_can_become_the_store() {
    let dir = tempfile::tempdir().unwrap();
    for (name, db) in [("here", "."), ("there", "../there")] {
        let cwd = dir.path().join(name);
        std::fs::create_dir(&cwd).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .current_dir(&cwd)
            .args(["--db", db, "-c", "entity Alpha: Thing", "-c", ".stats"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{db}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("entities\t1"), "{db}: {}", text(&out.stdout));
        assert!(cwd.join("FACTGRAPH").is_file(), "{db}");
    }
}

/// `-c` queries, `-f` scripts and scripts on standard input that only read do not
/// create a missing `--db` (telling a reading query from a writing one takes the
/// language: `factgraph::writes`); one that writes creates it as before.
#[test]
fn reading_queries_and_scripts_on_a_missing_store_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("reads.fgq");
    std::fs::write(&script, ".param who \"Alpha\"\nmatch (n) where n.name = $who return n;\n.stats\n").unwrap();
    let writing = dir.path().join("writes.fgq");
    std::fs::write(&writing, "match (n) return count(n);\nentity Alpha: Thing;\n").unwrap();
    let missing = dir.path().join("x").join("missing");
    let script = script.to_str().unwrap();
    for (args, stdin) in [
        (&["-c", "match (n) return n"][..], ""),
        (&["-c", "match (n) return count(n)", "-c", ".schema"], ""),
        (&["-c", "describe Alpha"], ""),
        (&["-f", script], ""),
        (&[], "match (n) return n;\n.stats\n"),
    ] {
        let out = factgraph(&missing, args, stdin);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("no factgraph store at"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!missing.exists() && !dir.path().join("x").exists(), "{args:?} created {}", missing.display());
    }
    let missing = dir.path().join("missing");
    for (i, args) in [
        &["-c", "match (n) return n", "-c", "create (:A {name: 'x'})"][..],
        &["-f", writing.to_str().unwrap()],
        &["-c", &format!(".read {script}")],
    ]
    .into_iter()
    .enumerate()
    {
        let db = missing.with_extension(i.to_string());
        let out = factgraph(&db, args, "");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(db.join("FACTGRAPH").is_file(), "{args:?} should have created the store");
    }
}

/// Runs `script` (sh) with a `size` tmpfs mounted at `$MNT` in a private mount
/// namespace (`unshare -rm`, so the mount goes with the process); `None` where this
/// system does not allow it, and the test that asked says it was skipped.
pub(crate) fn with_tmpfs(size: &str, script: &str) -> Option<Output> {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let probe = Command::new("unshare")
        .args(["-rm", "sh", "-c", &format!("mount -t tmpfs -o size={size} tmpfs {}", mnt.display())])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: cannot mount a tmpfs in a user namespace here (unshare -rm)");
        return None;
    }
    let full = format!("mount -t tmpfs -o size={size} tmpfs \"$MNT\" && {script}");
    Some(
        Command::new("unshare")
            .args(["-rm", "sh", "-c", &full])
            .env("MNT", &mnt)
            .env("FG", env!("CARGO_BIN_EXE_factgraph"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    )
}

/// A disk too full for the store (here a 4 MiB tmpfs filled up by another file after
/// the store was made: sled finds no room for what it writes when it opens) is
/// reported as a full disk, with exit code 3, never as a damaged or corrupt store.
#[test]
fn a_full_disk_is_reported_as_full_not_damaged() {
    let script = r#""$FG" --db "$MNT/db" -c 'entity A: Thing' >/dev/null || exit 9; dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null; for i in 1 2; do "$FG" --db "$MNT/db" -c 'entity B: Thing'; echo "exit $?" >&2; done; "$FG" --db "$MNT/db" stats; echo "exit $?" >&2"#;
    let Some(out) = with_tmpfs("4m", script) else { return };
    assert_ne!(out.status.code(), Some(9), "the store could not be made: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the disk is full"), "{stderr}");
    assert!(!stderr.contains("damaged") && !stderr.contains("corrupt"), "{stderr}");
    assert!(!stderr.contains("exit 0") && !stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.matches("exit 3").count(), 3, "{stderr}");
}

/// A store on a read-only file system (here a read-only bind mount in a private
/// mount namespace) can be read: commands that only read, and any command with
/// `--read-only`; a write says the file system is read-only. Nothing is left in the
/// temporary directory, and the store is as it was.
#[test]
fn a_store_on_a_read_only_file_system_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let ro = dir.path().join("ro");
    let tmp = dir.path().join("tmp");
    for d in [&src, &ro, &tmp] {
        std::fs::create_dir(d).unwrap();
    }
    let db = small_store(&src);
    let before = factgraph(&db, &["export"], "").stdout;
    let script = r#"mount --bind "$SRC" "$RO" && mount -o remount,bind,ro "$RO" || exit 99
        touch "$RO/probe" 2>/dev/null && exit 98
        run() { echo "== $1"; shift; "$FG" --db "$RO/db" "$@" 2>&1; echo "exit $?"; }
        run stats stats
        run check check
        run export export
        run dot dot
        run query -c 'describe Alpha'
        run read-only --read-only -c 'match (n) return n.name'
        run write -c 'entity Beta: Thing'
        run read-only-write --read-only -c 'entity Beta: Thing'"#;
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no private mount namespace here (unshare -rm)");
        return;
    }
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("SRC", &src)
        .env("RO", &ro)
        .env("TMPDIR", &tmp)
        .env("FG", env!("CARGO_BIN_EXE_factgraph"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let sections: Vec<&str> = stdout.split("== ").skip(1).collect();
    assert_eq!(sections.len(), 8, "{stdout}");
    for s in &sections[..6] {
        assert!(s.trim_end().ends_with("exit 0"), "{s}");
        assert!(!s.contains("error"), "{s}");
    }
    assert!(sections[0].contains("entities\t1"), "{}", sections[0]);
    assert!(sections[2].contains("\"Alpha\""), "{}", sections[2]);
    assert!(sections[6].contains("read-only file system") && sections[6].contains("exit 3"), "{}", sections[6]);
    assert!(sections[7].contains("opened read-only") && !sections[7].contains("exit 0"), "{}", sections[7]);
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "temporary copies are removed");
    assert_eq!(factgraph(&db, &["export"], "").stdout, before);
}

/// A load that fails says what it left: with `--batch-per-file`, the files before the
/// failing one are committed and listed, and "nothing more was loaded"; without it,
/// the scripts are one batch and "nothing was loaded" is true.
#[test]
fn a_failed_load_says_which_batches_it_left_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("a-good.fg");
    let bad = dir.path().join("b-bad.fg");
    std::fs::write(&good, "entity \"Alpha One\": Thing;\n").unwrap();
    std::fs::write(&bad, "entity \"Beta Two\": Thing;\nthis is not a statement;\n").unwrap();
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());
    let names = |db: &Path| text(&factgraph(db, &["-c", "match (n:Thing) return n.name order by n.name"], "").stdout);

    let together = dir.path().join("together");
    let out = factgraph(&together, &["load", good, bad], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("nothing was loaded"), "{}", text(&out.stderr));
    assert!(!names(&together).contains("Alpha One"));

    let apart = dir.path().join("apart");
    let out = factgraph(&apart, &["load", "--batch-per-file", good, bad], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("a-good.fg"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("nothing more was loaded"), "{}", text(&out.stderr));
    let found = names(&apart);
    assert!(found.contains("Alpha One") && !found.contains("Beta Two"), "{found}");
}
