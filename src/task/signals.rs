//! SIGINT and SIGTERM (what a cancelled CI job sends), listened for from before RunTask on, so
//! a signal that arrives between two polls is not lost, and counted, so a sleep can wake for one
//! without swallowing it.

use anyhow::{Context, Result};
use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
    /// Signals seen by `pending` and not yet handed out by `received`.
    queued: u32,
}

impl Signals {
    pub fn install() -> Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            queued: 0,
        })
    }

    /// Resolves for each signal, once.
    pub async fn received(&mut self) {
        if self.queued > 0 {
            self.queued -= 1;
            return;
        }
        self.next().await;
    }

    /// Resolves when a signal is waiting, leaving it for `received`.
    pub async fn pending(&mut self) {
        if self.queued == 0 {
            self.next().await;
            self.queued += 1;
        }
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
