//! FM rules: the README.md frontmatter that configures the Space on the Hub.

pub mod fm001_readme_missing;
pub mod fm002_frontmatter_missing;
pub mod fm003_frontmatter_invalid;
pub mod fm004_sdk_not_docker;
pub mod fm005_app_port_mismatch;
pub mod fm006_description_missing;
pub mod fm007_unknown_key;
pub mod fm008_invalid_value;

/// Keys of the Spaces config reference (hub.md), plus `description` (undocumented, tolerated).
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "emoji",
    "colorFrom",
    "colorTo",
    "sdk",
    "sdk_version",
    "python_version",
    "app_file",
    "app_build_command",
    "app_port",
    "base_path",
    "fullWidth",
    "header",
    "short_description",
    "description",
    "models",
    "datasets",
    "tags",
    "thumbnail",
    "pinned",
    "license",
    "hf_oauth",
    "hf_oauth_scopes",
    "hf_oauth_expiration_minutes",
    "hf_oauth_authorized_org",
    "disable_embedding",
    "startup_duration_timeout",
    "custom_headers",
    "preload_from_hub",
    "suggested_hardware",
    "suggested_storage",
];
