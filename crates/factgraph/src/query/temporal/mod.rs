//! openCypher's temporal values: dates, local and zoned times, local and zoned date-times
//! and durations — their constructors (from maps, ISO text and other temporal values),
//! components (`d.year`, `dur.months`), truncation, arithmetic with durations, the
//! durations between two values, their order, and their ISO text.
//!
//! Dates are kept as days since 1970-01-01 and times as nanoseconds since midnight, so
//! the whole of openCypher's range (years ±999,999,999) computes exactly with the
//! proleptic Gregorian calendar below. Only named time zones need a database: jiff's,
//! bundled into the binary, so that answers do not depend on the host's zoneinfo.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

use factgraph_syntax::ast::Span;

use crate::error::{QueryError, Result};

mod functions;

pub(crate) use functions::{call, component};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;
/// The average month of the Gregorian cycle, in seconds: what a fraction of a month
/// is worth in days and seconds (as in Neo4j).
const SECONDS_PER_MONTH: f64 = 2_629_746.0;
/// The years a date may have.
const MAX_YEAR: i64 = 999_999_999;

/// A temporal value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Temporal {
    /// Days since 1970-01-01.
    Date(i64),
    /// Nanoseconds since midnight.
    LocalTime(i64),
    /// Nanoseconds since midnight, at an offset from UTC in seconds.
    Time(i64, i32),
    /// Days since 1970-01-01 and nanoseconds since midnight.
    LocalDateTime(i64, i64),
    /// A local date and time and the offset it has in its zone.
    DateTime(Zoned),
    /// A duration.
    Duration(Duration),
}

/// A date and time with its offset, and the named zone that gave the offset, if any.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Zoned {
    day: i64,
    nanos: i64,
    offset: i32,
    zone: Option<String>,
}

/// A duration as openCypher keeps one: months, days and seconds do not convert into
/// one another (a month has no fixed number of days, nor a day of seconds, across a
/// change of clocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Duration {
    months: i64,
    days: i64,
    seconds: i64,
    /// 0 ..= 999,999,999, whatever the sign of `seconds`.
    nanos: i64,
}

/// What a string or a map says about the time zone.
#[derive(Clone, Debug, PartialEq)]
enum Zone {
    Offset(i32),
    Named(String),
}

fn invalid(message: impl Into<String>, span: Span) -> crate::Error {
    QueryError::Arithmetic { message: message.into(), span }.into()
}

fn too_large(span: Span) -> crate::Error {
    invalid("the temporal value is out of range", span)
}

// ---------------------------------------------------------------------------------------
// The calendar (proleptic Gregorian, ISO weeks), after Howard Hinnant's algorithms.

pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_length(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 31,
    }
}

/// 1 for Monday … 7 for Sunday.
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7) + 1
}

/// The Monday that starts week 1 of an ISO week-year (the week with January 4th).
fn week_one(week_year: i64) -> i64 {
    let jan4 = days_from_civil(week_year, 1, 4);
    jan4 - (weekday(jan4) - 1)
}

/// The ISO week-year and week of a day.
fn iso_week(day: i64) -> (i64, i64) {
    let (y, ..) = civil_from_days(day);
    let wy = if day < week_one(y) {
        y - 1
    } else if day >= week_one(y + 1) {
        y + 1
    } else {
        y
    };
    (wy, (day - week_one(wy)) / 7 + 1)
}

fn check_year(y: i64, span: Span) -> Result<()> {
    if (-MAX_YEAR..=MAX_YEAR).contains(&y) {
        Ok(())
    } else {
        Err(invalid(format!("the year {y} is out of range (±{MAX_YEAR})"), span))
    }
}

fn check_day(day: i64, span: Span) -> Result<i64> {
    // Far past any year the calendar below can be asked about without overflow.
    if day.unsigned_abs() > 400 * MAX_YEAR as u64 {
        return Err(too_large(span));
    }
    check_year(civil_from_days(day).0, span)?;
    Ok(day)
}

/// `day + a + b` days, checked.
fn add_days(day: i64, a: i64, b: i64, span: Span) -> Result<i64> {
    let sum = day.checked_add(a).and_then(|d| d.checked_add(b)).ok_or_else(|| too_large(span))?;
    check_day(sum, span)
}

fn in_range(what: &str, v: i64, lo: i64, hi: i64, span: Span) -> Result<i64> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(invalid(format!("{what} {v} is out of range ({lo}..{hi})"), span))
    }
}

fn ymd(y: i64, m: i64, d: i64, span: Span) -> Result<i64> {
    check_year(y, span)?;
    in_range("the month", m, 1, 12, span)?;
    in_range("the day", d, 1, month_length(y, m), span)?;
    Ok(days_from_civil(y, m, d))
}

fn week_date(wy: i64, w: i64, dow: i64, span: Span) -> Result<i64> {
    check_year(wy, span)?;
    let weeks = (week_one(wy + 1) - week_one(wy)) / 7;
    in_range("the week", w, 1, weeks, span)?;
    in_range("the day of the week", dow, 1, 7, span)?;
    Ok(week_one(wy) + (w - 1) * 7 + dow - 1)
}

fn ordinal_date(y: i64, d: i64, span: Span) -> Result<i64> {
    check_year(y, span)?;
    in_range("the day of the year", d, 1, if is_leap(y) { 366 } else { 365 }, span)?;
    Ok(days_from_civil(y, 1, 1) + d - 1)
}

fn quarter_date(y: i64, q: i64, d: i64, span: Span) -> Result<i64> {
    check_year(y, span)?;
    in_range("the quarter", q, 1, 4, span)?;
    let start = days_from_civil(y, (q - 1) * 3 + 1, 1);
    let end = if q == 4 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, q * 3 + 1, 1) };
    in_range("the day of the quarter", d, 1, end - start, span)?;
    Ok(start + d - 1)
}

/// A date `months` months later, its day clamped to the end of a shorter month.
fn plus_months(day: i64, months: i64, span: Span) -> Result<i64> {
    let (y, m, d) = civil_from_days(day);
    let total = (y as i128) * 12 + (m as i128 - 1) + months as i128;
    let (y, m) = (total.div_euclid(12) as i64, total.rem_euclid(12) as i64 + 1);
    check_year(y, span)?;
    Ok(days_from_civil(y, m, d.min(month_length(y, m))))
}

// ---------------------------------------------------------------------------------------
// Time zones.

fn offset_text(offset: i32) -> String {
    if offset == 0 {
        return "Z".into();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let mut s = format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    if !a.is_multiple_of(60) {
        let _ = write!(s, ":{:02}", a % 60);
    }
    s
}

fn lookup_zone(name: &str, span: Span) -> Result<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).map_err(|_| invalid(format!("there is no time zone {name:?}"), span))
}

