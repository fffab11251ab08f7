//! Tasks, the SDK's own way: the model ([`model`]), the pure state machine that follows
//! one task ([`machine`]), and the registry that drives the machines of a client over a
//! wire adapter and the transport ([`registry`]).

pub mod machine;
pub mod model;
pub mod registry;
