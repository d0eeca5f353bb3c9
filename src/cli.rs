//! The command line (contract.md, "Commands"): `spacecheck [PATH] [options]`, `rules`,
//! `explain CODE`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use std::time::Duration;

use crate::assignment::{self, grader};
use crate::hub::client::{ClientOptions, HubClient};
use crate::hub::probe::{self, ProbeOptions};
use crate::hub::{remote, token};
use crate::lint::{self, Options};
use crate::parse::frontmatter;
use crate::policy::{Policy, PolicyError};
use crate::report::{self, Format};
use crate::rules::{self, Severity};
use crate::space::Space;

#[derive(Parser, Debug)]
#[command(name = "spacecheck", version, about = "Compliance linter and validator for Hugging Face Docker Spaces", args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every rule: code, name, default severity, summary.
    Rules {
        /// Print the catalogue as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a rule's documentation: what it checks, why, an example, the fix.
    Explain {
        /// A rule code, e.g. DF005.
        code: String,
    },
    /// Course assignments spacecheck knows, and the values one student must use.
    Assignment {
        #[command(subcommand)]
        action: AssignmentAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum AssignmentAction {
    /// The assignments spacecheck can grade like their grader.
    List,
    /// The values derived for one student, as JSON: space_name, secret, app_port, description.
    Show {
        /// Assignment id or alias (q-huggingface-docker, ga2).
        id: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// The Space folder to lint (or hf://OWNER/NAME).
    #[arg(default_value = ".")]
    pub path: String,
    /// Policy file; default: spacecheck.yaml in the Space, else the built-in baseline.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Also probe this Space on the Hub (live rules).
    #[arg(long, value_name = "OWNER/NAME")]
    pub space: Option<String>,
    /// Never touch the network: live rules are reported as skipped.
    #[arg(long)]
    pub offline: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only these codes (comma list; prefixes like DF or HUB00 allowed).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Leave out these codes (comma list; prefixes allowed).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding at or above this level exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Seconds each request to the Hub may take (connect, answer and body).
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0)]
    pub timeout: f64,
    /// Retries of a request that gets no answer, a 429 or a 5xx, with jittered backoff.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Check against a course assignment (q-huggingface-docker, alias ga2): the student's
    /// derived values become the policy, and the grader's checks (GA rules) run too.
    #[arg(long, value_name = "ID", requires = "email", conflicts_with = "policy")]
    pub assignment: Option<String>,
    /// The student's email, for --assignment.
    #[arg(long, value_name = "EMAIL", requires = "assignment")]
    pub email: Option<String>,
    /// The URL the student will submit (GA008); default: built from --space or hf://.
    #[arg(long, value_name = "URL", requires = "assignment")]
    pub submission: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

/// An error that makes the run unable to check: exit code 2.
#[derive(Debug)]
pub struct CannotCheck(pub String);

impl From<PolicyError> for CannotCheck {
    fn from(e: PolicyError) -> Self {
        CannotCheck(e.0)
    }
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Some(Command::Rules { json }) => print_rules(&mut stdout, json).map(|_| 0),
        Some(Command::Explain { code }) => explain(&mut stdout, &code),
        Some(Command::Assignment { action }) => run_assignment(&mut stdout, action),
        None => run_lint(&mut stdout, &cli.lint),
    };
    match result {
        Ok(code) => code,
        Err(CannotCheck(message)) => {
            let _ = stdout.flush();
            eprintln!("spacecheck: error: {}", crate::redact::mask_credentials(&message));
            2
        }
    }
}

fn print_rules(out: &mut dyn Write, json: bool) -> Result<(), CannotCheck> {
    let write_err = |e: std::io::Error| CannotCheck(format!("cannot write output: {e}"));
    if json {
        let list: Vec<serde_json::Value> = rules::all()
            .iter()
            .map(|r| serde_json::json!({"code": r.code, "name": r.name, "severity": r.severity.as_str(), "summary": r.summary, "live": r.live}))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list).unwrap_or_default()).map_err(write_err)?;
        return Ok(());
    }
    for r in rules::all() {
        let live = if r.live { " (live)" } else { "" };
        writeln!(out, "{:<7} {:<22} {:<8} {}{live}", r.code, r.name, r.severity.as_str(), r.summary).map_err(write_err)?;
    }
    Ok(())
}

