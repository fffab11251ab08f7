#![cfg(not(target_arch = "wasm32"))]
//! Every JSON example of the specification's tasks page (`shared/spec/2025-11-25/examples`)
//! decodes into its Rust type and encodes back to the same JSON.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use mcp_tasks_wasm::protocol::{
    meta, CallToolOrTaskResult, CallToolRequest, CancelTaskRequest, CancelTaskResult,
    ClientCapabilities, CreateTaskResult, GetTaskPayloadRequest, GetTaskPayloadResult,
    GetTaskRequest, GetTaskResult, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcResultResponse,
    ListTasksRequest, ListTasksResult, MessageKind, Meta, RequestId, ServerCapabilities,
    TaskMetadata, TaskStatus, TaskStatusNotification, INVALID_PARAMS, INVALID_REQUEST,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/2025-11-25/examples"
);

/// The `{ "capabilities": ... }` fragment of an initialize result.
#[derive(Serialize, Deserialize)]
struct ServerCapabilitiesFragment {
    capabilities: ServerCapabilities,
}

/// The `{ "capabilities": ... }` fragment of an initialize request's params.
#[derive(Serialize, Deserialize)]
struct ClientCapabilitiesFragment {
    capabilities: ClientCapabilities,
}

/// The `{ "task": ... }` fragment of task-augmented request params.
#[derive(Serialize, Deserialize)]
struct TaskParamsFragment {
    task: TaskMetadata,
}

/// Decodes one example into its type and checks what it says.
type Check = fn(&str, &Value);

/// Every example file: its name and the check that proves it.
const MAPPED: &[(&str, Check)] = &[
    ("00-server-capabilities.json", server_capabilities),
    ("01-client-capabilities.json", client_capabilities),
    ("02-creating-tasks-request.json", creating_tasks_request),
    ("03-creating-tasks-response.json", creating_tasks_response),
    ("04-getting-tasks-request.json", getting_tasks_request),
    ("05-getting-tasks-response.json", getting_tasks_response),
    (
        "06-retrieving-task-results-request.json",
        task_result_request,
    ),
    (
        "07-retrieving-task-results-response.json",
        task_result_response,
    ),
    ("08-task-status-notification.json", task_status_notification),
    ("09-listing-tasks-request.json", listing_tasks_request),
    ("10-listing-tasks-response.json", listing_tasks_response),
    ("11-cancelling-tasks-request.json", cancelling_tasks_request),
    (
        "12-cancelling-tasks-response.json",
        cancelling_tasks_response,
    ),
    ("13-task-parameters.json", task_parameters),
    ("14-related-task-metadata.json", related_task_metadata),
    ("15-error-task-augmentation-required.json", error_response),
    ("16-error-task-not-found.json", error_response),
    ("17-error-task-expired.json", error_response),
    ("18-error-cancel-already-terminal.json", error_response),
    (
        "19-tasks-get-response-failed-task.json",
        failed_task_response,
    ),
];

fn example_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(EXAMPLES)
        .unwrap_or_else(|e| panic!("cannot read {EXAMPLES}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn file_name(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

/// Decodes `json` as `T`, encodes it again, and asserts the JSON is unchanged.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, json: &Value) -> T {
    let text = json.to_string();
    let typed: T = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{name}: does not decode as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        &back,
        json,
        "{name}: {} does not round-trip",
        std::any::type_name::<T>()
    );
    typed
}

/// Whole JSON-RPC messages also decode as [`JsonRpcMessage`] of the expected kind and
/// round-trip through it.
fn as_message(name: &str, json: &Value, kind: MessageKind) -> JsonRpcMessage {
    let msg: JsonRpcMessage = round_trip(name, json);
    assert_eq!(msg.kind(), kind, "{name}");
    msg
}

fn server_capabilities(name: &str, json: &Value) {
    let f: ServerCapabilitiesFragment = round_trip(name, json);
    let caps = f.capabilities;
    assert!(caps.supports_task_tool_calls());
    assert!(caps.supports_task_list());
    assert!(caps.supports_task_cancel());
}

fn client_capabilities(name: &str, json: &Value) {
    let f: ClientCapabilitiesFragment = round_trip(name, json);
    let tasks = f.capabilities.tasks.expect("tasks");
    let requests = tasks.requests.expect("requests");
    assert!(requests.sampling.unwrap().create_message.is_some());
    assert!(requests.elicitation.unwrap().create.is_some());
}

