//! The benchmark's neutral TSV (`entities.tsv`, `aliases.tsv`, `sources.tsv`,
//! `statements.tsv`, each with a header line) loaded as one atomic batch.
//!
//! Sources become documents named by their URL, with `url`, `published` and `title`
//! properties. Each statement line becomes a statement with one piece of evidence (its
//! source document and quote); lines with the same subject, predicate and object from
//! several sources become one statement with several pieces of evidence.
//!
//! The files are read a line at a time, and the transaction writes its records ahead
//! of the commit as they pass a few tens of MiB (see `factgraph-store`'s `txn.rs`), so
//! a load's memory does not grow with the statements' text. Lines are grouped by
//! claim with an external sort (`extsort.rs`: sorted runs in temporary files beside
//! the store), and a repeated claim's later evidence is read back from the file when
//! the claim is added, so the grouping does not grow with the file either. The load
//! uses two cores: the grouping runs beside the load of the entities and sources, and
//! the second pass's rows are read and mapped beside the adds.
//!
//! A file the loader cannot take whole is refused with its file and line, and nothing
//! is loaded: invalid UTF-8, a row with more or fewer fields than its header (a tab
//! inside a quote would otherwise shift the row silently), an id that is not a number
//! or appears twice in its file, and a date that is neither empty nor `YYYY-MM-DD`.

// Fx hashing: the loader's maps are keyed by the files' own ids and names, and
// SipHash was a tenth of a load.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use factgraph_store::{Date, EntityId, Evidence, NewStatement, Properties, Store, Transaction, Value};

use crate::error::{Error, LoadError};
use crate::extsort::{u64_at, Record, Sorted, Sorter};

/// What a load added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TsvSummary {
    /// Entities created (documents excluded).
    pub entities: u64,
    /// Aliases recorded.
    pub aliases: u64,
    /// Documents created.
    pub documents: u64,
    /// Statement lines read.
    pub claims: u64,
    /// Distinct statements created.
    pub statements: u64,
}

/// Progress of a load, for a progress bar: (phase, done, total).
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// True when `dir` holds the four TSV files.
pub fn is_tsv_dir(dir: &Path) -> bool {
    ["entities.tsv", "aliases.tsv", "sources.tsv", "statements.tsv"].iter().all(|f| dir.join(f).is_file())
}

/// One of the directory's files, read a line at a time: a load holds one line of
/// it in memory, however large the file.
struct TsvFile {
    name: &'static str,
    path: std::path::PathBuf,
    reader: BufReader<File>,
    /// Fields per row (the header's).
    fields: usize,
    /// The 1-based number of the line last read, its byte offset, and the next's.
    line: usize,
    start: u64,
    offset: u64,
    buf: Vec<u8>,
}

impl TsvFile {
    /// Opens `dir/name` and reads past its header.
    fn open(dir: &Path, name: &'static str, fields: usize) -> Result<TsvFile, Error> {
        debug_assert!(fields <= MAX_FIELDS, "{name}: {fields} fields");
        let path = dir.join(name);
        let file = File::open(&path).map_err(|e| io_error(&path, e))?;
        let mut f = TsvFile {
            name,
            path,
            reader: BufReader::with_capacity(1 << 20, file),
            fields,
            line: 0,
            start: 0,
            offset: 0,
            buf: Vec::new(),
        };
        f.next_line()?;
        Ok(f)
    }

    /// Reads the next line into `buf` (without its line end); false at the end.
    fn next_line(&mut self) -> Result<bool, Error> {
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| io_error(&self.path, e))?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        let start = self.offset;
        self.start = start;
        self.offset += n as u64;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        if let Err(e) = std::str::from_utf8(&self.buf) {
            let valid = e.valid_up_to();
            let column = String::from_utf8_lossy(&self.buf[..valid]).chars().count() + 1;
            return Err(bad(
                self.name,
                self.line,
                format!("not UTF-8 text: invalid bytes at column {column} (byte offset {})", start + valid as u64),
            ));
        }
        Ok(true)
    }

    /// The next non-empty row after the header, as `(line number, fields)`; each row
    /// has exactly the header's number of fields.
    fn next_row(&mut self) -> Result<Option<(usize, Fields<'_>)>, Error> {
        loop {
            if !self.next_line()? {
                return Ok(None);
            }
            if !self.buf.is_empty() {
                break;
            }
        }
        // Checked by `next_line`.
        let line = std::str::from_utf8(&self.buf).unwrap_or_default();
        let mut fields = Fields { items: [""; MAX_FIELDS], len: 0 };
        let mut found = 0;
        for field in line.split('\t') {
            if let Some(slot) = fields.items.get_mut(found) {
                *slot = field;
            }
            found += 1;
        }
        if found == self.fields && found <= MAX_FIELDS {
            fields.len = found;
            Ok(Some((self.line, fields)))
        } else {
            Err(bad(self.name, self.line, format!("expected {} tab-separated fields, found {found}", self.fields)))
        }
    }
}

