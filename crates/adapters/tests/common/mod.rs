//! Helpers shared by the adapters' tests: finding benchmarks and metrics in a parse result.

#![allow(dead_code)]

use std::collections::BTreeMap;

use benchgate_adapters::Parsed;
use benchgate_model::{Benchmark, Measure, Metric, Status};

/// The benchmark called `name`; fails the test naming the ones there are.
pub fn bench<'a>(p: &'a Parsed, name: &str) -> &'a Benchmark {
    p.benchmarks
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no benchmark {name:?} in {:?}", names(p)))
}

/// The names of the benchmarks, in order.
pub fn names(p: &Parsed) -> Vec<&str> {
    p.benchmarks.iter().map(|b| b.name.as_str()).collect()
}

/// The metric of the measure named `measure` (`wall_time`, `allocs`, a custom name).
pub fn metric<'a>(b: &'a Benchmark, measure: &str) -> &'a Metric {
    b.metric(&Measure::parse(measure))
        .unwrap_or_else(|| panic!("{} has no {measure}", b.name))
}

/// A string map from pairs, for params and labels.
pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn failed(message: &str) -> Status {
    Status::Failed {
        message: message.into(),
    }
}
