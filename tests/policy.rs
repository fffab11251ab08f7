#![cfg(not(target_arch = "wasm32"))]
//! The polling policy with a fake clock: intervals, clamps, backoff and jitter
//! bounds, Retry-After, deadlines and the shared timer schedule.

use mcp_tasks_wasm::policy::{
    clamp_timeout, deadline_ms, parse_retry_after, parse_rfc3339_ms, GiveUp, PollConfig,
    PollPolicy, Rng, Schedule, MAX_TIMEOUT_MS,
};

/// 2025-11-25T10:30:00Z in epoch ms.
const NOV25: f64 = 1_764_066_600_000.0;

fn policy() -> PollPolicy {
    PollPolicy::new(PollConfig::default(), 42)
}

#[test]
fn clamp_timeout_edge_cases() {
    assert_eq!(clamp_timeout(f64::NAN), 0);
    assert_eq!(clamp_timeout(-1.0), 0);
    assert_eq!(clamp_timeout(-0.0), 0);
    assert_eq!(clamp_timeout(f64::NEG_INFINITY), 0);
    assert_eq!(clamp_timeout(0.0), 0);
    assert_eq!(
        clamp_timeout(0.2),
        1,
        "fractions round up: never fire early"
    );
    assert_eq!(clamp_timeout(1500.0), 1500);
    assert_eq!(clamp_timeout(2_147_483_647.0), MAX_TIMEOUT_MS);
    assert_eq!(clamp_timeout(2_147_483_648.0), MAX_TIMEOUT_MS);
    assert_eq!(clamp_timeout(1e300), MAX_TIMEOUT_MS);
    assert_eq!(clamp_timeout(f64::INFINITY), MAX_TIMEOUT_MS);
    assert_eq!(MAX_TIMEOUT_MS, (1u32 << 31) - 1);
}

#[test]
fn config_defaults() {
    let c = PollConfig::default();
    assert_eq!(c.default_interval_ms, 1000);
    assert_eq!(c.min_interval_ms, 100);
    assert_eq!(c.max_interval_ms, 30_000);
    assert_eq!(c.max_retries, 8);
    assert_eq!(c.backoff_base_ms, 250);
    assert_eq!(c.normalized(), c);
}

#[test]
fn normalized_config_is_consistent() {
    let c = PollConfig {
        default_interval_ms: 5,
        min_interval_ms: 0,
        max_interval_ms: u32::MAX,
        max_retries: 0,
        backoff_base_ms: 0,
    }
    .normalized();
    assert_eq!(c.min_interval_ms, 1);
    assert_eq!(c.max_interval_ms, MAX_TIMEOUT_MS);
    assert_eq!(c.default_interval_ms, 5);
    assert_eq!(c.backoff_base_ms, 1);
    assert_eq!(c.max_retries, 0);

    // The floor wins over a ceiling below it; the default moves into range.
    let c = PollConfig {
        default_interval_ms: 1000,
        min_interval_ms: 60_000,
        max_interval_ms: 30_000,
        ..PollConfig::default()
    }
    .normalized();
    assert_eq!((c.min_interval_ms, c.max_interval_ms), (60_000, 60_000));
    assert_eq!(c.default_interval_ms, 60_000);
}

#[test]
fn success_uses_the_server_interval() {
    assert_eq!(policy().after_success(Some(2500)), 2500);
}

#[test]
fn success_without_server_interval_uses_the_default() {
    assert_eq!(policy().after_success(None), 1000);
    let mut p = PollPolicy::new(
        PollConfig {
            default_interval_ms: 4000,
            ..PollConfig::default()
        },
        1,
    );
    assert_eq!(p.after_success(None), 4000);
}

#[test]
fn success_interval_is_clamped_to_min_and_max() {
    let mut p = policy();
    assert_eq!(p.after_success(Some(0)), 100);
    assert_eq!(p.after_success(Some(99)), 100);
    assert_eq!(p.after_success(Some(30_001)), 30_000);
    assert_eq!(p.after_success(Some(u64::MAX)), 30_000);
}

#[test]
fn huge_intervals_clamp_to_the_timeout_max() {
    let mut p = PollPolicy::new(
        PollConfig {
            min_interval_ms: u32::MAX,
            max_interval_ms: u32::MAX,
            default_interval_ms: u32::MAX,
            ..PollConfig::default()
        },
        1,
    );
    assert_eq!(p.after_success(Some(u64::MAX)), MAX_TIMEOUT_MS);
    assert_eq!(p.after_success(None), MAX_TIMEOUT_MS);
    assert_eq!(p.after_failure(Some(u64::MAX)), Ok(MAX_TIMEOUT_MS));
}

