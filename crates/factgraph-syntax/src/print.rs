//! Printing an AST back as text that parses to the same AST: used by the REPL's
//! `.ast` and by the round-trip property test.

use std::fmt::Write as _;

use crate::ast::*;

/// A variable, key or alias as the grammar reads it back: a word as it is; anything
/// else, and a keyword, in backticks with each backtick doubled (`` `first name` ``),
/// which reads as the same name.
fn ident(s: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = s.chars();
    let word = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if word && !crate::keywords::KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s)) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(format!("`{}`", s.replace('`', "``")))
    }
}

/// The script as text, one statement per line.
pub fn print(script: &Script) -> String {
    let mut out = String::new();
    match script.mode {
        Some(RunMode::Explain) => out.push_str("explain "),
        Some(RunMode::Profile) => out.push_str("profile "),
        None => {}
    }
    for (i, st) in script.statements.iter().enumerate() {
        if i > 0 {
            out.push_str(";\n");
        }
        statement(&mut out, st);
    }
    out
}

/// One expression as text that parses back to it (for plans and messages).
pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e);
    out
}

fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn name(out: &mut String, n: &Name) {
    if n.quoted {
        quoted(out, &n.text);
    } else {
        out.push_str(&n.text);
    }
}

fn literal(out: &mut String, l: &Literal) {
    match l {
        Literal::Str(s) => quoted(out, s),
        Literal::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Literal::Float(x) => {
            let s = format!("{x:?}");
            out.push_str(&s);
        }
        Literal::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Literal::Date(d) => {
            let _ = write!(out, "{:04}-{:02}-{:02}", d.year, d.month, d.day);
        }
        // As the constructor call that makes it.
        Literal::Temporal(kind, text) => {
            let _ = write!(out, "{kind}({text:?})");
        }
    }
}

fn properties(out: &mut String, props: &[Property]) {
    out.push('{');
    for (i, p) in props.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&p.key.text);
        out.push_str(": ");
        literal(out, &p.value);
    }
    out.push('}');
}

fn pattern_properties(out: &mut String, props: &[PatternProperty]) {
    out.push('{');
    for (i, p) in props.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&p.key.text);
        out.push_str(": ");
        expr(out, &p.value);
    }
    out.push('}');
}

fn statement(out: &mut String, st: &Statement) {
    match st {
        Statement::Write(w) => write(out, w),
        Statement::Question(q) => question(out, q),
        Statement::Query(q) => query(out, q),
    }
}

fn term(out: &mut String, t: &Term) {
    match t {
        Term::Label(l) => {
            out.push('@');
            out.push_str(&l.name);
        }
        Term::Name(n) => name(out, n),
        Term::Literal(Literal::Str(s), _) => {
            out.push_str("text ");
            quoted(out, s);
        }
        Term::Literal(l, _) => literal(out, l),
    }
}

fn write(out: &mut String, w: &Write) {
    match w {
        Write::Document { name: n, properties: p } => {
            out.push_str("document ");
            name(out, n);
            if !p.is_empty() {
                out.push(' ');
                properties(out, p);
            }
        }
        Write::Entity { name: n, kind, aliases, properties: p } => {
            out.push_str("entity ");
            name(out, n);
            if let Some(k) = kind {
                let _ = write!(out, ": {}", k.text);
            }
            for (i, a) in aliases.iter().enumerate() {
                out.push_str(if i == 0 { " aka " } else { ", " });
                quoted(out, &a.text);
                for (j, d) in a.documents.iter().enumerate() {
                    out.push_str(if j == 0 { " in " } else { ", " });
                    out.push_str(&d.text);
                }
            }
            if !p.is_empty() {
                out.push(' ');
                properties(out, p);
            }
        }
        Write::Assert(a) => {
            out.push_str("assert ");
            if let Some(l) = &a.label {
                let _ = write!(out, "@{} = ", l.name);
            }
            term(out, &a.subject);
            let _ = write!(out, " {} ", a.relation.text);
            term(out, &a.object);
            if !a.qualifiers.is_empty() {
                out.push(' ');
                properties(out, &a.qualifiers);
            }
            for e in &a.evidence {
                out.push_str(" from ");
                name(out, &e.document);
                out.push(' ');
                quoted(out, &e.quote);
                if let Some(b) = &e.by {
                    out.push_str(" by ");
                    name(out, b);
                }
            }
        }
        Write::Retract(l) => {
            let _ = write!(out, "retract @{}", l.name);
        }
        Write::DeleteEntity(n) => {
            out.push_str("delete entity ");
            name(out, n);
        }
    }
}

