//! PKCE and `state` from the host's WebCrypto (`crypto.getRandomValues`,
//! `crypto.subtle.digest`), through the JS glue: no hash or RNG code in the wasm.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn pkce() -> Result<Promise, JsValue>;
}

/// A fresh PKCE pair and state: `(verifier, S256 challenge, state)`, base64url.
pub async fn pkce_and_state() -> Result<(String, String, String), JsValue> {
    let a = Array::from(&JsFuture::from(pkce()?).await?);
    let s = |i| a.get(i).as_string().unwrap_or_default();
    Ok((s(0), s(1), s(2)))
}
