//! A fake Hugging Face Hub: a real HTTP server on 127.0.0.1 serving the shapes of
//! `../shared/spec/hub.md` for a set of scenario Spaces under the owner `acme`:
//!
//! | Space | behaviour |
//! |---|---|
//! | `compliant` | public, docker, RUNNING on cpu-basic, secret GA2_TOKEN_ECB8, app answers |
//! | `private` | like compliant but private: 401 without a token |
//! | `wrong-hardware` | runs on t4-small |
//! | `missing-secret` | no secrets; the expected name is set as a public variable |
//! | `rate-limited` | the first two info requests answer 429 (Retry-After: 1), then fine |
//! | `failing` | every API request answers 500 |
//! | `sleeping` | SLEEPING, hardware.current null (requested cpu-basic), app down |
//! | `build-error` | BUILD_ERROR, app down |
//! | `app-down` | RUNNING, the app answers 502 |
//! | `slow` | the info answer takes 5 seconds |
//! | `huge` | the info answer announces and streams 100 MB |
//! | `truncated` | the info answer is cut short of its Content-Length |
//! | `html` | the info answer is an HTML error page with status 200 |
//! | `ga2-084d53` | the assignment's example student (fixtures/student-example), compliant |
//! | `sleepy/ga2-084d53` | the same Space asleep: hardware.current null |
//! | anything else | 404 RepoNotFound |
//!
//! It is also the fixture for checking fidelity against the real Python client
//! (`scripts/check_fake_hub.py`).

// Each test binary (live, assignment, grade) and the grading benchmark use a different part.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

/// The only token the fake accepts; it has write access to every scenario Space. Built with
/// concat! so the repository holds no token-shaped text (spacecheck's RP001 scans it).
pub const TOKEN: &str = concat!("hf", "_FakeHubTestTokenQwErTyUiOpAsDfGhJkLz");
pub const SHA: &str = "4f1c2b7e9a0d3c5b6a7e8f9012345678abcdef01";

pub struct FakeHub {
    pub addr: SocketAddr,
    pub state: Arc<HubState>,
}

#[derive(Default)]
pub struct HubState {
    pub port: Mutex<u16>,
    pub hits: Mutex<HashMap<String, usize>>,
    /// Every Authorization header the fake received, to check where the token went.
    pub auth_seen_on: Mutex<Vec<String>>,
    /// Latency added to every answer, in milliseconds (benchmarks).
    pub latency_ms: std::sync::atomic::AtomicU64,
    /// When set, `/api/*` is limited to a fixed window, as the Hub's `api` bucket is.
    pub api_window: Mutex<Option<FixedWindow>>,
    /// `/api/*` requests answered within the window, and those refused with 429.
    pub api_calls: std::sync::atomic::AtomicUsize,
    pub api_refused: std::sync::atomic::AtomicUsize,
}

/// A fixed rate-limit window: `quota` calls per `width`, windows counted from `origin`.
pub struct FixedWindow {
    pub quota: u64,
    pub width: Duration,
    pub origin: std::time::Instant,
    /// The window being counted (its index from `origin`) and the calls in it.
    pub current: u64,
    pub used: u64,
}

impl FixedWindow {
    pub fn new(quota: u64, width: Duration) -> FixedWindow {
        FixedWindow { quota, width, origin: std::time::Instant::now(), current: 0, used: 0 }
    }

    /// Counts a call: `Ok(left)` or `Err(())` when the window is spent; and the whole seconds
    /// until the window resets, rounded up as a server must (never earlier than the reset).
    fn take(&mut self) -> (Result<u64, ()>, u64) {
        let elapsed = self.origin.elapsed();
        let index = (elapsed.as_nanos() / self.width.as_nanos()) as u64;
        if index != self.current {
            self.current = index;
            self.used = 0;
        }
        let resets_in = self.width * (index as u32 + 1) - elapsed;
        let t = resets_in.as_secs() + u64::from(resets_in.subsec_nanos() > 0);
        if self.used >= self.quota {
            return (Err(()), t);
        }
        self.used += 1;
        (Ok(self.quota - self.used), t)
    }

