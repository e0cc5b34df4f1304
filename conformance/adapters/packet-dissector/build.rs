//! Puts the version of `packet-dissector` that Cargo.lock pins (the one actually
//! built, as `cargo build --locked` uses it) into `PACKET_DISSECTOR_VERSION`,
//! for `--version`.

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").expect("Cargo.lock next to Cargo.toml");
    let version = locked_version(&lock, "packet-dissector").expect("packet-dissector in Cargo.lock");
    println!("cargo:rustc-env=PACKET_DISSECTOR_VERSION={version}");
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
