//! The query language at work: parse (in `factgraph-syntax`) → plan (names resolved
//! against the store) → execution (index reads, the store's adjacency), and
//! writes run as one transaction per script.

mod budget;
mod call;
mod compile;
mod conflicts;
mod context;
mod exec;
mod explain;
mod expr;
mod matcher;
mod params;
mod plan;
mod questions;
mod resolve;
mod result;
mod script;
mod sources;
mod temporal;
mod update;
mod value;

use std::path::{Path, PathBuf};

use factgraph_store::Store;
use factgraph_syntax::ast::{RunMode, Statement};

pub use context::Limits;
pub(crate) use context::{outlet, prepare_withdrawn, title, Credit, RowSink};
pub use params::{Param, Params};
pub(crate) use plan::Plan;
pub use result::{Cell, Citation, PathCell, QueryResult, Record, Row, Streamed};
pub use script::{ScriptState, WriteSummary};
pub(crate) use sources::prepare_source_names;

use crate::error::{Error, Result};
use crate::procedure::Procedures;

/// Texts this long or shorter are kept parsed (`parse`): questions and patterns typed
/// or sent one by one, not scripts.
const PARSED_TEXT_MAX: usize = 4096;
/// How many parsed texts are kept.
const PARSED_TEXTS: usize = 256;

/// The text parsed, from the texts parsed lately when it is one of them. Parsing a
/// point question costs more than answering it from a warm store (pest tries the
/// grammar's alternatives in turn); a client that asks the same question again, as
/// a server's clients and a benchmark do, pays it once, as SQLite's prepared statement
/// cache does for SQL. Parameters' values are part of the tree, so a text with
/// parameters is kept with its values: asked again with the same ones (the CLI asks
/// whether a text writes and then runs it; a REPL session's `.param` values stay) it
/// is parsed once, and with other values it is parsed again.
pub(crate) fn parse(text: &str, params: &Params) -> Result<std::sync::Arc<factgraph_syntax::ast::Script>> {
    static PARSED: std::sync::LazyLock<
        quick_cache::sync::Cache<String, std::sync::Arc<factgraph_syntax::ast::Script>>,
    > = std::sync::LazyLock::new(|| quick_cache::sync::Cache::new(PARSED_TEXTS));
    let values = params.to_syntax();
    // A parameter left out holds an entity, which no query can take: an error if the
    // text uses it (looked for only then: a point question is parsed in a few hundred
    // nanoseconds, which the look for it doubled).
    if values.len() != params.len() {
        if let Some((name, span)) = params.entity_used_in(text) {
            return Err(crate::error::QueryError::TypeMismatch {
                what: format!("the parameter ${name}"),
                expected: "a value (a parameter names an entity by its name: pass the name)".into(),
                found: "an entity".into(),
                span,
            }
            .into());
        }
    }
    // The values after a NUL; a text with a NUL of its own is not kept, so no two
    // keys can be the same for different texts and values.
    let key = if values.is_empty() { text.to_owned() } else { format!("{text}\0{values:?}") };
    let keep = key.len() <= PARSED_TEXT_MAX && !text.contains('\0');
    if keep {
        if let Some(script) = PARSED.get(&key) {
            return Ok(script);
        }
    }
    let script = std::sync::Arc::new(factgraph_syntax::parse_with(text, &values)?);
    if keep {
        PARSED.insert(key, script.clone());
    }
    Ok(script)
}

/// Whether a statement joins the script's batch of writes: writes, and queries that
/// only create.
fn batched_write(st: &Statement) -> bool {
    match st {
        Statement::Write(_) => true,
        Statement::Query(q) => batched_query(q),
        Statement::Question(_) => false,
    }
}

/// Whether a query runs in the script's batch of writes: one that only creates, and
/// reads nothing an earlier clause of it creates (`compile::reads_an_earlier_create`).
fn batched_query(q: &factgraph_syntax::ast::Query) -> bool {
    q.only_writes() && !compile::reads_an_earlier_create(q)
}

