//! Sorted runs of list appends, for loads larger than memory.
//!
//! A bulk load appends to millions of lists (adjacency, statements by relation, by
//! document, by kind). Held in memory they grow with the input; written to their
//! blocks as they go, every block would be rewritten at every spill. So a spilling
//! transaction writes what it has appended so far, sorted by list, to an anonymous
//! temporary file (a run) and forgets it; the commit merges every run, in the order
//! they were written, into the lists' blocks once. A run lives only as long as its
//! file handle: a killed process leaves nothing behind to clean up.
//!
//! An entry is one list's appends in one run: its block key, slot, and the appended
//! elements as the list itself is encoded (a postcard sequence), so that the merge
//! concatenates decoded parts without knowing more than the element type.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Result, StoreError};

/// One list's appends: (block key, slot, encoded elements).
pub(crate) type Part = (Vec<u8>, u32, Vec<u8>);

/// One list's appends from every source: (block key, slot, parts in source order).
pub(crate) type Parts = (Vec<u8>, u32, Vec<Vec<u8>>);

/// A run: parts sorted by (block key, slot), in an anonymous temporary file.
pub(crate) struct Run {
    reader: BufReader<File>,
}

fn io(what: &str, e: std::io::Error) -> StoreError {
    StoreError::io(format!("{what} a load's temporary run"), e)
}

impl Run {
    /// Writes `parts` (sorted by block key and slot) to a new temporary file in `dir`.
    pub(crate) fn write(dir: &Path, parts: &[Part]) -> Result<Run> {
        let file = tempfile::tempfile_in(dir).map_err(|e| io("creating", e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        for (block, slot, bytes) in parts {
            let mut head = Vec::with_capacity(12);
            head.extend_from_slice(&(block.len() as u32).to_le_bytes());
            head.extend_from_slice(&slot.to_le_bytes());
            head.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            w.write_all(&head)
                .and_then(|()| w.write_all(block))
                .and_then(|()| w.write_all(bytes))
                .map_err(|e| io("writing", e))?;
        }
        let mut file = w.into_inner().map_err(|e| io("writing", e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| io("rewinding", e))?;
        Ok(Run { reader: BufReader::with_capacity(1 << 16, file) })
    }

    /// The next part, or `None` at the end.
    fn next(&mut self) -> Result<Option<Part>> {
        let mut head = [0u8; 12];
        match self.reader.read_exact(&mut head[..1]) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io("reading", e)),
        }
        self.reader.read_exact(&mut head[1..]).map_err(|e| io("reading", e))?;
        let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        let (block_len, slot, len) = (word(0) as usize, word(4), word(8) as usize);
        let mut block = vec![0u8; block_len];
        let mut bytes = vec![0u8; len];
        self.reader
            .read_exact(&mut block)
            .and_then(|()| self.reader.read_exact(&mut bytes))
            .map_err(|e| io("reading", e))?;
        Ok(Some((block, slot, bytes)))
    }
}

/// Parts from several runs (and the appends still in memory, as the last source),
/// merged into key order; a list's parts come in source order, which is the order
/// they were appended in.
pub(crate) struct Merge {
    runs: Vec<Run>,
    memory: std::vec::IntoIter<Part>,
    /// The next part of each source (runs, then memory).
    heads: Vec<Option<Part>>,
}

impl Merge {
    /// Merges `runs` (oldest first) and `memory` (sorted, newest).
    pub(crate) fn new(mut runs: Vec<Run>, memory: Vec<Part>) -> Result<Merge> {
        let mut heads = Vec::with_capacity(runs.len() + 1);
        for run in &mut runs {
            heads.push(run.next()?);
        }
        let mut memory = memory.into_iter();
        heads.push(memory.next());
        Ok(Merge { runs, memory, heads })
    }

    /// The block key of the next part, if any.
    pub(crate) fn peek_block(&self) -> Option<&[u8]> {
        self.heads.iter().flatten().map(|(block, ..)| block.as_slice()).min()
    }

    /// The next list in key order: its block key, slot, and every source's part for it
    /// in source order.
    pub(crate) fn next_list(&mut self) -> Result<Option<Parts>> {
        let Some(key) = self.heads.iter().flatten().map(|(b, s, _)| (b.clone(), *s)).min() else {
            return Ok(None);
        };
        let mut parts = Vec::new();
        for i in 0..self.heads.len() {
            while self.heads[i].as_ref().is_some_and(|(b, s, _)| (b, *s) == (&key.0, key.1)) {
                let (_, _, bytes) = self.heads[i].take().expect("checked above");
                parts.push(bytes);
                self.heads[i] = if i < self.runs.len() { self.runs[i].next()? } else { self.memory.next() };
            }
        }
        Ok(Some((key.0, key.1, parts)))
    }
}

#[cfg(test)]
mod tests {
    use super::{Merge, Part, Run};

    fn part(block: &str, slot: u32, bytes: &str) -> Part {
        (block.as_bytes().to_vec(), slot, bytes.as_bytes().to_vec())
    }

    #[test]
    fn runs_merge_in_key_order_with_each_lists_parts_in_source_order() {
        let dir = tempfile::tempdir().unwrap();
        let first = Run::write(dir.path(), &[part("a", 1, "1"), part("b", 0, "2"), part("b", 2, "3")]).unwrap();
        let second = Run::write(dir.path(), &[part("a", 0, "4"), part("b", 0, "5")]).unwrap();
        let memory = vec![part("b", 0, "6"), part("c", 0, "7")];
        let mut merge = Merge::new(vec![first, second], memory).unwrap();
        let mut got = Vec::new();
        while let Some((block, slot, parts)) = merge.next_list().unwrap() {
            let parts: Vec<String> = parts.into_iter().map(|p| String::from_utf8(p).unwrap()).collect();
            got.push(format!("{}{slot}:{}", String::from_utf8(block).unwrap(), parts.join("+")));
        }
        assert_eq!(got, ["a0:4", "a1:1", "b0:2+5+6", "b2:3", "c0:7"]);
        // Nothing is left in the directory: runs are anonymous files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_empty_merge_ends_at_once() {
        let mut merge = Merge::new(Vec::new(), Vec::new()).unwrap();
        assert!(merge.peek_block().is_none());
        assert!(merge.next_list().unwrap().is_none());
    }
}
