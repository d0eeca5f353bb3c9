//! Reports: the same `Report` rendered for people (miette), machines (JSON), code scanning
//! (SARIF 2.1.0) and GitHub Actions annotations.

pub mod catalogue;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each finding with its source lines, help and fix.
    Human,
    /// The JSON report of the contract (an array of them for several targets).
    Json,
    /// SARIF 2.1.0, for code scanning (a run per target).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// One line per finding: `path:line:col: CODE name message`.
    Concise,
    /// JUnit XML: a test case per finding.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
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
        Format::Concise => concise::render(report),
        Format::Junit => junit::render(std::slice::from_ref(report)),
        Format::Gitlab => gitlab::render(report),
    };
    crate::redact::mask_encoded(&text, encoding(format))
}

/// How a format spells what it escapes: masking must not cut an escape in two.
fn encoding(format: Format) -> crate::redact::Encoding {
    use crate::redact::Encoding;
    match format {
        Format::Json | Format::Sarif | Format::Gitlab => Encoding::Json,
        Format::Junit => Encoding::Xml,
        Format::Human | Format::Github | Format::Concise => Encoding::Plain,
    }
}

/// Several targets' reports in one output: human and GitHub one after the other, JSON an array
/// of the reports (one report stays one object), SARIF one log with a run per target.
pub fn render_all(reports: &[crate::lint::Report], format: Format, style: Style) -> String {
    if let [one] = reports {
        return render(one, format, style);
    }
    match format {
        Format::Human => reports.iter().map(|r| render(r, format, style)).collect::<Vec<_>>().join("\n"),
        Format::Github | Format::Concise => reports.iter().map(|r| render(r, format, style)).collect(),
        Format::Junit => crate::redact::mask_encoded(&junit::render(reports), crate::redact::Encoding::Xml),
        Format::Json | Format::Sarif | Format::Gitlab => {
            let values: Vec<serde_json::Value> =
                reports.iter().filter_map(|r| serde_json::from_str(&render(r, format, style)).ok()).collect();
            let merged = match format {
                Format::Sarif => {
                    let runs: Vec<serde_json::Value> =
                        values.iter().filter_map(|v| v["runs"].as_array()).flatten().cloned().collect();
                    let mut log = values.first().cloned().unwrap_or_default();
                    log["runs"] = serde_json::Value::Array(runs);
                    log
                }
                // GitLab reads one array of issues.
                Format::Gitlab => {
                    serde_json::Value::Array(values.iter().filter_map(|v| v.as_array()).flatten().cloned().collect())
                }
                _ => serde_json::Value::Array(values),
            };
            serde_json::to_string_pretty(&merged).unwrap_or_default() + "\n"
        }
    }
}