/// Plans one question or query (`None` for what runs in the script's batch of
/// writes). `text` is the whole input, which created statements quote.
pub(crate) fn plan(
    store: &Store,
    procs: &Procedures,
    statement: &Statement,
    limits: &Limits,
    text: &str,
) -> Result<Option<Plan>> {
    Ok(match statement {
        Statement::Write(_) => None,
        Statement::Question(q) => Some(plan::plan_question(store, q, context::Clock::start(limits))?),
        Statement::Query(q) => {
            // Checked even when it runs as a batched write, so errors come before writing.
            let planned = compile::plan(q, procs)?;
            if batched_query(q) {
                None
            } else {
                Some(query_plan(q, planned, text))
            }
        }
    })
}

/// The statements in the disagreements the `conflicts` question reports without
/// `all`: of the whole
/// store (`None`), or of the groups the statements given belong to. No deadline: it is
/// asked by callers that bound what they ask about (the DOT emitter).
pub(crate) fn conflicting(
    store: &Store,
    among: Option<&[factgraph_store::StatementId]>,
) -> Result<std::collections::BTreeSet<factgraph_store::StatementId>> {
    let limits = Limits { deadline: None, ..Limits::default() };
    let mut ctx = context::Ctx::new(store, &limits);
    questions::conflicting(&mut ctx, among)
}

/// A statement's plan in words, for `.explain`.
pub(crate) fn explain(
    store: &Store,
    procs: &Procedures,
    statement: &Statement,
    limits: &Limits,
    text: &str,
) -> Result<String> {
    Ok(match plan(store, procs, statement, limits, text)? {
        Some(Plan::Query { plan, .. }) => explain::explain(store, &plan)?,
        Some(p) => question_words(store, &p)?,
        None => match statement {
            Statement::Query(q) => explain::explain(store, &compile::plan(q, procs)?)?,
            _ => "a write: runs in the script's transaction".to_owned(),
        },
    })
}

/// The pattern queries of a text run with what each operator does counted
/// (`.profile`): each plan in words with each operator's rows and own time, the
/// answer's rows, note and time. Every statement is planned before any runs, and one
/// that is no pattern query (a question, a write of the product's language) is
/// refused then; a query that writes runs only alone in its text (so that nothing is
/// written for an answer that then fails) and not under `Limits::reads_only`.
pub(crate) fn profile(
    store: &Store,
    procs: &Procedures,
    statements: &[Statement],
    limits: &Limits,
    text: &str,
) -> Result<Vec<String>> {
    profile_answers(store, procs, statements, limits, text).map(|(_, plans)| plans)
}

/// A plan in words as an answer: a `plan` column, a row for each line.
fn plan_lines(plan: &str) -> QueryResult {
    let mut out = QueryResult { ordered: true, ..QueryResult::with_columns(&["plan"]) };
    for line in plan.lines() {
        out.rows.push(Row { cells: vec![Cell::Text { text: line.into() }], provenance: Vec::new() });
    }
    out
}

/// Answers made whole, handed to a streaming caller (`RowSink`) each in turn, which
/// keeps their rows; without one, returned as they are.
fn hand_over(mut results: Vec<QueryResult>, sink: Option<context::RowSink<'_>>) -> Vec<QueryResult> {
    let Some(sink) = sink else { return results };
    for (index, r) in results.iter_mut().enumerate() {
        if sink(Streamed::Result { index, columns: &r.columns, note: r.note.as_deref() }).is_break() {
            break;
        }
        if std::mem::take(&mut r.rows).iter().any(|row| sink(Streamed::Row(row)).is_break()) {
            break;
        }
    }
    results
}

/// `profile`, with the answers the queries gave.
fn profile_answers(
    store: &Store,
    procs: &Procedures,
    statements: &[Statement],
    limits: &Limits,
    text: &str,
) -> Result<(Vec<QueryResult>, Vec<String>)> {
    let none = || {
        Error::Query(crate::error::QueryError::not_allowed(
            crate::error::Restriction::ProfileWithoutOperators,
            Default::default(),
        ))
    };
    // One deadline for the whole text, as `run` has: each statement's own would let
    // a text of many run for as many times the deadline.
    let clock = context::Clock::start(limits);
    let mut plans = Vec::new();
    for st in statements {
        let Statement::Query(q) = st else { return Err(none()) };
        plans.push(query_plan(q, compile::plan(q, procs)?, text));
    }
    let writes = statements.iter().any(Statement::writes);
    if writes && limits.reads_only {
        return Err(Error::Store(factgraph_store::StoreError::ReadOnly));
    }
    if writes && statements.len() > 1 {
        return Err(none());
    }
    let (mut out, mut answers) = (Vec::new(), Vec::new());
    for planned in &plans {
        let (query, negated) = match planned {
            Plan::IncludingNegated(inner) => (&**inner, true),
            other => (other, false),
        };
        let Plan::Query { plan, text } = query else { return Err(none()) };
        let mut ctx = context::Ctx::on(store, clock);
        ctx.profile = Some(Default::default());
        let start = std::time::Instant::now();
        let answer = if negated {
            ctx.including_negated(|ctx| exec::run(ctx, plan, text))?
        } else {
            exec::run(&mut ctx, plan, text)?
        };
        let took = start.elapsed();
        let done = ctx.profile.take().unwrap_or_default();
        out.push(explain::profile(store, plan, &done, &answer, took)?);
        answers.push(answer);
    }
    Ok((answers, out))
}

