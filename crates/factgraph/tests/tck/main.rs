//! The openCypher TCK (release 2024.3), run as written: every
//! scenario's setup by its own `CREATE` queries on a fresh in-memory graph, its query
//! unchanged, its expected rows, errors and side effects compared strictly. The
//! scenarios that pass are kept in `tests/tck/passing.tsv` and counted per tier in
//! `docs/language.md`; this test fails when either no longer says what the run finds.
//! `TCK_UPDATE=1 cargo test -p factgraph --test tck` rewrites both;
//! `TCK_REASONS=/tmp/why.tsv` writes why each failing scenario failed.
//!
//! What "strictly" means here:
//! - results: the same column names in the same order, and the same rows (as a
//!   multiset for "in any order"), values compared in the TCK's notation; our
//!   entities are nodes labelled with their kind and carrying their name;
//! - errors: an error expected "at compile time" must come from planning without
//!   running (`Graph::validate_params`); its kind must fit the TCK's detail: a parse
//!   error passes only for the lexical details (`UnexpectedSyntax`, number and
//!   unicode literals), an unknown function or procedure must be an unknown name,
//!   every other detail needs an error that is neither;
//! - procedures: a scenario's `there exists a procedure NAME(INPUTS) :: (OUTPUTS)`
//!   registers one (`Graph::register_procedure`) whose body gives the outputs of the
//!   rows of the step's table whose inputs equal the arguments;
//! - side effects: measured as the TCK's own harness does, by comparing the graph
//!   before and after the query: `+nodes`/`-nodes` (entities other than documents),
//!   `+relationships`/`-relationships` (statements), `+properties`/`-properties`
//!   (the (node or relationship, key, value) triples added and gone: a value changed
//!   is one of each) and `+labels`/`-labels` (the distinct labels in the graph);
//!   "no side effects" means none of any.
//!
//! Where the scenarios come from, first found first: `$FACTGRAPH_TCK` (a directory with
//! `features/` and `graphs/`), `../shared/tck` beside the repository, or the copy the
//! `open-cypher` crate (a dev-dependency) ships under `spec/vendor/openCypher-2024.3/tck`,
//! found through `cargo metadata`, so a fresh clone runs the suite with nothing beside
//! it. Each scenario's tier comes from `tests/tck/tiers.tsv` (see `../shared/tck/README.md`).

mod gherkin;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use factgraph::{ErrorKind, FieldType, Graph, Limits, Params, Procedure, QueryResult, DOCUMENT_KIND};

use gherkin::{Scenario, Step};
use values::Val;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory holding the TCK's `features/` and `graphs/`.
fn tck_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("FACTGRAPH_TCK") {
        return Some(PathBuf::from(d));
    }
    let shared = repo().join("../shared/tck");
    if shared.join("features").is_dir() {
        return Some(shared);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(repo())
        .output()
        .ok()?;
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let manifest =
        meta["packages"].as_array()?.iter().find(|p| p["name"] == "open-cypher")?["manifest_path"].as_str()?;
    let dir = Path::new(manifest).parent()?.join("spec/vendor/openCypher-2024.3/tck");
    dir.join("features").is_dir().then_some(dir)
}

fn limits() -> Limits {
    Limits { deadline: Some(Duration::from_secs(2)), max_rows: 100_000, ..Limits::default() }
}

/// What the TCK's side effects are measured on: nodes (entities that are not
/// documents), relationships (statements), the distinct labels, and every property as
/// a (node or relationship, key, value) triple. A node's name is its `name`
/// property, its kind its labels (joined by `:`; `Thing` is none).
#[derive(Default)]
struct State {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    labels: BTreeSet<String>,
    properties: BTreeSet<String>,
}

