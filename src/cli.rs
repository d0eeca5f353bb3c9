//! The command line (contract.md, "Commands"): `spacecheck [PATH] [options]`, `rules`,
//! `explain CODE`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use std::time::Duration;

use crate::assignment::{self, grader};
use crate::hub::client::{ClientOptions, HubClient};
use crate::hub::probe::{self, ProbeOptions};
use crate::hub::{check, remote, token};
use crate::lint::{self, Options};
use crate::parse::frontmatter;
use crate::policy::{Policy, PolicyError};
use crate::report::{self, Format};
use crate::rules::{self, Severity};
use crate::space::Space;
use crate::{grade, hook};

#[derive(Parser, Debug)]
#[command(
    name = "spacecheck",
    version,
    about = "Compliance linter and validator for Hugging Face Docker Spaces",
    args_conflicts_with_subcommands = true
)]
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
    /// Check many Spaces listed in a CSV roster (a `space` column), as `hf://` would.
    Grade(GradeArgs),
    /// A git pre-push hook that runs spacecheck on what is pushed.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Course assignments spacecheck knows, and the values one student must use.
    Assignment {
        #[command(subcommand)]
        action: AssignmentAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum HookAction {
    /// Write .git/hooks/pre-push (core.hooksPath honoured).
    Install {
        /// Replace a pre-push hook spacecheck did not write (it is kept as a backup).
        #[arg(long)]
        force: bool,
        /// The Space folder, inside its git repository.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Remove the hook spacecheck installed (and restore the one it replaced).
    Uninstall {
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct GradeArgs {
    /// CSV with a header holding `space` (OWNER/NAME or a Space URL), optionally `student`/`id`
    /// and `email`; `-` reads standard input.
    pub roster: PathBuf,
    /// The policy every Space is checked against.
    #[arg(long, value_name = "FILE", conflicts_with = "assignment")]
    pub policy: Option<PathBuf>,
    /// Grade an assignment: each row's `email` gives that student's values.
    #[arg(long, value_name = "ID")]
    pub assignment: Option<String>,
    /// Spaces checked at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Write the report here (`.json` for JSON, else CSV); default: CSV on standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0)]
    pub timeout: f64,
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub retries: u32,
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
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
    /// Name the target in reports (the pre-push hook lints an export of the pushed commit).
    #[arg(long, value_name = "NAME", hide = true)]
    pub display_name: Option<String>,
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
        Some(Command::Grade(args)) => run_grade(&mut stdout, &args),
        Some(Command::Hook { action }) => {
            let result = match action {
                HookAction::Install { force, path } => hook::install(&path, force),
                HookAction::Uninstall { path } => hook::uninstall(&path),
            };
            result
                .map(|msg| {
                    let _ = writeln!(stdout, "{msg}");
                    0
                })
                .map_err(|e| CannotCheck(e.0))
        }
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
        writeln!(out, "{:<7} {:<22} {:<8} {}{live}", r.code, r.name, r.severity.as_str(), r.summary)
            .map_err(write_err)?;
    }
    Ok(())
}

fn explain(out: &mut dyn Write, code: &str) -> Result<i32, CannotCheck> {
    let Some(rule) = rules::find(code) else {
        let codes: Vec<&str> = rules::all().iter().map(|r| r.code).collect();
        let hint = crate::suggest::nearest(&code.to_ascii_uppercase(), &codes)
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default();
        return Err(CannotCheck(format!("unknown rule code `{code}`{hint}; `spacecheck rules` lists them")));
    };
    let kind = if rule.live { ", live: needs --space or hf://" } else { "" };
    writeln!(
        out,
        "{} {} (default: {}{kind})\n\n{}\n\n{}",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary,
        rule.doc
    )
    .map_err(|e| CannotCheck(format!("cannot write output: {e}")))?;
    Ok(0)
}

fn client(args: &LintArgs) -> Result<HubClient, CannotCheck> {
    make_client(args.timeout, args.retries, 0)
}

/// A Hub client from HF_ENDPOINT, the discovered token and the timing options.
fn make_client(timeout: f64, retries: u32, pace_reserve: u64) -> Result<HubClient, CannotCheck> {
    let endpoint = std::env::var("HF_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "https://huggingface.co".into());
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        return Err(CannotCheck(format!("HF_ENDPOINT must be an http(s) URL, not `{endpoint}`")));
    }
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= 600.0) {
        return Err(CannotCheck("--timeout must be between 0 and 600 seconds".into()));
    }
    let mut options = ClientOptions {
        endpoint: endpoint.trim_end_matches('/').to_string(),
        timeout: Duration::from_secs_f64(timeout),
        connect_timeout: Duration::from_secs_f64(timeout.min(5.0)),
        retries: retries.min(10),
        pace_reserve,
        ..ClientOptions::default()
    };
    if pace_reserve > 0 {
        // A batch waits out a whole rate-limit window (5 minutes on the Hub) rather than fail.
        options.max_wait = Duration::from_secs(330);
    }
    let token = token::discover(&token::from_process_env).map(|(t, _)| t);
    HubClient::new(options, token).map_err(CannotCheck)
}

fn runtime() -> Result<tokio::runtime::Runtime, CannotCheck> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CannotCheck(format!("cannot start the network runtime: {e}")))
}