/// A question's plan in words: what it reads, by resolved names and ids.
fn question_words(store: &Store, p: &Plan) -> Result<String> {
    let name = |id: factgraph_store::EntityId| -> Result<String> {
        Ok(match store.entity(id)? {
            Some(e) => format!("{} (entity {})", e.name, id.0),
            None => format!("entity {}", id.0),
        })
    };
    Ok(match p {
        Plan::Who { relations, target } => {
            format!("statements with object {} and relation {}: their subjects", name(*target)?, relations.join(" or "))
        }
        Plan::WhoReported { target: plan::Target::Entity(id, _) } => {
            format!("statements about {}: the sources credited, the documents that publish them", name(*id)?)
        }
        Plan::WhoReported { target: plan::Target::Phrase(p) } => {
            format!("names, values and quotes containing {p:?}: the sources behind them")
        }
        Plan::What { subject, relations } => {
            format!(
                "statements with subject {} and relation {}: their objects",
                name(*subject)?,
                relations.join(" or ")
            )
        }
        Plan::Describe(id) => format!("everything about {}: spellings, properties, statements", name(*id)?),
        Plan::Path { from, to } => format!("a shortest path from {} to {}, either way", name(*from)?, name(*to)?),
        Plan::Neighbours { centre, depth } => format!("entities within {depth} of {}", name(*centre)?),
        Plan::Sources(id) => format!("the sources of statements about {}, each once: outlets (or documents), credited speakers and the agencies named as reporting them", name(*id)?),
        Plan::Conflicts { all, about } => {
            let what = if *all {
                "versions of a claim that differ, each difference classified"
            } else {
                "versions of a claim that disagree (contradictions, and differences the texts leave open)"
            };
            match about {
                None => what.into(),
                Some(id) => format!("{what}, about {}", name(*id)?),
            }
        }
        Plan::Verify => "every stored quote, looked for in its document's text".into(),
        Plan::According { source, plan } => {
            format!("{}\n  keeping only what {} says", question_words(store, plan)?, name(*source)?)
        }
        Plan::Why(plan) => {
            format!("{}\n  one row per piece of evidence behind each answer", question_words(store, plan)?)
        }
        Plan::IncludingNegated(plan) => format!(
            "{}\n  including statements their sources deny or do not confirm",
            question_words(store, plan)?
        ),
        Plan::Query { plan, .. } => explain::explain(store, plan)?,
    })
}

/// A query's plan, under `including negated` when it ends so.
fn query_plan(q: &factgraph_syntax::ast::Query, planned: compile::QueryPlan, text: &str) -> Plan {
    let plan = Plan::Query { plan: Box::new(planned), text: text.to_owned() };
    if q.including_negated {
        Plan::IncludingNegated(Box::new(plan))
    } else {
        plan
    }
}

