//! A replay of the "Publish a Docker Space" grader (grader.md): its twelve checks, in order,
//! stopping at the first failure, on the same inputs it reads (the submitted URL, the Space
//! info, the root file listing, the raw Dockerfile, requirements.txt and README.md).
//!
//! Messages the grader is known to show are quoted exactly ("Unable to fetch space metadata
//! (HTTP n)", "Space title should be <name>"); the others are spacecheck's wording of the check.
//! Inputs spacecheck could not obtain (offline) make the verdict incomplete, never a pass.

use std::sync::LazyLock;

use regex::Regex;

use super::StudentValues;

/// What the grader reads. `None` = not fetched (offline); the inner `Option` of a file is
/// `None` when the file is absent.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    pub submission: Option<String>,
    /// The info answer: its status and, for 200, the fields the grader reads.
    pub info: Option<InfoSeen>,
    pub dockerfile: Option<Option<String>>,
    pub requirements: Option<Option<String>>,
    pub readme: Option<Option<String>>,
    /// Without the Hub: the local frontmatter's `app_port` and `title`, standing in for the
    /// `cardData` the Hub will parse from the same README once pushed (checks 6 and 7).
    pub local_card: Option<(Option<serde_json::Value>, Option<String>)>,
}

#[derive(Debug, Clone, Default)]
pub struct InfoSeen {
    pub status: u16,
    pub sdk: Option<String>,
    pub private: Option<bool>,
    pub siblings: Vec<String>,
    pub card_app_port: Option<serde_json::Value>,
    pub card_title: Option<String>,
    /// `None` when the answer has no `runtime` (the grader throws); `Some(None)` for a null
    /// `hardware.current`.
    pub hardware_current: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail {
        check: u8,
        message: String,
    },
    /// No check failed, but these could not be run.
    Incomplete {
        unknown: Vec<u8>,
    },
}

impl Verdict {
    pub fn line(&self) -> String {
        match self {
            Verdict::Pass => "grader: PASS".into(),
            Verdict::Fail { check, message } => format!("grader: FAIL at check {check}: {message}"),
            Verdict::Incomplete { unknown } => format!(
                "grader: INCOMPLETE: no check failed, but checks {} need the Hub (use --space OWNER/NAME or hf://OWNER/NAME)",
                unknown.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Check 1: the submission, trimmed and with one trailing `/` removed, starts with the Spaces URL.
pub fn check_submission(url: &str) -> Result<(), String> {
    let t = url.trim();
    let t = t.strip_suffix('/').unwrap_or(t);
    if t.starts_with("https://huggingface.co/spaces/") {
        Ok(())
    } else {
        Err("the submission must be a URL like https://huggingface.co/spaces/<user>/<name>".into())
    }
}

/// Check 9, first part: the literal `USER user`.
pub fn check_user_line(text: &str) -> Result<(), String> {
    if text.contains("USER user") {
        Ok(())
    } else {
        Err("Dockerfile must contain `USER user`".into())
    }
}

/// Check 9, second part: the literal `EXPOSE <port>`.
pub fn check_expose_line(text: &str, port: u16) -> Result<(), String> {
    if text.contains(&format!("EXPOSE {port}")) {
        Ok(())
    } else {
        Err(format!("Dockerfile must contain `EXPOSE {port}`"))
    }
}

/// Check 9, third part: a match of `ENV\s+APP_PORT=`.
pub fn check_env_app_port(text: &str) -> Result<(), String> {
    static ENV_APP_PORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"ENV\s+APP_PORT=").expect("valid regex"));
    if ENV_APP_PORT.is_match(text) {
        Ok(())
    } else {
        Err("Dockerfile must set `ENV APP_PORT=`".into())
    }
}

/// Check 9: the Dockerfile's literal texts, in the grader's order.
pub fn check_dockerfile(text: &str, port: u16) -> Result<(), String> {
    check_user_line(text)?;
    check_expose_line(text, port)?;
    check_env_app_port(text)
}

/// Check 10: requirements.txt, lowercased, names fastapi and uvicorn.
pub fn check_requirements(text: Option<&str>) -> Result<(), String> {
    let Some(text) = text else { return Err("requirements.txt not found".into()) };
    let lower = text.to_lowercase();
    for p in ["fastapi", "uvicorn"] {
        if !lower.contains(p) {
            return Err(format!("requirements.txt must include {p}"));
        }
    }
    Ok(())
}

/// Check 11: README.md's text.
pub fn check_readme(text: Option<&str>, v: &StudentValues) -> Result<(), String> {
    let Some(text) = text else { return Err("README.md not found".into()) };
    if !text.contains(&v.description) {
        return Err(format!("README.md must contain `{}`", v.description));
    }
    let port = Regex::new(&format!(r"app_port:\s*{}", v.app_port)).expect("valid regex");
    if !port.is_match(text) {
        return Err(format!("README.md must contain `app_port: {}`", v.app_port));
    }
    static SDK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"sdk:\s*docker").expect("valid regex"));
    if !SDK.is_match(text) {
        return Err("README.md must contain `sdk: docker`".into());
    }
    Ok(())
}

