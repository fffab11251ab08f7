#![cfg(not(target_arch = "wasm32"))]
//! Values built in Rust serialize to JSON that validates against the matching definition
//! of the official schema (`shared/spec/2025-11-25/schema.json`, JSON Schema 2020-12).
//!
//! `CreateTaskResult` is missing from the schema's result unions (see NOTES.md), so it is
//! validated against its own definition.

use std::sync::OnceLock;

use jsonschema::ValidatorMap;
use mcp_tasks_wasm::protocol::{
    meta, Annotations, AudioContent, BlobResourceContents, CallToolOrTaskResult, CallToolParams,
    CallToolRequest, CallToolResult, CancelTaskParams, CancelTaskRequest, CancelTaskResult,
    CancelledNotification, CancelledNotificationParams, ClientCapabilities, ClientTaskRequests,
    ClientTasksCapability, ContentBlock, CreateTaskResult, ElicitRequest, ElicitRequestFormParams,
    ElicitRequestParams, ElicitRequestUrlParams, ElicitResult, ElicitationCapability,
    ElicitationTaskCapability, EmbeddedResource, EmptyResult, GetTaskParams, GetTaskPayloadParams,
    GetTaskPayloadRequest, GetTaskRequest, GetTaskResult, Icon, ImageContent, Implementation,
    InitializeParams, InitializeRequest, InitializeResult, InitializedNotification,
    InitializedParams, JsonRpcError, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, JsonRpcResultResponse, ListChangedCapability, ListTasksParams,
    ListTasksRequest, ListTasksResult, ListToolsParams, ListToolsRequest, ListToolsResult,
    LoggingLevel, LoggingMessageNotification, LoggingMessageNotificationParams, Meta, PingParams,
    PingRequest, ProgressNotification, ProgressNotificationParams, RelatedTaskMetadata, RequestId,
    ResourceContents, ResourceLink, ResourcesCapability, Role, SamplingCapability,
    SamplingTaskCapability, ServerCapabilities, ServerTaskRequests, ServerTasksCapability, Task,
    TaskMetadata, TaskStatus, TaskStatusNotification, TaskSupport, TaskWithMeta,
    TextResourceContents, Tool, ToolAnnotations, ToolExecution, ToolsTaskCapability,
    INVALID_PARAMS, LATEST_PROTOCOL_VERSION,
};
use serde::Serialize;
use serde_json::{json, Map, Value};

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/2025-11-25/schema.json"
);

/// One validator per `#/$defs/<Name>` of the official schema, compiled once.
fn schemas() -> &'static ValidatorMap {
    static MAP: OnceLock<ValidatorMap> = OnceLock::new();
    MAP.get_or_init(|| {
        let text = std::fs::read_to_string(SCHEMA).unwrap_or_else(|e| panic!("{SCHEMA}: {e}"));
        let schema: Value = serde_json::from_str(&text).unwrap();
        assert!(schema.get("$defs").is_some(), "schema.json uses $defs");
        jsonschema::validator_map_for(&schema).expect("schema.json compiles")
    })
}

fn errors_against(def: &str, json: &Value) -> Vec<String> {
    let validator = schemas()
        .get(&format!("#/$defs/{def}"))
        .unwrap_or_else(|| panic!("schema.json has no definition {def}"));
    validator
        .iter_errors(json)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect()
}

