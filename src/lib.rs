//! # mcp-tasks-wasm
//!
//! A small MCP (revision 2025-11-25) client for browsers, Web Workers and Node, written in
//! Rust and compiled to WebAssembly, built to run long tool calls as *tasks*.
//!
//! Layout (data flows one way, `js` → `client` → `protocol`/`policy`/`sse`/`io`):
//! - [`protocol`]: the wire types of the 2025-11-25 revision (pure serde, no wasm).
//! - [`sse`]: an incremental Server-Sent Events parser (pure).
//! - [`policy`]: when to poll next: intervals, clamps, backoff, jitter, deadlines (pure).
//! - [`client`]: the MCP client and task tracking, over [`io`].
//! - [`io`]: `fetch`, timers and the global scope; the only user of web-sys and gloo.
//! - `js`: the `#[wasm_bindgen]` classes and error classes that JavaScript sees.

pub mod policy;
pub mod protocol;
pub mod sse;
pub mod task;

// The wasm build's allocator (natively only its unit tests use it).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod alloc;
mod cell;
pub mod client;
mod hash;
pub mod io;
mod js;