/// The offset a named zone has at an instant (seconds since the epoch).
fn offset_at_instant(name: &str, seconds: i64, span: Span) -> Result<i32> {
    let tz = lookup_zone(name, span)?;
    let ts = jiff::Timestamp::from_second(seconds).map_err(|_| too_large(span))?;
    Ok(tz.to_offset(ts).seconds())
}

/// A local date and time in a named zone: the time moved past a gap (as clocks go
/// forward), the earlier offset in a fold.
fn resolve_local(name: &str, day: i64, nanos: i64, span: Span) -> Result<(i64, i64, i32)> {
    use jiff::tz::AmbiguousOffset;
    let tz = lookup_zone(name, span)?;
    let (y, m, d) = civil_from_days(day);
    let t = nanos / NANOS_PER_SECOND;
    let dt = jiff::civil::DateTime::new(
        i16::try_from(y).map_err(|_| too_large(span))?,
        m as i8,
        d as i8,
        (t / 3600) as i8,
        (t / 60 % 60) as i8,
        (t % 60) as i8,
        (nanos % NANOS_PER_SECOND) as i32,
    )
    .map_err(|_| too_large(span))?;
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } | AmbiguousOffset::Fold { before: offset, .. } => {
            Ok((day, nanos, offset.seconds()))
        }
        AmbiguousOffset::Gap { before, after } => {
            let shift = (after.seconds() - before.seconds()) as i64 * NANOS_PER_SECOND;
            let (day, nanos) = norm_day(day, nanos + shift);
            Ok((day, nanos, after.seconds()))
        }
    }
}

/// Carries whole days out of the nanoseconds.
fn norm_day(day: i64, nanos: i64) -> (i64, i64) {
    (day + nanos.div_euclid(NANOS_PER_DAY), nanos.rem_euclid(NANOS_PER_DAY))
}

fn parse_zone(s: &str, span: Span) -> Result<Zone> {
    if let Some(o) = parse_offset(s) {
        return Ok(Zone::Offset(o));
    }
    lookup_zone(s, span)?;
    Ok(Zone::Named(s.to_owned()))
}

/// `Z`, `±HH`, `±HHMM`, `±HH:MM`, `±HH:MM:SS`.
fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![2, 4, 6].contains(&digits.len()) {
        return None;
    }
    let part = |i: usize| digits.get(i..i + 2).map_or(Some(0), |p| p.parse::<i32>().ok());
    let (h, m, sec) = (part(0)?, part(2)?, part(4)?);
    if h > 18 || m > 59 || sec > 59 || h * 3600 + m * 60 + sec > 18 * 3600 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

impl Zoned {
    fn epoch_seconds(&self) -> i64 {
        self.day * SECONDS_PER_DAY + self.nanos.div_euclid(NANOS_PER_SECOND) - self.offset as i64
    }

    /// Nanoseconds since the epoch.
    fn instant(&self) -> i128 {
        (self.day as i128 * NANOS_PER_DAY as i128 + self.nanos as i128) - self.offset as i128 * NANOS_PER_SECOND as i128
    }

    /// A local date and time in a zone.
    fn local(day: i64, nanos: i64, zone: &Zone, span: Span) -> Result<Zoned> {
        Ok(match zone {
            Zone::Offset(o) => Zoned { day, nanos, offset: *o, zone: None },
            Zone::Named(n) => {
                let (day, nanos, offset) = resolve_local(n, day, nanos, span)?;
                Zoned { day, nanos, offset, zone: Some(n.clone()) }
            }
        })
    }

    /// The instant (nanoseconds since the epoch) in a zone.
    fn at_instant(instant: i128, zone: &Zone, span: Span) -> Result<Zoned> {
        let offset = match zone {
            Zone::Offset(o) => *o,
            Zone::Named(n) => {
                let secs = i64::try_from(instant.div_euclid(NANOS_PER_SECOND as i128)).map_err(|_| too_large(span))?;
                offset_at_instant(n, secs, span)?
            }
        };
        let local = instant + offset as i128 * NANOS_PER_SECOND as i128;
        let day = i64::try_from(local.div_euclid(NANOS_PER_DAY as i128)).map_err(|_| too_large(span))?;
        let nanos = local.rem_euclid(NANOS_PER_DAY as i128) as i64;
        check_day(day, span)?;
        Ok(Zoned {
            day,
            nanos,
            offset,
            zone: match zone {
                Zone::Named(n) => Some(n.clone()),
                Zone::Offset(_) => None,
            },
        })
    }

