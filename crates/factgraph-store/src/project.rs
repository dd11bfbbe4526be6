//! The graph projection: the store's statements as a petgraph graph, and the
//! algorithms the language runs on it.
//!
//! Nodes are entities and statements (a statement becomes a node when another statement
//! is about it); each statement with a node as object is an edge subject → object,
//! weighted by its statement id. Statements with literal objects are not edges. A
//! statement that is a node is also joined to its own subject and object (edges
//! subject → statement → object carrying its id), so paths run through what was said
//! about a claim: Trump ← (Alqasimehr accused Trump) → reported-by → IRNA.
//!
//! Complexities, with V nodes and E edges in the projection:
//!
//! | operation | time | space |
//! |---|---|---|
//! | `Projection::build` (whole store) | O(E) reads of the adjacency index | O(V + E) |
//! | `shortest_path` (BFS, directed or undirected) | O(V + E) | O(V) |
//! | `neighbourhood` (BFS to depth k) | O(V + E) worst case, usually far less | O(V) |
//! | `components` (union-find) | O(E α(V)) | O(V) |
//! | `degrees` | O(V + E) | O(V) |
//! | `page_rank` (n iterations) | O(n (V + E)) | O(V) |

use std::collections::{HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use petgraph::Direction as PgDirection;

use crate::error::Result;
use crate::model::{Direction, Node, StatementId};
use crate::store::Store;

/// One edge of the projection: a statement and its relation id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeData {
    /// The statement.
    pub statement: StatementId,
    /// Interned relation id.
    pub relation: u32,
}

/// A path: the nodes in order and the statements joining them (one fewer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Nodes from start to end.
    pub nodes: Vec<Node>,
    /// The statement taken between consecutive nodes.
    pub statements: Vec<StatementId>,
}

/// How direction counts when walking the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// Follow statements from subject to object only.
    Directed,
    /// Follow statements either way.
    Undirected,
}

/// A petgraph graph built from the store.
#[derive(Debug, Default)]
pub struct Projection {
    /// The graph itself, for algorithms not wrapped here.
    pub graph: DiGraph<Node, EdgeData>,
    index: HashMap<Node, NodeIndex>,
}

impl Projection {
    /// The whole store: every statement whose object is a node.
    pub fn build(store: &Store) -> Result<Projection> {
        let mut p = Projection::default();
        for ((subject, _), entries) in store.all_adjacency(true)? {
            for a in entries {
                if let Some(object) = a.other.node() {
                    p.add_edge(subject, object, EdgeData { statement: StatementId(a.sid), relation: a.rel });
                }
            }
        }
        p.join_statement_nodes(store)?;
        Ok(p)
    }

    /// The part of the store within `depth` statements of `seeds` (either direction).
    pub fn around(store: &Store, seeds: &[Node], depth: usize) -> Result<Projection> {
        let mut p = Projection::default();
        let mut seen: HashMap<Node, usize> = HashMap::new();
        let mut queue: VecDeque<(Node, usize)> = VecDeque::new();
        for &s in seeds {
            p.node(s);
            if seen.insert(s, 0).is_none() {
                queue.push_back((s, 0));
            }
        }
        while let Some((n, d)) = queue.pop_front() {
            if d >= depth {
                continue;
            }
            if let Node::Statement(sid) = n {
                // A claim that is a node leads on to its own subject and object.
                if let Some(st) = store.stored_statement(sid)? {
                    let data = EdgeData { statement: sid, relation: st.rel };
                    p.add_edge(st.subject, n, data);
                    let mut ends = vec![st.subject];
                    if let Some(o) = st.object.node() {
                        p.add_edge(n, o, data);
                        ends.push(o);
                    }
                    for end in ends {
                        if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(end) {
                            v.insert(d + 1);
                            queue.push_back((end, d + 1));
                        }
                    }
                }
            }
            for dir in [Direction::Out, Direction::In] {
                for e in store.read_adjacency(n, dir)? {
                    let Some(other) = e.other.node() else {
                        continue;
                    };
                    let data = EdgeData { statement: StatementId(e.sid), relation: e.rel };
                    // Add each edge once: from its subject's side, or from the object's
                    // side when the subject lies beyond the frontier.
                    match dir {
                        Direction::Out => p.add_edge(n, other, data),
                        Direction::In if !seen.contains_key(&other) || seen[&other] >= depth => {
                            p.add_edge(other, n, data)
                        }
                        Direction::In => {}
                    }
                    if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(other) {
                        v.insert(d + 1);
                        queue.push_back((other, d + 1));
                    }
                }
            }
        }
        Ok(p)
    }

    /// Joins every statement node to its subject and object.
    fn join_statement_nodes(&mut self, store: &Store) -> Result<()> {
        let statements: Vec<(NodeIndex, StatementId)> = self
            .graph
            .node_indices()
            .filter_map(|i| match self.graph[i] {
                Node::Statement(s) => Some((i, s)),
                Node::Entity(_) => None,
            })
            .collect();
        for (i, sid) in statements {
            if let Some(st) = store.stored_statement(sid)? {
                let data = EdgeData { statement: sid, relation: st.rel };
                let s = self.node(st.subject);
                self.graph.add_edge(s, i, data);
                if let Some(o) = st.object.node() {
                    let o = self.node(o);
                    self.graph.add_edge(i, o, data);
                }
            }
        }
        Ok(())
    }

