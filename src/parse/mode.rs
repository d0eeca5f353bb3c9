//! File modes as `chmod` and `COPY --chmod` write them: octal (`755`, `0775`, `2777`) and
//! symbolic (`o+w`, `a+rwx`, `u=rwx,go=rx`), with one definition of "writable by others".

/// What a mode operand does to the permission bits that matter to a Space: whether users
/// other than the owner (and group) may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An absolute mode (octal).
    Octal(u32),
    /// A symbolic change: whether it grants, removes or leaves write for others.
    Symbolic { others_write: Option<bool> },
}

impl Mode {
    /// Parses a mode operand; `None` when it is neither octal nor symbolic (a variable, a
    /// reference file).
    pub fn parse(text: &str) -> Option<Mode> {
        let text = text.trim();
        if !text.is_empty() && text.len() <= 5 && text.chars().all(|c| ('0'..='7').contains(&c)) {
            return u32::from_str_radix(text, 8).ok().map(Mode::Octal);
        }
        symbolic(text).map(|others_write| Mode::Symbolic { others_write })
    }

    /// Whether files with this mode may be written by any user (the runtime UID included):
    /// the "others" write bit. A `+w` without `ugoa` is masked by the umask (022 in images),
    /// so it does not count.
    pub fn world_writable(self) -> bool {
        self.others_write() == Some(true)
    }

    /// What the mode does to the others' write bit: grants it, removes it, or (a symbolic
    /// change that does not touch it) leaves it as it was.
    pub fn others_write(self) -> Option<bool> {
        match self {
            Mode::Octal(bits) => Some(bits & 0o002 != 0),
            Mode::Symbolic { others_write } => others_write,
        }
    }
}

/// The symbolic clauses `[ugoa]*[+-=][rwxXst]*`, comma-separated; the last clause that
/// touches the others' write bit decides.
fn symbolic(text: &str) -> Option<Option<bool>> {
    let mut others_write = None;
    for clause in text.split(',') {
        let who_end = clause.find(['+', '-', '='])?;
        let (who, rest) = clause.split_at(who_end);
        if !who.chars().all(|c| "ugoa".contains(c)) {
            return None;
        }
        let op = rest.chars().next()?;
        let perms = &rest[1..];
        if !perms.chars().all(|c| "rwxXstugo".contains(c)) {
            return None;
        }
        let touches_others = who.contains('o') || who.contains('a');
        match op {
            '+' if touches_others && perms.contains('w') => others_write = Some(true),
            '-' if touches_others && perms.contains('w') => others_write = Some(false),
            '=' if touches_others => others_write = Some(perms.contains('w')),
            _ => {}
        }
    }
    Some(others_write)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_modes() {
        for writable in ["777", "0777", "772", "2777", "666", "0002"] {
            assert!(Mode::parse(writable).unwrap().world_writable(), "{writable}");
        }
        for not in ["755", "775", "0770", "644", "4755", "770"] {
            assert!(!Mode::parse(not).unwrap().world_writable(), "{not}");
        }
    }

    #[test]
    fn symbolic_modes() {
        assert!(Mode::parse("o+w").unwrap().world_writable());
        assert!(Mode::parse("a+rwx").unwrap().world_writable());
        assert!(Mode::parse("u=rwx,go=rwx").unwrap().world_writable());
        assert!(!Mode::parse("+x").unwrap().world_writable());
        assert!(!Mode::parse("u+w").unwrap().world_writable());
        assert!(!Mode::parse("a+w,o-w").unwrap().world_writable());
        assert!(Mode::parse("$MODE").is_none());
        assert!(Mode::parse("--reference=x").is_none());
    }
}
