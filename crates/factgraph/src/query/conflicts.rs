//! The `conflicts` question: versions of one claim that sources tell differently,
//! each difference classified (`Class`), so that a reader sees which ones disagree and
//! which only word, hedge, date or attribute the same thing differently.
//!
//! Two kinds of group are found. Versions with the same subject and relation whose
//! objects or qualifiers differ (what one subject is said to have done, in several
//! versions), and versions with the same relation and object (or the same quoted
//! `words`) whose subjects are different agents (who is said to have done it). Each
//! pair of versions in a group is compared (up to `MAX_PARTNERS` for each version),
//! and a version's class is that of its strongest difference with another version. A group is a *disagreement*, which
//! `conflicts` shows without `all`, when one of its differences is a contradiction or
//! is left open by the texts (`Difference::open`).
//!
//! Numbers and dates keep the precision the text gives: a figure the text gives as a
//! range or vaguely ("more than 30", "dozens") and a date without its year ("January
//! 3") are stored as text in the source's words, and read here as what they allow
//! (`Quantity`, `When`), so that 36 and "more than 30" are compatible and 2020-01-03
//! and "January 3" differ only in precision.

use std::collections::{BTreeMap, BTreeSet};

use factgraph_store::{normalize, Direction, EntityId, Evidence, Node, Object, Statement, StatementId, Value};

use super::context::Ctx;
use crate::error::Result;
use crate::vocabulary::{MODALITY, POLARITY};

/// What kind a difference between two versions is, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// Both cannot be true as written.
    Contradiction,
    /// One source hedges, denies or puts in the future what another asserts.
    Modality,
    /// Another agent is said to have done or said it.
    Attribution,
    /// The same fact at another precision: a date and a day without its year, a place
    /// and the place it lies in.
    Precision,
    /// Different but compatible: a number inside a range, a detail one version adds.
    Compatible,
    /// The same claim in other words.
    Wording,
}

impl Class {
    /// The class as `conflicts` prints it.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Class::Contradiction => "contradiction",
            Class::Modality => "different modality",
            Class::Attribution => "different attribution",
            Class::Precision => "different precision",
            Class::Compatible => "compatible",
            Class::Wording => "different wording",
        }
    }
}

/// One difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Difference {
    pub class: Class,
    /// The texts leave it unsettled (a contradiction always is): shown by `conflicts`
    /// without `all`.
    pub open: bool,
    /// What differs, in a few words.
    pub note: String,
}

impl Difference {
    fn new(class: Class, note: impl Into<String>) -> Difference {
        Difference { class, open: class == Class::Contradiction, note: note.into() }
    }

    fn open(class: Class, note: impl Into<String>) -> Difference {
        Difference { class, open: true, note: note.into() }
    }

    /// Whether `self` says more than `other`: an open difference before a settled one,
    /// then the stronger class.
    fn outranks(&self, other: &Difference) -> bool {
        (!self.open, self.class) < (!other.open, other.class)
    }
}

/// The stronger of two differences (the first when they rank the same).
fn strongest(a: Option<Difference>, b: Difference) -> Difference {
    match a {
        Some(a) if !b.outranks(&a) => a,
        _ => b,
    }
}

/// One group: the versions of a claim, each with its strongest difference.
pub(crate) struct ConflictGroup {
    pub versions: Vec<(Statement, Difference)>,
    /// The versions differ in who is said to have done it (same relation and object,
    /// or the same quoted words); otherwise they share the subject.
    pub by_agent: bool,
}

impl ConflictGroup {
    /// A disagreement: one of its differences is a contradiction or left open.
    pub fn disagrees(&self) -> bool {
        self.versions.iter().any(|(_, d)| d.open)
    }

    /// Whether the group is about `n`: a subject of its versions, or the object of
    /// versions of one subject (what is told differently about it). In a difference of
    /// attribution the object is common ground, and only the agents are in question.
    pub fn is_about(&self, n: Node) -> bool {
        self.versions.iter().any(|(v, _)| v.subject == n || (!self.by_agent && v.object.node() == Some(n)))
    }
}

/// The entity kinds that can say or do something, whose versions are compared for
/// *who* is said to have done it.
const AGENTS: &[&str] = &["Person", "Organization", "Country"];

