//! The crate's `HashMap`: std's map with a small multiplicative hasher (the one rustc
//! uses, "FxHash") instead of SipHash, which costs about 1 KB of wasm.
//!
//! SipHash's strength comes from secret random keys, and the wasm build has none to give
//! it: std on wasm32-unknown-unknown has no source of randomness (it derives the keys from
//! memory addresses, which the same module reproduces). The keys here are ids this client
//! allocates and the task ids and tool names of the server it chose to connect to.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Multiply-rotate hashing, one word at a time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Byte by byte: the keys are short ids and names.
        for b in bytes {
            self.add(u64::from(*b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::HashMap;

    #[test]
    fn a_map_with_many_keys() {
        let mut m: HashMap<String, u32> = HashMap::default();
        for i in 0..10_000u32 {
            m.insert(format!("task-{i}"), i);
        }
        let mut n: HashMap<u32, u32> = HashMap::default();
        for i in 0..10_000u32 {
            n.insert(i, i);
        }
        for i in 0..10_000u32 {
            assert_eq!(m.get(&format!("task-{i}")), Some(&i));
            assert_eq!(n.get(&i), Some(&i));
        }
        assert_eq!(m.len(), 10_000);
        assert!(!m.contains_key("task-10000"));
    }
}
