//! Errors of the Arrow entry points. `Input` is the caller's fault (bad column, bad value,
//! unknown deal): front ends map it to exit code 2 / `InputError`.

#[derive(Debug, thiserror::Error)]
pub enum RunError {
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

impl RunError {
    pub fn input(msg: impl Into<String>) -> Self {
        RunError::Input(msg.into())
    }

    /// The same error with `context` before its message.
    pub fn context(self, context: &str) -> Self {
        match self {
            RunError::Input(m) => RunError::Input(format!("{context}: {m}")),
            RunError::Engine(m) => RunError::Engine(format!("{context}: {m}")),
            RunError::Internal(m) => RunError::Internal(format!("{context}: {m}")),
        }
    }
}

/// Engine errors as the CLI classes them: a solver that found no solution is the engine's
/// limit; everything else is input the engine rejects.
pub fn core_error(e: tranche_core::Error) -> RunError {
    match e {
        tranche_core::Error::NoSolution(_) => RunError::Engine(e.to_string()),
        _ => RunError::Input(e.to_string()),
    }
}

/// An engine error about a scenario field told under the front end's name for it:
/// `spell(field)` (e.g. a column, a keyword) then the core's message.
pub fn spelled(e: tranche_core::Error, spell: &dyn Fn(&str) -> String) -> RunError {
    match e {
        tranche_core::Error::Invalid(fe) => match &fe.location.field {
            Some(f) => RunError::Input(format!("{}: {}", spell(f), fe.message)),
            None => RunError::Input(fe.message),
        },
        other => core_error(other),
    }
}

impl From<tranche_core::scenario::InputError> for RunError {
    fn from(e: tranche_core::scenario::InputError) -> Self {
        RunError::Input(e.message)
    }
}

impl From<arrow_schema::ArrowError> for RunError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        RunError::Internal(e.to_string())
    }
}

impl From<tranche_io::IoError> for RunError {
    fn from(e: tranche_io::IoError) -> Self {
        RunError::Input(e.to_string())
    }
}
