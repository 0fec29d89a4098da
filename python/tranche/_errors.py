"""The exceptions tranche raises. Messages are the command line's, word for word."""


class TrancheError(Exception):
    """Base class of every error tranche raises."""


class InputError(TrancheError, ValueError):
    """Bad input: a file, field, column or argument that breaks a documented rule.

    The message names the file, row or line, field, and what was expected (the CLI exits
    with code 2 on the same input).
    """


class EngineError(TrancheError, RuntimeError):
    """The engine could not run a valid-looking input (e.g. a solver did not converge)."""


class InternalError(TrancheError, RuntimeError):
    """A bug in tranche (the CLI exits with code 1). Please report it."""


# Shown as `tranche.InputError` in tracebacks, where users catch them.
for _cls in (TrancheError, InputError, EngineError, InternalError):
    _cls.__module__ = "tranche"
del _cls
