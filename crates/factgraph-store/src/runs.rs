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

use std::cmp::Reverse;
use std::collections::BinaryHeap;
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
    pub(crate) fn write(dir: &Path, parts: impl IntoIterator<Item = impl std::borrow::Borrow<Part>>) -> Result<Run> {
        let file = tempfile::tempfile_in(dir).map_err(|e| io("creating", e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        for part in parts {
            let (block, slot, bytes) = part.borrow();
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
/// they were appended in. The sources' next parts are kept in a heap: a load of
/// 30,000,000 statements merges hundreds of runs, and looking through every source
/// for each list made its commit quadratic.
pub(crate) struct Merge {
    runs: Vec<Run>,
    memory: std::vec::IntoIter<Part>,
    /// The next part of each source that has one, smallest key first, then by source
    /// (runs, then memory): (block key, slot, source, bytes).
    heads: BinaryHeap<Reverse<Head>>,
}

/// A source's next part in the merge: (block key, slot, source, bytes).
type Head = (Vec<u8>, u32, usize, Vec<u8>);

impl Merge {
    /// Merges `runs` (oldest first) and `memory` (sorted, newest).
    pub(crate) fn new(runs: Vec<Run>, memory: Vec<Part>) -> Result<Merge> {
        let sources = runs.len() + 1;
        let mut merge = Merge { runs, memory: memory.into_iter(), heads: BinaryHeap::with_capacity(sources) };
        for source in 0..sources {
            merge.advance(source)?;
        }
        Ok(merge)
    }

    /// Reads the next part of `source` into the heap, if it has one.
    fn advance(&mut self, source: usize) -> Result<()> {
        let next = match self.runs.get_mut(source) {
            Some(run) => run.next()?,
            None => self.memory.next(),
        };
        if let Some((block, slot, bytes)) = next {
            self.heads.push(Reverse((block, slot, source, bytes)));
        }
        Ok(())
    }

    /// The block key of the next part, if any.
    pub(crate) fn peek_block(&self) -> Option<&[u8]> {
        self.heads.peek().map(|Reverse((block, ..))| block.as_slice())
    }

    /// The next list in key order: its block key, slot, and every source's part for it
    /// in source order.
    pub(crate) fn next_list(&mut self) -> Result<Option<Parts>> {
        let Some(Reverse((block, slot, source, bytes))) = self.heads.pop() else {
            return Ok(None);
        };
        let mut parts = vec![bytes];
        self.advance(source)?;
        // The same list's parts from later sources, or again from the same one (whose
        // next part sorts before any later source's), in order.
        while self.heads.peek().is_some_and(|Reverse((b, s, ..))| *b == block && *s == slot) {
            let Some(Reverse((_, _, source, bytes))) = self.heads.pop() else { break };
            parts.push(bytes);
            self.advance(source)?;
        }
        Ok(Some((block, slot, parts)))
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

    proptest::proptest! {
        /// However the parts fall across sources (a list in some of them, or twice in
        /// one), the merge gives each list once, in key order, with its parts in the
        /// order of the sources and, within one, of its parts: as a stable sort of
        /// every part by key does.
        #[test]
        fn a_merge_of_many_runs_is_a_stable_sort_by_key(
            sources in proptest::collection::vec(
                proptest::collection::vec((0u8..6, 0u32..4), 0..12), 1..20)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut expected: Vec<(Vec<u8>, u32, String)> = Vec::new();
            let mut runs = Vec::new();
            let mut memory = Vec::new();
            let last = sources.len() - 1;
            for (i, keys) in sources.iter().enumerate() {
                let mut parts: Vec<Part> = keys
                    .iter()
                    .enumerate()
                    .map(|(j, &(b, s))| (vec![b], s, format!("{i}.{j}").into_bytes()))
                    .collect();
                parts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
                for (b, s, bytes) in &parts {
                    expected.push((b.clone(), *s, String::from_utf8(bytes.clone()).unwrap()));
                }
                if i == last {
                    memory = parts;
                } else {
                    runs.push(Run::write(dir.path(), &parts).unwrap());
                }
            }
            expected.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            let mut merge = Merge::new(runs, memory).unwrap();
            let mut got = Vec::new();
            while let Some((block, slot, parts)) = merge.next_list().unwrap() {
                proptest::prop_assert!(got.last().is_none_or(|(b, s, _): &(Vec<u8>, u32, String)| (b, *s) < (&block, slot)));
                for p in parts {
                    got.push((block.clone(), slot, String::from_utf8(p).unwrap()));
                }
            }
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn an_empty_merge_ends_at_once() {
        let mut merge = Merge::new(Vec::new(), Vec::new()).unwrap();
        assert!(merge.peek_block().is_none());
        assert!(merge.next_list().unwrap().is_none());
    }
}
