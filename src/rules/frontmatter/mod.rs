//! FM rules: the README.md frontmatter that configures the Space on the Hub.

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_frontmatter.rs"));

/// Keys of the Spaces config reference (hub.md), plus keys the Hub reads or writes that the
/// reference does not list: `description` (tolerated), `failure_strategy` (`rollback`, set by
/// Hugging Face staff on their own Spaces: chat-ui, gguf-my-repo) and `duplicated_from` (written
/// by the Hub when a Space is duplicated).
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
    "failure_strategy",
    "duplicated_from",
];
