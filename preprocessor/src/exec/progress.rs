//! What a long build shows while it works: crates compiling, chapters compiled and running
//! (the slowest one still running named after a few seconds), frames of an exploration done.
//!
//! On a terminal this is one line redrawn in place by `indicatif` on standard error, which
//! appears only once the build has taken a second; elsewhere (CI, `serve`'s log) the same line
//! is printed every few seconds at most, the first after two seconds, so a build that takes
//! under a second prints nothing. Messages that explain a wait (cargo waiting for a lock) are
//! printed at once, above the line. Events come from cargo's status lines (`workspace`), the
//! runs (`run`) and the programs' frame records (`protocol`); a ticker thread draws. This
//! module never decides anything about a build.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A chapter running longer than this is named in the line.
const SLOW: Duration = Duration::from_secs(3);
/// Off a terminal: the first line after this long, then at most one line per [`EVERY`].
const FIRST: Duration = Duration::from_secs(2);
const EVERY: Duration = Duration::from_secs(5);
/// On a terminal: the line appears after this long.
const SHOW: Duration = Duration::from_secs(1);

/// The progress of one build; dropping it clears the line.
pub struct Progress {
    shared: Arc<Shared>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

/// A handle for the threads that report events.
#[derive(Clone)]
pub struct Reporter(Arc<Shared>);

struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
    tty: bool,
    bar: Mutex<Option<ProgressBar>>,
}

/// What the build is doing now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// Chapters being compiled (0: not compiling).
    pub compiling: usize,
    /// Crates compiled in this build, and the last one cargo started.
    pub crates: usize,
    pub last_crate: String,
    /// Cargo has started on the chapters themselves (every crate is compiled).
    pub chapters_started: bool,
    /// Chapters to run, and how many finished.
    pub to_run: usize,
    pub ran: usize,
    /// Chapters running.
    pub running: Vec<Running>,
}

/// A chapter running now.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    file: String,
    since: Instant,
    /// Frames of its exploration done, out of how many.
    frames: Option<(usize, usize)>,
}

impl Progress {
    /// Starts showing progress (a ticker thread draws it).
    pub fn start() -> Progress {
        let tty = std::io::stderr().is_terminal() && std::env::var_os("MDBOOK_EXEC_NO_PROGRESS").is_none();
        let shared =
            Arc::new(Shared { state: Mutex::default(), stop: AtomicBool::new(false), tty, bar: Mutex::new(None) });
        let ticker = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || tick(&shared))
        };
        Progress { shared, ticker: Some(ticker) }
    }

    /// A handle for reporting events from other threads.
    pub fn reporter(&self) -> Reporter {
        Reporter(Arc::clone(&self.shared))
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.ticker.take() {
            // Woken at once, so that a quick build does not wait for the ticker's next round.
            t.thread().unpark();
            let _ = t.join();
        }
        if let Some(bar) = self.shared.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}

impl Reporter {
    fn update(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.0.state.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// `chapters` chapters are being compiled.
    pub fn compiling(&self, chapters: usize) {
        self.update(|s| s.compiling = chapters);
    }

    /// Cargo started compiling `what` (`ndarray v0.17.2`); the chapters' own package is not a crate.
    pub fn crate_started(&self, what: &str) {
        if what.starts_with("mdbook-exec-chapters ") {
            self.update(|s| s.chapters_started = true);
            return;
        }
        self.update(|s| {
            s.crates += 1;
            s.last_crate = what.split(" (").next().unwrap_or(what).to_owned();
        });
    }

    /// `chapters` chapters are about to run.
    pub fn running(&self, chapters: usize) {
        self.update(|s| {
            s.compiling = 0;
            s.to_run = chapters;
        });
    }

    /// The chapter `file` started.
    pub fn started(&self, file: &str) {
        self.update(|s| s.running.push(Running { file: file.to_owned(), since: Instant::now(), frames: None }));
    }

    /// The chapter `file` ended.
    pub fn finished(&self, file: &str) {
        self.update(|s| {
            s.running.retain(|r| r.file != file);
            s.ran += 1;
        });
    }

    /// `done` of the `total` frames of the exploration `file` runs are done.
    pub fn frames(&self, file: &str, done: usize, total: usize) {
        self.update(|s| {
            if let Some(r) = s.running.iter_mut().find(|r| r.file == file) {
                r.frames = Some((done, total));
            }
        });
    }

    /// A message to show at once (above the line on a terminal).
    pub fn say(&self, message: &str) {
        match self.0.bar.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            Some(bar) => bar.println(format!("mdbook-exec: {message}")),
            None => eprintln!("mdbook-exec: {message}"),
        }
    }
}

