//! openCypher's temporal values through the public API: stored as properties on disk
//! and read back with their type, compared, and refused with a clear error (never a
//! panic) when a value cannot exist.

use factgraph::{Cell, ErrorKind, Graph, TemporalKind, Value};

fn answer(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let last = r.into_iter().rev().find(|r| !r.columns.is_empty()).unwrap();
    last.rows[0].cells.iter().map(|c| c.to_string()).collect()
}

#[test]
fn temporal_properties_keep_their_type_through_a_store_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let g = Graph::open(&path).unwrap();
        g.query(
            "create (:Val {t: time({hour: 12, minute: 31, timezone: '+01:00'}), \
             dt: datetime('2017-08-08T12:31:14.645876123[Europe/Stockholm]'), \
             dur: duration({months: 14, days: 3, seconds: 70}), far: date('+12345-01-02'), d: date('1984-10-11')})",
        )
        .unwrap();
    }
    let g = Graph::open(&path).unwrap();
    assert_eq!(
        answer(
            &g,
            "match (v:Val) return v.t, v.dt.timezone, v.dt.offset, v.dur.years, v.dur.minutes, v.far.year, v.d.week"
        ),
        ["12:31+01:00", "Europe/Stockholm", "+02:00", "1", "1", "12345", "41"]
    );
    assert_eq!(
        answer(
            &g,
            "match (v:Val) return v.dt = datetime('2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]'), \
             v.dt > datetime('2017-08-08T10:31:14Z'), v.d + v.dur"
        ),
        ["true", "true", "1985-12-14"]
    );
    // The store holds each value with its kind, as openCypher writes it.
    let r = g.query("match (v:Val) return v.t, v.d").unwrap();
    let cells = &r[0].rows[0].cells;
    assert!(
        matches!(&cells[0], Cell::Value { value: Value::Temporal(t) } if t.kind == TemporalKind::Time),
        "{cells:?}"
    );
    assert!(matches!(&cells[1], Cell::Value { value: Value::Date(_) }), "{cells:?}");
}

#[test]
fn values_of_different_temporal_types_do_not_compare() {
    let g = Graph::in_memory().unwrap();
    assert_eq!(
        answer(
            &g,
            "return date('2020-01-01') < localdatetime('2020-01-02T00:00'), duration('P1D') < duration('P2D'), \
             date('2020-01-01') = localdatetime('2020-01-01T00:00'), time('10:00+01:00') < time('09:30Z')"
        ),
        ["null", "null", "false", "true"]
    );
}

#[test]
fn the_current_time_is_one_instant_throughout_a_query() {
    let g = Graph::in_memory().unwrap();
    assert_eq!(
        answer(&g, "return duration.inSeconds(localtime(), localtime()), datetime() = datetime.statement()"),
        ["PT0S", "true"]
    );
}

#[test]
fn impossible_values_are_errors_at_the_call_not_panics() {
    let g = Graph::in_memory().unwrap();
    for (q, says) in [
        ("return date('2015-02-30')", "the day 30"),
        ("return date({year: 2015, month: 13})", "the month 13"),
        ("return date({year: 2015, day: 3})", "month"),
        ("return localtime({hour: 24})", "the hour 24"),
        ("return datetime({year: 2015, timezone: 'Nowhere/Else'})", "no time zone"),
        ("return duration('P1Q')", "not a duration"),
        ("return date.truncate('fortnight', date())", "no unit"),
        ("return date('+9999999999-01-01')", "out of range"),
        ("return duration({days: 1}) / 0", "division by zero"),
        ("return date('2020-01-01') + duration({days: 9223372036854775807})", "out of range"),
        ("return localdatetime('2020-01-01') - duration({days: 9223372036854775807})", "out of range"),
        ("return duration({seconds: 9223372036854775807}) * 9223372036854775807", "out of range"),
        ("return datetime({epochSeconds: 9223372036854775807, millisecond: 999})", "out of range"),
        ("return date() + 1", "`+`"),
    ] {
        let e = g.query(q).expect_err(q);
        assert_eq!(e.kind(), ErrorKind::Invalid, "{q}: {e}");
        assert!(e.to_string().contains(says), "{q}: {e}");
    }
}
