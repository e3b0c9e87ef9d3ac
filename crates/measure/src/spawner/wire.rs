//! The spawner's protocol: one request, one reply, each a frame on a pipe (`u32` little-endian
//! body length, then the body). Sizes are bounded on both sides: the sender refuses to build a
//! frame over the limit (a clear error), and a receiver that sees one anyway treats the stream as
//! broken.
//!
//! Request `TAG_RUN`: flags `u8`, generation `u64`, timeout in ns `u64` (0: none), [keep key
//! `u64`], program path, [cwd], [stdin path], argc `u32` and the arguments (argv\[0\] first), envc
//! `u32` and per change the name, a `u8` (1: set, 0: remove) and for a set the value. Strings are
//! `u32` length plus bytes. With a keep key (a `setup` command), what the program leaves running
//! is kept under that key instead of killed (see [`crate::leftovers`]). Reply `TAG_RAN`: outcome
//! kind `u8` and code `i32`, wall, user and sys time in ns and max RSS in bytes (`u64` each),
//! leftover processes killed (`u32`), stderr tail; or `TAG_FAILED`: kind `u8`, errno `i32` (0:
//! none), message.
//!
//! With `FLAG_STDOUT` the request carries, after the stdin path, a file to open (append) as the
//! program's stdout (the main process's capture file, by its `/proc/PID/fd/N` name). With
//! `FLAG_REPORT_PID` the spawner first sends a `TAG_STARTED` frame (pid `i32`, 0 if nothing
//! started: 9 bytes in all, so the main process reads exactly it) and then the reply.
//!
//! Request `TAG_RELEASE`: a keep key `u64`: kill what is kept under it. Reply `TAG_RELEASED`: how
//! many processes that was (`u32`).

use std::io::{self, Read};

use crate::Outcome;

/// Largest request body: a program path, its arguments, working directory, stdin path and
/// environment changes. Far above any real command line (a single argument may not exceed
/// 128 KiB on Linux anyway).
pub(crate) const MAX_REQUEST: usize = 1 << 20;
/// Largest reply body (the stderr tail is ≤ 2 KiB before lossy UTF-8 conversion).
pub(crate) const MAX_REPLY: usize = 16 << 10;
/// Receive buffers start at this size, and are cut back to it after a larger message so one huge
/// command line does not keep the spawner's resident set up.
pub(crate) const BUF_INITIAL: usize = 4 << 10;
pub(crate) const BUF_KEEP: usize = 64 << 10;

pub(crate) const TAG_RUN: u8 = 1;
pub(crate) const TAG_RELEASE: u8 = 2;
pub(crate) const TAG_RAN: u8 = 1;
pub(crate) const TAG_FAILED: u8 = 2;
pub(crate) const TAG_RELEASED: u8 = 3;
pub(crate) const TAG_STARTED: u8 = 4;
/// A whole `TAG_STARTED` frame: length, tag, pid.
pub(crate) const STARTED_FRAME: usize = 4 + 1 + 4;

pub(crate) const FLAG_TAIL_ON_FAILURE: u8 = 1;
pub(crate) const FLAG_SHOW_OUTPUT: u8 = 2;
pub(crate) const FLAG_CWD: u8 = 4;
pub(crate) const FLAG_STDIN: u8 = 8;
pub(crate) const FLAG_KEEP: u8 = 16;
pub(crate) const FLAG_STDOUT: u8 = 32;
pub(crate) const FLAG_REPORT_PID: u8 = 64;

/// The `TAG_STARTED` frame for `pid`.
pub(crate) fn encode_started(pid: i32) -> [u8; STARTED_FRAME] {
    let mut frame = [0u8; STARTED_FRAME];
    frame[..4].copy_from_slice(&5u32.to_le_bytes());
    frame[4] = TAG_STARTED;
    frame[5..].copy_from_slice(&pid.to_le_bytes());
    frame
}

/// The pid of a `TAG_STARTED` frame (0: nothing started); `Err` if it is not one.
pub(crate) fn decode_started(frame: &[u8; STARTED_FRAME]) -> Result<i32, Malformed> {
    if frame[..4] != 5u32.to_le_bytes() || frame[4] != TAG_STARTED {
        return Err(Malformed);
    }
    Ok(i32::from_le_bytes([frame[5], frame[6], frame[7], frame[8]]))
}

