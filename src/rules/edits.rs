//! Edits that several rules' fixes make: an instruction of the Dockerfile with its lines, and a
//! requirement of `requirements.txt`.

use std::ops::Range;

use crate::diag::{Applicability, Edit, Fix};
use crate::parse::dockerfile::{Instruction, Word};
use crate::source::SourceFile;

/// The bytes of the whole lines an instruction stands on, with the last line's ending: what
/// removing it takes away. `None` when something else shares its first or last line.
pub fn instruction_lines(file: &SourceFile, ins: &Instruction) -> Option<Range<usize>> {
    let start = file.text[..ins.span.start].rfind('\n').map_or(0, |i| i + 1);
    if !file.text[start..ins.span.start].trim().is_empty() {
        return None;
    }
    let rest = &file.text[ins.span.end..];
    let end = match rest.find('\n') {
        Some(i) if rest[..i].trim().is_empty() => ins.span.end + i + 1,
        Some(_) => return None,
        None if rest.trim().is_empty() => file.text.len(),
        None => return None,
    };
    Some(start..end)
}

/// The fix that writes a relative path of a stage built on an image (`WORKDIR app`, a COPY
/// destination) as the absolute path it means today: the base image's WORKDIR, from the
/// catalogue, joined with it. Safe: the same folder. `None` for a stage built on another stage,
/// an image the catalogue does not know, a word not written as it reads, or a path with
/// variables, blanks or escapes.
pub fn absolute_in_base(file: &SourceFile, stage: &crate::model::Stage, word: &Word, path: &str) -> Option<Fix> {
    if stage.parent.is_some() || file.text.get(word.span.clone()) != Some(word.text.as_str()) || word.text != path {
        return None;
    }
    if path.contains(['$', ' ', '\\']) {
        return None;
    }
    let workdir = crate::model::base::BaseImage::of(stage.image_ref.as_ref()).entry?.workdir;
    let relative = path.trim_start_matches("./");
    let relative = if relative == "." { "" } else { relative };
    let absolute = format!("{}/{relative}", workdir.trim_end_matches('/'));
    let message = format!("write `{absolute}` (the base image's WORKDIR is `{workdir}`)");
    Some(Fix::replace(Applicability::Safe, message, file, word.span.clone(), absolute))
}

/// An edit that adds `lines` at the end of `text` (the file `path`), each ending with `nl`,
/// after a line ending when the last line has none.
pub fn append_lines(path: &str, text: &str, lines: &[&str], nl: &str) -> Edit {
    let glue = if text.is_empty() || text.ends_with('\n') { "" } else { nl };
    let added: String = lines.iter().map(|l| format!("{l}{nl}")).collect();
    Edit { file: path.to_string(), range: text.len()..text.len(), replacement: format!("{glue}{added}") }
}

/// The requirements file fixes edit: the Space's root `requirements.txt`, when a RUN of the
/// image installs a file of that name with `-r` (so what is added there is installed).
pub const REQUIREMENTS: &str = "requirements.txt";

/// Whether a RUN of the final image's chain installs a requirements file named like the root one.
pub fn requirements_installed(model: &crate::model::ImageModel) -> bool {
    model
        .runs_in_chain()
        .flat_map(|r| &r.commands)
        .flat_map(crate::model::installs::requirement_files)
        .any(|f| f.rsplit('/').next() == Some(REQUIREMENTS))
}

/// In a requirements.txt text, the span of the name of the requirement for `package`
/// (normalized as PEP 503 does) as it is written, on the first line that names it. Lines the
/// parser does not read as one requirement (options, continued lines, URLs) are passed over.
pub fn requirement_name_span(text: &str, package: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end();
        if body.ends_with('\\') {
            continue;
        }
        let spec = body.split(" #").next().unwrap_or(body);
        let lead = spec.len() - spec.trim_start().len();
        let named = crate::parse::manifest::requirement(spec.trim()).is_some_and(|p| p.name == package);
        if !named {
            continue;
        }
        let written =
            spec[lead..].find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))).unwrap_or(spec.len() - lead);
        return Some(start + lead..start + lead + written);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_requirement_as_written() {
        let text = "# vision\nnumpy\nOpenCV_Python==4.10 ; python_version>'3.8'\n";
        let span = requirement_name_span(text, "opencv-python").expect("found");
        assert_eq!(&text[span], "OpenCV_Python");
        assert_eq!(requirement_name_span(text, "torch"), None);
        assert_eq!(requirement_name_span("-r base.txt\n", "base"), None);
    }
}
