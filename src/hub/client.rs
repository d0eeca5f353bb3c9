//! A small Hub HTTP client a grader can trust: connect and total timeouts, bounded retries with
//! jittered exponential backoff on 429/5xx and network errors (honouring `Retry-After` and the
//! IETF `RateLimit` header), capped response bodies, and errors that name the URL, the status
//! and the Hub's request id, never the token.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::sync::Mutex;

use super::pace::{Bucket, Claim, Pacer, WindowReport};
use super::token::Token;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `HF_ENDPOINT`, without a trailing slash.
    pub endpoint: String,
    pub connect_timeout: Duration,
    /// Per request, body included.
    pub timeout: Duration,
    /// Retries after the first attempt, for 429, 5xx and network errors.
    pub retries: u32,
    pub backoff_base: Duration,
    /// The longest single wait a `Retry-After`/`RateLimit` answer may impose before giving up.
    pub max_wait: Duration,
    /// A batch: requests are paced by the Hub's `RateLimit` windows (`pace.rs`), and a wait
    /// may last a whole window.
    pub paced: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: "https://huggingface.co".into(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            retries: 3,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            paced: false,
        }
    }
}

impl ClientOptions {
    /// The options of the command line: `HF_ENDPOINT` (default the Hub), the time each request
    /// may take, the retries, and for a batch (`paced`) a wait of up to a whole
    /// rate-limit window (5 minutes on the Hub) rather than a failure.
    pub fn from_env(timeout: f64, retries: u32, paced: bool) -> Result<ClientOptions, String> {
        let endpoint = std::env::var("HF_ENDPOINT").ok().filter(|e| !e.trim().is_empty());
        let endpoint = endpoint.unwrap_or_else(|| "https://huggingface.co".into());
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(format!("HF_ENDPOINT must be an http(s) URL, not `{endpoint}`"));
        }
        if !(timeout.is_finite() && timeout > 0.0 && timeout <= 600.0) {
            return Err("--timeout must be between 0 and 600 seconds".into());
        }
        let defaults = ClientOptions::default();
        Ok(ClientOptions {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            timeout: Duration::from_secs_f64(timeout),
            connect_timeout: Duration::from_secs_f64(timeout.min(5.0)),
            retries: retries.min(10),
            paced,
            max_wait: if paced { Duration::from_secs(330) } else { defaults.max_wait },
            ..defaults
        })
    }
}

/// Largest JSON answer read from the API; a Space's info is a few KiB.
pub const MAX_API_BODY: usize = 8 << 20;

#[derive(Debug, Clone)]
pub struct Response {
    pub url: String,
    pub status: u16,
    pub body: Vec<u8>,
    pub request_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The rate-limit window the answer reported (`RateLimit`, `RateLimit-Policy`).
    pub window: Option<WindowReport>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Result<serde_json::Value, HubError> {
        serde_json::from_slice(&self.body).map_err(|e| HubError::BadAnswer {
            url: self.url.clone(),
            message: format!("the answer is not the JSON expected ({e}); it starts with {:?}", preview(&self.body)),
        })
    }

    /// "HTTP 404 (RepoNotFound: Repository not found; request id abc)".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.error_code {
            parts.push(c.clone());
        }
        if let Some(m) = self.error_message.clone().or_else(|| error_field(&self.body)) {
            parts.push(m);
        }
        let mut s = format!("HTTP {}", self.status);
        if !parts.is_empty() {
            s.push_str(&format!(" ({})", parts.join(": ")));
        }
        if let Some(id) = &self.request_id {
            s.push_str(&format!(" [request id {id}]"));
        }
        s
    }
}

fn error_field(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("error")?.as_str().map(|s| s.chars().take(200).collect())
}

fn preview(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubError {
    /// No answer: connection refused, DNS, reset, TLS.
    Network {
        url: String,
        message: String,
    },
    Timeout {
        url: String,
        /// Measured from the moment the request was sent.
        after: Duration,
        /// The headers came, the body did not finish (a trickle).
        in_body: bool,
    },
    /// An answer that is an error after every retry (5xx, 429).
    Status {
        url: String,
        status: u16,
        detail: String,
    },
    TooLarge {
        url: String,
        /// The answer's status (a large error page is still an error).
        status: u16,
        limit: usize,
    },
    BadAnswer {
        url: String,
        message: String,
    },
}

impl fmt::Display for HubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HubError::Network { url, message } => write!(f, "GET {url}: no answer ({message})"),
            HubError::Timeout { url, after, in_body } => {
                let how = if *in_body { ": the body was still arriving" } else { "" };
                write!(f, "GET {url}: no answer within {:.1}s of the request{how}", after.as_secs_f64())
            }
            HubError::Status { url, detail, .. } => write!(f, "GET {url}: {detail}"),
            HubError::TooLarge { url, status, limit } => {
                write!(f, "GET {url}: HTTP {status} with an answer larger than {limit} bytes; not read")
            }
            HubError::BadAnswer { url, message } => write!(f, "GET {url}: {message}"),
        }
    }
}