/// Why a frame could not be read.
#[derive(Debug)]
pub(crate) enum FrameError {
    Io(io::Error),
    /// The announced body is over the limit: the peer is out of protocol.
    TooLarge(usize),
    /// End of stream in the middle of a frame.
    Truncated,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Io(e) => write!(f, "{e}"),
            FrameError::TooLarge(n) => write!(f, "a message announced {n} bytes"),
            FrameError::Truncated => f.write_str("a message was cut short"),
        }
    }
}

/// Reads one frame into `buf` (grown as needed, never past `limit` + 4) and returns its body;
/// `Ok(None)` at a clean end of stream. There is never more than one frame in flight, so a read
/// may ask for as much as the buffer holds.
pub(crate) fn read_frame<'b>(
    r: &mut impl Read,
    buf: &'b mut Vec<u8>,
    limit: usize,
) -> Result<Option<&'b [u8]>, FrameError> {
    if buf.len() < BUF_INITIAL {
        buf.resize(BUF_INITIAL, 0);
    }
    let mut filled = 0;
    while filled < 4 {
        match r.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    let len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if len > limit {
        return Err(FrameError::TooLarge(len));
    }
    let end = len + 4;
    if filled > end {
        // More than one frame: the peer does not wait for replies.
        return Err(FrameError::Truncated);
    }
    if buf.len() < end {
        buf.resize(end, 0);
    }
    while filled < end {
        match r.read(&mut buf[filled..end]) {
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    Ok(Some(&buf[4..end]))
}

/// After a message: gives memory back if the buffer grew past [`BUF_KEEP`]. Returns whether it
/// did (the caller may then return freed memory to the system).
pub(crate) fn trim_buffer(buf: &mut Vec<u8>) -> bool {
    if buf.capacity() > BUF_KEEP {
        buf.truncate(BUF_INITIAL);
        buf.shrink_to(BUF_INITIAL);
        true
    } else {
        false
    }
}

/// Starts a frame in `buf` (a placeholder for the length).
pub(crate) fn begin(buf: &mut Vec<u8>, tag: u8) {
    buf.clear();
    buf.extend_from_slice(&[0; 4]);
    buf.push(tag);
}

/// Writes the body length of the frame in `buf`. `Err(body size)` if it is over `limit`.
pub(crate) fn finish(buf: &mut [u8], limit: usize) -> Result<(), usize> {
    let len = buf.len().saturating_sub(4);
    let Ok(len32) = u32::try_from(len) else {
        return Err(len);
    };
    if len > limit {
        return Err(len);
    }
    buf[..4].copy_from_slice(&len32.to_le_bytes());
    Ok(())
}

pub(crate) fn put_u8(buf: &mut Vec<u8>, v: u8) {
    buf.push(v);
}

pub(crate) fn put_u32(buf: &mut Vec<u8>, v: u32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_i32(buf: &mut Vec<u8>, v: i32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// A string: `u32` length, then the bytes. Longer than `u32::MAX` cannot pass the frame limit;
/// such a length is written saturated and the frame is refused by [`finish`].
pub(crate) fn put_bytes(buf: &mut Vec<u8>, v: &[u8]) {
    put_u32(buf, u32::try_from(v.len()).unwrap_or(u32::MAX));
    buf.extend_from_slice(v);
}

/// A body that ended early or holds an impossible value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Reads a body front to back, borrowing strings from it.
#[derive(Clone)]
pub(crate) struct Dec<'a> {
    rest: &'a [u8],
}

impl<'a> Dec<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Self {
        Dec { rest: body }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if self.rest.len() < n {
            return Err(Malformed);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, Malformed> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Malformed> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

/// One program to start, as the main process describes it.
pub(crate) struct RunSpec<'a> {
    /// Bumped for each runner, so the spawner re-opens the stdin file of a new one.
    pub generation: u64,
    pub timeout_ns: u64,
    /// A `setup` command's key: keep what it leaves running (0: kill it, as after others).
    pub keep: u64,
    pub tail_on_failure: bool,
    pub show_output: bool,
    pub path: &'a [u8],
    pub argv: &'a [&'a [u8]],
    pub cwd: Option<&'a [u8]>,
    pub stdin: Option<&'a [u8]>,
    /// A file to open (append) as stdout instead of /dev/null or ours.
    pub stdout: Option<&'a [u8]>,
    /// Send a `TAG_STARTED` frame with the child's pid before the reply.
    pub report_pid: bool,
    /// Changes to the spawner's environment: `(name, Some(value))` sets, `(name, None)` removes.
    pub env: &'a [(&'a [u8], Option<&'a [u8]>)],
}

/// Encodes a complete request frame into `buf`. `Err(body size)` if it is over [`MAX_REQUEST`].
pub(crate) fn encode_run(buf: &mut Vec<u8>, spec: &RunSpec<'_>) -> Result<(), usize> {
    begin(buf, TAG_RUN);
    let mut flags = 0;
    if spec.tail_on_failure {
        flags |= FLAG_TAIL_ON_FAILURE;
    }
    if spec.show_output {
        flags |= FLAG_SHOW_OUTPUT;
    }
    if spec.cwd.is_some() {
        flags |= FLAG_CWD;
    }
    if spec.stdin.is_some() {
        flags |= FLAG_STDIN;
    }
    if spec.keep != 0 {
        flags |= FLAG_KEEP;
    }
    if spec.stdout.is_some() {
        flags |= FLAG_STDOUT;
    }
    if spec.report_pid {
        flags |= FLAG_REPORT_PID;
    }
    put_u8(buf, flags);
    put_u64(buf, spec.generation);
    put_u64(buf, spec.timeout_ns);
    if spec.keep != 0 {
        put_u64(buf, spec.keep);
    }
    put_bytes(buf, spec.path);
    if let Some(cwd) = spec.cwd {
        put_bytes(buf, cwd);
    }
    if let Some(stdin) = spec.stdin {
        put_bytes(buf, stdin);
    }
    if let Some(stdout) = spec.stdout {
        put_bytes(buf, stdout);
    }
    put_u32(buf, u32::try_from(spec.argv.len()).unwrap_or(u32::MAX));
    for arg in spec.argv {
        put_bytes(buf, arg);
    }
    put_u32(buf, u32::try_from(spec.env.len()).unwrap_or(u32::MAX));
    for (name, value) in spec.env {
        put_bytes(buf, name);
        match value {
            Some(v) => {
                put_u8(buf, 1);
                put_bytes(buf, v);
            }
            None => put_u8(buf, 0),
        }
    }
    finish(buf, MAX_REQUEST)
}

/// Encodes a complete `TAG_RELEASE` frame into `buf`.
pub(crate) fn encode_release(buf: &mut Vec<u8>, key: u64) {
    begin(buf, TAG_RELEASE);
    put_u64(buf, key);
    // 9 bytes.
    let _ = finish(buf, MAX_REQUEST);
}

/// A decoded request.
pub(crate) enum Request<'a> {
    Run(RunRequest<'a>),
    /// Kill what is kept under this key.
    Release {
        key: u64,
    },
}

impl<'a> Request<'a> {
    pub(crate) fn decode(body: &'a [u8]) -> Result<Self, Malformed> {
        match body.first() {
            Some(&TAG_RUN) => RunRequest::decode(body).map(Request::Run),
            Some(&TAG_RELEASE) => {
                let mut d = Dec::new(&body[1..]);
                let key = d.u64()?;
                if !d.is_empty() {
                    return Err(Malformed);
                }
                Ok(Request::Release { key })
            }
            _ => Err(Malformed),
        }
    }
}

/// A decoded run request, borrowing from the receive buffer (nothing is copied).
pub(crate) struct RunRequest<'a> {
    pub generation: u64,
    pub timeout_ns: u64,
    /// 0: none.
    pub keep: u64,
    pub tail_on_failure: bool,
    pub show_output: bool,
    pub path: &'a [u8],
    pub cwd: Option<&'a [u8]>,
    pub stdin: Option<&'a [u8]>,
    pub stdout: Option<&'a [u8]>,
    pub report_pid: bool,
    argv: Strings<'a>,
    env: Dec<'a>,
    envc: u32,
}

/// `count` strings in a row.
#[derive(Clone)]
pub(crate) struct Strings<'a> {
    dec: Dec<'a>,
    left: u32,
}

