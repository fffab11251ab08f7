//! The MCP client: a session over Streamable HTTP and the task handles that ride on it.
//! It talks to the host only through [`crate::io`]; the pure parts ([`rpc`], [`tracker`],
//! [`event`]) are tested natively.

pub mod error;
pub mod event;
pub mod json;
pub mod pace;
pub mod rpc;
pub mod session;
pub mod tasks;
pub mod tracker;

pub use error::Error;
pub use session::{Client, ClientOptions, Ctl, Inner, PROTOCOL_VERSION};
pub use tasks::{Handle, HandleOptions, Outcome};
