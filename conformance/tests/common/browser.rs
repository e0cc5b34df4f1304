//! Headless Chromium for the tests of the HTML matrix (`matrix_html.rs`),
//! included with `#[path = "common/browser.rs"] mod browser;` next to
//! `mod common;`.
//!
//! * [`require`]: whether Chromium is there (`$CHROMIUM`, else `chromium`),
//!   by the policy of [`common`]: skip on a laptop, fail with `CI=true`;
//! * [`open`]: loads a page, returns its DOM as Chromium serializes it
//!   after parsing (`--dump-dom`) and a PNG screenshot, in one launch;
//! * [`parse`]: that serialized DOM as a tree of [`Element`]s, so that tests
//!   assert on what the browser built, not on the bytes of the file;
//! * [`png_size`]: a PNG's dimensions, from its signature and IHDR chunk;
//! * [`Driven`]: a page driven over the DevTools protocol (hover, click,
//!   Tab, JavaScript evaluated from outside the page).

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::common;

/// How long one Chromium launch may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// The Chromium program: `$CHROMIUM`, else `chromium` (Debian's package).
pub fn program() -> String {
    std::env::var("CHROMIUM").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "chromium".into())
}

/// Whether Chromium can be started; see [`common`]'s policy.
pub fn require() -> bool {
    common::require_tool(&program())
}

/// What Chromium made of a page.
pub struct Loaded {
    /// The DOM after parsing, serialized (`--dump-dom`).
    pub dom: String,
    /// The screenshot (PNG bytes).
    pub png: Vec<u8>,
    /// Wall time of the launch.
    pub elapsed: Duration,
}

/// Loads `page` (an HTML file) in headless Chromium with a window of
/// `width` x `height` pixels, offline and with a fresh profile: its DOM and
/// a screenshot. Panics with Chromium's stderr if it fails or hangs.
pub fn open(page: &Path, width: u32, height: u32) -> Loaded {
    let work = tempfile::tempdir().expect("a temporary directory");
    let shot = work.path().join("screenshot.png");
    let profile = work.path().join("profile");
    let page = page.canonicalize().expect("the page exists");
    let started = Instant::now();
    let mut child = Command::new(program())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::fs::File::create(work.path().join("dom.html")).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(work.path().join("stderr.txt")).unwrap()))
        // Its own process group, so that a hang is killed whole.
        .process_group(0)
        .spawn()
        .expect("chromium starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let pgid = i32::try_from(child.id()).expect("a pid");
            // SAFETY: kill(2) on the process group this test started.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            let _ = child.wait();
            panic!("chromium did not finish within {TIMEOUT:?}: {}", stderr_of(work.path()));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    assert!(status.success(), "chromium failed ({status}): {}", stderr_of(work.path()));
    let dom = std::fs::read_to_string(work.path().join("dom.html")).expect("the DOM dump");
    let png =
        std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}): {}", stderr_of(work.path())));
    // Keep the screenshot where a person can look at it.
    if let Ok(dir) = std::env::var("VXCONFORM_SCREENSHOTS") {
        let name = page.file_stem().and_then(|s| s.to_str()).unwrap_or("page");
        let _ = std::fs::write(Path::new(&dir).join(format!("{name}.png")), &png);
    }
    Loaded { dom, png, elapsed }
}

/// Chromium's stderr without its D-Bus noise, for a panic message.
fn stderr_of(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    text.lines().filter(|l| !l.contains("dbus")).collect::<Vec<_>>().join("\n")
}

/// A PNG's width and height, or why the bytes are not a PNG.
pub fn png_size(png: &[u8]) -> Result<(u32, u32), String> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() < 33 || &png[..8] != SIGNATURE {
        return Err(format!("not a PNG ({} bytes)", png.len()));
    }
    if &png[12..16] != b"IHDR" {
        return Err("the first chunk is not IHDR".into());
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Ok((be(&png[16..20]), be(&png[20..24])))
}

/// An element of the parsed DOM.
#[derive(Debug, Clone, Default)]
pub struct Element {
    /// Its tag name, lower case.
    pub name: String,
    /// Its attributes, in order, values decoded.
    pub attrs: Vec<(String, String)>,
    /// Its children.
    pub children: Vec<Node>,
}

