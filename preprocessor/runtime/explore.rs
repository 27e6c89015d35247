//! Explorations: an experiment run for every combination of one or two parameters, so that a
//! reader can move a control on the page and see its figures, output and values change.
//!
//! [`explore`] names the figure; [`Param`]s give each parameter's values and default; [`run`]
//! (Explore::run) calls the closure once per combination (a *frame*). Under mdbook-exec on Unix
//! every frame runs in a child process forked from the chapter program, as many at once as
//! there are cores, with its standard output going to a file of its own; the frames are then
//! written, in order, between records that tell the preprocessor which frame they belong to.
//! So inside the closure `println!`, values, plots and tables work as in a cell, frames cannot
//! disturb each other, and the result does not depend on scheduling. Elsewhere (other systems,
//! or a person running a downloaded chapter) frames run in the process itself, one by one.

use std::io::{Read, Seek, Write};

use serde_json::{Value as Json, json};

use crate::mode::{Mode, mode};
use crate::out::emit;
use crate::value::Value;
use crate::wire::{records, set_quiet_panics, write_raw};

/// One parameter of an exploration: a name, the values a reader can choose, and how to show
/// them.
#[derive(Debug, Clone)]
pub struct Param {
    name: String,
    label: String,
    values: Vec<Value>,
    default: Option<Value>,
    format: String,
    /// A mistake found while building the parameter, reported by `run` at the caller's line.
    error: Option<String>,
}

/// Rounds away the noise of repeated addition (0.30000000000000004 becomes 0.3).
fn clean(x: f64) -> f64 {
    format!("{x:.12e}").parse().unwrap_or(x)
}

impl Param {
    /// The numbers from `lo` to `hi` (both included) in steps of `step`, shown with a slider.
    pub fn range(name: &str, lo: f64, hi: f64, step: f64) -> Param {
        let mut p = Param::values(name, Vec::<f64>::new());
        if !(lo.is_finite() && hi.is_finite() && step.is_finite()) || step <= 0.0 || hi < lo {
            p.error = Some(format!(
                "parameter `{name}`: a range needs finite `lo <= hi` and a positive step, not {lo} to {hi} in steps of {step}"
            ));
            return p;
        }
        let steps = ((hi - lo) / step + 1e-9).floor() as usize;
        p.values = (0..=steps.min(1 << 20)).map(|i| Value::Float(clean(lo + i as f64 * step))).collect();
        p
    }

    /// Explicit values: numbers (a slider, in the order given) or text (a drop-down list).
    pub fn values<V: Into<Value>>(name: &str, values: impl IntoIterator<Item = V>) -> Param {
        Param {
            name: name.to_owned(),
            label: name.to_owned(),
            values: values.into_iter().map(Into::into).collect(),
            default: None,
            format: String::new(),
            error: None,
        }
    }

    /// The label next to the control (may hold `$..$` math); the name by default.
    pub fn label(mut self, label: &str) -> Param {
        self.label = label.to_owned();
        self
    }

    /// The value shown first, on the printed page and without JavaScript; the first value by
    /// default. It must be one of the values.
    pub fn default(mut self, value: impl Into<Value>) -> Param {
        self.default = Some(value.into());
        self
    }

    /// The display format of the values, as for `exec::value_fmt` (`.2`, `3s`, `.1e`, `.0%`).
    pub fn format(mut self, spec: &str) -> Param {
        self.format = spec.to_owned();
        self
    }

