//! FM rules: the README.md frontmatter that configures the Space on the Hub.

// The rule modules of this family: every `<code>_<name>.rs` here, declared by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_frontmatter.rs"));

/// The frontmatter a README without one gets: `sdk: docker`, and the `app_port` the policy
/// requires, else the port the start command's server listens on (none when neither says: the
/// Hub's 7860 then). A privileged port (below 1025) is never written: UID 1000 cannot bind it,
/// so the server must move (DF008 says so), not the Hub.
pub fn new_block(ctx: &crate::rules::Context, nl: &str) -> String {
    let server_port = || {
        let start = ctx.start.as_ref()?;
        let main = start.servers.iter().rev().find(|s| !s.background)?;
        main.port.as_ref()?.port().filter(|p| *p > 1024)
    };
    let port = ctx.policy.space.app_port.or_else(server_port).filter(|p| *p != 7860);
    let port = port.map(|p| format!("app_port: {p}{nl}")).unwrap_or_default();
    format!("---{nl}sdk: docker{nl}{port}---{nl}")
}

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