fn creating_tasks_request(name: &str, json: &Value) {
    let req: CallToolRequest = round_trip(name, json);
    assert_eq!(req.method, "tools/call");
    assert_eq!(req.id, RequestId::Number(1));
    let params = req.params.expect("params");
    assert_eq!(params.name, "get_weather");
    assert_eq!(params.task, Some(TaskMetadata { ttl: Some(60000) }));
    assert_eq!(params.arguments.unwrap()["city"], "New York");
    as_message(name, json, MessageKind::Request);
}

fn creating_tasks_response(name: &str, json: &Value) {
    let resp: JsonRpcResultResponse<CreateTaskResult> = round_trip(name, json);
    let task = &resp.result.task;
    assert_eq!(task.status, TaskStatus::Working);
    assert_eq!(task.ttl, Some(60000));
    assert_eq!(task.poll_interval, Some(5000));
    assert!(task.is_running());
    // The reply of a task-augmented tools/call tells a task by the `task` member.
    let either: JsonRpcResultResponse<CallToolOrTaskResult> = round_trip(name, json);
    assert_eq!(either.result.task(), Some(task));
    let msg = as_message(name, json, MessageKind::Response);
    let JsonRpcMessage::Response(r) = msg else {
        unreachable!()
    };
    assert_eq!(r.parse_result::<CreateTaskResult>().unwrap(), resp.result);
}

fn getting_tasks_request(name: &str, json: &Value) {
    let req: GetTaskRequest = round_trip(name, json);
    assert_eq!(req.method, "tasks/get");
    assert_eq!(
        req.params.unwrap().task_id,
        "786512e2-9e0d-44bd-8f29-789f320fe840"
    );
    as_message(name, json, MessageKind::Request);
}

fn getting_tasks_response(name: &str, json: &Value) {
    let resp: JsonRpcResultResponse<GetTaskResult> = round_trip(name, json);
    assert_eq!(resp.result.task.status, TaskStatus::Working);
    assert_eq!(resp.result.task.ttl, Some(30000));
    assert!(resp.result.task.extra.is_empty());
    as_message(name, json, MessageKind::Response);
}

fn task_result_request(name: &str, json: &Value) {
    let req: GetTaskPayloadRequest = round_trip(name, json);
    assert_eq!(req.method, "tasks/result");
    as_message(name, json, MessageKind::Request);
}

fn task_result_response(name: &str, json: &Value) {
    let resp: JsonRpcResultResponse<GetTaskPayloadResult> = round_trip(name, json);
    let result = resp.result;
    assert!(!result.is_error());
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result.related_task_id(),
        Some("786512e2-9e0d-44bd-8f29-789f320fe840")
    );
    assert!(result.content[0]
        .as_text()
        .unwrap()
        .starts_with("Current weather"));
    // No `task` member: the reply type says "plain result".
    let either: JsonRpcResultResponse<CallToolOrTaskResult> = round_trip(name, json);
    assert!(either.result.task().is_none());
    as_message(name, json, MessageKind::Response);
}

fn task_status_notification(name: &str, json: &Value) {
    let n: TaskStatusNotification = round_trip(name, json);
    assert_eq!(n.method, "notifications/tasks/status");
    let task = n.params.unwrap().task;
    assert_eq!(task.status, TaskStatus::Completed);
    assert!(task.is_terminal());
    as_message(name, json, MessageKind::Notification);
}

fn listing_tasks_request(name: &str, json: &Value) {
    let req: ListTasksRequest = round_trip(name, json);
    assert_eq!(req.method, "tasks/list");
    assert_eq!(
        req.params.unwrap().cursor.as_deref(),
        Some("optional-cursor-value")
    );
    as_message(name, json, MessageKind::Request);
}

fn listing_tasks_response(name: &str, json: &Value) {
    let resp: JsonRpcResultResponse<ListTasksResult> = round_trip(name, json);
    let list = resp.result;
    assert_eq!(list.tasks.len(), 2);
    assert_eq!(list.tasks[1].status, TaskStatus::Completed);
    assert_eq!(list.tasks[1].poll_interval, None);
    assert_eq!(list.next_cursor.as_deref(), Some("next-page-cursor"));
    as_message(name, json, MessageKind::Response);
}

fn cancelling_tasks_request(name: &str, json: &Value) {
    let req: CancelTaskRequest = round_trip(name, json);
    assert_eq!(req.method, "tasks/cancel");
    as_message(name, json, MessageKind::Request);
}

