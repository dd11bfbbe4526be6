//! The temporal functions as the query engine calls them, on its values: the
//! constructors (`date(…)`, `datetime.truncate(…)`, `duration.between(…)`) and the
//! components (`d.year`). The calendar, zones, text and arithmetic they use are the
//! parent module's, which knows nothing of query values.

use super::*;
use crate::query::value::Val;

/// Runs a temporal function; `None` when `name` is not one.
pub(crate) fn call(now: i128, name: &str, args: &[Val], span: Span) -> Result<Option<Val>> {
    let (base, method) = match name.split_once('.') {
        Some((b, m)) => (b, Some(m)),
        None => (name, None),
    };
    let Some(kind) = Kind::of_name(base) else { return Ok(None) };
    let Some((_, lo, hi)) = FUNCTIONS.iter().find(|(n, ..)| *n == name) else { return Ok(None) };
    // Planning checks the count; this keeps the indexing below safe all the same.
    if args.len() < *lo || args.len() > *hi {
        let function = crate::query::compile::function_shown(name).into();
        return Err(QueryError::ArgumentCount { function, expected: *lo, at_most: *hi, span }.into());
    }
    // Null in, null out (a missing argument is the current time, not null).
    if args.contains(&Val::Null) {
        return Ok(Some(Val::Null));
    }
    let t = match method {
        None | Some("transaction" | "statement" | "realtime") => match args.first() {
            None => current(kind, now, &Zone::Offset(0), span)?,
            Some(a) => construct(kind, a, now, span)?,
        },
        Some("truncate") => truncate(name, kind, &args[0], &args[1], args.get(2), span)?,
        Some("between" | "inmonths" | "indays" | "inseconds") => {
            let (Val::Temporal(a), Val::Temporal(b)) = (&args[0], &args[1]) else {
                let bad = if matches!(args[0], Val::Temporal(_)) { &args[1] } else { &args[0] };
                return Err(not_temporal(name, bad, span));
            };
            Temporal::Duration(between(method.unwrap_or_default(), a, b, span)?)
        }
        Some("fromepoch") => {
            let (Val::Int(s), Val::Int(n)) = (&args[0], &args[1]) else {
                return Err(QueryError::TypeMismatch {
                    what: "the arguments of datetime.fromEpoch()".into(),
                    expected: "whole numbers".into(),
                    found: if matches!(args[0], Val::Int(_)) { args[1].kind() } else { args[0].kind() }.into(),
                    span,
                }
                .into());
            };
            let at = *s as i128 * NANOS_PER_SECOND as i128 + *n as i128;
            Temporal::DateTime(Zoned::at_instant(at, &Zone::Offset(0), span)?)
        }
        Some("fromepochmillis") => {
            let Val::Int(ms) = &args[0] else { return Err(not_int("datetime.fromEpochMillis()", &args[0], span)) };
            Temporal::DateTime(Zoned::at_instant(*ms as i128 * 1_000_000, &Zone::Offset(0), span)?)
        }
        Some(_) => return Ok(None),
    };
    Ok(Some(Val::Temporal(t)))
}

fn not_temporal(function: &str, v: &Val, span: Span) -> crate::Error {
    QueryError::TypeMismatch {
        what: format!("the argument of {}()", crate::query::compile::function_shown(function)),
        expected: "a temporal value".into(),
        found: v.kind().into(),
        span,
    }
    .into()
}

fn not_int(what: &str, v: &Val, span: Span) -> crate::Error {
    QueryError::TypeMismatch { what: what.into(), expected: "a whole number".into(), found: v.kind().into(), span }
        .into()
}

