//! Running the question forms. Each documents what it answers. Every form answers
//! from affirmed statements only (`Ctx::visible`, `Ctx::withdrawn`) unless the question
//! ends in `including negated`; `describe`, `why` and `conflicts`, which show what was
//! said, run with every polarity.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use factgraph_store::{normalize, quote, Direction, EntityId, Node, Object, Statement, StatementId, Value};

use super::context::{Answered, Credit, Ctx, Document, SourceFilter};
use super::plan::{Plan, Target};
use super::resolve::relation_stem;
use super::result::{Cell, QueryResult, Row, Streamed};
use crate::error::Result;

/// Who a `who reported` row names, for telling rows apart without comparing text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SourceKey {
    Entity(EntityId),
    Statement(StatementId),
    Text(Arc<str>),
}

/// Counts the row just added to `out` against the row limit, and its bytes (cells and
/// evidence) against the memory budget: a question's answer is held whole until it is
/// returned.
fn kept(ctx: &mut Ctx<'_>, out: &QueryResult) -> Result<()> {
    if let Some(row) = out.rows.last() {
        ctx.hold(super::budget::answer_row_bytes(row), "the answer's rows")?;
    }
    ctx.check_rows(out.rows.len())
}

/// Adds a row whose text is shared with other rows (`who reported`) to the answer:
/// lent to the caller's sink when it streams (`Ctx::sink`: nothing is held, the row
/// limit still counts) and given back, for the thread that made it to free; else
/// kept, counting its slots and `made`, the bytes of text made for it alone, against
/// the memory budget.
fn emit_shared(ctx: &mut Ctx<'_>, out: &mut QueryResult, row: Row, made: usize) -> Result<Option<Row>> {
    if ctx.sink.is_some() {
        // The caller has what it wanted: the rest of this statement's rows too are
        // not handed over.
        if ctx.stopped {
            return Ok(Some(row));
        }
        ctx.streamed += 1;
        ctx.check_rows(ctx.streamed)?;
        if let Some(sink) = ctx.sink.as_mut() {
            if sink(Streamed::Row(&row)).is_break() {
                ctx.stopped = true;
            }
        }
        return Ok(Some(row));
    }
    ctx.hold(super::budget::shared_row_bytes(&row) + made, "the answer's rows")?;
    out.rows.push(row);
    ctx.check_rows(out.rows.len())?;
    Ok(None)
}

/// `emit_shared` of a row this thread made: one lent to the sink is freed here.
fn emit_own(ctx: &mut Ctx<'_>, out: &mut QueryResult, row: Row, made: usize) -> Result<()> {
    emit_shared(ctx, out, row, made).map(drop)
}

/// Runs a planned question.
pub(crate) fn run(ctx: &mut Ctx<'_>, plan: &Plan) -> Result<QueryResult> {
    match plan {
        Plan::Who { relations, target } => who(ctx, relations, *target),
        Plan::WhoReported { target } => who_reported(ctx, target),
        Plan::What { subject, relations } => what(ctx, *subject, relations),
        Plan::Describe(e) => ctx.including_negated(|ctx| describe(ctx, *e)),
        Plan::Path { from, to } => path(ctx, *from, *to),
        Plan::Neighbours { centre, depth } => neighbours(ctx, *centre, *depth),
        Plan::Sources(e) => sources(ctx, *e),
        Plan::Conflicts { all, about } => ctx.including_negated(|ctx| conflicts(ctx, *all, *about)),
        Plan::Verify => verify(ctx),
        Plan::According { source, plan } => {
            let e = ctx.entity(*source)?;
            let spellings = e.spellings().map(normalize).collect();
            ctx.source = Some(SourceFilter { id: *source, spellings });
            let out = run(ctx, plan);
            ctx.source = None;
            out
        }
        Plan::Why(plan) => ctx.including_negated(|ctx| why(ctx, plan)),
        Plan::IncludingNegated(plan) => ctx.including_negated(|ctx| run(ctx, plan)),
        Plan::Query { plan, text } => super::exec::run(ctx, plan, text),
    }
}

/// The statements with `node` at either end, (for statements) those about it, and
/// (for entities) those naming it as a participant.
fn involving(ctx: &mut Ctx<'_>, node: Node) -> Result<Vec<Statement>> {
    let ids = involving_ids(ctx, node)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        ctx.tick()?;
        let st = ctx.store.require_statement(id)?;
        if ctx.visible(&st)? {
            out.push(st);
        }
    }
    Ok(out)
}

