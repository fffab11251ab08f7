#![cfg(not(target_arch = "wasm32"))]
//! The task state machine with a fake clock and scripted replies: every request it makes
//! failing transiently at every point, and a seeded randomized run over thousands of
//! interleavings of replies, notifications, failures, aborts and disposes, for both wire
//! generations' capabilities.

use mcp_tasks_wasm::policy::{PollConfig, PollPolicy, Rng};
use mcp_tasks_wasm::task::machine::{Caps, Effect, Event, Failure, Machine, Reply, ReqId, Request};
use mcp_tasks_wasm::task::model::{Outcome, Stop, TaskInfo, TaskStatus};

type P = String;
type E = String;
type M = Machine<P, E>;
type Fx = Vec<Effect<P, E>>;

/// 2025-11-25 tasks: results and input through `tasks/result`.
const V2025: Caps = Caps {
    result_request: true,
    input_on_held_result: true,
};
/// 2026-07-28 tasks: results inline in `tasks/get`, input through `tasks/update`.
const V2026: Caps = Caps {
    result_request: false,
    input_on_held_result: false,
};

fn info(status: TaskStatus) -> TaskInfo {
    TaskInfo {
        task_id: "t1".into(),
        status,
        status_message: None,
        created_at: "1970-01-01T00:00:00Z".into(),
        last_updated_at: format!("{status:?}"),
        ttl_ms: Some(600_000),
        poll_interval_ms: Some(1000),
    }
}

fn task(status: TaskStatus, terminal: Option<Result<P, E>>) -> Reply<P, E> {
    Reply::Task {
        info: info(status),
        raw: format!("raw-{}", status.as_str()),
        terminal,
    }
}

fn config() -> PollConfig {
    PollConfig {
        max_retries: 3,
        ..PollConfig::default()
    }
}

fn start(caps: Caps, status: TaskStatus) -> (M, Fx) {
    Machine::start(
        caps,
        PollPolicy::new(config(), 7),
        info(status),
        "raw".into(),
        None,
        false,
        0.0,
    )
}

fn sent(fx: &Fx) -> Vec<(ReqId, Request)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(id, r) => Some((*id, *r)),
            _ => None,
        })
        .collect()
}

fn armed(fx: &Fx) -> Option<f64> {
    fx.iter().rev().find_map(|e| match e {
        Effect::Arm(Some(t)) => Some(*t),
        _ => None,
    })
}

fn settled(fx: &Fx) -> Option<Outcome<P, E>> {
    fx.iter().find_map(|e| match e {
        Effect::Settle(o) => Some(o.clone()),
        _ => None,
    })
}

fn transient() -> Failure {
    Failure::Transient {
        retry_after_ms: None,
    }
}

/// Fire the timer and return the one request it sent.
fn tick(m: &mut M, now: f64) -> (ReqId, Request) {
    let fx = m.handle(now, Event::Timer);
    let s = sent(&fx);
    assert_eq!(s.len(), 1, "one request per tick: {fx:?}");
    s[0]
}

#[test]
fn a_working_task_polls_after_the_server_period_and_settles_with_the_result() {
    let (mut m, fx) = start(V2025, TaskStatus::Working);
    assert_eq!(fx[0], Effect::Changed);
    assert_eq!(armed(&fx), Some(1000.0));
    assert!(sent(&fx).is_empty());
    let (id, req) = tick(&mut m, 1000.0);
    assert_eq!(req, Request::Get);
    let fx = m.handle(
        1010.0,
        Event::Replied(id, task(TaskStatus::Completed, None)),
    );
    assert!(fx.contains(&Effect::Changed));
    let s = sent(&fx);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1, Request::Result);
    let fx = m.handle(1020.0, Event::Replied(s[0].0, Reply::Result("R".into())));
    assert_eq!(settled(&fx), Some(Outcome::Completed("R".into())));
    assert!(!m.is_busy());
}

