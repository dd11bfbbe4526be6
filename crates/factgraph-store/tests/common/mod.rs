//! What the tests of the patched sled share.

/// sled opened with `config`. sled lets go of its file lock from background threads a
/// moment after the last handle drops, so a reopen waits for it (as the store's own
/// open does).
pub fn open_when_free(config: &sled::Config) -> sled::Db {
    for _ in 0..500 {
        match config.open() {
            Err(e) if e.to_string().contains("could not acquire lock") => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            other => return other.unwrap(),
        }
    }
    panic!("sled's lock was never released");
}