/// Fields a row of the directory's files has at most (`statements.tsv`'s six).
const MAX_FIELDS: usize = 6;

/// A row's fields, borrowed from its line: kept in place rather than collected into a
/// vector for each row, which took an allocation and a reallocation per row on both
/// of a load's threads reading `statements.tsv`.
struct Fields<'a> {
    items: [&'a str; MAX_FIELDS],
    len: usize,
}

impl<'a> std::ops::Deref for Fields<'a> {
    type Target = [&'a str];
    fn deref(&self) -> &[&'a str] {
        &self.items[..self.len]
    }
}

/// A line of `statements.tsv` as the grouping sorts it: by claim (subject, predicate,
/// object), then line, so that a claim's first line comes first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ClaimLine {
    subject: u64,
    predicate: u32,
    object: u64,
    line: u64,
    offset: u64,
}

impl Record for ClaimLine {
    const SIZE: usize = 36;
    fn put(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.subject.to_le_bytes());
        out[8..12].copy_from_slice(&self.predicate.to_le_bytes());
        out[12..20].copy_from_slice(&self.object.to_le_bytes());
        out[20..28].copy_from_slice(&self.line.to_le_bytes());
        out[28..36].copy_from_slice(&self.offset.to_le_bytes());
    }
    fn get(b: &[u8]) -> ClaimLine {
        ClaimLine {
            subject: u64_at(b, 0),
            predicate: u32::from_le_bytes(b[8..12].try_into().unwrap_or_default()),
            object: u64_at(b, 12),
            line: u64_at(b, 20),
            offset: u64_at(b, 28),
        }
    }
}

/// A line that repeats an earlier line's claim: the claim's first line, and where the
/// repeat starts in the file (to read its source and quote back). Sorted by first line.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Repeat {
    first: u64,
    offset: u64,
}

impl Record for Repeat {
    const SIZE: usize = 16;
    fn put(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.first.to_le_bytes());
        out[8..16].copy_from_slice(&self.offset.to_le_bytes());
    }
    fn get(b: &[u8]) -> Repeat {
        Repeat { first: u64_at(b, 0), offset: u64_at(b, 8) }
    }
}

/// How many records the grouping sorts in memory before it writes a run.
#[derive(Clone, Copy)]
struct SortSizes {
    claims: usize,
    repeats: usize,
}

impl SortSizes {
    /// Claim lines: 40 bytes each in memory, about 21 MB; repeats: about 16 MB.
    const DEFAULT: SortSizes = SortSizes { claims: 1 << 19, repeats: 1 << 20 };
}

/// What the first pass over `statements.tsv` found: the lines that repeat an earlier
/// line's claim (same subject, predicate and object), and those repeats in the order
/// of their claims' first lines.
struct Grouped {
    /// The file's rows (claims).
    rows: u64,
    repeats: IdSet,
    evidence: Sorted<Repeat>,
}

/// Checks a row of `statements.tsv` as the load takes it, in the order a reader
/// would: its id (a number seen on no earlier row), its subject, object and source
/// (numbers, and with `ids`, the ids of an entity and a source the other files
/// define), its relation and its quote. Returns the subject's and object's ids in the
/// files.
fn check_row(line: usize, f: &[&str], seen: &mut IdSet, ids: Option<(&IdMap, &IdMap)>) -> Result<(u64, u64), Error> {
    let key = parse_id("statements.tsv", line, f[0])?;
    if !seen.insert(key) {
        return Err(bad("statements.tsv", line, format!("statement id {key} appears twice")));
    }
    let defined = |s: &str, map: Option<&IdMap>, what: &str| -> Result<u64, Error> {
        let id = parse_id("statements.tsv", line, s)?;
        match map {
            Some(map) if map.get(id).is_none() => Err(bad("statements.tsv", line, format!("no {what} {id}"))),
            _ => Ok(id),
        }
    };
    let s = defined(f[1], ids.map(|i| i.0), "entity")?;
    let o = defined(f[3], ids.map(|i| i.0), "entity")?;
    defined(f[4], ids.map(|i| i.1), "source")?;
    let invalid = |e: factgraph_store::StoreError| bad("statements.tsv", line, e.to_string());
    factgraph_store::check_relation_name(f[2]).map_err(invalid)?;
    factgraph_store::check_quote(f[5]).map_err(invalid)?;
    Ok((s, o))
}

