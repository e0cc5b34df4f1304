//! `vxgen send`: mirror copies to a live target as UDP datagrams.

use clap::Args;
use generator::capture::{CaptureWriter, Format};

use generator::send::{DatagramReader, Pacing, SendOptions, SendStats, Sender, BATCH};
use std::io::{IsTerminal, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

pub const SEND_EXAMPLES: &str = "\
Examples:
  vxgen send --to 10.0.2.15:4789 -- --scenario http --count 1000 --vni 42
      the mirror copies of a generated run (everything after -- is `vxgen generate`'s options), as fast as
      the socket takes them
  vxgen send --to 127.0.0.1:4789 --rate 50000 --loop 0 -- --scenario mixed --count 100000
  vxgen send --to 10.0.2.15:4789 --from-capture aws.pcap --realtime
      a capture tcpdump took on a mirror target, at its own pace
  vxgen send --to 10.0.3.7:6081 --speed 10 -- --target gwlb
      GENEVE-wrapped copies, as a Gateway Load Balancer sends them to its appliance, ten times as fast";

/// Options of `vxgen send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Where to send: HOST:PORT (4789 for VXLAN; 6081 for the GENEVE of a --target gwlb run).
    #[arg(long, value_name = "HOST:PORT")]
    to: String,
    /// Send the VXLAN/GENEVE datagrams of this capture (pcap or pcapng; vxgen's or one taken on a mirror
    /// target) instead of generating; other records are skipped and counted.
    #[arg(long, value_name = "FILE")]
    from_capture: Option<PathBuf>,
    /// Pace by the capture's timestamps, in real time.
    #[arg(long, conflicts_with_all = ["speed", "rate"])]
    realtime: bool,
    /// Pace by the capture's timestamps, X times as fast.
    #[arg(long, value_name = "X", value_parser = positive, conflicts_with = "rate")]
    speed: Option<f64>,
    /// A fixed rate, datagrams per second (default: as fast as the socket takes them).
    #[arg(long, value_name = "PPS", value_parser = positive)]
    rate: Option<f64>,
    /// Send the whole capture N times (0: until stopped).
    #[arg(long = "loop", default_value_t = 1, value_name = "N")]
    loops: u64,
    /// Datagrams per system call (sendmmsg on Linux), 1..=1024; 1 is one send per datagram.
    #[arg(long, default_value_t = BATCH as u16, value_parser = clap::value_parser!(u16).range(1..=1024), value_name = "N")]
    batch: u16,
    /// Send every datagram as its own message, even runs of equal-sized ones (which otherwise go with UDP
    /// segmentation offload, and show on a capture on `lo` as one large packet).
    #[arg(long)]
    no_segmentation: bool,
    /// Print the live line (datagrams, packets/s, Gbit/s, refused, kernel drops) on stderr every SECS, one
    /// line each, also when stderr is not a terminal (a log, a pipe). Without it the line shows only on a
    /// terminal, rewritten in place every 0.25 s.
    #[arg(long, value_name = "SECS", value_parser = positive)]
    stats_interval: Option<f64>,
    /// `vxgen generate` options of the run to send (after --), when not --from-capture.
    #[arg(last = true, value_name = "GENERATE OPTIONS")]
    generate: Vec<String>,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err("must be a positive number".into()),
    }
}

