//! Cancellation and `statement_timeout` for one statement, from planning to its last row.
//!
//! A statement's work happens in two phases: the session plans (and, for writes, runs) it,
//! then the wire layer pulls result rows from a stream. [`StatementGuard`] covers both:
//! [`StatementGuard::run`] races the first phase against a CancelRequest and the
//! deadline, and [`StatementGuard::wrap`] moves the same guard into the result stream,
//! which checks it before every batch. DataFusion's cooperative operators return
//! `Pending` when the task's budget is spent, so even a CPU-bound scan gives the guard a
//! chance to fire.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::DataFusionError;
use datafusion::execution::{RecordBatchStream, SendableRecordBatchStream};
use futures::Stream;
use futures::channel::oneshot;
use quiverdb_catalog::{Error, ErrorCode};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Watches one statement for a cancel request and its deadline.
pub struct StatementGuard {
    cancel: Option<oneshot::Receiver<()>>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StatementGuard {
    /// A guard fired by `cancel` or after `timeout_ms` (0: no timeout).
    pub fn new(cancel: Option<oneshot::Receiver<()>>, timeout_ms: u64) -> Self {
        let deadline = (timeout_ms > 0).then(|| Box::pin(tokio::time::sleep(Duration::from_millis(timeout_ms))));
        StatementGuard { cancel, deadline }
    }

    /// Ready with the error to report once the statement must stop.
    fn poll_interrupt(&mut self, cx: &mut Context<'_>) -> Poll<Error> {
        if let Some(rx) = &mut self.cancel {
            match Pin::new(rx).poll(cx) {
                Poll::Ready(Ok(())) => {
                    return Poll::Ready(Error::new(ErrorCode::QueryCanceled, "canceling statement due to user request"));
                }
                // The sender went away (the connection started another query): no cancel
                // can reach this statement any more.
                Poll::Ready(Err(_)) => self.cancel = None,
                Poll::Pending => {}
            }
        }
        if let Some(d) = &mut self.deadline
            && d.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Error::new(ErrorCode::QueryCanceled, "canceling statement due to statement timeout"));
        }
        Poll::Pending
    }

    /// Runs `fut` unless the statement is cancelled or times out first.
    pub async fn run<T>(&mut self, fut: impl Future<Output = quiverdb_catalog::Result<T>>) -> quiverdb_catalog::Result<T> {
        let mut fut = std::pin::pin!(fut);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(e) = self.poll_interrupt(cx) {
                return Poll::Ready(Err(e));
            }
            fut.as_mut().poll(cx)
        })
        .await
    }

    /// `stream`, ending with the guard's error if it fires before the stream ends.
    pub fn wrap(self, stream: SendableRecordBatchStream) -> SendableRecordBatchStream {
        Box::pin(GuardedStream { inner: stream, guard: self, done: false })
    }
}

struct GuardedStream {
    inner: SendableRecordBatchStream,
    guard: StatementGuard,
    done: bool,
}

impl Stream for GuardedStream {
    type Item = Result<RecordBatch, DataFusionError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(e) = self.guard.poll_interrupt(cx) {
            self.done = true;
            return Poll::Ready(Some(Err(e.into())));
        }
        self.inner.as_mut().poll_next(cx)
    }
}

impl RecordBatchStream for GuardedStream {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }
}
