//! The command line (contract.md, "Commands"): `spacecheck [PATH] [options]`, `rules`,
//! `explain CODE`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::check::{self, CheckError, PolicySource, Target};
use crate::diag::Severity;
use crate::hub::client::HubClient;
use crate::lint::Options;
use crate::policy::Policy;
use crate::report::{self, Format};
use crate::{assignment, grade, hook, rules};

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
    /// What the installed hook runs, with git's pre-push input on standard input.
    #[command(hide = true)]
    Run {
        /// The Space's folder inside the repository.
        #[arg(long, default_value = "")]
        prefix: String,
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
    /// The report (`.json`, `.html` page, else CSV); default: the `--resume` report, or stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Continue an interrupted batch: the rows of this report (CSV or JSON) are not graded again.
    #[arg(long, value_name = "REPORT")]
    pub resume: Option<PathBuf>,
    /// Reuse this earlier report's result for every Space whose commit is unchanged.
    #[arg(long, value_name = "REPORT")]
    pub since: Option<PathBuf>,
    /// Rows as results arrive, or in the roster's order (written when the batch ends).
    #[arg(long, value_enum, default_value_t = grade::Order::Completion)]
    pub order: grade::Order,
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

/// Why the run could not check (exit code 2).
type CannotCheck = String;

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Some(Command::Rules { json }) => Ok((report::catalogue::list(json), 0)),
        Some(Command::Explain { code }) => rules::find(&code)
            .map(|rule| (report::catalogue::explain(rule), 0))
            .ok_or_else(|| report::catalogue::unknown_code(&code)),
        Some(Command::Assignment { action }) => run_assignment(action),
        Some(Command::Grade(args)) => run_grade(&mut stdout, &args).map(|code| (String::new(), code)),
        Some(Command::Hook { action }) => match action {
            HookAction::Install { force, path } => hook::install(&path, force),
            HookAction::Uninstall { path } => hook::uninstall(&path),
            HookAction::Run { prefix } => {
                let status = hook::run::run(Path::new("."), &prefix, &mut std::io::stdin().lock());
                return status.unwrap_or_else(|e| {
                    crate::redact::warn(&format!("spacecheck: error: {}", e.0));
                    2
                });
            }
        }
        .map(|msg| (msg + "\n", 0))
        .map_err(|e| e.0),
        None => run_lint(&cli.lint),
    };
    let written = result.and_then(|(text, code)| {
        stdout.write_all(text.as_bytes()).map_err(|e| format!("cannot write output: {e}"))?;
        Ok(code)
    });
    match written {
        Ok(code) => code,
        Err(message) => {
            let _ = stdout.flush();
            crate::redact::warn(&format!("spacecheck: error: {message}"));
            2
        }
    }
}

fn run_grade(out: &mut dyn Write, args: &GradeArgs) -> Result<i32, CannotCheck> {
    let assignment = args.assignment.as_deref().map(assignment::lookup).transpose()?;
    let policy = match &args.policy {
        Some(p) => Policy::load(p).map_err(|e| e.0)?,
        None => Policy::baseline(),
    };
    let (concurrency, client) = (usize::from(args.concurrency), HubClient::from_env(args.timeout, args.retries, true)?);
    let options = Options { fail_on: args.fail_on.into(), ..Options::default() };
    let earlier = args.since.as_deref().map(grade::Earlier::load).transpose()?;
    let grader = grade::Grader { client, policy, assignment, options, concurrency, earlier };
    let (report, resume, order) = (args.out.clone(), args.resume.clone(), args.order);
    let batch = grade::Batch { roster: args.roster.clone(), report, resume, order };
    grade::run_batch(&batch, grader, out)
}

fn run_assignment(action: AssignmentAction) -> Result<(String, i32), CannotCheck> {
    let text = match action {
        AssignmentAction::List => assignment::listing(),
        AssignmentAction::Show { id, email } => assignment::show(assignment::lookup(&id)?, &email)?,
    };
    Ok((text, 0))
}

/// Maps the lint command's arguments onto a target, a policy and options for [`check::check`].
fn run_lint(args: &LintArgs) -> Result<(String, i32), CannotCheck> {
    let target = Target::from_args(&args.path, args.space.as_deref(), args.offline, args.display_name.clone())?;
    let options = Options {
        select: Options::codes(&args.select)?,
        ignore: Options::codes(&args.ignore)?,
        fail_on: args.fail_on.into(),
        offline: args.offline,
    };
    let assignment = match (&args.assignment, &args.email) {
        (Some(id), Some(email)) => Some((assignment::lookup(id)?, assignment::student(email)?)),
        _ => None,
    };
    let source = PolicySource { assignment, file: args.policy.clone(), submission: args.submission.clone() };
    let policy = source.resolve(&target).map_err(|e| e.to_string())?;
    let client = match target.space_id() {
        Some(_) => Some(HubClient::from_env(args.timeout, args.retries, false)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let runtime = runtime.map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let mut notes = Vec::new();
    let result = runtime.block_on(check::check(&target, &policy, &options, client.as_ref(), false, &mut notes));
    for note in &notes {
        crate::redact::warn(&format!("spacecheck: note: {note}"));
    }
    let report = result.map_err(|e| match (e, target.space_id()) {
        (CheckError::Hub(e), Some(id)) => format!("could not check `{id}` on the Hub: {e}"),
        (e, _) => e.to_string(),
    })?;
    if let Some(why) = &report.incomplete {
        crate::redact::warn(&format!("spacecheck: error: {why}"));
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = report::render(&report, args.format, color && args.format == Format::Human);
    Ok((text, report.exit_code()))
}