    fn policy(&self) -> String {
        format!("\"fixed window\";\"api\";q={};w={}", self.quota, self.width.as_secs())
    }
}

/// The `api` bucket: every `/api/*` request is counted; past the quota the answer is 429 with
/// `Retry-After`, and every answer carries `RateLimit` and `RateLimit-Policy`.
async fn api_limit(
    State(state): State<Arc<HubState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use std::sync::atomic::Ordering;
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let taken = state.api_window.lock().unwrap().as_mut().map(|w| (w.take(), w.policy()));
    let Some(((taken, t), policy)) = taken else { return next.run(request).await };
    let mut response = match taken {
        Ok(_) => {
            state.api_calls.fetch_add(1, Ordering::Relaxed);
            next.run(request).await
        }
        Err(()) => {
            state.api_refused.fetch_add(1, Ordering::Relaxed);
            let mut r =
                error(StatusCode::TOO_MANY_REQUESTS, None, "You have exceeded our hourly quotas for action: api");
            r.headers_mut().insert("retry-after", HeaderValue::from(t));
            r
        }
    };
    let left = taken.unwrap_or(0);
    let h = response.headers_mut();
    h.insert("ratelimit", HeaderValue::from_str(&format!("\"api\";r={left};t={t}")).unwrap());
    h.insert("ratelimit-policy", HeaderValue::from_str(&policy).unwrap());
    response
}

/// Waits the injected latency.
async fn delay(state: &HubState) {
    let ms = state.latency_ms.load(std::sync::atomic::Ordering::Relaxed);
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

impl FakeHub {
    /// Starts the server on its own thread and runtime; it lives as long as the test process.
    pub fn start() -> FakeHub {
        FakeHub::start_with(HubState::default())
    }

    /// Starts a fake Hub with this state (an `api_window`, a latency).
    pub fn start_with(state: HubState) -> FakeHub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(state);
        *state.port.lock().unwrap() = addr.port();
        let app = router(state.clone());
        std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        FakeHub { addr, state }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn hits(&self, key: &str) -> usize {
        self.state.hits.lock().unwrap().get(key).copied().unwrap_or(0)
    }
}

pub fn router(state: Arc<HubState>) -> Router {
    Router::new()
        .route("/api/spaces/{owner}/{name}", get(info))
        .route("/api/spaces/{owner}/{name}/runtime", get(runtime))
        .route("/api/spaces/{owner}/{name}/secrets", get(secrets))
        .route("/api/spaces/{owner}/{name}/variables", get(variables))
        .route("/api/spaces/{owner}/{name}/tree/{rev}", get(tree))
        .route("/api/spaces/{owner}/{name}/revision/{rev}", get(info_at_revision))
        .route("/spaces/{owner}/{name}/resolve/{rev}/{*path}", get(resolve))
        .route("/spaces/{owner}/{name}/raw/{rev}/{*path}", get(resolve))
        .route("/api/whoami-v2", get(whoami))
        .route("/app/{owner}/{name}", get(app))
        .route("/app/{owner}/{name}/", get(app))
        .route("/internal", get(internal))
        .layer(axum::middleware::from_fn_with_state(state.clone(), api_limit))
        .with_state(state)
}

const KNOWN: &[&str] = &[
    "compliant",
    "private",
    "wrong-hardware",
    "missing-secret",
    "rate-limited",
    "failing",
    "sleeping",
    "build-error",
    "app-down",
    "slow",
    "huge",
    "truncated",
    "html",
    "app-throttled",
    "app-huge-error",
    "echo-token",
    "many-files",
    "trickle",
    "app-redirect",
    "bom-marker",
    "ignored-token",
    STUDENT,
];

/// The example student's Space (email 23f1000000@ds.study.iitm.ac.in), from fixtures/.
pub const STUDENT: &str = "ga2-084d53";

fn authed(headers: &HeaderMap) -> Auth {
    match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        None => Auth::None,
        Some(v) if v == format!("Bearer {TOKEN}") => Auth::Valid,
        Some(_) => Auth::Invalid,
    }
}

#[derive(PartialEq)]
enum Auth {
    None,
    Valid,
    Invalid,
}

