//! The crate's one `RefCell` borrow site of each kind. A failed borrow panics with the
//! `Location` of its call site, and every site costs its own `Location` in the wasm;
//! borrowing through these two functions keeps one of each (about 1 KB in all).

use std::cell::{Ref, RefCell, RefMut};

/// `cell.borrow()`.
pub fn read<T>(cell: &RefCell<T>) -> Ref<'_, T> {
    cell.borrow()
}

/// `cell.borrow_mut()`.
pub fn write<T>(cell: &RefCell<T>) -> RefMut<'_, T> {
    cell.borrow_mut()
}