impl State {
    fn of(g: &Graph) -> State {
        let mut s = State::default();
        for e in g.entities().flatten() {
            if e.kind == DOCUMENT_KIND {
                continue;
            }
            s.nodes.insert(e.id.0);
            if e.kind != "Thing" {
                s.labels.extend(e.kind.split(':').map(str::to_owned));
            }
            if !e.name.is_empty() {
                s.properties.insert(format!("n{}\tname\t{:?}", e.id.0, factgraph::Value::Str(e.name.clone())));
            }
            for (k, v) in &e.properties {
                s.properties.insert(format!("n{}\t{k}\t{v:?}", e.id.0));
            }
        }
        for relation in g.relations() {
            for id in g.statements_with_relation(&relation).unwrap_or_default() {
                let Ok(Some(st)) = g.statement(id) else { continue };
                s.rels.insert(id.0);
                for (k, v) in &st.qualifiers {
                    s.properties.insert(format!("r{}\t{k}\t{v:?}", id.0));
                }
            }
        }
        s
    }

    /// `+nodes`, `-nodes`, … from `before` to `self`, leaving out the zeros.
    fn effects(&self, before: &State) -> BTreeMap<&'static str, i64> {
        fn diff<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> i64 {
            a.difference(b).count() as i64
        }
        let all = [
            ("+nodes", diff(&self.nodes, &before.nodes)),
            ("-nodes", diff(&before.nodes, &self.nodes)),
            ("+relationships", diff(&self.rels, &before.rels)),
            ("-relationships", diff(&before.rels, &self.rels)),
            ("+labels", diff(&self.labels, &before.labels)),
            ("-labels", diff(&before.labels, &self.labels)),
            ("+properties", diff(&self.properties, &before.properties)),
            ("-properties", diff(&before.properties, &self.properties)),
        ];
        all.into_iter().filter(|(_, n)| *n != 0).collect()
    }
}

/// Whether an error of ours fits the error the TCK expects (`detail` as in
/// `SyntaxError should be raised at compile time: UndefinedVariable`).
fn fits(kind: ErrorKind, detail: &str) -> bool {
    const LEXICAL: &[&str] = &[
        "UnexpectedSyntax",
        "InvalidNumberLiteral",
        "InvalidUnicodeLiteral",
        "InvalidUnicodeCharacter",
        "IntegerOverflow",
        "FloatingPointOverflow",
        "MissingParameter",
    ];
    match kind {
        ErrorKind::Syntax => LEXICAL.contains(&detail),
        ErrorKind::UnknownName => ["UnknownFunction", "UndefinedVariable", "ProcedureNotFound"].contains(&detail),
        ErrorKind::Invalid | ErrorKind::Ambiguous => !LEXICAL.contains(&detail) && detail != "UnknownFunction",
        _ => false,
    }
}

/// The procedure a `there exists a procedure NAME(INPUTS) :: (OUTPUTS)` step defines:
/// each of its table's rows gives its outputs when called with its inputs.
fn procedure(signature: &str, table: &[Vec<String>]) -> Result<Procedure, String> {
    let signature = signature.trim().trim_end_matches(':').trim();
    let fields = |list: &str| -> Result<Vec<(String, FieldType)>, String> {
        let list =
            list.trim().strip_prefix('(').and_then(|l| l.strip_suffix(')')).ok_or("a field list in parentheses")?;
        let mut out = Vec::new();
        for field in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let (name, t) = field.split_once("::").ok_or(format!("a field without a type: {field}"))?;
            out.push((name.trim().to_owned(), t.parse::<FieldType>()?));
        }
        Ok(out)
    };
    let open = signature.find('(').ok_or("a procedure without inputs")?;
    let close = open + signature[open..].find(')').ok_or("inputs without their `)`")?;
    let name = &signature[..open];
    let inputs = fields(&signature[open..=close])?;
    let outputs = fields(signature[close + 1..].trim().strip_prefix("::").ok_or("a procedure without outputs")?)?;
    let (header, rows) = table.split_first().map_or((&[][..], &[][..]), |(h, r)| (h.as_slice(), r));
    let column = |field: &str| header.iter().position(|h| h == field).ok_or(format!("no column for `{field}`"));
    let (ins, outs) = (
        inputs.iter().map(|(f, _)| column(f)).collect::<Result<Vec<_>, _>>()?,
        outputs.iter().map(|(f, _)| column(f)).collect::<Result<Vec<_>, _>>()?,
    );
    let mut known = Vec::new();
    for row in rows {
        let value = |i: usize| -> Result<factgraph::Param, String> {
            let v = values::parse(row.get(i).ok_or("a short row")?)?;
            values::to_param(&v).ok_or(format!("a value a procedure cannot give: {}", row[i]))
        };
        let given = ins.iter().map(|&i| value(i)).collect::<Result<Vec<_>, _>>()?;
        let gives = outs.iter().map(|&i| value(i)).collect::<Result<Vec<_>, _>>()?;
        known.push((given, gives));
    }
    Procedure::new(name, inputs, outputs, move |args| {
        Ok(known.iter().filter(|(given, _)| given.as_slice() == args).map(|(_, gives)| gives.clone()).collect())
    })
    .map_err(|e| e.to_string())
}

