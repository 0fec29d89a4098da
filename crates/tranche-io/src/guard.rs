//! Containment of panics in third-party readers. Some dependencies (the Parquet reader)
//! assert on corrupt input instead of returning an error; a file is input, so such a
//! panic becomes an input error naming the file. While a guarded call runs,
//! [`is_guarded`] is true so a process-wide panic hook (the CLI's crash handler, a fuzzer's
//! abort) can let the panic unwind to the guard instead of ending the process.

use std::cell::Cell;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// True while the current thread runs inside [`contain`].
pub fn is_guarded() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Runs `f`, turning a panic inside it into `Err(message)`.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    r.map_err(|p| {
        if let Some(s) = p.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = p.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown failure".to_string()
        }
    })
}
