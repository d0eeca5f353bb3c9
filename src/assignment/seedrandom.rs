//! David Bau's `seedrandom` with its default ARC4 generator, as the course's grader uses it.
//!
//! The seed string is mixed into a key (`mixkey`), the RC4 key schedule runs on it, 256 output
//! bytes are dropped, and each draw builds a 52-bit fraction from the byte stream. JavaScript
//! does this in doubles; every step here is exact in `f64` too (integers below 2^53 scaled by
//! powers of two), so the draws are bit for bit the same.

const WIDTH: f64 = 256.0;
const CHUNKS: usize = 6;
const SIGNIFICANCE: f64 = 4_503_599_627_370_496.0; // 2^52
const OVERFLOW: f64 = 9_007_199_254_740_992.0; // 2^53
const START_DENOM: f64 = 281_474_976_710_656.0; // 256^6

pub struct SeedRandom {
    s: [u8; 256],
    i: u8,
    j: u8,
}

impl SeedRandom {
    pub fn new(seed: &str) -> SeedRandom {
        let key = mixkey(seed);
        let mut rng = SeedRandom { s: [0; 256], i: 0, j: 0 };
        let key: Vec<u8> = if key.is_empty() { vec![0] } else { key };
        for (n, v) in rng.s.iter_mut().enumerate() {
            *v = n as u8;
        }
        let mut j: u8 = 0;
        for i in 0..256 {
            let t = rng.s[i];
            j = j.wrapping_add(key[i % key.len()]).wrapping_add(t);
            rng.s[i] = rng.s[j as usize];
            rng.s[j as usize] = t;
        }
        rng.bytes(256); // RC4-drop[256]
        rng
    }

    /// The next `count` bytes as a big-endian number (`ARC4.g`).
    fn bytes(&mut self, count: usize) -> f64 {
        let mut r = 0.0;
        for _ in 0..count {
            self.i = self.i.wrapping_add(1);
            let t = self.s[self.i as usize];
            self.j = self.j.wrapping_add(t);
            self.s[self.i as usize] = self.s[self.j as usize];
            self.s[self.j as usize] = t;
            let k = self.s[self.i as usize].wrapping_add(t);
            r = r * WIDTH + f64::from(self.s[k as usize]);
        }
        r
    }

    /// A number in [0, 1), as `seedrandom(seed)()` returns it.
    pub fn next_f64(&mut self) -> f64 {
        let mut n = self.bytes(CHUNKS);
        let mut d = START_DENOM;
        let mut x = 0.0;
        while n < SIGNIFICANCE {
            n = (n + x) * WIDTH;
            d *= WIDTH;
            x = self.bytes(1);
        }
        while n >= OVERFLOW {
            n /= 2.0;
            d /= 2.0;
            x = f64::from((x as u32) >> 1);
        }
        (n + x) / d
    }
}

/// seedrandom's `mixkey`: for each UTF-16 code unit at index m, j = m & 255,
/// smear ^= key[j] * 19 (0 when unset), key[j] = (smear + code) & 255.
fn mixkey(seed: &str) -> Vec<u8> {
    let mut key: Vec<u8> = Vec::new();
    let mut smear: u32 = 0;
    for (m, code) in seed.encode_utf16().enumerate() {
        let j = m & 255;
        let current = key.get(j).copied().map_or(0, u32::from);
        smear ^= current * 19;
        let value = (smear.wrapping_add(u32::from(code)) & 255) as u8;
        if j < key.len() {
            key[j] = value;
        } else {
            key.push(value);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_vector() {
        // From seedrandom's README: `seedrandom('hello.')()` is 0.9282578795792454.
        assert_eq!(SeedRandom::new("hello.").next_f64(), 0.9282578795792454);
    }

    /// Generated with the seedrandom npm package 3.0.5 under Node (`seedrandom(seed)` called
    /// three times), to check more than the first draw, empty and long (wrapping) seeds.
    #[test]
    fn vectors_from_the_npm_package() {
        let long = "x".repeat(300);
        let cases: [(&str, [f64; 3]); 4] = [
            ("hello.", [0.9282578795792454, 0.3752569768646784, 0.7316977468919549]),
            ("", [0.23144008215179881, 0.27404636548159655, 0.7901279251811976]),
            ("a", [0.43449421599986604, 0.5451403460013228, 0.3578386258898537]),
            (&long, [0.952495823023581, 0.9378530102966817, 0.8504259399717166]),
        ];
        for (seed, draws) in cases {
            let mut r = SeedRandom::new(seed);
            for want in draws {
                assert_eq!(r.next_f64(), want, "seed of {} chars", seed.len());
            }
        }
    }

    #[test]
    fn draws_stay_in_the_unit_interval_and_differ() {
        let mut r = SeedRandom::new("spacecheck");
        let draws: Vec<f64> = (0..1000).map(|_| r.next_f64()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mut sorted = draws.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        assert_eq!(sorted.len(), draws.len());
    }

    #[test]
    fn long_and_non_ascii_seeds() {
        // Keys longer than 256 wrap around; non-ASCII seeds use UTF-16 code units like JS.
        let long = "x".repeat(1000);
        let a = SeedRandom::new(&long).next_f64();
        assert!((0.0..1.0).contains(&a));
        assert_ne!(SeedRandom::new("é").next_f64(), SeedRandom::new("e").next_f64());
        assert!((0.0..1.0).contains(&SeedRandom::new("").next_f64()));
    }
}
