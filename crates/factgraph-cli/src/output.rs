//! Where the binary's text goes and where its input comes from, without panics.
//!
//! `println!` and `eprintln!` panic when the write fails ("failed printing to
//! stdout"), so nothing here uses them: standard output goes through `Output`, which
//! remembers its first error for `main` to turn into an exit code (a reader that has
//! gone ends the program quietly with 0; anything else, such as a full disk, is an
//! error with exit code 3), and notes on standard error go through `note`, which
//! drops what cannot be written (there is nowhere left to report it).
//!
//! Every file the binary reads itself is opened with `read_text_file`, which refuses
//! FIFOs, devices and sockets (a FIFO waits forever, `/dev/zero` never ends) and files
//! over a size limit, before reading a byte.

use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};

/// The largest script read with `-f`, `.read` or from standard input. Each query in it
/// is limited to 1 MiB by the language; large data goes through `load`.
pub const MAX_SCRIPT_BYTES: u64 = 64 * 1024 * 1024;

/// Writes a line to standard error, ignoring failure: a note that cannot be shown has
/// nowhere else to go, and must not turn a success into a panic.
pub fn note_line(args: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args);
    let _ = err.write_all(b"\n");
}

/// Writes text to standard error as it is (no newline added), ignoring failure.
pub fn note_raw(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// `note!("…", args)`: `eprintln!` without the panic.
macro_rules! note {
    ($($arg:tt)*) => { $crate::output::note_line(format_args!($($arg)*)) };
}
pub(crate) use note;

/// A writer that remembers its first error. After one failure it fails every later
/// write at once, so a command stops writing to a full disk or a closed pipe.
pub struct Output<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Output { inner, error: None }
    }

    /// The first write error, if any.
    pub fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }

    fn remember<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        result.map_err(|e| {
            let again = io::Error::new(e.kind(), e.to_string());
            self.error.get_or_insert(e);
            again
        })
    }

    fn failed(&self) -> io::Result<()> {
        match &self.error {
            Some(e) => Err(io::Error::new(e.kind(), e.to_string())),
            None => Ok(()),
        }
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.failed()?;
        let r = self.inner.write(buf);
        self.remember(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.failed()?;
        let r = self.inner.flush();
        self.remember(r)
    }
}

/// The error for a failed write to standard output, for `main` to map to an exit code.
pub fn output_failed(e: &io::Error) -> anyhow::Error {
    anyhow::Error::new(io::Error::new(e.kind(), e.to_string())).context("writing to standard output")
}

/// Refuses anything but a regular file (following symbolic links) of at most `limit`
/// bytes, naming what it is.
pub fn check_regular_file(path: &Path, limit: Option<u64>) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a directory, not a file", path.display());
    }
    if !meta.is_file() {
        bail!(
            "{} is not a regular file (a FIFO, device or socket); factgraph reads only regular files",
            path.display()
        );
    }
    if let Some(limit) = limit {
        if meta.len() > limit {
            bail!(
                "{} is {} bytes; scripts read with -f, .read or standard input are limited to {} MiB (load data with `load`)",
                path.display(),
                meta.len(),
                limit / (1024 * 1024)
            );
        }
    }
    Ok(meta)
}

/// Reads a script file after `check_regular_file`, and stops at the limit even if the
/// file grows while it is read.
pub fn read_text_file(path: &Path) -> Result<String> {
    check_regular_file(path, Some(MAX_SCRIPT_BYTES))?;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    read_bounded(file, &path.display().to_string())
}

/// Reads at most `MAX_SCRIPT_BYTES` of UTF-8 text from `input`. A byte order mark at
/// the start (which some editors write) is dropped; invalid UTF-8 is an error that
/// says where (line, column and byte offset), as a parse error would.
pub fn read_bounded(input: impl Read, what: &str) -> Result<String> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut bytes = Vec::new();
    input.take(MAX_SCRIPT_BYTES + 1).read_to_end(&mut bytes).with_context(|| format!("reading {what}"))?;
    if bytes.len() as u64 > MAX_SCRIPT_BYTES {
        bail!("{what} is longer than {} MiB, the limit for scripts", MAX_SCRIPT_BYTES / (1024 * 1024));
    }
    let skipped = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    bytes.drain(..skipped);
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        // Everything before the first invalid byte is UTF-8.
        let before = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = factgraph::line_col(before, before.len());
        anyhow::anyhow!(
            "{what} is not UTF-8 text: invalid bytes at line {line}, column {column} (byte offset {})",
            valid + skipped
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails every write with the given kind.
    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(self.0, "failed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_write_error_is_kept_and_later_writes_fail_at_once() {
        let mut out = Output::new(Failing(io::ErrorKind::StorageFull));
        assert!(writeln!(out, "one").is_err());
        assert_eq!(out.error().map(io::Error::kind), Some(io::ErrorKind::StorageFull));
        // The inner writer is not asked again.
        out.inner = Failing(io::ErrorKind::BrokenPipe);
        assert_eq!(writeln!(out, "two").unwrap_err().kind(), io::ErrorKind::StorageFull);
        assert_eq!(out.error().map(io::Error::kind), Some(io::ErrorKind::StorageFull));
    }

    #[test]
    fn a_working_writer_passes_everything_through() {
        let mut out = Output::new(Vec::new());
        write!(out, "a{}", 1).unwrap();
        out.flush().unwrap();
        assert!(out.error().is_none());
        assert_eq!(out.inner, b"a1");
    }

    #[test]
    fn reading_is_bounded_and_says_where_utf8_breaks() {
        let err = read_bounded(&b"ab\xffc"[..], "input").unwrap_err();
        assert!(err.to_string().contains("byte offset 2"), "{err}");
        assert_eq!(read_bounded(&b"fine"[..], "input").unwrap(), "fine");
    }
}