    fn zone(&self) -> Zone {
        match &self.zone {
            Some(n) => Zone::Named(n.clone()),
            None => Zone::Offset(self.offset),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Text.

fn write_year(out: &mut String, y: i64) {
    if y.abs() < 1000 {
        if y < 0 {
            let _ = write!(out, "-{:04}", -y);
        } else {
            let _ = write!(out, "{y:04}");
        }
    } else if y > 9999 {
        let _ = write!(out, "+{y}");
    } else {
        let _ = write!(out, "{y}");
    }
}

fn write_date(out: &mut String, day: i64) {
    let (y, m, d) = civil_from_days(day);
    write_year(out, y);
    let _ = write!(out, "-{m:02}-{d:02}");
}

/// `HH:MM`, with `:SS` when there are seconds, and a fraction in groups of three digits.
fn write_time(out: &mut String, nanos: i64) {
    let s = nanos / NANOS_PER_SECOND;
    let n = nanos % NANOS_PER_SECOND;
    let _ = write!(out, "{:02}:{:02}", s / 3600, s / 60 % 60);
    if s % 60 != 0 || n != 0 {
        let _ = write!(out, ":{:02}", s % 60);
    }
    if n != 0 {
        if n % 1_000_000 == 0 {
            let _ = write!(out, ".{:03}", n / 1_000_000);
        } else if n % 1000 == 0 {
            let _ = write!(out, ".{:06}", n / 1000);
        } else {
            let _ = write!(out, ".{n:09}");
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("P");
        let unit = |out: &mut String, q: i64, u: char| {
            if q != 0 {
                let _ = write!(out, "{q}{u}");
            }
        };
        unit(&mut out, self.months / 12, 'Y');
        unit(&mut out, self.months % 12, 'M');
        unit(&mut out, self.days, 'D');
        if self.seconds != 0 || self.nanos != 0 {
            // Seconds and their fraction take one sign.
            let (mut s, mut n) = (self.seconds, self.nanos);
            if s < 0 && n != 0 {
                s += 1;
                n -= NANOS_PER_SECOND;
            }
            out.push('T');
            unit(&mut out, s / 3600, 'H');
            unit(&mut out, s / 60 % 60, 'M');
            let s = s % 60;
            if s != 0 || n != 0 {
                if s == 0 && n < 0 {
                    out.push('-');
                }
                let _ = write!(out, "{s}");
                if n != 0 {
                    let digits = format!("{:09}", n.abs());
                    let _ = write!(out, ".{}", digits.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        if out.len() == 1 {
            out.push_str("T0S");
        }
        f.write_str(&out)
    }
}

impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        match self {
            Temporal::Date(d) => write_date(&mut out, *d),
            Temporal::LocalTime(t) => write_time(&mut out, *t),
            Temporal::Time(t, o) => {
                write_time(&mut out, *t);
                out.push_str(&offset_text(*o));
            }
            Temporal::LocalDateTime(d, t) => {
                write_date(&mut out, *d);
                out.push('T');
                write_time(&mut out, *t);
            }
            Temporal::DateTime(z) => {
                write_date(&mut out, z.day);
                out.push('T');
                write_time(&mut out, z.nanos);
                out.push_str(&offset_text(z.offset));
                if let Some(name) = &z.zone {
                    let _ = write!(out, "[{name}]");
                }
            }
            Temporal::Duration(d) => return d.fmt(f),
        }
        f.write_str(&out)
    }
}

// ---------------------------------------------------------------------------------------
// Parsing ISO text.

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn digits(&mut self) -> &str {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at]).unwrap_or("")
    }
    fn n(&mut self, count: usize) -> Option<i64> {
        let start = self.at;
        for _ in 0..count {
            if !self.peek()?.is_ascii_digit() {
                self.at = start;
                return None;
            }
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at]).ok()?.parse().ok()
    }
    fn done(&self) -> bool {
        self.at == self.s.len()
    }
    fn rest(&self) -> &str {
        std::str::from_utf8(&self.s[self.at..]).unwrap_or("")
    }
}

fn bad_text(what: &str, s: &str, span: Span) -> crate::Error {
    invalid(format!("{s:?} is not {what} in ISO 8601 form"), span)
}

/// A date: `2015-07-21`, `20150721`, `2015-07`, `2015-W30-2`, `2015W302`, `2015-W30`,
/// `2015-202`, `2015202`, `2015`; a year beyond four digits takes a sign.
fn parse_date(c: &mut Cursor<'_>, span: Span) -> Option<Result<i64>> {
    let sign = if c.eat(b'+') {
        Some(1)
    } else if c.eat(b'-') {
        Some(-1)
    } else {
        None
    };
    let y: i64 = match sign {
        Some(s) => s * c.digits().parse::<i64>().ok()?,
        None => c.n(4)?,
    };
    let dash = c.eat(b'-');
    if c.eat(b'W') {
        let w = c.n(2)?;
        let dow =
            if (dash && c.eat(b'-')) || (!dash && c.peek().is_some_and(|b| b.is_ascii_digit())) { c.n(1)? } else { 1 };
        return Some(week_date(y, w, dow, span));
    }
    let start = c.at;
    let run = c.digits().len();
    c.at = start;
    Some(match (dash, run) {
        (_, 0) if !dash => ymd(y, 1, 1, span),
        (true, 2) => {
            let m = c.n(2)?;
            let d = if c.eat(b'-') { c.n(2)? } else { 1 };
            ymd(y, m, d, span)
        }
        (_, 3) => {
            let d = c.n(3)?;
            ordinal_date(y, d, span)
        }
        (false, 2) => {
            let m = c.n(2)?;
            ymd(y, m, 1, span)
        }
        (false, 4) => {
            let m = c.n(2)?;
            let d = c.n(2)?;
            ymd(y, m, d, span)
        }
        _ => return None,
    })
}

/// A time of day: `21:40:32.142`, `214032.142`, `21:40`, `2140`, `21`.
fn parse_time(c: &mut Cursor<'_>, span: Span) -> Option<Result<i64>> {
    let h = c.n(2)?;
    let (mut m, mut s, mut n) = (0, 0, 0);
    let colon = c.eat(b':');
    if colon || c.peek().is_some_and(|b| b.is_ascii_digit()) {
        m = c.n(2)?;
        let colon2 = c.eat(b':');
        if (colon && colon2) || (!colon && c.peek().is_some_and(|b| b.is_ascii_digit())) {
            s = c.n(2)?;
            if c.eat(b'.') || c.eat(b',') {
                let f = c.digits();
                if f.is_empty() || f.len() > 9 {
                    return None;
                }
                n = format!("{f:0<9}").parse().ok()?;
            }
        } else if colon2 {
            return None;
        }
    }
    Some(time_of_day(h, m, s, n, span))
}

fn time_of_day(h: i64, m: i64, s: i64, n: i64, span: Span) -> Result<i64> {
    in_range("the hour", h, 0, 23, span)?;
    in_range("the minute", m, 0, 59, span)?;
    in_range("the second", s, 0, 59, span)?;
    in_range("the nanosecond", n, 0, NANOS_PER_SECOND - 1, span)?;
    Ok(((h * 60 + m) * 60 + s) * NANOS_PER_SECOND + n)
}

/// An offset and a zone's name, either of which may be missing.
type ZoneSuffix = (Option<i32>, Option<String>);

/// An offset and/or a `[Zone/Name]` after a time, if any.
fn parse_zone_suffix(c: &mut Cursor<'_>, span: Span) -> Option<Result<Option<ZoneSuffix>>> {
    let rest = c.rest().to_owned();
    if rest.is_empty() {
        return Some(Ok(None));
    }
    let (offset_part, name) = match rest.find('[') {
        Some(i) => {
            let name = rest[i + 1..].strip_suffix(']')?;
            (&rest[..i], Some(name.to_owned()))
        }
        None => (rest.as_str(), None),
    };
    let offset = if offset_part.is_empty() { None } else { Some(parse_offset(offset_part)?) };
    c.at = c.s.len();
    if let Some(n) = &name {
        if let Err(e) = lookup_zone(n, span) {
            return Some(Err(e));
        }
    }
    Some(Ok(Some((offset, name))))
}

/// Parses the text of a value of `kind`.
fn parse(kind: Kind, s: &str, span: Span) -> Result<Temporal> {
    let bad = || bad_text(kind.what(), s, span);
    let mut c = Cursor { s: s.trim().as_bytes(), at: 0 };
    match kind {
        Kind::Duration => parse_duration(s.trim(), span),
        Kind::Date => {
            let d = parse_date(&mut c, span).ok_or_else(bad)??;
            if !c.done() {
                return Err(bad());
            }
            Ok(Temporal::Date(d))
        }
        Kind::LocalTime | Kind::Time => {
            let t = parse_time(&mut c, span).ok_or_else(bad)??;
            let zone = parse_zone_suffix(&mut c, span).ok_or_else(bad)??;
            match (kind, zone) {
                (Kind::LocalTime, None) => Ok(Temporal::LocalTime(t)),
                (Kind::Time, None) => Ok(Temporal::Time(t, 0)),
                (Kind::Time, Some((Some(o), _))) => Ok(Temporal::Time(t, o)),
                _ => Err(bad()),
            }
        }
        Kind::LocalDateTime | Kind::DateTime => {
            let d = parse_date(&mut c, span).ok_or_else(bad)??;
            let t = if c.eat(b'T') { parse_time(&mut c, span).ok_or_else(bad)?? } else { 0 };
            let zone = parse_zone_suffix(&mut c, span).ok_or_else(bad)??;
            match (kind, zone) {
                (Kind::LocalDateTime, None) => Ok(Temporal::LocalDateTime(d, t)),
                (Kind::DateTime, None) => Ok(Temporal::DateTime(Zoned { day: d, nanos: t, offset: 0, zone: None })),
                (Kind::DateTime, Some((offset, name))) => {
                    let zone = match (&name, offset) {
                        (Some(n), _) => Zone::Named(n.clone()),
                        (None, Some(o)) => Zone::Offset(o),
                        (None, None) => Zone::Offset(0),
                    };
                    match (offset, &name) {
                        // An offset with a zone is the zone's at that local time, unless it
                        // picks the other side of a fold.
                        (Some(o), Some(n)) => {
                            let z = Zoned::local(d, t, &zone, span)?;
                            if z.offset == o {
                                Ok(Temporal::DateTime(z))
                            } else {
                                let at = Zoned { day: d, nanos: t, offset: o, zone: None }.instant();
                                let z = Zoned::at_instant(at, &Zone::Named(n.clone()), span)?;
                                Ok(Temporal::DateTime(z))
                            }
                        }
                        _ => Ok(Temporal::DateTime(Zoned::local(d, t, &zone, span)?)),
                    }
                }
                _ => Err(bad()),
            }
        }
    }
}

/// A number in a duration's text or map, or a factor: whole, or with a fraction.
#[derive(Clone, Copy)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

/// `P14DT16H12M`, `P5M1.5D`, `PT-0.5S`, `-P1D`, or `P2012-02-02T14:37:21.545`.
fn parse_duration(s: &str, span: Span) -> Result<Temporal> {
    let bad = || bad_text("a duration", s, span);
    let (negated, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.strip_prefix('P').or_else(|| body.strip_prefix('p')).ok_or_else(bad)?;
    let mut fields: Vec<(&str, Num)> = Vec::new();
    // The alternative form: a date and time.
    if body.len() >= 4 && body.as_bytes()[..4].iter().all(u8::is_ascii_digit) && body.as_bytes().get(4) == Some(&b'-') {
        let (date, time) = body.split_once('T').unwrap_or((body, ""));
        let mut parts = date.split('-');
        let mut next = || parts.next().and_then(|p| p.parse::<i64>().ok()).ok_or_else(bad);
        fields.push(("years", Num::Int(next()?)));
        fields.push(("months", Num::Int(next()?)));
        fields.push(("days", Num::Int(next()?)));
        if !time.is_empty() {
            let mut parts = time.split(':');
            let mut next = || parts.next().ok_or_else(bad);
            fields.push(("hours", Num::Int(next()?.parse().map_err(|_| bad())?)));
            fields.push(("minutes", Num::Int(next()?.parse().map_err(|_| bad())?)));
            let sec = next()?;
            fields.push(("seconds", number(sec).ok_or_else(bad)?));
        }
    } else {
        let (date, time) = match body.split_once(['T', 't']) {
            Some((d, t)) => (d, Some(t)),
            None => (body, None),
        };
        if body.is_empty() || time == Some("") {
            return Err(bad());
        }
        for (part, units) in [(date, "YMWD"), (time.unwrap_or(""), "HMS")] {
            let mut rest = part;
            let mut last = 0;
            while !rest.is_empty() {
                let end = rest.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(bad)?;
                let unit = rest.as_bytes()[end].to_ascii_uppercase();
                let pos = units.bytes().position(|u| u == unit).ok_or_else(bad)?;
                if pos < last {
                    return Err(bad());
                }
                last = pos + 1;
                let name = match (units, unit) {
                    ("YMWD", b'Y') => "years",
                    ("YMWD", b'M') => "months",
                    ("YMWD", b'W') => "weeks",
                    ("YMWD", _) => "days",
                    (_, b'H') => "hours",
                    (_, b'M') => "minutes",
                    _ => "seconds",
                };
                let amount = &rest[..end];
                // Seconds with a fraction stay exact: whole seconds and nanoseconds.
                match (name, amount.split_once(['.', ','])) {
                    ("seconds", Some((whole, fraction)))
                        if fraction.len() <= 9 && fraction.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        let negative = whole.starts_with('-');
                        let whole: i64 = match whole {
                            "" | "-" | "+" => 0,
                            w => w.parse().map_err(|_| bad())?,
                        };
                        let nanos: i64 = format!("{fraction:0<9}").parse().map_err(|_| bad())?;
                        fields.push(("seconds", Num::Int(whole)));
                        fields.push(("nanoseconds", Num::Int(if negative { -nanos } else { nanos })));
                    }
                    _ => fields.push((name, number(amount).ok_or_else(bad)?)),
                }
                rest = &rest[end + 1..];
            }
        }
    }
    if negated {
        for (_, n) in &mut fields {
            *n = match *n {
                Num::Int(i) => Num::Int(-i),
                Num::Float(x) => Num::Float(-x),
            };
        }
    }
    Ok(Temporal::Duration(build_duration(&fields, span)?))
}

fn number(s: &str) -> Option<Num> {
    let s = s.replace(',', ".");
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
        return None;
    }
    if s.contains('.') {
        s.parse().ok().map(Num::Float)
    } else {
        s.parse().ok().map(Num::Int)
    }
}

/// A duration from amounts of units, fractions cascading down: a fraction of a month is
/// days (of the average month), a fraction of a day is seconds.
fn build_duration(fields: &[(&str, Num)], span: Span) -> Result<Duration> {
    let (mut months, mut days, mut nanos) = (0i128, 0i128, 0i128);
    let (mut mf, mut df, mut nf) = (0f64, 0f64, 0f64);
    for (name, n) in fields {
        let (level, factor): (u8, i64) = match name.to_ascii_lowercase().as_str() {
            "years" => (0, 12),
            "months" => (0, 1),
            "weeks" => (1, 7),
            "days" => (1, 1),
            "hours" => (2, 3600 * NANOS_PER_SECOND),
            "minutes" => (2, 60 * NANOS_PER_SECOND),
            "seconds" => (2, NANOS_PER_SECOND),
            "milliseconds" => (2, 1_000_000),
            "microseconds" => (2, 1000),
            "nanoseconds" => (2, 1),
            other => return Err(invalid(format!("a duration has no unit {other:?}"), span)),
        };
        match (*n, level) {
            (Num::Int(i), 0) => months += i as i128 * factor as i128,
            (Num::Int(i), 1) => days += i as i128 * factor as i128,
            (Num::Int(i), _) => nanos += i as i128 * factor as i128,
            (Num::Float(x), 0) => mf += x * factor as f64,
            (Num::Float(x), 1) => df += x * factor as f64,
            (Num::Float(x), _) => nf += x * factor as f64,
        }
    }
    if !(mf.is_finite() && df.is_finite() && nf.is_finite()) {
        return Err(too_large(span));
    }
    let whole = mf.trunc();
    months += whole as i128;
    // What is left of the months, and the fraction of the days, in nanoseconds.
    let whole_days = df.trunc();
    days += whole_days as i128;
    let left = (mf - whole) * SECONDS_PER_MONTH * 1e9 + (df - whole_days) * NANOS_PER_DAY as f64;
    let more_days = (left / NANOS_PER_DAY as f64).trunc();
    days += more_days as i128;
    nanos += (left - more_days * NANOS_PER_DAY as f64 + nf).trunc() as i128;
    let seconds = nanos.div_euclid(NANOS_PER_SECOND as i128);
    let fit = |v: i128| i64::try_from(v).map_err(|_| too_large(span));
    Ok(Duration {
        months: fit(months)?,
        days: fit(days)?,
        seconds: fit(seconds)?,
        nanos: nanos.rem_euclid(NANOS_PER_SECOND as i128) as i64,
    })
}

impl Duration {
    fn new(months: i128, days: i128, nanos: i128, span: Span) -> Result<Duration> {
        let fit = |v: i128| i64::try_from(v).map_err(|_| too_large(span));
        Ok(Duration {
            months: fit(months)?,
            days: fit(days)?,
            seconds: fit(nanos.div_euclid(NANOS_PER_SECOND as i128))?,
            nanos: nanos.rem_euclid(NANOS_PER_SECOND as i128) as i64,
        })
    }

