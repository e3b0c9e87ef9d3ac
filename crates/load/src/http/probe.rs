//! One request before a load: is the target there, what does it speak, is it a simulator? A
//! mistake (wrong port, a server that never answers) is then one clear error naming the URL and
//! address, not a level full of failures.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::Version;
use tokio::net::TcpStream;

use super::engine::{handshake, transport};
use super::target::{HttpTarget, HttpTargetError};
use crate::error_kind::ErrorKind;

/// The header a simulated backend (`benchgate mock-backend`) sends, and its value: one
/// definition, the mock backend's.
pub use benchgate_backend::{MODE_HEADER, MODE_SIMULATED};

/// What the probe's one response said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Any status, 5xx included: the probe reports, the caller decides.
    pub status: u16,
    /// `"HTTP/1.1"` or `"HTTP/2"` (or `"HTTP/1.0"` for an old server).
    pub version: &'static str,
    /// The response carried `x-benchgate-mode: simulated`: runs against it are `mode = simulated`.
    pub simulated: bool,
    /// The probe sent the target's own request (a safe method: GET, HEAD, OPTIONS, TRACE), so
    /// its status is what the load's requests will get. Otherwise it asked OPTIONS of the same
    /// URL: a POST or DELETE is not sent once more than the load sends it (it would store a
    /// duplicate or delete twice), and its answer says only that the server is there.
    pub sent_the_request: bool,
}

/// Why the probe got no response.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Target(#[from] HttpTargetError),
    #[error("cannot start the HTTP client runtime")]
    Runtime(#[source] io::Error),
    /// No response, for the reason `kind` says; `message` names the URL and the address.
    #[error("{message}")]
    Failed { kind: ErrorKind, message: String },
}

impl ProbeError {
    /// The error kind a load's request would have counted (`connect` when the host does not
    /// resolve or the runtime cannot start: nothing could be sent).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ProbeError::Failed { kind, .. } => *kind,
            ProbeError::Target(_) | ProbeError::Runtime(_) => ErrorKind::Connect,
        }
    }
}

/// Sends `target`'s request once (OPTIONS instead when its method is not safe to repeat:
/// [`Probe::sent_the_request`]; HTTP/2 with prior knowledge when the target says so:
/// [`HttpTarget::with_http2`]) and reads the whole response, within `timeout` (connect
/// included), on a small current-thread runtime of its own. Call it outside any tokio runtime.
pub fn probe(target: &HttpTarget, timeout: Duration) -> Result<Probe, ProbeError> {
    let addr = target.resolve()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ProbeError::Runtime)?;
    let url = target.url();
    runtime.block_on(async {
        match tokio::time::timeout(timeout, exchange(target, addr)).await {
            Ok(answer) => answer,
            Err(_) => Err(ProbeError::Failed {
                kind: ErrorKind::Timeout,
                message: format!("no response from {url} ({addr}) within {timeout:?}"),
            }),
        }
    })
}

async fn exchange(target: &HttpTarget, addr: SocketAddr) -> Result<Probe, ProbeError> {
    let url = target.url();
    let cannot_connect = |error: &dyn std::fmt::Display| ProbeError::Failed {
        kind: ErrorKind::Connect,
        message: format!("cannot connect to {url} ({addr}): {error}"),
    };
    let failed = |error: &hyper::Error| {
        let failure = transport(error);
        ProbeError::Failed {
            kind: failure.kind,
            message: format!("no complete response from {url} ({addr}): {failure}"),
        }
    };
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|error| cannot_connect(&error))?;
    let mut sender = handshake(stream, target.is_http2())
        .await
        .map_err(|error| cannot_connect(&error))?;
    let sent_the_request = target.method().is_safe();
    let request = if sent_the_request {
        target.request()
    } else {
        target.options_request()
    };
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| failed(&error))?;
    let status = response.status().as_u16();
    let version = version_name(response.version());
    let simulated = response.headers().get_all(MODE_HEADER).iter().any(|value| {
        value
            .as_bytes()
            .eq_ignore_ascii_case(MODE_SIMULATED.as_bytes())
    });
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|error| failed(&error))?;
    }
    Ok(Probe {
        status,
        version,
        simulated,
        sent_the_request,
    })
}

fn version_name(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

#[cfg(test)]
mod tests {
    use benchgate_model::Mode;

    /// The header's value is the run's mode, spelled as the model spells it: a simulated backend
    /// makes a `mode = simulated` run.
    #[test]
    fn the_mode_header_value_is_the_models_simulated_mode() {
        assert_eq!(super::MODE_SIMULATED, Mode::Simulated.as_str());
        assert_eq!(super::MODE_HEADER, "x-benchgate-mode");
    }
}
