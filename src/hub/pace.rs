//! Pacing under the Hub's fixed-window rate limits (hub.md, "Errors and limits"): a batch that
//! knows how many calls are left in a bucket's window, and when it resets, sends no request the
//! Hub would answer with 429.
//!
//! Every answer carries `RateLimit: "api";r=LEFT;t=SECONDS` and
//! `RateLimit-Policy: "fixed window";"api";q=QUOTA;w=WIDTH`. The pacer keeps, per bucket, the
//! calls it believes are left and the latest moment the window can reset, and gives a request a
//! slot only while calls are left beyond the reserve; otherwise the request waits for the reset.
//! What it believes is conservative on purpose:
//! - requests sent but not yet answered are counted as spent (the Hub may have counted them),
//!   so an answer's `r` is lowered by them and a burst of concurrent requests cannot overrun;
//! - `t` is whole seconds: the reset is taken as the earliest of the moments the answers imply,
//!   and a request waits a margin past it (a tenth of the window, at most a second: `t` may be
//!   rounded down as well as up);
//! - when the reset passes, the window is refilled from `q` only if the policy was given (else
//!   the next answer says how many are left).
//!
//! The pacer is plain state over `Instant`s, so its arithmetic is tested without a clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The Hub's rate-limit buckets spacecheck's requests fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Every `/api/*` request.
    Api,
    /// File downloads (`/resolve/`).
    Resolvers,
}

impl Bucket {
    /// The bucket a Hub URL's path counts against; `None` for what the Hub does not limit this
    /// way (a Space's own app).
    pub fn of_path(path: &str) -> Option<Bucket> {
        if path.starts_with("/api/") {
            Some(Bucket::Api)
        } else if path.contains("/resolve/") {
            Some(Bucket::Resolvers)
        } else {
            None
        }
    }

    /// The name the `RateLimit` header gives it.
    pub fn from_header_name(name: &str) -> Option<Bucket> {
        match name {
            "api" => Some(Bucket::Api),
            "resolvers" => Some(Bucket::Resolvers),
            _ => None,
        }
    }
}

/// What one answer said of its bucket's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowReport {
    pub bucket: Bucket,
    /// `r`: calls left in the window.
    pub left: u64,
    /// `t`: time until the window resets.
    pub reset: Duration,
    /// `q` and `w` of `RateLimit-Policy`, when the answer gave them.
    pub quota: Option<u64>,
    pub width: Option<Duration>,
}

#[derive(Debug)]
struct Window {
    left: u64,
    /// The latest moment the window can reset (never earlier than the Hub's reset).
    resets_at: Instant,
    quota: Option<u64>,
    width: Option<Duration>,
}

#[derive(Debug, Default)]
struct BucketState {
    window: Option<Window>,
    /// Requests given a slot and not answered yet.
    in_flight: u64,
}

/// Waited past a reset, for the whole seconds of `t` and the time a request takes to arrive.
fn margin(width: Option<Duration>) -> Duration {
    width.map_or(Duration::from_secs(1), |w| (w / 10).min(Duration::from_secs(1)))
}

#[derive(Debug)]
pub struct Pacer {
    /// Calls left unused in every window (for whatever else uses the same token).
    reserve: u64,
    buckets: Mutex<HashMap<Bucket, BucketState>>,
}

/// The answer to "may I send now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Send now; the slot is taken (give it back with [`Pacer::answered`]).
    Go,
    /// Nothing left in this window: ask again at this moment.
    WaitUntil(Instant),
}

