//! A real PgBouncer for the end-to-end suites (`e2e/pgbouncer_e2e.rs`,
//! `e2e/pgbouncer_limits.rs`, ...): the versions the chart deploys, built by
//! `scripts/pgbouncer.sh` ([`binary`], [`shipped_versions`]), started in a directory of its
//! own as an unprivileged user, killed and its directory removed when dropped (also when the
//! test panics).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Where `scripts/pgbouncer.sh` keeps its builds: `$QSPGB_PGBOUNCER_ROOT`, or the script's
/// default cache.
fn builds_root() -> PathBuf {
    std::env::var_os("QSPGB_PGBOUNCER_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/qspgb-e2e/pgbouncer"))
}

/// The PgBouncer binary of `version` (e.g. "1.25.2"), as the rendered image tag names it.
/// Fails naming the version when `scripts/pgbouncer.sh build` has not built it: a chart
/// whose image tag moves must move the script's versions too.
pub fn binary(version: &str) -> PathBuf {
    let path = builds_root().join(version).join("bin/pgbouncer");
    assert!(
        path.exists(),
        "no PgBouncer {version} at {}: the chart deploys it, so `bash scripts/pgbouncer.sh \
         build` must build it (add it to the script's VERSIONS; `bash scripts/test.sh` runs it)",
        path.display()
    );
    path
}

/// The versions `scripts/pgbouncer.sh` pins, in its order (read from the script, so the
/// tests and the script cannot list different ones).
pub fn shipped_versions() -> Vec<String> {
    let script =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pgbouncer.sh"))
            .unwrap();
    let versions: Vec<String> = script
        .split("VERSIONS=(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split(' ')
                .next()
                .map(String::from)
        })
        .collect();
    assert!(!versions.is_empty(), "no VERSIONS in scripts/pgbouncer.sh");
    versions
}

