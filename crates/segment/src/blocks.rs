//! The two byte scans over a document, each a cursor that moves forward in
//! blocks of 64 bytes held as bitmasks (bit `j`: byte `base + j`):
//!
//! - [`Cands`]: where a boundary decision may start (`is_candidate`). A block
//!   is judged once; later searches inside it only clear the bits before
//!   their start.
//! - [`Counts`]: running counts of chars, Latin letters, Han lead bytes,
//!   line breaks and rare lead bytes from the start of the text, so the
//!   counts of a sentence are the difference of two look-ups and no sentence
//!   is read again.
//!
//! The masks come from branch-free loops over the 64 bytes that vectorize;
//! both cursors are compiled twice from the same source, for the baseline
//! target and with AVX2 (plus POPCNT and BMI1 for the bit counts), chosen per
//! document.

/// Bytes per block.
const B: usize = 64;

/// Whether this CPU has AVX2, POPCNT and BMI1 (the answers are cached by std).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_simd() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("popcnt")
        && std::arch::is_x86_feature_detected!("bmi1")
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn has_simd() -> bool {
    false
}

/// Bit `j` set when the high bit of `v[j]` is.
#[inline(always)]
fn movemask(v: &[u8; B]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8};
        let mut m = 0u64;
        for q in 0..B / 16 {
            // SAFETY: SSE2 is part of the x86_64 baseline; the load reads 16
            // bytes inside `v`.
            let bits = unsafe {
                _mm_movemask_epi8(_mm_loadu_si128(v[q * 16..].as_ptr().cast::<__m128i>()))
            };
            m |= u64::from(bits as u16) << (q * 16);
        }
        m
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut m = 0u64;
        for (j, &x) in v.iter().enumerate() {
            m |= u64::from(x >> 7) << j;
        }
        m
    }
}

#[inline(always)]
fn hi(c: bool) -> u8 {
    u8::from(c) << 7
}

/// Whether a boundary decision may start at `x0`, given the two bytes after
/// it: `. ! ? \n \t`, two ASCII spaces, a no-break space, `。！？…` and the
/// ideographic space (the handlers check the run). Never at `，` or `、`.
#[inline(always)]
pub(crate) fn is_candidate(x0: u8, x1: u8, x2: u8) -> bool {
    let single = (x0 == b'.') | (x0 == b'!') | (x0 == b'?') | (x0 == b'\n') | (x0 == b'\t');
    let pair = ((x0 == b' ') & (x1 == b' ')) | ((x0 == 0xC2) & (x1 == 0xA0));
    // 。 E3 80 82, U+3000 E3 80 80, … E2 80 A6, ！ EF BC 81, ？ EF BC 9F
    let e3 = (x0 == 0xE3) & ((x2 == 0x82) | (x2 == 0x80));
    let e2 = (x0 == 0xE2) & (x2 == 0xA6);
    let ef = (x0 == 0xEF) & (x1 == 0xBC) & ((x2 == 0x81) | (x2 == 0x9F));
    single | pair | ((e3 | e2) & (x1 == 0x80)) | ef
}

/// Candidates among the 64 bytes of `w[at..]`; `w` holds two bytes more.
#[inline(always)]
fn cand_block(w: &[u8], at: usize) -> u64 {
    let x0: &[u8; B] = w[at..at + B].try_into().unwrap();
    let x1: &[u8; B] = w[at + 1..at + 1 + B].try_into().unwrap();
    let x2: &[u8; B] = w[at + 2..at + 2 + B].try_into().unwrap();
    let mut hit = [0u8; B];
    for j in 0..B {
        hit[j] = hi(is_candidate(x0[j], x1[j], x2[j]));
    }
    movemask(&hit)
}

/// Candidates in the block at `at`. Past the end the text is padded with
/// zeros, which start no candidate and complete none.
/// `SIMD` only from code compiled with AVX2.
#[inline(always)]
fn cand_mask<const SIMD: bool>(b: &[u8], at: usize) -> u64 {
    let block = |w: &[u8], at: usize| {
        #[cfg(target_arch = "x86_64")]
        if SIMD {
            // SAFETY: only `Cands::next_simd`, compiled with AVX2, passes
            // `SIMD`, and it runs only where `has_simd()` holds.
            return unsafe { avx2::cand_block(w, at) };
        }
        cand_block(w, at)
    };
    if at + B + 2 <= b.len() {
        block(b, at)
    } else {
        let mut buf = [0u8; B + 2];
        let m = b.len().saturating_sub(at).min(B + 2);
        buf[..m].copy_from_slice(&b[at..at + m]);
        block(&buf, 0)
    }
}