#[test]
fn a_modern_task_settles_with_the_inline_result_and_sends_no_result_request() {
    let (mut m, _) = start(V2026, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(
        1010.0,
        Event::Replied(id, task(TaskStatus::Completed, Some(Ok("R".into())))),
    );
    assert!(sent(&fx).is_empty());
    assert_eq!(settled(&fx), Some(Outcome::Completed("R".into())));
    let (mut m, _) = start(V2026, TaskStatus::Working);
    let fx = m.handle(
        5.0,
        Event::Snapshot(task(TaskStatus::Failed, Some(Err("boom".into())))),
    );
    assert_eq!(
        settled(&fx),
        Some(Outcome::Failed {
            result: None,
            error: Some("boom".into())
        })
    );
}

#[test]
fn a_terminal_notification_without_inline_result_asks_with_tasks_get_in_the_modern_era() {
    let (mut m, _) = start(V2026, TaskStatus::Working);
    let fx = m.handle(5.0, Event::Snapshot(task(TaskStatus::Completed, None)));
    assert_eq!(
        sent(&fx).iter().map(|s| s.1).collect::<Vec<_>>(),
        vec![Request::Get]
    );
    assert!(
        fx.contains(&Effect::Arm(None)),
        "the poll timer is over: {fx:?}"
    );
}

#[test]
fn a_notification_restarts_the_period() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let mut snap = info(TaskStatus::Working);
    snap.status_message = Some("half way".into());
    let fx = m.handle(
        700.0,
        Event::Snapshot(Reply::Task {
            info: snap,
            raw: "r2".into(),
            terminal: None,
        }),
    );
    assert!(fx.contains(&Effect::Changed));
    assert_eq!(armed(&fx), Some(1700.0));
    assert_eq!(m.raw(), "r2");
}

#[test]
fn the_held_result_stream_breaking_after_completion_still_settles() {
    // The hang of issue 13: input_required holds tasks/result open; the GET stream says
    // completed; the held request then fails with a network error.
    let (mut m, fx) = start(V2025, TaskStatus::InputRequired);
    assert!(fx.contains(&Effect::WantHeldSlot));
    let fx = m.handle(1.0, Event::HeldSlot);
    let (held, req) = sent(&fx)[0];
    assert_eq!(req, Request::HeldResult);
    let fx = m.handle(2.0, Event::Snapshot(task(TaskStatus::Completed, None)));
    assert!(
        sent(&fx).is_empty(),
        "the held request will bring the result"
    );
    assert!(settled(&fx).is_none());
    let fx = m.handle(3.0, Event::Failed(held, "reset".into(), transient()));
    assert!(fx.contains(&Effect::ReleaseHeldSlot));
    let s = sent(&fx);
    assert_eq!(s.len(), 1, "the result is fetched: {fx:?}");
    assert_eq!(s[0].1, Request::Result);
    let fx = m.handle(4.0, Event::Replied(s[0].0, Reply::Result("R".into())));
    assert_eq!(settled(&fx), Some(Outcome::Completed("R".into())));
}

#[test]
fn the_held_result_answering_first_learns_the_final_status_at_once() {
    let (mut m, _) = start(V2025, TaskStatus::InputRequired);
    let fx = m.handle(1.0, Event::HeldSlot);
    let (held, _) = sent(&fx)[0];
    let fx = m.handle(50.0, Event::Replied(held, Reply::Result("R".into())));
    assert!(fx.contains(&Effect::ReleaseHeldSlot));
    assert_eq!(armed(&fx), Some(50.0), "poll now: {fx:?}");
    let (id, req) = tick(&mut m, 50.0);
    assert_eq!(req, Request::Get);
    let fx = m.handle(60.0, Event::Replied(id, task(TaskStatus::Completed, None)));
    assert!(sent(&fx).is_empty(), "the result is already here");
    assert_eq!(settled(&fx), Some(Outcome::Completed("R".into())));
}

