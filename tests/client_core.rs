//! Native tests of the client's pure parts: request/response correlation, the task
//! tracker (transitions, exactly-once settlement), the wait primitives, error mapping.
#![cfg(not(target_arch = "wasm32"))]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use mcp_tasks_wasm::error::{quote_body, Error};
use mcp_tasks_wasm::sync::{Gate, Latch, SingleFlight};
use mcp_tasks_wasm::task::model::{Change, TaskInfo, TaskStatus, Tracker};
use mcp_tasks_wasm::transport::rpc::{parse_id, Pending};

fn poll_once<F: Future>(f: F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = pin!(f);
    f.as_mut().poll(&mut cx)
}

fn task(id: &str, status: TaskStatus, msg: Option<&str>, updated: &str) -> TaskInfo {
    TaskInfo {
        task_id: id.into(),
        status,
        status_message: msg.map(str::to_string),
        created_at: "2025-11-25T10:30:00Z".into(),
        last_updated_at: updated.to_string(),
        ttl_ms: None,
        poll_interval_ms: None,
    }
}

#[test]
fn responses_are_matched_to_their_request_by_id() {
    let mut p: Pending<&str, ()> = Pending::default();
    let a = p.register(());
    let b = p.register(());
    assert_ne!(a, b);
    assert!(p.fulfil(b, "reply b"));
    assert!(!p.is_ready(a));
    assert!(p.is_ready(b));
    assert_eq!(p.take(b), Some("reply b"));
    assert_eq!(p.take(a), None, "a has no reply yet");
    assert!(p.is_empty());
}

#[test]
fn unknown_and_duplicate_responses_are_ignored() {
    let mut p: Pending<u8, ()> = Pending::default();
    let a = p.register(());
    assert!(!p.fulfil(a + 100, 1), "nobody waits for that id");
    assert!(p.fulfil(a, 1));
    assert!(!p.fulfil(a, 2), "the first response wins");
    assert_eq!(p.take(a), Some(1));
    assert!(!p.fulfil(a, 3), "a closed slot takes nothing");
}

#[test]
fn each_waiting_request_keeps_its_handle_until_its_slot_is_closed() {
    let mut p: Pending<u8, &str> = Pending::default();
    let a = p.register("abort a");
    let b = p.register("abort b");
    assert!(p.fulfil(a, 1));
    assert_eq!(
        p.handles().copied().collect::<Vec<_>>(),
        ["abort a", "abort b"],
        "a reply that arrived does not close the slot"
    );
    assert_eq!(p.take(a), Some(1));
    assert_eq!(p.handles().copied().collect::<Vec<_>>(), ["abort b"]);
    assert_eq!(p.take(b), None);
    assert_eq!(p.handles().count(), 0);
}

#[test]
fn ids_may_arrive_as_numbers_or_digit_strings() {
    assert_eq!(parse_id(Some(7.0), None), Some(7));
    assert_eq!(parse_id(None, Some("42")), Some(42));
    assert_eq!(parse_id(Some(-1.0), None), None);
    assert_eq!(parse_id(Some(1.5), None), None);
    assert_eq!(parse_id(Some(f64::NAN), None), None);
    assert_eq!(parse_id(None, Some("abc")), None);
    assert_eq!(parse_id(None, None), None);
}

#[test]
fn a_digit_string_id_reads_as_str_parse_reads_it() {
    for t in [
        "0",
        "+42",
        "007",
        "",
        "+",
        "-1",
        "-0",
        "++1",
        " 4",
        "4 ",
        "4a",
        "1.0",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999",
        "\u{661}",
    ] {
        assert_eq!(parse_id(None, Some(t)), t.parse::<u64>().ok(), "{t:?}");
    }
}

