//! Printing without panicking when the reader has gone: `println!` and `eprintln!` panic when
//! stdout or stderr is a closed pipe (`ecs-migrate plan | head`, a CI runner that stopped
//! reading), and a panic in the middle of a wait would leave the task running and the lock
//! held. These write, and ignore a failed write: the migration's result and exit code stand.

/// `println!` to stdout, ignoring a reader that has gone.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` to stdout, ignoring a reader that has gone.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*).and_then(|()| stdout.flush());
    }};
}

/// `eprintln!`, ignoring a reader that has gone.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}