/// Reads `statements.tsv` once, checking every row as the load would (`check_row`,
/// all but whether the other files define its ids: this pass runs beside the load of
/// those files), and groups the lines by claim. Memory does not grow with the file:
/// the lines are grouped by an external sort (runs in `scratch`), and a repeat's
/// evidence is read back from the file when its claim is added rather than kept.
/// Gives up early once `stop` is set (the load failed elsewhere).
fn group_claims(dir: &Path, scratch: &Path, sizes: SortSizes, stop: &AtomicBool) -> Result<Grouped, Error> {
    let mut statements = TsvFile::open(dir, "statements.tsv", 6)?;
    let sort_error = |e: std::io::Error| io_error(scratch, e);
    // Statement ids name nothing else, but one that appears twice is a broken file.
    let mut seen = IdSet::default();
    let mut predicates: HashMap<String, u32> = HashMap::default();
    let mut claims = Sorter::new(sizes.claims, scratch);
    let mut rows = 0u64;
    while let Some((line, f)) = statements.next_row()? {
        rows += 1;
        if line % 65_536 == 0 && stop.load(Ordering::Relaxed) {
            return Err(bad("statements.tsv", line, "the load stopped"));
        }
        // Claims are told apart by the files' ids: the same entity has the same id in
        // both, so the grouping is the same as by the store's.
        let (s, o) = check_row(line, &f, &mut seen, None)?;
        // The predicate's text is copied only the first time it is seen.
        let p = match predicates.get(f[2]) {
            Some(&p) => p,
            None => {
                let next = predicates.len() as u32;
                predicates.insert(f[2].to_owned(), next);
                next
            }
        };
        let claim = ClaimLine { subject: s, predicate: p, object: o, line: line as u64, offset: statements.start };
        claims.push(claim).map_err(sort_error)?;
    }
    drop(seen);
    let mut lines = IdSet::default();
    let mut repeats = Sorter::new(sizes.repeats, scratch);
    let mut first: Option<ClaimLine> = None;
    for claim in claims.finish().map_err(sort_error)? {
        let claim = claim.map_err(sort_error)?;
        match first {
            Some(f) if (f.subject, f.predicate, f.object) == (claim.subject, claim.predicate, claim.object) => {
                lines.insert(claim.line);
                repeats.push(Repeat { first: f.line, offset: claim.offset }).map_err(sort_error)?;
            }
            _ => first = Some(claim),
        }
    }
    Ok(Grouped { rows, repeats: lines, evidence: repeats.finish().map_err(sort_error)? })
}

/// The error to report for `statements.tsv` when the grouping refused a row:
/// the first row, in file order, that the load refuses when it also checks that the
/// other files define its ids (an earlier row may name an entity none defines), else
/// the grouping's own error.
fn first_refused(dir: &Path, ids: (&IdMap, &IdMap), found: Error) -> Error {
    let upto = match &found {
        Error::Load(LoadError::Format { file, line, .. }) if file == "statements.tsv" => *line,
        _ => return found,
    };
    let check = || -> Result<(), Error> {
        let mut statements = TsvFile::open(dir, "statements.tsv", 6)?;
        let mut seen = IdSet::default();
        while let Some((line, f)) = statements.next_row()? {
            check_row(line, &f, &mut seen, Some(ids))?;
            if line >= upto {
                break;
            }
        }
        Ok(())
    };
    check().err().unwrap_or(found)
}

/// The source and quote of the line starting at `offset` in `statements.tsv`: a repeat's
/// evidence, read back when its claim is added.
fn evidence_at(file: &mut BufReader<File>, path: &Path, at: (usize, u64), docs: &IdMap) -> Result<Evidence, Error> {
    use std::io::{Seek, SeekFrom};
    let (claim_line, offset) = at;
    let changed = || bad("statements.tsv", claim_line, "changed while it was being read");
    file.seek(SeekFrom::Start(offset)).map_err(|e| io_error(path, e))?;
    let mut buf = Vec::new();
    file.read_until(b'\n', &mut buf).map_err(|e| io_error(path, e))?;
    let line = std::str::from_utf8(&buf).map_err(|_| changed())?;
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() != 6 {
        return Err(changed());
    }
    let doc = f[4].parse().ok().and_then(|k| docs.get(k)).ok_or_else(changed)?;
    Ok(Evidence::new(doc, f[5]))
}

/// Entities by the files' ids: a vector for the dense small ids files have (8 bytes an
/// id), a hash map for the rest.
#[derive(Default)]
struct IdMap {
    dense: Vec<u64>,
    others: HashMap<u64, EntityId>,
    len: usize,
}

impl IdMap {
    const ABSENT: u64 = u64::MAX;

    fn get(&self, id: u64) -> Option<EntityId> {
        match self.dense.get(usize::try_from(id).ok()?) {
            Some(&e) if e != IdMap::ABSENT => Some(EntityId(e)),
            _ => self.others.get(&id).copied(),
        }
    }

    /// Adds `id`; false if it was there.
    fn insert(&mut self, id: u64, entity: EntityId) -> bool {
        if self.get(id).is_some() {
            return false;
        }
        self.len += 1;
        // The vector grows only while the ids are dense: a few ids far apart go to the map.
        match usize::try_from(id) {
            Ok(i) if entity.0 != IdMap::ABSENT && i < 4 * self.len + 4096 => {
                if self.dense.len() <= i {
                    self.dense.resize((i + 1).next_power_of_two(), IdMap::ABSENT);
                }
                self.dense[i] = entity.0;
            }
            _ => {
                self.others.insert(id, entity);
            }
        }
        true
    }
}

