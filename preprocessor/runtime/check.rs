//! Build-time checks of a chapter's claims.
//!
//! A failed check panics, which fails the build at the check's line; passing checks are
//! remembered so that [`show_checks`] can list what was verified when the page was built.

use std::sync::Mutex;

use serde_json::json;

use crate::out::emit;

static CHECKS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a passed check once (an exploration's frames pass the same checks many times).
pub(crate) fn remember(message: &str) {
    let mut checks = CHECKS.lock().unwrap_or_else(|e| e.into_inner());
    if !checks.iter().any(|c| c == message) {
        checks.push(message.to_owned());
    }
}

fn passed(message: &str) {
    remember(message);
    emit(json!({ "t": "check", "msg": message }));
}

/// Fails the chapter's build with `message` unless `ok` holds. Passing checks are collected,
/// so that [`show_checks`] can list what was verified when the page was built.
#[track_caller]
pub fn check(ok: bool, message: &str) {
    if !ok {
        panic!("check failed: {message}");
    }
    passed(message);
}

/// Checks that `a` and `b` agree to within `tol` (absolute), naming the claim in `message`.
#[track_caller]
pub fn check_close(a: f64, b: f64, tol: f64, message: &str) {
    // Written so that a NaN on either side fails the check.
    let close = (a - b).abs() <= tol;
    if !close {
        panic!("check failed: {message}: {a:?} and {b:?} differ by {:e} > {tol:e}", (a - b).abs());
    }
    passed(message);
}

/// Shows the list of every check that passed so far in this chapter (messages may hold
/// `$..$` math).
pub fn show_checks() {
    let items = CHECKS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    emit(json!({ "t": "checks", "items": items }));
}
