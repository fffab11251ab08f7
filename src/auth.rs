//! Authorization (OAuth 2.1 as MCP defines it), the pure part: reading `WWW-Authenticate`,
//! the discovery URLs (RFC 9728, RFC 8414, OpenID) in the spec's order, the checks the
//! spec makes MUSTs of (the resource, the issuer, PKCE S256, `iss`), scope selection, the
//! form and query encodings, and when a token is due for refresh. No I/O, no JS: the
//! driver (`transport::auth`) fetches, and these functions decide. JSON is read through
//! [`Json`], so the documents' checks run natively on `serde_json` values too.

use crate::io::json::Json;
use crate::text::cat;

/// Why the flow stops: a stable reason (the `AuthError`'s `reason`) and words for people.
pub type Fail = (&'static str, String);

/// Where the first byte matching `f` is.
fn pos(s: &str, f: impl Fn(u8) -> bool) -> Option<usize> {
    s.bytes().position(f)
}

/// Where the ASCII byte `c` first is in `s`, or `s.len()`. The URL and scope helpers
/// search by byte, not by `char` pattern (`find`, `split`, `contains`, `trim_end_matches`
/// of a `char` link core's char searcher and UTF-8 decoding).
fn at(s: &str, c: u8) -> usize {
    pos(s, |b| b == c).unwrap_or(s.len())
}

/// The pieces of `s` between the ASCII byte `sep`, as `s.split(sep)` gives them.
fn parts(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let s = rest?;
        let i = at(s, sep);
        rest = s.get(i + 1..);
        Some(&s[..i])
    })
}

/// `s` without its trailing `/`s.
fn trim_slashes(s: &str) -> &str {
    &s[..s.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1)]
}

fn fail<T>(reason: &'static str, message: &str) -> Result<T, Fail> {
    Err((reason, message.to_string()))
}

/// What the client keeps of a Protected Resource Metadata document (RFC 9728).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Resource {
    /// `resource`, exactly as published (sent as the `resource` parameter).
    pub resource: String,
    /// The authorization server to use: the first of `authorization_servers`.
    pub issuer: String,
    /// `scopes_supported`.
    pub scopes: Vec<String>,
}

/// Read and check a Protected Resource Metadata document for `server_url`: its
/// `resource` must cover the server's URL, and it must name an authorization server.
pub fn read_resource_metadata<J: Json>(prm: &J, server_url: &str) -> Result<Resource, Fail> {
    let Some(resource) = prm.text("resource") else {
        return fail(
            "invalid_metadata",
            "the protected resource metadata has no resource",
        );
    };
    if !resource_matches(&resource, server_url) {
        return fail(
            "resource_mismatch",
            "the protected resource metadata is for another resource than this server's URL",
        );
    }
    let Some(issuer) = prm.strings("authorization_servers").into_iter().next() else {
        return fail(
            "invalid_metadata",
            "the protected resource metadata names no authorization server",
        );
    };
    Ok(Resource {
        resource,
        issuer,
        scopes: prm.strings("scopes_supported"),
    })
}

/// What the client keeps of an authorization server's metadata (RFC 8414).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Server {
    /// `issuer`, equal to the issuer it was fetched for.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `registration_endpoint` (Dynamic Client Registration), if any.
    pub registration_endpoint: Option<String>,
    /// `scopes_supported`.
    pub scopes: Vec<String>,
    /// `token_endpoint_auth_methods_supported`.
    pub auth_methods: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub iss_supported: bool,
    /// `client_id_metadata_document_supported`.
    pub cimd_supported: bool,
}

/// Read and check an authorization server's metadata fetched for `issuer`: `issuer` must
/// be equal (exact comparison), PKCE S256 must be advertised, and both endpoints present.
pub fn read_server_metadata<J: Json>(m: &J, issuer: &str) -> Result<Server, Fail> {
    if m.text("issuer").as_deref() != Some(issuer) {
        return fail(
            "issuer_mismatch",
            "the authorization server metadata is for another issuer than the one it was fetched for",
        );
    }
    if !m
        .strings("code_challenge_methods_supported")
        .iter()
        .any(|s| s == "S256")
    {
        return fail(
            "pkce_unsupported",
            "the authorization server does not advertise PKCE S256 (code_challenge_methods_supported)",
        );
    }
    let url = |k| m.text(k);
    let (Some(authorization_endpoint), Some(token_endpoint)) =
        (url("authorization_endpoint"), url("token_endpoint"))
    else {
        return fail(
            "invalid_metadata",
            "the authorization server metadata lacks its authorization or token endpoint",
        );
    };
    let flag = |k| m.field(k).and_then(|v| v.boolean()) == Some(true);
    Ok(Server {
        issuer: issuer.to_string(),
        authorization_endpoint,
        token_endpoint,
        registration_endpoint: url("registration_endpoint"),
        scopes: m.strings("scopes_supported"),
        auth_methods: m.strings("token_endpoint_auth_methods_supported"),
        iss_supported: flag("authorization_response_iss_parameter_supported"),
        cimd_supported: flag("client_id_metadata_document_supported"),
    })
}

