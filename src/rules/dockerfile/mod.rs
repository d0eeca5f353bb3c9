//! DF rules: what the Dockerfile makes the image do at run time, read from the image model.

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_dockerfile.rs"));

pub mod nginx;

use crate::rules::Context;
use std::ops::Range;

/// The FROM line of the final stage: where whole-image findings point.
pub fn final_from_span(ctx: &Context) -> Option<Range<usize>> {
    let m = ctx.model.as_ref()?;
    let df = ctx.parsed_dockerfile()?;
    df.instructions.get(m.final_stage().from_index).map(|i| i.span.clone())
}

/// A fix that adds `line` (an instruction, without its line break) to the Dockerfile: before
/// the start command of the final stage when the Dockerfile has one, else at the end. Not
/// offered when the end of the file continues a line (`\`), where the new line would join an
/// instruction.
pub fn add_line(
    ctx: &Context,
    file: &crate::source::SourceFile,
    line: &str,
    applicability: crate::diag::Applicability,
    message: String,
) -> Option<crate::diag::Fix> {
    use crate::diag::Fix;
    let nl = file.newline();
    let line = format!("{line}{nl}");
    if let Some(span) = ctx.start.as_ref().and_then(|s| s.span.clone()) {
        let line_start = file.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        if file.text[line_start..span.start].trim().is_empty() {
            return Some(Fix::replace(applicability, message, file, line_start..line_start, line));
        }
    }
    if file.text.trim_end().ends_with('\\') {
        return None;
    }
    let end = file.text.len();
    let glue = if file.text.ends_with('\n') || file.text.is_empty() { "" } else { nl };
    Some(Fix::replace(applicability, message, file, end..end, format!("{glue}{line}")))
}

/// A RUN's commands read again from the file's own text (what BuildKit drops blanked), so that
/// their word spans are file offsets: (where the text starts, the commands). `None` when the
/// RUN is in exec form, the file has another escape character, or the two readings disagree.
fn commands_in_file(
    ctx: &Context,
    run: &crate::model::RunCommand,
) -> Option<(usize, Vec<crate::parse::shell::SimpleCommand>)> {
    use crate::parse::dockerfile::{Args, CommandForm};
    let (file, df) = (ctx.dockerfile_file()?, ctx.parsed_dockerfile()?);
    let Some(Args::Command(CommandForm::Shell(word))) = df.instructions.get(run.instruction).map(|i| &i.args) else {
        return None;
    };
    let raw = file.text.get(word.span.clone()).filter(|_| df.escape == '\\')?;
    let raw = crate::parse::dockerfile::blank_dropped_lines(raw, df.escape);
    let commands = crate::parse::shell::parse_commands(&raw, &crate::parse::shell::no_vars);
    (commands.len() == run.commands.len()).then_some((word.span.start, commands))
}

/// The span of command `index` of a RUN in the file (the whole RUN when it cannot be placed).
pub fn command_span(ctx: &Context, run: &crate::model::RunCommand, index: usize) -> Range<usize> {
    let found = commands_in_file(ctx, run).and_then(|(base, commands)| {
        let c = commands.get(index)?;
        Some(base + c.spans.first()?.start..base + c.spans.last()?.end)
    });
    found.unwrap_or_else(|| run.span.clone())
}

/// The span of word `word` of command `index` of a RUN in the file (the command's, else the
/// whole RUN's, when it cannot be placed).
pub fn word_span(ctx: &Context, run: &crate::model::RunCommand, index: usize, word: usize) -> Range<usize> {
    let found = commands_in_file(ctx, run).and_then(|(base, commands)| {
        let span = commands.get(index)?.spans.get(word)?;
        Some(base + span.start..base + span.end)
    });
    found.unwrap_or_else(|| command_span(ctx, run, index))
}

/// How a step's user is named in a message: `` `user` (UID 1000, set by USER on line 3) `` or
/// `` the image's own user `jovyan` ``.
pub fn describe_user(
    file: &crate::source::SourceFile,
    user: &crate::model::RuntimeUser,
    account: &crate::model::Account,
) -> String {
    use crate::model::{Account, RuntimeUser};
    let uid = match account {
        Account::NonRoot { uid: Some(uid), .. } => format!("UID {uid}, "),
        _ => String::new(),
    };
    match (user, account) {
        (RuntimeUser::Set { user, .. }, _) => {
            format!("`{}` ({uid}set by USER on line {})", user.value, file.line_col(user.span.start).0)
        }
        (RuntimeUser::Default, Account::NonRoot { name, .. }) => {
            format!("`{name}` ({uid}the user the base image runs as)")
        }
        (RuntimeUser::Default, _) => "the base image's user".to_string(),
    }
}

/// The image a stage is built on, for messages: `` `node:20-slim` `` (as resolved), or "the base
/// image" when it is not known.
pub fn describe_base(model: &crate::model::ImageModel, stage: usize) -> String {
    match model.stages.get(model.root_stage(stage)) {
        Some(st) if st.image_ref.is_some() => format!("`{}`", st.image),
        _ => "the base image".to_string(),
    }
}

