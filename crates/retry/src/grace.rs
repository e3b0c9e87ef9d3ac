//! Grace-period cancellation: when the caller cancels, work in progress may continue for a grace
//! period (to finish a cleanup cleanly) and is dropped when the period runs out.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// A cancellation signal shared by clones (a small stand-in for tokio-util's
/// `CancellationToken`, on `tokio::sync::watch`). Cancelling is permanent.
#[derive(Debug, Clone)]
pub struct CancelToken {
    sender: Arc<watch::Sender<bool>>,
}

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}

impl CancelToken {
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.sender.borrow()
    }

    /// Resolves once the token is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        let mut receiver = self.sender.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait: an error is
        // impossible here and is treated like a cancellation rather than a hang.
        let _ = receiver.wait_for(|&cancelled| cancelled).await;
    }
}

/// How work run under [`with_grace`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraceOutcome<T> {
    /// Finished before any cancellation.
    Finished(T),
    /// Cancelled, then finished `after_cancel` later, within the grace period.
    FinishedInGrace { value: T, after_cancel: Duration },
    /// Cancelled and still running when the grace period ran out: dropped `grace` after the
    /// cancellation.
    Abandoned { grace: Duration },
}

impl<T> GraceOutcome<T> {
    /// True when the work ran to its end (before or after the cancellation).
    pub fn completed(&self) -> bool {
        !matches!(self, GraceOutcome::Abandoned { .. })
    }

    pub fn into_value(self) -> Option<T> {
        match self {
            GraceOutcome::Finished(value) | GraceOutcome::FinishedInGrace { value, .. } => {
                Some(value)
            }
            GraceOutcome::Abandoned { .. } => None,
        }
    }
}

/// Runs `work` until it finishes; once `cancel` fires, lets it run at most `grace` longer, then
/// drops it (its destructors run at that moment). Work that wants to wind down early can watch a
/// clone of the same token.
pub async fn with_grace<F>(
    cancel: &CancelToken,
    grace: Duration,
    work: F,
) -> GraceOutcome<F::Output>
where
    F: Future,
{
    let mut work = std::pin::pin!(work);
    // `biased`: work that is ready at the same instant as the cancellation counts as finished.
    tokio::select! {
        biased;
        value = &mut work => return GraceOutcome::Finished(value),
        () = cancel.cancelled() => {}
    }
    let cancelled_at = Instant::now();
    match tokio::time::timeout(grace, work).await {
        Ok(value) => GraceOutcome::FinishedInGrace {
            value,
            after_cancel: cancelled_at.elapsed(),
        },
        Err(_elapsed) => GraceOutcome::Abandoned { grace },
    }
}
