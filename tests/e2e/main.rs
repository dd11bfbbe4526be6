//! End-to-end tests: the real `factgraph` binary on real stores in temp directories.

mod budget;
mod crash;
mod eio;
mod honest;
mod input;
mod pipes;
mod serve;
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
    assert!(factgraph(&db, &["-c", "entity Alpha: Thing"], "").status.success());
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
    // A session that only reads does not create the store: one that writes does.
    let out = factgraph(&db, &[], ".stats\n.schema\n");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(!db.exists());
    let out = factgraph(&db, &[], "entity Alpha: Thing;\n.stats\n.schema\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("entities\t1"));
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
    // The label names the source, and `--evidence` still counts them.
    assert!(dot.contains("visited\\n· "), "{dot}");
    assert!(dot.contains("\\n[1 source]"), "{dot}");
}

#[test]
fn output_formats_and_piped_default() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    tsv(&tmp.path().join("tsv"));
    assert!(factgraph(&db, &["load", tmp.path().join("tsv").to_str().unwrap()], "").status.success());
    let q = "match (a)-[r:visited]->(b) return a.name, b.name";
    // Piped with no --format: tab-separated, stable for programs.
    let out = factgraph(&db, &["-c", q], "");
    assert_eq!(text(&out.stdout), "a.name\tb.name\nAlpha One\tBeta Two\n");
    let out = factgraph(&db, &["--format", "csv", "-c", q], "");
    assert_eq!(text(&out.stdout), "a.name,b.name\nAlpha One,Beta Two\n");
    let out = factgraph(&db, &["--format", "jsonl", "-c", q], "");
    let row: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(row["a.name"], "Alpha One");
    assert!(row["_evidence"][0]["quote"].as_str().unwrap().contains("minister"));
    let out = factgraph(&db, &["--format", "json", "-c", q], "");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["columns"][1], "b.name");
    let out = factgraph(&db, &["--format", "markdown", "-c", q], "");
    assert!(text(&out.stdout).contains("| a.name    | b.name   |"), "{}", text(&out.stdout));
    let out = factgraph(&db, &["--format", "line", "-c", q], "");
    assert_eq!(text(&out.stdout), "a.name = Alpha One\nb.name = Beta Two\n");
    let out = factgraph(&db, &["--format", "table", "-c", q], "");
    assert!(text(&out.stdout).contains("│ Alpha One"), "{}", text(&out.stdout));
}

/// The graph's own procedures from the command line: a `call` alone prints its rows
/// under its outputs' names, one within a query binds what it yields, and an unknown
/// one exits 1 with a did-you-mean.
#[test]
fn a_call_from_the_command_line_prints_the_procedures_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    tsv(&tmp.path().join("tsv"));
    assert!(factgraph(&db, &["load", tmp.path().join("tsv").to_str().unwrap()], "").status.success());
    let out = factgraph(&db, &["-c", "call db.relationshipTypes()"], "");
    assert_eq!(text(&out.stdout), "relationshipType\nlocated_in\nvisited\n");
    let q = "call db.labels() yield label as l with count(l) as n return n > 0";
    assert_eq!(text(&factgraph(&db, &["-c", q], "").stdout), "n > 0\ntrue\n");
    let out = factgraph(&db, &["-c", "call db.label()"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("did you mean \"db.labels\""), "{}", text(&out.stderr));
}

