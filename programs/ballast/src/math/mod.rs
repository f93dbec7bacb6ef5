//! Fixed-point helpers. Everything the program values is I80F48 (80 integer bits, 48 fractional),
//! stored in accounts as 16 raw little-endian bytes so the layout has alignment 1 on every target
//! (i128's alignment differs between x86_64 and SBF).

pub mod fixed_point;

pub use fixed_point::*;
