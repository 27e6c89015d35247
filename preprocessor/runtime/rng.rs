//! Seeded random numbers, so experiments print the same digits on every build and machine.

/// A small seeded random number generator (SplitMix64), so experiments that need random
/// numbers print the same digits on every build, on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number uniform on `[lo, hi)`, from the top 53 bits.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn seeded_and_in_range() {
        let (mut a, mut b) = (super::Rng::new(7), super::Rng::new(7));
        let xs: Vec<f64> = (0..1000).map(|_| a.uniform(-2.0, 3.0)).collect();
        assert!(xs.iter().all(|x| (-2.0..3.0).contains(x)));
        assert_eq!(xs[..5], (0..5).map(|_| b.uniform(-2.0, 3.0)).collect::<Vec<_>>()[..]);
        let mean = xs.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.15, "{mean}");
    }
}