#[test]
fn a_failed_task_rejects_with_its_stored_result_or_error() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let fx = m.handle(1.0, Event::Snapshot(task(TaskStatus::Failed, None)));
    let (id, _) = sent(&fx)[0];
    let fx = m.handle(2.0, Event::Replied(id, Reply::Result("isError".into())));
    assert_eq!(
        settled(&fx),
        Some(Outcome::Failed {
            result: Some("isError".into()),
            error: None
        })
    );
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let fx = m.handle(1.0, Event::Snapshot(task(TaskStatus::Failed, None)));
    let (id, _) = sent(&fx)[0];
    let fx = m.handle(2.0, Event::Failed(id, "rpc".into(), Failure::Fatal));
    assert_eq!(
        settled(&fx),
        Some(Outcome::Failed {
            result: None,
            error: Some("rpc".into())
        })
    );
}

#[test]
fn a_modern_task_waiting_for_input_hands_each_snapshot_to_the_driver_and_can_be_failed() {
    let (mut m, fx) = start(V2026, TaskStatus::Working);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Input(_))));
    let fx = m.handle(5.0, Event::Snapshot(task(TaskStatus::InputRequired, None)));
    assert!(fx.contains(&Effect::Input("raw-input_required".into())));
    assert!(
        !fx.contains(&Effect::WantHeldSlot),
        "no held request in 2026-07-28"
    );
    // The same snapshot again (a poll): handed over again, the driver dedupes keys.
    let (id, _) = tick(&mut m, 2000.0);
    let fx = m.handle(
        2001.0,
        Event::Replied(id, task(TaskStatus::InputRequired, None)),
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::Input(_))));
    // A kind of input the client cannot give: the driver fails the handle.
    let fx = m.handle(2002.0, Event::Fail("undeclared input".into()));
    assert_eq!(
        settled(&fx),
        Some(Outcome::Error {
            error: "undeclared input".into(),
            tries: None
        })
    );
    assert!(!m.is_busy());
    // 2025-11-25 never hands input over: it holds tasks/result instead.
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let fx = m.handle(5.0, Event::Snapshot(task(TaskStatus::InputRequired, None)));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Input(_))));
    assert!(fx.contains(&Effect::WantHeldSlot));
}

#[test]
fn an_acknowledged_cancel_settles_locally_if_the_task_never_ends() {
    use mcp_tasks_wasm::task::machine::CANCEL_GRACE_MS;
    let (mut m, _) = start(V2026, TaskStatus::Working);
    assert!(m.handle(10.0, Event::CancelSent).is_empty());
    // Within the grace the handle follows on.
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(1001.0, Event::Replied(id, task(TaskStatus::Working, None)));
    assert!(settled(&fx).is_none());
    // Past it, the next poll time settles it as cancelled, without another request.
    let fx = m.handle(10.0 + CANCEL_GRACE_MS + 1.0, Event::Timer);
    assert!(sent(&fx).is_empty());
    assert_eq!(settled(&fx), Some(Outcome::Cancelled));
    assert!(!m.is_busy());
    // A task that completes anyway after the cancel resolves with its result.
    let (mut m, _) = start(V2026, TaskStatus::Working);
    m.handle(10.0, Event::CancelSent);
    let fx = m.handle(
        20.0,
        Event::Snapshot(task(TaskStatus::Completed, Some(Ok("R".into())))),
    );
    assert_eq!(settled(&fx), Some(Outcome::Completed("R".into())));
}

