//! HUB/APP rules: checks of the live Space on the Hub. Their catalogue entries and documentation
//! live here; their checks need the Hub prober (`--space OWNER/NAME`, `hf://OWNER/NAME`), which
//! reports findings with these codes. Offline, they are listed as skipped.

pub mod app001_app_unreachable;
pub mod hub001_space_not_found;
pub mod hub002_visibility_mismatch;
pub mod hub003_hardware_mismatch;
pub mod hub004_secret_missing;
pub mod hub005_live_sdk_mismatch;
pub mod hub006_not_running;
pub mod hub007_local_remote_drift;
pub mod hub008_name_mismatch;
