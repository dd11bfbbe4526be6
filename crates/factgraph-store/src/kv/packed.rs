//! How the sled engine keeps a value in a store made by this version: compressed here,
//! once, as it is written, with sled's own compression off.
//!
//! sled 0.34 compresses every message it writes to its log: a new value, and then its
//! whole leaf again at each consolidation and split (a leaf holds up to sixteen of our
//! 30-200 KB blocks). A bulk load compressed each block three or four times that way,
//! and zstd was a fifth of the load; sled also kept its pages decompressed in its
//! cache while weighing them by their compressed size, so its cache held three times
//! the memory it was given. Compressed once here, sled moves the compressed bytes
//! around as they are, its cache holds them as they are on disk, and the values read
//! lately are kept decompressed by the engine's own cache (`read_cache.rs`).
//!
//! A stored value is a tag byte and then either the value as it is (`RAW`: short
//! values, and those zstd does not shrink), a zstd frame that states its content
//! size (`ZSTD`), or (format 3 on, for the values the store asks to read fast: the
//! quotes' blocks, which a long answer decompresses again at every asking) the
//! value's length as four bytes and an LZ4 block (`LZ4`: 2.4 times smaller on the
//! benchmark's quotes where zstd makes them 4 times smaller, and three times as fast
//! to decompress). Stores made before keep sled's compression and their values as
//! they are (`sled.rs` reads which from the engine's `conf`).

use std::cell::RefCell;

use crate::error::{Result, StoreError};

/// The value follows as it is.
const RAW: u8 = 0;
/// A zstd frame follows.
const ZSTD: u8 = 1;
/// The value's length follows, four bytes little-endian, then an LZ4 block. A build
/// that knows only the two above refuses such a value as damaged; the store's format
/// (3) keeps such builds from opening a store that has them.
const LZ4: u8 = 2;

/// Values shorter than this are kept as they are: a frame's header alone is about ten
/// bytes, and short values (counters, journal marks, relation names) gain nothing.
const MIN_COMPRESSED: usize = 64;

/// zstd's level: 1 compresses the store's blocks about 3.5 times, at several hundred
/// MB/s; higher levels gained a few percent of disk for twice the time.
const LEVEL: i32 = 1;

/// The largest value a stored frame may say it holds. Our largest values are
/// document texts (16 MiB at most) and hub blocks of a few MB; a damaged size must not
/// make a read allocate gigabytes.
const MAX_VALUE: u64 = 256 * 1024 * 1024;

/// Compresses the values of one batch with one zstd context.
pub(crate) struct Packer {
    zstd: zstd::block::Compressor,
    /// Where zstd writes, reused: a stored value is then allocated at its own size,
    /// not at zstd's bound for the worst case (the whole value again).
    scratch: Vec<u8>,
}

impl Packer {
    pub(crate) fn new() -> Packer {
        Packer { zstd: zstd::block::Compressor::new(), scratch: Vec::new() }
    }

    /// The stored form of `value`.
    pub(crate) fn pack(&mut self, value: &[u8]) -> Vec<u8> {
        if value.len() >= MIN_COMPRESSED {
            let bound = zstd::zstd_safe::compress_bound(value.len());
            if self.scratch.len() < bound {
                self.scratch.resize(bound, 0);
            }
            if let Ok(n) = self.zstd.compress_to_buffer(value, &mut self.scratch[..bound], LEVEL) {
                if n < value.len() {
                    let mut out = Vec::with_capacity(1 + n);
                    out.push(ZSTD);
                    out.extend_from_slice(&self.scratch[..n]);
                    return out;
                }
            }
        }
        raw(value)
    }

    /// The stored form of `value` in LZ4, for a value read far more often than it is
    /// written (see the module docs); as it is when LZ4 does not shrink it.
    pub(crate) fn pack_fast(&mut self, value: &[u8]) -> Vec<u8> {
        if value.len() >= MIN_COMPRESSED && value.len() as u64 <= MAX_VALUE {
            let bound = lz4_flex::block::get_maximum_output_size(value.len());
            if self.scratch.len() < bound {
                self.scratch.resize(bound, 0);
            }
            if let Ok(n) = lz4_flex::block::compress_into(value, &mut self.scratch[..bound]) {
                if n + 4 < value.len() {
                    let mut out = Vec::with_capacity(5 + n);
                    out.push(LZ4);
                    out.extend_from_slice(&(value.len() as u32).to_le_bytes());
                    out.extend_from_slice(&self.scratch[..n]);
                    return out;
                }
            }
        }
        raw(value)
    }
}

