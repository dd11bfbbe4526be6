//! Versioned JSON Lines export and import of a whole store: lossless (ids, aliases with
//! their documents, properties, qualifiers, evidence with offsets and attributions,
//! document texts), and the migration path should the on-disk format change.
//!
//! The first line is a header `{"format":"factgraph-jsonl","version":2,…}` (with the
//! id counters, since ids are never reused); then one
//! object per line: `{"entity":…}` (in id order, each document's text beside it) and
//! `{"statement":…}` (in id order, so a statement about a statement follows it); and
//! last a closing line `{"end":{"entities":…,"statements":…,"fnv1a64":"…"}}` with the
//! counts and a checksum of every line before it, so that an export cut off at a line
//! boundary (a full disk, a copy interrupted) or changed afterwards is refused rather
//! than imported in part. The checksum is FNV-1a (64 bits) over each line's text
//! followed by one `\n`, whatever line ends the file has (an editor's CRLF is not a
//! change): it finds accidents, not tampering.
//!
//! Version 1 exports have no closing line; they are still read, unchecked
//! (`JsonlCheck::Unchecked` says so). Version 3 adds participants, qualifiers whose
//! value is an entity (`{"Entity":12}`); an export is written as version 3 only when
//! the store has one, so a store without them still exports as version 2, which
//! builds from before participants read, and a build that reads version 2 only refuses
//! a version 3 file as newer instead of failing on its first participant. A UTF-8 byte order mark before the header is
//! skipped; invalid UTF-8 is an error at its line and column.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::model::{Entity, Statement};
use crate::store::{Counts, Store};

/// The `format` field of the header line.
pub const JSONL_FORMAT: &str = "factgraph-jsonl";
/// The newest version this build writes and reads. Version 2 added the closing line
/// (version 1 files are read without it); version 3, participants (written only when
/// the store has one: otherwise the export is version 2).
pub const JSONL_VERSION: u32 = 3;
/// The version of an export without participants.
const WITHOUT_PARTICIPANTS: u32 = 2;
/// The first version that ends with a closing line.
const CLOSED_SINCE: u32 = 2;
/// A line longer than this is refused on import (a document's text is at most 16 MiB,
/// escaped as JSON).
const MAX_LINE: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    /// Ids are never reused, so the counters travel too (deleted ids leave holes).
    #[serde(default)]
    next_entity: u64,
    #[serde(default)]
    next_statement: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Line {
    Entity {
        #[serde(flatten)]
        entity: Entity,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    Statement(Statement),
    End(End),
}

/// The closing line: what came before it.
#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct End {
    entities: u64,
    statements: u64,
    /// FNV-1a (64 bits) of the lines before this one, as 16 hex digits.
    #[serde(with = "hex64")]
    fnv1a64: u64,
}

/// A u64 as 16 lowercase hex digits (JSON numbers lose precision past 2^53 in many
/// readers).
mod hex64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:016x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        u64::from_str_radix(&text, 16).map_err(|_| serde::de::Error::custom(format!("{text:?} is not a checksum")))
    }
}