/// The ids of `involving`'s statements, in order, whatever their polarity and
/// evidence: not read.
fn involving_ids(ctx: &mut Ctx<'_>, node: Node) -> Result<Vec<StatementId>> {
    let mut ids: Vec<StatementId> = ctx.store.statements_of(node, Direction::Out)?;
    ids.extend(ctx.store.statements_of(node, Direction::In)?);
    if let Node::Entity(e) = node {
        ids.extend(ctx.store.statements_with_participant(e)?);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn qualifiers_cell(ctx: &mut Ctx<'_>, st: &Statement) -> Result<Cell> {
    if st.qualifiers.is_empty() {
        return Ok(Cell::Null);
    }
    Ok(Cell::text(ctx.qualifier_words(&st.qualifiers)?))
}

/// `who RELATION X`: the subjects of statements whose object is X and whose relation
/// matches the word.
fn who(ctx: &mut Ctx<'_>, relations: &[String], target: EntityId) -> Result<QueryResult> {
    let mut out = QueryResult::with_columns(&["who", "relation", "details", "sources"]);
    for st in involving(ctx, Node::Entity(target))? {
        if st.object != Object::Node(Node::Entity(target)) || !relations.contains(&st.relation) {
            continue;
        }
        let cells = vec![
            ctx.node_cell(st.subject)?,
            Cell::text(&st.relation),
            qualifiers_cell(ctx, &st)?,
            ctx.sources_cell(&st)?,
        ];
        out.rows.push(Row { cells, provenance: ctx.citations(&st)? });
        kept(ctx, &out)?;
    }
    Ok(out)
}

/// `what does X RELATION`: the objects of statements whose subject is X.
fn what(ctx: &mut Ctx<'_>, subject: EntityId, relations: &[String]) -> Result<QueryResult> {
    let mut out = QueryResult::with_columns(&["what", "relation", "details", "sources"]);
    for st in involving(ctx, Node::Entity(subject))? {
        if st.subject != Node::Entity(subject) || !relations.contains(&st.relation) {
            continue;
        }
        let cells = vec![
            ctx.object_cell(&st.object)?,
            Cell::text(&st.relation),
            qualifiers_cell(ctx, &st)?,
            ctx.sources_cell(&st)?,
        ];
        out.rows.push(Row { cells, provenance: ctx.citations(&st)? });
        kept(ctx, &out)?;
    }
    Ok(out)
}

/// True when a statement mentions the phrase: in an entity's name or alias at either
/// end, a literal object, a qualifier, or a quote.
fn mentions(ctx: &mut Ctx<'_>, st: &Statement, phrase: &str) -> Result<bool> {
    let hit = |s: &str| normalize(s).contains(phrase);
    for n in [Some(st.subject), st.object.node()].into_iter().flatten() {
        if let Node::Entity(e) = n {
            if ctx.entity(e)?.spellings().any(hit) {
                return Ok(true);
            }
        }
    }
    if let Object::Literal(Value::Str(s)) = &st.object {
        if hit(s) {
            return Ok(true);
        }
    }
    Ok(st.qualifiers.values().any(|v| matches!(v, Value::Str(s) if hit(s)))
        || st.evidence.iter().any(|e| hit(&e.quote)))
}

/// `who reported X`: every source credited with a statement involving X — the agents
/// the documents attribute it to ("credited"), the outlets that published it
/// ("published"; a document with no known outlet speaking in its own voice is its own
/// source, "document"), and the objects of `reported-by`-like statements about it
/// ("reported") — each with the document and quote that support it. X is an entity,
/// or a quoted phrase searched for in names, aliases, literal values and quotes (a
/// scan of every statement), and then only the rows whose quote or claim has it are
/// kept, with the relays named in those rows' documents.
fn who_reported(ctx: &mut Ctx<'_>, target: &Target) -> Result<QueryResult> {
    // The statements to report on, by id: each read as its rows are made rather than
    // all held first (a hub has 87,408).
    let ids: Vec<StatementId> = match target {
        Target::Entity(id, _) => involving_ids(ctx, Node::Entity(*id))?,
        Target::Phrase(p) => {
            let phrase = normalize(p);
            let mut out = Vec::new();
            for st in ctx.store.statements() {
                let st = st?;
                ctx.tick()?;
                // Visibility is checked where the statement is answered for.
                if mentions(ctx, &st, &phrase)? {
                    out.push(st.id);
                }
            }
            out
        }
    };
    let mut out = QueryResult::with_columns(&["source", "role", "document", "outlet", "title", "quote", "claim"]);
    // Who reported which statement, from the relation index: one pass over the
    // reporting statements instead of a look at every statement's own adjacency.
    let mut reports: HashMap<StatementId, Vec<Statement>> = HashMap::default();
    for rel in ctx.store.derived(ReportingRelations::find)?.0.iter() {
        for id in ctx.store.statements_with_relation(rel)? {
            let r = ctx.store.require_statement(id)?;
            if !ctx.positive(&r) {
                continue;
            }
            if let Node::Statement(about) = r.subject {
                reports.entry(about).or_default().push(r);
            }
        }
    }
    // A phrase search keeps the rows whose quote or claim has the phrase: another
    // quote of the same statement having it says nothing about this one.
    let phrase = match target {
        Target::Phrase(p) => Some(normalize(p)),
        Target::Entity(..) => None,
    };
    let asked = Reported { reports: &reports, phrase: phrase.as_deref() };
    let bulk = std::mem::replace(&mut ctx.bulk, ids.len() >= BULK_ANSWER);
    let rows = reported_rows(ctx, &out.columns, &ids, &asked);
    ctx.let_go_of_blocks();
    ctx.bulk = bulk;
    out.rows = rows?;
    Ok(out)
}

/// Statements from which `who reported` reads as a long answer (`Ctx::bulk`): past the
/// store's cache of decoded entities (8,192), which one answer would otherwise fill
/// and empty.
const BULK_ANSWER: usize = 4096;

/// The roles of `who reported` rows, made once: a point question should not make
/// them anew. The helper thread of a long answer makes its own (`RowMaker::roles`):
/// every row counts a role's text once more and once less when it is dropped, and
/// two threads counting on one text took its count from core to core at every row
/// (the hub's listing streamed, alternated three times: 174-190 -> 166-173 ms).
static ROLES: std::sync::LazyLock<[Arc<str>; 4]> =
    std::sync::LazyLock::new(|| ["credited", "published", "document", "reported"].map(Into::into));

/// What `who reported` asks of every statement's rows.
struct Reported<'a> {
    /// The statements reporting each statement (`… reported-by IRNA`).
    reports: &'a HashMap<StatementId, Vec<Statement>>,
    /// A phrase the rows' quotes or claims must have, normalised.
    phrase: Option<&'a str>,
}

/// The `who reported` rows of some statements, in their order (none when the caller
/// takes them as they are made: `Ctx::sink`). A long answer is made on two threads
/// when the query may use them (`Limits::max_threads`): see `rows_in_parallel`.
fn reported_rows(ctx: &mut Ctx<'_>, columns: &[String], ids: &[StatementId], asked: &Reported<'_>) -> Result<Vec<Row>> {
    // Only its rows are taken: the caller's answer has the columns.
    let mut out = QueryResult::default();
    ctx.begin(columns);
    if ids.len() >= PARALLEL_ANSWER && ctx.limits.max_threads >= 2 && rows_in_parallel(ctx, &mut out, ids, asked)? {
        return Ok(out.rows);
    }
    let mut maker = RowMaker::default();
    maker.rows_of_all(ctx, ids, asked, &mut |ctx, row, made| emit_own(ctx, &mut out, row, made))?;
    Ok(out.rows)
}

/// Statements from which `who reported` makes its rows on two threads.
const PARALLEL_ANSWER: usize = 4096;

/// Statements a thread makes the rows of at a time, when two make them (at least: a
/// chunk ends with a block of records, see `chunks_of_whole_blocks`). Chunks made
/// ahead hold their rows, and a statement merging evidence from many documents has
/// many: at 512, the hub's listing at 1,000,000 statements had chunks of 3,400 rows
/// and up to 13,000 rows waiting (20 MB at the query process's peak under
/// heaptrack); at 128 its streamed peak went from 102-109 to 88-89 MB at the same
/// speed. Each chunk costs a hand-over and a few documents the other thread showed.
const PARALLEL_CHUNK: usize = 128;

/// Chunks of rows the caller's thread keeps made ahead of the one it hands over next,
/// at most: past it, it waits for the helper instead of making more.
const PARALLEL_AHEAD: usize = 4;

/// Makes the rows of a long answer on two threads, in chunks of statements that each
/// thread takes in turn when it is free; the caller's thread hands every row over in
/// order, as soon as the chunks before its own are handed over (the others are kept
/// until then, a few at most). The rows are the ones one thread makes, in the same
/// order; an error is the first one in that order. The helper has its own context on
/// the same store, limits and clock (`Ctx::fork`). A streaming caller is lent the
/// helper's rows, which then go back to the helper to be freed (`Streamed::Row`).
/// `false`, with nothing made, when no thread could be started.
fn rows_in_parallel(
    ctx: &mut Ctx<'_>,
    out: &mut QueryResult,
    ids: &[StatementId],
    asked: &Reported<'_>,
) -> Result<bool> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    type Made = Result<Vec<(Row, usize)>>;
    let chunks = chunks_of_whole_blocks(ids, PARALLEL_CHUNK);
    // The first chunk no thread has taken.
    let next = AtomicUsize::new(0);
    let fork = ctx.fork();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Made)>(2);
        // The helper's rows, handed over, on their way back to it to be freed.
        let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<Row>>();
        let (chunks, next) = (&chunks, &next);
        let helper = std::thread::Builder::new().name("factgraph-answer".into()).spawn_scoped(scope, move || {
            let mut ctx = fork.context();
            let mut maker = RowMaker { roles: Some(ROLES.clone().map(|r| Arc::from(&*r))), ..RowMaker::default() };
            loop {
                while let Ok(spent) = spent_rx.try_recv() {
                    drop(spent);
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(chunk) = chunks.get(i) else { break };
                let made = maker.chunk(&mut ctx, chunk, asked);
                let failed = made.is_err();
                // The caller stopped (an error, or its sink wants no more): so does this.
                if tx.send((i, made)).is_err() || failed {
                    return;
                }
            }
            // The rest come back as the caller hands them over, until it is done; its
            // caches are let go of meanwhile.
            drop(maker);
            drop(ctx);
            for spent in spent_rx {
                drop(spent);
            }
        });
        let Ok(helper) = helper else { return Ok(false) };
        let mut maker = RowMaker::default();
        // Chunks made and not yet handed over, by index, and whether the helper made
        // them.
        let mut kept: BTreeMap<usize, (Made, bool)> = BTreeMap::new();
        let mut handed = || -> Result<()> {
            let mut at = 0;
            let hand = |ctx: &mut Ctx<'_>, out: &mut QueryResult, (made, helpers): (Made, bool)| -> Result<()> {
                let mut spent = Vec::new();
                for (row, made) in made? {
                    // The deadline and cancellation count here too: when the helper
                    // has made the rest, handing it over is all this thread does
                    // (a cancel at row 8,000 went unseen to the end, now and then).
                    ctx.tick()?;
                    if let Some(row) = emit_shared(ctx, out, row, made)? {
                        spent.push(row);
                    }
                    if ctx.stopped {
                        break;
                    }
                }
                // A helper gone (it failed) leaves them to be freed here.
                if helpers && !spent.is_empty() {
                    let _ = spent_tx.send(spent);
                }
                Ok(())
            };
            while at < chunks.len() && !ctx.stopped {
                if let Some(made) = kept.remove(&at) {
                    hand(ctx, out, made)?;
                    at += 1;
                    continue;
                }
                if let Ok((i, made)) = rx.try_recv() {
                    kept.insert(i, (made, true));
                    continue;
                }
                let i = if kept.len() < PARALLEL_AHEAD { next.fetch_add(1, Ordering::SeqCst) } else { chunks.len() };
                match chunks.get(i) {
                    // Next in line: its rows go over as they are made.
                    Some(chunk) if i == at => {
                        maker.rows_of_all(ctx, chunk, asked, &mut |ctx, row, made| emit_own(ctx, out, row, made))?;
                        at += 1;
                    }
                    Some(chunk) => {
                        kept.insert(i, (maker.chunk(ctx, chunk, asked), false));
                    }
                    // Nothing left to take, or enough kept: the next comes from the helper.
                    None => {
                        let (i, made) = rx.recv().map_err(|_| helper_lost())?;
                        kept.insert(i, (made, true));
                    }
                }
            }
            Ok(())
        };
        let handed = handed();
        // The helper takes no more chunks, and one waiting to hand a chunk over sees
        // the channel closed; with nothing more coming back, it ends.
        next.store(chunks.len(), Ordering::SeqCst);
        drop(rx);
        drop(spent_tx);
        let joined = helper.join();
        handed?;
        joined.map_err(|_| helper_lost())?;
        Ok(true)
    })
}

