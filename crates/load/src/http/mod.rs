//! HTTP load (feature `http`; HTTP/1.1, or HTTP/2 with prior knowledge): the same levels as the command engine — closed model
//! ([`run_http_closed`]: N keep-alive connections) and open model ([`run_http_open`]: the
//! command engine's [`Schedule`](crate::Schedule), latency from the intended send time) — into
//! the same [`LevelResult`](crate::LevelResult), so metrics, budgets and reports apply unchanged.
//!
//! The runners are the async engine ([`crate::asynchronous`]) with one HTTP request as the
//! operation, so progress ticks ([`HttpClosedLoad::with_progress`]) and the mean number in flight
//! ([`LevelResult::mean_in_flight`](crate::LevelResult::mean_in_flight)) come with them.
//!
//! Client: hyper 1's HTTP/1.1 connection API over `tokio::net::TcpStream` (or its HTTP/2 one
//! with `with_http2(true)`: h2c, prior knowledge, no upgrade), one connection per in-flight slot (per distinct address with a URL list: [`HttpTarget::parse_list`] and
//! `with_targets`, requests round-robin by request number), reopened when the server closes
//! it; a closed-model slot that cannot connect backs off (1 ms doubling to 100 ms) before its
//! next attempt. `http://` only. Errors by kind
//! ([`ErrorKind`](crate::ErrorKind)): `connect` (cannot open a connection), `http:N` (status
//! ≥ 400, one kind per status, like `exit:N`, as k6 counts `http_req_failed`; 1xx–3xx are
//! answers), `timeout` (no
//! complete response within the load's timeout), `reset` (connection reset or closed mid-exchange)
//! and `io` (any other transport or protocol failure). Failed requests are never latency samples.
//!
//! [`probe`] sends one request before a load (OPTIONS instead of a method that is not safe to
//! send once more, such as POST) (on its own small runtime, bounded by a timeout):
//! status, HTTP version, and whether the server says it is a simulator
//! (`x-benchgate-mode: simulated`), or one clear error naming the URL and the address.

mod engine;
mod probe;
mod target;

pub use engine::{
    DEFAULT_TIMEOUT, HttpClosedLoad, HttpLoadError, HttpOpenLoad, HttpRuntime,
    MAX_CONNECTIONS_PER_SLOT, run_http_closed, run_http_open,
};
pub use probe::{MODE_HEADER, MODE_SIMULATED, Probe, ProbeError, probe};
pub use target::{HttpTarget, HttpTargetError, ListDefaults, MAX_URL_LIST_ENTRIES, UrlListError};
