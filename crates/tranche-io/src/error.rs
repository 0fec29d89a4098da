//! Errors with file context. Every input problem is an [`IoError::Input`] (exit code 2).

use std::path::PathBuf;
use tranche_core::error::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but its content is invalid. `errors` holds every problem found
    /// (up to a limit), each naming its row/line and field.
    #[error("{}", render_input(path, errors))]
    Input {
        path: PathBuf,
        errors: Vec<FieldError>,
    },
    /// A deal file with problems; each names its line, column and field path and shows
    /// the offending line.
    #[error("{0}")]
    DealFile(Box<crate::deal::DealFileError>),
    /// A front end's inputs that do not go together, named as the front end names them
    /// (`--as-of 2024-08: the deal state ... is as of 2024-07`).
    #[error("{0}")]
    Inputs(String),
    /// The engine rejected valid-looking input (e.g. a deal that cannot run).
    #[error(transparent)]
    Core(#[from] tranche_core::Error),
    /// An output the command refuses to write (see [`crate::outputs`]): `flag` and `path`
    /// as the user typed them, and why.
    #[error("{flag} {}: {reason}", path.display())]
    Output {
        flag: String,
        path: PathBuf,
        reason: String,
    },
}

fn render_input(path: &std::path::Path, errors: &[FieldError]) -> String {
    let mut s = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&format!("{}: {}", path.display(), e));
    }
    s
}

impl IoError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Io {
            path: path.into(),
            source,
        }
    }

    pub fn input(path: impl Into<PathBuf>, errors: Vec<FieldError>) -> Self {
        IoError::Input {
            path: path.into(),
            errors,
        }
    }
}
