//! The whole graph's adjacency in compressed sparse rows: the one graph engine. The
//! language's `path` and `neighbours`, the library's shortest paths, components,
//! degrees and PageRank all run on it, and it implements petgraph's visit traits, so
//! any petgraph algorithm runs on it too, without a copy. Built once from the
//! adjacency index and cached until the next commit.
//!
//! Nodes are entities and statements (a statement becomes a node when another
//! statement is about it, when it is the object of one, or when it names
//! participants). Each statement whose
//! object is a node is an edge subject → object carrying the statement's id;
//! statements with literal objects are not edges. A statement that is a node is also
//! joined to its own subject and object (subject → statement → object, both carrying
//! its id), so walks pass through what was said about a claim:
//! Trump ← (Alqasimehr accused Trump) → reported-by → IRNA. A statement naming
//! participants is also joined to each of them (statement → participant, carrying its
//! id), so a walk goes through a request to the one it is for:
//! Trump ← (Iran requested-help-from Interpol {for: Trump}) → Interpol.
//!
//! A node's out- and in-edges lie side by side in one row, so a walk can follow
//! direction or ignore it at the cost of one read; each part is in neighbour order
//! (parallel statements by id), so ties always resolve the same way.
//!
//! Complexities, with V nodes and E edges:
//!
//! | operation | time | space |
//! |---|---|---|
//! | `Adjacency::build` (whole store) | O(V + E) reads of the adjacency index, O(E log d) sorting | about 24 bytes per edge |
//! | `shortest_path` (breadth-first from both ends) | O(V + E) worst case, usually far less | O(visited) |
//! | `within` (breadth-first to depth k) | O(V + E) worst case | O(V) |
//! | `components` (union-find, weak) | O(E α(V)) | O(V) |
//! | `degrees` | O(V) | O(V) |
//! | `page_rank` (n iterations) | O(n (V + E)) | O(V) |

use std::collections::HashMap;
use std::sync::Arc;

use fixedbitset::FixedBitSet;
use petgraph::unionfind::UnionFind;
use petgraph::visit;

use crate::error::{Result, StoreError};
use crate::model::{EntityId, Node, StatementId};
use crate::packed_ints::Packed;
use crate::store::Store;

/// How direction counts when walking the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// Follow statements from subject to object only.
    Directed,
    /// Follow statements either way.
    Undirected,
}

/// A path: the nodes in order and the statements joining them (one fewer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Nodes from start to end.
    pub nodes: Vec<Node>,
    /// The statement taken between consecutive nodes.
    pub statements: Vec<StatementId>,
}

/// Every node's edges in one row: for node `i`, `offsets[i]..split[i]` are its
/// out-edges and `split[i]..offsets[i+1]` its in-edges, each part in neighbour order,
/// with the statements in the adjacency's `via` at the same positions. One contiguous row per node
/// keeps an undirected walk to one read per node (two arrays, one per direction,
/// measured 3x slower for k-hop at 1,000,000 statements).
///
/// Targets and statements are packed at the bits the largest needs: at 1,000,000
/// statements 17 and 20 bits instead of 32 each, so a new process reads 9 MB of
/// file instead of 15, and a walk reads that much less memory.
#[derive(Debug, Default)]
struct Rows {
    offsets: Vec<u32>,
    split: Vec<u32>,
    targets: Packed,
}

impl Rows {
    /// Rows from `(from, to, statement)` triples (see `Placing`).
    #[cfg(test)]
    fn build(n: usize, edges: &[(u32, u32, u64)]) -> (Rows, Packed) {
        let mut degrees = vec![[0u32; 2]; n];
        for &(from, to, _) in edges {
            degrees[from as usize][0] += 1;
            degrees[to as usize][1] += 1;
        }
        let top = edges.iter().map(|&(_, _, sid)| sid).max().unwrap_or(0);
        let mut placing = Placing::new(degrees.into_iter(), top).expect("a test's edges fit");
        for &(from, to, sid) in edges {
            assert!(placing.add(from, to, sid), "counted above");
        }
        placing.finish()
    }

    fn out(&self, i: u32) -> std::ops::Range<usize> {
        self.offsets[i as usize] as usize..self.split[i as usize] as usize
    }

    fn inc(&self, i: u32) -> std::ops::Range<usize> {
        self.split[i as usize] as usize..self.offsets[i as usize + 1] as usize
    }

    /// The edges a walk takes from `i`: forwards along out-edges, backwards along
    /// in-edges, and undirected along both (out-edges first).
    fn walk(&self, i: u32, walk: Walk, forwards: bool) -> std::ops::Range<usize> {
        match (walk, forwards) {
            (Walk::Undirected, _) => self.offsets[i as usize] as usize..self.offsets[i as usize + 1] as usize,
            (Walk::Directed, true) => self.out(i),
            (Walk::Directed, false) => self.inc(i),
        }
    }

    /// The neighbours at `r`.
    #[inline]
    fn targets(&self, r: std::ops::Range<usize>) -> Targets<'_> {
        Targets(self.targets.iter(r))
    }
}

/// Rows being filled: every node's row laid out from its degrees first, then each
/// edge placed straight at its two ends (its source's out-part and its target's
/// in-part), and each part sorted at the end through a scratch buffer the size of one
/// part. Nothing holds a list of the edges: at 10,000,000 statements one (16 bytes an
/// edge) and a map from node to dense id took 450 MB on top of the rows.
struct Placing {
    rows: Rows,
    via: Packed,
    /// Where each node's next out- and in-edge goes.
    fill: Vec<[u32; 2]>,
}

impl Placing {
    /// Room for the edges of nodes with these `(out, in)` degrees, in dense-id order,
    /// with statement ids up to `top`; `None` past what `u32` offsets can address.
    fn new(degrees: impl ExactSizeIterator<Item = [u32; 2]>, top: u64) -> Option<Placing> {
        let n = degrees.len();
        let (offsets, split) = row_bounds(degrees)?;
        let fill = (0..n).map(|i| [offsets[i], split[i]]).collect();
        let total = offsets[n] as usize;
        let targets = Packed::zeros(total, Packed::width_for(n.saturating_sub(1) as u64));
        let via = Packed::zeros(total, Packed::width_for(top));
        Some(Placing { rows: Rows { offsets, split, targets }, via, fill })
    }

    /// Places the edge `from → to` carried by statement `sid` at both its ends;
    /// `false`, placing nothing, when an end has no room left for it (more edges than
    /// its degrees said: the index changed since they were counted).
    fn add(&mut self, from: u32, to: u32, sid: u64) -> bool {
        let r = &self.rows;
        let room = |node: u32, part: usize| {
            let end = match part {
                0 => r.split.get(node as usize),
                _ => r.offsets.get(node as usize + 1),
            };
            self.fill.get(node as usize).zip(end).is_some_and(|(f, &end)| f[part] < end)
        };
        if !(room(from, 0) && room(to, 1)) {
            return false;
        }
        for (node, part, other) in [(from, 0, to), (to, 1, from)] {
            let at = &mut self.fill[node as usize][part];
            self.rows.targets.set(*at as usize, u64::from(other));
            self.via.set(*at as usize, sid);
            *at += 1;
        }
        true
    }

    /// Whether every row is as full as its degrees said.
    fn full(&self) -> bool {
        let r = &self.rows;
        self.fill.iter().enumerate().all(|(i, f)| f[0] == r.split[i] && f[1] == r.offsets[i + 1])
    }

    /// The rows, each part in neighbour order (parallel statements in statement
    /// order): a walk then reads the visited set and the node table in address
    /// order, which measured 2-3x faster for k-hop at 1,000,000 statements than
    /// statement order.
    fn finish(self) -> (Rows, Packed) {
        let Placing { rows, mut via, fill } = self;
        drop(fill);
        let Rows { offsets, split, mut targets } = rows;
        let parts = (0..split.len())
            .flat_map(|i| [offsets[i] as usize..split[i] as usize, split[i] as usize..offsets[i + 1] as usize]);
        sort_parts(&mut targets, &mut via, parts);
        (Rows { offsets, split, targets }, via)
    }
}

/// Each row's bounds from the nodes' `(out, in)` degrees in dense-id order: where each
/// row starts (and, last, where the rows end), and where its in-edges start; `None`
/// past what `u32` offsets can address.
fn row_bounds(degrees: impl ExactSizeIterator<Item = [u32; 2]>) -> Option<(Vec<u32>, Vec<u32>)> {
    let n = degrees.len();
    let mut offsets = Vec::with_capacity(n + 1);
    let mut split = Vec::with_capacity(n);
    let mut at = 0u32;
    offsets.push(0);
    for [out, inc] in degrees {
        let mid = at.checked_add(out)?;
        split.push(mid);
        at = mid.checked_add(inc)?;
        offsets.push(at);
    }
    Some((offsets, split))
}

fn too_many_ends() -> StoreError {
    StoreError::Engine("the graph has more edges than an adjacency can address (2^32 ends)".into())
}

/// Sorts each of `parts` (ranges of positions in `targets` and `via`) by neighbour,
/// then statement, through one scratch buffer the size of the largest part: a walk
/// then reads the visited set and the node table in address order, which measured
/// 2-3x faster for k-hop at 1,000,000 statements than statement order.
fn sort_parts(targets: &mut Packed, via: &mut Packed, parts: impl Iterator<Item = std::ops::Range<usize>>) {
    let mut part: Vec<(u32, u64)> = Vec::new();
    for r in parts {
        if r.len() < 2 {
            continue;
        }
        part.clear();
        part.extend(r.clone().map(|at| (targets.get(at) as u32, via.get(at))));
        part.sort_unstable();
        for (at, &(to, sid)) in r.zip(&part) {
            targets.set(at, u64::from(to));
            via.set(at, sid);
        }
    }
}

/// The rows of the nodes `nodes` being filled, for a build written part by part
/// (`Adjacency::write_built`): as `Placing` fills all rows, with the part's positions
/// counted from its first row's start; the ends of other nodes are left to their
/// parts.
struct Part<'r> {
    offsets: &'r [u32],
    split: &'r [u32],
    nodes: std::ops::Range<usize>,
    /// Where the part's first row starts.
    base: u32,
    targets: Packed,
    via: Packed,
    /// Where each of the part's nodes' next out- and in-edge goes.
    fill: Vec<[u32; 2]>,
}

impl<'r> Part<'r> {
    fn new(
        offsets: &'r [u32],
        split: &'r [u32],
        nodes: std::ops::Range<usize>,
        node_width: u32,
        via_width: u32,
    ) -> Part<'r> {
        let base = offsets[nodes.start];
        let len = (offsets[nodes.end] - base) as usize;
        let fill = nodes.clone().map(|i| [offsets[i], split[i]]).collect();
        let (targets, via) = (Packed::zeros(len, node_width), Packed::zeros(len, via_width));
        Part { offsets, split, nodes, base, targets, via, fill }
    }

    /// Places the ends of the edge `from → to` carried by `sid` that are the part's;
    /// `false`, placing nothing, when one of them has no room left (more edges than
    /// the degrees said: the index changed since they were counted).
    fn add(&mut self, from: u32, to: u32, sid: u64) -> bool {
        let ends = [(from as usize, 0usize, to), (to as usize, 1, from)];
        let nodes = self.nodes.clone();
        for &(node, part, _) in &ends {
            if nodes.contains(&node) {
                let end = if part == 0 { self.split[node] } else { self.offsets[node + 1] };
                if self.fill[node - nodes.start][part] >= end {
                    return false;
                }
            }
        }
        for (node, part, other) in ends {
            if nodes.contains(&node) {
                let at = &mut self.fill[node - nodes.start][part];
                let i = (*at - self.base) as usize;
                self.targets.set(i, u64::from(other));
                self.via.set(i, sid);
                *at += 1;
            }
        }
        true
    }

    /// Whether every row of the part is as full as its degrees said.
    fn full(&self) -> bool {
        self.nodes.clone().zip(&self.fill).all(|(i, f)| f[0] == self.split[i] && f[1] == self.offsets[i + 1])
    }

    /// The part's targets and statements, each row's parts sorted (see `sort_parts`).
    fn finish(self) -> (Packed, Packed) {
        let Part { offsets, split, nodes, base, mut targets, mut via, fill } = self;
        drop(fill);
        let base = base as usize;
        let parts = nodes.flat_map(|i| {
            [
                offsets[i] as usize - base..split[i] as usize - base,
                split[i] as usize - base..offsets[i + 1] as usize - base,
            ]
        });
        sort_parts(&mut targets, &mut via, parts);
        (targets, via)
    }
}

