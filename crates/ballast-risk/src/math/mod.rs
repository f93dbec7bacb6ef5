//! Fixed-point helpers. Everything the engine values is I80F48 (80 integer bits, 48 fractional),
//! with every step checked (`CheckedFixed`) and explicit rounding (`mul_ceil`, `div_ceil`).

pub mod fixed_point;

pub use fixed_point::*;
