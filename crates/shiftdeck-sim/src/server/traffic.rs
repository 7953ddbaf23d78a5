//! Traffic counters for benchmarks: requests served and bytes on the wire (TLS included), read
//! by an authenticated `GET /metrics` in the Prometheus text format, like a real API server's.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Totals since the sim started.
#[derive(Debug, Default)]
pub struct Traffic {
    pub requests: AtomicU64,
    pub watch_requests: AtomicU64,
    /// Bytes the sim sent (what clients receive).
    pub bytes_out: AtomicU64,
    /// Bytes the sim received.
    pub bytes_in: AtomicU64,
}

impl Traffic {
    /// The counters as Prometheus text.
    pub fn render(&self) -> String {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "# HELP shiftdeck_sim_requests_total HTTP requests received.\n\
             # TYPE shiftdeck_sim_requests_total counter\n\
             shiftdeck_sim_requests_total {}\n\
             # HELP shiftdeck_sim_watch_requests_total Watch requests received.\n\
             # TYPE shiftdeck_sim_watch_requests_total counter\n\
             shiftdeck_sim_watch_requests_total {}\n\
             # HELP shiftdeck_sim_sent_bytes_total Bytes sent to clients on the wire (TLS included).\n\
             # TYPE shiftdeck_sim_sent_bytes_total counter\n\
             shiftdeck_sim_sent_bytes_total {}\n\
             # HELP shiftdeck_sim_received_bytes_total Bytes received from clients on the wire.\n\
             # TYPE shiftdeck_sim_received_bytes_total counter\n\
             shiftdeck_sim_received_bytes_total {}\n",
            get(&self.requests),
            get(&self.watch_requests),
            get(&self.bytes_out),
            get(&self.bytes_in),
        )
    }
}

/// A connection that adds what passes through it to the shared [`Traffic`].
pub struct Counted<S> {
    inner: S,
    traffic: std::sync::Arc<Traffic>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, traffic: std::sync::Arc<Traffic>) -> Self {
        Counted { inner, traffic }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len().saturating_sub(before);
        self.traffic.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &r {
            self.traffic
                .bytes_out
                .fetch_add(*n as u64, Ordering::Relaxed);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = &r {
            self.traffic
                .bytes_out
                .fetch_add(*n as u64, Ordering::Relaxed);
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn counts_both_directions() {
        let t = Arc::new(Traffic::default());
        let (a, mut b) = tokio::io::duplex(64);
        let mut a = Counted::new(a, t.clone());
        a.write_all(b"hello").await.unwrap();
        b.write_all(b"abc").await.unwrap();
        let mut buf = [0u8; 3];
        a.read_exact(&mut buf).await.unwrap();
        assert_eq!(t.bytes_out.load(Ordering::Relaxed), 5);
        assert_eq!(t.bytes_in.load(Ordering::Relaxed), 3);
        assert!(t.render().contains("shiftdeck_sim_sent_bytes_total 5\n"));
    }
}
