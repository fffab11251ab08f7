//! Small helpers over JS values: opaque JSON (tool arguments, results, schemas, `_meta`)
//! stays a JS value end to end and is never decoded in Rust.

use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    /// `o[key] = value` unless `value` is `undefined`; takes `value` (no drop at the call).
    #[wasm_bindgen(js_name = put)]
    pub fn put(o: &JsValue, key: &str, value: JsValue);
    /// `v[key]` if `v` is an object (not `null`), else `undefined`; `undefined` too if the
    /// read throws (a getter, a proxy). One call: no key value made and dropped in Rust.
    #[wasm_bindgen(js_name = get)]
    pub fn get(v: &JsValue, key: &str) -> JsValue;
    /// A shallow copy of an object (so a snapshot handed to users cannot be mutated under
    /// us); any other value as it is.
    #[wasm_bindgen(js_name = copy)]
    pub fn shallow_copy(v: &JsValue) -> JsValue;
    /// `v` if it is a string without a lone surrogate (`isWellFormed`: one call, where
    /// `JsString::is_valid_utf16` walks the string code unit by code unit from wasm).
    #[wasm_bindgen(js_name = wellFormed)]
    fn well_formed(v: &JsValue) -> Option<String>;
    /// `JSON.stringify(v)`: the JS string, or `undefined` if it throws (a cycle, a BigInt)
    /// or writes nothing. Not js-sys's `catch` import: no exception slot in the wasm and
    /// no `handleError` in the glue for it.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(v: &JsValue) -> JsValue;
    /// `JSON.parse(text)`, or `undefined` if it throws (no JSON text reads as `undefined`).
    #[wasm_bindgen(js_name = fromJson)]
    fn from_json(text: &str) -> JsValue;
}

/// `obj!(("key", value), ...)`: a new object with the given `(key, value)` entries
/// (entries whose value is `undefined` are skipped). Each entry is set by its own call
/// that takes the value over: a function over a slice of entries had every call site
/// store them in an array and drop each value after it (842 bytes of gzip for 48 sites).
#[macro_export]
macro_rules! obj {
    ($($entry:expr),* $(,)?) => {{
        let o = ::js_sys::Object::new();
        $( let (k, v) = $entry; $crate::io::json::put(&o, k, v); )*
        o
    }};
}

/// `v[key]` when it is a string.
pub fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// `v[key]` when it is a number.
pub fn get_f64(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key).as_f64()
}

/// Whether `v` is a plain object (not null, not an array).
pub fn is_object(v: &JsValue) -> bool {
    v.is_object() && !js_sys::Array::is_array(v)
}

/// `JSON.stringify(v)`; `None` if it throws (cycles, BigInt).
pub fn stringify(v: &JsValue) -> Option<String> {
    to_json(v).as_string()
}

/// `JSON.parse(text)`; `None` when `text` is not JSON. (Not the host's message: it may
/// quote the text, and V8 quotes a short one whole: a secret, perhaps.)
pub fn parse(text: &str) -> Option<JsValue> {
    Some(from_json(text)).filter(|v| !v.is_undefined())
}

/// The `message` of a thrown value, or its string form.
pub fn error_message(e: &JsValue) -> String {
    get_str(e, "message")
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// A read-only view of a JSON value: a JS value in the wasm build, a
/// `serde_json::Value` in native tests.
pub trait Json: Sized + Clone {
    /// `v[key]`, when present and neither `null` nor `undefined`.
    fn field(&self, key: &str) -> Option<Self>;
    /// The string it is (`None` too for a JS string that is not valid UTF-16: a lone
    /// surrogate could not be sent back byte-exact).
    fn string(&self) -> Option<String>;
    /// The number it is.
    fn number(&self) -> Option<f64>;
    /// Whether it is an object (not an array).
    fn is_object(&self) -> bool;
    /// The boolean it is.
    fn boolean(&self) -> Option<bool>;
    /// The elements, if it is an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// The own keys, if it is an object (else none).
    fn keys(&self) -> Vec<String>;
    /// `v[key]` when it is a string (as [`Json::string`] reads it).
    fn text(&self, key: &str) -> Option<String> {
        self.field(key).and_then(|v| v.string())
    }
    /// `v[key]` when it is an array: its elements.
    fn list(&self, key: &str) -> Option<Vec<Self>> {
        self.field(key).and_then(|v| v.items())
    }
    /// `v[key]` when it is an array: its strings (other elements skipped).
    fn strings(&self, key: &str) -> Vec<String> {
        strings_of(self.list(key))
    }
    /// `v[key]` when it is an object (not an array).
    fn object_at(&self, key: &str) -> Option<Self> {
        self.field(key).filter(Json::is_object)
    }
}

/// The strings among `items` (other elements skipped; none without a list): the one
/// loop of [`Json::strings`] and of a JS object's keys. A loop of pushes: a
/// `filter_map(..).collect()` compiles a collecting loop of its own.
fn strings_of<J: Json>(items: Option<Vec<J>>) -> Vec<String> {
    let mut out = Vec::new();
    for v in &items.unwrap_or_default() {
        if let Some(s) = v.string() {
            out.push(s);
        }
    }
    out
}

impl Json for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        let v = get(self, key);
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }
    fn string(&self) -> Option<String> {
        // A JS string with a lone surrogate has no exact Rust form: read as not a string,
        // never silently altered (an id sent back must be the one the server issued).
        well_formed(self)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn is_object(&self) -> bool {
        is_object(self)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        // `iter`, not `to_vec`: the one way the crate reads an array (to_vec has an import
        // and glue of its own, a copy of the array into wasm memory).
        if !js_sys::Array::is_array(self) {
            return None;
        }
        // A loop of pushes, not `collect`, which compiles a collecting loop of its own.
        let mut out = Vec::new();
        // The array itself (it is one), not an `Array.from` copy: the Vec is the copy.
        for v in self.unchecked_ref::<js_sys::Array>().iter() {
            out.push(v);
        }
        Some(out)
    }
    fn keys(&self) -> Vec<String> {
        if !Json::is_object(self) {
            return Vec::new();
        }
        // The key list read as any array of strings is (one loop for both).
        strings_of(
            JsValue::from(js_sys::Object::keys(self.unchecked_ref::<js_sys::Object>())).items(),
        )
    }
}

impl Json for serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(String::from)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}