fn explain(out: &mut dyn Write, code: &str) -> Result<i32, CannotCheck> {
    let Some(rule) = rules::find(code) else {
        let codes: Vec<&str> = rules::all().iter().map(|r| r.code).collect();
        let hint = crate::suggest::nearest(&code.to_ascii_uppercase(), &codes).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
        return Err(CannotCheck(format!("unknown rule code `{code}`{hint}; `spacecheck rules` lists them")));
    };
    let kind = if rule.live { ", live: needs --space or hf://" } else { "" };
    writeln!(out, "{} {} (default: {}{kind})\n\n{}\n\n{}", rule.code, rule.name, rule.severity.as_str(), rule.summary, rule.doc)
        .map_err(|e| CannotCheck(format!("cannot write output: {e}")))?;
    Ok(0)
}

fn client(args: &LintArgs) -> Result<HubClient, CannotCheck> {
    let endpoint = std::env::var("HF_ENDPOINT").ok().filter(|e| !e.trim().is_empty()).unwrap_or_else(|| "https://huggingface.co".into());
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        return Err(CannotCheck(format!("HF_ENDPOINT must be an http(s) URL, not `{endpoint}`")));
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 600.0) {
        return Err(CannotCheck("--timeout must be between 0 and 600 seconds".into()));
    }
    let options = ClientOptions {
        endpoint: endpoint.trim_end_matches('/').to_string(),
        timeout: Duration::from_secs_f64(args.timeout),
        connect_timeout: Duration::from_secs_f64(args.timeout.min(5.0)),
        retries: args.retries.min(10),
        ..ClientOptions::default()
    };
    let token = token::discover(&token::from_process_env).map(|(t, _)| t);
    HubClient::new(options, token).map_err(CannotCheck)
}

fn runtime() -> Result<tokio::runtime::Runtime, CannotCheck> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| CannotCheck(format!("cannot start the network runtime: {e}")))
}

/// `hf://OWNER/NAME`: probe the Space, fetch its files into a private temporary folder, lint
/// them as a local Space would be, and add the live findings.
fn lint_remote(args: &LintArgs, id: &str, options: &Options) -> Result<lint::Report, CannotCheck> {
    let client = client(args)?;
    let rt = runtime()?;
    let target = format!("hf://{id}");
    // The policy is needed before probing (secrets); a policy file inside the remote Space is
    // not trusted for that: the assignment's, --policy, else the baseline.
    let policy = choose_policy(args, None, Some(id))?;
    let probe_options = ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true };
    let probe = rt.block_on(probe::probe(&client, id, probe_options)).map_err(|e| CannotCheck(format!("could not check `{id}` on the Hub: {e}")))?;
    let live = rules::run_live(&rules::LiveContext { probe: &probe, policy: &policy, local: None });
    let Some(info) = probe.info() else {
        let mut report = lint::lint_with_live(None, &target, &policy, options, live);
        if let Some(values) = &policy.assignment {
            let inputs = grader::Inputs { submission: policy.submission.clone(), info: Some(assignment::info_seen(&probe)), ..Default::default() };
            report.grader = Some(grader::replay(&inputs, values));
        }
        return Ok(report);
    };
    let dir = tempfile::tempdir().map_err(|e| CannotCheck(format!("cannot create a temporary folder: {e}")))?;
    let fetched = rt.block_on(remote::fetch_files(&client, id, info, dir.path())).map_err(|e| CannotCheck(format!("could not download the files of `{id}`: {e}")))?;
    for note in &fetched.notes {
        eprintln!("spacecheck: note: {note}");
    }
    let mut space = Space::load(dir.path()).map_err(|e| CannotCheck(e.0))?;
    space.display = target.clone();
    space.add_listed_files(&fetched.listed_only);
    let mut report = lint::lint_with_live(Some(&space), &target, &policy, options, live);
    if let Some(values) = &policy.assignment {
        let mut inputs = local_grader_inputs(&space, &policy);
        inputs.info = Some(assignment::info_seen(&probe));
        report.grader = Some(grader::replay(&inputs, values));
    }
    Ok(report)
}

