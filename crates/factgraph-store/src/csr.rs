//! An in-memory adjacency of the whole graph in compressed sparse rows, built once
//! from the adjacency index and cached until the next commit. Traversals that touch a
//! large part of the graph (k-hop neighbourhoods, shortest paths) run on it instead of
//! reading sled node by node.
//!
//! Each node's neighbours are listed once per statement, in both directions (the
//! traversals here ignore direction), with the statement that joins them. A statement
//! that other statements are about is also a node, joined to its subject and object. Building it
//! reads every adjacency block: O(V + E) time, about 12 bytes per edge end of memory.

use std::collections::{HashMap, VecDeque};

use crate::error::Result;
use crate::model::{Node, StatementId};
use crate::store::Store;

/// The cached adjacency; see the module docs.
#[derive(Debug, Default)]
pub struct Csr {
    nodes: Vec<Node>,
    index: HashMap<Node, u32>,
    offsets: Vec<u32>,
    targets: Vec<u32>,
    via: Vec<u64>,
}

impl Csr {
    /// Builds from the store's adjacency index (out-lists only; each statement is
    /// entered at both its ends).
    pub fn build(store: &Store) -> Result<Csr> {
        let mut csr = Csr::default();
        let mut edges: Vec<(u32, u32, u64)> = Vec::new();
        for ((subject, _), entries) in store.all_adjacency(true)? {
            let s = csr.intern(subject);
            for a in entries {
                if let Some(o) = a.other.node() {
                    let o = csr.intern(o);
                    edges.push((s, o, a.sid));
                }
            }
        }
        // A statement that other statements are about is joined to its own subject and
        // object, so walks pass through what was said about a claim.
        let statement_nodes: Vec<(u32, StatementId)> = csr
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match n {
                Node::Statement(s) => Some((i as u32, *s)),
                Node::Entity(_) => None,
            })
            .collect();
        for (i, sid) in statement_nodes {
            if let Some(st) = store.stored_statement(sid)? {
                let s = csr.intern(st.subject);
                edges.push((s, i, sid.0));
                if let Some(o) = st.object.node() {
                    let o = csr.intern(o);
                    edges.push((i, o, sid.0));
                }
            }
        }
        let n = csr.nodes.len();
        let mut degree = vec![0u32; n + 1];
        for &(s, o, _) in &edges {
            degree[s as usize] += 1;
            degree[o as usize] += 1;
        }
        let mut offsets = vec![0u32; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let mut fill = offsets.clone();
        let total = offsets[n] as usize;
        let (mut targets, mut via) = (vec![0u32; total], vec![0u64; total]);
        for &(s, o, sid) in &edges {
            for (from, to) in [(s, o), (o, s)] {
                let at = fill[from as usize] as usize;
                targets[at] = to;
                via[at] = sid;
                fill[from as usize] += 1;
            }
        }
        csr.offsets = offsets;
        csr.targets = targets;
        csr.via = via;
        Ok(csr)
    }

    fn intern(&mut self, n: Node) -> u32 {
        if let Some(&i) = self.index.get(&n) {
            return i;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(n);
        self.index.insert(n, i);
        i
    }

    /// Nodes with at least one statement to another node.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn neighbours(&self, i: u32) -> impl Iterator<Item = (u32, u64)> + '_ {
        let (a, b) = (self.offsets[i as usize] as usize, self.offsets[i as usize + 1] as usize);
        self.targets[a..b].iter().copied().zip(self.via[a..b].iter().copied())
    }