/// A packed array written as it goes: integers of one width appended in order, making
/// the words a `Packed` of them has (the one extra word included, by `finish`), each
/// word put in `done` once full.
struct PackedWriter {
    width: u32,
    /// The bits of the word being filled, and how many.
    acc: u64,
    bits: u32,
    /// Words made so far.
    words: usize,
    done: Vec<u64>,
}

impl PackedWriter {
    fn new(width: u32) -> PackedWriter {
        PackedWriter { width, acc: 0, bits: 0, words: 0, done: Vec::new() }
    }

    fn push(&mut self, v: u64) {
        self.acc |= v << self.bits;
        let used = self.bits + self.width;
        if used >= 64 {
            self.done.push(self.acc);
            self.words += 1;
            // The bits of `v` that did not fit (none when it started a word).
            self.acc = if self.bits == 0 { 0 } else { v >> (64 - self.bits) };
            self.bits = used - 64;
        } else {
            self.bits = used;
        }
    }

    /// Ends an array of `len` integers: the word being filled, then zeros up to the
    /// words a `Packed` of that length keeps.
    fn finish(&mut self, len: usize) {
        if self.bits > 0 {
            self.done.push(self.acc);
            self.words += 1;
            (self.acc, self.bits) = (0, 0);
        }
        let want = Packed::words_for(len, self.width).unwrap_or(0);
        while self.words < want {
            self.done.push(0);
            self.words += 1;
        }
    }

    /// Writes the full words, little-endian, and forgets them.
    fn write_done(&mut self, to: &mut impl std::io::Write) -> std::io::Result<()> {
        for w in self.done.drain(..) {
            to.write_all(&w.to_le_bytes())?;
        }
        Ok(())
    }
}

/// The nodes of the graph and their degrees while the adjacency is built: entities by
/// id in arrays as long as the store's entity ids go, statements (the few that are
/// nodes) in a map.
#[derive(Default)]
struct Census {
    /// The store's next entity id: an entity at or past it is a damaged index.
    entity_bound: u64,
    entities: FixedBitSet,
    /// Grown as ids are seen (a damaged counter alone sizes nothing).
    entity_degrees: Vec<[u32; 2]>,
    statements: HashMap<u64, [u32; 2]>,
    /// The largest statement id on an edge.
    top: u64,
}

impl Census {
    /// `n`'s degrees, counting it as a node from now on.
    fn node(&mut self, n: Node) -> Result<&mut [u32; 2]> {
        Ok(match n {
            Node::Entity(e) => {
                let i = usize::try_from(e.0).ok().filter(|_| e.0 < self.entity_bound).ok_or_else(|| {
                    StoreError::Corrupt(format!("the adjacency index names entity {}, past the last", e.0))
                })?;
                if i >= self.entity_degrees.len() {
                    self.entity_degrees.resize(i + 1, [0; 2]);
                    self.entities.grow(i + 1);
                }
                self.entities.insert(i);
                &mut self.entity_degrees[i]
            }
            Node::Statement(s) => self.statements.entry(s.0).or_default(),
        })
    }

    /// Counts the edge `from → to` carried by `sid`.
    fn edge(&mut self, from: Node, to: Node, sid: u64) -> Result<()> {
        self.node(from)?[0] += 1;
        self.node(to)?[1] += 1;
        self.top = self.top.max(sid);
        Ok(())
    }
}

/// What the first scan of a build finds (see `Adjacency::build`): the nodes in dense-id
/// order (each as its code) with their `(out, in)` degrees, each node's dense id, the
/// joins of the statements that are nodes, the value edges, and the largest statement
/// on an edge; and the store's stamp when the scan began.
struct Counted {
    stamp: [u64; 6],
    nodes: Vec<u64>,
    degrees: Vec<[u32; 2]>,
    dense: Dense,
    joins: Vec<(Node, Node, u64)>,
    values: Vec<(Node, StatementId, u32)>,
    top: u64,
}

impl Counted {
    /// One scan of the out-lists of the adjacency index (each statement is on its
    /// subject's), the participants' lists, and the statements that are nodes.
    fn take(store: &Store) -> Result<Counted> {
        let stamp = store.stamp()?;
        let entity_bound = store.meta_u64(crate::keys::META_NEXT_ENTITY)?;
        let mut census = Census { entity_bound, ..Census::default() };
        let mut values = Vec::new();
        store.each_adjacency_list(true, |(subject, _), list| {
            census.node(subject)?;
            crate::codec::each_adj_entry(list, |a| {
                match a.other.node() {
                    Some(o) => census.edge(subject, o, a.sid)?,
                    None => values.push((subject, StatementId(a.sid), a.rel)),
                }
                Ok(())
            })
        })?;
        // A statement naming participants is a node, joined to each of them below.
        let participants = store.all_participants()?;
        for (_, sids) in &participants {
            for sid in sids {
                census.node(Node::Statement(*sid))?;
            }
        }
        // A statement that is a node is joined to its own subject and object. These
        // joins and the participants' are few: they are kept as a list.
        let mut statement_nodes: Vec<u64> = census.statements.keys().copied().collect();
        statement_nodes.sort_unstable();
        let mut joins: Vec<(Node, Node, u64)> = Vec::new();
        for sid in statement_nodes {
            if let Some(st) = store.stored_statement(StatementId(sid))? {
                joins.push((st.subject, Node::Statement(StatementId(sid)), sid));
                if let Some(o) = st.object.node() {
                    joins.push((Node::Statement(StatementId(sid)), o, sid));
                }
            }
        }
        for (p, sids) in participants {
            for sid in sids {
                joins.push((Node::Statement(sid), Node::Entity(p), sid.0));
            }
        }
        for &(from, to, sid) in &joins {
            census.edge(from, to, sid)?;
        }
        // Dense ids are the nodes' ranks by code: entities and statements merged.
        let mut statements: Vec<(u64, [u32; 2])> = census.statements.drain().collect();
        statements.sort_unstable();
        let mut nodes = Vec::with_capacity(census.entities.count_ones(..) + statements.len());
        let mut degrees = Vec::with_capacity(nodes.capacity());
        let mut entity_rank = vec![u32::MAX; census.entity_degrees.len()];
        let mut statement_rank: HashMap<u64, u32> = HashMap::with_capacity(statements.len());
        let mut more = statements.iter().peekable();
        let mut rank = |code: u64, d: [u32; 2], nodes: &mut Vec<u64>| {
            degrees.push(d);
            nodes.push(code);
            (nodes.len() - 1) as u32
        };
        for e in census.entities.ones() {
            let code = node_code(Node::Entity(EntityId(e as u64)));
            while let Some(&(s, d)) = more.next_if(|&&(s, _)| node_code(Node::Statement(StatementId(s))) < code) {
                statement_rank.insert(s, rank(node_code(Node::Statement(StatementId(s))), d, &mut nodes));
            }
            entity_rank[e] = rank(code, census.entity_degrees[e], &mut nodes);
        }
        for &(s, d) in more {
            statement_rank.insert(s, rank(node_code(Node::Statement(StatementId(s))), d, &mut nodes));
        }
        let top = census.top;
        let dense = Dense { entities: entity_rank, statements: statement_rank };
        Ok(Counted { stamp, nodes, degrees, dense, joins, values, top })
    }
}

/// Each node's dense id: entities by id in a vector (`u32::MAX` where an entity is no
/// node), the statements that are nodes in a map.
struct Dense {
    entities: Vec<u32>,
    statements: HashMap<u64, u32>,
}

impl Dense {
    fn of(&self, n: Node) -> Option<u32> {
        match n {
            Node::Entity(e) => self.entities.get(e.0 as usize).copied().filter(|&r| r != u32::MAX),
            Node::Statement(s) => self.statements.get(&s.0).copied(),
        }
    }

    /// The second scan of a build: hands every edge (each out-list's, then the
    /// joins) to `place` by dense ids. True when a node the first scan did not count,
    /// or an edge `place` had no room for, was met: a commit between the scans.
    fn place_all(
        &self,
        store: &Store,
        joins: &[(Node, Node, u64)],
        mut place: impl FnMut(u32, u32, u64) -> bool,
    ) -> Result<bool> {
        let mut changed = false;
        let mut one = |from: Node, to: Node, sid: u64| match (self.of(from), self.of(to)) {
            (Some(a), Some(b)) if place(a, b, sid) => {}
            _ => changed = true,
        };
        store.each_adjacency_list(true, |(subject, _), list| {
            crate::codec::each_adj_entry(list, |a| {
                if let Some(o) = a.other.node() {
                    one(subject, o, a.sid);
                }
                Ok(())
            })
        })?;
        for &(from, to, sid) in joins {
            one(from, to, sid);
        }
        Ok(changed)
    }
}

/// The graph's shape: its nodes and which neighbour which, without the statements
/// on the edges. A walk that only asks which nodes it reaches (`within`, and a
/// pattern's distinct ends in a graph without statement nodes) needs nothing more,
/// and a new process that reads only this part of the kept file reads 5 MB instead
/// of 9 at 1,000,000 statements. Node ids are dense `u32`s; `node` and `index_of`
/// translate to and from the store's nodes.
#[derive(Debug, Default)]
pub struct Topology {
    /// Each dense id's node as one word (`node_code`), in increasing order: the dense
    /// ids are the nodes' ranks, so `index_of` is a binary search of this array (a
    /// hash map from node to id took longer to build when a new process read the
    /// adjacency than the rest of the file did, and a separate order array was one
    /// more to read).
    nodes: Vec<u64>,
    rows: Rows,
    /// The statements whose object is a value (a number, date or text), which are no
    /// edges: `(subject, statement, relation)`, by subject then statement. A pattern
    /// step that may end at a value node reads them here rather than asking the store
    /// for the out-list of every node it reached.
    values: Vec<(Node, StatementId, u32)>,
    /// Whether any node is a statement: without one, no step is a join of a statement
    /// node to its own ends, and a search that avoids nothing reads only the targets.
    statement_nodes: bool,
    /// The file's sum of the shape when it was read from one: its statements are read
    /// later only from a file whose shape has the same sum.
    sum: Option<u32>,
}

/// The cached adjacency; see the module docs: the graph's shape, and the statement
/// on each edge.
#[derive(Debug, Default)]
pub struct Adjacency {
    shape: Arc<Topology>,
    /// The statement of each edge, at its position in the shape's rows.
    via: Packed,
}

/// A statement whose object is a value, from its subject: see `Adjacency::value_edges`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueEdge {
    /// The statement, whose object is a value.
    pub statement: StatementId,
    /// The interned relation id (`Store::relation_id`).
    pub relation: u32,
}

impl Adjacency {
    /// Builds from the store's adjacency index (out-lists only; each statement is
    /// entered once, from its subject), in two scans of it: the first finds the
    /// nodes and counts their edges, the second places each edge at its two ends (see
    /// `Placing`). A commit between the scans (another thread's) changes the
    /// store's stamp, and the build starts again.
    pub fn build(store: &Store) -> Result<Adjacency> {
        for _ in 0..3 {
            if let Some(built) = Adjacency::build_once(store)? {
                return Ok(built);
            }
        }
        Err(StoreError::Engine("the store kept changing while its adjacency was built".into()))
    }

    fn build_once(store: &Store) -> Result<Option<Adjacency>> {
        let Counted { stamp, nodes, degrees, dense, joins, mut values, top } = Counted::take(store)?;
        let mut placing = Placing::new(degrees.into_iter(), top).ok_or_else(too_many_ends)?;
        let changed = dense.place_all(store, &joins, |from, to, sid| placing.add(from, to, sid))?;
        if changed || !placing.full() || store.stamp()? != stamp {
            return Ok(None);
        }
        let (rows, via) = placing.finish();
        values.sort_unstable();
        let statement_nodes = !dense.statements.is_empty();
        let shape = Topology { nodes, rows, values, statement_nodes, sum: None };
        Ok(Some(Adjacency { shape: Arc::new(shape), via }))
    }

