//! `vxgen merge`: the shard files of one run into the bytes of the whole run.

use clap::Args;
use generator::capture::merge::{merge, ShardHeader, ShardReader};
use generator::capture::{CaptureError, CaptureWriter, Format, Output, OutputTarget};
use generator::generate::{Options, Shard};
use generator::mirror::session::Mirror;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

pub const MERGE_EXAMPLES: &str = "\
Examples:
  for k in 0 1 2 3; do vxgen generate --count 100000 --shard $k/4 -o part-$k.pcapng & done; wait
  vxgen merge -o whole.pcapng part-*.pcapng
      the same bytes as `vxgen generate --count 100000 -o whole.pcapng` (order of the files does not matter)";

/// Options of `vxgen merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard files, every shard of the run once, in any order.
    #[arg(required = true, value_name = "SHARD")]
    files: Vec<PathBuf>,
    /// Output file, or `-` for standard output (the format is the run's: `generate --format`).
    #[arg(short, long, value_name = "PATH|-")]
    output: String,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// The header of a shard file: K/N, what identifies the run (a digest of
/// every option that shapes its bytes), and the format of the merged file.
pub fn shard_header(mirror: &Mirror, opts: &Options, format: Format, shard: Shard) -> String {
    let digest = Sha256::digest(format!("{mirror:?}\n{opts:?}\n{format:?}").as_bytes());
    let run: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    ShardHeader { index: shard.index(), count: shard.count(), run, format }.to_string()
}

/// Merges; the exit code (1 when the files are not one whole run or cannot be written).
pub fn run(args: &MergeArgs) -> i32 {
    match merge_files(args) {
        Ok((records, bytes)) => {
            let to = if args.output == "-" { "standard output" } else { &args.output };
            eprintln!("vxgen: {} shards, {records} records, {bytes} bytes to {to}", args.files.len());
            0
        }
        Err(e) if e == "broken pipe" => 0,
        Err(e) => {
            eprintln!("vxgen: {e}");
            1
        }
    }
}

fn merge_files(args: &MergeArgs) -> Result<(u64, u64), String> {
    let _ = generator::capture::install_signal_cleanup();
    let mut readers = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let reader = ShardReader::new(BufReader::with_capacity(256 * 1024, file))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        readers.push(reader);
    }
    let (format, snaplen) = (readers[0].header().format, readers[0].snaplen());
    let target: OutputTarget = args.output.parse().map_err(|e| format!("-o: {e}"))?;
    if target.is_terminal() {
        return Err("refusing to write a binary capture to a terminal; pipe it or name a file".into());
    }
    let output = Output::create(&target, args.force).map_err(|e| e.to_string())?;
    let mut writer = CaptureWriter::new(output, format, snaplen).map_err(|e| e.to_string())?;
    let records = merge(readers, &mut writer).map_err(|e| match e {
        generator::capture::merge::MergeError::Capture(CaptureError::BrokenPipe) => "broken pipe".to_string(),
        e => e.to_string(),
    })?;
    let bytes = writer.bytes_written();
    writer.finish().and_then(|o| o.commit()).map_err(|e| match e {
        CaptureError::BrokenPipe => "broken pipe".to_string(),
        e => e.to_string(),
    })?;
    Ok((records, bytes))
}
