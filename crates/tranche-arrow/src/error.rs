//! Errors of the Arrow entry point. `Input` is the caller's fault (bad column, bad value,
//! unknown deal): front ends map it to exit code 2 / `InputError`.

#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// A scenario table or a value in it is invalid, or a deal cannot be read.
    #[error("{0}")]
    Input(String),
    /// The engine could not run a valid-looking scenario (e.g. no convergence).
    #[error("{0}")]
    Engine(String),
    /// Building the output failed (a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl GridError {
    pub fn input(msg: impl Into<String>) -> Self {
        GridError::Input(msg.into())
    }
}

impl From<arrow_schema::ArrowError> for GridError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        GridError::Internal(e.to_string())
    }
}

impl From<tranche_io::IoError> for GridError {
    fn from(e: tranche_io::IoError) -> Self {
        GridError::Input(e.to_string())
    }
}