/// Groups `statements` into the differences between versions of a claim (see the
/// module doc). Statements about statements (`reported-by`, `told-to`, …) are
/// provenance, where many values are normal, and are left out. A group needs two
/// versions resting on disjoint sets of documents: one document stating two versions
/// is saying both. A version whose every quote another version already rests on is
/// one quote read twice, not a second source, and is left out. Without `all`, the
/// differences of attribution, which are never disagreements, are not looked for.
pub(crate) fn groups(ctx: &mut Ctx<'_>, statements: Vec<Statement>, all: bool) -> Result<Vec<ConflictGroup>> {
    let statements: Vec<Statement> =
        statements.into_iter().filter(|st| matches!(st.subject, Node::Entity(_))).collect();
    // What one subject is said to have done: the same subject and relation, and an
    // object of the same kind (so `also-killed 9` and `also-killed Abu Mahdi
    // al-Muhandis` are two facts). A statement as object is a claim of its own: two
    // different ones are two facts (two lists, two requests), never versions.
    let mut by_subject: BTreeMap<(Node, &str, String), Vec<usize>> = BTreeMap::new();
    // Who is said to have done it: the same relation and object, or the same quoted
    // words, with agents as subjects.
    let mut by_claim: BTreeMap<(&str, String), Vec<usize>> = BTreeMap::new();
    for (i, st) in statements.iter().enumerate() {
        ctx.tick()?;
        let object_kind = match &st.object {
            Object::Literal(_) => "literal".to_owned(),
            Object::Node(Node::Entity(e)) => ctx.entity(*e)?.kind.clone(),
            Object::Node(Node::Statement(s)) => format!("statement {s}"),
        };
        by_subject.entry((st.subject, &st.relation, object_kind)).or_default().push(i);
        if let Node::Entity(s) = st.subject {
            if all && AGENTS.contains(&ctx.entity(s)?.kind.as_str()) {
                by_claim.entry((&st.relation, object_key(&st.object))).or_default().push(i);
                if let Some(Value::Str(w)) = st.qualifiers.get("words") {
                    by_claim.entry((&st.relation, format!("words {}", normalize(w)))).or_default().push(i);
                }
            }
        }
    }
    let mut parts = Parts::default();
    let mut out = Vec::new();
    let pick = |ids: &[usize]| ids.iter().map(|&i| statements[i].clone()).collect::<Vec<_>>();
    for ids in by_subject.values().filter(|ids| ids.len() > 1) {
        if let Some(g) = group(ctx, pick(ids), false, &mut parts)? {
            out.push(g);
        }
    }
    let mut seen: BTreeSet<Vec<StatementId>> = BTreeSet::new();
    for ids in by_claim.values().filter(|ids| ids.len() > 1) {
        if let Some(g) = group(ctx, pick(ids), true, &mut parts)? {
            if seen.insert(g.versions.iter().map(|(v, _)| v.id).collect()) {
                out.push(g);
            }
        }
    }
    Ok(out)
}

/// A literal or node object as a key (values hold floats, which do not order).
fn object_key(o: &Object) -> String {
    match o {
        Object::Node(n) => format!("node {n}"),
        Object::Literal(v) => format!("{} {}", v.type_name(), normalize(&v.to_string())),
    }
}

/// How many versions each version is compared with, at most: a claim told in more
/// versions than this is a relation with many values (the signatories of a treaty)
/// more than one claim told differently, and comparing every pair would grow with the
/// square of the versions. Each version is compared with the first `MAX_PARTNERS`.
const MAX_PARTNERS: usize = 64;

/// What each entity is said to be part of or to lie in, read once per question.
type Parts = std::collections::HashMap<EntityId, Vec<EntityId>>;

