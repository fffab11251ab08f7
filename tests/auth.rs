#![cfg(not(target_arch = "wasm32"))]
//! The pure part of authorization (`mcp_tasks_wasm::auth`): challenges, discovery URLs in
//! the spec's order, the resource and issuer checks, scope selection, encodings, expiry.

use mcp_tasks_wasm::auth::*;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn challenge_reads_quoted_and_token_params_of_bearer() {
    let c = challenge(
        r#"Bearer error="insufficient_scope", scope="mcp:basic mcp:write", resource_metadata="https://x.example/.well-known/oauth-protected-resource/mcp""#,
    );
    assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
    assert_eq!(c.scope.as_deref(), Some("mcp:basic mcp:write"));
    assert_eq!(
        c.resource_metadata.as_deref(),
        Some("https://x.example/.well-known/oauth-protected-resource/mcp")
    );
    let c = challenge("Bearer error=invalid_token,scope=a");
    assert_eq!(c.error.as_deref(), Some("invalid_token"));
    assert_eq!(c.scope.as_deref(), Some("a"));
    let c = challenge(r#"bearer realm="a\"b", scope="x""#);
    assert_eq!(c.scope.as_deref(), Some("x"));
}

#[test]
fn challenge_ignores_other_schemes_params() {
    let c = challenge(r#"Basic realm="r", scope="nope", Bearer scope="yes""#);
    assert_eq!(c.scope.as_deref(), Some("yes"));
    let c = challenge(r#"DPoP scope="nope""#);
    assert_eq!(c.scope, None);
    assert_eq!(challenge(""), Challenge::default());
    // Unterminated quote: no panic, value taken to the end.
    assert_eq!(
        challenge(r#"Bearer scope="abc"#).scope.as_deref(),
        Some("abc")
    );
}

#[test]
fn resource_metadata_urls_hint_then_path_then_root() {
    assert_eq!(
        resource_metadata_urls(
            "https://h.example/api/mcp?x=1",
            Some("https://h.example/custom.json")
        ),
        strings(&[
            "https://h.example/custom.json",
            "https://h.example/.well-known/oauth-protected-resource/api/mcp",
            "https://h.example/.well-known/oauth-protected-resource",
        ])
    );
    assert_eq!(
        resource_metadata_urls("http://localhost:3000/", None),
        strings(&["http://localhost:3000/.well-known/oauth-protected-resource"])
    );
}

#[test]
fn server_metadata_urls_in_the_spec_order() {
    assert_eq!(
        server_metadata_urls("https://auth.example/tenant1"),
        strings(&[
            "https://auth.example/.well-known/oauth-authorization-server/tenant1",
            "https://auth.example/.well-known/openid-configuration/tenant1",
            "https://auth.example/tenant1/.well-known/openid-configuration",
        ])
    );
    assert_eq!(
        server_metadata_urls("https://auth.example"),
        strings(&[
            "https://auth.example/.well-known/oauth-authorization-server",
            "https://auth.example/.well-known/openid-configuration",
        ])
    );
    assert!(server_metadata_urls("ftp://x").is_empty());
}

#[test]
fn resource_must_cover_the_server_url() {
    assert!(resource_matches(
        "http://localhost:1/mcp",
        "http://localhost:1/mcp"
    ));
    assert!(resource_matches(
        "http://localhost:1",
        "http://localhost:1/mcp"
    ));
    assert!(resource_matches(
        "HTTP://LOCALHOST:1/",
        "http://localhost:1/mcp"
    ));
    assert!(resource_matches(
        "https://a.example/api",
        "https://a.example/api/mcp"
    ));
    assert!(!resource_matches(
        "https://evil.example.com/mcp",
        "http://localhost:1/mcp"
    ));
    assert!(!resource_matches(
        "https://a.example/ap",
        "https://a.example/api/mcp"
    ));
    assert!(!resource_matches(
        "https://a.example/other",
        "https://a.example/mcp"
    ));
    assert!(!resource_matches(
        "https://a.example:444/mcp",
        "https://a.example/mcp"
    ));
    assert!(!resource_matches(
        "https://a.example/mcp#f",
        "https://a.example/mcp"
    ));
    assert!(!resource_matches("not a url", "https://a.example/mcp"));
}

#[test]
fn redirect_uris_are_https_or_loopback() {
    assert!(redirect_uri_ok("https://app.example/cb"));
    assert!(redirect_uri_ok("http://localhost:8080/cb"));
    assert!(redirect_uri_ok("http://127.0.0.1/cb"));
    assert!(redirect_uri_ok("http://[::1]:9/cb"));
    assert!(!redirect_uri_ok("http://app.example/cb"));
    assert!(!redirect_uri_ok("http://localhost.evil.example/cb"));
    assert!(!redirect_uri_ok("javascript:alert(1)"));
}

#[test]
fn scope_from_challenge_else_resource_else_none() {
    let prm = strings(&["a", "b"]);
    assert_eq!(
        select_scope(Some("x"), &prm, None, &[]).as_deref(),
        Some("x")
    );
    assert_eq!(select_scope(None, &prm, None, &[]).as_deref(), Some("a b"));
    assert_eq!(select_scope(None, &[], None, &[]), None);
}

#[test]
fn step_up_keeps_the_scopes_asked_before() {
    assert_eq!(
        select_scope(Some("mcp:write"), &[], Some("mcp:basic"), &[]).as_deref(),
        Some("mcp:basic mcp:write")
    );
    assert_eq!(
        select_scope(Some("a b"), &[], Some("b a"), &[]).as_deref(),
        Some("b a")
    );
}

#[test]
fn offline_access_only_when_the_server_lists_it() {
    let listed = strings(&["mcp:basic", "offline_access"]);
    assert_eq!(
        select_scope(Some("mcp:basic"), &[], None, &listed).as_deref(),
        Some("mcp:basic offline_access")
    );
    assert_eq!(
        select_scope(Some("mcp:basic"), &[], None, &strings(&["mcp:basic"])).as_deref(),
        Some("mcp:basic")
    );
}

#[test]
fn iss_is_compared_exactly_and_required_when_advertised() {
    let is = "http://localhost:1";
    assert!(check_iss(Some(is), is, true).is_ok());
    assert!(check_iss(None, is, false).is_ok());
    assert!(check_iss(None, is, true).is_err());
    assert!(check_iss(Some("http://localhost:1/"), is, true).is_err());
    assert!(check_iss(Some("https://evil.example.com"), is, false).is_err());
}

#[test]
fn token_endpoint_auth_follows_the_registration() {
    assert_eq!(client_auth(Some("none"), true, &[]), ClientAuth::None);
    assert_eq!(
        client_auth(Some("client_secret_post"), true, &[]),
        ClientAuth::Post
    );
    assert_eq!(
        client_auth(Some("client_secret_basic"), true, &[]),
        ClientAuth::Basic
    );
    assert_eq!(client_auth(None, false, &[]), ClientAuth::None);
    assert_eq!(client_auth(None, true, &[]), ClientAuth::Basic);
    assert_eq!(
        client_auth(None, true, &strings(&["client_secret_post"])),
        ClientAuth::Post
    );
}

#[test]
fn tokens_are_refreshed_a_minute_before_expiry() {
    let at = expires_at(1_000.0, Some(3600.0)).unwrap();
    assert_eq!(at, 3_601_000.0);
    assert!(!due_for_refresh(Some(at), 1_000.0));
    assert!(due_for_refresh(Some(at), at - 59_000.0));
    assert!(!due_for_refresh(None, 1e15));
    assert_eq!(expires_at(0.0, Some(0.0)), None);
    assert_eq!(expires_at(0.0, None), None);
}

#[test]
fn form_and_query_round_trip() {
    let f = form(&[("redirect_uri", "http://l/cb?x=1&y"), ("scope", "a b+c")]);
    assert_eq!(
        f,
        "redirect_uri=http%3A%2F%2Fl%2Fcb%3Fx%3D1%26y&scope=a%20b%2Bc"
    );
    let url = with_query(
        "https://as.example/authorize",
        &[("state", "s p"), ("a", "é")],
    );
    assert_eq!(url, "https://as.example/authorize?state=s%20p&a=%C3%A9");
    assert_eq!(
        with_query("https://as.example/authorize?x=1#f", &[("b", "2")]),
        "https://as.example/authorize?x=1&b=2#f"
    );
    let p =
        query_params("http://localhost/cb?code=c%2F1&state=a+b&iss=http%3A%2F%2Fh&bad=%zz#frag");
    assert_eq!(param(&p, "code"), Some("c/1"));
    assert_eq!(param(&p, "state"), Some("a b"));
    assert_eq!(param(&p, "iss"), Some("http://h"));
    assert_eq!(param(&p, "bad"), Some("%zz"));
    assert_eq!(param(&p, "frag"), None);
    assert!(query_params("http://x/").is_empty());
    assert_eq!(param(&query_params("http://x/?a=%"), "a"), Some("%"));
}

#[test]
fn basic_credentials_are_form_encoded_then_base64() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foob"), "Zm9vYg==");
    assert_eq!(
        basic_credentials("pre-registered-client", "pre-registered-secret"),
        "Basic cHJlLXJlZ2lzdGVyZWQtY2xpZW50OnByZS1yZWdpc3RlcmVkLXNlY3JldA=="
    );
    assert_eq!(
        basic_credentials("a:b", "c"),
        ["Basic ", &base64(b"a%3Ab:c")].concat()
    );
}

use serde_json::json;

#[test]
fn resource_metadata_is_checked_against_the_server_url() {
    let url = "http://localhost:1/mcp";
    let ok = json!({"resource": "http://localhost:1/mcp", "authorization_servers": ["http://as"], "scopes_supported": ["a"]});
    let r = read_resource_metadata(&ok, url).unwrap();
    assert_eq!(r.resource, "http://localhost:1/mcp");
    assert_eq!(r.issuer, "http://as");
    assert_eq!(r.scopes, vec!["a".to_string()]);
    let evil =
        json!({"resource": "https://evil.example.com/mcp", "authorization_servers": ["http://as"]});
    assert_eq!(
        read_resource_metadata(&evil, url).unwrap_err().0,
        "resource_mismatch"
    );
    let none = json!({"resource": "http://localhost:1/mcp"});
    assert_eq!(
        read_resource_metadata(&none, url).unwrap_err().0,
        "invalid_metadata"
    );
    assert_eq!(
        read_resource_metadata(&json!({}), url).unwrap_err().0,
        "invalid_metadata"
    );
}

fn server(extra: serde_json::Value) -> serde_json::Value {
    let mut m = json!({
        "issuer": "http://as/t1",
        "authorization_endpoint": "http://as/t1/authorize",
        "token_endpoint": "http://as/t1/token",
        "code_challenge_methods_supported": ["S256"],
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    m
}

#[test]
fn server_metadata_needs_the_same_issuer_and_s256() {
    let s = read_server_metadata(
        &server(json!({"authorization_response_iss_parameter_supported": true})),
        "http://as/t1",
    )
    .unwrap();
    assert!(s.iss_supported && !s.cimd_supported);
    assert_eq!(s.registration_endpoint, None);
    let e = read_server_metadata(
        &server(json!({"issuer": "https://attacker.example.com"})),
        "http://as/t1",
    );
    assert_eq!(e.unwrap_err().0, "issuer_mismatch");
    let e = read_server_metadata(&server(json!({})), "http://as/t1/");
    assert_eq!(e.unwrap_err().0, "issuer_mismatch", "no normalisation");
    let e = read_server_metadata(
        &server(json!({"code_challenge_methods_supported": ["plain"]})),
        "http://as/t1",
    );
    assert_eq!(e.unwrap_err().0, "pkce_unsupported");
    let mut no_pkce = server(json!({}));
    no_pkce
        .as_object_mut()
        .unwrap()
        .remove("code_challenge_methods_supported");
    assert_eq!(
        read_server_metadata(&no_pkce, "http://as/t1")
            .unwrap_err()
            .0,
        "pkce_unsupported"
    );
}

#[test]
fn token_responses_must_be_bearer_with_a_token() {
    let t = read_token_response(&json!({"access_token": "x", "token_type": "bearer", "expires_in": 10, "refresh_token": "r"})).unwrap();
    assert_eq!(
        (t.access.as_str(), t.refresh.as_deref(), t.expires_in),
        ("x", Some("r"), Some(10.0))
    );
    assert!(read_token_response(&json!({"access_token": "x", "token_type": "DPoP"})).is_err());
    assert!(read_token_response(&json!({"token_type": "Bearer"})).is_err());
}

#[test]
fn callbacks_check_state_then_iss_then_error() {
    let is = "http://as";
    let cb = |q: &str| ["http://localhost/cb?", q].concat();
    assert_eq!(
        read_callback(&cb("code=c&state=s&iss=http%3A%2F%2Fas"), "s", is, true).unwrap(),
        "c"
    );
    assert_eq!(
        read_callback(&cb("code=c&state=s"), "s", is, false).unwrap(),
        "c"
    );
    assert_eq!(
        read_callback(&cb("code=c&state=t"), "s", is, false)
            .unwrap_err()
            .0,
        "state_mismatch"
    );
    assert_eq!(
        read_callback(&cb("code=c&state=s"), "s", is, true)
            .unwrap_err()
            .0,
        "iss_mismatch"
    );
    assert_eq!(
        read_callback(&cb("code=c&state=s&iss=http%3A%2F%2Fas%2F"), "s", is, true)
            .unwrap_err()
            .0,
        "iss_mismatch"
    );
    let denied = read_callback(
        &cb("error=access_denied&error_description=no&state=s"),
        "s",
        is,
        false,
    )
    .unwrap_err();
    assert_eq!(denied.0, "access_denied");
    assert!(denied.1.contains("access_denied (no)"));
    assert_eq!(
        read_callback(&cb("state=s"), "s", is, false).unwrap_err().0,
        "authorization_failed"
    );
}

/// No input a server (or a redirect) sends makes the parsers panic: a deterministic sweep
/// of short strings over characters that matter to them, multi-byte ones included.
#[test]
fn parsers_never_panic_on_hostile_input() {
    const ALPHABET: &[&str] = &[
        "",
        "\"",
        "\\",
        "=",
        ",",
        " ",
        ":",
        "/",
        "//",
        "?",
        "#",
        "&",
        "%",
        "%4",
        "[",
        "]",
        "@",
        "é",
        "😀",
        "bearer",
        "Bearer ",
        "scope",
        "http",
        "https://",
        "localhost",
        "a",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let len = (next() % 8) as usize;
        let s: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let _ = challenge(&s);
        let _ = query_params(&s);
        let _ = split_url(&s);
        let _ = resource_metadata_urls(&s, Some(&s));
        let _ = server_metadata_urls(&s);
        let _ = resource_matches(&s, "https://a.example/mcp");
        let _ = resource_matches("https://a.example", &s);
        let _ = redirect_uri_ok(&s);
        let _ = with_query(&s, &[("k", &s)]);
        let _ = read_callback(&s, "s", "https://as", true);
        let _ = select_scope(Some(&s), std::slice::from_ref(&s), Some(&s), &[]);
    }
}