fn cancelling_tasks_response(name: &str, json: &Value) {
    let resp: JsonRpcResultResponse<CancelTaskResult> = round_trip(name, json);
    assert_eq!(resp.result.task.status, TaskStatus::Cancelled);
    assert_eq!(
        resp.result.task.status_message.as_deref(),
        Some("The task was cancelled by request.")
    );
    as_message(name, json, MessageKind::Response);
}

fn task_parameters(name: &str, json: &Value) {
    let f: TaskParamsFragment = round_trip(name, json);
    assert_eq!(f.task.ttl, Some(60000));
}

fn related_task_metadata(name: &str, json: &Value) {
    let m: Meta = round_trip(name, json);
    let related = meta::related_task(&m).expect("related-task entry");
    assert_eq!(related.task_id, "786512e2-9e0d-44bd-8f29-789f320fe840");
    // Rebuilt from the typed value, the `_meta` object is the same JSON.
    let rebuilt = Value::Object(meta::related_task_meta(&related.task_id));
    assert_eq!(&rebuilt, json, "{name}");
}

fn error_response(name: &str, json: &Value) {
    let resp: JsonRpcErrorResponse = round_trip(name, json);
    assert!(resp.id.is_some());
    assert!(
        [INVALID_PARAMS, INVALID_REQUEST].contains(&resp.error.code),
        "{name}: {}",
        resp.error.code
    );
    as_message(name, json, MessageKind::Error);
}

fn failed_task_response(name: &str, json: &Value) {
    let resp: JsonRpcResultResponse<GetTaskResult> = round_trip(name, json);
    let task = resp.result.task;
    assert_eq!(task.status, TaskStatus::Failed);
    assert!(task.is_terminal());
    assert!(task.status_message.unwrap().contains("rate limit"));
    as_message(name, json, MessageKind::Response);
}

#[test]
fn every_example_file_is_mapped_to_a_type() {
    let on_disk: BTreeSet<String> = example_files()
        .iter()
        .map(|p| file_name(p).to_owned())
        .collect();
    let mapped: BTreeSet<String> = MAPPED.iter().map(|(n, _)| (*n).to_owned()).collect();
    let unmapped: Vec<_> = on_disk.difference(&mapped).collect();
    assert!(
        unmapped.is_empty(),
        "example files with no type mapped in tests/protocol_examples.rs: {unmapped:?}"
    );
    let missing: Vec<_> = mapped.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "mapped example files not found: {missing:?}"
    );
}

#[test]
fn every_example_decodes_into_its_type_and_encodes_back_unchanged() {
    let files = example_files();
    assert!(
        files.len() >= 20,
        "expected the 20 examples, found {}",
        files.len()
    );
    for path in &files {
        let name = file_name(path);
        let Some((_, check)) = MAPPED.iter().find(|(n, _)| *n == name) else {
            continue; // reported by every_example_file_is_mapped_to_a_type
        };
        let text = fs::read_to_string(path).unwrap();
        let json: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        check(name, &json);
    }
}

#[test]
fn task_ttl_missing_reads_as_unlimited_and_is_written_back_as_null() {
    let text = fs::read_to_string(format!("{EXAMPLES}/05-getting-tasks-response.json")).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["result"].as_object_mut().unwrap().remove("ttl");
    let resp: JsonRpcResultResponse<GetTaskResult> = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(resp.result.task.ttl, None);
    let back = serde_json::to_value(&resp).unwrap();
    assert_eq!(back["result"]["ttl"], Value::Null);
    json["result"]["ttl"] = Value::Null;
    assert_eq!(back, json);
}

#[test]
fn unknown_members_of_a_task_and_its_result_round_trip() {
    let text = fs::read_to_string(format!("{EXAMPLES}/03-creating-tasks-response.json")).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["result"]["task"]["vendorField"] = serde_json::json!({"a": [1, 2.5, null]});
    json["result"]["vendorTop"] = Value::Bool(true);
    json["result"]["_meta"] = serde_json::json!({
        "io.modelcontextprotocol/model-immediate-response": "Working on it",
        "x": 1
    });
    let resp: JsonRpcResultResponse<CreateTaskResult> = round_trip("03+extra", &json);
    assert_eq!(resp.result.task.extra["vendorField"]["a"][1], 2.5);
    assert_eq!(resp.result.extra["vendorTop"], true);
    assert_eq!(
        resp.result.model_immediate_response(),
        Some("Working on it")
    );
    let _: JsonRpcResultResponse<CallToolOrTaskResult> = round_trip("03+extra", &json);
}