/// Check 6: `cardData.app_port` is the port as a number (a quoted "7255" fails).
pub fn check_card_port(value: Option<&serde_json::Value>, port: u16) -> Result<(), String> {
    match value {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(port)) => Ok(()),
        _ => Err(format!("app_port must be {port}")),
    }
}

/// Check 7: `cardData.title` is exactly the Space name.
pub fn check_title(title: Option<&str>, name: &str) -> Result<(), String> {
    if title == Some(name) {
        Ok(())
    } else {
        Err(format!("Space title should be {name}"))
    }
}

/// Check 12: `runtime.hardware.current` is cpu-basic; null fails (the Space is not running).
pub fn check_hardware(current: Option<&Option<String>>) -> Result<(), String> {
    match current {
        None => Err("the grader could not read the Space's runtime (its answer has none)".into()),
        Some(Some(h)) if h == "cpu-basic" => Ok(()),
        Some(Some(h)) => Err(format!("Space hardware must be cpu-basic (it is {h})")),
        Some(None) => Err("Space hardware must be cpu-basic (it is not running now: none is assigned)".into()),
    }
}

/// Runs the checks in the grader's order.
pub fn replay(inputs: &Inputs, v: &StudentValues) -> Verdict {
    let mut unknown = Vec::new();
    macro_rules! step {
        ($n:expr, $result:expr) => {
            match $result {
                Some(Err(message)) => return Verdict::Fail { check: $n, message },
                Some(Ok(())) => {}
                None => unknown.push($n),
            }
        };
    }
    step!(1, inputs.submission.as_deref().map(check_submission));
    let info = inputs.info.as_ref();
    step!(
        2,
        info.map(|i| if i.status == 200 {
            Ok(())
        } else {
            Err(format!("Unable to fetch space metadata (HTTP {})", i.status))
        })
    );
    step!(
        3,
        info.map(|i| if i.sdk.as_deref() == Some("docker") { Ok(()) } else { Err("Space SDK must be docker".into()) })
    );
    step!(4, info.map(|i| if i.private == Some(true) { Err("Space must be public".into()) } else { Ok(()) }));
    step!(5, info.map(|i| if i.siblings.is_empty() { Err("Space repository has no files".into()) } else { Ok(()) }));
    let card = info.map(|i| (i.card_app_port.clone(), i.card_title.clone())).or_else(|| inputs.local_card.clone());
    step!(6, card.as_ref().map(|(port, _)| check_card_port(port.as_ref(), v.app_port)));
    step!(7, card.as_ref().map(|(_, title)| check_title(title.as_deref(), &v.space_name)));
    step!(
        8,
        info.map(|i| if i.siblings.iter().any(|s| s == "Dockerfile") {
            Ok(())
        } else {
            Err("Dockerfile not found at the root of the Space".into())
        })
    );
    let trailing_slash = inputs.submission.as_deref().is_some_and(|s| s.trim().ends_with('/'));
    let raw_unreachable = |what: &str| {
        Err(format!("could not fetch the raw {what}: the submitted URL ends with `/`, so the grader asks for `...//raw/main/{what}`"))
    };
    step!(
        9,
        inputs.dockerfile.as_ref().map(|d| if trailing_slash {
            raw_unreachable("Dockerfile")
        } else {
            d.as_deref().map_or(Err("Dockerfile not found".into()), |t| check_dockerfile(t, v.app_port))
        })
    );
    step!(
        10,
        inputs.requirements.as_ref().map(|r| if trailing_slash {
            raw_unreachable("requirements.txt")
        } else {
            check_requirements(r.as_deref())
        })
    );
    step!(
        11,
        inputs.readme.as_ref().map(|r| if trailing_slash {
            raw_unreachable("README.md")
        } else {
            check_readme(r.as_deref(), v)
        })
    );
    step!(12, info.map(|i| check_hardware(i.hardware_current.as_ref())));
    if unknown.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Incomplete { unknown }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::derive;

    fn student() -> StudentValues {
        derive("23f1000000@ds.study.iitm.ac.in")
    }

    fn passing() -> Inputs {
        let v = student();
        Inputs {
            submission: Some("https://huggingface.co/spaces/alice/ga2-084d53".into()),
            info: Some(InfoSeen {
                status: 200,
                sdk: Some("docker".into()),
                private: Some(false),
                siblings: vec!["Dockerfile".into(), "README.md".into(), "requirements.txt".into()],
                card_app_port: Some(serde_json::json!(7349)),
                card_title: Some(v.space_name.clone()),
                hardware_current: Some(Some("cpu-basic".into())),
            }),
            dockerfile: Some(Some("FROM python:3.11-slim\nUSER user\nENV APP_PORT=7349\nEXPOSE 7349\n".into())),
            requirements: Some(Some("FastAPI\nuvicorn[standard]\n".into())),
            readme: Some(Some(format!(
                "---\nsdk: docker\napp_port: 7349\nshort_description: {}\n---\n",
                v.description
            ))),
            local_card: None,
        }
    }

    #[test]
    fn a_complete_passing_submission() {
        assert_eq!(replay(&passing(), &student()), Verdict::Pass);
    }

    #[test]
    fn stops_at_the_first_failure_in_order() {
        let v = student();
        let mut i = passing();
        i.info.as_mut().unwrap().card_title = Some("My Space".into());
        i.info.as_mut().unwrap().hardware_current = Some(None);
        assert_eq!(replay(&i, &v), Verdict::Fail { check: 7, message: "Space title should be ga2-084d53".into() });
        let mut i = passing();
        i.info.as_mut().unwrap().status = 401;
        assert_eq!(
            replay(&i, &v),
            Verdict::Fail { check: 2, message: "Unable to fetch space metadata (HTTP 401)".into() }
        );
    }

    #[test]
    fn each_check_can_fail() {
        let v = student();
        type Change = Box<dyn Fn(&mut Inputs)>;
        let cases: Vec<(u8, Change)> = vec![
            (1, Box::new(|i| i.submission = Some("huggingface.co/spaces/a/b".into()))),
            (3, Box::new(|i| i.info.as_mut().unwrap().sdk = Some("gradio".into()))),
            (4, Box::new(|i| i.info.as_mut().unwrap().private = Some(true))),
            (5, Box::new(|i| i.info.as_mut().unwrap().siblings.clear())),
            (6, Box::new(|i| i.info.as_mut().unwrap().card_app_port = Some(serde_json::json!("7349")))),
            (8, Box::new(|i| i.info.as_mut().unwrap().siblings = vec!["docker/Dockerfile".into()])),
            (9, Box::new(|i| i.dockerfile = Some(Some("FROM x\nUSER 1000\nENV APP_PORT=7349\nEXPOSE 7349\n".into())))),
            (9, Box::new(|i| i.submission = Some("https://huggingface.co/spaces/alice/ga2-084d53/".into()))),
            (10, Box::new(|i| i.requirements = Some(Some("flask\n".into())))),
            (11, Box::new(|i| i.readme = Some(Some("---\nsdk: docker\napp_port: 7349\n---\n".into())))),
            (12, Box::new(|i| i.info.as_mut().unwrap().hardware_current = Some(None))),
            (12, Box::new(|i| i.info.as_mut().unwrap().hardware_current = None)),
        ];
        for (check, change) in cases {
            let mut i = passing();
            change(&mut i);
            match replay(&i, &v) {
                Verdict::Fail { check: c, .. } => assert_eq!(c, check),
                other => panic!("expected a failure at {check}, got {other:?}"),
            }
        }
    }

    #[test]
    fn offline_inputs_are_incomplete_not_passing() {
        let mut i = passing();
        i.info = None;
        i.submission = None;
        assert_eq!(replay(&i, &student()), Verdict::Incomplete { unknown: vec![1, 2, 3, 4, 5, 6, 7, 8, 12] });
        i.local_card = Some((Some(serde_json::json!(7349)), Some("ga2-084d53".into())));
        assert_eq!(replay(&i, &student()), Verdict::Incomplete { unknown: vec![1, 2, 3, 4, 5, 8, 12] });
        i.local_card = Some((Some(serde_json::json!(7349)), Some("other".into())));
        assert!(matches!(replay(&i, &student()), Verdict::Fail { check: 7, .. }));
    }
}