/// Serializes `value` and asserts it validates against every definition in `defs`.
fn assert_valid<T: Serialize>(defs: &[&str], value: &T) -> Value {
    let json = serde_json::to_value(value).unwrap();
    for def in defs {
        let errors = errors_against(def, &json);
        assert!(
            errors.is_empty(),
            "{} is not a valid {def}: {errors:#?}\n{json:#}",
            std::any::type_name::<T>()
        );
    }
    json
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn full_task(status: TaskStatus) -> Task {
    let mut task = Task::with_timestamps(
        "786512e2-9e0d-44bd-8f29-789f320fe840",
        "2025-11-25T10:30:00Z",
    );
    task.status = status;
    task.status_message = Some(format!("now {status}"));
    task.last_updated_at = "2025-11-25T10:40:00Z".into();
    task.ttl = Some(60_000);
    task.poll_interval = Some(5_000);
    task
}

fn related_meta() -> Meta {
    meta::related_task_meta("786512e2-9e0d-44bd-8f29-789f320fe840")
}

fn all_content_blocks() -> Vec<ContentBlock> {
    let annotations = Annotations {
        audience: Some(vec![Role::User, Role::Assistant]),
        priority: Some(0.5),
        last_modified: Some("2025-01-12T15:00:58Z".into()),
    };
    vec![
        ContentBlock::text("hello"),
        ContentBlock::Image(ImageContent {
            data: "iVBORw0KGgo=".into(),
            mime_type: "image/png".into(),
            annotations: Some(annotations.clone()),
            meta: Some(obj(json!({"k": 1}))),
        }),
        ContentBlock::Audio(AudioContent {
            data: "UklGRg==".into(),
            mime_type: "audio/wav".into(),
            annotations: None,
            meta: None,
        }),
        ContentBlock::ResourceLink(ResourceLink {
            uri: "file:///tmp/report.txt".into(),
            name: "report".into(),
            title: Some("Report".into()),
            description: Some("The report".into()),
            mime_type: Some("text/plain".into()),
            annotations: Some(annotations),
            size: Some(1234),
            icons: Some(vec![icon()]),
            meta: None,
        }),
        ContentBlock::Resource(EmbeddedResource {
            resource: ResourceContents::Text(TextResourceContents {
                uri: "file:///a.txt".into(),
                mime_type: Some("text/plain".into()),
                text: "abc".into(),
                meta: None,
            }),
            annotations: None,
            meta: None,
        }),
        ContentBlock::Resource(EmbeddedResource {
            resource: ResourceContents::Blob(BlobResourceContents {
                uri: "file:///a.bin".into(),
                mime_type: None,
                blob: "AAEC".into(),
                meta: Some(Map::new()),
            }),
            annotations: None,
            meta: None,
        }),
    ]
}

fn icon() -> Icon {
    Icon {
        src: "https://example.com/icon.png".into(),
        mime_type: Some("image/png".into()),
        sizes: Some(vec!["48x48".into()]),
        theme: Some("dark".into()),
    }
}

fn implementation() -> Implementation {
    Implementation {
        name: "mcp-tasks-wasm".into(),
        title: Some("MCP tasks".into()),
        version: "0.1.0".into(),
        description: Some("A client".into()),
        website_url: Some("https://example.com".into()),
        icons: Some(vec![icon()]),
    }
}

fn flag() -> Option<Map<String, Value>> {
    Some(Map::new())
}

fn server_capabilities() -> ServerCapabilities {
    ServerCapabilities {
        experimental: Some(obj(json!({"x": {}}))),
        logging: flag(),
        completions: flag(),
        prompts: Some(ListChangedCapability {
            list_changed: Some(true),
        }),
        resources: Some(ResourcesCapability {
            subscribe: Some(true),
            list_changed: Some(false),
        }),
        tools: Some(ListChangedCapability { list_changed: None }),
        tasks: Some(ServerTasksCapability {
            list: flag(),
            cancel: flag(),
            requests: Some(ServerTaskRequests {
                tools: Some(ToolsTaskCapability { call: flag() }),
            }),
        }),
        extra: Map::new(),
    }
}

fn client_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        experimental: None,
        roots: Some(ListChangedCapability {
            list_changed: Some(true),
        }),
        sampling: Some(SamplingCapability {
            context: flag(),
            tools: None,
        }),
        elicitation: Some(ElicitationCapability {
            form: flag(),
            url: flag(),
        }),
        tasks: Some(ClientTasksCapability {
            list: flag(),
            cancel: flag(),
            requests: Some(ClientTaskRequests {
                sampling: Some(SamplingTaskCapability {
                    create_message: flag(),
                }),
                elicitation: Some(ElicitationTaskCapability { create: flag() }),
            }),
        }),
        extra: Map::new(),
    }
}