/// Runs a text: its writes first, as one atomic transaction (reported as one note),
/// then its questions and patterns in order.
pub(crate) fn run(
    store: &Store,
    procs: &Procedures,
    text: &str,
    params: &Params,
    limits: &Limits,
    state: &mut ScriptState,
    mut sink: Option<context::RowSink<'_>>,
) -> Result<Vec<QueryResult>> {
    // One deadline for the whole text, from now: parsing (bounded by the parser's own
    // limits) and resolving names count too.
    let clock = context::Clock::start(limits);
    let script = parse(text, params)?;
    clock.check()?;
    match script.mode {
        // Its plan, as `.explain` gives it, one line a row; nothing runs.
        Some(RunMode::Explain) => {
            let plan = explain(store, procs, &script.statements[0], limits, text)?;
            return Ok(hand_over(vec![plan_lines(&plan)], sink));
        }
        // Its answers, then its plan with what each operator did, as `.profile`
        // gives it.
        Some(RunMode::Profile) => {
            let (mut answers, plans) = profile_answers(store, procs, &script.statements, limits, text)?;
            answers.push(plan_lines(&plans.join("\n")));
            return Ok(hand_over(answers, sink));
        }
        None => {}
    }
    if limits.reads_only && script.statements.iter().any(Statement::writes) {
        return Err(Error::Store(factgraph_store::StoreError::ReadOnly));
    }
    // Every query is planned before anything is written, so that an error in any
    // leaves the store as it was. (Questions are planned after the writes: they may
    // name what the writes create.)
    let mut queries = Vec::new();
    // The plans of the queries that only create, which run in the batch of writes.
    let mut creates = Vec::new();
    for st in &script.statements {
        queries.push(match st {
            Statement::Query(q) if !batched_query(q) => Some(query_plan(q, compile::plan(q, procs)?, text)),
            Statement::Query(q) => {
                creates.push(compile::plan(q, procs)?);
                None
            }
            _ => None,
        });
    }
    let mut creates = creates.into_iter();
    let writes: Vec<&Statement> = script.statements.iter().filter(|s| batched_write(s)).collect();
    let mut results = Vec::new();
    // What takes the batch of writes back should a question after it fail, with the
    // script state to restore.
    let mut written: Option<(Option<factgraph_store::Undo>, WriteSummary, std::collections::HashMap<String, _>)> = None;
    if !writes.is_empty() {
        let before = state.summary;
        let labels = state.labels.clone();
        let mut tx = store.transaction()?;
        for w in writes {
            let done = match w {
                Statement::Write(w) => script::run(&mut tx, state, w),
                Statement::Query(_) => match creates.next() {
                    Some(plan) => {
                        // One variable space for the query's consecutive `create` clauses.
                        let (mut nodes, mut rels) = Default::default();
                        let mut ctx = context::Ctx::on(store, clock);
                        let row = vec![value::Val::Null; plan.width];
                        plan.creates().into_iter().try_for_each(|c| {
                            let paths = exec::literal_paths(&mut ctx, c, &row)?;
                            script::create(&mut tx, state, &paths, text, &mut nodes, &mut rels)
                        })
                    }
                    None => Ok(()),
                },
                Statement::Question(_) => Ok(()),
            };
            if let Err(e) = done {
                // Nothing of the script is kept, labels included.
                state.labels = labels;
                state.summary = before;
                return Err(e);
            }
        }
        let (_, undo) = tx.commit_undoable()?;
        written = Some((undo, before, labels));
        let s = state.summary;
        let delta = WriteSummary {
            entities: s.entities - before.entities,
            documents: s.documents - before.documents,
            statements: s.statements - before.statements,
            merged: s.merged - before.merged,
            evidence: s.evidence - before.evidence,
            retracted: s.retracted - before.retracted,
            deleted: s.deleted - before.deleted,
            changed: s.changed - before.changed,
        };
        let note = QueryResult::note(format!("written: {delta}"));
        if let Some(sink) = sink.as_deref_mut() {
            let begun = Streamed::Result { index: results.len(), columns: &[], note: note.note.as_deref() };
            if sink(begun).is_break() {
                return Ok(vec![note]);
            }
        }
        results.push(note);
    }
    let planned_text = params.is_empty().then_some(text);
    for (place, (st, query)) in script.statements.iter().zip(queries).enumerate() {
        let answered = (|| {
            let p = match (st, query) {
                (_, Some(p)) => p,
                (Statement::Question(q), _) => plan::planned(store, q, place, planned_text, clock)?,
                _ => return Ok(None),
            };
            let mut ctx = context::Ctx::on(store, clock);
            ctx.result_index = results.len();
            if let Some(s) = sink.as_deref_mut() {
                // Coerced here, to the context's own lifetime: a reborrow for this
                // question alone.
                ctx.sink = Some(s);
            }
            let r = questions::run(&mut ctx, &p)?;
            Ok(Some((r, ctx.began, ctx.stopped)))
        })();
        match answered {
            Ok(Some((mut r, began, mut stopped))) => {
                // A question that streams has begun its result and handed over its
                // rows; the others' are handed over now.
                if let Some(sink) = sink.as_deref_mut() {
                    let rows = std::mem::take(&mut r.rows);
                    if !began {
                        let begun =
                            Streamed::Result { index: results.len(), columns: &r.columns, note: r.note.as_deref() };
                        stopped = sink(begun).is_break();
                    }
                    for row in rows {
                        if stopped || sink(Streamed::Row(&row)).is_break() {
                            stopped = true;
                        }
                    }
                }
                results.push(r);
                if stopped {
                    break;
                }
            }
            Ok(None) => {}
            // A script is one unit: a question that fails after the script's writes
            // were committed takes them back, so the error leaves the store as it was
            // (found by fuzzing: `who reportin nobody; entity "Z": Organization`
            // failed and kept Z). Writes too large to keep an undo of (over 64 MiB)
            // stay; so do they when another writer committed in between.
            Err(e) => {
                if let Some((Some(undo), before, labels)) = written.take() {
                    if store.undo(vec![undo]).is_ok() {
                        state.summary = before;
                        state.labels = labels;
                    }
                }
                return Err(e);
            }
        }
    }
    Ok(results)
}