#[test]
fn while_notifications_flow_polling_slows_to_the_longest_period_and_a_drop_restores_it() {
    for caps in [V2025, V2026] {
        let (mut m, fx) = start(caps, TaskStatus::Working);
        assert_eq!(armed(&fx), Some(1000.0), "the server's period");
        // A listen stream accepted the task: the armed poll moves out to 30 s from now.
        let fx = m.handle(10.0, Event::Push(true));
        assert_eq!(
            armed(&fx),
            Some(30_010.0),
            "{caps:?}: slowed to maxPollIntervalMs"
        );
        assert!(sent(&fx).is_empty());
        assert!(
            m.handle(20.0, Event::Push(true)).is_empty(),
            "no change, no effect"
        );
        // News by notification restarts the (slow) period.
        let fx = m.handle(
            5_000.0,
            Event::Snapshot(Reply::Task {
                info: TaskInfo {
                    status_message: Some("step".into()),
                    ..info(TaskStatus::Working)
                },
                raw: "raw-step".into(),
                terminal: None,
            }),
        );
        assert_eq!(armed(&fx), Some(35_000.0), "{caps:?}: {fx:?}");
        // The stream dropped: back to the server's period, from now.
        let fx = m.handle(6_000.0, Event::Push(false));
        assert_eq!(
            armed(&fx),
            Some(7_000.0),
            "{caps:?}: the server's period again"
        );
        let (_, req) = tick(&mut m, 7_000.0);
        assert_eq!(req, Request::Get);
    }
}

#[test]
fn slowed_polling_never_passes_the_tasks_ttl_and_leaves_a_retry_alone() {
    // ttl 600 s from createdAt 0: near its end the slowed poll comes at the TTL.
    let (mut m, _) = start(V2026, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(
        590_000.0,
        Event::Replied(id, task(TaskStatus::Working, None)),
    );
    assert_eq!(armed(&fx), Some(591_000.0));
    let fx = m.handle(590_000.0, Event::Push(true));
    assert_eq!(armed(&fx), Some(600_000.0), "capped at the TTL: {fx:?}");
    // A poll that failed is retried on the backoff's schedule, push or not.
    let (mut m, _) = start(V2026, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(1010.0, Event::Failed(id, "reset".into(), transient()));
    let retry_at = armed(&fx).expect("a retry is armed");
    let fx = m.handle(1020.0, Event::Push(true));
    assert!(
        armed(&fx).is_none(),
        "the retry stays at {retry_at}: {fx:?}"
    );
}

#[test]
fn cancelled_settles_without_a_request() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let fx = m.handle(1.0, Event::Snapshot(task(TaskStatus::Cancelled, None)));
    assert_eq!(settled(&fx), Some(Outcome::Cancelled));
    assert!(fx.contains(&Effect::Arm(None)));
    assert!(!m.is_busy());
}

#[test]
fn gone_past_the_deadline_is_expired_and_before_it_an_error() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(700_000.0, Event::Failed(id, "-32602".into(), Failure::Gone));
    assert_eq!(settled(&fx), Some(Outcome::Expired));
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(1001.0, Event::Failed(id, "-32602".into(), Failure::Gone));
    assert_eq!(
        settled(&fx),
        Some(Outcome::Error {
            error: "-32602".into(),
            tries: None
        })
    );
}

