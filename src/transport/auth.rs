//! Authorization, the driver: what happens when the server answers 401 (or 403
//! `insufficient_scope`). It fetches the Protected Resource Metadata and the
//! authorization server's metadata, identifies the client (pre-registered, a Client ID
//! Metadata Document, or Dynamic Client Registration), runs the authorization code flow
//! with PKCE through the app's `authorize(url)` function, exchanges the code, and refreshes
//! tokens. Every decision is in [`crate::auth`] (pure, natively tested); this file only
//! fetches, stores and calls.
//!
//! The session's touch points are few: [`Auth::header`] on every request to the resource
//! (and nowhere else), [`Auth::challenged`] when a response is 401/403,
//! [`Auth::ready`] before a request and [`Auth::on_denied`] after a refusal.
//!
//! Secrets (tokens, the code, the PKCE verifier) travel only in the token request's body
//! and the `Authorization` header; no error, log or URL made here holds one.

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::auth::{self, ClientAuth, Fail, Resource, Server, TokenSet};
use crate::error::Error;
use crate::io::json::{self, get_f64, get_str, is_object, object};
use crate::io::{self, Abort, Http};
use crate::sync::SingleFlight;

/// The `auth` option of `connect()`, read.
pub struct AuthOptions {
    /// `(authorizationUrl) => Promise<callbackUrl>`: the page step.
    pub authorize: Function,
    /// Where the authorization server sends the person back (HTTPS or loopback).
    pub redirect_uri: String,
    /// A pre-registered client id.
    pub client_id: Option<String>,
    /// Its secret (confidential clients: Node, not a page).
    pub client_secret: Option<String>,
    /// The authorization server the pre-registered client belongs to (if set, the id is
    /// used with that issuer only).
    pub client_issuer: Option<String>,
    /// A Client ID Metadata Document URL (HTTPS), used where the server supports them.
    pub client_metadata_url: Option<String>,
    /// `client_name` in a Dynamic Client Registration.
    pub client_name: String,
    /// `application_type` in a registration (default: `native` for a loopback redirect
    /// URI, else `web`).
    pub application_type: Option<String>,
    /// `{ get(key), set(key, value), remove(key) }`, each may return a Promise (the JS
    /// layer gives a `Map`-backed one by default).
    pub storage: JsValue,
}

#[derive(Clone)]
struct Tokens {
    access: String,
    refresh: Option<String>,
    expires_at: Option<f64>,
    issuer: String,
}

#[derive(Clone)]
struct ClientCreds {
    id: String,
    secret: Option<String>,
    method: Option<String>,
}

#[derive(Default)]
struct State {
    tokens: Option<Tokens>,
    loaded: bool,
    /// Bumped with every new token: a refusal of an older one just retries.
    generation: u32,
    /// The latest 401/403's `WWW-Authenticate`.
    challenge: Option<String>,
    /// The scopes asked for last (step-up asks for them again, with the new ones).
    scope: Option<(String, String)>,
    resource: Option<Resource>,
    server: Option<Server>,
}

/// The authorization state of one client (one protected resource).
pub struct Auth {
    opts: AuthOptions,
    /// The MCP endpoint: the protected resource.
    url: String,
    st: RefCell<State>,
    flight: SingleFlight<Result<(), Error>>,
}

fn fail(f: Fail) -> Error {
    Error::Auth {
        reason: f.0,
        message: f.1,
    }
}

fn auth_error(reason: &'static str, parts: &[&str]) -> Error {
    Error::Auth {
        reason,
        message: crate::text::cat(parts),
    }
}

/// How long one OAuth request may take.
const OAUTH_TIMEOUT_MS: f64 = 30_000.0;
/// How long a sign-in left for a full-page redirect may be resumed.
const PENDING_MS: f64 = 600_000.0;

fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from)
}

impl Auth {
    /// Authorization for the resource at `url`.
    pub fn new(opts: AuthOptions, url: String) -> Auth {
        Auth {
            opts,
            url,
            st: RefCell::default(),
            flight: SingleFlight::default(),
        }
    }

