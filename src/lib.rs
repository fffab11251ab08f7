//! # mcp-tasks-wasm
//!
//! A small MCP client for browsers, Web Workers and Node, written in Rust and compiled to
//! WebAssembly, built to run long tool calls as *tasks*.
//!
//! Layout (data flows one way: `js` → `client` → `task` → (`wire`, `transport`,
//! `policy`) → (`io`, `sync`); no two modules import each other):
//! - `js`: the `#[wasm_bindgen]` classes and error classes that JavaScript sees; no logic.
//! - [`client`]: the client in Rust: session, task registry, tools, the inbound router.
//! - [`task`]: the SDK's own task model and its pure state machine (events in, effects
//!   out), and the registry that drives the machines over a wire adapter.
//! - [`wire`]: one adapter per protocol generation (method names, params, decoders,
//!   what an error code means); today 2025-11-25.
//! - [`transport`]: Streamable HTTP: requests, SSE, the session, the GET stream; knows
//!   nothing of tasks. `transport::auth` is the seam to authorization (OAuth 2.1 as MCP
//!   defines it), whose client is JavaScript (`src/io/host.js`).
//! - [`policy`]: when to poll next: intervals, clamps, backoff, jitter, deadlines (pure).
//! - [`sync`]: one of each wait primitive: latch, request gate, single-flight.
//! - [`io`]: `fetch`, timers, the clock and the global scope; the only user of web-sys.
//! - [`protocol`]: the 2025-11-25 schema as serde types (for Rust users and the schema
//!   tests; the shipped decoders are in [`wire`]).
//! - [`error`]: the one internal error type.

pub mod client;
pub mod elicit_defaults;
pub mod error;
pub mod io;
pub mod map;
pub mod policy;
pub mod protocol;
pub mod sync;
pub mod task;
pub mod text;
pub mod transport;
pub mod wire;

// The npm build's allocator (the `global-allocator` feature; natively only its unit
// tests use it).
#[cfg_attr(
    not(all(target_arch = "wasm32", feature = "global-allocator")),
    allow(dead_code)
)]
mod alloc;
mod cell;
mod js;
