//! Input errors as input errors: a malformed script, import or TSV file is refused
//! with exit code 1 and the place it went wrong (file, line, column), never as a
//! storage failure; a UTF-8 byte order mark is accepted; a cut-off export is refused;
//! a TSV row the loader cannot take whole is refused with its line; `file:` does not
//! follow a symbolic link out of the script's folder.

use std::path::Path;

use super::{factgraph, text, tsv};

/// A store holding one entity.
fn store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    let out = factgraph(&db, &["-c", "entity Alpha: Thing"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

/// An export of a store with entities, a document and statements.
fn export(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("source");
    tsv(&dir.join("tsv"));
    assert!(factgraph(&db, &["load", dir.join("tsv").to_str().unwrap()], "").status.success());
    let dump = dir.join("dump.jsonl");
    let out = factgraph(&db, &["export", "-o", dump.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let content = std::fs::read_to_string(&dump).unwrap();
    (dump, content)
}

#[test]
fn invalid_utf8_is_an_input_error_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let bad = dir.path().join("bad.fg");
    std::fs::write(&bad, b"entity Beta: Thing;\nentity C\xff: Thing;\n").unwrap();
    let bad = bad.to_str().unwrap();
    for (args, stdin) in [
        (vec!["-f", bad], &b""[..]),
        (vec!["-c", &format!(".read {bad}")], b""),
        (vec!["load", bad], b""),
        (vec![], b"entity Beta: Thing;\nentity C\xff: Thing;\n"),
    ] {
        let out = factgraph_bytes(&db, &args, stdin);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let place = if args.first() == Some(&"load") { "bad.fg:2: " } else { "line 2, " };
        assert!(stderr.contains(place) && stderr.contains("column 9"), "{args:?}: {stderr}");
        assert!(stderr.contains("not UTF-8"), "{args:?}: {stderr}");
    }
    // An import.
    let (dump, content) = export(dir.path());
    let mut bytes = content.into_bytes();
    let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let at = second + 20;
    bytes[at] = 0xC3;
    bytes[at + 1] = b'"';
    std::fs::write(&dump, &bytes).unwrap();
    let out = factgraph(&dir.path().join("copy"), &["import", dump.to_str().unwrap()], "");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 2: ") && stderr.contains("column 21"), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    // A TSV file.
    let tsv_dir = dir.path().join("tsv");
    let statements = std::fs::read(tsv_dir.join("statements.tsv")).unwrap();
    let mut statements = statements.clone();
    let end = statements.len() - 2;
    statements[end] = 0xFE;
    std::fs::write(tsv_dir.join("statements.tsv"), &statements).unwrap();
    let out = factgraph(&db, &["load", tsv_dir.to_str().unwrap()], "");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("statements.tsv:4"), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
}

fn factgraph_bytes(db: &Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_byte_order_mark_is_accepted_at_the_start_of_scripts_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let script = dir.path().join("bom.fgq");
    std::fs::write(&script, "\u{feff}entity Beta: Thing;\n.stats\n").unwrap();
    let out = factgraph(&db, &["-f", script.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("entities\t2"), "{}", text(&out.stdout));
    let out = factgraph(&db, &[], "\u{feff}entity Gamma: Thing;\n.stats\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("entities\t3"), "{}", text(&out.stdout));
    let (dump, content) = export(dir.path());
    std::fs::write(&dump, format!("\u{feff}{content}")).unwrap();
    let copy = dir.path().join("copy");
    let out = factgraph(&copy, &["import", dump.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again = factgraph(&copy, &["export"], "");
    assert_eq!(text(&again.stdout), content);
}

/// An export ends with a line holding its counts and a checksum: one cut off at a
/// line boundary (which used to import, with part of the data) or changed is refused,
/// and nothing is imported.
#[test]
fn a_truncated_or_altered_export_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (dump, content) = export(dir.path());
    assert!(content.lines().last().unwrap().starts_with("{\"end\""), "{content}");
    let lines: Vec<&str> = content.lines().collect();
    for keep in 1..lines.len() {
        let cut = lines[..keep].iter().map(|l| format!("{l}\n")).collect::<String>();
        std::fs::write(&dump, cut).unwrap();
        let copy = dir.path().join(format!("copy{keep}"));
        let out = factgraph(&copy, &["import", dump.to_str().unwrap()], "");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{keep} lines: {stderr}");
        assert!(stderr.contains("cut off"), "{keep} lines: {stderr}");
        let stats = factgraph(&copy, &["stats"], "");
        assert!(!stats.status.success() || text(&stats.stdout).contains("entities\t0"), "{keep} lines imported some");
    }
    // One character changed inside a quote.
    let altered = content.replacen("the minister said", "the minister saiD", 1);
    assert_ne!(altered, content);
    std::fs::write(&dump, altered).unwrap();
    let out = factgraph(&dir.path().join("altered"), &["import", dump.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("checksum"), "{}", text(&out.stderr));
    // Windows line ends (an editor's save) are not a change.
    std::fs::write(&dump, content.replace('\n', "\r\n")).unwrap();
    let out = factgraph(&dir.path().join("crlf"), &["import", dump.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Exports written before the closing line (format version 1) still import, with a
/// warning that they could not be checked.
#[test]
fn an_export_without_a_closing_line_from_version_1_imports_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let old = "{\"format\":\"factgraph-jsonl\",\"version\":1,\"next_entity\":1,\"next_statement\":0}\n{\"entity\":{\"id\":0,\"name\":\"A\",\"kind\":\"Thing\",\"aliases\":[],\"properties\":{}}}\n";
    let dump = dir.path().join("old.jsonl");
    std::fs::write(&dump, old).unwrap();
    let copy = dir.path().join("copy");
    let out = factgraph(&copy, &["import", dump.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("could not be checked"), "{}", text(&out.stderr));
    assert!(text(&factgraph(&copy, &["stats"], "").stdout).contains("entities\t1"));
}

/// The benchmark TSV loader took an extra column into the quote, let a second row
/// with a source's id replace the first, and dropped an invalid date: each is refused
/// with its file and line, and nothing is loaded.
#[test]
fn tsv_rows_with_extra_fields_duplicate_ids_or_bad_dates_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let cases: [(&str, &str, &str); 5] = [
        (
            "statements.tsv",
            "id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n0\t0\tvisited\t1\t0\tthe minister said\textra\n",
            "statements.tsv:2: expected 6 tab-separated fields, found 7",
        ),
        (
            "entities.tsv",
            "id\tname\ttype\n0\tAlpha One\tPerson\n1\tBeta Two\n",
            "entities.tsv:3: expected 3 tab-separated fields, found 2",
        ),
        (
            "sources.tsv",
            "id\turl\tdate\ttitle\n0\thttps://news.example/a/0\t2024-01-01\tA\n0\thttps://news.example/b/0\t2024-01-02\tB\n",
            "sources.tsv:3: source id 0 appears twice",
        ),
        (
            "sources.tsv",
            "id\turl\tdate\ttitle\n0\thttps://news.example/a/0\t2024-13-45\tA title\n",
            "sources.tsv:2: \"2024-13-45\" is not a date",
        ),
        (
            "statements.tsv",
            "id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n0\t0\tvisited\t1\t0\tone\n0\t2\tlocated_in\t1\t0\ttwo\n",
            "statements.tsv:3: statement id 0 appears twice",
        ),
    ];
    let before = factgraph(&db, &["export"], "").stdout;
    for (i, (file, content, message)) in cases.into_iter().enumerate() {
        let d = dir.path().join(format!("tsv{i}"));
        tsv(&d);
        std::fs::write(d.join(file), content).unwrap();
        let out = factgraph(&db, &["load", d.to_str().unwrap()], "");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{message}: {stderr}");
        assert!(stderr.contains(message), "wanted {message:?}: {stderr}");
        assert_eq!(factgraph(&db, &["export"], "").stdout, before, "{message}: something was loaded");
    }
    // An empty date is no date, as before.
    let d = dir.path().join("nodate");
    tsv(&d);
    std::fs::write(d.join("sources.tsv"), "id\turl\tdate\ttitle\n0\thttps://news.example/a/0\t\tA title\n").unwrap();
    let out = factgraph(&db, &["load", d.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `file:` in a loaded `.fg` document reads a file in the script's folder; a
/// symbolic link there that leads out of it (to any readable file) is refused.
#[test]
fn a_file_path_that_is_a_symlink_out_of_the_data_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("texts")).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside the data folder").unwrap();
    std::fs::write(data.join("texts").join("inside.txt"), "Alice met Bob.").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), data.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path(), data.join("up")).unwrap();
    // A link that stays inside the folder is fine.
    std::os::unix::fs::symlink("texts/inside.txt", data.join("alias.txt")).unwrap();
    let before = factgraph(&db, &["export"], "").stdout;
    for target in ["leak.txt", "up/secret.txt"] {
        let script = data.join("doc.fg");
        std::fs::write(&script, format!("document d {{ file: \"{target}\" }};\n")).unwrap();
        let out = factgraph(&db, &["load", script.to_str().unwrap()], "");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{target}: {stderr}");
        assert!(stderr.contains("inside the script's directory"), "{target}: {stderr}");
        assert_eq!(factgraph(&db, &["export"], "").stdout, before, "{target}");
    }
    let script = data.join("doc.fg");
    std::fs::write(&script, "document d { file: \"alias.txt\" };\ndocument e { file: \"texts/inside.txt\" };\n")
        .unwrap();
    let out = factgraph(&db, &["load", script.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// A `.fg` file given to `load` is parsed whole; one over the limit is refused with
/// one line saying so (it used to draw thousands of lines of the file).
#[test]
fn an_oversized_data_script_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let big = dir.path().join("big.fg");
    let line = "entity Somebody: Thing;\n";
    std::fs::write(&big, line.repeat(2 * 1024 * 1024 / line.len())).unwrap();
    let out = factgraph(&db, &["load", big.to_str().unwrap()], "");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("limited to 1 MiB"), "{stderr}");
    assert!(stderr.lines().count() < 5, "{stderr}");
}

/// An import into a store that does not exist yet creates it with the import in it,
/// or not at all: a refused import leaves no empty store behind.
#[test]
fn a_refused_import_into_a_new_store_leaves_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let (dump, content) = export(dir.path());
    let (body, _) = content.trim_end().rsplit_once('\n').unwrap();
    std::fs::write(&dump, format!("{body}\n")).unwrap();
    let copy = dir.path().join("copy");
    let out = factgraph(&copy, &["import", dump.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!copy.exists(), "a refused import left {}", copy.display());
    assert!(!std::fs::read_dir(dir.path()).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("creating")));
    std::fs::write(&dump, &content).unwrap();
    let out = factgraph(&copy, &["import", dump.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(factgraph(&copy, &["export"], "").stdout, content.as_bytes());
}

/// `load` refused a `.fg` file that starts with a UTF-8 byte order mark ("found
/// `\u{feff}`"): the mark is skipped, as it is in `-f` scripts and imports.
#[test]
fn a_byte_order_mark_in_a_loaded_data_file_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let file = dir.path().join("bom.fg");
    std::fs::write(&file, "\u{feff}entity Beta: Thing;\n").unwrap();
    let out = factgraph(&db, &["load", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = factgraph(&db, &["-c", "describe Beta"], "");
    assert!(text(&out.stdout).contains("Beta"), "{}", text(&out.stderr));
}

/// A script ran the first half of a query whose `SET` or `ON CREATE SET` started a line
/// in the first column, writing a node without the property the rest would have set.
#[test]
fn a_script_runs_a_query_split_over_lines_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let script =
        "CREATE (n:K {k: 1})\nSET n.flag = true\nRETURN n.k;\nMERGE (m:K {k: 2})\nON CREATE SET m.created = true\n\
                  RETURN m.created;\nMATCH (x:K)\nRETURN x.k, x.flag, x.created\nORDER BY x.k DESC;\n";
    let out = factgraph(&db, &["--format", "tsv"], script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.ends_with("x.k\tx.flag\tx.created\n2\t\ttrue\n1\ttrue\t\n"), "{printed}");
}

/// `-c` beside `-f` ran the `-c` alone and left the file unread, with success; two
/// sources of a script are refused as two `-f` are, with the usage exit code.
#[test]
fn a_command_beside_a_file_is_refused_not_half_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let script = dir.path().join("s.fg");
    std::fs::write(&script, "entity Beta: Thing\n").unwrap();
    let script = script.to_str().unwrap();
    for args in [["-c", "entity Alpha: Thing", "-f", script], ["-f", script, "-c", "entity Alpha: Thing"]] {
        let out = factgraph(&db, &args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
    }
    assert!(!db.exists(), "nothing ran, so no store was made");
    // Nor beside a subcommand, which left them unrun.
    for args in [vec!["-c", "entity Alpha: Thing", "stats"], vec!["-f", script, "export"]] {
        let out = factgraph(&db, &args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
    }
}
