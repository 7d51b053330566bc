//! Sorting used by the statistics: LSD radix sort on integer keys.
//!
//! O(n) and made of simple loops, which compile as well to WebAssembly as natively; a
//! comparison sort's branchy inner loop is what the sandbox charges most for (fuel and
//! Cranelift both cost per branch). Passes whose digit is the same for every key are
//! skipped, so keys that use few bits cost few passes.

const BITS: usize = 11;
const BUCKETS: usize = 1 << BITS;
const MASK: u64 = (BUCKETS - 1) as u64;

/// Sorts `keys` ascending, looking only at the low `KEY_BITS` bits (higher bits must be 0).
/// The width is a constant so the per-key digit loop unrolls.
pub fn radix_sort_u64<const KEY_BITS: usize>(keys: &mut [u64]) {
    if keys.len() < 2048 {
        keys.sort_unstable();
        return;
    }
    let passes = KEY_BITS.div_ceil(BITS).max(1);
    let mut counts = vec![[0u32; BUCKETS]; passes];
    for &k in keys.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((k >> (p * BITS)) & MASK) as usize] += 1;
        }
    }
    let mut scratch = vec![0u64; keys.len()];
    let mut in_scratch = false;
    for (p, c) in counts.iter().enumerate() {
        if c.iter().any(|&n| n as usize == keys.len()) {
            continue;
        }
        let (src, dst): (&[u64], &mut [u64]) = if in_scratch { (&scratch, &mut *keys) } else { (&*keys, &mut scratch) };
        let mut offsets = [0u32; BUCKETS];
        let mut total = 0u32;
        for (o, &n) in offsets.iter_mut().zip(c.iter()) {
            *o = total;
            total += n;
        }
        let shift = p * BITS;
        for &k in src.iter() {
            let d = ((k >> shift) & MASK) as usize;
            dst[offsets[d] as usize] = k;
            offsets[d] += 1;
        }
        in_scratch = !in_scratch;
    }
    if in_scratch {
        keys.copy_from_slice(&scratch);
    }
}

/// Order-preserving map of a float to an integer (the order of `f64::total_cmp`).
pub fn float_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// Inverse of [`float_key`].
pub fn key_float(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Sorts floats ascending (the order of `f64::total_cmp`).
pub fn sort_floats(xs: &mut [f64]) {
    if xs.len() < 2048 {
        xs.sort_unstable_by(f64::total_cmp);
        return;
    }
    let mut keys: Vec<u64> = xs.iter().map(|&x| float_key(x)).collect();
    radix_sort_u64::<64>(&mut keys);
    for (x, &k) in xs.iter_mut().zip(keys.iter()) {
        *x = key_float(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_matches_std_sort() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut keys: Vec<u64> = (0..5000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state >> 30
            })
            .collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        radix_sort_u64::<34>(&mut keys);
        assert_eq!(keys, expected);
    }
}