/// `kind(value)`: from text, a map, or another temporal value.
fn construct(kind: Kind, v: &Val, now: i128, span: Span) -> Result<Temporal> {
    match v {
        Val::Str(s) => parse(kind, s, span),
        Val::Map(entries) => {
            if kind == Kind::Duration {
                let mut fields = Vec::new();
                for (k, v) in entries {
                    let n = match v {
                        Val::Int(i) => Num::Int(*i),
                        Val::Float(x) => Num::Float(*x),
                        Val::Null => continue,
                        other => return Err(not_number(k, other, span)),
                    };
                    fields.push((k.as_str(), n));
                }
                return Ok(Temporal::Duration(build_duration(&fields, span)?));
            }
            // `{timezone: …}` alone is now, in that zone.
            if entries.len() == 1 && entries[0].0.eq_ignore_ascii_case("timezone") {
                let Val::Str(z) = &entries[0].1 else { return Err(not_text("timezone", &entries[0].1, span)) };
                return current(kind, now, &parse_zone(z, span)?, span);
            }
            from_map(kind, entries, span)
        }
        Val::Temporal(t) => convert(kind, t, span),
        other => Err(QueryError::TypeMismatch {
            what: format!("the argument of {}()", kind_name(kind)),
            expected: "text, a map or a temporal value".into(),
            found: other.kind().into(),
            span,
        }
        .into()),
    }
}

fn not_number(key: &str, v: &Val, span: Span) -> crate::Error {
    QueryError::TypeMismatch { what: format!("`{key}`"), expected: "a number".into(), found: v.kind().into(), span }
        .into()
}

fn not_text(key: &str, v: &Val, span: Span) -> crate::Error {
    QueryError::TypeMismatch { what: format!("`{key}`"), expected: "text".into(), found: v.kind().into(), span }.into()
}

/// The fields of a constructor's map, by name in any case.
struct Fields<'a> {
    entries: &'a [(String, Val)],
    span: Span,
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Val> {
        self.entries.iter().find(|(k, v)| k.eq_ignore_ascii_case(key) && *v != Val::Null).map(|(_, v)| v)
    }
    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    fn int(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Val::Int(i)) => Ok(Some(*i)),
            Some(other) => Err(not_int(&format!("`{key}`"), other, self.span)),
        }
    }
    fn temporal(&self, key: &str) -> Result<Option<&Temporal>> {
        match self.get(key) {
            None => Ok(None),
            Some(Val::Temporal(t)) => Ok(Some(t)),
            Some(other) => Err(QueryError::TypeMismatch {
                what: format!("`{key}`"),
                expected: "a temporal value".into(),
                found: other.kind().into(),
                span: self.span,
            }
            .into()),
        }
    }
}

const DATE_FIELDS: &[&str] = &["year", "month", "day", "week", "dayofweek", "ordinalday", "quarter", "dayofquarter"];
const TIME_FIELDS: &[&str] = &["hour", "minute", "second", "millisecond", "microsecond", "nanosecond"];