/// `ids` cut into chunks of at least `size` statements (the last may be shorter), each
/// ending where the store's block of records changes: a block cut between two chunks
/// was read and its quotes decompressed by both threads, and at the hub of 1,000,000
/// statements (one statement in six), a third of the blocks were.
fn chunks_of_whole_blocks(ids: &[StatementId], size: usize) -> Vec<&[StatementId]> {
    let block = |id: &StatementId| factgraph_store::keys::record_place(id.0).0;
    let mut chunks = Vec::with_capacity(ids.len() / size.max(1) + 1);
    let mut rest = ids;
    while !rest.is_empty() {
        let mut end = size.min(rest.len());
        while end < rest.len() && block(&rest[end]) == block(&rest[end - 1]) {
            end += 1;
        }
        let (chunk, after) = rest.split_at(end);
        chunks.push(chunk);
        rest = after;
    }
    chunks
}

/// The error for a helper thread that ended without its rows (it panicked).
fn helper_lost() -> crate::error::Error {
    factgraph_store::StoreError::Engine("the thread making part of the answer stopped without it".into()).into()
}

/// What `who reported` makes one statement's rows with, kept from one statement to
/// the next so that a long answer does not make its buffers anew for each: the
/// outlets looked up by name, and per statement the documents whose quote has the
/// phrase (a relay named in one of them relays words with the phrase), each piece of
/// evidence cited (its quote made once and shared by the rows citing it), the rows,
/// pointing into it, and the rows seen. One per thread making rows.
#[derive(Default)]
struct RowMaker {
    outlets: HashMap<Arc<str>, Option<EntityId>>,
    quoting: Vec<EntityId>,
    cited: Vec<Option<Cited>>,
    rows: Vec<(Cell, SourceKey, u8, usize)>,
    // Rows are unique by (source, role, document, statement); sources are keyed by
    // entity id, or by their text when an outlet names no entity. A statement's rows
    // are made together, so the rows seen are those of the statement at hand: a small
    // set, emptied for the next, rather than one of all the answer's rows.
    seen: HashSet<(SourceKey, u8, EntityId)>,
    /// The roles' texts its rows share: the helper of a long answer has its own.
    roles: Option<[Arc<str>; 4]>,
    /// Statements read ahead of their rows (`rows_of_all`), and the entities they name.
    ahead: Vec<Result<Answered>>,
    named: Vec<EntityId>,
}

