//! SEP-1034: default values in form-mode elicitation.
//!
//! Each property of an `elicitation/create` form's `requestedSchema` may carry a
//! `default` (2025-11-25 schema: `StringSchema`, `NumberSchema`, `BooleanSchema` and every
//! enum schema have one). When the user accepts the form without touching a field, the
//! client fills that field with its default before it answers, so the server receives a
//! complete `content` (checked by the conformance scenario
//! `elicitation-sep1034-client-defaults`, which sends a string, an integer, a number, an
//! enum and a boolean default and accepts `{}` as the user's answer).
//!
//! Pure over a JSON view. The caller applies it to an `accept` answer of a form-mode
//! request only (`decline`/`cancel` carry no content; URL mode has no schema).

use crate::io::json::Json;

/// The fields to add to `content` (the `content` of an accepted form-mode
/// `ElicitResult`, or `None` when the handler gave none): the `default` of every property
/// of `requested_schema.properties` that `content` lacks, handed to `add` as
/// `(name, default)`, in the properties' order (no list of them in between).
///
/// - A field counts as missing when its key is absent or its value is `null` (never a
///   valid answer: content values are strings, numbers, booleans or string arrays; a JS
///   handler's `undefined` usually arrives as `null`). Any other value the user gave is
///   kept, even one of the wrong type.
/// - A default is used only when it fits its property, as the schema types it:
///   `"string"` a string (one of `enum`, or of the `oneOf` consts, when those are
///   listed), `"number"` a number, `"integer"` a whole number, `"boolean"` a boolean,
///   `"array"` an array of strings (each one of `items.enum` / the `items.anyOf` consts
///   when listed); a property without `type` takes any string, number, boolean or string
///   array. A default that does not fit would only make the answer invalid, so it is
///   skipped and the field stays missing.
/// - A schema that is not an object, whose `type` is present but not `"object"`, or whose
///   `properties` is not an object, gives nothing; so does a property whose schema is not
///   an object.
///
/// Written over [`Json`]: the wasm build reads the JS values themselves, the tests
/// `serde_json` values. Never panics, whatever the input.
pub fn missing_defaults<J: Json>(
    requested_schema: &J,
    content: Option<&J>,
    mut add: impl FnMut(&str, J),
) {
    // (A schema that is not an object has no `properties` either.)
    if !matches!(type_of(requested_schema), Ty::Any | Ty::Object) {
        return;
    }
    let Some(properties) = requested_schema.object_at("properties") else {
        return;
    };
    // By reference: a consuming loop links an `IntoIter<String>` and its drop.
    for name in &properties.keys() {
        if content.and_then(|c| c.field(name)).is_some() {
            continue;
        }
        let Some(property) = properties.object_at(name) else {
            continue;
        };
        let Some(default) = property.field("default") else {
            continue;
        };
        if fits(&property, &default) {
            add(name, default);
        }
    }
}

/// A schema's `type`, read once (compares of a `Ty`, not of names).
fn type_of<J: Json>(schema: &J) -> Ty {
    schema.field("type").map_or(Ty::Any, |t| type_name(&t))
}

/// A JSON Schema type name (also read by the header annotations' check).
pub(crate) fn type_name<J: Json>(name: &J) -> Ty {
    match name.string().as_deref() {
        Some("string") => Ty::String,
        Some("number") => Ty::Number,
        Some("integer") => Ty::Integer,
        Some("boolean") => Ty::Boolean,
        Some("array") => Ty::Array,
        Some("object") => Ty::Object,
        Some("null") => Ty::Null,
        _ => Ty::Other,
    }
}

/// A schema's `type`.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Ty {
    /// None: any kind of value fits.
    Any,
    String,
    Number,
    Integer,
    Boolean,
    Array,
    /// The form's own type (no property's: nothing fits one).
    Object,
    /// `null` (nothing fits a property of that type alone).
    Null,
    /// A `type` that is not one of those (or not a string): nothing fits.
    Other,
}

