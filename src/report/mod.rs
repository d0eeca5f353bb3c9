//! Reports: the same `Report` rendered for people (miette), machines (JSON), code scanning
//! (SARIF 2.1.0) and GitHub Actions annotations.

pub mod catalogue;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod statistics;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// How the human format looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// The findings only: no header, skipped rules or summary (`-q`).
    pub quiet: bool,
    /// Every skipped rule on its own line, not one line per reason (`--show-skipped`).
    pub show_skipped: bool,
}

/// Renders a report; the last step masks anything shaped like a credential, so nothing leaves
/// spacecheck unmasked whatever a finding quotes.
pub fn render(report: &crate::lint::Report, format: Format, style: Style) -> String {
    let text = match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    };
    crate::redact::mask(&text)
}