/// A set of ids: a bitmap for the dense small ids files have (a million ids take
/// 125 KB), a hash set for the rest.
#[derive(Default)]
struct IdSet {
    bits: Vec<u64>,
    others: HashSet<u64>,
}

impl IdSet {
    /// Ids below this go in the bitmap (at most 16 MiB of it).
    const DENSE: u64 = 1 << 27;

    /// Adds `id`; false if it was there.
    fn contains(&self, id: usize) -> bool {
        let id = id as u64;
        if id >= IdSet::DENSE {
            return self.others.contains(&id);
        }
        self.bits.get((id / 64) as usize).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    fn insert(&mut self, id: u64) -> bool {
        if id >= IdSet::DENSE {
            return self.others.insert(id);
        }
        let (word, bit) = ((id / 64) as usize, id % 64);
        if self.bits.len() <= word {
            self.bits.resize((word + 1).next_power_of_two(), 0);
        }
        let fresh = self.bits[word] & (1 << bit) == 0;
        self.bits[word] |= 1 << bit;
        fresh
    }
}

/// A thread the load could not start (the system is out of them).
fn no_thread(source: std::io::Error) -> Error {
    Error::Io { context: "starting a thread for the load".into(), source }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Load(LoadError::Io { path: path.display().to_string(), message: e.to_string() })
}

/// Where `bytes` stop being UTF-8: the 1-based line and column (in characters) and the
/// byte offset of the first invalid byte.
pub(crate) fn utf8_position(bytes: &[u8]) -> Result<(), (usize, usize, usize)> {
    let Err(e) = std::str::from_utf8(bytes) else { return Ok(()) };
    let valid = e.valid_up_to();
    let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
    let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
    let line = prefix.matches('\n').count() + 1;
    Err((line, prefix[line_start..].chars().count() + 1, valid))
}

fn bad(file: &str, line: usize, message: impl Into<String>) -> Error {
    Error::Load(LoadError::Format { file: file.to_owned(), line, message: message.into() })
}

fn parse_id(file: &str, line: usize, s: &str) -> Result<u64, Error> {
    s.parse().map_err(|_| bad(file, line, format!("{s:?} is not an id")))
}

/// Loads the four files of `dir` into `store` as one transaction: all or nothing.
pub fn load_tsv_dir(store: &Store, dir: &Path, progress: Progress<'_>) -> Result<TsvSummary, Error> {
    load_sized(store, dir, progress, SortSizes::DEFAULT)
}

fn load_sized(store: &Store, dir: &Path, progress: Progress<'_>, sizes: SortSizes) -> Result<TsvSummary, Error> {
    let mut entities = TsvFile::open(dir, "entities.tsv", 3)?;
    let mut aliases = TsvFile::open(dir, "aliases.tsv", 2)?;
    let mut sources = TsvFile::open(dir, "sources.tsv", 4)?;
    let statements = TsvFile::open(dir, "statements.tsv", 6)?;
    let scratch = store.path().map_or_else(std::env::temp_dir, Path::to_path_buf);
    // Set when the load fails, so that the grouping beside it stops early.
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Two passes over the statements. The first checks every row and finds the
        // lines that repeat an earlier line's claim; it needs nothing from the other
        // files but which ids they define, checked after it, so it runs beside their
        // load, on the other core. The second adds each claim once, with all its
        // evidence (a repeat's read back from the file): a claim's later evidence then
        // never has to be merged into a statement already written ahead of the commit
        // (a read and a rewrite of its block).
        let grouping = std::thread::Builder::new()
            .spawn_scoped(scope, || group_claims(dir, &scratch, sizes, &stop))
            .map_err(no_thread)?;
        let loaded = (|| {
            let mut summary = TsvSummary::default();
            let mut tx = store.transaction()?;
            let ids = load_entities(&mut tx, [&mut entities, &mut aliases, &mut sources], &mut summary)?;
            // The entities, aliases and documents are all there: written ahead now,
            // their memory is gone before the statements' records take theirs.
            tx.spill_now()?;
            let grouped = match grouping.join() {
                Ok(Ok(grouped)) => grouped,
                Ok(Err(e)) => return Err(first_refused(dir, (&ids.0, &ids.1), e)),
                Err(_) => return Err(bad("statements.tsv", 0, "the grouping of the statements failed")),
            };
            // The progress bar's total, counted by the grouping (a count of its own
            // read the whole file again, 3 GB at 30,000,000 statements).
            let total = grouped.rows;
            tx.reserve(total as usize);
            progress("statements", 0, total);
            let files = (dir, scratch.as_path());
            add_claims(&mut tx, statements, grouped, files, (&ids.0, &ids.1), &mut summary, progress, total)?;
            progress("writing", total, total);
            tx.commit()?;
            // What the next process's first walk reads is derived by the caller
            // (`Graph::prepare`, after every load).
            progress("indexing", total, total);
            Ok(summary)
        })();
        if loaded.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        loaded
    })
}

