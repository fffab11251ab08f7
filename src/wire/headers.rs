//! MCP 2026-07-28's request headers that mirror the body (Streamable HTTP, "Custom Headers
//! from Tool Parameters" and "Value Encoding"): which tool parameters an `inputSchema`
//! asks to mirror in `Mcp-Param-{Name}` headers (and when its annotations are invalid,
//! so that the tool must be left out of `tools/list`), and how a value is written in a
//! header (`=?base64?…?=` when it is not plain visible ASCII). Pure, over [`Json`].

use crate::elicit_defaults::Ty;
use crate::io::json::Json;

/// The annotation key.
pub const ANNOTATION: &str = "x-mcp-header";

/// Why a schema's annotations are invalid is not kept: the caller only leaves the tool
/// out (each reason is a comment where it is found), and the reasons' texts would be
/// bytes of wasm no one reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

/// How deep a schema is read before it counts as invalid (hostile nesting).
const MAX_DEPTH: usize = 32;

/// An RFC 9110 `tchar`: a letter, a digit or one of ``!#$%&'*+-.^_`|~`` (a bit mask over
/// ASCII: bit `b` of `TCHARS` is set for each; two shifts, not fifteen compares).
fn is_tchar(b: u8) -> bool {
    const TCHARS: [u64; 2] = [0x03ff_6cfa_0000_0000, 0x57ff_ffff_c7ff_fffe];
    b < 128 && TCHARS[usize::from(b >> 6)] >> (b & 63) & 1 == 1
}

/// The `Mcp-Param-{Name}` headers of a call's arguments (`args`: the value at each
/// mirrored parameter, encoded; a parameter without a value, absent or null, has no
/// header), or [`Invalid`] when the `inputSchema`'s annotations are (a tool with invalid
/// annotations MUST be left out of `tools/list`). Without `args`, the check alone (each
/// annotation then with an empty value). The rules: a non-empty token (`1*tchar`: no
/// control characters), unique ignoring case, on a property whose `type` is `string`,
/// `integer` or `boolean`, reachable from the root through `properties` keys only (an
/// annotation under `items`, `oneOf`, `$ref` or anywhere else makes the schema invalid).
/// Derived from the schema at each call, not kept per tool: one walk for both.
pub fn param_headers<J: Json>(
    input_schema: &J,
    args: Option<&J>,
) -> Result<Vec<(String, String)>, Invalid> {
    let mut out = Vec::new();
    scan(input_schema, args, false, false, &mut out, 0)?;
    Ok(out)
}

/// Every `x-mcp-header` annotation in `v`, in any schema position (one walk): each must
/// be on a property reached from the root through `properties` keys only (`reachable`:
/// `v` is one), and is then kept in `out` as its header, with `arg`'s value (`arg`: the
/// arguments' value at `v`; `None` when only checking: every schema is then walked, and
/// each header kept with an empty value; with arguments, the walk goes only where a
/// mirrored value may be). `names`: `v` maps names to schemas (`properties`, `$defs`,
/// ...; `reachable` then says whether its schemas are), at the depth of the schema it is in.
fn scan<J: Json>(
    v: &J,
    arg: Option<&J>,
    names: bool,
    reachable: bool,
    out: &mut Vec<(String, String)>,
    depth: usize,
) -> Result<(), Invalid> {
    if depth > 2 * MAX_DEPTH + 2 {
        // Nested too deep.
        return Err(Invalid);
    }
    if let Some(items) = v.items().filter(|_| !names) {
        for i in &items {
            scan(i, arg, false, false, out, depth + 1)?;
        }
        return Ok(());
    }
    for k in &v.keys() {
        let c = v.field(k);
        if !names && k == ANNOTATION {
            // Invalid: not on a property reachable through `properties`; a value that is
            // not a string, or not an HTTP token; on a parameter that is not a string,
            // integer or boolean; a name already kept but for case (the prefix is the
            // same for all).
            let Some(name) = c.and_then(|h| h.string()) else {
                return Err(Invalid);
            };
            let header = crate::cat!("Mcp-Param-", &name);
            if !reachable
                || name.is_empty()
                || !name.bytes().all(is_tchar)
                || !primitive_type(v)
                || out.iter().any(|o| o.0.eq_ignore_ascii_case(&header))
            {
                return Err(Invalid);
            }
            if let Some(value) = arg.map_or(Some(String::new()), encode_value) {
                out.push((header, value));
            }
            continue;
        }
        let Some(c) = c else { continue };
        // One recursive call for the three kinds of child: `k` names a schema (a
        // property of a reachable schema, or of the root, is reachable in turn), or
        // `k` is a keyword whose value holds names or schemas.
        let (child_names, on, deeper) = if names {
            (false, reachable && c.is_object(), true)
        } else {
            // What the keyword's value holds (one `match`, not a list's `contains`: that
            // linked `<[&str]>`'s `slice_contains`).
            match k.as_str() {
                // Data, not schema: an `x-mcp-header` key inside it is not an annotation.
                "default" | "const" | "enum" | "examples" => continue,
                // A map of names to schemas: its keys are names, not keywords.
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => {
                    (true, k == "properties" && (reachable || depth == 0), false)
                }
                // A schema, or a list of them.
                _ => (false, false, true),
            }
        };
        // With arguments, only a reachable schema with a value may hold a header (the
        // schema was checked when listed): a name's value is the arguments' at `k`.
        let sub = match arg {
            None => None,
            Some(_) if !on => continue,
            Some(a) if names => match a.field(k) {
                None => continue,
                x => x,
            },
            Some(a) => Some(a.clone()),
        };
        scan(
            &c,
            sub.as_ref(),
            child_names,
            on,
            out,
            depth + usize::from(deeper),
        )?;
    }
    Ok(())
}

