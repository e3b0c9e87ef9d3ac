//! The `benchgate` binary: the spawner first, then [`benchgate::run`] on this process's
//! arguments and standard streams.

use std::process::ExitCode;

fn main() -> ExitCode {
    // benchgate-measure's spawner: forked first, while benchgate is one thread and small, it
    // starts every benchmarked process so their max RSS does not include benchgate's own. (In
    // the spawner itself, this same program executed afresh, the call serves and never returns.)
    if let Err(error) = benchgate_measure::start_spawner() {
        eprintln!("warning: {error}; benchmarked processes are started by benchgate itself");
    }
    ExitCode::from(benchgate::run(
        std::env::args_os(),
        &benchgate::Console::process(),
    ))
}