    fn default_index(&self) -> Result<usize, String> {
        let Some(d) = &self.default else { return Ok(0) };
        let same = |v: &Value| match (v, d) {
            (Value::Float(a), Value::Float(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
            (Value::Float(a), Value::Int(b)) | (Value::Int(b), Value::Float(a)) => *a == *b as f64,
            (a, b) => a == b,
        };
        self.values.iter().position(same).ok_or_else(|| {
            let shown: Vec<String> = self.values.iter().take(12).map(|v| v.to_string()).collect();
            let more = if self.values.len() > 12 { ", ..." } else { "" };
            format!(
                "the default {d} of parameter `{}` is not one of its values ({}{more})",
                self.name,
                shown.join(", ")
            )
        })
    }

    fn is_text(&self) -> bool {
        self.values.iter().any(|v| matches!(v, Value::Text(_) | Value::Tex(_)))
    }
}

/// The parameter values of one frame, as the closure sees them.
#[derive(Debug, Clone)]
pub struct Frame {
    names: Vec<String>,
    values: Vec<Value>,
}

impl Frame {
    /// The value of parameter `name`.
    #[track_caller]
    pub fn get(&self, name: &str) -> &Value {
        match self.names.iter().position(|n| n == name) {
            Some(i) => &self.values[i],
            None => panic!(
                "this exploration has no parameter `{name}`; its parameters are {}",
                self.names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// The value of a numeric parameter.
    #[track_caller]
    pub fn f64(&self, name: &str) -> f64 {
        match self.get(name) {
            Value::Float(x) => *x,
            Value::Int(i) => *i as f64,
            other => panic!("parameter `{name}` is not a number: {other}"),
        }
    }

    /// The value of an integer parameter.
    #[track_caller]
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            Value::Int(i) => *i as i64,
            Value::Float(x) if x.fract() == 0.0 => *x as i64,
            other => panic!("parameter `{name}` is not an integer: {other}"),
        }
    }

    /// The value of a non-negative integer parameter, for sizes and counts.
    #[track_caller]
    pub fn usize(&self, name: &str) -> usize {
        let i = self.int(name);
        usize::try_from(i).unwrap_or_else(|_| panic!("parameter `{name}` is negative: {i}"))
    }

    /// The value of a text parameter.
    #[track_caller]
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            Value::Text(s) | Value::Tex(s) => s,
            other => panic!("parameter `{name}` is not text: {other}"),
        }
    }
}

impl std::fmt::Display for Frame {
    /// `eta = 0.5, depth = 3`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (n, v)) in self.names.iter().zip(&self.values).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n} = {v}")?;
        }
        Ok(())
    }
}

/// An exploration being described; see [`explore`].
#[derive(Debug, Clone)]
pub struct Explore {
    label: String,
    caption: String,
    params: Vec<Param>,
}

/// Starts an exploration: one numbered figure with `caption` (`label` names it for
/// `` `@label` `` references), whose content the reader varies with controls.
///
/// ```ignore
/// exec::explore("fig-rate", "Loss curves for the learning rate $\\eta$.")
///     .param(exec::Param::range("eta", 0.1, 2.0, 0.1).label("$\\eta$").default(1.0).format(".1"))
///     .run(|f| {
///         let eta = f.f64("eta");
///         // draw, print and export values as in any cell
///     });
/// ```
pub fn explore(label: &str, caption: &str) -> Explore {
    Explore { label: label.to_owned(), caption: caption.to_owned(), params: Vec::new() }
}

impl Explore {
    /// Adds a parameter (one or two in all).
    pub fn param(mut self, param: Param) -> Explore {
        self.params.push(param);
        self
    }