/// Forward cursor over the candidates of a text.
pub(crate) struct Cands {
    /// The block held: bytes `base..base + 64`; none while `base == end`.
    base: usize,
    end: usize,
    /// Candidates of the block at or after the last search's start.
    mask: u64,
}

impl Cands {
    pub(crate) fn new() -> Self {
        Cands {
            base: 0,
            end: 0,
            mask: 0,
        }
    }

    /// Next candidate at or after `from` (`b.len()` if none). `from` never
    /// moves back between calls.
    #[inline]
    pub(crate) fn next(&mut self, b: &[u8], from: usize, simd: bool) -> usize {
        #[cfg(target_arch = "x86_64")]
        if simd {
            // SAFETY: `simd` is `has_simd()`: the CPU has AVX2, POPCNT, BMI1.
            return unsafe { self.next_simd(b, from) };
        }
        let _ = simd;
        self.next_in::<false>(b, from)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt,bmi1")]
    fn next_simd(&mut self, b: &[u8], from: usize) -> usize {
        self.next_in::<true>(b, from)
    }

    #[inline(always)]
    fn next_in<const SIMD: bool>(&mut self, b: &[u8], mut from: usize) -> usize {
        let n = b.len();
        loop {
            if from >= self.end || from < self.base {
                if from >= n {
                    return n;
                }
                self.base = from;
                self.end = from + B;
                self.mask = cand_mask::<SIMD>(b, from);
            } else {
                self.mask &= u64::MAX << (from - self.base);
            }
            if self.mask != 0 {
                return self.base + self.mask.trailing_zeros() as usize;
            }
            from = self.end;
        }
    }
}

/// Counts from the start of the text up to a byte offset.
#[derive(Clone, Copy, Default)]
pub(crate) struct Tally {
    pub chars: usize,
    /// ASCII letters and lead bytes of accented Latin letters (C3..C9).
    pub latin: usize,
    /// Lead bytes of U+4000..U+9FFF (E4..E9).
    pub han: usize,
    /// `\n` and `\r`.
    pub breaks: usize,
    /// Lead bytes that `profile_rare` reads again (kana, rarer Han, hangul).
    pub rare: usize,
}

const CHARS: usize = 0;
const LATIN: usize = 1;
const HAN: usize = 2;
const BREAKS: usize = 3;
const RARE: usize = 4;

/// The five masks of the 64 bytes of `w[at..]`; `w` holds one byte more.
/// Letters are judged on UTF-8 lead bytes, so no char is decoded.
#[inline(always)]
fn count_block(w: &[u8], at: usize) -> [u64; 5] {
    let xs: &[u8; B] = w[at..at + B].try_into().unwrap();
    let ys: &[u8; B] = w[at + 1..at + 1 + B].try_into().unwrap();
    let mut v = [[0u8; B]; 5];
    for j in 0..B {
        let (x, y) = (xs[j], ys[j]);
        v[CHARS][j] = hi((x as i8) >= -0x40);
        v[LATIN][j] = hi(((x | 0x20).wrapping_sub(b'a') < 26) | (x.wrapping_sub(0xC3) < 7));
        v[HAN][j] = hi(x.wrapping_sub(0xE4) < 6);
        v[BREAKS][j] = hi((x == b'\n') | (x == b'\r'));
        v[RARE][j] = hi(((x == 0xE3) & (y != 0x80))
            | ((x == 0xEF) & (y.wrapping_sub(0xA4) < 8))
            | (x == 0xF0)
            | (x.wrapping_sub(0xEA) < 4));
    }
    v.map(|m| movemask(&m))
}

/// The masks of the block at `at`. Past the end the text is padded with
/// continuation bytes, which count for nothing (the byte after the last char
/// is never looked at: it would follow a lead byte).
/// `SIMD` only from code compiled with AVX2.
#[inline(always)]
fn count_mask<const SIMD: bool>(b: &[u8], at: usize) -> [u64; 5] {
    let block = |w: &[u8], at: usize| {
        #[cfg(target_arch = "x86_64")]
        if SIMD {
            // SAFETY: only `Counts::at_simd`, compiled with AVX2, passes
            // `SIMD`, and it runs only where `has_simd()` holds.
            return unsafe { avx2::count_block(w, at) };
        }
        count_block(w, at)
    };
    if at + B < b.len() {
        block(b, at)
    } else {
        let mut buf = [0x80u8; B + 1];
        let m = b.len().saturating_sub(at);
        buf[..m].copy_from_slice(&b[at..]);
        block(&buf, 0)
    }
}

/// Forward cursor with running counts (see [`Tally`]).
pub(crate) struct Counts {
    /// The block held: bytes `base..base + 64`, with its masks, and the
    /// counts of the bytes before it.
    base: usize,
    masks: [u64; 5],
    before: [usize; 5],
    started: bool,
}

impl Counts {
    pub(crate) fn new() -> Self {
        Counts {
            base: 0,
            masks: [0; 5],
            before: [0; 5],
            started: false,
        }
    }

