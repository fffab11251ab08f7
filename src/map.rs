//! The crate's one map: a vector of `(key, value)` pairs kept sorted by key, searched by
//! bisection. It replaces std's `HashMap` (hashbrown), whose code came to about 9 KB of
//! wasm for the crate's five key/value types, and it has no hash to attack: task ids are
//! chosen by the server. Keys are strings (task ids, tool names), always looked up as a
//! `&str`: one search, compiled once, serves lookups and inserts alike.
//!
//! Lookups are O(log n); an insert or a removal moves the pairs after it (a `memmove`):
//! keys that grow (request ids, handle numbers) are appended at the end, and a few
//! thousand entries move in microseconds.

use std::borrow::Borrow;

/// A map over a sorted vector.
#[derive(Debug, Clone)]
pub struct Map<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map { items: Vec::new() }
    }
}

impl<K: Ord + Borrow<str>, V> Map<K, V> {
    fn find(&self, key: &str) -> Result<usize, usize> {
        // A plain bisection (the same answer): std's `binary_search_by` is a branchless
        // loop with more code around it, and a closure of its own.
        let (mut lo, mut hi) = (0, self.items.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.items[mid].0.borrow().cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.items[i].1)
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        match self.find(key) {
            Ok(i) => Some(&mut self.items[i].1),
            Err(_) => None,
        }
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Give `key` the value `value` if it has none; else its value, to change (and `key`
    /// is dropped): one search for a lookup-or-insert. Unlike `HashMap::insert`, a value
    /// already there is not replaced (as std's `HashMap::try_insert`).
    pub fn try_insert(&mut self, key: K, value: V) -> Option<&mut V> {
        match self.find(key.borrow()) {
            Ok(i) => Some(&mut self.items[i].1),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    /// Remove `key` if its value is `value` (one search); whether it was.
    pub fn remove(&mut self, key: &str, value: &V) -> bool
    where
        V: PartialEq,
    {
        let Ok(i) = self.find(key) else {
            return false;
        };
        if self.items[i].1 != *value {
            return false;
        }
        crate::sync::remove_at(&mut self.items, i);
        true
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    /// Remove every entry and return them, in key order.
    pub fn take_all(&mut self) -> Vec<(K, V)> {
        std::mem::take(&mut self.items)
    }

    /// Remove every entry.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

impl<K: Ord + Borrow<str>, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut items: Vec<(K, V)> = iter.into_iter().collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        // The last value of a key wins, as with repeated inserts.
        let mut out: Vec<(K, V)> = Vec::with_capacity(items.len());
        for (k, v) in items {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        Map { items: out }
    }
}

#[cfg(test)]
mod tests {
    use super::Map;

    #[test]
    fn behaves_like_a_map() {
        let mut m: Map<String, u32> = Map::default();
        assert!(m.is_empty());
        assert_eq!(m.try_insert("b".into(), 2), None);
        assert_eq!(m.try_insert("a".into(), 1), None);
        assert_eq!(m.try_insert("c".into(), 3), None);
        let b = m.try_insert("b".into(), 20).unwrap();
        assert_eq!(*b, 2);
        *b = 20;
        assert_eq!(m.get("b"), Some(&20));
        assert_eq!(m.len(), 3);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), vec![1, 20, 3]);
        *m.get_mut("a").unwrap() = 10;
        assert!(!m.remove("a", &1));
        assert!(m.remove("a", &10));
        assert!(!m.remove("a", &10));
        assert!(!m.contains_key("a"));
        assert!(m.contains_key("c"));
        assert_eq!(m.take_all().len(), 2);
        assert!(m.is_empty());
    }

    #[test]
    fn agrees_with_std_over_a_seeded_sequence() {
        let mut ours: Map<String, u32> = Map::default();
        let mut std_map = std::collections::BTreeMap::new();
        let mut x: u64 = 20_251_125;
        for i in 0..20_000u32 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let key = ((x >> 33) % 500).to_string();
            match x % 3 {
                0 => {
                    let v = std_map.get(&key).copied().unwrap_or(u32::MAX);
                    assert_eq!(ours.remove(&key, &v), std_map.remove(&key).is_some());
                }
                _ => {
                    let old = std_map.insert(key.clone(), i);
                    match ours.try_insert(key.clone(), i) {
                        Some(v) => {
                            assert_eq!(Some(*v), old);
                            *v = i;
                        }
                        None => assert_eq!(old, None),
                    }
                }
            }
            assert_eq!(ours.get(&key), std_map.get(&key));
        }
        let a: Vec<_> = ours.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let b: Vec<_> = std_map.into_iter().collect();
        assert_eq!(a, b);
        let collected: Map<String, u32> = [("3".into(), 1), ("1".into(), 1), ("3".into(), 2)]
            .into_iter()
            .collect();
        assert_eq!(collected.get("3"), Some(&2));
        assert_eq!(collected.len(), 2);
    }
}
