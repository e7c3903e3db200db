//! The pacer against simulated tasks: the call budget holds for short and long waits, a stop is
//! seen promptly, quiet streams are read less often, and a fixed interval is kept exactly.

use super::*;

/// A simulated task: RUNNING at `running`, asks to stop at `stopping`, STOPPED at `stopped`
/// (seconds from the start of the wait); its stream gets a line at every `line_every`.
struct Task {
    running: f64,
    stopping: f64,
    stopped: f64,
    line_every: Option<f64>,
}

impl Task {
    fn status(&self, t: f64) -> (&'static str, &'static str) {
        match t {
            t if t < self.running => ("PENDING", "RUNNING"),
            t if t < self.stopping => ("RUNNING", "RUNNING"),
            t if t < self.stopped => ("DEPROVISIONING", "STOPPED"),
            _ => ("STOPPED", "STOPPED"),
        }
    }
}

/// What the wait did: seconds from STOPPED to seeing it, calls made, and every call's time.
struct Trace {
    seen_after_stop: f64,
    calls: Vec<(Call, f64)>,
}

fn simulate(task: &Task, fixed: Option<Duration>) -> Trace {
    let origin = Instant::now();
    let secs = |at: Instant| at.duration_since(origin).as_secs_f64();
    let mut pacer = Pacer::new(fixed, 1, origin);
    let mut calls = Vec::new();
    let mut last_read = 0.0;
    for _ in 0..100_000 {
        let (call, at) = pacer.next();
        let t = secs(at);
        calls.push((call, t));
        match call {
            Call::DescribeTask => {
                let (last, desired) = task.status(t);
                if last == "STOPPED" {
                    return Trace {
                        seen_after_stop: t - task.stopped,
                        calls,
                    };
                }
                pacer.polled(at, last, desired);
            }
            Call::ReadLogs(index) => {
                let lines = task.line_every.map_or(0, |every| {
                    ((t / every) as usize).saturating_sub((last_read / every) as usize)
                });
                last_read = t;
                pacer.read(at, index, lines, false, None);
            }
        }
    }
    panic!("the task was never seen stopped");
}

fn task(seconds: f64, line_every: Option<f64>) -> Task {
    Task {
        running: 0.8,
        stopping: 0.8 + seconds,
        stopped: 1.1 + seconds,
        line_every,
    }
}

#[test]
fn adaptive_waits_never_exceed_one_call_a_second_on_average() {
    for seconds in [0.5, 3.0, 8.0, 45.0, 900.0] {
        for line_every in [None, Some(0.05), Some(7.0)] {
            let trace = simulate(&task(seconds, line_every), None);
            for (n, (call, t)) in trace.calls.iter().enumerate() {
                assert!(
                    (n + 1) as f64 <= t + 1e-6,
                    "{seconds}s task: call {} ({call:?}) at {t:.2}s",
                    n + 1
                );
            }
        }
    }
}

#[test]
fn a_stop_is_seen_within_two_seconds_during_the_first_minute() {
    for tenths in 30..120 {
        let trace = simulate(&task(f64::from(tenths) / 10.0, Some(3.0)), None);
        assert!(
            trace.seen_after_stop <= 2.0,
            "{tenths}/10 s task: seen {:.2}s after STOPPED",
            trace.seen_after_stop
        );
    }
}

#[test]
fn long_waits_poll_calmer() {
    let trace = simulate(&task(1800.0, None), None);
    let late = trace
        .calls
        .iter()
        .filter(|(call, t)| *call == Call::DescribeTask && (1200.0..1260.0).contains(t))
        .count();
    assert!(
        (10..=13).contains(&late),
        "{late} task polls a minute after 20 minutes"
    );
}

#[test]
fn quiet_streams_are_read_less_often_than_flowing_ones() {
    let reads_in_a_minute = |line_every| {
        simulate(&task(120.0, line_every), None)
            .calls
            .iter()
            .filter(|(call, t)| *call == Call::ReadLogs(0) && (30.0..90.0).contains(t))
            .count()
    };
    let (quiet, flowing) = (reads_in_a_minute(None), reads_in_a_minute(Some(0.1)));
    assert!(quiet <= 15, "{quiet} reads of a quiet stream");
    assert!(flowing >= 25, "{flowing} reads of a flowing stream");
}

