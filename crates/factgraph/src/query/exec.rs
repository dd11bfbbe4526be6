//! Running a planned query: each operator pushes rows, one at a time, to the operator
//! after it (a push pipeline, as DuckDB runs one). A row is never held longer than its
//! operator needs it: `count(*)` over any number of matches holds one counter, and
//! `limit` tells the operators before it to stop. Sorting, `distinct` and grouping
//! keep what they must, within `Limits::max_rows` times ten rows or groups, and count
//! it against the memory budget (`Ctx::hold`), as do `collect` and the answer's rows.
//!
//! Updates are the exception: `create`, `set`, `remove` and `delete` read all of their
//! input rows first (so that what they write cannot change what the clauses before
//! them read), write them in one transaction, commit, and then pass the rows on. A
//! clause that fails leaves the store as it was before it, and a query that fails
//! takes back what its earlier clauses committed (`Store::undo`). `merge` goes row by
//! row, each row seeing what the rows before it created.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use rustc_hash::{FxHashMap, FxHashSet};

use factgraph_store::{Node, StatementId};
use factgraph_syntax::ast::{ExprKind, Literal, PathPattern, PatternProperty, Span};

use super::budget::{cell_bytes, may_be_large, row_bytes, val_bytes};
use super::compile::{
    counts_ends, counts_sources, Agg, AggFn, Asked, CExpr, CreatePlan, Op, QueryPlan, RunSubquery, Update,
};
use super::context::{Ctx, Flow};
use super::expr::eval;
use super::matcher;
use super::result::{QueryResult, Row};
use super::script::{self, ScriptState};
use super::sources::SourceNames;
use super::update;
use super::value::{compare_for_sort, num, to_cell, truth, RowKey, Val};
use crate::error::{QueryError, Restriction, Result};

/// How many rows `count(distinct s)` over `sources(r)` answers as written before it
/// reads the index of every statement's sources, when this process does not have it
/// yet: about what building or reading the index costs at 1,000,000 statements.
const SOURCES_BY_INDEX: usize = 2048;

pub(crate) type Sink<'s> = dyn FnMut(&mut Ctx<'_>, Vec<Val>) -> Result<Flow> + 's;

/// Where an operator lends its rows (`Env::op_ref`): read in place, not owned.
type RefSink<'s> = dyn FnMut(&mut Ctx<'_>, &[Val]) -> Result<Flow> + 's;

/// Whether `Env::op_ref` lends `op`'s rows without building them: a match that is
/// not optional, and filters over one.
fn lends(op: &Op) -> bool {
    match op {
        Op::Match { optional, .. } => !optional,
        Op::Filter { input, .. } => lends(input),
        _ => false,
    }
}

/// Runs a query to its answer. `text` is the query as written, which statements it
/// creates quote as their evidence.
pub(crate) fn run(ctx: &mut Ctx<'_>, plan: &QueryPlan, text: &str) -> Result<QueryResult> {
    let mut result = QueryResult {
        columns: plan.columns.iter().map(|(n, _)| n.clone()).collect(),
        ordered: plan.ordered,
        ..QueryResult::default()
    };
    let mut written = ScriptState::default();
    let mut rows = 0usize;
    let returns = !plan.columns.is_empty();
    // Each query of a union pushes into the same answer, through its own columns'
    // slots; `union` (not `all`) keeps each answer row once.
    let first: Vec<usize> = plan.columns.iter().map(|(_, s)| *s).collect();
    let parts = std::iter::once((&plan.root, &first)).chain(plan.unions.iter().map(|(op, cols)| (op, cols)));
    let mut seen = FxHashSet::default();
    let mut env =
        Env { text, width: plan.width, written: &mut written, undo: Some(Vec::new()), undo_bytes: 0, start: None };
    ctx.subqueries = Some(&SUBQUERIES);
    // A query that only reads hands its rows to a streaming caller as they are made,
    // its note first (what it names that nothing has: the same before it runs as
    // after, since it writes nothing); one that writes is handed over whole, since
    // a failure takes its writes back.
    let streams = ctx.sink.is_some() && !plan.writes;
    // The labels and types a query that writes names and the store has before it
    // runs: deleting the last node of a label makes it no unknown name.
    let existed = if plan.writes { existing_names(ctx, plan)? } else { Default::default() };
    if streams {
        let notes = unknown_names(ctx, plan, &existed)?;
        result.note = (!notes.is_empty()).then(|| notes.join("; "));
        ctx.begin_noted(&result.columns, result.note.as_deref());
    }
    for (root, columns) in parts {
        if ctx.stopped {
            break;
        }
        let mut sink = |ctx: &mut Ctx<'_>, row: Vec<Val>| -> Result<Flow> {
            if !returns {
                return Ok(Flow::Go);
            }
            if plan.union_distinct {
                let key = RowKey::of(columns.iter().map(|s| &row[*s]));
                let bytes = key.bytes();
                if !seen.insert(key) {
                    return Ok(Flow::Go);
                }
                ctx.hold(bytes, "the rows `union` keeps once")?;
            }
            rows += 1;
            ctx.check_rows(rows)?;
            let mut cells = Vec::with_capacity(columns.len());
            for slot in columns {
                cells.push(to_cell(ctx, &row[*slot])?);
            }
            let mut provenance = Vec::new();
            for slot in &plan.provenance {
                let ids: Vec<StatementId> = match &row[*slot] {
                    Val::Rel(s) => vec![*s],
                    Val::Rels(v) => v.clone(),
                    _ => continue,
                };
                for id in ids {
                    // A relationship the query deleted cites nothing any more.
                    if let Some(st) = ctx.store.statement(id)? {
                        provenance.extend(ctx.citations(&st)?);
                    }
                }
            }
            let row = Row { cells, provenance };
            if streams {
                ctx.hand_over(&row);
                return Ok(if ctx.stopped { Flow::Stop } else { Flow::Go });
            }
            let bytes = row.cells.iter().map(cell_bytes).sum::<usize>()
                + row.provenance.iter().map(|c| c.claim.len() + c.quote.len() + 200).sum::<usize>();
            ctx.hold(bytes, "the answer's rows")?;
            result.rows.push(row);
            Ok(Flow::Go)
        };
        if let Err(e) = env.op(ctx, root, &mut sink) {
            // What the query deleted and then read is gone: said in the query's words,
            // not the store's ("no entity e0").
            let deleted = env.written.summary.deleted + env.written.summary.retracted > 0;
            let e = match e {
                crate::Error::Store(
                    factgraph_store::StoreError::NoSuchEntity(_) | factgraph_store::StoreError::NoSuchStatement(_),
                ) if deleted => QueryError::not_allowed(Restriction::DeletedEntityAccess, Span::default()).into(),
                e => e,
            };
            // A query is all or nothing: what its earlier clauses committed is taken
            // back. (Only if no one else has written since; then it is kept, and the
            // query's own error is what the caller needs to hear.)
            if let Some(undo) = env.undo.take() {
                let _ = ctx.store.undo(undo);
                ctx.forget();
            }
            return Err(e);
        }
    }
    if streams {
        return Ok(result);
    }
    let mut notes = Vec::new();
    if plan.writes {
        notes.push(format!("written: {}", written.summary));
    }
    notes.extend(unknown_names(ctx, plan, &existed)?);
    if !notes.is_empty() {
        result.note = Some(notes.join("; "));
    }
    Ok(result)
}

