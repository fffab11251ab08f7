//! Authorization's share of the host: what happens when the server answers 401 (or 403
//! `insufficient_scope`). The OAuth client itself (discovery, client registration, the
//! authorization code flow with PKCE through the app's `authorize(url)`, the token
//! requests, refreshes, the token storage) is JavaScript, in `src/io/host.js`: it is
//! HTTP, JSON, URLs, form encoding and WebCrypto, which the platform has. Measured: the
//! same flow in Rust was 9,820 bytes of gzipped wasm; in JS it is about a third of that.
//!
//! The session's touch points (in `transport`) are few: [`OAuth::header`] on every
//! request to the resource (and nowhere else), [`OAuth::challenged`] when a response is
//! 401/403, [`OAuth::ready`] before a request and [`OAuth::denied`] after a refusal; the
//! last two give a Promise to wait for, whose rejection [`failure`] turns into the crate's
//! `Error::Auth`.
//!
//! Secrets (tokens, the code, the PKCE verifier) travel only in the token request's body
//! and the `Authorization` header; no error made there holds one, and the session redacts
//! [`OAuth::secrets`] from anything it quotes from a server.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::io::json;

#[wasm_bindgen(module = "/src/io/host.js")]
extern "C" {
    /// The OAuth client of one protected resource (`OAuth` in `src/io/host.js`).
    pub type OAuth;

    /// For the MCP endpoint `url`, with the `auth` option of `connect()` as given and the
    /// `fetch` the client uses.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue, url: &str, fetch: &Function) -> OAuth;

    /// The `Authorization` value for a request to the resource, once signed in.
    #[wasm_bindgen(method)]
    pub fn header(this: &OAuth) -> Option<String>;

    /// Which token requests are sent with now (see [`OAuth::denied`]).
    #[wasm_bindgen(method)]
    pub fn generation(this: &OAuth) -> u32;

    /// Note a 401/403's `WWW-Authenticate`.
    #[wasm_bindgen(method)]
    pub fn challenged(this: &OAuth, header: Option<&str>);

    /// The values to redact from anything quoted from a server: the tokens, joined by a
    /// space (a token holds none, RFC 6750's b64token; the session redacts each
    /// space-separated part). One string, not a `Vec<String>`: its conversion from a JS
    /// array is wasm of its own.
    #[wasm_bindgen(method)]
    pub fn secrets(this: &OAuth) -> String;

    /// Before a request: a Promise when the stored tokens are still to be read, or are to
    /// be refreshed first; `None` when there is nothing to wait for.
    #[wasm_bindgen(method)]
    pub fn ready(this: &OAuth) -> Option<Promise>;

    /// After a 401 or 403 to a request sent with token `generation`: `None` when it is a
    /// refusal authorization cannot fix (a 403 that is not `insufficient_scope`), else the
    /// sign-in (a refresh first, when `may_refresh`) to wait for before sending the
    /// request again; at once resolved when another request already got a new token.
    #[wasm_bindgen(method)]
    pub fn denied(this: &OAuth, status: u16, generation: u32, may_refresh: bool)
        -> Option<Promise>;

    /// Forget the tokens (here and in `auth.storage`).
    #[wasm_bindgen(method, js_name = signOut)]
    pub fn sign_out(this: &OAuth);
}

/// A sign-in's failure, `{ reason, message }` (what its Promise rejected with), as
/// `Error::Auth`.
pub fn failure(e: &JsValue) -> Error {
    Error::Auth {
        reason: json::get_str(e, "reason").unwrap_or_else(|| "authorization_failed".into()),
        message: json::error_message(e),
    }
}
