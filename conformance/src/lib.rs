//! Conformance runner for VXLAN decoders as AWS VPC Traffic Mirroring
//! emits VXLAN: runs any decoder over the `vectors/` corpus and reports,
//! field by field, where its dissection differs from the expected one.
//!
//! * [`decoder`] holds the [`Decoder`](decoder::Decoder) trait, the process
//!   runner every external decoder goes through, the in-process
//!   [`reference`](decoder::reference) decoder, the tshark, tcpdump and
//!   Scapy adapters, and `cmd:...` for any program speaking
//!   docs/decoder-protocol.md;
//! * [`compare`] gives the verdict on each field and each vector (all the
//!   judgement);
//! * [`run`] loads the corpus, selects vectors and runs a decoder over them;
//! * [`report`] renders text, JSON, JUnit XML and Markdown reports;
//! * [`matrix`] writes docs/compatibility.md and docs/compatibility.html;
//! * [`capture`] reads pcap and pcapng;
//! * [`inspect`] lists vectors, shows one annotated, and diffs two decoders;
//! * [`fuzz`] judges a decoder on random cases from a seed and shrinks
//!   each new failure to a corpus vector (docs/fuzz.md).
//!
//! ```
//! use conformance::decoder::by_name;
//! use conformance::run::{run, Corpus, RunOptions};
//!
//! let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
//! let decoder = by_name("reference").unwrap();
//! let report = run(decoder.as_ref(), &corpus, &RunOptions::default()).unwrap();
//! // Every vector passes; acceptable ones under one of their named readings.
//! assert_eq!(report.summary.pass + report.summary.acceptable, corpus.manifest.number_of_vectors);
//! assert_eq!(report.exit_code(), 0);
//! ```

#![warn(missing_docs)]

pub mod capture;
pub mod compare;
pub mod decoder;
pub mod fuzz;
pub mod inspect;
pub mod matrix;
pub mod report;
pub mod run;

/// The version of the generator this runner was built against.
pub fn generator_version() -> &'static str {
    generator::VERSION
}
