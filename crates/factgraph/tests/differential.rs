//! Differential test of the pattern engine: random path patterns over random small
//! graphs, answered by the engine (which picks where a path starts, walks it in either
//! direction and searches breadth-first when only distinct ends matter) and by a naive
//! reference evaluator written here, which tries every start node and every trail left
//! to right. `count(*)`, `count(distinct y)` and `count(distinct y)` under
//! `where y <> x` must agree (the last two are counted from a breadth-first search's
//! ends, with no row per end, when the pattern is one variable-length step).

use std::collections::BTreeSet;

use factgraph::Graph;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct G {
    kinds: Vec<bool>,
    /// (from, type, to); type `false` is R, `true` is S.
    edges: Vec<(usize, bool, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dir {
    Right,
    Left,
    Either,
}

#[derive(Clone, Debug)]
struct Step {
    dir: Dir,
    /// None: any type; Some(t): that type only.
    ty: Option<bool>,
    /// None: one hop; Some((min, max)).
    len: Option<(usize, usize)>,
    /// The node after the step: a kind it must have, and whether it must be `n0`.
    kind: Option<bool>,
    named: bool,
}

#[derive(Clone, Debug)]
struct Pat {
    kind: Option<bool>,
    named: bool,
    steps: Vec<Step>,
}

fn kind(b: bool) -> &'static str {
    if b {
        "B"
    } else {
        "A"
    }
}

fn ty(b: bool) -> &'static str {
    if b {
        "S"
    } else {
        "R"
    }
}

fn graph() -> impl Strategy<Value = G> {
    (2usize..7).prop_flat_map(|n| {
        (prop::collection::vec(any::<bool>(), n), prop::collection::vec((0..n, any::<bool>(), 0..n), 0..10))
            .prop_map(|(kinds, edges)| G { kinds, edges })
    })
}

fn pattern() -> impl Strategy<Value = Pat> {
    let step = (
        prop_oneof![Just(Dir::Right), Just(Dir::Left), Just(Dir::Either)],
        prop::option::of(any::<bool>()),
        prop::option::of((0usize..3, 0usize..3).prop_map(|(a, b)| (a.min(b), a.max(b).max(1)))),
        prop::option::of(any::<bool>()),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(dir, ty, len, kind, named)| Step { dir, ty, len, kind, named });
    (prop::option::of(any::<bool>()), prop::bool::weighted(0.2), prop::collection::vec(step, 1..4))
        .prop_map(|(kind, named, steps)| Pat { kind, named, steps })
}

fn node_text(var: &str, kind_: Option<bool>, named: bool) -> String {
    let mut s = format!("({var}");
    if let Some(k) = kind_ {
        s.push(':');
        s.push_str(kind(k));
    }
    if named {
        s.push_str(" {name: 'n0'}");
    }
    s.push(')');
    s
}

fn query(p: &Pat, ret: &str) -> String {
    query_where(p, None, ret)
}

fn query_where(p: &Pat, filter: Option<&str>, ret: &str) -> String {
    let mut q = format!("match {}", node_text("x", p.kind, p.named));
    for (i, s) in p.steps.iter().enumerate() {
        let mut rel = String::from("[");
        if let Some(t) = s.ty {
            rel.push(':');
            rel.push_str(ty(t));
        }
        if let Some((a, b)) = s.len {
            rel.push_str(&format!("*{a}..{b}"));
        }
        rel.push(']');
        q.push_str(&match s.dir {
            Dir::Right => format!("-{rel}->"),
            Dir::Left => format!("<-{rel}-"),
            Dir::Either => format!("-{rel}-"),
        });
        let var = if i + 1 == p.steps.len() { "y".to_owned() } else { format!("m{i}") };
        q.push_str(&node_text(&var, s.kind, s.named));
    }
    match filter {
        Some(f) => format!("{q} where {f} return {ret}"),
        None => format!("{q} return {ret}"),
    }
}

/// The edges a step can take from `u`: (edge index, far node).
fn hops(g: &G, u: usize, dir: Dir, t: Option<bool>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, &(a, et, b)) in g.edges.iter().enumerate() {
        if t.is_some_and(|t| t != et) {
            continue;
        }
        match dir {
            Dir::Right if a == u => out.push((i, b)),
            Dir::Left if b == u => out.push((i, a)),
            Dir::Either if a == u => out.push((i, b)),
            // A self-loop is one relationship, taken once.
            Dir::Either if b == u && a != u => out.push((i, a)),
            _ => {}
        }
    }
    out
}

fn fits(g: &G, n: usize, k: Option<bool>, named: bool) -> bool {
    k.is_none_or(|k| g.kinds[n] == k) && (!named || n == 0)
}

/// Every binding, as (start node, end node): one per distinct sequence of
/// relationships.
fn reference(g: &G, p: &Pat) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for start in 0..g.kinds.len() {
        if fits(g, start, p.kind, p.named) {
            let mut ends = Vec::new();
            go(g, &p.steps, start, &mut Vec::new(), &mut ends);
            out.extend(ends.into_iter().map(|e| (start, e)));
        }
    }
    out
}

fn go(g: &G, steps: &[Step], at: usize, used: &mut Vec<usize>, out: &mut Vec<usize>) {
    let Some((s, rest)) = steps.split_first() else {
        out.push(at);
        return;
    };
    let (min, max) = s.len.unwrap_or((1, 1));
    // Every trail of min..=max relationships from `at`.
    fn trails(g: &G, s: &Step, rest: &[Step], at: usize, depth: usize, used: &mut Vec<usize>, out: &mut Vec<usize>) {
        let (min, max) = s.len.unwrap_or((1, 1));
        if depth >= min && fits(g, at, s.kind, s.named) {
            go(g, rest, at, used, out);
        }
        if depth == max {
            return;
        }
        for (e, next) in hops(g, at, s.dir, s.ty) {
            if used.contains(&e) {
                continue;
            }
            used.push(e);
            trails(g, s, rest, next, depth + 1, used, out);
            used.pop();
        }
    }
    let _ = (min, max);
    trails(g, s, rest, at, 0, used, out);
}

fn load(g: &G) -> Graph {
    let graph = Graph::in_memory().unwrap();
    let mut parts: Vec<String> =
        g.kinds.iter().enumerate().map(|(i, k)| format!("(n{i}:{} {{name: 'n{i}'}})", kind(*k))).collect();
    for (a, t, b) in &g.edges {
        parts.push(format!("(n{a})-[:{}]->(n{b})", ty(*t)));
    }
    graph.query(&format!("create {}", parts.join(", "))).unwrap();
    graph
}

fn answer(graph: &Graph, q: &str) -> i64 {
    let r = graph.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    r[0].rows[0].cells[0].as_int().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_and_the_reference_count_the_same(g in graph(), p in pattern()) {
        let graph = load(&g);
        let expected = reference(&g, &p);
        let q = query(&p, "count(*)");
        prop_assert_eq!(answer(&graph, &q), expected.len() as i64, "{}", q);
        let distinct: BTreeSet<usize> = expected.iter().map(|&(_, e)| e).collect();
        let q = query(&p, "count(distinct y)");
        prop_assert_eq!(answer(&graph, &q), distinct.len() as i64, "{}", q);
        let others: BTreeSet<usize> = expected.iter().filter(|(s, e)| s != e).map(|&(_, e)| e).collect();
        for filter in ["y <> x", "x <> y"] {
            let q = query_where(&p, Some(filter), "count(distinct y)");
            prop_assert_eq!(answer(&graph, &q), others.len() as i64, "{}", q);
        }
    }
}
