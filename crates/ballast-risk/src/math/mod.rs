//! Fixed-point helpers. Everything the engine values is I80F48 (80 integer bits, 48 fractional),
//! with every step checked (`CheckedFixed`) and explicit rounding (`mul_ceil`, `div_ceil`);
//! `transcendental` adds exp, ln, sqrt and the normal distribution for option pricing.

pub mod fixed_point;
pub mod transcendental;

pub use fixed_point::*;
pub use transcendental::{exp, ln_ratio, norm_cdf, norm_cdf_pair, norm_pdf, NORM_CDF_SATURATION};