    /// Builds the adjacency as `build` does and writes its file (`Adjacency::write`'s
    /// form, byte for byte) to `to` as it goes, never holding it whole: the rows are
    /// placed part by part, each part the rows of consecutive nodes with at most
    /// `part_ends` ends between them (or one node's, when it has more), in one scan of
    /// the adjacency index per part. Each part's targets go to the file as they are
    /// placed, its statements to `scratch` until the targets are all written (the
    /// file has the shape first, so that it can be read alone). At 30,000,000
    /// statements the rows of a build held at once are 286 MB; a part is a fraction.
    /// `false` when a commit came between the scans (what was written is then of no
    /// use).
    fn write_built(
        store: &Store,
        to: &mut impl std::io::Write,
        scratch: &std::path::Path,
        part_bytes: usize,
    ) -> Result<bool> {
        use std::io::{Read as _, Write as _};
        let io = |e: std::io::Error| StoreError::io("keeping the adjacency", e);
        let Counted { stamp, nodes, degrees, dense, joins, mut values, top } = Counted::take(store)?;
        let n = degrees.len();
        let (offsets, split) = row_bounds(degrees.into_iter()).ok_or_else(too_many_ends)?;
        let ends = offsets[n] as usize;
        let (node_width, via_width) = (Packed::width_for(n.saturating_sub(1) as u64), Packed::width_for(top));
        let part_ends = part_bytes.saturating_mul(8) / (node_width + via_width) as usize;
        let mut out = Summed { to, crc: crc32fast::Hasher::new() };
        out.bytes(MAGIC).map_err(io)?;
        out.words(stamp.into_iter().chain([n as u64, ends as u64])).map_err(io)?;
        out.words(nodes).map_err(io)?;
        out.words32(&offsets).map_err(io)?;
        out.words32(&split).map_err(io)?;
        out.words([u64::from(node_width)]).map_err(io)?;
        let mut via_file = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(scratch).map_err(io)?);
        let (mut targets, mut via) = (PackedWriter::new(node_width), PackedWriter::new(via_width));
        let mut lo = 0usize;
        while lo < n {
            let mut hi = lo + 1;
            while hi < n && (offsets[hi + 1] - offsets[lo]) as usize <= part_ends {
                hi += 1;
            }
            let mut part = Part::new(&offsets, &split, lo..hi, node_width, via_width);
            let changed = dense.place_all(store, &joins, |from, to, sid| part.add(from, to, sid))?;
            if changed || !part.full() {
                return Ok(false);
            }
            let (part_targets, part_via) = part.finish();
            let all = 0..part_targets.len();
            for (t, v) in part_targets.iter(all.clone()).zip(part_via.iter(all)) {
                targets.push(t);
                via.push(v);
                if targets.done.len() >= 8192 {
                    out.words(targets.done.drain(..)).map_err(io)?;
                    via.write_done(&mut via_file).map_err(io)?;
                }
            }
            lo = hi;
        }
        targets.finish(ends);
        via.finish(ends);
        out.words(targets.done.drain(..)).map_err(io)?;
        via.write_done(&mut via_file).map_err(io)?;
        via_file.flush().map_err(io)?;
        drop(via_file);
        values.sort_unstable();
        out.words([values.len() as u64]).map_err(io)?;
        out.words(values.iter().flat_map(|&(n, s, rel)| [node_code(n), s.0, u64::from(rel)])).map_err(io)?;
        out.sum().map_err(io)?;
        out.words([u64::from(via_width)]).map_err(io)?;
        let mut from = std::fs::File::open(scratch).map_err(io)?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let got = from.read(&mut buf).map_err(io)?;
            if got == 0 {
                break;
            }
            out.bytes(&buf[..got]).map_err(io)?;
        }
        out.sum().map_err(io)?;
        Ok(store.stamp()? == stamp)
    }

    /// The graph's shape, which walks that need no statements run on.
    pub fn topology(&self) -> &Arc<Topology> {
        &self.shape
    }

    /// Nodes with at least one statement to another node.
    pub fn node_count(&self) -> usize {
        self.shape.node_count()
    }

    /// Edges: statements between nodes, and the joins of statement nodes to their ends.
    pub fn edge_count(&self) -> usize {
        self.shape.edge_count()
    }

    /// The statements from `n` whose object is a value, in statement order: the edges
    /// to value nodes, which the rows leave out.
    pub fn value_edges(&self, n: Node) -> impl Iterator<Item = ValueEdge> + '_ {
        self.shape.value_edges(n)
    }

    /// Whether any statement's object is a value.
    pub fn has_value_edges(&self) -> bool {
        self.shape.has_value_edges()
    }

    /// The store's node behind a dense id.
    pub fn node(&self, i: u32) -> Option<Node> {
        self.shape.node(i)
    }

    /// The dense id of a store node, if it is in the graph.
    pub fn index_of(&self, n: Node) -> Option<u32> {
        self.shape.index_of(n)
    }

    /// Every node at distance 1..=k from `n`, with its distance, nearest first.
    pub fn within(&self, n: Node, k: usize, walk: Walk) -> Vec<(Node, usize)> {
        self.shape.within(n, k, walk)
    }

    /// The neighbours of `i` with the statement joining them, walking forwards or
    /// backwards; see `Rows::walk`.
    fn steps(&self, i: u32, walk: Walk, forwards: bool) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.pairs(self.shape.rows.walk(i, walk, forwards))
    }

    /// The neighbours at `r` with the statements joining them.
    fn pairs(&self, r: std::ops::Range<usize>) -> impl Iterator<Item = (u32, u64)> + '_ {
        r.map(move |at| (self.shape.rows.targets.get(at) as u32, self.via.get(at)))
    }
}

impl Topology {
    /// Nodes with at least one statement to another node.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Edges: statements between nodes, and the joins of statement nodes to their ends.
    pub fn edge_count(&self) -> usize {
        self.rows.targets.len() / 2
    }

