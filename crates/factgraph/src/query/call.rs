//! Running a procedure for one row of a `call`: its arguments checked against its
//! inputs, its body (or the graph's own procedure) run, and its rows checked against
//! its outputs before any reaches the query.

use factgraph_store::Value;
use factgraph_syntax::ast::Span;

use super::context::Ctx;
use super::value::{from_value, Val};
use crate::error::{QueryError, Result};
use crate::procedure::{Procedure, Run};
use crate::Param;

/// The rows `procedure` gives for `args` (evaluated, one per input, each with where
/// it is written), each with one value per output. The rows a body gives are held
/// while the call's row flows on, so their bytes count against the query's memory
/// budget until the caller lets go of them (`Ctx::release` of the bytes returned).
pub(crate) fn rows(
    ctx: &mut Ctx<'_>,
    procedure: &Procedure,
    args: Vec<(Val, Span)>,
    span: Span,
) -> Result<(Vec<Vec<Val>>, usize)> {
    let mut given = Vec::with_capacity(args.len());
    for ((v, at), (input, t)) in args.into_iter().zip(procedure.inputs()) {
        let found = v.kind();
        let Some(p) = to_param(v) else {
            return Err(QueryError::TypeMismatch {
                what: format!("the argument `{input}` of `{}`", procedure.name()),
                expected: "a value (procedures take no nodes, relationships or paths)".into(),
                found: found.into(),
                span: at,
            }
            .into());
        };
        let Some(p) = t.admit(p) else {
            return Err(QueryError::TypeMismatch {
                what: format!("the argument `{input}` of `{}`", procedure.name()),
                expected: format!("{t} (or null)"),
                found: found.into(),
                span: at,
            }
            .into());
        };
        given.push(p);
    }
    let failed = |message: String| -> crate::Error {
        QueryError::ProcedureFailed { procedure: procedure.name().to_owned(), message, span }.into()
    };
    let rows: Vec<Vec<Param>> = match procedure.run() {
        // A body that panics fails the query, not the process (nor a server's thread).
        Run::Rows(body) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&given))) {
            Ok(rows) => rows.map_err(failed)?,
            Err(_) => return Err(failed("its body panicked".into())),
        },
        Run::Labels => {
            let mut labels: Vec<String> = ctx
                .store
                .kinds()?
                .iter()
                // A node created without a label has the kind `Thing`, which is no
                // label (as `labels(n)` says); documents are the store's own, never a
                // query's nodes.
                .filter(|(kind, _)| kind != "Thing" && kind != factgraph_store::DOCUMENT_KIND)
                .flat_map(|(kind, _)| factgraph_store::kind_labels(kind).map(str::to_owned).collect::<Vec<_>>())
                .collect();
            labels.sort();
            labels.dedup();
            labels.into_iter().map(|l| vec![Param::from(l)]).collect()
        }
        Run::Listing(rows) => rows.as_ref().clone(),
        // Keys stay listed when their last value goes, as Neo4j's tokens do. A store
        // that does not keep them (past `MAX_PROPERTY_KEYS`, or made or last written
        // by an earlier version) is read whole for the keys in use.
        Run::PropertyKeys => match ctx.store.property_keys(false) {
            Some(keys) => keys.into_iter().map(|k| vec![Param::from(k)]).collect(),
            None => keys_in_use(ctx)?.into_iter().map(|k| vec![Param::from(k)]).collect(),
        },
        Run::RelationshipTypes => {
            let mut types = Vec::new();
            for relation in ctx.store.relations() {
                ctx.tick()?;
                // A relation whose statements are all deleted is no type any more.
                if !ctx.store.statements_with_relation(&relation)?.is_empty() {
                    types.push(vec![Param::from(relation)]);
                }
            }
            types
        }
    };
    let outputs = procedure.outputs();
    let mut out = Vec::with_capacity(rows.len());
    let mut bytes = 0;
    for (n, row) in rows.into_iter().enumerate() {
        ctx.tick()?;
        if row.len() != outputs.len() {
            return Err(failed(format!("its row {} has {} values for {} outputs", n + 1, row.len(), outputs.len())));
        }
        let mut vals = Vec::with_capacity(row.len());
        for (p, (output, t)) in row.into_iter().zip(outputs) {
            if holds_entity(&p) {
                return Err(failed(format!(
                    "its row {} gives the output `{output}` a node: procedures give values, not nodes",
                    n + 1
                )));
            }
            let Some(p) = t.admit(p) else {
                return Err(failed(format!("its row {} gives the output `{output}` a value that is not {t}", n + 1)));
            };
            vals.push(from_param(p));
        }
        let held = super::budget::row_bytes(&vals);
        ctx.hold(held, "the rows of a procedure")?;
        bytes += held;
        out.push(vals);
    }
    Ok((out, bytes))
}

/// Whether a procedure's value holds an entity anywhere (`Value::Entity`, which names
/// a node): the planner takes what a procedure gives for plain values.
fn holds_entity(p: &Param) -> bool {
    fn in_value(v: &Value) -> bool {
        match v {
            Value::Entity(_) => true,
            Value::List(items) => items.iter().any(in_value),
            _ => false,
        }
    }
    match p {
        Param::Value(v) => in_value(v),
        Param::List(items) => items.iter().any(holds_entity),
        Param::Map(entries) => entries.values().any(holds_entity),
        Param::Null => false,
    }
}

/// A value as a procedure takes it: `None` for a node, relationship or path, which
/// procedures do not take.
fn to_param(v: Val) -> Option<Param> {
    Some(match v {
        Val::Null => Param::Null,
        Val::Bool(b) => Param::Value(Value::Bool(b)),
        Val::Int(i) => Param::Value(Value::Int(i)),
        Val::Float(x) => Param::Value(Value::Float(x)),
        Val::Str(s) => Param::Value(Value::Str(s)),
        Val::Temporal(t) => Param::Value(super::temporal::to_stored(&t)),
        Val::List(items) => Param::List(items.into_iter().map(to_param).collect::<Option<_>>()?),
        Val::Map(entries) => {
            Param::Map(entries.into_iter().map(|(k, v)| Some((k, to_param(v)?))).collect::<Option<_>>()?)
        }
        Val::Node(_) | Val::ValueNode(_) | Val::Rel(_) | Val::Rels(_) | Val::Path(..) => return None,
    })
}

/// A procedure's value as the query holds it.
fn from_param(p: Param) -> Val {
    match p {
        Param::Null => Val::Null,
        Param::Value(v) => from_value(&v),
        Param::List(items) => Val::List(items.into_iter().map(from_param).collect()),
        Param::Map(entries) => Val::Map(entries.into_iter().map(|(k, v)| (k, from_param(v))).collect()),
    }
}

/// The property keys the store's entities (documents aside) and statements have now,
/// sorted: read from every record, for a store that does not keep them.
fn keys_in_use(ctx: &mut Ctx<'_>) -> Result<Vec<String>> {
    let mut keys = std::collections::BTreeSet::new();
    let store = ctx.store;
    for e in store.entities() {
        ctx.tick()?;
        let e = e?;
        if e.is_document() {
            continue;
        }
        let name = (!e.name.is_empty()).then_some("name");
        for key in name.into_iter().chain(e.properties.keys().map(String::as_str)) {
            if !keys.contains(key) {
                keys.insert(key.to_owned());
            }
        }
    }
    for st in store.statements() {
        ctx.tick()?;
        keys.extend(st?.qualifiers.into_keys());
    }
    Ok(keys.into_iter().collect())
}
