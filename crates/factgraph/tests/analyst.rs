//! The golden analyst questions (docs/research/issue-11-golden.md, issue 11): what an
//! analyst asks of the five showcase articles, each run through the public API on the
//! showcase and checked against the answer a careful reader gives — the rows that must
//! be there (an answer and the document it comes from) and the traps that must not.
//!
//! A row is read as text: its cells, then each piece of evidence behind it (document,
//! quote, who is credited). `must` pairs are (words in the row, document of the row):
//! some row has both. `must_not` pairs are the same, and no row may have both (an empty
//! document: no row has the words at all). Questions numbered as in the research note.
//!
//! Left out: Q11 (how each article words Interpol's rule; the constitution as what
//! forbids is `tests/queries/ok/74_what_the_constitution_forbids.fg`), Q22 (Sky's «Trump and more than 30 others» and a pattern over a
//! number: items 3 and 7), Q34 (article-003's «little chance … acting on that warrant» is about the warrant, not
//! the request: item 3). Q60 checks the disagreements; its list of hedges needs a
//! pattern over statements whose object is a text (item 7).

use std::sync::OnceLock;

mod common;

use factgraph::{Graph, QueryResult};

fn showcase() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(common::showcase)
}

/// One row as text, and the documents it rests on (from its evidence, or named in its
/// cells, as `sources(r)` and `conflicts` name them).
struct Line {
    text: String,
}

impl Line {
    fn has(&self, words: &str, document: &str) -> bool {
        self.text.contains(words) && (document.is_empty() || self.text.contains(document))
    }
}

fn lines(results: &[QueryResult]) -> Vec<Line> {
    let mut out = Vec::new();
    for r in results {
        for row in &r.rows {
            let mut text = row.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" | ");
            for c in &row.provenance {
                text.push_str(&format!(" [{}: {}", c.document, c.quote));
                if let Some(a) = &c.attribution {
                    text.push_str(&format!(" — by {a}"));
                }
                text.push(']');
            }
            out.push(Line { text });
        }
    }
    out
}

/// Runs `question` and checks it; `rows` is the exact number of rows when given.
fn check(id: &str, question: &str, rows: Option<usize>, must: &[(&str, &str)], must_not: &[(&str, &str)]) {
    let results = showcase().query(question).unwrap_or_else(|e| panic!("{id}: `{question}` fails: {e}"));
    let got = lines(&results);
    let shown = || got.iter().map(|l| format!("  {}", l.text)).collect::<Vec<_>>().join("\n");
    if let Some(n) = rows {
        assert_eq!(got.len(), n, "{id}: `{question}` should answer {n} rows, answered:\n{}", shown());
    }
    for (words, doc) in must {
        assert!(
            got.iter().any(|l| l.has(words, doc)),
            "{id}: `{question}` has no row with {words:?} from {doc:?}; it answered:\n{}",
            shown()
        );
    }
    for (words, doc) in must_not {
        assert!(
            !got.iter().any(|l| l.has(words, doc)),
            "{id}: `{question}` must not answer {words:?} from {doc:?}; it answered:\n{}",
            shown()
        );
    }
}

const SKY: &str = "skynews-000";
const WM: &str = "worldmedia-001";
const A2: &str = "article-002";
const A3: &str = "article-003";
const NW: &str = "newsweek-004";

// A. Sources and attribution

#[test]
fn q01_only_newsweek_cites_the_associated_press() {
    check(
        "Q1",
        r#"why according to "Associated Press" who requested "red notice""#,
        None,
        &[("red notice", NW), ("reported by Associated Press", NW)],
        &[("", SKY), ("", WM), ("", A2), ("", A3)],
    );
}

#[test]
fn q02_only_article_003_cites_al_jazeera_for_the_warrant_and_the_request() {
    check(
        "Q2",
        r#"according to "Al Jazeera" describe Iran"#,
        None,
        &[("issued-arrest-warrant-for", A3), ("requested-help-from", A3)],
        &[("", SKY), ("", WM), ("", A2), ("", NW)],
    );
}

#[test]
fn q03_irna_is_credited_with_sky_and_world_media_charges_not_newsweeks() {
    check(
        "Q3",
        "why according to IRNA who accused Trump",
        None,
        &[("murder and terrorism", SKY), ("murder and terrorist acts", WM)],
        &[("", NW)],
    );
}