#[test]
fn backoff_stays_within_bounds_for_every_attempt_and_many_seeds() {
    let cfg = PollConfig {
        max_retries: 40,
        ..PollConfig::default()
    };
    for seed in 0..500 {
        let mut p = PollPolicy::new(cfg, seed);
        for n in 1..=40u32 {
            let d = p.after_failure(None).unwrap();
            let cap = (250u64 << (n - 1).min(40)).min(30_000) as u32;
            assert!(
                (100..=cap.max(100)).contains(&d),
                "seed {seed} attempt {n}: {d} not in [100, {cap}]"
            );
            assert_eq!(p.failures(), n);
        }
    }
}

#[test]
fn backoff_cap_grows_exponentially() {
    // The largest delay seen per attempt over many seeds approaches the cap.
    let mut maxima = [0u32; 8];
    for seed in 0..2000 {
        let mut p = PollPolicy::new(PollConfig::default(), seed);
        assert_eq!(*p.config(), PollConfig::default());
        for m in maxima.iter_mut() {
            *m = (*m).max(p.after_failure(None).unwrap());
        }
    }
    let caps = [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000];
    for (i, cap) in caps.iter().enumerate() {
        assert!(maxima[i] <= *cap);
        assert!(
            maxima[i] as f64 >= *cap as f64 * 0.95,
            "attempt {}: {}",
            i + 1,
            maxima[i]
        );
    }
}

#[test]
fn backoff_with_a_floor_above_the_cap_uses_the_floor() {
    let mut p = PollPolicy::new(
        PollConfig {
            min_interval_ms: 1000,
            ..PollConfig::default()
        },
        3,
    );
    assert_eq!(p.after_failure(None), Ok(1000));
    assert_eq!(p.after_failure(None), Ok(1000));
    assert!(p.after_failure(None).unwrap() >= 1000);
}

#[test]
fn jitter_is_deterministic_per_seed_and_differs_between_seeds() {
    let run = |seed| {
        let mut p = PollPolicy::new(PollConfig::default(), seed);
        (0..8)
            .map(|_| p.after_failure(None).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    assert_ne!(run(0), run(1));
}

#[test]
fn rng_is_deterministic_and_in_range() {
    let mut a = Rng::new(99);
    let mut b = Rng::new(99);
    let mut c = Rng::new(100);
    let mut same = 0;
    for _ in 0..10_000 {
        let x = a.next_u64();
        assert_eq!(x, b.next_u64());
        if x == c.next_u64() {
            same += 1;
        }
        let f = a.next_f64();
        b.next_f64();
        c.next_f64();
        assert!((0.0..1.0).contains(&f));
    }
    assert_eq!(same, 0);
    // Seed zero still produces varied output.
    let mut z = Rng::new(0);
    assert_ne!(z.next_u64(), z.next_u64());
}

#[test]
fn retry_after_wins_over_a_shorter_backoff() {
    let mut p = policy();
    assert_eq!(p.after_failure(Some(5000)), Ok(5000));
    // Up to max_interval (30 s): a longer Retry-After is asked again after it.
    assert_eq!(p.after_failure(Some(120_000)), Ok(30_000));
    // A Retry-After of 99,999,999 s (a 25-day timer before) waits max_interval too.
    assert_eq!(p.after_failure(Some(99_999_999_000)), Ok(30_000));
    // A shorter Retry-After does not shorten the backoff below its floor.
    assert!(p.after_failure(Some(0)).unwrap() >= 100);
}

#[test]
fn gives_up_after_max_retries_with_the_tries_counted() {
    let mut p = PollPolicy::new(
        PollConfig {
            max_retries: 3,
            ..PollConfig::default()
        },
        5,
    );
    for _ in 0..3 {
        assert!(p.after_failure(None).is_ok());
    }
    assert_eq!(p.after_failure(None), Err(GiveUp { tries: 4 }));
    assert_eq!(p.after_failure(None), Err(GiveUp { tries: 5 }));
    assert!(GiveUp { tries: 4 }.to_string().contains('4'));
}

#[test]
fn zero_retries_gives_up_at_the_first_failure() {
    let mut p = PollPolicy::new(
        PollConfig {
            max_retries: 0,
            ..PollConfig::default()
        },
        5,
    );
    assert_eq!(p.after_failure(Some(10)), Err(GiveUp { tries: 1 }));
}

#[test]
fn default_budget_is_eight_retries() {
    let mut p = policy();
    for _ in 0..8 {
        assert!(p.after_failure(None).is_ok());
    }
    assert_eq!(p.after_failure(None), Err(GiveUp { tries: 9 }));
}

#[test]
fn success_resets_failures_and_backoff() {
    let mut p = PollPolicy::new(
        PollConfig {
            max_retries: 2,
            ..PollConfig::default()
        },
        11,
    );
    p.after_failure(None).unwrap();
    p.after_failure(None).unwrap();
    assert_eq!(p.failures(), 2);
    assert_eq!(p.after_success(Some(500)), 500);
    assert_eq!(p.failures(), 0);
    // The budget and the backoff start again.
    let d = p.after_failure(None).unwrap();
    assert!((100..=250).contains(&d));
    p.after_failure(None).unwrap();
    assert_eq!(p.after_failure(None), Err(GiveUp { tries: 3 }));
}

#[test]
fn retry_after_in_seconds() {
    assert_eq!(parse_retry_after("120", NOV25), Some(120_000));
    assert_eq!(parse_retry_after(" 0 ", NOV25), Some(0));
    assert_eq!(parse_retry_after("\t5", NOV25), Some(5000));
    assert_eq!(
        parse_retry_after("99999999999999999999999", NOV25),
        Some(u64::MAX)
    );
}

#[test]
fn retry_after_as_http_date() {
    // Fake clock: ten seconds before the date.
    let date = "Tue, 25 Nov 2025 10:30:10 GMT";
    assert_eq!(parse_retry_after(date, NOV25), Some(10_000));
    assert_eq!(parse_retry_after(date, NOV25 + 9_999.5), Some(1));
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000.0 - 1500.0),
        Some(1500)
    );
}

