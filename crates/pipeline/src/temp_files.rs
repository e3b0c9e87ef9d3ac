//! Temporary files and directories (`tempfile`): their errors without the random names.

use std::io;

/// The OS error alone: tempfile adds the temporary file's random name (`at path
/// "/dir/.benchgate-e4DHMk"`), which means nothing to the user.
pub fn without_temp_path(error: io::Error) -> io::Error {
    // tempfile's error displays as "<OS error> at path \"<temporary path>\"" and hides the OS
    // error from `source()`: keep the text before the path.
    if error.raw_os_error().is_some() {
        return error;
    }
    let text = error.to_string();
    match text.rsplit_once(" at path ") {
        Some((os_error, _)) => io::Error::new(error.kind(), os_error.to_string()),
        None => error,
    }
}