/// A value of `kind` from a map of fields, over the values under `date`, `time` and
/// `datetime` if given.
fn from_map(kind: Kind, entries: &[(String, Val)], span: Span) -> Result<Temporal> {
    let f = Fields { entries, span };
    for (k, v) in entries {
        let k = k.to_ascii_lowercase();
        let known = DATE_FIELDS.contains(&k.as_str()) && kind.has_date()
            || TIME_FIELDS.contains(&k.as_str()) && kind.has_time()
            || k == "timezone" && kind.has_zone()
            || k == "date" && kind.has_date()
            || k == "time" && kind.has_time()
            || k == "datetime" && kind != Kind::Duration
            || (kind == Kind::DateTime && (k == "epochseconds" || k == "epochmillis"));
        if !known && *v != Val::Null {
            return Err(invalid(format!("{}() takes no field {k:?}", kind_name(kind)), span));
        }
    }
    let base = f.temporal("datetime")?;
    let date_base = f.temporal("date")?.or(base);
    let time_base = f.temporal("time")?.or(base);
    let (base_day, ..) = date_base.map(parts).unwrap_or((None, None, None));
    let (_, base_nanos, base_zone) = time_base.map(parts).unwrap_or((None, None, None));
    if date_base.is_some() && base_day.is_none() {
        return Err(invalid("`date` must be a value with a date", span));
    }
    if time_base.is_some() && base_nanos.is_none() {
        return Err(invalid("`time` must be a value with a time of day", span));
    }
    let zone = match f.get("timezone") {
        None => None,
        Some(Val::Str(z)) => Some(parse_zone(z, span)?),
        Some(other) => return Err(not_text("timezone", other, span)),
    };

    if kind == Kind::DateTime && (f.has("epochseconds") || f.has("epochmillis")) {
        let at = match (f.int("epochseconds")?, f.int("epochmillis")?) {
            (Some(s), _) => s as i128 * NANOS_PER_SECOND as i128,
            (None, Some(ms)) => ms as i128 * 1_000_000,
            (None, None) => 0,
        };
        let sub = f.int("millisecond")?.unwrap_or(0) as i128 * 1_000_000
            + f.int("microsecond")?.unwrap_or(0) as i128 * 1000
            + f.int("nanosecond")?.unwrap_or(0) as i128;
        return Ok(Temporal::DateTime(Zoned::at_instant(at + sub, &zone.unwrap_or(Zone::Offset(0)), span)?));
    }

    let day = if kind.has_date() { Some(date_from_fields(&f, base_day)?) } else { None };
    let nanos = if kind.has_time() { Some(time_from_fields(&f, base_nanos)?) } else { None };
    Ok(match kind {
        Kind::Date => Temporal::Date(day.unwrap_or_default()),
        Kind::LocalTime => Temporal::LocalTime(nanos.unwrap_or_default()),
        Kind::LocalDateTime => Temporal::LocalDateTime(day.unwrap_or_default(), nanos.unwrap_or_default()),
        Kind::Time => {
            let n = nanos.unwrap_or_default();
            match (base_zone, zone) {
                // A time with an offset moves to the new one (the same instant).
                (Some(Zone::Offset(from)), Some(to)) => {
                    let to = zone_offset_now(&to, span)?;
                    let (_, n) = norm_day(0, n + (to - from) as i64 * NANOS_PER_SECOND);
                    Temporal::Time(n, to)
                }
                (Some(Zone::Named(name)), Some(to)) => {
                    let from = match base {
                        Some(Temporal::DateTime(z)) => z.offset,
                        _ => zone_offset_now(&Zone::Named(name), span)?,
                    };
                    let to = zone_offset_now(&to, span)?;
                    let (_, n) = norm_day(0, n + (to - from) as i64 * NANOS_PER_SECOND);
                    Temporal::Time(n, to)
                }
                (Some(z), None) => match (z, base) {
                    (_, Some(Temporal::DateTime(dt))) => Temporal::Time(n, dt.offset),
                    (z, _) => Temporal::Time(n, zone_offset_now(&z, span)?),
                },
                (None, z) => Temporal::Time(n, zone_offset_now(&z.unwrap_or(Zone::Offset(0)), span)?),
            }
        }
        Kind::DateTime => {
            let (d, n) = (day.unwrap_or_default(), nanos.unwrap_or_default());
            match (base_zone, zone) {
                // Local fields in the zone of the time they came from, then moved to the
                // new zone (the same instant).
                (Some(from), Some(to)) => {
                    let z = Zoned::local(d, n, &from, span)?;
                    Temporal::DateTime(Zoned::at_instant(z.instant(), &to, span)?)
                }
                (Some(from), None) => Temporal::DateTime(Zoned::local(d, n, &from, span)?),
                (None, z) => Temporal::DateTime(Zoned::local(d, n, &z.unwrap_or(Zone::Offset(0)), span)?),
            }
        }
        Kind::Duration => return Err(invalid("a duration is made from units, not fields", span)),
    })
}

