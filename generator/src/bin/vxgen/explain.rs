//! `vxgen explain`: one frame of a capture, byte by byte, for a learner.

use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

pub const EXPLAIN_EXAMPLES: &str = "\
Examples:
  vxgen explain sample.pcapng
      frame 1: every header field with its offset, bytes, value and the clause that defines it,
      and the 8 VXLAN bytes under RFC 7348's and the GBP draft's readings side by side
  vxgen explain --frame 3 vectors/gbp/gbp-g-d-a.pcap";

/// Options of `vxgen explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The capture (pcap or pcapng).
    file: PathBuf,
    /// Which frame, counting from 1.
    #[arg(long, short = 'f', value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    frame: u64,
    /// Colours: on a terminal only (auto), always or never. NO_COLOR turns auto off.
    #[arg(long, value_enum, default_value_t = Colour::Auto)]
    color: Colour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Colour {
    Auto,
    Always,
    Never,
}

/// Prints the explanation; the exit code (1 when the frame cannot be read).
pub fn run(args: &ExplainArgs) -> i32 {
    let file = match std::fs::File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("vxgen: cannot open {}: {e}", args.file.display());
            return 1;
        }
    };
    let frame = match generator::explain::read_frame(std::io::BufReader::new(file), args.frame) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("vxgen: {}: {e}", args.file.display());
            return 1;
        }
    };
    let colour = match args.color {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let explained = generator::explain::explain(&frame.data);
    print!("{}", generator::explain::render(&explained, &frame, colour));
    0
}
