//! Records the toolchain that built the preprocessor; it is part of every cache key, so
//! results are recomputed when the compiler changes (`cargo run` rebuilds us then).

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let line = version.lines().next().unwrap_or("unknown").to_owned();
    println!("cargo:rustc-env=MDBOOK_EXEC_RUSTC_VERSION={line}");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