/// FNV-1a, 64 bits: small, with no dependency, and enough to notice a changed or
/// missing line.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Adds one line's text and the `\n` that ends it.
    fn line(&mut self, text: &[u8]) {
        for &b in text.iter().chain(b"\n") {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Whether an import was checked against its closing line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonlCheck {
    /// The counts and checksum of the closing line matched.
    Checked,
    /// A version 1 export, which has no closing line: a file cut off at a line
    /// boundary cannot be told from a whole one.
    Unchecked,
}

/// Writes the whole store as JSON Lines, ending with the closing line.
pub fn export_jsonl(store: &Store, out: &mut dyn Write) -> Result<Counts> {
    let io = |e: std::io::Error| StoreError::io("writing the export", e);
    let json = |e: serde_json::Error| StoreError::Corrupt(format!("serialising: {e}"));
    let mut sum = Fnv::new();
    let mut line = Vec::new();
    // Each line is serialised whole, then counted in the checksum (unless `sum` is
    // `None`: the closing line) and written.
    let mut write = |line: &mut Vec<u8>, sum: Option<&mut Fnv>| -> Result<()> {
        if let Some(sum) = sum {
            sum.line(line);
        }
        line.push(b'\n');
        out.write_all(line).map_err(io)?;
        line.clear();
        Ok(())
    };
    let (next_entity, next_statement) = store.next_ids()?;
    let version = if store.all_participants()?.is_empty() { WITHOUT_PARTICIPANTS } else { JSONL_VERSION };
    let header = Header { format: JSONL_FORMAT.into(), version, next_entity, next_statement };
    serde_json::to_writer(&mut line, &header).map_err(json)?;
    write(&mut line, Some(&mut sum))?;
    let mut counts = Counts::default();
    for entity in store.entities() {
        let entity = entity?;
        let text = if entity.is_document() { store.document_text(entity.id)? } else { None };
        counts.entities += 1;
        serde_json::to_writer(&mut line, &Line::Entity { entity, text }).map_err(json)?;
        write(&mut line, Some(&mut sum))?;
    }
    for st in store.statements() {
        let st = st?;
        counts.statements += 1;
        counts.evidence += st.evidence.len() as u64;
        serde_json::to_writer(&mut line, &Line::Statement(st)).map_err(json)?;
        write(&mut line, Some(&mut sum))?;
    }
    let end = End { entities: counts.entities, statements: counts.statements, fnv1a64: sum.0 };
    serde_json::to_writer(&mut line, &Line::End(end)).map_err(json)?;
    write(&mut line, None)?;
    out.flush().map_err(io)?;
    Ok(counts)
}

/// The text of a line read as bytes, or where it stops being UTF-8.
fn line_text(bytes: &[u8], line: usize) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        // The prefix is valid UTF-8 by definition.
        let column = std::str::from_utf8(&bytes[..valid]).map_or(valid, |p| p.chars().count()) + 1;
        StoreError::Import {
            line,
            message: format!("not UTF-8 text: invalid bytes at column {column} (byte {} of the line)", valid + 1),
        }
    })
}

/// Reads a JSON Lines export into an empty store, as one atomic batch: on any error
/// nothing is written. Since version 2 the closing line must be there and agree with
/// what was read; a version 1 export is read as it is (`JsonlCheck::Unchecked`).
pub fn import_jsonl(store: &Store, input: impl BufRead) -> Result<Counts> {
    import_jsonl_checked(store, input).map(|(counts, _)| counts)
}

