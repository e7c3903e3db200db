//! When to call AWS next while waiting for the task, so a stop is seen quickly without
//! hammering AWS: the task poll is brisk while the task starts and when it is about to stop,
//! calmer the longer it runs, and log streams are read often while they produce lines and less
//! often while they are quiet. One loop makes both kinds of call, so each informs the other: a
//! read that returns freshly written lines proves the task was still running then, and the next
//! task poll waits until it could tell something new.
//!
//! Adaptively paced waits never make more than one call a second on average (60 a minute,
//! counted from the start of the wait, so even a short wait stays within it), and log reads
//! leave the last calls of that budget to the task polls and the final drain, so the end of the
//! task is seen and its last lines read without waiting for budget. An explicit
//! `poll_interval` polls at exactly that interval instead.
//!
//! Once the migration container has exited, the same loop drains the logs: no more task polls,
//! every stream read until the drain window has passed and a read after it proves the stream
//! ended.

use std::time::{Duration, Instant};

/// Average gap between calls of an adaptive wait: 60 calls a minute.
const BUDGET_GAP: Duration = Duration::from_secs(1);
/// Calls of the budget that log reads leave unspent, for the task polls and the drain after
/// STOPPED (whose last read proves the stream ended).
const READ_RESERVE: u32 = 2;
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
const QUIET_READ_MAX: Duration = Duration::from_secs(5);
/// While draining, a stream that has not yet ended is read again this often after the window.
const DRAIN_POLL: Duration = Duration::from_millis(250);
/// While draining, the read that proves a stream ended comes at least this long after the
/// window. The window counts from executionStoppedAt, when ECS noticed the exit, which is never
/// before the process exited and the log driver flushed its last batch; this margin only covers
/// the moments between that flush and the batch's arrival, so that a batch readable right at the
/// window's end is not missed by a read just before it.
const SETTLE_MARGIN: Duration = Duration::from_millis(100);
/// While draining, a stream still growing this long after the window (or after the exit was
/// noticed, when that was later) is left as it is.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

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
    Running {
        since: Instant,
    },
    Ending,
    /// The migration exited: read every stream until `until`, then to its end; a stream still
    /// growing at `give_up` is left as it is, and one whose reads keep failing is retried for
    /// `outage` from its first failure.
    Draining {
        until: Instant,
        give_up: Instant,
        outage: Duration,
    },
}

#[derive(Debug, Clone, Copy)]
struct Stream {
    due: Instant,
    gap: Duration,
    /// The last read found lines.
    flowing: bool,
    /// Draining: a read after the window found the end of the stream.
    settled: bool,
    /// Draining: since when its reads have failed, without a read that worked since.
    failing_since: Option<Instant>,
    /// Draining: still growing past the limit (two reads in a row found lines, the second
    /// answered after it): left as it is.
    given_up: bool,
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

    /// The next call and when to make it. A read due no later than the task poll goes first:
    /// its lines may show that the poll can wait.
    /// While draining, only log reads: the earliest of the streams that have not ended.
    pub fn next(&self) -> (Call, Instant) {
        let draining = matches!(self.phase, Phase::Draining { .. });
        let mut next = match self.phase {
            // Never due: every stream ends or gives up by then, and the drain is over.
            Phase::Draining {
                give_up, outage, ..
            } => (Call::DescribeTask, give_up + outage),
            _ => (Call::DescribeTask, self.next_poll.max(self.budget_allows())),
        };
        let reads_allowed = match draining {
            false => self.budget_allows_reads(),
            true => self.budget_allows(),
        };
        for (index, stream) in self.streams.iter().enumerate() {
            if let Some(stream) = stream.filter(|stream| !stream.settled) {
                let at = stream.due.max(reads_allowed);
                if at <= next.1 {
                    next = (Call::ReadLogs(index), at);
                }
            }
        }
        next
    }

    /// The earliest moment the next call keeps the wait within its budget.
    pub fn budget_allows(&self) -> Instant {
        self.budget_allows_with(0)
    }

    /// The same for a log read, which leaves `READ_RESERVE` calls unspent.
    fn budget_allows_reads(&self) -> Instant {
        self.budget_allows_with(READ_RESERVE)
    }

    fn budget_allows_with(&self, reserve: u32) -> Instant {
        match self.fixed {
            Some(_) => self.origin,
            None => self.origin + BUDGET_GAP * (self.calls + 1 + reserve),
        }
    }

    /// The exit was noticed at `at`: drain every stream until `until`, then to its end. A
    /// stream never read yet is read at once; one whose reads fail is retried for `outage`.
    /// Noticed late (task polls failing through a fault), every stream still gets its reads
    /// after the window: the limits count from `at`, never from a past moment.
    pub fn drain(&mut self, at: Instant, until: Instant, outage: Duration) {
        self.phase = Phase::Draining {
            until,
            give_up: until.max(at) + DRAIN_LIMIT,
            outage,
        };
        for stream in &mut self.streams {
            let due = stream.map_or(at, |stream| stream.due.min(until + SETTLE_MARGIN));
            *stream = Some(Stream {
                due,
                gap: FLOWING_READ,
                flowing: false,
                settled: false,
                failing_since: None,
                given_up: false,
            });
        }
    }