/// Statements `RowMaker::rows_of_all` reads ahead of their rows, and whose entities
/// it brings toward the processor together.
const WARMED_TOGETHER: usize = 32;

/// A piece of evidence a statement's rows cite: its document, shown, who the document
/// credits, and its quote. The last row citing it takes it (`Option::take`) rather than
/// a copy: a long answer's rows each cite one, and each copy of its texts counted them
/// up, and down again when the statement's were let go of.
#[derive(Clone)]
struct Cited {
    document: EntityId,
    doc: Document,
    attribution: Option<EntityId>,
    quote: Arc<str>,
}

/// Where `RowMaker::rows_of` hands each row, with the bytes of text made for it alone.
type Emit<'e, 'c> = dyn FnMut(&mut Ctx<'c>, Row, usize) -> Result<()> + 'e;

impl RowMaker {
    /// The rows of a chunk of statements, each with the bytes of text made for it.
    fn chunk(&mut self, ctx: &mut Ctx<'_>, chunk: &[StatementId], asked: &Reported<'_>) -> Result<Vec<(Row, usize)>> {
        // About two rows a statement (the hub's listing: 159,127 of 87,408).
        let mut rows = Vec::with_capacity(chunk.len() * 2);
        self.rows_of_all(ctx, chunk, asked, &mut |_, row, made| {
            rows.push((row, made));
            Ok(())
        })?;
        Ok(rows)
    }

    /// Makes the rows of statements `ids`, in order, and hands each to `emit`, until
    /// the caller wants no more (`Ctx::stopped`). In a long answer the statements are
    /// read a few at a time, and the entities their rows name brought toward the
    /// processor together before any row is made (`Ctx::warm_entities`).
    fn rows_of_all<'c>(
        &mut self,
        ctx: &mut Ctx<'c>,
        ids: &[StatementId],
        asked: &Reported<'_>,
        emit: &mut Emit<'_, 'c>,
    ) -> Result<()> {
        for group in ids.chunks(WARMED_TOGETHER) {
            let mut read = std::mem::take(&mut self.ahead);
            self.named.clear();
            for &id in group {
                // A statement that cannot be read fails the answer where its rows
                // would have been, after the rows of those before it.
                let st = ctx.answered_statement(id);
                if let Ok(st) = &st {
                    for node in [Some(st.subject), st.object.node()].into_iter().flatten() {
                        if let Node::Entity(e) = node {
                            self.named.push(e);
                        }
                    }
                    for ev in st.evidence.iter() {
                        self.named.push(ev.document);
                        self.named.extend(ev.attribution);
                    }
                }
                let failed = st.is_err();
                read.push(st);
                if failed {
                    break;
                }
            }
            ctx.warm_entities(&self.named);
            let mut made = Ok(());
            for st in read.drain(..) {
                made = st.and_then(|st| self.rows_of(ctx, st, asked, emit));
                if made.is_err() || ctx.stopped {
                    break;
                }
            }
            self.ahead = read;
            made?;
            if ctx.stopped {
                break;
            }
        }
        Ok(())
    }

    /// Makes the rows of statement `st` (none when it is not visible) and hands each to
    /// `emit`, in order.
    fn rows_of<'c>(
        &mut self,
        ctx: &mut Ctx<'c>,
        st: Answered,
        asked: &Reported<'_>,
        emit: &mut Emit<'_, 'c>,
    ) -> Result<()> {
        let has = |text: &str| asked.phrase.is_none_or(|p| normalize(text).contains(p));
        let roles = self.roles.as_ref().unwrap_or(&*ROLES);
        let reports = asked.reports;
        let RowMaker { outlets, quoting, cited, rows, seen, .. } = self;
        ctx.tick()?;
        if !ctx.visible(&st)? {
            return Ok(());
        }
        let st = &st;
        let claim = ctx.claim(st)?;
        let claim_has = has(&claim);
        // The text made for this statement's rows (its words, its quotes), counted
        // against the budget with its first row.
        let mut made = claim.len();
        quoting.clear();
        cited.clear();
        rows.clear();
        seen.clear();
        for ev in ctx.evidence_of(st)?.iter() {
            if !claim_has && !has(&ev.quote) {
                continue;
            }
            quoting.push(ev.document);
            let at = cited.len();
            // A document with no known outlet, speaking in its own voice, is the
            // source itself: its cell is asked for with it.
            let (doc, own_voice) =
                ctx.document_and_cell(ev.document, |doc| doc.outlet.is_none() && ev.attribution.is_none())?;
            made += ev.quote.len();
            if let Some(a) = ev.attribution {
                rows.push((ctx.entity_cell(a)?, SourceKey::Entity(a), 0, at));
            }
            if let Some(outlet) = &doc.outlet {
                let found = match outlets.get(outlet) {
                    Some(f) => *f,
                    None => {
                        let f = ctx.store.lookup(outlet)?.first().copied();
                        outlets.insert(outlet.clone(), f);
                        f
                    }
                };
                let (cell, key) = match found {
                    Some(id) => (ctx.entity_cell(id)?, SourceKey::Entity(id)),
                    None => (Cell::Text { text: outlet.clone() }, SourceKey::Text(outlet.clone())),
                };
                rows.push((cell, key, 1, at));
            } else if let Some(cell) = own_voice {
                rows.push((cell, SourceKey::Entity(ev.document), 2, at));
            }
            let quote = ev.quote.as_str().into();
            cited.push(Some(Cited { document: ev.document, doc, attribution: ev.attribution, quote }));
        }
        for r in reports.get(&st.id).map(Vec::as_slice).unwrap_or_default() {
            if let Object::Node(n) = r.object {
                let key = match n {
                    Node::Entity(e) => SourceKey::Entity(e),
                    Node::Statement(s) => SourceKey::Statement(s),
                };
                for ev in ctx.evidence_of(r)?.iter() {
                    if claim_has || has(&ev.quote) || quoting.contains(&ev.document) {
                        let at = cited.len();
                        let doc = ctx.document(ev.document)?;
                        let quote = ev.quote.as_str().into();
                        cited.push(Some(Cited { document: ev.document, doc, attribution: ev.attribution, quote }));
                        made += ev.quote.len();
                        let cell = ctx.node_cell(n)?;
                        // A statement's cell is made for this row (an entity's is
                        // the shared one, counted as it was shown).
                        if let Cell::Statement { text, .. } = &cell {
                            made += text.len();
                        }
                        rows.push((cell, key.clone(), 3, at));
                    }
                }
            }
        }
        // The claim's cell, made once and shared by its rows.
        let mut claim_cell: Option<Cell> = None;
        let mut drained = rows.drain(..).peekable();
        while let Some((cell, key, role, at)) = drained.next() {
            // Rows citing one piece of evidence are next to each other.
            let last_citing = drained.peek().is_none_or(|next| next.3 != at);
            // Taken only by the last row citing it: a row finding it gone would be a
            // row lost.
            let document = cited.get(at).and_then(|c| c.as_ref()).map(|c| c.document);
            debug_assert!(document.is_some(), "the evidence of a row was taken before it");
            let Some(document) = document else { continue };
            if !seen.insert((key, role, document)) {
                continue;
            }
            let taken = if last_citing { cited[at].take() } else { cited[at].clone() };
            let Some(Cited { doc, attribution, quote, .. }) = taken else { continue };
            let quote_cell = Cell::Text { text: quote.clone() };
            let citation = ctx.citation_of(st, claim.clone(), quote, doc, attribution)?;
            let [outlet, title] = super::context::outlet_and_title(&citation);
            let claim_cell = match &claim_cell {
                Some(c) => c.clone(),
                None => claim_cell.insert(ctx.cell_of_statement(st, claim.clone())?).clone(),
            };
            let cells = vec![
                cell,
                Cell::Text { text: roles[role as usize].clone() },
                Cell::Text { text: citation.document.clone() },
                outlet,
                title,
                quote_cell,
                claim_cell,
            ];
            emit(ctx, Row { cells, provenance: vec![citation] }, std::mem::take(&mut made))?;
        }
        Ok(())
    }
}

