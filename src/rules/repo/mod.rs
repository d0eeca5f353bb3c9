//! RP rules: the repository's files as the Hub receives them (pushed, built from).

pub mod rp001_leaked_token;
pub mod rp002_copy_source_missing;
pub mod rp003_large_file;
pub mod rp004_server_not_installed;
