//! Authorization, the driver: what happens when the server answers 401 (or 403
//! `insufficient_scope`). It fetches the Protected Resource Metadata and the
//! authorization server's metadata, identifies the client (pre-registered, a Client ID
//! Metadata Document, or Dynamic Client Registration), runs the authorization code flow
//! with PKCE through the app's `authorize(url)` function, exchanges the code, and refreshes
//! tokens. Every decision is in [`crate::auth`] (pure, natively tested); this file only
//! fetches, stores and calls.
//!
//! A sign-in or refresh is a `Flow`: a synchronous state machine (`Auth::step`) that
//! says what to do next (`Io`: an HTTP request, a storage read, PKCE, the page step)
//! and takes the answer, run by one small async loop (`Auth::run`, `exec`). No value
//! is held across an `await` but the flow itself.
//!
//! The session's touch points are few: [`Auth::header`] on every request to the resource
//! (and nowhere else), [`Auth::challenged`] when a response is 401/403,
//! [`Auth::ready`] before a request and `Auth::on_denied` after a refusal.
//!
//! Secrets (tokens, the code, the PKCE verifier) travel only in the token request's body
//! and the `Authorization` header; no error, log or URL made here holds one.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::auth::{self, ClientAuth, Fail, Resource, Server, TokenSet};
use crate::error::Error;
use crate::io::json::{self, get_f64, get_str, is_object, object};
use crate::io::{self, Abort, HeaderList, Http};
use crate::sync::SingleFlight;

use super::Run;

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

#[derive(Default)]
struct ClientCreds {
    id: String,
    secret: Option<String>,
    method: Option<String>,
}

#[derive(Default)]
struct State {
    /// The tokens, as the record kept in the storage: `{ accessToken, refreshToken?,
    /// expiresAt?, issuer }` (one shape for both, read where needed).
    tokens: Option<JsValue>,
    loaded: bool,
    /// Bumped with every new token: a refusal of an older one just retries.
    generation: u32,
    /// The latest 401/403's `WWW-Authenticate`.
    challenge: Option<String>,
    /// The scopes asked for last (step-up asks for them again, with the new ones).
    scope: Option<(String, String)>,
    resource: Option<Rc<Resource>>,
    server: Option<Rc<Server>>,
}

/// A sign-in after a challenge: the challenge, whether it is a step-up, whether a refresh
/// may be tried first.
type Job = (auth::Challenge, bool, bool);

/// The authorization state of one client (one protected resource).
pub struct Auth {
    opts: AuthOptions,
    /// The MCP endpoint: the protected resource.
    url: String,
    st: RefCell<State>,
    flight: SingleFlight<Result<JsValue, Error>>,
}