/// Loads the entities, their aliases and the sources (as documents): the ids each
/// file gives its entities and its sources, mapped to the store's.
fn load_entities(
    tx: &mut Transaction<'_>,
    [entities, aliases, sources]: [&mut TsvFile; 3],
    summary: &mut TsvSummary,
) -> Result<(IdMap, IdMap), Error> {
    let mut ents = IdMap::default();
    while let Some((line, f)) = entities.next_row()? {
        let key = parse_id("entities.tsv", line, f[0])?;
        if ents.get(key).is_some() {
            return Err(bad("entities.tsv", line, format!("entity id {key} appears twice")));
        }
        let id = tx.create_entity(f[1], f[2]).map_err(|e| bad("entities.tsv", line, e.to_string()))?;
        ents.insert(key, id);
        summary.entities += 1;
    }
    while let Some((line, f)) = aliases.next_row()? {
        let id = parse_id("aliases.tsv", line, f[0])?;
        let e = ents.get(id).ok_or_else(|| bad("aliases.tsv", line, format!("no entity {id}")))?;
        tx.add_alias(e, f[1], None).map_err(|e| bad("aliases.tsv", line, e.to_string()))?;
        summary.aliases += 1;
    }
    let mut docs = IdMap::default();
    while let Some((line, f)) = sources.next_row()? {
        let key = parse_id("sources.tsv", line, f[0])?;
        if docs.get(key).is_some() {
            return Err(bad("sources.tsv", line, format!("source id {key} appears twice")));
        }
        let mut props = Properties::new();
        props.insert("url".into(), Value::Str(f[1].to_owned()));
        if !f[2].is_empty() {
            let d = Date::parse(f[2])
                .ok_or_else(|| bad("sources.tsv", line, format!("{:?} is not a date (YYYY-MM-DD, or empty)", f[2])))?;
            props.insert("published".into(), Value::Date(d));
        }
        props.insert("title".into(), Value::Str(f[3].to_owned()));
        let id = tx.create_document(f[1], props, None).map_err(|e| bad("sources.tsv", line, e.to_string()))?;
        docs.insert(key, id);
        summary.documents += 1;
    }
    Ok((ents, docs))
}

/// Claims the second pass hands over at a time, with the rows read for them.
const CLAIMS_PER_BATCH: usize = 1024;

/// Claims read by the second pass, ready to add, and how many rows were read for them
/// (repeats included).
#[derive(Default)]
struct Claims {
    rows: u64,
    claims: Vec<(usize, NewStatement)>,
}

/// The second pass: each claim added once, with its repeats' evidence. The rows are
/// read, their ids mapped and the repeats' evidence read back on the other core
/// (`read_claims`), in batches, while this thread adds them.
#[allow(clippy::too_many_arguments)]
fn add_claims(
    tx: &mut Transaction<'_>,
    statements: TsvFile,
    grouped: Grouped,
    (dir, scratch): (&Path, &Path),
    ids: (&IdMap, &IdMap),
    summary: &mut TsvSummary,
    progress: Progress<'_>,
    total: u64,
) -> Result<(), Error> {
    std::thread::scope(|scope| {
        // A few batches ahead at most: the reader waits while the adds catch up.
        let (send, receive) = std::sync::mpsc::sync_channel(4);
        let reading = std::thread::Builder::new()
            .spawn_scoped(scope, move || read_claims(statements, grouped, (dir, scratch), ids, &send))
            .map_err(no_thread)?;
        for batch in receive.iter() {
            let batch: Claims = batch?;
            for (line, new) in batch.claims {
                // Grouped by claim, and the subjects are all new: nothing of this
                // batch has the same content.
                let added = tx.add_distinct_statement(new).map_err(|e| bad("statements.tsv", line, e.to_string()))?;
                if matches!(added, factgraph_store::Added::Created(_)) {
                    summary.statements += 1;
                }
            }
            let before = summary.claims;
            summary.claims += batch.rows;
            if before / 65_536 != summary.claims / 65_536 {
                progress("statements", summary.claims, total);
            }
        }
        drop(receive);
        reading.join().map_err(|_| bad("statements.tsv", 0, "the reading of the statements failed"))
    })
}