/// A token endpoint's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSet {
    /// `access_token`.
    pub access: String,
    /// `refresh_token`, if any.
    pub refresh: Option<String>,
    /// `expires_in`, in seconds.
    pub expires_in: Option<f64>,
}

/// Read a token response: a Bearer `access_token` (the `token_type` compared
/// case-insensitively, RFC 6749 §5.1).
pub fn read_token_response<J: Json>(t: &J) -> Result<TokenSet, Fail> {
    let Some(access) = t.text("access_token").filter(|a| !a.is_empty()) else {
        return fail("token_failed", "the token response has no access_token");
    };
    let kind = t.text("token_type").unwrap_or_default();
    if !kind.eq_ignore_ascii_case("bearer") {
        return fail("token_failed", "the token response is not a Bearer token");
    }
    Ok(TokenSet {
        access,
        refresh: t.text("refresh_token"),
        expires_in: t.field("expires_in").and_then(|e| e.number()),
    })
}

/// Read the callback URL of an authorization: `state` must be the one sent, `iss` checked
/// ([`check_iss`]), and an `error` reported; the authorization code otherwise.
pub fn read_callback(
    url: &str,
    state: &str,
    issuer: &str,
    iss_supported: bool,
) -> Result<String, Fail> {
    let p = query_params(url);
    if param(&p, "state") != Some(state) {
        return fail(
            "state_mismatch",
            "the authorization response does not carry the state this client sent",
        );
    }
    check_iss(param(&p, "iss"), issuer, iss_supported).or_else(|m| fail("iss_mismatch", m))?;
    if let Some(e) = param(&p, "error") {
        let mut m = String::from("the authorization server refused: ");
        m.push_str(e);
        if let Some(d) = param(&p, "error_description") {
            m.push_str(" (");
            m.push_str(d);
            m.push(')');
        }
        return Err(("access_denied", m));
    }
    match param(&p, "code") {
        Some(c) if !c.is_empty() => Ok(c.to_string()),
        _ => fail(
            "authorization_failed",
            "the authorization response has no code",
        ),
    }
}

/// What a `WWW-Authenticate: Bearer ...` challenge says (RFC 6750, RFC 9728 §5.1).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `resource_metadata`: where the Protected Resource Metadata is.
    pub resource_metadata: Option<String>,
    /// `scope`: the scopes the request needs.
    pub scope: Option<String>,
    /// `error`: `invalid_token`, `insufficient_scope`, ...
    pub error: Option<String>,
}

/// Read the Bearer challenge of a `WWW-Authenticate` value (other schemes' parameters
/// are ignored; a value without a scheme is read as Bearer's parameters).
pub fn challenge(header: &str) -> Challenge {
    let mut out = Challenge::default();
    let mut rest = header.trim_ascii_start();
    let mut bearer = true;
    while !rest.is_empty() {
        // A token: a scheme (followed by a space) or a parameter name (followed by `=`).
        let end =
            pos(rest, |b| b == b'=' || b == b',' || b.is_ascii_whitespace()).unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        let after = after.trim_ascii_start();
        if let Some(v) = after.strip_prefix('=') {
            let (value, tail) = param_value(v.trim_ascii_start());
            if bearer {
                let slot = match name.to_ascii_lowercase().as_str() {
                    "resource_metadata" => Some(&mut out.resource_metadata),
                    "scope" => Some(&mut out.scope),
                    "error" => Some(&mut out.error),
                    _ => None,
                };
                if let Some(s) = slot.filter(|s| s.is_none()) {
                    *s = Some(value);
                }
            }
            rest = tail;
        } else {
            if !name.is_empty() {
                bearer = name.eq_ignore_ascii_case("bearer");
            }
            rest = after;
        }
        rest = &rest[pos(rest, |b| !matches!(b, b',' | b' ' | b'\t')).unwrap_or(rest.len())..];
    }
    out
}

/// One parameter value (a quoted string with `\` escapes, or a token) and what follows.
fn param_value(s: &str) -> (String, &str) {
    let Some(q) = s.strip_prefix('"') else {
        let end = pos(s, |b| matches!(b, b',' | b' ' | b'\t')).unwrap_or(s.len());
        return (s[..end].to_string(), &s[end..]);
    };
    let mut out = String::new();
    let mut esc = false;
    for (i, c) in q.char_indices() {
        match c {
            _ if esc => {
                out.push(c);
                esc = false;
            }
            '\\' => esc = true,
            '"' => return (out, &q[i + 1..]),
            _ => out.push(c),
        }
    }
    (out, "")
}

