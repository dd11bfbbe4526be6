//! `explain`: a planned query's operators in words, the last first, each with the
//! rows it is estimated to produce (from the store's counts: how many nodes a scan
//! starts from, and the average number of relationships per node for each hop).

use std::fmt::Write as _;

use factgraph_store::Store;
use factgraph_syntax::ast::Arrow;

use super::compile::{AggFn, CExpr, NodeTest, Op, PathPlan, QueryPlan, RelTest, Scan};
use super::context::OpStats;
use super::value::{STATEMENT_LABEL, VALUE_LABEL};
use crate::error::Result;

/// What running a query did, operator by operator (`profile`).
type Done = rustc_hash::FxHashMap<usize, OpStats>;

/// The plan in words, one operator a line, indented under the one it feeds.
pub(crate) fn explain(store: &Store, plan: &QueryPlan) -> Result<String> {
    words(store, plan, None)
}

/// `explain` with what running the query did (`profile`): each operator's rows and its
/// own time beside the estimate, and the answer's rows and time.
pub(crate) fn profile(
    store: &Store,
    plan: &QueryPlan,
    done: &Done,
    answer: &super::result::QueryResult,
    took: std::time::Duration,
) -> Result<String> {
    let mut out = words(store, plan, Some(done))?;
    let answered = answer.rows.len();
    let _ = write!(out, "\n{answered} {} in {:.3} ms", if answered == 1 { "row" } else { "rows" }, ms(took));
    if let Some(note) = &answer.note {
        let _ = write!(out, "\n{note}");
    }
    Ok(out)
}

/// The plan in words, with what each operator did when `done` is given.
fn words(store: &Store, plan: &QueryPlan, done: Option<&Done>) -> Result<String> {
    let counts = store.counts()?;
    let nodes = counts.entities.max(1) as f64;
    let stats = Stats { store, nodes, per_node: counts.statements as f64 / nodes };
    let mut out = String::new();
    if !plan.columns.is_empty() {
        let cols: Vec<&str> = plan.columns.iter().map(|(n, _)| n.as_str()).collect();
        let _ = writeln!(out, "return {}", cols.join(", "));
    }
    let depth0 = usize::from(!plan.columns.is_empty());
    tree(&mut out, &stats, &plan.root, depth0, &plan.names, done)?;
    for (root, _) in &plan.unions {
        let _ = writeln!(out, "{}", if plan.union_distinct { "union (each row once)" } else { "union all" });
        tree(&mut out, &stats, root, depth0, &plan.names, done)?;
    }
    // A slot or path part the planner made for itself is named with a leading NUL
    // (`compile::HIDDEN`), which no one should see printed.
    Ok(out.trim_end().replace('\0', ""))
}

/// One query's operators, the last first, indented under the one each feeds, each
/// with its estimated rows and, under `profile`, what it did. An operator's own time
/// is its time less the time of the operators before it and of those after it with
/// its rows: `downstream(input) + inclusive - inclusive(input) - downstream`, the rows
/// it was handed having been its work too (see `context::OpStats`).
fn tree(
    out: &mut String,
    stats: &Stats<'_>,
    root: &Op,
    depth0: usize,
    names: &[String],
    done: Option<&Done>,
) -> Result<()> {
    let ops: Vec<&Op> = root.chain().collect();
    // Estimates run from the first operator to the last.
    let mut rows = Vec::with_capacity(ops.len());
    let mut estimate = 1.0f64;
    for op in ops.iter().rev() {
        estimate = stats.rows(op, estimate)?;
        rows.push(estimate);
    }
    rows.reverse();
    for (depth, (op, estimate)) in ops.iter().zip(rows).enumerate() {
        let indent = "  ".repeat(depth + depth0);
        let what = describe(op, names);
        let Some(done) = done else {
            let _ = writeln!(out, "{indent}{what} (about {})", round(estimate));
            continue;
        };
        let of = |op: &Op| done.get(&(op as *const Op as usize)).copied();
        let Some(s) = of(op) else {
            // Answered by the operator after it (a count of distinct ends), or never
            // reached (a limit that stopped first).
            let _ = writeln!(out, "{indent}{what} (not run; about {})", round(estimate));
            continue;
        };
        // The nearest operator before it that ran: one between may have been answered
        // for by this one (a count over `unwind sources(r)` reads the match itself).
        let own = match ops[depth + 1..].iter().find_map(|input| of(input)) {
            Some(i) => (i.downstream + s.inclusive).saturating_sub(i.inclusive + s.downstream),
            None => s.inclusive.saturating_sub(s.downstream),
        };
        let _ = writeln!(out, "{indent}{what} (rows {}, about {}; {:.3} ms)", s.rows, round(estimate), ms(own));
    }
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round(x: f64) -> String {
    if x < 10.0 {
        format!("{}", x.round().max(if x > 0.0 { 1.0 } else { 0.0 }) as u64)
    } else {
        let digits = x.log10().floor() as i32 - 1;
        let unit = 10f64.powi(digits.max(0));
        format!("{}", ((x / unit).round() * unit) as u64)
    }
}

struct Stats<'s> {
    store: &'s Store,
    nodes: f64,
    per_node: f64,
}