#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    /// For a Space's own app: redirects are not followed (an app's redirect is its answer,
    /// and following it to 127.0.0.1 or an internal host would read that host for the app).
    app_http: reqwest::Client,
    token: Option<Token>,
    pub options: ClientOptions,
    /// When the Hub asks everyone to wait (429), the whole client waits: one batch, one pace.
    resume_at: Arc<Mutex<Option<Instant>>>,
    /// A batch's pace under the rate-limit windows (`None` outside a batch).
    pacer: Option<Arc<Pacer>>,
}

impl fmt::Debug for HubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubClient").field("endpoint", &self.options.endpoint).field("token", &self.token).finish()
    }
}

impl HubClient {
    /// A client with the command line's options and the token discovered as the Python client
    /// does (`HF_TOKEN`, the token files).
    pub fn from_env(timeout: f64, retries: u32, paced: bool) -> Result<HubClient, String> {
        let found = super::token::discover(&super::token::from_process_env);
        if let Some((token, source)) = &found {
            // An HTTP header cannot carry it: say so now, rather than retry a request that
            // can never be sent.
            if token.expose().chars().any(char::is_control) {
                return Err(format!("the Hub token from {source} contains a control character; fix {source}"));
            }
        }
        HubClient::new(ClientOptions::from_env(timeout, retries, paced)?, found.map(|(t, _)| t))
    }

    pub fn new(options: ClientOptions, token: Option<Token>) -> Result<HubClient, String> {
        let builder = || {
            reqwest::Client::builder()
                .connect_timeout(options.connect_timeout)
                .timeout(options.timeout)
                .user_agent(concat!("spacecheck/", env!("CARGO_PKG_VERSION")))
        };
        let http = builder().build().map_err(|e| format!("cannot set up HTTP: {e}"))?;
        let app_http = builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        // Unanswered requests already count as spent (pace.rs); one call a window is still kept
        // back: a full test run on two loaded cores once saw a single 429 in a 300-Space batch
        // (not reproduced since), and one call in 50 (or 500 on the Hub) is a cheap margin.
        let pacer = options.paced.then(|| Arc::new(Pacer::new(1)));
        Ok(HubClient { http, app_http, token, options, resume_at: Arc::new(Mutex::new(None)), pacer })
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// `/api/spaces/a/b` → `https://huggingface.co/api/spaces/a/b`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.options.endpoint.trim_end_matches('/'), path)
    }

