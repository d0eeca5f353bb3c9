//! The language server's latency (`cargo bench --bench lsp_latency`): from a `didChange` of the
//! reference Space's Dockerfile to the diagnostics to publish (the whole Space linted with the
//! open document over it), in process, as `spacecheck server` handles it. Issue 23's goal is
//! diagnostics within 50 ms of a change.

// The allocator of the binary (src/main.rs), so the figures are the tool's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use lsp_server::Notification;
use serde_json::json;
use spacecheck::lsp::State;

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference-space");
    let root = root.canonicalize().expect("the reference Space");
    let dockerfile = root.join("Dockerfile");
    let uri = format!("file://{}", dockerfile.display());
    let text = std::fs::read_to_string(&dockerfile).expect("its Dockerfile");
    let mut state = State::default();
    let open = json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}});
    state.notification(Notification::new("textDocument/didOpen".into(), open));
    // Alternate a change that brings a finding (a loopback bind) with the file as it is.
    let broken = text.replace("0.0.0.0", "127.0.0.1");
    let rounds = 200;
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let body = if i % 2 == 0 { &broken } else { &text };
        let change = json!({"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": body}]});
        let start = Instant::now();
        let published = state.notification(Notification::new("textDocument/didChange".into(), change));
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(!published.is_empty());
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "didChange → diagnostics on the reference Space, {rounds} changes: median {:.2} ms, p95 {:.2} ms, max {:.2} ms (goal: 50 ms)",
        at(0.5),
        at(0.95),
        times[times.len() - 1]
    );
}