/// Sends; the exit code (2 for a usage error, 1 for a failed send).
pub fn run_send(args: &SendArgs) -> Result<SendStats, (i32, String)> {
    let to: SocketAddr = args
        .to
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| (2, format!("--to {}: not a HOST:PORT that resolves", args.to)))?;
    if args.from_capture.is_some() && !args.generate.is_empty() {
        return Err((2, "--from-capture sends a capture: no generate options after --".into()));
    }
    let plan = match &args.from_capture {
        Some(_) => None,
        None => Some(crate::cli::plan_of(&args.generate).map_err(|e| (2, e))?),
    };
    let pacing = match (args.realtime, args.speed, args.rate) {
        (true, _, _) => Pacing::Capture { speed: 1.0 },
        (_, Some(speed), _) => Pacing::Capture { speed },
        (_, _, Some(pps)) => Pacing::Rate(pps),
        _ => Pacing::Fast,
    };
    let every = args.stats_interval.map(|s| Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX));
    let opts = SendOptions {
        pacing,
        batch: usize::from(args.batch),
        segmentation: !args.no_segmentation,
        progress_every: every.unwrap_or(Duration::from_millis(250)),
    };
    let mut sender = Sender::new(to, opts).map_err(|e| (1, format!("--to {to}: {e}")))?;
    let stop = generator::send::stop_on_signals().unwrap_or_else(|_| Arc::new(AtomicBool::new(false)));
    // The line rewritten in place on a terminal, or (--stats-interval) one line each time anywhere.
    let live = std::io::stderr().is_terminal() && every.is_none();
    let mut skipped = 0;
    let mut pass = 0;
    while (args.loops == 0 || pass < args.loops) && !stop.load(std::sync::atomic::Ordering::Relaxed) {
        pass += 1;
        let show = |s: &SendStats| {
            if every.is_some() {
                eprintln!("vxgen: {}", line(s));
            } else if live {
                eprint!("\r\x1b[K{}", line(s));
                let _ = std::io::stderr().flush();
            }
        };
        match (&args.from_capture, &plan) {
            (Some(path), _) => {
                // The reader reads in chunks of its own: no BufReader in between (a copy more).
                let file = std::fs::File::open(path)
                    .map_err(|e| (1, format!("cannot open {}: {e}", path.display())))?;
                let mut reader =
                    DatagramReader::new(file).map_err(|e| (1, format!("{}: {e}", path.display())))?;
                sender
                    .send_all(&mut reader, &stop, show)
                    .map_err(|e| (1, format!("{}: {e}", path.display())))?;
                skipped += reader.skipped();
            }
            (None, Some((mirror, options))) => {
                // The run is written as a capture into a pipe and read back: memory stays flat.
                let (tx, rx) = generator::generate::channel_pipe(8);
                let result = std::thread::scope(|scope| {
                    let producer = scope.spawn(move || {
                        let mut w = CaptureWriter::new(tx, Format::PcapNanos, 262_144)?;
                        generator::generate::run(mirror, options, &mut w, |_| {})?;
                        w.finish()?;
                        Ok::<(), generator::generate::GenerateError>(())
                    });
                    let sent = DatagramReader::new(rx).map_err(|e| e.to_string()).and_then(
                        |mut r: DatagramReader<_>| {
                            sender.send_all(&mut r, &stop, show).map_err(|e| e.to_string())?;
                            skipped += r.skipped();
                            Ok(())
                        },
                    );
                    // The reader is gone: a producer still writing sees a broken pipe and ends.
                    let made = producer.join().unwrap_or(Ok(()));
                    match (sent, made) {
                        (Err(e), _) => Err(e),
                        (Ok(()), Err(e)) if !stop.load(std::sync::atomic::Ordering::Relaxed) => {
                            Err(e.to_string())
                        }
                        _ => Ok(()),
                    }
                });
                result.map_err(|e| (1, e))?;
            }
            (None, None) => unreachable!("a plan when there is no capture"),
        }
    }
    let stats = sender.stats();
    if live {
        eprint!("\r\x1b[K");
    }
    let stopped = if stop.load(std::sync::atomic::Ordering::Relaxed) { " (stopped)" } else { "" };
    eprintln!(
        "vxgen: {}{stopped}; {skipped} records skipped (not VXLAN/GENEVE over IPv4/UDP); to {to}",
        line(&stats)
    );
    Ok(stats)
}

fn line(s: &SendStats) -> String {
    let drops = match s.kernel_drops {
        Some((snd, rcv)) => format!("kernel drops: {snd} send buffer, {rcv} receive buffer"),
        None => "kernel drops: unknown".into(),
    };
    format!(
        "sent {} datagrams, {} bytes in {:.2} s: {:.0} packets/s, {:.3} Gbit/s; {} refused; {drops}",
        s.packets,
        s.bytes,
        s.elapsed.as_secs_f64(),
        s.packets_per_second(),
        s.gbits_per_second(),
        s.refused
    )
}

/// Runs `vxgen send`; the exit code.
pub fn run(args: &SendArgs) -> i32 {
    match run_send(args) {
        Ok(_) => 0,
        Err((code, e)) => {
            eprintln!("vxgen: {e}");
            code
        }
    }
}
