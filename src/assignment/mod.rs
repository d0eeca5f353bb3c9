//! Assignment mode: the "Publish a Docker Space" course assignment (`q-huggingface-docker`,
//! alias `ga2`), its per-student values, and a faithful replay of its grader
//! (`../shared/spec/grader.md`).

pub mod grader;
pub mod seedrandom;

use sha2::{Digest, Sha256};

pub use crate::policy::StudentValues;
use crate::policy::{DockerfilePolicy, Policy, SpacePolicy};

pub struct Assignment {
    pub id: &'static str,
    pub aliases: &'static [&'static str],
    pub title: &'static str,
}

pub const ASSIGNMENTS: &[Assignment] = &[Assignment {
    id: "q-huggingface-docker",
    aliases: &["ga2"],
    title: "Publish a Docker Space with environment guardrails (graded assignment 2)",
}];

pub fn find(id: &str) -> Option<&'static Assignment> {
    ASSIGNMENTS.iter().find(|a| a.id.eq_ignore_ascii_case(id) || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(id)))
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The values the course derives from the email (grader.md): SHA-256 for the name and the
/// secret, the first seedrandom draw for the port.
pub fn derive(email: &str) -> StudentValues {
    let email = email.trim();
    let space_name = format!("ga2-{}", &sha256_hex(&format!("{email}:hf-space"))[..6]);
    let secret_hash = sha256_hex(&format!("{email}:hf-secret"));
    let secret = format!("GA2_TOKEN_{}", secret_hash[secret_hash.len() - 4..].to_ascii_uppercase());
    let r = seedrandom::SeedRandom::new(&format!("{email}#q-huggingface-docker")).next_f64();
    let app_port = 7000 + (r * 500.0).floor() as u16;
    let description = format!("deployment-ready-{space_name}");
    StudentValues { email: email.to_string(), space_name, secret, app_port, description }
}

/// The policy the assignment sets for this student.
pub fn policy_for(values: &StudentValues, assignment: &Assignment) -> Policy {
    Policy {
        source: format!("assignment {} for {}", assignment.id, values.email),
        space: SpacePolicy {
            name: Some(values.space_name.clone()),
            visibility: Some("public".into()),
            hardware: Some("cpu-basic".into()),
            sdk: Some("docker".into()),
            app_port: Some(values.app_port),
            description_contains: Some(values.description.clone()),
            secrets: vec![values.secret.clone()],
        },
        dockerfile: DockerfilePolicy {
            base_image: Some("python:3.11-slim".into()),
            user_uid: Some(1000),
            numeric_user: false,
        },
        assignment: Some(values.clone()),
        ..Policy::default()
    }
}

/// An assignment by id or alias; the error lists the known ones.
pub fn lookup(id: &str) -> Result<&'static Assignment, String> {
    find(id).ok_or_else(|| {
        let known: Vec<String> = ASSIGNMENTS.iter().map(|a| format!("{} ({})", a.id, a.aliases.join(", "))).collect();
        format!("unknown assignment `{id}`; known: {}", known.join("; "))
    })
}

/// The values of the student with this email (it must look like an address).
pub fn student(email: &str) -> Result<StudentValues, String> {
    if !email.contains('@') || email.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("{email:?} does not look like an email address"));
    }
    Ok(derive(email))
}

/// `spacecheck assignment list`: one line per assignment.
pub fn listing() -> String {
    ASSIGNMENTS.iter().map(|a| format!("{} (alias {}): {}\n", a.id, a.aliases.join(", "), a.title)).collect()
}

/// `spacecheck assignment show ID --email E`: the student's values as JSON.
pub fn show(assignment: &Assignment, email: &str) -> Result<String, String> {
    let v = student(email)?;
    let shown = serde_json::json!({"assignment": assignment.id, "email": v.email, "space_name": v.space_name,
        "secret": v.secret, "app_port": v.app_port, "description": v.description});
    Ok(serde_json::to_string_pretty(&shown).unwrap_or_default() + "\n")
}

/// What the grader's info request would have seen, from spacecheck's probe.
pub fn info_seen(probe: &crate::hub::probe::Probe) -> grader::InfoSeen {
    use crate::hub::probe::InfoOutcome;
    match &probe.info {
        InfoOutcome::NotVisible(resp) => grader::InfoSeen { status: resp.status, ..Default::default() },
        InfoOutcome::Found(i) => grader::InfoSeen {
            status: 200,
            sdk: i.sdk.clone(),
            private: i.private,
            siblings: i.siblings.clone(),
            card_app_port: i.card_data.as_ref().and_then(|c| c.get("app_port").cloned()),
            card_title: i.card_data.as_ref().and_then(|c| c.get("title")).and_then(|t| t.as_str()).map(str::to_string),
            hardware_current: i.runtime.as_ref().map(|r| r.hardware_current.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grader_md_vector() {
        let v = derive("23f1000000@ds.study.iitm.ac.in");
        assert_eq!(v.space_name, "ga2-084d53");
        assert_eq!(v.secret, "GA2_TOKEN_1318");
        assert_eq!(v.app_port, 7349);
        assert_eq!(v.description, "deployment-ready-ga2-084d53");
    }

    /// Generated with Node's SHA-256 and the seedrandom npm package 3.0.5, as the course does.
    #[test]
    fn vectors_from_node() {
        let cases = [
            ("21f3001234@ds.study.iitm.ac.in", "ga2-473482", "GA2_TOKEN_6586", 7015),
            ("alice@example.com", "ga2-15f921", "GA2_TOKEN_0642", 7083),
            ("Bob.Smith+ga2@Example.org", "ga2-c96fa1", "GA2_TOKEN_44E8", 7353),
            ("x@y.z", "ga2-60cd0e", "GA2_TOKEN_A48E", 7103),
            ("étudiant@exemple.fr", "ga2-db1843", "GA2_TOKEN_D5C7", 7193),
        ];
        for (email, name, secret, port) in cases {
            let v = derive(email);
            assert_eq!((v.space_name.as_str(), v.secret.as_str(), v.app_port), (name, secret, port), "{email}");
        }
    }

    #[test]
    fn values_stay_in_range_for_many_emails() {
        for n in 0..2000 {
            let v = derive(&format!("{n}f100{n:04}@ds.study.iitm.ac.in"));
            assert!((7000..7500).contains(&v.app_port));
            assert_eq!(v.space_name.len(), 10);
            assert!(v.secret.starts_with("GA2_TOKEN_") && v.secret.len() == 14);
            assert!(v.secret[10..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        }
    }

    #[test]
    fn surrounding_spaces_do_not_change_the_values() {
        assert_eq!(derive(" a@b.c "), derive("a@b.c"));
    }

    #[test]
    fn aliases() {
        assert_eq!(find("ga2").unwrap().id, "q-huggingface-docker");
        assert_eq!(find("Q-HuggingFace-Docker").unwrap().id, "q-huggingface-docker");
        assert!(find("ga3").is_none());
    }
}
