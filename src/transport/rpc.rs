//! Request/response correlation (pure): ids are allocated here, and a reply is matched
//! to the request that is waiting for it, whichever stream it arrives on.

use crate::map::Map;

/// Waiting requests by id, each with a handle of its own (what stops it); a slot is
/// filled when the response arrives.
pub struct Pending<T, H> {
    next_id: u64,
    slots: Map<u64, (H, Option<T>)>,
}

impl<T, H> Default for Pending<T, H> {
    fn default() -> Self {
        Pending {
            next_id: 1,
            slots: Map::default(),
        }
    }
}

impl<T, H> Pending<T, H> {
    /// Allocate a fresh id and open its slot, holding `handle`.
    pub fn register(&mut self, handle: H) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.slots.insert(id, (handle, None));
        id
    }

    /// Deliver a response for `id`. Returns false when nobody waits for it (unknown id,
    /// or a duplicate response: the first one wins).
    pub fn fulfil(&mut self, id: u64, value: T) -> bool {
        match self.slots.get_mut(&id) {
            Some((_, slot @ None)) => {
                *slot = Some(value);
                true
            }
            _ => false,
        }
    }

    /// Whether the response for `id` has arrived.
    pub fn is_ready(&self, id: u64) -> bool {
        matches!(self.slots.get(&id), Some((_, Some(_))))
    }

    /// Close the slot of `id`, returning its response if it arrived.
    pub fn take(&mut self, id: u64) -> Option<T> {
        self.slots.remove(&id).and_then(|(_, v)| v)
    }

    /// The handles of every request waiting.
    pub fn handles(&self) -> impl Iterator<Item = &H> {
        self.slots.values().map(|(h, _)| h)
    }

    /// Number of requests waiting.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no request waits.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Read a JSON-RPC id as one of ours: a non-negative integer, or a string of digits
/// (some servers stringify ids).
pub fn parse_id(number: Option<f64>, text: Option<&str>) -> Option<u64> {
    if let Some(n) = number {
        return (n >= 0.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0).then_some(n as u64);
    }
    text.and_then(|t| t.parse().ok())
}