fn tool(name: &str, support: Option<TaskSupport>) -> Tool {
    Tool {
        name: name.into(),
        title: Some("A tool".into()),
        description: Some("Does things".into()),
        input_schema: obj(json!({
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"]
        })),
        output_schema: Some(obj(json!({"type": "object"}))),
        execution: support.map(|s| ToolExecution {
            task_support: Some(s),
        }),
        annotations: Some(ToolAnnotations {
            title: Some("Tool".into()),
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(false),
        }),
        icons: None,
        meta: None,
        extra: Map::new(),
    }
}

#[test]
fn the_validator_is_not_vacuous() {
    let mut bad = serde_json::to_value(full_task(TaskStatus::Working)).unwrap();
    bad["status"] = json!("done");
    assert!(!errors_against("Task", &bad).is_empty());
    let mut no_ttl = serde_json::to_value(full_task(TaskStatus::Working)).unwrap();
    no_ttl.as_object_mut().unwrap().remove("ttl");
    assert!(
        !errors_against("Task", &no_ttl).is_empty(),
        "the schema requires ttl: that is why None is written as null"
    );
    assert!(!errors_against("CreateTaskResult", &json!({"_meta": {}})).is_empty());
    assert!(
        !errors_against("JSONRPCRequest", &json!({"jsonrpc": "2.0", "method": "x"})).is_empty()
    );
}

#[test]
fn tasks_in_every_status_validate() {
    for status in TaskStatus::ALL {
        let json = assert_valid(&["Task"], &full_task(status));
        assert_eq!(json["status"], status.as_str());
        assert_valid(&["TaskStatus"], &status);
    }
    // Unlimited ttl is written as null; unknown members are allowed by the schema.
    let mut minimal = Task::with_timestamps("t", "2025-11-25T10:30:00Z");
    let json = assert_valid(&["Task"], &minimal);
    assert_eq!(json["ttl"], Value::Null);
    minimal.extra.insert("vendor".into(), json!([1, "two"]));
    assert_valid(&["Task"], &minimal);
}

#[test]
fn task_metadata_and_related_task_metadata_validate() {
    assert_valid(&["TaskMetadata"], &TaskMetadata { ttl: Some(60_000) });
    assert_valid(&["TaskMetadata"], &TaskMetadata { ttl: None });
    assert_valid(
        &["RelatedTaskMetadata"],
        &RelatedTaskMetadata {
            task_id: "t1".into(),
        },
    );
    let m = related_meta();
    assert_valid(&["RelatedTaskMetadata"], &m[meta::RELATED_TASK]);
}

#[test]
fn create_task_result_validates_against_its_own_definition() {
    let mut result = CreateTaskResult::new(full_task(TaskStatus::Working));
    assert_valid(&["CreateTaskResult", "Result"], &result);
    let mut m = Meta::new();
    m.insert(
        meta::MODEL_IMMEDIATE_RESPONSE.into(),
        json!("The weather is being fetched."),
    );
    result.meta = Some(m);
    assert_valid(&["CreateTaskResult"], &result);
    assert_valid(
        &["CreateTaskResult"],
        &CallToolOrTaskResult::Task(CreateTaskResult::new(Task::with_timestamps("t", "now"))),
    );
    assert_valid(
        &["JSONRPCResultResponse", "JSONRPCMessage"],
        &JsonRpcResultResponse::new(1, result),
    );
}