/// The group the versions make, if any. `by_agent`: only versions with different
/// subjects are compared, for who is said to have done it.
fn group(
    ctx: &mut Ctx<'_>,
    versions: Vec<Statement>,
    by_agent: bool,
    parts: &mut Parts,
) -> Result<Option<ConflictGroup>> {
    let versions = one_reading_per_quote(versions);
    if versions.len() < 2 {
        return Ok(None);
    }
    let mut docs: Vec<BTreeSet<EntityId>> = Vec::new();
    for v in &versions {
        ctx.tick()?;
        docs.push(ctx.evidence(v)?.iter().map(|e| e.document).collect());
    }
    let mut found: Vec<Option<Difference>> = vec![None; versions.len()];
    let mut disjoint = false;
    for i in 0..versions.len().min(MAX_PARTNERS) {
        for j in i + 1..versions.len() {
            ctx.tick()?;
            let (a, b) = (&versions[i], &versions[j]);
            // One document stating two versions says both: two versions resting on the
            // same documents differ in nothing a source says, and are not compared.
            let apart = docs[i].is_disjoint(&docs[j]);
            if docs[i] == docs[j] {
                continue;
            }
            let d = if by_agent {
                if a.subject == b.subject || !apart || !same_details(a, b) {
                    continue;
                }
                Difference::new(Class::Attribution, format!("{} vs {}", node_name(ctx, a)?, node_name(ctx, b)?))
            } else {
                compare(ctx, a, b, parts)?
            };
            disjoint |= apart;
            found[i] = Some(strongest(found[i].take(), d.clone()));
            found[j] = Some(strongest(found[j].take(), d));
        }
    }
    if !disjoint {
        return Ok(None);
    }
    let versions: Vec<(Statement, Difference)> =
        versions.into_iter().zip(found).filter_map(|(v, d)| d.map(|d| (v, d))).collect();
    Ok((versions.len() >= 2).then_some(ConflictGroup { versions, by_agent }))
}

fn node_name(ctx: &mut Ctx<'_>, st: &Statement) -> Result<String> {
    match st.subject {
        Node::Entity(e) => Ok(ctx.entity_name(e)?.to_string()),
        Node::Statement(s) => Ok(s.to_string()),
    }
}

/// True when no qualifier other than the epistemic ones has two different values:
/// versions that differ only in who says it (one may add a detail).
fn same_details(a: &Statement, b: &Statement) -> bool {
    a.qualifiers.iter().all(|(k, v)| is_status(k) || b.qualifiers.get(k).is_none_or(|w| w == v))
}

fn is_status(key: &str) -> bool {
    key == MODALITY || key == POLARITY || key == "hedge"
}

/// Drops a version whose every piece of evidence quotes what a version with more
/// evidence already quotes from the same document: two readings of one quote are not
/// two sources telling it differently.
fn one_reading_per_quote(mut versions: Vec<Statement>) -> Vec<Statement> {
    let order: BTreeMap<StatementId, usize> = versions.iter().enumerate().map(|(i, v)| (v.id, i)).collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.evidence.len()));
    // The evidence of the versions kept, by document.
    let mut quoted: std::collections::HashMap<EntityId, Vec<Evidence>> = Default::default();
    let mut kept: Vec<Statement> = Vec::new();
    for v in versions {
        let covered = !v.evidence.is_empty()
            && v.evidence.iter().all(|e| quoted.get(&e.document).is_some_and(|f| f.iter().any(|f| same_quote(e, f))));
        if !covered {
            for e in &v.evidence {
                quoted.entry(e.document).or_default().push(e.clone());
            }
            kept.push(v);
        }
    }
    kept.sort_by_key(|v| order[&v.id]);
    kept
}

/// Two pieces of evidence from one place in one document: their spans overlap, or
/// (without spans) one quote contains the other.
fn same_quote(a: &Evidence, b: &Evidence) -> bool {
    if a.document != b.document {
        return false;
    }
    match (a.span, b.span) {
        (Some((s1, e1)), Some((s2, e2))) => s1 < e2 && s2 < e1,
        _ => {
            let (x, y) = (normalize(&a.quote), normalize(&b.quote));
            x.contains(&y) || y.contains(&x)
        }
    }
}

