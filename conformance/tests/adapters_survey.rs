//! A survey, not a check: runs the external adapters over the whole corpus
//! and prints every field a tool reports differently from the expected
//! dissection, vector by vector, with the vector's result. Ignored by
//! default (it takes about a minute per tool); run it with
//!
//! ```text
//! cargo test -p conformance --test adapters_survey -- --ignored --nocapture
//! ADAPTERS=tcpdump cargo test -p conformance --test adapters_survey -- --ignored --nocapture
//! ```

#[path = "common/adapters.rs"]
mod adapters;
mod common;

use conformance::decoder::{by_name, DecodeOptions};

#[test]
#[ignore = "a survey of the external tools over the whole corpus; run with --ignored --nocapture"]
fn survey() {
    let wanted = std::env::var("ADAPTERS").unwrap_or_else(|_| "tshark,tcpdump,scapy".into());
    for name in wanted.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let present = if name == "scapy" { common::require_scapy() } else { common::require_tool(name) };
        if !present {
            continue;
        }
        let decoder = by_name(name).unwrap();
        println!("# {name} {}", decoder.version().unwrap_or_default());
        let opts = DecodeOptions::default();
        // Expected fields (list indices dropped) and how often each was reported.
        let mut reported: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for id in adapters::all_ids() {
            let v = adapters::vector(&id);
            let got = match decoder.decode(&v.capture, &opts) {
                Ok(d) => d.frames,
                Err(e) => {
                    println!("{id} ({:?}): FAILED {e}", v.result);
                    continue;
                }
            };
            if got.len() != v.expected.frames.len() {
                println!("{id} ({:?}): {} frames, expected {}", v.result, got.len(), v.expected.frames.len());
            }
            for (e, g) in v.expected.frames.iter().zip(&got) {
                let mine: std::collections::HashSet<String> =
                    adapters::leaves(g).into_iter().map(|(p, _)| p).collect();
                for (p, _) in adapters::leaves(e) {
                    let entry =
                        reported.entry(generator::dissection::registry::generic_path(&p)).or_default();
                    entry.0 += 1;
                    entry.1 += usize::from(mine.contains(&p));
                }
                for d in adapters::diff(e, g) {
                    println!("{id} ({:?}) #{}: {d}", v.result, e.frame.number);
                }
            }
        }
        println!("## {name}: expected fields never reported");
        for (path, (_, n)) in reported.iter().filter(|(_, (_, n))| *n == 0) {
            println!("  {path} ({n})");
        }
        println!("## {name}: expected fields sometimes reported (reported / expected)");
        for (path, (all, n)) in reported.iter().filter(|(_, (all, n))| *n > 0 && n < all) {
            println!("  {path} {n}/{all}");
        }
    }
}
