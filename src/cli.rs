//! The command line (contract.md, "Commands"): `spacecheck [PATH] [options]`, `rules`,
//! `explain CODE`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use std::time::Duration;

use crate::hub::client::{ClientOptions, HubClient};
use crate::hub::probe::{self, Probe, ProbeOptions};
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

fn run_probe(args: &LintArgs, id: &str, policy: &Policy) -> Result<Probe, CannotCheck> {
    let client = client(args)?;
    let options = ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true };
    runtime()?.block_on(probe::probe(&client, id, options)).map_err(|e| CannotCheck(format!("could not check `{id}` on the Hub: {e}")))
}

/// `hf://OWNER/NAME`: probe the Space, fetch its files into a private temporary folder, lint
/// them as a local Space would be, and add the live findings.
fn lint_remote(args: &LintArgs, id: &str, options: &Options) -> Result<lint::Report, CannotCheck> {
    let client = client(args)?;
    let rt = runtime()?;
    let target = format!("hf://{id}");
    // The policy is needed before probing (secrets); a policy file inside the remote Space is
    // not trusted for that: --policy, else the baseline.
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::baseline(),
    };
    let probe_options = ProbeOptions { secrets: !policy.space.secrets.is_empty(), app: true };
    let probe = rt.block_on(probe::probe(&client, id, probe_options)).map_err(|e| CannotCheck(format!("could not check `{id}` on the Hub: {e}")))?;
    let live = rules::run_live(&rules::LiveContext { probe: &probe, policy: &policy, local: None });
    let Some(info) = probe.info() else {
        return Ok(lint::lint_with_live(None, &target, &policy, options, live));
    };
    let dir = tempfile::tempdir().map_err(|e| CannotCheck(format!("cannot create a temporary folder: {e}")))?;
    let fetched = rt.block_on(remote::fetch_files(&client, id, info, dir.path())).map_err(|e| CannotCheck(format!("could not download the files of `{id}`: {e}")))?;
    for note in &fetched.notes {
        eprintln!("spacecheck: note: {note}");
    }
    let mut space = Space::load(dir.path()).map_err(|e| CannotCheck(e.0))?;
    space.display = target.clone();
    space.add_listed_files(&fetched.listed_only);
    Ok(lint::lint_with_live(Some(&space), &target, &policy, options, live))
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
            let policy = load_policy(args, &root)?;
            let probe = run_probe(args, id, &policy)?;
            let local = space.readme.text().and_then(|f| frontmatter::parse(f).ok());
            let live = rules::run_live(&rules::LiveContext { probe: &probe, policy: &policy, local: local.as_ref() });
            lint::lint_with_live(Some(&space), &space.display, &policy, &options, live)
        }
        _ => {
            let root = PathBuf::from(&args.path);
            let space = Space::load(&root).map_err(|e| CannotCheck(e.0))?;
            let policy = load_policy(args, &root)?;
            lint::lint(&space, &policy, &options)
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