/// `import_jsonl`, saying whether the import could be checked against a closing line.
pub fn import_jsonl_checked(store: &Store, mut input: impl BufRead) -> Result<(Counts, JsonlCheck)> {
    let before = store.counts()?;
    if before.entities != 0 || before.statements != 0 {
        return Err(StoreError::Invalid("import needs an empty store (ids are kept as they were exported)".into()));
    }
    let mut tx = store.transaction()?;
    let mut line_no = 0;
    let mut buf = Vec::new();
    let mut version = None;
    let mut sum = Fnv::new();
    let (mut entities, mut statements) = (0u64, 0u64);
    let mut end: Option<(usize, End)> = None;
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut input, MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| StoreError::io("reading the import", e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.len() > MAX_LINE {
            return Err(StoreError::Import { line: line_no, message: "line is longer than 64 MiB".into() });
        }
        let mut bytes = buf.as_slice();
        if line_no == 1 {
            // A byte order mark, as some editors and Windows tools write.
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let text = line_text(bytes, line_no)?.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        if end.is_some() {
            return Err(StoreError::Import {
                line: line_no,
                message: "a line after the export's closing line; nothing was imported".into(),
            });
        }
        let bad = |e: serde_json::Error| StoreError::Import { line: line_no, message: e.to_string() };
        if version.is_none() {
            let h: Header = serde_json::from_str(text).map_err(|_| StoreError::Import {
                line: line_no,
                message: format!("expected the header {{\"format\":\"{JSONL_FORMAT}\",\"version\":{JSONL_VERSION}}}"),
            })?;
            if h.format != JSONL_FORMAT {
                return Err(StoreError::Import {
                    line: line_no,
                    message: format!("format is {:?}, not {JSONL_FORMAT:?}", h.format),
                });
            }
            if h.version > JSONL_VERSION {
                return Err(StoreError::Import {
                    line: line_no,
                    message: format!("version {} is newer than this factgraph reads ({JSONL_VERSION})", h.version),
                });
            }
            tx.reserve_ids(h.next_entity, h.next_statement);
            version = Some(h.version);
            sum.line(text.as_bytes());
            continue;
        };
        let located = |e: StoreError| StoreError::Import { line: line_no, message: e.to_string() };
        match serde_json::from_str::<Line>(text).map_err(bad)? {
            Line::Entity { entity, text } => {
                tx.import_entity(entity, text).map_err(located)?;
                entities += 1;
            }
            Line::Statement(st) => {
                tx.import_statement(st).map_err(located)?;
                statements += 1;
            }
            Line::End(e) => {
                end = Some((line_no, e));
                continue;
            }
        }
        sum.line(text.as_bytes());
    }
    let Some(version) = version else {
        return Err(StoreError::Import { line: 0, message: "the input is empty".into() });
    };
    let check = match end {
        Some((line, e)) => {
            if (e.entities, e.statements) != (entities, statements) {
                return Err(StoreError::Import {
                    line,
                    message: format!(
                        "the export says it holds {} entities and {} statements, but {entities} and {statements} were read: lines are missing or were added; nothing was imported",
                        e.entities, e.statements
                    ),
                });
            }
            if e.fnv1a64 != sum.0 {
                return Err(StoreError::Import {
                    line,
                    message: format!(
                        "the checksum of the lines before this one is {:016x}, not {:016x} as the export says: the file was changed after it was written; nothing was imported",
                        sum.0, e.fnv1a64
                    ),
                });
            }
            JsonlCheck::Checked
        }
        None if version >= CLOSED_SINCE => {
            return Err(StoreError::Import {
                line: line_no,
                message: format!(
                    "the export is cut off after this line: it has no closing {{\"end\":…}} line ({entities} entities and {statements} statements read); nothing was imported"
                ),
            })
        }
        None => JsonlCheck::Unchecked,
    };
    Ok((tx.commit()?, check))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::in_memory().unwrap()
    }

    fn exported() -> String {
        let a = store();
        let mut tx = a.transaction().unwrap();
        tx.create_entity("Alpha", "Thing").unwrap();
        tx.create_entity("Beta", "Thing").unwrap();
        tx.commit().unwrap();
        let mut out = Vec::new();
        export_jsonl(&a, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_export_ends_with_its_counts_and_checks_on_import() {
        let text = exported();
        assert!(text.lines().last().unwrap().starts_with("{\"end\":{\"entities\":2,\"statements\":0,"), "{text}");
        let (counts, check) = import_jsonl_checked(&store(), text.as_bytes()).unwrap();
        assert_eq!((counts.entities, check), (2, JsonlCheck::Checked));
    }

    #[test]
    fn a_version_2_export_without_its_closing_line_is_cut_off() {
        let text = exported();
        let (body, _) = text.trim_end().rsplit_once('\n').unwrap();
        let b = store();
        let err = import_jsonl(&b, body.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("cut off"), "{err}");
        assert_eq!(b.counts().unwrap().entities, 0);
    }

    #[test]
    fn a_version_1_export_is_read_unchecked() {
        let text = "{\"format\":\"factgraph-jsonl\",\"version\":1}\n{\"entity\":{\"id\":0,\"name\":\"A\",\"kind\":\"Thing\",\"aliases\":[],\"properties\":{}}}\n";
        let (counts, check) = import_jsonl_checked(&store(), text.as_bytes()).unwrap();
        assert_eq!((counts.entities, check), (1, JsonlCheck::Unchecked));
    }

    #[test]
    fn invalid_utf8_is_placed_by_line_and_column() {
        let mut bytes = exported().into_bytes();
        let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        bytes[second + 4] = 0xff;
        let err = import_jsonl(&store(), bytes.as_slice()).unwrap_err();
        assert!(matches!(&err, StoreError::Import { line: 2, message } if message.contains("column 5")), "{err}");
    }
}