    fn st(&self) -> std::cell::RefMut<'_, State> {
        crate::cell::write(&self.st)
    }

    /// The `Authorization` value for a request to the resource, once signed in.
    pub fn header(&self) -> Option<String> {
        let st = self.st();
        st.tokens
            .as_ref()
            .map(|t| crate::text::cat(&["Bearer ", &t.access]))
    }

    /// Which token requests are sent with now (see [`Auth::on_denied`]).
    pub fn generation(&self) -> u32 {
        self.st().generation
    }

    /// Note a 401/403's `WWW-Authenticate`.
    pub fn challenged(&self, header: Option<String>) {
        self.st().challenge = header;
    }

    /// The values to redact from anything quoted from a server.
    pub fn secrets(&self) -> Vec<String> {
        let st = self.st();
        let mut out = Vec::new();
        if let Some(t) = &st.tokens {
            out.push(t.access.clone());
            out.extend(t.refresh.clone());
        }
        out
    }

    /// Before a request: the stored tokens (read once), refreshed when they are about to
    /// expire. A failed refresh only drops them: the server's 401 then signs in again.
    pub async fn ready(&self, http: &Http) {
        let first = !std::mem::replace(&mut self.st().loaded, true);
        if first {
            let v = self.load(&self.tokens_key()).await;
            if let Some(access) = get_str(&v, "accessToken") {
                let mut st = self.st();
                st.generation += 1;
                st.tokens = Some(Tokens {
                    access,
                    refresh: get_str(&v, "refreshToken"),
                    expires_at: get_f64(&v, "expiresAt"),
                    issuer: get_str(&v, "issuer").unwrap_or_default(),
                });
            }
        }
        let due = {
            let st = self.st();
            st.server.is_some()
                && st.tokens.as_ref().is_some_and(|t| {
                    t.refresh.is_some() && auth::due_for_refresh(t.expires_at, io::now_ms())
                })
        };
        if due {
            let _ = self.shared(http, None).await;
        }
    }

    /// After a 401 or 403 to a request sent with token `generation`: sign in (or refresh,
    /// when `may_refresh`), unless another request already did. `Ok(true)`: send the
    /// request again; `Ok(false)`: a refusal authorization cannot fix (a 403 that is not
    /// `insufficient_scope`).
    pub async fn on_denied(
        &self,
        http: &Http,
        status: u16,
        generation: u32,
        may_refresh: bool,
    ) -> Result<bool, Error> {
        let header = self.st().challenge.take().unwrap_or_default();
        if self.generation() != generation {
            return Ok(true);
        }
        let ch = auth::challenge(&header);
        let step_up = status == 403;
        if step_up && ch.error.as_deref() != Some("insufficient_scope") {
            return Ok(false);
        }
        self.shared(http, Some((ch, step_up, may_refresh))).await?;
        Ok(true)
    }

    /// The one sign-in or refresh under way, shared by every request that needs it: a
    /// refresh (`None`) or a sign-in after a challenge.
    async fn shared(
        &self,
        http: &Http,
        job: Option<(auth::Challenge, bool, bool)>,
    ) -> Result<(), Error> {
        self.flight
            .run(|| async {
                match job {
                    None => self.refresh(http).await,
                    Some((ch, step_up, may_refresh)) => {
                        self.sign_in(http, ch, step_up, may_refresh).await
                    }
                }
            })
            .await
    }

    /// Forget the tokens (here and in the storage).
    pub fn sign_out(&self) {
        {
            let mut st = self.st();
            st.tokens = None;
            st.generation += 1;
        }
        self.save("remove", &self.tokens_key(), &JsValue::UNDEFINED);
    }

    async fn sign_in(
        &self,
        http: &Http,
        ch: auth::Challenge,
        step_up: bool,
        may_refresh: bool,
    ) -> Result<(), Error> {
        let resource = self
            .discover_resource(http, ch.resource_metadata.as_deref())
            .await?;
        let server = self.discover_server(http, &resource.issuer).await?;
        let refreshable = {
            let mut st = self.st();
            // A server that moved to another authorization server: nothing of the old one
            // (tokens, the scopes asked there) is used with the new one.
            if st
                .tokens
                .as_ref()
                .is_some_and(|t| t.issuer != server.issuer)
            {
                st.tokens = None;
            }
            if st.scope.as_ref().is_some_and(|(i, _)| *i != server.issuer) {
                st.scope = None;
            }
            st.resource = Some(resource.clone());
            st.server = Some(server.clone());
            st.tokens.as_ref().is_some_and(|t| t.refresh.is_some())
        };
        if !step_up && may_refresh && refreshable && self.refresh(http).await.is_ok() {
            return Ok(());
        }
        self.authorize(http, &resource, &server, ch.scope.as_deref())
            .await
    }

    async fn discover_resource(&self, http: &Http, hint: Option<&str>) -> Result<Resource, Error> {
        let urls = auth::resource_metadata_urls(&self.url, hint);
        let doc = first_document(
            http,
            urls,
            "the server's protected resource metadata (RFC 9728)",
        )
        .await?;
        auth::read_resource_metadata(&doc, &self.url).map_err(fail)
    }

    async fn discover_server(&self, http: &Http, issuer: &str) -> Result<Server, Error> {
        let urls = auth::server_metadata_urls(issuer);
        let doc = first_document(http, urls, issuer).await?;
        auth::read_server_metadata(&doc, issuer).map_err(fail)
    }

    /// The client's credentials at `server`: a registration kept for its issuer, else
    /// pre-registered, else a Client ID Metadata Document, else Dynamic Client
    /// Registration (whose answer is kept, as the server sent it, per issuer).
    async fn client(&self, http: &Http, server: &Server) -> Result<ClientCreds, Error> {
        let issuer = &server.issuer;
        let o = &self.opts;
        let key = crate::text::cat(&["client:", issuer]);
        let mut doc = self.load(&key).await;
        if get_str(&doc, "client_id").is_none() {
            if let Some(id) = o
                .client_id
                .clone()
                .filter(|_| o.client_issuer.as_ref().is_none_or(|i| i == issuer))
            {
                return Ok(ClientCreds {
                    id,
                    secret: o.client_secret.clone(),
                    method: None,
                });
            }
            if let Some(id) = o
                .client_metadata_url
                .clone()
                .filter(|_| server.cimd_supported)
            {
                return Ok(ClientCreds {
                    id,
                    secret: None,
                    method: Some("none".into()),
                });
            }
            let Some(endpoint) = &server.registration_endpoint else {
                return Err(auth_error(
                    "no_client",
                    &["the authorization server ", issuer, " offers no registration: pass auth.clientId (pre-registered) or auth.clientMetadataUrl"],
                ));
            };
            doc = self.register(http, endpoint).await?;
            self.save("set", &key, &doc);
        }
        Ok(ClientCreds {
            id: get_str(&doc, "client_id").unwrap_or_default(),
            secret: get_str(&doc, "client_secret"),
            method: get_str(&doc, "token_endpoint_auth_method"),
        })
    }

    /// Dynamic Client Registration (RFC 7591): a public client with a refresh grant. The
    /// server's answer, which has a `client_id`.
    async fn register(&self, http: &Http, endpoint: &str) -> Result<JsValue, Error> {
        let o = &self.opts;
        let kind = o.application_type.clone().unwrap_or_else(|| {
            if auth::is_loopback(&o.redirect_uri) {
                "native"
            } else {
                "web"
            }
            .into()
        });
        let list = |items: &[&str]| -> JsValue {
            items
                .iter()
                .map(|s| JsValue::from(*s))
                .collect::<js_sys::Array>()
                .into()
        };
        let body = object(&[
            ("client_name", o.client_name.as_str().into()),
            ("redirect_uris", list(&[&o.redirect_uri])),
            (
                "grant_types",
                list(&["authorization_code", "refresh_token"]),
            ),
            ("response_types", list(&["code"])),
            ("token_endpoint_auth_method", "none".into()),
            ("application_type", kind.into()),
        ]);
        let body = json::stringify(&body.into()).unwrap_or_default();
        let (ok, doc) = post(http, endpoint, "application/json", &body, None).await?;
        if ok && get_str(&doc, "client_id").is_some() {
            Ok(doc)
        } else {
            Err(refused("registration_failed", "client registration", &doc))
        }
    }

    /// The authorization code flow: the page step through `authorize`, then the code
    /// for tokens.
    async fn authorize(
        &self,
        http: &Http,
        resource: &Resource,
        server: &Server,
        challenged: Option<&str>,
    ) -> Result<(), Error> {
        let redirect = self.opts.redirect_uri.as_str();
        if !auth::redirect_uri_ok(redirect) {
            return Err(auth_error(
                "invalid_redirect_uri",
                &["auth.redirectUri must be an HTTPS URL or a loopback (localhost) one"],
            ));
        }
        let client = self.client(http, server).await?;
        let previous = self.st().scope.clone().map(|(_, s)| s);
        let scope = auth::select_scope(
            challenged,
            &resource.scopes,
            previous.as_deref(),
            &server.scopes,
        );
        // A sign-in left for a full-page redirect is resumed (same URL, same verifier).
        let pending_key = crate::text::cat(&["pending:", &self.url]);
        let pending = self.load(&pending_key).await;
        let resumable = get_str(&pending, "issuer").as_deref() == Some(&server.issuer)
            && get_f64(&pending, "at").is_some_and(|t| io::now_ms() - t < PENDING_MS);
        let (url, verifier, state) = match (
            get_str(&pending, "url"),
            get_str(&pending, "verifier"),
            get_str(&pending, "state"),
        ) {
            (Some(u), Some(v), Some(s)) if resumable => (u, v, s),
            _ => {
                let (verifier, challenge, state) =
                    io::crypto::pkce_and_state().await.map_err(|e| {
                        auth_error(
                            "authorization_failed",
                            &["WebCrypto is unavailable: ", &json::error_message(&e)],
                        )
                    })?;
                let mut q = vec![
                    ("response_type", "code"),
                    ("client_id", client.id.as_str()),
                    ("redirect_uri", redirect),
                    ("code_challenge", challenge.as_str()),
                    ("code_challenge_method", "S256"),
                    ("state", state.as_str()),
                    ("resource", resource.resource.as_str()),
                ];
                if let Some(s) = &scope {
                    q.push(("scope", s));
                }
                let url = auth::with_query(&server.authorization_endpoint, &q);
                let record = object(&[
                    ("url", url.as_str().into()),
                    ("verifier", verifier.as_str().into()),
                    ("state", state.as_str().into()),
                    ("issuer", server.issuer.as_str().into()),
                    ("at", io::now_ms().into()),
                ]);
                self.save("set", &pending_key, &record.into());
                (url, verifier, state)
            }
        };
        self.st().scope = scope.clone().map(|s| (server.issuer.clone(), s));
        let callback = io::call_async(
            &self.opts.authorize,
            &url.as_str().into(),
            &JsValue::UNDEFINED,
        )
        .await;
        self.save("remove", &pending_key, &JsValue::UNDEFINED);
        let callback = callback.map_err(|e| {
            let reason = match get_str(&e, "reason").as_deref() {
                Some("popup_blocked") => "popup_blocked",
                _ => "authorization_failed",
            };
            auth_error(
                reason,
                &["signing in did not finish: ", &json::error_message(&e)],
            )
        })?;
        let callback = callback
            .as_string()
            .or_else(|| get_str(&callback, "href"))
            .unwrap_or_default();
        let code = auth::read_callback(&callback, &state, &server.issuer, server.iss_supported)
            .map_err(fail)?;
        let set = self
            .token_request(
                http,
                server,
                &client,
                vec![
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", &verifier),
                    ("resource", &resource.resource),
                ],
                "token_failed",
            )
            .await?;
        self.keep(set, &server.issuer, None);
        Ok(())
    }

    /// Refresh the access token (the refresh token is rotated when the server rotates
    /// it). A failure drops the tokens and says what to do.
    async fn refresh(&self, http: &Http) -> Result<(), Error> {
        let (tokens, resource, server) = {
            let st = self.st();
            (st.tokens.clone(), st.resource.clone(), st.server.clone())
        };
        let (Some(t), Some(resource), Some(server)) = (tokens, resource, server) else {
            return Err(auth_error(
                "refresh_failed",
                &["nothing to refresh: sign in again"],
            ));
        };
        let Some(refresh) = t.refresh.clone() else {
            return Err(auth_error(
                "refresh_failed",
                &["no refresh token: sign in again"],
            ));
        };
        let out = async {
            let client = self.client(http, &server).await?;
            self.token_request(
                http,
                &server,
                &client,
                vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh),
                    ("resource", &resource.resource),
                ],
                "refresh_failed",
            )
            .await
        }
        .await;
        match out {
            Ok(set) => {
                self.keep(set, &server.issuer, Some(refresh));
                Ok(())
            }
            Err(e) => {
                self.sign_out();
                Err(e)
            }
        }
    }

    async fn token_request(
        &self,
        http: &Http,
        server: &Server,
        client: &ClientCreds,
        mut pairs: Vec<(&str, &str)>,
        reason: &'static str,
    ) -> Result<TokenSet, Error> {
        let basic;
        let mut header = None;
        match auth::client_auth(
            client.method.as_deref(),
            client.secret.is_some(),
            &server.auth_methods,
        ) {
            ClientAuth::Basic => {
                basic = auth::basic_credentials(&client.id, client.secret.as_deref().unwrap_or(""));
                header = Some(basic.as_str());
            }
            ClientAuth::Post => {
                pairs.push(("client_id", &client.id));
                pairs.push(("client_secret", client.secret.as_deref().unwrap_or("")));
            }
            ClientAuth::None => pairs.push(("client_id", &client.id)),
        }
        let body = auth::form(&pairs);
        let (ok, doc) = post(
            http,
            &server.token_endpoint,
            "application/x-www-form-urlencoded",
            &body,
            header,
        )
        .await?;
        if !ok {
            return Err(refused(reason, "the token request", &doc));
        }
        auth::read_token_response(&doc).map_err(fail)
    }

    fn keep(&self, set: TokenSet, issuer: &str, old_refresh: Option<String>) {
        let tokens = Tokens {
            access: set.access,
            refresh: set.refresh.or(old_refresh),
            expires_at: auth::expires_at(io::now_ms(), set.expires_in),
            issuer: issuer.to_string(),
        };
        let record = object(&[
            ("accessToken", tokens.access.as_str().into()),
            ("refreshToken", opt(tokens.refresh.as_deref())),
            (
                "expiresAt",
                tokens.expires_at.map_or(JsValue::UNDEFINED, JsValue::from),
            ),
            ("issuer", issuer.into()),
        ]);
        {
            let mut st = self.st();
            st.tokens = Some(tokens);
            st.generation += 1;
        }
        self.save("set", &self.tokens_key(), &record.into());
    }

    fn tokens_key(&self) -> String {
        crate::text::cat(&["tokens:", &self.url])
    }

    /// Read `key` from the storage (`undefined` when absent, or when the storage failed:
    /// that is reported).
    async fn load(&self, key: &str) -> JsValue {
        JsFuture::from(io::crypto::store(
            &self.opts.storage,
            "get",
            key,
            &JsValue::UNDEFINED,
        ))
        .await
        .unwrap_or_default()
    }

    /// Write (`set`) or delete (`remove`) `key`, without waiting: the storage sees its
    /// calls in order, so a later `load` reads what was written.
    fn save(&self, method: &str, key: &str, value: &JsValue) {
        let _ = io::crypto::store(&self.opts.storage, method, key, value);
    }
}

