//! The WASI context every plugin gets: nothing granted.
//!
//! Rust guests for wasm32-wasip2 import WASI (cli, io, clocks, random, filesystem,
//! sockets) whether they use it or not, so WASI is linked, but with no preopened
//! directories, no environment, no arguments, no network, stdin empty, stdout discarded and
//! stderr captured (bounded) so a guest panic message can be shown to the user. Clocks are
//! frozen and random numbers are seeded, so the same input always gives the same output.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder};

/// Seed of the guest's random sources; fixed so that runs are reproducible.
const RANDOM_SEED: u64 = 42;
/// Wall-clock time every guest sees: 2000-01-01T00:00:00Z.
const FROZEN_WALL_CLOCK: Duration = Duration::from_secs(946_684_800);

pub(crate) fn wasi_context(stderr: &CapturedOutput) -> WasiCtx {
    WasiCtxBuilder::new()
        .stdout(CapturedOutput::discarding())
        .stderr(stderr.clone())
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }))
        .secure_random(StdRng::seed_from_u64(RANDOM_SEED))
        .insecure_random(StdRng::seed_from_u64(RANDOM_SEED + 1))
        .insecure_random_seed(u128::from(RANDOM_SEED))
        .max_random_size(1 << 20)
        .wall_clock(FrozenClock)
        .monotonic_clock(FrozenClock)
        .build()
}

struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        FROZEN_WALL_CLOCK
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// A guest output stream that keeps at most `capacity` bytes and silently drops the rest.
///
/// wasmtime's `MemoryOutputPipe` traps when full, which would turn a chatty plugin into a
/// failed one; here the flood is cut and counted instead.
#[derive(Clone)]
pub(crate) struct CapturedOutput {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    capacity: usize,
    dropped: u64,
}

impl CapturedOutput {
    pub(crate) fn new(capacity: usize) -> Self {
        CapturedOutput { inner: Arc::new(Mutex::new(Captured { capacity, ..Default::default() })) }
    }

    fn discarding() -> Self {
        Self::new(0)
    }

    /// What was captured, lossily decoded, with a note when bytes were dropped.
    pub(crate) fn text(&self) -> String {
        let c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut s = String::from_utf8_lossy(&c.bytes).into_owned();
        if c.dropped > 0 {
            s.push_str(&format!("\n[{} more bytes dropped]", c.dropped));
        }
        s
    }
}

impl IsTerminal for CapturedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for CapturedOutput {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let room = c.capacity.saturating_sub(c.bytes.len());
        let kept = room.min(buf.len());
        c.bytes.extend_from_slice(&buf[..kept]);
        c.dropped += (buf.len() - kept) as u64;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