    /// Runs `experiment` once for every combination of the parameters' values. The frames are
    /// independent: what one changes (through a `Cell`, a file, ...) is not seen by the others
    /// nor by later cells.
    #[track_caller]
    pub fn run<F: Fn(&Frame)>(self, experiment: F) {
        let (marker, max_frames) = match mode() {
            Mode::Book { marker, max_frames } => (marker.as_str(), Some(*max_frames)),
            Mode::Person => ("", None),
        };
        if let Err(e) = self.validate(max_frames) {
            panic!("exploration `{}`: {e}", self.label);
        }
        let frames = self.frames();
        if max_frames.is_none() {
            // A person sees one frame: the default, or the one named on the command line.
            let params: Vec<(String, Vec<Value>, usize)> = self
                .params
                .iter()
                .map(|p| (p.name.clone(), p.values.clone(), p.default_index().unwrap_or(0)))
                .collect();
            experiment(&frames[crate::standalone::chosen_frame(&self.label, &self.caption, &params)]);
            return;
        }
        if IN_FRAME.load(std::sync::atomic::Ordering::SeqCst) {
            panic!(
                "exploration `{}` runs inside another exploration's frame; explorations cannot be nested",
                self.label
            );
        }
        let params: Vec<Json> = self
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name, "label": p.label, "format": p.format,
                    "values": p.values.iter().map(Value::to_json).collect::<Vec<_>>(),
                    "default": p.default_index().unwrap_or(0),
                    "text": p.is_text(),
                })
            })
            .collect();
        emit(
            json!({ "t": "explore", "label": self.label, "caption": self.caption, "params": params, "frames": frames.len() }),
        );
        let runs = run_frames(marker, &frames, &experiment);
        let failed: Vec<(usize, &FrameRun)> = runs.iter().enumerate().filter(|(_, r)| r.failure.is_some()).collect();
        if let Some((first, run)) = failed.first() {
            let failure = run.failure.as_ref().expect("failed frames have a failure");
            let others = match failed.len() - 1 {
                0 => String::new(),
                n => format!(
                    " (and in {n} more frame{}: {})",
                    if n == 1 { "" } else { "s" },
                    failed[1..].iter().take(4).map(|(i, _)| format!("[{}]", frames[*i])).collect::<Vec<_>>().join(", ")
                ),
            };
            let msg = format!("exploration `{}` failed for {}{others}: {}", self.label, frames[*first], failure.msg);
            emit(json!({ "t": "panic", "msg": msg, "file": failure.file, "line": failure.line, "col": failure.col }));
            eprintln!("{msg}");
            std::process::exit(101);
        }
        // Without `fork` the frames already sent their records as they ran.
        for (i, run) in runs.iter().enumerate().filter(|_| cfg!(unix)) {
            emit(json!({ "t": "frame", "i": i }));
            write_raw(&run.output);
            for message in check_messages(marker, &run.output) {
                crate::check::remember(&message);
            }
            emit(json!({ "t": "frame_end" }));
        }
        emit(json!({ "t": "explore_end" }));
    }

    /// Checks the parameters, and the number of frames against `max_frames` (the book's
    /// `max-frames` under the preprocessor; a downloaded chapter runs one frame, unbounded).
    fn validate(&self, max_frames: Option<usize>) -> Result<(), String> {
        if self.params.is_empty() || self.params.len() > 2 {
            return Err(format!("an exploration has one or two parameters, not {}", self.params.len()));
        }
        if self.params.len() == 2 && self.params[0].name == self.params[1].name {
            return Err(format!("both parameters are called `{}`", self.params[0].name));
        }
        for p in &self.params {
            if let Some(e) = &p.error {
                return Err(e.clone());
            }
            if p.values.is_empty() {
                return Err(format!("parameter `{}` has no values", p.name));
            }
            p.default_index()?;
        }
        let count: usize = self.params.iter().map(|p| p.values.len()).product();
        if let Some(max) = max_frames
            && count > max
        {
            let sizes: Vec<String> =
                self.params.iter().map(|p| format!("{} values of `{}`", p.values.len(), p.name)).collect();
            return Err(format!(
                "{count} frames ({}) is more than the {max} allowed; use fewer values, or raise `max-frames` in `[preprocessor.exec]`",
                sizes.join(" × ")
            ));
        }
        Ok(())
    }

    /// Every combination, the first parameter changing slowest.
    fn frames(&self) -> Vec<Frame> {
        let names: Vec<String> = self.params.iter().map(|p| p.name.clone()).collect();
        let mut frames = vec![Frame { names: names.clone(), values: Vec::new() }];
        for p in &self.params {
            frames = frames
                .into_iter()
                .flat_map(|f| {
                    p.values.iter().map(move |v| {
                        let mut values = f.values.clone();
                        values.push(v.clone());
                        Frame { names: f.names.clone(), values }
                    })
                })
                .collect();
        }
        frames
    }
}

static IN_FRAME: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Where and why a frame failed.
#[derive(Debug, Clone, Default)]
struct Failure {
    msg: String,
    file: String,
    line: u64,
    col: u64,
}