fn question(out: &mut String, q: &Question) {
    match q {
        Question::Who { relation, target } => {
            let _ = write!(out, "who {} ", relation.text);
            name(out, target);
        }
        Question::What { subject, relation } => {
            out.push_str("what does ");
            name(out, subject);
            let _ = write!(out, " {}", relation.text);
        }
        Question::Describe(n) => {
            out.push_str("describe ");
            name(out, n);
        }
        Question::WhoIs(n) => {
            out.push_str("who is ");
            name(out, n);
        }
        Question::Path { from, to } => {
            out.push_str("path from ");
            name(out, from);
            out.push_str(" to ");
            name(out, to);
        }
        Question::Neighbours { name: n, depth } => {
            out.push_str("neighbours of ");
            name(out, n);
            if let Some((d, _)) = depth {
                let _ = write!(out, " depth {d}");
            }
        }
        Question::Sources(n) => {
            out.push_str("sources of ");
            name(out, n);
        }
        Question::Conflicts { all, about } => {
            out.push_str("conflicts");
            if *all {
                out.push_str(" all");
            }
            if let Some(n) = about {
                out.push_str(" about ");
                name(out, n);
            }
        }
        Question::Verify => out.push_str("verify"),
        Question::According { source, question: inner } => {
            out.push_str("according to ");
            name(out, source);
            out.push(' ');
            question(out, inner);
        }
        Question::Why(inner) => {
            out.push_str("why ");
            question(out, inner);
        }
        Question::IncludingNegated(inner) => {
            question(out, inner);
            out.push_str(" including negated");
        }
    }
}

fn query(out: &mut String, q: &Query) {
    clauses(out, &q.clauses);
    for u in &q.unions {
        out.push_str(if u.all { " union all " } else { " union " });
        clauses(out, &u.clauses);
    }
    if q.including_negated {
        out.push_str(" including negated");
    }
}

/// `call NAME(ARGS) [yield …]`; implicit arguments print as none (`call NAME`), the
/// parameters they come from being given beside the text.
fn call(out: &mut String, c: &Call) {
    out.push_str("call ");
    let parts: Vec<std::borrow::Cow<'_, str>> = c.procedure.text.split('.').map(ident).collect();
    out.push_str(&parts.join("."));
    if let CallArgs::Given(args) = &c.args {
        out.push('(');
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            expr(out, a);
        }
        out.push(')');
    }
    match &c.yields {
        None => {}
        Some(Yield::All(_)) => out.push_str(" yield *"),
        Some(Yield::Items { items, filter }) => {
            out.push_str(" yield ");
            for (i, (field, alias)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&ident(&field.text));
                if let Some(a) = alias {
                    let _ = write!(out, " as {}", ident(&a.text));
                }
            }
            if let Some(f) = filter {
                out.push_str(" where ");
                expr(out, f);
            }
        }
    }
}

fn clauses(out: &mut String, clauses: &[Clause]) {
    for (i, c) in clauses.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match c {
            Clause::Match(m) => {
                out.push_str(if m.optional { "optional match " } else { "match " });
                paths(out, &m.paths);
                if let Some(f) = &m.filter {
                    out.push_str(" where ");
                    expr(out, f);
                }
            }
            Clause::Unwind { expr: e, var } => {
                out.push_str("unwind ");
                expr(out, e);
                let _ = write!(out, " as {}", ident(&var.text));
            }
            Clause::Call(c) => call(out, c),
            Clause::With(p) => {
                out.push_str("with ");
                projection(out, p);
            }
            Clause::Return(p) => {
                out.push_str("return ");
                projection(out, p);
            }
            Clause::Create(ps) => {
                out.push_str("create ");
                paths(out, ps);
            }
            Clause::Merge(m) => {
                out.push_str("merge ");
                paths(out, std::slice::from_ref(&m.path));
                if !m.on_create.is_empty() {
                    out.push_str(" on create set ");
                    set_items(out, &m.on_create);
                }
                if !m.on_match.is_empty() {
                    out.push_str(" on match set ");
                    set_items(out, &m.on_match);
                }
            }
            Clause::Set(items) => {
                out.push_str("set ");
                set_items(out, items);
            }
            Clause::Remove(items) => {
                out.push_str("remove ");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    match item {
                        RemoveItem::Property { target, key } => {
                            postfix_base(out, target);
                            let _ = write!(out, ".{}", ident(&key.text));
                        }
                        RemoveItem::Labels { var, labels } => set_labels(out, var, labels),
                    }
                }
            }
            Clause::Delete { detach, exprs } => {
                out.push_str(if *detach { "detach delete " } else { "delete " });
                for (i, e) in exprs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    expr(out, e);
                }
            }
        }
    }
}

fn set_items(out: &mut String, items: &[SetItem]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match item {
            SetItem::Property { target, key, value } => {
                postfix_base(out, target);
                let _ = write!(out, ".{} = ", ident(&key.text));
                expr(out, value);
            }
            SetItem::Replace { var, value } => {
                let _ = write!(out, "{} = ", ident(&var.text));
                expr(out, value);
            }
            SetItem::Extend { var, value } => {
                let _ = write!(out, "{} += ", ident(&var.text));
                expr(out, value);
            }
            SetItem::Labels { var, labels } => set_labels(out, var, labels),
        }
    }
}

