//! What a handler leaves of a request body. Go's `net/http` server reads
//! the unread rest of a body (up to `maxPostHandlerReadBytes`) before it
//! writes a response, and lingers after a half-close when the rest is
//! larger, so a client still uploading reads the refusal. hyper closes the
//! connection at once instead, and a client mid-upload then sees a broken
//! pipe rather than the 415, 413 or 401 the real server sends. This module
//! shares the body between the handler and the filter chain, which reads
//! what is left, within a bound, before the response goes out.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures::StreamExt;
use hyper::body::{Frame, SizeHint};

/// The most of an unread body read before answering: past the largest body
/// any handler reads (`MaxRequestBodyBytes`, 3 MiB), where Go's linger
/// would let a client finish its upload.
const MOST: usize = 8 * 1024 * 1024;

/// How long a client that stops mid-body may hold back the answer.
const WAIT: Duration = Duration::from_secs(5);

/// A request body the handler reads while the filter chain keeps a handle
/// on what it leaves.
#[derive(Clone)]
pub(crate) struct SharedBody(Arc<Mutex<Body>>);

impl SharedBody {
    pub(crate) fn new(body: Body) -> Self {
        Self(Arc::new(Mutex::new(body)))
    }

    /// The body for the handler to read.
    pub(crate) fn for_handler(&self) -> Body {
        Body::new(self.clone())
    }

    /// Reads and drops what the handler left, up to [`MOST`] bytes and for
    /// at most [`WAIT`]; past either the connection is closed after the
    /// answer, as Go's server closes it.
    pub(crate) async fn drain(self) {
        let rest = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        let mut stream = rest.into_data_stream();
        let read = async {
            let mut seen = 0usize;
            while let Some(Ok(chunk)) = stream.next().await {
                seen += chunk.len();
                if seen > MOST {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(WAIT, read).await;
    }
}

impl hyper::body::Body for SharedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Pin::new(&mut *body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .size_hint()
    }
}
