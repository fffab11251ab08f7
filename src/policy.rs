//! Polling policy (pure Rust).
