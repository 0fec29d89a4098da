//! `tranche serve` started for a test on a free port of the loopback address; stopped
//! when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
}

impl Server {
    /// Serves `deals` with `extra` arguments and `env` variables.
    pub fn start(deals: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tranche"));
        cmd.arg("serve")
            .arg("--deals")
            .arg(deals)
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start tranche serve");
        let out = child.stdout.take().unwrap();
        let mut lines = BufReader::new(out).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("tranche serve ended before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("listening on http://") {
                let a = rest.split('/').next().unwrap();
                break a.parse().unwrap();
            }
        };
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { addr, child }
    }

    /// The server process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The repository's deals folder.
pub fn bundled_deals() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deals")
}
