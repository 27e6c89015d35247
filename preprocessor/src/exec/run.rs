//! Running compiled chapter programs, in parallel, with limits.
//!
//! Each program runs in its own scratch folder with an empty standard input, in its own
//! process group so that a time-out kills it and every child it started. Its standard output
//! is parsed as it arrives (so a flood costs bounded memory) and its standard error is kept,
//! capped, for diagnostics. This module reports what happened; it never decides what is an
//! error and never touches markdown or the cache.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use wait_timeout::ChildExt;

use crate::exec::progress::Reporter;
use crate::exec::protocol::{OutputParser, Parsed};
use crate::exec::workspace::CHAPTER_VAR;

/// How much of standard error is kept for messages.
const STDERR_LIMIT: usize = 64 * 1024;

/// One program to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The book's binary, and the chapter of it to run.
    pub exe: PathBuf,
    pub chapter: String,
    /// The chapter's file, for progress messages (`src/ch.md`).
    pub display: String,
    pub scratch: PathBuf,
    pub nonce: String,
    pub cells: usize,
    pub output_limit: usize,
    pub timeout: Duration,
    /// How many frames one exploration may have.
    pub max_frames: usize,
    /// More variables for the program (where the book's data files and the memos are).
    pub env: Vec<(String, String)>,
}

/// What happened when a program ran.
#[derive(Debug)]
pub struct RunOutcome {
    pub parsed: Parsed,
    /// `None` when it was killed for running too long.
    pub status: Option<ExitStatus>,
    pub stderr: String,
}

/// Runs every program, as many at once as there are cores, and returns outcomes in order.
pub fn run_all(specs: Vec<RunSpec>, report: &Reporter) -> Vec<Result<RunOutcome>> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(specs.len().max(1));
    let queue = Mutex::new(specs.into_iter().enumerate());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().next();
                    let Some((i, spec)) = next else { break };
                    report.started(&spec.display);
                    let outcome = run_one(&spec, report);
                    report.finished(&spec.display);
                    results.lock().unwrap().push((i, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn run_one(spec: &RunSpec, report: &Reporter) -> Result<RunOutcome> {
    // A fresh scratch folder: files a previous run wrote must not change this run.
    let _ = std::fs::remove_dir_all(&spec.scratch);
    std::fs::create_dir_all(&spec.scratch).with_context(|| format!("creating {}", spec.scratch.display()))?;

    let mut cmd = Command::new(&spec.exe);
    cmd.current_dir(&spec.scratch)
        .env(CHAPTER_VAR, &spec.chapter)
        .env("MDBOOK_EXEC_NONCE", &spec.nonce)
        .env("RUST_BACKTRACE", "0")
        .env("MDBOOK_EXEC_MAX_FRAMES", spec.max_frames.to_string())
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().with_context(|| format!("starting {}", spec.exe.display()))?;

    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (frames, file) = (report.clone(), spec.display.clone());
    let mut parser = OutputParser::new(&spec.nonce, spec.cells, spec.output_limit)
        .on_frames(move |done, total| frames.frames(&file, done, total));
    let (status, stderr_text, parsed) = std::thread::scope(|s| {
        let out = s.spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.feed(&buf[..n]);
            }
            parser.finish()
        });
        let err = s.spawn(move || {
            let mut kept = Vec::new();
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let room = STDERR_LIMIT.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            String::from_utf8_lossy(&kept).into_owned()
        });
        let status = match child.wait_timeout(spec.timeout) {
            Ok(Some(status)) => {
                // Children left behind would hold the output pipe open; end them too.
                kill_group(&mut child);
                Some(status)
            }
            _ => {
                kill_group(&mut child);
                None
            }
        };
        (status, err.join().unwrap_or_default(), out.join().expect("the output reader does not panic"))
    });
    Ok(RunOutcome { parsed, status, stderr: stderr_text })
}

/// Kills the program and everything it started.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    // SAFETY: `kill` has no memory-safety preconditions; the group id is the child's pid.
    unsafe {
        libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}