#[test]
fn retry_after_in_the_past_is_zero() {
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOV25),
        Some(0)
    );
    assert_eq!(
        parse_retry_after("Tue, 25 Nov 2025 10:30:00 GMT", NOV25),
        Some(0)
    );
}

#[test]
fn retry_after_garbage_is_none() {
    for bad in [
        "",
        " ",
        "-1",
        "1.5",
        "soon",
        "0x10",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 GMTX",
        "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}",
    ] {
        assert_eq!(parse_retry_after(bad, NOV25), None, "{bad:?}");
    }
}

#[test]
fn rfc3339_utc() {
    assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0.0));
    assert_eq!(parse_rfc3339_ms("2025-11-25T10:30:00Z"), Some(NOV25));
    assert_eq!(parse_rfc3339_ms("2025-11-25t10:30:00z"), Some(NOV25));
    assert_eq!(parse_rfc3339_ms("2025-11-25 10:30:00Z"), Some(NOV25));
    assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59Z"), Some(-1000.0));
    assert_eq!(
        parse_rfc3339_ms("2000-02-29T00:00:00Z"),
        Some(951_782_400_000.0)
    );
    assert_eq!(
        parse_rfc3339_ms("9999-12-31T23:59:59Z"),
        Some(253_402_300_799_000.0)
    );
    // Year 0's January and February count in year -1 of the March-based years (the
    // values are JavaScript's Date.parse).
    assert_eq!(
        parse_rfc3339_ms("0000-01-01T00:00:00Z"),
        Some(-62_167_219_200_000.0)
    );
    assert_eq!(
        parse_rfc3339_ms("0000-03-01T00:00:00Z"),
        Some(-62_162_035_200_000.0)
    );
    assert_eq!(
        parse_rfc3339_ms("0399-02-28T12:00:00Z"),
        Some(-49_570_920_000_000.0)
    );
}

#[test]
fn rfc3339_fractions() {
    assert_eq!(
        parse_rfc3339_ms("2025-11-25T10:30:00.5Z"),
        Some(NOV25 + 500.0)
    );
    assert_eq!(
        parse_rfc3339_ms("2025-11-25T10:30:00.123Z"),
        Some(NOV25 + 123.0)
    );
    // Python's isoformat(): microseconds.
    let t = parse_rfc3339_ms("2025-11-25T10:30:00.123456+00:00").unwrap();
    assert!((t - (NOV25 + 123.456)).abs() < 1e-3);
    let t = parse_rfc3339_ms("2025-11-25T10:30:00.999999999Z").unwrap();
    assert!((t - (NOV25 + 999.999999)).abs() < 1e-3);
}

