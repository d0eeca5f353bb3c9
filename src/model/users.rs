//! Users: who an instruction runs as, and which UID a user name has in the built image.
//!
//! Names get UIDs from `useradd`/`adduser`/`usermod` in the stage chain, or from users that
//! well-known base images ship (`node` is UID 1000 in the official node images).

use crate::parse::shell::SimpleCommand;

/// A user created or changed by a `RUN` in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedUser {
    pub name: String,
    /// `None` when no UID was given (the system picks the next free one).
    pub uid: Option<u32>,
    /// `useradd -r` / `adduser --system` users get UIDs below 1000.
    pub system: bool,
}

/// Reads `useradd`, `adduser` and `usermod -u` out of a simple command.
pub fn user_change(cmd: &SimpleCommand) -> Option<CreatedUser> {
    let program = cmd.program()?.rsplit('/').next()?;
    let args = &cmd.words[1..];
    match program {
        "useradd" => parse_options(args, USERADD_VALUE_FLAGS, &["-u", "--uid"], true),
        "adduser" => parse_options(args, ADDUSER_VALUE_FLAGS, &["-u", "--uid"], false),
        "usermod" => {
            let u = parse_options(args, USERMOD_VALUE_FLAGS, &["-u", "--uid"], true)?;
            u.uid.map(|_| u)
        }
        _ => None,
    }
}

const USERADD_VALUE_FLAGS: &[&str] = &[
    "-u",
    "--uid",
    "-g",
    "--gid",
    "-G",
    "--groups",
    "-d",
    "--home-dir",
    "--home",
    "-s",
    "--shell",
    "-c",
    "--comment",
    "-k",
    "--skel",
    "-K",
    "--key",
    "-e",
    "--expiredate",
    "-f",
    "--inactive",
    "-p",
    "--password",
    "-b",
    "--base-dir",
    "-R",
    "--root",
    "-P",
    "--prefix",
    "-Z",
    "--selinux-user",
];
// Debian's adduser and BusyBox's (`adduser -D -u 1000 -h /home/user -s /bin/sh user`).
const ADDUSER_VALUE_FLAGS: &[&str] = &[
    "-u",
    "--uid",
    "--gid",
    "--gecos",
    "--comment",
    "--home",
    "--shell",
    "--ingroup",
    "--firstuid",
    "--lastuid",
    "--add-extra-groups",
    "-h",
    "-g",
    "-s",
    "-G",
    "-k",
];
const USERMOD_VALUE_FLAGS: &[&str] = &[
    "-u",
    "--uid",
    "-g",
    "--gid",
    "-G",
    "--groups",
    "-d",
    "--home",
    "-s",
    "--shell",
    "-c",
    "--comment",
    "-l",
    "--login",
    "-e",
    "-f",
    "-p",
];

fn parse_options(args: &[String], value_flags: &[&str], uid_flags: &[&str], name_is_last: bool) -> Option<CreatedUser> {
    let mut uid = None;
    let mut system = false;
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some((flag, value)) = a.split_once('=').filter(|(f, _)| f.starts_with("--")) {
            if uid_flags.contains(&flag) {
                uid = value.parse().ok();
            }
        } else if uid_flags.contains(&a) {
            uid = args.get(i + 1).and_then(|v| v.parse().ok());
            i += 1;
        } else if a.starts_with("-u") && a.len() > 2 && a[2..].bytes().all(|b| b.is_ascii_digit()) {
            uid = a[2..].parse().ok();
        } else if value_flags.contains(&a) {
            i += 1;
        } else if a == "-r" || a == "--system" || a == "-S" {
            system = true;
        } else if !a.starts_with('-') {
            positional.push(a);
        }
        i += 1;
    }
    let name = if name_is_last { positional.last() } else { positional.first() }?;
    if name.contains('$') || name.is_empty() {
        return None;
    }
    Some(CreatedUser { name: name.to_string(), uid, system })
}

/// Users that well-known base images already have, with their UIDs.
pub fn base_image_user(base_image: &str, name: &str) -> Option<u32> {
    let image = base_image.rsplit('/').next().unwrap_or(base_image);
    let repo = image.split([':', '@']).next().unwrap_or(image);
    match name {
        "root" => Some(0),
        "daemon" => Some(1),
        "nobody" => Some(65534),
        "www-data" => Some(33),
        "node" if repo == "node" => Some(1000),
        "bun" if repo == "bun" => Some(1000),
        "jovyan" => Some(1000),
        "ubuntu" if ships_ubuntu_user(base_image) => Some(1000),
        _ => None,
    }
}

/// Whether the base image already has a UID-1000 user, so `useradd` without `-u` gets 1001.
pub fn base_has_uid_1000(base_image: &str) -> Option<&'static str> {
    let image = base_image.rsplit('/').next().unwrap_or(base_image);
    let repo = image.split([':', '@']).next().unwrap_or(image);
    if repo == "node" {
        Some("node")
    } else if repo == "bun" {
        Some("bun")
    } else if ships_ubuntu_user(base_image) {
        Some("ubuntu")
    } else if base_image.contains("jupyter") {
        Some("jovyan")
    } else {
        None
    }
}

/// Ubuntu 24.04 and later ship a `ubuntu` user with UID 1000 (so do images built on them).
fn ships_ubuntu_user(base_image: &str) -> bool {
    let lower = base_image.to_ascii_lowercase();
    let is_ubuntu = lower.starts_with("ubuntu")
        || lower.contains("/ubuntu")
        || lower.contains("ubuntu2")
        || lower.contains("-ubuntu");
    is_ubuntu
        && [
            "24.04",
            "24.10",
            "25.04",
            "25.10",
            "26.04",
            "noble",
            "oracular",
            "plucky",
            "questing",
            "ubuntu:latest",
            "ubuntu:rolling",
        ]
        .iter()
        .any(|v| lower.contains(v) || lower == "ubuntu")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::shell::{no_vars, parse_commands};

    fn change(s: &str) -> Option<CreatedUser> {
        parse_commands(s, &no_vars).iter().find_map(user_change)
    }

    #[test]
    fn reads_uid_in_every_spelling() {
        assert_eq!(change("useradd -m -u 1000 user").unwrap().uid, Some(1000));
        assert_eq!(change("useradd --uid=1000 -m user").unwrap().uid, Some(1000));
        assert_eq!(
            change("useradd -u1001 app").unwrap(),
            CreatedUser { name: "app".into(), uid: Some(1001), system: false }
        );
        assert_eq!(change("adduser --disabled-password --gecos '' --uid 1000 user").unwrap().name, "user");
        assert_eq!(change("adduser -D -u 1000 -h /home/user -s /bin/sh user").unwrap().uid, Some(1000));
        assert_eq!(change("useradd -m user").unwrap().uid, None);
        assert!(change("useradd -r -s /bin/false svc").unwrap().system);
        assert_eq!(change("usermod -u 1000 www-data").unwrap().name, "www-data");
        assert!(change("usermod -aG sudo user").is_none());
    }

    #[test]
    fn base_image_users() {
        assert_eq!(base_image_user("node:20-slim", "node"), Some(1000));
        assert_eq!(base_image_user("python:3.11", "node"), None);
        assert_eq!(base_image_user("ubuntu:24.04", "ubuntu"), Some(1000));
        assert_eq!(base_image_user("ubuntu:22.04", "ubuntu"), None);
        assert_eq!(base_has_uid_1000("nvidia/cuda:12.4.1-runtime-ubuntu24.04"), Some("ubuntu"));
        assert_eq!(base_has_uid_1000("python:3.11-slim"), None);
    }
}
