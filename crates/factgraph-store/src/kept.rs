//! Bytes the layer above derives from the data and keeps beside the store between
//! processes, each valid for one commit: what `adjacency.csr` is for the adjacency,
//! for structures the store does not know (the query layer keeps the statements
//! whose polarity withdraws them, which a new process would otherwise find by
//! reading every statement: 0.4 s at 1,000,000 statements, before its first walk).
//!
//! A file `kept-NAME` holds a magic word, the store's stamp at the commit the bytes
//! were derived at, their length, the bytes and a CRC-32 of all before it. It is
//! served only whole, at the same stamp, and only from a regular file: anything else
//! is as if nothing were kept, and the caller derives the bytes again.

use std::io::Read;

use crate::error::Result;
use crate::store::Store;

/// What starts a kept file, then its format version.
const MAGIC: &[u8; 8] = b"FGKEPT\0\x01";

/// Magic, stamp and length before the bytes; the CRC after them.
const HEADER: u64 = 8 + 6 * 8 + 8;

/// The most a kept file may hold (a set of 32 million ids): a larger file, damaged or
/// not, is not read into memory to be checked.
pub const MAX_KEPT_BYTES: u64 = 256 << 20;

/// Names are short, lower-case words: they become file names.
fn valid(name: &str) -> bool {
    !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// What identifies the data as committed at one moment (`Store::commit_stamp`):
/// bytes derived after it was taken are kept with it, and served only while the
/// store still has it. Taking it before deriving means a commit made meanwhile (by
/// another thread) leaves the bytes stamped with a moment the store has left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitStamp([u64; 6]);

impl Store {
    /// The stamp of the data as committed now.
    pub fn commit_stamp(&self) -> Result<CommitStamp> {
        Ok(CommitStamp(self.stamp()?))
    }

    /// The bytes kept under `name` by [`Store::keep`], if they were kept with
    /// `stamp` (take it with [`Store::commit_stamp`]) and the file is whole; `None`
    /// otherwise (nothing kept, another commit's, damaged, or a store in memory).
    pub fn kept(&self, name: &str, stamp: CommitStamp) -> Option<Vec<u8>> {
        self.kept_read(name, stamp, &mut |bytes, len| {
            let mut out = Vec::with_capacity(usize::try_from(len).ok()?);
            bytes.read_to_end(&mut out).ok()?;
            Some(out)
        })
    }

    /// `kept` for a structure made from the bytes as they are read, so that a large
    /// one is not held twice at once, as bytes and as itself (179 MB each for the
    /// source index at 30,000,000 statements): `read` gets a reader of the kept bytes
    /// and their length. What it makes is served only if it read them all and the
    /// file's CRC then matches; what it made of a damaged file is dropped, so `read`
    /// must only check what it reads enough not to panic or over-allocate.
    pub fn kept_read<T>(
        &self,
        name: &str,
        stamp: CommitStamp,
        read: &mut dyn FnMut(&mut dyn Read, u64) -> Option<T>,
    ) -> Option<T> {
        /// Sums and counts what passes through.
        struct Summed<R> {
            from: R,
            crc: crc32fast::Hasher,
            read: u64,
        }
        impl<R: Read> Read for Summed<R> {
            fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
                let n = self.from.read(b)?;
                self.crc.update(&b[..n]);
                self.read += n as u64;
                Ok(n)
            }
        }
        let dir = self.path().filter(|_| valid(name))?;
        let file = dir.join(format!("kept-{name}"));
        // Only a regular file is read: a FIFO would wait forever, a device never end.
        let meta = std::fs::metadata(&file).ok()?;
        if !meta.is_file() || meta.len() < HEADER + 8 || meta.len() > HEADER + 8 + MAX_KEPT_BYTES {
            return None;
        }
        let from = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(&file).ok()?.take(meta.len()));
        let mut r = Summed { from, crc: crc32fast::Hasher::new(), read: 0 };
        let word = |r: &mut dyn Read| -> Option<u64> {
            let mut w = [0u8; 8];
            r.read_exact(&mut w).ok()?;
            Some(u64::from_le_bytes(w))
        };
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).ok()?;
        if &magic != MAGIC {
            return None;
        }
        for want in stamp.0 {
            if word(&mut r)? != want {
                return None;
            }
        }
        let len = word(&mut r)?;
        if meta.len() != HEADER.checked_add(len)?.checked_add(8)? {
            return None;
        }
        let made = read(&mut (&mut r).take(len), len)?;
        let Summed { mut from, crc, read } = r;
        if read != HEADER + len {
            return None;
        }
        // The sum follows the bytes it covers, and is not part of them.
        (word(&mut from)? == u64::from(crc.finalize())).then_some(made)
    }

    /// Keeps `bytes`, derived from the data as it was at `stamp`, under `name` for
    /// later processes, through a temporary file and a rename (a reader sees the old
    /// file or the whole new one). Best effort, as a cache is: nothing is written for
    /// a store opened read-only, in memory or being created, and a failure to write
    /// is ignored.
    pub fn keep(&self, name: &str, stamp: CommitStamp, bytes: &[u8]) {
        self.keep_written(name, stamp, bytes.len() as u64, &mut |w| w.write_all(bytes));
    }

    /// `keep` for bytes that `write` writes as it makes them (exactly `len` of them),
    /// so that a large structure is kept without a copy of it in memory. Bytes of
    /// another length are not kept.
    pub fn keep_written(
        &self,
        name: &str,
        stamp: CommitStamp,
        len: u64,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) {
        let Some(dir) = self.path().filter(|_| valid(name) && self.keeps_derived) else { return };
        if len > MAX_KEPT_BYTES {
            return;
        }
        let file = dir.join(format!("kept-{name}"));
        let tmp = dir.join(format!("kept-{name}.tmp"));
        match write_kept(&tmp, len, stamp.0, write) {
            Ok(()) => {
                let _ = std::fs::rename(&tmp, &file);
            }
            Err(_) => {
                let _ = std::fs::remove_file(&tmp);
            }
        }
    }

    /// Whether this store keeps what is derived from its data in files beside it
    /// (`keep`, the kept adjacency): not when opened read-only, in memory or being
    /// created.
    pub fn keeps_derived(&self) -> bool {
        self.path().is_some() && self.keeps_derived
    }
}

