//! The crate's `RefCell`: std's, or (with the `unchecked-cells` feature, which only the
//! npm build turns on) one without the runtime borrow check.
//!
//! The crate keeps its mutable state in cells that it borrows briefly: a borrow never
//! lives across an `.await` (clippy's `await_holding_refcell_ref` checks std's cells), a
//! call into JavaScript that may call back into the wasm (a user's callback, `fetch`, a
//! Promise's settlement), or another borrow of the same cell. Every test but the release
//! package's (`cargo test`, clippy, and `wasm-pack test` in Chromium against the reference
//! servers) builds std's checked `RefCell`, where breaking that rule panics at once.
//! Without the check, each borrow is a plain reference: the borrow flag's load, test, and
//! the guard's restoring store at every borrow site were 2,860 bytes of wasm (860 gzip,
//! 45,312 -> 44,452 before function ordering), about 6% of the module.
//!
//! [`read`] and [`write`](fn@write) borrow through one function each (with std's cells a failed
//! borrow's panic carried its call site's `Location`).

#[cfg(not(feature = "unchecked-cells"))]
pub use std::cell::{Ref, RefCell, RefMut};

#[cfg(feature = "unchecked-cells")]
pub use unchecked::{Ref, RefCell, RefMut};

/// `cell.borrow()`.
pub fn read<T>(cell: &RefCell<T>) -> Ref<'_, T> {
    cell.borrow()
}

/// `cell.borrow_mut()`.
pub fn write<T>(cell: &RefCell<T>) -> RefMut<'_, T> {
    cell.borrow_mut()
}

#[cfg(feature = "unchecked-cells")]
mod unchecked {
    use std::cell::UnsafeCell;
    use std::ops::{Deref, DerefMut};

    /// std's `RefCell` API as the crate uses it, without the borrow flag.
    #[derive(Default)]
    pub struct RefCell<T>(UnsafeCell<T>);

    /// A shared borrow: a plain reference.
    pub struct Ref<'a, T>(&'a T);

    /// An exclusive borrow: a plain reference.
    pub struct RefMut<'a, T>(&'a mut T);

    impl<T> RefCell<T> {
        pub const fn new(value: T) -> Self {
            RefCell(UnsafeCell::new(value))
        }

        pub fn borrow(&self) -> Ref<'_, T> {
            // SAFETY: the module's rule: no exclusive borrow of this cell is alive (the
            // checked build panics where one would be).
            Ref(unsafe { &*self.0.get() })
        }

        pub fn borrow_mut(&self) -> RefMut<'_, T> {
            // SAFETY: the module's rule: no other borrow of this cell is alive (the
            // checked build panics where one would be).
            RefMut(unsafe { &mut *self.0.get() })
        }
    }

    impl<T> Deref for Ref<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.0
        }
    }

    impl<T> Deref for RefMut<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.0
        }
    }

    impl<T> DerefMut for RefMut<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            self.0
        }
    }
}