/// `scheme://authority` and the path (without query or fragment; `""` for `/`) of an
/// absolute http(s) URL, or `None`.
pub fn split_url(url: &str) -> Option<(&str, &str)> {
    // Found on bytes (every delimiter is ASCII), sliced once.
    let b = url.as_bytes();
    let find = |from: usize, f: fn(u8) -> bool| {
        b[from..]
            .iter()
            .position(|c| f(*c))
            .map_or(b.len(), |i| from + i)
    };
    let colon = find(0, |c| c == b':');
    let scheme = &b[..colon];
    if b.get(colon + 1..colon + 3) != Some(&b"//"[..])
        || !(scheme.eq_ignore_ascii_case(b"https") || scheme.eq_ignore_ascii_case(b"http"))
    {
        return None;
    }
    let auth_end = find(colon + 3, |c| matches!(c, b'/' | b'?' | b'#'));
    if auth_end == colon + 3 {
        return None;
    }
    let path_end = find(auth_end, |c| c == b'?' || c == b'#');
    Some((&url[..auth_end], trim_slashes(&url[auth_end..path_end])))
}

/// Where to look for the Protected Resource Metadata of `server_url`, in the spec's order:
/// the challenge's `resource_metadata`, then the path-based well-known URL, then the root
/// one.
pub fn resource_metadata_urls(server_url: &str, hint: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = hint.map(str::to_string).into_iter().collect();
    if let Some((origin, path)) = split_url(server_url) {
        let base = cat(&[origin, "/.well-known/oauth-protected-resource"]);
        if !path.is_empty() {
            out.push(cat(&[&base, path]));
        }
        out.push(base);
    }
    out
}

/// Where to look for an authorization server's metadata, in the spec's order: for an
/// issuer with a path, OAuth (path inserted), OpenID (path inserted), OpenID (path
/// appended); without one, OAuth then OpenID.
pub fn server_metadata_urls(issuer: &str) -> Vec<String> {
    let Some((origin, path)) = split_url(issuer) else {
        return Vec::new();
    };
    let mut out = vec![
        cat(&[origin, "/.well-known/oauth-authorization-server", path]),
        cat(&[origin, "/.well-known/openid-configuration", path]),
    ];
    if !path.is_empty() {
        out.push(cat(&[
            trim_slashes(issuer),
            "/.well-known/openid-configuration",
        ]));
    }
    out
}

/// Whether the Protected Resource Metadata's `resource` covers `server_url` (RFC 9728
/// §3.3, as MCP applies it): the same origin (scheme and host case-insensitive), and the
/// resource's path is the server's path or one of its parent paths.
pub fn resource_matches(resource: &str, server_url: &str) -> bool {
    let (Some((ro, rp)), Some((so, sp))) = (split_url(resource), split_url(server_url)) else {
        return false;
    };
    if pos(resource, |b| b == b'#').is_some() || !ro.eq_ignore_ascii_case(so) {
        return false;
    }
    sp == rp || (sp.starts_with(rp) && sp.as_bytes().get(rp.len()) == Some(&b'/'))
}

/// Whether a redirect URI may be used: HTTPS, or HTTP on a loopback host.
pub fn redirect_uri_ok(uri: &str) -> bool {
    let Some((origin, _)) = split_url(uri) else {
        return false;
    };
    if origin.len() > 8 && origin[..8].eq_ignore_ascii_case("https://") {
        return true;
    }
    is_loopback(uri)
}

/// Whether an http(s) URL's host is `localhost`, `127.0.0.1` or `[::1]`.
pub fn is_loopback(uri: &str) -> bool {
    let Some((origin, _)) = split_url(uri) else {
        return false;
    };
    // `origin` is `scheme://authority`: the host is after the last `@`, before the port
    // (bytes: every delimiter is ASCII).
    let b = origin.as_bytes();
    let at = |b: &[u8], c: u8| b.iter().position(|x| *x == c);
    let host = &b[at(b, b':').map_or(0, |i| i + 3)..];
    let host = &host[host.iter().rposition(|x| *x == b'@').map_or(0, |i| i + 1)..];
    let host = match host {
        [b'[', v6 @ ..] => &v6[..at(v6, b']').unwrap_or(0)],
        _ => &host[..at(host, b':').unwrap_or(host.len())],
    };
    host.eq_ignore_ascii_case(b"localhost") || host == b"127.0.0.1" || host == b"::1"
}