/// The difference between two versions with the same subject and relation: the class
/// of the strongest, with every aspect that differs in the note.
fn compare(ctx: &mut Ctx<'_>, a: &Statement, b: &Statement, parts: &mut Parts) -> Result<Difference> {
    let mut aspects: Vec<Difference> = Vec::new();
    if a.object != b.object {
        aspects.push(compare_objects(ctx, &a.object, &b.object, parts)?);
    }
    aspects.extend(compare_status(a, b));
    let keys: BTreeSet<&String> = a.qualifiers.keys().chain(b.qualifiers.keys()).collect();
    for k in keys {
        if is_status(k) {
            continue;
        }
        let mut d = match (a.qualifiers.get(k), b.qualifiers.get(k)) {
            (Some(x), Some(y)) if x == y => continue,
            // Two participants under one role differ as two objects do (a body and a
            // part of it, or two entities), and are told by name.
            (Some(Value::Entity(x)), Some(Value::Entity(y))) => {
                compare_objects(ctx, &Object::Node(Node::Entity(*x)), &Object::Node(Node::Entity(*y)), parts)?
            }
            (Some(x), Some(y)) => compare_values(x, y),
            _ => Difference::new(Class::Compatible, "a detail one adds"),
        };
        d.note = format!("{k}: {}", d.note);
        aspects.push(d);
    }
    aspects.sort_by_key(|d| (!d.open, d.class));
    let Some(first) = aspects.first() else {
        return Ok(Difference::new(Class::Wording, "the same claim"));
    };
    let notes: Vec<&str> = aspects.iter().map(|d| d.note.as_str()).collect();
    Ok(Difference { class: first.class, open: first.open, note: notes.join("; ") })
}

/// Modalities that tell of something done (hedged or not), against `announced`: still
/// to come.
const DONE: &[&str] = &["asserted", "reportedly", "allegedly"];

/// The difference in epistemic status (modality, polarity, hedge word), if any.
fn compare_status(a: &Statement, b: &Statement) -> Option<Difference> {
    let get = |st: &Statement, k: &str, default: &'static str| match st.qualifiers.get(k) {
        Some(Value::Str(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => default.to_owned(),
    };
    let (pa, pb) = (get(a, POLARITY, "affirmed"), get(b, POLARITY, "affirmed"));
    if pa != pb {
        let note = format!("{pa} vs {pb}");
        return Some(
            if [pa.as_str(), pb.as_str()].contains(&"affirmed") && [&pa, &pb].iter().any(|p| *p == "negated") {
                Difference::new(Class::Contradiction, note)
            } else {
                // Declining to confirm is not denying: the texts leave it open.
                Difference::open(Class::Modality, note)
            },
        );
    }
    let (ma, mb) = (get(a, MODALITY, "asserted"), get(b, MODALITY, "asserted"));
    if ma != mb {
        let tense = |x: &str, y: &str| x == "announced" && DONE.contains(&y);
        return Some(if tense(&ma, &mb) || tense(&mb, &ma) {
            // "had asked" and "will be asking" cannot both describe the same moment.
            Difference::open(Class::Modality, format!("done vs still to come ({ma} vs {mb})"))
        } else {
            Difference::new(Class::Modality, format!("{ma} vs {mb}"))
        });
    }
    (a.qualifiers.get("hedge") != b.qualifiers.get("hedge"))
        .then(|| Difference::new(Class::Wording, "another hedging word"))
}

/// The relations that make one entity a part of another, for whole against part.
const PART_OF: &[&str] = &["part-of", "located-in"];

fn compare_objects(ctx: &mut Ctx<'_>, a: &Object, b: &Object, parts: &mut Parts) -> Result<Difference> {
    Ok(match (a, b) {
        (Object::Literal(x), Object::Literal(y)) => compare_values(x, y),
        (Object::Node(Node::Entity(x)), Object::Node(Node::Entity(y))) => {
            let (ex, ey) = (ctx.entity(*x)?, ctx.entity(*y)?);
            let (part, whole) = if part_of(ctx, parts, *x, *y)? {
                (&ex.name, &ey.name)
            } else if part_of(ctx, parts, *y, *x)? {
                (&ey.name, &ex.name)
            } else {
                return Ok(Difference::new(Class::Contradiction, format!("{} vs {}", ex.name, ey.name)));
            };
            let note = format!("{part} is part of {whole}");
            // A place inside another is the same place told less precisely; a body and
            // its part are two bodies (commanding one is not commanding the other),
            // which a reader must weigh.
            if ex.kind == "Place" {
                Difference::new(Class::Precision, note)
            } else {
                Difference::open(Class::Precision, format!("whole vs part: {note}"))
            }
        }
        _ => Difference::new(Class::Contradiction, "another object"),
    })
}

/// True when an affirmed statement says `part` is part of (or lies in) `whole`.
fn part_of(ctx: &mut Ctx<'_>, parts: &mut Parts, part: EntityId, whole: EntityId) -> Result<bool> {
    if let Some(wholes) = parts.get(&part) {
        return Ok(wholes.contains(&whole));
    }
    let rels: Vec<u32> = PART_OF.iter().filter_map(|r| ctx.store.relation_id(r)).collect();
    let mut wholes = Vec::new();
    for e in ctx.store.edges(Node::Entity(part), Direction::Out)? {
        if let (true, Some(Node::Entity(w))) = (rels.contains(&e.relation), e.other) {
            if crate::vocabulary::affirms(&ctx.store.require_statement_without_quotes(e.statement)?.qualifiers) {
                wholes.push(w);
            }
        }
    }
    let found = wholes.contains(&whole);
    parts.insert(part, wholes);
    Ok(found)
}

/// Two literal values: as dates, as numbers, or as words.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Difference {
    if let (Some(x), Some(y)) = (When::read(a), When::read(b)) {
        return x.compare(&y, a, b);
    }
    if let (Some(x), Some(y)) = (Quantity::read(a), Quantity::read(b)) {
        return x.compare(&y, a, b);
    }
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            let (wx, wy) = (content_words(x), content_words(y));
            if normalize(x) == normalize(y) || !wx.is_disjoint(&wy) {
                Difference::new(Class::Wording, "other words")
            } else {
                // Two things said, neither of which denies the other.
                Difference::new(Class::Compatible, "different things said")
            }
        }
        // Words that give no date or number ("earlier this year") against one: nothing
        // to compare, so nothing denied.
        (Value::Str(_), _) | (_, Value::Str(_)) => {
            Difference::new(Class::Compatible, format!("{a} vs {b}, words that give no value"))
        }
        _ => Difference::new(Class::Contradiction, format!("{a} vs {b}")),
    }
}