#[test]
fn q04_newsweek_credits_mehr_not_irna() {
    check(
        "Q4",
        r#"why according to "Mehr news agency" who accused Trump"#,
        None,
        &[("murder and terrorism", NW), ("reported by Mehr news agency", NW)],
        &[("", SKY), ("", WM), ("", A2), ("", A3)],
    );
}

#[test]
fn q05_the_agencies_each_article_names_as_a_source_of_its_text() {
    let q = "match ()-[r:reported-by|told-to]->(a) return a.name, type(r), sources(r)";
    check(
        "Q5",
        q,
        None,
        &[
            ("IRNA | reported-by", SKY),
            ("IRNA | reported-by", WM),
            ("CNN | told-to", WM),
            ("NPR | reported-by", WM),
            ("IRNA | reported-by", A2),
            ("Mizan Online | reported-by", A2),
            ("AFP | told-to", A2),
            ("Al Jazeera | reported-by", A3),
            ("The New York Times | reported-by", A3),
            ("The Wall Street Journal | reported-by", A3),
            ("Mehr news agency | reported-by", NW),
            ("Associated Press | reported-by", NW),
            ("Newsweek | told-to", NW),
        ],
        // AFP is only a photo credit in Sky and Newsweek; Newsweek cites Mehr, not IRNA.
        &[
            ("AFP", SKY),
            ("AFP", NW),
            ("IRNA", NW),
            ("IRNA", A3),
            ("Mehr", SKY),
            ("Associated Press", SKY),
            ("Al Jazeera", WM),
        ],
    );
}

#[test]
fn q06_afp_is_a_source_of_text_in_article_002_only() {
    check(
        "Q6",
        "why according to AFP describe Interpol",
        None,
        &[("told to AFP", A2)],
        &[("", SKY), ("", WM), ("", A3), ("", NW)],
    );
}

#[test]
fn q07_each_recipient_of_interpols_answer_is_on_its_own_documents_evidence() {
    check(
        "Q7",
        "why what does Interpol consider",
        None,
        &[("told to CNN", WM), ("told to AFP", A2), ("told to Newsweek", NW)],
        &[
            ("told to AFP", WM),
            ("told to Newsweek", WM),
            ("told to CNN", A2),
            ("told to Newsweek", A2),
            ("told to CNN", NW),
            ("told to AFP", NW),
        ],
    );
}

#[test]
fn q08_interpol_would_not_consider_the_request_or_requests_of_this_nature() {
    // Not a refusal done: a negated `considers`, so no answer to the positive question.
    check("Q8", "what does Interpol consider", Some(0), &[], &[]);
    check(
        "Q8",
        "why what does Interpol consider including negated",
        Some(3),
        &[
            ("Ali Alqasimehr requested red notice {addressee: Interpol, for: Donald Trump}) {polarity: negated}", WM),
            ("\"requests of this nature\" {polarity: negated}", A2),
            ("{condition: if or when any such requests were to be sent to the General Secretariat, modality: conditional, polarity: negated}", NW),
        ],
        &[("requested red notice", A2), ("requested red notice", NW), ("refused", "")],
    );
}

#[test]
fn q09_interpol_confirmed_neither_the_contact_nor_a_request_sent() {
    check("Q9", "match (s)-[r:confirmed-by]->(o) return o.name", Some(0), &[], &[]);
    check("Q9", "match (x)-[r:sent-to]->(y) return y.name including negated", Some(0), &[], &[]);
    check(
        "Q9",
        "match (s)-[r:confirmed-by]->(o) return o.name, r.polarity, sources(r) including negated",
        Some(1),
        &[("Interpol | not-confirmed", A2)],
        &[],
    );
}

#[test]
fn q10_what_the_interpol_spokesperson_told_newsweek() {
    check(
        "Q10",
        r#"why according to "Interpol spokesperson" describe Interpol"#,
        None,
        &[("would not consider requests of this nature", NW), ("strictly forbidden", NW)],
        &[("", SKY), ("", WM), ("", A2), ("", A3)],
    );
}

