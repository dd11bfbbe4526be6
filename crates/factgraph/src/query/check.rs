//! Compile-time checks of a pattern query: what can be known wrong from the text
//! alone is an error before the query touches the store, whatever the store holds.
//! Variables (bound by `match`, a node or a relationship, never both), functions (known,
//! with the right number of arguments), aggregates (only in `return`, never nested).

use std::collections::HashMap;

use factgraph_syntax::ast::{Expr, ExprKind, Pattern, Span};

use super::pattern::{is_aggregate, near_functions, AGGREGATES};
use crate::error::{QueryError, Restriction, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Node,
    Relationship,
}

impl Bound {
    fn name(self) -> &'static str {
        match self {
            Bound::Node => "a node",
            Bound::Relationship => "a relationship",
        }
    }
}

/// Checks a pattern query; `Ok` when nothing in its text is wrong.
pub(crate) fn pattern<'p>(p: &'p Pattern) -> Result<()> {
    let mut vars: HashMap<&str, Bound> = HashMap::new();
    let mut bind = |name: &'p str, as_: Bound, span: Span| -> Result<()> {
        match vars.get(name) {
            Some(&was) if was != as_ => {
                Err(QueryError::VariableTypeConflict { name: name.to_owned(), was: was.name(), now: as_.name(), span }
                    .into())
            }
            Some(_) => Ok(()),
            None => {
                vars.insert(name, as_);
                Ok(())
            }
        }
    };
    for path in &p.paths {
        let nodes = std::iter::once(&path.start).chain(path.steps.iter().map(|(_, n)| n));
        for n in nodes {
            if let Some(v) = &n.var {
                bind(&v.text, Bound::Node, n.span)?;
            }
        }
        for (r, _) in &path.steps {
            if let Some(v) = &r.var {
                bind(&v.text, Bound::Relationship, r.span)?;
            }
        }
    }
    let defined = |name: &str| vars.contains_key(name);
    if let Some(f) = &p.filter {
        expr(f, &defined, Place::Where)?;
    }
    for r in &p.returns {
        expr(&r.expr, &defined, Place::Return)?;
    }
    // `order by` sees the match's variables and the returned columns' aliases.
    let aliases: Vec<&str> = p.returns.iter().filter_map(|r| r.alias.as_ref().map(|a| a.text.as_str())).collect();
    let defined_or_alias = |name: &str| defined(name) || aliases.contains(&name);
    for s in &p.order {
        let returned = p.returns.iter().any(|r| r.expr == s.expr);
        expr(&s.expr, &defined_or_alias, if returned { Place::Return } else { Place::OrderBy })?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Where,
    Return,
    OrderBy,
}

fn expr(e: &Expr, defined: &dyn Fn(&str) -> bool, place: Place) -> Result<()> {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Null => Ok(()),
        ExprKind::Var(v) | ExprKind::Property(v, _) => {
            if defined(v) {
                Ok(())
            } else {
                Err(QueryError::UndefinedVariable { name: v.clone(), span: e.span }.into())
            }
        }
        ExprKind::Not(a) | ExprKind::IsNull { expr: a, .. } | ExprKind::Neg(a) => expr(a, defined, place),
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
            expr(a, defined, place)?;
            expr(b, defined, place)
        }
        ExprKind::List(items) => items.iter().try_for_each(|i| expr(i, defined, place)),
        ExprKind::CountStar => match place {
            Place::Return => Ok(()),
            _ => Err(QueryError::not_allowed(Restriction::CountStarOutsideReturn, e.span).into()),
        },
        ExprKind::Call { name, args, .. } => {
            if AGGREGATES.contains(&name.as_str()) {
                if place != Place::Return {
                    let rule = Restriction::AggregateOutsideReturn { function: name.clone() };
                    return Err(QueryError::not_allowed(rule, e.span).into());
                }
                if args.iter().any(is_aggregate) {
                    return Err(QueryError::not_allowed(Restriction::NestedAggregate, e.span).into());
                }
            } else if !crate::vocabulary::FUNCTIONS.contains(&name.as_str()) {
                return Err(QueryError::UnknownFunction {
                    name: name.clone(),
                    span: e.span,
                    suggestions: near_functions(name),
                }
                .into());
            }
            // Every function but coalesce takes one argument.
            let fits = if name == "coalesce" { !args.is_empty() } else { args.len() == 1 };
            if !fits {
                return Err(QueryError::ArgumentCount { function: name.clone(), expected: 1, span: e.span }.into());
            }
            // Inside an aggregate, the rows' values are read: no aggregate there.
            let inner = if AGGREGATES.contains(&name.as_str()) { Place::Where } else { place };
            args.iter().try_for_each(|a| match &a.kind {
                ExprKind::Call { name: n, .. } if AGGREGATES.contains(&n.as_str()) => {
                    Err(QueryError::not_allowed(Restriction::NestedAggregate, a.span).into())
                }
                _ => expr(a, defined, inner),
            })
        }
    }
}