    /// Counts of `b[..p]`. `p` never moves back between calls.
    #[inline]
    pub(crate) fn at(&mut self, b: &[u8], p: usize, simd: bool) -> Tally {
        #[cfg(target_arch = "x86_64")]
        if simd {
            // SAFETY: `simd` is `has_simd()`: the CPU has AVX2, POPCNT, BMI1.
            return unsafe { self.at_simd(b, p) };
        }
        let _ = simd;
        self.at_in::<false>(b, p)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt,bmi1")]
    fn at_simd(&mut self, b: &[u8], p: usize) -> Tally {
        self.at_in::<true>(b, p)
    }

    #[inline(always)]
    fn at_in<const SIMD: bool>(&mut self, b: &[u8], p: usize) -> Tally {
        debug_assert!(p >= self.base && p <= b.len());
        if !self.started {
            self.started = true;
            self.masks = count_mask::<SIMD>(b, 0);
        }
        while p >= self.base + B {
            for q in 0..5 {
                self.before[q] += self.masks[q].count_ones() as usize;
            }
            self.base += B;
            self.masks = count_mask::<SIMD>(b, self.base);
        }
        let below = !(u64::MAX << (p - self.base));
        let c = |q: usize| self.before[q] + (self.masks[q] & below).count_ones() as usize;
        Tally {
            chars: c(CHARS),
            latin: c(LATIN),
            han: c(HAN),
            breaks: c(BREAKS),
            rare: c(RARE),
        }
    }
}

/// The same masks as `cand_block` and `count_block`, written with AVX2
/// intrinsics, 32 bytes at a time.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::B;
    use std::arch::x86_64::*;

    #[inline]
    #[target_feature(enable = "avx2")]
    fn load(w: &[u8], i: usize) -> __m256i {
        let v: &[u8; 32] = w[i..i + 32].try_into().unwrap();
        // SAFETY: `v` holds the 32 bytes read.
        unsafe { _mm256_loadu_si256(v.as_ptr().cast::<__m256i>()) }
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn eq(v: __m256i, c: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8))
    }