/// `value` stored as it is.
fn raw(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + value.len());
    out.push(RAW);
    out.extend_from_slice(value);
    out
}

/// The length an LZ4 stored form states and its block, checked against `MAX_VALUE`.
fn lz4_parts(stored: &[u8]) -> Result<(usize, &[u8])> {
    let damaged = || StoreError::Corrupt("a value in the engine has a damaged compressed size".into());
    let (len, block) = stored.split_first_chunk::<4>().ok_or_else(damaged)?;
    let len = u64::from(u32::from_le_bytes(*len));
    if len > MAX_VALUE {
        return Err(damaged());
    }
    Ok((len as usize, block))
}

/// Decompresses the LZ4 `block` into `out`, which is exactly the length it states.
fn lz4_into(block: &[u8], out: &mut [u8]) -> Result<()> {
    let damaged = |why: &str| StoreError::Corrupt(format!("a value in the engine {why}"));
    let n = lz4_flex::block::decompress_into(block, out).map_err(|_| damaged("does not decompress"))?;
    if n != out.len() {
        return Err(damaged("decompresses to another size than it states"));
    }
    Ok(())
}

/// The value a stored form holds, in `out` (whatever it held before is replaced; on
/// an error it is left empty), which keeps its room for the next: a long answer
/// reading a block at a time past the cache decompresses into one buffer instead of
/// a new one each time.
pub(crate) fn unpack_into(stored: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let unpacked = unpack_into_room(stored, out);
    if unpacked.is_err() {
        out.clear();
    }
    unpacked
}

/// `unpack_into`, which empties `out` when this fails.
fn unpack_into_room(stored: &[u8], out: &mut Vec<u8>) -> Result<()> {
    match stored.first() {
        Some(&RAW) => {
            out.clear();
            out.extend_from_slice(&stored[1..]);
            Ok(())
        }
        Some(&ZSTD) => {
            let frame = &stored[1..];
            let damaged = |why: &str| StoreError::Corrupt(format!("a value in the engine {why}"));
            let size = zstd_content_size(frame)
                .filter(|&n| n <= MAX_VALUE)
                .ok_or_else(|| damaged("has a damaged compressed size"))?;
            out.clear();
            out.resize(size as usize, 0);
            let n = ZSTD_D
                .with(|d| d.borrow_mut().decompress_to_buffer(frame, out))
                .map_err(|_| damaged("does not decompress"))?;
            if n as u64 != size {
                return Err(damaged("decompresses to another size than it states"));
            }
            Ok(())
        }
        Some(&LZ4) => {
            let (len, block) = lz4_parts(&stored[1..])?;
            // What the buffer held is not zeroed first (50 MB for the hub's listing
            // at 1,000,000 statements): the block must make all `len` bytes, or it
            // is an error, and the buffer is emptied.
            out.resize(len, 0);
            lz4_into(block, out)
        }
        // What `unpack` says of anything else.
        _ => {
            out.clear();
            unpack(stored).map(|_| ())
        }
    }
}

thread_local! {
    // A decompression context per thread: making one costs more than a block.
    static ZSTD_D: RefCell<zstd::block::Decompressor> = RefCell::new(zstd::block::Decompressor::new());
}

/// The value a stored form holds; `Corrupt` for one that is not a stored form.
pub(crate) fn unpack(stored: &[u8]) -> Result<Vec<u8>> {
    let damaged = |why: &str| StoreError::Corrupt(format!("a value in the engine {why}"));
    match stored.split_first() {
        Some((&RAW, value)) => Ok(value.to_vec()),
        Some((&ZSTD, frame)) => {
            let size = zstd_content_size(frame)
                .filter(|&n| n <= MAX_VALUE)
                .ok_or_else(|| damaged("has a damaged compressed size"))?;
            let value = ZSTD_D
                .with(|d| d.borrow_mut().decompress(frame, size as usize))
                .map_err(|_| damaged("does not decompress"))?;
            if value.len() as u64 != size {
                return Err(damaged("decompresses to another size than it states"));
            }
            Ok(value)
        }
        Some((&LZ4, rest)) => {
            let (len, block) = lz4_parts(rest)?;
            let mut value = vec![0; len];
            lz4_into(block, &mut value)?;
            Ok(value)
        }
        Some(_) => Err(damaged("has an unknown encoding")),
        None => Err(damaged("is empty")),
    }
}