/// An error for an OAuth endpoint's refusal: its `error` and `error_description` (never
/// the request, which holds secrets).
fn refused(reason: &'static str, what: &str, doc: &JsValue) -> Error {
    let mut m = crate::text::cat(&[what, " was refused"]);
    if let Some(e) = get_str(doc, "error") {
        m.push_str(": ");
        m.push_str(&crate::error::quote_body(&e, 100));
        if let Some(d) = get_str(doc, "error_description") {
            m.push_str(" (");
            m.push_str(&crate::error::quote_body(&d, 200));
            m.push(')');
        }
    }
    m.push_str(if reason == "refresh_failed" {
        "; the sign-in has expired: sign in again"
    } else {
        "; check the client's registration with the authorization server"
    });
    Error::Auth { reason, message: m }
}

/// The network failure of an OAuth request, naming the endpoint (in a browser, most often
/// CORS: the endpoint does not allow this page's origin).
fn unreachable(url: &str, e: &JsValue) -> Error {
    auth_error(
        "unreachable",
        &[
            "could not reach ",
            url,
            " (a network error, or the endpoint does not allow this origin by CORS): ",
            &crate::error::quote_body(&json::error_message(e), 200),
        ],
    )
}

async fn send(
    http: &Http,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> Result<(u16, JsValue), Error> {
    let abort = Abort::new(Some(OAUTH_TIMEOUT_MS));
    let mut resp = http
        .send(method, url, headers, body, Some(&abort.signal()))
        .await
        .map_err(|f| match f {
            io::FetchFailure::Network(e) => unreachable(url, &e),
            io::FetchFailure::Aborted => unreachable(url, &"timed out".into()),
            io::FetchFailure::Redirect(_) => {
                unreachable(url, &"it answered with a redirect".into())
            }
        })?;
    let status = resp.status();
    let doc = match resp.bytes(256 * 1024).await {
        Ok(b) => json::parse(&String::from_utf8_lossy(&b)).unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    };
    Ok((status, doc))
}

/// The first metadata document found at `urls`, in order (a non-2xx answer, or one that
/// is not a JSON object, means: none there); else the last network failure, or
/// `metadata_not_found` naming `what`.
async fn first_document(http: &Http, urls: Vec<String>, what: &str) -> Result<JsValue, Error> {
    let headers = [("Accept".into(), "application/json".into())];
    let mut last = None;
    for url in urls {
        match send(http, "GET", &url, &headers, None).await {
            Ok((status, doc)) if (200..300).contains(&status) && is_object(&doc) => return Ok(doc),
            Ok(_) => {}
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| auth_error("metadata_not_found", &["no metadata found for ", what])))
}

/// POST to an OAuth endpoint: whether it succeeded, and its JSON answer.
async fn post(
    http: &Http,
    url: &str,
    content_type: &str,
    body: &str,
    authorization: Option<&str>,
) -> Result<(bool, JsValue), Error> {
    let mut headers = vec![
        ("Content-Type".to_string(), content_type.to_string()),
        ("Accept".into(), "application/json".into()),
    ];
    if let Some(a) = authorization {
        headers.push(("Authorization".into(), a.into()));
    }
    let (status, doc) = send(http, "POST", url, &headers, Some(body)).await?;
    Ok(((200..300).contains(&status), doc))
}

impl super::Session {
    /// Forget the tokens (with the `auth` option; else nothing to do).
    pub fn sign_out(&self) {
        if let Some(a) = &self.auth {
            a.sign_out();
        }
    }

    /// Before a request (and before it takes a slot and reads the session id): the
    /// stored token read, or refreshed when due.
    pub(super) async fn auth_ready(&self) {
        if let Some(a) = &self.auth {
            a.ready(&self.http).await;
        }
    }

    /// [`super::Session::request_once`] with authorization: after a 401 (or a 403 `insufficient_scope`) a sign-in (a refresh
    /// first, a step-up with the union of scopes) and the request sent again, twice at
    /// most (a server that keeps refusing ends with its refusal).
    pub(super) async fn authorized(
        self: &std::rc::Rc<Self>,
        method: &str,
        params: &JsValue,
        ctl: super::Ctl<'_>,
    ) -> Result<JsValue, Error> {
        let Some(a) = &self.auth else {
            return self.request_once(method, params, ctl).await;
        };
        let mut tries = 0;
        loop {
            let token = a.generation();
            let out = self.request_once(method, params, ctl).await;
            match &out {
                Err(Error::Transport { status, .. })
                    if matches!(status, 401 | 403) && tries < 2 =>
                {
                    tries += 1;
                    if !a.on_denied(&self.http, *status, token, tries == 1).await? {
                        return out;
                    }
                }
                _ => return out,
            }
        }
    }
}
