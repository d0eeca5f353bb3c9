//! Reports: the same `Report` rendered for people (miette), machines (JSON), code scanning
//! (SARIF 2.1.0) and GitHub Actions annotations.

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