#[test]
fn the_tracker_reports_news_and_ignores_repeats() {
    let mut t = Tracker::new(task("t1", TaskStatus::Working, None, "a"));
    assert_eq!(
        t.apply(task("t1", TaskStatus::Working, None, "a")),
        Change::Same
    );
    assert_eq!(
        t.apply(task("t1", TaskStatus::Working, Some("step 1"), "a")),
        Change::Updated
    );
    assert_eq!(
        t.apply(task("t1", TaskStatus::InputRequired, Some("step 1"), "b")),
        Change::Updated
    );
    assert_eq!(
        t.apply(task("t1", TaskStatus::Working, Some("step 1"), "c")),
        Change::Updated
    );
    assert_eq!(
        t.apply(task("t1", TaskStatus::Completed, None, "d")),
        Change::Updated
    );
    assert_eq!(t.status(), TaskStatus::Completed);
}

#[test]
fn a_terminal_status_never_changes() {
    for end in [
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
    ] {
        let mut t = Tracker::new(task("t", end, None, "a"));
        for next in [
            TaskStatus::Working,
            TaskStatus::InputRequired,
            TaskStatus::Completed,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ] {
            if next == end {
                continue;
            }
            assert!(
                matches!(t.apply(task("t", next, None, "b")), Change::Refused(_)),
                "{end:?} -> {next:?}"
            );
            assert_eq!(t.status(), end);
        }
    }
}

#[test]
fn a_snapshot_of_another_task_is_refused() {
    let mut t = Tracker::new(task("t1", TaskStatus::Working, None, "a"));
    assert!(matches!(
        t.apply(task("t2", TaskStatus::Completed, None, "b")),
        Change::Refused(_)
    ));
    assert_eq!(t.task().task_id, "t1");
    assert_eq!(t.status(), TaskStatus::Working);
}

#[test]
fn a_single_flight_runs_once_for_everyone_who_asks_meanwhile() {
    let sf: SingleFlight<u32> = SingleFlight::default();
    let gate: Latch<()> = Latch::new();
    let runs = std::cell::Cell::new(0);
    let work = || async {
        runs.set(runs.get() + 1);
        gate.wait().await;
        7
    };
    let mut first = Box::pin(sf.run(work));
    let mut second = Box::pin(sf.run(|| async { 99 }));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(first.as_mut().poll(&mut cx).is_pending());
    assert!(second.as_mut().poll(&mut cx).is_pending(), "joins the run");
    gate.set(());
    assert_eq!(first.as_mut().poll(&mut cx), Poll::Ready(7));
    assert_eq!(
        second.as_mut().poll(&mut cx),
        Poll::Ready(7),
        "shares its result"
    );
    assert_eq!(runs.get(), 1);
    assert!(sf.running().is_none());
    // A later call runs anew.
    assert_eq!(poll_once(sf.run(|| async { 3 })), Poll::Ready(3));
}

#[test]
fn a_latch_is_set_once_and_wakes_every_waiter() {
    let l: Latch<u32> = Latch::new();
    assert!(poll_once(l.wait()).is_pending());
    assert!(l.set(1));
    assert!(!l.set(2), "a second set is ignored");
    assert_eq!(poll_once(l.wait()), Poll::Ready(1));
    assert_eq!(poll_once(l.clone().wait()), Poll::Ready(1));
}

#[test]
fn transient_errors_are_the_retryable_ones() {
    let t = |status| Error::Transport {
        status,
        message: String::new(),
        body: String::new(),
        tries: 1,
        retry_after_ms: None,
    };
    for s in [0, 408, 429, 500, 502, 503, 504] {
        assert!(t(s).is_transient(), "{s}");
    }
    for s in [400, 401, 403, 404, 405, 413] {
        assert!(!t(s).is_transient(), "{s}");
    }
    assert!(Error::Protocol("cut".into()).is_transient());
    assert!(!Error::Aborted("x".into()).is_transient());
}

#[test]
fn quoted_bodies_are_capped_at_a_char_boundary() {
    assert_eq!(quote_body("short", 10), "short");
    let long = "é".repeat(100);
    let q = quote_body(&long, 11);
    assert!(q.ends_with('…'));
    assert!(q.len() <= 11 + '…'.len_utf8());
}