    /// Every node at distance 1..=k from `n`, either direction, with its distance.
    pub fn within(&self, n: Node, k: usize) -> Vec<(Node, usize)> {
        let Some(&start) = self.index.get(&n) else { return Vec::new() };
        let mut depth = vec![u8::MAX; self.nodes.len()];
        depth[start as usize] = 0;
        let mut frontier = vec![start];
        let mut out = Vec::new();
        for d in 1..=k.min(254) {
            let mut next = Vec::new();
            for &i in &frontier {
                for (j, _) in self.neighbours(i) {
                    if depth[j as usize] == u8::MAX {
                        depth[j as usize] = d as u8;
                        next.push(j);
                        out.push((self.nodes[j as usize], d));
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

    /// A shortest path from `a` to `b` ignoring direction, at most `max_hops` long: the
    /// nodes and the statements between them. Breadth-first from both ends.
    pub fn shortest_path(&self, a: Node, b: Node, max_hops: usize) -> Option<(Vec<Node>, Vec<StatementId>)> {
        let (&s, &t) = (self.index.get(&a)?, self.index.get(&b)?);
        if s == t {
            return Some((vec![a], Vec::new()));
        }
        // parent[i] = (previous node, statement), per side.
        let mut parent_s: HashMap<u32, (u32, u64)> = HashMap::from([(s, (s, 0))]);
        let mut parent_t: HashMap<u32, (u32, u64)> = HashMap::from([(t, (t, 0))]);
        let (mut fs, mut ft) = (VecDeque::from([s]), VecDeque::from([t]));
        let mut hops = 0;
        while !fs.is_empty() && !ft.is_empty() && hops < max_hops {
            // Expand the smaller frontier by one level.
            let from_s = fs.len() <= ft.len();
            let (frontier, parents, others) =
                if from_s { (&mut fs, &mut parent_s, &parent_t) } else { (&mut ft, &mut parent_t, &parent_s) };
            let mut meet = None;
            for _ in 0..frontier.len() {
                let i = frontier.pop_front()?;
                for (j, sid) in self.neighbours(i) {
                    if parents.contains_key(&j) {
                        continue;
                    }
                    parents.insert(j, (i, sid));
                    if others.contains_key(&j) {
                        meet = Some(j);
                        break;
                    }
                    frontier.push_back(j);
                }
                if meet.is_some() {
                    break;
                }
            }
            hops += 1;
            if let Some(m) = meet {
                let mut left = vec![m];
                let mut left_st = Vec::new();
                let mut at = m;
                while at != s {
                    let (p, sid) = parent_s[&at];
                    left.push(p);
                    left_st.push(StatementId(sid));
                    at = p;
                }
                left.reverse();
                left_st.reverse();
                let mut at = m;
                while at != t {
                    let (p, sid) = parent_t[&at];
                    left.push(p);
                    left_st.push(StatementId(sid));
                    at = p;
                }
                return Some((left.into_iter().map(|i| self.nodes[i as usize]).collect(), left_st));
            }
        }
        None
    }
}

impl Store {
    /// The cached whole-graph adjacency, built on first use after each commit.
    pub fn csr(&self) -> Result<std::sync::Arc<Csr>> {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        if let Some(c) = self.derived.get::<Csr>(generation) {
            return Ok(c);
        }
        let built = std::sync::Arc::new(Csr::build(self)?);
        self.derived.set(generation, built.clone());
        Ok(built)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Evidence, NewStatement, OpenOptions, Properties};

    #[test]
    fn within_and_shortest_path_ignore_direction_and_follow_commits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db"), &OpenOptions::default()).unwrap();
        let mut tx = store.transaction().unwrap();
        let d = tx.create_document("d", Properties::new(), None).unwrap();
        let ids: Vec<_> = (0..5).map(|i| tx.create_entity(&format!("n{i}"), "Thing").unwrap()).collect();
        for (s, o) in [(0, 1), (2, 1), (2, 3)] {
            tx.add_statement(NewStatement::new(ids[s], "r", ids[o], Evidence::new(d, "q"))).unwrap();
        }
        tx.commit().unwrap();
        let c = store.csr().unwrap();
        assert_eq!(c.within(ids[0].into(), 1).len(), 1);
        assert_eq!(c.within(ids[0].into(), 3).len(), 3);
        let (nodes, statements) = c.shortest_path(ids[0].into(), ids[3].into(), 10).unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(statements.len(), 3);
        assert!(c.shortest_path(ids[0].into(), ids[3].into(), 2).is_none());
        assert!(c.shortest_path(ids[0].into(), ids[4].into(), 10).is_none());
        // A commit makes the cache stale.
        let mut tx = store.transaction().unwrap();
        tx.add_statement(NewStatement::new(ids[3], "r", ids[4], Evidence::new(d, "q"))).unwrap();
        tx.commit().unwrap();
        assert!(store.csr().unwrap().shortest_path(ids[0].into(), ids[4].into(), 10).is_some());
    }
}