#[test]
fn flat_task_results_and_status_notifications_validate() {
    for status in TaskStatus::ALL {
        let mut flat = TaskWithMeta::new(full_task(status));
        assert_valid(
            &[
                "GetTaskResult",
                "CancelTaskResult",
                "TaskStatusNotificationParams",
            ],
            &flat,
        );
        flat.meta = Some(related_meta());
        let flat: GetTaskResult = flat;
        assert_valid(&["GetTaskResult", "ServerResult", "ClientResult"], &flat);
        let cancelled: CancelTaskResult = TaskWithMeta::new(full_task(TaskStatus::Cancelled));
        assert_valid(&["CancelTaskResult"], &cancelled);
        let n: TaskStatusNotification = JsonRpcNotification::new(flat);
        assert_valid(
            &[
                "TaskStatusNotification",
                "ServerNotification",
                "JSONRPCNotification",
                "JSONRPCMessage",
            ],
            &n,
        );
    }
}

#[test]
fn tasks_requests_validate() {
    let get: GetTaskRequest = JsonRpcRequest::new(
        3,
        GetTaskParams {
            task_id: "t".into(),
        },
    );
    assert_valid(
        &[
            "GetTaskRequest",
            "ClientRequest",
            "JSONRPCRequest",
            "JSONRPCMessage",
        ],
        &get,
    );
    let payload: GetTaskPayloadRequest = JsonRpcRequest::new(
        "req-4",
        GetTaskPayloadParams {
            task_id: "t".into(),
        },
    );
    assert_valid(&["GetTaskPayloadRequest", "ClientRequest"], &payload);
    let cancel: CancelTaskRequest = JsonRpcRequest::new(
        6,
        CancelTaskParams {
            task_id: "t".into(),
        },
    );
    assert_valid(&["CancelTaskRequest", "ClientRequest"], &cancel);
    let first_page: ListTasksRequest = JsonRpcRequest::new(5, ListTasksParams::default());
    assert_valid(&["ListTasksRequest", "ClientRequest"], &first_page);
    let next_page: ListTasksRequest = JsonRpcRequest::new(
        5,
        ListTasksParams {
            cursor: Some("c2".into()),
            meta: None,
        },
    );
    assert_valid(&["ListTasksRequest"], &next_page);
    let no_params: ListTasksRequest = JsonRpcRequest::with_method(5, "tasks/list", None);
    let json = assert_valid(&["ListTasksRequest"], &no_params);
    assert!(json.get("params").is_none());
}

#[test]
fn list_tasks_result_validates() {
    let mut page = ListTasksResult {
        tasks: TaskStatus::ALL.iter().map(|s| full_task(*s)).collect(),
        next_cursor: Some("next".into()),
        meta: None,
        extra: Map::new(),
    };
    assert_valid(&["ListTasksResult", "ServerResult"], &page);
    page.tasks.clear();
    page.next_cursor = None;
    assert_valid(&["ListTasksResult"], &page);
}

#[test]
fn tool_calls_validate() {
    let mut args = Map::new();
    args.insert("city".into(), json!("New York"));
    let mut params = CallToolParams::new("get_weather")
        .with_arguments(args)
        .as_task(Some(60_000));
    params.meta = Some(obj(json!({"progressToken": "p1"})));
    assert_valid(&["CallToolRequestParams"], &params);
    let req: CallToolRequest = JsonRpcRequest::new(1, params);
    assert_valid(
        &["CallToolRequest", "ClientRequest", "JSONRPCMessage"],
        &req,
    );
    let plain: CallToolRequest =
        JsonRpcRequest::new(2, CallToolParams::new("ping_tool").as_task(None));
    assert_valid(&["CallToolRequest"], &plain);
}

#[test]
fn call_tool_results_with_every_content_kind_validate() {
    let blocks = all_content_blocks();
    for block in &blocks {
        let def = match block {
            ContentBlock::Text(_) => "TextContent",
            ContentBlock::Image(_) => "ImageContent",
            ContentBlock::Audio(_) => "AudioContent",
            ContentBlock::ResourceLink(_) => "ResourceLink",
            ContentBlock::Resource(_) => "EmbeddedResource",
            ContentBlock::Other(_) => unreachable!(),
        };
        assert_valid(&["ContentBlock", def], block);
    }
    let mut result = CallToolResult::new(blocks);
    assert_valid(&["CallToolResult", "ServerResult"], &result);
    result.is_error = Some(true);
    result.structured_content = Some(json!({"temperature": 72, "unit": "F"}));
    result.meta = Some(related_meta());
    assert_valid(&["CallToolResult", "GetTaskPayloadResult"], &result);
    assert_valid(&["CallToolResult"], &CallToolOrTaskResult::Result(result));
    assert_valid(&["CallToolResult"], &CallToolResult::default());
}

