//! Bounded work through the binary: `--memory-limit` and the exit code of a query past
//! its budget (1, as for the other limits), `--max-rows` lowering and raising the row
//! limit, a size that is no size (a usage error), and
//! a table of a cell far too large to read, which is cut rather than laid out for
//! minutes (the issue's `match (a) return [70,000 strings] limit 3` aborted).

use std::path::Path;
use std::time::{Duration, Instant};

use super::{factgraph, text};

/// A store holding three entities.
fn store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    let out = factgraph(&db, &["-c", "entity Alpha: Thing; entity Beta: Thing; entity Gamma: Thing"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

#[test]
fn a_query_past_its_memory_limit_fails_with_exit_code_1_and_says_how_to_raise_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let q = "unwind range(1, 5000) as i return 'row ' + toString(i) as r order by r desc";
    let out = factgraph(&db, &["--memory-limit", "64KiB", "-c", q], "");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("memory budget of 64 KiB") && stderr.contains("--memory-limit"), "{stderr}");
    // The default budget holds it.
    let out = factgraph(&db, &["-c", q], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 5001);
}

#[test]
fn max_rows_bounds_an_answer_and_raises_the_default_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let q = "unwind range(1, 500) as i return i";
    let out = factgraph(&db, &["--max-rows", "100", "-c", q], "");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("too many rows") && stderr.contains("100"), "{stderr}");
    let out = factgraph(&db, &["--max-rows", "1000", "-c", q], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 501, "a header and every row");
    // Past the default of 100,000, only when asked.
    let big = "unwind range(1, 100001) as i return i";
    let out = factgraph(&db, &["-c", big], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = factgraph(&db, &["--max-rows", "200000", "-c", big], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 100_002);
    // No rows at all, or past the bound, is a usage error.
    for n in ["0", "2000000000", "many"] {
        let out = factgraph(&db, &["--max-rows", n, "-c", q], "");
        assert_eq!(out.status.code(), Some(2), "--max-rows {n}: {}", text(&out.stderr));
    }
}

/// A streamed answer past the row limit: the rows before it are written (through the
/// output's buffer, flushed before the error), then the error, exit code 1.
#[test]
fn a_streamed_answer_past_max_rows_writes_the_rows_before_it_then_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut script = String::from("document d { title: \"D\" };\n");
    for i in 0..5 {
        script.push_str(&format!("entity \"Y{i}\": Person;\nassert X said \"Y{i}\" from d \"quote {i}\";\n"));
    }
    let out = factgraph(&db, &["-c", "entity X: Person", "-c", &script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = factgraph(&db, &["--format", "tsv", "--max-rows", "2", "-c", "who reported X"], "");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "a header and the two rows before the limit:\n{stdout}");
    assert!(stdout.contains("quote 0") && stdout.contains("quote 1"), "{stdout}");
    assert!(stderr.contains("too many rows"), "{stderr}");
    let out = factgraph(&db, &["--format", "tsv", "-c", "who reported X"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 6);
}

#[test]
fn a_memory_limit_that_is_no_size_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let out = factgraph(&db, &["--memory-limit", "lots", "-c", "return 1"], "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a size"), "{}", text(&out.stderr));
}

#[test]
fn a_table_of_a_70000_string_list_under_limit_3_is_cut_not_laid_out_for_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let items: Vec<String> = (0..70_000).map(|i| format!("\"s{i}\"")).collect();
    // Too long for one argument: a script file.
    let script = dir.path().join("probe.fg");
    std::fs::write(&script, format!("match (a) return [{}] as big limit 3\n", items.join(","))).unwrap();
    let script = script.to_str().unwrap();
    let started = Instant::now();
    let out = factgraph(&db, &["--format", "table", "-f", script], "");
    let took = started.elapsed();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(stdout.contains("more characters; --format tsv or json shows them"), "{}", &stdout[..200]);
    assert!(stdout.len() < 64 * 1024, "{} bytes of table", stdout.len());
    assert!(stdout.contains("3 rows"), "{}", &stdout[stdout.len() - 200..]);
    // Under a small budget the list is refused instead.
    let out = factgraph(&db, &["--memory-limit", "1MiB", "-f", script], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("a list would take the query past its memory budget of 1 MiB"));
}