    /// Draining and done at `now`: every stream ended after the window, or gave up: still
    /// growing `DRAIN_LIMIT` past the window (or past the moment the exit was noticed: two
    /// reads in a row found lines, the second answered after that limit), or failing to be read
    /// for the whole `outage`. Lines read after the limit by a read that was merely slow (the
    /// SDK backing off through errors) still get the read that proves they were the last.
    pub fn drained(&self, now: Instant) -> bool {
        let Phase::Draining {
            give_up, outage, ..
        } = self.phase
        else {
            return false;
        };
        self.streams.iter().all(|stream| {
            stream.is_none_or(|stream| match stream.failing_since {
                _ if stream.settled => true,
                Some(since) => now >= (since + outage).max(give_up),
                None => stream.given_up || now >= give_up + DRAIN_LIMIT,
            })
        })
    }

    /// Draining: the streams not proven to have ended (their last lines may be missing).
    pub fn unsettled(&self) -> Vec<usize> {
        let stream_settled = |stream: &Option<Stream>| stream.is_none_or(|stream| stream.settled);
        (0..self.streams.len())
            .filter(|index| !stream_settled(&self.streams[*index]))
            .collect()
    }

    pub fn draining(&self) -> bool {
        matches!(self.phase, Phase::Draining { .. })
    }

    /// Draining: a read of stream `index` at `at` returned `lines` lines (`full`: a whole page);
    /// `caught_up` when it found the end of the stream as it is now. A page with lines is
    /// followed at once; the end is proven only by a read after the window that finds the
    /// stream where the last one left it.
    /// `failed`: the read did not work (its lines are read again by the next one).
    pub fn drain_read(
        &mut self,
        at: Instant,
        index: usize,
        lines: usize,
        caught_up: bool,
        failed: bool,
    ) {
        self.calls += 1;
        let Phase::Draining { until, give_up, .. } = self.phase else {
            return;
        };
        let Some(Some(stream)) = self.streams.get_mut(index) else {
            return;
        };
        if failed {
            stream.failing_since.get_or_insert(at);
            stream.flowing = false;
            stream.due = at + DRAIN_POLL;
            return;
        }
        stream.failing_since = None;
        stream.given_up = at >= give_up && lines > 0 && stream.flowing;
        stream.flowing = lines > 0;
        match (lines > 0, caught_up) {
            (true, _) => stream.due = at,
            (false, false) => stream.due = at + DRAIN_POLL,
            (false, true) if at >= until + SETTLE_MARGIN => stream.settled = true,
            (false, true) => stream.due = (at + FLOWING_READ).min(until + SETTLE_MARGIN),
        }
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
                    flowing: false,
                    settled: false,
                    failing_since: None,
                    given_up: false,
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

    /// A read of stream `index` at `at` returned `lines` lines, the newest written at `newest`;
    /// `full` when the page was as large as CloudWatch makes them, so more are waiting right
    /// now. A failed read is 0 lines.
    ///
    /// While a stream keeps flowing (this read and the one before found lines), its lines prove
    /// the task was running when they were written, so it cannot have stopped before: the next
    /// task poll need not come sooner than a poll interval after them, which leaves the budget
    /// to the reads. A stream's first lines after a quiet spell (often the last ones, just
    /// before the task exits) postpone nothing.
    pub fn read(
        &mut self,
        at: Instant,
        index: usize,
        lines: usize,
        full: bool,
        newest: Option<Instant>,
    ) {
        self.calls += 1;
        let Some(Some(stream)) = self.streams.get_mut(index) else {
            return;
        };
        let kept_flowing = stream.flowing && lines > 0;
        stream.flowing = lines > 0;
        stream.gap = match self.fixed {
            _ if full => Duration::ZERO,
            Some(interval) => interval,
            None if lines > 0 => FLOWING_READ,
            None => (stream.gap * 2).clamp(FLOWING_READ, QUIET_READ_MAX),
        };
        stream.due = at + stream.gap;
        if kept_flowing
            && self.fixed.is_none()
            && matches!(self.phase, Phase::Running { .. })
            && let Some(written) = newest
        {
            let written = written.min(at);
            self.next_poll = self.next_poll.max(written + self.poll_interval(written));
        }
    }

    fn poll_interval(&self, at: Instant) -> Duration {
        if let Some(interval) = self.fixed {
            return interval;
        }
        match self.phase {
            Phase::Starting => STARTING_POLL,
            Phase::Ending | Phase::Draining { .. } => ENDING_POLL,
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