/// The relations that report (`reported-by`, `reports`, …): found by stem once per
/// commit (`Store::derived`) rather than by stemming every relation name at every
/// `who reported`, which cost more than the rest of a point question.
struct ReportingRelations(Vec<String>);

impl ReportingRelations {
    fn find(store: &factgraph_store::Store) -> factgraph_store::Result<ReportingRelations> {
        Ok(ReportingRelations(store.relations().into_iter().filter(|r| relation_stem(r) == "report").collect()))
    }
}

/// `describe X`: kind, name, every alias with the documents that use it, properties,
/// then statements out and in (and about, for statements), each with its sources.
fn describe(ctx: &mut Ctx<'_>, id: EntityId) -> Result<QueryResult> {
    let e = ctx.entity(id)?;
    let mut out = QueryResult::with_columns(&["field", "value", "sources"]);
    out.ordered = true;
    let row = |f: &str, v: Cell, s: Cell| Row { cells: vec![Cell::text(f), v, s], provenance: Vec::new() };
    out.rows.push(row("name", Cell::text(&e.name), Cell::text("")));
    out.rows.push(row("kind", Cell::text(&e.kind), Cell::text("")));
    for a in &e.aliases {
        let mut docs = Vec::new();
        for d in &a.documents {
            docs.push(Cell::text(ctx.entity_name(*d)?));
        }
        out.rows.push(row("alias", Cell::text(&a.text), Cell::List { items: docs }));
    }
    for (k, v) in &e.properties {
        out.rows.push(row(&format!("property {k}"), Cell::Value { value: v.clone() }, Cell::text("")));
    }
    let (mut statements, taking_part): (Vec<Statement>, Vec<Statement>) = involving(ctx, Node::Entity(id))?
        .into_iter()
        .partition(|st| st.subject == Node::Entity(id) || st.object == Object::Node(Node::Entity(id)));
    statements.sort_by(|a, b| {
        let side = |s: &Statement| if s.subject == Node::Entity(id) { 0 } else { 1 };
        (side(a), &a.relation, a.id).cmp(&(side(b), &b.relation, b.id))
    });
    for st in statements {
        let field = if st.subject == Node::Entity(id) {
            format!("→ {}", st.relation)
        } else {
            format!("← {}", st.relation)
        };
        let other =
            if st.subject == Node::Entity(id) { ctx.object_cell(&st.object)? } else { ctx.node_cell(st.subject)? };
        let value = match qualifiers_cell(ctx, &st)? {
            Cell::Null => other,
            q => Cell::text(format!("{other} {{{q}}}")),
        };
        let sources = ctx.sources_cell(&st)?;
        let provenance = ctx.citations(&st)?;
        out.rows.push(Row { cells: vec![Cell::text(field), value, sources], provenance });
        kept(ctx, &out)?;
    }
    // The claims it takes part in: each under its role (`as for`), in words.
    for st in taking_part {
        ctx.tick()?;
        for (key, v) in &st.qualifiers {
            if *v != Value::Entity(id) {
                continue;
            }
            let claim = ctx.claim(&st)?;
            let sources = ctx.sources_cell(&st)?;
            let provenance = ctx.citations(&st)?;
            out.rows.push(Row { cells: vec![Cell::text(format!("as {key}")), Cell::text(claim), sources], provenance });
            kept(ctx, &out)?;
        }
    }
    Ok(out)
}

/// `path from A to B`: a shortest chain of statements, either direction, through
/// statements about statements too, at most `max_hops` long. Runs on the store's
/// cached whole-graph adjacency (built once after each commit).
fn path(ctx: &mut Ctx<'_>, from: EntityId, to: EntityId) -> Result<QueryResult> {
    let max = ctx.limits.max_hops;
    let graph = ctx.store.adjacency()?;
    let mut out = QueryResult::with_columns(&["step", "from", "relation", "to", "sources"]);
    out.ordered = true;
    let withdrawn = ctx.withdrawn()?;
    let avoid = |s: StatementId| withdrawn.as_ref().is_some_and(|w| w.contains(s));
    let Some(factgraph_store::Path { nodes, statements }) = graph.shortest_path_avoiding(
        Node::Entity(from),
        Node::Entity(to),
        factgraph_store::Walk::Undirected,
        max,
        &avoid,
    ) else {
        out.note = Some(format!("no path within {max} statements"));
        return Ok(out);
    };
    for (i, sid) in statements.iter().enumerate() {
        let (a, b) = (nodes[i], nodes[i + 1]);
        // A step to or from a statement's own node is told as that statement when it
        // joins it to its subject, object or a participant: the walk may have found
        // another statement between the same two nodes first (`Interpol
        // unlikely-to-grant` the request, where the request names Interpol itself).
        let mut sid = *sid;
        for (n, other) in [(a, b), (b, a)] {
            let Node::Statement(own) = n else { continue };
            if own == sid || avoid(own) {
                continue;
            }
            let st = ctx.store.require_statement_without_quotes(own)?;
            let joined = st.subject == other
                || st.object.node() == Some(other)
                || matches!(other, Node::Entity(e) if st.qualifiers.values().any(|v| *v == Value::Entity(e)));
            if joined {
                sid = own;
            }
        }
        let st = ctx.store.require_statement_without_quotes(sid)?;
        // The join of a statement to one of its participants (statement → participant)
        // is named by the role.
        let role = |n: Node| match n {
            Node::Entity(e) if st.subject != n && st.object.node() != Some(n) => {
                st.qualifiers.iter().find(|(_, v)| **v == Value::Entity(e)).map(|(k, _)| k.clone())
            }
            _ => None,
        };
        let relation = match (role(a), role(b)) {
            (Some(key), _) if b == Node::Statement(st.id) => format!("← {key}"),
            (_, Some(key)) if a == Node::Statement(st.id) => format!("{key} →"),
            _ if st.subject == a || st.object.node() == Some(b) => format!("{} →", st.relation),
            _ => format!("← {}", st.relation),
        };
        let cells = vec![
            Cell::int(i as i64 + 1),
            ctx.node_cell(a)?,
            Cell::text(relation),
            ctx.node_cell(b)?,
            ctx.sources_cell(&st)?,
        ];
        out.rows.push(Row { cells, provenance: ctx.citations(&st)? });
    }
    Ok(out)
}