/// A node of the parsed DOM.
#[derive(Debug, Clone)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Text, decoded.
    Text(String),
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether its `class` holds `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class").is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// Every element below it (itself included) that `pred` accepts, in document order.
    pub fn find_all<'a>(&'a self, pred: &dyn Fn(&Element) -> bool) -> Vec<&'a Element> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if pred(e) {
                out.push(e);
            }
        });
        out
    }

    /// The first element `pred` accepts.
    pub fn find<'a>(&'a self, pred: &dyn Fn(&Element) -> bool) -> Option<&'a Element> {
        self.find_all(pred).into_iter().next()
    }

    fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Element)) {
        f(self);
        for c in &self.children {
            if let Node::Element(e) = c {
                e.walk(f);
            }
        }
    }

    /// Its text, children's included, as the DOM's `textContent`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        fn collect(e: &Element, out: &mut String) {
            for c in &e.children {
                match c {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => collect(e, out),
                }
            }
        }
        collect(self, &mut out);
        out
    }
}

const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];
const RAW_TEXT: &[&str] = &["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript"];

/// Decodes the character references Chromium's serializer writes (`&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&nbsp;`) and numeric ones.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses the DOM Chromium serialized (`--dump-dom`): a document root
/// (named `#document`) holding the `html` element. The serializer's output
/// is regular (every attribute value double-quoted, `<` in text escaped,
/// void elements never closed), which is all this parser handles; it
/// panics on anything else.
pub fn parse(dom: &str) -> Element {
    let mut stack = vec![Element { name: "#document".into(), ..Element::default() }];
    let mut rest = dom;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").expect("a closed comment");
            rest = &r[end + 3..];
        } else if rest.starts_with("<!") {
            let end = rest.find('>').expect("a closed doctype");
            rest = &rest[end + 1..];
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').expect("a closed end tag");
            let name = r[..end].trim().to_ascii_lowercase();
            rest = &r[end + 1..];
            let at = stack
                .iter()
                .rposition(|e| e.name == name)
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert!(at > 0, "</{name}> closes the document");
            while stack.len() > at {
                let e = stack.pop().expect("an open element");
                stack.last_mut().expect("a parent").children.push(Node::Element(e));
            }
        } else if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let (element, after) = start_tag(&rest[1..]);
            rest = after;
            let name = element.name.clone();
            if VOID.contains(&name.as_str()) {
                stack.last_mut().expect("a parent").children.push(Node::Element(element));
            } else if RAW_TEXT.contains(&name.as_str()) {
                let close = format!("</{name}>");
                let end = rest.find(&close).unwrap_or_else(|| panic!("an unclosed <{name}>"));
                let mut element = element;
                element.children.push(Node::Text(rest[..end].to_owned()));
                rest = &rest[end + close.len()..];
                stack.last_mut().expect("a parent").children.push(Node::Element(element));
            } else {
                stack.push(element);
            }
        } else {
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let end = rest[first..].find('<').map(|i| i + first).unwrap_or(rest.len());
            let text = decode(&rest[..end]);
            rest = &rest[end..];
            stack.last_mut().expect("a parent").children.push(Node::Text(text));
        }
    }
    while stack.len() > 1 {
        let e = stack.pop().expect("an open element");
        stack.last_mut().expect("a parent").children.push(Node::Element(e));
    }
    stack.pop().expect("the document")
}

/// A start tag after its `<`: the element (no children yet) and what follows its `>`.
fn start_tag(s: &str) -> (Element, &str) {
    let name_end = s.find(|c: char| c.is_whitespace() || c == '>' || c == '/').expect("a tag name");
    let mut e = Element { name: s[..name_end].to_ascii_lowercase(), ..Element::default() };
    let mut rest = &s[name_end..];
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("/>") {
            return (e, r);
        }
        if let Some(r) = rest.strip_prefix('>') {
            return (e, r);
        }
        let key_end = rest.find(|c: char| c == '=' || c == '>' || c.is_whitespace()).expect("an attribute");
        let key = rest[..key_end].to_ascii_lowercase();
        rest = &rest[key_end..];
        if let Some(r) = rest.strip_prefix("=\"") {
            let end = r.find('"').expect("a closed attribute value");
            e.attrs.push((key, decode(&r[..end])));
            rest = &r[end + 1..];
        } else {
            e.attrs.push((key, String::new()));
        }
    }
}

/// A page in headless Chromium driven over the DevTools protocol
/// (`--remote-debugging-pipe`: requests on the browser's fd 3, answers on
/// its fd 4, each JSON message ended by a NUL byte), for what a dump cannot
/// show: what hovering, clicking and focusing do. Killed when dropped.
pub struct Driven {
    child: std::process::Child,
    to: std::fs::File,
    from: std::sync::mpsc::Receiver<serde_json::Value>,
    session: String,
    next: u64,
    _work: tempfile::TempDir,
}