/// Reads the claims of `statements.tsv` for `add_claims`, in file order, and sends
/// them in batches: each claim's first row with its ids mapped to the store's, and
/// the evidence of the rows repeating it. An error is sent in place of a batch, and
/// ends the reading; so does a receiver that has gone (the load failed).
fn read_claims(
    mut statements: TsvFile,
    grouped: Grouped,
    (dir, scratch): (&Path, &Path),
    (ents, docs): (&IdMap, &IdMap),
    send: &std::sync::mpsc::SyncSender<Result<Claims, Error>>,
) {
    let read = || -> Result<(), Error> {
        let mut more = grouped.evidence.peekable();
        let path = dir.join("statements.tsv");
        let mut again = BufReader::with_capacity(1 << 12, File::open(&path).map_err(|e| io_error(&path, e))?);
        let mut batch = Claims::default();
        while let Some((line, f)) = statements.next_row()? {
            batch.rows += 1;
            if !grouped.repeats.contains(line) {
                let changed = || bad("statements.tsv", line, "changed while it was being read");
                // The first pass checked that each is a number; whether the other
                // files define it is checked here.
                let defined = |map: &IdMap, s: &str, what: &str| -> Result<EntityId, Error> {
                    let id: u64 = s.parse().map_err(|_| changed())?;
                    map.get(id).ok_or_else(|| bad("statements.tsv", line, format!("no {what} {id}")))
                };
                let (s, o) = (defined(ents, f[1], "entity")?, defined(ents, f[3], "entity")?);
                let doc = defined(docs, f[4], "source")?;
                let mut new = NewStatement::new(s, f[2], o, Evidence::new(doc, f[5]));
                while let Some(r) = more.next_if(|r| r.as_ref().map_or(true, |r| r.first <= line as u64)) {
                    let r = r.map_err(|e| io_error(scratch, e))?;
                    if r.first != line as u64 {
                        return Err(changed());
                    }
                    new.evidence.push(evidence_at(&mut again, &path, (line, r.offset), docs)?);
                }
                batch.claims.push((line, new));
            }
            if batch.claims.len() == CLAIMS_PER_BATCH && send.send(Ok(std::mem::take(&mut batch))).is_err() {
                return Ok(());
            }
        }
        let _ = send.send(Ok(batch));
        Ok(())
    };
    if let Err(e) = read() {
        let _ = send.send(Err(e));
    }
}

#[cfg(test)]
mod tests {
    use super::{load_tsv_dir, utf8_position};
    use factgraph_store::{Counts, Store};
    use proptest::prelude::*;
    use proptest::sample::Index;

    const FILES: [&str; 4] = ["entities.tsv", "aliases.tsv", "sources.tsv", "statements.tsv"];

    /// A valid directory's four files, in the generator's format.
    fn valid() -> [String; 4] {
        [
            "id\tname\ttype\n0\tAlpha One\tPerson\n1\tBeta Two\tPlace\n2\tGamma\tTopic\n".into(),
            "entity_id\talias\n0\tAlfa\n2\tG\n".into(),
            "id\turl\tdate\ttitle\n0\thttps://news.example/a/0\t2024-01-01\tA title\n1\thttps://news.example/b\t\tB\n".into(),
            "id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n0\t0\tvisited\t1\t0\tthe minister said\n1\t0\tvisited\t1\t1\tsaid again\n2\t2\tlocated_in\t1\t0\tcourt ruled\n".into(),
        ]
    }

    /// Pieces that make rows wrong in the ways that matter: field and line breaks,
    /// ids that repeat, are negative or missing, dates that do not exist, bad UTF-8.
    const PIECES: [&[u8]; 12] =
        [b"\t", b"\n", b"\r\n", b"0", b"99", b"-1", b"2024-02-30", b"2024-13-01", b"\xff", b"\xc3", b"", b"\t\t"];

