//! Writing shrunk cases as a corpus directory that `vxconform run
//! --vectors DIR` loads as it loads `vectors/`: the manifest (SHA-256 of
//! every file, readings), one capture and expected dissection per new
//! signature in group `fuzz`, and next to each a `.case.json` with the case
//! as drawn and as shrunk (not part of the manifest).
//!
//! The directory is written atomically by
//! [`generator::vectors::write_tree`]: missing, empty, or a previous fuzz
//! output is replaced; anything else is refused unless forced, a
//! directory holding `.git` or the current directory always.

use super::FuzzReport;
use generator::vectors::random::build::GROUP;
use generator::vectors::random::Case;
use generator::vectors::{build_files, is_corpus, manifest, to_json, write_tree, CorpusFile};
use std::path::Path;

/// Whether `dir` holds a corpus whose only group is [`GROUP`]: a fuzz output.
fn is_fuzz_output(dir: &Path) -> bool {
    std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| m["groups"].as_array().cloned())
        .is_some_and(|g| g.len() == 1 && g[0]["name"] == GROUP.name)
}

/// Writes the shrunk case of each new signature of `report` to `dir`, and
/// sets each one's `capture` path.
pub fn write(dir: &Path, report: &mut FuzzReport, force: bool) -> Result<(), String> {
    if is_corpus(dir) && !is_fuzz_output(dir) && !force {
        return Err(format!(
            "{}: holds a corpus that is not a fuzz output (not only group {:?}); use --force to replace it",
            dir.display(),
            GROUP.name
        ));
    }
    let mut vectors = Vec::new();
    let mut extras = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for s in report.signatures.iter_mut().filter(|s| !s.known) {
        let Some(sh) = &s.shrunk else { continue };
        let mut id = s.signature.slug();
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{}-{n}", s.signature.slug());
            n += 1;
        }
        let away = sh.shrunk_away();
        let description = format!(
            "Fails with {} ({}). Found by vxconform fuzz --decoder {} --seed {} as case {}, shrunk in {} steps{}. The case: {}.",
            s.signature,
            sh.reason,
            report.decoder,
            sh.seed,
            sh.index,
            sh.steps,
            if away.is_empty() { String::new() } else { format!(" (shrunk away: {})", away.join(", ")) },
            sh.describe()
        );
        // One vector, one frame per case; a capture's frames share the
        // first frame's meaning (its result, subject and readings).
        let mut v = sh.cases[0].vector(&id, description);
        v.frames = sh.cases.iter().map(Case::frame_spec).collect();
        for c in &sh.cases[1..] {
            for f in c.meaning().flags {
                if !v.flags.contains(&f) {
                    v.flags.push(f);
                }
            }
        }
        s.capture = Some(dir.join(manifest::capture_path(&v)));
        extras.push(CorpusFile {
            path: format!("{}/{id}.case.json", GROUP.name),
            bytes: to_json(&serde_json::json!({
                "signature": s.signature.to_string(),
                "decoder": report.decoder,
                "seed": sh.seed,
                "index": sh.index,
                "drawn": sh.drawn,
                "shrunk": sh.cases,
            })),
        });
        vectors.push(v);
    }
    let readme = format!(
        "# Shrunk fuzz cases\n\n\
         Written by `vxconform fuzz --decoder {} --seed {}`: one vector per new failure signature,\n\
         the smallest case found that still fails with it. Replay with\n\n    \
         vxconform run --decoder {} --vectors {}\n\n\
         `fuzz/<id>.case.json` holds each case as drawn and as shrunk. To make one a permanent corpus\n\
         vector, see docs/fuzz.md.\n",
        report.decoder,
        report.seed,
        report.decoder,
        dir.display()
    );
    let build = || {
        let mut files = build_files(&[GROUP], &vectors);
        if let Some(r) = files.iter_mut().find(|f| f.path == "README.md") {
            r.bytes = readme.clone().into_bytes();
        }
        files.extend(extras.iter().cloned());
        files
    };
    write_tree(dir, &build, force).map(|_| ()).map_err(|e| e.to_string())
}