    /// The statements from `n` whose object is a value, in statement order: the edges
    /// to value nodes, which the rows leave out.
    pub fn value_edges(&self, n: Node) -> impl Iterator<Item = ValueEdge> + '_ {
        let from = self.values.partition_point(|v| v.0 < n);
        self.values[from..]
            .iter()
            .take_while(move |v| v.0 == n)
            .map(|&(_, statement, relation)| ValueEdge { statement, relation })
    }

    /// Whether any statement's object is a value.
    pub fn has_value_edges(&self) -> bool {
        !self.values.is_empty()
    }

    /// The store's node behind a dense id.
    pub fn node(&self, i: u32) -> Option<Node> {
        self.nodes.get(i as usize).map(|&c| node_of(c))
    }

    /// The node of a dense id known to be one.
    #[inline]
    fn node_at(&self, i: u32) -> Node {
        node_of(self.nodes[i as usize])
    }

    /// The dense id of a store node, if it is in the graph.
    pub fn index_of(&self, n: Node) -> Option<u32> {
        self.nodes.binary_search(&node_code(n)).ok().map(|i| i as u32)
    }

    /// Whether any node is a statement (then a search along statements needs the
    /// adjacency: a statement node's joins to its own ends are no statements).
    pub fn has_statement_nodes(&self) -> bool {
        self.statement_nodes
    }

    /// `Adjacency::reach_others` where the shape alone answers it (no statement nodes;
    /// `None` otherwise): every step is a statement.
    pub fn reach_others(&self, n: Node, k: usize, walk: Walk, forwards: bool) -> Option<Vec<Node>> {
        if self.statement_nodes {
            return None;
        }
        Some(self.index_of(n).map_or_else(Vec::new, |start| self.within_targets(start, k, walk, forwards)))
    }

    /// Every node at distance 1..=k from `start`, nearest first, reading only the
    /// targets: every step counts.
    fn within_targets(&self, start: u32, k: usize, walk: Walk, forwards: bool) -> Vec<Node> {
        let levels = self.breadth_first(start, k, walk, forwards);
        let mut out = Vec::with_capacity(levels.iter().map(Vec::len).sum());
        out.extend(levels.iter().flatten().map(|&j| self.node_at(j)));
        out
    }

    /// Every node at distance 1..=k from `n`, with its distance, nearest first.
    pub fn within(&self, n: Node, k: usize, walk: Walk) -> Vec<(Node, usize)> {
        let Some(start) = self.index_of(n) else { return Vec::new() };
        // Made at its size: in a new process, memory touched the first time costs
        // about a millisecond a megabyte, and a growing answer of 89,000 nodes touched
        // twice its 2 MB.
        let levels = self.breadth_first(start, k, walk, true);
        let mut out = Vec::with_capacity(levels.iter().map(Vec::len).sum());
        for (d, level) in levels.iter().enumerate() {
            out.extend(level.iter().map(|&j| (self.node_at(j), d + 1)));
        }
        out
    }

    /// The nodes at each distance 1..=k from `start` (the first level is at distance
    /// 1; within a level, in the order it was searched), following every step of the
    /// rows.
    ///
    /// Direction-optimizing (Beamer, Asanović and Patterson, SC 2012): a level whose
    /// frontier has more edges than a fourteenth of the unreached nodes' is searched
    /// from the other side, each unreached node looking through its own row for a
    /// node of the frontier and stopping at the first. Three hops from a non-hub at
    /// 1,000,000 statements reach 89,000 of 94,000 nodes through the hubs: reading
    /// every edge of the frontier read all 1.7 million targets, the unreached nodes
    /// find a parent in one or two.
    fn breadth_first(&self, start: u32, k: usize, walk: Walk, forwards: bool) -> Vec<Vec<u32>> {
        const ALPHA: usize = 14;
        let n = self.nodes.len();
        let edges = |i: u32| self.rows.walk(i, walk, forwards).len();
        let mut seen = FixedBitSet::with_capacity(n);
        seen.insert(start as usize);
        // The edges of the nodes not reached yet, in the walk's direction.
        let mut unreached = match walk {
            Walk::Undirected => self.rows.targets.len(),
            Walk::Directed => self.rows.targets.len() / 2,
        } - edges(start);
        let mut levels: Vec<Vec<u32>> = Vec::new();
        let mut in_frontier = FixedBitSet::new();
        for _ in 1..=k {
            let frontier = levels.last().map_or(std::slice::from_ref(&start), Vec::as_slice);
            let mut next = Vec::new();
            let ahead: usize = frontier.iter().map(|&i| edges(i)).sum();
            if ahead > unreached / ALPHA {
                if in_frontier.len() < n {
                    in_frontier.grow(n);
                }
                in_frontier.clear();
                frontier.iter().for_each(|&i| in_frontier.insert(i as usize));
                for j in 0..n as u32 {
                    if !seen.contains(j as usize)
                        && self
                            .rows
                            .targets(self.rows.walk(j, walk, !forwards))
                            .any(|i| in_frontier.contains(i as usize))
                    {
                        next.push(j);
                    }
                }
                for &j in &next {
                    seen.insert(j as usize);
                }
            } else {
                for &i in frontier {
                    for j in self.rows.targets(self.rows.walk(i, walk, forwards)) {
                        if !seen.put(j as usize) {
                            next.push(j);
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            unreached -= next.iter().map(|&j| edges(j)).sum::<usize>();
            levels.push(next);
        }
        levels
    }
}

impl Adjacency {
    /// `within`, stepping over no statement for which `avoid` is true (nor the joins
    /// of such a statement's node to its own ends, which carry its id). Apart from
    /// `within`, which reads no statement ids and so stays as fast as it was.
    pub fn within_avoiding(
        &self,
        n: Node,
        k: usize,
        walk: Walk,
        avoid: &dyn Fn(StatementId) -> bool,
    ) -> Vec<(Node, usize)> {
        let Some(start) = self.index_of(n) else { return Vec::new() };
        let mut seen = FixedBitSet::with_capacity(self.shape.nodes.len());
        seen.insert(start as usize);
        let mut frontier = vec![start];
        let mut out = Vec::new();
        for d in 1..=k {
            let mut next = Vec::new();
            for &i in &frontier {
                for (j, sid) in self.steps(i, walk, true) {
                    if !avoid(StatementId(sid)) && !seen.put(j as usize) {
                        next.push(j);
                        out.push((self.shape.node_at(j), d));
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        out
    }

    /// Where a trail of 1..=k statements from `n` can end, walking forwards (or, for a
    /// directed walk, backwards against the statements): every node at distance 1..=k
    /// (a shortest path is a trail), and whether a closed trail of at most k statements
    /// passes through `n`, so that `n` is one of the ends too. This is what
    /// `match (x)-[*1..k]-(y)` needs when only the distinct `y` matter, at the cost of
    /// a breadth-first search rather than of every trail. Only statements count as
    /// steps: the joins of a statement node to its own subject and object do not.
    pub fn reach(&self, n: Node, k: usize, walk: Walk, forwards: bool) -> (Vec<Node>, bool) {
        self.reach_avoiding(n, k, walk, forwards, &|_| false)
    }

    /// `reach`, stepping over no statement for which `avoid` is true.
    pub fn reach_avoiding(
        &self,
        n: Node,
        k: usize,
        walk: Walk,
        forwards: bool,
        avoid: &dyn Fn(StatementId) -> bool,
    ) -> (Vec<Node>, bool) {
        let Some(start) = self.index_of(n) else { return (Vec::new(), false) };
        (self.search(start, k, walk, forwards, Some(avoid)), self.closed_trail(start, k, walk, forwards, avoid))
    }

    /// `reach`'s nodes alone, without asking whether a trail comes back to `n` (a
    /// second search): for a caller to whom `n` itself does not matter.
    pub fn reach_others(&self, n: Node, k: usize, walk: Walk, forwards: bool) -> Vec<Node> {
        match self.index_of(n) {
            Some(start) => self.search(start, k, walk, forwards, None),
            None => Vec::new(),
        }
    }

    /// `reach_avoiding`'s nodes alone, without asking whether a trail comes back to
    /// `n` (a second search): for a caller to whom `n` itself does not matter.
    pub fn reach_others_avoiding(
        &self,
        n: Node,
        k: usize,
        walk: Walk,
        forwards: bool,
        avoid: &dyn Fn(StatementId) -> bool,
    ) -> Vec<Node> {
        match self.index_of(n) {
            Some(start) => self.search(start, k, walk, forwards, Some(avoid)),
            None => Vec::new(),
        }
    }

    /// Every node at distance 1..=k from `start` along statements (`avoid` ruling
    /// some out), nearest first. With nothing to avoid and no statement nodes, every
    /// step is a statement and only the targets are read, as `within` reads them: the
    /// statements and the far node's kind per step doubled the memory a search reads.
    fn search(
        &self,
        start: u32,
        k: usize,
        walk: Walk,
        forwards: bool,
        avoid: Option<&dyn Fn(StatementId) -> bool>,
    ) -> Vec<Node> {
        if avoid.is_none() && !self.shape.statement_nodes {
            return self.shape.within_targets(start, k, walk, forwards);
        }
        let avoid = avoid.unwrap_or(&|_| false);
        let mut seen = FixedBitSet::with_capacity(self.shape.nodes.len());
        seen.insert(start as usize);
        let mut frontier = vec![start];
        let mut out = Vec::new();
        for _ in 1..=k {
            let mut next = Vec::new();
            for &i in &frontier {
                for (j, _) in self.statements(i, walk, forwards, avoid) {
                    if !seen.put(j as usize) {
                        next.push(j);
                        out.push(self.shape.node_at(j));
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        out
    }

    /// The steps from `i` that are statements, leaving out the joins of a statement
    /// node to its own ends (which carry that statement's id) and the statements
    /// `avoid` rules out.
    fn statements<'a>(
        &'a self,
        i: u32,
        walk: Walk,
        forwards: bool,
        avoid: &'a dyn Fn(StatementId) -> bool,
    ) -> impl Iterator<Item = (u32, u64)> + 'a {
        let own = |x: u32, sid: u64| self.shape.node_at(x) == Node::Statement(StatementId(sid));
        self.steps(i, walk, forwards).filter(move |&(j, sid)| !own(i, sid) && !own(j, sid) && !avoid(StatementId(sid)))
    }

    /// Whether a closed trail of 1..=k statements passes through `start`. Directed: the
    /// walk comes back to `start` within k steps. Undirected: a self-loop, two
    /// statements to one neighbour, or two breadth-first regions grown (around `start`,
    /// not through it) from different first statements meeting within k; the shortest
    /// cycle through `start` crosses between two such regions at an edge whose ends'
    /// distances add up to at most its length less one.
    fn closed_trail(
        &self,
        start: u32,
        k: usize,
        walk: Walk,
        forwards: bool,
        avoid: &dyn Fn(StatementId) -> bool,
    ) -> bool {
        if k == 0 {
            return false;
        }
        if walk == Walk::Directed {
            let mut seen = FixedBitSet::with_capacity(self.shape.nodes.len());
            let mut frontier = vec![start];
            for _ in 1..=k {
                let mut next = Vec::new();
                for &i in &frontier {
                    for (j, _) in self.statements(i, walk, forwards, avoid) {
                        if j == start {
                            return true;
                        }
                        if !seen.put(j as usize) {
                            next.push(j);
                        }
                    }
                }
                if next.is_empty() {
                    return false;
                }
                frontier = next;
            }
            return false;
        }
        // Distance from `start` and the first statement of the region, per node.
        let mut dist = vec![u32::MAX; self.shape.nodes.len()];
        let mut label = vec![0u64; self.shape.nodes.len()];
        let mut frontier = Vec::new();
        let mut parallel = false;
        for (j, sid) in self.statements(start, walk, true, avoid) {
            if j == start {
                return true;
            }
            if dist[j as usize] == u32::MAX {
                dist[j as usize] = 1;
                label[j as usize] = sid;
                frontier.push(j);
            } else if label[j as usize] != sid {
                parallel = true;
            }
        }
        if parallel && k >= 2 {
            return true;
        }
        for _ in 1..k {
            let mut next = Vec::new();
            for &u in &frontier {
                let (du, lu) = (dist[u as usize] as usize, label[u as usize]);
                for (v, _) in self.statements(u, walk, true, avoid) {
                    if v == start {
                        continue;
                    }
                    let dv = dist[v as usize];
                    if dv == u32::MAX {
                        dist[v as usize] = du as u32 + 1;
                        label[v as usize] = lu;
                        next.push(v);
                    } else if label[v as usize] != lu && du + (dv as usize) < k {
                        return true;
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        false
    }

    /// A shortest path from `a` to `b` of at most `max_hops` statements: the fewest
    /// statements, found breadth-first from both ends (the smaller frontier grows one
    /// level at a time). Among equally short paths the answer is fixed by the graph:
    /// neighbours are tried out-edges first, each part in neighbour order, parallel
    /// statements in id order.
    pub fn shortest_path(&self, a: Node, b: Node, walk: Walk, max_hops: usize) -> Option<Path> {
        self.shortest_path_avoiding(a, b, walk, max_hops, &|_| false)
    }

    /// `shortest_path`, stepping over no statement for which `avoid` is true (nor the
    /// joins of such a statement's node to its own ends).
    pub fn shortest_path_avoiding(
        &self,
        a: Node,
        b: Node,
        walk: Walk,
        max_hops: usize,
        avoid: &dyn Fn(StatementId) -> bool,
    ) -> Option<Path> {
        let (s, t) = (self.index_of(a)?, self.index_of(b)?);
        if s == t {
            return Some(Path { nodes: vec![a], statements: Vec::new() });
        }
        // parent[i] = (previous node, statement), per side.
        let mut parent_s: Parents = Parents::default();
        let mut parent_t: Parents = Parents::default();
        parent_s.insert(s, (s, 0));
        parent_t.insert(t, (t, 0));
        let (mut fs, mut ft) = (vec![s], vec![t]);
        let mut hops = 0;
        // The side whose frontier has fewer edges grows: counting nodes, a frontier of
        // one hub (87,000 edges at 1,000,000 statements) looked as cheap as one of a
        // node with two.
        let edges = |f: &[u32], forwards: bool| -> usize {
            f.iter().map(|&i| self.shape.rows.walk(i, walk, forwards).len()).sum()
        };
        while !fs.is_empty() && !ft.is_empty() && hops < max_hops {
            // Whether the two frontiers already touch: a node of one in a row of the
            // other, found by binary search (each part of a row is in neighbour
            // order), costs far less than growing a frontier through a hub's row to
            // find the same step. The path is then one step longer than the searches.
            let cheaper = edges(&fs, true).min(edges(&ft, false));
            if fs.len().saturating_mul(ft.len()).saturating_mul(32) <= cheaper {
                if let Some((x, y, sid)) = self.touching(&fs, &ft, walk, avoid) {
                    parent_s.insert(y, (x, sid));
                    return Some(self.join(y, s, t, &parent_s, &parent_t));
                }
            }
            let forward = edges(&fs, true) <= edges(&ft, false);
            let (frontier, parents, others) =
                if forward { (&mut fs, &mut parent_s, &parent_t) } else { (&mut ft, &mut parent_t, &parent_s) };
            let mut next = Vec::new();
            let mut meet = None;
            'level: for &i in frontier.iter() {
                for (j, sid) in self.steps(i, walk, forward) {
                    if parents.contains_key(&j) || avoid(StatementId(sid)) {
                        continue;
                    }
                    parents.insert(j, (i, sid));
                    if others.contains_key(&j) {
                        meet = Some(j);
                        break 'level;
                    }
                    next.push(j);
                }
            }
            *frontier = next;
            hops += 1;
            if let Some(m) = meet {
                return Some(self.join(m, s, t, &parent_s, &parent_t));
            }
        }
        None
    }

    /// The first step `x → y` (in the walk's direction, carried by a statement not
    /// avoided) from a node of `from` to a node of `to`, trying `from` in order, then
    /// `to` in order, then the step's statements in id order.
    fn touching(
        &self,
        from: &[u32],
        to: &[u32],
        walk: Walk,
        avoid: &dyn Fn(StatementId) -> bool,
    ) -> Option<(u32, u32, u64)> {
        let rows = &self.shape.rows;
        for &x in from {
            let parts = match walk {
                Walk::Directed => [rows.out(x), 0..0],
                Walk::Undirected => [rows.out(x), rows.inc(x)],
            };
            for &y in to {
                for part in parts.iter().filter(|p| !p.is_empty()) {
                    // The first entry of the part whose target is at least `y`.
                    let (mut lo, mut hi) = (part.start, part.end);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        if (rows.targets.get(mid) as u32) < y {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    for at in lo..part.end {
                        if rows.targets.get(at) as u32 != y {
                            break;
                        }
                        let sid = self.via.get(at);
                        if !avoid(StatementId(sid)) {
                            return Some((x, y, sid));
                        }
                    }
                }
            }
        }
        None
    }

    /// The path through `m` from the two searches' parent links.
    fn join(&self, m: u32, s: u32, t: u32, parent_s: &Parents, parent_t: &Parents) -> Path {
        let (mut nodes, mut statements) = (vec![m], Vec::new());
        let mut at = m;
        while at != s {
            let (p, sid) = parent_s[&at];
            nodes.push(p);
            statements.push(StatementId(sid));
            at = p;
        }
        nodes.reverse();
        statements.reverse();
        let mut at = m;
        while at != t {
            let (p, sid) = parent_t[&at];
            nodes.push(p);
            statements.push(StatementId(sid));
            at = p;
        }
        Path { nodes: nodes.into_iter().map(|i| self.shape.node_at(i)).collect(), statements }
    }

    /// Weakly connected components, largest first; nodes within each sorted.
    pub fn components(&self) -> Vec<Vec<Node>> {
        let mut uf = UnionFind::<u32>::new(self.shape.nodes.len());
        for i in 0..self.shape.nodes.len() as u32 {
            for j in self.shape.rows.targets(self.shape.rows.out(i)) {
                uf.union(i, j);
            }
        }
        let mut groups: HashMap<u32, Vec<Node>> = HashMap::new();
        for i in 0..self.shape.nodes.len() as u32 {
            groups.entry(uf.find(i)).or_default().push(self.shape.node_at(i));
        }
        let mut out: Vec<Vec<Node>> = groups.into_values().collect();
        for g in &mut out {
            g.sort();
        }
        out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        out
    }

    /// (node, in-degree, out-degree) for every node, highest total degree first.
    pub fn degrees(&self) -> Vec<(Node, usize, usize)> {
        let mut out: Vec<(Node, usize, usize)> = (0..self.shape.nodes.len() as u32)
            .map(|i| (self.shape.node_at(i), self.shape.rows.inc(i).len(), self.shape.rows.out(i).len()))
            .collect();
        out.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// PageRank (damping 0.85) after `iterations` rounds, highest first: the ranks
    /// `petgraph::algo::page_rank` gives on this graph (a test checks it), computed in
    /// O(n (V + E)) where petgraph's costs O(n V²). Each round, a node passes its rank
    /// along its out-edges (damped), or evenly to every node when it has none, and the
    /// undamped rest of a linking node's rank goes evenly to the nodes it does not
    /// link to; then the ranks are scaled to sum to one.
    pub fn page_rank(&self, iterations: usize) -> Vec<(Node, f64)> {
        let n = self.shape.nodes.len();
        if n == 0 {
            return Vec::new();
        }
        let (d, nf) = (0.85_f64, n as f64);
        let out_degree: Vec<f64> = (0..n as u32).map(|i| self.shape.rows.out(i).len() as f64).collect();
        // Each node's distinct in-neighbours, found once.
        let mut sources: Vec<Vec<u32>> = vec![Vec::new(); n];
        for v in 0..n as u32 {
            let mut from: Vec<u32> = self.shape.rows.targets(self.shape.rows.inc(v)).collect();
            from.sort_unstable();
            from.dedup();
            sources[v as usize] = from;
        }
        let mut rank = vec![1.0 / nf; n];
        for _ in 0..iterations {
            let mut everyone = 0.0;
            for (w, r) in rank.iter().enumerate() {
                everyone += if out_degree[w] == 0.0 { d * r / nf } else { (1.0 - d) * r / nf };
            }
            let mut next: Vec<f64> = (0..n)
                .map(|v| {
                    everyone
                        + sources[v]
                            .iter()
                            .map(|&w| {
                                let (r, deg) = (rank[w as usize], out_degree[w as usize]);
                                d * r / deg - (1.0 - d) * r / nf
                            })
                            .sum::<f64>()
                })
                .collect();
            let sum: f64 = next.iter().sum();
            for r in &mut next {
                *r /= sum;
            }
            rank = next;
        }
        let mut out: Vec<(Node, f64)> = self.shape.nodes.iter().map(|&c| node_of(c)).zip(rank).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

impl Store {
    /// The cached whole-graph adjacency, built on first use after each commit. A new
    /// process reads it from the store's `adjacency.csr` when that file was written at
    /// the same commit (its stamp, see `Store::stamp`), instead of building it; one
    /// that builds it writes the file for the next (best effort: a store it cannot
    /// write to, opened read-only or being created just builds it each time). When
    /// the shape alone was read before (`topology`), only the statements are read now.
    pub fn adjacency(&self) -> Result<Arc<Adjacency>> {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        if let Some(c) = self.derived.get::<Adjacency>(generation) {
            return Ok(c);
        }
        let stamp = self.stamp()?;
        let shape = self.derived.get::<Topology>(generation);
        let saved = self.kept_adjacency().and_then(|(len, f)| match shape {
            Some(shape) => Adjacency::decode_statements(f, len, stamp, shape),
            None => Adjacency::decode(std::io::BufReader::with_capacity(1 << 16, f), len, stamp),
        });
        let adj = match saved {
            Some(adj) => adj,
            None => {
                let built = Adjacency::build(self)?;
                if let (Some(file), true) = (self.path().map(|p| p.join(ADJACENCY_FILE)), self.keeps_derived) {
                    let _ = save(&file, &built, stamp);
                }
                built
            }
        };
        let adj = Arc::new(adj);
        self.derived.set(generation, adj.shape.clone());
        self.derived.set(generation, adj.clone());
        Ok(adj)
    }

    /// The graph's shape, for walks that need no statements: the cached adjacency's,
    /// or the shape part of the kept file alone, or the adjacency's once built.
    pub fn topology(&self) -> Result<Arc<Topology>> {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        if let Some(c) = self.derived.get::<Adjacency>(generation) {
            return Ok(c.shape.clone());
        }
        if let Some(c) = self.derived.get::<Topology>(generation) {
            return Ok(c);
        }
        let stamp = self.stamp()?;
        let read = self.kept_adjacency().and_then(|(len, f)| {
            let mut f = Sections::new(std::io::BufReader::with_capacity(1 << 16, f), len);
            Topology::decode(&mut f, stamp)
        });
        match read {
            Some(shape) => {
                let shape = Arc::new(shape);
                self.derived.set(generation, shape.clone());
                Ok(shape)
            }
            None => Ok(self.adjacency()?.shape.clone()),
        }
    }

    /// The kept adjacency file, opened, with its length. Only a regular file is read:
    /// opening a FIFO would wait forever, a device never end.
    fn kept_adjacency(&self) -> Option<(u64, std::fs::File)> {
        let file = self.path()?.join(ADJACENCY_FILE);
        std::fs::metadata(&file).ok().filter(|m| m.is_file())?;
        let f = std::fs::File::open(&file).ok()?;
        Some((f.metadata().ok()?.len(), f))
    }

    /// Builds the adjacency now and keeps it on disk, so that the next process's first
    /// walk does not build it (called at the end of a bulk load). Where it can be
    /// kept it is not also held: the loading process seldom walks next (when it does,
    /// it reads the file), and held it would stay on top of the load's memory. It is
    /// written part by part (`keep_built`), so it is never held whole either.
    pub fn prepare_adjacency(&self) -> Result<()> {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        let file = self.path().map(|p| p.join(ADJACENCY_FILE));
        match file {
            Some(file) if self.keeps_derived => {
                let stamp = self.stamp()?;
                // Held already, or kept at this commit (its header says so).
                let kept = || {
                    let (len, f) = self.kept_adjacency()?;
                    Sections::new(std::io::BufReader::with_capacity(128, f), len).header(stamp)
                };
                if self.derived.get::<Adjacency>(generation).is_some() || kept().is_some() {
                    return Ok(());
                }
                keep_built(self, &file)
            }
            _ => self.adjacency().map(|_| ()),
        }
    }
}

/// The file beside the engine that keeps the adjacency between processes.
pub const ADJACENCY_FILE: &str = "adjacency.csr";

/// What starts the file, then its format version (2: sections read straight into
/// their arrays, a CRC-32 instead of FNV-1a, the node order instead of a map; 3: a
/// statement naming participants joined to them, so a file an earlier build wrote of
/// the same commit is rebuilt, not served without the joins; 4: the statements whose
/// object is a value, after the rows; 6: the nodes in order, no order array, the
/// targets and statements packed at the bits they need, the shape summed apart from
/// the statements so that it can be read alone).
const MAGIC: &[u8; 8] = b"FGCSR\0\0\x06";

/// The words before the nodes: the magic, the stamp, the node and row-entry counts.
const HEADER_WORDS: u64 = 1 + 6 + 2;

/// Writes the adjacency to `file` through a temporary and a rename: a reader sees the
/// old file or the whole new one.
fn save(file: &std::path::Path, adj: &Adjacency, stamp: [u64; 6]) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = file.with_extension("csr.tmp");
    let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
    adj.write(&mut w, stamp)?;
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, file)
}

/// The bytes of rows a build written to its file part by part (`keep_built`) holds
/// at once, about: the parts of a store whose rows take more than this are placed in
/// one scan of the adjacency index each.
const PART_BYTES: usize = 96 << 20;

/// Builds the adjacency and writes it to `file` part by part (`Adjacency::write_built`),
/// through a temporary and a rename as `save`; the statements wait in a scratch file
/// beside it meanwhile.
fn keep_built(store: &Store, file: &std::path::Path) -> Result<()> {
    use std::io::Write as _;
    let io = |e: std::io::Error| StoreError::io("keeping the adjacency", e);
    let (tmp, scratch) = (file.with_extension("csr.tmp"), file.with_extension("csr.via"));
    for _ in 0..3 {
        let written = (|| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp).map_err(io)?);
            let whole = Adjacency::write_built(store, &mut w, &scratch, PART_BYTES)?;
            w.flush().map_err(io)?;
            Ok(whole)
        })();
        let _ = std::fs::remove_file(&scratch);
        match written {
            Ok(true) => return std::fs::rename(&tmp, file).map_err(io),
            Ok(false) => continue,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        }
    }
    let _ = std::fs::remove_file(&tmp);
    Err(StoreError::Engine("the store kept changing while its adjacency was built".into()))
}

/// Reads the file's sections in order, each straight into the array it becomes (no
/// copy of the whole file, no conversion pass), summing every byte read.
struct Sections<R> {
    from: R,
    /// Bytes the file has left: a count from a damaged header that asks for more is
    /// refused before anything is allocated for it.
    left: u64,
    crc: crc32fast::Hasher,
}

impl<R: std::io::Read> Sections<R> {
    fn new(from: R, len: u64) -> Sections<R> {
        Sections { from, left: len, crc: crc32fast::Hasher::new() }
    }

    /// The next `n` little-endian words of type `T`.
    fn words<T: bytemuck::Pod>(&mut self, n: usize, from_le: fn(T) -> T) -> Option<Vec<T>> {
        let len = n.checked_mul(std::mem::size_of::<T>())?;
        self.left = self.left.checked_sub(len as u64)?;
        let mut out: Vec<T> = vec![T::zeroed(); n];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut out);
        self.from.read_exact(bytes).ok()?;
        self.crc.update(bytes);
        for w in &mut out {
            *w = from_le(*w);
        }
        Some(out)
    }

    fn u64(&mut self) -> Option<u64> {
        self.words::<u64>(1, u64::from_le)?.pop()
    }

    /// A packed array of `len` integers: its width, then its words.
    fn packed(&mut self, len: usize) -> Option<Packed> {
        let width = u32::try_from(self.u64()?).ok()?;
        let words = self.words::<u64>(Packed::words_for(len, width)?, u64::from_le)?;
        Packed::from_words(len, width, words)
    }

    /// The sum of everything read since the last, if the next word is that sum (the
    /// sum then starts again).
    fn summed(&mut self) -> Option<u32> {
        let sum = std::mem::take(&mut self.crc).finalize();
        (self.u64()? == u64::from(sum)).then(|| {
            self.crc = crc32fast::Hasher::new();
            sum
        })
    }

    /// The magic, the stamp and the counts: `(nodes, row entries)` if the file is of
    /// this format and of the commit `stamp` names.
    fn header(&mut self, stamp: [u64; 6]) -> Option<(usize, usize)> {
        if self.words::<u8>(MAGIC.len(), |b| b)? != MAGIC {
            return None;
        }
        for want in stamp {
            if self.u64()? != want {
                return None;
            }
        }
        let n = usize::try_from(self.u64()?).ok()?;
        let e = usize::try_from(self.u64()?).ok()?;
        (n < u32::MAX as usize && e <= u32::MAX as usize).then_some((n, e))
    }
}

/// Writes words to a file as it goes, summing them.
struct Summed<'w, W> {
    to: &'w mut W,
    crc: crc32fast::Hasher,
}

impl<W: std::io::Write> Summed<'_, W> {
    fn words(&mut self, words: impl IntoIterator<Item = u64>) -> std::io::Result<()> {
        let mut buf = [0u8; 8192];
        let mut at = 0;
        for w in words {
            if at + 8 > buf.len() {
                self.bytes(&buf[..at])?;
                at = 0;
            }
            buf[at..at + 8].copy_from_slice(&w.to_le_bytes());
            at += 8;
        }
        self.bytes(&buf[..at])
    }

    fn words32(&mut self, words: &[u32]) -> std::io::Result<()> {
        for chunk in words.chunks(2048) {
            let mut buf = [0u8; 8192];
            for (i, w) in chunk.iter().enumerate() {
                buf[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
            }
            self.bytes(&buf[..4 * chunk.len()])?;
        }
        Ok(())
    }

    fn packed(&mut self, p: &Packed) -> std::io::Result<()> {
        self.words([u64::from(p.width())])?;
        self.words(p.words().iter().copied())
    }

    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.crc.update(b);
        self.to.write_all(b)
    }

    /// The sum of everything written since the last, which then starts again.
    fn sum(&mut self) -> std::io::Result<()> {
        let sum = u64::from(std::mem::take(&mut self.crc).finalize());
        self.to.write_all(&sum.to_le_bytes())
    }
}

impl Topology {
    /// The shape part of the file (see `Adjacency::write`), if it is whole, of this
    /// format and stamped with `stamp`; every offset, target and node is checked, so
    /// that a damaged file is never used.
    fn decode<R: std::io::Read>(f: &mut Sections<R>, stamp: [u64; 6]) -> Option<Topology> {
        let (n, e) = f.header(stamp)?;
        let nodes = f.words::<u64>(n, u64::from_le)?;
        let offsets = f.words::<u32>(n + 1, u32::from_le)?;
        let split = f.words::<u32>(n, u32::from_le)?;
        let targets = f.packed(e)?;
        let v = usize::try_from(f.u64()?).ok()?;
        let words = f.words::<u64>(v.checked_mul(3)?, u64::from_le)?;
        let mut values = Vec::with_capacity(v);
        for w in words.chunks_exact(3) {
            values.push((node_of(w[0]), StatementId(w[1]), u32::try_from(w[2]).ok()?));
        }
        let sum = f.summed()?;
        // In order, as `value_edges`' binary search needs.
        if values.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        if offsets.first() != Some(&0) || offsets.last().map(|&o| o as usize) != Some(e) {
            return None;
        }
        for i in 0..n {
            if !(offsets[i] <= split[i] && split[i] <= offsets[i + 1]) {
                return None;
            }
        }
        if e > 0 && targets.max() >= n as u64 {
            return None;
        }
        // Strictly increasing nodes are distinct, as `index_of`'s binary search needs.
        if nodes.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        let statement_nodes = nodes.iter().any(|&c| matches!(node_of(c), Node::Statement(_)));
        Some(Topology { nodes, rows: Rows { offsets, split, targets }, values, statement_nodes, sum: Some(sum) })
    }

    /// Where the statements start in the file: after the header, the nodes, the
    /// offsets, the splits, the packed targets, the values and the shape's sum.
    fn file_len(&self) -> u64 {
        let n = self.nodes.len() as u64;
        let targets = self.rows.targets.words().len() as u64;
        8 * HEADER_WORDS + 8 * n + 4 * (2 * n + 1) + 8 * (1 + targets) + 8 * (1 + 3 * self.values.len() as u64) + 8
    }
}

impl Adjacency {
    /// The file form: magic, the stamp, the sizes, the nodes (as words, in order), the
    /// rows' offsets and splits, the targets (packed: a width, then words), the value
    /// edges (a count, then subject, statement and relation for each) and a CRC-32 of
    /// all that; then the statements (packed) and a CRC-32 of them, all words
    /// little-endian. The shape can be read alone, and the statements after it.
    #[cfg(test)]
    fn encode(&self, stamp: [u64; 6]) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out, stamp).expect("writing to memory");
        out
    }

    /// Writes the file form (see `encode`) to `to` as it goes, so that saving the
    /// adjacency of a large store needs no second copy of it in memory.
    fn write(&self, to: &mut impl std::io::Write, stamp: [u64; 6]) -> std::io::Result<()> {
        let (shape, r) = (&*self.shape, &self.shape.rows);
        let mut out = Summed { to, crc: crc32fast::Hasher::new() };
        out.bytes(MAGIC)?;
        out.words(stamp.into_iter().chain([shape.nodes.len() as u64, r.targets.len() as u64]))?;
        out.words(shape.nodes.iter().copied())?;
        out.words32(&r.offsets)?;
        out.words32(&r.split)?;
        out.packed(&r.targets)?;
        out.words([shape.values.len() as u64])?;
        out.words(shape.values.iter().flat_map(|&(n, s, rel)| [node_code(n), s.0, u64::from(rel)]))?;
        out.sum()?;
        out.packed(&self.via)?;
        out.sum()
    }

    /// The adjacency a file holds, if it is whole, of this format, and stamped with
    /// `stamp` (see `Topology::decode` for the checks).
    fn decode(from: impl std::io::Read, len: u64, stamp: [u64; 6]) -> Option<Adjacency> {
        let mut f = Sections::new(from, len);
        let shape = Topology::decode(&mut f, stamp)?;
        let via = f.packed(shape.rows.targets.len())?;
        (f.summed().is_some() && f.left == 0).then(|| Adjacency { shape: Arc::new(shape), via })
    }

    /// The adjacency of `shape`, read before from the file of the same stamp, with the
    /// statements read now: the file's header and the shape's sum are checked again
    /// (the file may have been replaced since), and its statements are read from
    /// where they start.
    fn decode_statements(
        mut file: std::fs::File,
        len: u64,
        stamp: [u64; 6],
        shape: Arc<Topology>,
    ) -> Option<Adjacency> {
        use std::io::Seek as _;
        let mut head = Sections::new(&mut file, len);
        let counts = head.header(stamp)?;
        if counts != (shape.nodes.len(), shape.rows.targets.len()) {
            return None;
        }
        let at = shape.file_len();
        file.seek(std::io::SeekFrom::Start(at.checked_sub(8)?)).ok()?;
        let mut f = Sections::new(std::io::BufReader::with_capacity(1 << 16, file), len.checked_sub(at - 8)?);
        if shape.sum.is_none() || f.u64()? != u64::from(shape.sum?) {
            return None;
        }
        f.crc = crc32fast::Hasher::new();
        let via = f.packed(shape.rows.targets.len())?;
        (f.summed().is_some() && f.left == 0).then_some(Adjacency { shape, via })
    }
}

/// A shortest-path search's parent links: node → (previous node, statement).
type Parents = rustc_hash::FxHashMap<u32, (u32, u64)>;

/// A node as one word, in the file and in `Adjacency::nodes`: its id, then one bit
/// for its kind.
fn node_code(n: Node) -> u64 {
    match n {
        Node::Entity(e) => e.0 << 1,
        Node::Statement(s) => s.0 << 1 | 1,
    }
}

fn node_of(x: u64) -> Node {
    if x & 1 == 0 {
        Node::Entity(EntityId(x >> 1))
    } else {
        Node::Statement(StatementId(x >> 1))
    }
}

// ---- petgraph's visit traits ---------------------------------------------------------
//
// Nodes are the dense `u32` ids; an edge is its position in the out-rows, directed
// subject → object, weighted by its statement. petgraph implements these traits for
// `&Adjacency` from the ones here.

impl visit::GraphBase for Adjacency {
    type EdgeId = usize;
    type NodeId = u32;
}

impl visit::GraphProp for Adjacency {
    type EdgeType = petgraph::Directed;
}

impl visit::Data for Adjacency {
    type NodeWeight = Node;
    type EdgeWeight = StatementId;
}

impl visit::NodeCount for Adjacency {
    fn node_count(&self) -> usize {
        self.shape.nodes.len()
    }
}

impl visit::NodeIndexable for Adjacency {
    fn node_bound(&self) -> usize {
        self.shape.nodes.len()
    }
    fn to_index(&self, a: u32) -> usize {
        a as usize
    }
    fn from_index(&self, i: usize) -> u32 {
        i as u32
    }
}

impl visit::NodeCompactIndexable for Adjacency {}

impl visit::Visitable for Adjacency {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.shape.nodes.len())
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.shape.nodes.len());
    }
}

/// One edge as petgraph sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdjacencyEdge<'a> {
    source: u32,
    target: u32,
    id: usize,
    /// Held here, not borrowed: the adjacency keeps ids packed.
    statement: StatementId,
    _adjacency: std::marker::PhantomData<&'a Adjacency>,
}

impl visit::EdgeRef for AdjacencyEdge<'_> {
    type NodeId = u32;
    type EdgeId = usize;
    type Weight = StatementId;
    fn source(&self) -> u32 {
        self.source
    }
    fn target(&self) -> u32 {
        self.target
    }
    fn weight(&self) -> &StatementId {
        &self.statement
    }
    fn id(&self) -> usize {
        self.id
    }
}

impl<'a> Adjacency {
    fn out_edges(&'a self, i: u32) -> impl Iterator<Item = AdjacencyEdge<'a>> + 'a {
        self.shape.rows.out(i).map(move |at| AdjacencyEdge {
            source: i,
            target: self.shape.rows.targets.get(at) as u32,
            id: at,
            statement: StatementId(self.via.get(at)),
            _adjacency: std::marker::PhantomData,
        })
    }
}

