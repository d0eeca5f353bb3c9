//! Probing one Space on the Hub: its info (visibility, sdk, runtime, cardData, siblings), its
//! secret names, and whether its app answers. Info, secrets and variables go out together (one
//! round trip); the app is asked next, at the `host` the info names.

use serde_json::Value;

use super::client::{HubClient, HubError, Response, MAX_API_BODY};

#[derive(Debug, Clone, PartialEq)]
pub struct Runtime {
    pub stage: Option<String>,
    /// `errorMessage`: the Hub's own words for a failed build or run ("Memory limit
    /// exceeded (16Gi)", "Launch timed out, workload was not healthy after 30 min").
    pub error_message: Option<String>,
    /// `storage`: the persistent storage tier mounted on `/data` ("small", …); `None` without.
    pub storage: Option<String>,
    pub hardware_current: Option<String>,
    pub hardware_requested: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpaceInfo {
    pub id: String,
    pub private: Option<bool>,
    pub sdk: Option<String>,
    pub host: Option<String>,
    /// `None` when the answer has no `runtime` object at all.
    pub runtime: Option<Runtime>,
    pub card_data: Option<serde_json::Map<String, Value>>,
    pub siblings: Vec<String>,
    /// The commit the Space is at (`sha`), when the answer gives a well-formed one.
    pub sha: Option<String>,
}

#[derive(Debug, Clone)]
pub enum InfoOutcome {
    Found(SpaceInfo),
    /// 401, 403 or 404: missing, private or gated (the Hub does not say which without a token).
    NotVisible(Response),
}

#[derive(Debug, Clone)]
pub enum SecretsOutcome {
    Names(Vec<String>),
    NoToken,
    /// 401/403: the token cannot list this Space's secrets (it needs write access).
    Denied(String),
    /// 404/405 on the listing itself: an older or self-hosted Hub without the endpoint.
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppOutcome {
    Answered(u16),
    Failed(String),
    NotChecked(String),
}

#[derive(Debug, Clone)]
pub struct Probe {
    /// `owner/name`.
    pub space_id: String,
    pub info: InfoOutcome,
    pub secrets: Option<SecretsOutcome>,
    /// Variable names, when they could be read (to spot a secret set as a public variable).
    pub variables: Option<Vec<String>>,
    pub app: AppOutcome,
    /// Whether the requests carried a token (a 401 means something else then).
    pub with_token: bool,
}

impl Probe {
    pub fn info(&self) -> Option<&SpaceInfo> {
        match &self.info {
            InfoOutcome::Found(i) => Some(i),
            InfoOutcome::NotVisible(_) => None,
        }
    }

