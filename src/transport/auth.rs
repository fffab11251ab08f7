//! Authorization: what happens when the server answers 401 (or 403
//! `insufficient_scope`). The OAuth client itself (discovery, client registration, the
//! authorization code flow with PKCE through the app's `authorize(url)`, the token
//! requests, refreshes, the token storage) is JavaScript, in `src/io/oauth.js`: it is
//! HTTP, JSON, URLs, form encoding and WebCrypto, which the platform has. Measured: the
//! same flow in Rust was 9,820 bytes of gzipped wasm; in JS it is about a third of that.
//!
//! The session's touch points are few: [`Auth::header`] on every request to the resource
//! (and nowhere else), [`Auth::challenged`] when a response is 401/403, [`Auth::ready`]
//! before a request and [`Auth::denied`] after a refusal; the last two give a Promise to
//! wait for, which [`wait`] turns into the crate's `Error::Auth`.
//!
//! Secrets (tokens, the code, the PKCE verifier) travel only in the token request's body
//! and the `Authorization` header; no error made there holds one, and the session redacts
//! [`Auth::secrets`] from anything it quotes from a server.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::io::{self, json};

#[wasm_bindgen(module = "/src/io/oauth.js")]
extern "C" {
    /// The OAuth client of one protected resource (`OAuth` in `src/io/oauth.js`).
    #[wasm_bindgen(js_name = OAuth)]
    pub type Auth;

    /// For the MCP endpoint `url`, with the `auth` option of `connect()` as given and the
    /// `fetch` the client uses.
    #[wasm_bindgen(constructor, js_class = OAuth)]
    pub fn new(options: &JsValue, url: &str, fetch: &Function) -> Auth;

    /// The `Authorization` value for a request to the resource, once signed in.
    #[wasm_bindgen(method, js_class = OAuth)]
    pub fn header(this: &Auth) -> Option<String>;

    /// Which token requests are sent with now (see [`Auth::denied`]).
    #[wasm_bindgen(method, js_class = OAuth)]
    pub fn generation(this: &Auth) -> u32;

    /// Note a 401/403's `WWW-Authenticate`.
    #[wasm_bindgen(method, js_class = OAuth)]
    pub fn challenged(this: &Auth, header: Option<String>);

    /// The values to redact from anything quoted from a server (the tokens).
    #[wasm_bindgen(method, js_class = OAuth)]
    pub fn secrets(this: &Auth) -> Vec<String>;

    /// Before a request: a Promise when the stored tokens are still to be read, or are to
    /// be refreshed first; `None` when there is nothing to wait for.
    #[wasm_bindgen(method, js_class = OAuth)]
    pub fn ready(this: &Auth) -> Option<Promise>;

    /// After a 401 or 403 to a request sent with token `generation`: `None` when it is a
    /// refusal authorization cannot fix (a 403 that is not `insufficient_scope`), else the
    /// sign-in (a refresh first, when `may_refresh`) to wait for before sending the
    /// request again; at once resolved when another request already got a new token.
    #[wasm_bindgen(method, js_class = OAuth)]
    pub fn denied(this: &Auth, status: u16, generation: u32, may_refresh: bool) -> Option<Promise>;

    /// Forget the tokens (here and in `auth.storage`).
    #[wasm_bindgen(method, js_class = OAuth, js_name = signOut)]
    pub fn sign_out(this: &Auth);
}

/// Wait for a sign-in or refresh: its failure, `{ reason, message }`, as `Error::Auth`.
pub async fn wait(flow: Promise) -> Result<(), Error> {
    match io::settle(flow.into()).await {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::Auth {
            reason: json::get_str(&e, "reason").unwrap_or_else(|| "authorization_failed".into()),
            message: json::error_message(&e),
        }),
    }
}

impl super::Session {
    /// Forget the tokens (with the `auth` option; else nothing to do).
    pub fn sign_out(&self) {
        if let Some(a) = &self.auth {
            a.sign_out();
        }
    }

    /// Before a request (and before it takes a slot and reads the session id): the
    /// stored token to read, or to refresh when due (see [`Auth::ready`]).
    pub(super) fn auth_ready(&self) -> Option<Promise> {
        self.auth.as_ref().and_then(Auth::ready)
    }
}
