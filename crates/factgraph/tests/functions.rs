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