impl<'a> Iterator for Strings<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // Validated when the request was decoded.
        self.dec.bytes().ok()
    }
}

impl<'a> RunRequest<'a> {
    pub(crate) fn decode(body: &'a [u8]) -> Result<Self, Malformed> {
        let mut d = Dec::new(body);
        if d.u8()? != TAG_RUN {
            return Err(Malformed);
        }
        let flags = d.u8()?;
        let generation = d.u64()?;
        let timeout_ns = d.u64()?;
        let keep = if flags & FLAG_KEEP != 0 { d.u64()? } else { 0 };
        let path = d.bytes()?;
        let cwd = if flags & FLAG_CWD != 0 {
            Some(d.bytes()?)
        } else {
            None
        };
        let stdin = if flags & FLAG_STDIN != 0 {
            Some(d.bytes()?)
        } else {
            None
        };
        let stdout = if flags & FLAG_STDOUT != 0 {
            Some(d.bytes()?)
        } else {
            None
        };
        let argc = d.u32()?;
        let argv = Strings {
            dec: d.clone(),
            left: argc,
        };
        for _ in 0..argc {
            d.bytes()?;
        }
        let envc = d.u32()?;
        let env = d.clone();
        for _ in 0..envc {
            d.bytes()?;
            if d.u8()? != 0 {
                d.bytes()?;
            }
        }
        if !d.is_empty() {
            return Err(Malformed);
        }
        Ok(RunRequest {
            generation,
            timeout_ns,
            keep,
            tail_on_failure: flags & FLAG_TAIL_ON_FAILURE != 0,
            show_output: flags & FLAG_SHOW_OUTPUT != 0,
            path,
            cwd,
            stdin,
            stdout,
            report_pid: flags & FLAG_REPORT_PID != 0,
            argv,
            env,
            envc,
        })
    }

