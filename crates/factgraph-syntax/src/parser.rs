//! The pest binding: text → pest pairs (private) → `ast`. Nothing pest-shaped leaves
//! this module.

use pest::iterators::Pair;
use pest::Parser as _;

use crate::ast::*;
use crate::error::{floor_char_boundary, line_col, ParseError};
use crate::scan::Scanner;

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/factgraph.pest"]
struct Grammar;

/// Inputs longer than this are refused before parsing.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;
/// Brackets and parentheses may nest this deep.
pub const MAX_NESTING: usize = 64;
/// An `and`/`or` chain may have this many operands, and `not` repeat this often: each
/// adds a level to the tree, and evaluating the tree recurses.
pub const MAX_CHAIN: usize = 64;
/// pest's call limit: bounds the grammar's work on pathological input.
const CALL_LIMIT: usize = 20_000_000;

/// Parses a script: one or more statements separated by `;`.
pub fn parse(text: &str) -> Result<Script, ParseError> {
    parse_with(text, &Params::new())
}

/// Values for a query's parameters (`$who`), by name without the `$`.
pub type Params = std::collections::BTreeMap<String, ParamValue>;

/// The text being parsed, with the values its parameters stand for.
struct Src<'a> {
    text: &'a str,
    params: &'a Params,
    /// How many conditions (`where`, and a comprehension's, a quantifier's or
    /// `exists {…}`'s) the expression being read is inside: openCypher reads a pattern
    /// as a condition there, and nowhere else.
    conditions: std::cell::Cell<usize>,
}

impl Src<'_> {
    /// Reads `e`, a condition.
    fn condition(&self, e: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        self.conditions.set(self.conditions.get() + 1);
        let read = expr(self, e);
        self.conditions.set(self.conditions.get() - 1);
        read
    }
}

impl std::ops::Deref for Src<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.text
    }
}

impl Src<'_> {
    /// The value of the parameter `p` (a `parameter` pair).
    fn param(&self, p: &Pair<'_, Rule>) -> Result<ParamValue, ParseError> {
        let key = p.as_str().trim_start_matches('$');
        let value = self.params.get(key).ok_or_else(|| {
            let mut e = ParseError::at(self.text, span(p), format!("no value was given for the parameter ${key}"));
            e.hint = Some("pass every $parameter's value beside the query".into());
            e
        })?;
        // The tree holds the value, and every stage after walks it recursively.
        if value.depth() > MAX_NESTING {
            return Err(ParseError::at(
                self.text,
                span(p),
                format!("the parameter ${key} nests lists and maps deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(value.clone())
    }

    /// The value of the parameter `p` where one literal value is needed (a name, a
    /// quote, a property of the product's language).
    fn param_literal(&self, p: &Pair<'_, Rule>) -> Result<Literal, ParseError> {
        match self.param(p)? {
            ParamValue::Literal(l) => Ok(l),
            other => Err(ParseError::at(
                self.text,
                span(p),
                format!("the parameter {} is {}, where a single value is needed", p.as_str(), other.type_name()),
            )),
        }
    }
}

/// Parses a script whose `$name` parameters stand for `params`' values. A parameter
/// can stand wherever a quoted string or a literal value can: names, quotes, property
/// values, expressions. The tree holds the values, never the parameters.
pub fn parse_with(text: &str, params: &Params) -> Result<Script, ParseError> {
    let levels = check_limits(text)?;
    // pest recurses a dozen rules deep for every level of nesting, with large frames
    // (up to about 300 KiB a level in a debug build): a deep nest gets a stack of its own,
    // sized for it, so that a parse never overflows a thread's stack (2 MiB by default
    // for threads other than the main one).
    let needed = STACK_BASE + levels * STACK_PER_LEVEL;
    stacker::maybe_grow(needed, needed + STACK_BASE, || parse_checked(text, params))
}

/// Stack that parsing needs beside the nesting, and for each level of it.
const STACK_BASE: usize = 512 * 1024;
const STACK_PER_LEVEL: usize = 512 * 1024;

fn parse_checked(text: &str, params: &Params) -> Result<Script, ParseError> {
    let text = &Src { text, params, conditions: std::cell::Cell::new(0) };
    pest::set_call_limit(std::num::NonZeroUsize::new(CALL_LIMIT));
    let mut pairs = Grammar::parse(Rule::script, text.text).map_err(|e| convert_error(text, e))?;
    let script = pairs.next().ok_or_else(|| ParseError::at(text, Span::new(0, 0), "empty parse"))?;
    let mut statements = Vec::new();
    let mut mode = None;
    for p in script.into_inner() {
        match p.as_rule() {
            Rule::run_mode => {
                let word = p.into_inner().next().expect("the grammar has a keyword");
                mode = Some(if word.as_rule() == Rule::kw_explain { RunMode::Explain } else { RunMode::Profile });
            }
            Rule::statement => {
                if mode.is_some() && !statements.is_empty() {
                    return Err(ParseError::at(
                        text,
                        span(&p),
                        "`explain` and `profile` take a text's only statement: run this one apart",
                    ));
                }
                statements.push(statement(text, p)?);
            }
            _ => {}
        }
    }
    Ok(Script { statements, mode })
}

/// Refuses inputs over the size limit or nested deeper than `MAX_NESTING`, before pest
/// sees them: a deep nest would otherwise cost a deep recursion. Returns how deep the
/// input may nest: its deepest brackets, plus every `case` (which nests without
/// brackets) and every `exists` (a subquery's brace costs two), a bound the parser's
/// stack is sized by.
fn check_limits(text: &str) -> Result<usize, ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ParseError::at(
            text,
            Span::new(MAX_INPUT_BYTES, text.len()),
            format!("the input is {} bytes; the limit is {MAX_INPUT_BYTES} (1 MiB)", text.len()),
        ));
    }
    let mut deepest = 0;
    for b in Scanner::new(text).filter(|b| b.opens) {
        if b.depth > MAX_NESTING {
            return Err(ParseError::at(
                text,
                Span::new(b.at, b.at + 1),
                format!("brackets nest more than {MAX_NESTING} deep"),
            ));
        }
        deepest = deepest.max(b.depth);
    }
    // A `case` inside a `case` nests with no bracket: count them all (an upper bound
    // of how deep they go; text in strings and comments counts too, erring long).
    let lower = text.to_ascii_lowercase();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let words = |word: &str| {
        lower
            .match_indices(word)
            .filter(|(at, _)| {
                !is_word(lower[..*at].chars().next_back()) && !is_word(lower[at + word.len()..].chars().next())
            })
            .count()
    };
    let cases = words("case");
    if deepest + cases > MAX_NESTING {
        return Err(ParseError::at(
            text,
            Span::new(0, text.len().min(1)),
            format!("brackets and `case` expressions nest more than {MAX_NESTING} deep"),
        ));
    }
    // A subquery's brace holds a whole query, whose clauses and expressions take
    // a level's stack again: counted twice for the stack (60 nested overflowed a
    // debug build's 512 KiB a level).
    Ok(deepest + cases + words("exists"))
}

fn convert_error(text: &str, e: pest::error::Error<Rule>) -> ParseError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let pos = floor_char_boundary(text, pos);
    let (expected, message) = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&'static str> = positives.iter().filter_map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            (words, None)
        }
        pest::error::ErrorVariant::CustomError { message } => {
            if message.contains("call limit") {
                (Vec::new(), Some("the query is too complex to parse (grammar work limit reached)".to_string()))
            } else {
                (Vec::new(), Some(message.clone()))
            }
        }
    };
    let (found, end) = found_at(text, pos);
    let (line, column) = line_col(text, pos);
    let hint = hint_for(text, pos, &expected);
    ParseError { span: Span::new(pos, end), line, column, expected, found, message, hint }
}

/// What stands at `pos`, in words, and where it ends.
fn found_at(text: &str, pos: usize) -> (String, usize) {
    let rest = &text[pos..];
    let Some(c) = rest.chars().next() else {
        return ("end of input".into(), pos);
    };
    if c.is_alphanumeric() || c == '_' {
        let len: usize =
            rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-').map(char::len_utf8).sum();
        return (format!("`{}`", &rest[..len]), pos + len);
    }
    if c == '"' || c == '\'' {
        return match rest[1..].find(c) {
            Some(i) => {
                let shown: String = rest[..i + 2].chars().take(40).collect();
                (format!("the string {shown}"), pos + i + 2)
            }
            None => (format!("a string that is never closed (a `{c}` is missing)"), text.len()),
        };
    }
    (format!("`{c}`"), pos + c.len_utf8())
}

fn hint_for(text: &str, pos: usize, expected: &[&str]) -> Option<String> {
    // openCypher's regular-expression match, which factgraph does not have.
    if text[pos..].starts_with('~') && text[..pos].trim_end().ends_with('=') {
        return Some(
            "regular expressions (`=~`) are not supported: use `contains`, `starts with` or `ends with`".into(),
        );
    }
    let statement_so_far = text[..pos].rsplit(';').next().unwrap_or("").to_ascii_lowercase();
    // A number written right against a `#` (`1#2`): no comment, a malformed number.
    let rest = &text[pos..];
    let digits = rest.trim_start_matches('-').trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if digits.len() < rest.len() && digits.starts_with('#') {
        return Some("a number runs into a `#` written right after it: put a space before a comment".into());
    }
    if expected.contains(&"`from`") && statement_so_far.trim_start().starts_with("assert") {
        return Some("every statement needs evidence: `from DOCUMENT \"the words it uses\"`".into());
    }
    let found_where = text[pos..].get(..5).is_some_and(|w| w.eq_ignore_ascii_case("where"));
    let where_after_return =
        "`where` filters a `match` or a `with`: put it before `return` (`with … where …` filters after grouping)";
    let returned = after_return(&text[..pos]);
    if found_where && returned {
        return Some(where_after_return.into());
    }
    // `return n whre …`: `where` is not expected there, so no typo of it is found.
    let word: String = text[pos..].chars().take_while(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    let near_where = word.len() <= 6 && strsim::osa_distance(&word, "where") == 1;
    if returned && near_where && !expected.contains(&"`where`") {
        return Some(format!("did you mean `where`? {where_after_return}"));
    }
    keyword_typo(text, pos, expected)
}

/// Whether the statement `before` ends in has a `return` as its last clause: one
/// outside strings, comments and brackets (a subquery's, a comprehension's are their
/// own), with no `union` after it.
fn after_return(before: &str) -> bool {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut word = String::new();
    let (mut returned, mut chars) = (false, before.chars().peekable());
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == '\\' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        if depth == 0 {
            match word.as_str() {
                "return" => returned = true,
                "union" => returned = false,
                _ => {}
            }
        }
        word.clear();
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ';' => returned = false,
            '/' if chars.peek() == Some(&'/') => {
                chars.by_ref().find(|c| *c == '\n');
            }
            _ => {}
        }
    }
    match (depth, word.as_str()) {
        (0, "return") => true,
        (0, "union") => false,
        _ => returned,
    }
}

