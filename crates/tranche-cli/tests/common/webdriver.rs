//! Headless Chromium driven through WebDriver (Debian's `chromium-driver`), with a fresh
//! profile and a download folder of its own.

use super::http;
use serde_json::{json, Value};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver, or `None` after a loud skip message; under `CI` a missing driver fails.
pub fn find_driver_or_skip(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|d| d.join("chromedriver"))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        if ci {
            panic!("{test}: chromedriver not found and CI is set: install chromium-driver");
        }
        eprintln!("\n!! SKIPPED {test}: chromedriver not found (set CHROMEDRIVER or apt-get install chromium-driver)\n");
    }
    found
}

pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    _profile: tempfile::TempDir,
    pub downloads: tempfile::TempDir,
}

impl Browser {
    pub fn start(driver: &Path, chromium: &Path) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let t = Instant::now();
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_str().unwrap(),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--disable-sync",
                         "--disable-component-update", "--window-size=1400,1800",
                         format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"download.default_directory": downloads.path().to_str().unwrap(),
                          "download.prompt_for_download": false}
            }
        }}});
        let r = http::post_json(addr, "/session", &caps);
        assert_eq!(r.status, 200, "new session: {}", r.text());
        let session = r.json()["value"]["sessionId"].as_str().unwrap().to_string();
        let mut b = Browser {
            driver: child,
            addr,
            session,
            _profile: profile,
            downloads,
        };
        let dir = b.downloads.path().to_str().unwrap().to_string();
        b.cmd(
            "goog/cdp/execute",
            json!({"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": dir}}),
        );
        b
    }

    fn cmd(&mut self, path: &str, body: Value) -> Value {
        let r = http::post_json(
            self.addr,
            &format!("/session/{}/{path}", self.session),
            &body,
        );
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()["value"].clone()
    }

    pub fn goto(&mut self, url: &str) {
        self.cmd("url", json!({ "url": url }));
    }

    /// Runs `script` (a function body) and returns its value.
    pub fn js(&mut self, script: &str) -> Value {
        self.cmd("execute/sync", json!({"script": script, "args": []}))
    }

    /// Waits until `script` returns something truthy; returns it.
    pub fn wait_for(&mut self, what: &str, script: &str) -> Value {
        let t = Instant::now();
        loop {
            let v = self.js(script);
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return v;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn element(&mut self, css: &str) -> String {
        let v = self.cmd("element", json!({"using": "css selector", "value": css}));
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {v}"))
            .to_string()
    }

    pub fn click(&mut self, css: &str) {
        let e = self.element(css);
        self.cmd(&format!("element/{e}/click"), json!({}));
    }

    /// Clears a text field and types `text` into it, as a person would.
    pub fn type_into(&mut self, css: &str, text: &str) {
        let e = self.element(css);
        self.cmd(&format!("element/{e}/clear"), json!({}));
        self.cmd(&format!("element/{e}/value"), json!({ "text": text }));
    }

    /// A PNG of the window.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let r = http::get(self.addr, &format!("/session/{}/screenshot", self.session));
        assert_eq!(r.status, 200);
        base64(r.json()["value"].as_str().unwrap())
    }

    /// The downloaded file named `name`, once complete.
    pub fn downloaded(&self, name: &str) -> Vec<u8> {
        let p = self.downloads.path().join(name);
        let t = Instant::now();
        loop {
            let partial = std::fs::read_dir(self.downloads.path()).unwrap().any(|e| {
                e.unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "crdownload")
            });
            if p.is_file() && !partial {
                return std::fs::read(&p).unwrap();
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "{name} was not downloaded"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http::raw(
            self.addr,
            format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.session, self.addr
            )
            .as_bytes(),
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|c| u32::from(val(*c))).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
