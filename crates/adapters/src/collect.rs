//! Building canonical benchmarks from results read one at a time: repeated results of one
//! benchmark (Go's `-count`, Google Benchmark's repetitions) become samples of one metric, in the
//! order they were read, and every benchmark keeps the position it was first seen at.

use std::collections::{BTreeMap, HashMap};

use benchgate_model::{Benchmark, Direction, Measure, Metric, Status, Unit};

/// Benchmarks in first-seen order, found by name.
#[derive(Debug, Default)]
pub(crate) struct Benches {
    list: Vec<BenchBuilder>,
    index: HashMap<String, usize>,
}

impl Benches {
    /// The benchmark called `name`, created (empty, `ok`) if it was not seen yet; the flag says
    /// whether it was created.
    pub fn entry(&mut self, name: &str) -> (&mut BenchBuilder, bool) {
        let (i, created) = match self.index.get(name) {
            Some(&i) => (i, false),
            None => {
                let i = self.list.len();
                self.list.push(BenchBuilder::new(name));
                self.index.insert(name.to_string(), i);
                (i, true)
            }
        };
        // `i` indexes `list` by construction.
        (&mut self.list[i], created)
    }

    pub fn into_benchmarks(self) -> Vec<Benchmark> {
        self.list.into_iter().map(BenchBuilder::build).collect()
    }
}

/// One benchmark being assembled.
#[derive(Debug, Clone)]
pub(crate) struct BenchBuilder {
    pub name: String,
    pub params: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub command: Option<String>,
    pub status: Status,
    pub metrics: Vec<MetricBuilder>,
}

impl BenchBuilder {
    pub fn new(name: &str) -> BenchBuilder {
        BenchBuilder {
            name: name.to_string(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            command: None,
            status: Status::Ok,
            metrics: Vec::new(),
        }
    }

    /// The metric of `measure`, created if new. An existing metric with another unit or direction
    /// is an error (the message says both units).
    pub fn metric(
        &mut self,
        measure: Measure,
        unit: Unit,
        direction: Direction,
    ) -> Result<&mut MetricBuilder, String> {
        match self.metrics.iter().position(|m| m.measure == measure) {
            Some(i) => {
                let m = &mut self.metrics[i];
                if m.unit != unit {
                    return Err(format!(
                        "{} of {} was in {} before, now in {}",
                        measure, self.name, m.unit, unit
                    ));
                }
                if m.direction != direction {
                    return Err(format!(
                        "{} of {} changed which way is better",
                        measure, self.name
                    ));
                }
                Ok(m)
            }
            None => {
                self.metrics
                    .push(MetricBuilder::new(measure, unit, direction));
                let last = self.metrics.len() - 1;
                Ok(&mut self.metrics[last])
            }
        }
    }

    /// The canonical benchmark. Metrics without samples are left out; a benchmark that is `ok`
    /// must therefore have pushed at least one sample to be useful, which the parsers check.
    pub fn build(self) -> Benchmark {
        Benchmark {
            mode: None,
            name: self.name,
            params: self.params,
            labels: self.labels,
            command: self.command,
            status: self.status,
            metrics: self
                .metrics
                .into_iter()
                .filter_map(MetricBuilder::build)
                .collect(),
            series: Vec::new(),
        }
    }
}

/// One metric being assembled: samples in the order read, with the iterations behind each when
/// every sample has them.
#[derive(Debug, Clone)]
pub(crate) struct MetricBuilder {
    pub measure: Measure,
    pub unit: Unit,
    pub direction: Direction,
    pub exact: bool,
    samples: Vec<f64>,
    iterations: Vec<u64>,
    every_sample_has_iterations: bool,
}

impl MetricBuilder {
    fn new(measure: Measure, unit: Unit, direction: Direction) -> MetricBuilder {
        MetricBuilder {
            measure,
            unit,
            direction,
            exact: false,
            samples: Vec::new(),
            iterations: Vec::new(),
            every_sample_has_iterations: true,
        }
    }

