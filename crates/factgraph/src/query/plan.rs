//! The plan: a question with its names resolved against the store, ready to run.
//! `.explain` prints it.

use factgraph_store::{EntityId, Store};
use factgraph_syntax::ast::Question;

use super::context::Clock;
use super::resolve::{self, relation_stem};
use crate::error::{Error, QueryError, Restriction, Result};

/// What `who reported …` is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// An entity, by id (with its name for display).
    Entity(EntityId, String),
    /// A phrase matched against names, literal values and quotes.
    Phrase(String),
}

/// A resolved question or pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// Statements with `target` as object and one of `relations`: their subjects.
    Who {
        /// Relation names.
        relations: Vec<String>,
        /// The object.
        target: EntityId,
    },
    /// The sources credited with statements involving a target.
    WhoReported {
        /// The target.
        target: Target,
    },
    /// Statements with `subject` and one of `relations`: their objects.
    What {
        /// The subject.
        subject: EntityId,
        /// Relation names.
        relations: Vec<String>,
    },
    /// Everything about one entity.
    Describe(EntityId),
    /// A shortest path, either direction.
    Path {
        /// Start.
        from: EntityId,
        /// End.
        to: EntityId,
    },
    /// Entities within a depth.
    Neighbours {
        /// The centre.
        centre: EntityId,
        /// The depth.
        depth: usize,
    },
    /// The sources of statements involving an entity, each once.
    Sources(EntityId),
    /// Differences between versions of a claim, optionally about one entity: the
    /// disagreements only, or (`all`) every difference.
    Conflicts { all: bool, about: Option<EntityId> },
    /// Re-find every stored quote in its document.
    Verify,
    /// A plan restricted to what one source says.
    According {
        /// The source.
        source: EntityId,
        /// The restricted plan.
        plan: Box<Plan>,
    },
    /// The evidence behind each answer of a plan.
    Why(Box<Plan>),
    /// A plan that statements their sources deny or do not confirm answer too.
    IncludingNegated(Box<Plan>),
    /// An openCypher query, planned into operators.
    Query {
        /// The operators.
        plan: Box<super::compile::QueryPlan>,
        /// The text it came from, which the statements it creates quote.
        text: String,
    },
}

/// The questions planned lately, for the data as committed now (a `Store::derived`
/// slot: a commit through the store starts an empty one). Resolving a question's names
/// is a tenth of answering a point question, and a client asks the same ones again (a
/// server's, a benchmark's, a REPL's history), as a database's plan cache finds. Kept
/// by the text, the question's place in it and the query's depth limit; a text with
/// parameters is planned each time.
#[derive(Default)]
pub(crate) struct PlanCache {
    plans: std::sync::Mutex<std::collections::HashMap<String, Vec<Planned>>>,
}

/// A question's place in its text, the depth limit it was planned under, and its plan.
type Planned = (usize, usize, Plan);

/// Texts whose plans a store keeps at most, emptied when full.
const PLANNED_TEXTS: usize = 1024;

/// The longest text whose plans are kept: a point question is short.
const PLANNED_TEXT_MAX: usize = 4096;

/// The plan of question `q`, the `place`-th statement of `text` (`None`: a text with
/// parameters), from the plans kept for the data as committed now, else planned.
pub(crate) fn planned(store: &Store, q: &Question, place: usize, text: Option<&str>, clock: Clock<'_>) -> Result<Plan> {
    let Some(text) = text.filter(|t| t.len() <= PLANNED_TEXT_MAX) else { return plan_question(store, q, clock) };
    let cache = store.derived(|_| Ok(PlanCache::default()))?;
    let depth = clock.limits.max_depth;
    let lock = || cache.plans.lock().unwrap_or_else(|p| p.into_inner());
    let kept = lock()
        .get(text)
        .and_then(|plans| plans.iter().find(|(at, d, _)| *at == place && *d == depth).map(|(_, _, p)| p.clone()));
    if let Some(plan) = kept {
        clock.check()?;
        return Ok(plan);
    }
    // Only a plan is kept: an error (a name that resolves to nothing, or to several)
    // is met again, with what the store holds then.
    let plan = plan_question(store, q, clock)?;
    let mut plans = lock();
    if plans.len() >= PLANNED_TEXTS && !plans.contains_key(text) {
        plans.clear();
    }
    plans.entry(text.to_owned()).or_default().push((place, depth, plan.clone()));
    Ok(plan)
}