/// A node's neighbours, in order, as petgraph walks them.
#[derive(Clone, Debug)]
pub struct Targets<'a>(crate::packed_ints::Iter<'a>);

impl Iterator for Targets<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        self.0.next().map(|t| t as u32)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<'a> visit::IntoNeighbors for &'a Adjacency {
    type Neighbors = Targets<'a>;
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.shape.rows.targets(self.shape.rows.out(a))
    }
}

impl<'a> visit::IntoNeighborsDirected for &'a Adjacency {
    type NeighborsDirected = Targets<'a>;
    fn neighbors_directed(self, a: u32, d: petgraph::Direction) -> Self::NeighborsDirected {
        let range = match d {
            petgraph::Direction::Outgoing => self.shape.rows.out(a),
            petgraph::Direction::Incoming => self.shape.rows.inc(a),
        };
        self.shape.rows.targets(range)
    }
}

impl visit::IntoNodeIdentifiers for &Adjacency {
    type NodeIdentifiers = std::ops::Range<u32>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        0..self.shape.nodes.len() as u32
    }
}

impl<'a> visit::IntoEdges for &'a Adjacency {
    type Edges = Box<dyn Iterator<Item = AdjacencyEdge<'a>> + 'a>;
    fn edges(self, a: u32) -> Self::Edges {
        Box::new(self.out_edges(a))
    }
}

