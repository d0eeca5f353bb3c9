//! Parsing: turning the Space's files into syntax (Dockerfile instructions, frontmatter keys),
//! with byte spans for every piece a rule may point at.

pub mod buildkit;
pub mod dockerfile;
pub mod dockerignore;
pub mod frontmatter;
pub mod image_ref;
pub mod manifest;
pub mod mode;
pub mod nginx;
pub mod python;
pub mod python_facts;
pub mod shell;
pub mod user_spec;
