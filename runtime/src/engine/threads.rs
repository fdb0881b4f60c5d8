//! `uringy --threads N`: N OS threads, each with a runtime of its own (engine, scheduler,
//! ring) running the program from the top, and nothing shared between them but the mailboxes
//! (`ops::thread`). The threads' programs are children of the process (API.md, rule 14): when
//! one fails, the others are cancelled, and the process exits once all are done.

use std::thread;

use super::{absolute, run, Entry, Options};
use crate::{
    loader,
    ops::thread::{
        mailbox::{Directory, Letter},
        Seat,
    },
    uring::{sys::process, Ring},
};

/// The stack of each thread, as the main thread's: the scheduler and the module loader run on
/// it (fibers have stacks of their own). Address space only, until touched.
const THREAD_STACK: usize = 8 * 1024 * 1024;

/// Runs `entry` on `count` threads; the process's exit status: 0 when every thread's program
/// ended well, else the first failed thread's status (1 for an uncaught error).
pub fn run_threads(entry: Entry, args: Vec<String>, stack_size: usize, count: usize) -> u8 {
    // What would fail in every thread alike is said once, before any starts.
    if let Entry::File(path) = &entry {
        if let Err(why) = loader::resolve::entry(&absolute(path)) {
            eprintln!("error: {why}");
            return 1;
        }
    }
    if let Err(e) = Ring::new() {
        eprintln!("{e}");
        return 2;
    }
    process::raise_descriptor_limit();
    let directory = match Directory::new(count) {
        Ok(directory) => directory,
        Err(errno) => {
            eprintln!("error: cannot set up {count} threads: {}", process::describe(errno));
            return 1;
        }
    };
    let mut threads = Vec::with_capacity(count);
    for id in 0..count {
        let (entry, args, shared) = (entry.clone(), args.clone(), directory.clone());
        let spawned = thread::Builder::new().name(format!("uringy-{id}")).stack_size(THREAD_STACK).spawn(move || {
            let seat = Seat { id, directory: shared.clone() };
            let status = run(entry, args, Options { stack_size, seat: Some(seat) });
            if status != 0 {
                shared.post_to_others(id, || Letter::Cancel);
            }
            shared.end(id);
            status
        });
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(e) => {
                eprintln!("error: cannot start thread {id} of {count}: {e}");
                // The threads started so far are cancelled, and their mailboxes' owners told.
                directory.post_to_others(id, || Letter::Cancel);
                for never in id..count {
                    directory.end(never);
                }
                break;
            }
        }
    }
    let started = threads.len();
    let mut status = if started < count { 1 } else { 0 };
    for handle in threads {
        // A panic aborts the process (its hook says where), so a thread always returns.
        let thread_status = handle.join().unwrap_or(70);
        if status == 0 {
            status = thread_status;
        }
    }
    status
}

/// `--threads auto`: one per CPU this process may run on.
pub fn auto() -> usize {
    process::cpus_allowed()
}