fn date_from_fields(f: &Fields<'_>, base: Option<i64>) -> Result<i64> {
    let span = f.span;
    let year = f.int("year")?;
    let (month, day) = (f.int("month")?, f.int("day")?);
    let (week, dow) = (f.int("week")?, f.int("dayofweek")?);
    let ordinal = f.int("ordinalday")?;
    let (quarter, doq) = (f.int("quarter")?, f.int("dayofquarter")?);
    let calendar = month.is_some() || day.is_some();
    let weekly = week.is_some() || dow.is_some();
    let ordinal_mode = ordinal.is_some();
    let quarterly = quarter.is_some() || doq.is_some();
    if [calendar, weekly, ordinal_mode, quarterly].iter().filter(|b| **b).count() > 1 {
        return Err(invalid(
            "a date is given by month and day, week and day, day of the year, or quarter and day, not by several",
            span,
        ));
    }
    let Some(base) = base else {
        let Some(y) = year else {
            return Err(invalid("a date needs a year", span));
        };
        if day.is_some() && month.is_none() {
            return Err(invalid("a day needs its month", span));
        }
        if dow.is_some() && week.is_none() {
            return Err(invalid("a day of the week needs its week", span));
        }
        if doq.is_some() && quarter.is_none() {
            return Err(invalid("a day of the quarter needs its quarter", span));
        }
        return if weekly {
            week_date(y, week.unwrap_or(1), dow.unwrap_or(1), span)
        } else if ordinal_mode {
            ordinal_date(y, ordinal.unwrap_or(1), span)
        } else if quarterly {
            quarter_date(y, quarter.unwrap_or(1), doq.unwrap_or(1), span)
        } else {
            ymd(y, month.unwrap_or(1), day.unwrap_or(1), span)
        };
    };
    let (by, bm, bd) = civil_from_days(base);
    if weekly {
        let (wy, w) = iso_week(base);
        week_date(year.unwrap_or(wy), week.unwrap_or(w), dow.unwrap_or(weekday(base)), span)
    } else if ordinal_mode {
        ordinal_date(year.unwrap_or(by), ordinal.unwrap_or(1), span)
    } else if quarterly {
        let q = (bm - 1) / 3 + 1;
        let bdoq = base - days_from_civil(by, (q - 1) * 3 + 1, 1) + 1;
        quarter_date(year.unwrap_or(by), quarter.unwrap_or(q), doq.unwrap_or(bdoq), span)
    } else {
        ymd(year.unwrap_or(by), month.unwrap_or(bm), day.unwrap_or(bd), span)
    }
}

fn time_from_fields(f: &Fields<'_>, base: Option<i64>) -> Result<i64> {
    let span = f.span;
    let hour = f.int("hour")?;
    let minute = f.int("minute")?;
    let second = f.int("second")?;
    let (ms, us, ns) = (f.int("millisecond")?, f.int("microsecond")?, f.int("nanosecond")?);
    if base.is_none() {
        let sub = ms.is_some() || us.is_some() || ns.is_some();
        if (minute.is_some() && hour.is_none()) || (second.is_some() && minute.is_none()) || (sub && second.is_none()) {
            return Err(invalid("a time's fields go from the hour down, with none left out between", span));
        }
    }
    let b = base.unwrap_or(0);
    let bs = b / NANOS_PER_SECOND;
    let bn = b % NANOS_PER_SECOND;
    let sub = if ms.is_some() || us.is_some() || ns.is_some() {
        let ms_part = match ms {
            Some(v) => in_range("the millisecond", v, 0, 999, span)? * 1_000_000,
            None => bn / 1_000_000 * 1_000_000,
        };
        let us_part = match us {
            Some(v) if ms.is_some() => in_range("the microsecond", v, 0, 999, span)? * 1000,
            Some(v) => in_range("the microsecond", v, 0, 999_999, span)? * 1000 - ms_part,
            None => bn % 1_000_000 / 1000 * 1000,
        };
        let ns_part = match ns {
            Some(v) if ms.is_some() || us.is_some() => in_range("the nanosecond", v, 0, 999, span)?,
            Some(v) => in_range("the nanosecond", v, 0, NANOS_PER_SECOND - 1, span)? - ms_part - us_part,
            None => bn % 1000,
        };
        ms_part + us_part + ns_part
    } else {
        bn
    };
    time_of_day(
        hour.unwrap_or(bs / 3600),
        minute.unwrap_or(if base.is_some() { bs / 60 % 60 } else { 0 }),
        second.unwrap_or(if base.is_some() { bs % 60 } else { 0 }),
        sub,
        span,
    )
}