/// The PgBouncer version a rendered workload (Deployment, DaemonSet, StatefulSet) runs: the
/// tag of its `pgbouncer` container's image.
pub fn image_version(workload: &serde_yaml::Value) -> String {
    let containers = workload["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .expect("a workload with containers");
    let image = containers
        .iter()
        .find(|c| c["name"] == "pgbouncer")
        .and_then(|c| c["image"].as_str())
        .expect("a pgbouncer container with an image");
    image
        .rsplit_once(':')
        .map(|(_, tag)| tag.to_string())
        .unwrap_or_else(|| panic!("{image}: no tag"))
}

/// A TCP port on loopback that nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running PgBouncer.
pub struct Bouncer {
    /// What the test calls it (in messages).
    pub name: String,
    /// Its loopback port.
    pub port: u16,
    /// Its directory: `pgbouncer.ini`, `userlist.txt`, `pgbouncer.log`.
    pub dir: PathBuf,
    child: Child,
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Bouncer {
    /// Writes `ini` and `userlist` into `dir` (which exists), gives `dir` to `user` (uid,
    /// gid; PgBouncer refuses to run as root), starts `binary` as that user and waits until
    /// it listens on `port`.
    pub fn start_in(
        name: &str,
        binary: &Path,
        dir: PathBuf,
        port: u16,
        files: (&str, &[u8]),
        user: (i64, i64),
    ) -> Bouncer {
        Bouncer::start_at(name, binary, dir, ("127.0.0.1", port), files, user)
    }

    /// As [`Bouncer::start_in`], for a PgBouncer listening on loopback address `host`
    /// (several can then share a port, as pods do).
    pub fn start_at(
        name: &str,
        binary: &Path,
        dir: PathBuf,
        (host, port): (&str, u16),
        (ini, userlist): (&str, &[u8]),
        user: (i64, i64),
    ) -> Bouncer {
        std::fs::write(dir.join("pgbouncer.ini"), ini).unwrap();
        std::fs::write(dir.join("userlist.txt"), userlist).unwrap();
        let status = Command::new("chown")
            .args(["-R", &format!("{}:{}", user.0, user.1)])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success());
        let log = std::fs::File::create(dir.join("pgbouncer.log")).unwrap();
        let child = Command::new("setpriv")
            .arg(format!("--reuid={}", user.0))
            .arg(format!("--regid={}", user.1))
            .args(["--clear-groups", "--"])
            .arg(binary)
            .arg(dir.join("pgbouncer.ini"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start pgbouncer");
        let bouncer = Bouncer {
            name: name.to_string(),
            port,
            dir,
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect((host, port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{name}: PgBouncer did not listen: {}",
                bouncer.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        bouncer
    }

    /// What PgBouncer wrote to its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

/// Where a PgBouncer from a rendered pgbouncer.ini runs on this machine: the lines of the
/// ini that differ from the pod's (see [`rewrite_ini`]).
pub struct Local<'a> {
    /// `listen_addr` (the pod's `*`): a loopback address.
    pub listen_addr: &'a str,
    /// `listen_port` (the pod's 5432): a free port.
    pub port: u16,
    /// `auth_file` (the pod's mounted `/etc/userlist/userlist.txt`).
    pub auth_file: &'a Path,
    /// A `unix_socket_dir` line added after `[pgbouncer]` (the pod's default `/tmp` is its
    /// own emptyDir); `None` adds nothing.
    pub socket_dir: Option<&'a Path>,
}

impl<'a> Local<'a> {
    /// The usual case: 127.0.0.1 on `port`, with the userlist and the socket in `dir`.
    pub fn in_dir(port: u16, dir: &'a Path, auth_file: &'a Path) -> Local<'a> {
        Local {
            listen_addr: "127.0.0.1",
            port,
            auth_file,
            socket_dir: Some(dir),
        }
    }
}

/// The rendered ini with exactly the documented lines rewritten for `local` (`listen_addr`,
/// `listen_port`, `auth_file`, and `unix_socket_dir` added), and whatever `also` rewrites
/// (a line in, `Some(new line)` out; e.g. the `[peers]` hosts). Each of the three rewritten
/// settings must be rendered exactly once; every other line is kept as rendered.
pub fn rewrite_ini(ini: &str, local: &Local, also: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    for line in ini.lines() {
        let new = match line.split(" = ").next().unwrap_or("") {
            "listen_addr" => format!("listen_addr = {}", local.listen_addr),
            "listen_port" => format!("listen_port = {}", local.port),
            "auth_file" => format!("auth_file = {}", local.auth_file.display()),
            _ => also(line).unwrap_or_else(|| line.to_string()),
        };
        out.push_str(&new);
        out.push('\n');
        if let (Some(dir), "[pgbouncer]") = (local.socket_dir, line) {
            out.push_str(&format!("unix_socket_dir = {}\n", dir.display()));
        }
    }
    let keys = ["listen_addr = ", "listen_port = ", "auth_file = "];
    for key in keys {
        assert_eq!(
            ini.lines().filter(|l| l.starts_with(key)).count(),
            1,
            "the rendered ini has one {key:?} line: {ini}"
        );
    }
    out
}

/// SQL as PostgreSQL's superuser through its Unix socket (no password): the trimmed
/// output (`-A -t`).
pub fn superuser_sql(socket_dir: &str, port: &str, database: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .arg(format!(
            "host={socket_dir} port={port} user=postgres dbname={database}"
        ))
        .args(["-c", sql])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The PostgreSQL that `scripts/postgres.sh start` exported: (socket directory, port).
pub fn postgres_from_env() -> (String, String) {
    let var = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!(
                "{k}: no PostgreSQL: run through `bash scripts/test.sh`, or start \
                 scripts/postgres.sh and eval its `start` output"
            )
        })
    };
    (var("QSPGB_PG_SOCKET_DIR"), var("QSPGB_PG_PORT"))
}
