//! What a decoder prints (its stderr, its values) cannot drive the terminal
//! or forge report lines: control characters are escaped in the text and
//! Markdown reports, the JUnit report stays well-formed XML.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use hostile::{stderr, stdout, vxconform, Scripts};

/// Bytes a terminal acts on: ESC, BEL, CR, BS, DEL, a C1 CSI (U+009B),
/// a bidi override (U+202E).
const HOSTILE: [&str; 7] = ["\x1b", "\x07", "\r", "\x08", "\x7f", "\u{9b}", "\u{202e}"];

fn assert_inert(what: &str, report: &str) {
    for bad in HOSTILE {
        assert!(!report.contains(bad), "{what} holds {bad:?}:\n{report}");
    }
}

fn run(decoder: &str, format: &str) -> std::process::Output {
    vxconform(&["run", "--decoder", decoder, "--filter", "vni-0", "--color", "never", "--format", format])
}

#[test]
fn a_crashing_decoders_stderr_is_escaped() {
    let s = Scripts::new();
    let decoder = s.decoder(
        "crash.sh",
        r"printf 'starting\033[2J\033]0;owned title\007\n' >&2
printf 'boom\r\033[1A\033[2Kresult: PASS\b\177\302\233\342\200\256\n' >&2
exit 3",
    );
    let o = run(&decoder, "text");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert_inert("the text report", &text);
    assert!(text.contains(r"| starting\u{1b}[2J\u{1b}]0;owned title\u{7}"), "{text}");
    assert!(text.contains(r"boom\r\u{1b}[1A\u{1b}[2Kresult: PASS\u{8}\u{7f}\u{9b}\u{202e}"), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("result:")).count(), 1, "{text}");

    let md = stdout(&run(&decoder, "markdown"));
    assert_inert("the Markdown report", &md);
    assert!(md.contains(r"starting\u{1b}[2J"), "{md}");

    let xml = stdout(&run(&decoder, "junit"));
    assert_inert("the JUnit report", &xml);
    assert!(xml.contains(r"\u{1b}]0;owned title\u{7}"), "{xml}");
    well_formed(&xml);
}

#[test]
fn values_cannot_forge_report_lines() {
    let s = Scripts::new();
    // A string field (a valid protocol value) holding ESC, a newline and a table row.
    let forged = "02:7c\u{1b}[31m\nresult: PASS: forged\n| `vni-0` | pass | forged |\u{202e}";
    s.frames("vni-0", |f| f["app"] = serde_json::json!({"http": {"host": forged}}));
    let decoder = s.decoder("forge.sh", "cat \"$FRAMES\"");

    let o = run(&decoder, "text");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert_inert("the text report", &text);
    assert!(
        text.contains(r"reported 02:7c\u{1b}[31m\nresult: PASS: forged\n| `vni-0` | pass | forged |\u{202e}"),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("result: PASS") || l.starts_with('|')), "{text}");

    let md = stdout(&run(&decoder, "markdown"));
    assert_inert("the Markdown report", &md);
    assert!(!md.lines().any(|l| l.starts_with("result:") || l.contains("| pass | forged |")), "{md}");
    // One failure row, its cell's pipes escaped.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `vni-0` | FAIL")).collect();
    assert_eq!(rows.len(), 1, "{md}");
    assert!(rows[0].contains(r"\| `vni-0` \| pass \| forged \|\u{202e}"), "{md}");

    let xml = stdout(&run(&decoder, "junit"));
    assert_inert("the JUnit report", &xml);
    well_formed(&xml);

    // JSON keeps the value exactly, escaped by JSON itself.
    let json: serde_json::Value = serde_json::from_slice(&run(&decoder, "json").stdout).unwrap();
    let field = json["vectors"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app.http.host")
        .unwrap()
        .clone();
    assert_eq!(field["got"], forged);
}

#[test]
fn a_hostile_decoder_name_is_escaped_too() {
    let name = "cmd:exit 3 #\n## vxconform: `reference`: PASS\x1b[2J";
    for format in ["text", "markdown", "junit"] {
        let o = run(name, format);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        assert_inert(format, &out);
        assert!(!out.lines().any(|l| l.starts_with("## vxconform: `reference`")), "{out}");
    }
}

fn well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
        }
    }
}
