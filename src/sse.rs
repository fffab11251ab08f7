//! Incremental Server-Sent Events parser (pure Rust).
