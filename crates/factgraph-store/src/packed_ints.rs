//! Unsigned integers of one fixed width packed end to end into 64-bit words: the
//! adjacency's targets and statements, at as many bits as the largest needs (17 for
//! 94,000 nodes, 20 for 1,000,000 statements) instead of 32 or 64.
//!
//! Written here rather than taken from a crate (sucds' `CompactVector` is the nearest)
//! because the adjacency file reads the words straight into their array while summing
//! them, and checks a damaged header's counts before anything is allocated for them.

use std::ops::Range;

/// `len` integers of `width` bits each, the i-th at bits `i * width ..` of `words`
/// (little-endian within and across words). One word more than the bits need is
/// kept, so that a read of two neighbouring words never runs past the end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Packed {
    width: u32,
    mask: u64,
    len: usize,
    words: Vec<u64>,
}

impl Packed {
    /// The fewest bits that hold `max` (at least one).
    pub(crate) fn width_for(max: u64) -> u32 {
        (u64::BITS - max.leading_zeros()).max(1)
    }

    /// How many words `len` integers of `width` bits are kept in, if that is a size.
    pub(crate) fn words_for(len: usize, width: u32) -> Option<usize> {
        len.checked_mul(width as usize)?.div_ceil(64).checked_add(1)
    }

    /// `len` zeros of `width` bits (1..=64).
    pub(crate) fn zeros(len: usize, width: u32) -> Packed {
        let words = Packed::words_for(len, width).expect("a packed array that fits in memory");
        Packed::from_words(len, width, vec![0; words]).expect("the words it needs")
    }

    /// The array that `words` hold, if `width` is 1..=64 and there are as many words
    /// as `words_for` says.
    pub(crate) fn from_words(len: usize, width: u32, words: Vec<u64>) -> Option<Packed> {
        if !(1..=64).contains(&width) || Packed::words_for(len, width)? != words.len() {
            return None;
        }
        let mask = u64::MAX >> (64 - width);
        Some(Packed { width, mask, len, words })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn width(&self) -> u32 {
        self.width
    }

    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// The integer at `i` (which must be below `len`).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u64 {
        debug_assert!(i < self.len);
        let bit = i * self.width as usize;
        let (w, off) = (bit / 64, bit % 64);
        let two = u128::from(self.words[w]) | u128::from(self.words[w + 1]) << 64;
        (two >> off) as u64 & self.mask
    }

    /// Sets the integer at `i` (below `len`) to `v` (which must fit the width).
    pub(crate) fn set(&mut self, i: usize, v: u64) {
        debug_assert!(i < self.len && v & !self.mask == 0);
        let bit = i * self.width as usize;
        let (w, off) = (bit / 64, bit % 64);
        let mut two = u128::from(self.words[w]) | u128::from(self.words[w + 1]) << 64;
        two &= !(u128::from(self.mask) << off);
        two |= u128::from(v & self.mask) << off;
        self.words[w] = two as u64;
        self.words[w + 1] = (two >> 64) as u64;
    }

    /// The integers at `r`, in order, decoded a word at a time.
    #[inline]
    pub(crate) fn iter(&self, r: Range<usize>) -> Iter<'_> {
        debug_assert!(r.start <= r.end && r.end <= self.len);
        let bit = r.start * self.width as usize;
        let words = &self.words[bit / 64..];
        // The first word's bits before the range are shifted out before the first.
        Iter {
            words: &words[1..],
            acc: words[0] >> (bit % 64),
            have: 64 - (bit % 64) as u32,
            left: r.len(),
            width: self.width,
            mask: self.mask,
        }
    }

    /// The largest integer (0 for none).
    pub(crate) fn max(&self) -> u64 {
        self.iter(0..self.len).fold(0, u64::max)
    }
}

/// The integers of a range of a `Packed`, in order: the bits not yet handed out are
/// kept in `acc` and topped up a word at a time, so that each integer costs a shift
/// and a mask rather than a two-word read at a computed position.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    /// The words after those read into `acc`.
    words: &'a [u64],
    /// `have` bits not yet handed out, lowest first.
    acc: u64,
    have: u32,
    left: usize,
    width: u32,
    mask: u64,
}

impl Iterator for Iter<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let v = if self.have >= self.width {
            let v = self.acc & self.mask;
            // A shift by 64 (a 64-bit width) would overflow; the word is used up then.
            self.acc = self.acc.checked_shr(self.width).unwrap_or(0);
            self.have -= self.width;
            v
        } else {
            // The integer straddles into the next word (there always is one: a
            // `Packed` keeps a word more than its bits need).
            let (&next, rest) = self.words.split_first()?;
            self.words = rest;
            let v = (self.acc | next.checked_shl(self.have).unwrap_or(0)) & self.mask;
            let used = self.width - self.have;
            self.acc = next.checked_shr(used).unwrap_or(0);
            self.have = 64 - used;
            v
        };
        Some(v)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever is set is what is read back, at every width, without touching
        /// its neighbours.
        #[test]
        fn integers_come_back_as_they_were_set(values in prop::collection::vec(any::<u64>(), 0..200), width in 1u32..=64) {
            let mask = u64::MAX >> (64 - width);
            let values: Vec<u64> = values.into_iter().map(|v| v & mask).collect();
            let mut p = Packed::zeros(values.len(), width);
            for (i, &v) in values.iter().enumerate().rev() {
                p.set(i, v);
            }
            prop_assert_eq!(p.iter(0..values.len()).collect::<Vec<_>>(), values.clone());
            // Overwriting one leaves the rest.
            if !values.is_empty() {
                let at = values.len() / 2;
                p.set(at, mask);
                p.set(at, values[at]);
                prop_assert_eq!(p.iter(0..values.len()).collect::<Vec<_>>(), values.clone());
            }
            prop_assert_eq!(p.max(), values.iter().copied().max().unwrap_or(0));
            for start in 0..values.len() {
                let end = (start + 1 + start % 7).min(values.len());
                prop_assert_eq!(p.iter(start..end).collect::<Vec<_>>(), &values[start..end]);
                prop_assert_eq!(p.iter(start..end).len(), end - start);
            }
            let back = Packed::from_words(p.len(), p.width(), p.words().to_vec());
            prop_assert_eq!(back.as_ref(), Some(&p));
        }
    }

    #[test]
    fn widths_are_the_fewest_bits_and_wrong_word_counts_are_refused() {
        assert_eq!(Packed::width_for(0), 1);
        assert_eq!(Packed::width_for(1), 1);
        assert_eq!(Packed::width_for(94_138), 17);
        assert_eq!(Packed::width_for(u64::MAX), 64);
        assert_eq!(Packed::words_for(3, 64), Some(4));
        assert_eq!(Packed::words_for(0, 7), Some(1));
        assert_eq!(Packed::words_for(usize::MAX, 2), None);
        assert!(Packed::from_words(3, 64, vec![0; 3]).is_none());
        assert!(Packed::from_words(3, 0, vec![0; 1]).is_none());
        assert!(Packed::from_words(3, 65, vec![0; 5]).is_none());
    }
}
