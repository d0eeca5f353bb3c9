//! A child process run to its end with its own peak memory (`wait4`'s rusage: that child only,
//! not the other tests' children) and its time.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Measured {
    pub output: Output,
    /// Peak resident memory, KiB.
    pub peak_kib: i64,
    #[allow(dead_code)] // the hook tests do not time the run
    pub took: Duration,
}

/// Runs `command` with `input` on its standard input.
#[allow(clippy::zombie_processes)] // reaped by wait4 below, which also gives its rusage
pub fn run(command: &mut Command, input: &[u8]) -> Measured {
    let start = Instant::now();
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let (mut out, mut err) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let mut stderr = Vec::new();
    let _ = err.read_to_end(&mut stderr);
    let stdout = reader.join().expect("reader");
    let _ = writer.join();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    Measured {
        output: Output { status: ExitStatus::from_raw(status), stdout, stderr },
        peak_kib: usage.ru_maxrss,
        took: start.elapsed(),
    }
}
