//! The README's walkthrough, run as the script it is, in a fresh directory:
//! the block after `<!-- walkthrough -->`, with `vxgen` and `vxconform`
//! on the `PATH` (the freshly built binaries, as `cargo install` would put
//! them there). Every command must succeed (`sh -e`), print what the README
//! says it prints, and nothing may panic. Needs tshark (skips on a laptop
//! without it, fails in CI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The walkthrough's script: the first ```sh block after the marker.
fn walkthrough() -> String {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README.md");
    let after = readme.split_once("<!-- walkthrough -->").expect("the walkthrough marker").1;
    let block = after.split_once("```sh\n").expect("a sh block after the marker").1;
    block.split_once("```").expect("the block's end").0.to_owned()
}

/// The directory holding the built `vxconform`, with `vxgen` built beside it.
fn bin_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_vxconform")).parent().expect("bin dir").to_path_buf();
    if !dir.join("vxgen").is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = Command::new(cargo)
            .current_dir(common::root())
            .args(["build", "-p", "generator", "--bin", "vxgen"])
            .status()
            .expect("cargo runs");
        assert!(built.success(), "building vxgen");
    }
    dir
}

#[test]
fn the_readme_walkthrough_runs_in_a_fresh_directory() {
    if !common::require_tool("tshark") {
        return;
    }
    let script = walkthrough();
    for tool in ["vxgen generate", "vxgen explain", "vxgen corpus", "vxconform run"] {
        assert!(script.contains(tool), "the walkthrough shows {tool}");
    }
    let fresh = tempfile::tempdir().unwrap();
    let path = format!("{}:{}", bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .current_dir(fresh.path())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .args(["-ec", &script])
        .output()
        .expect("sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the walkthrough failed:\n{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Step 2: the first frame with its ground-truth comment, down to the VNI.
    assert!(stdout.contains("Frame 1: ") && stdout.contains("  comment: "), "{stdout}");
    let vni = stdout.lines().find(|l| l.contains("VXLAN Network Identifier (vni)")).expect("the VNI row");
    assert!(vni.contains("9999999"), "{vni}");
    // Step 3: five frames tshark selected by the VNI.
    let frames = stdout
        .lines()
        .filter(|l| {
            l.split_whitespace().next().is_some_and(|n| n.parse::<u32>().is_ok()) && l.contains(" → ")
        })
        .count();
    assert_eq!(frames, 5, "{stdout}");
    // Step 4: the corpus rebuilt here, and both verdicts.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fresh.path().join("vectors/manifest.json")).unwrap()).unwrap();
    let vectors = manifest["number_of_vectors"].as_u64().expect("number_of_vectors");
    assert!(stdout.contains(&format!("result: PASS: {vectors} vectors")), "{stdout}");
    assert!(stdout.contains("result: PASS: 10 vectors"), "{stdout}");
}