impl Driven {
    /// Opens `page` in a window of `width` x `height`, offline, with a fresh
    /// profile, and waits until it has loaded.
    pub fn open(page: &Path, width: u32, height: u32) -> Driven {
        use std::io::{BufRead, BufReader};
        use std::os::fd::{FromRawFd, IntoRawFd};
        let work = tempfile::tempdir().expect("a temporary directory");
        let page = page.canonicalize().expect("the page exists");
        let pipe = || {
            let mut fds = [0; 2];
            // SAFETY: pipe2(2) into a two-element array.
            assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0, "pipe");
            // SAFETY: both descriptors are new and owned here.
            unsafe { (std::fs::File::from_raw_fd(fds[0]), std::fs::File::from_raw_fd(fds[1])) }
        };
        // The browser's ends, moved above 4 so that dup2 onto 3 and 4 cannot clobber them.
        let high = |f: std::fs::File| {
            let fd = f.into_raw_fd();
            // SAFETY: fcntl(2) and close(2) on a descriptor owned here.
            let moved = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
            assert!(moved >= 10, "fcntl");
            unsafe { libc::close(fd) };
            moved
        };
        let (browser_in, to) = pipe();
        let (from, browser_out) = pipe();
        let (r, w) = (high(browser_in), high(browser_out));
        let mut command = Command::new(program());
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", work.path().join("profile").display()))
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("file://{}", page.display()))
            .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(work.path().join("stderr.txt")).unwrap()))
            .process_group(0);
        // SAFETY: only dup2(2), async-signal-safe, between fork and exec; the
        // copies on 3 and 4 lose close-on-exec, the originals keep it.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("chromium starts");
        // SAFETY: the browser's ends, no longer needed here once it has them.
        unsafe {
            libc::close(r);
            libc::close(w);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from);
            let mut buf = Vec::new();
            while reader.read_until(0, &mut buf).is_ok_and(|n| n > 0) {
                buf.pop();
                if let Ok(v) = serde_json::from_slice(&buf) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
                buf.clear();
            }
        });
        let mut d = Driven { child, to, from: rx, session: String::new(), next: 0, _work: work };
        let targets = d.browser_call("Target.getTargets", serde_json::json!({}));
        let target = targets["targetInfos"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["targetId"].as_str())
            .expect("a page target")
            .to_owned();
        let attached =
            d.browser_call("Target.attachToTarget", serde_json::json!({"targetId": target, "flatten": true}));
        d.session = attached["sessionId"].as_str().expect("a session").to_owned();
        let started = Instant::now();
        // The target may still show about:blank: wait for the page itself.
        while d.eval("location.protocol === 'file:' && document.readyState === 'complete'") != true {
            assert!(started.elapsed() < TIMEOUT, "the page did not load within {TIMEOUT:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    fn send(&mut self, method: &str, params: serde_json::Value, session: bool) -> serde_json::Value {
        use std::io::Write;
        self.next += 1;
        let id = self.next;
        let mut msg = serde_json::json!({"id": id, "method": method, "params": params});
        if session {
            msg["sessionId"] = self.session.clone().into();
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("write to chromium");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self.from.recv_timeout(left).unwrap_or_else(|e| panic!("no answer to {method}: {e}"));
            if v["id"] == id {
                assert!(v.get("error").is_none(), "{method}: {}", v["error"]);
                return v["result"].clone();
            }
        }
    }

    fn browser_call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.send(method, params, false)
    }

    /// Calls a DevTools method on the page.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.send(method, params, true)
    }

    /// The value of a JavaScript expression on the page (DevTools
    /// evaluation is not the page's script: its Content-Security-Policy
    /// does not apply).
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self
            .call("Runtime.evaluate", serde_json::json!({"expression": expression, "returnByValue": true}));
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {}", r["exceptionDetails"]);
        r["result"]["value"].clone()
    }

    /// Moves the mouse to (`x`, `y`), CSS pixels of the viewport.
    pub fn hover(&mut self, x: f64, y: f64) {
        self.call("Input.dispatchMouseEvent", serde_json::json!({"type": "mouseMoved", "x": x, "y": y}));
    }

    /// Clicks at (`x`, `y`) with the left button.
    pub fn click(&mut self, x: f64, y: f64) {
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                serde_json::json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Presses and releases Tab.
    pub fn tab(&mut self) {
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                serde_json::json!({"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9}),
            );
        }
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        if let Ok(pgid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on the process group this test started.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
        let _ = self.child.wait();
    }
}
