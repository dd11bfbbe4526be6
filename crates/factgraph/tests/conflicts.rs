//! `conflicts` classifies each difference between versions of a claim: one small graph
//! per class (contradiction, compatible, different precision, attribution, modality,
//! wording), and the rules for what makes a group at all (docs/language.md, the
//! `conflicts` question; docs/data-model.md, "Numbers and dates as the text gives
//! them").

use factgraph::Graph;

/// Two documents, `one` and `two`, and the people, places and bodies the tests use;
/// then `script`.
fn graph(script: &str) -> Graph {
    let g = Graph::in_memory().unwrap();
    g.query(
        r#"document one { title: "One", outlet: "unknown" };
document two { title: "Two", outlet: "unknown" };
entity Ann: Person; entity Bob: Person; entity Acme: Organization; entity "Acme Labs": Organization;
entity Paris: Place; entity France: Place; entity Lyon: Place; entity Meeting: Event;
entity Iran: Country; entity "Iranian judiciary": Organization;"#,
    )
    .unwrap();
    g.query(script).unwrap_or_else(|e| panic!("{script}: {e}"));
    g
}

/// `(class, version, sources, difference)` of each row, sorted.
fn rows(g: &Graph, q: &str) -> Vec<[String; 4]> {
    let r = &g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"))[0];
    assert_eq!(r.columns, ["group", "class", "subject", "relation", "version", "sources", "difference"]);
    let mut out: Vec<[String; 4]> = r.rows.iter().map(|row| [1, 4, 5, 6].map(|i| row.cells[i].to_string())).collect();
    out.sort();
    out
}

fn classes(g: &Graph, q: &str) -> Vec<String> {
    let mut c: Vec<String> = rows(g, q).into_iter().map(|[class, ..]| class).collect();
    c.dedup();
    c
}

#[test]
fn two_exact_numbers_that_differ_contradict_and_are_shown_by_default() {
    let g = graph(
        r#"assert Ann counted 36 from one "Ann counted 36";
assert Ann counted 40 from two "Ann counted 40";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["contradiction"]);
    assert_eq!(rows(&g, "conflicts")[0][3], "36 vs 40");
}

#[test]
fn two_full_dates_that_differ_contradict() {
    let g = graph(
        r#"assert Meeting occurred-on 2020-01-03 from one "on January 3, 2020";
assert Meeting occurred-on text "January 5" from two "on January 5";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["contradiction"]);
}

#[test]
fn a_claim_one_source_affirms_and_another_denies_is_a_contradiction() {
    let g = graph(
        r#"assert Ann met Bob from one "Ann met Bob";
assert Ann met Bob { polarity: "negated" } from two "Ann did not meet Bob";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["contradiction"]);
    assert_eq!(rows(&g, "conflicts")[0][3], "affirmed vs negated");
}

#[test]
fn two_unrelated_entities_as_the_object_contradict() {
    let g = graph(
        r#"assert Meeting occurred-in Paris from one "the meeting in Paris";
assert Meeting occurred-in Lyon from two "the meeting in Lyon";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["contradiction"]);
}

#[test]
fn a_number_inside_a_range_is_compatible_and_only_conflicts_all_shows_it() {
    let g = graph(
        r#"assert Ann counted 36 from one "Ann counted 36";
assert Ann counted text "more than 30" from two "Ann counted more than 30";"#,
    );
    assert!(rows(&g, "conflicts").is_empty());
    let all = rows(&g, "conflicts all");
    assert_eq!(classes(&g, "conflicts all"), ["compatible"]);
    assert_eq!(all[0][3], "36 lies within \u{201c}more than 30\u{201d}");
}

#[test]
fn a_number_outside_a_range_contradicts_it() {
    let g = graph(
        r#"assert Ann counted 20 from one "Ann counted 20";
assert Ann counted text "more than 30" from two "Ann counted more than 30";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["contradiction"]);
}

