#![cfg(not(target_arch = "wasm32"))]
//! The decisions of a request across its tries ([`Tries`], pure): when it is sent again,
//! after how long, when the session is renewed first, and what error ends it.

use mcp_tasks_wasm::error::Error;
use mcp_tasks_wasm::transport::rpc::{Next, Tries};

fn http(status: u16, retry_after_ms: Option<u64>) -> Result<u32, Error> {
    Err(Error::Transport {
        status,
        message: "refused".into(),
        body: String::new(),
        tries: 1,
        retry_after_ms,
    })
}

#[test]
fn a_refusal_is_sent_again_no_sooner_than_retry_after_then_given_up_with_the_count() {
    let mut tries = Tries::new(true, false, 2, false);
    for _ in 0..2 {
        match tries.after(http(429, Some(1500)), 7) {
            Next::Wait(ms) => assert!(ms >= 1500, "waited {ms} ms"),
            other => panic!("expected a wait, got {other:?}"),
        }
    }
    match tries.after(http(503, None), 7) {
        Next::Done(Err(Error::Transport {
            status: 503,
            tries: 3,
            message,
            ..
        })) => assert!(message.contains("gave up after 3 tries"), "{message}"),
        other => panic!("expected the refusal with its count, got {other:?}"),
    }
}

#[test]
fn a_lost_connection_is_sent_again_only_when_the_request_is_safe_to_repeat() {
    assert!(matches!(
        Tries::new(true, true, 3, false).after(http(0, None), 1),
        Next::Wait(_)
    ));
    assert!(matches!(
        Tries::new(true, false, 3, false).after(http(0, None), 1),
        Next::Done(Err(Error::Transport {
            status: 0,
            tries: 1,
            ..
        }))
    ));
}

#[test]
fn without_retries_a_refusal_ends_the_request_at_once() {
    assert!(matches!(
        Tries::new(false, false, 3, false).after(http(429, Some(10)), 1),
        Next::Done(Err(Error::Transport { status: 429, .. }))
    ));
}

#[test]
fn other_errors_and_results_end_the_request() {
    let mut tries = Tries::new(true, true, 3, false);
    assert!(matches!(tries.after(Ok(5), 1), Next::Done(Ok(5))));
    assert!(matches!(
        tries.after(http(500, None), 1),
        Next::Done(Err(Error::Transport { status: 500, .. }))
    ));
    assert!(matches!(
        tries.after::<u32>(Err(Error::Protocol("bad".into())), 1),
        Next::Done(Err(Error::Protocol(_)))
    ));
}

#[test]
fn a_lost_session_is_renewed_once_then_the_request_fails_with_404() {
    let mut tries = Tries::new(true, true, 3, false);
    assert!(matches!(
        tries.after::<u32>(Err(Error::SessionGone), 1),
        Next::Renew
    ));
    match tries.after::<u32>(Err(Error::SessionGone), 1) {
        Next::Done(Err(Error::Transport {
            status: 404,
            tries: 2,
            ..
        })) => {}
        other => panic!("expected a 404 after one renewal, got {other:?}"),
    }
}

#[test]
fn a_refused_token_leads_to_a_sign_in_twice_at_most_and_only_with_authorization() {
    let mut tries = Tries::new(true, true, 3, true);
    assert!(matches!(
        tries.after(http(401, None), 1),
        Next::SignIn(_, true)
    ));
    assert!(matches!(
        tries.after(http(403, None), 1),
        Next::SignIn(Error::Transport { status: 403, .. }, false)
    ));
    assert!(matches!(
        tries.after(http(401, None), 1),
        Next::Done(Err(Error::Transport { status: 401, .. }))
    ));
    assert!(matches!(
        Tries::new(true, true, 3, false).after(http(401, None), 1),
        Next::Done(Err(Error::Transport { status: 401, .. }))
    ));
}