fn with_id(mut r: Response) -> Response {
    r.headers_mut().insert("x-request-id", HeaderValue::from_static("Root=1-fake-request"));
    r
}

fn error(status: StatusCode, code: Option<&'static str>, message: &str) -> Response {
    let mut r =
        (status, [(header::CONTENT_TYPE, "application/json")], json!({ "error": message }).to_string()).into_response();
    if let Some(c) = code {
        r.headers_mut().insert("x-error-code", HeaderValue::from_static(c));
    }
    r.headers_mut()
        .insert("x-error-message", HeaderValue::from_str(message).unwrap_or(HeaderValue::from_static("error")));
    with_id(r)
}

fn json_ok(v: Value) -> Response {
    with_id((StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response())
}

/// Access rules shared by all endpoints of a Space: unknown → 404 (401 without a token, as the
/// Hub does), private → 401 without a token, a bad token → 401.
fn gate(name: &str, owner: &str, auth: &Auth) -> Option<Response> {
    if *auth == Auth::Invalid {
        return Some(error(StatusCode::UNAUTHORIZED, None, "Invalid credentials in Authorization header"));
    }
    let known = (owner == "acme" && KNOWN.contains(&name)) || (owner == "sleepy" && name == STUDENT);
    if !known || (name == "private" && *auth == Auth::None) {
        if *auth == Auth::None {
            return Some(error(StatusCode::UNAUTHORIZED, Some("RepoNotFound"), "Repository Not Found for url. Please make sure you specified the correct `repo_id` and `repo_type`. If you are trying to access a private or gated repo, make sure you are authenticated."));
        }
        return Some(error(StatusCode::NOT_FOUND, Some("RepoNotFound"), "Repository not found"));
    }
    None
}

pub fn readme(name: &str) -> String {
    format!(
        "---\ntitle: ga2-f0af22\nemoji: 📈\ncolorFrom: blue\ncolorTo: indigo\nsdk: docker\napp_port: 7255\nshort_description: deployment-ready-ga2-f0af22 observability API\npinned: false\n---\n\n# {name}\n"
    )
}

pub const DOCKERFILE: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user PATH=/home/user/.local/bin:$PATH\nENV APP_PORT=7255\nWORKDIR $HOME/app\nCOPY --chown=user requirements.txt .\nRUN pip install --no-cache-dir --user -r requirements.txt\nCOPY --chown=user . .\nEXPOSE 7255\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]\n";

fn files(name: &str) -> Vec<(&'static str, String)> {
    if name == STUDENT {
        return vec![
            ("Dockerfile", include_str!("../../fixtures/student-example/Dockerfile").to_string()),
            ("README.md", include_str!("../../fixtures/student-example/README.md").to_string()),
            ("main.py", include_str!("../../fixtures/student-example/main.py").to_string()),
            ("requirements.txt", include_str!("../../fixtures/student-example/requirements.txt").to_string()),
        ];
    }
    // `many-files`: 250 small text assets listed before everything else.
    let assets = (0..if name == "many-files" { 250 } else { 0 }).map(|i| (asset_name(i), format!("asset {i}\n")));
    assets
        .chain(vec![
        (".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n".to_string()),
        ("Dockerfile", DOCKERFILE.to_string()),
        ("README.md", readme(name)),
        ("main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/\")\ndef root():\n    return {\"status\": \"healthy\"}\n".to_string()),
        ("requirements.txt", "fastapi==0.115.6\nuvicorn[standard]==0.32.1\n".to_string()),
        ("static/logo.bin", "\u{0}\u{1}binary".to_string()),
    ])
    // `echo-token`: a listed file the Hub refuses with a message that repeats the token.
    .chain((name == "echo-token").then(|| ("notes.txt", String::new())))
    // `ignored-token`: a file its own .gitignore names, force-added and pushed with a token
    // (built here, so that no scanner flags this file).
    .chain((name == "ignored-token").then(|| (".gitignore", "notes.txt\n".to_string())))
    .chain((name == "ignored-token").then(|| ("notes.txt", format!("token: hf_{}{}\n", "PlMoKnIjUhBvGyTfCrDx", "EsZaWqPlMoKnIjUh"))))
    .map(|(path, text)| match (name, path) {
        // pep508_rs 0.9 panicked on a BOM after a marker: the row must still be graded.
        ("bom-marker", "requirements.txt") => (path, format!("{text}uvicorn ; os_name==\"x\"\u{feff}\n")),
        _ => (path, text),
    })
    .collect()
}

