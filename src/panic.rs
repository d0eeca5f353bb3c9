//! Panics: none is expected, but a dependency can panic on hostile input (`pep508_rs` did on a
//! marker followed by a BOM). What a panic prints goes through the same masking as every other
//! stream (its message can quote the line that caused it, a token with it), and a panic caught
//! where the input is known to be the cause prints nothing: the caller treats that input as
//! unread.

use std::cell::Cell;

thread_local! {
    /// Set while [`caught`] runs: the hook stays silent.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs the process's panic hook: one masked line on standard error, control characters
/// escaped, with the place in spacecheck's code; never the default hook's unmasked message.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        if QUIET.with(Cell::get) {
            return;
        }
        let message = describe(info.payload());
        let place = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
        crate::redact::warn(&format!("spacecheck: internal error{place}: {message}; please report it"));
    }));
}

/// Runs `f`; a panic inside it is caught silently and becomes `None`.
pub fn caught<T>(f: impl FnOnce() -> T) -> Option<T> {
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.ok()
}

/// The text of a caught panic's payload, masked, for an error row or message.
pub fn describe(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    crate::redact::mask(&message)
}

/// Fault injection for the batch tests, in debug builds only (a release build has none):
/// `SPACECHECK_TEST_FAULT=panic=OWNER/NAME` panics while that Space is linted,
/// `SPACECHECK_TEST_FAULT=busy=OWNER/NAME:MS` keeps the thread busy that long (a Space whose
/// lint is slow), so `tests/grade.rs` can show that a batch survives both.
#[cfg(debug_assertions)]
pub fn test_fault(space_id: &str) {
    let Ok(fault) = std::env::var("SPACECHECK_TEST_FAULT") else { return };
    for one in fault.split(',') {
        match one.split_once('=') {
            Some(("panic", id)) if id == space_id => panic!("injected fault for {id}"),
            Some(("busy", spec)) => {
                let Some((id, ms)) = spec.rsplit_once(':') else { continue };
                if id == space_id {
                    let until = std::time::Instant::now() + std::time::Duration::from_millis(ms.parse().unwrap_or(0));
                    // Busy, not asleep: a thread that computes, as a costly lint does.
                    while std::time::Instant::now() < until {
                        std::hint::spin_loop();
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_is_none_and_the_value_passes_through() {
        assert_eq!(caught(|| 7), Some(7));
        assert_eq!(caught(|| -> i32 { panic!("boom") }), None);
        // Quiet only inside.
        assert!(!QUIET.with(Cell::get));
    }
}
