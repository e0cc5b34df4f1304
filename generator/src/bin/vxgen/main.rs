//! `vxgen`: synthesize AWS VPC Traffic Mirroring captures.
//!
//! The command-line surface lives in [`cli`]; this file only runs it and turns
//! its result into the process's exit code. The binary needs the `cli` feature
//! (on by default), which brings clap and indicatif.

mod cli;
mod explain;
mod merge;
mod send;

fn main() {
    std::process::exit(cli::main(std::env::args_os()));
}
