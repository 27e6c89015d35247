//! The package that `cargo install` and the registry get holds everything the binary embeds:
//! the runtime's source and every page asset. (`cargo package -p mdbook-exec` compiles it on
//! its own; docs/install.md records that run. Listing its files takes a second.)

use crate::common;
use std::collections::BTreeSet;
use std::process::Command;

#[test]
fn the_package_holds_the_runtime_and_every_asset() {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["package", "--list", "--allow-dirty", "--package", "mdbook-exec"])
        .current_dir(common::workspace())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: BTreeSet<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect();

    let mut needed: Vec<String> = vec!["Cargo.toml".into(), "build.rs".into(), "src/main.rs".into()];
    needed.extend(mdbook_exec::embedded_files());
    needed.push("assets/katex/VERSION".into());
    let missing: Vec<&String> = needed.iter().filter(|f| !listed.contains(*f)).collect();
    assert!(missing.is_empty(), "the package lacks {missing:?}; it lists {listed:?}");
    assert!(needed.len() > 25, "{needed:?}");
}