/// Every request the machine makes (`tasks/get`, the held and the final result request),
/// failing transiently at its point, is retried (or replaced) and the task still settles
/// with the server's result. The server completes the task at its second poll.
#[test]
fn a_transient_failure_of_every_request_is_retried() {
    for caps in [V2025, V2026] {
        for fail in [Request::Get, Request::HeldResult, Request::Result] {
            for nth in 0..3 {
                let (mut m, fx) = start(caps, TaskStatus::InputRequired);
                let mut inflight: Vec<(ReqId, Request)> = Vec::new();
                let mut fx = fx;
                let (mut now, mut gets, mut seen, mut failed) = (0.0, 0, 0, false);
                let outcome = 'run: loop {
                    inflight.extend(sent(&fx));
                    inflight.retain(|(id, _)| !fx.contains(&Effect::Abort(*id)));
                    if let Some(o) = settled(&fx) {
                        break 'run o;
                    }
                    if fx.contains(&Effect::WantHeldSlot) {
                        fx = m.handle(now, Event::HeldSlot);
                        continue;
                    }
                    let done = gets >= 2;
                    // The earliest request the server can answer now (a held result
                    // waits for the end).
                    let pick = inflight
                        .iter()
                        .position(|&(_, r)| r != Request::HeldResult || done);
                    let Some(i) = pick else {
                        now += 100_000.0;
                        fx = m.handle(now, Event::Timer);
                        assert!(!fx.is_empty(), "{caps:?} {fail:?} {nth}: stuck");
                        continue;
                    };
                    let (id, req) = inflight.remove(i);
                    if req == fail
                        || (fail == Request::Result
                            && req == Request::Get
                            && done
                            && !caps.result_request)
                    {
                        seen += 1;
                    }
                    if !failed
                        && seen > nth
                        && (req == fail
                            || (fail == Request::Result
                                && req == Request::Get
                                && done
                                && !caps.result_request))
                    {
                        failed = true;
                        fx = m.handle(now, Event::Failed(id, "reset".into(), transient()));
                        continue;
                    }
                    let reply = match req {
                        Request::Get => {
                            gets += 1;
                            if gets >= 2 {
                                task(
                                    TaskStatus::Completed,
                                    (!caps.result_request).then(|| Ok("R".into())),
                                )
                            } else {
                                task(TaskStatus::InputRequired, None)
                            }
                        }
                        _ => Reply::Result("R".into()),
                    };
                    fx = m.handle(now, Event::Replied(id, reply));
                };
                assert_eq!(
                    outcome,
                    Outcome::Completed("R".into()),
                    "{caps:?} {fail:?} {nth}"
                );
                assert!(!m.is_busy());
            }
        }
    }
}

#[test]
fn the_retry_budget_ends_in_an_error_with_the_tries() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let mut now = 0.0;
    for n in 0..=3 {
        now += 100_000.0;
        let (id, _) = tick(&mut m, now);
        let fx = m.handle(now, Event::Failed(id, "503".into(), transient()));
        if n < 3 {
            assert!(armed(&fx).is_some(), "retry {n} armed");
        } else {
            assert_eq!(
                settled(&fx),
                Some(Outcome::Error {
                    error: "503".into(),
                    tries: Some(4)
                })
            );
        }
    }
    assert!(!m.is_busy());
}

#[test]
fn retry_after_is_honoured() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let fx = m.handle(
        1000.0,
        Event::Failed(
            id,
            "429".into(),
            Failure::Transient {
                retry_after_ms: Some(5000),
            },
        ),
    );
    assert!(armed(&fx).unwrap() >= 6000.0);
}

#[test]
fn stop_aborts_what_is_in_flight_and_never_fires_again() {
    for why in [Stop::Signal, Stop::Disposed, Stop::Closed] {
        let (mut m, _) = start(V2025, TaskStatus::InputRequired);
        let fx = m.handle(1.0, Event::HeldSlot);
        let (held, _) = sent(&fx)[0];
        let (poll, _) = tick(&mut m, 1000.0);
        let fx = m.handle(1001.0, Event::Stop(why));
        assert!(fx.contains(&Effect::Abort(held)));
        assert!(fx.contains(&Effect::Abort(poll)));
        assert!(fx.contains(&Effect::ReleaseHeldSlot));
        assert_eq!(fx.last(), Some(&Effect::Settle(Outcome::Aborted(why))));
        assert!(!m.is_busy());
        // Late answers and timers change nothing.
        assert!(m
            .handle(
                1002.0,
                Event::Replied(poll, task(TaskStatus::Completed, None))
            )
            .is_empty());
        assert!(m.handle(1003.0, Event::Timer).is_empty());
        assert!(m.handle(1004.0, Event::Stop(Stop::Disposed)).is_empty());
        assert_eq!(
            m.handle(1005.0, Event::HeldSlot),
            vec![Effect::ReleaseHeldSlot]
        );
    }
}