/// What one frame wrote, and how it ended.
#[derive(Debug, Default)]
struct FrameRun {
    output: Vec<u8>,
    failure: Option<Failure>,
}

fn check_messages(marker: &str, output: &[u8]) -> Vec<String> {
    records(marker, output)
        .into_iter()
        .filter(|r| r["t"] == "check")
        .filter_map(|r| r["msg"].as_str().map(str::to_owned))
        .collect()
}

/// The panic a frame's output reports, if any.
fn panic_in(marker: &str, output: &[u8]) -> Option<Failure> {
    records(marker, output).into_iter().rev().find(|r| r["t"] == "panic").map(|r| Failure {
        msg: r["msg"].as_str().unwrap_or_default().to_owned(),
        file: r["file"].as_str().unwrap_or_default().to_owned(),
        line: r["line"].as_u64().unwrap_or(0),
        col: r["col"].as_u64().unwrap_or(0),
    })
}

#[cfg(unix)]
fn run_frames<F: Fn(&Frame)>(marker: &str, frames: &[Frame], experiment: &F) -> Vec<FrameRun> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut runs: Vec<FrameRun> = frames.iter().map(|_| FrameRun::default()).collect();
    let mut running: Vec<(libc::pid_t, usize, std::fs::File)> = Vec::new();
    let mut next = 0;
    let mut collected = 0;
    while next < frames.len() || !running.is_empty() {
        if next < frames.len() && running.len() < workers {
            let file = frame_file(next);
            // Text still buffered would be written twice, once by each process.
            let _ = std::io::stdout().flush();
            // SAFETY: the child only runs the experiment and leaves with `_exit`; the chapter
            // program is single-threaded unless a cell started threads (documented).
            match unsafe { libc::fork() } {
                0 => child(&file, &frames[next], experiment),
                -1 => {
                    runs[next].failure = Some(Failure {
                        msg: format!("could not start a process for the frame: {}", std::io::Error::last_os_error()),
                        ..Failure::default()
                    });
                }
                pid => running.push((pid, next, file)),
            }
            next += 1;
            continue;
        }
        // The oldest running frame: waiting for this process alone leaves children that a cell
        // started itself to that cell. Frames that end meanwhile wait to be collected.
        let (pid, i, mut file) = running.remove(0);
        let mut status = 0;
        let waited = loop {
            // SAFETY: waits for one child of this process; `status` is a valid out-pointer.
            let r = unsafe { libc::waitpid(pid, &mut status, 0) };
            if r != -1 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                break r;
            }
        };
        if waited != pid {
            runs[i].failure = Some(Failure {
                msg: format!("could not wait for the frame's process: {}", std::io::Error::last_os_error()),
                ..Failure::default()
            });
            continue;
        }
        let mut output = Vec::new();
        let _ = file.rewind();
        let _ = file.read_to_end(&mut output);
        let failure = if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            None
        } else if libc::WIFSIGNALED(status) {
            Some(Failure {
                msg: format!("the frame's process was killed by signal {}", libc::WTERMSIG(status)),
                ..Failure::default()
            })
        } else {
            Some(panic_in(marker, &output).unwrap_or_else(|| Failure {
                msg: format!("the frame's process exited with code {}", libc::WEXITSTATUS(status)),
                ..Failure::default()
            }))
        };
        runs[i] = FrameRun { output, failure };
        collected += 1;
        // For the build's progress line; the frames' own output follows once all are done.
        emit(json!({ "t": "frames_done", "done": collected, "total": frames.len() }));
    }
    runs
}