/// Words that carry meaning: longer than three letters, lower case.
fn content_words(s: &str) -> BTreeSet<String> {
    normalize(s).split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() > 3).map(str::to_owned).collect()
}

/// A count as the text gives it: exact, a range, or vague ("dozens").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quantity {
    /// The least it allows.
    pub min: i64,
    /// The most it allows, if the text bounds it.
    pub max: Option<i64>,
}

impl Quantity {
    /// Reads a number, or a text that states one: `36`, `"36"`, `"more than 30"`,
    /// `"over 30 people"`, `"at least 5"`, `"fewer than 10"`, `"about 40"`, `"a
    /// dozen"`, `"dozens"`, `"hundreds"`, `"nine"`. Words after the number are
    /// allowed (what is counted); anything else is not a quantity.
    pub(crate) fn read(v: &Value) -> Option<Quantity> {
        let s = match v {
            Value::Int(n) => return Some(Quantity { min: *n, max: Some(*n) }),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                let n = *f as i64;
                return Some(Quantity { min: n, max: Some(n) });
            }
            Value::Str(s) => normalize(s),
            _ => return None,
        };
        let words: Vec<&str> = s.split_whitespace().collect();
        let vague = |min: i64| Some(Quantity { min, max: None });
        match words.as_slice() {
            ["dozens", ..] => return vague(24),
            ["scores", ..] => return vague(40),
            ["hundreds", ..] => return vague(200),
            ["thousands", ..] => return vague(2_000),
            ["millions", ..] => return vague(2_000_000),
            ["a", "dozen", ..] => return Some(Quantity { min: 10, max: Some(14) }),
            _ => {}
        }
        const PREFIXES: &[(&[&str], &str)] = &[
            (&["more", "than"], ">"),
            (&["over"], ">"),
            (&["above"], ">"),
            (&["at", "least"], ">="),
            (&["fewer", "than"], "<"),
            (&["less", "than"], "<"),
            (&["under"], "<"),
            (&["at", "most"], "<="),
            (&["up", "to"], "<="),
            (&["about"], "~"),
            (&["around"], "~"),
            (&["roughly"], "~"),
            (&["approximately"], "~"),
            (&["some"], "~"),
            (&["nearly"], "~-"),
            (&["almost"], "~-"),
        ];
        let (op, rest) = PREFIXES
            .iter()
            .find(|(p, _)| words.starts_with(p))
            .map_or(("=", &words[..]), |(p, op)| (*op, &words[p.len()..]));
        let n = number(rest.first()?)?;
        // A fifth either way for "about", a fifth below for "nearly".
        // Saturating: the digits are the user's, and may be as large as an i64 holds.
        let fifth = n / 5 + i64::from(n % 5 != 0);
        let (min, max) = match op {
            ">" => (n.saturating_add(1), None),
            ">=" => (n, None),
            "<" => (0, Some(n.saturating_sub(1))),
            "<=" => (0, Some(n)),
            "~" => (n - fifth, Some(n.saturating_add(fifth))),
            "~-" => (n - fifth, Some(n)),
            _ => (n, Some(n)),
        };
        Some(Quantity { min, max })
    }

    fn exact(&self) -> bool {
        self.max == Some(self.min)
    }

    fn compare(&self, other: &Quantity, a: &Value, b: &Value) -> Difference {
        let below = |x: &Quantity, y: &Quantity| x.max.is_some_and(|m| m < y.min);
        if below(self, other) || below(other, self) {
            return Difference::new(Class::Contradiction, format!("{a} vs {b}"));
        }
        if self == other {
            return Difference::new(Class::Wording, format!("{a} and {b} say the same number"));
        }
        let note = match (self.exact(), other.exact()) {
            (true, false) => format!("{a} lies within \u{201c}{b}\u{201d}"),
            (false, true) => format!("{b} lies within \u{201c}{a}\u{201d}"),
            _ => format!("\u{201c}{a}\u{201d} and \u{201c}{b}\u{201d} overlap"),
        };
        Difference::new(Class::Compatible, note)
    }
}