#[test]
fn a_full_date_and_the_same_day_without_its_year_differ_in_precision() {
    let g = graph(
        r#"assert Meeting occurred-on 2020-01-03 from one "on January 3, 2020";
assert Meeting occurred-on text "January 3" from two "on January 3";"#,
    );
    assert!(rows(&g, "conflicts").is_empty());
    let all = rows(&g, "conflicts all");
    assert_eq!(classes(&g, "conflicts all"), ["different precision"]);
    assert_eq!(all[0][3], "a full date vs a day without its year");
}

#[test]
fn a_place_and_the_place_it_lies_in_differ_in_precision() {
    let g = graph(
        r#"assert Lyon located-in France from one "Lyon, France";
assert Meeting occurred-in Lyon from one "the meeting in Lyon";
assert Meeting occurred-in France from two "the meeting in France";"#,
    );
    assert!(rows(&g, "conflicts").is_empty());
    assert_eq!(classes(&g, "conflicts all"), ["different precision"]);
}

#[test]
fn a_body_and_a_part_of_it_differ_in_precision_and_are_left_open() {
    // Heading the whole is not heading the part: a reader must weigh it, so it shows
    // without `all`.
    let g = graph(
        r#"assert "Acme Labs" part-of Acme from one "Acme Labs, part of Acme";
assert Ann headed "Acme Labs" from one "Ann headed Acme Labs";
assert Ann headed Acme from two "Ann headed Acme";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["different precision"]);
    assert!(rows(&g, "conflicts")[0][3].starts_with("whole vs part: Acme Labs is part of Acme"));
}

#[test]
fn the_same_claim_made_by_two_agents_differs_in_attribution() {
    let g = graph(
        r#"assert Ann vowed text "to go on" from one "Ann vowed to go on";
assert Bob vowed text "to go on" from two "Bob vowed to go on";"#,
    );
    assert!(rows(&g, "conflicts").is_empty());
    let all = rows(&g, "conflicts all");
    assert_eq!(classes(&g, "conflicts all"), ["different attribution"]);
    assert_eq!(all[0][3], "Ann vs Bob");
    assert!(rows(&g, "conflicts all about Ann").len() == 2, "Ann is one of the agents");
}

#[test]
fn one_agent_adding_a_detail_is_still_only_a_different_attribution() {
    let g = graph(
        r#"assert Iran issued-warrant-for Bob from one "Iran issued a warrant for Bob";
assert "Iranian judiciary" issued-warrant-for Bob { count: 36 } from two "the judiciary issued 36 warrants";"#,
    );
    assert_eq!(classes(&g, "conflicts all"), ["different attribution"]);
    // Bob is common ground, not in question.
    assert!(rows(&g, "conflicts all about Bob").is_empty());
}

#[test]
fn events_doing_the_same_thing_are_not_a_difference_of_attribution() {
    let g = graph(
        r#"assert Meeting occurred-in Paris from one "the meeting in Paris";
assert Ann occurred-in Paris from two "Ann in Paris";"#,
    );
    assert!(rows(&g, "conflicts all").is_empty());
}

#[test]
fn a_hedged_and_a_plain_version_differ_in_modality() {
    let g = graph(
        r#"assert Ann met Bob { modality: "reportedly" } from one "Ann reportedly met Bob";
assert Ann met Bob from two "Ann met Bob";"#,
    );
    assert!(rows(&g, "conflicts").is_empty());
    assert_eq!(classes(&g, "conflicts all"), ["different modality"]);
    assert_eq!(rows(&g, "conflicts all")[0][3], "reportedly vs asserted");
}

#[test]
fn done_against_still_to_come_is_a_modality_left_open() {
    let g = graph(
        r#"assert Ann asked Bob from one "Ann had asked Bob";
assert Ann asked Bob { modality: "announced" } from two "Ann will be asking Bob";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["different modality"]);
    assert_eq!(rows(&g, "conflicts")[0][3], "done vs still to come (asserted vs announced)");
}

#[test]
fn declining_to_confirm_is_not_denying() {
    let g = graph(
        r#"assert Ann met Bob from one "Ann met Bob";
assert Ann met Bob { polarity: "not-confirmed" } from two "Ann would not confirm meeting Bob";"#,
    );
    assert_eq!(classes(&g, "conflicts"), ["different modality"]);
}