    /// The arguments, argv\[0\] first.
    pub(crate) fn argv(&self) -> Strings<'a> {
        self.argv.clone()
    }

    /// The environment changes: `(name, Some(value))` to set, `(name, None)` to remove.
    pub(crate) fn env(&self) -> impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)> + use<'a> {
        let mut d = self.env.clone();
        (0..self.envc).map_while(move |_| {
            let name = d.bytes().ok()?;
            let value = match d.u8().ok()? {
                0 => None,
                _ => Some(d.bytes().ok()?),
            };
            Some((name, value))
        })
    }
}

/// What went wrong in the spawner, for the main process to turn into a [`crate::MeasureError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailKind {
    /// Starting the program failed (`MeasureError::Spawn`).
    Spawn = 1,
    /// The stdin file could not be opened (`MeasureError::Stdin`).
    Stdin = 2,
    /// Another OS failure while running (`MeasureError::Io`).
    Io = 3,
    /// The request could not be decoded.
    Protocol = 4,
}

impl FailKind {
    fn from_u8(v: u8) -> Result<Self, Malformed> {
        Ok(match v {
            1 => FailKind::Spawn,
            2 => FailKind::Stdin,
            3 => FailKind::Io,
            4 => FailKind::Protocol,
            _ => return Err(Malformed),
        })
    }
}

/// A decoded reply.
#[derive(Debug, PartialEq)]
pub(crate) enum Reply<'a> {
    Ran {
        outcome: Outcome,
        wall_ns: u64,
        user_ns: u64,
        sys_ns: u64,
        max_rss_bytes: u64,
        /// Processes the run left running, killed and reaped after it.
        leftovers: u32,
        stderr_tail: &'a [u8],
    },
    Failed {
        kind: FailKind,
        /// `errno`, 0 when the failure had none.
        errno: i32,
        message: &'a [u8],
    },
    /// After a release: the processes killed.
    Released { leftovers: u32 },
}

fn outcome_parts(outcome: Outcome) -> (u8, i32) {
    match outcome {
        Outcome::Exited(code) => (0, code),
        Outcome::Signaled(sig) => (1, sig),
        Outcome::TimedOut => (2, 0),
    }
}