/// The labels, and the relationship types, `plan` names that the store has now.
fn existing_names(ctx: &mut Ctx<'_>, plan: &QueryPlan) -> Result<(Vec<String>, Vec<String>)> {
    let mut labels = Vec::new();
    for l in &plan.asked.labels {
        if ctx.store.has_kind(l)? {
            labels.push(l.clone());
        }
    }
    let types = plan.asked.types.iter().filter(|t| ctx.store.relation_id(t).is_some()).cloned().collect();
    Ok((labels, types))
}

/// Labels and relationship types the query names that nothing in the store has: the
/// query still runs (openCypher allows them), but an empty answer then says why, with
/// the nearest names that do exist. Checked after running, so that what the query
/// itself created counts.
fn unknown_names(ctx: &mut Ctx<'_>, plan: &QueryPlan, existed: &(Vec<String>, Vec<String>)) -> Result<Vec<String>> {
    let Asked { mut labels, mut types, mut names, mut keys } = plan.asked.clone();
    labels.retain(|l| !existed.0.contains(l));
    types.retain(|t| !existed.1.contains(t));
    labels.sort();
    labels.dedup();
    types.sort();
    types.dedup();
    let mut notes = Vec::new();
    let mut known_kinds: Option<Vec<String>> = None;
    for l in labels {
        if l == super::value::STATEMENT_LABEL || l == super::value::VALUE_LABEL || ctx.store.has_kind(&l)? {
            continue;
        }
        let kinds = match &known_kinds {
            Some(k) => k,
            None => known_kinds.insert(ctx.store.kinds()?.into_iter().map(|(k, _)| k).collect()),
        };
        notes.push(format!("no node has the label `{l}`{}", did_you_mean(&l, kinds)));
    }
    for t in types {
        if ctx.store.relation_id(&t).is_none() {
            let relations = ctx.store.relations();
            notes.push(format!("no relationship has the type `{t}`{}", did_you_mean(&t, &relations)));
        }
    }
    // A property key is known only in a store that keeps its keys (`property_keys`).
    keys.sort();
    keys.dedup();
    keys.retain(|k| !BUILT_IN_KEYS.contains(&k.as_str()) && ctx.store.has_property_key(k) == Some(false));
    if !keys.is_empty() {
        let mut known = ctx.store.property_keys(true).unwrap_or_default();
        known.extend(BUILT_IN_KEYS.iter().map(|k| (*k).to_owned()));
        known.sort();
        known.dedup();
        for k in keys {
            notes.push(format!("no node or relationship has the property `{k}`{}", did_you_mean(&k, &known)));
        }
    }
    // A name in `{name: …}` is exact; one that only other spellings match (an alias,
    // another case) is said to be so, with the spelling-blind way to ask.
    names.sort();
    names.dedup();
    for n in names {
        if ctx.read_one_named(&n) {
            continue;
        }
        let mut found = Vec::new();
        for id in ctx.store.lookup(&n)? {
            found.push(ctx.entity(id)?.name.clone());
        }
        if !found.is_empty() && !found.contains(&n) {
            found.sort();
            found.truncate(3);
            notes.push(format!(
                "no node is named {n:?} exactly (names are exact, as in openCypher); it is a spelling of {}: \
                 `named {n:?}` matches every spelling, as in (n named {n:?})",
                found.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(notes)
}

/// Properties every node or relationship answers without a stored key: an entity's
/// `kind` (`name` is kept as a key), a relationship's `type` and `relation`, a value
/// node's `value`.
const BUILT_IN_KEYS: &[&str] = &["kind", "relation", "type", "value", "name"];

/// `; did you mean `x`?` for the names a typo away from `word`, or nothing.
fn did_you_mean(word: &str, names: &[String]) -> String {
    let mut near: Vec<(usize, &String)> = names
        .iter()
        // Names far longer or shorter are no typo away (and not scored).
        .filter(|n| n.chars().count().abs_diff(word.chars().count()) <= (n.chars().count() / 3).max(1))
        .map(|n| (strsim::osa_distance(&n.to_lowercase(), &word.to_lowercase()), n))
        .filter(|(d, n)| *d <= (n.chars().count() / 3).max(1))
        .collect();
    near.sort();
    match near.as_slice() {
        [] => String::new(),
        [(_, one)] => format!(" (did you mean `{one}`?)"),
        more => {
            let list: Vec<String> = more.iter().take(3).map(|(_, n)| format!("`{n}`")).collect();
            format!(" (did you mean {}?)", list.join(" or "))
        }
    }
}

/// What every operator may need beside the context.
struct Env<'e> {
    text: &'e str,
    width: usize,
    written: &'e mut ScriptState,
    /// What takes back each commit the query has made so far, in order; `None` once
    /// one could not be (a transaction that spilled), or they hold more than
    /// `MAX_UNDO_BYTES`.
    undo: Option<Vec<factgraph_store::Undo>>,
    undo_bytes: usize,
    /// The row `Unit` gives: in a subquery, the row of the query around it.
    start: Option<Vec<Val>>,
}

impl Env<'_> {
    /// A row with no variable of this query bound: every slot null, but in a
    /// subquery those of the query around it, which hold for its whole run.
    fn blank(&self) -> Vec<Val> {
        self.start.clone().unwrap_or_else(|| vec![Val::Null; self.width])
    }
}

/// How expressions run subqueries (`Ctx::subqueries`).
static SUBQUERIES: RunSubquery = subquery;

/// Runs a subquery's operators from `row`, lending each row they give to `sink` until
/// it answers `false` (`exists { match … }` stops at the first). A subquery only
/// reads, so nothing it does is written or taken back.
fn subquery(
    ctx: &mut Ctx<'_>,
    op: &Op,
    row: &[Val],
    sink: &mut dyn FnMut(&mut Ctx<'_>, &[Val]) -> Result<bool>,
) -> Result<()> {
    let mut written = ScriptState::default();
    let mut env =
        Env { text: "", width: row.len(), written: &mut written, undo: None, undo_bytes: 0, start: Some(row.to_vec()) };
    // What its operators keep (groups, `distinct`'s keys, lists being collected) is
    // counted against the budget while they run and let go of by no one: the query
    // runs it again for each of its rows. That is let go of when it is done; what the
    // query's caches took meanwhile (a name `sources(r)` showed) stays theirs.
    let (before, kept_before) = (ctx.held(), ctx.kept_for_later());
    // Room of its own when the stack runs low (see `compile::SUBQUERY_RED_ZONE`).
    let ran = stacker::maybe_grow(super::compile::SUBQUERY_RED_ZONE, super::compile::SUBQUERY_STACK, || {
        env.op(ctx, op, &mut |ctx, row| Ok(if sink(ctx, &row)? { Flow::Go } else { Flow::Stop }))
    });
    let grown = ctx.held() as i128 - before as i128;
    let kept_grown = ctx.kept_for_later() as i128 - kept_before as i128;
    ctx.release(usize::try_from(grown - kept_grown).unwrap_or(0));
    ran.map(|_| ())
}

/// The most a query keeps to take its writes back (see `Env::commit`).
const MAX_UNDO_BYTES: usize = 64 << 20;

impl Env<'_> {
    /// Runs `op`, lending each row to `sink` rather than giving it: a match lends the
    /// matcher's own row, and a filter over one lends what passes, so that an
    /// aggregate over a match (`count(distinct y)` over a million bindings) copies no
    /// row it does not keep. Any other operator's rows are built, then lent.
    fn op_ref(&mut self, ctx: &mut Ctx<'_>, op: &Op, sink: &mut RefSink<'_>) -> Result<Flow> {
        // Any other operator is counted by `op`, which it goes through.
        if ctx.profile.is_none() || !lends(op) {
            return self.op_ref_inner(ctx, op, sink);
        }
        let mut counting = Counting::start();
        let flow = self.op_ref_inner(ctx, op, &mut |ctx, row| counting.pass(|| sink(ctx, row)));
        counting.record(ctx, op);
        flow
    }

    fn op_ref_inner(&mut self, ctx: &mut Ctx<'_>, op: &Op, sink: &mut RefSink<'_>) -> Result<Flow> {
        match op {
            Op::Match { input, optional: false, paths, filter, made, .. } => {
                self.op(ctx, input, &mut |ctx, mut row| {
                    matcher::matches(ctx, eval, paths, filter.as_ref(), made, &mut row, &mut |ctx, r: &[Val]| {
                        sink(ctx, r)
                    })
                })
            }
            Op::Filter { input, pred } if lends(input) => self.op_ref(ctx, input, &mut |ctx, row| {
                ctx.tick()?;
                if truth(&eval(ctx, pred, row)?) == Some(true) {
                    sink(ctx, row)
                } else {
                    Ok(Flow::Go)
                }
            }),
            other => self.op(ctx, other, &mut |ctx, row| sink(ctx, &row)),
        }
    }

    /// `count(distinct s)` over `unwind sources(r) as s` over `from`
    /// (`compile::counts_sources`): the distinct names of the sources of every row's
    /// relationships. The first rows are answered as written, reading each statement
    /// and each source's name; past `SOURCES_BY_INDEX` of them (or from the first, when
    /// this process has the index already), the classes of the names are read from
    /// the index of every statement's sources, and the names seen so far join their
    /// classes. A point question then never pays for the index, and a hub's
    /// relationships cost a few integers each. The set is a bit per name the store
    /// has.
    fn count_distinct_sources(&mut self, ctx: &mut Ctx<'_>, from: &Op, list: &CExpr, r: usize) -> Result<usize> {
        let mut index = SourceNames::at_hand(ctx.store);
        let mut seen = FixedBitSet::with_capacity(index.as_ref().map_or(0, |i| i.len()));
        let mut names: FxHashSet<String> = FxHashSet::default();
        let mut as_written = 0usize;
        self.op_ref(ctx, from, &mut |ctx, row| {
            ctx.tick()?;
            if index.is_none() && as_written >= SOURCES_BY_INDEX {
                let built = SourceNames::get(ctx.store)?;
                seen.grow(built.len());
                index = Some(built);
            }
            let ids: &[StatementId] = match &row[r] {
                Val::Rel(s) | Val::Node(Node::Statement(s)) => std::slice::from_ref(s),
                Val::Rels(ids) => ids,
                _ => &[],
            };
            match &index {
                Some(ix) if !ids.is_empty() => {
                    for id in ids {
                        for &c in ix.of(*id) {
                            seen.insert(c as usize);
                        }
                    }
                }
                _ => {
                    as_written += 1;
                    if let Val::List(items) = eval(ctx, list, row)? {
                        for item in items {
                            if let Val::Str(name) = item {
                                if !names.contains(&name) {
                                    ctx.hold(name.len() + 48, "the distinct values")?;
                                    names.insert(name);
                                }
                            }
                        }
                    }
                }
            }
            Ok(Flow::Go)
        })?;
        let Some(ix) = index else { return Ok(names.len()) };
        if names.is_empty() {
            return Ok(seen.count_ones(..));
        }
        // Only the names seen as written need their classes (a map of every name).
        let classes = ix.name_classes();
        let mut apart = 0;
        for name in &names {
            match classes.get(name.as_str()) {
                Some(&c) => seen.insert(c as usize),
                None => apart += 1,
            }
        }
        Ok(seen.count_ones(..) + apart)
    }

    fn op(&mut self, ctx: &mut Ctx<'_>, op: &Op, sink: &mut Sink<'_>) -> Result<Flow> {
        if ctx.profile.is_none() {
            return self.op_inner(ctx, op, sink);
        }
        let mut counting = Counting::start();
        let flow = self.op_inner(ctx, op, &mut |ctx, row| counting.pass(|| sink(ctx, row)));
        counting.record(ctx, op);
        flow
    }

    fn op_inner(&mut self, ctx: &mut Ctx<'_>, op: &Op, sink: &mut Sink<'_>) -> Result<Flow> {
        match op {
            Op::Unit => sink(ctx, self.blank()),
            Op::Match { input, optional, paths, filter, new_slots, made } => {
                self.op(ctx, input, &mut |ctx, mut row| {
                    let mut any = false;
                    let flow = matcher::matches(
                        ctx,
                        eval,
                        paths,
                        filter.as_ref(),
                        made,
                        &mut row,
                        &mut |ctx, row: &[Val]| {
                            any = true;
                            sink(ctx, row.to_vec())
                        },
                    )?;
                    if flow == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                    if !any && *optional {
                        for s in new_slots {
                            row[*s] = Val::Null;
                        }
                        return sink(ctx, row);
                    }
                    Ok(Flow::Go)
                })
            }
            Op::Unwind { input, expr, slot } => self.op(ctx, input, &mut |ctx, mut row| {
                let list = eval(ctx, expr, &row)?;
                // The list is kept while its items flow on.
                let bytes = if may_be_large(&list) { val_bytes(&list) } else { 0 };
                ctx.hold(bytes, "the list to unwind")?;
                let items = match list {
                    Val::List(items) => items,
                    Val::Rels(ids) => ids.into_iter().map(Val::Rel).collect(),
                    Val::Null => Vec::new(),
                    other => vec![other],
                };
                let mut flow = Flow::Go;
                for item in items {
                    ctx.tick()?;
                    row[*slot] = item;
                    if sink(ctx, row.clone())? == Flow::Stop {
                        flow = Flow::Stop;
                        break;
                    }
                }
                ctx.release(bytes);
                Ok(flow)
            }),
            Op::Call { input, procedure, args, outputs, filter, span } => {
                // The graph's own procedures give the same rows for every row of a
                // query: made once, held until the operator is done.
                let mut fixed: Option<(Vec<Vec<Val>>, usize)> = None;
                let flow = self.op(ctx, input, &mut |ctx, mut row| {
                    let mut made = None;
                    // The bytes to let go of once this row is done (none for rows kept).
                    let mut own = 0;
                    let (rows, _) = match &fixed {
                        Some(done) => done,
                        None => {
                            let mut given = Vec::with_capacity(args.len());
                            for (a, at) in args {
                                given.push((eval(ctx, a, &row)?, *at));
                            }
                            let got = super::call::rows(ctx, procedure, given, *span)?;
                            if procedure.fixed() {
                                &*fixed.insert(got)
                            } else {
                                own = got.1;
                                &*made.insert(got)
                            }
                        }
                    };
                    let mut flow = Flow::Go;
                    // A procedure with no outputs passes the row on once.
                    if procedure.outputs().is_empty() {
                        flow = sink(ctx, row)?;
                    } else {
                        for values in rows {
                            ctx.tick()?;
                            for (field, slot) in outputs {
                                row[*slot] = values[*field].clone();
                            }
                            if let Some(f) = filter {
                                if truth(&eval(ctx, f, &row)?) != Some(true) {
                                    continue;
                                }
                            }
                            if sink(ctx, row.clone())? == Flow::Stop {
                                flow = Flow::Stop;
                                break;
                            }
                        }
                    }
                    ctx.release(own);
                    Ok(flow)
                });
                if let Some((_, bytes)) = fixed {
                    ctx.release(bytes);
                }
                flow
            }
            // Over a match, only the rows that pass are built.
            Op::Filter { input, pred } if lends(input) => self.op_ref(ctx, input, &mut |ctx, row| {
                ctx.tick()?;
                if truth(&eval(ctx, pred, row)?) == Some(true) {
                    sink(ctx, row.to_vec())
                } else {
                    Ok(Flow::Go)
                }
            }),
            Op::Filter { input, pred } => self.op(ctx, input, &mut |ctx, row| {
                ctx.tick()?;
                if truth(&eval(ctx, pred, &row)?) == Some(true) {
                    sink(ctx, row)
                } else {
                    Ok(Flow::Go)
                }
            }),
            Op::Project { input, items } => self.op(ctx, input, &mut |ctx, mut row| {
                // Every item reads the row as it came, before any is written.
                let mut values = Vec::with_capacity(items.len());
                for (e, _) in items {
                    values.push(eval(ctx, e, &row)?);
                }
                for ((_, slot), v) in items.iter().zip(values) {
                    row[*slot] = v;
                }
                sink(ctx, row)
            }),
            Op::Aggregate { input, keys, aggs } => {
                if let (Some((from, list, r)), None) = (counts_sources(input, keys, aggs), &ctx.source) {
                    let n = self.count_distinct_sources(ctx, from, list, r)?;
                    let mut out = self.blank();
                    out[aggs[0].slot] = Val::Int(n as i64);
                    return sink(ctx, out);
                }
                if let Some((path, skip_anchor)) = counts_ends(input, keys, aggs) {
                    let mut row = self.blank();
                    if let Some(n) = matcher::count_distinct_ends(ctx, eval, path, &mut row, skip_anchor)? {
                        let mut out = self.blank();
                        out[aggs[0].slot] = Val::Int(n as i64);
                        return sink(ctx, out);
                    }
                }
                let mut groups: Vec<(Vec<Val>, Vec<State>)> = Vec::new();
                let mut index: FxHashMap<RowKey, usize> = FxHashMap::default();
                let cap = ctx.limits.max_rows.saturating_mul(10);
                // The rows are read where they lie: only a group's first is kept.
                self.op_ref(ctx, input, &mut |ctx, row| {
                    ctx.tick()?;
                    let mut key_values = Vec::with_capacity(keys.len());
                    for (e, _) in keys {
                        key_values.push(eval(ctx, e, row)?);
                    }
                    let key = RowKey::of(&key_values);
                    let at = match index.get(&key) {
                        Some(&i) => i,
                        None => {
                            if groups.len() >= cap {
                                return Err(too_many("groups", cap));
                            }
                            let mut first = row.to_vec();
                            for ((_, slot), v) in keys.iter().zip(key_values) {
                                first[*slot] = v;
                            }
                            ctx.hold(row_bytes(&first) + 2 * key.bytes(), "the groups")?;
                            index.insert(key, groups.len());
                            groups.push((first, aggs.iter().map(State::new).collect()));
                            groups.len() - 1
                        }
                    };
                    for (a, state) in aggs.iter().zip(groups[at].1.iter_mut()) {
                        state.add(ctx, a, row, cap)?;
                    }
                    Ok(Flow::Go)
                })?;
                // With no keys, no rows still make one group: `count(*)` is 0.
                if groups.is_empty() && keys.is_empty() {
                    groups.push((self.blank(), aggs.iter().map(State::new).collect()));
                }
                for (mut row, states) in groups {
                    for (a, state) in aggs.iter().zip(states) {
                        row[a.slot] = state.finish(a.func);
                    }
                    if sink(ctx, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
            Op::Distinct { input, slots } => {
                let mut seen = FxHashSet::default();
                let cap = ctx.limits.max_rows.saturating_mul(10);
                self.op(ctx, input, &mut |ctx, row| {
                    let key = RowKey::of(slots.iter().map(|s| &row[*s]));
                    if seen.contains(&key) {
                        return Ok(Flow::Go);
                    }
                    if seen.len() >= cap {
                        return Err(too_many("distinct rows", cap));
                    }
                    ctx.hold(key.bytes(), "the rows `distinct` keeps")?;
                    seen.insert(key);
                    sink(ctx, row)
                })
            }
            Op::Sort { input, keys } => {
                let mut rows: Vec<(Vec<Val>, Vec<Val>)> = Vec::new();
                let mut held = 0;
                let cap = ctx.limits.max_rows.saturating_mul(10);
                self.op(ctx, input, &mut |ctx, row| {
                    ctx.tick()?;
                    if rows.len() >= cap {
                        return Err(too_many("rows to sort", cap));
                    }
                    let mut k = Vec::with_capacity(keys.len());
                    for (e, _) in keys {
                        k.push(eval(ctx, e, &row)?);
                    }
                    let bytes = row_bytes(&k) + row_bytes(&row);
                    ctx.hold(bytes, "the rows to sort")?;
                    held += bytes;
                    rows.push((k, row));
                    Ok(Flow::Go)
                })?;
                rows.sort_by(|a, b| {
                    for (i, (_, descending)) in keys.iter().enumerate() {
                        let o = compare_for_sort(&a.0[i], &b.0[i]);
                        let o = if *descending { o.reverse() } else { o };
                        if o != std::cmp::Ordering::Equal {
                            return o;
                        }
                    }
                    std::cmp::Ordering::Equal
                });
                // The rows pass on, and what keeps them counts them again.
                ctx.release(held);
                for (_, row) in rows {
                    if sink(ctx, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
            Op::Skip { input, n } => {
                let n = self.count(ctx, n, "skip")?;
                let mut skipped = 0u64;
                self.op(ctx, input, &mut |ctx, row| {
                    if skipped < n {
                        skipped += 1;
                        return Ok(Flow::Go);
                    }
                    sink(ctx, row)
                })
            }
            Op::Limit { input, n } => {
                let n = self.count(ctx, n, "limit")?;
                if n == 0 {
                    // Nothing passes, but what comes before still runs up to its first
                    // row: a `create` before `limit 0` still writes.
                    self.op(ctx, input, &mut |_, _| Ok(Flow::Stop))?;
                    return Ok(Flow::Go);
                }
                let mut taken = 0u64;
                // The limit stops its own input; what comes after it goes on.
                self.op(ctx, input, &mut |ctx, row| {
                    taken += 1;
                    if sink(ctx, row)? == Flow::Stop || taken >= n {
                        return Ok(Flow::Stop);
                    }
                    Ok(Flow::Go)
                })?;
                Ok(Flow::Go)
            }
            Op::Merge { input, paths, create, on_create, on_match } => {
                let rows = self.collect(ctx, input, "rows to merge from")?;
                let cap = ctx.limits.max_rows.saturating_mul(10);
                // Row by row, each seeing what the rows before it created and set.
                let mut out = Vec::new();
                for mut row in rows {
                    let before = out.len();
                    matcher::matches(ctx, eval, paths, None, &[], &mut row, &mut |_, found: &[Val]| {
                        out.push(found.to_vec());
                        Ok(Flow::Go)
                    })?;
                    if out.len() == before {
                        // A property that is null never matches, so `merge` would
                        // create the path again on every run: openCypher calls it an
                        // error.
                        for e in &create.values {
                            if eval(ctx, e, &row)? == Val::Null {
                                return Err(QueryError::Refused {
                                    reason: "`merge` cannot match or create a property that is null".into(),
                                    span: Default::default(),
                                }
                                .into());
                            }
                        }
                        self.create(ctx, create, std::slice::from_mut(&mut row))?;
                        self.update(ctx, on_create, std::slice::from_ref(&row))?;
                        out.push(row);
                    } else {
                        self.update(ctx, on_match, &out[before..])?;
                    }
                    if out.len() > cap {
                        return Err(too_many("merged rows", cap));
                    }
                }
                for row in out {
                    if sink(ctx, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
            Op::Update { input, items } => {
                let rows = self.collect(ctx, input, "rows to update")?;
                self.update(ctx, items, &rows)?;
                for row in rows {
                    if sink(ctx, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
            Op::Delete { input, detach, exprs } => {
                let rows = self.collect(ctx, input, "rows to delete from")?;
                let (mut nodes, mut rels) = (Vec::new(), Vec::new());
                for row in &rows {
                    for (e, span) in exprs {
                        update::gather(eval(ctx, e, row)?, *span, &mut nodes, &mut rels)?;
                    }
                }
                for (s, _) in &rels {
                    if let Some(st) = ctx.store.statement_without_quotes(*s)? {
                        ctx.deleted_types.insert(*s, st.relation);
                    }
                }
                if !nodes.is_empty() || !rels.is_empty() {
                    let mut tx = ctx.store.transaction()?;
                    let mut summary = self.written.summary;
                    update::delete(&mut tx, &mut summary, &nodes, &rels, *detach)?;
                    self.commit(tx)?;
                    self.written.summary = summary;
                    ctx.forget();
                }
                for row in rows {
                    if sink(ctx, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
            Op::Create { input, plan } => {
                let mut rows = self.collect(ctx, input, "rows to create from")?;
                self.create(ctx, plan, &mut rows)?;
                for row in rows {
                    if sink(ctx, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Go)
            }
        }
    }

    /// Commits an updating clause's writes, keeping what takes them back should a
    /// later clause fail.
    fn commit(&mut self, tx: factgraph_store::Transaction<'_>) -> Result<()> {
        let (_, undo) = tx.commit_undoable()?;
        match (undo, &mut self.undo) {
            (Some(u), Some(all)) => {
                self.undo_bytes += u.bytes();
                all.push(u);
                // What the undos hold is bounded: a query that writes more than this
                // (a `merge` over a large `unwind`) keeps its earlier writes should it
                // fail, rather than hold a copy of everything it touched.
                if self.undo_bytes > MAX_UNDO_BYTES {
                    self.undo = None;
                }
            }
            _ => self.undo = None,
        }
        Ok(())
    }

    /// Every row of an updating clause's input, read before it writes anything.
    fn collect(&mut self, ctx: &mut Ctx<'_>, input: &Op, what: &str) -> Result<Vec<Vec<Val>>> {
        let mut rows = Vec::new();
        let cap = ctx.limits.max_rows.saturating_mul(10);
        self.op(ctx, input, &mut |ctx, row| {
            ctx.tick()?;
            if rows.len() >= cap {
                return Err(too_many(what, cap));
            }
            ctx.hold(row_bytes(&row), what)?;
            rows.push(row);
            Ok(Flow::Go)
        })?;
        Ok(rows)
    }

    /// Makes the changes of a `set` or `remove` (or of `merge`'s `on create`/`on
    /// match`) for each row, in one transaction: all of them, or, on an error, none.
    fn update(&mut self, ctx: &mut Ctx<'_>, items: &[Update], rows: &[Vec<Val>]) -> Result<()> {
        if items.is_empty() || rows.is_empty() {
            return Ok(());
        }
        let mut tx = ctx.store.transaction()?;
        let mut summary = self.written.summary;
        for row in rows {
            for u in items {
                ctx.tick()?;
                update::apply(ctx, &mut tx, &mut summary, u, row)?;
            }
        }
        self.commit(tx)?;
        self.written.summary = summary;
        // What was cached before the write may have changed.
        ctx.forget();
        Ok(())
    }

    /// The value of a `skip` or `limit`: a whole number, at least zero.
    fn count(&self, ctx: &mut Ctx<'_>, e: &CExpr, clause: &'static str) -> Result<u64> {
        match eval(ctx, e, &vec![Val::Null; self.width])? {
            Val::Int(i) if i >= 0 => Ok(i as u64),
            Val::Int(_) => {
                Err(QueryError::not_allowed(Restriction::NegativeCount { clause }, Default::default()).into())
            }
            other => Err(QueryError::TypeMismatch {
                what: format!("`{clause}`"),
                expected: "a whole number".into(),
                found: other.kind().into(),
                span: Default::default(),
            }
            .into()),
        }
    }

    fn create(&mut self, ctx: &mut Ctx<'_>, plan: &CreatePlan, rows: &mut [Vec<Val>]) -> Result<()> {
        let mut tx = ctx.store.transaction()?;
        for row in rows.iter_mut() {
            let mut vars: HashMap<String, Node> = HashMap::new();
            for (name, slot) in &plan.bound {
                match &row[*slot] {
                    Val::Node(n) => {
                        vars.insert(name.clone(), *n);
                    }
                    other => {
                        return Err(QueryError::TypeMismatch {
                            what: format!("`{name}` in `create`"),
                            expected: "a node".into(),
                            found: other.kind().into(),
                            span: Default::default(),
                        }
                        .into())
                    }
                }
            }
            let mut rels = HashMap::new();
            let paths = literal_paths(ctx, plan, row)?;
            script::create(&mut tx, self.written, &paths, self.text, &mut vars, &mut rels)?;
            for (name, slot) in &plan.binds {
                if let Some(n) = vars.get(name) {
                    row[*slot] = Val::Node(*n);
                } else if let Some(s) = rels.get(name) {
                    row[*slot] = Val::Rel(*s);
                }
            }
        }
        self.commit(tx)?;
        // What was cached before the write may have changed.
        ctx.forget();
        Ok(())
    }
}

/// The paths of a `create` with each property's value for this row written in as a
/// literal (null as `null`: no property). A path reading the properties of what an
/// earlier path creates (`CreatePlan::read_back`) reads the values that path was given:
/// the row it is read against holds them, as a map, where that variable's node or
/// relationship will be.
pub(crate) fn literal_paths(ctx: &mut Ctx<'_>, plan: &CreatePlan, row: &[Val]) -> Result<Vec<PathPattern>> {
    let mut paths = plan.paths.clone();
    let mut values = plan.values.iter();
    // The row the values are read against, once a path gives one read back.
    let mut view: Option<Vec<Val>> = None;
    let mut fill =
        |ctx: &mut Ctx<'_>, view: &Option<Vec<Val>>, props: &mut Vec<PatternProperty>| -> Result<Vec<(String, Val)>> {
            let mut given = Vec::new();
            for p in props {
                let Some(e) = values.next() else { break };
                let mismatch = |found: &Val| -> crate::Error {
                    QueryError::TypeMismatch {
                        what: format!("the property `{}`", p.key.text),
                        expected: "text, a number, a boolean, a temporal value or a list of them".into(),
                        found: found.kind().into(),
                        span: p.span,
                    }
                    .into()
                };
                let value = eval(ctx, e, view.as_deref().unwrap_or(row))?;
                if !plan.read_back.is_empty() && !matches!(value, Val::Null) {
                    given.push((p.key.text.clone(), value.clone()));
                }
                p.value.kind = match value {
                    Val::Null => ExprKind::Null,
                    // A list is written in as a list of literals (the store checks that
                    // they are of one type).
                    Val::List(items) => {
                        let mut out = Vec::with_capacity(items.len());
                        for item in items {
                            let literal = scalar_literal(item).map_err(|v| mismatch(&v))?;
                            out.push(factgraph_syntax::ast::Expr { kind: ExprKind::Literal(literal), span: p.span });
                        }
                        ExprKind::List(out)
                    }
                    other => ExprKind::Literal(scalar_literal(other).map_err(|v| mismatch(&v))?),
                };
            }
            Ok(given)
        };
    // What the node or relationship creating a variable read back was given, put in
    // the row the next ones read; a later mention of the variable (`(a)`) creates
    // nothing and gives nothing.
    let mut kept: Vec<&str> = Vec::new();
    let mut keep =
        |view: &mut Option<Vec<Val>>, var: &Option<factgraph_syntax::ast::Ident>, given: Vec<(String, Val)>| {
            let Some(var) = var else { return };
            let Some(name) = plan.read_back.iter().find(|r| **r == var.text) else { return };
            if kept.contains(&name.as_str()) {
                return;
            }
            if let Some((_, slot)) = plan.binds.iter().find(|(b, _)| *b == var.text) {
                view.get_or_insert_with(|| row.to_vec())[*slot] = Val::Map(given);
                kept.push(name);
            }
        };
    for path in &mut paths {
        let given = fill(ctx, &view, &mut path.start.properties)?;
        keep(&mut view, &path.start.var, given);
        for (r, n) in &mut path.steps {
            let given = fill(ctx, &view, &mut r.properties)?;
            keep(&mut view, &r.var, given);
            let given = fill(ctx, &view, &mut n.properties)?;
            keep(&mut view, &n.var, given);
        }
    }
    Ok(paths)
}

/// A value a property can hold, as a literal; the value back if it is not one.
fn scalar_literal(v: Val) -> std::result::Result<Literal, Val> {
    Ok(match v {
        Val::Bool(b) => Literal::Bool(b),
        Val::Int(i) => Literal::Int(i),
        Val::Float(x) => Literal::Float(x),
        Val::Str(s) => Literal::Str(s),
        Val::Temporal(t) => super::temporal::to_literal(&t),
        other => return Err(other),
    })
}

/// What `profile` counts of one operator while it runs (see `context::OpStats`).
struct Counting {
    start: std::time::Instant,
    rows: u64,
    downstream: std::time::Duration,
}

impl Counting {
    fn start() -> Counting {
        Counting { start: std::time::Instant::now(), rows: 0, downstream: std::time::Duration::ZERO }
    }

    /// Hands one row on (`pass`), counting it and the time the operators after took.
    fn pass<T>(&mut self, pass: impl FnOnce() -> T) -> T {
        self.rows += 1;
        let t = std::time::Instant::now();
        let out = pass();
        self.downstream += t.elapsed();
        out
    }

    /// Adds what `op` did to the profile.
    fn record(self, ctx: &mut Ctx<'_>, op: &Op) {
        if let Some(profile) = ctx.profile.as_mut() {
            let s = profile.entry(op as *const Op as usize).or_default();
            s.rows += self.rows;
            s.inclusive += self.start.elapsed();
            s.downstream += self.downstream;
        }
    }
}

fn too_many(what: &str, cap: usize) -> crate::Error {
    QueryError::Limit { what: format!("the query holds too many {what}"), limit: cap as u64, span: Default::default() }
        .into()
}

/// An aggregate's running state.
enum State {
    Count(i64),
    Seen(FxHashSet<RowKey>, Box<State>),
    Collect(Vec<Val>),
    Best(Option<Val>),
    SumInt(i64),
    SumFloat(f64),
    Avg(f64, i64),
    /// A percentile's values, and its `p`, read at the first row with a value.
    Percentile(Vec<Val>, Option<f64>),
}

impl State {
    fn new(a: &Agg) -> State {
        let inner = match a.func {
            AggFn::CountStar | AggFn::Count => State::Count(0),
            AggFn::Collect => State::Collect(Vec::new()),
            AggFn::Min | AggFn::Max => State::Best(None),
            AggFn::Sum => State::SumInt(0),
            AggFn::Avg => State::Avg(0.0, 0),
            AggFn::PercentileDisc | AggFn::PercentileCont => State::Percentile(Vec::new(), None),
        };
        if a.distinct {
            State::Seen(Default::default(), Box::new(inner))
        } else {
            inner
        }
    }

    fn add(&mut self, ctx: &mut Ctx<'_>, a: &Agg, row: &[Val], cap: usize) -> Result<()> {
        // A percentile's `p` is read at the first row with a value, as openCypher
        // reads it (a row without a value asks for none).
        if let Some(p) = &a.percentile {
            let v = match &a.arg {
                Some(e) => eval(ctx, e, row)?,
                None => Val::Null,
            };
            if v == Val::Null {
                return Ok(());
            }
            let mut state = &mut *self;
            while let State::Seen(_, inner) = state {
                state = inner;
            }
            if let State::Percentile(_, at @ None) = state {
                *at = Some(percentile(a, &eval(ctx, p, row)?)?);
            }
            return self.push(ctx, a, v, cap);
        }
        // A variable's value is read in place: counted, or keyed and found seen,
        // without a copy.
        if let Some(CExpr::Slot(s)) = &a.arg {
            let v = &row[*s];
            match self {
                _ if *v == Val::Null => return Ok(()),
                State::Count(n) => {
                    *n += 1;
                    return Ok(());
                }
                State::Seen(seen, inner) => {
                    let k = RowKey::of([v]);
                    if !seen.contains(&k) {
                        if seen.len() >= cap {
                            return Err(too_many("distinct values", cap));
                        }
                        ctx.hold(k.bytes(), "the distinct values of an aggregate")?;
                        seen.insert(k);
                        inner.push(ctx, a, v.clone(), cap)?;
                    }
                    return Ok(());
                }
                _ => return self.push(ctx, a, v.clone(), cap),
            }
        }
        let v = match &a.arg {
            None => Val::Bool(true),
            Some(e) => eval(ctx, e, row)?,
        };
        // Aggregates skip nulls (`count(*)` counts rows, which are never null).
        if v == Val::Null {
            return Ok(());
        }
        self.push(ctx, a, v, cap)
    }

    fn push(&mut self, ctx: &mut Ctx<'_>, a: &Agg, v: Val, cap: usize) -> Result<()> {
        match self {
            State::Seen(seen, inner) => {
                let k = RowKey::of([&v]);
                let bytes = k.bytes();
                if seen.insert(k) {
                    if seen.len() > cap {
                        return Err(too_many("distinct values", cap));
                    }
                    ctx.hold(bytes, "the distinct values of an aggregate")?;
                    inner.push(ctx, a, v, cap)?;
                }
            }
            State::Count(n) => *n += 1,
            State::Collect(items) => {
                if items.len() >= cap {
                    return Err(too_many("collected values", cap));
                }
                ctx.hold(val_bytes(&v), "collect()")?;
                items.push(v);
            }
            State::Best(best) => {
                let better = match best {
                    None => true,
                    Some(b) => {
                        let o = compare_for_sort(&v, b);
                        if a.func == AggFn::Min {
                            o == std::cmp::Ordering::Less
                        } else {
                            o == std::cmp::Ordering::Greater
                        }
                    }
                };
                if better {
                    *best = Some(v);
                }
            }
            State::SumInt(s) => match v {
                // Whole numbers stay whole, and one too large is an error, as with `+`.
                Val::Int(i) => match s.checked_add(i) {
                    Some(t) => *s = t,
                    None => {
                        return Err(QueryError::Arithmetic {
                            message: "the result is too large for a whole number".into(),
                            span: a.span,
                        }
                        .into())
                    }
                },
                other => match num(&other) {
                    Some(x) => *self = State::SumFloat(*s as f64 + x),
                    None => return Err(not_a_number("sum", &other, a.span)),
                },
            },
            State::SumFloat(s) => match num(&v) {
                Some(x) => *s += x,
                None => return Err(not_a_number("sum", &v, a.span)),
            },
            State::Avg(s, n) => match num(&v) {
                Some(x) => {
                    *s += x;
                    *n += 1;
                }
                None => return Err(not_a_number("avg", &v, a.span)),
            },
            State::Percentile(values, _) => {
                if num(&v).is_none() {
                    return Err(not_a_number(function_name(a.func), &v, a.span));
                }
                if values.len() >= cap {
                    return Err(too_many("values of a percentile", cap));
                }
                ctx.hold(val_bytes(&v), "a percentile's values")?;
                values.push(v);
            }
        }
        Ok(())
    }

    fn finish(self, func: AggFn) -> Val {
        match self {
            State::Percentile(values, _) if values.is_empty() => Val::Null,
            State::Percentile(mut values, p) => {
                let p = p.unwrap_or(0.0);
                values.sort_by(compare_for_sort);
                let n = values.len();
                if func == AggFn::PercentileDisc {
                    // The nearest rank: the smallest value with at least `p` of the
                    // values at or below it.
                    let rank = (p * n as f64).ceil() as usize;
                    values.swap_remove(rank.clamp(1, n) - 1)
                } else {
                    let at = p * (n - 1) as f64;
                    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
                    let (a, b) = (num(&values[lo]).unwrap_or(0.0), num(&values[hi]).unwrap_or(0.0));
                    // At a value itself (or between two equal ones), that value: the
                    // difference of two infinities is no number.
                    Val::Float(if lo == hi || a == b { a } else { a + (at - lo as f64) * (b - a) })
                }
            }
            State::Seen(_, inner) => inner.finish(func),
            State::Count(n) => Val::Int(n),
            State::Collect(items) => Val::List(items),
            State::Best(b) => b.unwrap_or(Val::Null),
            State::SumInt(s) => Val::Int(s),
            State::SumFloat(s) => Val::Float(s),
            State::Avg(_, 0) => Val::Null,
            State::Avg(s, n) => Val::Float(s / n as f64),
        }
    }
}

/// A percentile's `p`, checked: a number from 0 to 1.
fn percentile(a: &Agg, p: &Val) -> Result<f64> {
    let found = match num(p) {
        Some(x) if (0.0..=1.0).contains(&x) => return Ok(x),
        Some(x) => x.to_string(),
        None => p.kind().to_owned(),
    };
    Err(QueryError::Arithmetic {
        message: format!("{}()'s percentile must be a number from 0 to 1, not {found}", function_name(a.func)),
        span: a.span,
    }
    .into())
}

/// A percentile aggregate's name as written.
fn function_name(func: AggFn) -> &'static str {
    if func == AggFn::PercentileDisc {
        "percentileDisc"
    } else {
        "percentileCont"
    }
}

fn not_a_number(function: &str, v: &Val, span: Span) -> crate::Error {
    QueryError::TypeMismatch {
        what: format!("{}()'s values", super::compile::function_shown(function)),
        expected: "numbers".into(),
        found: v.kind().into(),
        span,
    }
    .into()
}
