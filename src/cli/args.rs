//! The command line's arguments (contract.md, "Commands"): what clap parses, nothing run here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diag::Severity;
use crate::grade;
use crate::report::Format;

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
    /// Write a minimal Docker Space that passes spacecheck (never overwriting a file).
    Init(InitArgs),
    /// Print the shell completion script (`spacecheck completions bash > …`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
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
    /// A language server over stdin/stdout for editors: diagnostics as you type, fixes as code
    /// actions, rule documentation on hover.
    Server,
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
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0, value_parser = seconds)]
    pub timeout: f64,
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub retries: u32,
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The folder to write the Space into (made if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Take the port, name, description and base image from this policy (copied to spacecheck.yaml).
    #[arg(long, value_name = "FILE", conflicts_with = "assignment")]
    pub policy: Option<PathBuf>,
    /// A course assignment's values for the student of --email (written to spacecheck.yaml).
    #[arg(long, value_name = "ID", requires = "email")]
    pub assignment: Option<String>,
    #[arg(long, value_name = "EMAIL", requires = "assignment")]
    pub email: Option<String>,
    #[arg(long, value_enum, default_value_t = crate::init::Template::Fastapi)]
    pub template: crate::init::Template,
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
    /// What to lint: Space folders, hf://OWNER/NAME or a Space's URL, a lone Dockerfile, or
    /// `-` for a Dockerfile on standard input.
    #[arg(value_name = "TARGET", default_values_t = [String::from(".")])]
    pub paths: Vec<String>,
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
    /// Apply the safe fixes to the Space's README and Dockerfile, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff: the unsafe fixes too (they may change what the Space does).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing (exit 1 when there is one).
    #[arg(long)]
    pub diff: bool,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Exit 0 even with findings at or above --fail-on (2 still means spacecheck could not check).
    #[arg(long)]
    pub exit_zero: bool,
    /// List every rule that could not run, not one line per reason.
    #[arg(long)]
    pub show_skipped: bool,
    /// The findings only: no header, skipped rules, summary or notes.
    #[arg(short, long)]
    pub quiet: bool,
    /// How many findings each rule has (text, or JSON with --format json), instead of them.
    #[arg(long)]
    pub statistics: bool,
    /// Colours in the human format: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Only these codes (comma list; prefixes like DF or HUB00 allowed).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Leave out these codes (comma list; prefixes allowed).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding at or above this level exists.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Seconds each request to the Hub may take (connect, answer and body).
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0, value_parser = seconds)]
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
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
        }
    }
}

/// `--timeout`: more than 0 and at most 600 seconds (0 would fail every request, not wait forever).
fn seconds(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 600.0 => Ok(s),
        Ok(_) => Err("must be more than 0 and at most 600 seconds (e.g. --timeout 15)".into()),
        Err(_) => Err("a number of seconds, e.g. --timeout 15".into()),
    }
}