fn auth_error(reason: &'static str, parts: &[&str]) -> Fail {
    (reason, crate::text::cat(parts))
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
        let access = get_str(st.tokens.as_ref()?, "accessToken")?;
        Some(crate::text::cat(&["Bearer ", &access]))
    }

    /// Which token requests are sent with now (see `Auth::on_denied`).
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
            out.extend(get_str(t, "accessToken"));
            out.extend(get_str(t, "refreshToken"));
        }
        out
    }

    /// Before a request: the stored tokens (read once, by the first flow), refreshed when
    /// they are about to expire; `None` when there is nothing to do. A failed refresh
    /// only drops them: the server's 401 then signs in again.
    pub fn ready<'a>(&'a self, http: &'a Http) -> Option<Run<'a>> {
        let st = self.st();
        let go = !st.loaded
            || st.server.is_some()
                && st.tokens.as_ref().is_some_and(|t| {
                    get_str(t, "refreshToken").is_some()
                        && auth::due_for_refresh(get_f64(t, "expiresAt"), io::now_ms())
                });
        drop(st);
        go.then(|| self.shared(http, None))
    }

    /// After a 401 or 403 to a request sent with token `generation`: what to do before
    /// sending it again. `None`: do not, it is a refusal authorization cannot fix (a 403
    /// that is not `insufficient_scope`); `Some(None)`: nothing, another request already
    /// got a new token; `Some(Some(job))`: sign in (or refresh first, when
    /// `may_refresh`) through [`Auth::shared`].
    pub(super) fn on_denied(
        &self,
        status: u16,
        generation: u32,
        may_refresh: bool,
    ) -> Option<Option<Job>> {
        let header = self.st().challenge.take().unwrap_or_default();
        if self.generation() != generation {
            return Some(None);
        }
        let ch = auth::challenge(&header);
        let step_up = status == 403;
        if step_up && ch.error.as_deref() != Some("insufficient_scope") {
            return None;
        }
        Some(Some((ch, step_up, may_refresh)))
    }

    /// The one sign-in or refresh under way, shared by every request that needs it: a
    /// refresh (`None`) or a sign-in after a challenge (with whether it is a step-up, and
    /// whether a refresh may be tried first).
    ///
    /// Boxed: its callers (before a request, after a refusal) keep a pointer across their
    /// `await`, not the flow (measured: 116 bytes gzip less).
    pub(super) fn shared<'a>(&'a self, http: &'a Http, job: Option<Job>) -> Run<'a> {
        Box::pin(self.flight.run(|| self.run(http, job)))
    }

    /// Drive a flow: [`Auth::step`] decides, and this loop does what it asks and hands
    /// it the answer, until it is done.
    async fn run(&self, http: &Http, job: Option<Job>) -> Result<JsValue, Error> {
        let mut f = Flow::default();
        if let Some((ch, step_up, may_refresh)) = job {
            f.at = At::SignIn;
            f.ch = ch;
            f.step_up = step_up;
            f.may_refresh = may_refresh;
        }
        let mut reply = Ok((true, JsValue::UNDEFINED));
        loop {
            reply = match self.step(&mut f, reply) {
                Ok(Io::Done) => return Ok(JsValue::UNDEFINED),
                Ok(io) => exec(http, &self.opts, io).await,
                Err((reason, message)) => return Err(Error::Auth { reason, message }),
            };
        }
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

    /// The next step of flow `f`, given the answer to the last one. A failed refresh
    /// drops the tokens; in a sign-in (which tries a refresh first), it goes on to the
    /// authorization.
    fn step(&self, f: &mut Flow, reply: Reply) -> Result<Io, Fail> {
        match self.advance(f, reply) {
            Err(e) if f.refresh.take().is_some() => {
                self.sign_out();
                if f.fallback {
                    self.start_authorize(f)
                } else {
                    Err(e)
                }
            }
            next => next,
        }
    }

    fn advance(&self, f: &mut Flow, reply: Reply) -> Result<Io, Fail> {
        match f.at {
            At::Refresh => {
                if std::mem::replace(&mut self.st().loaded, true) {
                    return self.start_refresh(f);
                }
                f.at = At::Stored;
                return Ok(Io::Load(self.tokens_key()));
            }
            At::Stored => {
                let (_, v) = reply?;
                if get_str(&v, "accessToken").is_some() {
                    let mut st = self.st();
                    st.generation += 1;
                    st.tokens = Some(v);
                }
                return Ok(Io::Done);
            }
            // Discovery: the Protected Resource Metadata, then the authorization
            // server's, each the first document found at its URLs (a non-2xx answer, or
            // one that is not a JSON object, means: none there).
            At::SignIn => {
                f.urls = auth::resource_metadata_urls(&self.url, f.ch.resource_metadata.as_deref())
                    .into_iter();
                f.at = At::Resource;
            }
            At::Resource | At::Server => match reply {
                Ok((true, doc)) if is_object(&doc) => return self.discovered(f, &doc),
                Ok(_) => {}
                Err(e) => f.last = Some(e),
            },
            At::Client | At::Register => {
                let (ok, doc) = reply?;
                let found = get_str(&doc, "client_id").is_some();
                if f.at == At::Register {
                    if !(ok && found) {
                        return Err(refused("registration_failed", "client registration", &doc));
                    }
                    self.save("set", &client_key(&f.server), &doc);
                } else if !found {
                    return self.new_client(f);
                }
                f.client = ClientCreds {
                    id: get_str(&doc, "client_id").unwrap_or_default(),
                    secret: get_str(&doc, "client_secret"),
                    method: get_str(&doc, "token_endpoint_auth_method"),
                };
                return self.with_client(f);
            }
            At::Pending => {
                // A sign-in left for a full-page redirect is resumed (same URL, same
                // verifier).
                let (_, pending) = reply?;
                let resumable = get_str(&pending, "issuer").as_deref() == Some(&f.server.issuer)
                    && get_f64(&pending, "at").is_some_and(|t| io::now_ms() - t < PENDING_MS)
                    && ["url", "verifier", "state"]
                        .iter()
                        .all(|k| get_str(&pending, k).is_some());
                if resumable {
                    f.record = pending;
                    return Ok(self.authorize(f));
                }
                f.at = At::Pkce;
                return Ok(Io::Pkce);
            }
            At::Pkce => {
                let (ok, v) = reply?;
                if !ok {
                    return Err(auth_error(
                        "authorization_failed",
                        &["WebCrypto is unavailable: ", &json::error_message(&v)],
                    ));
                }
                let a = js_sys::Array::from(&v);
                let s = |i| a.get(i).as_string().unwrap_or_default();
                let (verifier, challenge, state) = (s(0), s(1), s(2));
                let mut q = vec![
                    ("response_type", "code"),
                    ("client_id", f.client.id.as_str()),
                    ("redirect_uri", self.opts.redirect_uri.as_str()),
                    ("code_challenge", challenge.as_str()),
                    ("code_challenge_method", "S256"),
                    ("state", state.as_str()),
                    ("resource", f.resource.resource.as_str()),
                ];
                if let Some(s) = &f.scope {
                    q.push(("scope", s));
                }
                let url = auth::with_query(&f.server.authorization_endpoint, &q);
                f.record = object(&[
                    ("url", url.into()),
                    ("verifier", verifier.into()),
                    ("state", state.into()),
                    ("issuer", f.server.issuer.as_str().into()),
                    ("at", io::now_ms().into()),
                ])
                .into();
                self.save("set", &self.pending_key(), &f.record);
                return Ok(self.authorize(f));
            }
            At::Authorize => {
                self.save("remove", &self.pending_key(), &JsValue::UNDEFINED);
                let (ok, v) = reply?;
                if !ok {
                    let reason = match get_str(&v, "reason").as_deref() {
                        Some("popup_blocked") => "popup_blocked",
                        _ => "authorization_failed",
                    };
                    return Err(auth_error(
                        reason,
                        &["signing in did not finish: ", &json::error_message(&v)],
                    ));
                }
                let callback = v
                    .as_string()
                    .or_else(|| get_str(&v, "href"))
                    .unwrap_or_default();
                let s = &f.server;
                let field = |k| get_str(&f.record, k).unwrap_or_default();
                let code =
                    auth::read_callback(&callback, &field("state"), &s.issuer, s.iss_supported)?;
                let verifier = field("verifier");
                f.at = At::Token;
                return Ok(token_request(
                    f,
                    vec![
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", &self.opts.redirect_uri),
                        ("code_verifier", &verifier),
                        ("resource", &f.resource.resource),
                    ],
                ));
            }
            At::Token => {
                let (ok, doc) = reply?;
                if !ok {
                    let reason = if f.refresh.is_some() {
                        "refresh_failed"
                    } else {
                        "token_failed"
                    };
                    return Err(refused(reason, "the token request", &doc));
                }
                let set = auth::read_token_response(&doc)?;
                self.keep(set, &f.server.issuer, f.refresh.take());
                return Ok(Io::Done);
            }
        }
        match f.urls.next() {
            Some(url) => Ok(Io::Fetch(url, None)),
            None => Err(f.last.take().unwrap_or_else(|| {
                let what = if f.at == At::Resource {
                    "the server's protected resource metadata (RFC 9728)"
                } else {
                    &f.resource.issuer
                };
                auth_error("metadata_not_found", &["no metadata found for ", what])
            })),
        }
    }

    /// A metadata document found: the resource's leads to its authorization server's;
    /// that one to a refresh (when a token can be refreshed) or the authorization.
    fn discovered(&self, f: &mut Flow, doc: &JsValue) -> Result<Io, Fail> {
        if f.at == At::Resource {
            f.resource = Rc::new(auth::read_resource_metadata(doc, &self.url)?);
            f.urls = auth::server_metadata_urls(&f.resource.issuer).into_iter();
            f.last = None;
            f.at = At::Server;
            return self.advance(f, Ok((false, JsValue::UNDEFINED)));
        }
        let server = Rc::new(auth::read_server_metadata(doc, &f.resource.issuer)?);
        let refreshable = {
            let mut st = self.st();
            // A server that moved to another authorization server: nothing of the old one
            // (tokens, the scopes asked there) is used with the new one.
            if st
                .tokens
                .as_ref()
                .is_some_and(|t| get_str(t, "issuer").as_deref() != Some(&server.issuer))
            {
                st.tokens = None;
            }
            if st.scope.as_ref().is_some_and(|(i, _)| *i != server.issuer) {
                st.scope = None;
            }
            st.resource = Some(f.resource.clone());
            st.server = Some(server.clone());
            st.tokens
                .as_ref()
                .is_some_and(|t| get_str(t, "refreshToken").is_some())
        };
        f.server = server;
        if !f.step_up && f.may_refresh && refreshable {
            f.fallback = true;
            self.start_refresh(f)
        } else {
            self.start_authorize(f)
        }
    }

    /// Refresh the access token (the refresh token is rotated when the server rotates
    /// it) with the resource and server the tokens were got from.
    fn start_refresh(&self, f: &mut Flow) -> Result<Io, Fail> {
        let (refresh, resource, server) = {
            let st = self.st();
            (
                st.tokens.as_ref().and_then(|t| get_str(t, "refreshToken")),
                st.resource.clone(),
                st.server.clone(),
            )
        };
        let (Some(refresh), Some(resource), Some(server)) = (refresh, resource, server) else {
            return Err(auth_error(
                "refresh_failed",
                &["no refresh token: sign in again"],
            ));
        };
        f.refresh = Some(refresh);
        f.resource = resource;
        f.server = server;
        Ok(self.client(f))
    }

    /// The authorization code flow: the page step through `authorize`, then the code
    /// for tokens.
    fn start_authorize(&self, f: &mut Flow) -> Result<Io, Fail> {
        if !auth::redirect_uri_ok(&self.opts.redirect_uri) {
            return Err(auth_error(
                "invalid_redirect_uri",
                &["auth.redirectUri must be an HTTPS URL or a loopback (localhost) one"],
            ));
        }
        Ok(self.client(f))
    }

    /// The client's credentials at the server: a registration kept for its issuer
    /// (read first), else those of [`Auth::new_client`].
    fn client(&self, f: &mut Flow) -> Io {
        f.at = At::Client;
        Io::Load(client_key(&f.server))
    }

    /// No registration kept: pre-registered, else a Client ID Metadata Document, else
    /// Dynamic Client Registration (RFC 7591: a public client with a refresh grant; the
    /// server's answer is kept, as it sent it, per issuer).
    fn new_client(&self, f: &mut Flow) -> Result<Io, Fail> {
        let o = &self.opts;
        let server = &f.server;
        let issuer = &server.issuer;
        if let Some(id) = o
            .client_id
            .clone()
            .filter(|_| o.client_issuer.as_ref().is_none_or(|i| i == issuer))
        {
            f.client = ClientCreds {
                id,
                secret: o.client_secret.clone(),
                method: None,
            };
            return self.with_client(f);
        }
        if let Some(id) = o
            .client_metadata_url
            .clone()
            .filter(|_| server.cimd_supported)
        {
            f.client = ClientCreds {
                id,
                secret: None,
                method: Some("none".into()),
            };
            return self.with_client(f);
        }
        let Some(endpoint) = server.registration_endpoint.clone() else {
            return Err(auth_error(
                "no_client",
                &["the authorization server ", issuer, " offers no registration: pass auth.clientId (pre-registered) or auth.clientMetadataUrl"],
            ));
        };
        let kind = o
            .application_type
            .as_deref()
            .unwrap_or(if auth::is_loopback(&o.redirect_uri) {
                "native"
            } else {
                "web"
            });
        // The JSON text, written out: the user's strings encoded by `JSON.stringify`.
        let q = |s: &str| json::stringify(&s.into()).unwrap_or_default();
        let body = crate::text::cat(&[
            r#"{"client_name":"#,
            &q(&o.client_name),
            r#","redirect_uris":["#,
            &q(&o.redirect_uri),
            r#"],"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"none","application_type":"#,
            &q(kind),
            "}",
        ]);
        f.at = At::Register;
        Ok(Io::Fetch(endpoint, Some(("application/json", body, None))))
    }

    /// The client known: a refresh's token request, or the authorization's scopes and
    /// its pending record (read first).
    fn with_client(&self, f: &mut Flow) -> Result<Io, Fail> {
        if let Some(refresh) = &f.refresh {
            f.at = At::Token;
            return Ok(token_request(
                f,
                vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh),
                    ("resource", &f.resource.resource),
                ],
            ));
        }
        let previous = self.st().scope.clone().map(|(_, s)| s);
        f.scope = auth::select_scope(
            f.ch.scope.as_deref(),
            &f.resource.scopes,
            previous.as_deref(),
            &f.server.scopes,
        );
        f.at = At::Pending;
        Ok(Io::Load(self.pending_key()))
    }

    /// The page step: `authorize(url)` with the record's URL, the scopes asked for kept
    /// (step-up asks for them again).
    fn authorize(&self, f: &mut Flow) -> Io {
        self.st().scope = f.scope.clone().map(|s| (f.server.issuer.clone(), s));
        f.at = At::Authorize;
        Io::Authorize(get_str(&f.record, "url").unwrap_or_default())
    }

    fn keep(&self, set: TokenSet, issuer: &str, old_refresh: Option<String>) {
        let record: JsValue = object(&[
            ("accessToken", set.access.into()),
            ("refreshToken", opt(set.refresh.or(old_refresh).as_deref())),
            (
                "expiresAt",
                auth::expires_at(io::now_ms(), set.expires_in)
                    .map_or(JsValue::UNDEFINED, JsValue::from),
            ),
            ("issuer", issuer.into()),
        ])
        .into();
        self.save("set", &self.tokens_key(), &record);
        let mut st = self.st();
        st.tokens = Some(record);
        st.generation += 1;
    }

    fn tokens_key(&self) -> String {
        crate::text::cat(&["tokens:", &self.url])
    }

    fn pending_key(&self) -> String {
        crate::text::cat(&["pending:", &self.url])
    }

    /// Write (`set`) or delete (`remove`) `key`, without waiting: the storage sees its
    /// calls in order, so a later `load` reads what was written.
    fn save(&self, method: &str, key: &str, value: &JsValue) {
        let _ = io::crypto::store(&self.opts.storage, method, key, value);
    }
}

