//! What a cache holds: an LRU over request keys with an optional time to
//! live, or a fixed hit probability for simple lessons.

use lru::LruCache;
use rand::RngExt;

use super::SimTime;
use super::rng::SimRng;

/// A cache's contents.
#[derive(Clone)]
pub enum CacheStore {
    /// Keys with the time they were stored. The table grows as keys come
    /// (`LruCache::new` would reserve the whole capacity up front) and
    /// evicts beyond `capacity`.
    Lru {
        entries: LruCache<u64, SimTime>,
        capacity: usize,
        ttl_ns: Option<u64>,
        /// Keep expired keys (until evicted) for a `ServeStale` fallback,
        /// instead of dropping them when a lookup finds them expired.
        keep_stale: bool,
    },
    Fixed {
        hit_probability: f64,
    },
}

impl CacheStore {
    /// Heap bytes a clone of the contents allocates: per key the LRU's
    /// boxed entry (key, time, two links), and the hash table a clone
    /// builds for its length: a power of two of buckets at most 7/8 full,
    /// each two pointers and a control byte.
    pub fn approx_bytes(&self) -> usize {
        const ENTRY: usize = 2 * 8 + 2 * std::mem::size_of::<usize>();
        const SLOT: usize = 2 * std::mem::size_of::<usize>() + 1;
        match self {
            CacheStore::Lru { entries, .. } if !entries.is_empty() => {
                let buckets = (entries.len() * 8 / 7 + 1).next_power_of_two();
                entries.len() * ENTRY + buckets * SLOT
            }
            CacheStore::Lru { .. } | CacheStore::Fixed { .. } => 0,
        }
    }

    pub fn lru(capacity: u64, ttl_ns: Option<u64>) -> CacheStore {
        let capacity = usize::try_from(capacity).unwrap_or(usize::MAX).max(1);
        CacheStore::Lru { entries: LruCache::unbounded(), capacity, ttl_ns, keep_stale: false }
    }

    /// Looks `key` up at `now`; an expired entry is removed and misses.
    // Kept out of line, like `fill` and `invalidate`: the LRU's hashing
    // inlined into the engine's per-event dispatch slows every topology,
    // cache or not, by about a tenth (M/M/1 in `archsim bench`).
    #[inline(never)]
    pub fn lookup(&mut self, key: u64, now: SimTime, rng: &mut SimRng) -> bool {
        match self {
            CacheStore::Lru { entries, ttl_ns, keep_stale, .. } => match entries.get(&key) {
                Some(&stored) if ttl_ns.is_none_or(|ttl| now.since(stored) < ttl) => true,
                Some(_) => {
                    if !*keep_stale {
                        entries.pop(&key);
                    }
                    false
                }
                None => false,
            },
            CacheStore::Fixed { hit_probability } => rng.random_bool(hit_probability.clamp(0.0, 1.0)),
        }
    }

    /// Whether the cache holds a copy of `key`, fresh or expired (what a
    /// `ServeStale` fallback answers from). A fixed-probability cache holds
    /// no keys.
    #[inline(never)]
    pub fn has_copy(&self, key: u64) -> bool {
        match self {
            CacheStore::Lru { entries, .. } => key != 0 && entries.contains(&key),
            CacheStore::Fixed { .. } => false,
        }
    }

    /// Keep expired keys for a stale answer, or drop them when looked up.
    pub fn set_keep_stale(&mut self, keep: bool) {
        if let CacheStore::Lru { keep_stale, .. } = self {
            *keep_stale = keep;
        }
    }

    /// Stores `key` after a miss was answered by the backing node.
    #[inline(never)]
    pub fn fill(&mut self, key: u64, now: SimTime) {
        if let CacheStore::Lru { entries, capacity, .. } = self {
            entries.put(key, now);
            if entries.len() > *capacity {
                entries.pop_lru();
            }
        }
    }

    /// A write makes the cached copy wrong: drop it.
    #[inline(never)]
    pub fn invalidate(&mut self, key: u64) {
        if let CacheStore::Lru { entries, .. } = self {
            entries.pop(&key);
        }
    }

    /// Empties the cache (a flush, or a crash losing memory).
    pub fn clear(&mut self) {
        if let CacheStore::Lru { entries, .. } = self {
            entries.clear();
        }
    }

    /// Keys held now (0 for a fixed-rate cache).
    pub fn len(&self) -> usize {
        match self {
            CacheStore::Lru { entries, .. } => entries.len(),
            CacheStore::Fixed { .. } => 0,
        }
    }

    /// Changes the capacity, evicting the least recently used keys if it shrinks.
    pub fn resize(&mut self, new_capacity: u64) {
        if let CacheStore::Lru { entries, capacity, .. } = self {
            *capacity = usize::try_from(new_capacity).unwrap_or(usize::MAX).max(1);
            while entries.len() > *capacity {
                entries.pop_lru();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    #[test]
    fn lru_evicts_the_least_recently_used_and_ttl_expires() {
        let mut rng = stream(1, "c");
        let mut c = CacheStore::lru(2, Some(1_000));
        c.fill(1, SimTime(0));
        c.fill(2, SimTime(0));
        assert!(c.lookup(1, SimTime(10), &mut rng));
        c.fill(3, SimTime(10)); // evicts 2, the least recently used
        assert!(!c.lookup(2, SimTime(10), &mut rng));
        assert!(c.lookup(3, SimTime(500), &mut rng));
        assert!(!c.lookup(3, SimTime(1_010), &mut rng), "expired after the TTL");
    }
}
