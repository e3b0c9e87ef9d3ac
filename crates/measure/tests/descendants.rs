//! MemorySampler::start_descendants_of_self: the processes this one started, not itself. Alone
//! in its test binary, so no other test's children are counted.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use benchgate_measure::{MemoryOptions, MemorySampler};

#[test]
fn children_are_sampled_and_this_process_is_not() {
    // This process holds 200 MiB (touched): none of it may be counted.
    let held = vec![1u8; 200 << 20];
    // The interpreter itself: a `python3` on PATH may be a slow shim.
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let interpreter = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let python = |mib: u32| {
        // Says when it holds its memory, then keeps it a while.
        let script = format!(
            "import sys, time; b = bytearray({mib} << 20); print('ready', flush=True); time.sleep(3)"
        );
        Command::new(&interpreter)
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let sampler = MemorySampler::start_descendants_of_self(MemoryOptions {
        every: Duration::from_millis(20),
        ..MemoryOptions::default()
    })
    .unwrap();
    // Its first readings come before any child exists.
    std::thread::sleep(Duration::from_millis(100));
    let mut children = [python(30), python(30)];
    let mut sleeper = Command::new("sleep").arg("2").spawn().unwrap();
    for child in &mut children {
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "ready\n");
    }
    // Several readings while both hold their memory.
    std::thread::sleep(Duration::from_millis(200));
    let series = sampler.stop();
    for child in children.iter_mut().chain([&mut sleeper]) {
        let _ = child.kill();
        child.wait().unwrap();
    }
    std::hint::black_box(&held);

    // Before the children started: nothing.
    assert_eq!(series.samples[0].memory.processes, 0, "{series:?}");
    assert_eq!(series.samples[0].memory.rss_bytes, 0);
    // The two interpreters and `sleep`.
    let most = series.samples.iter().map(|s| s.memory.processes).max();
    assert_eq!(most, Some(3), "{series:?}");
    assert!(
        series.peak_rss_bytes >= 60 << 20,
        "{}",
        series.peak_rss_bytes
    );
    assert!(
        series.peak_rss_bytes < 200 << 20,
        "this process's 200 MiB counted: {}",
        series.peak_rss_bytes
    );
}