/// An error for an OAuth endpoint's refusal: its `error` and `error_description` (never
/// the request, which holds secrets).
fn refused(reason: &'static str, what: &str, doc: &JsValue) -> Fail {
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
    (reason, m)
}

/// The network failure of an OAuth request, naming the endpoint (in a browser, most often
/// CORS: the endpoint does not allow this page's origin).
fn unreachable(url: &str, e: &JsValue) -> Fail {
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

/// What a flow asks for next.
enum Io {
    /// GET a JSON document from an OAuth endpoint, or POST to one (the content type, the
    /// body, the `Authorization` value).
    Fetch(String, Option<(&'static str, String, Option<String>)>),
    /// Read a key of the app's storage.
    Load(String),
    /// A fresh PKCE verifier, its S256 challenge and a `state`, from WebCrypto.
    Pkce,
    /// The page step: the app's `authorize(url)`.
    Authorize(String),
    /// Nothing: the flow has succeeded.
    Done,
}

/// The answer to an [`Io`]: `(true, value)` when it succeeded (an HTTP request: a 2xx
/// answer and its JSON), `(false, value)` when it was refused (the HTTP answer, or what
/// the JS call threw); `Err` when an OAuth endpoint could not be reached.
type Reply = Result<(bool, JsValue), Fail>;

/// Where a flow is: what the next answer it is given answers.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum At {
    /// A refresh, starting (the stored tokens read first, once).
    #[default]
    Refresh,
    /// The stored tokens.
    Stored,
    /// A sign-in, starting.
    SignIn,
    /// Looking for the Protected Resource Metadata (RFC 9728).
    Resource,
    /// Looking for the authorization server's metadata (RFC 8414, OpenID).
    Server,
    /// The client registration kept for the issuer.
    Client,
    /// Dynamic Client Registration.
    Register,
    /// A sign-in left for a full-page redirect.
    Pending,
    /// PKCE and `state`.
    Pkce,
    /// The page step.
    Authorize,
    /// The token request.
    Token,
}

/// A sign-in or a refresh under way: what [`Auth::step`] knows between its steps.
#[derive(Default)]
struct Flow {
    at: At,
    /// A sign-in's challenge; whether it is a step-up; whether a refresh may be tried
    /// first.
    ch: auth::Challenge,
    step_up: bool,
    may_refresh: bool,
    /// The metadata URLs still to try, and the last network failure.
    urls: std::vec::IntoIter<String>,
    last: Option<Fail>,
    resource: Rc<Resource>,
    server: Rc<Server>,
    client: ClientCreds,
    /// The refresh token, while refreshing; and whether the authorization follows when
    /// the refresh fails.
    refresh: Option<String>,
    fallback: bool,
    scope: Option<String>,
    /// The authorization under way, as kept in the storage to resume it after a
    /// full-page redirect: `{ url, verifier, state, issuer, at }`.
    record: JsValue,
}

fn client_key(server: &Server) -> String {
    crate::text::cat(&["client:", &server.issuer])
}

/// The token request (either grant), the client authenticated as it registered, else as
/// the server supports.
fn token_request<'a>(f: &'a Flow, mut pairs: Vec<(&'a str, &'a str)>) -> Io {
    let c = &f.client;
    let secret = c.secret.as_deref();
    let mut header = None;
    match auth::client_auth(
        c.method.as_deref(),
        secret.is_some(),
        &f.server.auth_methods,
    ) {
        ClientAuth::Basic => {
            header = Some(auth::basic_credentials(&c.id, secret.unwrap_or("")));
        }
        ClientAuth::Post => {
            pairs.push(("client_id", &c.id));
            pairs.push(("client_secret", secret.unwrap_or("")));
        }
        ClientAuth::None => pairs.push(("client_id", &c.id)),
    }
    let body = auth::form(&pairs);
    Io::Fetch(
        f.server.token_endpoint.clone(),
        Some(("application/x-www-form-urlencoded", body, header)),
    )
}

/// Do what a flow asks (see [`Reply`]).
async fn exec(http: &Http, opts: &AuthOptions, io: Io) -> Reply {
    let call = match io {
        Io::Fetch(url, post) => {
            let mut headers = HeaderList::default();
            headers.set("Accept", "application/json");
            let mut body = None;
            if let Some((content_type, text, authorization)) = post {
                headers.set("Content-Type", content_type);
                if let Some(a) = authorization {
                    headers.set("Authorization", &a);
                }
                body = Some(text);
            }
            let method = if body.is_some() { "POST" } else { "GET" };
            let abort = Abort::new(Some(OAUTH_TIMEOUT_MS));
            let mut resp = http
                .send(
                    method,
                    &url,
                    &headers,
                    body.as_deref(),
                    Some(&abort.signal()),
                )
                .await
                .map_err(|f| {
                    let e = match f {
                        io::FetchFailure::Network(e) => e,
                        io::FetchFailure::Aborted => "timed out".into(),
                        io::FetchFailure::Redirect(_) => "it answered with a redirect".into(),
                    };
                    unreachable(&url, &e)
                })?;
            let doc = match resp.bytes(256 * 1024).await {
                Ok(b) => json::parse(&crate::text::lossy(&b)).unwrap_or(JsValue::UNDEFINED),
                Err(_) => JsValue::UNDEFINED,
            };
            return Ok(((200..300).contains(&resp.status()), doc));
        }
        Io::Load(key) => io::crypto::store(&opts.storage, "get", &key, &JsValue::UNDEFINED),
        Io::Pkce => match io::crypto::pkce() {
            Ok(p) => p,
            Err(e) => return Ok((false, e)),
        },
        Io::Authorize(url) => io::crypto::call(&opts.authorize, &url),
        Io::Done => return Ok((true, JsValue::UNDEFINED)),
    };
    // The storage, WebCrypto and `authorize` (which may return a Promise, or throw).
    Ok(match JsFuture::from(call).await {
        Ok(v) => (true, v),
        Err(e) => (false, e),
    })
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
    pub(super) fn auth_ready(&self) -> Option<Run<'_>> {
        self.auth.as_ref().and_then(|a| a.ready(&self.http))
    }
}
