//! When to call AWS next while waiting for the task, so a stop is seen quickly without
//! hammering AWS: the task poll is brisk while the task starts and when it is about to stop,
//! calmer the longer it runs, and log streams are read often while they produce lines and less
//! often while they are quiet. Adaptively paced waits never make more than one call a second
//! on average (60 a minute, counted from the start of the wait, so even a short wait stays
//! within it); an explicit `poll_interval` polls at exactly that interval instead.

use std::time::{Duration, Instant};

/// Average gap between calls of an adaptive wait: 60 calls a minute.
const BUDGET_GAP: Duration = Duration::from_secs(1);
/// Task polls while it is provisioning and pulling its image. The first poll waits this long
/// too: a task takes at least that long to get anywhere, and an early poll only spends budget.
const STARTING_POLL: Duration = Duration::from_secs(2);
/// Task polls once it asks to stop (STOPPING, DEPROVISIONING...): STOPPED is close.
const ENDING_POLL: Duration = Duration::from_millis(500);
/// Task polls while it runs: (running for less than, poll every).
const RUNNING_POLLS: [(Duration, Duration); 2] = [
    (Duration::from_secs(60), Duration::from_secs(2)),
    (Duration::from_secs(600), Duration::from_secs(3)),
];
const LONG_RUNNING_POLL: Duration = Duration::from_secs(5);
/// Log reads: the first once the containers may have started, the next soon after a read
/// that found lines, then further apart while the stream stays quiet.
const FIRST_READ: Duration = Duration::from_secs(1);
const FLOWING_READ: Duration = Duration::from_secs(1);
const QUIET_READ_MAX: Duration = Duration::from_secs(4);

/// The next AWS call of the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    DescribeTask,
    /// One page of the log stream with this index.
    ReadLogs(usize),
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Starting,
    Running { since: Instant },
    Ending,
}

#[derive(Debug, Clone, Copy)]
struct Stream {
    due: Instant,
    gap: Duration,
}

#[derive(Debug)]
pub struct Pacer {
    /// `Some`: the user's fixed interval, no budget.
    fixed: Option<Duration>,
    origin: Instant,
    calls: u32,
    phase: Phase,
    next_poll: Instant,
    /// `None` until the containers may have started (their streams exist from then on).
    streams: Vec<Option<Stream>>,
}

impl Pacer {
    pub fn new(fixed: Option<Duration>, streams: usize, origin: Instant) -> Self {
        Self {
            fixed,
            origin,
            calls: 0,
            phase: Phase::Starting,
            next_poll: origin + fixed.map_or(STARTING_POLL, |_| Duration::ZERO),
            streams: vec![None; streams],
        }
    }

    /// The next call and when to make it; the task poll goes first when both are due.
    pub fn next(&self) -> (Call, Instant) {
        let mut next = (Call::DescribeTask, self.next_poll);
        for (index, stream) in self.streams.iter().enumerate() {
            if let Some(stream) = stream
                && stream.due < next.1
            {
                next = (Call::ReadLogs(index), stream.due);
            }
        }
        (next.0, next.1.max(self.budget_allows()))
    }

    /// The earliest moment the next call keeps the wait within its budget.
    pub fn budget_allows(&self) -> Instant {
        match self.fixed {
            Some(_) => self.origin,
            None => self.origin + BUDGET_GAP * (self.calls + 1),
        }
    }

    /// Counts a call made outside `next` (draining the logs after STOPPED).
    pub fn spent(&mut self) {
        self.calls += 1;
    }

    /// A task poll answered at `at` with these statuses.
    pub fn polled(&mut self, at: Instant, last_status: &str, desired_status: &str) {
        self.calls += 1;
        self.phase = match (last_status, &self.phase) {
            _ if desired_status == "STOPPED" => Phase::Ending,
            ("PROVISIONING" | "PENDING" | "ACTIVATING", _) => Phase::Starting,
            ("RUNNING", Phase::Running { since }) => Phase::Running { since: *since },
            ("RUNNING", _) => Phase::Running { since: at },
            _ => Phase::Ending,
        };
        if !matches!(self.phase, Phase::Starting) {
            let first = self.fixed.map_or(FIRST_READ, |_| Duration::ZERO);
            for stream in self.streams.iter_mut().filter(|stream| stream.is_none()) {
                *stream = Some(Stream {
                    due: at + first,
                    gap: FLOWING_READ,
                });
            }
        }
        self.next_poll = at + self.poll_interval(at);
    }

    /// A task poll failed; try again after `pause`.
    pub fn poll_failed(&mut self, at: Instant, pause: Duration) {
        self.calls += 1;
        self.next_poll = at + pause;
    }

    /// We asked ECS to stop the task: poll briskly until it has.
    pub fn stop_requested(&mut self, at: Instant) {
        self.phase = Phase::Ending;
        self.next_poll = self.next_poll.min(at + self.poll_interval(at));
    }

    /// A read of stream `index` at `at` returned `lines` lines; `full` when the page was as
    /// large as CloudWatch makes them, so more are waiting right now. A failed read is 0 lines.
    pub fn read(&mut self, at: Instant, index: usize, lines: usize, full: bool) {
        self.calls += 1;
        let Some(Some(stream)) = self.streams.get_mut(index) else {
            return;
        };
        stream.gap = match self.fixed {
            _ if full => Duration::ZERO,
            Some(interval) => interval,
            None if lines > 0 => FLOWING_READ,
            None => (stream.gap * 2).clamp(FLOWING_READ, QUIET_READ_MAX),
        };
        stream.due = at + stream.gap;
    }

    fn poll_interval(&self, at: Instant) -> Duration {
        if let Some(interval) = self.fixed {
            return interval;
        }
        match self.phase {
            Phase::Starting => STARTING_POLL,
            Phase::Ending => ENDING_POLL,
            Phase::Running { since } => {
                let running = at.saturating_duration_since(since);
                RUNNING_POLLS
                    .iter()
                    .find(|(shorter_than, _)| running < *shorter_than)
                    .map_or(LONG_RUNNING_POLL, |(_, interval)| *interval)
            }
        }
    }
}

#[cfg(test)]
#[path = "pace_tests.rs"]
mod tests;