#[test]
fn rfc3339_offsets() {
    assert_eq!(parse_rfc3339_ms("2025-11-25T11:30:00+01:00"), Some(NOV25));
    assert_eq!(parse_rfc3339_ms("2025-11-25T05:00:00-05:30"), Some(NOV25));
    assert_eq!(parse_rfc3339_ms("2025-11-25T10:30:00-00:00"), Some(NOV25));
    assert_eq!(parse_rfc3339_ms("2025-11-26T00:00:00+13:30"), Some(NOV25));
}

#[test]
fn rfc3339_leap_second_is_accepted() {
    assert_eq!(
        parse_rfc3339_ms("2016-12-31T23:59:60Z"),
        parse_rfc3339_ms("2017-01-01T00:00:00Z")
    );
}

#[test]
fn rfc3339_invalid_inputs() {
    for bad in [
        "",
        "2025-11-25",
        "2025-11-25T10:30:00",
        "2025-11-25T10:30Z",
        "2025-11-25T10:30:00.Z",
        "2025-11-25T10:30:00,5Z",
        "2025-11-25T10:30:00+0100",
        "2025-11-25T10:30:00+01",
        "2025-11-25T10:30:00+24:00",
        "2025-11-25T10:30:00+01:60",
        "2025-11-25T10:30:00ZZ",
        "2025-13-25T10:30:00Z",
        "2025-00-25T10:30:00Z",
        "2025-02-29T10:30:00Z",
        "1900-02-29T10:30:00Z",
        "2025-04-31T10:30:00Z",
        "2025-11-00T10:30:00Z",
        "2025-11-25T24:00:00Z",
        "2025-11-25T10:60:00Z",
        "2025-11-25T10:30:61Z",
        "2025/11/25T10:30:00Z",
        "2025-11-25X10:30:00Z",
        "+025-11-25T10:30:00Z",
        "2025-1a-25T10:30:00Z",
        "2025-11-25T10:30:00 Z",
        "2025-11-25T10:30:00.5éZ",
        "２025-11-25T10:30:00Z",
    ] {
        assert_eq!(parse_rfc3339_ms(bad), None, "{bad:?}");
    }
}

#[test]
fn deadline_is_created_at_plus_ttl() {
    assert_eq!(
        deadline_ms("2025-11-25T10:30:00Z", Some(60_000)),
        Some(NOV25 + 60_000.0)
    );
    assert_eq!(deadline_ms("2025-11-25T10:30:00Z", Some(0)), Some(NOV25));
    assert_eq!(deadline_ms("2025-11-25T10:30:00Z", None), None);
    assert_eq!(deadline_ms("yesterday", Some(1000)), None);
    // Fake clock: before and after the deadline.
    let d = deadline_ms("2025-11-25T11:30:00+01:00", Some(1000)).unwrap();
    assert!(NOV25 + 999.0 < d && d <= NOV25 + 1000.0);
}

#[test]
fn schedule_orders_by_due_time() {
    let mut s = Schedule::new();
    assert!(s.is_empty());
    assert_eq!(s.next_due(), None);
    assert_eq!(s.next_delay(0.0), None);
    s.insert(1u32, 300.0);
    s.insert(2, 100.0);
    s.insert(3, 200.0);
    assert_eq!(s.len(), 3);
    assert_eq!(s.next_due(), Some(100.0));
    assert_eq!(s.next_delay(40.0), Some(60));
    assert_eq!(s.next_delay(500.0), Some(0));
    assert_eq!(s.pop_due(99.9, usize::MAX), Vec::<u32>::new());
    assert_eq!(s.pop_due(250.0, usize::MAX), vec![2, 3]);
    assert_eq!(s.len(), 1);
    assert!(s.contains(1) && !s.contains(2));
    assert_eq!(s.pop_due(1e9, usize::MAX), vec![1]);
    assert!(s.is_empty());
}

#[test]
fn schedule_pops_at_most_max_and_keeps_the_rest_due() {
    let mut s = Schedule::new();
    for k in [4u32, 1, 3, 2] {
        s.insert(k, 100.0);
    }
    s.insert(5, 50.0);
    s.insert(6, 500.0);
    assert_eq!(s.pop_due(200.0, 2), vec![5, 1]);
    assert_eq!(s.next_due(), Some(100.0));
    assert_eq!(s.pop_due(200.0, 0), Vec::<u32>::new());
    assert_eq!(s.pop_due(200.0, 9), vec![2, 3, 4]);
    assert_eq!(s.len(), 1);
}