    fn node(&mut self, n: Node) -> NodeIndex {
        match self.index.get(&n) {
            Some(&i) => i,
            None => {
                let i = self.graph.add_node(n);
                self.index.insert(n, i);
                i
            }
        }
    }

    fn add_edge(&mut self, from: Node, to: Node, data: EdgeData) {
        let (a, b) = (self.node(from), self.node(to));
        self.graph.add_edge(a, b, data);
    }

    /// Nodes in the projection.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Edges (statements) in the projection.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// True when the node is in the projection.
    pub fn contains(&self, n: Node) -> bool {
        self.index.contains_key(&n)
    }

    fn neighbours(&self, i: NodeIndex, walk: Walk) -> impl Iterator<Item = (NodeIndex, StatementId)> + '_ {
        let out = self.graph.edges_directed(i, PgDirection::Outgoing).map(|e| (e.target(), e.weight().statement));
        let inc = (walk == Walk::Undirected)
            .then(|| self.graph.edges_directed(i, PgDirection::Incoming).map(|e| (e.source(), e.weight().statement)))
            .into_iter()
            .flatten();
        out.chain(inc)
    }

    /// A shortest path from `a` to `b` of at most `max_hops` statements (breadth-first,
    /// so the fewest statements; ties go to the lowest statement ids first seen).
    pub fn shortest_path(&self, a: Node, b: Node, walk: Walk, max_hops: usize) -> Option<Path> {
        let (&start, &goal) = (self.index.get(&a)?, self.index.get(&b)?);
        let mut prev: HashMap<NodeIndex, (NodeIndex, StatementId)> = HashMap::new();
        let mut depth: HashMap<NodeIndex, usize> = HashMap::from([(start, 0)]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            if n == goal {
                break;
            }
            let d = depth[&n];
            if d >= max_hops {
                continue;
            }
            let mut next: Vec<(NodeIndex, StatementId)> = self.neighbours(n, walk).collect();
            next.sort_by_key(|&(_, s)| s);
            for (m, s) in next {
                if let std::collections::hash_map::Entry::Vacant(v) = depth.entry(m) {
                    v.insert(d + 1);
                    prev.insert(m, (n, s));
                    queue.push_back(m);
                }
            }
        }
        if !depth.contains_key(&goal) {
            return None;
        }
        let mut nodes = vec![self.graph[goal]];
        let mut statements = Vec::new();
        let mut at = goal;
        while let Some(&(p, s)) = prev.get(&at) {
            nodes.push(self.graph[p]);
            statements.push(s);
            at = p;
        }
        nodes.reverse();
        statements.reverse();
        Some(Path { nodes, statements })
    }

    /// Every node within `k` statements of `n` (not `n` itself), with its distance.
    pub fn neighbourhood(&self, n: Node, k: usize, walk: Walk) -> Vec<(Node, usize)> {
        let Some(&start) = self.index.get(&n) else {
            return Vec::new();
        };
        let mut depth: HashMap<NodeIndex, usize> = HashMap::from([(start, 0)]);
        let mut queue = VecDeque::from([start]);
        let mut out = Vec::new();
        while let Some(i) = queue.pop_front() {
            let d = depth[&i];
            if d >= k {
                continue;
            }
            for (m, _) in self.neighbours(i, walk) {
                if let std::collections::hash_map::Entry::Vacant(v) = depth.entry(m) {
                    v.insert(d + 1);
                    out.push((self.graph[m], d + 1));
                    queue.push_back(m);
                }
            }
        }
        out
    }

    /// Weakly connected components, largest first; nodes within each sorted.
    pub fn components(&self) -> Vec<Vec<Node>> {
        let mut uf = UnionFind::<usize>::new(self.graph.node_count());
        for e in self.graph.edge_references() {
            uf.union(e.source().index(), e.target().index());
        }
        let mut groups: HashMap<usize, Vec<Node>> = HashMap::new();
        for i in self.graph.node_indices() {
            groups.entry(uf.find(i.index())).or_default().push(self.graph[i]);
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
        let mut out: Vec<(Node, usize, usize)> = self
            .graph
            .node_indices()
            .map(|i| {
                let inc = self.graph.edges_directed(i, PgDirection::Incoming).count();
                let outg = self.graph.edges_directed(i, PgDirection::Outgoing).count();
                (self.graph[i], inc, outg)
            })
            .collect();
        out.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// PageRank (damping 0.85) after `iterations` rounds, highest first.
    pub fn page_rank(&self, iterations: usize) -> Vec<(Node, f64)> {
        let ranks = petgraph::algo::page_rank(&self.graph, 0.85_f64, iterations);
        let mut out: Vec<(Node, f64)> = self.graph.node_indices().map(|i| (self.graph[i], ranks[i.index()])).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}