impl Reply<'_> {
    /// Encodes a complete reply frame into `buf`; a tail too long for [`MAX_REPLY`] is cut
    /// from the front (it never is: tails are ≤ 2 KiB).
    pub(crate) fn encode(&self, buf: &mut Vec<u8>) {
        match *self {
            Reply::Ran {
                outcome,
                wall_ns,
                user_ns,
                sys_ns,
                max_rss_bytes,
                leftovers,
                stderr_tail,
            } => {
                begin(buf, TAG_RAN);
                let (kind, code) = outcome_parts(outcome);
                put_u8(buf, kind);
                put_i32(buf, code);
                put_u64(buf, wall_ns);
                put_u64(buf, user_ns);
                put_u64(buf, sys_ns);
                put_u64(buf, max_rss_bytes);
                put_u32(buf, leftovers);
                let room = MAX_REPLY - (buf.len() - 4) - 4;
                put_bytes(buf, &stderr_tail[stderr_tail.len().saturating_sub(room)..]);
            }
            Reply::Failed {
                kind,
                errno,
                message,
            } => {
                begin(buf, TAG_FAILED);
                put_u8(buf, kind as u8);
                put_i32(buf, errno);
                let room = MAX_REPLY - (buf.len() - 4) - 4;
                put_bytes(buf, &message[..message.len().min(room)]);
            }
            Reply::Released { leftovers } => {
                begin(buf, TAG_RELEASED);
                put_u32(buf, leftovers);
            }
        }
        // Both bodies were cut to fit.
        let _ = finish(buf, MAX_REPLY);
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Reply<'_>, Malformed> {
        let mut d = Dec::new(body);
        let reply = match d.u8()? {
            TAG_RAN => {
                let kind = d.u8()?;
                let code = d.i32()?;
                let outcome = match kind {
                    0 => Outcome::Exited(code),
                    1 => Outcome::Signaled(code),
                    2 => Outcome::TimedOut,
                    _ => return Err(Malformed),
                };
                Reply::Ran {
                    outcome,
                    wall_ns: d.u64()?,
                    user_ns: d.u64()?,
                    sys_ns: d.u64()?,
                    max_rss_bytes: d.u64()?,
                    leftovers: d.u32()?,
                    stderr_tail: d.bytes()?,
                }
            }
            TAG_FAILED => Reply::Failed {
                kind: FailKind::from_u8(d.u8()?)?,
                errno: d.i32()?,
                message: d.bytes()?,
            },
            TAG_RELEASED => Reply::Released {
                leftovers: d.u32()?,
            },
            _ => return Err(Malformed),
        };
        if !d.is_empty() {
            return Err(Malformed);
        }
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_requests_round_trip() {
        let mut buf = Vec::new();
        let argv: [&[u8]; 3] = [b"sh", b"-c", b"exit 3"];
        let env: [(&[u8], Option<&[u8]>); 2] = [(b"A", Some(b"1")), (b"B", None)];
        let spec = RunSpec {
            generation: 7,
            timeout_ns: 1_500_000_000,
            keep: 0,
            tail_on_failure: true,
            show_output: false,
            path: b"/bin/sh",
            argv: &argv,
            cwd: Some(b"/tmp"),
            stdin: None,
            stdout: Some(b"/proc/1/fd/5"),
            report_pid: true,
            env: &env,
        };
        encode_run(&mut buf, &spec).unwrap();
        let body = read_frame(&mut &buf[..], &mut Vec::new(), MAX_REQUEST)
            .unwrap()
            .unwrap()
            .to_vec();
        let Ok(Request::Run(req)) = Request::decode(&body) else {
            panic!("not a run request");
        };
        assert_eq!(req.generation, 7);
        assert_eq!(req.timeout_ns, 1_500_000_000);
        assert_eq!(req.keep, 0);
        assert!(req.tail_on_failure && !req.show_output);
        assert_eq!(req.path, b"/bin/sh");
        assert_eq!(req.cwd, Some(&b"/tmp"[..]));
        assert_eq!(req.stdin, None);
        assert_eq!(req.stdout, Some(&b"/proc/1/fd/5"[..]));
        assert!(req.report_pid);
        assert_eq!(req.argv().collect::<Vec<_>>(), argv);
        assert_eq!(req.env().collect::<Vec<_>>(), env);
        // Every cut is refused, never misread.
        for cut in 0..body.len() {
            assert!(Request::decode(&body[..cut]).is_err(), "{cut}");
        }

        // A setup command's: its keep key comes back.
        let setup = RunSpec { keep: 42, ..spec };
        encode_run(&mut buf, &setup).unwrap();
        let body = read_frame(&mut &buf[..], &mut Vec::new(), MAX_REQUEST)
            .unwrap()
            .unwrap()
            .to_vec();
        let Ok(Request::Run(req)) = Request::decode(&body) else {
            panic!("not a run request");
        };
        assert_eq!((req.keep, req.timeout_ns), (42, 1_500_000_000));
        assert_eq!(req.argv().collect::<Vec<_>>(), argv);
        for cut in 0..body.len() {
            assert!(Request::decode(&body[..cut]).is_err(), "{cut}");
        }

        // A release.
        encode_release(&mut buf, u64::MAX - 1);
        let body = read_frame(&mut &buf[..], &mut Vec::new(), MAX_REQUEST)
            .unwrap()
            .unwrap()
            .to_vec();
        assert!(matches!(
            Request::decode(&body),
            Ok(Request::Release { key }) if key == u64::MAX - 1
        ));
        for cut in 0..body.len() {
            assert!(Request::decode(&body[..cut]).is_err(), "{cut}");
        }
        let mut longer = body.clone();
        longer.push(0);
        assert!(Request::decode(&longer).is_err());
    }

    #[test]
    fn oversized_requests_are_refused_by_the_sender_and_the_receiver() {
        let big = vec![b'x'; MAX_REQUEST];
        let argv: [&[u8]; 1] = [&big];
        let spec = RunSpec {
            generation: 0,
            timeout_ns: 0,
            keep: 0,
            tail_on_failure: false,
            show_output: false,
            path: b"/bin/true",
            argv: &argv,
            cwd: None,
            stdin: None,
            stdout: None,
            report_pid: false,
            env: &[],
        };
        let mut buf = Vec::new();
        let size = encode_run(&mut buf, &spec).unwrap_err();
        assert!(size > MAX_REQUEST);
        let mut frame = u32::try_from(MAX_REQUEST + 1)
            .unwrap()
            .to_le_bytes()
            .to_vec();
        frame.resize(MAX_REQUEST + 5, 0);
        assert!(matches!(
            read_frame(&mut &frame[..], &mut Vec::new(), MAX_REQUEST),
            Err(FrameError::TooLarge(_))
        ));
    }

    #[test]
    fn replies_round_trip_and_frames_end_cleanly_or_not_at_all() {
        let mut buf = Vec::new();
        let ran = Reply::Ran {
            outcome: Outcome::Signaled(9),
            wall_ns: 1,
            user_ns: 2,
            sys_ns: 3,
            max_rss_bytes: 4096,
            leftovers: 2,
            stderr_tail: b"oops",
        };
        ran.encode(&mut buf);
        let mut rbuf = Vec::new();
        let body = read_frame(&mut &buf[..], &mut rbuf, MAX_REPLY)
            .unwrap()
            .unwrap();
        assert_eq!(Reply::decode(body).unwrap(), ran);
        let failed = Reply::Failed {
            kind: FailKind::Spawn,
            errno: libc::ENOENT,
            message: b"",
        };
        failed.encode(&mut buf);
        let body = read_frame(&mut &buf[..], &mut rbuf, MAX_REPLY)
            .unwrap()
            .unwrap();
        assert_eq!(Reply::decode(body).unwrap(), failed);
        let released = Reply::Released { leftovers: 3 };
        released.encode(&mut buf);
        let body = read_frame(&mut &buf[..], &mut rbuf, MAX_REPLY)
            .unwrap()
            .unwrap();
        assert_eq!(Reply::decode(body).unwrap(), released);
        assert!(Reply::decode(&body[..body.len() - 1]).is_err());
        // End of stream: clean between frames, an error inside one.
        assert!(matches!(
            read_frame(&mut &b""[..], &mut rbuf, MAX_REPLY),
            Ok(None)
        ));
        assert!(matches!(
            read_frame(&mut &buf[..buf.len() - 1], &mut rbuf, MAX_REPLY),
            Err(FrameError::Truncated)
        ));
        // The pid announcement is a fixed-size frame.
        let started = encode_started(4242);
        assert_eq!(decode_started(&started), Ok(4242));
        let mut other = started;
        other[4] = TAG_RAN;
        assert_eq!(decode_started(&other), Err(Malformed));
        // A long tail is cut to fit, keeping its end.
        let long = vec![b'y'; MAX_REPLY * 2];
        Reply::Ran {
            outcome: Outcome::Exited(1),
            wall_ns: 0,
            user_ns: 0,
            sys_ns: 0,
            max_rss_bytes: 0,
            leftovers: 0,
            stderr_tail: &long,
        }
        .encode(&mut buf);
        assert_eq!(buf.len(), MAX_REPLY + 4);
    }
}
