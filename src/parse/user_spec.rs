//! `USER`, `--chown` and `chown` operands: `user`, `user:group`, `1000`, `1000:1000`.

/// A user reference with its optional group, as Docker and `chown` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    pub user: String,
    pub group: Option<String>,
}

impl UserSpec {
    /// Splits `user[:group]` (`chown` also accepts `user.group`, but Docker does not, and a
    /// name may contain dots, so only `:` separates).
    pub fn parse(text: &str) -> UserSpec {
        let text = text.trim();
        match text.split_once(':') {
            Some((user, group)) => UserSpec { user: user.trim().to_string(), group: Some(group.trim().to_string()) },
            None => UserSpec { user: text.to_string(), group: None },
        }
    }

    /// The numeric UID when the user is written as a number.
    pub fn uid(&self) -> Option<u32> {
        self.user.parse().ok()
    }

    /// Whether the user is root, by name or UID 0.
    pub fn is_root(&self) -> bool {
        self.user == "root" || self.uid() == Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_groups() {
        assert_eq!(UserSpec::parse("user:user"), UserSpec { user: "user".into(), group: Some("user".into()) });
        assert_eq!(UserSpec::parse("1000").uid(), Some(1000));
        assert_eq!(UserSpec::parse("app.user").user, "app.user");
        assert!(UserSpec::parse("0:0").is_root());
        assert!(UserSpec::parse("root").is_root());
        assert!(!UserSpec::parse("1000:0").is_root());
    }
}