/// `neighbours of X [depth N]`: every node within N statements, either direction
/// (statements that others are about count as nodes).
fn neighbours(ctx: &mut Ctx<'_>, centre: EntityId, depth: usize) -> Result<QueryResult> {
    let mut found = match ctx.withdrawn()? {
        // The shape alone: a new process reads half of the kept adjacency.
        None => ctx.store.topology()?.within(Node::Entity(centre), depth, factgraph_store::Walk::Undirected),
        Some(w) => ctx.store.adjacency()?.within_avoiding(
            Node::Entity(centre),
            depth,
            factgraph_store::Walk::Undirected,
            &|s| w.contains(s),
        ),
    };
    found.sort_by_key(|&(n, d)| (d, n));
    let mut out = QueryResult::with_columns(&["neighbour", "kind", "distance"]);
    for (n, d) in found {
        ctx.tick()?;
        let cell = ctx.node_cell(n)?;
        let kind = match &cell {
            Cell::Entity { kind, .. } => kind.clone(),
            _ => "Statement".into(),
        };
        out.rows.push(Row { cells: vec![cell, Cell::text(kind), Cell::int(d as i64)], provenance: Vec::new() });
        kept(ctx, &out)?;
    }
    Ok(out)
}

/// `sources of X`: who stands behind the statements involving X, each source once,
/// with how it stands behind them, the documents, and how many statements. A
/// document's publisher is its outlet when known ("outlet"), else the document itself
/// ("document"): an article and its outlet are one source, not two. Beside them, the
/// agents the documents credit: speakers (`by`, "credited") and the agencies a
/// document names as reporting a claim or the ones it was told to ("reported",
/// "told"), for that document's evidence only. Each is a source `according to` finds
/// those statements from.
fn sources(ctx: &mut Ctx<'_>, id: EntityId) -> Result<QueryResult> {
    const ROLES: [&str; 5] = ["outlet", "document", "credited", "reported", "told"];
    struct Behind {
        name: String,
        roles: BTreeSet<usize>,
        documents: Vec<String>,
        statements: BTreeSet<StatementId>,
    }
    // Keyed by entity, so an outlet written as an alias of an entity that is also
    // credited is one source; an outlet that names no entity is keyed by its text.
    let mut found: HashMap<SourceKey, Behind> = HashMap::default();
    let mut add = |key: SourceKey, name: &str, role: usize, document: &str, st: StatementId| {
        let b = found.entry(key).or_insert_with(|| Behind {
            name: name.to_owned(),
            roles: BTreeSet::new(),
            documents: Vec::new(),
            statements: BTreeSet::new(),
        });
        b.roles.insert(role);
        if !b.documents.iter().any(|d| d == document) {
            b.documents.push(document.to_owned());
        }
        b.statements.insert(st);
    };
    let mut outlets: HashMap<Arc<str>, Option<EntityId>> = HashMap::default();
    // A document that is a source by itself is shown with its title: its id tells a
    // reader nothing.
    let mut titles: HashMap<String, String> = HashMap::default();
    for st in involving(ctx, Node::Entity(id))? {
        let relays = ctx.relays(&st)?;
        for ev in ctx.evidence(&st)? {
            let doc = ctx.entity(ev.document)?;
            match super::context::outlet(&doc) {
                Some(o) => {
                    let found = match outlets.get(o) {
                        Some(f) => *f,
                        None => {
                            let f = ctx.store.lookup(o)?.first().copied();
                            outlets.insert(o.into(), f);
                            f
                        }
                    };
                    match found {
                        Some(e) => add(SourceKey::Entity(e), &ctx.entity_name(e)?, 0, &doc.name, st.id),
                        None => add(SourceKey::Text(o.into()), o, 0, &doc.name, st.id),
                    }
                }
                None => {
                    if let Some(t) = super::context::title(&doc) {
                        titles.entry(doc.name.clone()).or_insert_with(|| t.to_owned());
                    }
                    add(SourceKey::Entity(doc.id), &doc.name, 1, &doc.name, st.id)
                }
            }
            if let Some(a) = ev.attribution {
                add(SourceKey::Entity(a), &ctx.entity_name(a)?, 2, &doc.name, st.id);
            }
            for r in relays.iter().filter(|r| r.document == ev.document) {
                let role = match r.credit {
                    Credit::Relay => 3,
                    Credit::Recipient => 4,
                };
                add(SourceKey::Entity(r.agent), &ctx.entity_name(r.agent)?, role, &doc.name, st.id);
            }
        }
    }
    let mut found: Vec<Behind> = found.into_values().collect();
    found.sort_by(|a, b| (&a.name, &a.roles).cmp(&(&b.name, &b.roles)));
    let mut out = QueryResult::with_columns(&["source", "title", "role", "documents", "statements"]);
    for b in found {
        let roles: Vec<&str> = b.roles.iter().map(|&r| ROLES[r]).collect();
        let title = if b.roles.contains(&1) { titles.get(&b.name).map_or(Cell::Null, Cell::text) } else { Cell::Null };
        out.rows.push(Row {
            cells: vec![
                Cell::text(b.name),
                title,
                Cell::text(roles.join(", ")),
                Cell::List { items: b.documents.into_iter().map(Cell::text).collect() },
                Cell::int(b.statements.len() as i64),
            ],
            provenance: Vec::new(),
        });
        kept(ctx, &out)?;
    }
    Ok(out)
}