    /// Lanes with `v - lo < n` (unsigned, wrapping), for `n <= 128`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn below(v: __m256i, lo: u8, n: u8) -> __m256i {
        let shifted = _mm256_add_epi8(v, _mm256_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
        _mm256_cmpgt_epi8(_mm256_set1_epi8((n as i8).wrapping_sub(-128)), shifted)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn or(a: __m256i, b: __m256i) -> __m256i {
        _mm256_or_si256(a, b)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn and(a: __m256i, b: __m256i) -> __m256i {
        _mm256_and_si256(a, b)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn bits(v: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(v) as u32)
    }

    /// See `super::cand_block`: `w` holds `at + 66` bytes.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn cand_block(w: &[u8], at: usize) -> u64 {
        let _ = &w[at..at + B + 2];
        let mut m = 0u64;
        for h in [0, 32] {
            let x0 = load(w, at + h);
            let x1 = load(w, at + h + 1);
            let x2 = load(w, at + h + 2);
            let single = or(
                or(eq(x0, b'.'), eq(x0, b'!')),
                or(or(eq(x0, b'?'), eq(x0, b'\n')), eq(x0, b'\t')),
            );
            let pair = or(
                and(eq(x0, b' '), eq(x1, b' ')),
                and(eq(x0, 0xC2), eq(x1, 0xA0)),
            );
            let e3 = and(eq(x0, 0xE3), or(eq(x2, 0x82), eq(x2, 0x80)));
            let e2 = and(eq(x0, 0xE2), eq(x2, 0xA6));
            let ef = and(
                and(eq(x0, 0xEF), eq(x1, 0xBC)),
                or(eq(x2, 0x81), eq(x2, 0x9F)),
            );
            let all = or(or(single, pair), or(and(or(e3, e2), eq(x1, 0x80)), ef));
            m |= bits(all) << h;
        }
        m
    }

    /// See `super::count_block`: `w` holds `at + 65` bytes.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn count_block(w: &[u8], at: usize) -> [u64; 5] {
        let _ = &w[at..at + B + 1];
        let mut m = [0u64; 5];
        for h in [0, 32] {
            let x = load(w, at + h);
            let y = load(w, at + h + 1);
            let chars = _mm256_cmpgt_epi8(x, _mm256_set1_epi8(-0x41));
            let lower = _mm256_or_si256(x, _mm256_set1_epi8(0x20));
            let latin = or(below(lower, b'a', 26), below(x, 0xC3, 7));
            let han = below(x, 0xE4, 6);
            let breaks = or(eq(x, b'\n'), eq(x, b'\r'));
            let rare = or(
                or(
                    _mm256_andnot_si256(eq(y, 0x80), eq(x, 0xE3)),
                    and(eq(x, 0xEF), below(y, 0xA4, 8)),
                ),
                or(eq(x, 0xF0), below(x, 0xEA, 4)),
            );
            for (q, v) in [chars, latin, han, breaks, rare].into_iter().enumerate() {
                m[q] |= bits(v) << h;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rand_bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let pick: &[u8] =
            b". !?\n\r\t aZ\xC2\xA0\xC3\xE2\x80\xA6\xE3\x82\xE4\xE9\xEA\xEF\xBC\x81\x9F\xA4\xF0";
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                if seed.is_multiple_of(2) {
                    pick[(s % pick.len() as u64) as usize]
                } else {
                    (s >> 24) as u8
                }
            })
            .collect()
    }

    #[test]
    fn cursors_match_byte_by_byte() {
        for (seed, n) in [
            (1u64, 0usize),
            (2, 1),
            (3, 63),
            (4, 64),
            (5, 65),
            (6, 66),
            (7, 500),
            (8, 4097),
            (9, 3001),
            (10, 3002),
        ] {
            let b = rand_bytes(seed, n);
            let at = |i: usize| b.get(i).copied().unwrap_or(0);
            for simd in [false, has_simd()] {
                // candidates, searched from every offset in order
                let mut c = Cands::new();
                for from in 0..=n {
                    let want = (from..n)
                        .find(|&i| is_candidate(b[i], at(i + 1), at(i + 2)))
                        .unwrap_or(n);
                    assert_eq!(c.next(&b, from, simd), want, "n {n} from {from}");
                }
                // counts at every offset in order
                let mut t = Counts::new();
                let mut want = Tally::default();
                for p in 0..=n {
                    let got = t.at(&b, p, simd);
                    assert_eq!(
                        (got.chars, got.latin, got.han, got.breaks, got.rare),
                        (want.chars, want.latin, want.han, want.breaks, want.rare),
                        "n {n} p {p}"
                    );
                    if p < n {
                        let (x, y) = (b[p], b.get(p + 1).copied().unwrap_or(0x80));
                        want.chars += usize::from((x as i8) >= -0x40);
                        want.latin += usize::from(
                            ((x | 0x20).wrapping_sub(b'a') < 26) | (x.wrapping_sub(0xC3) < 7),
                        );
                        want.han += usize::from(x.wrapping_sub(0xE4) < 6);
                        want.breaks += usize::from(x == b'\n' || x == b'\r');
                        want.rare += usize::from(
                            (x == 0xE3 && y != 0x80)
                                || (x == 0xEF && y.wrapping_sub(0xA4) < 8)
                                || x == 0xF0
                                || x.wrapping_sub(0xEA) < 4,
                        );
                    }
                }
            }
        }
    }
}
