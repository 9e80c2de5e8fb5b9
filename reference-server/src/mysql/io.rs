//! Two thin wrappers around the client socket that the protocol library needs help with.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Counts the bytes read from the client, so that the client task can tell the database of the
/// handshake (nothing read since the login) from a later `USE`.
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> CountingReader<R> {
    pub fn new(inner: R) -> Self {
        CountingReader {
            inner,
            count: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The shared count of bytes read so far.
    pub fn counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.count)
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for CountingReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let read = (buf.filled().len() - before) as u64;
        self.count.fetch_add(read, Ordering::SeqCst);
        Poll::Ready(Ok(()))
    }
}

/// Replaces the library's own access-denied packet with MaxScale's (error 1045, spec text in
/// client-protocol.md): once a denial payload is set, what the library writes is held back,
/// and the next flush sends the denial instead, with the sequence number the library chose.
pub(crate) struct DenialWriter<W> {
    inner: W,
    denial: Arc<Mutex<Option<Vec<u8>>>>,
    held: Vec<u8>,
    out: Vec<u8>,
    sent: usize,
}

impl<W> DenialWriter<W> {
    pub fn new(inner: W, denial: Arc<Mutex<Option<Vec<u8>>>>) -> Self {
        DenialWriter {
            inner,
            denial,
            held: Vec::new(),
            out: Vec::new(),
            sent: 0,
        }
    }

    fn denying(&self) -> bool {
        self.denial.lock().is_ok_and(|d| d.is_some())
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for DenialWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.denying() {
            self.held.extend_from_slice(buf);
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.held.len() >= 4 {
            let payload = this.denial.lock().ok().and_then(|mut d| d.take());
            if let Some(payload) = payload {
                let len = payload.len() as u32;
                this.out = len.to_le_bytes()[..3].to_vec();
                this.out.push(this.held[3]);
                this.out.extend_from_slice(&payload);
                this.sent = 0;
                this.held.clear();
            }
        }
        while this.sent < this.out.len() {
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &this.out[this.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            this.sent += n;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
