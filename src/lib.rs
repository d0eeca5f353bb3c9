//! spacecheck: a compliance linter and validator for Hugging Face Docker Spaces.
//!
//! The pipeline, one module each: [`space`] loads the files safely, [`parse`] turns them into
//! syntax with spans, [`model`] works out what the image does at run time, [`rules`] check it
//! (one file per rule), [`lint`] applies the policy, filters and suppressions, and [`report`]
//! renders the result.

pub mod assignment;
pub mod budget;
pub mod check;
pub mod cli;
pub mod diag;
pub mod fix;
pub mod grade;
pub mod hook;
pub mod hub;
pub mod init;
pub mod knowledge;
pub mod lint;
pub mod lsp;
pub mod model;
pub mod panic;
pub mod parse;
pub mod policy;
pub mod redact;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod space;
pub mod suggest;
pub mod suppress;