#[test]
fn cancel_on_abort_cancels_on_the_server_only_for_the_signal() {
    let (mut m, _) = Machine::<P, E>::start(
        V2025,
        PollPolicy::new(config(), 1),
        info(TaskStatus::Working),
        "raw".into(),
        None,
        true,
        0.0,
    );
    let fx = m.handle(1.0, Event::Stop(Stop::Signal));
    assert!(fx.contains(&Effect::CancelRemote));
    let (mut m, _) = Machine::<P, E>::start(
        V2025,
        PollPolicy::new(config(), 1),
        info(TaskStatus::Working),
        "raw".into(),
        None,
        true,
        0.0,
    );
    assert!(!m
        .handle(1.0, Event::Stop(Stop::Disposed))
        .contains(&Effect::CancelRemote));
}

#[test]
fn a_plain_result_settles_at_start() {
    let (m, fx) = Machine::<P, E>::start(
        V2025,
        PollPolicy::new(config(), 1),
        info(TaskStatus::Completed),
        "raw".into(),
        Some(Ok("plain".into())),
        false,
        0.0,
    );
    assert_eq!(
        fx,
        vec![
            Effect::Changed,
            Effect::Settle(Outcome::Completed("plain".into()))
        ]
    );
    assert!(m.is_settled());
}

#[test]
fn a_refused_snapshot_is_reported_and_polling_goes_on() {
    let (mut m, _) = start(V2025, TaskStatus::Working);
    let (id, _) = tick(&mut m, 1000.0);
    let mut other = info(TaskStatus::Completed);
    other.task_id = "other".into();
    let fx = m.handle(
        1001.0,
        Event::Replied(
            id,
            Reply::Task {
                info: other,
                raw: "x".into(),
                terminal: None,
            },
        ),
    );
    assert!(fx.contains(&Effect::Refused("snapshot of another task")));
    assert_eq!(armed(&fx), Some(2001.0));
}

// ---------------------------------------------------------------------------------------
// The randomized run.

/// The server's side of one task, scripted by the seed.
struct Server {
    status: TaskStatus,
    /// Steps left before the task ends.
    steps: u32,
    end: TaskStatus,
}

struct Sim {
    rng: Rng,
    caps: Caps,
    server: Server,
    m: M,
    now: f64,
    timer: Option<f64>,
    inflight: Vec<(ReqId, Request)>,
    held_slot: bool,
    held_waiting: bool,
    /// The status notification the server sent at its last change, not delivered yet
    /// (one per change, as a server sends them; some are lost).
    note: Option<Reply<P, E>>,
    settles: Vec<Outcome<P, E>>,
    stopped: bool,
    /// Transient failures injected in a row; kept under the budget in runs that must
    /// reach the server's outcome.
    budget_mode: bool,
}

impl Sim {
    fn apply(&mut self, fx: Fx) {
        for e in fx {
            assert!(
                self.settles.is_empty() || matches!(e, Effect::ReleaseHeldSlot),
                "nothing but a slot release after settling: {e:?}"
            );
            match e {
                Effect::Send(id, r) => {
                    assert!(!self.inflight.iter().any(|x| x.0 == id), "id reused");
                    self.inflight.push((id, r));
                }
                Effect::Abort(id) => {
                    let before = self.inflight.len();
                    self.inflight.retain(|x| x.0 != id);
                    assert_eq!(
                        before,
                        self.inflight.len() + 1,
                        "abort of a request not in flight"
                    );
                }
                Effect::Arm(t) => self.timer = t,
                Effect::WantHeldSlot => {
                    assert!(!self.held_waiting && !self.held_slot, "slot asked twice");
                    self.held_waiting = true;
                }
                Effect::ReleaseHeldSlot => {
                    assert!(self.held_waiting || self.held_slot, "slot released twice");
                    self.held_waiting = false;
                    self.held_slot = false;
                }
                Effect::Settle(o) => {
                    self.settles.push(o);
                }
                Effect::Changed | Effect::Refused(_) | Effect::CancelRemote | Effect::Input(_) => {}
            }
        }
    }

