//! Strings without `core::fmt`: `cat!` joins pieces (string slices, strings, integers)
//! into a `String`. `format!` pulls the formatting machinery into the wasm (about 3 KB,
//! plus an `Arguments` table per call site); messages here only ever join text and
//! whole numbers.

/// A piece `cat!` can append.
pub trait Piece {
    /// Append this piece to `out`.
    fn put(&self, out: &mut String);
}

impl Piece for &str {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for &String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

impl Piece for i64 {
    fn put(&self, out: &mut String) {
        if *self < 0 {
            // A `&str`: `String::push` links a UTF-8 encoder for a `char`.
            #[allow(clippy::single_char_add_str)]
            out.push_str("-");
        }
        self.unsigned_abs().put(out);
    }
}

impl Piece for u64 {
    fn put(&self, out: &mut String) {
        let mut digits = [0u8; 20];
        let mut n = *self;
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        // SAFETY: ASCII digits are UTF-8. (Not `push(char)`, which links a UTF-8
        // encoder, nor `str::from_utf8`, which links core's validation.)
        unsafe { out.as_mut_vec() }.extend_from_slice(&digits[i..]);
    }
}

impl Piece for u32 {
    fn put(&self, out: &mut String) {
        u64::from(*self).put(out);
    }
}

/// A non-empty run of ASCII digits as a number (an `f64`: exact up to 2^53, far past any
/// wait that matters, and no overflow to check; `as` then saturates): `Retry-After`'s
/// seconds.
pub fn digits(b: &[u8]) -> Option<f64> {
    if b.is_empty() {
        return None;
    }
    let mut n = 0.0;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10.0 + f64::from(d - b'0');
    }
    Some(n)
}

/// Join pieces into a `String`: `cat!("task ", id, " expired after ", ms, " ms")`.
#[macro_export]
macro_rules! cat {
    ($($piece:expr),* $(,)?) => {
        $crate::text::join(&[$(&$piece as &dyn $crate::text::Piece),*])
    };
}

/// What `cat!` compiles to: one call over its pieces (one small loop for every caller;
/// `[..].concat()` links two generic copies of alloc's join, about 2 KB of wasm).
#[inline(never)]
pub fn join(pieces: &[&dyn Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        p.put(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_text_and_numbers() {
        let id = String::from("t-1");
        assert_eq!(
            cat!("task ", id, " after ", 3u32, " tries"),
            "task t-1 after 3 tries"
        );
        assert_eq!(cat!(&id, ':', 0u64), "t-1:0");
        assert_eq!(cat!(u64::MAX), "18446744073709551615");
        assert_eq!(
            cat!(-32602i64, " ", i64::MIN),
            "-32602 -9223372036854775808"
        );
        assert_eq!(cat!(1234567u32), "1234567");
    }
}