/// `conflicts [all] [about X]`: the versions of a claim that sources tell differently,
/// each with the kind of its difference (`conflicts::groups` says how groups are found
/// and classified). Without `all`, only the disagreements: groups with a contradiction
/// or a difference the texts leave open. With `about X`, the groups about X
/// (`ConflictGroup::is_about`). Each version is a row with its sources (exactly the
/// documents of its evidence); `group` numbers the groups.
fn conflicts(ctx: &mut Ctx<'_>, all: bool, about: Option<EntityId>) -> Result<QueryResult> {
    let statements: Vec<Statement> = match about {
        Some(e) => {
            let seeds: Vec<StatementId> = involving(ctx, Node::Entity(e))?.iter().map(|s| s.id).collect();
            let mut out = Vec::new();
            for st in versions_of(ctx, &seeds, all)? {
                if ctx.visible(&st)? {
                    out.push(st);
                }
            }
            out
        }
        None => {
            let mut all = Vec::new();
            for st in ctx.store.statements() {
                let st = st?;
                ctx.tick()?;
                if ctx.visible(&st)? {
                    all.push(st);
                }
            }
            all
        }
    };
    let mut out =
        QueryResult::with_columns(&["group", "class", "subject", "relation", "version", "sources", "difference"]);
    let mut group_no = 0;
    for group in super::conflicts::groups(ctx, statements, all)? {
        if !(all || group.disagrees()) || about.is_some_and(|e| !group.is_about(Node::Entity(e))) {
            continue;
        }
        group_no += 1;
        for (v, d) in &group.versions {
            let version = match (ctx.object_cell(&v.object)?, qualifiers_cell(ctx, v)?) {
                (o, Cell::Null) => o,
                // A claim as object in parentheses, so its qualifiers stay apart from
                // the version's.
                (o, q) if matches!(v.object, Object::Node(Node::Statement(_))) => Cell::text(format!("({o}) {{{q}}}")),
                (o, q) => Cell::text(format!("{o} {{{q}}}")),
            };
            let cells = vec![
                Cell::int(group_no),
                Cell::text(d.class.words()),
                ctx.node_cell(v.subject)?,
                Cell::text(&v.relation),
                version,
                ctx.sources_cell(v)?,
                Cell::text(&d.note),
            ];
            out.rows.push(Row { cells, provenance: ctx.citations(v)? });
            kept(ctx, &out)?;
        }
    }
    Ok(out)
}

/// Every version of the claims the statements given make: the statements with the
/// same subject and relation (what it is said to have done, told differently), and
/// with `by_agent` those with the same relation and object or quoted `words` (who is
/// said to have done it; a literal object or `words` are looked for among all the
/// statements with that relation).
fn versions_of(ctx: &mut Ctx<'_>, ids: &[StatementId], by_agent: bool) -> Result<Vec<Statement>> {
    let mut versions: BTreeSet<StatementId> = BTreeSet::new();
    for id in ids {
        ctx.tick()?;
        let Some(st) = ctx.store.statement_without_quotes(*id)? else { continue };
        let (Node::Entity(_), Some(rel)) = (st.subject, ctx.store.relation_id(&st.relation)) else { continue };
        versions.insert(st.id);
        let mut ends = vec![(st.subject, Direction::Out)];
        if let (true, Some(o)) = (by_agent, st.object.node()) {
            ends.push((o, Direction::In));
        }
        for (node, dir) in ends {
            for e in ctx.store.edges(node, dir)? {
                if e.relation == rel {
                    versions.insert(e.statement);
                }
            }
        }
        if by_agent && (st.object.node().is_none() || st.qualifiers.contains_key("words")) {
            for id in ctx.store.statements_with_relation(&st.relation)? {
                ctx.tick()?;
                let other = ctx.store.require_statement_without_quotes(id)?;
                let words = |s: &Statement| s.qualifiers.get("words").cloned();
                if other.object == st.object || (words(&st).is_some() && words(&other) == words(&st)) {
                    versions.insert(id);
                }
            }
        }
    }
    let mut all = Vec::with_capacity(versions.len());
    for id in versions {
        ctx.tick()?;
        all.push(ctx.store.require_statement(id)?);
    }
    Ok(all)
}

/// The statements in the disagreements `conflicts` reports without `all`
/// (contradictions, and differences the texts leave open): of the whole store
/// (`None`), or of the groups that the statements given belong to, each group judged
/// with every version in the store (so a subgraph shows the same conflicts as the
/// whole graph).
pub(crate) fn conflicting(ctx: &mut Ctx<'_>, among: Option<&[StatementId]>) -> Result<BTreeSet<StatementId>> {
    let statements: Vec<Statement> = match among {
        None => {
            let mut all = Vec::new();
            for st in ctx.store.statements() {
                ctx.tick()?;
                all.push(st?);
            }
            all
        }
        // Only versions of one subject can disagree: attribution never does.
        Some(ids) => versions_of(ctx, ids, false)?,
    };
    let mut out = BTreeSet::new();
    for group in super::conflicts::groups(ctx, statements, false)? {
        if group.disagrees() {
            out.extend(group.versions.iter().map(|(v, _)| v.id));
        }
    }
    Ok(out)
}

/// `verify`: re-finds every stored quote in its document's text and lists those that
/// no longer match (or never did), with a count of all checked.
fn verify(ctx: &mut Ctx<'_>) -> Result<QueryResult> {
    let mut out = QueryResult::with_columns(&["claim", "document", "quote", "problem"]);
    let (mut checked, mut bad) = (0u64, 0u64);
    let mut texts: BTreeMap<EntityId, Option<String>> = BTreeMap::new();
    for st in ctx.store.statements() {
        let st = st?;
        ctx.tick()?;
        for ev in &st.evidence {
            if let std::collections::btree_map::Entry::Vacant(v) = texts.entry(ev.document) {
                v.insert(ctx.store.document_text(ev.document)?);
            }
            let Some(text) = texts[&ev.document].as_deref() else {
                continue;
            };
            checked += 1;
            let problem = match ev.span {
                Some(span) if quote::matches_at(text, &ev.quote, span) => continue,
                Some(_) if quote::locate(text, &ev.quote).is_some() => "the quote moved in the document",
                Some(_) => "the quote is no longer in the document",
                None if quote::locate(text, &ev.quote).is_some() => "the quote has no stored offsets",
                None => "the quote is not in the document",
            };
            bad += 1;
            let c = ctx.citation(&st, ev)?;
            out.rows.push(Row {
                cells: vec![
                    ctx.cell_of_statement(&st, c.claim.clone())?,
                    Cell::text(&c.document),
                    Cell::text(&c.quote),
                    Cell::text(problem),
                ],
                provenance: vec![c],
            });
            kept(ctx, &out)?;
        }
    }
    let (claims, unsupported) = unsupported_claims(ctx, &mut out)?;
    out.note = Some(format!(
        "{checked} quotes checked against their documents: {} match, {bad} do not; \
         {claims} claims checked against their quotes: {} supported, {unsupported} say more",
        checked - bad,
        claims - unsupported
    ));
    Ok(out)
}

