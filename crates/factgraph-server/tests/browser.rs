//! The browser view, driven end to end: the real server on a loopback port with the
//! showcase loaded, Debian's headless Chromium driven over WebDriver by chromedriver,
//! and the page used as a person would — a query typed and run with Ctrl+Enter, the
//! table read, an edge of the graph clicked with a real pointer, the evidence panel
//! read, a name completed, a broken query's error pointed at, a phone-width layout.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them). Without them the test prints a note
//! and passes, except when `CI` is set: there it fails, since CI must run it.
//!
//! Screenshots go to `target/browser-artefacts/`; with `FACTGRAPH_UPDATE_SCREENSHOTS=1`
//! also to `docs/screenshots/`. Every wait is bounded, so a hung browser fails the
//! test instead of hanging it.
//!
//! The WebDriver client is the few commands this test needs, over the blocking HTTP
//! client the crate's tests already use, rather than an async WebDriver crate and its
//! runtime.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use factgraph_server::{Config, Server};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The server's token for writes, typed into the page's token field.
const TOKEN: &str = "browser-test-token";
/// How long any one wait for the page may take.
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn the_browser_view_answers_draws_and_shows_evidence() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        let note = format!(
            "the browser test needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install -y chromium chromium-driver"
        );
        if std::env::var_os("CI").is_some() {
            panic!("{note} (.ci/run installs them; CI must run this test)");
        }
        eprintln!("skipped: {note}");
        return;
    }
    let artefacts = artefact_dir();
    let config = Config { token: Some(TOKEN.to_string()), ..Config::loopback() };
    let running = Server::bind(Arc::new(showcase()), config).expect("the server binds").spawn();
    let url = running.url();
    let driver = Driver::start();
    let page = driver.session();

    // Desktop width: ask, read the table.
    // The viewport itself is set (a window's size includes whatever the browser draws
    // round the page), so screenshots are 1,280 × 800 CSS pixels.
    page.window_size(1280, 900);
    page.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    );
    page.go(&format!("{url}/"));
    page.wait_js("the page to start", "return document.body.dataset.state === 'idle' && !!window.factgraph.cy");
    let query = page.find("#query");
    page.type_into(&query, "who reported \"red notice\"");
    page.type_into(&query, "\u{E009}\u{E007}"); // Ctrl+Enter runs, as in the REPL.
    wait_answer(&page);
    let sources: Vec<String> =
        serde_json::from_value(page.js("return [...document.querySelectorAll('#answer tbody tr:not(.provenance)')]
                .map(tr => tr.cells[0].innerText.trim())"))
        .expect("a list of strings");
    assert!(!sources.is_empty(), "the table has rows");
    for outlet in ["Sky News", "Newsweek"] {
        assert!(sources.iter().any(|s| s.contains(outlet)), "{outlet} answers; the sources were {sources:?}");
    }
    // A row's evidence opens under it.
    let citations = page.find("#answer td.ev button");
    page.click(&citations);
    let quote = page.wait_js(
        "a row's citations to open",
        "const q = document.querySelector('#answer tr.provenance:not([hidden]) blockquote');
         return q && q.innerText.trim()",
    );
    assert!(quote.as_str().is_some_and(|q| !q.is_empty()), "a citation shows its quote");
    // The click scrolled the wide table to its last column; show it from its start.
    page.js("document.querySelector('#answer .table-wrap').scrollLeft = 0; window.scrollTo(0, 0)");
    page.screenshot(&artefacts, "answer-table.png");

    // The graph: click an edge where it is drawn, with a real pointer.
    page.wait_js("the graph to be drawn", "return window.factgraph.cy.edges().length > 0");
    // At this width the graph is in view beside the table; the page stays at its top.
    page.js("window.scrollTo(0, 0)");
    let at = page.js(EDGE_TO_CLICK);
    let (x, y) = (at["x"].as_f64().expect("x"), at["y"].as_f64().expect("y"));
    page.pointer_click(x, y);
    let panel = page.wait_js(
        "the evidence panel",
        "const p = document.getElementById('panel');
         if (p.hidden || !p.querySelector('.quote')) return null;
         return {quote: p.querySelector('.quote').innerText,
                 source: [...p.querySelectorAll('.outlet, .title, .doc')].map(e => e.innerText).join(' '),
                 text: p.innerText}",
    );
    assert!(panel["quote"].as_str().is_some_and(|q| !q.trim().is_empty()), "the panel shows a quote: {panel}");
    assert!(
        panel["source"].as_str().is_some_and(|s| !s.trim().is_empty()),
        "the panel names the document's title or outlet: {panel}"
    );
    // Edges can cross near the point aimed at; what counts is the edge the click hit
    // (cytoscape selects it), whose panel this is.
    let hit = page.js("const e = window.factgraph.cy.$('edge:selected');
         return e.length === 1 ? {id: e.id(), conflict: !!e.data('conflict')} : null");
    assert!(hit.is_object(), "the click selected one edge (aimed at {at})");
    let flagged = panel["text"].as_str().is_some_and(|t| t.contains("sources conflict"));
    assert_eq!(
        flagged,
        hit["conflict"] == json!(true),
        "the panel flags a conflict when the edge has one: {hit} {panel}"
    );
    page.screenshot(&artefacts, "graph-evidence.png");

    // The SVG export draws every edge and node of the picture.
    let svg =
        page.js("const s = window.factgraph.toSvg(); const d = new DOMParser().parseFromString(s, 'image/svg+xml');
         const cy = window.factgraph.cy;
         return {ok: !d.querySelector('parsererror') && d.documentElement.nodeName === 'svg',
                 paths: d.querySelectorAll('path[marker-end]').length, edges: cy.edges().length}");
    assert_eq!(svg["ok"], json!(true), "the SVG export parses: {svg}");
    assert_eq!(svg["paths"], svg["edges"], "the SVG export draws every edge: {svg}");

    // PNG from cytoscape, DOT from the server for the same query.
    let png = page.js("return window.factgraph.cy.png({full: true})");
    assert!(png.as_str().is_some_and(|p| p.starts_with("data:image/png;base64,") && p.len() > 1000), "a PNG export");
    let dot = page.js_async("window.factgraph.dot().then(done, e => done('failed: ' + e.message))");
    assert!(dot.as_str().is_some_and(|d| d.contains("digraph")), "a DOT export: {dot}");

    // Double-clicking a node merges its neighbours into the picture: afterwards every
    // node and edge the server lists for it is drawn (whether or not some already were).
    page.js("document.getElementById('panel').hidden = true");
    let at = page.js(NODE_TO_CLICK);
    page.pointer_clicks(at["x"].as_f64().expect("x"), at["y"].as_f64().expect("y"), 2);
    page.wait_js("the expanded node to be marked", "return window.factgraph.cy.$('node.focus').length === 1");
    let missing = page.js_async(
        "const cy = window.factgraph.cy, node = cy.$('node.focus');
         fetch('/api/entities/' + node.data('entity') + '/neighbours?limit=200').then(r => r.json()).then(g =>
           done([...g.nodes.map(n => n.id).filter(id => cy.getElementById(id).empty()),
                 ...g.edges.map(e => 'edge-' + e.id).filter(id => cy.getElementById(id).empty())]),
           e => done(['failed: ' + e.message]))",
    );
    assert_eq!(missing, json!([]), "expanding {} drew all its neighbours", at["name"]);

    // Completion over names and aliases; choosing one describes it.
    let find = page.find("#find");
    page.click(&find);
    page.type_into(&find, "Trum");
    let options = page.wait_js(
        "the completion list",
        "const l = document.getElementById('find-list');
         const t = [...l.querySelectorAll('[role=option]')].map(o => o.innerText);
         return !l.hidden && t.some(x => x.includes('Trump')) ? t : null",
    );
    assert!(options.to_string().contains("Trump"), "completion offers Trump: {options}");
    page.screenshot(&artefacts, "completion.png");
    let garbled = page.js("return document.body.innerText.includes('[object ')");
    assert_eq!(garbled, json!(false), "every part of the page is rendered as text, not as '[object …]'");
    page.type_into(&find, "\u{E007}");
    wait_answer(&page);
    let described = page.js("return document.getElementById('query').value");
    assert!(described.as_str().is_some_and(|q| q.contains("Trump")), "choosing a name describes it: {described}");

    // A broken query: the message, and a caret under the place.
    page.js("document.getElementById('query').value = ''");
    page.type_into(&query, "who reported \"red\u{E009}\u{E007}");
    let error = page.wait_js(
        "the error to show",
        "const e = document.getElementById('query-error');
         return document.body.dataset.state === 'error' && !e.hidden
           ? {text: e.innerText, caret: !!e.querySelector('pre.caret'),
              invalid: document.getElementById('query').getAttribute('aria-invalid')}
           : null",
    );
    assert_eq!(error["caret"], json!(true), "the error points at its place: {error}");
    assert_eq!(error["invalid"], json!("true"), "the query box is marked invalid: {error}");

    // Up in an empty box recalls the queries run before, newest first.
    page.js("document.getElementById('query').value = ''");
    page.type_into(&query, "\u{E013}");
    assert_eq!(page.js("return document.getElementById('query').value"), json!("who reported \"red"));
    page.type_into(&query, "\u{E013}");
    let recalled = page.js("return document.getElementById('query').value");
    assert!(
        recalled.as_str().is_some_and(|q| q.starts_with("describe")),
        "Up again recalls the one before: {recalled}"
    );

    // A write without the token is refused and the page asks for it; with it, it runs.
    page.js("document.getElementById('query').value = ''");
    page.type_into(&query, "create (:Person {name: \"Zed Tester\"})\u{E009}\u{E007}");
    let refused = page.wait_js(
        "the write to be refused",
        "const e = document.getElementById('query-error');
         return document.body.dataset.state === 'error' && !e.hidden
           ? {text: e.innerText, asked: document.getElementById('token-box').open} : null",
    );
    assert!(refused["text"].as_str().is_some_and(|t| t.contains("unauthorized")), "the refusal is shown: {refused}");
    assert_eq!(refused["asked"], json!(true), "the token field is opened: {refused}");
    let token = page.find("#token");
    page.type_into(&token, TOKEN);
    page.click(&page.find("#run"));
    wait_answer(&page);

    let errors = page.js("return window.factgraph.errors");
    assert_eq!(errors, json!([]), "the page's scripts raised no error");

    // Phone width: one column, nothing wider than the screen. Headless Chromium will
    // not make a window narrower than 500 px, so the phone is emulated instead.
    page.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
    );
    // A fresh page (not a jump within this one), as a phone opening a shared link.
    page.go("about:blank");
    page.go(&format!("{url}/#q={}", "who%20reported%20%22red%20notice%22"));
    wait_answer(&page);
    page.wait_js("the graph to be drawn", "return window.factgraph.cy.edges().length > 0");
    let open = page
        .js("return [...document.querySelectorAll('#answer tr.provenance')].filter(tr => tr.offsetHeight > 0).length");
    assert_eq!(open, json!(0), "a row's citations stay closed until asked for on a phone too");
    let widths = page.js("return [document.documentElement.scrollWidth, window.innerWidth]");
    assert!(widths[0].as_f64() <= widths[1].as_f64(), "nothing overflows the phone's width: {widths}");
    page.screenshot(&artefacts, "phone.png");
    page.js("document.querySelector('.picture').scrollIntoView()");
    let at = page.js(EDGE_TO_CLICK);
    page.pointer_click(at["x"].as_f64().expect("x"), at["y"].as_f64().expect("y"));
    page.wait_js(
        "the evidence panel on a phone",
        "const p = document.getElementById('panel'); return !p.hidden && !!p.querySelector('.quote')",
    );
    page.screenshot(&artefacts, "phone-graph.png");
    let errors = page.js("return window.factgraph.errors");
    assert_eq!(errors, json!([]), "the page's scripts raised no error on a phone");

    drop(page);
    drop(driver);
    running.stop().expect("the server stops");
}

/// Finds an edge whose midpoint is clear of every node and every other edge's midpoint
/// (so the click lands on that edge), a conflicting one if one is clear enough, and
/// returns that midpoint in the viewport's CSS pixels.
const EDGE_TO_CLICK: &str = "
    const cy = window.factgraph.cy;
    const box = cy.container().getBoundingClientRect();
    const nodes = cy.nodes().map(n => n.renderedPosition());
    const mids = cy.edges().map(e => ({id: e.id(), m: e.renderedMidpoint()}));
    let best = null;
    cy.edges().forEach(e => {
      const m = e.renderedMidpoint();
      if (m.x < 10 || m.y < 10 || m.x > box.width - 10 || m.y > box.height - 10) return;
      if (box.top + m.y < 10 || box.top + m.y > window.innerHeight - 10) return;
      const others = mids.filter(o => o.id !== e.id()).map(o => Math.hypot(o.m.x - m.x, o.m.y - m.y));
      const clear = Math.min(...nodes.map(p => Math.hypot(p.x - m.x, p.y - m.y)), ...others);
      const score = clear + (clear > 20 && e.data('conflict') ? 1000 : 0);
      if (!best || score > best.score)
        best = {score, clear, x: box.left + m.x, y: box.top + m.y, id: e.id(), conflict: e.data('conflict')};
    });
    return best;";

/// The first entity node drawn inside the graph and the viewport, in the viewport's CSS
/// pixels.
const NODE_TO_CLICK: &str = "
    const cy = window.factgraph.cy;
    const box = cy.container().getBoundingClientRect();
    const n = cy.nodes('[entity]').filter(n => {
      const p = n.renderedPosition();
      return p.x > 10 && p.y > 10 && p.x < box.width - 10 && p.y < box.height - 10
        && box.top + p.y > 10 && box.top + p.y < window.innerHeight - 10;
    })[0];
    const p = n.renderedPosition();
    return {x: box.left + p.x, y: box.top + p.y, name: n.data('label')};";

fn wait_answer(page: &Session) {
    let state = page.wait_js(
        "the answer",
        "const s = document.body.dataset.state; return s === 'done' || s === 'error' ? s : null",
    );
    if state != json!("done") {
        let error = page.js("return document.getElementById('query-error').innerText");
        panic!("the query failed in the page: {error}");
    }
}

/// The showcase, as the CLI loads it: every `data/*.fg` in name order, as one batch.
fn showcase() -> factgraph::Graph {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&data)
        .expect("data/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "fg"))
        .collect();
    scripts.sort();
    let graph = factgraph::Graph::in_memory().expect("an in-memory store");
    graph.load_scripts(&scripts).expect("the showcase loads");
    graph
}

/// `target/browser-artefacts/`, made fresh for this run.
fn artefact_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target/").join("browser-artefacts");
    std::fs::create_dir_all(&dir).expect("the artefact directory");
    dir
}

/// A chromedriver of our own on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    base: String,
    http: ureq::Agent,
}

