//! Reaching the history store: where it is, opening it (creating it only when there is a run to
//! put in it), and refusing one that cannot be written before anything is measured.

use std::path::{Path, PathBuf};

use benchgate_store::Store;

use crate::error::{PipelineError, Unwritable};
use crate::temp_files::without_temp_path;

/// Where the history store is: `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLocation {
    url: String,
}

impl StoreLocation {
    pub fn new(url: impl Into<String>) -> StoreLocation {
        StoreLocation { url: url.into() }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Opens (or creates) the store at `location`.
pub fn open_store(location: &StoreLocation) -> Result<Box<dyn Store>, PipelineError> {
    benchgate_store::open(&location.url).map_err(PipelineError::OpenStore)
}

/// The store when it exists already, for finding a baseline before anything is measured or
/// written; see [`open_or_create`].
pub fn open_if_exists(location: &StoreLocation) -> Result<Option<Box<dyn Store>>, PipelineError> {
    if benchgate_store::exists(&location.url) {
        Ok(Some(open_store(location)?))
    } else {
        Ok(None)
    }
}

/// `existing` (from [`open_if_exists`]), else the store created now: only when there is a run to
/// put in it.
pub fn open_or_create(
    existing: Option<Box<dyn Store>>,
    location: &StoreLocation,
) -> Result<Box<dyn Store>, PipelineError> {
    match existing {
        Some(store) => Ok(store),
        None => open_store(location),
    }
}

/// Opens a store that must already hold runs: reading commands never create an empty one.
pub fn open_existing_store(location: &StoreLocation) -> Result<Box<dyn Store>, PipelineError> {
    if !benchgate_store::exists(&location.url) {
        return Err(PipelineError::NoRunsStored {
            url: location.url.clone(),
        });
    }
    open_store(location)
}

/// Refuses, before anything is measured, an SQLite store that could not be created or written
/// (a read-only file or directory, a path through a file). PostgreSQL is checked by connecting.
pub fn check_store_writable(location: &StoreLocation) -> Result<(), PipelineError> {
    let Some(path) = location.url.strip_prefix("sqlite://") else {
        return Ok(());
    };
    let path = Path::new(path);
    writable(path).map_err(|why| PipelineError::StoreNotWritable {
        path: path.to_path_buf(),
        why,
    })
}

fn writable(path: &Path) -> Result<(), Unwritable> {
    if path.is_dir() {
        return Err(Unwritable::IsDirectory);
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(Unwritable::File)?;
    }
    // SQLite writes its journal beside the file: the directory (or the nearest existing
    // ancestor, for a store not created yet) must take new files.
    let mut dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    while !dir.exists() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => dir = PathBuf::from("."),
        }
    }
    if !dir.is_dir() {
        return Err(Unwritable::NotADirectory(dir));
    }
    tempfile::Builder::new()
        .prefix(".benchgate-probe-")
        .tempfile_in(&dir)
        .map(drop)
        .map_err(|error| Unwritable::Directory {
            directory: dir.clone(),
            error: without_temp_path(error),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(path: &Path) -> StoreLocation {
        StoreLocation::new(format!("sqlite://{}", path.display()))
    }

    #[test]
    fn a_directory_is_not_a_writable_store() {
        let dir = tempfile::tempdir().unwrap();
        let error = check_store_writable(&sqlite(dir.path())).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot open the history store: {}: is a directory, not an SQLite file; nothing \
                 was measured",
                dir.path().display()
            )
        );
    }

    #[test]
    fn a_path_through_a_file_is_not_a_writable_store() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let error = check_store_writable(&sqlite(&file.join("sub/bg.db"))).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot open the history store: {}: {} is not a directory; nothing was measured",
                file.join("sub/bg.db").display(),
                file.display()
            )
        );
    }

    #[test]
    fn a_store_not_created_yet_in_a_writable_directory_passes_and_stays_uncreated() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new/dir/bg.db");
        check_store_writable(&sqlite(&db)).unwrap();
        assert!(!db.exists());
        assert!(open_if_exists(&sqlite(&db)).unwrap().is_none());
        // The probe leaves nothing behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn postgres_is_not_probed_as_a_file() {
        check_store_writable(&StoreLocation::new("postgres://nobody@localhost:1/none")).unwrap();
    }

    #[test]
    fn reading_commands_refuse_a_store_that_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let location = sqlite(&dir.path().join("bg.db"));
        let error = open_existing_store(&location).err().unwrap();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: no runs stored here yet (`benchgate run` or `benchgate import` stores some)",
                location.url()
            )
        );
        assert!(!dir.path().join("bg.db").exists());
    }

    #[test]
    fn open_or_create_creates_the_store_only_when_none_exists() {
        let dir = tempfile::tempdir().unwrap();
        let location = sqlite(&dir.path().join("bg.db"));
        let store = open_or_create(open_if_exists(&location).unwrap(), &location).unwrap();
        drop(store);
        assert!(dir.path().join("bg.db").exists());
        assert!(open_if_exists(&location).unwrap().is_some());
    }
}