/// The content size a zstd frame's header states (RFC 8878, 3.1.1.1), if it is a
/// zstd frame and states one.
pub(crate) fn zstd_content_size(frame: &[u8]) -> Option<u64> {
    let rest = frame.strip_prefix(&[0x28, 0xB5, 0x2F, 0xFD])?;
    let (&descriptor, rest) = rest.split_first()?;
    let single_segment = descriptor & 0x20 != 0;
    let size_len = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let dictionary_len = match descriptor & 0x03 {
        0 => 0,
        1 => 1,
        2 => 2,
        _ => 4,
    };
    if size_len == 0 {
        return None;
    }
    // A window descriptor byte unless the frame is a single segment, then the
    // dictionary id, then the size, little-endian (2-byte sizes count from 256).
    let start = usize::from(!single_segment) + dictionary_len;
    let field = rest.get(start..start + size_len)?;
    let value = field.iter().rev().fold(0u64, |v, &b| (v << 8) | u64::from(b));
    Some(if size_len == 2 { value + 256 } else { value })
}

#[cfg(test)]
mod tests {
    use super::{unpack, unpack_into, zstd_content_size, Packer, LZ4, MAX_VALUE, MIN_COMPRESSED, RAW, ZSTD};

    /// `n` bytes of noise, which no codec shrinks.
    fn noise(n: usize) -> Vec<u8> {
        let mut noise = 0x2545_f491_4f6c_dd1d_u64;
        (0..n)
            .map(|_| {
                noise ^= noise << 13;
                noise ^= noise >> 7;
                noise ^= noise << 17;
                noise as u8
            })
            .collect()
    }

    /// Text that every codec shrinks twentyfold and more.
    fn text() -> Vec<u8> {
        "the prosecutor accused the minister of ".repeat(3_000).into_bytes()
    }

    #[test]
    fn values_come_back_as_they_went_in_and_only_what_shrinks_is_compressed() {
        let mut packer = Packer::new();
        let (random, text) = (noise(10_000), text());
        for (value, tag) in [
            (Vec::new(), RAW),
            (b"short".to_vec(), RAW),
            (vec![7u8; MIN_COMPRESSED - 1], RAW),
            (vec![7u8; MIN_COMPRESSED], ZSTD),
            (random, RAW),
            (text.clone(), ZSTD),
        ] {
            let stored = packer.pack(&value);
            assert_eq!(stored[0], tag, "{} bytes", value.len());
            assert!(stored.len() <= value.len() + 1);
            assert_eq!(unpack(&stored).unwrap(), value);
        }
        assert!(packer.pack(&text).len() < text.len() / 20);
    }

    #[test]
    fn a_damaged_stored_value_is_an_error_not_a_panic_or_a_huge_allocation() {
        let mut packer = Packer::new();
        let stored = packer.pack(&b"a block of statements, ".repeat(500));
        let mut cases: Vec<Vec<u8>> =
            vec![Vec::new(), vec![9, 1, 2, 3], vec![ZSTD], stored[..stored.len() / 2].to_vec()];
        // The frame says it holds far more than it does (an 8-byte size field).
        let mut huge = vec![ZSTD, 0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x58];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        huge.extend_from_slice(&[0; 16]);
        cases.push(huge);
        let mut flipped = stored.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0xFF;
        cases.push(flipped);
        for case in cases {
            match unpack(&case) {
                Err(e) => assert!(e.to_string().contains("a value in the engine"), "{e}"),
                // A flipped byte in the data may still decompress (zstd frames carry
                // no checksum by default; sled's CRC covers what it reads from disk).
                Ok(v) => assert_eq!(v.len(), 500 * 23),
            }
        }
    }

    /// Packed to read fast, a value comes back as it went in, by `unpack` and by
    /// `unpack_into` (into a buffer holding something else); LZ4 when it shrinks,
    /// as it is otherwise; text shrinks less than zstd makes it.
    #[test]
    fn values_packed_to_read_fast_come_back_and_only_what_shrinks_is_lz4() {
        let mut packer = Packer::new();
        let (random, text) = (noise(10_000), text());
        let mut out = b"what the buffer held before".to_vec();
        for (value, tag) in [
            (Vec::new(), RAW),
            (b"short".to_vec(), RAW),
            (vec![7u8; MIN_COMPRESSED - 1], RAW),
            (vec![7u8; MIN_COMPRESSED], LZ4),
            (random, RAW),
            (text.clone(), LZ4),
            // Shorter than what the buffer holds now: none of that shows through.
            (vec![7u8; MIN_COMPRESSED], LZ4),
        ] {
            let stored = packer.pack_fast(&value);
            assert_eq!(stored[0], tag, "{} bytes", value.len());
            assert!(stored.len() <= value.len() + 1);
            assert_eq!(unpack(&stored).unwrap(), value);
            unpack_into(&stored, &mut out).unwrap();
            assert_eq!(out, value);
        }
        assert!(packer.pack_fast(&text).len() < text.len() / 20);
    }

