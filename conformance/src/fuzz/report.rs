//! The end of a fuzz run, as text for a person or JSON for a machine. Every
//! string a decoder printed passes through [`crate::report::printable`].

use super::FuzzReport;
use crate::report::printable;

/// The text report: one line of totals, then each signature with its
/// count, the judge's reason on its shrunk case and the shrunk vector.
pub fn text(r: &FuzzReport) -> String {
    let mut s = format!(
        "vxconform fuzz: {}, seed {}: {} cases in {:.1} s ({:.0} cases/s), {} failed\n",
        printable(&r.decoder),
        r.seed,
        r.cases,
        r.elapsed_secs,
        r.cases_per_sec,
        r.failed_cases
    );
    if r.signatures.is_empty() {
        s.push_str("no failure\n");
        return s;
    }
    let new = r.new_signatures().count();
    s.push_str(&format!(
        "{} distinct failure signature(s), {new} new, {} known:\n",
        r.signatures.len(),
        r.signatures.len() - new
    ));
    for sig in &r.signatures {
        s.push_str(&format!(
            "  {} {}  ({} case(s), first: case {})\n",
            if sig.known { "known" } else { "NEW  " },
            sig.signature,
            sig.count,
            sig.first_case
        ));
        if sig.known {
            continue;
        }
        if let Some(sh) = &sig.shrunk {
            s.push_str(&format!("        shrunk in {} step(s): {}\n", sh.steps, printable(&sh.reason)));
            s.push_str(&format!("        case: {}\n", sh.describe()));
        } else {
            s.push_str(&format!("        {}\n", printable(&sig.reason)));
        }
        if let Some(c) = &sig.capture {
            s.push_str(&format!("        vector: {}\n", printable(&c.display().to_string())));
        }
    }
    if let Some(out) = &r.out {
        s.push_str(&format!(
            "replay: vxconform run --decoder {} --vectors {}\n",
            printable(&r.decoder),
            printable(&out.display().to_string())
        ));
    }
    s
}

/// The JSON report: the whole [`FuzzReport`], signatures as `PATH: CLASS`
/// strings with their path and class, and `exit_status`.
pub fn json(r: &FuzzReport) -> String {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(list) = v.get_mut("signatures").and_then(|s| s.as_array_mut()) {
        for (s, sig) in list.iter_mut().zip(&r.signatures) {
            s["text"] = serde_json::Value::String(sig.signature.to_string());
            if let Some(sh) = &sig.shrunk {
                s["description"] = serde_json::Value::String(sh.describe());
                s["shrunk_away"] = serde_json::json!(sh.shrunk_away());
            }
        }
    }
    v["exit_status"] = serde_json::json!(r.exit_code());
    let mut out = serde_json::to_string_pretty(&v).unwrap_or_default();
    out.push('\n');
    out
}
