//! Authorization (OAuth 2.1 as MCP defines it), the pure part: reading `WWW-Authenticate`,
//! the discovery URLs (RFC 9728, RFC 8414, OpenID) in the spec's order, the checks the
//! spec makes MUSTs of (the resource, the issuer, PKCE S256, `iss`), scope selection, the
//! form and query encodings, and when a token is due for refresh. No I/O, no JS: the
//! driver (`transport::auth`) fetches, and these functions decide.

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
    let mut rest = header.trim_start();
    let mut bearer = true;
    while !rest.is_empty() {
        // A token: a scheme (followed by a space) or a parameter name (followed by `=`).
        let end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        let after = after.trim_start();
        if let Some(v) = after.strip_prefix('=') {
            let (value, tail) = param_value(v.trim_start());
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
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    out
}

/// One parameter value (a quoted string with `\` escapes, or a token) and what follows.
fn param_value(s: &str) -> (String, &str) {
    let Some(q) = s.strip_prefix('"') else {
        let end = s.find([',', ' ', '\t']).unwrap_or(s.len());
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
    let start = url.find("://")? + 3;
    let scheme = &url[..start - 3];
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let tail = &url[start..];
    let auth_end = tail.find(['/', '?', '#']).unwrap_or(tail.len());
    if auth_end == 0 {
        return None;
    }
    let origin = &url[..start + auth_end];
    let rest = &tail[auth_end..];
    let path = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    Some((origin, path.trim_end_matches('/')))
}

/// Where to look for the Protected Resource Metadata of `server_url`, in the spec's order:
/// the challenge's `resource_metadata`, then the path-based well-known URL, then the root
/// one.
pub fn resource_metadata_urls(server_url: &str, hint: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = hint.map(str::to_string).into_iter().collect();
    if let Some((origin, path)) = split_url(server_url) {
        let base = [origin, "/.well-known/oauth-protected-resource"].concat();
        if !path.is_empty() {
            out.push([&base, path].concat());
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
    let oauth = [origin, "/.well-known/oauth-authorization-server", path].concat();
    let oidc = [origin, "/.well-known/openid-configuration", path].concat();
    if path.is_empty() {
        vec![oauth, oidc]
    } else {
        let appended = [
            issuer.trim_end_matches('/'),
            "/.well-known/openid-configuration",
        ]
        .concat();
        vec![oauth, oidc, appended]
    }
}

/// Whether the Protected Resource Metadata's `resource` covers `server_url` (RFC 9728
/// §3.3, as MCP applies it): the same origin (scheme and host case-insensitive), and the
/// resource's path is the server's path or one of its parent paths.
pub fn resource_matches(resource: &str, server_url: &str) -> bool {
    let (Some((ro, rp)), Some((so, sp))) = (split_url(resource), split_url(server_url)) else {
        return false;
    };
    if resource.contains('#') || !ro.eq_ignore_ascii_case(so) {
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
    let host = &origin[origin.find("://").map_or(0, |i| i + 3)..];
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "::1"
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
    let base = match challenged {
        Some(s) => s.to_string(),
        None => resource_scopes.join(" "),
    };
    let mut out: Vec<&str> = Vec::new();
    let offline = server_scopes.iter().any(|s| s == "offline_access");
    for s in previous
        .unwrap_or("")
        .split(' ')
        .chain(base.split(' '))
        .chain(offline.then_some("offline_access"))
    {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    (!out.is_empty()).then(|| out.join(" "))
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
    let (base, frag) = base.split_at(base.find('#').unwrap_or(base.len()));
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with(['?', '&']) {
        ""
    } else {
        "&"
    };
    [base, sep, &form(pairs), frag].concat()
}

/// The query parameters of a URL (the callback), decoded (`+` as space).
pub fn query_params(url: &str) -> Vec<(String, String)> {
    let url = &url[..url.find('#').unwrap_or(url.len())];
    let Some(q) = url.find('?').map(|i| &url[i + 1..]) else {
        return Vec::new();
    };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_at(p.find('=').unwrap_or(p.len()));
            (decode(k), decode(v.strip_prefix('=').unwrap_or(v)))
        })
        .collect()
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
    String::from_utf8_lossy(&out).into_owned()
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
    ["Basic ", &base64(raw.as_bytes())].concat()
}