/// A file for one frame's output, already unlinked so that nothing is left behind.
#[cfg(unix)]
fn frame_file(i: usize) -> std::fs::File {
    let path = std::env::temp_dir().join(format!(".mdbook-exec-frame-{}-{i}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        // Never an existing file (or a link someone placed there) in the shared folder.
        .create_new(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
    let _ = std::fs::remove_file(&path);
    file
}

/// The forked child: runs one frame with its standard output in `file`, then leaves.
#[cfg(unix)]
fn child<F: Fn(&Frame)>(file: &std::fs::File, frame: &Frame, experiment: &F) -> ! {
    use std::os::fd::AsRawFd;
    // SAFETY: plain system calls on descriptors this process owns.
    unsafe {
        libc::dup2(file.as_raw_fd(), 1);
        // A frame that floods its output is stopped by a failed write (a panic naming the
        // cause), not by filling the disk.
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let limit = libc::rlimit { rlim_cur: 256 << 20, rlim_max: 256 << 20 };
        libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
    }
    IN_FRAME.store(true, std::sync::atomic::Ordering::SeqCst);
    crate::place::enter_frame(frame.to_string());
    set_quiet_panics(true);
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| experiment(frame))).is_ok();
    let _ = std::io::stdout().flush();
    // SAFETY: ends the child without running the parent's exit handlers or destructors.
    unsafe { libc::_exit(if ok { 0 } else { 101 }) }
}

/// Without `fork`, frames run here, one after another, writing straight to the output between
/// their own `frame` records (so the first failure ends the program); the runs come back
/// empty, with nothing left to send.
#[cfg(not(unix))]
fn run_frames<F: Fn(&Frame)>(_marker: &str, frames: &[Frame], experiment: &F) -> Vec<FrameRun> {
    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            emit(json!({ "t": "frame", "i": i }));
            IN_FRAME.store(true, std::sync::atomic::Ordering::SeqCst);
            crate::place::enter_frame(frame.to_string());
            set_quiet_panics(true);
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| experiment(frame))).is_ok();
            set_quiet_panics(false);
            IN_FRAME.store(false, std::sync::atomic::Ordering::SeqCst);
            let _ = std::io::stdout().flush();
            emit(json!({ "t": "frame_end" }));
            let failure = (!ok)
                .then(|| Failure { msg: "the frame panicked (its message is above)".to_owned(), ..Failure::default() });
            FrameRun { output: Vec::new(), failure }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_clean_and_defaults_found() {
        let p = Param::range("eta", 0.1, 1.0, 0.1).default(0.3);
        assert_eq!(p.values.len(), 10);
        assert_eq!(p.values[2], Value::Float(0.3));
        assert_eq!(p.values[9], Value::Float(1.0));
        assert_eq!(p.default_index(), Ok(2));
        let bad = Param::range("eta", 0.1, 1.0, 0.1).default(0.35);
        assert!(
            bad.default_index()
                .unwrap_err()
                .contains("the default 0.35 of parameter `eta` is not one of its values (0.1, 0.2,")
        );
        assert!(Param::range("x", 1.0, 0.0, 0.1).error.is_some());
        assert_eq!(Param::values("k", [3, 5, 7]).default(5).default_index(), Ok(1));
        assert_eq!(Param::values("k", [1.0, 2.0]).default(2).default_index(), Ok(1));
    }

    #[test]
    fn frames_combine_first_parameter_slowest() {
        let e = explore("f", "c").param(Param::values("a", [1, 2])).param(Param::values("b", ["x", "y", "z"]));
        let frames = e.frames();
        assert_eq!(frames.len(), 6);
        assert_eq!(frames[4].to_string(), "a = 2, b = y");
        assert_eq!(frames[4].int("a"), 2);
        assert_eq!(frames[4].text("b"), "y");
        assert!(e.validate(Some(256)).is_ok());
    }

    #[test]
    fn mistakes_are_named() {
        let empty = explore("f", "c").param(Param::values("a", Vec::<i32>::new()));
        assert_eq!(empty.validate(Some(256)).unwrap_err(), "parameter `a` has no values");
        let none = explore("f", "c");
        assert!(none.validate(Some(256)).unwrap_err().contains("one or two parameters"));
        let big = explore("f", "c").param(Param::range("a", 0.0, 99.0, 1.0)).param(Param::range("b", 0.0, 9.0, 1.0));
        assert!(
            big.validate(Some(256))
                .unwrap_err()
                .starts_with("1000 frames (100 values of `a` × 10 values of `b`) is more than the 256 allowed")
        );
        assert!(big.validate(None).is_ok(), "a downloaded chapter runs one frame: no limit");
    }
}