#[test]
fn tools_list_validates() {
    let tools = vec![
        tool("a", None),
        tool("b", Some(TaskSupport::Forbidden)),
        tool("c", Some(TaskSupport::Optional)),
        tool("d", Some(TaskSupport::Required)),
    ];
    for t in &tools {
        assert_valid(&["Tool"], t);
    }
    assert_valid(
        &["ToolExecution"],
        &ToolExecution {
            task_support: Some(TaskSupport::Required),
        },
    );
    let result = ListToolsResult {
        tools,
        next_cursor: Some("p2".into()),
        meta: None,
        extra: Map::new(),
    };
    assert_valid(&["ListToolsResult", "ServerResult"], &result);
    let req: ListToolsRequest = JsonRpcRequest::new(
        9,
        ListToolsParams {
            cursor: Some("p2".into()),
            meta: None,
        },
    );
    assert_valid(&["ListToolsRequest", "ClientRequest"], &req);
}

#[test]
fn initialize_and_capabilities_validate() {
    assert_valid(&["Implementation"], &implementation());
    assert_valid(&["Implementation"], &Implementation::new("x", "1"));
    assert_valid(&["ServerCapabilities"], &server_capabilities());
    assert_valid(&["ServerCapabilities"], &ServerCapabilities::default());
    assert_valid(&["ClientCapabilities"], &client_capabilities());
    assert_valid(
        &["ClientCapabilities"],
        &ClientCapabilities::default().with_form_elicitation(),
    );
    let params = InitializeParams::new(client_capabilities(), implementation());
    assert_eq!(params.protocol_version, LATEST_PROTOCOL_VERSION);
    assert_valid(&["InitializeRequestParams"], &params);
    let req: InitializeRequest = JsonRpcRequest::new(0, params);
    assert_valid(&["InitializeRequest", "ClientRequest"], &req);
    let result = InitializeResult {
        protocol_version: LATEST_PROTOCOL_VERSION.into(),
        capabilities: server_capabilities(),
        server_info: implementation(),
        instructions: Some("Use tasks.".into()),
        meta: None,
        extra: Map::new(),
    };
    assert_valid(&["InitializeResult", "ServerResult"], &result);
    let initialized: InitializedNotification =
        JsonRpcNotification::new(InitializedParams::default());
    assert_valid(
        &["InitializedNotification", "ClientNotification"],
        &initialized,
    );
    let bare: InitializedNotification =
        JsonRpcNotification::with_method("notifications/initialized", None);
    assert_valid(&["InitializedNotification"], &bare);
}

#[test]
fn ping_and_empty_result_validate() {
    let ping: PingRequest = JsonRpcRequest::new(7, PingParams::default());
    assert_valid(&["PingRequest", "ClientRequest", "ServerRequest"], &ping);
    let bare: PingRequest = JsonRpcRequest::with_method("p", "ping", None);
    assert_valid(&["PingRequest"], &bare);
    assert_valid(&["EmptyResult"], &EmptyResult::default());
    assert_valid(
        &["JSONRPCResultResponse", "JSONRPCMessage"],
        &JsonRpcResultResponse::new(7, EmptyResult::default()),
    );
}