#[test]
fn logs_are_read_only_once_the_containers_may_have_started() {
    let trace = simulate(&task(5.0, Some(0.5)), None);
    let first_read = trace
        .calls
        .iter()
        .find(|(call, _)| *call == Call::ReadLogs(0))
        .map(|(_, t)| *t);
    assert!(first_read.is_some_and(|t| t > 0.8), "{first_read:?}");
}

#[test]
fn a_full_page_is_followed_at_once() {
    let origin = Instant::now();
    let mut pacer = Pacer::new(None, 1, origin);
    let later = origin + Duration::from_secs(30);
    pacer.polled(later, "RUNNING", "RUNNING");
    pacer.read(later, 0, 10_000, true, None);
    assert_eq!(pacer.next(), (Call::ReadLogs(0), later));
}

#[test]
fn a_fixed_interval_is_kept_exactly_and_unbudgeted() {
    let every = Duration::from_millis(20);
    let trace = simulate(&task(4.0, None), Some(every));
    let polls: Vec<f64> = trace
        .calls
        .iter()
        .filter(|(call, _)| *call == Call::DescribeTask)
        .map(|(_, t)| *t)
        .collect();
    assert!(polls.len() > 200, "{} task polls", polls.len());
    assert!(
        polls
            .windows(2)
            .all(|pair| (pair[1] - pair[0] - 0.02).abs() < 1e-6)
    );
}

#[test]
fn log_reads_leave_the_last_calls_of_the_budget_to_polls_and_the_drain() {
    for seconds in [3.0, 8.0, 45.0] {
        let trace = simulate(&task(seconds, Some(0.05)), None);
        for (n, (call, t)) in trace.calls.iter().enumerate() {
            if matches!(call, Call::ReadLogs(_)) {
                assert!(
                    (n + 1) as f64 + f64::from(READ_RESERVE) <= t + 1e-6,
                    "{seconds}s task: read {} at {t:.2}s",
                    n + 1
                );
            }
        }
    }
}

#[test]
fn a_flowing_stream_postpones_the_task_poll_until_a_poll_could_tell_more() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 1, origin);
    pacer.polled(at(10.0), "RUNNING", "RUNNING");
    assert_eq!(pacer.next_poll, at(12.0));
    pacer.read(at(11.0), 0, 100, false, Some(at(10.9)));
    assert_eq!(
        pacer.next_poll,
        at(12.0),
        "the first lines postpone nothing"
    );
    pacer.read(at(12.0), 0, 100, false, Some(at(11.6)));
    assert_eq!(pacer.next_poll, at(13.6));
    // A clock ahead of ours counts as now, never later.
    pacer.read(at(13.0), 0, 100, false, Some(at(20.0)));
    assert_eq!(pacer.next_poll, at(15.0));
}

#[test]
fn lines_after_a_quiet_spell_or_with_a_fixed_interval_postpone_nothing() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 1, origin);
    pacer.polled(at(10.0), "RUNNING", "RUNNING");
    pacer.read(at(11.0), 0, 0, false, None);
    pacer.read(at(11.5), 0, 1, false, Some(at(11.4)));
    assert_eq!(pacer.next_poll, at(12.0));

    let mut fixed = Pacer::new(Some(Duration::from_secs(1)), 1, origin);
    fixed.polled(at(10.0), "RUNNING", "RUNNING");
    fixed.read(at(10.2), 0, 5, false, Some(at(10.1)));
    fixed.read(at(10.4), 0, 5, false, Some(at(10.3)));
    assert_eq!(fixed.next_poll, at(11.0));
}

#[test]
fn a_drain_reads_every_stream_past_the_window_and_polls_no_more() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 2, origin);
    pacer.polled(at(30.0), "RUNNING", "RUNNING");
    pacer.drain(at(40.0), at(45.0), Duration::from_secs(180));
    let mut reads_after_window = [0, 0];
    let mut now = at(40.0);
    while !pacer.drained(now) {
        let (call, when) = pacer.next();
        let Call::ReadLogs(index) = call else {
            panic!("a task poll while draining at {when:?}");
        };
        now = when;
        // The proving read comes SETTLE_MARGIN (0.1 s) after the window.
        if now >= at(45.1) {
            reads_after_window[index] += 1;
        }
        pacer.drain_read(now, index, 0, true, false);
    }
    assert_eq!(reads_after_window, [1, 1]);
    assert!(now >= at(45.0) && now < at(46.0), "{now:?}");
}