/// Whether a property's `type` is `string`, `integer` or `boolean`, alone or with
/// `null` in a type array (`["string", "null"]`: an optional parameter).
fn primitive_type<J: Json>(p: &J) -> bool {
    let Some(t) = p.field("type") else {
        return false;
    };
    // One name, or a list of them; every name is a primitive or "null", and one at least
    // is a primitive.
    // The lone name as a one-element slice: no vector made for it.
    let list = t.items();
    let names = list.as_deref().unwrap_or(std::slice::from_ref(&t));
    let mut any = false;
    for x in names {
        match crate::elicit_defaults::type_name(x) {
            Ty::String | Ty::Integer | Ty::Boolean => any = true,
            Ty::Null => {}
            _ => return false,
        }
    }
    any
}

/// A parameter value as a header value: strings as they are (or encoded), integers in
/// decimal (within JavaScript's safe range), booleans `true` / `false`; `None` for any
/// other value (null, a fraction, an object), which then has no header.
pub fn encode_value<J: Json>(v: &J) -> Option<String> {
    if let Some(s) = v.string() {
        return Some(encode_name_value(&s));
    }
    if let Some(b) = v.boolean() {
        return Some(if b { "true" } else { "false" }.into());
    }
    let n = v.number()?;
    const SAFE: f64 = 9_007_199_254_740_991.0;
    (n.fract() == 0.0 && n.abs() <= SAFE).then(|| crate::cat!(n as i64))
}

/// A string as a header value: as it is when it is plain visible ASCII (spaces inside
/// allowed), else `=?base64?{base64 of its UTF-8}?=`: non-ASCII, control characters,
/// leading or trailing whitespace, and a plain value that looks like that form itself.
pub fn encode_name_value(s: &str) -> String {
    // Visible, not padded (bytes, not `starts_with(' ')`: a `char` pattern links a UTF-8
    // encoder), not the encoded form.
    let plain = s.bytes().all(|b| matches!(b, 0x20..=0x7e))
        && !matches!(s.as_bytes(), [b' ', ..] | [.., b' '])
        && !(s.starts_with("=?base64?") && s.ends_with("?="));
    if plain {
        return s.to_string();
    }
    let mut out = String::from("=?base64?");
    base64(s.as_bytes(), &mut out);
    out.push_str("?=");
    out
}

