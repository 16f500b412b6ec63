//! A socket wrapper that notes when a request head starts arriving and when bytes last
//! moved, so that a head sent too slowly (counted from its first byte) and a connection
//! idle between requests can be cut off.

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::net::TcpStream;

/// Where the connection is between requests, shared by the socket, the service and the watchdog.
#[derive(Debug)]
pub struct ConnClock {
    epoch: Instant,
    /// A request is being handled (its head is complete).
    in_request: AtomicBool,
    /// Milliseconds after `epoch` (+1) when the pending head's first byte came; 0 = none.
    head_started: AtomicU64,
    /// Milliseconds after `epoch` when bytes were last read or written.
    last_io: AtomicU64,
}

impl ConnClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            in_request: AtomicBool::new(false),
            head_started: AtomicU64::new(0),
            last_io: AtomicU64::new(0),
        })
    }

    fn touch(&self) {
        self.last_io.store(self.now_ms(), Ordering::Release);
    }

    /// Milliseconds the connection has been idle: no request in progress, no head
    /// arriving, and no bytes moving.
    pub fn idle_ms(&self) -> Option<u64> {
        if self.in_request.load(Ordering::Acquire) || self.pending_head_ms().is_some() {
            return None;
        }
        let last = self.last_io.load(Ordering::Acquire);
        Some(self.now_ms().saturating_sub(last))
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Bytes arrived: outside a request they begin a head.
    fn on_read(&self) {
        self.touch();
        if !self.in_request.load(Ordering::Acquire) {
            let now = self.now_ms().saturating_add(1);
            let _ = self
                .head_started
                .compare_exchange(0, now, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    /// A head is complete and its request is being handled.
    pub fn request_started(&self) {
        self.in_request.store(true, Ordering::Release);
        self.head_started.store(0, Ordering::Release);
    }

    /// The response head was produced; what arrives next is the next request.
    pub fn request_finished(&self) {
        self.touch();
        self.in_request.store(false, Ordering::Release);
    }

    /// Milliseconds since the first byte of a head that is still incomplete.
    pub fn pending_head_ms(&self) -> Option<u64> {
        match self.head_started.load(Ordering::Acquire) {
            0 => None,
            started => Some(self.now_ms().saturating_add(1).saturating_sub(started)),
        }
    }
}

/// The client socket, reporting reads to a [`ConnClock`].
pub struct Watched {
    io: TokioIo<TcpStream>,
    clock: Arc<ConnClock>,
}

impl Watched {
    pub fn new(stream: TcpStream, clock: Arc<ConnClock>) -> Self {
        Self {
            io: TokioIo::new(stream),
            clock,
        }
    }
}

impl Read for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) {
            this.clock.on_read();
        }
        result
    }
}

impl Write for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(_))) {
            self.clock.touch();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(_))) {
            self.clock.touch();
        }
        result
    }
}
