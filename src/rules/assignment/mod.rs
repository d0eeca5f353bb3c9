//! GA rules: the "Publish a Docker Space" grader's literal checks (`--assignment ID --email E`),
//! so a student learns what the grader will say beside what the Space needs.

pub mod ga001_title_not_space_name;
pub mod ga002_user_line_missing;
pub mod ga003_expose_line_missing;
pub mod ga004_app_port_env_missing;
pub mod ga005_requirements_incomplete;
pub mod ga006_readme_text_missing;
pub mod ga007_hardware_not_current;
pub mod ga008_submission_url;