/// `aaa/asset-000.txt`…: names that sort before `Dockerfile` and `README.md`.
fn asset_name(i: usize) -> &'static str {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| (0..250).map(|i| format!("aaa/asset-{i:03}.txt")).collect())[i].as_str()
}

fn runtime_of(owner: &str, name: &str) -> Value {
    let (stage, current, requested) = match name {
        _ if owner == "sleepy" => ("SLEEPING", None, "cpu-basic"),
        "wrong-hardware" => ("RUNNING", Some("t4-small"), "t4-small"),
        "sleeping" => ("SLEEPING", None, "cpu-basic"),
        "build-error" => ("BUILD_ERROR", None, "cpu-basic"),
        _ => ("RUNNING", Some("cpu-basic"), "cpu-basic"),
    };
    // A failed build's message, holding a credential from the build log (built here, so no
    // secret scanner flags this file): HUB006 quotes the message and masks the credential.
    let error_message = (name == "build-error")
        .then(|| format!("Build failed with exit code: 1 (log: HF_TOKEN=hf_{})", "Q".repeat(34)));
    json!({
        "stage": stage,
        "errorMessage": error_message,
        "hardware": {"current": current, "requested": requested},
        "storage": null,
        "gcTimeout": 172800,
        "replicas": {"current": 1, "requested": 1},
        "devMode": false,
        "domains": [{"domain": format!("{owner}-{name}.hf.space"), "stage": "READY"}]
    })
}

fn info_json(state: &HubState, owner: &str, name: &str) -> Value {
    let port = *state.port.lock().unwrap();
    let card = if name == STUDENT {
        json!({"title": STUDENT, "emoji": "🐳", "colorFrom": "green", "colorTo": "blue", "sdk": "docker", "app_port": 7349, "short_description": "deployment-ready-ga2-084d53 FastAPI Space", "pinned": false})
    } else {
        json!({
            "title": "ga2-f0af22", "emoji": "📈", "colorFrom": "blue", "colorTo": "indigo", "sdk": "docker",
            "app_port": 7255, "short_description": "deployment-ready-ga2-f0af22 observability API", "pinned": false
        })
    };
    json!({
        "_id": "65f0c0ffee0000000000cafe",
        "id": format!("{owner}/{name}"),
        "author": owner,
        "sha": SHA,
        "lastModified": "2026-11-20T10:00:00.000Z",
        "createdAt": "2026-11-01T10:00:00.000Z",
        "private": name == "private",
        "disabled": false,
        "gated": false,
        "likes": 3,
        "sdk": "docker",
        "tags": ["docker", "region:us"],
        "host": format!("http://127.0.0.1:{port}/app/{owner}/{name}"),
        "subdomain": format!("{owner}-{name}"),
        "cardData": card,
        "siblings": files(name).iter().map(|(p, _)| json!({"rfilename": p})).collect::<Vec<_>>(),
        "runtime": runtime_of(owner, name),
        "models": [],
        "datasets": []
    })
}

fn count(state: &HubState, key: String) -> usize {
    let mut hits = state.hits.lock().unwrap();
    let n = hits.entry(key).or_insert(0);
    *n += 1;
    *n
}

fn note_auth(state: &HubState, headers: &HeaderMap, path: String) {
    if headers.contains_key(header::AUTHORIZATION) {
        state.auth_seen_on.lock().unwrap().push(path);
    }
}

