//! A real OCI registry for a test: Debian's `docker-registry` (distribution
//! 2.8, `scripts/setup.sh registry` installs it) on a free loopback port,
//! with temporary storage, with or without htpasswd auth. Stopped when
//! dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_addr, in_ci};

/// The user and password of a registry started with auth.
pub const USER: &str = "weld";
/// See [`USER`].
pub const PASSWORD: &str = "weld-registry-pw";

/// A running registry.
pub struct Registry {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

fn binary(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

impl Registry {
    /// Starts one; `auth` turns on htpasswd auth ([`USER`], [`PASSWORD`]).
    /// `None` (skip) when the registry is not installed, except under CI,
    /// where that panics.
    pub fn start(auth: bool) -> Option<Registry> {
        let Some(bin) = binary("docker-registry") else {
            let msg = "docker-registry is not installed (scripts/setup.sh registry)";
            if in_ci() {
                panic!("{msg}; required under CI=true");
            }
            eprintln!("skipping: {msg}");
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let addr = free_addr();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        if auth {
            let htpasswd = binary("htpasswd").expect("htpasswd (apache2-utils) is installed");
            let out = Command::new(htpasswd)
                .args(["-Bbn", USER, PASSWORD])
                .output()
                .expect("run htpasswd");
            assert!(out.status.success(), "htpasswd failed");
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, &out.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: weld-test\n    path: {}\n",
                file.display()
            ));
        }
        let config_file = dir.path().join("config.yml");
        std::fs::write(&config_file, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let reg = Registry { child, addr, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "the registry did not listen on {addr}: {}",
                reg.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(reg)
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
