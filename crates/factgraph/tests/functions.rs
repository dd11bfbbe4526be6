//! Functions whose answers a fixed expected value cannot show: `rand()`.

use factgraph::Graph;

/// `rand()` is a float in `[0, 1)`, drawn anew wherever it is evaluated: for each row,
/// and for each item of a list comprehension.
#[test]
fn rand_is_a_float_from_zero_to_one_drawn_anew_for_each_row() {
    let g = Graph::in_memory().unwrap();
    let r = g
        .query(
            "unwind range(1, 200) as i with rand() as x \
             return min(x) >= 0.0, max(x) < 1.0, count(distinct x) > 150, count(*)",
        )
        .unwrap();
    let cells: Vec<String> = r[0].rows[0].cells.iter().map(ToString::to_string).collect();
    assert_eq!(cells, ["true", "true", "true", "200"]);
    let r = g.query("return size([i in range(1, 100) where rand() < 2.0 | rand()]) as n, rand() * 0 as z").unwrap();
    assert_eq!(r[0].rows[0].cells[0].to_string(), "100");
    assert_eq!(r[0].rows[0].cells[1].to_string(), "0.0", "a float, not an integer");
    let e = g.query("return rand(1)").unwrap_err().to_string();
    assert!(e.contains("rand"), "{e}");
}

/// `percentileDisc(x, p)` is the value at rank `p` of the group's values (nearest
/// rank, the value itself); `percentileCont(x, p)` interpolates between the two
/// nearest (a float). Nulls are skipped, a group without values gives null, and a
/// percentile outside 0 to 1 is an error.
#[test]
fn percentiles_pick_or_interpolate_the_values_of_a_group() {
    let g = Graph::in_memory().unwrap();
    let row = |q: &str| -> Vec<String> {
        let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        r[0].rows[0].cells.iter().map(ToString::to_string).collect()
    };
    assert_eq!(
        row("unwind [10, 20, null, 30, 40] as x return percentileDisc(x, 0.0), percentileDisc(x, 0.5), \
             percentileDisc(x, 0.51), percentileDisc(x, 1.0)"),
        ["10", "20", "30", "40"]
    );
    assert_eq!(
        row("unwind [10, 20, 30, 40] as x return percentileCont(x, 0.0), percentileCont(x, 0.5), \
             percentileCont(x, 0.9), percentileCont(x, 1)"),
        ["10.0", "25.0", "37.0", "40.0"]
    );
    assert_eq!(row("unwind [3, 1, 3] as x return percentileDisc(distinct x, 1.0), count(*)"), ["3", "3"]);
    assert_eq!(row("unwind [null] as x return percentileDisc(x, 0.5), percentileCont(x, 0.5)"), ["null", "null"]);
    for q in [
        "unwind [1, 2] as x return percentileDisc(x, 1.5)",
        "unwind [1, 2] as x return percentileCont(x, -0.1)",
        "unwind [1, 2] as x return percentileCont(x, 'half')",
        "unwind ['a', 'b'] as x return percentileCont(x, 0.5)",
    ] {
        let e = g.query(q).expect_err(q);
        assert_eq!(e.kind(), factgraph::ErrorKind::Invalid, "{q}: {e}");
    }
}