/// Resolves the names of a question, within the query's deadline.
pub(crate) fn plan_question(store: &Store, q: &Question, clock: Clock<'_>) -> Result<Plan> {
    clock.check()?;
    let planned = resolve_question(store, q, clock)?;
    clock.check()?;
    Ok(planned)
}

fn resolve_question(store: &Store, q: &Question, clock: Clock<'_>) -> Result<Plan> {
    let max_depth = clock.limits.max_depth;
    let mut s = store;
    Ok(match q {
        Question::Who { relation, target } => {
            if relation_stem(&relation.text) == "report" {
                if target.quoted && factgraph_store::normalize(&target.text).is_empty() {
                    return Err(QueryError::not_allowed(Restriction::PhraseWithoutWords, target.span).into());
                }
                let t = match resolve::entity(&mut s, target) {
                    Ok(e) => Target::Entity(e.id, e.name.clone()),
                    // A quoted phrase that names nothing is searched for in the text.
                    Err(Error::Query(QueryError::UnknownEntity { .. })) if target.quoted => {
                        Target::Phrase(target.text.clone())
                    }
                    // Only a reader's reading of it is ambiguous ("Mehr": a family
                    // name, or the start of "Mehr news agency"): no spelling has it,
                    // so it is a phrase too.
                    Err(Error::Query(QueryError::Ambiguous { .. }))
                        if target.quoted
                            && matches!(
                                resolve::stored(&mut s, target),
                                Err(Error::Query(QueryError::UnknownEntity { .. }))
                            ) =>
                    {
                        Target::Phrase(target.text.clone())
                    }
                    Err(e) => return Err(e),
                };
                Plan::WhoReported { target: t }
            } else {
                let e = resolve::entity(&mut s, target)?;
                Plan::Who { relations: resolve::relations(store, relation)?, target: e.id }
            }
        }
        Question::What { subject, relation } => {
            let e = resolve::entity(&mut s, subject)?;
            Plan::What { subject: e.id, relations: resolve::relations(store, relation)? }
        }
        // `who is X` asks what `describe` answers: who X is, by every spelling,
        // property and statement.
        Question::Describe(n) | Question::WhoIs(n) => Plan::Describe(resolve::entity(&mut s, n)?.id),
        Question::Path { from, to } => {
            Plan::Path { from: resolve::entity(&mut s, from)?.id, to: resolve::entity(&mut s, to)?.id }
        }
        Question::Neighbours { name, depth } => {
            let centre = resolve::entity(&mut s, name)?.id;
            let depth = match depth {
                None => 1,
                Some((d, span)) if *d as usize > max_depth || *d == 0 => {
                    return Err(QueryError::Limit {
                        what: format!("depth {d} is outside 1..={max_depth}"),
                        limit: max_depth as u64,
                        span: *span,
                    }
                    .into())
                }
                Some((d, _)) => *d as usize,
            };
            Plan::Neighbours { centre, depth }
        }
        Question::Sources(n) => Plan::Sources(resolve::entity(&mut s, n)?.id),
        Question::Conflicts { all, about } => Plan::Conflicts {
            all: *all,
            about: match about {
                Some(n) => Some(resolve::entity(&mut s, n)?.id),
                None => None,
            },
        },
        Question::Verify => Plan::Verify,
        Question::According { source, question } => Plan::According {
            source: resolve::entity(&mut s, source)?.id,
            plan: Box::new(plan_question(store, question, clock)?),
        },
        Question::Why(q) => Plan::Why(Box::new(plan_question(store, q, clock)?)),
        Question::IncludingNegated(q) => Plan::IncludingNegated(Box::new(plan_question(store, q, clock)?)),
    })
}