impl Stats<'_> {
    fn rows(&self, op: &Op, input: f64) -> Result<f64> {
        Ok(match op {
            Op::Unit => 1.0,
            Op::Match { paths, optional, .. } => {
                let mut n = input;
                for p in paths {
                    n *= self.path(p)?;
                }
                if *optional {
                    n.max(input)
                } else {
                    n
                }
            }
            Op::Unwind { .. } => input * 10.0,
            // A procedure with no outputs passes each row on once.
            Op::Call { procedure, .. } if procedure.outputs().is_empty() => input,
            Op::Call { filter, .. } => input * 10.0 / if filter.is_some() { 2.0 } else { 1.0 },
            Op::Filter { .. } => input / 2.0,
            Op::Project { .. }
            | Op::Sort { .. }
            | Op::Create { .. }
            | Op::Merge { .. }
            | Op::Update { .. }
            | Op::Delete { .. } => input,
            Op::Aggregate { keys, .. } if keys.is_empty() => 1.0,
            Op::Aggregate { .. } | Op::Distinct { .. } => (input / 2.0).max(1.0_f64.min(input)),
            Op::Skip { .. } => input,
            Op::Limit { n: CExpr::Const(super::value::Val::Int(n)), .. } => input.min(*n as f64),
            Op::Limit { .. } => input,
        })
    }

    /// Rows one path makes per input row.
    fn path(&self, p: &PathPlan) -> Result<f64> {
        let start = match &p.scan {
            Scan::Bound(_) => 1.0,
            Scan::Name(name) => self.store.lookup(name)?.len() as f64,
            // Statement and value nodes are no kind: at most one per statement.
            Scan::Kind(k) if k == STATEMENT_LABEL || k == VALUE_LABEL => self.store.counts()?.statements as f64,
            Scan::Kind(k) => self.store.entities_of_kind(k)?.len() as f64,
            Scan::Relation(types, _) => {
                let mut n = 0;
                for t in types {
                    n += self.store.statements_with_relation(t)?.len();
                }
                n as f64
            }
            Scan::All => self.nodes,
        };
        let mut rows = start;
        for (rel, _) in p.right.iter().chain(&p.left) {
            rows *= self.hop(rel)?;
        }
        Ok(rows)
    }

    fn hop(&self, r: &RelTest) -> Result<f64> {
        let mut per_node = if r.types.is_empty() {
            self.per_node
        } else {
            let mut n = 0;
            for t in &r.types {
                n += self.store.statements_with_relation(t)?.len();
            }
            n as f64 / self.nodes
        };
        if r.arrow == Arrow::Either {
            per_node *= 2.0;
        }
        Ok(match r.length {
            None => per_node,
            Some((min, max)) => {
                let max = max.min(min + 3);
                (min..=max).map(|k| per_node.powi(k as i32)).sum()
            }
        })
    }
}

