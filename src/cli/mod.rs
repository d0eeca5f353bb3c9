//! The command line (contract.md, "Commands"): `spacecheck [PATH] [options]`, `rules`,
//! `explain CODE`, `grade`, `hook`, `assignment`, `completions`. The arguments are in
//! `args.rs`; this file maps them onto the library.

mod args;

pub use args::*;

use std::io::{IsTerminal, Write};
use std::path::Path;

use clap::Parser;

use crate::check::{self, CheckError, PolicySource, Target};
use crate::diag::Severity;
use crate::hub::client::HubClient;
use crate::lint::Options;
use crate::policy::Policy;
use crate::report::{self, Format};
use crate::{assignment, fix, grade, hook, rules};

/// Why the run could not check (exit code 2).
type CannotCheck = String;

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    // The language server writes stdout from its own thread: nothing here may hold it.
    if let Some(Command::Server) = cli.command {
        return crate::lsp::run();
    }
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Some(Command::Server) => Ok((String::new(), 0)),
        Some(Command::Rules { json }) => Ok((report::catalogue::list(json), 0)),
        Some(Command::Explain { code }) => rules::find(&code)
            .map(|rule| (report::catalogue::explain(rule), 0))
            .ok_or_else(|| report::catalogue::unknown_code(&code)),
        Some(Command::Assignment { action }) => run_assignment(action),
        Some(Command::Grade(args)) => run_grade(&mut stdout, &args).map(|code| (String::new(), code)),
        Some(Command::Init(args)) => run_init(&args),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "spacecheck", &mut stdout);
            Ok((String::new(), 0))
        }
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

/// `init`: the values of the assignment, the policy or none, and the files written with them.
fn run_init(args: &InitArgs) -> Result<(String, i32), CannotCheck> {
    use crate::init::{self, Template};
    let (policy, policy_file) = match (&args.assignment, &args.email, &args.policy) {
        (Some(id), Some(email), _) => {
            let a = assignment::lookup(id)?;
            if args.template != Template::Fastapi {
                return Err(format!("{} is graded on a FastAPI app (requirements.txt with fastapi and uvicorn): use the fastapi template", a.id));
            }
            let yaml = format!(
                "# The course assignment this Space is checked against: `spacecheck .` reads it.\nassignment: {}\nemail: {}\n",
                a.id,
                serde_json::to_string(email).unwrap_or_default()
            );
            (assignment::policy_for(&assignment::student(email)?, a), Some(yaml))
        }
        (_, _, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            (Policy::load(path).map_err(|e| e.0)?, Some(text))
        }
        _ => (Policy::baseline(), None),
    };
    let values = init::Values::of(&policy, &args.dir)?;
    let done = init::install(&args.dir, &init::files(&values, args.template, policy_file))?;
    Ok((done.summary(&args.dir, values.port), 0))
}

fn run_assignment(action: AssignmentAction) -> Result<(String, i32), CannotCheck> {
    let text = match action {
        AssignmentAction::List => assignment::listing(),
        AssignmentAction::Show { id, email } => assignment::show(assignment::lookup(&id)?, &email)?,
    };
    Ok((text, 0))
}

/// The lint command: each target checked in turn, one report per target, the exit code the
/// worst of them.
fn run_lint(args: &LintArgs) -> Result<(String, i32), CannotCheck> {
    if args.statistics && !matches!(args.format, Format::Human | Format::Json) {
        return Err("--statistics prints text (--format human) or JSON (--format json)".into());
    }
    let options = Options {
        select: Options::codes(&args.select, "--select")?,
        ignore: Options::codes(&args.ignore, "--ignore")?,
        // The policy's, unless the command line says (lint_target).
        fail_on: Severity::Error,
        offline: args.offline,
    };
    let mut reports = Vec::new();
    let (mut diffs, mut diff_code) = (String::new(), 0);
    for linted in lint_targets(args, &options) {
        match linted? {
            Linted::Report(report) => reports.push(*report),
            Linted::Diff(text, code) => {
                diffs.push_str(&text);
                diff_code = diff_code.max(code);
            }
        }
    }
    // `--diff`, or `--fix` of standard input (the fixed Dockerfile is the output).
    if args.diff || (reports.is_empty() && !diffs.is_empty()) {
        return Ok((diffs, diff_code));
    }
    let text = output(args, &reports);
    // --exit-zero: findings do not fail the run; "could not check" (2) still does.
    let code = match reports.iter().map(|r| r.exit_code()).max().unwrap_or(0) {
        1 if args.exit_zero => 0,
        code => code,
    };
    match &args.output_file {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            Ok((String::new(), code))
        }
        None => Ok((text, code)),
    }
}

