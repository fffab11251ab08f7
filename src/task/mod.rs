//! Tasks, the SDK's own way, pure (no wasm, no I/O): the model ([`model`]) and the state
//! machine that follows one task ([`machine`]: events in, effects out). The client's
//! registry (`client::registry`) drives one machine per followed task over a wire
//! adapter and the transport.

pub mod machine;
pub mod model;
