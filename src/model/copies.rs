//! The COPY and ADD instructions as the model reads them: where each takes its sources from,
//! the sources and the destination after WORKDIR and variables, `--chown` and `--chmod`.

use std::ops::Range;

use super::{expand, join_path, placement, valued, Scope, Stage, Valued};
use crate::parse::dockerfile::{Args, CopySource, Instruction, Kind};
use crate::parse::mode::Mode;
use crate::parse::user_spec::UserSpec;

/// Where a COPY/ADD takes its sources from, resolved as BuildKit does: `--from=<name>` names an
/// earlier stage (case-insensitively) or, as a number, the stage of that index; anything else
/// is an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyFrom {
    Context,
    Stage(usize),
    Image(String),
}

#[derive(Debug, Clone)]
pub struct CopyOp {
    pub instruction: usize,
    pub span: Range<usize>,
    pub kind: Kind,
    pub from: CopyFrom,
    pub sources: Vec<Valued>,
    pub has_heredoc: bool,
    /// Absolute destination after WORKDIR and variables.
    pub dest: String,
    /// Whether the destination's text names a folder (`dir/`, `.`), or the sources are several
    /// or a wildcard: files then land inside it.
    pub dest_names_dir: bool,
    pub chown: Option<Valued>,
    pub chmod: Option<Mode>,
    pub stage: usize,
}

impl CopyOp {
    /// The `--chown` owner, parsed.
    pub fn owner(&self) -> Option<UserSpec> {
        self.chown.as_ref().map(|c| UserSpec::parse(&c.value))
    }
}

pub(super) fn copy_op(
    i: &Instruction,
    n: usize,
    stage: usize,
    scope: &Scope,
    workdir: &str,
    stages: &[Stage],
) -> CopyOp {
    let flag_value = |name: &str| i.flag(name).and_then(|f| f.value.clone());
    let chown = i.flag("chown").and_then(|f| {
        f.value.as_ref().map(|v| Valued { raw: v.clone(), value: expand(v, scope), span: f.span.clone() })
    });
    let (sources, dest_text) = match &i.args {
        Args::Copy { sources, dest } => (sources.as_slice(), expand(&dest.text, scope)),
        _ => (&[][..], ".".to_string()),
    };
    let dest = join_path(workdir, &dest_text);
    CopyOp {
        instruction: n,
        span: i.span.clone(),
        kind: i.kind,
        from: flag_value("from").map_or(CopyFrom::Context, |v| copy_from(&expand(&v, scope), stage, stages)),
        sources: sources
            .iter()
            .filter_map(|s| match s {
                CopySource::Path(w) => Some(valued(w, scope)),
                CopySource::Heredoc(_) => None,
            })
            .collect(),
        has_heredoc: sources.iter().any(|s| matches!(s, CopySource::Heredoc(_))),
        dest_names_dir: placement::dest_text_is_dir(dest_text.trim())
            || sources.len() > 1
            || sources.iter().any(|s| matches!(s, CopySource::Path(w) if w.text.contains(['*', '?', '[']))),
        dest,
        chown,
        chmod: flag_value("chmod").and_then(|m| Mode::parse(&expand(&m, scope))),
        stage,
    }
}

/// `--from=builder` (an earlier stage's name), `--from=0` (an earlier stage's index), or an image.
fn copy_from(value: &str, current: usize, stages: &[Stage]) -> CopyFrom {
    let earlier = &stages[..current.min(stages.len())];
    if let Some(s) = earlier.iter().rposition(|s| s.alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(value))) {
        return CopyFrom::Stage(s);
    }
    match value.parse::<usize>() {
        Ok(index) if index < earlier.len() => CopyFrom::Stage(index),
        _ => CopyFrom::Image(value.to_string()),
    }
}