fn run_assignment(out: &mut dyn Write, action: AssignmentAction) -> Result<i32, CannotCheck> {
    let write_err = |e: std::io::Error| CannotCheck(format!("cannot write output: {e}"));
    match action {
        AssignmentAction::List => {
            for a in assignment::ASSIGNMENTS {
                writeln!(out, "{} (alias {}): {}", a.id, a.aliases.join(", "), a.title).map_err(write_err)?;
            }
        }
        AssignmentAction::Show { id, email } => {
            let a = find_assignment(&id)?;
            let v = assignment::derive(&email);
            let shown = serde_json::json!({"assignment": a.id, "email": v.email, "space_name": v.space_name, "secret": v.secret, "app_port": v.app_port, "description": v.description});
            writeln!(out, "{}", serde_json::to_string_pretty(&shown).unwrap_or_default()).map_err(write_err)?;
        }
    }
    Ok(0)
}

fn find_assignment(id: &str) -> Result<&'static assignment::Assignment, CannotCheck> {
    assignment::find(id).ok_or_else(|| {
        let known: Vec<String> = assignment::ASSIGNMENTS.iter().map(|a| format!("{} ({})", a.id, a.aliases.join(", "))).collect();
        CannotCheck(format!("unknown assignment `{id}`; known: {}", known.join("; ")))
    })
}

/// The student's values in assignment mode.
fn student(args: &LintArgs) -> Result<Option<assignment::StudentValues>, CannotCheck> {
    match (&args.assignment, &args.email) {
        (Some(id), Some(email)) => {
            find_assignment(id)?;
            if !email.contains('@') {
                return Err(CannotCheck(format!("`{email}` does not look like an email address")));
            }
            Ok(Some(assignment::derive(email)))
        }
        _ => Ok(None),
    }
}

/// The policy: the assignment's (derived), else --policy, else spacecheck.yaml in the Space
/// (local targets only), else the baseline.
fn choose_policy(args: &LintArgs, root: Option<&Path>, space_id: Option<&str>) -> Result<Policy, CannotCheck> {
    if let (Some(values), Some(id)) = (student(args)?, &args.assignment) {
        let a = find_assignment(id)?;
        let mut policy = assignment::policy_for(&values, a);
        policy.submission = args.submission.clone().or_else(|| space_id.map(|id| format!("https://huggingface.co/spaces/{id}")));
        return Ok(policy);
    }
    match root {
        Some(root) => load_policy(args, root),
        None => match &args.policy {
            Some(p) => Ok(Policy::load(p)?),
            None => Ok(Policy::baseline()),
        },
    }
}

