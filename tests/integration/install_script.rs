//! `install.sh` against a local HTTP server serving a release layout made from the binary built
//! here (what the release workflow uploads: `v<version>/ecs-migrate-<version>-<target>.tar.gz`
//! and its `.sha256`): it installs a binary that runs, pins the version asked for, and refuses
//! a download whose checksum does not match, installing nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const VERSION: &str = "0.1.0";

/// The release target install.sh detects on this machine.
fn target() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        other => panic!("no release target for {other}"),
    };
    format!("{arch}-unknown-linux-musl")
}

/// A release of the binary built here under `root`, with `checksum` as its `.sha256` (None:
/// the right one).
fn release(root: &Path, checksum: Option<&str>) {
    let dir = root.join(format!("v{VERSION}"));
    fs::create_dir_all(&dir).unwrap();
    let staging = tempfile::tempdir().unwrap();
    fs::copy(
        env!("CARGO_BIN_EXE_ecs-migrate"),
        staging.path().join("ecs-migrate"),
    )
    .unwrap();
    let archive = dir.join(format!("ecs-migrate-{VERSION}-{}.tar.gz", target()));
    // Fastest gzip: the debug binary is large, and the level does not matter here.
    let packed = Command::new("tar")
        .arg("--use-compress-program=gzip -1")
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(staging.path())
        .arg("ecs-migrate")
        .status()
        .expect("tar");
    assert!(packed.success());
    let sum = match checksum {
        Some(sum) => sum.to_owned(),
        None => {
            let output = Command::new("sha256sum")
                .arg(&archive)
                .output()
                .expect("sha256sum");
            String::from_utf8_lossy(&output.stdout)
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        }
    };
    let name = archive.file_name().unwrap().to_string_lossy().into_owned();
    fs::write(
        dir.join(format!("{name}.sha256")),
        format!("{sum}  {name}\n"),
    )
    .unwrap();
}

/// `python3 -m http.server` on a free port, serving `root`; stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(root: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m http.server");
        // Owned by the Server from here, so a failed start still stops it (Drop).
        let server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the HTTP server did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn install(server: &Server, dir: &Path) -> std::process::Output {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    Command::new("sh")
        .arg(script)
        .args(["--version", VERSION, "--dir"])
        .arg(dir)
        .env("ECS_MIGRATE_DOWNLOAD_URL", &server.url)
        .output()
        .expect("sh install.sh")
}

#[test]
fn install_sh_installs_the_release_binary_it_verified() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), None);
    let server = Server::start(root.path());
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let output = install(&server, &bin);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("installed ecs-migrate {VERSION}")),
        "{stderr}"
    );
    let ran = Command::new(bin.join("ecs-migrate"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        format!("ecs-migrate {VERSION}")
    );
}

#[test]
fn install_sh_refuses_a_wrong_checksum_and_installs_nothing() {
    let root = tempfile::tempdir().unwrap();
    release(root.path(), Some(&"0".repeat(64)));
    let server = Server::start(root.path());
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let output = install(&server, &bin);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("checksum mismatch"), "{stderr}");
    assert!(stderr.contains("nothing installed"), "{stderr}");
    assert!(!bin.join("ecs-migrate").exists());
    // An unreleased version: a clear error too.
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let missing = Command::new("sh")
        .arg(script)
        .args(["--version", "9.9.9", "--dir"])
        .arg(&bin)
        .env("ECS_MIGRATE_DOWNLOAD_URL", &server.url)
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("is 9.9.9 released for"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}