    fn server_step(&mut self) {
        if self.server.status.is_terminal() {
            return;
        }
        if self.server.steps == 0 {
            self.server.status = self.server.end;
        } else {
            self.server.steps -= 1;
            self.server.status = if self.rng.next_f64() < 0.3 {
                TaskStatus::InputRequired
            } else {
                TaskStatus::Working
            };
        }
        // Push is best effort: a fifth of the notifications never arrive.
        self.note = (self.rng.next_f64() < 0.8).then(|| self.snapshot());
    }

    fn snapshot(&self) -> Reply<P, E> {
        let s = self.server.status;
        let terminal = if self.caps.result_request {
            None
        } else {
            match s {
                TaskStatus::Completed => Some(Ok("R".to_string())),
                TaskStatus::Failed => Some(Err("E".to_string())),
                _ => None,
            }
        };
        task(s, terminal)
    }

    /// The server's answer to a request, if it can answer now (a held result waits for
    /// the end).
    fn answer(&self, r: Request) -> Option<Reply<P, E>> {
        match r {
            Request::Get => Some(self.snapshot()),
            Request::HeldResult | Request::Result => match self.server.status {
                TaskStatus::Completed => Some(Reply::Result("R".into())),
                TaskStatus::Failed => Some(Reply::Result("F".into())),
                _ if r == Request::Result => Some(self.snapshot()),
                _ => None,
            },
        }
    }

    fn expected(&self) -> Outcome<P, E> {
        match (self.server.end, self.caps.result_request) {
            (TaskStatus::Completed, _) => Outcome::Completed("R".into()),
            (TaskStatus::Failed, true) => Outcome::Failed {
                result: Some("F".into()),
                error: None,
            },
            (TaskStatus::Failed, false) => Outcome::Failed {
                result: None,
                error: Some("E".into()),
            },
            _ => Outcome::Cancelled,
        }
    }

    fn step(&mut self) -> bool {
        let r = self.rng.next_f64();
        let now = self.now;
        if r < 0.15 && !self.server.status.is_terminal() {
            self.server_step();
            return true;
        }
        if (0.15..0.25).contains(&r) && self.note.is_some() {
            // The status notification of the last change.
            let snap = self.note.take().unwrap();
            let fx = self.m.handle(now, Event::Snapshot(snap));
            self.apply(fx);
            return true;
        }
        if (0.25..0.30).contains(&r) && self.held_waiting {
            self.held_waiting = false;
            self.held_slot = true;
            let fx = self.m.handle(now, Event::HeldSlot);
            self.apply(fx);
            return true;
        }
        if (0.30..0.302).contains(&r) && !self.stopped {
            self.stopped = true;
            let why =
                [Stop::Signal, Stop::Disposed, Stop::Closed][(self.rng.next_u64() % 3) as usize];
            let fx = self.m.handle(now, Event::Stop(why));
            self.apply(fx);
            return true;
        }
        if (0.302..0.33).contains(&r) {
            // A notification stream starting or stopping to carry this task.
            let on = self.rng.next_f64() < 0.5;
            let fx = self.m.handle(now, Event::Push(on));
            self.apply(fx);
            return true;
        }
        if (r < 0.8 || self.timer.is_none()) && !self.inflight.is_empty() {
            let i = (self.rng.next_u64() % self.inflight.len() as u64) as usize;
            let (id, req) = self.inflight[i];
            let fail = self.rng.next_f64() < if self.budget_mode { 0.08 } else { 0.3 };
            if fail {
                self.inflight.remove(i);
                let fx = self
                    .m
                    .handle(now, Event::Failed(id, "reset".into(), transient()));
                self.apply(fx);
            } else if let Some(reply) = self.answer(req) {
                self.inflight.remove(i);
                let fx = self.m.handle(now, Event::Replied(id, reply));
                self.apply(fx);
            } else {
                return false;
            }
            return true;
        }
        if let Some(t) = self.timer {
            self.now = self.now.max(t);
            self.timer = None;
            let fx = self.m.handle(self.now, Event::Timer);
            self.apply(fx);
            return true;
        }
        false
    }

