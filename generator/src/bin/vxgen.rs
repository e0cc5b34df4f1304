//! `vxgen`: synthesize AWS VPC Traffic Mirroring captures.
//!
//! The command-line surface lives in `generator::cli`; this file only runs it
//! and turns an error into one line on stderr and an exit code.

fn main() {
    std::process::exit(generator::cli::main(std::env::args_os()));
}