#[test]
fn a_drained_stream_with_new_lines_is_followed_until_it_ends() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 1, origin);
    pacer.drain(at(40.0), at(41.0), Duration::from_secs(180));
    pacer.drain_read(at(41.0), 0, 500, false, false);
    assert!(!pacer.drained(at(41.1)));
    assert_eq!(pacer.next().0, Call::ReadLogs(0));
    pacer.drain_read(at(41.05), 0, 0, true, false);
    assert!(
        !pacer.drained(at(41.05)),
        "a read too close to the window proves nothing"
    );
    assert_eq!(pacer.next(), (Call::ReadLogs(0), at(41.1)));
    pacer.drain_read(at(41.1), 0, 0, true, false);
    assert!(pacer.drained(at(41.1)));
}

#[test]
fn an_exit_noticed_long_after_the_window_still_reads_every_stream_to_its_end() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 1, origin);
    // The container exited at 40 s (window until 45 s); failing polls saw it only at 60 s.
    pacer.drain(at(60.0), at(45.0), Duration::from_secs(180));
    assert!(!pacer.drained(at(60.0)), "gave up before reading anything");
    assert_eq!(pacer.next(), (Call::ReadLogs(0), at(60.0)));
    pacer.drain_read(at(60.0), 0, 200, false, false);
    assert!(!pacer.drained(at(60.0)));
    pacer.drain_read(at(60.1), 0, 0, true, false);
    assert!(pacer.drained(at(60.1)));
    assert!(pacer.unsettled().is_empty());
}

#[test]
fn a_stream_whose_reads_fail_is_retried_for_max_outage_then_named_unsettled() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 2, origin);
    pacer.drain(at(40.0), at(41.0), Duration::from_secs(60));
    pacer.drain_read(at(41.6), 1, 0, true, false);
    pacer.drain_read(at(41.0), 0, 0, false, true);
    // Past the growing-stream limit, a failing stream is still read, never a task poll.
    assert!(!pacer.drained(at(80.0)));
    assert_eq!(pacer.next().0, Call::ReadLogs(0));
    pacer.drain_read(at(80.0), 0, 0, false, true);
    assert!(pacer.drained(at(101.0)));
    assert_eq!(pacer.unsettled(), vec![0]);
}

#[test]
fn a_read_that_works_again_ends_the_failure_and_the_stream_settles() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 1, origin);
    pacer.drain(at(40.0), at(41.0), Duration::from_secs(60));
    pacer.drain_read(at(41.0), 0, 0, false, true);
    pacer.drain_read(at(55.0), 0, 200, false, false);
    pacer.drain_read(at(55.3), 0, 0, true, false);
    assert!(pacer.drained(at(55.3)));
    assert!(pacer.unsettled().is_empty());
}

#[test]
fn lines_read_past_the_limit_still_get_the_read_that_proves_they_were_the_last() {
    let origin = Instant::now();
    let at = |secs: f64| origin + Duration::from_secs_f64(secs);
    let mut pacer = Pacer::new(None, 1, origin);
    // Window until 45 s, limit at 55 s. A read the SDK kept retrying through a burst fails at
    // 44 s; the next one is answered only at 57 s, with the late batch.
    pacer.drain(at(40.0), at(45.0), Duration::from_secs(180));
    pacer.drain_read(at(44.0), 0, 0, false, true);
    pacer.drain_read(at(57.0), 0, 200, false, false);
    assert!(
        !pacer.drained(at(57.0)),
        "gave up right after reading lines"
    );
    assert_eq!(pacer.next().0, Call::ReadLogs(0));
    pacer.drain_read(at(57.2), 0, 0, true, false);
    assert!(pacer.drained(at(57.2)));
    assert!(pacer.unsettled().is_empty());

    // A stream that keeps growing is left after one read answered past the limit.
    let mut pacer = Pacer::new(None, 1, origin);
    pacer.drain(at(40.0), at(45.0), Duration::from_secs(180));
    pacer.drain_read(at(54.9), 0, 10, false, false);
    assert!(!pacer.drained(at(55.0)));
    pacer.drain_read(at(55.1), 0, 10, false, false);
    assert!(pacer.drained(at(55.1)));
    assert_eq!(pacer.unsettled(), vec![0]);
}