fn set_labels(out: &mut String, var: &Ident, labels: &[Ident]) {
    out.push_str(&ident(&var.text));
    for l in labels {
        let _ = write!(out, ":{}", l.text);
    }
}

fn paths(out: &mut String, paths: &[PathPattern]) {
    for (i, path) in paths.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if let Some(n) = &path.name {
            let _ = write!(out, "{} = ", ident(&n.text));
        }
        node(out, &path.start);
        for (r, n) in &path.steps {
            rel(out, r);
            node(out, n);
        }
    }
}

fn projection(out: &mut String, p: &Projection) {
    if p.distinct {
        out.push_str("distinct ");
    }
    if p.star {
        out.push('*');
    }
    for (i, r) in p.items.iter().enumerate() {
        if i > 0 || p.star {
            out.push_str(", ");
        }
        expr(out, &r.expr);
        if let Some(a) = &r.alias {
            let _ = write!(out, " as {}", ident(&a.text));
        }
    }
    for (i, s) in p.order.iter().enumerate() {
        out.push_str(if i == 0 { " order by " } else { ", " });
        expr(out, &s.expr);
        if s.descending {
            out.push_str(" desc");
        }
    }
    if let Some(s) = &p.skip {
        out.push_str(" skip ");
        operand(out, s);
    }
    if let Some(l) = &p.limit {
        out.push_str(" limit ");
        operand(out, l);
    }
    if let Some(f) = &p.filter {
        out.push_str(" where ");
        expr(out, f);
    }
}

fn node(out: &mut String, n: &NodePattern) {
    out.push('(');
    if let Some(v) = &n.var {
        out.push_str(&ident(&v.text));
    }
    if let Some(k) = &n.kind {
        let _ = write!(out, ":{}", k.text);
    }
    if let Some(name) = &n.named {
        out.push_str(if n.var.is_some() || n.kind.is_some() { " named " } else { "named " });
        operand(out, name);
    }
    if !n.properties.is_empty() || n.braces {
        out.push(' ');
        pattern_properties(out, &n.properties);
    }
    if let Some(p) = &n.parameter {
        let _ = write!(out, " {}", p.text);
    }
    out.push(')');
}

fn rel(out: &mut String, r: &RelPattern) {
    out.push_str(if r.arrow == Arrow::Left { "<-[" } else { "-[" });
    if let Some(v) = &r.var {
        out.push_str(&ident(&v.text));
    }
    for (i, t) in r.types.iter().enumerate() {
        out.push_str(if i == 0 { ":" } else { "|" });
        out.push_str(&t.text);
    }
    if let Some((min, max)) = r.length {
        out.push('*');
        match (min, max) {
            (Some(a), Some(b)) if a == b => {
                let _ = write!(out, "{a}");
            }
            _ => {
                if let Some(a) = min {
                    let _ = write!(out, "{a}");
                }
                out.push_str("..");
                if let Some(b) = max {
                    let _ = write!(out, "{b}");
                }
            }
        }
    }
    if let Some(p) = &r.parameter {
        let _ = write!(out, " {}", p.text);
    }
    if !r.properties.is_empty() {
        out.push(' ');
        pattern_properties(out, &r.properties);
    }
    out.push_str(if r.arrow == Arrow::Right { "]->" } else { "]-" });
}

/// An operand of a comparison: anything that is not a primary term is parenthesised,
/// so `(not a) is null` does not come back as `not (a is null)`.
fn operand(out: &mut String, e: &Expr) {
    let primary = !matches!(
        e.kind,
        ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Compare(..)
            | ExprKind::IsNull { .. }
            | ExprKind::Arith(..)
            | ExprKind::Neg(_)
            | ExprKind::Xor(..)
            | ExprKind::HasLabels(..)
    );
    if primary {
        expr(out, e);
    } else {
        out.push('(');
        expr(out, e);
        out.push(')');
    }
}

