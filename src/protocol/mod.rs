//! Wire types of MCP revision 2025-11-25 (experimental tasks). Pure serde: nothing here
//! knows about wasm-bindgen, js-sys or web-sys.