/// A number written in digits (`1,200`) or as a word up to twenty, or in tens.
fn number(w: &str) -> Option<i64> {
    let digits: String = w.chars().filter(|c| *c != ',').collect();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse().ok();
    }
    const WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    const TENS: &[&str] = &["thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred"];
    if let Some(i) = WORDS.iter().position(|x| *x == w) {
        return Some(i as i64);
    }
    TENS.iter().position(|x| *x == w).map(|i| if i == 7 { 100 } else { (i as i64 + 3) * 10 })
}

/// A date as the text gives it: any of year, month and day may be missing ("January
/// 3" has no year, "in January" no day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct When {
    pub year: Option<i32>,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl When {
    /// Reads a date value, or a text that is only a date: `"January 3"`, `"3
    /// January"`, `"Jan 8"`, `"January 3, 2020"`, `"January 2020"`, `"in January"`,
    /// `"June 29"`, `"2020"` with `in`/`on`.
    pub(crate) fn read(v: &Value) -> Option<When> {
        let s = match v {
            Value::Date(d) => return Some(When { year: Some(d.year), month: Some(d.month), day: Some(d.day) }),
            Value::Str(s) => normalize(s),
            _ => return None,
        };
        const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
        let mut w = When { year: None, month: None, day: None };
        let mut words = 0;
        for t in s.split(|c: char| c.is_whitespace() || c == ',' || c == '.').filter(|t| !t.is_empty()) {
            words += 1;
            if matches!(t, "on" | "in" | "of" | "the") {
                continue;
            }
            let month = MONTHS.iter().position(|m| {
                t.starts_with(m) && (t.len() == 3 || t == "sept" || full_month(t).is_some_and(|f| f == *m))
            });
            if let Some(m) = month {
                if w.month.replace(m as u8 + 1).is_some() {
                    return None;
                }
            } else if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
                w.year.replace(t.parse().ok()?).map_or(Some(()), |_| None)?;
            } else if t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) {
                let d: u8 = t.parse().ok()?;
                if !(1..=31).contains(&d) || w.day.replace(d).is_some() {
                    return None;
                }
            } else {
                return None;
            }
        }
        // A bare number is a count, not a date; a day needs its month.
        let dated = w.month.is_some() || (w.year.is_some() && words > 1);
        (dated && (w.day.is_none() || w.month.is_some())).then_some(w)
    }

    fn precision(&self) -> &'static str {
        match (self.year.is_some(), self.month.is_some(), self.day.is_some()) {
            (true, true, true) => "a full date",
            (false, true, true) => "a day without its year",
            (true, true, false) => "a month",
            (false, true, false) => "a month without its year",
            _ => "a year",
        }
    }

    fn compare(&self, other: &When, a: &Value, b: &Value) -> Difference {
        let clash = |x: Option<i64>, y: Option<i64>| matches!((x, y), (Some(x), Some(y)) if x != y);
        if clash(self.year.map(i64::from), other.year.map(i64::from))
            || clash(self.month.map(i64::from), other.month.map(i64::from))
            || clash(self.day.map(i64::from), other.day.map(i64::from))
        {
            return Difference::new(Class::Contradiction, format!("{a} vs {b}"));
        }
        if self.precision() == other.precision() {
            return Difference::new(Class::Wording, "the same date in other words");
        }
        Difference::new(Class::Precision, format!("{} vs {}", self.precision(), other.precision()))
    }
}

