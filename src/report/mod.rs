//! Reports: the same `Report` rendered for people (miette), machines (JSON), code scanning
//! (SARIF 2.1.0) and GitHub Actions annotations.

pub mod catalogue;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Renders a report; the last step masks anything shaped like a credential, so nothing leaves
/// spacecheck unmasked whatever a finding quotes.
pub fn render(report: &crate::lint::Report, format: Format, color: bool) -> String {
    let text = match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    };
    crate::redact::mask(&text)
}