#[test]
fn a_gate_hands_slots_out_in_order_and_back_on_drop() {
    let g = Gate::new(2);
    let a = g.enter().ok().expect("slot 1");
    let b = g.enter().ok().expect("slot 2");
    assert_eq!(g.free(), 0);
    let first = g.enter().err().expect("third waits");
    let second = g.enter().err().expect("fourth waits");
    assert_eq!(g.queued(), 2);
    assert!(poll_once(first.latch().wait()).is_pending());
    drop(a);
    assert_eq!(
        first.latch().get(),
        Some(true),
        "the first waiter gets the slot"
    );
    assert_eq!(second.latch().get(), None);
    // A ticket handed a slot holds it.
    let p1 = first;
    drop(b);
    assert_eq!(second.latch().get(), Some(true), "then the second");
    let p2 = second;
    assert_eq!(g.free(), 0);
    drop((p1, p2));
    assert_eq!(g.free(), 2, "every slot is back");
    assert_eq!(g.queued(), 0);
}

#[test]
fn a_gate_waiter_that_gives_up_loses_no_slot() {
    let g = Gate::new(1);
    let held = g.enter().ok().expect("slot");
    let quitter = g.enter().err().expect("waits");
    let patient = g.enter().err().expect("waits too");
    // The first waiter gives up (an abort): its place is skipped, not handed a slot.
    assert!(quitter.latch().set(false));
    drop(quitter);
    drop(held);
    assert_eq!(
        patient.latch().get(),
        Some(true),
        "the slot skips the quitter"
    );
    drop(patient);
    assert_eq!(g.free(), 1);

    // A waiter dropped after its slot was handed over passes the slot on.
    let held = g.enter().ok().expect("slot");
    let dropped = g.enter().err().expect("waits");
    let next = g.enter().err().expect("waits");
    drop(held);
    assert_eq!(dropped.latch().get(), Some(true));
    drop(dropped);
    assert_eq!(next.latch().get(), Some(true), "passed on");
    drop(next);
    assert_eq!(g.free(), 1, "and back once nobody waits");

    // An abort that comes after the hand-over does not undo it.
    let held = g.enter().ok().expect("slot");
    let late = g.enter().err().expect("waits");
    drop(held);
    assert!(!late.latch().set(false), "already handed over");
    assert_eq!(late.latch().get(), Some(true));
    assert_eq!(g.free(), 0, "the ticket holds the slot");
    drop(late);
    assert_eq!(g.free(), 1);
}

#[test]
fn a_gate_has_at_least_one_slot_and_serves_newcomers_after_the_queue() {
    let g = Gate::new(0);
    let a = g.enter().ok().expect("a zero-slot gate still has one");
    let w = g.enter().err().expect("waits");
    drop(a);
    // The freed slot went to the waiter, so a newcomer cannot jump the queue.
    assert!(g.enter().is_err(), "newcomer queues behind");
    drop(w);
}

#[test]
fn closing_a_gate_turns_its_waiters_away_and_keeps_its_slots() {
    let g = Gate::new(1);
    let held = g.enter().ok().expect("slot");
    let w1 = g.enter().err().expect("waits");
    let w2 = g.enter().err().expect("waits");
    g.close();
    assert_eq!(w1.latch().get(), Some(false));
    assert_eq!(w2.latch().get(), Some(false));
    drop((w1, w2));
    assert_eq!(g.queued(), 0);
    drop(held);
    assert_eq!(g.free(), 1, "the held slot comes back");
}

#[test]
fn a_latch_wakes_each_waiter_once_however_often_it_was_polled() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    struct Count(AtomicUsize);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let l: Latch<u32> = Latch::new();
    let counts: Vec<Arc<Count>> = (0..3)
        .map(|_| Arc::new(Count(AtomicUsize::new(0))))
        .collect();
    let mut waits: Vec<_> = (0..3).map(|_| Box::pin(l.wait())).collect();
    for _ in 0..5 {
        for (w, c) in waits.iter_mut().zip(&counts) {
            let waker = Waker::from(c.clone());
            let mut cx = Context::from_waker(&waker);
            assert!(w.as_mut().poll(&mut cx).is_pending());
        }
    }
    assert!(l.set(7));
    for c in &counts {
        assert_eq!(c.0.load(Ordering::SeqCst), 1, "one wake per waiter");
    }
    for w in waits.iter_mut() {
        assert_eq!(poll_once(w.as_mut()), Poll::Ready(7));
    }
}
