//! Sorting more fixed-size records than memory should hold: sorted runs in anonymous
//! temporary files, merged.
//!
//! The benchmark TSV loader groups claims by sorting them (see `tsv.rs`); a map of
//! every claim grew with the input (about 30 bytes a claim, 700 MB at 24 million). Up
//! to `capacity` records are sorted in memory; past that each full buffer is sorted
//! and written to a run, and reading merges the runs with a heap. A run lives as long
//! as its file handle, so a killed process leaves nothing behind.
//!
//! (The `extsort` crate does this too, but brings `rayon` and, to build, `skeptic`
//! with `cargo_metadata`; a few dozen lines do for fixed-size records.)

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A record of a fixed size in bytes, ordered as it should be sorted.
pub(crate) trait Record: Copy + Ord {
    /// Its size in bytes.
    const SIZE: usize;
    /// Writes it into `out` (`SIZE` bytes).
    fn put(&self, out: &mut [u8]);
    /// Reads it from `bytes` (`SIZE` bytes).
    fn get(bytes: &[u8]) -> Self;
}

/// The little-endian `u64` at `at` in a record's bytes (for `Record::get`).
pub(crate) fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

/// Collects records, then hands them back sorted.
pub(crate) struct Sorter<R> {
    buffer: Vec<R>,
    capacity: usize,
    dir: PathBuf,
    runs: Vec<File>,
}

impl<R: Record> Sorter<R> {
    /// A sorter holding at most `capacity` records in memory, writing runs in `dir`.
    pub(crate) fn new(capacity: usize, dir: &Path) -> Sorter<R> {
        Sorter { buffer: Vec::new(), capacity: capacity.max(1), dir: dir.to_path_buf(), runs: Vec::new() }
    }

    /// Adds a record.
    pub(crate) fn push(&mut self, record: R) -> io::Result<()> {
        if self.buffer.len() == self.capacity {
            self.spill()?;
        }
        self.buffer.push(record);
        Ok(())
    }

    /// How many runs went to disk (for tests).
    #[cfg(test)]
    fn runs(&self) -> usize {
        self.runs.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_unstable();
        let file = tempfile::tempfile_in(&self.dir)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let mut bytes = vec![0u8; R::SIZE];
        for r in &self.buffer {
            r.put(&mut bytes);
            w.write_all(&bytes)?;
        }
        let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(file);
        self.buffer.clear();
        Ok(())
    }

    /// Every record pushed, in order.
    pub(crate) fn finish(mut self) -> io::Result<Sorted<R>> {
        if self.runs.is_empty() {
            self.buffer.sort_unstable();
            return Ok(Sorted::Memory(self.buffer.into_iter()));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        self.buffer = Vec::new();
        let mut readers: Vec<BufReader<File>> =
            self.runs.into_iter().map(|f| BufReader::with_capacity(1 << 16, f)).collect();
        let mut heap = BinaryHeap::with_capacity(readers.len());
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(record) = read::<R>(r)? {
                heap.push(Reverse((record, i)));
            }
        }
        Ok(Sorted::Merge { readers, heap })
    }
}

/// The next record of a run, or `None` at its end.
fn read<R: Record>(r: &mut BufReader<File>) -> io::Result<Option<R>> {
    let mut bytes = [0u8; 64];
    let bytes = &mut bytes[..R::SIZE];
    match r.read_exact(bytes) {
        Ok(()) => Ok(Some(R::get(bytes))),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sorted records: from memory, or merged from runs.
pub(crate) enum Sorted<R> {
    Memory(std::vec::IntoIter<R>),
    Merge { readers: Vec<BufReader<File>>, heap: BinaryHeap<Reverse<(R, usize)>> },
}

impl<R: Record> Iterator for Sorted<R> {
    type Item = io::Result<R>;

    fn next(&mut self) -> Option<io::Result<R>> {
        match self {
            Sorted::Memory(records) => records.next().map(Ok),
            Sorted::Merge { readers, heap } => {
                let Reverse((record, i)) = heap.pop()?;
                match read::<R>(&mut readers[i]) {
                    Ok(Some(next)) => heap.push(Reverse((next, i))),
                    Ok(None) => {}
                    Err(e) => {
                        heap.clear();
                        return Some(Err(e));
                    }
                }
                Some(Ok(record))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Record, Sorter};
    use proptest::prelude::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Pair(u32, u64);

    impl Record for Pair {
        const SIZE: usize = 12;
        fn put(&self, out: &mut [u8]) {
            out[..4].copy_from_slice(&self.0.to_le_bytes());
            out[4..12].copy_from_slice(&self.1.to_le_bytes());
        }
        fn get(bytes: &[u8]) -> Pair {
            Pair(
                u32::from_le_bytes(bytes[..4].try_into().unwrap()),
                u64::from_le_bytes(bytes[4..12].try_into().unwrap()),
            )
        }
    }

    fn sorted(records: &[Pair], capacity: usize) -> (Vec<Pair>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Sorter::new(capacity, dir.path());
        for &r in records {
            s.push(r).unwrap();
        }
        let runs = s.runs();
        (s.finish().unwrap().collect::<std::io::Result<Vec<_>>>().unwrap(), runs)
    }

    #[test]
    fn records_that_fit_are_sorted_in_memory_and_the_rest_through_runs() {
        let records: Vec<Pair> = (0..1000u32).map(|i| Pair((i * 7919) % 101, u64::from(i))).collect();
        let mut want = records.clone();
        want.sort();
        let (got, runs) = sorted(&records, 5000);
        assert_eq!((got, runs), (want.clone(), 0));
        let (got, runs) = sorted(&records, 64);
        assert_eq!(runs, 15, "1,000 records in runs of 64");
        assert_eq!(got, want);
    }

    proptest! {
        #[test]
        fn any_records_come_back_sorted(records in proptest::collection::vec((0..20u32, any::<u64>()), 0..300),
                                        capacity in 1..40usize) {
            let records: Vec<Pair> = records.into_iter().map(|(a, b)| Pair(a, b)).collect();
            let mut want = records.clone();
            want.sort();
            prop_assert_eq!(sorted(&records, capacity).0, want);
        }
    }
}