/// Writes `encode`'s form to `file` as `write` makes the bytes: a copy of them with
/// their header was one more of the largest kept structure (90 MB at 10,000,000
/// statements).
fn write_kept(
    file: &std::path::Path,
    len: u64,
    stamp: [u64; 6],
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    /// Sums and counts what passes through.
    struct Summed<W> {
        to: W,
        crc: crc32fast::Hasher,
        written: u64,
    }
    impl<W: std::io::Write> std::io::Write for Summed<W> {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            let n = self.to.write(b)?;
            self.crc.update(&b[..n]);
            self.written += n as u64;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.to.flush()
        }
    }
    use std::io::Write as _;
    let to = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(file)?);
    let mut out = Summed { to, crc: crc32fast::Hasher::new(), written: 0 };
    out.write_all(MAGIC)?;
    for w in stamp.into_iter().chain([len]) {
        out.write_all(&w.to_le_bytes())?;
    }
    write(&mut out)?;
    if out.written != HEADER + len {
        return Err(std::io::Error::other("the bytes to keep were not as long as said"));
    }
    let sum = u64::from(out.crc.finalize());
    out.to.write_all(&sum.to_le_bytes())?;
    out.to.flush()
}

/// The kept form: the magic, the stamp, the length, the bytes and a CRC-32 of all
/// before it (`write` writes the same as it goes).
#[cfg(test)]
fn encode(bytes: &[u8], stamp: [u64; 6]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER as usize + bytes.len() + 8);
    out.extend_from_slice(MAGIC);
    for w in stamp.into_iter().chain([bytes.len() as u64]) {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(bytes);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&u64::from(crc).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Evidence, NewStatement, Properties};

    fn commit_one(store: &Store, n: &str) {
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_document(&format!("doc {n}"), Properties::new(), None).unwrap();
        let a = tx.create_entity(n, "Thing").unwrap();
        tx.add_statement(NewStatement::new(a, "r", a, Evidence::new(doc, "q"))).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn kept_bytes_are_served_at_their_commit_only_and_never_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
        commit_one(&store, "a");
        assert_eq!(store.kept("withdrawn", store.commit_stamp().unwrap()), None, "nothing kept yet");
        let before = store.commit_stamp().unwrap();
        store.keep("withdrawn", before, b"some ids");
        assert_eq!(store.kept("withdrawn", store.commit_stamp().unwrap()).as_deref(), Some(&b"some ids"[..]));
        assert_eq!(store.kept("other", store.commit_stamp().unwrap()), None, "kept under another name");
        // A bad name is neither kept nor read: names become file names.
        store.keep("../escape", before, b"x");
        assert!(!dir.path().join("escape").exists());
        assert_eq!(store.kept("../escape", store.commit_stamp().unwrap()), None);

        // Every flipped byte and every cut is refused, not served.
        let file = path.join("kept-withdrawn");
        let whole = std::fs::read(&file).unwrap();
        assert_eq!(whole, encode(b"some ids", before.0), "written as it goes, as encoded");
        // Bytes written as they are made, of the length said, or not kept at all.
        store.keep_written("parts", before, 8, &mut |w| w.write_all(b"some").and_then(|()| w.write_all(b" ids")));
        assert_eq!(std::fs::read(path.join("kept-parts")).unwrap(), whole);
        store.keep_written("short", before, 9, &mut |w| w.write_all(b"some ids"));
        store.keep_written("failed", before, 8, &mut |_| Err(std::io::Error::other("no")));
        for name in ["short", "failed"] {
            assert!(!path.join(format!("kept-{name}")).exists() && !path.join(format!("kept-{name}.tmp")).exists());
        }
        for at in 0..whole.len() {
            let mut damaged = whole.clone();
            damaged[at] ^= 0x01;
            std::fs::write(&file, &damaged).unwrap();
            assert_eq!(store.kept("withdrawn", store.commit_stamp().unwrap()), None, "a flipped bit at {at}");
        }
        for len in [0, 8, whole.len() / 2, whole.len() - 1] {
            std::fs::write(&file, &whole[..len]).unwrap();
            assert_eq!(store.kept("withdrawn", store.commit_stamp().unwrap()), None, "cut at {len}");
        }
        std::fs::write(&file, &whole).unwrap();
        assert!(store.kept("withdrawn", store.commit_stamp().unwrap()).is_some());
        // Read as it arrives: served only when all of it was read, and it is no more
        // than the length said.
        let stamp = store.commit_stamp().unwrap();
        let part = |n: usize| {
            move |r: &mut dyn Read, len: u64| -> Option<Vec<u8>> {
                assert_eq!(len, 8);
                let mut b = vec![0; n];
                r.read_exact(&mut b).ok()?;
                Some(b)
            }
        };
        assert_eq!(store.kept_read("withdrawn", stamp, &mut part(8)).as_deref(), Some(&b"some ids"[..]));
        assert_eq!(store.kept_read("withdrawn", stamp, &mut part(4)), None, "half of it read");
        assert_eq!(store.kept_read("withdrawn", stamp, &mut part(9)), None, "past its end: the CRC is not its");

        // A commit since (by this process or another) makes it stale.
        commit_one(&store, "b");
        assert_eq!(store.kept("withdrawn", store.commit_stamp().unwrap()), None, "another commit's bytes");
        assert!(store.kept("withdrawn", before).is_some(), "still there for the stamp it was kept with");
        // Bytes derived before a commit and kept after it keep their own stamp.
        store.keep("withdrawn", before, b"stale");
        assert_eq!(store.kept("withdrawn", store.commit_stamp().unwrap()), None);
        drop(store);

        // A read-only store reads what is kept but writes nothing.
        let store = Store::open(&path, &crate::OpenOptions::default()).unwrap();
        store.keep("withdrawn", store.commit_stamp().unwrap(), b"after b");
        drop(store);
        let options = crate::OpenOptions { read_only: true, create: false, ..crate::OpenOptions::default() };
        let ro = Store::open(&path, &options).unwrap();
        assert_eq!(ro.kept("withdrawn", ro.commit_stamp().unwrap()).as_deref(), Some(&b"after b"[..]));
        ro.keep("other", ro.commit_stamp().unwrap(), b"x");
        assert!(!path.join("kept-other").exists(), "a read-only store writes nothing");
        let memory = Store::in_memory().unwrap();
        assert_eq!(memory.kept("withdrawn", memory.commit_stamp().unwrap()), None);
    }
}