/// `owned by root (created by mkdir on line 6)`.
pub fn describe_state(ctx: &Context, file: &crate::source::SourceFile, state: &crate::model::fs::PathState) -> String {
    use crate::model::fs::{Change, Owner};
    let owner = match &state.owner {
        Owner::Root => "root".to_string(),
        Owner::User(u) => format!("`{u}`"),
    };
    let how = match state.change {
        Change::Base => "in the base image",
        Change::Workdir => "created by WORKDIR",
        Change::Copy => "created by COPY",
        Change::Mkdir => "created by mkdir",
        Change::UserHome => "the user's home",
        Change::Venv => "created as a virtual environment",
        Change::Chown => "given by chown",
        Change::Chmod => "changed by chmod",
    };
    match state.instruction {
        Some(n) if state.change != Change::Base => {
            let line =
                ctx.parsed_dockerfile().and_then(|df| df.instructions.get(n)).map(|i| file.line_col(i.span.start).0);
            format!(
                "owned by {owner} ({how}{}) and not writable by others",
                line.map(|l| format!(" on line {l}")).unwrap_or_default()
            )
        }
        _ => format!("owned by {owner} ({how}) and not writable by others"),
    }
}

/// The Space files supervisord reads: the `-c` file, and those copied under /etc/supervisor.
pub fn supervisord_configs(ctx: &Context, model: &crate::model::ImageModel, explicit: Option<&str>) -> Vec<String> {
    use crate::model::CopyFrom;
    let mut files: Vec<String> = explicit.and_then(|p| ctx.context_file_for(p)).into_iter().collect();
    for copy in model.copies.iter().filter(|c| c.from == CopyFrom::Context) {
        if !(copy.dest.starts_with("/etc/supervisor") || copy.dest.starts_with("/etc/supervisord")) {
            continue;
        }
        for source in &copy.sources {
            let rel = source.value.trim_start_matches("./").to_string();
            if rel.ends_with(".conf") && ctx.space.file(&rel).is_some() && !files.contains(&rel) {
                files.push(rel);
            }
        }
    }
    files
}

/// What the app's code shows of its writes.
pub enum AppWrites<'a> {
    /// The code was read: the writes UID 1000 may not make (those whose error the code
    /// catches left out).
    Denied(Vec<crate::model::app::DeniedAppWrite<'a>>),
    /// Code spacecheck does not read: why. The rule is skipped, said so.
    NotReadable(String),
}

pub fn app_writes<'a>(ctx: &'a Context) -> AppWrites<'a> {
    use crate::model::app::AppCode;
    let (Some(model), Some(app)) = (ctx.model.as_ref(), ctx.app.as_ref()) else {
        return AppWrites::NotReadable("spacecheck could not model the start command".to_string());
    };
    match &app.code {
        // Writes when the app starts, on no branch but "is it missing?": that they run is
        // certain. One in a request handler, or under an `if` on what the code meets, may sit
        // behind a setting, an earlier failure, or a caller that catches its error (half of
        // those judged on the corpus did): not judged.
        // A write at start to a path the code computes may fail before any of these: which the
        // app makes first is then not known.
        AppCode::Read { .. } if app.computed_write_at_start().is_some() => {
            let w = app.computed_write_at_start().map_or(String::new(), |w| w.place());
            AppWrites::NotReadable(format!("`{w}` writes, when the app starts, to a path the code computes"))
        }
        AppCode::Read { .. } => AppWrites::Denied(
            app.denied_writes(model)
                .into_iter()
                .filter(|d| !d.write.handled && !d.write.in_function && !d.write.branched)
                .collect(),
        ),
        // What code that is not in the folder writes, the files cannot tell: not judged.
        AppCode::NotInSpace(why) | AppCode::NotReadable(why) | AppCode::BuildFails(why) => {
            AppWrites::NotReadable(why.clone())
        }
    }
}

/// Why the app certainly stops when it starts, before its server serves: an import nothing
/// provides, a write at start that UID 1000 cannot make, or a download at start into a cache it
/// cannot write, whose error nothing catches. What the server would then do is moot.
pub fn fails_at_start(ctx: &Context) -> Option<String> {
    if let Some(missing) = ctx.app.as_ref().and_then(|a| a.missing_imports.first()) {
        return Some(missing.clone());
    }
    if let AppWrites::Denied(denied) = app_writes(ctx) {
        if let Some(d) = denied.iter().find(|d| !d.write.in_function) {
            return Some(format!("`{}` cannot write `{}`", d.write.place(), d.write.path));
        }
    }
    df015_cache_not_writable::start_download_fails(ctx)
}

/// `` `app.py:2` makes `/app/uploads` (`os.makedirs`), in `/app`, owned by root (created by
/// WORKDIR on line 2) and not writable by others ``.
pub fn describe_denied(
    ctx: &Context,
    file: &crate::source::SourceFile,
    denied: &crate::model::app::DeniedAppWrite,
) -> String {
    use crate::knowledge::python_writes::Makes;
    let w = denied.write;
    let verb = match (w.makes, w.in_folder) {
        (Makes::Folder, true) => "makes a folder in",
        (Makes::Folder, false) => "makes",
        (_, true) => "writes a file in",
        (Makes::File | Makes::FilesIn | Makes::FileBeside, false) => "writes",
    };
    let call = if w.call == "open" { "open(…, \"w\")".to_string() } else { w.call.clone() };
    let blocking = if denied.blocking == w.path { String::new() } else { format!(" in `{}`", denied.blocking) };
    format!("`{}` {verb} {} (`{call}`){blocking}, {}", w.place(), w.what(), describe_state(ctx, file, &denied.state))
}
