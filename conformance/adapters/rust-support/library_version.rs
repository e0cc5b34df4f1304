//! The build script of the Rust adapters (`build = "../rust-support/library_version.rs"`
//! in each adapter's Cargo.toml): puts the version of the library the adapter
//! translates, as its Cargo.lock pins it (the one actually built, since
//! `cargo build --locked` uses it), into `LIBRARY_VERSION`, for `--version`.
//! The library is named in the adapter's Cargo.toml:
//!
//! ```toml
//! [package.metadata.vxconform]
//! library = "pnet_packet"
//! ```

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=Cargo.toml");
    let manifest = std::fs::read_to_string("Cargo.toml").expect("the adapter's Cargo.toml");
    let library = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("library = \"")?.strip_suffix('"'))
        .expect("[package.metadata.vxconform] library = \"NAME\" in Cargo.toml");
    let lock = std::fs::read_to_string("Cargo.lock").expect("Cargo.lock next to Cargo.toml");
    let version = locked_version(&lock, library).unwrap_or_else(|| panic!("{library} in Cargo.lock"));
    println!("cargo:rustc-env=LIBRARY_VERSION={version}");
}

/// The `version` of the `[[package]]` called `name` in a Cargo.lock.
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == wanted {
            let next = lines.next()?;
            return next.strip_prefix("version = \"")?.strip_suffix('"');
        }
    }
    None
}
