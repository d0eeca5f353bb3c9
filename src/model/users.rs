//! Users: who an instruction runs as, and which UID a user name has in the built image.
//!
//! Names get UIDs from `useradd`/`adduser`/`usermod` in the stage chain; the users that
//! well-known base images ship (`node` is UID 1000 in the official node images) are in
//! [`super::base`].

use crate::parse::shell::{ParsedArgs, SimpleCommand};

/// A user created or changed by a `RUN` in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedUser {
    pub name: String,
    /// `None` when no UID was given (the system picks the next free one).
    pub uid: Option<u32>,
    /// `useradd -r` / `adduser --system` users get UIDs below 1000.
    pub system: bool,
    /// `usermod -l NEW OLD`: the account `OLD` renamed, keeping its UID (`node` → `user` on
    /// node images, where `node` is UID 1000).
    pub renamed_from: Option<String>,
    /// The home folder of the account (`-d`/`--home`/`-h`, else `/home/NAME`), and whether
    /// the command creates it (`useradd -m`; Debian's and BusyBox's `adduser` unless told not
    /// to). `None` for `usermod`, which changes neither.
    pub home: Option<Home>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    pub path: String,
    pub created: bool,
}

/// Reads `useradd`, `adduser` and `usermod -u` out of a simple command.
pub fn user_change(cmd: &SimpleCommand) -> Option<CreatedUser> {
    let program = cmd.program_name()?;
    let args = cmd.words.get(1..).unwrap_or_default();
    match program {
        "useradd" => parse_options(args, USERADD_VALUE_FLAGS, &["-u", "--uid"], true),
        "adduser" => parse_options(args, ADDUSER_VALUE_FLAGS, &["-u", "--uid"], false),
        "usermod" => {
            let mut u = parse_options(args, USERMOD_VALUE_FLAGS, &["-u", "--uid"], true)?;
            u.home = None;
            let new_name = ParsedArgs::parse(args, USERMOD_VALUE_FLAGS).value(&["-l", "--login"]).map(str::to_string);
            match new_name.filter(|n| !n.is_empty() && !n.contains('$')) {
                Some(name) => {
                    Some(CreatedUser { name, uid: u.uid, system: false, renamed_from: Some(u.name), home: None })
                }
                None => u.uid.map(|_| u),
            }
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
    let parsed = ParsedArgs::parse(args, value_flags);
    let uid = parsed.value(uid_flags).and_then(|v| v.parse().ok());
    let system = parsed.has(&["-r", "--system", "-S"]);
    let operands = &parsed.operands;
    let name = if name_is_last { operands.last() } else { operands.first() }?;
    if name.contains('$') || name.is_empty() {
        return None;
    }
    // useradd creates the home only with -m; both adduser create it unless told not to.
    let created = if name_is_last {
        parsed.has(&["-m", "--create-home"]) && !parsed.has(&["-M", "--no-create-home"])
    } else {
        !parsed.has(&["-H", "--no-create-home"]) && !system
    };
    let path = parsed
        .value(&["-d", "--home-dir", "--home", "-h"])
        .filter(|h| h.starts_with('/'))
        .map_or_else(|| format!("/home/{name}"), str::to_string);
    Some(CreatedUser { name: name.to_string(), uid, system, renamed_from: None, home: Some(Home { path, created }) })
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
            CreatedUser {
                name: "app".into(),
                uid: Some(1001),
                system: false,
                renamed_from: None,
                home: Some(Home { path: "/home/app".into(), created: false })
            }
        );
        assert_eq!(change("adduser --disabled-password --gecos '' --uid 1000 user").unwrap().name, "user");
        assert_eq!(change("adduser -D -u 1000 -h /home/user -s /bin/sh user").unwrap().uid, Some(1000));
        assert_eq!(change("useradd -m user").unwrap().uid, None);
        assert!(change("useradd -r -s /bin/false svc").unwrap().system);
        assert_eq!(change("usermod -u 1000 www-data").unwrap().name, "www-data");
        assert!(change("usermod -aG sudo user").is_none());
    }

    #[test]
    fn homes_and_whether_they_are_created() {
        let home = |s: &str| change(s).unwrap().home.unwrap();
        assert_eq!(home("useradd -m -u 1000 user"), Home { path: "/home/user".into(), created: true });
        assert_eq!(home("useradd -u 1000 user"), Home { path: "/home/user".into(), created: false });
        assert_eq!(home("useradd -m -d /app -u 1000 user"), Home { path: "/app".into(), created: true });
        assert_eq!(
            home("adduser --disabled-password --gecos '' user"),
            Home { path: "/home/user".into(), created: true }
        );
        assert_eq!(home("adduser -D -H -u 1000 user"), Home { path: "/home/user".into(), created: false });
        assert_eq!(home("adduser -D -h /srv/app -u 1000 user"), Home { path: "/srv/app".into(), created: true });
    }
}