/// Standard Base64 with padding (RFC 4648).
fn base64(bytes: &[u8], out: &mut String) {
    // Text, not bytes: each digit is pushed as a `&str` (`String::push` of a `char` links
    // a UTF-8 encoder).
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            let k = (n >> (18 - 6 * i) & 63) as usize;
            out.push_str(if i <= chunk.len() {
                A.get(k..=k).unwrap_or_default()
            } else {
                "="
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The check alone (no arguments).
    fn mirrored_params(schema: &serde_json::Value) -> Result<Vec<(String, String)>, Invalid> {
        param_headers(schema, None)
    }

    #[test]
    fn the_spec_examples_encode_as_the_spec_shows() {
        assert_eq!(encode_name_value("us-west1"), "us-west1");
        assert_eq!(
            encode_name_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(encode_name_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(
            encode_name_value("line1\nline2"),
            "=?base64?bGluZTEKbGluZTI=?="
        );
        assert_eq!(
            encode_name_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
        assert_eq!(encode_name_value("tab\there"), "=?base64?dGFiCWhlcmU=?=");
        assert_eq!(encode_name_value("a b"), "a b");
    }

    #[test]
    fn values_by_type() {
        assert_eq!(encode_value(&json!(42)).as_deref(), Some("42"));
        assert_eq!(encode_value(&json!(-7)).as_deref(), Some("-7"));
        assert_eq!(encode_value(&json!(true)).as_deref(), Some("true"));
        assert_eq!(encode_value(&json!(false)).as_deref(), Some("false"));
        assert_eq!(encode_value(&json!(1.5)), None);
        assert_eq!(encode_value(&json!(9_007_199_254_740_992u64)), None);
        assert_eq!(encode_value(&json!(null)), None);
        assert_eq!(encode_value(&json!({"a": 1})), None);
    }

    #[test]
    fn annotated_parameters_are_found_nested_through_properties() {
        let schema = json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "query": {"type": "string"},
                "target": {"type": "object", "properties": {
                    "shard": {"type": "integer", "x-mcp-header": "Shard"}
                }}
            }
        });
        assert_eq!(mirrored_params(&schema).unwrap().len(), 2);
        let args = json!({"region": "eu-west1", "target": {"shard": 3}, "query": "x"});
        let h = param_headers(&schema, Some(&args)).unwrap();
        assert!(h.contains(&("Mcp-Param-Region".into(), "eu-west1".into())));
        assert!(h.contains(&("Mcp-Param-Shard".into(), "3".into())));
        // No value: no header.
        assert_eq!(
            param_headers(&schema, Some(&json!({"query": "x"}))),
            Ok(vec![])
        );
    }

    #[test]
    fn invalid_annotations_reject_the_tool() {
        let one = |p: serde_json::Value| json!({"type": "object", "properties": {"p": p}});
        assert!(mirrored_params(&one(json!({"type": "number", "x-mcp-header": "N"}))).is_err());
        assert!(mirrored_params(&one(json!({"type": "object", "x-mcp-header": "O"}))).is_err());
        assert!(mirrored_params(&one(json!({"x-mcp-header": "NoType"}))).is_err());
        assert!(mirrored_params(&one(json!({"type": "string", "x-mcp-header": ""}))).is_err());
        assert!(mirrored_params(&one(json!({"type": "string", "x-mcp-header": "a b"}))).is_err());
        assert!(
            mirrored_params(&one(json!({"type": "string", "x-mcp-header": "a\r\nb"}))).is_err()
        );
        assert!(mirrored_params(&one(json!({"type": "string", "x-mcp-header": 7}))).is_err());
        let dup = json!({"properties": {
            "a": {"type": "string", "x-mcp-header": "Region"},
            "b": {"type": "string", "x-mcp-header": "region"}
        }});
        assert!(mirrored_params(&dup).is_err());
        let in_items = json!({"properties": {"list": {"type": "array",
            "items": {"type": "string", "x-mcp-header": "Item"}}}});
        assert!(mirrored_params(&in_items).is_err());
        let in_one_of = json!({"properties": {"x": {"oneOf": [
            {"type": "string", "x-mcp-header": "X"}]}}});
        assert!(mirrored_params(&in_one_of).is_err());
        let in_defs = json!({"$defs": {"r": {"type": "string", "x-mcp-header": "R"}},
            "properties": {"r": {"$ref": "#/$defs/r"}}});
        assert!(mirrored_params(&in_defs).is_err());
        // An optional parameter (a type array with null) may be mirrored.
        let nullable = one(json!({"type": ["string", "null"], "x-mcp-header": "Opt"}));
        assert_eq!(mirrored_params(&nullable).unwrap().len(), 1);
        assert!(mirrored_params(&one(json!({"type": ["null"], "x-mcp-header": "N"}))).is_err());
        assert!(mirrored_params(&one(
            json!({"type": ["string", "object"], "x-mcp-header": "S"})
        ))
        .is_err());
        // Data and names are not annotations.
        let data = json!({"properties": {
            "x-mcp-header": {"type": "string"},
            "p": {"type": "string", "default": {"x-mcp-header": "no"}, "examples": [{"x-mcp-header": 1}]}
        }, "$defs": {"x-mcp-header": {"type": "string"}}});
        assert_eq!(mirrored_params(&data).unwrap(), vec![]);
        // None at all: valid, nothing mirrored.
        assert_eq!(mirrored_params(&json!({"type": "object"})).unwrap(), vec![]);
        assert_eq!(mirrored_params(&json!(null)).unwrap(), vec![]);
    }

    #[test]
    fn random_strings_always_give_a_header_safe_value() {
        let mut x: u64 = 20_260_728;
        for _ in 0..5000 {
            let mut s = String::new();
            for _ in 0..(x % 12) {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1442695040888963407);
                let c = char::from_u32(((x >> 33) % 0x3000) as u32).unwrap_or('?');
                s.push(c);
            }
            x = x.wrapping_add(1);
            let v = encode_name_value(&s);
            assert!(v.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{v:?}");
            assert!(!v.starts_with(' ') && !v.ends_with(' '));
        }
    }

    #[test]
    fn the_tchar_mask_is_rfc_9110s_list() {
        for b in 0..=255u8 {
            let listed = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_tchar(b), listed, "{b}");
        }
    }

    #[test]
    fn deep_schemas_are_refused_not_overflowed() {
        let mut s = json!({"type": "string", "x-mcp-header": "Deep"});
        for _ in 0..200 {
            s = json!({"type": "object", "properties": {"n": s}});
        }
        assert!(mirrored_params(&s).is_err());
    }
}