/// The three-letter stem of a month's full name (`january` → `jan`).
fn full_month(t: &str) -> Option<&'static str> {
    const FULL: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    FULL.iter().find(|f| **f == t).map(|f| &f[..3])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Option<Quantity> {
        Quantity::read(&Value::from(s))
    }

    fn w(s: &str) -> Option<When> {
        When::read(&Value::from(s))
    }

    #[test]
    fn quantities_keep_the_precision_the_text_gives() {
        assert_eq!(q("36"), Some(Quantity { min: 36, max: Some(36) }));
        assert_eq!(q("more than 30"), Some(Quantity { min: 31, max: None }));
        assert_eq!(q("over 30 people"), Some(Quantity { min: 31, max: None }));
        assert_eq!(q("fewer than 10"), Some(Quantity { min: 0, max: Some(9) }));
        assert_eq!(q("dozens"), Some(Quantity { min: 24, max: None }));
        assert_eq!(q("nine"), Some(Quantity { min: 9, max: Some(9) }));
        assert_eq!(q("about 40"), Some(Quantity { min: 32, max: Some(48) }));
        assert_eq!(q("murder and terrorism"), None);
        assert_eq!(q("more than 9223372036854775807"), Some(Quantity { min: i64::MAX, max: None }));
        assert_eq!(q("about 9223372036854775807").map(|q| q.max), Some(Some(i64::MAX)));
        assert_eq!(q("over 99999999999999999999"), None, "more than an i64 holds is no number");
        assert_eq!(q("American personnel"), None);
    }

    #[test]
    fn dates_keep_the_precision_the_text_gives() {
        let d = |y, m, d| Some(When { year: y, month: m, day: d });
        assert_eq!(w("January 3"), d(None, Some(1), Some(3)));
        assert_eq!(w("3 January"), d(None, Some(1), Some(3)));
        assert_eq!(w("Jan 8"), d(None, Some(1), Some(8)));
        assert_eq!(w("January 3, 2020"), d(Some(2020), Some(1), Some(3)));
        assert_eq!(w("in January"), d(None, Some(1), None));
        assert_eq!(w("January 05, 2020"), d(Some(2020), Some(1), Some(5)));
        assert_eq!(w("2020"), None, "a bare number is a count");
        assert_eq!(w("36 officials"), None);
        assert_eq!(w("may"), d(None, Some(5), None));
        assert_eq!(w("maybe"), None);
    }

    #[test]
    fn numbers_inside_a_range_are_compatible_and_outside_contradict() {
        let c = |a: Value, b: Value| compare_values(&a, &b).class;
        assert_eq!(c(Value::Int(36), "more than 30".into()), Class::Compatible);
        assert_eq!(c(Value::Int(36), "dozens".into()), Class::Compatible);
        assert_eq!(c("dozens".into(), "more than 100".into()), Class::Compatible);
        assert_eq!(c("more than 30".into(), "over 30".into()), Class::Wording);
        assert_eq!(c(Value::Int(36), Value::Int(40)), Class::Contradiction);
        assert_eq!(c(Value::Int(20), "more than 30".into()), Class::Contradiction);
    }

    #[test]
    fn a_date_and_the_same_day_without_its_year_differ_in_precision() {
        let date = Value::Date(factgraph_store::Date::new(2020, 1, 3).unwrap());
        let other = Value::Date(factgraph_store::Date::new(2020, 1, 5).unwrap());
        assert_eq!(compare_values(&date, &"January 3".into()).class, Class::Precision);
        assert_eq!(compare_values(&date, &"in January".into()).class, Class::Precision);
        assert_eq!(compare_values(&"3 January".into(), &"January 3".into()).class, Class::Wording);
        assert_eq!(compare_values(&date, &other).class, Class::Contradiction);
        assert_eq!(compare_values(&date, &"January 5".into()).class, Class::Contradiction);
    }
}