/// The scopes to ask for: the challenge's `scope`, else the resource's `scopes_supported`,
/// else none; joined with the scopes asked for before (step-up keeps them), and with
/// `offline_access` when the authorization server lists it (for a refresh token).
/// `None`: send no `scope` parameter.
pub fn select_scope(
    challenged: Option<&str>,
    resource_scopes: &[String],
    previous: Option<&str>,
    server_scopes: &[String],
) -> Option<String> {
    let mut out = String::new();
    let mut add = |s: &str| {
        if !s.is_empty() && !parts(&out, b' ').any(|o| o == s) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(s);
        }
    };
    parts(previous.unwrap_or(""), b' ').for_each(&mut add);
    match challenged {
        Some(c) => parts(c, b' ').for_each(&mut add),
        None => resource_scopes.iter().for_each(|s| add(s)),
    }
    if server_scopes.iter().any(|s| s == "offline_access") {
        add("offline_access");
    }
    (!out.is_empty()).then_some(out)
}

/// Check the authorization response's `iss` (RFC 9207) against the issuer the flow
/// started with, by exact comparison; it is required when the metadata says it is sent.
pub fn check_iss(iss: Option<&str>, issuer: &str, advertised: bool) -> Result<(), &'static str> {
    match iss {
        Some(i) if i == issuer => Ok(()),
        Some(_) => Err("the authorization response came from another issuer (iss mismatch)"),
        None if advertised => {
            Err("the authorization response has no iss, which its server says it sends")
        }
        None => Ok(()),
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client: `client_id` in the body only.
    None,
    /// `client_secret_basic`: HTTP Basic with the id and the secret.
    Basic,
    /// `client_secret_post`: both in the body.
    Post,
}

/// The token endpoint authentication: the one the registration gave, else (with a
/// secret) Basic unless the server lists only `client_secret_post`.
pub fn client_auth(registered: Option<&str>, has_secret: bool, supported: &[String]) -> ClientAuth {
    match registered {
        Some("none") => return ClientAuth::None,
        Some("client_secret_post") if has_secret => return ClientAuth::Post,
        Some("client_secret_basic") if has_secret => return ClientAuth::Basic,
        _ => {}
    }
    if !has_secret {
        ClientAuth::None
    } else if !supported.is_empty()
        && !supported.iter().any(|s| s == "client_secret_basic")
        && supported.iter().any(|s| s == "client_secret_post")
    {
        ClientAuth::Post
    } else {
        ClientAuth::Basic
    }
}

/// How long before its expiry a token is refreshed, in ms.
pub const REFRESH_MARGIN_MS: f64 = 60_000.0;

/// When a token with `expires_in` seconds, received at `now_ms`, expires (`None`: no
/// expiry given).
pub fn expires_at(now_ms: f64, expires_in: Option<f64>) -> Option<f64> {
    expires_in
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| now_ms + s * 1000.0)
}

/// Whether a token that expires at `expires_at_ms` should be refreshed before use.
pub fn due_for_refresh(expires_at_ms: Option<f64>, now_ms: f64) -> bool {
    expires_at_ms.is_some_and(|t| now_ms + REFRESH_MARGIN_MS >= t)
}

/// `application/x-www-form-urlencoded` (the token and authorization requests).
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, k);
        out.push('=');
        encode_into(&mut out, v);
    }
    out
}

fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// `base` with `pairs` added to its query (the authorization URL).
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let (base, frag) = base.split_at(at(base, b'#'));
    let sep = if at(base, b'?') == base.len() {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    cat(&[base, sep, &form(pairs), frag])
}

/// The query parameters of a URL (the callback), decoded (`+` as space).
pub fn query_params(url: &str) -> Vec<(String, String)> {
    let url = &url[..at(url, b'#')];
    let mut out = Vec::new();
    if let Some(query) = url.get(at(url, b'?') + 1..) {
        for p in parts(query, b'&').filter(|p| !p.is_empty()) {
            let (k, v) = p.split_at(at(p, b'='));
            out.push((decode(k), decode(v.strip_prefix('=').unwrap_or(v))));
        }
    }
    out
}

/// The first value of `key` in decoded query parameters.
pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (
                    b.get(i + 1).and_then(|c| hex(*c)),
                    b.get(i + 2).and_then(|c| hex(*c)),
                ) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    crate::text::lossy(&out)
}

/// Standard Base64 with padding (HTTP Basic credentials).
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= c.len() {
                A[(n >> shift & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// The `Authorization: Basic` value for a client (RFC 6749 §2.3.1: id and secret are
/// form-encoded first).
pub fn basic_credentials(client_id: &str, secret: &str) -> String {
    let mut raw = String::new();
    encode_into(&mut raw, client_id);
    raw.push(':');
    encode_into(&mut raw, secret);
    cat(&["Basic ", &base64(raw.as_bytes())])
}