    /// Adds a sample (in the metric's canonical unit) and the iterations behind it, if known.
    /// A value that is not finite is refused with a message; nothing is added then.
    pub fn push(&mut self, value: f64, iterations: Option<u64>) -> Result<(), String> {
        if !value.is_finite() {
            return Err(format!("{} is not a finite number", value));
        }
        if let Some(why) = benchgate_model::impossible_value(&self.measure, &self.unit, value) {
            return Err(why);
        }
        self.samples.push(value);
        match iterations {
            Some(n) if self.every_sample_has_iterations => self.iterations.push(n),
            Some(_) => {}
            None => {
                self.every_sample_has_iterations = false;
                self.iterations.clear();
            }
        }
        Ok(())
    }

    pub fn samples(&self) -> &[f64] {
        &self.samples
    }

    fn build(self) -> Option<Metric> {
        let iterations = (self.every_sample_has_iterations && !self.iterations.is_empty())
            .then_some(self.iterations);
        let mut metric =
            Metric::from_samples(self.measure, self.unit, self.direction, self.samples)?;
        metric.exact = self.exact;
        metric.iterations = iterations;
        Some(metric)
    }
}

/// The worse of two statuses, failed over skipped over ok (the first of equals): what one
/// benchmark reported several times, or found in several inputs, is.
pub(crate) fn worse_status(a: Status, b: Status) -> Status {
    let rank = |s: &Status| match s {
        Status::Ok => 0,
        Status::Skipped { .. } => 1,
        Status::Failed { .. } => 2,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

/// `key=value` parts of a `/`-separated benchmark name, the way Go's sub-benchmarks and
/// criterion's parameters spell them: `Decode/size=1k/mode=fast` → {mode: fast, size: 1k}.
pub(crate) fn params_from_name(name: &str) -> BTreeMap<String, String> {
    name.split('/')
        .filter_map(|part| part.split_once('='))
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_results_become_samples_in_first_seen_order() {
        let mut benches = Benches::default();
        for (name, v) in [("b", 1.0), ("a", 2.0), ("b", 3.0)] {
            let (b, _) = benches.entry(name);
            b.metric(
                Measure::WallTime,
                Unit::Nanoseconds,
                Direction::LowerIsBetter,
            )
            .unwrap()
            .push(v, Some(10))
            .unwrap();
        }
        let built = benches.into_benchmarks();
        assert_eq!(built[0].name, "b");
        assert_eq!(built[0].metrics[0].samples, [1.0, 3.0]);
        assert_eq!(
            built[0].metrics[0].iterations.as_deref(),
            Some(&[10, 10][..])
        );
        assert_eq!(built[1].name, "a");
    }

    #[test]
    fn iterations_are_kept_only_when_every_sample_has_them() {
        let mut b = BenchBuilder::new("x");
        let m = b
            .metric(
                Measure::WallTime,
                Unit::Nanoseconds,
                Direction::LowerIsBetter,
            )
            .unwrap();
        m.push(1.0, Some(5)).unwrap();
        m.push(2.0, None).unwrap();
        m.push(3.0, Some(5)).unwrap();
        assert!(m.push(f64::NAN, None).is_err());
        let built = b.build();
        assert_eq!(built.metrics[0].samples, [1.0, 2.0, 3.0]);
        assert_eq!(built.metrics[0].iterations, None);
    }

    #[test]
    fn a_unit_change_is_refused() {
        let mut b = BenchBuilder::new("x");
        b.metric(
            Measure::WallTime,
            Unit::Nanoseconds,
            Direction::LowerIsBetter,
        )
        .unwrap();
        let err = b
            .metric(Measure::WallTime, Unit::Bytes, Direction::LowerIsBetter)
            .unwrap_err();
        assert_eq!(err, "wall_time of x was in ns before, now in B");
    }

    #[test]
    fn params_come_from_key_value_parts() {
        let p = params_from_name("Decode/size=1k/mode=fast/plain");
        assert_eq!(p.len(), 2);
        assert_eq!(p["size"], "1k");
        assert_eq!(p["mode"], "fast");
    }
}
