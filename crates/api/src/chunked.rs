//! A response body produced chunk by chunk from an iterator, so a large answer is
//! encoded as it is sent rather than held whole.

use axum::body::{Body, Bytes};
use http_body::Frame;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The chunks of `chunks`, each produced only when the previous one was taken.
pub fn body_from_chunks<I>(chunks: I) -> Body
where
    I: Iterator<Item = Bytes> + Send + Unpin + 'static,
{
    Body::new(Chunks(chunks))
}

struct Chunks<I>(I);

impl<I: Iterator<Item = Bytes> + Unpin> http_body::Body for Chunks<I> {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.next().map(|chunk| Ok(Frame::data(chunk))))
    }
}