    pub fn name(&self) -> &str {
        self.space_id.split_once('/').map_or(&self.space_id, |(_, n)| n)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ProbeOptions {
    pub secrets: bool,
    pub app: bool,
    /// Also list the variables (one more API call) to spot a secret set as a public variable;
    /// the batch grader saves that call.
    pub variables: bool,
}

/// Whether `owner/name` is a valid Space id (Hub repo names: letters, digits, `-`, `_`, `.`).
pub fn valid_space_id(id: &str) -> bool {
    let Some((owner, name)) = id.split_once('/') else { return false };
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 96
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !s.starts_with(['-', '.'])
            && !s.contains("..")
    };
    ok(owner) && ok(name)
}

/// `owner/name`, `https://huggingface.co/spaces/owner/name[/...]` (hf.co too) → `owner/name`.
pub fn parse_space(value: &str) -> Result<String, String> {
    let v = value.trim();
    let path = [
        "https://huggingface.co/spaces/",
        "http://huggingface.co/spaces/",
        "https://www.huggingface.co/spaces/",
        "https://hf.co/spaces/",
        "huggingface.co/spaces/",
        "hf://",
    ]
    .iter()
    .find_map(|p| v.strip_prefix(p));
    let id = match path {
        Some(rest) => rest.split(['?', '#']).next().unwrap_or(rest).split('/').take(2).collect::<Vec<_>>().join("/"),
        None if v.contains("://") => {
            return Err(format!("`{v}` is not a Space URL (https://huggingface.co/spaces/OWNER/NAME)"))
        }
        None => v.to_string(),
    };
    if valid_space_id(&id) {
        Ok(id)
    } else {
        Err(format!(
            "`{}` is not a Space (OWNER/NAME or https://huggingface.co/spaces/OWNER/NAME)",
            v.chars().take(200).collect::<String>()
        ))
    }
}

pub fn parse_info(v: &Value, id: &str) -> SpaceInfo {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let runtime = v.get("runtime").filter(|r| r.is_object()).map(|r| {
        let hw = r.get("hardware").cloned().unwrap_or(Value::Null);
        Runtime {
            stage: s(r, "stage"),
            error_message: s(r, "errorMessage").filter(|m| !m.trim().is_empty()),
            // A tier name, or an object describing it: either way, storage is attached.
            storage: r.get("storage").filter(|v| !v.is_null()).map(|v| match v.as_str() {
                Some(tier) => tier.to_string(),
                None => "attached".to_string(),
            }),
            hardware_current: s(&hw, "current"),
            hardware_requested: s(&hw, "requested"),
        }
    });
    SpaceInfo {
        id: s(v, "id").unwrap_or_else(|| id.to_string()),
        private: v.get("private").and_then(Value::as_bool),
        sdk: s(v, "sdk"),
        host: s(v, "host"),
        sha: s(v, "sha").filter(|sha| (7..=64).contains(&sha.len()) && sha.bytes().all(|b| b.is_ascii_hexdigit())),
        runtime,
        card_data: v.get("cardData").and_then(Value::as_object).cloned(),
        siblings: v
            .get("siblings")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get("rfilename").and_then(Value::as_str))
                    .map(str::to_string)
                    .take(100_000)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Fetches the Space's info only (for `hf://`, before downloading files).
pub async fn fetch_info(client: &HubClient, id: &str) -> Result<InfoOutcome, HubError> {
    let resp = client.get(&client.url(&format!("/api/spaces/{id}")), true, MAX_API_BODY).await?;
    info_outcome(resp, id)
}

fn info_outcome(resp: Response, id: &str) -> Result<InfoOutcome, HubError> {
    match resp.status {
        200 => {
            let v = resp.json()?;
            if !v.is_object() {
                return Err(HubError::BadAnswer {
                    url: resp.url.clone(),
                    message: "the Space info is not a JSON object".into(),
                });
            }
            Ok(InfoOutcome::Found(parse_info(&v, id)))
        }
        401 | 403 | 404 => Ok(InfoOutcome::NotVisible(resp)),
        _ => Err(HubError::Status { url: resp.url.clone(), status: resp.status, detail: resp.describe() }),
    }
}

async fn fetch_names(client: &HubClient, path: &str) -> Result<Result<Vec<String>, Response>, HubError> {
    let resp = client.get(&client.url(path), true, MAX_API_BODY).await?;
    if !resp.is_success() {
        return Ok(Err(resp));
    }
    let v = resp.json()?;
    // Keyed by name (hub.md); a list of {key: ...} is accepted too.
    let names = match &v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.get("key").or_else(|| x.get("name")).and_then(Value::as_str).map(str::to_string))
            .collect(),
        _ => {
            return Err(HubError::BadAnswer {
                url: resp.url.clone(),
                message: "expected an object keyed by name".into(),
            })
        }
    };
    Ok(Ok(names))
}

/// What the secrets listing says, from its answer (`None`: not asked, for want of a token).
fn secrets_outcome(
    answer: Option<Result<Result<Vec<String>, Response>, HubError>>,
    space_found: bool,
) -> Result<SecretsOutcome, HubError> {
    Ok(match answer {
        None => SecretsOutcome::NoToken,
        Some(Ok(Ok(names))) => SecretsOutcome::Names(names),
        Some(Ok(Err(resp))) if matches!(resp.status, 401 | 403) => SecretsOutcome::Denied(resp.describe()),
        Some(Ok(Err(resp))) if matches!(resp.status, 404 | 405) && space_found => {
            SecretsOutcome::Unsupported(resp.describe())
        }
        Some(Ok(Err(resp))) if matches!(resp.status, 404) => SecretsOutcome::Denied(resp.describe()),
        Some(Ok(Err(resp))) => {
            return Err(HubError::Status { url: resp.url.clone(), status: resp.status, detail: resp.describe() })
        }
        Some(Err(e)) => return Err(e),
    })
}

/// Lists a Space's secret names after a probe that did not ask for them (a Dockerfile fetched
/// from the Hub turns out to mount build secrets).
pub async fn add_secrets(client: &HubClient, probe: &mut Probe) -> Result<(), HubError> {
    if probe.secrets.is_some() {
        return Ok(());
    }
    let answer = if client.has_token() {
        Some(fetch_names(client, &format!("/api/spaces/{}/secrets", probe.space_id)).await)
    } else {
        None
    };
    probe.secrets = Some(secrets_outcome(answer, probe.info().is_some())?);
    Ok(())
}

/// Probes a Space. `Err` means the Hub could not be asked (exit 2); a Space that is missing or
/// private is `InfoOutcome::NotVisible`, a finding.
pub async fn probe(client: &HubClient, id: &str, options: ProbeOptions) -> Result<Probe, HubError> {
    let info_url = client.url(&format!("/api/spaces/{id}"));
    let info = client.get(&info_url, true, MAX_API_BODY);
    let want_secrets = options.secrets && client.has_token();
    let secrets = async {
        if want_secrets {
            Some(fetch_names(client, &format!("/api/spaces/{id}/secrets")).await)
        } else {
            None
        }
    };
    let variables = async {
        if want_secrets && options.variables {
            Some(fetch_names(client, &format!("/api/spaces/{id}/variables")).await)
        } else {
            None
        }
    };
    let (info, secrets, variables) = tokio::join!(info, secrets, variables);
    let info = info_outcome(info?, id)?;
    let secrets =
        if !options.secrets { None } else { Some(secrets_outcome(secrets, matches!(info, InfoOutcome::Found(_)))?) };
    let variables = variables.and_then(|r| r.ok()).and_then(|r| r.ok());
    let app = match (&info, options.app) {
        (_, false) => AppOutcome::NotChecked("not asked".into()),
        (InfoOutcome::NotVisible(_), _) => AppOutcome::NotChecked("the Space is not visible".into()),
        (InfoOutcome::Found(i), true) => check_app(client, i).await,
    };
    Ok(Probe { space_id: id.to_string(), info, secrets, variables, app, with_token: client.has_token() })
}

async fn check_app(client: &HubClient, info: &SpaceInfo) -> AppOutcome {
    let Some(host) = info.host.as_deref().filter(|h| h.starts_with("http://") || h.starts_with("https://")) else {
        return AppOutcome::NotChecked("the Hub reports no app host for this Space".into());
    };
    let base = info.card_data.as_ref().and_then(|c| c.get("base_path")).and_then(Value::as_str).unwrap_or("/");
    let url = format!(
        "{}{}",
        host.trim_end_matches('/'),
        if base.starts_with('/') { base.to_string() } else { format!("/{base}") }
    );
    match client.get_app(&url, app_gets_the_token(info, &url), 64 << 10).await {
        Ok(r) if r.is_success() => AppOutcome::Answered(r.status),
        // A redirect is the app answering (to a login page, a trailing slash); where it points
        // is not fetched, and nothing of it is quoted.
        Ok(r) if (300..400).contains(&r.status) => AppOutcome::Answered(r.status),
        Ok(r) => AppOutcome::Failed(format!("GET {url} answered {}", r.describe())),
        // A large page is an answer only when its status is one.
        Err(HubError::TooLarge { status, .. }) if (200..300).contains(&status) => AppOutcome::Answered(status),
        Err(e) => AppOutcome::Failed(e.to_string()),
    }
}

/// The token goes only to a private Space's app on the Hub's own app domain (it needs it); a
/// public Space's app is the student's container and gets none, nor does any other host.
fn app_gets_the_token(info: &SpaceInfo, url: &str) -> bool {
    info.private == Some(true) && url::host_of(url).is_some_and(|h| h.ends_with(".hf.space"))
}

mod url {
    /// The host of an http(s) URL, read by the same WHATWG URL parser the HTTP client uses to
    /// decide where the request goes (so `http://127.0.0.1:1\@x.hf.space` is 127.0.0.1 to both).
    pub fn host_of(url: &str) -> Option<String> {
        let parsed = reqwest::Url::parse(url).ok()?;
        matches!(parsed.scheme(), "http" | "https").then(|| parsed.host_str().map(str::to_ascii_lowercase)).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_private_spaces_app_gets_the_token() {
        let info = |private: Option<bool>| parse_info(&serde_json::json!({"id": "a/b", "private": private}), "a/b");
        assert!(app_gets_the_token(&info(Some(true)), "https://a-b.hf.space/"));
        assert!(!app_gets_the_token(&info(Some(false)), "https://a-b.hf.space/"), "a public app is the student's");
        assert!(!app_gets_the_token(&info(None), "https://a-b.hf.space/"));
        assert!(!app_gets_the_token(&info(Some(true)), "https://evil.example/"));
        assert!(!app_gets_the_token(&info(Some(true)), "http://127.0.0.1:1\\@x.hf.space/"));
    }

    #[test]
    fn space_ids() {
        assert!(valid_space_id("alice/ga2-f0af22"));
        assert!(valid_space_id("Org_1/my.space"));
        for bad in ["alice", "/x", "a/", "a/b/c", "a/../b", "a/b c", "-a/b", "a/b?x=1"] {
            assert!(!valid_space_id(bad), "{bad}");
        }
    }

    #[test]
    fn lenient_info_parsing() {
        let v: Value = serde_json::json!({"id": "a/b", "private": false, "sdk": "docker", "runtime": {"stage": "SLEEPING", "hardware": {"current": null, "requested": "cpu-basic"}}, "siblings": [{"rfilename": "Dockerfile"}, {"x": 1}], "cardData": {"app_port": 7255}});
        let i = parse_info(&v, "a/b");
        assert_eq!(i.runtime.as_ref().unwrap().hardware_current, None);
        assert_eq!(i.runtime.as_ref().unwrap().hardware_requested.as_deref(), Some("cpu-basic"));
        assert_eq!(i.siblings, vec!["Dockerfile"]);
        let i = parse_info(&serde_json::json!({"weird": true}), "a/b");
        assert!(i.runtime.is_none() && i.sdk.is_none());
    }

    #[test]
    fn hosts() {
        let host = |u: &str| url::host_of(u);
        assert_eq!(host("https://a-b.hf.space/x").as_deref(), Some("a-b.hf.space"));
        assert_eq!(host("http://127.0.0.1:8080/app").as_deref(), Some("127.0.0.1"));
        assert_eq!(host("https://evil.com@a.hf.space.evil.com/").as_deref(), Some("a.hf.space.evil.com"));
        // A backslash ends the authority for the HTTP client: the host is 127.0.0.1.
        assert_eq!(host("http://127.0.0.1:9\\@x.hf.space/").as_deref(), Some("127.0.0.1"));
        assert_eq!(host("HTTPS://A.HF.SPACE/").as_deref(), Some("a.hf.space"));
        assert_eq!(host("file:///etc/passwd"), None);
    }
}
