//! Authorization's share of the host, through the JS glue: PKCE and `state` from WebCrypto
//! (`crypto.getRandomValues`, `crypto.subtle.digest`: no hash or RNG code in the wasm), and
//! the calls to the app's token storage.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/io/oauth.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = pkce)]
    fn pkce_js() -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = call)]
    fn call_js(f: &js_sys::Function, arg: &str) -> Promise;
    #[wasm_bindgen(js_name = store)]
    fn store_js(storage: &JsValue, method: &str, key: &str, value: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = memoryStorage)]
    fn memory_storage_js() -> JsValue;
}

/// The default token storage: a `Map`, gone with the client.
pub fn memory_storage() -> JsValue {
    memory_storage_js()
}

/// `storage[method](key, value)`, as a Promise of its value that never rejects (a failure
/// is reported on the console and gives `undefined`). Calls run in order.
pub fn store(storage: &JsValue, method: &str, key: &str, value: &JsValue) -> Promise {
    store_js(storage, method, key, value)
}

/// A fresh PKCE pair and state: a Promise of `[verifier, S256 challenge, state]`,
/// base64url.
pub fn pkce() -> Result<Promise, JsValue> {
    pkce_js()
}

/// `f(arg)`, as a Promise of its value: a Promise it returns is followed, and what it
/// throws rejects.
pub fn call(f: &js_sys::Function, arg: &str) -> Promise {
    call_js(f, arg)
}