// ---------------------------------------------------------------------------------------
// Truncation.

fn truncate(name: &str, kind: Kind, unit: &Val, v: &Val, map: Option<&Val>, span: Span) -> Result<Temporal> {
    let Val::Str(unit) = unit else {
        let what = format!("the unit of {}()", crate::query::compile::function_shown(name));
        return Err(QueryError::TypeMismatch { what, expected: "text".into(), found: unit.kind().into(), span }.into());
    };
    let Val::Temporal(t) = v else { return Err(not_temporal(name, v, span)) };
    let entries: &[(String, Val)] = match map {
        None => &[],
        Some(Val::Map(m)) => m,
        Some(other) => {
            return Err(QueryError::TypeMismatch {
                what: format!("the third argument of {}()", crate::query::compile::function_shown(name)),
                expected: "a map".into(),
                found: other.kind().into(),
                span,
            }
            .into())
        }
    };
    let (date, time, zone) = parts(t);
    let unit_l = unit.to_ascii_lowercase();
    let date_unit = matches!(
        unit_l.as_str(),
        "millennium" | "century" | "decade" | "year" | "weekyear" | "quarter" | "month" | "week" | "day"
    );
    let time_unit = matches!(unit_l.as_str(), "hour" | "minute" | "second" | "millisecond" | "microsecond");
    if !date_unit && !time_unit {
        return Err(invalid(format!("there is no unit {unit:?} to truncate to"), span));
    }
    if kind.has_date() && date.is_none() || (!kind.has_date() && date_unit && unit_l != "day") {
        return Err(invalid(format!("{} cannot be truncated to {unit:?} from {}", kind.what(), type_name(t)), span));
    }
    let day = match (date, unit_l.as_str()) {
        (None, _) => None,
        (Some(d), u) => {
            let (y, m, _) = civil_from_days(d);
            Some(match u {
                "millennium" => days_from_civil(y.div_euclid(1000) * 1000, 1, 1),
                "century" => days_from_civil(y.div_euclid(100) * 100, 1, 1),
                "decade" => days_from_civil(y.div_euclid(10) * 10, 1, 1),
                "year" => days_from_civil(y, 1, 1),
                "weekyear" => week_one(iso_week(d).0),
                "quarter" => days_from_civil(y, (m - 1) / 3 * 3 + 1, 1),
                "month" => days_from_civil(y, m, 1),
                "week" => d - (weekday(d) - 1),
                _ => d,
            })
        }
    };
    let unit_nanos = match unit_l.as_str() {
        "hour" => 3600 * NANOS_PER_SECOND,
        "minute" => 60 * NANOS_PER_SECOND,
        "second" => NANOS_PER_SECOND,
        "millisecond" => 1_000_000,
        "microsecond" => 1000,
        _ => NANOS_PER_DAY,
    };
    let nanos = time.map(|n| n - n % unit_nanos).unwrap_or(0);
    // The truncated value, then the map's fields over it; a time zone in the map replaces
    // the zone, keeping the local date and time.
    let truncated = match kind {
        Kind::Date => Temporal::Date(day.unwrap_or_default()),
        Kind::LocalTime => Temporal::LocalTime(nanos),
        Kind::LocalDateTime => Temporal::LocalDateTime(day.unwrap_or_default(), nanos),
        Kind::Time | Kind::DateTime => {
            let f = Fields { entries, span };
            let zone = match f.get("timezone") {
                Some(Val::Str(z)) => parse_zone(z, span)?,
                Some(other) => return Err(not_text("timezone", other, span)),
                None => zone.unwrap_or(Zone::Offset(0)),
            };
            if kind == Kind::Time {
                let offset = match (&zone, t) {
                    (Zone::Named(_), Temporal::DateTime(z)) if z.zone() == zone => z.offset,
                    (z, _) => zone_offset_now(z, span)?,
                };
                Temporal::Time(nanos, offset)
            } else {
                Temporal::DateTime(Zoned::local(day.unwrap_or_default(), nanos, &zone, span)?)
            }
        }
        Kind::Duration => return Err(invalid("a duration cannot be truncated", span)),
    };
    let mut rest: Vec<(String, Val)> =
        entries.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("timezone")).cloned().collect();
    // A finer field keeps the truncated coarser one: truncated to the millisecond,
    // `{nanosecond: 2}` is 2 nanoseconds past that millisecond, not past the second.
    let has = |key: &str| rest.iter().any(|(k, _)| k.eq_ignore_ascii_case(key));
    let sub = nanos % NANOS_PER_SECOND;
    if unit_l == "millisecond" && (has("microsecond") || has("nanosecond")) && !has("millisecond") {
        rest.push(("millisecond".into(), Val::Int(sub / 1_000_000)));
    } else if unit_l == "microsecond" && has("nanosecond") && !has("microsecond") {
        rest.push(("microsecond".into(), Val::Int(sub / 1000)));
    }
    if rest.is_empty() {
        return Ok(truncated);
    }
    let key = if kind.has_date() && kind.has_time() {
        "datetime"
    } else if kind.has_date() {
        "date"
    } else {
        "time"
    };
    let mut with_base = rest;
    with_base.push((key.into(), Val::Temporal(truncated)));
    from_map(kind, &with_base, span)
}