    fn total_nanos(&self) -> i128 {
        self.seconds as i128 * NANOS_PER_SECOND as i128 + self.nanos as i128
    }

    fn negated(&self, span: Span) -> Result<Duration> {
        Duration::new(-(self.months as i128), -(self.days as i128), -self.total_nanos(), span)
    }
}

// ---------------------------------------------------------------------------------------
// Constructors.

/// The five temporal types (and durations), as constructors name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
    Duration,
}

impl Kind {
    fn of_name(name: &str) -> Option<Kind> {
        Some(match name {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            "duration" => Kind::Duration,
            _ => return None,
        })
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Date => "a date",
            Kind::LocalTime => "a local time",
            Kind::Time => "a time",
            Kind::LocalDateTime => "a local date and time",
            Kind::DateTime => "a date and time",
            Kind::Duration => "a duration",
        }
    }

    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }

    fn has_time(self) -> bool {
        matches!(self, Kind::LocalTime | Kind::Time | Kind::LocalDateTime | Kind::DateTime)
    }

    fn has_zone(self) -> bool {
        matches!(self, Kind::Time | Kind::DateTime)
    }
}

/// The functions this module answers, with their numbers of arguments.
pub(crate) const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("date", 0, 1),
    ("date.realtime", 0, 1),
    ("date.statement", 0, 1),
    ("date.transaction", 0, 1),
    ("date.truncate", 2, 3),
    ("datetime", 0, 1),
    ("datetime.fromepoch", 2, 2),
    ("datetime.fromepochmillis", 1, 1),
    ("datetime.realtime", 0, 1),
    ("datetime.statement", 0, 1),
    ("datetime.transaction", 0, 1),
    ("datetime.truncate", 2, 3),
    ("duration", 1, 1),
    ("duration.between", 2, 2),
    ("duration.indays", 2, 2),
    ("duration.inmonths", 2, 2),
    ("duration.inseconds", 2, 2),
    ("localdatetime", 0, 1),
    ("localdatetime.realtime", 0, 1),
    ("localdatetime.statement", 0, 1),
    ("localdatetime.transaction", 0, 1),
    ("localdatetime.truncate", 2, 3),
    ("localtime", 0, 1),
    ("localtime.realtime", 0, 1),
    ("localtime.statement", 0, 1),
    ("localtime.transaction", 0, 1),
    ("localtime.truncate", 2, 3),
    ("time", 0, 1),
    ("time.realtime", 0, 1),
    ("time.statement", 0, 1),
    ("time.transaction", 0, 1),
    ("time.truncate", 2, 3),
];