/// Whether `value` is an acceptable default for the property schema `property`: what an
/// elicitation answer may hold (a string, a number, a boolean or an array of strings), of
/// the property's `type` when it has one. One walk over the kinds of value for both.
fn fits<J: Json>(property: &J, value: &J) -> bool {
    // The property's `type`, read once (compares of a `Ty`, not of names).
    let t = type_of(property);
    let is = |k: Ty| t == Ty::Any || t == k;
    // The options to check against: only a typed property's.
    let schema = (t != Ty::Any).then_some(property);
    if let Some(s) = value.string() {
        return is(Ty::String) && allowed(schema, "oneOf", &s);
    }
    if let Some(f) = value.number() {
        // A whole number for "integer" (an infinity's fract is NaN).
        return is(Ty::Number) || (is(Ty::Integer) && f.fract() == 0.0);
    }
    if value.boolean().is_some() {
        return is(Ty::Boolean);
    }
    let items_schema = schema.and_then(|p| p.object_at("items"));
    is(Ty::Array)
        && value.items().is_some_and(|items| {
            items.iter().all(|item| {
                item.string()
                    .is_some_and(|s| allowed(items_schema.as_ref(), "anyOf", &s))
            })
        })
}

/// Whether the string `s` is allowed by `schema` (a property, or an array's `items`): one
/// of its `enum` list (an array of strings), and the `const` of one of its `consts` list
/// of titled options (`oneOf` / `anyOf`). An absent schema, or an absent or malformed
/// list, allows anything: the type check alone then decides.
fn allowed<J: Json>(schema: Option<&J>, consts: &str, s: &str) -> bool {
    let Some(schema) = schema else {
        return true;
    };
    listed(schema, "enum", None, s) && listed(schema, consts, Some("const"), s)
}

