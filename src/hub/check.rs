//! Checking one Space as stored on the Hub (`hf://`): probe it, fetch its files, lint them,
//! add the live findings and, in assignment mode, replay the grader. Shared by the lint command
//! and the batch grader.

use crate::assignment::{self, grader};
use crate::hub::client::{HubClient, HubError};
use crate::hub::probe::{self, ProbeOptions};
use crate::hub::remote;
use crate::lint::{self, Options, Report};
use crate::parse::frontmatter;
use crate::policy::Policy;
use crate::rules;
use crate::space::Space;

#[derive(Debug)]
pub enum CheckError {
    /// The Hub could not be asked (exit 2 for a single Space, an error row in a batch).
    Hub(HubError),
    Local(String),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::Hub(e) => write!(f, "{e}"),
            CheckError::Local(m) => f.write_str(m),
        }
    }
}

/// Lints `hf://id` with the given policy. `notes` receives remarks about skipped files.
pub async fn check_remote(
    client: &HubClient,
    id: &str,
    policy: &Policy,
    options: &Options,
    probe_options: ProbeOptions,
    notes: &mut Vec<String>,
) -> Result<Report, CheckError> {
    let target = format!("hf://{id}");
    let probe = probe::probe(client, id, probe_options).await.map_err(CheckError::Hub)?;
    let live = rules::run_live(&rules::LiveContext { probe: &probe, policy, local: None });
    let Some(info) = probe.info() else {
        let mut report = lint::lint_with_live(None, &target, policy, options, live);
        if let Some(values) = &policy.assignment {
            let inputs = grader::Inputs {
                submission: policy.submission.clone(),
                info: Some(assignment::info_seen(&probe)),
                ..Default::default()
            };
            report.grader = Some(grader::replay(&inputs, values));
        }
        return Ok(report);
    };
    let dir = tempfile::tempdir().map_err(|e| CheckError::Local(format!("cannot create a temporary folder: {e}")))?;
    let fetched = remote::fetch_files(client, id, info, dir.path()).await.map_err(CheckError::Hub)?;
    notes.extend(fetched.notes);
    let mut space = Space::load(dir.path()).map_err(|e| CheckError::Local(e.0))?;
    space.display = target.clone();
    space.add_listed_files(&fetched.listed_only);
    let mut report = lint::lint_with_live(Some(&space), &target, policy, options, live);
    if let Some(values) = &policy.assignment {
        let mut inputs = local_grader_inputs(&space, policy);
        inputs.info = Some(assignment::info_seen(&probe));
        report.grader = Some(grader::replay(&inputs, values));
    }
    Ok(report)
}

/// The grader's inputs from a Space's files (checks that need the Hub stay unknown, except 6
/// and 7, read from the frontmatter the Hub parses into cardData).
pub fn local_grader_inputs(space: &Space, policy: &Policy) -> grader::Inputs {
    let text = |p: &str| space.read_bytes(p).map(|b| crate::source::decode_bom_aware(&b));
    let fm = space.readme.text().and_then(|f| frontmatter::parse(f).ok());
    let local_card = fm.map(|fm| {
        let port = fm.value("app_port").map(|n| match &n.value {
            frontmatter::Value::Int(i) => serde_json::json!(i),
            other => serde_json::json!(other.to_text()),
        });
        (port, fm.value("title").and_then(|t| t.value.as_str()).map(str::to_string))
    });
    grader::Inputs {
        submission: policy.submission.clone(),
        info: None,
        dockerfile: Some(text("Dockerfile")),
        requirements: Some(text("requirements.txt")),
        readme: Some(text("README.md")),
        local_card,
    }
}