    /// Whether anything can still happen.
    fn quiescent(&self) -> bool {
        self.timer.is_none()
            && !self.held_waiting
            && self.inflight.iter().all(|&(_, r)| self.answer(r).is_none())
            && self.server.status.is_terminal()
    }
}

fn run_one(seed: u64, caps: Caps, budget_mode: bool) {
    let mut rng = Rng::new(seed);
    let end = match rng.next_u64() % 4 {
        0 => TaskStatus::Failed,
        1 => TaskStatus::Cancelled,
        _ => TaskStatus::Completed,
    };
    let steps = (rng.next_u64() % 6) as u32;
    let first = if rng.next_f64() < 0.3 {
        TaskStatus::InputRequired
    } else {
        TaskStatus::Working
    };
    let config = PollConfig {
        max_retries: if budget_mode { 1000 } else { 3 },
        ..PollConfig::default()
    };
    let (m, fx) = Machine::start(
        caps,
        PollPolicy::new(config, seed),
        info(first),
        "raw".into(),
        None,
        rng.next_f64() < 0.5,
        0.0,
    );
    let mut sim = Sim {
        rng,
        caps,
        server: Server {
            status: first,
            steps,
            end,
        },
        m,
        now: 0.0,
        timer: None,
        inflight: Vec::new(),
        held_slot: false,
        held_waiting: false,
        note: None,
        settles: Vec::new(),
        stopped: false,
        budget_mode,
    };
    sim.apply(fx);
    let mut idle = 0;
    for _ in 0..20_000 {
        if !sim.settles.is_empty() {
            break;
        }
        if sim.step() {
            idle = 0;
        } else {
            idle += 1;
            if idle > 200 && sim.quiescent() {
                break;
            }
            if idle > 200 {
                // Nothing the machine can do: let the server move on.
                sim.server_step();
            }
        }
    }
    let ctx = format!("seed {seed} caps {caps:?} budget {budget_mode}");
    assert_eq!(
        sim.settles.len(),
        1,
        "{ctx}: settles exactly once (never left unsettled)"
    );
    let outcome = &sim.settles[0];
    assert!(!sim.m.is_busy(), "{ctx}: nothing left behind");
    assert!(
        sim.inflight.is_empty(),
        "{ctx}: every request answered or aborted: {:?}",
        sim.inflight
    );
    assert!(sim.timer.is_none(), "{ctx}: timer disarmed");
    assert!(
        !sim.held_slot && !sim.held_waiting,
        "{ctx}: slot given back"
    );
    match outcome {
        Outcome::Aborted(_) => assert!(sim.stopped, "{ctx}"),
        Outcome::Error { tries: Some(_), .. } => assert!(!budget_mode, "{ctx}: budget spent"),
        o => assert_eq!(
            o,
            &sim.expected(),
            "{ctx}: settles with what the server reports"
        ),
    }
    // A settled machine stays silent.
    for _ in 0..5 {
        sim.step();
    }
    assert_eq!(sim.settles.len(), 1, "{ctx}: still settled once");
}

#[test]
fn randomized_interleavings_settle_once_with_the_servers_outcome() {
    let seed: u64 = std::env::var("MACHINE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_251_125);
    let runs: u64 = std::env::var("MACHINE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let mut n = 0;
    for caps in [V2025, V2026] {
        for budget_mode in [true, false] {
            for i in 0..runs {
                run_one(seed.wrapping_add(i), caps, budget_mode);
                n += 1;
            }
        }
    }
    println!("task machine: seed {seed}, {n} interleavings (MACHINE_SEED, MACHINE_RUNS to replay)");
}