/// `t.key`: a component, or null for a key the type does not have.
pub(crate) fn component(t: &Temporal, key: &str) -> Val {
    let k = key.to_ascii_lowercase();
    if let Temporal::Duration(d) = t {
        let n = d.total_nanos();
        let v: i128 = match k.as_str() {
            "years" => (d.months / 12) as i128,
            "quarters" => (d.months / 3) as i128,
            "months" => d.months as i128,
            "weeks" => (d.days / 7) as i128,
            "days" => d.days as i128,
            "hours" => (d.seconds / 3600) as i128,
            "minutes" => (d.seconds / 60) as i128,
            "seconds" => d.seconds as i128,
            "milliseconds" => n.div_euclid(1_000_000),
            "microseconds" => n.div_euclid(1000),
            "nanoseconds" => n,
            "quartersofyear" => (d.months % 12 / 3) as i128,
            "monthsofquarter" => (d.months % 3) as i128,
            "monthsofyear" => (d.months % 12) as i128,
            "daysofweek" => (d.days % 7) as i128,
            "minutesofhour" => (d.seconds / 60 % 60) as i128,
            "secondsofminute" => (d.seconds % 60) as i128,
            "millisecondsofsecond" => (d.nanos / 1_000_000) as i128,
            "microsecondsofsecond" => (d.nanos / 1000) as i128,
            "nanosecondsofsecond" => d.nanos as i128,
            _ => return Val::Null,
        };
        return i64::try_from(v).map_or(Val::Null, Val::Int);
    }
    let (date, time, zone) = parts(t);
    if let Some(day) = date {
        let (y, m, d) = civil_from_days(day);
        let v = match k.as_str() {
            "year" => Some(y),
            "quarter" => Some((m - 1) / 3 + 1),
            "month" => Some(m),
            "week" => Some(iso_week(day).1),
            "weekyear" => Some(iso_week(day).0),
            "day" => Some(d),
            "ordinalday" => Some(day - days_from_civil(y, 1, 1) + 1),
            "weekday" | "dayofweek" => Some(weekday(day)),
            "dayofquarter" => Some(day - days_from_civil(y, (m - 1) / 3 * 3 + 1, 1) + 1),
            _ => None,
        };
        if let Some(v) = v {
            return Val::Int(v);
        }
    }
    if let Some(n) = time {
        let s = n / NANOS_PER_SECOND;
        let v = match k.as_str() {
            "hour" => Some(s / 3600),
            "minute" => Some(s / 60 % 60),
            "second" => Some(s % 60),
            "millisecond" => Some(n % NANOS_PER_SECOND / 1_000_000),
            "microsecond" => Some(n % NANOS_PER_SECOND / 1000),
            "nanosecond" => Some(n % NANOS_PER_SECOND),
            _ => None,
        };
        if let Some(v) = v {
            return Val::Int(v);
        }
    }
    let offset = match t {
        Temporal::Time(_, o) => Some(*o),
        Temporal::DateTime(z) => Some(z.offset),
        _ => None,
    };
    if let Some(o) = offset {
        let text = || if o == 0 { "+00:00".to_owned() } else { offset_text(o) };
        match k.as_str() {
            "timezone" => {
                return Val::Str(match zone {
                    Some(Zone::Named(n)) => n,
                    _ => offset_text(o),
                })
            }
            "offset" => return Val::Str(text()),
            "offsetminutes" => return Val::Int(o as i64 / 60),
            "offsetseconds" => return Val::Int(o as i64),
            _ => {}
        }
    }
    if let Temporal::DateTime(z) = t {
        match k.as_str() {
            "epochseconds" => return Val::Int(z.epoch_seconds()),
            "epochmillis" => {
                return i64::try_from(z.instant().div_euclid(1_000_000)).map_or(Val::Null, Val::Int);
            }
            _ => {}
        }
    }
    Val::Null
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(kind: Kind, s: &str) -> Val {
        Val::Temporal(parse(kind, s, Span::default()).unwrap())
    }

    fn map(entries: &[(&str, Val)]) -> Val {
        Val::Map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn truncating_to_a_fraction_keeps_it_under_finer_fields() {
        let t = value(Kind::LocalTime, "12:31:14.645876123");
        let two_nanos = map(&[("nanosecond", Val::Int(2))]);
        let unit = |u: &str| Val::Str(u.into());
        let cut = |u: &str| {
            truncate("localtime.truncate", Kind::LocalTime, &unit(u), &t, Some(&two_nanos), Span::default()).unwrap()
        };
        assert_eq!(cut("millisecond").to_string(), "12:31:14.645000002");
        assert_eq!(cut("microsecond").to_string(), "12:31:14.645876002");
        assert_eq!(cut("second").to_string(), "12:31:14.000000002");
    }

    #[test]
    fn a_time_zone_given_to_truncate_replaces_the_zone_and_keeps_the_clock() {
        let t = value(Kind::Time, "12:31:14.645876123-01:00");
        let zone = map(&[("timezone", Val::Str("+01:00".into()))]);
        let r =
            truncate("time.truncate", Kind::Time, &Val::Str("hour".into()), &t, Some(&zone), Span::default()).unwrap();
        assert_eq!(r.to_string(), "12:00+01:00");
    }

    #[test]
    fn fields_that_do_not_fit_together_are_errors() {
        let bad = |kind: Kind, m: Val| construct(kind, &m, 0, Span::default()).unwrap_err().to_string();
        assert!(bad(Kind::Date, map(&[("year", Val::Int(1984)), ("day", Val::Int(3))])).contains("month"));
        assert!(bad(Kind::Date, map(&[("year", Val::Int(1984)), ("month", Val::Int(2)), ("day", Val::Int(30))]))
            .contains("day"));
        assert!(bad(Kind::Date, map(&[("year", Val::Int(1984)), ("month", Val::Int(1)), ("week", Val::Int(3))]))
            .contains("not by several"));
        assert!(bad(Kind::LocalTime, map(&[("hour", Val::Int(12)), ("second", Val::Int(3))])).contains("hour down"));
        assert!(bad(Kind::DateTime, map(&[("year", Val::Int(1984)), ("timezone", Val::Str("Mars/Olympus".into()))]))
            .contains("no time zone"));
    }
}