    #[derive(Clone, Debug)]
    enum Mutation {
        Insert(Index, usize, Index),
        Delete(Index, Index, u8),
        DropLine(Index, Index),
        RepeatLine(Index, Index),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (any::<Index>(), 0..PIECES.len(), any::<Index>()).prop_map(|(f, p, at)| Mutation::Insert(f, p, at)),
            (any::<Index>(), any::<Index>(), 1..6u8).prop_map(|(f, at, n)| Mutation::Delete(f, at, n)),
            (any::<Index>(), any::<Index>()).prop_map(|(f, l)| Mutation::DropLine(f, l)),
            (any::<Index>(), any::<Index>()).prop_map(|(f, l)| Mutation::RepeatLine(f, l)),
        ]
    }

    fn apply(files: &mut [Vec<u8>; 4], m: &Mutation) {
        let (Mutation::Insert(f, ..) | Mutation::Delete(f, ..) | Mutation::DropLine(f, _) | Mutation::RepeatLine(f, _)) =
            m;
        let bytes = &mut files[f.index(files.len())];
        match m {
            Mutation::Insert(_, p, at) => {
                let at = at.index(bytes.len() + 1);
                bytes.splice(at..at, PIECES[*p].iter().copied());
            }
            Mutation::Delete(_, at, n) => {
                let at = at.index(bytes.len() + 1);
                let end = (at + *n as usize).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::DropLine(_, l) | Mutation::RepeatLine(_, l) => {
                let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                if lines.is_empty() {
                    return;
                }
                let at = l.index(lines.len());
                if matches!(m, Mutation::DropLine(..)) {
                    lines.remove(at);
                } else {
                    lines.insert(at, lines[at].clone());
                }
                *bytes = lines.concat();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Damaged TSV files load whole or not at all, never with a panic: an error
        /// names its file and line and leaves the store empty; a load leaves a store
        /// whose indexes agree with its records.
        #[test]
        fn damaged_tsv_files_load_all_or_nothing_and_never_panic(
            mutations in prop::collection::vec(mutation(), 1..4)
        ) {
            let mut files = valid().map(String::into_bytes);
            for m in &mutations {
                apply(&mut files, m);
            }
            let dir = tempfile::tempdir().unwrap();
            for (name, bytes) in FILES.iter().zip(&files) {
                std::fs::write(dir.path().join(name), bytes).unwrap();
            }
            let store = Store::in_memory().unwrap();
            match load_tsv_dir(&store, dir.path(), &mut |_, _, _| {}) {
                Ok(_) => {
                    let report = store.check().unwrap();
                    prop_assert!(report.is_ok(), "{:?}", report.problems);
                }
                Err(e) => {
                    prop_assert_eq!(store.counts().unwrap(), Counts::default(), "{}", e);
                    let text = e.to_string();
                    prop_assert!(FILES.iter().any(|f| text.starts_with(f)), "{}", text);
                }
            }
        }
    }

    /// Every statement of a store as text: subject, relation, object, and its evidence
    /// (document name and quote) in order.
    fn statements_as_text(store: &Store) -> Vec<String> {
        let name = |id| store.entity(id).unwrap().unwrap().name;
        store
            .statements()
            .map(|st| {
                let st = st.unwrap();
                let object = match st.object {
                    factgraph_store::Object::Node(factgraph_store::Node::Entity(e)) => name(e),
                    other => format!("{other:?}"),
                };
                let subject = match st.subject {
                    factgraph_store::Node::Entity(e) => name(e),
                    other => format!("{other:?}"),
                };
                let evidence: Vec<String> =
                    st.evidence.iter().map(|e| format!("{}: {}", name(e.document), e.quote)).collect();
                format!("{subject} {} {object} [{}]", st.relation, evidence.join("; "))
            })
            .collect()
    }

    /// Writes the four files to `dir`: these entity, source and statement rows after
    /// their headers, and no aliases.
    fn write_files(dir: &std::path::Path, entities: &str, sources: &str, statements: &str) {
        for (name, body) in FILES.iter().zip([
            format!("id\tname\ttype\n{entities}"),
            "entity_id\talias\n".to_string(),
            format!("id\turl\tdate\ttitle\n{sources}"),
            format!("id\tsubject_id\tpredicate\tobject_id\tsource_id\tquote\n{statements}"),
        ]) {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }

    /// Claims grouped through sorted runs on disk (a few records in memory at a time)
    /// load exactly as when they are grouped in memory: the same statements in the same
    /// order, each with every line's evidence in file order.
    #[test]
    fn claims_grouped_through_runs_on_disk_load_as_grouped_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let entities: String = (0..6).map(|i| format!("{i}\tEntity {i}\tPerson\n")).collect();
        let sources: String = (0..4).map(|i| format!("{i}\thttps://news.example/{i}\t\tT{i}\n")).collect();
        // 240 lines over 6 x 3 x 6 possible claims: most claims repeat, in no order.
        let statements: String = (0..240u64)
            .map(|i| {
                let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                format!("{i}\t{}\tp{}\t{}\t{}\tquote {i}\n", h % 6, (h / 6) % 3, (h / 18) % 6, (h / 108) % 4)
            })
            .collect();
        write_files(dir.path(), &entities, &sources, &statements);
        let load = |sizes| {
            let store = Store::in_memory().unwrap();
            let summary = super::load_sized(&store, dir.path(), &mut |_, _, _| {}, sizes).unwrap();
            (summary, statements_as_text(&store), store.counts().unwrap())
        };
        let in_memory = load(super::SortSizes::DEFAULT);
        let through_runs = load(super::SortSizes { claims: 7, repeats: 3 });
        assert_eq!(in_memory, through_runs);
        let (summary, text, counts) = in_memory;
        assert_eq!((summary.claims, counts.evidence), (240, 240), "every line is evidence once");
        assert!(summary.statements < 120 && summary.statements as usize == text.len(), "{summary:?}");
        // Each statement's evidence is in file order: quote numbers increase.
        for line in &text {
            let numbers: Vec<u64> = line
                .split("quote ")
                .skip(1)
                .map(|q| q.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap())
                .collect();
            assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{line}");
        }
    }

    /// The error a load reports for these files (`write_files`), and that it loaded
    /// nothing.
    fn refused(entities: &str, sources: &str, statements: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path(), entities, sources, statements);
        let store = Store::in_memory().unwrap();
        let e = load_tsv_dir(&store, dir.path(), &mut |_, _, _| {}).unwrap_err();
        assert_eq!(store.counts().unwrap(), Counts::default(), "{e}");
        e.to_string()
    }

    const TWO_ENTITIES: &str = "0\tAlpha\tPerson\n1\tBeta\tPlace\n";
    const ONE_SOURCE: &str = "0\thttps://news.example/0\t\tT\n";

    /// The statements are checked in two passes (their grouping beside the other files'
    /// load, whether those files define their ids after it), but the error reported is
    /// the first row refused in file order, whichever pass finds it.
    #[test]
    fn the_first_refused_statement_row_is_reported_whichever_pass_finds_it() {
        // A row naming no entity, then a row whose id repeats: the first is reported.
        let text = refused(TWO_ENTITIES, ONE_SOURCE, "0\t0\tvisited\t9\t0\tq\n0\t0\tvisited\t1\t0\tq\n");
        assert_eq!(text, "statements.tsv:2: no entity 9");
        // The other way round: the repeated id comes first.
        let text = refused(
            TWO_ENTITIES,
            ONE_SOURCE,
            "0\t0\tvisited\t1\t0\tq\n0\t0\tvisited\t1\t0\tq\n1\t0\tvisited\t9\t0\tq\n",
        );
        assert_eq!(text, "statements.tsv:3: statement id 0 appears twice");
        // On one row, a missing subject is named before a missing source.
        let text = refused(TWO_ENTITIES, ONE_SOURCE, "0\t0\tvisited\t1\t0\tq\n1\t7\tvisited\t1\t5\tq\n");
        assert_eq!(text, "statements.tsv:3: no entity 7");
        // Rows all well formed, one naming a source no file defines.
        let text = refused(TWO_ENTITIES, ONE_SOURCE, "0\t0\tvisited\t1\t0\tq\n1\t1\tvisited\t0\t5\tq\n");
        assert_eq!(text, "statements.tsv:3: no source 5");
    }

    /// The progress bar's total is the statements file's rows (its header and empty
    /// lines not counted), from the first report of the statements on.
    #[test]
    fn progress_counts_the_statement_rows_from_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = valid();
        files[3].push_str("\n3\t1\tvisited\t2\t1\tlater\n");
        for (name, body) in FILES.iter().zip(&files) {
            std::fs::write(dir.path().join(name), body).unwrap();
        }
        let store = Store::in_memory().unwrap();
        let mut seen = Vec::new();
        let summary =
            load_tsv_dir(&store, dir.path(), &mut |phase, done, total| seen.push((phase.to_owned(), done, total)))
                .unwrap();
        assert_eq!(summary.claims, 4);
        let expected: Vec<(String, u64, u64)> =
            [("statements", 0), ("writing", 4), ("indexing", 4)].map(|(p, d)| (p.to_owned(), d, 4)).into();
        assert_eq!(seen, expected);
    }

    /// The other files are loaded first: their errors are reported before any of the
    /// statements', though the statements are read beside them.
    #[test]
    fn an_entity_file_error_is_reported_before_a_statement_file_error() {
        let text = refused("0\tAlpha\tPerson\n0\tAgain\tPerson\n", ONE_SOURCE, "x\t0\tvisited\t1\t0\tq\n");
        assert_eq!(text, "entities.tsv:3: entity id 0 appears twice");
    }

    #[test]
    fn an_id_map_finds_dense_and_scattered_ids() {
        let mut map = super::IdMap::default();
        for (i, id) in [0, 1, 5, 1 << 40, u64::MAX, 70, 3].into_iter().enumerate() {
            assert!(map.insert(id, factgraph_store::EntityId(i as u64)), "{id} is new");
            assert!(!map.insert(id, factgraph_store::EntityId(99)), "{id} was there");
        }
        assert_eq!(map.get(1 << 40), Some(factgraph_store::EntityId(3)));
        assert_eq!(map.get(70), Some(factgraph_store::EntityId(5)));
        assert_eq!((map.get(2), map.get(71), map.get(1 << 41)), (None, None, None));
        assert!(map.dense.len() < 200, "scattered ids stay out of the vector");
    }

    #[test]
    fn an_id_set_says_which_ids_it_has_seen_dense_or_not() {
        let mut set = super::IdSet::default();
        for id in [0, 1, 63, 64, 1_000_000, super::IdSet::DENSE, u64::MAX] {
            assert!(set.insert(id), "{id} is new");
            assert!(!set.insert(id), "{id} was seen");
        }
        assert!(set.insert(2));
    }

    #[test]
    fn invalid_utf8_is_placed_by_line_column_and_offset() {
        assert_eq!(utf8_position(b"id\tname\n\xc3\xa9t\xe9\n"), Err((2, 3, 11)));
        assert_eq!(utf8_position(b"\xff"), Err((1, 1, 0)));
        assert_eq!(utf8_position("fine, caf\u{e9}\n".as_bytes()), Ok(()));
    }
}