#[test]
fn progress_log_and_cancelled_notifications_validate() {
    for token in [RequestId::Number(1), RequestId::String("tok".into())] {
        assert_valid(&["ProgressToken", "RequestId"], &token);
        let n: ProgressNotification = JsonRpcNotification::new(ProgressNotificationParams {
            progress_token: token,
            progress: 2.5,
            total: Some(10.0),
            message: Some("halfway".into()),
            meta: None,
        });
        assert_valid(&["ProgressNotification", "ServerNotification"], &n);
    }
    use LoggingLevel::*;
    for level in [
        Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency,
    ] {
        assert_valid(&["LoggingLevel"], &level);
        let n: LoggingMessageNotification =
            JsonRpcNotification::new(LoggingMessageNotificationParams {
                level,
                logger: Some("db".into()),
                data: json!({"msg": "x"}),
                meta: None,
            });
        assert_valid(&["LoggingMessageNotification", "ServerNotification"], &n);
    }
    let c: CancelledNotification = JsonRpcNotification::new(CancelledNotificationParams {
        request_id: Some(RequestId::Number(3)),
        reason: Some("user".into()),
        meta: None,
    });
    assert_valid(&["CancelledNotification", "ClientNotification"], &c);
}

#[test]
fn elicitation_requests_and_results_validate() {
    let form = ElicitRequestParams::Form(ElicitRequestFormParams {
        message: "Which city?".into(),
        requested_schema: obj(json!({
            "type": "object",
            "properties": {"city": {"type": "string", "title": "City"}},
            "required": ["city"]
        })),
        task: None,
        meta: Some(related_meta()),
    });
    assert_valid(&["ElicitRequestParams", "ElicitRequestFormParams"], &form);
    let req: ElicitRequest = JsonRpcRequest::new(11, form);
    assert_valid(&["ElicitRequest", "ServerRequest", "JSONRPCMessage"], &req);
    let url = ElicitRequestParams::Url(ElicitRequestUrlParams {
        message: "Sign in".into(),
        elicitation_id: "e1".into(),
        url: "https://example.com/auth".into(),
        task: Some(TaskMetadata { ttl: Some(1000) }),
        meta: None,
    });
    let json = assert_valid(&["ElicitRequestParams", "ElicitRequestURLParams"], &url);
    assert_eq!(json["mode"], "url");
    let req: ElicitRequest = JsonRpcRequest::new(12, url);
    assert_valid(&["ElicitRequest"], &req);

    let mut content = Map::new();
    content.insert("city".into(), json!("Paris"));
    content.insert("days".into(), json!(3));
    content.insert("metric".into(), json!(true));
    content.insert("tags".into(), json!(["a", "b"]));
    for result in [
        ElicitResult::accept(Some(content)),
        ElicitResult::accept(None),
        ElicitResult::decline(),
        ElicitResult::cancel(),
    ] {
        assert_valid(&["ElicitResult", "ClientResult"], &result);
        assert_valid(
            &["JSONRPCResultResponse"],
            &JsonRpcResultResponse::new(11, result),
        );
    }
}

#[test]
fn error_responses_and_every_message_kind_validate() {
    let mut error = JsonRpcError::new(INVALID_PARAMS, "Failed to retrieve task: Task not found");
    assert_valid(&["Error"], &error);
    let with_id = JsonRpcErrorResponse::new(Some(RequestId::Number(70)), error.clone());
    assert_valid(
        &["JSONRPCErrorResponse", "JSONRPCResponse", "JSONRPCMessage"],
        &with_id,
    );
    error.data = Some(json!({"taskId": "t"}));
    let without_id = JsonRpcErrorResponse::new(None, error);
    let json = assert_valid(&["JSONRPCErrorResponse", "JSONRPCMessage"], &without_id);
    assert!(json.get("id").is_none());

    let messages: Vec<JsonRpcMessage> = vec![
        JsonRpcRequest::with_method(1, "tools/list", None).into(),
        JsonRpcRequest::with_method("a", "tools/call", Some(json!({"name": "x"}))).into(),
        JsonRpcNotification::with_method("notifications/initialized", None).into(),
        JsonRpcResultResponse::new(1, json!({})).into(),
        without_id.into(),
    ];
    for m in &messages {
        assert_valid(&["JSONRPCMessage"], m);
    }
}
