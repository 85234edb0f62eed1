//! Writing results: atomically to files (temp file + rename), or as JSON alone on stdout.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path`. A regular file (or a new one) is written atomically: a temp file
/// in the same directory, flushed and synced, then renamed over the target, so an interrupted
/// run never leaves a partial file (SIGINT and SIGTERM during the write remove the temp file;
/// after SIGKILL a hidden `.tmp*` file may remain next to the target). A symlink is followed
/// and its target written the same way (the link stays); a special file (character device,
/// FIFO, socket) is written through, never replaced; a directory is refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = resolve_links(path)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        if meta.is_dir() {
            bail!("cannot write {}: it is a directory", path.display());
        }
        if !meta.is_file() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .with_context(|| format!("cannot write {}", path.display()))?;
            return f
                .write_all(bytes)
                .and_then(|_| f.flush())
                .with_context(|| format!("cannot write {}", path.display()));
        }
    }
    let dir = parent_dir(&target);
    if !dir.is_dir() {
        bail!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    // Armed before the temp file exists: a signal while it is being created is held until
    // its name is known, then removes it.
    let guard = interrupt::Guard::arm();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    guard.watch(tmp.path());
    // NamedTempFile is private (0600); a result file is an ordinary file (0644 before umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(&target)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(guard);
    Ok(())
}

/// Elsewhere nothing is removed on a signal.
#[cfg(not(unix))]
mod interrupt {
    pub struct Guard;
    impl Guard {
        pub fn arm() -> Guard {
            Guard
        }
        pub fn watch(&self, _: &std::path::Path) {}
    }
}

/// The directory holding `path` ("." for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `path` with every symlink in its last component followed (also a dangling one: its target
/// is where the file is created); at most 40 links, as the kernel allows.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)
                    .with_context(|| format!("cannot follow the link {}", at.display()))?;
                at = if to.is_absolute() {
                    to
                } else {
                    parent_dir(&at).join(to)
                };
            }
            _ => return Ok(at),
        }
    }
    bail!(
        "cannot write {}: too many levels of symbolic links",
        path.display()
    )
}

/// Removing the temp file of an atomic write when SIGINT or SIGTERM arrives during it.
#[cfg(unix)]
mod interrupt {
    use std::ffi::{CString, c_char, c_int};
    use std::path::Path;
    use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

    /// The temp file being written (a leaked C string), or null.
    static TEMP: AtomicPtr<c_char> = AtomicPtr::new(std::ptr::null_mut());
    /// A signal that arrived while no temp file was known (being created, or just renamed),
    /// held until the guard can act on it; 0 when none.
    static PENDING: AtomicI32 = AtomicI32::new(0);

    /// Unlink the temp file, then die of the signal with its default action; without a temp
    /// file yet, hold the signal for the guard.
    extern "C" fn on_signal(sig: c_int) {
        let p = TEMP.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if p.is_null() {
            PENDING.store(sig, Ordering::SeqCst);
            return;
        }
        // SAFETY: unlink, signal and raise are async-signal-safe; `p` is a C string that is
        // never freed.
        unsafe {
            libc::unlink(p);
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }

    /// While alive, SIGINT and SIGTERM remove the watched temp file before the process dies.
    pub struct Guard {
        old: [(c_int, libc::sighandler_t); 2],
    }

    impl Guard {
        /// Install the handlers (before the temp file exists).
        pub fn arm() -> Guard {
            PENDING.store(0, Ordering::SeqCst);
            let handler = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
            // SAFETY: installing a handler that only calls async-signal-safe functions.
            let old =
                [libc::SIGINT, libc::SIGTERM].map(|s| (s, unsafe { libc::signal(s, handler) }));
            Guard { old }
        }

        /// The temp file now exists at `path`: a signal from now on (or one held since
        /// `arm`) removes it and ends the process.
        pub fn watch(&self, path: &Path) {
            use std::os::unix::ffi::OsStrExt;
            let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
                return;
            };
            // Leaked on purpose: a handler may still read it after the guard is gone.
            TEMP.store(c.into_raw(), Ordering::SeqCst);
            let sig = PENDING.swap(0, Ordering::SeqCst);
            if sig != 0 {
                // The handler saw no file: act for it now.
                on_signal(sig);
            }
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            TEMP.store(std::ptr::null_mut(), Ordering::SeqCst);
            for (s, h) in self.old {
                // SAFETY: restoring the disposition found when the guard was made.
                unsafe {
                    libc::signal(s, h);
                }
            }
            // A signal held while the file was being renamed: deliver it now, as it would
            // have been without the guard.
            let sig = PENDING.swap(0, Ordering::SeqCst);
            if sig != 0 {
                // SAFETY: raising a signal under the restored disposition.
                unsafe {
                    libc::raise(sig);
                }
            }
        }
    }
}

/// Pretty JSON of `value`, with a trailing newline.
pub fn to_json<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).context("cannot serialize the result")?;
    s.push('\n');
    Ok(s)
}

/// Write `value` as pretty JSON to `path`, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    write_atomic(path, to_json(value)?.as_bytes())
}

/// Print `value` as pretty JSON alone on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let s = to_json(value)?;
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .context("cannot write to stdout")?;
    out.flush().context("cannot write to stdout")?;
    Ok(())
}

/// Check before long work that an output file can be created where asked (following
/// symlinks; a directory is refused).
pub fn check_output_path(path: &Path) -> Result<()> {
    let target = resolve_links(path)?;
    if target.is_dir() {
        bail!("cannot write {}: it is a directory", path.display());
    }
    let dir = parent_dir(&target);
    if !dir.is_dir() {
        bail!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}