impl Driver {
    fn start() -> Driver {
        // Bind and release a port: chromedriver takes a number, not a socket.
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let driver = Driver { child, base: format!("http://127.0.0.1:{port}"), http };
        let start = Instant::now();
        loop {
            let ready = driver
                .http
                .get(format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                return driver;
            }
            assert!(start.elapsed() < WAIT, "chromedriver did not become ready in {WAIT:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A fresh headless Chromium with a profile of its own.
    fn session(&self) -> Session<'_> {
        let profile = tempfile::tempdir().expect("a profile directory");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "timeouts": {"script": 20_000, "pageLoad": 30_000, "implicit": 0}
        }}});
        let v = self.send("POST", "/session", Some(caps));
        let id = v["sessionId"].as_str().expect("a session id").to_string();
        Session { driver: self, id, _profile: profile }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let answer = match method {
            "GET" => self.http.get(&url).call(),
            "DELETE" => self.http.delete(&url).call(),
            _ => self.http.post(&url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut answer = answer.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let status = answer.status();
        let v: Value = answer.body_mut().with_config().limit(64 << 20).read_json().expect("a WebDriver JSON answer");
        assert!(status.is_success(), "WebDriver {method} {path}: {status} {}", v["value"]);
        v["value"].clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser; closed when dropped.
struct Session<'d> {
    driver: &'d Driver,
    id: String,
    _profile: tempfile::TempDir,
}

/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session<'_> {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver.send(method, &format!("/session/{}{path}", self.id), body)
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn window_size(&self, width: u32, height: u32) {
        self.cmd("POST", "/window/rect", Some(json!({"width": width, "height": height})));
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}")).to_string()
    }

    fn click(&self, element: &str) {
        self.cmd("POST", &format!("/element/{element}/click"), None);
    }

    /// Types as a keyboard would; WebDriver's key codes (`\u{E007}` Enter, `\u{E009}`
    /// Control, held to the end of the text) work too.
    fn type_into(&self, element: &str, text: &str) {
        self.cmd("POST", &format!("/element/{element}/value"), Some(json!({"text": text})));
    }

    /// A real press and release of the mouse at `(x, y)` in the viewport.
    fn pointer_click(&self, x: f64, y: f64) {
        self.pointer_clicks(x, y, 1);
    }

    /// `count` quick clicks at `(x, y)`: 2 is a double click.
    fn pointer_clicks(&self, x: f64, y: f64, count: usize) {
        let mut steps = vec![json!({"type": "pointerMove", "duration": 0, "origin": "viewport",
                                    "x": x.round() as i64, "y": y.round() as i64})];
        for _ in 0..count {
            steps.push(json!({"type": "pointerDown", "button": 0}));
            steps.push(json!({"type": "pause", "duration": 30}));
            steps.push(json!({"type": "pointerUp", "button": 0}));
        }
        let actions = json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": steps}]});
        self.cmd("POST", "/actions", Some(actions));
        self.cmd("DELETE", "/actions", None);
    }

    fn js(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    /// Runs `script` with a callback `done` and returns what it is called with.
    fn js_async(&self, script: &str) -> Value {
        let script = format!("const done = arguments[arguments.length - 1]; {script}");
        self.cmd("POST", "/execute/async", Some(json!({"script": script, "args": []})))
    }

    /// Polls `script` until it returns something other than null, false or "".
    fn wait_js(&self, what: &str, script: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.js(script);
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            assert!(start.elapsed() < WAIT, "timed out after {WAIT:?} waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A Chrome DevTools command, through chromedriver.
    fn cdp(&self, cmd: &str, params: Value) {
        self.cmd("POST", "/goog/cdp/execute", Some(json!({"cmd": cmd, "params": params})));
    }

    fn screenshot(&self, dir: &Path, name: &str) {
        let png = base64_decode(self.cmd("GET", "/screenshot", None).as_str().expect("base64 PNG"));
        std::fs::write(dir.join(name), &png).expect("the screenshot is written");
        if std::env::var_os("FACTGRAPH_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
            std::fs::create_dir_all(&docs).expect("docs/screenshots");
            std::fs::write(docs.join(name), &png).expect("the screenshot is written to docs/");
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // Best effort: chromedriver is killed next in any case.
        let _ = self.driver.http.delete(format!("{}/session/{}", self.driver.base, self.id)).call();
    }
}

/// Standard base64 (WebDriver's screenshots); ignores padding and anything else.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        // Only the bits not yet written out are kept.
        acc = ((acc << 6) | u32::from(v)) & 0xFF_FFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn base64_decodes_what_webdriver_sends() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("iVBORw0KGgo="), b"\x89PNG\r\n\x1a\n");
}