/// Now, as a value of `kind`, in a zone.
fn current(kind: Kind, now: i128, zone: &Zone, span: Span) -> Result<Temporal> {
    if kind == Kind::Duration {
        return Err(invalid("duration() needs an argument", span));
    }
    let z = Zoned::at_instant(now, zone, span)?;
    convert(kind, &Temporal::DateTime(z), span)
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Date => "date",
        Kind::LocalTime => "localtime",
        Kind::Time => "time",
        Kind::LocalDateTime => "localdatetime",
        Kind::DateTime => "datetime",
        Kind::Duration => "duration",
    }
}

/// The parts of a temporal value: its local date, its local time, and its zone.
fn parts(t: &Temporal) -> (Option<i64>, Option<i64>, Option<Zone>) {
    match t {
        Temporal::Date(d) => (Some(*d), None, None),
        Temporal::LocalTime(n) => (None, Some(*n), None),
        Temporal::Time(n, o) => (None, Some(*n), Some(Zone::Offset(*o))),
        Temporal::LocalDateTime(d, n) => (Some(*d), Some(*n), None),
        Temporal::DateTime(z) => (Some(z.day), Some(z.nanos), Some(z.zone())),
        Temporal::Duration(_) => (None, None, None),
    }
}

/// `kind(other)`: the parts of `other` that `kind` has; a missing time is midnight, a
/// missing zone UTC.
fn convert(kind: Kind, t: &Temporal, span: Span) -> Result<Temporal> {
    let (date, time, zone) = parts(t);
    let cannot = || invalid(format!("{} cannot be made from {}", kind.what(), type_name(t)), span);
    Ok(match kind {
        Kind::Duration => match t {
            Temporal::Duration(d) => Temporal::Duration(*d),
            _ => return Err(cannot()),
        },
        Kind::Date => Temporal::Date(date.ok_or_else(cannot)?),
        Kind::LocalTime => Temporal::LocalTime(time.ok_or_else(cannot)?),
        Kind::Time => {
            let n = time.ok_or_else(cannot)?;
            let offset = match t {
                Temporal::DateTime(z) => z.offset,
                Temporal::Time(_, o) => *o,
                _ => 0,
            };
            Temporal::Time(n, offset)
        }
        Kind::LocalDateTime => Temporal::LocalDateTime(date.ok_or_else(cannot)?, time.unwrap_or(0)),
        Kind::DateTime => match t {
            Temporal::DateTime(z) => Temporal::DateTime(z.clone()),
            _ => {
                let d = date.ok_or_else(cannot)?;
                Temporal::DateTime(Zoned::local(d, time.unwrap_or(0), &zone.unwrap_or(Zone::Offset(0)), span)?)
            }
        },
    })
}