#[test]
fn schedule_insert_replaces_an_existing_entry() {
    let mut s = Schedule::new();
    s.insert(1u32, 100.0);
    s.insert(2, 200.0);
    s.insert(1, 300.0);
    assert_eq!(s.len(), 2);
    assert_eq!(s.due(1), Some(300.0));
    assert_eq!(s.next_due(), Some(200.0));
    assert_eq!(s.pop_due(250.0, usize::MAX), vec![2]);
    // Moving it earlier works too.
    s.insert(1, 50.0);
    assert_eq!(s.pop_due(60.0, usize::MAX), vec![1]);
    assert!(s.is_empty());
}

#[test]
fn schedule_remove() {
    let mut s = Schedule::new();
    s.insert(1u32, 100.0);
    s.insert(2, 100.0);
    assert!(s.remove(1));
    assert!(!s.remove(1));
    assert!(!s.remove(9));
    assert_eq!(s.len(), 1);
    assert_eq!(s.pop_due(100.0, usize::MAX), vec![2]);
    // A removed entry must never fire.
    s.insert(3, 10.0);
    s.remove(3);
    assert_eq!(s.pop_due(f64::INFINITY, usize::MAX), Vec::<u32>::new());
    assert_eq!(s.next_due(), None);
}

#[test]
fn schedule_odd_times() {
    let mut s = Schedule::new();
    s.insert(1u32, -5.0);
    s.insert(2, f64::NAN); // counts as 0
    s.insert(3, -0.0);
    s.insert(4, f64::INFINITY);
    s.insert(5, 0.5);
    assert_eq!(s.next_due(), Some(-5.0));
    assert_eq!(s.due(2), Some(0.0));
    assert_eq!(s.pop_due(f64::NAN, usize::MAX), Vec::<u32>::new());
    assert_eq!(s.pop_due(0.0, usize::MAX), vec![1, 2, 3]);
    assert_eq!(s.pop_due(1e308, usize::MAX), vec![5]);
    assert_eq!(s.next_delay(0.0), Some(MAX_TIMEOUT_MS));
    assert_eq!(s.pop_due(f64::INFINITY, usize::MAX), vec![4]);
    s.insert(6, 1.0);
    s.clear();
    assert!(s.is_empty() && !s.contains(6));
}

#[test]
fn schedule_with_many_keys_pops_in_due_order() {
    let mut s = Schedule::new();
    let mut rng = Rng::new(2024);
    let n = 5000u32;
    let mut dues = Vec::new();
    for k in 0..n {
        let due = (rng.next_u64() % 100_000) as f64;
        s.insert(k, due);
        dues.push(due);
    }
    // Reschedule every third key, remove every seventh.
    for k in (0..n).step_by(3) {
        let due = (rng.next_u64() % 100_000) as f64 + 0.25;
        s.insert(k, due);
        dues[k as usize] = due;
    }
    for k in (0..n).step_by(7) {
        assert!(s.remove(k));
    }
    let live: Vec<u32> = (0..n).filter(|k| k % 7 != 0).collect();
    assert_eq!(s.len(), live.len());
    let mut expected = live.clone();
    expected.sort_by(|&a, &b| {
        dues[a as usize]
            .total_cmp(&dues[b as usize])
            .then(a.cmp(&b))
    });
    assert_eq!(s.next_due(), Some(dues[expected[0] as usize]));

    // Pop with a fake clock advancing in steps.
    let mut popped = Vec::new();
    let mut now = 0.0;
    while !s.is_empty() {
        let batch = s.pop_due(now, usize::MAX);
        for &k in &batch {
            assert!(dues[k as usize] <= now);
        }
        if let Some(next) = s.next_due() {
            assert!(next > now);
        }
        popped.extend(batch);
        now += 997.0;
    }
    assert_eq!(popped, expected);
}

#[test]
fn a_tasks_list_sweep_may_cost_a_quarter_of_the_polls_it_replaces() {
    use mcp_tasks_wasm::policy::{sweep_page_budget, SWEEP_MIN_TASKS};
    assert_eq!(sweep_page_budget(0), 0);
    assert_eq!(
        sweep_page_budget(SWEEP_MIN_TASKS - 1),
        0,
        "too few to sweep"
    );
    assert_eq!(sweep_page_budget(SWEEP_MIN_TASKS), 2);
    assert_eq!(sweep_page_budget(40), 10);
    // 1000 tasks: a listing of up to 250 pages (10 tasks a page) still pays 4x.
    assert_eq!(sweep_page_budget(1000), 250);
}
