//! Debian packages that real Spaces install and that some Debian release no longer has (so
//! `apt-get install` fails the build there), with what to install instead. The data is
//! `apt_packages.toml` beside this file, checked with `apt-get install -s` against the Debian
//! archive for each release, validated and compiled in by build.rs.

/// A package whose install fails on some releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AptPackage {
    pub name: &'static str,
    /// The Debian releases (codenames) where `apt-get install NAME` fails.
    pub fails_on: &'static [&'static str],
    /// apt's message there.
    pub error: &'static str,
    /// What to install instead (checked to install on those releases); may be empty.
    pub instead: &'static [&'static str],
    pub why: &'static str,
    pub sources: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/apt_packages.rs"));

/// The entry of a package that fails on `release` (a Debian codename).
pub fn fails_on(name: &str, release: &str) -> Option<&'static AptPackage> {
    FAILING.iter().find(|p| p.name == name && p.fails_on.contains(&release))
}

/// Whether the package was checked to install on every release the catalogue knows.
pub fn works_everywhere(name: &str) -> bool {
    WORKING.contains(&name)
}