/// The offset of a zone for a time of day with no date: a named zone's offset now.
fn zone_offset_now(z: &Zone, span: Span) -> Result<i32> {
    match z {
        Zone::Offset(o) => Ok(*o),
        Zone::Named(n) => {
            let now =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            offset_at_instant(n, now, span)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Durations between two values.

/// The whole months from one local date and time to another (as `java.time` counts
/// them: a month is not complete until its day and time of day are reached).
fn months_between(d1: i64, n1: i64, d2: i64, n2: i64) -> i64 {
    let d2 = if d2 > d1 && n2 < n1 {
        d2 - 1
    } else if d2 < d1 && n2 > n1 {
        d2 + 1
    } else {
        d2
    };
    let packed = |d: i64| {
        let (y, m, day) = civil_from_days(d);
        (y as i128 * 12 + m as i128 - 1) * 32 + day as i128
    };
    ((packed(d2) - packed(d1)) / 32) as i64
}

fn days_between(d1: i64, n1: i64, d2: i64, n2: i64) -> i64 {
    let d2 = if d2 > d1 && n2 < n1 {
        d2 - 1
    } else if d2 < d1 && n2 > n1 {
        d2 + 1
    } else {
        d2
    };
    d2 - d1
}

fn between(how: &str, a: &Temporal, b: &Temporal, span: Span) -> Result<Duration> {
    if matches!(a, Temporal::Duration(_)) || matches!(b, Temporal::Duration(_)) {
        return Err(invalid("duration.between() takes two temporal values that are not durations", span));
    }
    let (da, ta, za) = parts(a);
    let (db, tb, zb) = parts(b);
    // What one value lacks, it takes from the other: a date, a zone.
    let (da, db) = match (da, db) {
        (None, Some(d)) => (Some(d), Some(d)),
        (Some(d), None) => (Some(d), Some(d)),
        other => other,
    };
    let zone = za.clone().or(zb.clone());
    let (za, zb) = (za.or(zone.clone()), zb.or(zone));
    let (ta, tb) = (ta.unwrap_or(0), tb.unwrap_or(0));
    let (Some(da), Some(db)) = (da, db) else {
        // Two times of day: only their difference.
        let off = |z: &Option<Zone>| z.as_ref().map_or(Ok(0), |z| zone_offset_now(z, span));
        let nanos = (tb - off(&zb)? as i64 * NANOS_PER_SECOND) - (ta - off(&za)? as i64 * NANOS_PER_SECOND);
        return match how {
            "inmonths" | "indays" => Duration::new(0, 0, 0, span),
            _ => Duration::new(0, 0, nanos as i128, span),
        };
    };
    let zoned = |d: i64, t: i64, z: &Option<Zone>| -> Result<Option<Zoned>> {
        z.as_ref().map(|z| Zoned::local(d, t, z, span)).transpose()
    };
    let (za, zb) = (zoned(da, ta, &za)?, zoned(db, tb, &zb)?);
    // The end in the start's zone, as local date and time.
    let (a_local, b_local) = match (&za, &zb) {
        (Some(x), Some(y)) => {
            let y2 = Zoned::at_instant(y.instant(), &x.zone(), span)?;
            ((x.day, x.nanos), (y2.day, y2.nanos))
        }
        _ => ((da, ta), (db, tb)),
    };
    let instant = |local: (i64, i64), z: &Option<Zoned>| -> i128 {
        match z {
            Some(z) => z.instant(),
            None => local.0 as i128 * NANOS_PER_DAY as i128 + local.1 as i128,
        }
    };
    let end = instant((db, tb), &zb);
    match how {
        "inseconds" => Duration::new(0, 0, end - instant((da, ta), &za), span),
        "inmonths" => Duration::new(months_between(a_local.0, a_local.1, b_local.0, b_local.1) as i128, 0, 0, span),
        "indays" => Duration::new(0, days_between(a_local.0, a_local.1, b_local.0, b_local.1) as i128, 0, span),
        _ => {
            let months = months_between(a_local.0, a_local.1, b_local.0, b_local.1);
            let moved = plus_months(a_local.0, months, span)?;
            let days = days_between(moved, a_local.1, b_local.0, b_local.1);
            let start = match &za {
                Some(z) => Zoned::local(moved + days, a_local.1, &z.zone(), span)?.instant(),
                None => (moved + days) as i128 * NANOS_PER_DAY as i128 + a_local.1 as i128,
            };
            Duration::new(months as i128, days as i128, end - start, span)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Arithmetic.

/// `a + b` or `a - b` where one side is temporal; `None` when openCypher has no such sum.
pub(crate) fn add(a: &Temporal, b: &Temporal, subtract: bool, span: Span) -> Result<Option<Temporal>> {
    Ok(Some(match (a, b) {
        (Temporal::Duration(x), Temporal::Duration(y)) => {
            let y = if subtract { y.negated(span)? } else { *y };
            Temporal::Duration(Duration::new(
                x.months as i128 + y.months as i128,
                x.days as i128 + y.days as i128,
                x.total_nanos() + y.total_nanos(),
                span,
            )?)
        }
        (t, Temporal::Duration(d)) => plus(t, &if subtract { d.negated(span)? } else { *d }, span)?,
        (Temporal::Duration(d), t) if !subtract => plus(t, d, span)?,
        _ => return Ok(None),
    }))
}

/// A temporal value moved by a duration: months first (the day clamped to the month),
/// then days, then the time (on the clock of a local value, on the timeline of a zoned
/// one).
fn plus(t: &Temporal, d: &Duration, span: Span) -> Result<Temporal> {
    let time_of = |n: i64| norm_day(0, (n as i128 + d.total_nanos()).rem_euclid(NANOS_PER_DAY as i128) as i64).1;
    Ok(match t {
        // A date moves by the whole days of the duration's time too.
        Temporal::Date(day) => {
            let whole_days = (d.total_nanos() / NANOS_PER_DAY as i128) as i64;
            Temporal::Date(add_days(plus_months(*day, d.months, span)?, d.days, whole_days, span)?)
        }
        Temporal::LocalTime(n) => Temporal::LocalTime(time_of(*n)),
        Temporal::Time(n, o) => Temporal::Time(time_of(*n), *o),
        Temporal::LocalDateTime(day, n) => {
            let day = add_days(plus_months(*day, d.months, span)?, d.days, 0, span)?;
            let total = day as i128 * NANOS_PER_DAY as i128 + *n as i128 + d.total_nanos();
            let day = i64::try_from(total.div_euclid(NANOS_PER_DAY as i128)).map_err(|_| too_large(span))?;
            Temporal::LocalDateTime(check_day(day, span)?, total.rem_euclid(NANOS_PER_DAY as i128) as i64)
        }
        Temporal::DateTime(z) => {
            let day = add_days(plus_months(z.day, d.months, span)?, d.days, 0, span)?;
            let moved = Zoned::local(day, z.nanos, &z.zone(), span)?;
            Temporal::DateTime(Zoned::at_instant(moved.instant() + d.total_nanos(), &z.zone(), span)?)
        }
        Temporal::Duration(_) => return Err(invalid("a duration cannot be added to like this", span)),
    })
}

/// `duration * number` or `duration / number`: whole factors multiply each part exactly;
/// fractions cascade down as in a duration's map.
pub(crate) fn scale(d: &Duration, factor: Num, divide: bool, span: Span) -> Result<Temporal> {
    let f = match factor {
        Num::Int(i) if !divide => {
            let m = |v: i64| (v as i128) * (i as i128);
            let nanos = d.total_nanos().checked_mul(i as i128).ok_or_else(|| too_large(span))?;
            return Ok(Temporal::Duration(Duration::new(m(d.months), m(d.days), nanos, span)?));
        }
        Num::Int(0) => return Err(invalid("division by zero", span)),
        Num::Int(i) => i as f64,
        Num::Float(x) => x,
    };
    let f = if divide { 1.0 / f } else { f };
    let fields = [
        ("months", Num::Float(d.months as f64 * f)),
        ("days", Num::Float(d.days as f64 * f)),
        ("seconds", Num::Float(d.seconds as f64 * f)),
        ("nanoseconds", Num::Float(d.nanos as f64 * f)),
    ];
    Ok(Temporal::Duration(build_duration(&fields, span)?))
}

// ---------------------------------------------------------------------------------------
// Order, components and names.

pub(crate) fn type_name(t: &Temporal) -> &'static str {
    match t {
        Temporal::Date(_) => "a date",
        Temporal::LocalTime(_) => "a local time",
        Temporal::Time(..) => "a time",
        Temporal::LocalDateTime(..) => "a local date and time",
        Temporal::DateTime(_) => "a date and time",
        Temporal::Duration(_) => "a duration",
    }
}

/// openCypher's order of two values of one temporal type: zoned values by the instant
/// they name; durations have none, nor do values of different types.
pub(crate) fn compare(a: &Temporal, b: &Temporal) -> Option<Ordering> {
    let utc = |n: i64, o: i32| n as i128 - o as i128 * NANOS_PER_SECOND as i128;
    match (a, b) {
        (Temporal::Date(x), Temporal::Date(y)) => Some(x.cmp(y)),
        (Temporal::LocalTime(x), Temporal::LocalTime(y)) => Some(x.cmp(y)),
        (Temporal::Time(x, o), Temporal::Time(y, p)) => Some(utc(*x, *o).cmp(&utc(*y, *p)).then(p.cmp(o))),
        (Temporal::LocalDateTime(d, n), Temporal::LocalDateTime(e, m)) => Some((d, n).cmp(&(e, m))),
        (Temporal::DateTime(x), Temporal::DateTime(y)) => Some(x.instant().cmp(&y.instant())),
        _ => None,
    }
}

/// The rank of each temporal type in `order by`, and of a value within it.
pub(crate) fn sort_rank(t: &Temporal) -> u8 {
    match t {
        Temporal::DateTime(_) => 0,
        Temporal::LocalDateTime(..) => 1,
        Temporal::Date(_) => 2,
        Temporal::Time(..) => 3,
        Temporal::LocalTime(_) => 4,
        Temporal::Duration(_) => 5,
    }
}

// ---------------------------------------------------------------------------------------
// Storage: the store keeps these values as their kind and ISO text.

/// The kind and text a value is stored as (a date is the store's own date).
pub(crate) fn to_stored(t: &Temporal) -> factgraph_store::Value {
    use factgraph_store::{Temporal as Stored, TemporalKind as K, Value};
    let kind = match t {
        Temporal::Date(d) => {
            let (y, m, day) = civil_from_days(*d);
            if let (Ok(y), true) = (i32::try_from(y), (0..=9999).contains(&y)) {
                if let Some(date) = factgraph_store::Date::new(y, m as u8, day as u8) {
                    return Value::Date(date);
                }
            }
            K::Date
        }
        Temporal::LocalTime(_) => K::LocalTime,
        Temporal::Time(..) => K::Time,
        Temporal::LocalDateTime(..) => K::LocalDateTime,
        Temporal::DateTime(_) => K::DateTime,
        Temporal::Duration(_) => K::Duration,
    };
    Value::Temporal(Stored { kind, text: t.to_string() })
}

/// A value as the literal a `create` stores.
pub(crate) fn to_literal(t: &Temporal) -> factgraph_syntax::ast::Literal {
    use factgraph_syntax::ast::{Date, Literal};
    match to_stored(t) {
        factgraph_store::Value::Temporal(s) => Literal::Temporal(kind_word(s.kind).into(), s.text),
        factgraph_store::Value::Date(d) => Literal::Date(Date { year: d.year, month: d.month, day: d.day }),
        other => Literal::Str(other.to_string()),
    }
}

/// The name openCypher gives a stored kind.
pub(crate) fn kind_word(kind: factgraph_store::TemporalKind) -> &'static str {
    use factgraph_store::TemporalKind as K;
    match kind {
        K::Date => "date",
        K::LocalTime => "localtime",
        K::Time => "time",
        K::LocalDateTime => "localdatetime",
        K::DateTime => "datetime",
        K::Duration => "duration",
    }
}

/// The stored kind of a name `kind_word` gives (a duration for any other).
pub(crate) fn kind_of_word(word: &str) -> factgraph_store::TemporalKind {
    use factgraph_store::TemporalKind as K;
    match word {
        "date" => K::Date,
        "localtime" => K::LocalTime,
        "time" => K::Time,
        "localdatetime" => K::LocalDateTime,
        "datetime" => K::DateTime,
        _ => K::Duration,
    }
}

/// A stored value back, from its kind and text.
pub(crate) fn from_stored(kind: factgraph_store::TemporalKind, text: &str) -> Option<Temporal> {
    use factgraph_store::TemporalKind as K;
    let kind = match kind {
        K::Date => Kind::Date,
        K::LocalTime => Kind::LocalTime,
        K::Time => Kind::Time,
        K::LocalDateTime => Kind::LocalDateTime,
        K::DateTime => Kind::DateTime,
        K::Duration => Kind::Duration,
    };
    parse(kind, text, Span::default()).ok()
}

pub(crate) fn from_date(d: &factgraph_store::Date) -> Temporal {
    Temporal::Date(days_from_civil(d.year as i64, d.month as i64, d.day as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(kind: Kind, s: &str) -> String {
        parse(kind, s, Span::default()).map(|t| t.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn the_calendar_round_trips_across_its_whole_range() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (-999_999_999, 1, 1), (999_999_999, 12, 31), (0, 3, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(weekday(0), 4, "1970-01-01 was a Thursday");
    }

    #[test]
    fn iso_weeks_start_on_the_monday_of_january_4th() {
        let day = days_from_civil(1984, 1, 1);
        assert_eq!(iso_week(day), (1983, 52));
        assert_eq!(weekday(day), 7);
        assert_eq!(Temporal::Date(week_date(1818, 53, 1, Span::default()).unwrap()).to_string(), "1818-12-28");
        assert!(week_date(1819, 53, 1, Span::default()).is_err(), "1819 has 52 weeks");
    }

    #[test]
    fn dates_parse_in_every_iso_form() {
        for (s, want) in [
            ("2015-07-21", "2015-07-21"),
            ("20150721", "2015-07-21"),
            ("2015-07", "2015-07-01"),
            ("201507", "2015-07-01"),
            ("2015-W30-2", "2015-07-21"),
            ("2015W302", "2015-07-21"),
            ("2015-W30", "2015-07-20"),
            ("2015-202", "2015-07-21"),
            ("2015202", "2015-07-21"),
            ("2015", "2015-01-01"),
            ("+999999999-12-31", "+999999999-12-31"),
            ("-0001-01-01", "-0001-01-01"),
        ] {
            assert_eq!(text(Kind::Date, s), want, "{s}");
        }
        assert!(text(Kind::Date, "2015-02-30").starts_with("error"));
        assert!(text(Kind::Date, "2015-13").starts_with("error"));
        assert!(text(Kind::Date, "not a date").starts_with("error"));
    }

    #[test]
    fn times_render_their_fraction_in_groups_of_three() {
        assert_eq!(text(Kind::LocalTime, "214032.142"), "21:40:32.142");
        assert_eq!(text(Kind::LocalTime, "21"), "21:00");
        assert_eq!(text(Kind::LocalTime, "12:00:00.000001"), "12:00:00.000001");
        assert_eq!(text(Kind::LocalTime, "12:00:00.1234"), "12:00:00.123400");
        assert_eq!(text(Kind::Time, "2140-00:00"), "21:40Z");
        assert_eq!(text(Kind::Time, "2140-02"), "21:40-02:00");
        assert_eq!(text(Kind::Time, "12:34:56+02:05:59"), "12:34:56+02:05:59");
        assert!(text(Kind::LocalTime, "24:00").starts_with("error"));
    }

    #[test]
    fn named_zones_come_from_the_bundled_database() {
        assert_eq!(
            text(Kind::DateTime, "1818-07-21T21:40:32.142[Europe/Stockholm]"),
            "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]"
        );
        assert_eq!(
            text(Kind::DateTime, "2015-07-21T21:40:32.142-04[America/New_York]"),
            "2015-07-21T21:40:32.142-04:00[America/New_York]"
        );
        assert!(text(Kind::DateTime, "2015-07-21T21:40[Nowhere/Else]").starts_with("error"));
    }

    #[test]
    fn durations_cascade_fractions_and_keep_one_sign_for_seconds() {
        for (s, want) in [
            ("P14DT16H12M", "P14DT16H12M"),
            ("P5M1.5D", "P5M1DT12H"),
            ("P0.75M", "P22DT19H51M49.5S"),
            ("PT0.75M", "PT45S"),
            ("P2.5W", "P17DT12H"),
            ("P12Y5M14DT16H12M70S", "P12Y5M14DT16H13M10S"),
            ("P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"),
            ("PT-0.001S", "PT-0.001S"),
            ("PT-1.999S", "PT-1.999S"),
            ("PT0S", "PT0S"),
        ] {
            assert_eq!(text(Kind::Duration, s), want, "{s}");
        }
        assert!(text(Kind::Duration, "P1S").starts_with("error"));
        assert!(text(Kind::Duration, "PT").starts_with("error"));
    }

    #[test]
    fn a_date_moves_by_the_whole_days_of_a_durations_time() {
        let date = parse(Kind::Date, "1984-10-11", Span::default()).unwrap();
        let Temporal::Duration(d) = parse_duration("P1DT33H", Span::default()).unwrap() else { unreachable!() };
        assert_eq!(
            add(&date, &Temporal::Duration(d), false, Span::default()).unwrap().unwrap().to_string(),
            "1984-10-13"
        );
        assert_eq!(
            add(&date, &Temporal::Duration(d), true, Span::default()).unwrap().unwrap().to_string(),
            "1984-10-09"
        );
    }

    const KINDS: [Kind; 6] =
        [Kind::Date, Kind::LocalTime, Kind::Time, Kind::LocalDateTime, Kind::DateTime, Kind::Duration];

    proptest::proptest! {
        #[test]
        fn no_text_makes_parsing_panic(s in "[-+PTWZ0-9:.,/A-Za-z\\[\\]]{0,24}") {
            for kind in KINDS {
                let _ = parse(kind, &s, Span::default());
            }
        }

        #[test]
        fn every_value_reads_back_from_its_text(
            day in -365_000_000_000i64..365_000_000_000,
            nanos in 0..NANOS_PER_DAY,
            offset in -18 * 3600..=18 * 3600i32,
            months in -1_000_000i64..1_000_000,
            seconds in -1_000_000_000_000i64..1_000_000_000_000,
            sub in 0..NANOS_PER_SECOND,
        ) {
            let values = [
                Temporal::Date(day),
                Temporal::LocalTime(nanos),
                Temporal::Time(nanos, offset),
                Temporal::LocalDateTime(day, nanos),
                Temporal::DateTime(Zoned { day, nanos, offset, zone: None }),
                Temporal::Duration(Duration { months, days: months / 7, seconds, nanos: sub }),
            ];
            for (kind, v) in KINDS.into_iter().zip(values) {
                let text = v.to_string();
                proptest::prop_assert_eq!(parse(kind, &text, Span::default()).ok(), Some(v), "{}", text);
            }
        }
    }

    #[test]
    fn months_between_count_only_complete_months() {
        let d = |y, m, day| days_from_civil(y, m, day);
        assert_eq!(months_between(d(2018, 3, 11), 0, d(2016, 6, 24), 0), -20);
        assert_eq!(months_between(d(1984, 10, 11), 0, d(2015, 6, 24), 0), 368);
    }
}