impl Pacer {
    pub fn new(reserve: u64) -> Pacer {
        Pacer { reserve, buckets: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Bucket, BucketState>> {
        // The state is a few counters: a panic elsewhere cannot leave it half-written.
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot in `bucket` at `now`, or says when to ask again.
    pub fn claim(&self, bucket: Bucket, now: Instant) -> Claim {
        let mut buckets = self.lock();
        let state = buckets.entry(bucket).or_default();
        if let Some(window) = &mut state.window {
            if now >= window.resets_at {
                match (window.quota, window.width.filter(|w| !w.is_zero())) {
                    (Some(quota), Some(width)) => {
                        while window.resets_at <= now {
                            window.resets_at += width;
                        }
                        // Requests still in flight may land in the new window.
                        window.left = quota.saturating_sub(state.in_flight);
                    }
                    // Without the policy the new window's size is unknown: the answers tell.
                    _ => state.window = None,
                }
            }
        }
        if let Some(window) = &mut state.window {
            if window.left <= self.reserve {
                return Claim::WaitUntil(window.resets_at + margin(window.width));
            }
            window.left -= 1;
        }
        state.in_flight += 1;
        Claim::Go
    }

    /// Takes a slot whatever is left (a wait longer than the caller accepts: the Hub's answer
    /// then decides).
    pub fn take(&self, bucket: Bucket) {
        let mut buckets = self.lock();
        let state = buckets.entry(bucket).or_default();
        if let Some(window) = &mut state.window {
            window.left = window.left.saturating_sub(1);
        }
        state.in_flight += 1;
    }

    /// A request that had a slot was answered (or failed) at `now`; `report` is what its
    /// answer said of the window, if anything.
    ///
    /// The count kept here is exact for the calls this pacer gave slots to; an answer's `r` can
    /// only lower it (calls made with the same token elsewhere). So `left` is the lower of the
    /// two, never `r` less the unanswered requests: the Hub has usually counted those already,
    /// and counting them twice would leave part of every window unused.
    pub fn answered(&self, bucket: Bucket, report: Option<WindowReport>, now: Instant) {
        let mut buckets = self.lock();
        let state = buckets.entry(bucket).or_default();
        // Every slot given before the window was known is this one or still unanswered.
        let sent_unknown = state.in_flight;
        state.in_flight = state.in_flight.saturating_sub(1);
        let Some(report) = report.filter(|r| r.bucket == bucket) else { return };
        let resets_at = now + report.reset;
        match &mut state.window {
            None => {
                let left = match report.quota {
                    Some(quota) => report.left.min(quota.saturating_sub(sent_unknown)),
                    // Without the quota there is no count of our own: the unanswered requests
                    // are taken as not counted yet.
                    None => report.left.saturating_sub(state.in_flight),
                };
                state.window = Some(Window { left, resets_at, quota: report.quota, width: report.width });
            }
            Some(window) => {
                let width = report.width.or(window.width).unwrap_or(Duration::from_secs(1));
                if resets_at + width / 2 < window.resets_at {
                    // An answer from a window already over (it was slow): it says nothing now.
                    return;
                }
                if resets_at > window.resets_at + width / 2 {
                    // A newer window than the one believed in: no count of our own for it.
                    window.left = report.left.saturating_sub(state.in_flight);
                    window.resets_at = resets_at;
                } else {
                    window.left = window.left.min(report.left);
                    window.resets_at = window.resets_at.min(resets_at);
                }
                window.quota = report.quota.or(window.quota);
                window.width = report.width.or(window.width);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(left: u64, reset_s: u64) -> WindowReport {
        WindowReport {
            bucket: Bucket::Api,
            left,
            reset: Duration::from_secs(reset_s),
            quota: Some(5),
            width: Some(Duration::from_secs(3)),
        }
    }

    #[test]
    fn buckets_by_path() {
        assert_eq!(Bucket::of_path("/api/spaces/a/b"), Some(Bucket::Api));
        assert_eq!(Bucket::of_path("/spaces/a/b/resolve/main/README.md"), Some(Bucket::Resolvers));
        assert_eq!(Bucket::of_path("/"), None);
    }

    #[test]
    fn requests_sent_before_the_first_answer_are_counted() {
        let pacer = Pacer::new(0);
        let t0 = Instant::now();
        // Nothing known yet: three go at once.
        for _ in 0..3 {
            assert_eq!(pacer.claim(Bucket::Api, t0), Claim::Go);
        }
        // The first answer: 4 left by the Hub's count, but two more requests are out.
        pacer.answered(Bucket::Api, Some(report(4, 3)), t0);
        assert_eq!(pacer.claim(Bucket::Api, t0), Claim::Go);
        assert_eq!(pacer.claim(Bucket::Api, t0), Claim::Go);
        // 5 sent in a window of 5: the next waits for the reset, whatever later answers say.
        pacer.answered(Bucket::Api, Some(report(3, 3)), t0);
        let margin = Duration::from_millis(300);
        assert_eq!(pacer.claim(Bucket::Api, t0), Claim::WaitUntil(t0 + Duration::from_secs(3) + margin));
    }

    #[test]
    fn another_user_of_the_token_lowers_the_count() {
        let pacer = Pacer::new(0);
        let t0 = Instant::now();
        pacer.claim(Bucket::Api, t0);
        pacer.answered(Bucket::Api, Some(report(4, 3)), t0);
        pacer.claim(Bucket::Api, t0);
        // Our count says 3 left; the Hub says 1 (someone else spent two).
        pacer.answered(Bucket::Api, Some(report(1, 3)), t0);
        assert_eq!(pacer.claim(Bucket::Api, t0), Claim::Go);
        assert!(matches!(pacer.claim(Bucket::Api, t0), Claim::WaitUntil(_)));
    }

    #[test]
    fn the_window_refills_from_the_policy_at_its_reset() {
        let pacer = Pacer::new(1);
        let t0 = Instant::now();
        assert_eq!(pacer.claim(Bucket::Api, t0), Claim::Go);
        pacer.answered(Bucket::Api, Some(report(1, 2)), t0);
        // One left, one kept in reserve: wait.
        let Claim::WaitUntil(at) = pacer.claim(Bucket::Api, t0) else { panic!("must wait") };
        assert!(at > t0 + Duration::from_secs(2));
        // After the reset the quota (5) less the reserve (1) may go.
        let goes = (0..10).take_while(|_| pacer.claim(Bucket::Api, at) == Claim::Go).count();
        assert_eq!(goes, 4);
    }

    #[test]
    fn the_earliest_reset_wins_and_stale_answers_are_ignored() {
        let pacer = Pacer::new(0);
        let t0 = Instant::now();
        pacer.claim(Bucket::Api, t0);
        pacer.claim(Bucket::Api, t0);
        pacer.answered(Bucket::Api, Some(report(3, 3)), t0);
        // Whole seconds: a later answer says 2 s from 0.5 s on, so the reset is at 2.5 s.
        pacer.answered(Bucket::Api, Some(report(3, 2)), t0 + Duration::from_millis(500));
        let buckets = pacer.lock();
        let window = buckets[&Bucket::Api].window.as_ref().unwrap();
        assert_eq!(window.resets_at, t0 + Duration::from_millis(2500));
        // Our own count (5 less the 2 sent) stands: answers can arrive out of order, so a
        // higher count never raises it.
        assert_eq!(window.left, 3);
    }

    #[test]
    fn a_slot_taken_without_waiting_is_counted() {
        let pacer = Pacer::new(0);
        let t0 = Instant::now();
        pacer.claim(Bucket::Api, t0);
        pacer.answered(Bucket::Api, Some(report(0, 3)), t0);
        assert!(matches!(pacer.claim(Bucket::Api, t0), Claim::WaitUntil(_)));
        pacer.take(Bucket::Api);
        let buckets = pacer.lock();
        assert_eq!((buckets[&Bucket::Api].in_flight, buckets[&Bucket::Api].window.as_ref().unwrap().left), (1, 0));
    }

    #[test]
    fn without_a_policy_the_next_answer_decides() {
        let pacer = Pacer::new(0);
        let t0 = Instant::now();
        pacer.claim(Bucket::Api, t0);
        let bare = WindowReport { quota: None, width: None, ..report(0, 1) };
        pacer.answered(Bucket::Api, Some(bare), t0);
        assert!(matches!(pacer.claim(Bucket::Api, t0), Claim::WaitUntil(_)));
        assert_eq!(pacer.claim(Bucket::Api, t0 + Duration::from_secs(2)), Claim::Go);
    }
}