impl<'a> visit::IntoEdgeReferences for &'a Adjacency {
    type EdgeRef = AdjacencyEdge<'a>;
    type EdgeReferences = Box<dyn Iterator<Item = AdjacencyEdge<'a>> + 'a>;
    fn edge_references(self) -> Self::EdgeReferences {
        Box::new((0..self.shape.nodes.len() as u32).flat_map(move |i| self.out_edges(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntityId, Evidence, NewStatement, Properties};

    /// Statement ids of every width survive the packing and the file: a store past
    /// 4,294,967,295 statements keeps every id whole, a small one pays the bits its
    /// largest id needs.
    #[test]
    fn statement_ids_of_any_width_survive_the_packing_and_the_file() {
        let big = (1u64 << 32) + 7;
        let edges = [(0u32, 1u32, big), (1, 2, 3), (2, 0, u64::MAX)];
        let nodes = [Node::Entity(EntityId(1)), Node::Entity(EntityId(2)), Node::Entity(EntityId(3))];
        let g = of_edges(&nodes, &edges);
        assert_eq!(g.via.width(), 64);
        let mut ids: Vec<u64> = (0..g.via.len()).map(|at| g.via.get(at)).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![3, 3, big, big, u64::MAX, u64::MAX], "each edge at both of its ends");
        let stamp = [1, 2, 3, 4, 5, 6];
        let bytes = g.encode(stamp);
        let back = Adjacency::decode(&bytes[..], bytes.len() as u64, stamp).expect("a whole file");
        assert_eq!(back.via, g.via);
        assert_eq!(back.shape.rows.targets, g.shape.rows.targets);
        // Small ids take the bits they need, and the file says so.
        let (small, via) = Rows::build(3, &[(0, 1, 9), (1, 2, 10)]);
        assert_eq!((via.width(), small.targets.width()), (4, 2));
        let mut ids: Vec<u64> = (0..via.len()).map(|at| via.get(at)).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![9, 9, 10, 10]);
    }

    /// The adjacency of `edges` (dense ids into `nodes`, which are in order).
    fn of_edges(nodes: &[Node], edges: &[(u32, u32, u64)]) -> Adjacency {
        let (rows, via) = Rows::build(nodes.len(), edges);
        let codes: Vec<u64> = nodes.iter().map(|&n| node_code(n)).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        let statement_nodes = nodes.iter().any(|n| matches!(n, Node::Statement(_)));
        let shape = Topology { nodes: codes, rows, values: Vec::new(), statement_nodes, sum: None };
        Adjacency { shape: Arc::new(shape), via }
    }

    fn sample(store: &Store) -> Vec<EntityId> {
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_document("d", Properties::new(), None).unwrap();
        let ids: Vec<_> =
            ["a", "b", "c", "d", "x", "y"].iter().map(|n| tx.create_entity(n, "Thing").unwrap()).collect();
        let mut first = None;
        for (s, o) in [(0, 1), (2, 1), (2, 3), (4, 5)] {
            let added = tx.add_statement(NewStatement::new(ids[s], "r", ids[o], Evidence::new(doc, "q"))).unwrap();
            first.get_or_insert(added.id());
        }
        let about = NewStatement::new(first.unwrap(), "said-by", ids[2], Evidence::new(doc, "q"));
        tx.add_statement(about).unwrap();
        // Two values said of c and one of a: no edges, but value edges.
        for (s, rel, v) in [(2, "age", 41), (0, "age", 7), (2, "height", 180)] {
            let st = NewStatement::new(ids[s], rel, crate::Value::Int(v), Evidence::new(doc, "q"));
            tx.add_statement(st).unwrap();
        }
        tx.commit().unwrap();
        ids
    }

    /// The search that reads only targets (no statement nodes, nothing to avoid) and
    /// the one that checks every step's statement find the same nodes, with and
    /// without statement nodes in the graph (in an order of their own within a
    /// distance: the first may search a level from the unreached side).
    #[test]
    fn reach_others_finds_what_reach_finds() {
        let with = Store::in_memory().unwrap();
        sample(&with);
        let without = Store::in_memory().unwrap();
        let mut tx = without.transaction().unwrap();
        let doc = tx.create_document("d", Properties::new(), None).unwrap();
        let ids: Vec<_> = (0..6).map(|i| tx.create_entity(&format!("n{i}"), "Thing").unwrap()).collect();
        for (s, o) in [(0, 1), (1, 2), (2, 0), (2, 3), (3, 3), (4, 5), (1, 2)] {
            tx.add_statement(NewStatement::new(ids[s], "r", ids[o], Evidence::new(doc, format!("q{s}{o}")))).unwrap();
        }
        tx.commit().unwrap();
        for (store, statement_nodes) in [(&with, true), (&without, false)] {
            let g = Adjacency::build(store).unwrap();
            assert_eq!(g.shape.statement_nodes, statement_nodes);
            for i in 0..g.node_count() as u32 {
                let n = g.node(i).unwrap();
                for k in 0..4 {
                    for (walk, forwards) in [(Walk::Undirected, true), (Walk::Directed, true), (Walk::Directed, false)]
                    {
                        let sorted = |mut v: Vec<Node>| {
                            v.sort();
                            v
                        };
                        let slow = sorted(g.reach(n, k, walk, forwards).0);
                        let fast = sorted(g.reach_others(n, k, walk, forwards));
                        assert_eq!(fast, slow, "{n:?} {k} {walk:?} {forwards}");
                        assert_eq!(sorted(g.reach_others_avoiding(n, k, walk, forwards, &|_| false)), slow);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// A walk that searches some levels from the unreached side (when the frontier
        /// has many edges: here a hub joined to most nodes) finds each node at the
        /// distance a walk that always searches from the frontier finds it, nearest
        /// first.
        #[test]
        fn a_walk_searched_from_either_side_finds_each_node_at_its_distance(
            n in 2u32..60,
            picks in proptest::collection::vec((0u32..1000, 0u32..1000), 0..150),
            hub_every in 1u32..6,
        ) {
            let mut edges: Vec<(u32, u32, u64)> =
                picks.iter().enumerate().map(|(i, &(a, b))| (a % n, b % n, i as u64)).collect();
            for j in (1..n).step_by(hub_every as usize) {
                let sid = edges.len() as u64;
                edges.push(if j % 2 == 0 { (0, j, sid) } else { (j, 0, sid) });
            }
            let nodes: Vec<Node> = (0..u64::from(n)).map(|i| Node::Entity(EntityId(i))).collect();
            let g = of_edges(&nodes, &edges);
            for start in 0..n {
                let node = nodes[start as usize];
                for k in 0..5 {
                    for walk in [Walk::Undirected, Walk::Directed] {
                        let found = g.within(node, k, walk);
                        proptest::prop_assert!(found.windows(2).all(|w| w[0].1 <= w[1].1), "nearest first");
                        let mut found = found;
                        found.sort();
                        let mut want = g.within_avoiding(node, k, walk, &|_| false);
                        want.sort();
                        proptest::prop_assert_eq!(found, want, "from {} within {} {:?}", start, k, walk);
                    }
                }
                // A shortest path is as long as the walk's distance, and each of its
                // steps is a statement between its two nodes in the walk's direction.
                for walk in [Walk::Undirected, Walk::Directed] {
                    let far = g.within(node, 6, walk);
                    for &other in &nodes {
                        let want = if other == node { Some(0) } else { far.iter().find(|f| f.0 == other).map(|f| f.1) };
                        let path = g.shortest_path(node, other, walk, 6);
                        proptest::prop_assert_eq!(path.as_ref().map(|p| p.statements.len()), want, "{:?} to {:?} {:?}", node, other, walk);
                        if let Some(p) = path {
                            for (i, sid) in p.statements.iter().enumerate() {
                                let (a, b) = (g.index_of(p.nodes[i]).unwrap(), g.index_of(p.nodes[i + 1]).unwrap());
                                let step = |x: u32, y: u32| g.steps(x, walk, true).any(|(j, s)| j == y && s == sid.0);
                                proptest::prop_assert!(step(a, b), "step {} of {:?}", i, p);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjacency as a list of every edge with a map from node to dense id would
    /// build it: the reference the two-scan build is held to.
    fn reference(store: &Store) -> Adjacency {
        let mut nodes: std::collections::BTreeSet<Node> = Default::default();
        let mut edges: Vec<(Node, Node, u64)> = Vec::new();
        let mut values = Vec::new();
        for ((subject, _), entries) in store.all_adjacency(true).unwrap() {
            nodes.insert(subject);
            for a in entries {
                match a.other.node() {
                    Some(o) => {
                        nodes.insert(o);
                        edges.push((subject, o, a.sid));
                    }
                    None => values.push((subject, StatementId(a.sid), a.rel)),
                }
            }
        }
        let participants = store.all_participants().unwrap();
        nodes.extend(participants.iter().flat_map(|(_, sids)| sids.iter().map(|&s| Node::Statement(s))));
        let statement_nodes: Vec<StatementId> =
            nodes.iter().filter_map(|n| if let Node::Statement(s) = n { Some(*s) } else { None }).collect();
        for sid in statement_nodes {
            let st = store.stored_statement(sid).unwrap().unwrap();
            edges.push((st.subject, Node::Statement(sid), sid.0));
            if let Some(o) = st.object.node() {
                edges.push((Node::Statement(sid), o, sid.0));
            }
        }
        for (p, sids) in participants {
            edges.extend(sids.iter().map(|&s| (Node::Statement(s), Node::Entity(p), s.0)));
        }
        nodes.extend(edges.iter().flat_map(|&(a, b, _)| [a, b]));
        let mut nodes: Vec<Node> = nodes.into_iter().collect();
        nodes.sort_by_key(|&n| node_code(n));
        let dense = |n: Node| nodes.iter().position(|&m| m == n).unwrap() as u32;
        let edges: Vec<(u32, u32, u64)> = edges.iter().map(|&(a, b, s)| (dense(a), dense(b), s)).collect();
        let mut adj = of_edges(&nodes, &edges);
        values.sort_unstable();
        Arc::get_mut(&mut adj.shape).unwrap().values = values;
        adj
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// The two-scan build gives what a list of every edge gives, with statements
        /// about statements, value objects and participants among the statements.
        #[test]
        fn the_build_is_the_adjacency_of_every_edge(
            said in proptest::collection::vec((0usize..12, 0usize..12, 0u8..6), 1..40),
        ) {
            let store = Store::in_memory().unwrap();
            let mut tx = store.transaction().unwrap();
            let doc = tx.create_document("d", Properties::new(), None).unwrap();
            let ids: Vec<_> = (0..12).map(|i| tx.create_entity(&format!("n{i}"), "Thing").unwrap()).collect();
            let mut sids: Vec<StatementId> = Vec::new();
            for (i, &(s, o, how)) in said.iter().enumerate() {
                let ev = Evidence::new(doc, format!("q{i}"));
                let mut st = match how {
                    // About an earlier statement, or with a value for its object.
                    0 if !sids.is_empty() => NewStatement::new(sids[s % sids.len()], "about", ids[o], ev),
                    1 => NewStatement::new(ids[s], "age", crate::Value::Int(o as i64), ev),
                    2 if !sids.is_empty() => NewStatement::new(ids[s], "of", sids[o % sids.len()], ev),
                    _ => NewStatement::new(ids[s], "r", ids[o], ev),
                };
                if how == 3 {
                    st.qualifiers.insert("for".into(), crate::Value::Entity(ids[(s + o) % 12]));
                }
                sids.push(tx.add_statement(st).unwrap().id());
            }
            tx.commit().unwrap();
            let (got, want) = (Adjacency::build(&store).unwrap(), reference(&store));
            proptest::prop_assert_eq!(&got.shape.nodes, &want.shape.nodes);
            proptest::prop_assert_eq!(&got.shape.rows.offsets, &want.shape.rows.offsets);
            proptest::prop_assert_eq!(&got.shape.rows.split, &want.shape.rows.split);
            proptest::prop_assert_eq!(&got.shape.rows.targets, &want.shape.rows.targets);
            proptest::prop_assert_eq!(&got.via, &want.via);
            proptest::prop_assert_eq!(got.shape.statement_nodes, want.shape.statement_nodes);
            proptest::prop_assert_eq!(&got.shape.values, &want.shape.values);
            proptest::prop_assert_eq!(got.shape.values.is_empty(), !said.iter().any(|t| t.2 == 1));
            // Written part by part, in parts of every size down to one node's row, it
            // is the file of the build held whole, byte for byte.
            let stamp = store.stamp().unwrap();
            let whole = got.encode(stamp);
            let dir = tempfile::tempdir().unwrap();
            for part_bytes in [0usize, 1, 16, 64, 1 << 20] {
                let mut file = Vec::new();
                let scratch = dir.path().join("via");
                proptest::prop_assert!(Adjacency::write_built(&store, &mut file, &scratch, part_bytes).unwrap());
                proptest::prop_assert!(file == whole, "parts of {} bytes", part_bytes);
            }
        }

        /// Integers written as they go make the words of the packed array that holds
        /// them, at every width.
        #[test]
        fn a_packed_array_written_as_it_goes_is_the_array(
            values in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..200),
            width in 1u32..=64,
        ) {
            let mask = u64::MAX >> (64 - width);
            let mut want = Packed::zeros(values.len(), width);
            let mut writer = PackedWriter::new(width);
            for (i, v) in values.iter().enumerate() {
                want.set(i, v & mask);
                writer.push(v & mask);
            }
            writer.finish(values.len());
            proptest::prop_assert_eq!(&writer.done[..], want.words());
        }
    }

    #[test]
    fn value_edges_are_the_statements_with_a_value_object_by_subject() {
        let store = Store::in_memory().unwrap();
        let ids = sample(&store);
        let g = Adjacency::build(&store).unwrap();
        assert!(g.has_value_edges());
        let of = |i: usize| -> Vec<(StatementId, u32)> {
            g.value_edges(Node::Entity(ids[i])).map(|e| (e.statement, e.relation)).collect()
        };
        let (age, height) = (store.relation_id("age").unwrap(), store.relation_id("height").unwrap());
        let c = of(2);
        assert_eq!(c.iter().map(|e| e.1).collect::<Vec<_>>(), [age, height]);
        assert!(c[0].0 < c[1].0, "in statement order");
        assert_eq!(of(0).len(), 1);
        assert!(of(1).is_empty() && of(5).is_empty());
        for (sid, rel) in c.into_iter().chain(of(0)) {
            let st = store.statement(sid).unwrap().unwrap();
            assert!(st.object.node().is_none());
            assert_eq!(store.relation_id(&st.relation), Some(rel));
        }
        assert!(!Adjacency::build(&Store::in_memory().unwrap()).unwrap().has_value_edges());
    }

    #[test]
    fn walks_follow_or_ignore_direction_and_follow_commits() {
        let store = Store::in_memory().unwrap();
        let ids = sample(&store);
        let n = |i: usize| Node::Entity(ids[i]);
        let g = store.adjacency().unwrap();
        assert_eq!(g.within(n(0), 1, Walk::Directed).len(), 2, "b and the statement node a → b");
        assert_eq!(g.within(n(1), 1, Walk::Directed), vec![], "b is only ever an object");
        assert_eq!(g.within(n(1), 1, Walk::Undirected).len(), 3, "a, c and the statement node");
        let path = g.shortest_path(n(0), n(3), Walk::Undirected, 10).unwrap();
        assert_eq!((path.nodes.len(), path.statements.len()), (4, 3));
        assert_eq!(path.nodes.first(), Some(&n(0)));
        assert_eq!(path.nodes.last(), Some(&n(3)));
        assert_eq!(g.shortest_path(n(0), n(3), Walk::Directed, 10).unwrap().statements.len(), 3, "through the claim");
        assert!(g.shortest_path(n(2), n(0), Walk::Directed, 10).is_none(), "c reaches a only against direction");
        assert_eq!(g.shortest_path(n(2), n(0), Walk::Undirected, 10).unwrap().statements.len(), 2);
        assert!(g.shortest_path(n(0), n(3), Walk::Undirected, 2).is_none(), "bounded by max hops");
        assert!(g.shortest_path(n(0), n(5), Walk::Undirected, 10).is_none());
        assert_eq!(g.shortest_path(n(0), n(0), Walk::Directed, 0).unwrap().nodes, vec![n(0)]);
        // A commit makes the cache stale.
        let mut tx = store.transaction().unwrap();
        let doc = tx.lookup("d").unwrap()[0];
        tx.add_statement(NewStatement::new(ids[3], "r", ids[4], Evidence::new(doc, "q"))).unwrap();
        tx.commit().unwrap();
        assert!(store.adjacency().unwrap().shortest_path(n(0), n(5), Walk::Undirected, 10).is_some());
    }

    /// The file form gives back the same adjacency; a damaged byte anywhere, a cut-off
    /// file or another commit's stamp is refused, never used.
    #[test]
    fn the_adjacency_file_round_trips_and_refuses_damage_and_other_commits() {
        let store = Store::in_memory().unwrap();
        sample(&store);
        let g = Adjacency::build(&store).unwrap();
        let stamp = store.stamp().unwrap();
        let bytes = g.encode(stamp);
        let back = Adjacency::decode(&bytes[..], bytes.len() as u64, stamp).expect("a whole file");
        let same_shape = |a: &Topology, b: &Topology| {
            assert_eq!(a.nodes, b.nodes);
            assert_eq!(
                (&a.rows.offsets, &a.rows.split, &a.rows.targets),
                (&b.rows.offsets, &b.rows.split, &b.rows.targets)
            );
            assert_eq!(a.values, b.values);
            assert_eq!(a.statement_nodes, b.statement_nodes);
        };
        same_shape(&back.shape, &g.shape);
        for i in 0..g.node_count() as u32 {
            assert_eq!(back.index_of(g.node(i).unwrap()), Some(i));
        }
        assert_eq!(back.via, g.via);
        assert_eq!(back.shape.values.len(), 3);
        // The shape alone, and the statements after it from a file.
        let shape = Topology::decode(&mut Sections::new(&bytes[..], bytes.len() as u64), stamp).expect("the shape");
        same_shape(&shape, &g.shape);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(ADJACENCY_FILE);
        std::fs::write(&file, &bytes).unwrap();
        let open = || std::fs::File::open(&file).unwrap();
        let shape = Arc::new(shape);
        let rest = Adjacency::decode_statements(open(), bytes.len() as u64, stamp, shape.clone()).expect("statements");
        assert_eq!(rest.via, g.via);
        assert!(Arc::ptr_eq(&rest.shape, &shape), "the shape read before, not read again");
        let mut other = stamp;
        other[0] += 1;
        assert!(Adjacency::decode(&bytes[..], bytes.len() as u64, other).is_none(), "another commit's file");
        let shape_len = shape.file_len() as usize;
        for at in (0..bytes.len()).step_by(7).chain([shape_len - 1, shape_len, bytes.len() - 1]) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert!(Adjacency::decode(&damaged[..], damaged.len() as u64, stamp).is_none(), "a flipped bit at {at}");
            let alone = Topology::decode(&mut Sections::new(&damaged[..], damaged.len() as u64), stamp);
            assert_eq!(alone.is_none(), at < shape_len, "the shape alone, a flipped bit at {at}");
            // The statements, read after a shape that was whole: a damaged header,
            // shape sum or statement is refused.
            std::fs::write(&file, &damaged).unwrap();
            let rest = Adjacency::decode_statements(open(), damaged.len() as u64, stamp, shape.clone());
            let checked = at < 8 * HEADER_WORDS as usize || at >= shape_len - 8;
            assert_eq!(rest.is_none(), checked, "the statements alone, a flipped bit at {at}");
        }
        for len in [0, 8, bytes.len() / 2, bytes.len() - 1] {
            assert!(Adjacency::decode(&bytes[..len], len as u64, stamp).is_none(), "cut at {len}");
        }
    }

    /// A new process reads the adjacency its store keeps on disk, and a commit since
    /// (by any process) makes that file stale, so it is rebuilt, never served.
    #[test]
    fn the_kept_adjacency_is_used_only_for_the_commit_it_was_built_at() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let ids = {
            let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
            let ids = sample(&store);
            // Six entities, and the statement that a statement is about.
            assert_eq!(store.adjacency().unwrap().node_count(), 7);
            ids
        };
        let written = std::fs::metadata(path.join(ADJACENCY_FILE)).unwrap().modified().unwrap();
        let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
        assert_eq!(store.adjacency().unwrap().node_count(), 7, "read back");
        let now = std::fs::metadata(path.join(ADJACENCY_FILE)).unwrap().modified().unwrap();
        assert_eq!(now, written, "read, not built and written again");
        let mut tx = store.transaction().unwrap();
        let doc = tx.lookup("d").unwrap()[0];
        let z = tx.create_entity("z", "Thing").unwrap();
        tx.add_statement(NewStatement::new(ids[5], "r", z, Evidence::new(doc, "q"))).unwrap();
        tx.commit().unwrap();
        drop(store);
        let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
        let g = store.adjacency().unwrap();
        assert_eq!(g.node_count(), 8, "the stale file is not used");
        assert!(g.shortest_path(Node::Entity(ids[4]), Node::Entity(z), Walk::Directed, 5).is_some());
    }

    /// Preparing the adjacency after a load keeps it on disk without holding it, and
    /// does not build it again while the kept file is of this commit.
    #[test]
    fn a_prepared_adjacency_is_kept_not_held_and_built_once_per_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
        sample(&store);
        let generation = store.generation.load(std::sync::atomic::Ordering::Acquire);
        store.prepare_adjacency().unwrap();
        assert!(store.derived.get::<Adjacency>(generation).is_none(), "not held");
        let file = path.join(ADJACENCY_FILE);
        let written = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        store.prepare_adjacency().unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), written, "not built again");
        let bytes = std::fs::read(&file).unwrap();
        let kept = Adjacency::decode(&bytes[..], bytes.len() as u64, store.stamp().unwrap()).expect("whole");
        assert_eq!(kept.via, Adjacency::build(&store).unwrap().via);
        // A store that cannot keep it holds it instead.
        let memory = Store::in_memory().unwrap();
        sample(&memory);
        memory.prepare_adjacency().unwrap();
        let g = memory.generation.load(std::sync::atomic::Ordering::Acquire);
        assert!(memory.derived.get::<Adjacency>(g).is_some());
    }

    /// A new process that only walks reads the shape alone from the kept file, and
    /// the statements onto it when something needs them; damaged statements are
    /// rebuilt, never used, and the file is mended.
    #[test]
    fn a_new_process_reads_the_shape_alone_and_the_statements_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let built = {
            let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
            sample(&store);
            store.prepare_adjacency().unwrap();
            Adjacency::build(&store).unwrap()
        };
        let file = path.join(ADJACENCY_FILE);
        for damage in [false, true] {
            if damage {
                let mut bytes = std::fs::read(&file).unwrap();
                let at = bytes.len() - 9;
                bytes[at] ^= 0x01;
                std::fs::write(&file, bytes).unwrap();
            }
            let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
            let shape = store.topology().unwrap();
            assert!(shape.sum.is_some(), "read from the file");
            assert_eq!(
                (shape.nodes.clone(), shape.rows.offsets.clone()),
                (built.shape.nodes.clone(), built.shape.rows.offsets.clone())
            );
            let near = shape.within(built.node(0).unwrap(), 2, Walk::Undirected);
            assert_eq!(near, built.within(built.node(0).unwrap(), 2, Walk::Undirected));
            let adj = store.adjacency().unwrap();
            assert_eq!(adj.via, built.via);
            assert_eq!(Arc::ptr_eq(adj.topology(), &shape), !damage, "the statements read onto the shape read before");
            assert!(Arc::ptr_eq(&store.topology().unwrap(), adj.topology()), "one shape from then on");
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            Adjacency::decode(
                &bytes[..],
                bytes.len() as u64,
                Store::open(&path, &crate::OpenOptions::default()).unwrap().stamp().unwrap()
            )
            .is_some(),
            "mended"
        );
    }

    /// A FIFO or a device where the kept adjacency goes was read (and waited on, or read
    /// without end): anything but a regular file is not read, and the adjacency is
    /// built instead.
    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_as_the_kept_adjacency_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
            sample(&store);
        }
        let file = path.join(ADJACENCY_FILE);
        let _ = std::fs::remove_file(&file);
        // Made here, not by `mkfifo`: a child process holds every descriptor of ours
        // until it execs, other tests' store locks included.
        nix::unistd::mkfifo(&file, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let opened = path.clone();
        std::thread::spawn(move || {
            let count = {
                let store =
                    Store::open(&opened, &crate::OpenOptions { read_only: true, ..Default::default() }).unwrap();
                store.adjacency().map(|g| g.node_count()).ok()
            };
            let _ = tx.send(count);
        });
        let answer = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the adjacency read waited on a FIFO");
        assert_eq!(answer, Some(7));
        std::fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
        let store = Store::open(&path, &crate::OpenOptions { read_only: true, ..Default::default() }).unwrap();
        assert_eq!(store.adjacency().unwrap().node_count(), 7);
    }

    /// `reach` gives the ends of every trail of 1..=k statements, as enumerating the
    /// trails does, on small random graphs with self-loops, parallel statements and
    /// cycles, in each direction.
    #[test]
    fn reach_ends_where_the_trails_end() {
        let mut seed = 7u64;
        let mut next = move |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for round in 0..60 {
            let store = Store::in_memory().unwrap();
            let mut tx = store.transaction().unwrap();
            let doc = tx.create_document("d", Properties::new(), None).unwrap();
            let n = 2 + next(6) as usize;
            let ids: Vec<_> = (0..n).map(|i| tx.create_entity(&format!("n{i}"), "Thing").unwrap()).collect();
            let mut made = Vec::new();
            for e in 0..next(10) {
                let (a, b) = (next(n as u64) as usize, next(n as u64) as usize);
                let mut st = NewStatement::new(ids[a], "r", ids[b], Evidence::new(doc, "q"));
                st.qualifiers.insert("e".into(), crate::Value::Int(e as i64));
                made.push(tx.add_statement(st).unwrap().id());
            }
            // Some statements about statements, which make statement nodes.
            if let (Some(&first), true) = (made.first(), next(2) == 0) {
                let about = NewStatement::new(first, "said-by", ids[0], Evidence::new(doc, "q"));
                tx.add_statement(about).unwrap();
            }
            tx.commit().unwrap();
            let g = store.adjacency().unwrap();
            for (walk, forwards) in [(Walk::Undirected, true), (Walk::Directed, true), (Walk::Directed, false)] {
                for k in 1..=4 {
                    for &x in &ids {
                        let x = Node::Entity(x);
                        // Every trail, by depth-first search.
                        let mut ends = std::collections::BTreeSet::new();
                        let start = g.index_of(x);
                        let mut stack: Vec<(u32, Vec<u64>)> = start.map(|s| vec![(s, Vec::new())]).unwrap_or_default();
                        while let Some((at, trail)) = stack.pop() {
                            if !trail.is_empty() {
                                ends.insert(at);
                            }
                            if trail.len() == k {
                                continue;
                            }
                            let own = |x: u32, sid: u64| g.shape.node_at(x) == Node::Statement(StatementId(sid));
                            for (j, sid) in g.pairs(g.shape.rows.walk(at, walk, forwards)) {
                                if !trail.contains(&sid) && !own(at, sid) && !own(j, sid) {
                                    let mut t = trail.clone();
                                    t.push(sid);
                                    stack.push((j, t));
                                }
                            }
                        }
                        let (nodes, closed) = g.reach(x, k, walk, forwards);
                        let mut got: std::collections::BTreeSet<u32> =
                            nodes.iter().map(|v| g.index_of(*v).unwrap()).collect();
                        if closed {
                            got.extend(start);
                        }
                        assert_eq!(got, ends, "round {round}, {walk:?} forwards {forwards}, k {k}, from {x:?}");
                    }
                }
            }
        }
    }

    /// Every step of a path is a statement joining the two nodes it lies between.
    #[test]
    fn every_step_of_a_path_joins_its_two_nodes() {
        let store = Store::in_memory().unwrap();
        let ids = sample(&store);
        let g = store.adjacency().unwrap();
        for (from, to) in [(0, 3), (3, 0), (1, 2)] {
            let path = g.shortest_path(ids[from].into(), ids[to].into(), Walk::Undirected, 10).unwrap();
            for (i, sid) in path.statements.iter().enumerate() {
                let (a, b) = (path.nodes[i], path.nodes[i + 1]);
                let joined = |x: Node, y: Node| {
                    let xi = g.index_of(x).unwrap();
                    g.pairs(g.shape.rows.out(xi)).any(|(j, s)| s == sid.0 && g.node(j) == Some(y))
                };
                assert!(joined(a, b) || joined(b, a), "step {i} of {path:?}");
            }
        }
    }

    #[test]
    fn components_degrees_and_page_rank() {
        let store = Store::in_memory().unwrap();
        let ids = sample(&store);
        let g = store.adjacency().unwrap();
        let comps = g.components();
        assert_eq!(comps.iter().map(Vec::len).collect::<Vec<_>>(), vec![5, 2]);
        // b is the object of a → b, of c → b, and of the join from the statement node
        // (a → b) to its object.
        let degrees = g.degrees();
        assert_eq!(degrees[0].0, Node::Entity(ids[1]));
        assert_eq!((degrees[0].1, degrees[0].2), (3, 0));
        assert_eq!(g.page_rank(20)[0].0, Node::Entity(ids[1]));
    }

    /// Our PageRank is petgraph's, run on this graph through the visit traits.
    #[test]
    fn page_rank_equals_petgraphs_through_the_visit_traits() {
        let store = Store::in_memory().unwrap();
        sample(&store);
        let g = store.adjacency().unwrap();
        let theirs = petgraph::algo::page_rank(&*g, 0.85_f64, 20);
        for (node, rank) in g.page_rank(20) {
            let i = g.index_of(node).unwrap() as usize;
            assert!((rank - theirs[i]).abs() < 1e-12, "{node:?}: {rank} vs {}", theirs[i]);
        }
        assert_eq!(petgraph::algo::connected_components(&*g), g.components().len());
        let mut bfs = petgraph::visit::Bfs::new(&*g, 0);
        let mut reached = 0;
        while bfs.next(&*g).is_some() {
            reached += 1;
        }
        assert!(reached >= 2);
    }
}
