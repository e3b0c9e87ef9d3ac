//! A tiny library to benchmark: a CSV-ish line parser, a cache in front of a slow "backend", and
//! a registry that (deliberately, when asked) never forgets.

use std::collections::HashMap;

/// Sums the comma-separated integers of `line`, skipping what does not parse.
pub fn sum_fields(line: &str) -> i64 {
    line.split(',')
        .filter_map(|f| f.trim().parse::<i64>().ok())
        .sum()
}

/// The fields of `line` as owned strings (allocates one `String` per field plus the `Vec`).
pub fn owned_fields(line: &str) -> Vec<String> {
    line.split(',').map(|f| f.trim().to_owned()).collect()
}

/// A read-through cache; `backend` is called on a miss.
pub struct Cache {
    entries: HashMap<u64, u64>,
}

impl Default for Cache {
    fn default() -> Self {
        Self::new()
    }
}

impl Cache {
    pub fn new() -> Cache {
        Cache {
            entries: HashMap::new(),
        }
    }

    pub fn get(&mut self, key: u64, backend: impl FnOnce(u64) -> u64) -> u64 {
        *self.entries.entry(key).or_insert_with(|| backend(key))
    }
}
