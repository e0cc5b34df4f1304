//! Puts the version of `pnet_packet` that Cargo.lock pins (the one actually
//! built, as `cargo build --locked` uses it) into `PNET_PACKET_VERSION`,
//! for `--version`.

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").expect("Cargo.lock next to Cargo.toml");
    let version = locked_version(&lock, "pnet_packet").expect("pnet_packet in Cargo.lock");
    println!("cargo:rustc-env=PNET_PACKET_VERSION={version}");
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