/// TSV, CSV and JSON Lines are written as the query hands its results and rows over
/// (`Graph::query_each`), not once it is done: a write's note, an empty answer's
/// header and a long answer's rows must still come in the order of the text.
#[test]
fn streamed_formats_keep_the_order_of_notes_empty_answers_and_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    tsv(&tmp.path().join("tsv"));
    assert!(factgraph(&db, &["load", tmp.path().join("tsv").to_str().unwrap()], "").status.success());
    let script = "entity \"Gamma Three\": Person; who reported \"no such words\"; \
                match (a)-[r:visited]->(b) return a.name, b.name";
    let out = factgraph(&db, &["-c", script], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reported = "source\trole\tdocument\toutlet\ttitle\tquote\tclaim";
    assert_eq!(
        text(&out.stdout),
        format!(
            "written: 1 entities, 0 documents, 0 new statements, 0 already there, 0 evidence added\n\
             {reported}\na.name\tb.name\nAlpha One\tBeta Two\n"
        )
    );
    // The same text again writes nothing new; JSON Lines has no headers, and every
    // line is a JSON object: the write's note goes to standard error.
    let out = factgraph(&db, &["--format", "jsonl", "-c", script], "");
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let row: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(row["b.name"], "Beta Two");
    assert!(text(&out.stderr).starts_with("note: written: 0 entities"), "{}", text(&out.stderr));
    // A load's summary and a query's time are no objects either; in JSON a write's
    // note is a document of its own.
    let fg = tmp.path().join("more.fg");
    std::fs::write(&fg, "entity \"Delta Four\": Person\n").unwrap();
    let load = format!(".load {}", fg.display());
    let out = factgraph(&db, &["--format", "jsonl", "-c", &load, "-c", ".timer on", "-c", "return 2 as two"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{stdout}");
    assert!(text(&out.stderr).contains("1 script") && text(&out.stderr).contains("time: "), "{}", text(&out.stderr));
    let out = factgraph(&db, &["--format", "json", "-c", "entity \"Delta Five\": Person"], "");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(doc["note"].as_str().is_some_and(|n| n.starts_with("written: 1 entities")), "{doc}");
}

/// `factgraph -c 'match (a:Persn) return a' | …` printed the header and nothing else:
/// a format written line by line dropped the answer's note. It goes to standard
/// error, the rows' lines staying as a program reads them; CSV, JSON Lines and an
/// answer through the collected path alike.
#[test]
fn a_line_by_line_format_gives_the_answers_note_on_standard_error() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    tsv(&tmp.path().join("tsv"));
    assert!(factgraph(&db, &["load", tmp.path().join("tsv").to_str().unwrap()], "").status.success());
    for format in ["tsv", "csv", "jsonl"] {
        let out = factgraph(&db, &["--format", format, "-c", "match (a:Persn)-[r:visitd]->(b) return a.nme"], "");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let header = if format == "jsonl" { "" } else { "a.nme\n" };
        assert_eq!(text(&out.stdout), header, "{format}: the output holds the rows only");
        let err = text(&out.stderr);
        assert!(err.contains("note: no node has the label `Persn` (did you mean `Person`?)"), "{format}: {err}");
        assert!(err.contains("no relationship has the type `visitd` (did you mean `visited`?)"), "{format}: {err}");
        assert!(
            err.contains("no node or relationship has the property `nme` (did you mean `name`?)"),
            "{format}: {err}"
        );
    }
    // A query that writes is handed over whole: its note too.
    let out = factgraph(&db, &["-c", "create (n:Person {name: 'Delta'}) return n.name, n.agee"], "");
    assert_eq!(text(&out.stdout), "n.name\tn.agee\nDelta\t\n");
    let err = text(&out.stderr);
    assert!(err.contains("note: written: 1 entities") && err.contains("property `agee`"), "{err}");
    // Nothing to note, nothing said.
    let out = factgraph(&db, &["-c", "match (a:Person) return count(a.name)"], "");
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn errors_colour_json_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    assert!(factgraph(&db, &["-c", "entity Alpha: Thing"], "").status.success());
    // Piped stderr: no colour by default, and never with NO_COLOR.
    let out = factgraph(&db, &["-c", "describe Nobody"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stderr).contains('\u{1b}'), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no entity is called \"Nobody\""));
    let out = factgraph(&db, &["--color", "always", "-c", "describe Nobody"], "");
    assert!(text(&out.stderr).contains('\u{1b}'), "colour was asked for");
    let out = factgraph(&db, &["--format", "json", "-c", "describe"], "");
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!((err["line"].as_u64(), err["column"].as_u64()), (Some(1), Some(9)));
    assert_eq!(err["kind"], "syntax", "errors in JSON carry their stable kind");
    // Usage errors are clap's exit code 2.
    let out = factgraph(&db, &["--no-such-flag"], "");
    assert_eq!(out.status.code(), Some(2));
    // --continue-on-error runs the rest and still exits 1.
    let out = factgraph(&db, &["--continue-on-error", "-c", "describe X", "-c", ".stats"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("entities\t1"));
}

#[test]
fn scripts_from_files_and_the_load_meta_command() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    std::fs::write(tmp.path().join("doc.txt"), "Alice met Bob in Lyon.").unwrap();
    std::fs::write(
        tmp.path().join("data.fg"),
        "document d { file: \"doc.txt\" };\nentity Alice: Person;\nentity Bob: Person;\nassert Alice met Bob from d \"Alice met Bob\";\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("session.fgq"), ".load data.fg\n.mode csv\nwho met Bob\n.mode table\nverify\n")
        .unwrap();
    let out = factgraph(&db, &["-f", tmp.path().join("session.fgq").to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 new statements"), "{stdout}");
    assert!(stdout.contains("Alice,met,,[d]"), "{stdout}");
    assert!(stdout.contains("1 quotes checked against their documents: 1 match, 0 do not"), "{stdout}");
    // A quote that is not in the document is refused, and nothing of the file is kept.
    std::fs::write(
        tmp.path().join("bad.fg"),
        "entity Carol: Person;\nassert Carol met Bob from d \"Carol met Bob\";\n",
    )
    .unwrap();
    let out = factgraph(&db, &["load", tmp.path().join("bad.fg").to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does not occur"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("bad.fg:2:"), "points at the file and line: {}", text(&out.stderr));
    let out = factgraph(&db, &["-c", "describe Carol"], "");
    assert_eq!(out.status.code(), Some(1), "Carol was not kept");
}

#[test]
fn factgraph_db_names_the_default_store_which_gets_the_showcase() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .env("FACTGRAPH_DB", tmp.path().join("mine"))
        .args(["-c", "who accused Trump"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("created the default store at"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Ali Alqasimehr\taccused"), "{}", text(&out.stdout));
    // --db is any other store: created empty, by a command that may write (commands
    // that only read never create one).
    let out = factgraph(&tmp.path().join("other"), &["-c", "entity Alpha: Thing", "-c", ".stats"], "");
    assert!(text(&out.stdout).contains("entities\t1\nstatements\t0"), "{}", text(&out.stdout));
}

#[test]
fn the_default_store_is_created_with_the_showcase() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .env("XDG_DATA_HOME", tmp.path())
        .env_remove("FACTGRAPH_DB")
        .args(["-c", "who reported \"red notice\""])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("created the default store at"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Associated Press\treported"), "{}", text(&out.stdout));
    // The second time it opens what is there, silently.
    let again = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .env("XDG_DATA_HOME", tmp.path())
        .env_remove("FACTGRAPH_DB")
        .args(["-c", ".stats"])
        .output()
        .unwrap();
    assert!(text(&again.stderr).is_empty(), "{}", text(&again.stderr));
    // It holds exactly what loading data/ by hand gives.
    let by_hand = tmp.path().join("by-hand");
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    assert!(factgraph(&by_hand, &["load", data], "").status.success());
    assert_eq!(text(&again.stdout), text(&factgraph(&by_hand, &["stats"], "").stdout));
}

#[test]
fn every_meta_command_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    std::fs::write(tmp.path().join("more.fgq"), "who accused Trump\n").unwrap();
    let script = format!(
        ".help\n:help\n.load {data}\n.stats\n.schema\n.sources\n.conflicts\n.mode csv\n.evidence on\n.timer on\n.maxrows 5\n\
         .read {}\n.ast who accused Trump\n.explain who accused Trump\n.dot who accused Trump > {}\n.check\n.quit\n.stats\n",
        tmp.path().join("more.fgq").display(),
        tmp.path().join("out.dot").display()
    );
    let out = factgraph(&db, &[], &script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in [
        ".load FILE...",
        "7 scripts:",
        "statements\t",
        "relation",
        "skynews-000",
        "accused-number",
        "Ali Alqasimehr,accused",
        "time: ",
        "Question(",
        "Who {",
        "wrote ",
        "ok: ",
    ] {
        assert!(stdout.contains(needle), "{needle:?} missing from\n{stdout}");
    }
    assert_eq!(
        stdout.matches("\nentities\t").count() + usize::from(stdout.starts_with("entities")),
        1,
        "nothing runs after .quit"
    );
    let dot = std::fs::read_to_string(tmp.path().join("out.dot")).unwrap();
    assert!(dot.contains("accused"), "{dot}");
}

/// A new store in a temporary directory with the repository's `data/` loaded: the
/// directory (the store goes with it) and the store's path.
fn loaded_with_data() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    assert!(factgraph(&db, &["load", data], "").status.success());
    (tmp, db)
}

/// `factgraph dot` and `.dot` take the picture's options; the old forms still work.
#[test]
fn dot_takes_a_view_a_clustering_and_a_number_of_sources() {
    let (tmp, db) = loaded_with_data();
    let whole = text(&factgraph(&db, &["dot"], "").stdout);
    assert!(whole.contains("subgraph \"cluster_") && whole.contains("· Sky News"), "by kind, sources named");
    let out = factgraph(&db, &["dot", "--view", "summary", "--cluster", "none"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("A summary of 189 statements"), "{summary}");
    let plain = text(&factgraph(&db, &["dot", "--cluster", "none", "--sources", "0"], "").stdout);
    assert!(!plain.contains("cluster_") && !plain.contains("· Sky News"), "{plain}");
    let small = text(&factgraph(&db, &["dot", "--max-statements", "100"], "").stdout);
    assert!(small.contains("A summary of 189 statements"), "above the limit, a summary");
    let out = factgraph(&db, &["dot", "--cluster", "document"], "");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(text(&out.stderr).contains("kind or none"), "{}", text(&out.stderr));
    let out = factgraph(&db, &["dot", "--evidence", "who reported \"red notice\""], "");
    let rn = text(&out.stdout);
    assert!(rn.contains("skynews-000\\nSky News") && rn.contains("[1 source]"), "{rn}");
    let file = tmp.path().join("s.dot");
    let out = factgraph(&db, &[], &format!(".dot --view summary > {}\n.dot --view sideways\n", file.display()));
    assert!(std::fs::read_to_string(&file).unwrap().contains("A summary of"));
    assert!(text(&out.stderr).contains("unknown view"), "{}", text(&out.stderr));
}

/// Names GraphViz used to misread or refuse: `&lt;` drawn as `<`, `&#65;` as `A`
/// (entities in labels are decoded), and a name over 16,384 bytes, which made `dot`
/// reject the whole file. Labels are escaped and long ones cut with an ellipsis;
/// checked with `dot -Tsvg` where GraphViz is installed.
#[test]
fn dot_of_names_with_ampersands_brackets_quotes_and_20000_characters_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let long = "x".repeat(20_000);
    let script = format!(
        "document d {{ outlet: \"X\" }};\nentity \"AT&T &lt; &#65;\": Organization;\nentity \"<b>say \\\"hi\\\"</b>\": Person;\nentity \"{long}\": Person;\nassert \"AT&T &lt; &#65;\" visited \"<b>say \\\"hi\\\"</b>\" from d \"q\";\nassert \"{long}\" visited \"<b>say \\\"hi\\\"</b>\" from d \"q\";\n"
    );
    let file = tmp.path().join("names.fg");
    std::fs::write(&file, script).unwrap();
    let out = factgraph(&db, &["load", file.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dot_file = tmp.path().join("g.dot");
    let out = factgraph(&db, &["dot", "--evidence", "-o", dot_file.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dot = std::fs::read_to_string(&dot_file).unwrap();
    assert!(dot.contains("AT&amp;T &amp;lt; &amp;#65;"), "{}", &dot[..dot.len().min(2000)]);
    assert!(dot.contains('…'), "a long label is cut with an ellipsis");
    assert!(dot.lines().all(|l| l.len() < 16_384), "no line near GraphViz's limit");
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!("skipped the GraphViz check: `dot` is not installed");
        return;
    }
    let svg = Command::new("dot").arg("-Tsvg").arg(&dot_file).output().unwrap();
    assert!(svg.status.success(), "dot refused it: {}", text(&svg.stderr));
    let svg = text(&svg.stdout);
    // GraphViz decodes our &amp; once, then escapes for SVG: the text shows as typed.
    assert!(svg.contains("AT&amp;T &amp;lt; &amp;#65;"), "{svg}");
    assert!(svg.contains("&lt;b&gt;say &quot;hi&quot;&lt;/b&gt;"), "{svg}");
}

#[test]
fn participants_load_from_a_file_show_by_name_and_an_unknown_one_points_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    std::fs::write(tmp.path().join("doc.txt"), "Iran asked Interpol for help in detaining Trump.").unwrap();
    std::fs::write(
        tmp.path().join("data.fg"),
        "document d { file: \"doc.txt\" };\nentity Iran: Country;\nentity Interpol: Organization;\n\
         entity \"Donald Trump\": Person aka \"Trump\" in d;\n\
         assert Iran requested-help-from Interpol { for: \"Trump\" } from d \"Iran asked Interpol for help\";\n",
    )
    .unwrap();
    let out = factgraph(&db, &["load", tmp.path().join("data.fg").to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = factgraph(&db, &["-c", "describe Trump"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("as for\tIran requested-help-from Interpol {for: Donald Trump}\t[d]"), "{stdout}");
    let out = factgraph(&db, &["-c", "match (a)-[r]->(b) return r.for.name"], "");
    assert!(text(&out.stdout).contains("Donald Trump"), "{}", text(&out.stdout));
    // A participant that names no one: an error at its file and line, nothing kept.
    std::fs::write(
        tmp.path().join("bad.fg"),
        "entity Carol: Person;\nassert Carol met Iran { for: \"Donld Trump\" } from d \"Iran asked\";\n",
    )
    .unwrap();
    let out = factgraph(&db, &["load", tmp.path().join("bad.fg").to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Donld Trump") && stderr.contains("bad.fg:2:"), "{stderr}");
    assert_eq!(factgraph(&db, &["-c", "describe Carol"], "").status.code(), Some(1), "Carol was not kept");
}

/// `--param NAME=VALUE` gives `$NAME` its value for every query of the run, read as
/// `.param` reads it (issue 10 lists it beside the API and `.param`); a bad name is a
/// usage error.
#[test]
fn a_param_on_the_command_line_gives_the_queries_its_value() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let made = factgraph(&db, &["-c", "create (:Thing {name: 'Alpha'})-[:knows]->(:Thing {name: 'Beta'})"], "");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let q = "match (a {name: $who})-[:knows]->(b) return b.name, $n + 1 as n";
    let out = factgraph(&db, &["--param", "who=Alpha", "--param", "$n=41", "-c", q], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "b.name\tn\nBeta\t42\n");
    let out = factgraph(&db, &["--param", "who=\"Alpha\"", "-c", "who knows Beta"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A parameter named by a number, as openCypher allows.
    let out = factgraph(&db, &["--param", "1=41", "-c", "return $1 + 1 as n"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "n\n42\n");
    let out = factgraph(&db, &["--param", "9lives=1", "-c", "return 1"], "");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(text(&out.stderr).contains("is not a parameter name"), "{}", text(&out.stderr));
    // A write with a parameter opens the store for writing: the check of whether the
    // run writes parsed it without the parameter's value, took it for a read, and the
    // write was refused ("opened read-only").
    let out = factgraph(&db, &["--param", "x=7", "--param", "m={\"k\": 1}", "-c", "create (:Q {x: $x, k: $m.k})"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = factgraph(&db, &["-c", "match (q:Q) return q.x + q.k as n"], "");
    assert_eq!(text(&out.stdout), "n\n8\n");
}

/// `--cache-mib` sizes the store's caches: a store opened with the smallest answers
/// as with the default, and a size out of range is refused (usage, status 2) before
/// anything is opened.
#[test]
fn cache_mib_sizes_the_caches_and_refuses_sizes_out_of_range() {
    let (tmp, db) = loaded_with_data();
    let question = "who reported \"red notice\"";
    let default = factgraph(&db, &["-c", question], "");
    let small = factgraph(&db, &["--cache-mib", "1", "-c", question], "");
    assert!(default.status.success(), "{}", text(&default.stderr));
    assert!(small.status.success(), "{}", text(&small.stderr));
    assert!(text(&default.stdout).contains("Ali Alqasimehr\tcredited"), "{}", text(&default.stdout));
    assert_eq!(text(&small.stdout), text(&default.stdout));
    let elsewhere = tmp.path().join("never");
    for bad in ["0", "1048577", "lots"] {
        let out = factgraph(&elsewhere, &["--cache-mib", bad, "-c", question], "");
        assert_eq!(out.status.code(), Some(2), "--cache-mib {bad}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("--cache-mib"), "{}", text(&out.stderr));
    }
    assert!(!elsewhere.exists(), "a refused command created no store");
}
