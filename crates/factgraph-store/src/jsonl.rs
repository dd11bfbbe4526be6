//! Versioned JSON Lines export and import of a whole store: lossless (ids, aliases with
//! their documents, properties, qualifiers, evidence with offsets and attributions,
//! document texts), and the migration path should the on-disk format change.
//!
//! The first line is a header `{"format":"factgraph-jsonl","version":1,…}` (with the
//! id counters, since ids are never reused); then one
//! object per line: `{"entity":…}` (in id order, each document's text beside it) and
//! `{"statement":…}` (in id order, so a statement about a statement follows it).

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::model::{Entity, Statement};
use crate::store::{Counts, Store};

/// The `format` field of the header line.
pub const JSONL_FORMAT: &str = "factgraph-jsonl";
/// The version this build writes and reads.
pub const JSONL_VERSION: u32 = 1;
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
}

/// Writes the whole store as JSON Lines.
pub fn export_jsonl(store: &Store, out: &mut dyn Write) -> Result<Counts> {
    let io = |e: std::io::Error| StoreError::io("writing the export", e);
    // serde_json reports the writer's failures as its own errors; keep them I/O errors
    // (a closed pipe is the reader's choice, not a corrupt store).
    let json = |e: serde_json::Error| {
        if e.is_io() {
            StoreError::io("writing the export", e.into())
        } else {
            StoreError::Corrupt(format!("serialising: {e}"))
        }
    };
    let (next_entity, next_statement) = store.next_ids()?;
    let header = Header { format: JSONL_FORMAT.into(), version: JSONL_VERSION, next_entity, next_statement };
    serde_json::to_writer(&mut *out, &header).map_err(json)?;
    out.write_all(b"\n").map_err(io)?;
    let mut counts = Counts::default();
    for entity in store.entities() {
        let entity = entity?;
        let text = if entity.is_document() { store.document_text(entity.id)? } else { None };
        counts.entities += 1;
        serde_json::to_writer(&mut *out, &Line::Entity { entity, text }).map_err(json)?;
        out.write_all(b"\n").map_err(io)?;
    }
    for st in store.statements() {
        let st = st?;
        counts.statements += 1;
        counts.evidence += st.evidence.len() as u64;
        serde_json::to_writer(&mut *out, &Line::Statement(st)).map_err(json)?;
        out.write_all(b"\n").map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(counts)
}

/// Reads a JSON Lines export into an empty store, as one atomic batch: on any error
/// nothing is written.
pub fn import_jsonl(store: &Store, mut input: impl BufRead) -> Result<Counts> {
    let before = store.counts()?;
    if before.entities != 0 || before.statements != 0 {
        return Err(StoreError::Invalid("import needs an empty store (ids are kept as they were exported)".into()));
    }
    let mut tx = store.transaction()?;
    let mut line_no = 0;
    let mut buf = String::new();
    let mut header_seen = false;
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut input, MAX_LINE as u64 + 1)
            .read_line(&mut buf)
            .map_err(|e| StoreError::io("reading the import", e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.len() > MAX_LINE {
            return Err(StoreError::Import { line: line_no, message: "line is longer than 64 MiB".into() });
        }
        let text = buf.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        let bad = |e: serde_json::Error| StoreError::Import { line: line_no, message: e.to_string() };
        if !header_seen {
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
            header_seen = true;
            continue;
        }
        let located = |e: StoreError| StoreError::Import { line: line_no, message: e.to_string() };
        match serde_json::from_str::<Line>(text).map_err(bad)? {
            Line::Entity { entity, text } => tx.import_entity(entity, text).map_err(located)?,
            Line::Statement(st) => tx.import_statement(st).map_err(located)?,
        }
    }
    if !header_seen {
        return Err(StoreError::Import { line: 0, message: "the input is empty".into() });
    }
    tx.commit()
}