/// The longest word `keyword_typo` scores: the longest keyword and a third more.
const MAX_KEYWORD_TYPO: usize = 16;

/// The keywords a statement can begin with (a test checks each is a keyword).
const STATEMENT_STARTS: &[&str] = &[
    "according",
    "assert",
    "call",
    "conflicts",
    "create",
    "delete",
    "describe",
    "document",
    "entity",
    "explain",
    "match",
    "merge",
    "neighbors",
    "neighbours",
    "optional",
    "path",
    "profile",
    "retract",
    "return",
    "sources",
    "unwind",
    "verify",
    "what",
    "who",
    "why",
    "with",
];

/// The keywords that begin a clause of a query.
const CLAUSE_STARTS: &[&str] =
    &["call", "create", "delete", "detach", "match", "merge", "optional", "remove", "return", "set", "unwind", "with"];

/// "did you mean `return`?" for a word a typo away from a keyword that could stand at
/// `pos`: one the error expects there (the words in backticks of what it expects; at
/// the start of a statement, any keyword). A keyword out of place is no typo.
fn keyword_typo(text: &str, pos: usize, expected: &[&str]) -> Option<String> {
    let rest = &text[pos..];
    let word = &rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())];
    // Two letters are a typo away from too much to say which was meant; a word far
    // longer than every keyword is a typo of none (and not scored).
    let chars = word.chars().count();
    if !(3..=MAX_KEYWORD_TYPO).contains(&chars) {
        return None;
    }
    let lower = word.to_lowercase();
    if crate::KEYWORDS.contains(&lower.as_str()) {
        return None;
    }
    // After `return` the query can only end, or go on with `union`, `order by`, …:
    // a clause there parses and is then refused, so none is suggested.
    let returned = after_return(&text[..pos]);
    let mut candidates: Vec<&str> = Vec::new();
    for e in expected {
        if e.starts_with("a statement") {
            candidates.extend(STATEMENT_STARTS);
        }
        // Every second piece between backticks is quoted: `order by`, `match …`. An
        // example in a description (`who accused …`) is no keyword.
        let quoted = e.split('`').skip(1).step_by(2).filter(|q| {
            let first = q.split(' ').next().unwrap_or(q);
            q.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
                && crate::KEYWORDS.contains(&first)
                && !(returned && CLAUSE_STARTS.contains(&first))
        });
        candidates.extend(quoted);
    }
    let mut near: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|phrase| {
            let first = phrase.split(' ').next().unwrap_or(phrase);
            let d = strsim::osa_distance(first, &lower);
            (d <= (first.chars().count() / 3).max(1)).then_some((d, phrase))
        })
        .collect();
    near.sort_unstable();
    near.dedup_by(|a, b| a.1 == b.1);
    let best = near.first()?.0;
    let shown: Vec<String> = near.iter().filter(|(d, _)| *d == best).take(3).map(|(_, p)| format!("`{p}`")).collect();
    Some(format!("did you mean {}?", shown.join(" or ")))
}

/// The name in words of what a rule stands for, or `None` for rules that are never
/// worth naming (whitespace, the start and end of input). One exhaustive match, so a
/// new rule cannot go unnamed.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of input",
        Rule::WHITESPACE | Rule::COMMENT | Rule::boundary => return None,
        Rule::script | Rule::statement => "a statement (a question, `match …`, or a write such as `assert …`)",
        Rule::kw_according => "`according`",
        Rule::kw_aka => "`aka`",
        Rule::kw_about => "`about`",
        Rule::kw_and => "`and`",
        Rule::kw_as => "`as`",
        Rule::kw_asc => "`asc`",
        Rule::kw_assert => "`assert`",
        Rule::kw_by => "`by`",
        Rule::kw_conflicts => "`conflicts`",
        Rule::kw_create => "`create`",
        Rule::create_clause => "`create …`",
        Rule::kw_contains => "`contains`",
        Rule::kw_delete => "`delete`",
        Rule::kw_depth => "`depth`",
        Rule::kw_desc => "`desc`",
        Rule::kw_describe => "`describe`",
        Rule::kw_distinct => "`distinct`",
        Rule::kw_do => "`does` or `did`",
        Rule::kw_document => "`document`",
        Rule::kw_ends => "`ends with`",
        Rule::kw_entity => "`entity`",
        Rule::kw_false => "`false`",
        Rule::kw_from => "`from`",
        Rule::kw_in => "`in`",
        Rule::kw_including => "`including negated`",
        Rule::kw_is => "`is`",
        Rule::kw_limit => "`limit`",
        Rule::kw_match => "`match`",
        Rule::kw_negated => "`negated`",
        Rule::kw_neighbours => "`neighbours`",
        Rule::kw_not => "`not`",
        Rule::kw_null => "`null`",
        Rule::kw_of => "`of`",
        Rule::kw_or => "`or`",
        Rule::kw_order => "`order by`",
        Rule::kw_path => "`path`",
        Rule::kw_retract => "`retract`",
        Rule::kw_return => "`return`",
        Rule::kw_skip => "`skip`",
        Rule::kw_sources => "`sources`",
        Rule::kw_starts => "`starts with`",
        Rule::kw_text => "`text`",
        Rule::kw_to => "`to`",
        Rule::kw_true => "`true`",
        Rule::kw_verify => "`verify`",
        Rule::kw_what => "`what`",
        Rule::kw_where => "`where`",
        Rule::kw_who => "`who`",
        Rule::kw_why => "`why`",
        Rule::kw_with => "`with`",
        Rule::word => "a name",
        Rule::string | Rule::string_inner | Rule::single_inner => "a quoted string",
        Rule::parameter => "a parameter (`$name`)",
        Rule::name => "an entity name or a quoted string",
        Rule::label => "a statement label (`@name`)",
        Rule::relation => "a relation (such as `accused`)",
        Rule::kind => "a kind (such as `Person`)",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::float | Rule::integer => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::literal | Rule::literal_value => "a value (a string, number, date or boolean)",
        Rule::properties | Rule::pattern_properties => "`{`",
        Rule::pattern_property => "a `key: value` pair",
        Rule::property => "a `key: value` pair",
        Rule::write => "a write (`entity`, `document`, `assert`, `retract`, `delete`)",
        Rule::document_decl => "`document NAME { … }`",
        Rule::entity_decl => "`entity NAME`",
        Rule::aka_clause => "`aka`",
        Rule::alias => "an alias (a quoted string)",
        Rule::assert_stmt => "`assert`",
        Rule::subject => "a subject (an entity name or a @label)",
        Rule::object => "an object (an entity name, a @label, a number, a date or `text \"…\"`)",
        Rule::text_literal => "`text \"…\"`",
        Rule::evidence => "evidence (`from DOCUMENT \"quote\"`)",
        Rule::retract_stmt => "`retract @label`",
        Rule::delete_stmt => "`delete entity NAME`",
        Rule::question => "a question (`who …`, `what does …`, `describe …`, `path from …`)",
        Rule::including_negated => "`including negated`",
        Rule::according => "`according to SOURCE …`",
        Rule::why => "`why …`",
        Rule::who_question => "`who RELATION NAME`",
        Rule::what_question => "`what does NAME RELATION`",
        Rule::describe => "`describe NAME`",
        Rule::path_question => "`path from NAME to NAME`",
        Rule::neighbours => "`neighbours of NAME`",
        Rule::sources_question => "`sources of NAME`",
        Rule::who_is => "`who is NAME`",
        Rule::conflicts => "`conflicts`",
        Rule::verify => "`verify`",
        Rule::target => "an entity name or a quoted phrase",
        Rule::query | Rule::single_query | Rule::clause => {
            "a clause (`match`, `optional match`, `unwind`, `call`, `with`, `return`, `create`, `merge`, `set`, `remove`, `delete`)"
        }
        Rule::match_clause => "`match`",
        Rule::kw_optional => "`optional`",
        Rule::kw_unwind => "`unwind`",
        Rule::kw_merge => "`merge`",
        Rule::merge_clause => "`merge PATH`",
        Rule::merge_action => "`on create set …` or `on match set …`",
        Rule::kw_on => "`on`",
        Rule::kw_set => "`set`",
        Rule::kw_remove => "`remove`",
        Rule::kw_detach => "`detach`",
        Rule::set_clause => "`set`",
        Rule::set_item | Rule::set_property => "what to set (`n.key = value`, `n = {…}`, `n += {…}`, `n:Label`)",
        Rule::set_extend => "`n += {…}`",
        Rule::set_replace => "`n = {…}`",
        Rule::set_labels => "`n:Label`",
        Rule::plus_equals => "`+=`",
        Rule::equals => "`=`",
        Rule::remove_clause => "`remove`",
        Rule::remove_item => "what to remove (`n.key` or `n:Label`)",
        Rule::delete_clause => "`delete`",
        Rule::kw_union | Rule::union => "`union`",
        Rule::kw_all => "`all`",
        Rule::unwind_clause => "`unwind EXPR as NAME`",
        Rule::subquery => "a query (`match …`)",
        Rule::subquery_kind => "`exists`, `count` or `collect`",
        Rule::run_mode => "`explain` or `profile`",
        Rule::kw_explain => "`explain`",
        Rule::kw_profile => "`profile`",
        Rule::kw_call | Rule::call_clause => "`call`",
        Rule::procedure_name => "a procedure's name (`db.labels`)",
        Rule::call_arguments => "a procedure's arguments (`(EXPR, …)`)",
        Rule::kw_yield | Rule::yield_clause => "`yield`",
        Rule::yield_item => "a field to yield (`FIELD [as NAME]`)",
        Rule::with_clause => "`with`",
        Rule::projection | Rule::projection_items => "what to return (`*` or expressions)",
        Rule::star => "`*`",
        Rule::map => "a map (`{key: value, …}`)",
        Rule::map_entry => "a `key: value` pair",
        Rule::path_pattern => "a path pattern such as `(a)-[r]->(b)`",
        Rule::path_name => "`p =`",
        Rule::node_pattern => "a node pattern such as `(a:Person)`",
        Rule::rel_pattern => "a relationship pattern such as `-[r:accused]->`",
        Rule::left_arrow => "`<`",
        Rule::right_arrow => "`>`",
        Rule::rel_detail => "`[`",
        Rule::rel_types => "a relation name",
        Rule::var_length | Rule::bare_length => "`*`",
        Rule::range_dots => "`..`",
        Rule::variable => "a variable",
        Rule::where_clause => "`where`",
        Rule::return_clause => "`return`",
        Rule::distinct => "`distinct`",
        Rule::return_item => "an expression to return",
        Rule::order_clause => "`order by`",
        Rule::sort_item => "an expression to sort by",
        Rule::skip_clause => "`skip`",
        Rule::limit_clause => "`limit`",
        Rule::additive | Rule::multiplicative | Rule::power | Rule::unary => "an expression",
        Rule::add_op | Rule::mul_op | Rule::pow_op => "an arithmetic operator",
        Rule::neg_op => "`-`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::predicate
        | Rule::primary => "an expression",
        Rule::not_op => "`not`",
        Rule::predicate_tail => "a comparison (`=`, `<>`, `<`, `contains`, `is null`, …)",
        Rule::exponent => "an exponent (`e10`)",
        Rule::radix_digits => "hexadecimal or octal digits (`0x1F`, `0o17`)",
        Rule::pattern_start
        | Rule::braces
        | Rule::quoted
        | Rule::start_node_head
        | Rule::start_node_anonymous
        | Rule::named_skip
        | Rule::parens => "a pattern (`(n)-->()`)",
        Rule::is_null => "`is null`",
        Rule::is_not_null => "`is not null`",
        // Always expected beside a predicate, which names the comparisons in words.
        Rule::compare_op => return None,
        Rule::string_op => "`starts with`, `ends with` or `contains`",
        Rule::in_op => "`in`",
        Rule::named_op | Rule::kw_named => "`named`",
        Rule::named_spec => "`named` and a name",
        Rule::count_star => "`count(*)`",
        Rule::function_call => "a function call",
        Rule::function_name => "a function name",
        Rule::list => "a list (`[…]`)",
        Rule::postfix => "an expression",
        // Possible after any term, so never worth listing among what was expected.
        Rule::lookup | Rule::index | Rule::label_test => return None,
        Rule::list_comprehension => "a list comprehension (`[x in list where … | …]`)",
        Rule::pattern_predicate => "a pattern (`(n)-->()`)",
        Rule::relationships_pattern => "a pattern of at least one relationship (`(a)-[r]->(b)`)",
        Rule::pattern_comprehension => "a pattern comprehension (`[(a)-->(b) where … | …]`)",
        Rule::subquery_expr => "`exists { … }`, `count { … }` or `collect { … }`",
        Rule::quantifier => "`all(x in list where …)`",
        Rule::case_expr => "`case … end`",
        Rule::case_when => "`when … then …`",
        Rule::kw_case => "`case`",
        Rule::kw_when => "`when`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_end => "`end`",
        Rule::quantifier_kind => "`all`, `any`, `none` or `single`",
        Rule::comprehension_filter => "`where`",
        Rule::comprehension_map => "`|`",
        Rule::xor_expr => "an expression",
        Rule::kw_xor => "`xor`",
    })
}

fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// The text of a string's contents, its escapes replaced: `\"`, `\'`, `\\`, `\n`,
/// `\t`, `\r`, `\b`, `\f` and `\uXXXX`. Any other escape is an error at its place
/// (`start` is the contents' offset in the input), never a character dropped.
fn unescape(text: &str, raw: &str, start: usize) -> Result<String, ParseError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let bad = |end: usize| {
            let end = end.min(raw.len());
            ParseError::at(
                text,
                Span::new(start + at, start + end),
                format!("`{}` is not an escape: write `\\\\` for a backslash", &raw[at..end]),
            )
        };
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\'')) => out.push('\''),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, 'b')) => out.push('\u{8}'),
            Some((_, 'f')) => out.push('\u{c}'),
            Some((u, 'u')) => {
                let mut end = u + 1;
                let mut code = 0u32;
                for _ in 0..4 {
                    match chars.next() {
                        Some((i, h)) if h.is_ascii_hexdigit() => {
                            code = code * 16 + h.to_digit(16).unwrap_or(0);
                            end = i + 1;
                        }
                        Some((i, h)) => return Err(bad(i + h.len_utf8())),
                        None => return Err(bad(end)),
                    }
                }
                out.push(char::from_u32(code).ok_or_else(|| bad(end))?);
            }
            Some((i, other)) => return Err(bad(i + other.len_utf8())),
            // The grammar lets no string end in a lone backslash.
            None => return Err(bad(raw.len())),
        }
    }
    Ok(out)
}

/// The parameter a `name` is, if it is one (`name` → `string` → `parameter`).
fn parameter_in<'i>(p: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
    let string = p.clone().into_inner().next().filter(|s| s.as_rule() == Rule::string)?;
    string.into_inner().next().filter(|x| x.as_rule() == Rule::parameter)
}

/// The text of a `string`: its unescaped contents, or the text its parameter stands for.
fn string_of(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<String, ParseError> {
    match p.clone().into_inner().next() {
        Some(inner) if inner.as_rule() == Rule::parameter => match text.param_literal(&inner)? {
            Literal::Str(s) => Ok(s),
            other => Err(ParseError::at(
                text,
                span(&inner),
                format!("the parameter {} is {}, where text is needed", inner.as_str(), other.type_name()),
            )),
        },
        Some(inner) => unescape(text, inner.as_str(), inner.as_span().start()),
        None => Ok(String::new()),
    }
}

fn ident(p: Pair<'_, Rule>) -> Ident {
    Ident { text: var_text(&p), span: span(&p) }
}

/// A `variable`'s name: a word as written, a name in backticks without them and with
/// each doubled backtick made one.
fn var_text(p: &Pair<'_, Rule>) -> String {
    let s = p.as_str();
    match s.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        Some(inner) if p.as_rule() == Rule::variable => inner.replace("``", "`"),
        _ => s.to_owned(),
    }
}

fn name(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Name, ParseError> {
    // `name` and `target` wrap a string or a word.
    let sp = span(&p);
    let inner = match p.as_rule() {
        Rule::name | Rule::target => p.into_inner().next(),
        _ => Some(p),
    };
    Ok(match inner {
        Some(i) if i.as_rule() == Rule::string => Name { text: string_of(text, i)?, quoted: true, span: sp },
        Some(i) => Name { text: i.as_str().to_owned(), quoted: false, span: sp },
        None => Name { text: String::new(), quoted: false, span: sp },
    })
}

fn label(p: Pair<'_, Rule>) -> Label {
    Label { name: p.as_str().trim_start_matches('@').to_owned(), span: span(&p) }
}

fn integer(text: &Src<'_>, p: &Pair<'_, Rule>) -> Result<i64, ParseError> {
    malformed(text, p)?;
    whole(p.as_str())
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| ParseError::at(text, span(p), format!("{} does not fit in a 64-bit integer", p.as_str())))
}

fn unsigned(text: &Src<'_>, p: &Pair<'_, Rule>, what: &str) -> Result<u64, ParseError> {
    malformed(text, p)?;
    whole(p.as_str()).and_then(|n| u64::try_from(n).ok()).ok_or_else(|| {
        ParseError::at(text, span(p), format!("{what} must be a whole number from 0, got {}", p.as_str()))
    })
}

/// The error for an `integer` token with `0x` or `0o` whose digits are not all of its
/// radix (`0x1G`, `0o8`, `0x`).
fn malformed(text: &Src<'_>, p: &Pair<'_, Rule>) -> Result<(), ParseError> {
    let s = p.as_str().trim_start_matches('-');
    let radix = match (s.starts_with("0x"), s.starts_with("0o")) {
        (true, _) => "hexadecimal",
        (_, true) => "octal",
        _ => return Ok(()),
    };
    if is_whole_number(s) {
        return Ok(());
    }
    Err(ParseError::at(text, span(p), format!("`{}` is not a {radix} number", p.as_str())))
}

/// Whether `s` is an unsigned `integer` token: decimal digits, or `0x` and
/// hexadecimal or `0o` and octal ones.
fn is_whole_number(s: &str) -> bool {
    let all = |s: &str, digit: fn(&u8) -> bool| !s.is_empty() && s.as_bytes().iter().all(digit);
    match (s.strip_prefix("0x"), s.strip_prefix("0o")) {
        (Some(hex), _) => all(hex, u8::is_ascii_hexdigit),
        (_, Some(octal)) => all(octal, |b| (b'0'..=b'7').contains(b)),
        _ => all(s, u8::is_ascii_digit),
    }
}

/// The value of an `integer` token (decimal, `0x` hexadecimal or `0o` octal, with or
/// without a sign); `None` past what 128 bits hold. Read as a whole,
/// sign and all, so that the smallest 64-bit integer, whose magnitude no positive one
/// holds, is a literal (`-0x8000000000000000`).
fn whole(s: &str) -> Option<i128> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (radix, digits) = match (digits.strip_prefix("0x"), digits.strip_prefix("0o")) {
        (Some(hex), _) => (16, hex),
        (_, Some(octal)) => (8, octal),
        _ => (10, digits),
    };
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn date(text: &Src<'_>, p: &Pair<'_, Rule>) -> Result<Date, ParseError> {
    let s = p.as_str();
    let bad = || ParseError::at(text, span(p), format!("{s} is not a calendar date"));
    let year: i32 = s[0..4].parse().map_err(|_| bad())?;
    let month: u8 = s[5..7].parse().map_err(|_| bad())?;
    let day: u8 = s[8..10].parse().map_err(|_| bad())?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days {
        return Err(bad());
    }
    Ok(Date { year, month, day })
}