    /// GET with retries. Answers that are not 429/5xx (404, 401...) are returned as they are;
    /// `limit` caps the body read.
    pub async fn get(&self, url: &str, send_token: bool, limit: usize) -> Result<Response, HubError> {
        let mut attempt = 0u32;
        let bucket = reqwest::Url::parse(url).ok().and_then(|u| Bucket::of_path(u.path()));
        loop {
            self.wait_for_window().await;
            let paced = self.claim_slot(bucket).await;
            let outcome = self.send(url, send_token, limit).await;
            if let (Some(pacer), Some(bucket)) = (&paced, bucket) {
                let report = outcome.as_ref().ok().and_then(|(r, _)| r.window);
                pacer.answered(bucket, report, Instant::now());
            }
            // A timeout is not retried: the request had its whole time (a trickling answer
            // would take the time again on every attempt).
            let retryable = match &outcome {
                Ok((r, _)) => r.status == 429 || matches!(r.status, 500 | 502 | 503 | 504),
                Err(HubError::Network { .. }) => true,
                Err(_) => false,
            };
            if !retryable {
                return outcome.map(|(r, _)| r);
            }
            if attempt >= self.options.retries {
                return match outcome {
                    Ok((r, _)) => Err(HubError::Status {
                        url: url.to_string(),
                        status: r.status,
                        detail: format!("{} after {} attempts", r.describe(), attempt + 1),
                    }),
                    Err(e) => Err(e),
                };
            }
            let asked = outcome.as_ref().ok().and_then(|(_, wait)| *wait);
            let delay = match asked {
                Some(w) if w > self.options.max_wait => {
                    let status = outcome.as_ref().ok().map(|(r, _)| r.describe()).unwrap_or_default();
                    return Err(HubError::Status {
                        url: url.to_string(),
                        status: 429,
                        detail: format!(
                            "{status}: the Hub asks to wait {}s, more than spacecheck waits ({}s)",
                            w.as_secs(),
                            self.options.max_wait.as_secs()
                        ),
                    });
                }
                Some(w) => {
                    // Everyone waits for the window the Hub named.
                    let mut resume = self.resume_at.lock().await;
                    let at = Instant::now() + w;
                    if resume.is_none_or(|r| r < at) {
                        *resume = Some(at);
                    }
                    Duration::ZERO
                }
                None => self.backoff(attempt),
            };
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One request, its time bounded from the moment it is sent to the end of the body.
    async fn send(&self, url: &str, send_token: bool, limit: usize) -> Result<(Response, Option<Duration>), HubError> {
        self.send_with(&self.http, url, send_token, limit).await
    }

    async fn send_with(
        &self,
        http: &reqwest::Client,
        url: &str,
        send_token: bool,
        limit: usize,
    ) -> Result<(Response, Option<Duration>), HubError> {
        let mut request = http.get(url);
        if send_token {
            if let Some(t) = &self.token {
                request = request.bearer_auth(t.expose());
            }
        }
        let started = Instant::now();
        match request.send().await {
            Ok(resp) => read(url, resp, limit, started).await,
            Err(e) if e.is_timeout() => {
                Err(HubError::Timeout { url: url.to_string(), after: started.elapsed(), in_body: false })
            }
            Err(e) => Err(HubError::Network { url: url.to_string(), message: describe_reqwest(&e) }),
        }
    }

    /// A request to a Space's own app: once, never paced, and its answer (a 429 with
    /// `Retry-After` included) never paces the Hub requests: the app is the student's. A
    /// redirect is returned as the answer, not followed.
    pub async fn get_app(&self, url: &str, send_token: bool, limit: usize) -> Result<Response, HubError> {
        self.send_with(&self.app_http, url, send_token, limit).await.map(|(r, _)| r)
    }

    /// Full-jitter exponential backoff: a random wait in [d/2, d], d = base · 2^attempt.
    fn backoff(&self, attempt: u32) -> Duration {
        let d = self.options.backoff_base.saturating_mul(1 << attempt.min(10)).min(Duration::from_secs(30));
        let ms = d.as_millis().max(2) as u64;
        Duration::from_millis(rand::rng().random_range(ms / 2..=ms))
    }

    /// Waits for a slot in the bucket's rate-limit window (a batch only); the pacer to tell
    /// of the answer, when a slot was taken. A window that would keep the request waiting
    /// longer than `max_wait` in all is not waited for: the Hub's answer decides.
    async fn claim_slot(&self, bucket: Option<Bucket>) -> Option<Arc<Pacer>> {
        let (pacer, bucket) = (self.pacer.as_ref()?, bucket?);
        let give_up = Instant::now() + self.options.max_wait;
        loop {
            match pacer.claim(bucket, Instant::now()) {
                Claim::Go => return Some(pacer.clone()),
                Claim::WaitUntil(at) if at > give_up => {
                    pacer.take(bucket);
                    return Some(pacer.clone());
                }
                Claim::WaitUntil(at) => tokio::time::sleep_until(at.into()).await,
            }
        }
    }

    async fn wait_for_window(&self) {
        let at = *self.resume_at.lock().await;
        if let Some(at) = at {
            let now = Instant::now();
            if at > now {
                tokio::time::sleep(at - now).await;
            }
        }
    }
}

/// Reads a response: status, the Hub's error headers, the body up to `limit`, and how long the
/// Hub asks to wait (Retry-After in seconds, or RateLimit `t=` when `r=0`).
/// Reads an answer; `started` is when the request was sent (the timeout counts from there).
async fn read(
    url: &str,
    mut resp: reqwest::Response,
    limit: usize,
    started: Instant,
) -> Result<(Response, Option<Duration>), HubError> {
    let header = |name: &str| {
        resp.headers().get(name).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect::<String>())
    };
    let status = resp.status().as_u16();
    let request_id = header("x-request-id");
    let error_code = header("x-error-code");
    let error_message = header("x-error-message");
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
    let ratelimit = header("ratelimit").and_then(|v| parse_ratelimit(&v));
    let wait = if status == 429 || status == 503 { retry_after.or(ratelimit) } else { None };
    let window = header("ratelimit").and_then(|v| window_report(&v, header("ratelimit-policy").as_deref()));
    if resp.content_length().is_some_and(|n| n as usize > limit) {
        return Err(HubError::TooLarge { url: url.to_string(), status, limit });
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(HubError::TooLarge { url: url.to_string(), status, limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(HubError::Timeout { url: url.to_string(), after: started.elapsed(), in_body: true });
            }
            Err(e) => {
                return Err(HubError::BadAnswer {
                    url: url.to_string(),
                    message: format!("the answer was cut off ({})", describe_reqwest(&e)),
                });
            }
        }
    }
    Ok((Response { url: url.to_string(), status, body, request_id, error_code, error_message, window }, wait))
}

/// The items of a structured header: `"api";r=12;t=55` → the names (`api`) and `key=value`s.
fn header_items(value: &str) -> (Vec<&str>, Vec<(&str, &str)>) {
    let mut names = Vec::new();
    let mut params = Vec::new();
    for part in value.split(';').map(str::trim) {
        match part.split_once('=') {
            Some((k, v)) => params.push((k.trim(), v.trim())),
            None => names.push(part.trim_matches('"')),
        }
    }
    (names, params)
}

fn number(params: &[(&str, &str)], key: &str) -> Option<u64> {
    params.iter().find(|(k, _)| *k == key).and_then(|(_, v)| v.parse::<u64>().ok())
}

/// `"api";r=12;t=55` → (12 calls left, window resets in 55 s).
pub fn parse_ratelimit_window(value: &str) -> Option<(u64, Duration)> {
    let (_, params) = header_items(value);
    Some((number(&params, "r")?, Duration::from_secs(number(&params, "t")?)))
}

/// `RateLimit` with its `RateLimit-Policy` (`"fixed window";"api";q=500;w=300`) → what the
/// answer says of the bucket's window; the policy counts only where it names the same bucket.
pub fn window_report(ratelimit: &str, policy: Option<&str>) -> Option<WindowReport> {
    let (left, reset) = parse_ratelimit_window(ratelimit)?;
    let (names, _) = header_items(ratelimit);
    let bucket = names.first().and_then(|n| Bucket::from_header_name(n))?;
    let policy =
        policy.map(header_items).filter(|(names, _)| names.iter().any(|n| Bucket::from_header_name(n) == Some(bucket)));
    let quota = policy.as_ref().and_then(|(_, p)| number(p, "q"));
    let width = policy.as_ref().and_then(|(_, p)| number(p, "w")).map(Duration::from_secs);
    Some(WindowReport { bucket, left, reset, quota, width })
}

/// `"api";r=0;t=55` → wait 55 s when no request is left in the window.
pub fn parse_ratelimit(value: &str) -> Option<Duration> {
    parse_ratelimit_window(value).filter(|(left, _)| *left == 0).map(|(_, reset)| reset)
}

/// reqwest's error with its source chain, without the URL (callers add it).
fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut msg = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        msg = s.to_string();
        source = s.source();
    }
    if msg.is_empty() {
        msg = if e.is_connect() { "connection failed".into() } else { "request failed".into() };
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratelimit_header() {
        assert_eq!(parse_ratelimit("\"api\";r=0;t=55"), Some(Duration::from_secs(55)));
        assert_eq!(parse_ratelimit("\"api\";r=10;t=55"), None);
        assert_eq!(parse_ratelimit("garbage"), None);
        assert_eq!(parse_ratelimit_window("\"api\";r=12;t=55"), Some((12, Duration::from_secs(55))));
        let report = window_report("\"api\";r=12;t=55", Some("\"fixed window\";\"api\";q=500;w=300")).unwrap();
        assert_eq!(
            (report.bucket, report.quota, report.width),
            (Bucket::Api, Some(500), Some(Duration::from_secs(300)))
        );
        // A policy of another bucket says nothing of this one.
        let report = window_report("\"api\";r=1;t=5", Some("\"fixed window\";\"pages\";q=100;w=300")).unwrap();
        assert_eq!((report.quota, report.width), (None, None));
        assert_eq!(window_report("\"pages\";r=1;t=5", None), None);
    }

    #[test]
    fn describe_uses_hub_headers_and_body() {
        let r = Response {
            url: "u".into(),
            status: 404,
            body: br#"{"error": "Repository not found"}"#.to_vec(),
            request_id: Some("Root=1-abc".into()),
            error_code: Some("RepoNotFound".into()),
            error_message: None,
            window: None,
        };
        assert_eq!(r.describe(), "HTTP 404 (RepoNotFound: Repository not found) [request id Root=1-abc]");
    }
}