/// The grader's inputs from local files only (no Hub): checks needing the Hub stay unknown.
fn local_grader_inputs(space: &Space, policy: &Policy) -> grader::Inputs {
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

fn load_policy(args: &LintArgs, root: &Path) -> Result<Policy, CannotCheck> {
    if let Some(p) = &args.policy {
        return Ok(Policy::load(p)?);
    }
    let local = root.join("spacecheck.yaml");
    if local.is_file() {
        return Ok(Policy::load(&local)?);
    }
    Ok(Policy::baseline())
}

fn run_lint(out: &mut dyn Write, args: &LintArgs) -> Result<i32, CannotCheck> {
    let remote = args.path.strip_prefix("hf://").map(|s| s.trim_end_matches('/').to_string());
    if remote.is_some() && args.space.is_some() {
        return Err(CannotCheck("give either hf://OWNER/NAME or --space, not both".into()));
    }
    if remote.is_some() && args.offline {
        return Err(CannotCheck("hf:// lints the files stored on the Hub; with --offline there is nothing to lint".into()));
    }
    let space_id = remote.clone().or_else(|| args.space.clone());
    if let Some(id) = &space_id {
        if !probe::valid_space_id(id) {
            return Err(CannotCheck(format!("`{id}` is not a Space id: expected OWNER/NAME (letters, digits, `-`, `_`, `.`)")));
        }
    }

    let options = Options {
        select: args.select.iter().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()).collect(),
        ignore: args.ignore.iter().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()).collect(),
        fail_on: match args.fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        },
        offline: args.offline,
    };
    for code in options.select.iter().chain(&options.ignore) {
        if !rules::all().iter().any(|r| r.code.starts_with(code.as_str())) {
            return Err(CannotCheck(format!("`{code}` in --select/--ignore matches no rule code; `spacecheck rules` lists them")));
        }
    }
    let report = match (&space_id, remote.is_some(), args.offline) {
        (Some(id), true, _) => lint_remote(args, id, &options)?,
        (Some(id), false, false) => {
            let root = PathBuf::from(&args.path);
            let space = Space::load(&root).map_err(|e| CannotCheck(e.0))?;
            let policy = choose_policy(args, Some(&root), Some(id))?;
            let client = client(args)?;
            let rt = runtime()?;
            let probe_options = ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true };
            let probe = rt.block_on(probe::probe(&client, id, probe_options)).map_err(|e| CannotCheck(format!("could not check `{id}` on the Hub: {e}")))?;
            let local = space.readme.text().and_then(|f| frontmatter::parse(f).ok());
            let live = rules::run_live(&rules::LiveContext { probe: &probe, policy: &policy, local: local.as_ref() });
            let mut report = lint::lint_with_live(Some(&space), &space.display, &policy, &options, live);
            if let Some(values) = &policy.assignment {
                // The grader reads the files stored on the Hub, not the local ones.
                let fetch = |path: &'static str| remote::fetch_text(&client, id, path);
                let (dockerfile, requirements, readme) = rt.block_on(async { tokio::join!(fetch("Dockerfile"), fetch("requirements.txt"), fetch("README.md")) });
                let err = |e: crate::hub::client::HubError| CannotCheck(format!("could not read the files of `{id}` on the Hub: {e}"));
                let inputs = grader::Inputs {
                    submission: policy.submission.clone(),
                    info: Some(assignment::info_seen(&probe)),
                    dockerfile: Some(dockerfile.map_err(err)?),
                    requirements: Some(requirements.map_err(err)?),
                    readme: Some(readme.map_err(err)?),
                    local_card: None,
                };
                report.grader = Some(grader::replay(&inputs, values));
            }
            report
        }
        _ => {
            let root = PathBuf::from(&args.path);
            let space = Space::load(&root).map_err(|e| CannotCheck(e.0))?;
            let policy = choose_policy(args, Some(&root), None)?;
            let mut report = lint::lint(&space, &policy, &options);
            if let Some(values) = &policy.assignment {
                report.grader = Some(grader::replay(&local_grader_inputs(&space, &policy), values));
            }
            report
        }
    };
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            report::human::render(&report, color)
        }
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report),
        Format::Github => report::github::render(&report),
    };
    // Last line of defence: nothing shaped like a credential leaves spacecheck unmasked.
    let text = crate::redact::mask_credentials(&text);
    out.write_all(text.as_bytes()).map_err(|e| CannotCheck(format!("cannot write output: {e}")))?;
    Ok(if report.passed() { 0 } else { 1 })
}
