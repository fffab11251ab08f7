#![cfg(not(target_arch = "wasm32"))]
//! The shipped 2025-11-25 task decoder (`wire::decode_task`, the same code the wasm build
//! runs over JS values) fed the spec's examples, the schema's edge cases and a seeded
//! mutation loop: every Task in the examples decodes to the right fields, and no input
//! makes it panic.

use std::fs;
use std::path::PathBuf;

use mcp_tasks_wasm::error::Error;
use mcp_tasks_wasm::policy::Rng;
use mcp_tasks_wasm::task::model::{TaskInfo, TaskStatus};
use mcp_tasks_wasm::wire::decode_task;
use mcp_tasks_wasm::wire::v2025_11_25::FIELDS;
use serde_json::{json, Value};

fn example(name: &str) -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/2025-11-25/examples");
    let text = fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn decode(v: &Value) -> Result<TaskInfo, Error> {
    decode_task(v, &FIELDS)
}

#[test]
fn every_task_of_the_spec_examples_decodes() {
    let cases = [
        (
            "03-creating-tasks-response.json",
            "/result/task",
            TaskStatus::Working,
            Some(60000),
            Some(5000),
        ),
        (
            "05-getting-tasks-response.json",
            "/result",
            TaskStatus::Working,
            Some(30000),
            Some(5000),
        ),
        (
            "08-task-status-notification.json",
            "/params",
            TaskStatus::Completed,
            Some(60000),
            Some(5000),
        ),
        (
            "12-cancelling-tasks-response.json",
            "/result",
            TaskStatus::Cancelled,
            Some(30000),
            Some(5000),
        ),
        (
            "19-tasks-get-response-failed-task.json",
            "/result",
            TaskStatus::Failed,
            Some(30000),
            None,
        ),
    ];
    for (file, pointer, status, ttl, poll) in cases {
        let v = example(file);
        let task = v
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{file}{pointer}"));
        let t = decode(task).unwrap_or_else(|e| panic!("{file}: {}", e.describe()));
        assert_eq!(t.task_id, task["taskId"].as_str().unwrap(), "{file}");
        assert_eq!(t.status, status, "{file}");
        assert_eq!(t.ttl_ms, ttl, "{file}");
        assert_eq!(t.poll_interval_ms, poll, "{file}");
        assert_eq!(t.created_at, "2025-11-25T10:30:00Z", "{file}");
        assert_eq!(
            t.status_message.as_deref(),
            task.get("statusMessage").and_then(Value::as_str),
            "{file}"
        );
    }
}

#[test]
fn null_ttl_means_unlimited_and_unknown_members_are_ignored() {
    let t = decode(&json!({
        "taskId": "t", "status": "input_required", "createdAt": "a", "lastUpdatedAt": "b",
        "ttl": null, "x-vendor": {"deep": [1, 2]}
    }))
    .unwrap();
    assert_eq!(t.ttl_ms, None);
    assert_eq!(t.status, TaskStatus::InputRequired);
}

#[test]
fn a_broken_task_is_a_protocol_error_that_names_the_field() {
    let base = json!({
        "taskId": "t", "status": "working", "createdAt": "a", "lastUpdatedAt": "b", "ttl": 5
    });
    let broken = |k: &str, v: Value| {
        let mut t = base.clone();
        t[k] = v;
        match decode(&t) {
            Err(Error::Protocol(m)) => m,
            other => panic!("{k}: expected a ProtocolError, got {other:?}"),
        }
    };
    assert!(broken("taskId", json!(7)).contains("taskId"));
    assert!(broken("status", json!("done")).contains("unknown task status"));
    assert!(broken("createdAt", json!(null)).contains("createdAt"));
    assert!(broken("ttl", json!(-1)).contains("ttl"));
    assert!(broken("ttl", json!("soon")).contains("ttl"));
    assert!(broken("pollInterval", json!(true)).contains("pollInterval"));
    assert!(broken("statusMessage", json!(["x"])).contains("statusMessage"));
    assert!(matches!(decode(&json!([base])), Err(Error::Protocol(_))));
    assert!(matches!(decode(&json!("task")), Err(Error::Protocol(_))));
}

/// A seeded mutation loop over the examples' tasks: replace, drop or nest members with
/// values of every JSON type. Decoding never panics, and whatever decodes has the fields
/// the input had.
#[test]
fn mutated_tasks_never_panic() {
    let seed = 20_251_125;
    let mut rng = Rng::new(seed);
    let base = example("05-getting-tasks-response.json")["result"].clone();
    let keys = [
        "taskId",
        "status",
        "statusMessage",
        "createdAt",
        "lastUpdatedAt",
        "ttl",
        "pollInterval",
    ];
    let values = [
        json!(null),
        json!(true),
        json!(0),
        json!(-0.5),
        json!(1e308),
        json!(""),
        json!("working"),
        json!("\u{0}\u{ffff}"),
        json!([]),
        json!({}),
        json!({"taskId": "nested"}),
    ];
    let mut ok = 0;
    for _ in 0..5_000 {
        let mut t = base.clone();
        for _ in 0..=(rng.next_u64() % 3) {
            let k = keys[(rng.next_u64() as usize) % keys.len()];
            if rng.next_f64() < 0.3 {
                t.as_object_mut().unwrap().remove(k);
            } else {
                t[k] = values[(rng.next_u64() as usize) % values.len()].clone();
            }
        }
        if let Ok(info) = decode(&t) {
            ok += 1;
            assert_eq!(Some(info.task_id.as_str()), t["taskId"].as_str());
            assert_eq!(Some(info.status.as_str()), t["status"].as_str());
        }
    }
    assert!(
        ok > 0 && ok < 5_000,
        "the loop reaches both outcomes ({ok} decoded)"
    );
    println!("wire decoder: seed {seed}, 5000 mutated tasks, {ok} decoded");
}