/// Draws until told to stop.
fn tick(shared: &Shared) {
    let started = Instant::now();
    let mut printed: Option<Instant> = None;
    while !shared.stop.load(Ordering::SeqCst) {
        std::thread::park_timeout(Duration::from_millis(100));
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let now = Instant::now();
        let line = describe(&shared.state.lock().unwrap_or_else(|e| e.into_inner()), now);
        let Some(line) = line else { continue };
        if shared.tty {
            if now - started < SHOW {
                continue;
            }
            let mut bar = shared.bar.lock().unwrap_or_else(|e| e.into_inner());
            let bar = bar.get_or_insert_with(|| {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} mdbook-exec: {wide_msg}").expect("a valid template"),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            });
            bar.set_message(line);
        } else if due(now - started, printed.map(|p| now - p)) {
            eprintln!("mdbook-exec: {line}");
            printed = Some(now);
        }
    }
}

/// Whether a line is due off a terminal, `elapsed` into the build and `since` the last one.
fn due(elapsed: Duration, since: Option<Duration>) -> bool {
    match since {
        None => elapsed >= FIRST,
        Some(since) => since >= EVERY,
    }
}

/// The line for `state` at `now`, or `None` when there is nothing to show.
pub fn describe(state: &State, now: Instant) -> Option<String> {
    if state.to_run > 0 {
        let mut line = format!("chapters run: {}/{}", state.ran, state.to_run);
        // The one running longest is the one an author waits for.
        if let Some(r) = state.running.iter().min_by_key(|r| r.since) {
            let for_ = now.saturating_duration_since(r.since);
            let frames = r.frames.filter(|(done, total)| done < total);
            if for_ >= SLOW {
                line += &format!("; slowest: {}, {} s", r.file, for_.as_secs());
                if let Some((done, total)) = frames {
                    line += &format!(", {done}/{total} frames");
                }
            } else if let Some((done, total)) = frames {
                line += &format!("; {}: {done}/{total} frames", r.file);
            }
        }
        return Some(line);
    }
    if state.compiling > 0 {
        let mut line = format!("compiling {} chapter(s)", state.compiling);
        if state.chapters_started {
            if state.crates > 0 {
                line += &format!(" (after {} crate(s))", state.crates);
            }
        } else if state.crates > 0 {
            line += &format!("; {} crate(s) compiled so far (last: {})", state.crates, state.last_crate);
        }
        return Some(line);
    }
    (state.crates > 0).then(|| format!("{} crate(s) compiled so far (last: {})", state.crates, state.last_crate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_what_the_build_waits_for() {
        let now = Instant::now();
        let mut s = State::default();
        assert_eq!(describe(&s, now), None, "nothing happening: nothing shown");
        s.compiling = 3;
        assert_eq!(describe(&s, now).unwrap(), "compiling 3 chapter(s)");
        let r = Reporter(Arc::new(Shared {
            state: Mutex::new(s),
            stop: AtomicBool::new(false),
            tty: false,
            bar: Mutex::new(None),
        }));
        r.crate_started("ndarray v0.17.2");
        let s = r.0.state.lock().unwrap().clone();
        assert_eq!(
            describe(&s, now).unwrap(),
            "compiling 3 chapter(s); 1 crate(s) compiled so far (last: ndarray v0.17.2)"
        );
        r.crate_started("mdbook-exec-chapters v0.0.0 (/tmp/x)");
        let s = r.0.state.lock().unwrap().clone();
        assert_eq!(describe(&s, now).unwrap(), "compiling 3 chapter(s) (after 1 crate(s))");

        r.running(2);
        r.started("src/a.md");
        r.started("src/b.md");
        let s = r.0.state.lock().unwrap().clone();
        assert_eq!(describe(&s, now).unwrap(), "chapters run: 0/2", "no one is slow yet");
        r.frames("src/a.md", 14, 40);
        let s = r.0.state.lock().unwrap().clone();
        assert_eq!(describe(&s, now).unwrap(), "chapters run: 0/2; src/a.md: 14/40 frames");
        r.finished("src/b.md");
        let s = r.0.state.lock().unwrap().clone();
        let later = Instant::now() + Duration::from_secs(12);
        assert_eq!(describe(&s, later).unwrap(), "chapters run: 1/2; slowest: src/a.md, 12 s, 14/40 frames");
        r.frames("src/a.md", 40, 40);
        let s = r.0.state.lock().unwrap().clone();
        assert_eq!(
            describe(&s, later).unwrap(),
            "chapters run: 1/2; slowest: src/a.md, 12 s",
            "frames done: not shown"
        );
    }

    #[test]
    fn off_a_terminal_lines_are_few() {
        assert!(!due(Duration::from_millis(900), None), "a build under a second prints nothing");
        assert!(due(Duration::from_secs(2), None));
        assert!(!due(Duration::from_secs(4), Some(Duration::from_secs(2))));
        assert!(due(Duration::from_secs(9), Some(Duration::from_secs(5))));
    }
}
