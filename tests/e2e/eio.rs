//! A disk that fails a read: every read a command makes of its store fails once, in
//! turn, through an `LD_PRELOAD` shim built from `tests/fixtures/eio_shim.c`; the store
//! must come through each whole. sled 0.34.7 took a failed read during its recovery for
//! the end of its log and zeroed everything after it (`vendor/sled/PATCHES.md`, patch 2).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{factgraph, text};

/// The shim, compiled with the system's C compiler into `dir`; `None` (and the test says
/// it was skipped) where there is none, except under CI, where that is a failure.
fn shim(dir: &Path) -> Option<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/eio_shim.c");
    let out = dir.join("eio_shim.so");
    let built = Command::new("cc").args(["-shared", "-fPIC", "-O1", "-o"]).arg(&out).arg(&source).arg("-ldl").status();
    if built.is_ok_and(|s| s.success()) {
        return Some(out);
    }
    assert!(std::env::var_os("CI").is_none(), "no C compiler to build the EIO shim");
    eprintln!("skipped: no C compiler (cc) to build the EIO shim");
    None
}

/// `factgraph --db DB ARGS` with the shim failing read `nth` under `db` (0: none fail,
/// and the count of reads is written to `count`).
fn with_failing_read(shim: &Path, db: &Path, nth: usize, count: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .env("LD_PRELOAD", shim)
        .env("EIO_PATH", db)
        .env("EIO_NTH", nth.to_string())
        .env("EIO_COUNT", count)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_failed_read_at_any_point_of_an_open_leaves_the_store_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(shim) = shim(tmp.path()) else { return };
    let seed = tmp.path().join("seed");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut files: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "fg"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut load = vec!["load"];
    load.extend(files.iter().map(String::as_str));
    let out = factgraph(&seed, &load, "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats = text(&factgraph(&seed, &["stats"], "").stdout);
    assert!(stats.contains("statements\t"), "{stats}");

    // How many reads a `stats` makes of this store.
    let count = tmp.path().join("count");
    let probe = tmp.path().join("probe");
    copy_dir(&seed, &probe);
    let out = with_failing_read(&shim, &probe, 0, &count, &["stats"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reads: usize = std::fs::read_to_string(&count).unwrap().trim().parse().unwrap();
    assert!(reads > 10, "the shim saw {reads} reads");

    let mut failed = 0;
    for nth in 1..=reads {
        let db = tmp.path().join(format!("db{nth}"));
        copy_dir(&seed, &db);
        let out = with_failing_read(&shim, &db, nth, &count, &["stats"]);
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "read {nth}: {stderr}");
        if !out.status.success() {
            failed += 1;
            // Said as what it is: the system refused a read, not a damaged store.
            assert!(stderr.contains("Input/output error"), "read {nth}: {stderr}");
            assert!(!stderr.contains("damaged"), "read {nth}: {stderr}");
            assert_eq!(out.status.code(), Some(3), "read {nth}: {stderr}");
        }
        // And the store is as it was.
        let after = factgraph(&db, &["stats"], "");
        assert_eq!(text(&after.stdout), stats, "after a failed read {nth}: {}", text(&after.stderr));
        std::fs::remove_dir_all(&db).unwrap();
    }
    assert!(failed > reads / 2, "only {failed} of {reads} failed reads were noticed");
}