#[test]
fn the_same_charge_in_other_words_differs_in_wording() {
    let g = graph(
        r#"assert Ann accused Bob { charge: "murder and terrorism" } from one "murder and terrorism charges";
assert Ann accused Bob { charge: "murder and terrorist acts" } from two "murder and terrorist acts";"#,
    );
    assert!(rows(&g, "conflicts").is_empty());
    assert_eq!(classes(&g, "conflicts all"), ["different wording"]);
    assert_eq!(rows(&g, "conflicts all")[0][3], "charge: other words");
}

#[test]
fn two_ranges_that_say_the_same_number_differ_in_wording() {
    let g = graph(
        r#"assert Ann counted text "more than 30" from one "more than 30";
assert Ann counted text "over 30" from two "over 30";"#,
    );
    assert_eq!(classes(&g, "conflicts all"), ["different wording"]);
}

#[test]
fn one_document_stating_two_versions_is_not_a_conflict() {
    let g = graph(
        r#"assert Ann counted 36 from one "Ann counted 36";
assert Ann counted 40 from one "and later 40";"#,
    );
    assert!(rows(&g, "conflicts all").is_empty());
}

#[test]
fn two_different_claims_as_objects_are_two_facts_not_versions() {
    let g = graph(
        r#"assert @a = Ann counted 36 from one "Ann counted 36";
assert @b = Bob counted 40 from two "Bob counted 40";
assert Ann top-of-list @a from one "Ann tops the first list";
assert Ann top-of-list @b { modality: "reportedly" } from two "Ann reportedly tops the second list";"#,
    );
    let all = rows(&g, "conflicts all");
    assert!(!all.iter().any(|r| r[1].contains("counted")), "{all:#?}");
}

#[test]
fn each_version_cites_exactly_its_own_documents() {
    let g = graph(
        r#"assert Ann counted 36 from one "Ann counted 36";
assert Ann counted 40 from two "Ann counted 40";"#,
    );
    let c = rows(&g, "conflicts");
    assert_eq!(
        c.iter().map(|r| (r[1].as_str(), r[2].as_str())).collect::<Vec<_>>(),
        [("36", "[one]"), ("40", "[two]")]
    );
}

#[test]
fn a_claim_told_in_hundreds_of_versions_is_still_answered_whole() {
    // Each version is compared with the first 64 (`MAX_PARTNERS`), so the work grows
    // with the versions, not their square; every version is still listed.
    let mut script = String::new();
    for i in 0..300 {
        script.push_str(&format!("document d{i} {{ title: \"D{i}\", outlet: \"unknown\" }};\n"));
        script.push_str(&format!("assert Ann counted {i} from d{i} \"Ann counted {i}\";\n"));
    }
    let g = graph(&script);
    let all = rows(&g, "conflicts");
    assert_eq!(all.len(), 300);
    assert!(all.iter().all(|r| r[0] == "contradiction"));
}

/// Two versions in one document were compared with each other: in the showcase, one
/// article's "ordered … {reason: …}" was said to differ from the same article's
/// "reportedly" version ("asserted vs reportedly"), where one document stating two
/// versions says both. Two versions resting on the same documents are not compared:
/// here the second is compared with the first article's, to which it adds a detail.
#[test]
fn two_versions_from_one_document_are_not_compared_with_each_other() {
    let g = graph(
        r#"assert Ann ordered Meeting from one "Ann ordered the meeting";
assert Ann ordered Meeting { reason: "to win" } from two "Ann ordered the meeting to win";
assert Ann ordered Meeting { modality: "reportedly" } from two "Ann reportedly ordered the meeting";"#,
    );
    let r = rows(&g, "conflicts all");
    let of = |version: &str| r.iter().find(|x| x[1] == version).unwrap_or_else(|| panic!("{version}: {r:?}")).clone();
    let with_reason = of("Meeting {reason: to win}");
    assert_eq!(with_reason[0], "compatible", "{r:?}");
    assert!(!with_reason[3].contains("reportedly"), "{r:?}");
    assert_eq!(of("Meeting {modality: reportedly}")[0], "different modality", "{r:?}");
}