    /// A damaged LZ4 value (cut short, its length beyond what any value holds or not
    /// what its block makes, its block garbage) is an error, never a panic or an
    /// allocation of what the length says.
    #[test]
    fn a_damaged_lz4_value_is_an_error_not_a_panic_or_a_huge_allocation() {
        let mut packer = Packer::new();
        let value = b"a block of quotes, ".repeat(500);
        let stored = packer.pack_fast(&value);
        assert_eq!(stored[0], LZ4);
        let with_len = |len: u32| {
            let mut v = stored.clone();
            v[1..5].copy_from_slice(&len.to_le_bytes());
            v
        };
        let mut cases: Vec<Vec<u8>> = vec![
            vec![LZ4],
            vec![LZ4, 1, 0],
            stored[..stored.len() / 2].to_vec(),
            with_len(u32::MAX),
            with_len(MAX_VALUE as u32 + 1),
            with_len(value.len() as u32 + 1),
            with_len(value.len() as u32 - 1),
        ];
        let mut garbage = stored[..5].to_vec();
        garbage.extend_from_slice(&[0xF0; 40]);
        cases.push(garbage);
        for case in cases {
            for result in [unpack(&case), unpack_into(&case, &mut Vec::new()).map(|()| Vec::new())] {
                let e = result.expect_err("damaged");
                assert!(e.to_string().contains("a value in the engine"), "{e}");
            }
        }
    }

    proptest::proptest! {
        /// LZ4 blocks are decoded by lz4_flex's faster decoder (not its all-safe one,
        /// with its bounds checks on): any damage to a stored value — bytes changed,
        /// the value cut short, its stated length changed — is an error or the value's
        /// stated length of bytes, never a panic or a write out of bounds.
        #[test]
        fn any_damage_to_an_lz4_value_is_an_error_or_its_stated_length(
            words in proptest::collection::vec(0usize..40, 200..2_000),
            flips in proptest::collection::vec((0usize..100_000, 1u8..=255), 0..8),
            cut in proptest::option::of(0usize..100_000),
            len in proptest::option::of(0u32..100_000),
        ) {
            const WORDS: [&str; 8] = ["said ", "the ", "minister ", "a ", "court ", "on ", "tuesday ", "deal "];
            let value: Vec<u8> = words.iter().flat_map(|&w| WORDS[w % 8].bytes().chain((w >= 8).then_some(b'x'))).collect();
            let mut stored = Packer::new().pack_fast(&value);
            proptest::prop_assume!(stored[0] == LZ4);
            for (at, mask) in &flips {
                let at = 5 + at % (stored.len() - 5);
                stored[at] ^= mask;
            }
            if let Some(len) = len {
                stored[1..5].copy_from_slice(&len.to_le_bytes());
            }
            if let Some(cut) = cut {
                stored.truncate(1 + cut % stored.len());
            }
            let stated = stored.get(1..5).map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize);
            let mut out = vec![0xAB; 30_000];
            for result in [unpack(&stored), unpack_into(&stored, &mut out).map(|()| out.clone())] {
                match result {
                    Ok(v) => proptest::prop_assert_eq!(Some(v.len()), stated),
                    Err(e) => proptest::prop_assert!(e.to_string().contains("a value in the engine"), "{}", e),
                }
            }
        }
    }

    #[test]
    fn a_zstd_frame_header_states_its_content_size() {
        // Single segment, a 1-byte size.
        assert_eq!(zstd_content_size(&[0x28, 0xB5, 0x2F, 0xFD, 0x20, 42, 0]), Some(42));
        // A window byte, a 2-byte size (plus 256).
        assert_eq!(zstd_content_size(&[0x28, 0xB5, 0x2F, 0xFD, 0x40, 0x58, 0x01, 0x00]), Some(257));
        // A window byte, a 1-byte dictionary id, a 4-byte size.
        assert_eq!(zstd_content_size(&[0x28, 0xB5, 0x2F, 0xFD, 0x81, 0x58, 7, 0x10, 0x27, 0, 0]), Some(10_000));
        // No size stated, not zstd, cut short.
        assert_eq!(zstd_content_size(&[0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x58]), None);
        assert_eq!(zstd_content_size(b"not zstd"), None);
        assert_eq!(zstd_content_size(&[0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x58, 1]), None);
    }
}