fn describe(op: &Op, names: &[String]) -> String {
    // A slot the planner made for itself is named with a leading NUL (`compile::HIDDEN`),
    // which no one should see printed.
    let name =
        |s: &usize| names.get(*s).map(|n| n.trim_start_matches('\0').to_owned()).unwrap_or_else(|| format!("#{s}"));
    match op {
        Op::Unit => "one empty row".into(),
        Op::Match { optional, paths, filter, .. } => {
            let mut out = String::from(if *optional { "optional match" } else { "match" });
            for (i, p) in paths.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { "; then " });
                path(&mut out, p, names);
            }
            if let Some(f) = filter {
                out.push_str(", keeping rows where ");
                cexpr(&mut out, f, names);
            }
            out
        }
        Op::Unwind { expr, slot, .. } => {
            let mut out = String::from("unwind ");
            cexpr(&mut out, expr, names);
            let _ = write!(out, " as {}", name(slot));
            out
        }
        Op::Call { procedure, args, outputs, filter, .. } => {
            let mut out = format!("call {}(", procedure.name());
            for (i, (a, _)) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cexpr(&mut out, a, names);
            }
            out.push(')');
            for (i, (field, slot)) in outputs.iter().enumerate() {
                out.push_str(if i == 0 { " yielding " } else { ", " });
                let field = procedure.outputs().get(*field).map_or("?", |(f, _)| f.as_str());
                let var = name(slot);
                out.push_str(field);
                if var != field {
                    let _ = write!(out, " as {var}");
                }
            }
            if let Some(f) = filter {
                out.push_str(", keeping rows where ");
                cexpr(&mut out, f, names);
            }
            out
        }
        Op::Filter { pred, .. } => {
            let mut out = String::from("keep rows where ");
            cexpr(&mut out, pred, names);
            out
        }
        Op::Project { items, .. } => {
            let mut out = String::from("compute ");
            for (i, (e, s)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let mut text = String::new();
                cexpr(&mut text, e, names);
                if text == name(s) {
                    out.push_str(&text);
                } else {
                    let _ = write!(out, "{} = {text}", name(s));
                }
            }
            out
        }
        Op::Aggregate { input, keys, aggs } => {
            let mut out = String::from("aggregate ");
            let parts: Vec<String> = aggs
                .iter()
                .map(|a| {
                    let f = match a.func {
                        AggFn::CountStar if name(&a.slot) == "count(*)" => return "count(*)".to_owned(),
                        AggFn::CountStar => return format!("{} = count(*)", name(&a.slot)),
                        AggFn::Count => "count",
                        AggFn::Collect => "collect",
                        AggFn::Min => "min",
                        AggFn::Max => "max",
                        AggFn::Sum => "sum",
                        AggFn::Avg => "avg",
                        AggFn::PercentileDisc => "percentileDisc",
                        AggFn::PercentileCont => "percentileCont",
                    };
                    let mut arg = String::new();
                    if let Some(e) = &a.arg {
                        cexpr(&mut arg, e, names);
                    }
                    if let Some(p) = &a.percentile {
                        arg.push_str(", ");
                        cexpr(&mut arg, p, names);
                    }
                    let text = format!("{f}({}{arg})", if a.distinct { "distinct " } else { "" });
                    if name(&a.slot) == text {
                        text
                    } else {
                        format!("{} = {text}", name(&a.slot))
                    }
                })
                .collect();
            out.push_str(&parts.join(", "));
            if super::compile::counts_sources(input, keys, aggs).is_some() {
                out.push_str(" by marking the names of each relationship's sources in the index of every");
                out.push_str(" statement's sources, no row built for each source (row by row under `according to`)");
            } else if super::compile::counts_ends(input, keys, aggs).is_some() {
                out.push_str(" by counting the ends the search finds, no row built for each");
                out.push_str(" (each trail is walked instead from a value node, or under `according to`)");
            } else if keys.is_empty() {
                out.push_str(" over all rows, streaming");
            } else {
                out.push_str(" grouped by ");
                let ks: Vec<String> = keys.iter().map(|(_, s)| name(s)).collect();
                out.push_str(&ks.join(", "));
            }
            out
        }
        Op::Distinct { slots, .. } => {
            format!("distinct {}", slots.iter().map(name).collect::<Vec<_>>().join(", "))
        }
        Op::Sort { keys, .. } => {
            let mut out = String::from("sort by ");
            for (i, (e, desc)) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cexpr(&mut out, e, names);
                if *desc {
                    out.push_str(" desc");
                }
            }
            out
        }
        Op::Skip { n, .. } => {
            let mut out = String::from("skip ");
            cexpr(&mut out, n, names);
            out
        }
        Op::Limit { n, .. } => {
            let mut out = String::from("limit ");
            cexpr(&mut out, n, names);
            out.push_str(", stopping what comes before");
            out
        }
        Op::Merge { create, .. } => {
            let mut out = String::from("merge ");
            if let Some(p) = create.paths.first() {
                super::compile::write_path(&mut out, p);
            }
            out.push_str(": its matches, or it created, row by row");
            out
        }
        Op::Update { items, .. } => {
            let mut out = String::from("set or remove ");
            for (i, u) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match u {
                    super::compile::Update::Property { target, key, value, .. } => {
                        cexpr(&mut out, target, names);
                        let _ = write!(out, ".{key}");
                        if value.is_none() {
                            out.push_str(" (removed)");
                        }
                    }
                    super::compile::Update::Properties { target, replace, .. } => {
                        out.push_str(if *replace { "every property of " } else { "properties of " });
                        cexpr(&mut out, target, names);
                    }
                    super::compile::Update::Labels { target, labels, add, .. } => {
                        out.push_str(if *add { "labels " } else { "labels (removed) " });
                        let _ = write!(out, "{} of ", labels.join(":"));
                        cexpr(&mut out, target, names);
                    }
                }
            }
            out.push_str(", after reading every row, in one transaction");
            out
        }
        Op::Delete { detach, exprs, .. } => {
            let mut out = String::from(if *detach { "detach delete " } else { "delete " });
            for (i, (e, _)) in exprs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cexpr(&mut out, e, names);
            }
            out.push_str(", after reading every row, in one transaction");
            out
        }
        Op::Create { plan, .. } => {
            let mut out = String::from("create ");
            for (i, p) in plan.paths.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                super::compile::write_path(&mut out, p);
            }
            out.push_str(", once per row, after reading every row");
            out
        }
    }
}