/// `hf://OWNER/NAME`: probe the Space, fetch its files into a private temporary folder, lint
/// them as a local Space would be, and add the live findings.
fn lint_remote(args: &LintArgs, id: &str, options: &Options) -> Result<lint::Report, CannotCheck> {
    let client = client(args)?;
    // The policy is needed before probing (secrets); a policy file inside the remote Space is
    // not trusted for that: the assignment's, --policy, else the baseline.
    let policy = choose_policy(args, None, Some(id))?;
    let probe_options = ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true, variables: true };
    let mut notes = Vec::new();
    let result = runtime()?.block_on(check::check_remote(&client, id, &policy, options, probe_options, &mut notes));
    for note in &notes {
        eprintln!("spacecheck: note: {note}");
    }
    result.map_err(|e| match e {
        check::CheckError::Hub(e) => CannotCheck(format!("could not check `{id}` on the Hub: {e}")),
        check::CheckError::Local(m) => CannotCheck(m),
    })
}

fn run_grade(out: &mut dyn Write, args: &GradeArgs) -> Result<i32, CannotCheck> {
    let assignment = args.assignment.as_deref().map(find_assignment).transpose()?;
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::baseline(),
    };
    let concurrency = usize::from(args.concurrency);
    let client = make_client(args.timeout, args.retries, concurrency as u64)?;
    let reader: Box<dyn std::io::BufRead> = if args.roster.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(&args.roster)
            .map_err(|e| CannotCheck(format!("cannot read the roster `{}`: {e}", args.roster.display())))?;
        Box::new(std::io::BufReader::new(f))
    };
    let total = if args.roster.as_os_str() == "-" { None } else { grade::count_rows(&args.roster) };
    let secrets = (assignment.is_some() || !policy.space.secrets.is_empty()) && client.has_token();
    if let Some(n) = total {
        // Info is one API call per Space, secrets one more; files and the app are not API calls.
        let calls = n * if secrets { 2 } else { 1 };
        eprintln!(
            "spacecheck: grading {n} Spaces, {concurrency} at a time: {calls} API calls; at the Hub's anonymous quota (500 calls / 5 min) that takes at least {:.1} min, at a free account's (1,000) {:.1} min",
            calls as f64 / 500.0 * 5.0,
            calls as f64 / 1000.0 * 5.0
        );
    }
    let mut writer = match &args.out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| CannotCheck(format!("cannot write `{}`: {e}", path.display())))?;
            let w: Box<dyn Write> = Box::new(std::io::BufWriter::new(f));
            if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
                grade::ReportWriter::Json { out: w, first: true }
            } else {
                grade::ReportWriter::Csv(w)
            }
        }
        None => grade::ReportWriter::Csv(Box::new(&mut *out) as Box<dyn Write>),
    };
    let write_err = |e: std::io::Error| CannotCheck(format!("cannot write the report: {e}"));
    writer.start().map_err(write_err)?;
    let bar = (std::io::stderr().is_terminal() && total.is_some()).then(|| {
        let bar = indicatif::ProgressBar::new(total.unwrap_or(0) as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} Spaces, {elapsed} (eta {eta}) {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let grader = std::sync::Arc::new(grade::Grader {
        client,
        policy,
        assignment,
        options: Options {
            fail_on: match args.fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
            },
            ..Options::default()
        },
        concurrency,
    });
    let start = std::time::Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CannotCheck(format!("cannot start the network runtime: {e}")))?;
    let mut write_failure = None;
    let summary = rt.block_on(grader.run(grade::CsvReader::new(reader), |r| {
        if let Some(b) = &bar {
            b.inc(1);
        }
        if write_failure.is_none() {
            if let Err(e) = writer.write(r) {
                write_failure = Some(e);
            }
        }
    }));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_failure {
        return Err(write_err(e));
    }
    writer.finish().map_err(write_err)?;
    drop(writer);
    let summary = summary.map_err(CannotCheck)?;
    eprintln!(
        "spacecheck: graded {} Spaces in {}: {} passed, {} failed, {} could not be checked",
        summary.total,
        grade::elapsed_text(start),
        summary.passed,
        summary.failed,
        summary.errors
    );
    Ok(if summary.failed == 0 && summary.errors == 0 { 0 } else { 1 })
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
        let known: Vec<String> =
            assignment::ASSIGNMENTS.iter().map(|a| format!("{} ({})", a.id, a.aliases.join(", "))).collect();
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
        policy.submission =
            args.submission.clone().or_else(|| space_id.map(|id| format!("https://huggingface.co/spaces/{id}")));
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
        return Err(CannotCheck(
            "hf:// lints the files stored on the Hub; with --offline there is nothing to lint".into(),
        ));
    }
    let space_id = remote.clone().or_else(|| args.space.clone());
    if let Some(id) = &space_id {
        if !probe::valid_space_id(id) {
            return Err(CannotCheck(format!(
                "`{id}` is not a Space id: expected OWNER/NAME (letters, digits, `-`, `_`, `.`)"
            )));
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
            return Err(CannotCheck(format!(
                "`{code}` in --select/--ignore matches no rule code; `spacecheck rules` lists them"
            )));
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
            let probe_options = ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true, variables: true };
            let probe = rt
                .block_on(probe::probe(&client, id, probe_options))
                .map_err(|e| CannotCheck(format!("could not check `{id}` on the Hub: {e}")))?;
            let local = space.readme.text().and_then(|f| frontmatter::parse(f).ok());
            let live = rules::run_live(&rules::LiveContext { probe: &probe, policy: &policy, local: local.as_ref() });
            let mut report = lint::lint_with_live(Some(&space), &space.display, &policy, &options, live);
            if let Some(values) = &policy.assignment {
                // The grader reads the files stored on the Hub, not the local ones.
                let fetch = |path: &'static str| remote::fetch_text(&client, id, path);
                let (dockerfile, requirements, readme) = rt.block_on(async {
                    tokio::join!(fetch("Dockerfile"), fetch("requirements.txt"), fetch("README.md"))
                });
                let err = |e: crate::hub::client::HubError| {
                    CannotCheck(format!("could not read the files of `{id}` on the Hub: {e}"))
                };
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
            let mut space = Space::load(&root).map_err(|e| CannotCheck(e.0))?;
            if let Some(name) = &args.display_name {
                space.display = name.clone();
            }
            let policy = choose_policy(args, Some(&root), None)?;
            let mut report = lint::lint(&space, &policy, &options);
            if let Some(values) = &policy.assignment {
                report.grader = Some(grader::replay(&check::local_grader_inputs(&space, &policy), values));
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