fn compare(result: &QueryResult, step: &Step) -> Result<(), String> {
    let Some((header, rows)) = step.table.split_first() else { return Err("a result table with no header".into()) };
    if &result.columns != header {
        return Err(format!("columns {:?}, expected {header:?}", result.columns));
    }
    let lists_unordered = step.text.contains("ignoring element order for lists");
    let norm = |v: Val| if lists_unordered { v.lists_sorted() } else { v };
    let mut ours: Vec<String> = result
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| norm(values::from_cell(c)).to_string()).collect::<Vec<_>>().join(" | "))
        .collect();
    let mut expected = Vec::new();
    for row in rows {
        let mut cells = Vec::new();
        for c in row {
            cells.push(norm(values::parse(c)?).to_string());
        }
        expected.push(cells.join(" | "));
    }
    if !step.text.contains("in order") {
        ours.sort();
        expected.sort();
    }
    if ours == expected {
        Ok(())
    } else {
        Err(format!("rows {ours:?}, expected {expected:?}"))
    }
}

/// Runs one scenario: `Ok` when it passes, else why not.
fn run(s: &Scenario, tck: &Path) -> Result<(), String> {
    if s.ignored {
        return Err("tagged @ignore in the TCK".into());
    }
    let g = Graph::in_memory().map_err(|e| e.to_string())?;
    let mut params = Params::new();
    let mut before = State::of(&g);
    let mut last: Option<Result<Vec<QueryResult>, factgraph::Error>> = None;
    let mut query = String::new();
    for step in &s.steps {
        let t = step.text.as_str();
        if t == "an empty graph" || t == "any graph" {
        } else if let Some(name) = t.strip_prefix("the ").and_then(|r| r.strip_suffix(" graph")) {
            let file = tck.join("graphs").join(name).join(format!("{name}.cypher"));
            let setup = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            g.query_with(&setup, &limits()).map_err(|e| format!("the {name} graph: {e}"))?;
        } else if t == "having executed" {
            let q = step.doc.clone().unwrap_or_default();
            g.query_params(&q, &params, &limits()).map_err(|e| format!("setup: {e}"))?;
        } else if t == "parameters are" {
            for row in &step.table {
                let [name, value] = row.as_slice() else { return Err("a parameter row".into()) };
                let v = values::parse(value)?;
                let v = values::to_param(&v).ok_or(format!("a parameter of unsupported type: {value}"))?;
                params.insert(name.clone(), v);
            }
        } else if let Some(signature) = t.strip_prefix("there exists a procedure ") {
            g.register_procedure(procedure(signature, &step.table)?);
        } else if t == "executing query" || t == "executing control query" {
            query = step.doc.clone().unwrap_or_default();
            before = State::of(&g);
            last = Some(g.query_params(&query, &params, &limits()));
        } else if t.starts_with("the result should be") {
            let results = match last.take() {
                Some(Ok(r)) => r,
                Some(Err(e)) => return Err(format!("the query failed: {e}")),
                None => return Err("no query ran".into()),
            };
            let answer = results.into_iter().rev().find(|r| !r.columns.is_empty()).unwrap_or_default();
            if t == "the result should be empty" {
                if !answer.rows.is_empty() {
                    return Err(format!("{} rows, expected none", answer.rows.len()));
                }
            } else {
                compare(&answer, step)?;
            }
            last = Some(Ok(Vec::new()));
        } else if let Some(rest) = t.strip_prefix("a ").or_else(|| t.strip_prefix("an ")) {
            // `SyntaxError should be raised at compile time: UndefinedVariable`
            let (_, detail) = rest.rsplit_once(": ").unwrap_or((rest, ""));
            let compile_time = rest.contains("at compile time");
            let error = if compile_time {
                g.validate_params(&query, &params).err()
            } else {
                match last.take() {
                    Some(Err(e)) => Some(e),
                    _ => None,
                }
            };
            match error {
                None => {
                    return Err(format!(
                        "expected {rest}, but no error{}",
                        if compile_time { " when planning" } else { "" }
                    ))
                }
                Some(e) if !fits(e.kind(), detail) => return Err(format!("expected {rest}, got {}: {e}", e.kind())),
                Some(_) => {}
            }
            last = Some(Ok(Vec::new()));
        } else if t == "no side effects" || t == "the side effects should be" {
            let mut expected: BTreeMap<&str, i64> = BTreeMap::new();
            for row in &step.table {
                if let [what, n] = row.as_slice() {
                    let n: i64 = n.parse().unwrap_or(0);
                    if n != 0 {
                        expected.insert(what.as_str(), n);
                    }
                }
            }
            let found = State::of(&g).effects(&before);
            if found != expected {
                return Err(format!("side effects {found:?}, expected {expected:?}"));
            }
        } else {
            return Err(format!("a step this runner does not know: {t}"));
        }
    }
    Ok(())
}