/// Loads script files as one atomic batch: labels are shared across the files, which
/// run in the order given; `file:` paths are relative to each script's directory.
pub(crate) fn load_scripts(store: &Store, paths: &[PathBuf]) -> Result<WriteSummary> {
    let mut parsed = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io { context: format!("reading {}", path.display()), source: e })?;
        // A UTF-8 byte order mark (some editors write one) is not part of the script.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let script = factgraph_syntax::parse(text).map_err(|e| in_file(path, e.into()))?;
        parsed.push((path, script));
    }
    let mut state = ScriptState::default();
    let mut tx = store.transaction()?;
    for (path, script) in &parsed {
        state.base_dir = Some(path.parent().unwrap_or(Path::new(".")).to_owned());
        for st in &script.statements {
            match st {
                Statement::Write(w) => script::run(&mut tx, &mut state, w).map_err(|e| in_file(path, e))?,
                _ => {
                    return Err(in_file(
                        path,
                        crate::error::QueryError::NotAllowed {
                            rule: crate::error::Restriction::WritesOnlyInDataFile,
                            span: Default::default(),
                        }
                        .into(),
                    ))
                }
            }
        }
    }
    tx.commit()?;
    Ok(state.summary)
}

fn in_file(path: &Path, e: Error) -> Error {
    Error::InFile { path: path.to_owned(), source: Box::new(e) }
}

#[cfg(test)]
mod tests {
    use super::{parse, Params};

    #[test]
    fn a_text_without_parameters_is_parsed_once_and_kept() {
        let text = "who reported \"a text only this test asks\"";
        let first = parse(text, &Params::new()).unwrap();
        let again = parse(text, &Params::new()).unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "the second parse is the kept tree");
    }

    #[test]
    fn a_text_with_parameters_is_kept_with_their_values() {
        let text = "who reported $who";
        let a = parse(text, &Params::new().set("who", "A")).unwrap();
        let b = parse(text, &Params::new().set("who", "B")).unwrap();
        assert!(!std::sync::Arc::ptr_eq(&a, &b));
        assert_ne!(format!("{:?}", a.statements), format!("{:?}", b.statements), "each tree holds its own value");
        // The same values again: the kept tree, whose value is still A's.
        let again = parse(text, &Params::new().set("who", "A")).unwrap();
        assert!(std::sync::Arc::ptr_eq(&a, &again));
        // A value that only prints like another is another value.
        let n = parse("match (n) where n.x = $v return n", &Params::new().set("v", 1)).unwrap();
        let s = parse("match (n) where n.x = $v return n", &Params::new().set("v", "1")).unwrap();
        assert!(!std::sync::Arc::ptr_eq(&n, &s));
        assert_ne!(format!("{:?}", n.statements), format!("{:?}", s.statements));
    }

    #[test]
    fn a_long_text_is_not_kept() {
        let text = format!("who reported \"{}\"", "x".repeat(super::PARSED_TEXT_MAX));
        let first = parse(&text, &Params::new()).unwrap();
        let again = parse(&text, &Params::new()).unwrap();
        assert!(!std::sync::Arc::ptr_eq(&first, &again));
    }
}