async fn info(
    State(state): State<Arc<HubState>>,
    Path((owner, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    note_auth(&state, &headers, format!("/api/spaces/{owner}/{name}"));
    let n = count(&state, format!("info:{name}"));
    if let Some(r) = gate(&name, &owner, &authed(&headers)) {
        return r;
    }
    match name.as_str() {
        "failing" => error(StatusCode::INTERNAL_SERVER_ERROR, None, "Internal Error"),
        "rate-limited" if n <= 2 => {
            let mut r =
                error(StatusCode::TOO_MANY_REQUESTS, None, "You have exceeded our hourly quotas for action: api");
            let h = r.headers_mut();
            h.insert("retry-after", HeaderValue::from_static("1"));
            h.insert("ratelimit", HeaderValue::from_static("\"api\";r=0;t=1"));
            h.insert("ratelimit-policy", HeaderValue::from_static("\"fixed window\";\"api\";q=500;w=300"));
            r
        }
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            json_ok(info_json(&state, &owner, &name))
        }
        // Headers at once, then one byte every 200 ms for 20 s: a body that trickles.
        "trickle" => {
            let stream = Trickle { interval: tokio::time::interval(Duration::from_millis(200)), left: 100 };
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        "huge" => {
            let chunk = bytes_of(1 << 20);
            let stream = futures_stream(chunk, 100);
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        "truncated" => {
            let body = info_json(&state, &owner, &name).to_string();
            let half = body[..body.len() / 2].to_string();
            let mut r = Response::new(Body::from(half));
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            r
        }
        "html" => with_id(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
        ),
        _ => json_ok(info_json(&state, &owner, &name)),
    }
}

fn bytes_of(n: usize) -> axum::body::Bytes {
    axum::body::Bytes::from(vec![b' '; n])
}

/// `count` chunks of the same bytes, as a stream, without a helper crate.
fn futures_stream(
    chunk: axum::body::Bytes,
    count: usize,
) -> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> {
    ChunkStream { chunk, left: count }
}

struct ChunkStream {
    chunk: axum::body::Bytes,
    left: usize,
}

impl futures_core::Stream for ChunkStream {
    type Item = Result<axum::body::Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        std::task::Poll::Ready(Some(Ok(self.chunk.clone())))
    }
}

/// One space every tick of the interval.
struct Trickle {
    interval: tokio::time::Interval,
    left: usize,
}

impl futures_core::Stream for Trickle {
    type Item = Result<axum::body::Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        match self.interval.poll_tick(cx) {
            std::task::Poll::Ready(_) => {
                self.left -= 1;
                std::task::Poll::Ready(Some(Ok(axum::body::Bytes::from_static(b" "))))
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

async fn info_at_revision(
    state: State<Arc<HubState>>,
    Path((owner, name, _rev)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    info(state, Path((owner, name)), headers).await
}

async fn runtime(
    State(state): State<Arc<HubState>>,
    Path((owner, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    count(&state, format!("runtime:{name}"));
    if let Some(r) = gate(&name, &owner, &authed(&headers)) {
        return r;
    }
    if name == "failing" {
        return error(StatusCode::INTERNAL_SERVER_ERROR, None, "Internal Error");
    }
    json_ok(runtime_of(&owner, &name))
}

async fn secrets(
    State(state): State<Arc<HubState>>,
    Path((owner, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    count(&state, format!("secrets:{name}"));
    let auth = authed(&headers);
    if let Some(r) = gate(&name, &owner, &auth) {
        return r;
    }
    if auth != Auth::Valid {
        return error(StatusCode::UNAUTHORIZED, None, "You must be authenticated to access this resource");
    }
    if name == "failing" {
        return error(StatusCode::INTERNAL_SERVER_ERROR, None, "Internal Error");
    }
    let secrets = if name == STUDENT {
        json!({"GA2_TOKEN_1318": {"description": null, "updatedAt": "2026-11-20T10:00:00.000Z"}})
    } else if name == "missing-secret" {
        json!({"OTHER_SECRET": {"description": null, "updatedAt": "2026-11-20T10:00:00.000Z"}})
    } else {
        json!({"GA2_TOKEN_ECB8": {"description": null, "updatedAt": "2026-11-20T10:00:00.000Z"}})
    };
    json_ok(secrets)
}

async fn variables(
    State(state): State<Arc<HubState>>,
    Path((owner, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    count(&state, format!("variables:{name}"));
    if let Some(r) = gate(&name, &owner, &authed(&headers)) {
        return r;
    }
    if name == "missing-secret" {
        return json_ok(
            json!({"GA2_TOKEN_ECB8": {"value": "visible-to-all", "description": null, "updatedAt": "2026-11-20T10:00:00.000Z"}}),
        );
    }
    json_ok(json!({}))
}

async fn tree(
    State(state): State<Arc<HubState>>,
    Path((owner, name, _rev)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    if let Some(r) = gate(&name, &owner, &authed(&headers)) {
        return r;
    }
    let entries: Vec<Value> = files(&name)
        .iter()
        .filter(|(p, _)| !p.contains('/'))
        .map(|(p, c)| json!({"type": "file", "oid": SHA, "size": c.len(), "path": p}))
        .chain(std::iter::once(json!({"type": "directory", "oid": SHA, "size": 0, "path": "static"})))
        .collect();
    json_ok(Value::Array(entries))
}

async fn resolve(
    State(state): State<Arc<HubState>>,
    Path((owner, name, _rev, path)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    note_auth(&state, &headers, format!("/spaces/{owner}/{name}/resolve/{path}"));
    count(&state, format!("resolve:{name}:{path}"));
    if let Some(r) = gate(&name, &owner, &authed(&headers)) {
        return r;
    }
    if name == "echo-token" && path == "notes.txt" {
        let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = bearer.trim_start_matches("Bearer ");
        return error(
            StatusCode::FORBIDDEN,
            Some("GatedRepo"),
            &format!("access denied for auth%3D{token}%26 (no read)"),
        );
    }
    match files(&name).into_iter().find(|(p, _)| *p == path) {
        Some((_, content)) => {
            let mut r = Response::new(Body::from(content.clone()));
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            h.insert(
                header::ETAG,
                HeaderValue::from_str(&format!("\"{:x}\"", content.len() * 2654435761 % 1_000_000_007)).unwrap(),
            );
            h.insert("x-repo-commit", HeaderValue::from_static(SHA));
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(content.len()));
            with_id(r)
        }
        None => error(StatusCode::NOT_FOUND, Some("EntryNotFound"), "Entry not found"),
    }
}

async fn whoami(headers: HeaderMap) -> Response {
    match authed(&headers) {
        Auth::Valid => json_ok(
            json!({"type": "user", "id": "65f0c0ffee0000000000beef", "name": "acme", "fullname": "Acme", "orgs": [], "auth": {"type": "access_token", "accessToken": {"displayName": "test", "role": "write"}}}),
        ),
        _ => error(StatusCode::UNAUTHORIZED, None, "Invalid credentials in Authorization header"),
    }
}

/// A service only the grader's machine reaches: it must never be asked on a Space's behalf.
async fn internal(State(state): State<Arc<HubState>>) -> Response {
    count(&state, "internal".to_string());
    (StatusCode::INTERNAL_SERVER_ERROR, "internal-only: admin panel, db=10.0.0.5").into_response()
}

async fn app(
    State(state): State<Arc<HubState>>,
    Path((owner, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    delay(&state).await;
    note_auth(&state, &headers, format!("/app/{owner}/{name}"));
    count(&state, format!("app:{name}"));
    match name.as_str() {
        "app-down" => (StatusCode::BAD_GATEWAY, "Bad Gateway").into_response(),
        // The student's app asks for a long wait: it must not pace the Hub requests.
        "app-throttled" => {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "330"), ("ratelimit", "\"api\";r=0;t=330")], "slow down")
                .into_response()
        }
        // An error page larger than what spacecheck reads is still an error.
        "app-huge-error" => (StatusCode::SERVICE_UNAVAILABLE, "x".repeat(200 * 1024)).into_response(),
        "sleeping" | "build-error" => (StatusCode::SERVICE_UNAVAILABLE, "Space is sleeping").into_response(),
        // A student's app redirecting to a service inside the grader's network.
        "app-redirect" => {
            let port = *state.port.lock().unwrap();
            (StatusCode::FOUND, [(header::LOCATION, format!("http://127.0.0.1:{port}/internal"))], "").into_response()
        }
        _ if owner == "sleepy" => (StatusCode::SERVICE_UNAVAILABLE, "Space is sleeping").into_response(),
        _ => json_ok(json!({"status": "healthy", "service": "deployment-ready-ga2-f0af22", "port": 7255})),
    }
}
