//! `cargo bench -p harness-demo` (or `benchgate exec -- cargo bench -p harness-demo`): timing
//! with allocation counts, a parameterised benchmark, a custom counter, a concurrency sweep and a
//! leak check.

use std::sync::Mutex;
use std::time::Duration;

use benchgate_harness::{BatchSize, CountingAllocator, Suite, black_box};
use harness_demo::{Cache, owned_fields, sum_fields};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator::system();

const LINE: &str = "1, 2, 3, 40, 500, 6000, x, 70000";

fn main() {
    let mut suite = Suite::from_args();

    suite.group("parse", |g| {
        g.bench("sum_fields", |b| b.iter(|| sum_fields(black_box(LINE))));
        g.bench("owned_fields", |b| b.iter(|| owned_fields(black_box(LINE))));
    });

    suite.bench_with_inputs("sort", "len", [100usize, 10_000], |b, &n| {
        b.elements(n as u64);
        b.iter_batched(
            || (0..n as u64).rev().collect::<Vec<u64>>(),
            |mut v| {
                v.sort_unstable();
                v
            },
            BatchSize::SmallInput,
        )
    });

    suite.bench("cache/hit_rate", |b| {
        let mut cache = Cache::new();
        let mut key = 0u64;
        b.iter(|| {
            key = (key + 7) % 64;
            cache.get(key, |k| {
                b.count("backend_calls", 1);
                k * 2
            })
        })
    });

    // A "service" that takes ~1 ms: its throughput should grow with the workers.
    suite.concurrent("service", &[1, 4, 16], |_ctx| {
        std::thread::sleep(Duration::from_millis(1));
    });

    suite.leak_check("cache/bounded", 50, |round| {
        let mut cache = Cache::new();
        for k in 0..100 {
            black_box(cache.get(k + round as u64, |k| k));
        }
    });
    static REGISTRY: Mutex<Vec<String>> = Mutex::new(Vec::new());
    if std::env::var_os("DEMO_LEAK").is_some() {
        suite.leak_check("registry/leaky", 50, |round| {
            if let Ok(mut r) = REGISTRY.lock() {
                r.push(format!("{round:01000}"));
            }
        });
    }

    suite.finish();
}