/// `file \t line \t example \t title` — the key `tiers.tsv` uses, and the pass list's.
fn key(s: &Scenario) -> String {
    format!("{}\t{}\t{}\t{}", s.file, s.line, s.example, s.title)
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

const TIERS: &[&str] = &["T1", "T1+", "T2", "T2R", "T2+", "T3"];
const BEGIN: &str = "<!-- tck:begin (written by crates/factgraph/tests/tck) -->";
const END: &str = "<!-- tck:end -->";

#[test]
fn the_tck_passes_what_the_pass_list_says() {
    let tck =
        tck_dir().expect("the openCypher TCK: the open-cypher dev-dependency ships it (is `cargo metadata` failing?)");
    let tiers_text = std::fs::read_to_string(repo().join("tests/tck/tiers.tsv")).unwrap();
    // (file, line, example) → (tier, outcome)
    let mut tiers: BTreeMap<(String, String, String), (String, String)> = BTreeMap::new();
    for line in tiers_text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if let [file, l, ex, _title, outcome, tier] = f.as_slice() {
            tiers.insert((file.to_string(), l.to_string(), ex.to_string()), (tier.to_string(), outcome.to_string()));
        }
    }
    let features = tck.join("features");
    let mut files = Vec::new();
    feature_files(&features, &mut files);
    files.sort();
    let scenarios: Vec<Scenario> = files.iter().flat_map(|f| gherkin::read(&features, f)).collect();
    let unknown: Vec<String> = scenarios
        .iter()
        .filter(|s| !tiers.contains_key(&(s.file.clone(), s.line.to_string(), s.example.clone())))
        .map(key)
        .collect();
    assert!(unknown.is_empty(), "scenarios tiers.tsv does not list: {unknown:#?}");
    assert_eq!(scenarios.len(), tiers.len(), "every scenario of tiers.tsv is read");

    // Each scenario on its own thread with a stack of its own, so a deep query cannot
    // take the run down; two at a time, the machine's cores.
    let passed: BTreeSet<String> = std::thread::scope(|scope| {
        let chunks: Vec<&[Scenario]> = scenarios.chunks(scenarios.len().div_ceil(2)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let tck = tck.clone();
                std::thread::Builder::new()
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, move || chunk.iter().map(|s| (key(s), run(s, &tck))).collect::<Vec<_>>())
                    .unwrap()
            })
            .collect();
        let outcomes: Vec<(String, Result<(), String>)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        // `TCK_REASONS=FILE` writes why each scenario failed, for work on the engine.
        if let Some(path) = std::env::var_os("TCK_REASONS") {
            let text: String = outcomes
                .iter()
                .filter_map(|(k, r)| r.as_ref().err().map(|why| format!("{k}\t{}\n", why.replace(['\n', '\t'], " "))))
                .collect();
            std::fs::write(path, text).unwrap();
        }
        outcomes.into_iter().filter(|(_, r)| r.is_ok()).map(|(k, _)| k).collect()
    });

    // Counts per tier: scenarios, passed; results (table, empty) and errors apart.
    let mut table = String::from(
        "| tier | scenarios | pass | results expected | results passed | errors expected | errors passed |\n|---|---|---|---|---|---|---|\n",
    );
    for tier in TIERS {
        let of_tier: Vec<&Scenario> = scenarios
            .iter()
            .filter(|s| tiers[&(s.file.clone(), s.line.to_string(), s.example.clone())].0 == *tier)
            .collect();
        let outcome = |s: &&&Scenario| tiers[&(s.file.clone(), s.line.to_string(), s.example.clone())].1.clone();
        let results: Vec<&&Scenario> = of_tier.iter().filter(|s| !outcome(s).starts_with("error")).collect();
        let errors: Vec<&&Scenario> = of_tier.iter().filter(|s| outcome(s).starts_with("error")).collect();
        let pass = |set: &[&&Scenario]| set.iter().filter(|s| passed.contains(&key(s))).count();
        table.push_str(&format!(
            "| {tier} | {} | {} | {} | {} | {} | {} |\n",
            of_tier.len(),
            of_tier.iter().filter(|s| passed.contains(&key(s))).count(),
            results.len(),
            pass(&results),
            errors.len(),
            pass(&errors),
        ));
    }
    // And per feature folder (`clauses/match`, `expressions/list`, …), every tier
    // together; the scenario the TCK itself tags `@ignore` is counted apart.
    let mut folders: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for s in &scenarios {
        let folder = s.file.rsplit_once('/').map_or(s.file.as_str(), |(dir, _)| dir);
        let ignored = tiers[&(s.file.clone(), s.line.to_string(), s.example.clone())].0 == "ignore";
        let counts = folders.entry(folder).or_default();
        if ignored {
            counts.2 += 1;
        } else {
            counts.0 += 1;
            counts.1 += usize::from(passed.contains(&key(s)));
        }
    }
    table.push_str("\n| feature folder | scenarios | pass | tagged `@ignore` |\n|---|---|---|---|\n");
    for (folder, (n, pass, ignored)) in &folders {
        table.push_str(&format!("| {folder} | {n} | {pass} | {ignored} |\n"));
    }
    let list: String = passed.iter().map(|k| format!("{k}\n")).collect();

    let list_path = repo().join("tests/tck/passing.tsv");
    let doc_path = repo().join("docs/language.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let (head, rest) = doc.split_once(BEGIN).expect("docs/language.md has the TCK table's begin marker");
    let (_, tail) = rest.split_once(END).expect("docs/language.md has the TCK table's end marker");
    let new_doc = format!("{head}{BEGIN}\n{table}{END}{tail}");
    if std::env::var_os("TCK_UPDATE").is_some() {
        std::fs::create_dir_all(list_path.parent().unwrap()).unwrap();
        std::fs::write(&list_path, &list).unwrap();
        std::fs::write(&doc_path, &new_doc).unwrap();
        return;
    }
    let kept: BTreeSet<String> =
        std::fs::read_to_string(&list_path).unwrap_or_default().lines().map(str::to_owned).collect();
    let lost: Vec<&String> = kept.difference(&passed).collect();
    let gained: Vec<&String> = passed.difference(&kept).collect();
    assert!(lost.is_empty(), "scenarios that passed and no longer do:\n{lost:#?}");
    assert!(gained.is_empty(), "scenarios that now pass: run with TCK_UPDATE=1 to record them\n{gained:#?}");
    assert_eq!(doc, new_doc, "docs/language.md's TCK table is stale: run with TCK_UPDATE=1");
}