#[test]
fn q12_only_article_002_names_article_3() {
    check("Q12", r#"who reported "Article 3""#, None, &[("Article 3", A2)], &[("", SKY), ("", WM), ("", A3), ("", NW)]);
}

#[test]
fn q13_article_003_says_interpol_usually_does_not_act_on_political_matters() {
    check(
        "Q13",
        "why what does Interpol act-on including negated",
        Some(1),
        &[("{modality: usually, polarity: negated}", A3)],
        &[],
    );
    // Negated, so no answer to the positive question.
    check("Q13", "what does Interpol act-on", Some(0), &[], &[]);
    // Not a prohibition: article-003 is no answer to what Interpol forbids.
    check("Q13", "why what does Interpol forbid", None, &[], &[("", A3)]);
}

#[test]
fn q14_interpol_is_based_in_france_and_in_lyon() {
    check(
        "Q14",
        "why what does Interpol based-in",
        None,
        &[("France", WM), ("Lyon", A2)],
        &[("Lyon", WM), ("France", A2)],
    );
}

#[test]
fn q15_the_us_and_brian_hook_called_it_a_propaganda_stunt() {
    check(
        "Q15",
        r#"who reported "propaganda stunt""#,
        None,
        &[("United States", SKY), ("Brian Hook", A2)],
        &[("", WM), ("", A3), ("", NW), ("Brian Hook", SKY)],
    );
}

#[test]
fn q16_brian_hook_in_riyadh_gave_his_assessment() {
    check(
        "Q16",
        "describe Hook",
        None,
        &[
            ("Our assessment is that Interpol does not intervene", A2),
            ("nothing to do with national security", A2),
            ("spoke-in | Riyadh", A2),
            ("propaganda stunt", A2),
        ],
        &[("", SKY), ("", WM), ("", A3), ("", NW)],
    );
}

#[test]
fn q17_trump_has_not_commented_on_the_warrant() {
    check("Q17", "what did Trump comment-on", Some(0), &[], &[]);
    check("Q17", "what did Trump comment-on including negated", Some(1), &[("negated", WM)], &[]);
}

#[test]
fn q18_esper_praised_the_strike_as_a_decisive_defensive_action() {
    check(
        "Q18",
        "why what did Esper praise",
        Some(1),
        &[("decisive defensive action", WM), ("by Mark Esper", WM)],
        &[],
    );
}

#[test]
fn q19_npr_is_credited_by_world_media_only() {
    check(
        "Q19",
        r#"why according to NPR describe "Iranian missile attack on US troops in Iraq""#,
        None,
        &[("dozens of American personnel", WM)],
        &[("", A2), ("", SKY), ("", A3), ("", NW)],
    );
}

#[test]
fn q20_mizan_online_relays_the_judiciarys_warrants() {
    check(
        "Q20",
        r#"why according to "Mizan Online" who issued-arrest-warrant-for Trump"#,
        Some(1),
        &[("Iranian judiciary", A2), ("reported by Mizan Online", A2)],
        &[],
    );
}

#[test]
fn q21_what_article_003_credits_to_the_new_york_times_and_the_wall_street_journal() {
    check(
        "Q21",
        r#"why according to "The New York Times" describe Trump"#,
        None,
        &[("Iran allegedly sponsoring anti-U.S. attacks in Iraq", A3), ("reported by The New York Times", A3)],
        // The briefing is not hedged: "allegedly" is Iran's sponsoring.
        &[("modality", A3), ("", SKY), ("", WM), ("", A2), ("", NW)],
    );
    check(
        "Q21",
        r#"why according to "Wall Street Journal" what did Trump order"#,
        Some(1),
        &[("to garner support among his Republican base", A3), ("reported by The Wall Street Journal", A3)],
        &[],
    );
}

// B. The accused, the warrant and the request

#[test]
fn q23_the_numbers_accused_do_not_contradict_each_other() {
    check("Q23", "conflicts", None, &[], &[("accused-number", "")]);
    check(
        "Q23",
        "conflicts all about Iran",
        None,
        &[("36", WM), ("more than 30", SKY), ("over 30", A3), ("dozens", NW)],
        &[("accused-number 36 | [worldmedia-001, article-002, newsweek-004] | contradiction", "")],
    );
}

#[test]
fn q24_the_charges_in_whose_words() {
    check(
        "Q24",
        "why who accused Trump",
        None,
        &[
            ("murder and terrorism", SKY),
            ("reported by IRNA", SKY),
            ("murder and terrorism", NW),
            ("reported by Mehr news agency", NW),
            ("reportedly", A3),
            ("murder and terrorist acts", WM),
            ("murder and terrorist acts", A2),
        ],
        // "allegedly" hedges the involvement, not the accusation.
        &[("allegedly", ""), ("involvement", "")],
    );
}

#[test]
fn q25_world_media_hedges_the_involvement() {
    check("Q25", "why what does Trump involved-in", Some(1), &[("allegedly", WM)], &[]);
}

#[test]
fn q26_the_prosecutor_named_only_trump() {
    check(
        "Q26",
        "match (t)-[r:top-of-list]->(l) return t.name, r.modality, sources(r)",
        Some(2),
        &[("Donald Trump | null", A2), ("Donald Trump | reportedly", A3)],
        &[],
    );
    check("Q26", "what did Alqasimehr identify", Some(0), &[], &[]);
    check("Q26", "why what did Alqasimehr identify including negated", None, &[("negated", A3), ("negated", NW)], &[]);
}

#[test]
fn q27_iran_issued_the_warrant_and_article_002_has_the_judiciary() {
    check(
        "Q27",
        "why who issued-arrest-warrant-for Trump",
        None,
        &[
            ("reportedly", SKY),
            ("Iran issues arrest warrant for Donald Trump over drone strike killing", SKY),
            ("Iran", WM),
            ("Iran", A3),
            ("Iran", NW),
            ("Iranian judiciary", A2),
        ],
        &[],
    );
}

#[test]
fn q28_only_skys_body_hedges_the_warrant() {
    // One row per piece of evidence, each claim with its modality: Sky's body hedges,
    // Sky's headline and the others do not.
    check(
        "Q28",
        "why who issued-arrest-warrant-for Trump",
        None,
        &[
            ("{modality: reportedly} | skynews-000 | Sky News | Qassem Soleimani: Iran issues arrest warrant for Donald Trump over drone strike killing | Iran has reportedly issued", SKY),
            ("Donald Trump | skynews-000 | Sky News | Qassem Soleimani: Iran issues arrest warrant for Donald Trump over drone strike killing | Iran issues arrest warrant", SKY),
            ("reported by Al Jazeera", A3),
        ],
        &[("reportedly", WM), ("reportedly", A3), ("reportedly", NW), ("reportedly", A2)],
    );
}

#[test]
fn q30_the_red_notice_requested_or_still_to_come_is_a_disagreement() {
    check("Q30", "conflicts", None, &[("announced", A3), ("done vs still to come", WM)], &[]);
    // Sky and Newsweek have Iran as the requester: the same request, said of another
    // agent, classed apart from the disagreement.
    check(
        "Q30",
        "conflicts all",
        None,
        &[("different attribution | Iran | requested", SKY), ("Iran vs Ali Alqasimehr", NW)],
        &[],
    );
}

/// Who asks for the red notice depends on the article: Iran, in the prosecutor's words,
/// in Sky and Newsweek; the prosecutor himself in the other three (audit A-01). It is
/// for Trump and addressed to Interpol, but article-002 names no one it is for.
#[test]
fn q29_who_asks_for_the_red_notice_for_whom_and_to_whom() {
    check(
        "Q29",
        r#"who requested "red notice""#,
        Some(4),
        &[
            ("Iran | requested | addressee: Interpol, for: Donald Trump | [skynews-000, newsweek-004]", ""),
            ("Ali Alqasimehr | requested | addressee: Interpol, for: Donald Trump | [worldmedia-001]", ""),
            ("Ali Alqasimehr | requested | addressee: Interpol | [article-002]", ""),
            ("Ali Alqasimehr | requested | addressee: Interpol, for: Donald Trump, modality: announced | [article-003]", ""),
        ],
        &[("Ali Alqasimehr | requested", SKY), ("Ali Alqasimehr | requested", NW), ("for: Donald Trump", A2)],
    );
}

/// The request Iran made for Trump to Interpol is one statement that links both, plain
/// and in all five articles; the path went through the one-source "reportedly" warrant.
#[test]
fn q31_the_shortest_chain_from_trump_to_interpol_is_the_request_all_five_state() {
    let all = "[skynews-000, worldmedia-001, article-002, article-003, newsweek-004]";
    check(
        "Q31",
        "path from Trump to Interpol",
        Some(2),
        &[
            (&format!("← for | Iran requested-help-from Interpol {{for: Donald Trump}} | {all}"), ""),
            (&format!("requested-help-from → | Interpol | {all}"), ""),
        ],
        &[("issued-arrest-warrant-for", ""), ("reportedly", "")],
    );
}

#[test]
fn q32_the_announcement_was_on_a_monday_june_29_without_a_year() {
    check(
        "Q32",
        r#"who reported "Monday""#,
        None,
        &[("announced-on \"Monday, June 29\"", WM), ("announced-on \"Monday\"", A2), ("announced-on \"Monday\"", NW)],
        // Article-003 is dated June 29, 2020, but does not date the announcement.
        &[("2020-06-29", ""), ("", SKY), ("", A3)],
    );
}

#[test]
fn q33_the_vow_to_pursue_trump_after_his_presidency_in_each_articles_words() {
    check(
        "Q33",
        "why what did Alqasimehr vow",
        Some(4),
        &[
            ("beyond his presidency", SKY),
            ("even after his presidency", WM),
            ("even after the end of his term", A2),
            ("defeated in the November election", NW),
        ],
        &[],
    );
    check("Q33", "why what did Iran vow", Some(1), &[("seek to arrest and prosecute Trump", A3)], &[]);
}

#[test]
fn q35_newsweek_frames_the_request_as_symbolic() {
    check(
        "Q35",
        r#"who reported "symbolic""#,
        None,
        &[("purely symbolic", NW), ("criminal and incompetent", NW)],
        &[("", SKY), ("", WM), ("", A2), ("", A3)],
    );
    check("Q35", r#"who reported "unthinkable""#, None, &[("unthinkable", NW)], &[]);
}

// C. Red notices

#[test]
fn q36_a_red_notice_is_not_an_arrest_warrant() {
    check(
        "Q36",
        r#"why describe "red notice""#,
        None,
        &[
            ("is-a \"an arrest warrant\" {polarity: negated}", A2),
            ("is-a \"an arrest warrant\" {polarity: negated}", NW),
        ],
        &[("is-a \"an arrest warrant\" {polarity: negated}", SKY)],
    );
    check("Q36", r#"what does "red notice" is-a"#, Some(0), &[], &[]);
}

#[test]
fn q37_the_highest_level_notice_is_newsweeks_and_hedged() {
    check(
        "Q37",
        r#"who reported "highest""#,
        None,
        &[("highest-level arrest", SKY), ("highest level notice", NW), ("conditional", NW)],
        &[("highest-level arrest", NW)],
    );
}

#[test]
fn q38_a_red_notice_cannot_force_an_arrest_and_article_003_is_softer() {
    check(
        "Q38",
        r#"why describe "red notice""#,
        None,
        &[
            ("forces \"countries to arrest or extradite suspects\" {polarity: negated}", SKY),
            ("forces \"any national force to arrest or extradite suspects\" {polarity: negated}", NW),
            ("compels \"local authorities to arrest the wanted individual\" {modality: not-necessarily}", A3),
            ("allows", A3),
        ],
        &[("forces", A3), ("cannot", A3)],
    );
}

#[test]
fn q39_what_else_a_red_notice_can_do_and_how_sure() {
    check(
        "Q39",
        r#"why describe "red notice""#,
        None,
        &[
            ("can \"limit suspects' travel\"", SKY),
            ("can \"limit a suspect's travel\"", A3),
            ("possibly", A3),
            ("is \"made public\"", NW),
        ],
        &[("can \"limit suspects' travel\"", A3)],
    );
    check("Q39", r#"why describe "red notice""#, None, &[("modality: usually", NW), ("polarity: negated", NW)], &[]);
}

// D. The killing and its background

#[test]
fn q40_only_article_003_gives_the_year_of_the_killing() {
    check(
        "Q40",
        r#"why what does "killing of Qassem Soleimani" occurred-on"#,
        None,
        &[
            ("2020-01-03", A3),
            ("January 3", SKY),
            ("January 3", A2),
            ("January 3", NW),
            ("in January", WM),
            ("earlier this year", NW),
        ],
        &[("2020-01-03", SKY), ("2020-01-03", A2), ("2020-01-03", NW), ("2020-01-03", WM)],
    );
}

#[test]
fn q41_soleimani_was_killed_near_baghdad_airport() {
    check(
        "Q41",
        r#"why describe "killing of Qassem Soleimani""#,
        None,
        &[
            ("occurred-near Baghdad International Airport", A2),
            ("occurred-near Baghdad International Airport", A3),
            ("occurred-near Baghdad International Airport", NW),
            ("occurred-in Baghdad", SKY),
        ],
        // "on a visit to Baghdad" is where he was, not where the strike was.
        &[("on a visit to Baghdad", "")],
    );
}

#[test]
fn q42_nine_others_and_al_muhandis_were_killed() {
    check(
        "Q42",
        r#"why what does "killing of Qassem Soleimani" also-killed"#,
        None,
        &[("9", A3), ("Abu Mahdi al-Muhandis", NW)],
        &[("Abu Mahdi al-Muhandis", A3)],
    );
}

#[test]
fn q43_trump_authorised_and_ordered_the_strike_but_not_in_newsweek() {
    check(
        "Q43",
        "why what did Trump authorise",
        None,
        &[
            ("killing of Qassem Soleimani", SKY),
            ("killing of Qassem Soleimani", WM),
            ("killing of Qassem Soleimani", A3),
        ],
        &[("", NW), ("", A2)],
    );
    check(
        "Q43",
        r#"why who ordered "killing of Qassem Soleimani""#,
        None,
        &[("Donald Trump", A2), ("Donald Trump", A3)],
        &[("", NW), ("", SKY), ("", WM)],
    );
}

#[test]
fn q44_why_trump_ordered_the_killing_according_to_article_003() {
    check(
        "Q44",
        "why what did Trump order",
        None,
        &[
            ("angered by news reports of attacks on the U.S. embassy in Baghdad", A3),
            ("reportedly", A3),
            ("to garner support among his Republican base", A3),
            ("reported by The Wall Street Journal", A3),
        ],
        // Its "and ordered the killing" is inside its "reportedly" sentence.
        &[("ordered the killing, which purportedly", "")],
    );
}

#[test]
fn q45_what_trump_said_or_wrote_about_soleimani_at_the_time() {
    check(
        "Q45",
        "why according to Trump describe Soleimani",
        None,
        &[
            ("the world's top terrorist", A2),
            ("should have been terminated long ago", A2),
            ("thousands of Americans", A3),
            ("responsible for thousands of American deaths", A3),
            ("plotting to kill many more", A3),
        ],
        &[("", SKY), ("", WM), ("", NW)],
    );
}

#[test]
fn q46_soleimani_commanded_the_quds_force_or_the_irgc() {
    check(
        "Q46",
        "why what did Soleimani command",
        None,
        &[("Quds Force", WM), ("Quds Force", A2), ("Quds Force", NW), ("Islamic Revolutionary Guard Corps", A3)],
        &[("modality: clandestine", "")],
    );
    check(
        "Q46",
        "conflicts about Soleimani",
        None,
        &[("Quds Force", NW), ("Islamic Revolutionary Guard Corps", A3)],
        &[("modality: clandestine", "")],
    );
}

#[test]
fn q47_how_the_articles_characterise_soleimani() {
    check(
        "Q47",
        "who is Soleimani",
        None,
        &[
            ("a national hero at home", A2),
            ("many in Iran", NW),
            ("imperial ambitions and bloody military interventions", NW),
            ("others", NW),
            ("the mastermind of Iran's foreign policy", NW),
            ("one of the most powerful figures in the regime", NW),
            ("the development of Iranian proxy militias", SKY),
        ],
        &[],
    );
}

#[test]
fn q48_assassination_in_whose_voice() {
    check(
        "Q48",
        r#"who reported "assassination""#,
        None,
        &[("assassination", WM), ("assassination", NW), ("assassination", A2), ("political assassination", A3)],
        &[("", SKY)],
    );
    // Article 003 describes Iran's view; it quotes no words of Iran's.
    check(
        "Q48",
        r#"why what does Iran see"#,
        Some(1),
        &[("nothing short of a political assassination", A3)],
        &[("by Iran", "")],
    );
}

#[test]
fn q49_the_us_claimed_evidence_it_has_not_produced() {
    check(
        "Q49",
        r#"why what did "United States" claim"#,
        Some(1),
        &[("it had evidence that Soleimani was preparing imminent attacks", NW), ("by United States", NW)],
        &[],
    );
    check(
        "Q49",
        r#"why describe "Trump administration""#,
        Some(1),
        &[("any evidence supporting the assertion", NW), ("negated", NW)],
        &[],
    );
}

#[test]
fn q50_what_caused_the_embassy_protests() {
    check(
        "Q50",
        r#"why describe "protests at the US embassy in Baghdad""#,
        None,
        &[("triggered-by \"the US raids\"", SKY), ("Iran-backed protesters\" {modality: reportedly}", A3)],
        &[("Iran-backed", SKY)],
    );
}

// E. The retaliation

#[test]
fn q51_when_iran_retaliated_and_what_it_hit() {
    check(
        "Q51",
        r#"why describe "Iranian missile attack on US troops in Iraq""#,
        None,
        &[
            ("occurred-on \"Jan 8\"", WM),
            ("just days after the US airstrike", WM),
            ("five days later", SKY),
            ("targeted Ain al-Asad", SKY),
            ("targeted Ain al-Asad", A2),
            ("targeted Arbil", SKY),
            ("two Iraqi military bases", NW),
        ],
        &[("2020-01-08", "")],
    );
}

#[test]
fn q52_no_american_was_killed_which_is_not_no_one() {
    check("Q52", r#"what does "Iranian missile attack on US troops in Iraq" kill"#, Some(0), &[], &[]);
    check(
        "Q52",
        r#"why what does "Iranian missile attack on US troops in Iraq" kill including negated"#,
        Some(2),
        &[("American personnel", SKY), ("US soldiers", A2)],
        &[],
    );
    check("Q52", r#"describe "Iranian missile attack on US troops in Iraq""#, None, &[], &[("caused-deaths", "")]);
}

#[test]
fn q53_the_injuries_are_compatible_not_contradictory() {
    check("Q53", "conflicts", None, &[], &[("injured", "")]);
    check(
        "Q53",
        r#"conflicts all about "Iranian missile attack on US troops in Iraq""#,
        None,
        &[("dozens", WM), ("more than 100", NW), ("compatible", NW)],
        &[("contradiction", "")],
    );
}

#[test]
fn q54_trump_or_the_us_chose_not_to_hit_back() {
    check(
        "Q54",
        r#"why who chose-not-to-escalate "Iranian missile attack on US troops in Iraq""#,
        None,
        &[("Donald Trump", SKY), ("Donald Trump", A2), ("United States", NW)],
        &[("United States", SKY), ("Donald Trump", NW)],
    );
}

#[test]
fn q55_the_passenger_plane_was_shot_down_accidentally() {
    check(
        "Q55",
        r#"why describe "downing of a passenger plane near Tehran""#,
        None,
        &[
            ("all those aboard", NW),
            ("having mistaken it for a U.S. military aircraft", NW),
            ("manner: accidentally", NW),
        ],
        &[("modality: accidentally", ""), ("", SKY), ("", WM), ("", A2), ("", A3)],
    );
}

// F. Names, documents, the nuclear deal

#[test]
fn q56_the_prosecutor_is_one_person_with_two_titles() {
    check(
        "Q56",
        r#"why what did "Qasi Mehr" prosecutor-of"#,
        None,
        &[("title: prosecutor}", SKY), ("title: prosecutor}", A2), ("title: prosecutor-general", A3)],
        &[("prosecutor-general", SKY)],
    );
    check("Q56", "conflicts", None, &[], &[("prosecutor-of", "")]);
}

#[test]
fn q57_mehr_is_ambiguous_between_the_agency_and_the_prosecutor() {
    let err = showcase().query("describe Mehr").expect_err("Q57: bare \"Mehr\" names two entities");
    let text = err.to_string();
    assert!(text.contains("Mehr news agency") && text.contains("Ali Alqasimehr"), "Q57: {text}");
}

#[test]
fn q58_only_article_003_is_dated() {
    check(
        "Q58",
        "match (d:Document) return d.name, d.published order by d.name",
        Some(5),
        &[("article-003 | 2020-06-29", ""), ("skynews-000 | unknown", ""), ("newsweek-004 | unknown", "")],
        &[],
    );
}

#[test]
fn q59_who_withdrew_from_the_deal_and_who_signed_it() {
    check(
        "Q59",
        "why who withdrew-from JCPOA",
        None,
        &[("Donald Trump", SKY), ("Donald Trump", NW), ("United States", WM)],
        &[("United States", NW)],
    );
    check(
        "Q59",
        "why who signed JCPOA",
        Some(6),
        &[
            ("China", NW),
            ("Russia", NW),
            ("France", NW),
            ("Germany", NW),
            ("United Kingdom", NW),
            ("European Union", NW),
        ],
        &[("", SKY)],
    );
}

#[test]
fn q60_no_contradiction_and_two_disagreements_to_weigh() {
    check(
        "Q60",
        "conflicts",
        None,
        &[("red notice", A3), ("Islamic Revolutionary Guard Corps", A3)],
        &[("contradiction", "")],
    );
}