/// The claim-support half of `verify` (`crate::support`): for each statement with words
/// of its own (a text object, string qualifiers other than `modality` and `polarity`)
/// and each document behind it, those words must be in that document's quotes for it,
/// or in the names of the entities it is about or credits. Each document is checked on
/// its own: it is a source that makes the claim, so it must say it. Numbers and dates
/// are values, read by `conflicts` with the precision the text gives, and not words.
/// The note document (`create`, `set` typed by hand) is no source: its "quote" is the
/// query, and no article stands behind what it says, so it is not checked.
/// Adds a row per (statement, document) that says more; returns (checked, failing).
fn unsupported_claims(ctx: &mut Ctx<'_>, out: &mut QueryResult) -> Result<(u64, u64)> {
    let matcher = crate::support::WordMatcher::default();
    let (mut checked, mut bad) = (0u64, 0u64);
    for st in ctx.store.statements() {
        let st = st?;
        ctx.tick()?;
        let mut claim: Vec<&str> = Vec::new();
        if let Object::Literal(Value::Str(t)) = &st.object {
            claim.push(t);
        }
        for (k, v) in &st.qualifiers {
            if let (false, Value::Str(t)) = (k == "modality" || k == "polarity", v) {
                claim.push(t);
            }
        }
        if claim.is_empty() {
            continue;
        }
        let mut names: Vec<String> = Vec::new();
        let ends = [Some(st.subject), if let Object::Node(n) = st.object { Some(n) } else { None }];
        for node in ends.into_iter().flatten() {
            if let Node::Entity(e) = node {
                names.extend(ctx.entity(e)?.spellings().map(str::to_owned));
            }
        }
        // Its participants are what it is about too (`{for: Trump}`).
        for v in st.qualifiers.values() {
            if let Value::Entity(e) = v {
                names.extend(ctx.entity(*e)?.spellings().map(str::to_owned));
            }
        }
        let mut documents: Vec<EntityId> = st.evidence.iter().map(|ev| ev.document).collect();
        documents.sort();
        documents.dedup();
        for doc in documents {
            if ctx.entity(doc)?.name == super::script::NOTE_DOCUMENT {
                continue;
            }
            checked += 1;
            let mut support: Vec<String> = names.clone();
            for ev in st.evidence.iter().filter(|ev| ev.document == doc) {
                support.push(ev.quote.clone());
                if let Some(a) = ev.attribution {
                    support.extend(ctx.entity(a)?.spellings().map(str::to_owned));
                }
            }
            let missing = matcher.unsupported(&claim, support.iter().map(String::as_str));
            if missing.is_empty() {
                continue;
            }
            bad += 1;
            let ev = st.evidence.iter().find(|ev| ev.document == doc).expect("the document is the evidence's");
            let c = ctx.citation(&st, ev)?;
            out.rows.push(Row {
                cells: vec![
                    ctx.cell_of_statement(&st, c.claim.clone())?,
                    Cell::text(&c.document),
                    Cell::text(&c.quote),
                    Cell::text(format!("the claim says more than its quotes: {}", missing.join(", "))),
                ],
                provenance: vec![c],
            });
            kept(ctx, out)?;
        }
    }
    Ok((checked, bad))
}

/// `why QUESTION`: one row per piece of evidence behind each answer, with everyone
/// its document credits for it: the speaker, and the agency it names as reporting
/// the claim or the one it was told to (`Ali Alqasimehr, reported by IRNA`).
fn why(ctx: &mut Ctx<'_>, plan: &Plan) -> Result<QueryResult> {
    let inner = run(ctx, plan)?;
    let mut out = QueryResult::with_columns(&["answer", "claim", "document", "outlet", "title", "quote", "credited"]);
    for row in inner.rows {
        let answer = row.cells.first().cloned().unwrap_or(Cell::Null);
        for c in row.provenance {
            let st = ctx.store.require_statement_without_quotes(c.statement)?;
            let mut credited: Vec<String> = c.attribution.iter().map(|a| a.to_string()).collect();
            for r in ctx.relays(&st)? {
                if ctx.entity_name(r.document)? == c.document {
                    let how = match r.credit {
                        Credit::Relay => "reported by",
                        Credit::Recipient => "told to",
                    };
                    credited.push(format!("{how} {}", ctx.entity_name(r.agent)?));
                }
            }
            let [outlet, title] = super::context::outlet_and_title(&c);
            let cells = vec![
                answer.clone(),
                ctx.statement_cell(c.statement)?,
                Cell::text(&c.document),
                outlet,
                title,
                Cell::text(&c.quote),
                if credited.is_empty() { Cell::Null } else { Cell::text(credited.join(", ")) },
            ];
            out.rows.push(Row { cells, provenance: vec![c] });
            kept(ctx, &out)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::chunks_of_whole_blocks;
    use factgraph_store::StatementId;

    /// Chunks hold at least the size asked, end where a block of records ends, and
    /// together hold every id once, in order.
    #[test]
    fn long_answers_are_cut_between_blocks_of_records() {
        let per_block = 1u64 << factgraph_store::keys::RECORD_BITS;
        // Every third statement of five blocks, and a few far out.
        let ids: Vec<StatementId> =
            (0..5 * per_block).step_by(3).chain([9 * per_block, 9 * per_block + 1]).map(StatementId).collect();
        let chunks = chunks_of_whole_blocks(&ids, 100);
        let block = |id: &StatementId| id.0 / per_block;
        for pair in chunks.windows(2) {
            assert!(pair[0].len() >= 100, "{} ids", pair[0].len());
            assert_ne!(block(pair[0].last().unwrap()), block(&pair[1][0]), "a block cut between two chunks");
        }
        assert_eq!(chunks.concat(), ids);
        assert_eq!(chunks.len(), 6, "five blocks, and the two ids far out");
        assert!(chunks_of_whole_blocks(&[], 100).is_empty());
        // One block holding more than the size: one chunk.
        let one: Vec<StatementId> = (0..per_block).map(StatementId).collect();
        assert_eq!(chunks_of_whole_blocks(&one, 10).len(), 1);
    }
}