fn path(out: &mut String, p: &PathPlan, names: &[String]) {
    out.push_str(&p.text);
    let who = |t: &NodeTest| t.var.clone().unwrap_or_else(|| "a node".into());
    let _ = match &p.scan {
        Scan::Bound(s) => write!(out, ", from {} as bound", names.get(*s).map_or("?", String::as_str)),
        Scan::Name(n) => write!(out, ", starting at {} by the name {n:?}", who(&p.anchor)),
        Scan::Kind(k) if k == STATEMENT_LABEL => {
            write!(out, ", starting at {} among the statements others are about", who(&p.anchor))
        }
        Scan::Kind(k) if k == VALUE_LABEL => write!(out, ", starting at {} among the value nodes", who(&p.anchor)),
        Scan::Kind(k) => write!(out, ", starting at {} among the {k} entities", who(&p.anchor)),
        Scan::Relation(types, _) => {
            write!(out, ", starting at {} among the ends of {} statements", who(&p.anchor), types.join("|"))
        }
        Scan::All => write!(out, ", starting at {} among all nodes", who(&p.anchor)),
    };
    if !p.left.is_empty() {
        out.push_str(if p.right.is_empty() { ", walking left" } else { ", walking right then left" });
    }
    if p.right.iter().chain(&p.left).any(|(r, _)| r.distinct_ends) {
        out.push_str(", its distinct ends by one breadth-first search");
    }
}

