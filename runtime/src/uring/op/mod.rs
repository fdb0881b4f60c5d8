//! io_uring operations, one file each. An operation is a struct that owns everything the kernel
//! may read or write while it is in flight — its buffer, its address, its paths, a share of its
//! descriptor — and builds its submission entry from that memory. The ring keeps the operation
//! until its completion arrives (also when the fiber that started it was cancelled), then gives
//! it back: a buffer cannot be freed, and a descriptor cannot be closed and reused, while the
//! kernel may still use it.
//!
//! The operations describe *what* to do; only their `entry` is io_uring's. A second backend
//! (readiness-based, for hosts where io_uring is blocked) would perform the same operations
//! with non-blocking system calls when their descriptor is ready (docs/io.md).

mod accept;
mod connect;
mod files;
mod msg_ring;
mod paths;
mod poll;
mod read;
mod recv;
mod send;
mod sendmsg;
mod statx;
mod write;

pub use accept::Accept;
pub use connect::Connect;
pub use files::{Fsync, Ftruncate};
pub use msg_ring::MsgRing;
pub use paths::{Dir, MkDirAt, OpenAt, RenameAt, SymlinkAt, UnlinkAt};
pub use poll::Poll;
pub use read::{Read, CURRENT};
pub use recv::Recv;
pub use send::Send;
pub use sendmsg::{RecvMsg, SendMsg};
pub use statx::Statx;
pub use write::Write;

use io_uring::squeue;

use super::buffers::Provided;

/// Bytes a receive brought or an operation sends or writes: its own, or a provided buffer a
/// receive filled (`copy()` sends those on without copying them).
pub enum Data {
    Own(Vec<u8>),
    Provided(Provided),
}

impl Data {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Data::Own(bytes) => bytes,
            Data::Provided(provided) => provided.bytes(),
        }
    }
}

/// What the kernel answered: the result (a count, a descriptor, or a negative errno) and the
/// completion's flags (which provided buffer was used).
#[derive(Clone, Copy, Debug)]
pub struct Completion {
    pub result: i32,
    pub flags: u32,
}

/// An io_uring operation.
///
/// # Safety
/// `entry` must build an entry whose pointers point only into memory that the operation owns
/// on the heap (or into `'static` memory), and that stays allocated, unmoved and not otherwise
/// accessed until the operation is dropped — however the operation itself is moved. The ring
/// submits the entry and drops the operation only after the completion has arrived.
pub unsafe trait Operation: Sized + Into<AnyOp> + TryFrom<AnyOp> {
    /// The submission entry (its `user_data` is set by the ring).
    fn entry(&mut self) -> squeue::Entry;
}

/// Generates [`AnyOp`], the operations the ring can hold without boxing each one, and the
/// conversions between it and each operation.
macro_rules! operations {
    ($($name:ident),* $(,)?) => {
        /// Any operation, as the ring keeps it while it is in flight.
        pub enum AnyOp { $($name($name)),* }

        impl AnyOp {
            pub(crate) fn entry(&mut self) -> squeue::Entry {
                match self { $(AnyOp::$name(op) => op.entry()),* }
            }
        }

        $(
            impl From<$name> for AnyOp {
                fn from(op: $name) -> AnyOp {
                    AnyOp::$name(op)
                }
            }

            impl TryFrom<AnyOp> for $name {
                type Error = AnyOp;
                fn try_from(any: AnyOp) -> Result<$name, AnyOp> {
                    match any {
                        AnyOp::$name(op) => Ok(op),
                        #[allow(unreachable_patterns)]
                        other => Err(other),
                    }
                }
            }
        )*
    };
}

operations!(
    Accept, Connect, Fsync, Ftruncate, MkDirAt, MsgRing, OpenAt, Poll, Read, Recv, RecvMsg, RenameAt, Send, SendMsg,
    Statx, SymlinkAt, UnlinkAt, Write,
);