/// Whether `s` is one of the options `schema[key]` lists (each option itself, or its
/// member `member`), or `schema[key]` lists none (absent, or not an array).
fn listed<J: Json>(schema: &J, key: &str, member: Option<&str>, s: &str) -> bool {
    schema.list(key).is_none_or(|options| {
        options.iter().any(|o| {
            match member {
                None => o.string(),
                Some(m) => o.text(m),
            }
            .is_some_and(|o| o == s)
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    /// The defaults `missing_defaults` hands over, as a list.
    fn missing_defaults(schema: &Value, content: Option<&Value>) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        super::missing_defaults(schema, content, |k, v| out.push((k.to_string(), v)));
        out
    }

    fn applied(schema: Value, content: Value) -> Value {
        let add = missing_defaults(&schema, Some(&content));
        let mut content = match content {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        content.extend(add);
        Value::Object(content)
    }

    /// The `requestedSchema` the conformance scenario `elicitation-sep1034-client-defaults`
    /// (@modelcontextprotocol/conformance 0.2.0-alpha.12) sends.
    fn conformance_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "name": { "type": "string", "description": "User name", "default": "John Doe" },
                "age": { "type": "integer", "description": "User age", "default": 30 },
                "score": { "type": "number", "description": "User score", "default": 95.5 },
                "status": {
                    "type": "string",
                    "description": "User status",
                    "enum": ["active", "inactive", "pending"],
                    "default": "active"
                },
                "verified": { "type": "boolean", "description": "Verification status", "default": true }
            },
            "required": []
        })
    }

    #[test]
    fn empty_answer_to_the_conformance_form_gets_every_default() {
        assert_eq!(
            applied(conformance_schema(), json!({})),
            json!({ "name": "John Doe", "age": 30, "score": 95.5, "status": "active", "verified": true })
        );
    }

    #[test]
    fn values_the_user_gave_are_kept() {
        let given =
            json!({ "name": "Ada", "age": 36, "score": 0, "status": "pending", "verified": false });
        assert_eq!(applied(conformance_schema(), given.clone()), given);
    }

    #[test]
    fn only_the_missing_fields_are_filled() {
        assert_eq!(
            applied(
                conformance_schema(),
                json!({ "name": "Ada", "verified": false })
            ),
            json!({ "name": "Ada", "age": 30, "score": 95.5, "status": "active", "verified": false })
        );
    }

    #[test]
    fn a_null_field_counts_as_missing() {
        assert_eq!(
            applied(
                conformance_schema(),
                json!({ "name": null, "age": 1, "score": 1, "status": "active", "verified": true })
            )["name"],
            json!("John Doe")
        );
    }

    #[test]
    fn a_wrong_typed_value_the_user_gave_is_kept() {
        // Not ours to fix: the server validates the answer.
        assert_eq!(
            applied(conformance_schema(), json!({ "age": "old" }))["age"],
            json!("old")
        );
    }

    #[test]
    fn fields_outside_the_schema_are_left_alone() {
        let out = applied(conformance_schema(), json!({ "extra": [1] }));
        assert_eq!(out["extra"], json!([1]));
        assert_eq!(out.as_object().map(Map::len), Some(6));
    }

    #[test]
    fn string_default() {
        let s = json!({ "type": "object", "properties": { "a": { "type": "string", "default": "x" } } });
        assert_eq!(applied(s, json!({})), json!({ "a": "x" }));
    }

    #[test]
    fn integer_default_accepts_whole_numbers_only() {
        let s = |d: Value| json!({ "properties": { "n": { "type": "integer", "default": d } } });
        assert_eq!(applied(s(json!(30)), json!({})), json!({ "n": 30 }));
        assert_eq!(applied(s(json!(-4)), json!({})), json!({ "n": -4 }));
        assert_eq!(applied(s(json!(30.0)), json!({})), json!({ "n": 30.0 }));
        assert_eq!(applied(s(json!(2.5)), json!({})), json!({}));
        assert_eq!(applied(s(json!("30")), json!({})), json!({}));
    }

    #[test]
    fn number_default() {
        let s = |d: Value| json!({ "properties": { "n": { "type": "number", "default": d } } });
        assert_eq!(applied(s(json!(95.5)), json!({})), json!({ "n": 95.5 }));
        assert_eq!(applied(s(json!(0)), json!({})), json!({ "n": 0 }));
        assert_eq!(applied(s(json!(true)), json!({})), json!({}));
    }

    #[test]
    fn boolean_default() {
        let s = |d: Value| json!({ "properties": { "b": { "type": "boolean", "default": d } } });
        assert_eq!(applied(s(json!(true)), json!({})), json!({ "b": true }));
        assert_eq!(applied(s(json!(false)), json!({})), json!({ "b": false }));
        assert_eq!(applied(s(json!("true")), json!({})), json!({}));
        assert_eq!(applied(s(json!(1)), json!({})), json!({}));
    }

    #[test]
    fn enum_default_must_be_an_option() {
        let s = |d: Value| json!({ "properties": { "e": { "type": "string", "enum": ["a", "b"], "default": d } } });
        assert_eq!(applied(s(json!("b")), json!({})), json!({ "e": "b" }));
        assert_eq!(applied(s(json!("c")), json!({})), json!({}));
        assert_eq!(applied(s(json!(1)), json!({})), json!({}));
    }

    #[test]
    fn legacy_titled_enum_default() {
        let s = json!({ "properties": { "e": {
            "type": "string", "enum": ["a", "b"], "enumNames": ["A", "B"], "default": "a"
        } } });
        assert_eq!(applied(s, json!({})), json!({ "e": "a" }));
    }

    #[test]
    fn titled_single_select_default_must_be_a_const() {
        let s = |d: Value| {
            json!({ "properties": { "e": {
            "type": "string",
            "oneOf": [{ "const": "a", "title": "A" }, { "const": "b", "title": "B" }],
            "default": d
        } } })
        };
        assert_eq!(applied(s(json!("b")), json!({})), json!({ "e": "b" }));
        assert_eq!(applied(s(json!("B")), json!({})), json!({}));
    }

    #[test]
    fn multi_select_defaults() {
        let untitled = |d: Value| {
            json!({ "properties": { "m": {
            "type": "array", "items": { "type": "string", "enum": ["a", "b", "c"] }, "default": d
        } } })
        };
        assert_eq!(
            applied(untitled(json!(["a", "c"])), json!({})),
            json!({ "m": ["a", "c"] })
        );
        assert_eq!(applied(untitled(json!([])), json!({})), json!({ "m": [] }));
        assert_eq!(applied(untitled(json!(["a", "z"])), json!({})), json!({}));
        assert_eq!(applied(untitled(json!("a")), json!({})), json!({}));
        let titled = |d: Value| {
            json!({ "properties": { "m": {
            "type": "array", "items": { "anyOf": [{ "const": "x", "title": "X" }] }, "default": d
        } } })
        };
        assert_eq!(
            applied(titled(json!(["x"])), json!({})),
            json!({ "m": ["x"] })
        );
        assert_eq!(applied(titled(json!(["y"])), json!({})), json!({}));
    }

    #[test]
    fn a_property_without_type_takes_any_content_value() {
        let s = |d: Value| json!({ "properties": { "p": { "default": d } } });
        assert_eq!(applied(s(json!("x")), json!({})), json!({ "p": "x" }));
        assert_eq!(applied(s(json!(["x"])), json!({})), json!({ "p": ["x"] }));
        assert_eq!(applied(s(json!({ "o": 1 })), json!({})), json!({}));
        assert_eq!(applied(s(json!(null)), json!({})), json!({}));
        assert_eq!(applied(s(json!([1])), json!({})), json!({}));
    }

    #[test]
    fn properties_without_default_stay_missing() {
        let s = json!({ "type": "object", "properties": { "a": { "type": "string" } } });
        assert_eq!(applied(s, json!({})), json!({}));
    }

    #[test]
    fn non_object_schemas_are_ignored() {
        for s in [
            json!(null),
            json!(true),
            json!(3),
            json!("object"),
            json!([{ "properties": { "a": { "type": "string", "default": "x" } } }]),
            json!({ "type": "array", "properties": { "a": { "type": "string", "default": "x" } } }),
            json!({ "type": 7, "properties": { "a": { "type": "string", "default": "x" } } }),
            json!({ "type": "object" }),
            json!({ "type": "object", "properties": [] }),
            json!({ "type": "object", "properties": "a" }),
        ] {
            assert_eq!(
                applied(s.clone(), json!({ "k": 1 })),
                json!({ "k": 1 }),
                "schema {s}"
            );
        }
    }

    #[test]
    fn odd_property_schemas_are_skipped_not_fatal() {
        let s = json!({ "properties": {
            "a": "string",
            "b": null,
            "c": { "type": ["string", "null"], "default": "x" },
            "d": { "type": "object", "default": {} },
            "e": { "type": "string", "enum": "a", "default": "a" },
            "f": { "type": "string", "oneOf": [1, {}, { "const": 2 }], "default": "a" },
            "g": { "type": "array", "items": 5, "default": ["a"] },
            "h": { "type": "integer", "default": 1e300 }
        } });
        // Malformed option lists do not restrict; a list with no matching const does.
        assert_eq!(
            applied(s, json!({})),
            json!({ "e": "a", "g": ["a"], "h": 1e300 })
        );
    }

    #[test]
    fn huge_and_deep_inputs_do_not_panic() {
        let mut deep = json!("x");
        for _ in 0..64 {
            deep = json!({ "type": "object", "properties": { "p": deep }, "default": {} });
        }
        // The nested default is an object, which no elicitation field may hold.
        assert!(missing_defaults(&deep, None).is_empty());

        let props: Map<String, Value> = (0..1000)
            .map(|i| (format!("f{i}"), json!({ "type": "integer", "default": i })))
            .collect();
        let wide = json!({ "type": "object", "properties": props });
        let content: Map<String, Value> = missing_defaults(&wide, None).into_iter().collect();
        assert_eq!(content.len(), 1000);
        assert_eq!(content.get("f999"), Some(&json!(999)));
    }
}