/// The base of a postfix (`.key`, `[i]`, `:Label`): bracketed unless it is a variable,
/// a call or a literal list or map, so that `(a + b).k` keeps its brackets.
fn postfix_base(out: &mut String, e: &Expr) {
    let bare = matches!(
        e.kind,
        ExprKind::Var(_)
            | ExprKind::Property(..)
            | ExprKind::Lookup(..)
            | ExprKind::Index(..)
            | ExprKind::Call { .. }
            | ExprKind::List(_)
            | ExprKind::Map(_)
    );
    if bare {
        expr(out, e);
    } else {
        out.push('(');
        expr(out, e);
        out.push(')');
    }
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Literal(l) => literal(out, l),
        ExprKind::Null => out.push_str("null"),
        ExprKind::Var(v) => out.push_str(&ident(v)),
        ExprKind::Property(v, k) => {
            let _ = write!(out, "{}.{}", ident(v), ident(k));
        }
        ExprKind::Not(inner) => {
            out.push_str("not (");
            expr(out, inner);
            out.push(')');
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Xor(a, b) => {
            out.push('(');
            expr(out, a);
            out.push_str(match e.kind {
                ExprKind::And(..) => ") and (",
                ExprKind::Or(..) => ") or (",
                _ => ") xor (",
            });
            expr(out, b);
            out.push(')');
        }
        ExprKind::Lookup(base, key) => {
            postfix_base(out, base);
            let _ = write!(out, ".{}", ident(key));
        }
        ExprKind::Index(base, i) => {
            postfix_base(out, base);
            out.push('[');
            expr(out, i);
            out.push(']');
        }
        ExprKind::Slice(base, from, to) => {
            postfix_base(out, base);
            out.push('[');
            if let Some(f) = from {
                expr(out, f);
            }
            out.push_str("..");
            if let Some(t) = to {
                expr(out, t);
            }
            out.push(']');
        }
        ExprKind::HasLabels(base, labels) => {
            postfix_base(out, base);
            for l in labels {
                let _ = write!(out, ":{l}");
            }
        }
        ExprKind::Case { subject, whens, otherwise } => {
            out.push_str("case");
            if let Some(s) = subject {
                out.push(' ');
                operand(out, s);
            }
            for (w, t) in whens {
                out.push_str(" when ");
                operand(out, w);
                out.push_str(" then ");
                operand(out, t);
            }
            if let Some(o) = otherwise {
                out.push_str(" else ");
                operand(out, o);
            }
            out.push_str(" end");
        }
        ExprKind::Quantifier { kind, var, list, pred } => {
            let _ = write!(out, "{}({} in ", kind.word(), ident(var));
            expr(out, list);
            out.push_str(" where ");
            expr(out, pred);
            out.push(')');
        }
        ExprKind::PatternPredicate(path) => paths(out, std::slice::from_ref(path)),
        ExprKind::PatternComp { path, filter, map } => {
            out.push('[');
            paths(out, std::slice::from_ref(path));
            if let Some(f) = filter {
                out.push_str(" where ");
                expr(out, f);
            }
            out.push_str(" | ");
            expr(out, map);
            out.push(']');
        }
        ExprKind::Subquery(kind, q) => {
            let _ = write!(out, "{} {{ ", kind.word());
            query(out, q);
            out.push_str(" }");
        }
        ExprKind::Exists { paths: ps, filter } => {
            out.push_str("exists { ");
            paths(out, ps);
            if let Some(f) = filter {
                out.push_str(" where ");
                expr(out, f);
            }
            out.push_str(" }");
        }
        ExprKind::ListComp { var, list, filter, map } => {
            let _ = write!(out, "[{} in ", ident(var));
            expr(out, list);
            if let Some(f) = filter {
                out.push_str(" where ");
                expr(out, f);
            }
            if let Some(m) = map {
                out.push_str(" | ");
                expr(out, m);
            }
            out.push(']');
        }
        ExprKind::Compare(op, a, b) => {
            operand(out, a);
            out.push_str(match op {
                CompareOp::Eq => " = ",
                CompareOp::Ne => " <> ",
                CompareOp::Lt => " < ",
                CompareOp::Le => " <= ",
                CompareOp::Gt => " > ",
                CompareOp::Ge => " >= ",
                CompareOp::StartsWith => " starts with ",
                CompareOp::EndsWith => " ends with ",
                CompareOp::Contains => " contains ",
                CompareOp::In => " in ",
                CompareOp::Named => " named ",
            });
            operand(out, b);
        }
        ExprKind::Arith(op, a, b) => {
            operand(out, a);
            let _ = write!(out, " {} ", op.symbol());
            operand(out, b);
        }
        // Always bracketed, so `-(5)` does not come back as the literal -5.
        ExprKind::Neg(inner) => {
            out.push_str("-(");
            expr(out, inner);
            out.push(')');
        }
        ExprKind::IsNull { expr: inner, negated } => {
            operand(out, inner);
            out.push_str(if *negated { " is not null" } else { " is null" });
        }
        ExprKind::Call { name, distinct, args } => {
            let _ = write!(out, "{name}(");
            if *distinct {
                out.push_str("distinct ");
            }
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr(out, a);
            }
            out.push(')');
        }
        ExprKind::CountStar => out.push_str("count(*)"),
        ExprKind::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}: ", ident(k));
                expr(out, v);
            }
            out.push('}');
        }
        ExprKind::List(items) => {
            out.push('[');
            for (i, a) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr(out, a);
            }
            out.push(']');
        }
    }
}