fn literal(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Literal, ParseError> {
    let p = if p.as_rule() == Rule::literal { p.into_inner().next().expect("literal has one child") } else { p };
    Ok(match p.as_rule() {
        Rule::date => Literal::Date(date(text, &p)?),
        Rule::float => {
            let x: f64 = p.as_str().parse().map_err(|_| ParseError::at(text, span(&p), "not a number"))?;
            if !x.is_finite() {
                return Err(ParseError::at(text, span(&p), format!("{} is too large for a float", p.as_str())));
            }
            Literal::Float(x)
        }
        Rule::integer => Literal::Int(integer(text, &p)?),
        Rule::boolean => Literal::Bool(p.as_str().eq_ignore_ascii_case("true")),
        Rule::string => match p.clone().into_inner().next() {
            Some(inner) if inner.as_rule() == Rule::parameter => text.param_literal(&inner)?,
            _ => Literal::Str(string_of(text, p)?),
        },
        _ => return Err(ParseError::at(text, span(&p), "expected a value")),
    })
}

fn properties(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Vec<Property>, ParseError> {
    let mut out: Vec<Property> = Vec::new();
    for prop in p.into_inner() {
        let mut it = prop.into_inner();
        let key = ident(it.next().expect("property key"));
        let v = it.next().expect("property value");
        let sp = span(&v);
        if out.iter().any(|p| p.key.text == key.text) {
            return Err(ParseError::at(text, key.span, format!("`{}` is given twice", key.text)));
        }
        out.push(Property { key, value: literal(text, v)?, span: sp });
    }
    Ok(out)
}

fn pattern_properties(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Vec<PatternProperty>, ParseError> {
    let mut out: Vec<PatternProperty> = Vec::new();
    for prop in p.into_inner() {
        let mut it = prop.into_inner();
        let key = ident(it.next().expect("property key"));
        let v = it.next().expect("property value");
        let sp = span(&v);
        if out.iter().any(|p| p.key.text == key.text) {
            return Err(ParseError::at(text, key.span, format!("`{}` is given twice", key.text)));
        }
        out.push(PatternProperty { key, value: expr(text, v)?, span: sp });
    }
    Ok(out)
}

fn statement(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Statement, ParseError> {
    let inner = p.into_inner().next().expect("statement has one child");
    match inner.as_rule() {
        Rule::write => Ok(Statement::Write(write(text, inner.into_inner().next().expect("write child"))?)),
        Rule::question => Ok(Statement::Question(question(text, inner)?)),
        Rule::query => Ok(Statement::Query(query(text, inner)?)),
        _ => Err(ParseError::at(text, span(&inner), "unexpected statement")),
    }
}

fn write(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Write, ParseError> {
    let rule = p.as_rule();
    let mut it = p.into_inner().filter(|x| !keyword(x.as_rule()));
    Ok(match rule {
        Rule::document_decl => {
            let n = name(text, it.next().expect("document name"))?;
            let props = match it.next() {
                Some(pp) => properties(text, pp)?,
                None => Vec::new(),
            };
            Write::Document { name: n, properties: props }
        }
        Rule::entity_decl => {
            let n = name(text, it.next().expect("entity name"))?;
            let (mut kind, mut aliases, mut props) = (None, Vec::new(), Vec::new());
            for x in it {
                match x.as_rule() {
                    Rule::kind => kind = Some(ident(x)),
                    Rule::aka_clause => {
                        for a in x.into_inner().filter(|a| a.as_rule() == Rule::alias) {
                            let mut ai = a.into_inner().filter(|y| !keyword(y.as_rule()));
                            let s = ai.next().expect("alias string");
                            let sp = span(&s);
                            aliases.push(AliasDecl {
                                text: string_of(text, s)?,
                                span: sp,
                                documents: ai.map(ident).collect(),
                            });
                        }
                    }
                    Rule::properties => props = properties(text, x)?,
                    _ => {}
                }
            }
            Write::Entity { name: n, kind, aliases, properties: props }
        }
        Rule::assert_stmt => {
            let mut label_ = None;
            let mut parts = Vec::new();
            let mut quals = Vec::new();
            let mut evidence = Vec::new();
            for x in it {
                match x.as_rule() {
                    Rule::label => label_ = Some(label(x)),
                    Rule::properties => quals = properties(text, x)?,
                    Rule::evidence => {
                        let mut ei = x.into_inner().filter(|y| !keyword(y.as_rule()));
                        let document = name(text, ei.next().expect("evidence document"))?;
                        let q = ei.next().expect("evidence quote");
                        let quote_span = span(&q);
                        let quote = string_of(text, q)?;
                        let by = ei.next().map(|n| name(text, n)).transpose()?;
                        evidence.push(EvidenceDecl { document, quote, quote_span, by });
                    }
                    _ => parts.push(x),
                }
            }
            let mut parts = parts.into_iter();
            let subject = term(text, parts.next().expect("assert subject"))?;
            let relation = ident(parts.next().expect("assert relation"));
            let object = term(text, parts.next().expect("assert object"))?;
            if matches!(subject, Term::Literal(..)) {
                return Err(ParseError::at(text, relation.span, "a subject must be an entity or a @label"));
            }
            Write::Assert(Assert { label: label_, subject, relation, object, qualifiers: quals, evidence })
        }
        Rule::retract_stmt => Write::Retract(label(it.next().expect("retract label"))),
        Rule::delete_stmt => Write::DeleteEntity(name(text, it.next().expect("delete name"))?),
        _ => return Err(ParseError::at(text, Span::default(), "unexpected write")),
    })
}

fn term(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Term, ParseError> {
    let sp = span(&p);
    let inner = p.into_inner().next().expect("term has one child");
    Ok(match inner.as_rule() {
        Rule::label => Term::Label(label(inner)),
        // A parameter in an object's place: text names an entity (as a quoted name
        // does), any other value is a literal object.
        Rule::name => match parameter_in(&inner).map(|param| text.param_literal(&param)).transpose()? {
            Some(value) if !matches!(value, Literal::Str(_)) => Term::Literal(value, sp),
            _ => Term::Name(name(text, inner)?),
        },
        Rule::text_literal => {
            let s = inner.into_inner().find(|x| x.as_rule() == Rule::string).expect("text string");
            Term::Literal(Literal::Str(string_of(text, s)?), sp)
        }
        Rule::date | Rule::float | Rule::integer | Rule::boolean => Term::Literal(literal(text, inner)?, sp),
        _ => return Err(ParseError::at(text, sp, "expected an entity, a label or a value")),
    })
}

fn question(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Question, ParseError> {
    let mut parts = p.into_inner();
    let q = parts.next().expect("question has one child");
    let form = question_form(text, q)?;
    Ok(match parts.next() {
        Some(_including_negated) => Question::IncludingNegated(Box::new(form)),
        None => form,
    })
}

fn question_form(text: &Src<'_>, q: Pair<'_, Rule>) -> Result<Question, ParseError> {
    let rule = q.as_rule();
    // `conflicts all`: the one question form whose keyword is an option.
    let all = q.clone().into_inner().any(|x| x.as_rule() == Rule::kw_all);
    let mut it = q.into_inner().filter(|x| !keyword(x.as_rule()));
    Ok(match rule {
        Rule::according => {
            let source = name(text, it.next().expect("according source"))?;
            Question::According { source, question: Box::new(question(text, it.next().expect("according question"))?) }
        }
        Rule::why => Question::Why(Box::new(question(text, it.next().expect("why question"))?)),
        Rule::who_question => {
            let relation = ident(it.next().expect("who relation"));
            Question::Who { relation, target: name(text, it.next().expect("who target"))? }
        }
        Rule::what_question => {
            let subject = name(text, it.next().expect("what subject"))?;
            Question::What { subject, relation: ident(it.next().expect("what relation")) }
        }
        Rule::who_is => Question::WhoIs(name(text, it.next().expect("who is name"))?),
        Rule::describe => Question::Describe(name(text, it.next().expect("describe name"))?),
        Rule::path_question => {
            let from = name(text, it.next().expect("path from"))?;
            Question::Path { from, to: name(text, it.next().expect("path to"))? }
        }
        Rule::neighbours => {
            let n = name(text, it.next().expect("neighbours name"))?;
            let depth = match it.next() {
                Some(d) => Some((unsigned(text, &d, "a depth")?, span(&d))),
                None => None,
            };
            Question::Neighbours { name: n, depth }
        }
        Rule::sources_question => Question::Sources(name(text, it.next().expect("sources name"))?),
        Rule::conflicts => Question::Conflicts { all, about: it.next().map(|n| name(text, n)).transpose()? },
        Rule::verify => Question::Verify,
        _ => return Err(ParseError::at(text, Span::default(), "unexpected question")),
    })
}

fn query(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Query, ParseError> {
    let mut parts = p.into_inner();
    let clauses = single_query(text, parts.next().expect("a query"))?;
    let mut unions = Vec::new();
    let mut including_negated = false;
    while let Some(u) = parts.next() {
        if u.as_rule() == Rule::including_negated {
            including_negated = true;
            break;
        }
        let q = parts.next().expect("a query after `union`");
        let all = u.clone().into_inner().any(|x| x.as_rule() == Rule::kw_all);
        unions.push(Union { all, clauses: single_query(text, q)?, span: span(&u) });
    }
    // A call alone is a query of its own, whose columns are its procedure's.
    if !unions.is_empty() {
        let parts = std::iter::once(&clauses).chain(unions.iter().map(|u| &u.clauses));
        if let Some(Clause::Call(c)) =
            parts.filter(|p| p.len() == 1).map(|p| &p[0]).find(|c| matches!(c, Clause::Call(_)))
        {
            return Err(ParseError::at(
                text,
                c.span,
                "a `call` alone is a query of its own and cannot be part of a `union`: yield its fields and return them",
            ));
        }
    }
    Ok(Query { clauses, unions, including_negated })
}

fn single_query(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Vec<Clause>, ParseError> {
    clauses_in_order(text, p, Inside::Query)
}

/// Where a list of clauses stands: a query of its own, or a query inside `exists {…}`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    Query,
    /// It gives rows to count, not an answer: it need not end with `return`.
    Subquery,
}

/// The clauses of `p`, checked to be in an order openCypher allows.
fn clauses_in_order(text: &Src<'_>, p: Pair<'_, Rule>, inside: Inside) -> Result<Vec<Clause>, ParseError> {
    let whole = span(&p);
    let mut clauses = Vec::new();
    let mut spans = Vec::new();
    for c in p.into_inner() {
        let c = c.into_inner().next().expect("clause has one child");
        spans.push(span(&c));
        clauses.push(clause(text, c)?);
    }
    // The order openCypher allows: reading clauses, then updates, then `return`; `with`
    // starts a new part. Checked here so the message can say what is wrong in words.
    let mut updated = false;
    for (i, c) in clauses.iter().enumerate() {
        let last = i + 1 == clauses.len();
        match c {
            Clause::Return(_) if !last => {
                return Err(ParseError::at(
                    text,
                    spans[i + 1],
                    "nothing may follow `return`: it ends the query (use `with` to go on)",
                ))
            }
            // A call alone is a query of its own; within a query, it reads.
            Clause::Call(_) if clauses.len() == 1 && inside == Inside::Query => {}
            Clause::Call(Call { yields: Some(Yield::All(star)), .. }) => {
                return Err(ParseError::at(
                    text,
                    *star,
                    "`yield *` only goes with a `call` alone in its query: name the fields to yield",
                ))
            }
            Clause::With(_) | Clause::Match(_) | Clause::Unwind { .. } | Clause::Call(_)
                if last && inside == Inside::Subquery => {}
            Clause::With(_) if last => {
                return Err(unfinished(
                    text,
                    whole.end,
                    "a query cannot end with `with`: finish it with `return` or an update such as `create`",
                ))
            }
            Clause::Match(_) | Clause::Unwind { .. } | Clause::Call(_) if updated => {
                return Err(ParseError::at(
                    text,
                    spans[i],
                    "a reading clause cannot follow an update directly: put `with` between them",
                ))
            }
            Clause::Match(_) | Clause::Unwind { .. } | Clause::Call(_) if last => {
                return Err(unfinished(text, whole.end, "a query must end with `return` or an update such as `create`"))
            }
            c if c.updates() => updated = true,
            Clause::With(_) => updated = false,
            _ => {}
        }
    }
    Ok(clauses)
}

/// A query that stops where it needs more: found at the end of input, as the parser
/// says of any statement cut short (a REPL reads another line on it).
fn unfinished(text: &str, at: usize, message: &str) -> ParseError {
    let mut e = ParseError::at(text, Span::new(at, at), message);
    e.found = "end of input".into();
    e.expected = vec!["`return`", "`with`", "`create`"];
    e
}

/// `call NAME(ARGS) [yield …]`
fn call(text: &Src<'_>, c: Pair<'_, Rule>) -> Result<Call, ParseError> {
    let sp = span(&c);
    let mut procedure = None;
    let mut args = None;
    let mut yields = None;
    for x in c.into_inner() {
        match x.as_rule() {
            Rule::procedure_name => {
                // The name as written, each part as a variable's text (backticks gone).
                let parts: Vec<String> = x.clone().into_inner().map(|v| var_text(&v)).collect();
                procedure = Some(Ident { text: parts.join("."), span: span(&x) });
            }
            Rule::call_arguments => {
                args = Some(CallArgs::Given(x.into_inner().map(|e| expr(text, e)).collect::<Result<_, _>>()?));
            }
            Rule::yield_clause => {
                let mut items = Vec::new();
                let mut filter = None;
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::star => {
                            yields = Some(Yield::All(span(&y)));
                        }
                        Rule::yield_item => {
                            let mut names = y.into_inner().filter(|v| v.as_rule() == Rule::variable);
                            let field = ident(names.next().expect("a yield item's field"));
                            items.push((field, names.next().map(ident)));
                        }
                        Rule::where_clause => filter = Some(where_expr(text, y)?),
                        _ => {}
                    }
                }
                if yields.is_none() {
                    yields = Some(Yield::Items { items, filter });
                }
            }
            _ => {}
        }
    }
    let args = args.unwrap_or_else(|| {
        let at = procedure.as_ref().map_or(sp, |p| p.span);
        CallArgs::Implicit(text.params.iter().map(|(k, v)| (k.clone(), param_expr(v.clone(), at))).collect())
    });
    Ok(Call { procedure: procedure.expect("a call's procedure"), args, yields, span: sp })
}

fn clause(text: &Src<'_>, c: Pair<'_, Rule>) -> Result<Clause, ParseError> {
    let sp = span(&c);
    Ok(match c.as_rule() {
        Rule::match_clause => {
            let mut m = Match { optional: false, paths: Vec::new(), filter: None };
            for x in c.into_inner() {
                match x.as_rule() {
                    Rule::kw_optional => m.optional = true,
                    Rule::path_pattern => m.paths.push(path_pattern(text, x)?),
                    Rule::where_clause => m.filter = Some(where_expr(text, x)?),
                    _ => {}
                }
            }
            Clause::Match(m)
        }
        Rule::call_clause => Clause::Call(call(text, c)?),
        Rule::unwind_clause => {
            let mut it = c.into_inner().filter(|x| !keyword(x.as_rule()));
            let e = expr(text, it.next().expect("unwind expr"))?;
            Clause::Unwind { expr: e, var: ident(it.next().expect("unwind variable")) }
        }
        Rule::with_clause | Rule::return_clause => {
            let is_with = c.as_rule() == Rule::with_clause;
            let mut out = Projection {
                distinct: false,
                star: false,
                items: Vec::new(),
                order: Vec::new(),
                skip: None,
                limit: None,
                filter: None,
                span: sp,
            };
            for x in c.into_inner() {
                match x.as_rule() {
                    Rule::projection => projection(text, x, &mut out)?,
                    Rule::where_clause => out.filter = Some(where_expr(text, x)?),
                    _ => {}
                }
            }
            if is_with {
                Clause::With(out)
            } else {
                Clause::Return(out)
            }
        }
        Rule::merge_clause => {
            let mut it = c.into_inner().filter(|x| !keyword(x.as_rule()));
            let path = path_pattern(text, it.next().expect("merge path"))?;
            let mut m = Merge { path, on_create: Vec::new(), on_match: Vec::new() };
            for action in it {
                let mut parts = action.into_inner();
                parts.next(); // `on`
                let create = parts.next().is_some_and(|w| w.as_rule() == Rule::kw_create);
                let items = set_items(text, parts.next().expect("merge action's set"))?;
                if create {
                    m.on_create.extend(items);
                } else {
                    m.on_match.extend(items);
                }
            }
            Clause::Merge(m)
        }
        Rule::set_clause => Clause::Set(set_items(text, c)?),
        Rule::remove_clause => {
            let mut items = Vec::new();
            for item in c.into_inner().filter(|x| x.as_rule() == Rule::remove_item) {
                let x = item.into_inner().next().expect("remove item");
                items.push(match x.as_rule() {
                    Rule::set_labels => {
                        let (var, labels) = labels_of(x);
                        RemoveItem::Labels { var, labels }
                    }
                    _ => {
                        let (target, key) = property_target(text, x)?;
                        RemoveItem::Property { target, key }
                    }
                });
            }
            Clause::Remove(items)
        }
        Rule::delete_clause => {
            let mut detach = false;
            let mut exprs = Vec::new();
            for x in c.into_inner() {
                match x.as_rule() {
                    Rule::kw_detach => detach = true,
                    Rule::expr => exprs.push(expr(text, x)?),
                    _ => {}
                }
            }
            Clause::Delete { detach, exprs }
        }
        Rule::create_clause => {
            let mut paths = Vec::new();
            for p in c.into_inner().filter(|x| x.as_rule() == Rule::path_pattern) {
                paths.push(path_pattern(text, p)?);
            }
            Clause::Create(paths)
        }
        _ => return Err(ParseError::at(text, sp, "unexpected clause")),
    })
}

/// The items of a `set` clause (standing alone or after `on create`/`on match`).
fn set_items(text: &Src<'_>, c: Pair<'_, Rule>) -> Result<Vec<SetItem>, ParseError> {
    let mut items = Vec::new();
    for item in c.into_inner().filter(|x| x.as_rule() == Rule::set_item) {
        let x = item.into_inner().next().expect("set item");
        let rule = x.as_rule();
        items.push(match rule {
            Rule::set_labels => {
                let (var, labels) = labels_of(x);
                SetItem::Labels { var, labels }
            }
            Rule::set_extend | Rule::set_replace => {
                let mut it = x.into_inner().filter(|y| !matches!(y.as_rule(), Rule::plus_equals | Rule::equals));
                let var = ident(it.next().expect("set variable"));
                let value = expr(text, it.next().expect("set value"))?;
                if rule == Rule::set_extend {
                    SetItem::Extend { var, value }
                } else {
                    SetItem::Replace { var, value }
                }
            }
            _ => {
                let mut it = x.into_inner().filter(|y| y.as_rule() != Rule::equals);
                let (target, key) = property_target(text, it.next().expect("set target"))?;
                SetItem::Property { target, key, value: expr(text, it.next().expect("set value"))? }
            }
        });
    }
    Ok(items)
}

/// `n:A:B` in `set` or `remove`: the variable and the labels.
fn labels_of(p: Pair<'_, Rule>) -> (Ident, Vec<Ident>) {
    let mut it = p.into_inner();
    let var = ident(it.next().expect("labelled variable"));
    let labels = it.flat_map(|t| t.into_inner()).map(ident).collect();
    (var, labels)
}

/// What `set e.key = …` and `remove e.key` name: a property of something, `e.key`;
/// any other expression is an error at its place.
fn property_target(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<(Expr, Ident), ParseError> {
    let e = expr(text, p)?;
    let sp = e.span;
    let key_span = |key: &str| Span::new(sp.end.saturating_sub(key.len()), sp.end);
    match e.kind {
        ExprKind::Property(var, key) => {
            let var_span = Span::new(sp.start, sp.start + var.len());
            let ks = key_span(&key);
            Ok((Expr { kind: ExprKind::Var(var), span: var_span }, Ident { text: key, span: ks }))
        }
        ExprKind::Lookup(target, key) => {
            let ks = key_span(&key);
            Ok((*target, Ident { text: key, span: ks }))
        }
        _ => Err(ParseError::at(text, sp, "expected a property to change, such as `n.key`, or a label, `n:Label`")),
    }
}

fn where_expr(text: &Src<'_>, w: Pair<'_, Rule>) -> Result<Expr, ParseError> {
    text.condition(w.into_inner().find(|x| x.as_rule() == Rule::expr).expect("where expr"))
}

fn projection(text: &Src<'_>, p: Pair<'_, Rule>, out: &mut Projection) -> Result<(), ParseError> {
    for clause in p.into_inner() {
        match clause.as_rule() {
            Rule::distinct => out.distinct = true,
            Rule::projection_items => {
                for x in clause.into_inner() {
                    match x.as_rule() {
                        Rule::star => out.star = true,
                        Rule::return_item => {
                            let mut ri = x.into_inner().filter(|y| !keyword(y.as_rule()));
                            let e = ri.next().expect("return expr");
                            // pest's implicit comments may end the pair: they name no column.
                            let written = crate::scan::without_comments(e.as_str());
                            out.items.push(ReturnItem {
                                expr: expr(text, e)?,
                                alias: ri.next().map(ident),
                                text: written,
                            });
                        }
                        _ => {}
                    }
                }
            }
            Rule::order_clause => {
                for s in clause.into_inner().filter(|x| x.as_rule() == Rule::sort_item) {
                    let mut si = s.into_inner();
                    let e = expr(text, si.next().expect("sort expr"))?;
                    let descending = si.next().is_some_and(|d| d.as_rule() == Rule::kw_desc);
                    out.order.push(SortItem { expr: e, descending });
                }
            }
            Rule::skip_clause | Rule::limit_clause => {
                let rule = clause.as_rule();
                let n = clause.into_inner().find(|x| x.as_rule() == Rule::expr).expect("count");
                let v = expr(text, n)?;
                if rule == Rule::skip_clause {
                    out.skip = Some(v);
                } else {
                    out.limit = Some(v);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn path_pattern(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<PathPattern, ParseError> {
    let mut it = p.into_inner().peekable();
    let name = match it.peek().map(|x| x.as_rule()) {
        Some(Rule::path_name) => it.next().and_then(|n| n.into_inner().next()).map(ident),
        _ => None,
    };
    let start = node_pattern(text, it.next().expect("path start"))?;
    let mut steps = Vec::new();
    while let (Some(r), Some(n)) = (it.next(), it.next()) {
        if steps.len() == MAX_CHAIN {
            return Err(ParseError::at(
                text,
                span(&r),
                format!("a path pattern may have at most {MAX_CHAIN} relationships"),
            ));
        }
        steps.push((rel_pattern(text, r)?, node_pattern(text, n)?));
    }
    Ok(PathPattern { name, start, steps })
}

fn node_pattern(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<NodePattern, ParseError> {
    let sp = span(&p);
    let mut n = NodePattern {
        var: None,
        kind: None,
        named: None,
        properties: Vec::new(),
        braces: false,
        parameter: None,
        span: sp,
    };
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::variable => n.var = Some(ident(x)),
            // Several labels are one kind, the words joined by `:` (`A:B`), each once.
            Rule::kind => {
                let label = ident(x);
                n.kind = Some(match n.kind.take() {
                    None => label,
                    Some(k) if k.text.split(':').any(|l| l == label.text) => k,
                    Some(k) => Ident { text: format!("{}:{}", k.text, label.text), span: k.span.to(label.span) },
                });
            }
            Rule::pattern_properties => {
                n.properties = pattern_properties(text, x)?;
                n.braces = true;
            }
            Rule::parameter => n.parameter = Some(ident(x)),
            Rule::named_spec => {
                let value =
                    x.into_inner().find(|v| v.as_rule() != Rule::kw_named).expect("the grammar asks for a name");
                n.named = Some(expr(text, value)?);
            }
            _ => {}
        }
    }
    Ok(n)
}

fn rel_pattern(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<RelPattern, ParseError> {
    let sp = span(&p);
    let (mut left, mut right) = (false, false);
    let mut r = RelPattern {
        var: None,
        types: Vec::new(),
        arrow: Arrow::Either,
        length: None,
        bad_length: None,
        properties: Vec::new(),
        parameter: None,
        span: sp,
    };
    for x in p.into_inner() {
        match x.as_rule() {
            Rule::left_arrow => left = true,
            Rule::right_arrow => right = true,
            Rule::rel_detail => {
                for d in x.into_inner() {
                    match d.as_rule() {
                        Rule::variable => r.var = Some(ident(d)),
                        Rule::rel_types => r.types = d.into_inner().map(ident).collect(),
                        Rule::pattern_properties => r.properties = pattern_properties(text, d)?,
                        Rule::parameter => r.parameter = Some(ident(d)),
                        Rule::var_length | Rule::bare_length => {
                            if d.as_rule() == Rule::bare_length {
                                r.bad_length = Some((BadLength::WithoutStar, span(&d)));
                            }
                            let mut min = None;
                            let mut max = None;
                            let mut dots = false;
                            for v in d.into_inner() {
                                let bound = match v.as_rule() {
                                    Rule::range_dots => {
                                        dots = true;
                                        continue;
                                    }
                                    // openCypher's bounds have no sign: `*-0` too.
                                    Rule::integer if v.as_str().starts_with('-') => {
                                        malformed(text, &v)?;
                                        r.bad_length.get_or_insert((BadLength::Negative, span(&v)));
                                        None
                                    }
                                    Rule::integer => Some(unsigned(text, &v, "a path length")?),
                                    _ => continue,
                                };
                                if dots {
                                    max = bound;
                                } else {
                                    min = bound;
                                }
                            }
                            // `*3` means exactly 3.
                            if !dots {
                                max = min;
                            }
                            r.length = Some((min, max));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    r.arrow = match (left, right) {
        (true, false) => Arrow::Left,
        (false, true) => Arrow::Right,
        (false, false) => Arrow::Either,
        // `<-[]->` is openCypher's other spelling of "either way".
        (true, true) => Arrow::Either,
    };
    Ok(r)
}

fn expr(text: &Src<'_>, p: Pair<'_, Rule>) -> Result<Expr, ParseError> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::expr => expr(text, p.into_inner().next().expect("expr child")),
        Rule::or_expr | Rule::and_expr | Rule::xor_expr => {
            let rule = p.as_rule();
            let parts: Vec<_> = p.into_inner().filter(|x| !keyword(x.as_rule())).collect();
            if parts.len() > MAX_CHAIN {
                return Err(ParseError::at(
                    text,
                    sp,
                    format!(
                        "an expression chains {} conditions; the limit is {MAX_CHAIN} (use `in [...]` for long lists)",
                        parts.len()
                    ),
                ));
            }
            let mut parts = parts.into_iter();
            let mut acc = expr(text, parts.next().expect("operand"))?;
            for next in parts {
                let rhs = expr(text, next)?;
                let span = acc.span.to(rhs.span);
                let kind = match rule {
                    Rule::or_expr => ExprKind::Or(Box::new(acc), Box::new(rhs)),
                    Rule::xor_expr => ExprKind::Xor(Box::new(acc), Box::new(rhs)),
                    _ => ExprKind::And(Box::new(acc), Box::new(rhs)),
                };
                acc = Expr { kind, span };
            }
            Ok(acc)
        }
        Rule::not_expr => {
            let mut nots = 0;
            let mut inner = None;
            for x in p.into_inner() {
                if x.as_rule() == Rule::not_op {
                    nots += 1;
                } else {
                    inner = Some(expr(text, x)?);
                }
            }
            if nots > MAX_CHAIN {
                return Err(ParseError::at(
                    text,
                    sp,
                    format!("`not` is repeated {nots} times; the limit is {MAX_CHAIN}"),
                ));
            }
            let mut e = inner.expect("not operand");
            for _ in 0..nots {
                e = Expr { kind: ExprKind::Not(Box::new(e)), span: sp };
            }
            Ok(e)
        }
        Rule::comparison => {
            let mut it = p.into_inner();
            let mut lhs = expr(text, it.next().expect("comparison lhs"))?;
            // `a < b < c` is `a < b and b < c`, as in openCypher.
            let mut acc: Option<Expr> = None;
            let mut n = 0;
            while let Some(op) = it.next() {
                n += 1;
                if n > MAX_CHAIN {
                    return Err(ParseError::at(text, sp, format!("more than {MAX_CHAIN} comparisons in a chain")));
                }
                let o = match op.as_str() {
                    "=" => CompareOp::Eq,
                    "<>" => CompareOp::Ne,
                    "<" => CompareOp::Lt,
                    "<=" => CompareOp::Le,
                    ">" => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                let rhs = expr(text, it.next().expect("comparison rhs"))?;
                let span = lhs.span.to(rhs.span);
                let c = Expr { kind: ExprKind::Compare(o, Box::new(lhs), Box::new(rhs.clone())), span };
                acc = Some(match acc {
                    None => c,
                    Some(a) => {
                        let span = a.span.to(c.span);
                        Expr { kind: ExprKind::And(Box::new(a), Box::new(c)), span }
                    }
                });
                lhs = rhs;
            }
            Ok(acc.unwrap_or(lhs))
        }
        Rule::predicate => {
            let mut it = p.into_inner();
            let mut acc = expr(text, it.next().expect("predicate operand"))?;
            for (n, tail) in it.enumerate() {
                if n >= MAX_CHAIN {
                    return Err(ParseError::at(text, sp, format!("more than {MAX_CHAIN} predicates in a chain")));
                }
                let mut ti = tail.into_inner();
                let op = ti.next().expect("predicate op");
                acc = match op.as_rule() {
                    Rule::is_null | Rule::is_not_null => {
                        let span = acc.span.to(span(&op));
                        let negated = op.as_rule() == Rule::is_not_null;
                        Expr { kind: ExprKind::IsNull { expr: Box::new(acc), negated }, span }
                    }
                    Rule::string_op | Rule::in_op | Rule::named_op => {
                        let o = match (op.as_rule(), op.as_str().to_ascii_lowercase().split_whitespace().next()) {
                            (Rule::in_op, _) => CompareOp::In,
                            (Rule::named_op, _) => CompareOp::Named,
                            (_, Some("starts")) => CompareOp::StartsWith,
                            (_, Some("ends")) => CompareOp::EndsWith,
                            _ => CompareOp::Contains,
                        };
                        let rhs = expr(text, ti.next().expect("predicate rhs"))?;
                        let span = acc.span.to(rhs.span);
                        Expr { kind: ExprKind::Compare(o, Box::new(acc), Box::new(rhs)), span }
                    }
                    _ => return Err(ParseError::at(text, sp, "unexpected predicate")),
                };
            }
            Ok(acc)
        }
        Rule::postfix => {
            let mut it = p.into_inner();
            let mut e = expr(text, it.next().expect("postfix term"))?;
            for (n, op) in it.enumerate() {
                if n >= MAX_CHAIN {
                    return Err(ParseError::at(text, sp, format!("more than {MAX_CHAIN} lookups in a chain")));
                }
                let span = e.span.to(span(&op));
                let kind = match op.as_rule() {
                    Rule::lookup => {
                        let key = var_text(&op.into_inner().next().expect("lookup key"));
                        match e.kind {
                            ExprKind::Var(v) => ExprKind::Property(v, key),
                            _ => ExprKind::Lookup(Box::new(e), key),
                        }
                    }
                    Rule::label_test => {
                        ExprKind::HasLabels(Box::new(e), op.into_inner().map(|k| k.as_str().to_owned()).collect())
                    }
                    Rule::index => {
                        let mut from = None;
                        let mut to = None;
                        let mut dots = false;
                        for x in op.into_inner() {
                            match x.as_rule() {
                                Rule::range_dots => dots = true,
                                _ if dots => to = Some(Box::new(expr(text, x)?)),
                                _ => from = Some(Box::new(expr(text, x)?)),
                            }
                        }
                        match (dots, from) {
                            (false, Some(i)) => ExprKind::Index(Box::new(e), i),
                            (false, None) => return Err(ParseError::at(text, span, "`[]` needs an index")),
                            (true, from) => ExprKind::Slice(Box::new(e), from, to),
                        }
                    }
                    _ => return Err(ParseError::at(text, span, "unexpected postfix")),
                };
                e = Expr { kind, span };
            }
            Ok(e)
        }
        Rule::case_expr => {
            let (mut subject, mut whens, mut otherwise) = (None, Vec::new(), None);
            let mut after_else = false;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::kw_else => after_else = true,
                    Rule::case_when => {
                        let mut w = x.into_inner().filter(|y| !keyword(y.as_rule()));
                        let when = expr(text, w.next().expect("when"))?;
                        whens.push((when, expr(text, w.next().expect("then"))?));
                    }
                    Rule::expr if after_else => otherwise = Some(Box::new(expr(text, x)?)),
                    Rule::expr => subject = Some(Box::new(expr(text, x)?)),
                    _ => {}
                }
            }
            Ok(Expr { kind: ExprKind::Case { subject, whens, otherwise }, span: sp })
        }
        Rule::quantifier => {
            let mut it = p.into_inner().filter(|x| !keyword(x.as_rule()));
            let kind = match it.next().expect("quantifier kind").as_str().to_ascii_lowercase().as_str() {
                "all" => Quantifier::All,
                "any" => Quantifier::Any,
                "none" => Quantifier::None,
                _ => Quantifier::Single,
            };
            let var = var_text(&it.next().expect("quantifier variable"));
            let list = Box::new(expr(text, it.next().expect("quantifier list"))?);
            let pred = Box::new(text.condition(it.next().expect("quantifier predicate"))?);
            Ok(Expr { kind: ExprKind::Quantifier { kind, var, list, pred }, span: sp })
        }
        // Apart, as the literal's below: every arm's locals are in `expr`'s frame, and
        // `expr` recurses a dozen frames for every level of nesting (a debug build's
        // stack for a list comprehension overflowed once these were inline).
        Rule::pattern_predicate | Rule::pattern_comprehension | Rule::subquery_expr => pattern_expr(text, p, sp),
        Rule::list_comprehension => {
            let mut it = p.into_inner().filter(|x| !keyword(x.as_rule()));
            let var = var_text(&it.next().expect("comprehension variable"));
            let list = Box::new(expr(text, it.next().expect("comprehension list"))?);
            let (mut filter, mut map) = (None, None);
            for x in it {
                let rule = x.as_rule();
                let inner = x.into_inner().find(|y| y.as_rule() == Rule::expr).expect("comprehension part");
                let e = Some(Box::new(if rule == Rule::comprehension_filter {
                    text.condition(inner)?
                } else {
                    expr(text, inner)?
                }));
                if rule == Rule::comprehension_filter {
                    filter = e;
                } else {
                    map = e;
                }
            }
            Ok(Expr { kind: ExprKind::ListComp { var, list, filter, map }, span: sp })
        }
        Rule::additive | Rule::multiplicative | Rule::power => {
            let mut it = p.into_inner();
            let mut acc = expr(text, it.next().expect("arithmetic operand"))?;
            let mut terms = 1;
            while let Some(op) = it.next() {
                terms += 1;
                if terms > MAX_CHAIN {
                    return Err(ParseError::at(
                        text,
                        sp,
                        format!("an expression chains more than {MAX_CHAIN} terms; the limit is {MAX_CHAIN}"),
                    ));
                }
                let op = match op.as_str() {
                    "+" => ArithOp::Add,
                    "-" => ArithOp::Sub,
                    "*" => ArithOp::Mul,
                    "/" => ArithOp::Div,
                    "^" => ArithOp::Pow,
                    _ => ArithOp::Mod,
                };
                let rhs = expr(text, it.next().expect("arithmetic operand"))?;
                let span = acc.span.to(rhs.span);
                acc = Expr { kind: ExprKind::Arith(op, Box::new(acc), Box::new(rhs)), span };
            }
            Ok(acc)
        }
        Rule::unary => {
            let parts: Vec<_> = p.into_inner().collect();
            let (negs, term) = parts.split_at(parts.len() - 1);
            if negs.len() > MAX_CHAIN {
                return Err(ParseError::at(
                    text,
                    sp,
                    format!("`-` is repeated {}; the limit is {MAX_CHAIN}", negs.len()),
                ));
            }
            // One `-` before a number literal is part of it, as the grammar's own
            // negative literals are: `-9223372036854775808` is the smallest whole number,
            // not the negation of one too large, and `-1.5` is a literal.
            if negs.len() == 1 {
                let digits = term[0].as_str().trim();
                let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if is_whole_number(digits) {
                    let n = format!("-{digits}");
                    let value = whole(&n)
                        .and_then(|n| i64::try_from(n).ok())
                        .ok_or_else(|| ParseError::at(text, sp, format!("{n} does not fit in a 64-bit integer")))?;
                    return Ok(Expr { kind: ExprKind::Literal(Literal::Int(value)), span: sp });
                }
                if let Some((whole, fraction)) = digits.split_once('.') {
                    if number(whole) && number(fraction) {
                        // Zero negated is zero, as `-` of a zero value is (no `-0.0`).
                        if let Ok(x) = format!("-{digits}").parse::<f64>().map(|x| if x == 0.0 { 0.0 } else { x }) {
                            return Ok(Expr { kind: ExprKind::Literal(Literal::Float(x)), span: sp });
                        }
                    }
                }
            }
            let mut e = expr(text, term[0].clone())?;
            for _ in negs {
                e = Expr { kind: ExprKind::Neg(Box::new(e)), span: sp };
            }
            Ok(e)
        }
        Rule::primary => {
            let inner = p.into_inner().next().expect("primary child");
            expr(text, inner)
        }
        Rule::count_star => Ok(Expr { kind: ExprKind::CountStar, span: sp }),
        Rule::function_call => {
            let mut it = p.into_inner();
            let fname = it.next().expect("function name").as_str().to_ascii_lowercase();
            let mut distinct = false;
            let mut args = Vec::new();
            for x in it {
                if x.as_rule() == Rule::distinct {
                    distinct = true;
                } else {
                    args.push(expr(text, x)?);
                }
            }
            Ok(Expr { kind: ExprKind::Call { name: fname, distinct, args }, span: sp })
        }
        Rule::list => {
            let items = p.into_inner().map(|x| expr(text, x)).collect::<Result<Vec<_>, _>>()?;
            Ok(Expr { kind: ExprKind::List(items), span: sp })
        }
        Rule::map => {
            let mut entries: Vec<(String, Expr)> = Vec::new();
            for entry in p.into_inner() {
                let mut it = entry.into_inner();
                let key = it.next().expect("map key");
                let name = var_text(&key);
                if entries.iter().any(|(k, _)| *k == name) {
                    return Err(ParseError::at(text, span(&key), format!("`{name}` is given twice")));
                }
                entries.push((name, expr(text, it.next().expect("map value"))?));
            }
            Ok(Expr { kind: ExprKind::Map(entries), span: sp })
        }
        Rule::literal_value => literal_expr(text, p, sp),
        Rule::variable => Ok(Expr { kind: ExprKind::Var(var_text(&p)), span: sp }),
        _ => Err(ParseError::at(text, sp, "expected an expression")),
    }
}

/// A literal or `null` in an expression, or a parameter there, which may be any value:
/// null, a list, a map.
#[inline(never)]
fn literal_expr(text: &Src<'_>, p: Pair<'_, Rule>, sp: Span) -> Result<Expr, ParseError> {
    let inner = p.into_inner().next().expect("literal child");
    if inner.as_rule() == Rule::kw_null {
        return Ok(Expr { kind: ExprKind::Null, span: sp });
    }
    let parameter = inner
        .clone()
        .into_inner()
        .next()
        .filter(|x| x.as_rule() == Rule::string)
        .and_then(|s| s.into_inner().next())
        .filter(|x| x.as_rule() == Rule::parameter);
    match parameter {
        Some(param) => Ok(param_expr(text.param(&param)?, sp)),
        None => Ok(Expr { kind: ExprKind::Literal(literal(text, inner)?), span: sp }),
    }
}

/// A pattern in an expression: a predicate, a comprehension or `exists {…}`.
#[inline(never)]
fn pattern_expr(text: &Src<'_>, p: Pair<'_, Rule>, sp: Span) -> Result<Expr, ParseError> {
    match p.as_rule() {
        Rule::pattern_predicate => {
            // Without the blanks the grammar skipped after the last node.
            let sp = Span::new(sp.start, sp.start + p.as_str().trim_end().len());
            if text.conditions.get() == 0 {
                return Err(ParseError::at(
                    text,
                    sp,
                    "a pattern is a condition only in `where`; for its matches use a pattern comprehension \
                     (`[(n)-->(m) | m]`), for whether it matches `exists { (n)-->() }`",
                ));
            }
            let path = path_pattern(text, p)?;
            Ok(Expr { kind: ExprKind::PatternPredicate(Box::new(path)), span: sp })
        }
        Rule::pattern_comprehension => {
            let mut it = p.into_inner();
            let path = Box::new(path_pattern(text, it.next().expect("comprehension pattern"))?);
            let (mut filter, mut map) = (None, None);
            for x in it {
                let rule = x.as_rule();
                let inner = x.into_inner().find(|y| y.as_rule() == Rule::expr).expect("comprehension part");
                let e = Box::new(if rule == Rule::comprehension_filter {
                    text.condition(inner)?
                } else {
                    expr(text, inner)?
                });
                if rule == Rule::comprehension_filter {
                    filter = Some(e);
                } else {
                    map = Some(e);
                }
            }
            let map = map.expect("the grammar asks for `|`");
            Ok(Expr { kind: ExprKind::PatternComp { path, filter, map }, span: sp })
        }
        Rule::subquery_expr => {
            let (mut paths, mut filter) = (Vec::new(), None);
            let mut inner = p.into_inner().peekable();
            let word = inner.next().expect("the grammar starts with the keyword");
            let kind = match word.as_str().to_ascii_lowercase().as_str() {
                "count" => SubqueryKind::Count,
                "collect" => SubqueryKind::Collect,
                _ => SubqueryKind::Exists,
            };
            if inner.peek().is_some_and(|x| x.as_rule() == Rule::subquery) {
                let clauses = clauses_in_order(text, inner.next().expect("peeked"), Inside::Subquery)?;
                let mut unions = Vec::new();
                while let (Some(u), Some(q)) = (inner.next(), inner.next()) {
                    let all = u.clone().into_inner().any(|x| x.as_rule() == Rule::kw_all);
                    unions.push(Union { all, clauses: clauses_in_order(text, q, Inside::Subquery)?, span: span(&u) });
                }
                let query = Query { clauses, unions, including_negated: false };
                return Ok(Expr { kind: ExprKind::Subquery(kind, Box::new(query)), span: sp });
            }
            for x in inner {
                match x.as_rule() {
                    Rule::path_pattern => paths.push(path_pattern(text, x)?),
                    Rule::where_clause => filter = Some(Box::new(where_expr(text, x)?)),
                    _ => {}
                }
            }
            match kind {
                SubqueryKind::Exists => Ok(Expr { kind: ExprKind::Exists { paths, filter }, span: sp }),
                // How many times the patterns match: the rows of a match of them.
                SubqueryKind::Count => {
                    let clauses = vec![Clause::Match(Match { optional: false, paths, filter: filter.map(|f| *f) })];
                    let query = Query { clauses, unions: Vec::new(), including_negated: false };
                    Ok(Expr { kind: ExprKind::Subquery(kind, Box::new(query)), span: sp })
                }
                SubqueryKind::Collect => Err(ParseError::at(
                    text,
                    sp,
                    "`collect { … }` takes a query that returns one column, as in \
                     `collect { match (n)-->(m) return m.name }`",
                )),
            }
        }
        _ => Err(ParseError::at(text, sp, "expected a pattern")),
    }
}

/// The expression a parameter's value stands as, where the parameter is written.
fn param_expr(value: ParamValue, sp: Span) -> Expr {
    let kind = match value {
        ParamValue::Literal(l) => ExprKind::Literal(l),
        ParamValue::Null => ExprKind::Null,
        ParamValue::List(items) => ExprKind::List(items.into_iter().map(|v| param_expr(v, sp)).collect()),
        ParamValue::Map(entries) => ExprKind::Map(entries.into_iter().map(|(k, v)| (k, param_expr(v, sp))).collect()),
    };
    Expr { kind, span: sp }
}

/// Keyword tokens carry no content of their own.
fn keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_according
            | Rule::kw_aka
            | Rule::kw_about
            | Rule::kw_and
            | Rule::kw_as
            | Rule::kw_asc
            | Rule::kw_assert
            | Rule::kw_explain
            | Rule::kw_profile
            | Rule::kw_by
            | Rule::kw_conflicts
            | Rule::kw_create
            | Rule::kw_contains
            | Rule::kw_named
            | Rule::kw_delete
            | Rule::kw_depth
            | Rule::kw_desc
            | Rule::kw_describe
            | Rule::kw_distinct
            | Rule::kw_do
            | Rule::kw_document
            | Rule::kw_ends
            | Rule::kw_entity
            | Rule::kw_false
            | Rule::kw_from
            | Rule::kw_in
            | Rule::kw_including
            | Rule::kw_negated
            | Rule::kw_is
            | Rule::kw_limit
            | Rule::kw_match
            | Rule::kw_neighbours
            | Rule::kw_not
            | Rule::kw_null
            | Rule::kw_of
            | Rule::kw_optional
            | Rule::kw_or
            | Rule::kw_order
            | Rule::kw_path
            | Rule::kw_retract
            | Rule::kw_return
            | Rule::kw_skip
            | Rule::kw_sources
            | Rule::kw_starts
            | Rule::kw_text
            | Rule::kw_to
            | Rule::kw_true
            | Rule::kw_unwind
            | Rule::kw_call
            | Rule::kw_yield
            | Rule::kw_merge
            | Rule::kw_on
            | Rule::kw_set
            | Rule::kw_remove
            | Rule::kw_detach
            | Rule::kw_union
            | Rule::kw_case
            | Rule::kw_when
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_end
            | Rule::kw_all
            | Rule::kw_verify
            | Rule::kw_what
            | Rule::kw_where
            | Rule::kw_who
            | Rule::kw_why
            | Rule::kw_with
            | Rule::kw_xor
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_that_carry_no_content_are_exactly_the_keyword_rules() {
        for &rule in Rule::all_rules() {
            let named_kw = format!("{rule:?}").starts_with("kw_");
            assert_eq!(keyword(rule), named_kw, "{rule:?}: add it to (or remove it from) `keyword` in parser.rs");
        }
    }

    /// Issue 10: "keyword typos get a did-you-mean (`retrun` → `return`)"; none did.
    /// A word a typo away from a keyword that could stand there is suggested, at the
    /// start of a statement and within one; a keyword out of place, or a word far from
    /// every keyword, gets no such hint.
    #[test]
    fn a_misspelt_keyword_gets_a_did_you_mean() {
        let hint = |q: &str| parse(q).expect_err(q).hint;
        assert_eq!(hint("retrun 1").as_deref(), Some("did you mean `return`?"));
        assert_eq!(hint("match (n) retrun n").as_deref(), Some("did you mean `return`?"));
        assert_eq!(hint("MATCH (n) WHRE n.x = 1 RETURN n").as_deref(), Some("did you mean `where`?"));
        assert_eq!(hint("mach (n) return n").as_deref(), Some("did you mean `match`?"));
        assert_eq!(hint("match (n) return n ordr by n.x").as_deref(), Some("did you mean `order by`?"));
        assert_eq!(hint("match (n) return n limt 3").as_deref(), Some("did you mean `limit`?"));
        assert_eq!(hint("descibe Trump").as_deref(), Some("did you mean `describe`?"));
        assert_eq!(hint("match (n) xyzzy n"), None, "far from every keyword");
        assert_eq!(hint("match (n) match"), None, "a keyword, only out of place");
        // Only what could begin a statement is suggested at its start; an example in
        // a description is no keyword; after `return`, no clause.
        assert_eq!(hint("exit"), None, "not `exists`");
        assert_eq!(hint("Ali"), None, "not `all`");
        assert_eq!(hint("who 4ccused Trump"), None);
        assert_eq!(hint("match (n) return n retrun n"), None);
        assert_eq!(hint("match (n) return n unoin match (m) return m").as_deref(), Some("did you mean `union`?"));
        assert_eq!(hint(&format!("{} 1", "x".repeat(100_000))), None, "a long word is scored against nothing");
        let misplaced = hint("match (n) return n whre n.x = 1").unwrap_or_default();
        assert!(misplaced.starts_with("did you mean `where`? `where` filters a `match`"), "{misplaced}");
        // A `return` in a string, a label, a subquery or before `union` is no last
        // clause; where `where` is expected, its typo is only a typo.
        for q in [
            "return [x in range(1,5) wher x > 2 | x]",
            "match (n) return n union match (m) wher m.x = 1 return m",
            "match (n {name: 'return'}) wher n.x = 1 return n",
            "match (n:Returned) wher n.x = 1 return n",
        ] {
            assert_eq!(hint(q).as_deref(), Some("did you mean `where`?"), "{q}");
        }
        assert_eq!(hint("match (n {name: 'return'}) retrun n").as_deref(), Some("did you mean `return`?"));
        assert_eq!(
            hint("match (n) where exists { match (n)-->(m) return m } retrun n").as_deref(),
            Some("did you mean `return`?")
        );
    }

    #[test]
    fn every_word_a_statement_or_clause_starts_with_is_a_keyword() {
        for w in STATEMENT_STARTS.iter().chain(CLAUSE_STARTS) {
            assert!(crate::KEYWORDS.contains(w), "{w}");
        }
        let longest = crate::KEYWORDS.iter().map(|k| k.chars().count()).max().unwrap();
        assert!(MAX_KEYWORD_TYPO >= longest + longest / 3, "{longest}");
    }
}