fn cexpr(out: &mut String, e: &CExpr, names: &[String]) {
    // A slot the planner made for itself is named with a leading NUL (`compile::HIDDEN`),
    // which no one should see printed.
    let name =
        |s: &usize| names.get(*s).map(|n| n.trim_start_matches('\0').to_owned()).unwrap_or_else(|| format!("#{s}"));
    let two = |out: &mut String, a: &CExpr, op: &str, b: &CExpr| {
        out.push('(');
        cexpr(out, a, names);
        let _ = write!(out, " {op} ");
        cexpr(out, b, names);
        out.push(')');
    };
    match e {
        CExpr::Const(v) => {
            let _ = match v {
                super::value::Val::Str(s) => write!(out, "{s:?}"),
                super::value::Val::Null => write!(out, "null"),
                super::value::Val::Int(i) => write!(out, "{i}"),
                super::value::Val::Float(x) => write!(out, "{x:?}"),
                super::value::Val::Bool(b) => write!(out, "{b}"),
                other => write!(out, "{other:?}"),
            };
        }
        CExpr::Slot(s) => out.push_str(&name(s)),
        CExpr::Prop(base, k) => {
            cexpr(out, base, names);
            let _ = write!(out, ".{k}");
        }
        CExpr::Not(a) => {
            out.push_str("not ");
            cexpr(out, a, names);
        }
        CExpr::And(a, b) => two(out, a, "and", b),
        CExpr::Or(a, b) => two(out, a, "or", b),
        CExpr::Xor(a, b) => two(out, a, "xor", b),
        CExpr::Compare(op, a, b) => {
            let sym = match op {
                factgraph_syntax::ast::CompareOp::Eq => "=",
                factgraph_syntax::ast::CompareOp::Ne => "<>",
                factgraph_syntax::ast::CompareOp::Lt => "<",
                factgraph_syntax::ast::CompareOp::Le => "<=",
                factgraph_syntax::ast::CompareOp::Gt => ">",
                factgraph_syntax::ast::CompareOp::Ge => ">=",
                factgraph_syntax::ast::CompareOp::StartsWith => "starts with",
                factgraph_syntax::ast::CompareOp::EndsWith => "ends with",
                factgraph_syntax::ast::CompareOp::Contains => "contains",
                factgraph_syntax::ast::CompareOp::In => "in",
                factgraph_syntax::ast::CompareOp::Named => "named",
            };
            two(out, a, sym, b)
        }
        CExpr::IsNull(a, negated) => {
            cexpr(out, a, names);
            out.push_str(if *negated { " is not null" } else { " is null" });
        }
        CExpr::Arith(op, a, b, _) => two(out, a, op.symbol(), b),
        CExpr::Neg(a, _) => {
            out.push('-');
            cexpr(out, a, names);
        }
        CExpr::List(items) | CExpr::Call(_, items, _) => {
            if let CExpr::Call(f, ..) = e {
                out.push_str(f);
                out.push('(');
            } else {
                out.push('[');
            }
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cexpr(out, x, names);
            }
            out.push(if matches!(e, CExpr::Call(..)) { ')' } else { ']' });
        }
        CExpr::Pattern(p) => {
            let texts: Vec<&str> = p.plan.paths.iter().map(|path| path.text.as_str()).collect();
            out.push_str(if p.map.is_some() { "[" } else { "exists { " });
            out.push_str(&texts.join(", "));
            if let Some(f) = p.plan.filter.as_ref().or(p.plan.after.as_ref()) {
                out.push_str(" where ");
                cexpr(out, f, names);
            }
            match &p.map {
                Some(m) => {
                    out.push_str(" | ");
                    cexpr(out, m, names);
                    out.push(']');
                }
                None => out.push_str(" }"),
            }
        }
        CExpr::Subquery(plan) => {
            // Each query's operators in the order they run, the first (the row it
            // starts from) left out.
            let queries: Vec<String> = plan
                .parts
                .iter()
                .map(|(op, _)| {
                    let steps: Vec<String> =
                        op.chain().filter(|o| !matches!(o, Op::Unit)).map(|o| describe(o, names)).collect();
                    steps.iter().rev().map(String::as_str).collect::<Vec<_>>().join("; then ")
                })
                .collect();
            let union = if plan.distinct { " union " } else { " union all " };
            let _ = write!(out, "{} {{ {} }}", plan.kind.word(), queries.join(union));
        }
        CExpr::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k}: ");
                cexpr(out, v, names);
            }
            out.push('}');
        }
        CExpr::Index(a, i, _) => {
            cexpr(out, a, names);
            out.push('[');
            cexpr(out, i, names);
            out.push(']');
        }
        CExpr::Slice(a, f, t, _) => {
            cexpr(out, a, names);
            out.push('[');
            if let Some(f) = f {
                cexpr(out, f, names);
            }
            out.push_str("..");
            if let Some(t) = t {
                cexpr(out, t, names);
            }
            out.push(']');
        }
        CExpr::HasLabels(a, labels) => {
            cexpr(out, a, names);
            for l in labels {
                let _ = write!(out, ":{l}");
            }
        }
        CExpr::Path(parts) => {
            out.push_str("path(");
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let (super::compile::PathPart::Node(s)
                | super::compile::PathPart::Rel(s)
                | super::compile::PathPart::Rels(s)) = p;
                out.push_str(names.get(*s).map_or("?", String::as_str).trim_start());
            }
            out.push(')');
        }
        CExpr::Case(subject, arms, otherwise) => {
            out.push_str("case");
            if let Some(x) = subject {
                out.push(' ');
                cexpr(out, x, names);
            }
            for (w, t) in arms {
                out.push_str(" when ");
                cexpr(out, w, names);
                out.push_str(" then ");
                cexpr(out, t, names);
            }
            if let Some(o) = otherwise {
                out.push_str(" else ");
                cexpr(out, o, names);
            }
            out.push_str(" end");
        }
        CExpr::Quantifier { kind, slot, list, pred } => {
            let _ = write!(out, "{}({} in ", kind.word(), name(slot));
            cexpr(out, list, names);
            out.push_str(" where ");
            cexpr(out, pred, names);
            out.push(')');
        }
        CExpr::ListComp { slot, list, filter, map } => {
            let _ = write!(out, "[{} in ", name(slot));
            cexpr(out, list, names);
            if let Some(f) = filter {
                out.push_str(" where ");
                cexpr(out, f, names);
            }
            if let Some(m) = map {
                out.push_str(" | ");
                cexpr(out, m, names);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_rounded_to_two_digits() {
        assert_eq!(round(0.0), "0");
        assert_eq!(round(0.4), "1");
        assert_eq!(round(7.4), "7");
        assert_eq!(round(1234.0), "1200");
        assert_eq!(round(98765.0), "99000");
    }
}