/// Lints every target, on as many threads as the machine has cores (each target is checked on
/// its own: its files, its policy, its fixes), and gives the results in the targets' order.
fn lint_targets(args: &LintArgs, options: &Options) -> Vec<Result<Linted, CannotCheck>> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(args.paths.len()).max(1);
    if workers == 1 {
        return args.paths.iter().map(|path| lint_target(args, path, options)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Result<Linted, CannotCheck>>>> =
        std::sync::Mutex::new((0..args.paths.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = args.paths.get(i) else { break };
                let linted = lint_target(args, path, options);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(linted);
                }
            });
        }
    });
    let all = results.into_inner().unwrap_or_default();
    all.into_iter().map(|r| r.unwrap_or_else(|| Err("a target was not checked".to_string()))).collect()
}

/// What one target gave: its report, or with `--diff` the fixes as a diff and its exit code.
enum Linted {
    Report(Box<crate::lint::Report>),
    Diff(String, i32),
}

/// Maps one target of the lint command onto a target, a policy and options for [`check::check`].
fn lint_target(args: &LintArgs, path: &str, options: &Options) -> Result<Linted, CannotCheck> {
    let target = Target::from_args(path, args.space.as_deref(), args.offline, args.display_name.clone())?;
    let assignment = match (&args.assignment, &args.email) {
        (Some(id), Some(email)) => Some((assignment::lookup(id)?, assignment::student(email)?)),
        _ => None,
    };
    let source = PolicySource { assignment, file: args.policy.clone(), submission: args.submission.clone() };
    let policy = source.resolve(&target).map_err(|e| e.to_string())?;
    // The policy's select/ignore/fail_on, where the command line says nothing.
    let either = |cli: &Vec<String>, policy: &Vec<String>| if cli.is_empty() { policy.clone() } else { cli.clone() };
    let options = &Options {
        select: either(&options.select, &policy.select),
        ignore: either(&options.ignore, &policy.ignore),
        fail_on: args.fail_on.map(Severity::from).or(policy.fail_on).unwrap_or(Severity::Error),
        offline: options.offline,
    };
    if let Some((diff, code)) = apply_fixes(args, &target, &policy, options)? {
        return Ok(Linted::Diff(diff, code));
    }
    let target = if args.fix { target.after_fix(path, args.offline)? } else { target };
    let client = match target.space_id() {
        Some(_) => Some(HubClient::from_env(args.timeout, args.retries, false)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let runtime = runtime.map_err(|e| format!("cannot start the network runtime: {e}"))?;
    let mut notes = Vec::new();
    let result = runtime.block_on(check::check(&target, &policy, options, client.as_ref(), false, &mut notes));
    for note in notes.iter().filter(|_| !args.quiet) {
        crate::redact::warn(&format!("spacecheck: note: {note}"));
    }
    let report = result.map_err(|e| match (e, target.space_id()) {
        (CheckError::Hub(e), Some(id)) => format!("could not check `{id}` on the Hub: {e}"),
        (e, _) => e.to_string(),
    })?;
    if let Some(why) = &report.incomplete {
        crate::redact::warn(&format!("spacecheck: error: {why}"));
    }
    Ok(Linted::Report(Box::new(report)))
}

/// `--fix` writes the fixes, and the lint then reports what remains; `--diff` prints them and
/// ends the run (exit 1 when there is something to fix).
fn apply_fixes(
    args: &LintArgs,
    target: &Target,
    policy: &Policy,
    options: &Options,
) -> Result<Option<(String, i32)>, CannotCheck> {
    if !(args.fix || args.diff) {
        return Ok(None);
    }
    if let Target::Dockerfile { display, bytes } = target {
        let request = fix::Request { unsafe_fixes: args.unsafe_fixes, diff: args.diff, quiet: args.quiet };
        return fix::lone_dockerfile(display, bytes, policy, options, request);
    }
    let root = target.root().ok_or("--fix and --diff edit a Space folder, not a Space on the Hub")?;
    let space = crate::space::Space::load(root).map_err(|e| e.0)?;
    let fixed = fix::fix(space, policy, options, args.unsafe_fixes);
    if args.diff {
        crate::redact::warn(&format!("spacecheck: --diff: {} to apply, nothing written", fix::summary(&fixed)));
        return Ok(Some((crate::redact::mask(&fix::diff(&fixed)), i32::from(!fixed.files.is_empty()))));
    }
    fix::write(root, &fixed)?;
    if !args.quiet {
        crate::redact::warn(&format!("spacecheck: --fix: {} applied", fix::summary(&fixed)));
    }
    Ok(None)
}

/// The reports as asked: the findings in their format, or `--statistics`.
fn output(args: &LintArgs, reports: &[crate::lint::Report]) -> String {
    if args.statistics {
        return match args.format {
            Format::Json => report::statistics::json(reports),
            _ => report::statistics::text(reports),
        };
    }
    let terminal = args.output_file.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let color = color && args.format == Format::Human;
    let style = report::Style { color, quiet: args.quiet, show_skipped: args.show_skipped };
    report::render_all(reports, args.format, style)
}
