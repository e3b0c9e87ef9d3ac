//! `benchgate serve`: the team server (benchgate-server) over the store `--db` names, as a
//! process that scripts and services start, read the address of, and stop.
//!
//! Standard output carries one line, for scripts: `listening on http://ADDR` once the socket is
//! bound (flushed at once). SIGINT or SIGTERM stops it: requests in flight get a grace period.

use std::net::SocketAddr;

use anyhow::Context;
use benchgate_model::Outcome;
use clap::Args;
use tokio::signal::unix::{SignalKind, signal};

use crate::cli::GlobalArgs;
use crate::output::{eprint_line, print};

/// How long requests in flight may take to finish once asked to stop; then they are dropped.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen, IP:PORT; port 0 picks a free port (read it from the first line).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080", value_parser = crate::commands::mock_backend::parse_listen)]
    pub listen: SocketAddr,
    /// Reads need a token too (a read or write one, `benchgate token create`); by default
    /// anyone may read and only writes need a write token.
    #[arg(long)]
    pub private: bool,
    /// Judge with FILE's [gate] and budgets (comparisons, verdicts, the dashboard's list), and
    /// draw the budgets' bounds on the dashboard's history charts; without it, the defaults.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
}

pub fn execute(args: &ServeArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    // Read and opened (created and migrated) before anything is bound: a bad --config or --db
    // never listens.
    let config = match &args.config {
        Some(path) => benchgate_server::LoadedConfig::load(path)?,
        None => benchgate_server::LoadedConfig::default(),
    };
    let store = benchgate_server::open_store(&global.db)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("serve")
        .build()
        .context("cannot start the server's runtime")?;
    // The last reference to the store is dropped here, after the runtime: closing a
    // PostgreSQL store blocks, which an async worker must not do.
    runtime.block_on(serve(
        args,
        std::sync::Arc::clone(&store),
        std::sync::Arc::new(config),
        global,
    ))?;
    Ok(Outcome::Passed)
}

async fn serve(
    args: &ServeArgs,
    store: std::sync::Arc<dyn benchgate_store::Store>,
    config: std::sync::Arc<benchgate_server::LoadedConfig>,
    global: &GlobalArgs,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener
        .local_addr()
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    // Before the first line: a script may signal as soon as it reads it.
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let backend = store.backend();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let access = if args.private {
        benchgate_server::ReadAccess::Private
    } else {
        benchgate_server::ReadAccess::Public
    };
    let server = tokio::spawn(benchgate_server::serve(
        listener,
        store,
        access,
        config,
        async {
            let _ = stopped.await;
        },
    ));
    if !global.quiet {
        eprint_line(&format!(
            "serving the {backend} store on http://{addr}/api/v1 (GET /api/v1/openapi.json lists \
             the endpoints); SIGINT or SIGTERM stops it"
        ));
    }
    print(&format!("listening on http://{addr}\n"))?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    let _ = stop.send(());
    // Requests still in flight after the grace period are dropped with the runtime.
    if let Ok(finished) = tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        finished
            .context("the server stopped abnormally")?
            .context("the server failed")?;
    }
    Ok(())
}
