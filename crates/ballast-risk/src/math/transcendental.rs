//! Transcendental functions on I80F48 for option pricing (`crate::black76`): `exp`, `ln`,
//! `ln_ratio`, `sqrt`, and the standard normal `norm_pdf` and `norm_cdf`. Integer arithmetic
//! only: no floating point and no 256-bit products; every fixed-point multiply is `mul_c`
//! (rounds toward negative infinity), and overflow is a `MathError`, never a panic or a wrap.
//! Divisions are avoided (one in `ln_ratio`, none elsewhere) because on SBF a 128-bit multiply
//! is a helper call of a few hundred compute units and a division costs several times that.
//!
//! Methods (tables and coefficients below, generated with 60-digit arithmetic and rounded to
//! the nearest 2^-48):
//! - `exp`: x = n ln2/32 + r with |r| <= ln2/64, e^r by a degree-5 minimax polynomial, times
//!   2^((n mod 32)/32) from a table, shifted by floor(n/32). 7 multiplications.
//! - `ln_ratio(a, b)` = ln(a/b): a and b are aligned to the same binary exponent so their
//!   quotient q lies in [3/4, 3/2] (no overflow however far apart a and b are, and no rounding
//!   of either); then ln q = ln(q r_j) - ln r_j with r_j ~ 1/(1 + j/32) from a 25-entry table
//!   (r_0 = 1, so q near 1 keeps its relative accuracy), ln(1 + z) for |z| < 1/48 by a degree-7
//!   minimax polynomial. One division, 8 multiplications.
//! - `sqrt`: `fixed`'s bit-by-bit integer root (shifts and adds only), rounded down.
//! - `norm_cdf`: the tail N(-a), a = |x|, by a degree-10 polynomial on each of 16 intervals of
//!   width 1/2 covering [0, 8) (Chebyshev fits, truncation error below 1.6e-15); N(-a) = 0
//!   from a = 8 on (N(-8) = 6.2e-16, below one unit in the last place). The tail is computed
//!   directly, never as 1 - N(a), and N(a) = 1 - N(-a), so the pair sums to exactly 1 and both
//!   saturate to exactly 0 and 1. 10 multiplications, no division and no `exp` (a Hart or Cody
//!   rational would cost a division and an `exp` of its own).
//! - `norm_pdf`: exp(-x²/2 - ln sqrt(2 pi)) (the constant folded into the exponent), exactly 0
//!   from |x| = 9 on (n(9) = 1e-18). 8 multiplications.
//!
//! Accuracy, measured against f64 and libm in the tests below (ulp = 2^-48 = 3.55e-15):
//! exp: 2.4 ulp absolute for x <= 0 (x in [-40, 0]), 9.6e-15 relative for x in (0, 54.75];
//! ln: 3.7 ulp absolute over 2^-48..2^78, 1.0 ulp within 1e-4 of 1; ln_ratio: 4.3 ulp absolute
//! over ratios from 2^-126 to 2^126; sqrt: the exact floor; norm_cdf: 1.8 ulp absolute on
//! [-10, 10], monotone to within 1 ulp (86 one-ulp dips in 589,824 steps of 2^-15: the
//! rounding of Horner steps, and pieces meeting within an ulp); norm_pdf: 1.7 ulp absolute.

use super::fixed_point::{CheckedFixed, MathError, MathResult, I80F48};

/// 2^-49 at 96 fractional bits: adding it before a shift by 48 rounds to nearest.
const ROUND_96_TO_48: i128 = 1 << 47;

/// ln 2 with 96 fractional bits (0.693147180559945309417232121458), so that e * ln 2 for an
/// exponent |e| < 2^30 rounds to the nearest 2^-48 (a 48-bit ln 2 would be off by e/2 ulp).
const LN2_BITS96: i128 = 0xb172_17f7_d1cf_79ab_c9e3_b398;

/// ln 2 / 32 with 96 fractional bits (0.0216608493924982909192885037987).
const LN2_OVER_32_BITS96: i128 = 0x58b_90bf_be8e_7bcd_5e4f_1d9d;

/// 32 / ln 2 = 46.166241308446828.
const INV_LN2_TIMES_32: I80F48 = I80F48::from_bits(0x2e_2a8e_ca57_05fc);

/// ln sqrt(2 pi) = 0.918938533204674.
const LN_SQRT_2PI: I80F48 = I80F48::from_bits(0xeb3f_8e43_25f6);

/// e^x rounds to 0 below this: e^-36 = 2.3e-16, under one ulp.
const EXP_UNDERFLOW: I80F48 = I80F48::from_bits(-36 << 48);
/// e^x exceeds I80F48::MAX (2^79 = 6.04e23) from x = 54.7587 on; from 55 it is refused before
/// any work (between the two the final shift reports the overflow).
const EXP_OVERFLOW: I80F48 = I80F48::from_bits(55 << 48);

/// From here on N(-x) is taken as exactly 0 and N(x) as exactly 1.
pub const NORM_CDF_SATURATION: I80F48 = I80F48::from_bits(8 << 48);
/// From here on n(x) is taken as exactly 0.
const NORM_PDF_CUTOFF: I80F48 = I80F48::from_bits(9 << 48);

/// One half, the largest tail value.
const HALF: I80F48 = I80F48::from_bits(1 << 47);

/// Where `ln_ratio` aligns both operands' highest bit: exact for values below 2^52, and the
/// quotient keeps all 48 fractional bits either way.
const LN_ALIGN_MSB: u32 = 100;

/// Horner's rule, lowest degree first: `coefficients.len() - 1` multiplications.
#[inline]
fn horner(coefficients: &[I80F48], x: I80F48) -> MathResult<I80F48> {
    let Some((last, rest)) = coefficients.split_last() else {
        return Ok(I80F48::ZERO);
    };
    let mut acc = *last;
    for c in rest.iter().rev() {
        acc = acc.mul_c(x)?.add_c(*c)?;
    }
    Ok(acc)
}

/// `bits * constant / 2^48`, rounded to nearest, for a small integer and a constant with 96
/// fractional bits: e * ln 2 to half an ulp.
#[inline]
fn small_times_bits96(small: i128, constant: i128) -> MathResult<I80F48> {
    let product = small.checked_mul(constant).ok_or(MathError::Overflow)?;
    let rounded = product.checked_add(ROUND_96_TO_48).ok_or(MathError::Overflow)?;
    Ok(I80F48::from_bits(rounded >> 48))
}

/// Square root, rounded down (`fixed`'s bit-by-bit root: shifts and additions only, no
/// multiplication or division). A negative argument is an error.
#[inline]
pub fn sqrt(x: I80F48) -> MathResult<I80F48> {
    x.checked_sqrt().ok_or(MathError::Overflow)
}

/// e^x. Below -36 the result is 0 (it would round to 0 anyway); from 54.7587 (ln 2^79) on it
/// overflows (an error). Error: at most 3 ulp absolute for x <= 0, relative 1e-14 for x > 0;
/// no consistent rounding direction. 7 multiplications, no division.
pub fn exp(x: I80F48) -> MathResult<I80F48> {
    if x < EXP_UNDERFLOW {
        return Ok(I80F48::ZERO);
    }
    if x >= EXP_OVERFLOW {
        return Err(MathError::Overflow);
    }
    // n = round(x * 32 / ln 2): |n| < 2_600
    let n = x.mul_c(INV_LN2_TIMES_32)?.to_bits().checked_add(1 << 47).ok_or(MathError::Overflow)? >> 48;
    // r = x - n ln2/32 with the product to half an ulp, so |r| <= ln2/64 + 1 ulp
    let r = x.sub_c(small_times_bits96(n, LN2_OVER_32_BITS96)?)?;
    let e_r = horner(&EXP_POLY, r)?;
    // n mod 32 and floor(n / 32), for negative n too
    let scaled = e_r.mul_c(EXP2_FRACTIONS[(n & 31) as usize])?;
    shift_by_power_of_two(scaled, n >> 5)
}

/// `value * 2^e` for a non-negative value: a left shift that refuses to overflow, or a right
/// shift (rounding down).
#[inline]
fn shift_by_power_of_two(value: I80F48, e: i128) -> MathResult<I80F48> {
    let bits = value.to_bits();
    if e >= 0 {
        if e >= 127 || bits > (i128::MAX >> e) {
            return Err(MathError::Overflow);
        }
        return Ok(I80F48::from_bits(bits << e));
    }
    if e <= -127 {
        return Ok(I80F48::ZERO);
    }
    Ok(I80F48::from_bits(bits >> (-e)))
}

/// Natural logarithm of a positive number (zero or negative is an error). See `ln_ratio`.
#[inline]
pub fn ln(x: I80F48) -> MathResult<I80F48> {
    ln_ratio(x, I80F48::ONE)
}

/// ln(a / b) for positive a and b (zero or negative is an error), without forming a / b: the
/// operands are aligned to the same binary exponent first, so no ratio overflows or loses
/// precision (ln(2^-48 / 2^78) is fine). Error: at most 4.5 ulp absolute (floors of the
/// division and multiplications, no fixed direction); 1 ulp when a/b is within 1/64 of 1, where
/// the reduction is exact. One division and 8 multiplications (7 when the
/// reduced quotient is within 1/64 of 1).
pub fn ln_ratio(a: I80F48, b: I80F48) -> MathResult<I80F48> {
    if a <= I80F48::ZERO || b <= I80F48::ZERO {
        return Err(MathError::Overflow);
    }
    let align = |bits: i128| -> (i128, i32) {
        let msb = 127 - bits.leading_zeros();
        let aligned =
            if msb <= LN_ALIGN_MSB { bits << (LN_ALIGN_MSB - msb) } else { bits >> (msb - LN_ALIGN_MSB) };
        (aligned, msb as i32)
    };
    let (mut a_aligned, msb_a) = align(a.to_bits());
    let (mut b_aligned, msb_b) = align(b.to_bits());
    // a/b = 2^exponent * (a_aligned / b_aligned), the quotient in (1/2, 2); both are below 2^101
    // so the comparisons and shifts below cannot overflow
    let mut exponent = msb_a - msb_b;
    if 2 * a_aligned > 3 * b_aligned {
        b_aligned <<= 1;
        exponent += 1;
    } else if 4 * a_aligned < 3 * b_aligned {
        a_aligned <<= 1;
        exponent -= 1;
    }
    let q = I80F48::from_bits(a_aligned).div_c(I80F48::from_bits(b_aligned))?; // in [3/4, 3/2]
                                                                               // j = round((q - 1) * 32) in -8..=16
    let j = (q.to_bits() - I80F48::ONE.to_bits() + (1 << 42)) >> 43;
    let index = (j + 8) as usize;
    let z = if j == 0 { q } else { q.mul_c(LN_RECIPROCALS[index])? }.sub_c(I80F48::ONE)?;
    let ln_1p_z = horner(&LN1P_POLY, z)?.mul_c(z)?;
    ln_1p_z.add_c(LN_OF_RECIPROCALS[index])?.add_c(small_times_bits96(i128::from(exponent), LN2_BITS96)?)
}

/// The standard normal density n(x) = exp(-x²/2) / sqrt(2 pi); exactly 0 from |x| = 9 on.
/// Error: at most 2 ulp absolute. 8 multiplications (one square and `exp`).
pub fn norm_pdf(x: I80F48) -> MathResult<I80F48> {
    if x >= NORM_PDF_CUTOFF || x <= -NORM_PDF_CUTOFF {
        return Ok(I80F48::ZERO);
    }
    let half_square = I80F48::from_bits(x.mul_c(x)?.to_bits() >> 1);
    exp(I80F48::ZERO.sub_c(half_square)?.sub_c(LN_SQRT_2PI)?)
}

/// The standard normal distribution function N(x): exactly 0 at or below -8 and exactly 1 at
/// or above 8, never an error. Error: at most 2 ulp absolute.
#[inline]
pub fn norm_cdf(x: I80F48) -> MathResult<I80F48> {
    Ok(norm_cdf_pair(x)?.0)
}

/// (N(x), N(-x)), which sum to exactly 1; whichever is below 1/2 is the tail, computed
/// directly, so neither loses accuracy to cancellation. Error: at most 2 ulp absolute each.
/// 10 multiplications (none when |x| >= 8).
pub fn norm_cdf_pair(x: I80F48) -> MathResult<(I80F48, I80F48)> {
    if x >= NORM_CDF_SATURATION {
        return Ok((I80F48::ONE, I80F48::ZERO));
    }
    if x <= -NORM_CDF_SATURATION {
        return Ok((I80F48::ZERO, I80F48::ONE));
    }
    let tail = norm_tail(x.abs())?;
    let body = I80F48::ONE.sub_c(tail)?;
    Ok(if x >= I80F48::ZERO { (body, tail) } else { (tail, body) })
}

/// N(-a) for 0 <= a < 8, clamped to [0, 1/2].
#[inline]
fn norm_tail(a: I80F48) -> MathResult<I80F48> {
    // interval i covers [i/2, (i+1)/2); its polynomial is in u = a - (2i+1)/4, |u| <= 1/4
    let i = (a.to_bits() >> 47) as usize;
    let centre = I80F48::from_bits(((2 * i as i128) + 1) << 46);
    let tail = horner(&NORM_TAIL_POLY[i], a.sub_c(centre)?)?;
    Ok(tail.max(I80F48::ZERO).min(HALF))
}

// ---------------------------------------------------------------------------------------------
// Tables. Polynomials are listed from the constant term up. Generated with mpmath at 60 digits:
// minimax-quality (Chebyshev) fits, each coefficient rounded to the nearest 2^-48.
// ---------------------------------------------------------------------------------------------

/// e^r for |r| <= ln2/64 (1.0841e-2): truncation error below 1e-16 relative.
const EXP_POLY: [I80F48; 6] = [
    I80F48::from_bits(0x1_0000_0000_0000), // 1.0
    I80F48::from_bits(0x1_0000_0000_0000), // 1.0
    I80F48::from_bits(0x7fff_ffff_f422),   // 0.49999999998920686
    I80F48::from_bits(0x2aaa_aaaa_a8f9),   // 0.16666666666512597
    I80F48::from_bits(0xaaa_aec6_55c0),    // 0.041666911527272532
    I80F48::from_bits(0x222_22b8_5f20),    // 0.0083333683134014791
];

/// 2^(j/32) for j in 0..32.
const EXP2_FRACTIONS: [I80F48; 32] = [
    I80F48::from_bits(0x1_0000_0000_0000), // 2^(0/32) = 1.0
    I80F48::from_bits(0x1_059b_0d31_5857), // 2^(1/32) = 1.0218971486541157
    I80F48::from_bits(0x1_0b55_86cf_9891), // 2^(2/32) = 1.044273782427414
    I80F48::from_bits(0x1_1130_1d01_25b5), // 2^(3/32) = 1.0671404006768235
    I80F48::from_bits(0x1_172b_83c7_d518), // 2^(4/32) = 1.0905077326652588
    I80F48::from_bits(0x1_1d48_7316_8b9b), // 2^(5/32) = 1.1143867425958938
    I80F48::from_bits(0x1_2387_a6e7_5624), // 2^(6/32) = 1.1387886347566933
    I80F48::from_bits(0x1_29e9_df51_fdee), // 2^(7/32) = 1.1637248587775773
    I80F48::from_bits(0x1_306f_e0a3_1b71), // 2^(8/32) = 1.1892071150027199
    I80F48::from_bits(0x1_371a_7373_aa9d), // 2^(9/32) = 1.2152473599804701
    I80F48::from_bits(0x1_3dea_64c1_2342), // 2^(10/32) = 1.2418578120734836
    I80F48::from_bits(0x1_44e0_8606_1893), // 2^(11/32) = 1.2690509571917339
    I80F48::from_bits(0x1_4bfd_ad53_62a2), // 2^(12/32) = 1.2968395546510081
    I80F48::from_bits(0x1_5342_b569_d4f8), // 2^(13/32) = 1.3252366431597409
    I80F48::from_bits(0x1_5ab0_7dd4_8543), // 2^(14/32) = 1.3542555469368942
    I80F48::from_bits(0x1_6247_eb03_a558), // 2^(15/32) = 1.3839098819638309
    I80F48::from_bits(0x1_6a09_e667_f3bd), // 2^(16/32) = 1.4142135623730958
    I80F48::from_bits(0x1_71f7_5e8e_c5f7), // 2^(17/32) = 1.4451808069770458
    I80F48::from_bits(0x1_7a11_473e_b018), // 2^(18/32) = 1.4768261459394978
    I80F48::from_bits(0x1_8258_9994_cce1), // 2^(19/32) = 1.5091644275934222
    I80F48::from_bits(0x1_8ace_5422_aa0e), // 2^(20/32) = 1.5422108254079419
    I80F48::from_bits(0x1_9373_7b0c_dc5e), // 2^(21/32) = 1.5759808451078854
    I80F48::from_bits(0x1_9c49_182a_3f09), // 2^(22/32) = 1.6104903319492543
    I80F48::from_bits(0x1_a550_3b23_e256), // 2^(23/32) = 1.6457554781539656
    I80F48::from_bits(0x1_ae89_f995_ad3b), // 2^(24/32) = 1.6817928305074297
    I80F48::from_bits(0x1_b7f7_6f2f_b5e4), // 2^(25/32) = 1.7186192981224764
    I80F48::from_bits(0x1_c199_bdd8_552a), // 2^(26/32) = 1.7562521603733003
    I80F48::from_bits(0x1_cb72_0dce_f907), // 2^(27/32) = 1.7947090750031087
    I80F48::from_bits(0x1_d581_8dcf_ba48), // 2^(28/32) = 1.8340080864093409
    I80F48::from_bits(0x1_dfc9_7337_b9b6), // 2^(29/32) = 1.8741676341103002
    I80F48::from_bits(0x1_ea4a_fa2a_490e), // 2^(30/32) = 1.9152065613971487
    I80F48::from_bits(0x1_f507_65b6_e454), // 2^(31/32) = 1.9571441241754002
];

/// ln(1 + z) / z for |z| <= 1/48 (2.0854e-2), so ln(1 + z) = z * p(z) to 4e-17.
const LN1P_POLY: [I80F48; 7] = [
    I80F48::from_bits(0x1_0000_0000_0000), // 1.0
    I80F48::from_bits(-0x8000_0000_02d4),  // -0.50000000000257216
    I80F48::from_bits(0x5555_5555_57d9),   // 0.3333333333356201
    I80F48::from_bits(-0x3fff_ff80_fe89),  // -0.24999997042917599
    I80F48::from_bits(0x3333_32c2_4def),   // 0.19999997371445133
    I80F48::from_bits(-0x2ab1_cba0_76bf),  // -0.16677544276785383
    I80F48::from_bits(0x2498_9f58_e848),   // 0.14295383377637449
];

/// r_j, 1/(1 + j/32) rounded to 2^-48, for j in -8..=16 (index j + 8); r_0 = 1 exactly.
const LN_RECIPROCALS: [I80F48; 25] = [
    I80F48::from_bits(0x1_5555_5555_5555), // 1/0.75 rounded = 1.3333333333333321
    I80F48::from_bits(0x1_47ae_147a_e148), // 1/0.78125 rounded = 1.2800000000000011
    I80F48::from_bits(0x1_3b13_b13b_13b1), // 1/0.8125 rounded = 1.2307692307692299
    I80F48::from_bits(0x1_2f68_4bda_12f7), // 1/0.84375 rounded = 1.1851851851851869
    I80F48::from_bits(0x1_2492_4924_9249), // 1/0.875 rounded = 1.1428571428571423
    I80F48::from_bits(0x1_1a7b_9611_a7b9), // 1/0.90625 rounded = 1.1034482758620676
    I80F48::from_bits(0x1_1111_1111_1111), // 1/0.9375 rounded = 1.0666666666666664
    I80F48::from_bits(0x1_0842_1084_2108), // 1/0.96875 rounded = 1.0322580645161281
    I80F48::from_bits(0x1_0000_0000_0000), // 1/1.0 rounded = 1.0
    I80F48::from_bits(0xf83e_0f83_e0f8),   // 1/1.03125 rounded = 0.96969696969696884
    I80F48::from_bits(0xf0f0_f0f0_f0f1),   // 1/1.0625 rounded = 0.9411764705882355
    I80F48::from_bits(0xea0e_a0ea_0ea1),   // 1/1.09375 rounded = 0.91428571428571459
    I80F48::from_bits(0xe38e_38e3_8e39),   // 1/1.125 rounded = 0.88888888888888928
    I80F48::from_bits(0xdd67_c8a6_0dd6),   // 1/1.15625 rounded = 0.86486486486486314
    I80F48::from_bits(0xd794_35e5_0d79),   // 1/1.1875 rounded = 0.8421052631578938
    I80F48::from_bits(0xd20d_20d2_0d21),   // 1/1.21875 rounded = 0.82051282051282115
    I80F48::from_bits(0xcccc_cccc_cccd),   // 1/1.25 rounded = 0.80000000000000071
    I80F48::from_bits(0xc7ce_0c7c_e0c8),   // 1/1.28125 rounded = 0.78048780487804947
    I80F48::from_bits(0xc30c_30c3_0c31),   // 1/1.3125 rounded = 0.76190476190476275
    I80F48::from_bits(0xbe82_fa0b_e830),   // 1/1.34375 rounded = 0.74418604651162923
    I80F48::from_bits(0xba2e_8ba2_e8ba),   // 1/1.375 rounded = 0.72727272727272663
    I80F48::from_bits(0xb60b_60b6_0b61),   // 1/1.40625 rounded = 0.71111111111111214
    I80F48::from_bits(0xb216_42c8_590b),   // 1/1.4375 rounded = 0.69565217391304301
    I80F48::from_bits(0xae4c_415c_9883),   // 1/1.46875 rounded = 0.68085106382978822
    I80F48::from_bits(0xaaaa_aaaa_aaab),   // 1/1.5 rounded = 0.66666666666666785
];

/// -ln r_j of the rounded r_j above (so the rounding of r_j costs nothing).
const LN_OF_RECIPROCALS: [I80F48; 25] = [
    I80F48::from_bits(-0x49a5_8844_d36e), // -ln(LN_RECIPROCALS[0]) = -0.2876820724517799
    I80F48::from_bits(-0x3f32_38d9_6767), // -ln(LN_RECIPROCALS[1]) = -0.24686007793152598
    I80F48::from_bits(-0x3527_da79_15b4), // -ln(LN_RECIPROCALS[2]) = -0.20763936477824529
    I80F48::from_bits(-0x2b7e_80d6_a87c), // -ln(LN_RECIPROCALS[3]) = -0.16989903679539964
    I80F48::from_bits(-0x222f_1d04_4fc9), // -ln(LN_RECIPROCALS[4]) = -0.13353139262452274
    I80F48::from_bits(-0x1933_5e5d_5949), // -ln(LN_RECIPROCALS[5]) = -0.098440072813250623
    I80F48::from_bits(-0x1085_98b5_9e3a), // -ln(LN_RECIPROCALS[6]) = -0.064538521137571081
    I80F48::from_bits(-0x820_aec4_f3a2),  // -ln(LN_RECIPROCALS[7]) = -0.031748698314579826
    I80F48::from_bits(0x0),               // -ln(LN_RECIPROCALS[8]) = 0.0
    I80F48::from_bits(0x7e0_a6c3_9e0d),   // -ln(LN_RECIPROCALS[9]) = 0.030771658666754576
    I80F48::from_bits(0xf85_1860_08b1),   // -ln(LN_RECIPROCALS[10]) = 0.060624621816433688
    I80F48::from_bits(0x16f0_d28a_e56b),  // -ln(LN_RECIPROCALS[11]) = 0.089612158689686083
    I80F48::from_bits(0x1e27_076e_2af3),  // -ln(LN_RECIPROCALS[12]) = 0.11778303565638382
    I80F48::from_bits(0x252a_a5f0_3feb),  // -ln(LN_RECIPROCALS[13]) = 0.14518200984450047
    I80F48::from_bits(0x2bfe_60e1_4f28),  // -ln(LN_RECIPROCALS[14]) = 0.17185025692666045
    I80F48::from_bits(0x32a4_b539_e8ad),  // -ln(LN_RECIPROCALS[15]) = 0.19782574332991842
    I80F48::from_bits(0x391f_ef8f_3534),  // -ln(LN_RECIPROCALS[16]) = 0.22314355131420882
    I80F48::from_bits(0x3f72_30da_bc7c),  // -ln(LN_RECIPROCALS[17]) = 0.24783616390458008
    I80F48::from_bits(0x459d_72ae_ae98),  // -ln(LN_RECIPROCALS[18]) = 0.27193371548364098
    I80F48::from_bits(0x4ba3_8aeb_8474),  // -ln(LN_RECIPROCALS[19]) = 0.29546421289383318
    I80F48::from_bits(0x5186_2f08_717b),  // -ln(LN_RECIPROCALS[20]) = 0.31845373111853448
    I80F48::from_bits(0x5746_f6fd_6027),  // -ln(LN_RECIPROCALS[21]) = 0.34092658697059264
    I80F48::from_bits(0x5ce7_5fda_ef40),  // -ln(LN_RECIPROCALS[22]) = 0.36290549368936809
    I80F48::from_bits(0x6268_ce1b_0509),  // -ln(LN_RECIPROCALS[23]) = 0.38441169891033056
    I80F48::from_bits(0x67cc_8fb2_fe61),  // -ln(LN_RECIPROCALS[24]) = 0.40546510810816372
];

/// N(-a) on [i/2, (i+1)/2) for i in 0..16, as a polynomial in u = a - (2i+1)/4: truncation
/// error below 1.6e-15.
const NORM_TAIL_POLY: [[I80F48; 11]; 16] = [
    // a in [0.0, 0.5), u = a - 0.25
    [
        I80F48::from_bits(0x66bb_2ea7_4895),  // 0.40129367431707763
        I80F48::from_bits(-0x62fc_ae84_12e9), // -0.38666811680278457
        I80F48::from_bits(0xc5f_95d0_825a),   // 0.048333514600336969
        I80F48::from_bits(0xf77_7b44_8c1c),   // 0.060416893229657376
        I80F48::from_bits(-0x307_6601_ae89),  // -0.011831641588774033
        I80F48::from_bits(-0x22b_26f5_67e3),  // -0.0084709500441810803
        I80F48::from_bits(0x7e_848c_b3b7),    // 0.0019305079947251613
        I80F48::from_bits(0x3d_910c_677a),    // 0.00093943169438404084
        I80F48::from_bits(-0xf_7a6f_5c7b),    // -0.00023617953091203958
        I80F48::from_bits(-0x5_7c00_7c6b),    // -0.000083685034422131821
        I80F48::from_bits(0x1_7e69_72ec),     // 0.000022793526042619305
    ],
    // a in [0.5, 1.0), u = a - 0.75
    [
        I80F48::from_bits(0x3a04_400a_d675),  // 0.2266273523768696
        I80F48::from_bits(-0x4d17_57be_b4e2), // -0.30113743215486721
        I80F48::from_bits(0x1ce8_c0e7_83cb),  // 0.11292653705804057
        I80F48::from_bits(0x59f_0910_a89c),   // 0.02195793778138011
        I80F48::from_bits(-0x5df_472f_0244),  // -0.022938202835817378
        I80F48::from_bits(0x9_a2e3_3afd),     // 0.00014703796022175197
        I80F48::from_bits(0xc7_3b85_301b),    // 0.003040046707706523
        I80F48::from_bits(-0x16_7d3c_c502),   // -0.00034315808898810474
        I80F48::from_bits(-0x13_3c97_db6f),   // -0.00029352862787490608
        I80F48::from_bits(0x3_b87a_bf56),     // 0.000056772201183719062
        I80F48::from_bits(0x1_6960_f284),     // 0.000021539849072382822
    ],
    // a in [1.0, 1.5), u = a - 1.25
    [
        I80F48::from_bits(0x1b0b_dd12_ba9c),  // 0.10564977366685468
        I80F48::from_bits(-0x2ec2_1728_63ed), // -0.18264908538906255
        I80F48::from_bits(0x1d39_4e79_3e71),  // 0.11415567836815299
        I80F48::from_bits(-0x462_322b_babe),  // -0.017123351741922477
        I80F48::from_bits(-0x380_32bb_e0ef),  // -0.013674898976145045
        I80F48::from_bits(0x188_60fd_3692),   // 0.005987226314182692
        I80F48::from_bits(0x25_bf5c_9ae5),    // 0.00057598124375957127
        I80F48::from_bits(-0x35_7315_2748),   // -0.00081557527963127541
        I80F48::from_bits(0x4_4e76_a2d6),     // 0.00006571194065685404
        I80F48::from_bits(0x4_8d7d_c288),     // 0.000069468691918928016
        I80F48::from_bits(-0xf0ca_5152),      // -0.000014352220496505197
    ],
    // a in [1.5, 2.0), u = a - 1.75
    [
        I80F48::from_bits(0xa41_5120_a2ab),   // 0.040059156863815559
        I80F48::from_bits(-0x1616_4536_bf0c), // -0.08627731882647538
        I80F48::from_bits(0x1353_7c8f_e735),  // 0.075492653973203261
        I80F48::from_bits(-0x797_a7ca_de0e),  // -0.02965782835786257
        I80F48::from_bits(0x19_c4a6_1375),    // 0.00039319090452138994
        I80F48::from_bits(0x11a_878f_06bc),   // 0.0043110584435765986
        I80F48::from_bits(-0x55_d715_73b9),   // -0.0013098170636318685
        I80F48::from_bits(-0xc_2d45_18cb),    // -0.00018580376562837841
        I80F48::from_bits(0xb_dc27_45ab),     // 0.0001809688452958369
        I80F48::from_bits(-0x1_156c_96e5),    // -0.000016535769550074519
        I80F48::from_bits(-0xda33_9007),      // -0.000013005817915967555
    ],
    // a in [2.0, 2.5), u = a - 2.25
    [
        I80F48::from_bits(0x321_249e_43a7),  // 0.01222447265504556
        I80F48::from_bits(-0x820_16fe_9edc), // -0.031739651835650307
        I80F48::from_bits(0x924_19de_72bb),  // 0.035707108315119029
        I80F48::from_bits(-0x580_64e7_1759), // -0.021490389269590793
        I80F48::from_bits(0x192_3472_3e31),  // 0.0061371592439094513
        I80F48::from_bits(0x1e_4457_e8a1),   // 0.00046183725556048216
        I80F48::from_bits(-0x40_fa38_bff1),  // -0.00099147687427958431
        I80F48::from_bits(0x11_47f8_625a),   // 0.0002636891752914039
        I80F48::from_bits(0x2_1a07_766e),    // 0.000032069036414839047
        I80F48::from_bits(-0x2_2f76_9db4),   // -0.000033346613875551157
        I80F48::from_bits(0x4d3d_c945),      // 0.0000046039433705402644
    ],
    // a in [2.5, 3.0), u = a - 2.75
    [
        I80F48::from_bits(0xc3_4821_a4f6),   // 0.0029797632350536674
        I80F48::from_bits(-0x253_f4a9_8c6b), // -0.0090935625016008714
        I80F48::from_bits(0x333_7069_210f),  // 0.012503648439686543
        I80F48::from_bits(-0x28b_d399_6dce), // -0.009946083982690368
        I80F48::from_bits(0x137_8ebd_4e6a),  // 0.0047539913343044304
        I80F48::from_bits(-0x49_952c_051f),  // -0.0011227829428399616
        I80F48::from_bits(-0x7_d0cc_3fa6),   // -0.00011925684489000332
        I80F48::from_bits(0xb_d4bc_6eba),    // 0.00018052673724611168
        I80F48::from_bits(-0x3_3aaa_9b9d),   // -0.000049273159323348636
        I80F48::from_bits(-0x2cdf_5704),     // -0.0000026746047439019094
        I80F48::from_bits(0x5495_0535),      // 0.0000050414866628045729
    ],
    // a in [3.0, 3.5), u = a - 3.25
    [
        I80F48::from_bits(0x25_d0df_afa0),  // 0.00057702504238932306
        I80F48::from_bits(-0x84_f9c7_0c53), // -0.002029048057305971
        I80F48::from_bits(0xd8_15e3_7405),  // 0.0032972030931155416
        I80F48::from_bits(-0xd3_ee15_398f), // -0.0032337953394367958
        I80F48::from_bits(0x88_2dcb_5725),  // 0.0020779248653930438
        I80F48::from_bits(-0x38_ba0e_8338), // -0.00086558203039999171
        I80F48::from_bits(0xc_91df_c771),   // 0.00019180024486686875
        I80F48::from_bits(0xeae8_27c5),     // 0.000014001539756947068
        I80F48::from_bits(-0x1_b831_60b5),  // -0.000026237540357243461
        I80F48::from_bits(0x8676_9215),     // 0.0000080146292766869465
        I80F48::from_bits(-0x49a_19bf),     // -0.0000002742979141601154
    ],
    // a in [3.5, 4.0), u = a - 3.75
    [
        I80F48::from_bits(0x5_cb65_592d),   // 0.000088417285201813911
        I80F48::from_bits(-0x17_1b92_ecaa), // -0.00035259568236511996
        I80F48::from_bits(0x2b_53b3_7bc0),  // 0.00066111690443904081
        I80F48::from_bits(-0x32_4eb2_890d), // -0.00076763018391901028
        I80F48::from_bits(0x27_f129_75ee),  // 0.00060946714614118491
        I80F48::from_bits(-0x16_6910_f31d), // -0.00034195579347695571
        I80F48::from_bits(0x8_ae4f_e384),   // 0.00013246012123602213
        I80F48::from_bits(-0x1_fb90_5a13),  // -0.000030253164435833924
        I80F48::from_bits(-0x33_f5d6),      // -0.000000012097949309008982
        I80F48::from_bits(0x31cf_0d64),     // 0.0000029688357159329826
        I80F48::from_bits(-0x1265_a3fd),    // -0.0000010965486474390218
    ],
    // a in [4.0, 4.5), u = a - 4.25
    [
        I80F48::from_bits(0xb352_de60),    // 0.000010688525776458846
        I80F48::from_bits(-0x3_2095_fbbd), // -0.000047718636540849957
        I80F48::from_bits(0x6_a53e_b6f2),  // 0.00010140210265063843
        I80F48::from_bits(-0x8_e4aa_844e), // -0.00013569987304862252
        I80F48::from_bits(0x8_576a_b863),  // 0.00012728076434243007
        I80F48::from_bits(-0x5_c19a_9643), // -0.000087833634335510169
        I80F48::from_bits(0x2_f714_ad9a),  // 0.000045244739887095875
        I80F48::from_bits(-0x1_1d76_6924), // -0.000017014893401778863
        I80F48::from_bits(0x4650_9d7a),    // 0.0000041910948098689005
        I80F48::from_bits(-0x51d_03d6),    // -0.00000030477880130774793
        I80F48::from_bits(-0x400_4525),    // -0.00000023848146568639095
    ],
    // a in [4.5, 5.0), u = a - 4.75
    [
        I80F48::from_bits(0x1110_56da),    // 0.000001017083242516037
        I80F48::from_bits(-0x5461_91bf),   // -0.0000050295072888673076
        I80F48::from_bits(0xc867_ba25),    // 0.000011945079808839409
        I80F48::from_bits(-0x1_2f3e_a3cf), // -0.00001807479184989802
        I80F48::from_bits(0x1_46b3_c37d),  // 0.000019472968677547442
        I80F48::from_bits(-0x1_08e1_5dde), // -0.000015788098487234947
        I80F48::from_bits(0xa622_fa89),    // 0.0000099025151349962925
        I80F48::from_bits(-0x5134_3b59),   // -0.0000048401373966555639
        I80F48::from_bits(0x1e6a_44b2),    // 0.0000018128818695117843
        I80F48::from_bits(-0x820_d628),    // -0.00000048448251277477539
        I80F48::from_bits(0x125_0f22),     // 0.000000068233141803375474
    ],
    // a in [5.0, 5.5), u = a - 5.25
    [
        I80F48::from_bits(0x146_a16d),   // 0.00000007604960572393793
        I80F48::from_bits(-0x6ed_2a30),  // -0.0000004128471005060419
        I80F48::from_bits(0x122e_8ebd),  // 0.0000010837236352756463
        I80F48::from_bits(-0x1ea9_f2ba), // -0.000001827708480561796
        I80F48::from_bits(0x2537_4c2a),  // 0.0000022182468129017252
        I80F48::from_bits(-0x227a_2e6c), // -0.0000020550054813384122
        I80F48::from_bits(0x1934_97d3),  // 0.0000015023613961773208
        I80F48::from_bits(-0xecc_4cf3),  // -0.00000088203246306761685
        I80F48::from_bits(0x702_f904),   // 0.00000041792465310663829
        I80F48::from_bits(-0x2ad_4acd),  // -0.00000015955702181713605
        I80F48::from_bits(0xc5_165e),    // 0.000000045887979638337129
    ],
    // a in [5.5, 6.0), u = a - 5.75
    [
        I80F48::from_bits(0x13_2a36),   // 0.0000000044621728534366412
        I80F48::from_bits(-0x71_5ac9),  // -0.000000026392431351496271
        I80F48::from_bits(0x145_e502),  // 0.000000075878240579640988
        I80F48::from_bits(-0x25d_bd20), // -0.00000014103454759606393
        I80F48::from_bits(0x330_6f0c),  // 0.00000019009080176601856
        I80F48::from_bits(-0x350_0adb), // -0.00000019745025880979483
        I80F48::from_bits(0x2bf_d8a7),  // 0.00000016387698664743766
        I80F48::from_bits(-0x1dd_0ab5), // -0.00000011106995501108941
        I80F48::from_bits(0x10b_8a1a),  // 0.000000062291384494983504
        I80F48::from_bits(-0x7f_1ccf),  // -0.000000029595693007422597
        I80F48::from_bits(0x30_6eb4),   // 0.000000011276554801042948
    ],
    // a in [6.0, 6.5), u = a - 6.25
    [
        I80F48::from_bits(0xe1a6),     // 0.00000000020522605836958974
        I80F48::from_bits(-0x5_a4c3),  // -0.0000000013140031285274745
        I80F48::from_bits(0x11_a2e0),  // 0.0000000041062548916670494
        I80F48::from_bits(-0x23_cd32), // -0.0000000083356965774328273
        I80F48::from_bits(0x35_0024),  // 0.000000012340152011347527
        I80F48::from_bits(-0x3c_e19b), // -0.000000014175025597751301
        I80F48::from_bits(0x38_59c5),  // 0.000000013120160957669214
        I80F48::from_bits(-0x2b_092b), // -0.000000010020055896120539
        I80F48::from_bits(0x1b_98fb),  // 0.000000006425562304457344
        I80F48::from_bits(-0xf_7410),  // -0.0000000035980178836325649
        I80F48::from_bits(0x7_106c),   // 0.0000000016447501138827647
    ],
    // a in [6.5, 7.0), u = a - 6.75
    [
        I80F48::from_bits(0x821),     // 0.0000000000073931971655838424
        I80F48::from_bits(-0x3805),   // -0.000000000050949466867677984
        I80F48::from_bits(0xbd11),    // 0.00000000017195489476762305
        I80F48::from_bits(-0x1_a010), // -0.00000000037840663935639895
        I80F48::from_bits(0x2_9e98),  // 0.0000000006099014626670396
        I80F48::from_bits(-0x3_4aea), // -0.00000000076662587389364489
        I80F48::from_bits(0x3_5ad9),  // 0.00000000078111739298947214
        I80F48::from_bits(-0x2_d6f7), // -0.00000000066117067376580962
        I80F48::from_bits(0x2_09be),  // 0.00000000047452175522266771
        I80F48::from_bits(-0x1_4e6f), // -0.00000000030416558161050489
        I80F48::from_bits(0xaf88),    // 0.00000000015964474187057931
    ],
    // a in [7.0, 7.5), u = a - 7.25
    [
        I80F48::from_bits(0x3b),    // 0.00000000000020961010704922955
        I80F48::from_bits(-0x1b1),  // -0.0000000000015383250229206169
        I80F48::from_bits(0x622),   // 0.0000000000055777604757167865
        I80F48::from_bits(-0xe8a),  // -0.000000000013223200312495464
        I80F48::from_bits(0x1954),  // 0.000000000023035795493342448
        I80F48::from_bits(-0x228c), // -0.00000000003142019977531163
        I80F48::from_bits(0x265d),  // 0.00000000003489120103949972
        I80F48::from_bits(-0x238e), // -0.000000000032336799904442159
        I80F48::from_bits(0x1c24),  // 0.000000000025593749342078809
        I80F48::from_bits(-0x1447), // -0.0000000000184421367066534
        I80F48::from_bits(0xbea),   // 0.000000000010835776720341528
    ],
    // a in [7.5, 8.0), u = a - 7.75
    [
        I80F48::from_bits(0x1),    // 0.0000000000000035527136788005009
        I80F48::from_bits(-0xa),   // -0.000000000000035527136788005009
        I80F48::from_bits(0x27),   // 0.00000000000013855583347321954
        I80F48::from_bits(-0x64),  // -0.00000000000035527136788005009
        I80F48::from_bits(0xbc),   // 0.00000000000066791017161449417
        I80F48::from_bits(-0x114), // -0.00000000000098054897534893826
        I80F48::from_bits(0x14b),  // 0.0000000000011759482276829658
        I80F48::from_bits(-0x14d), // -0.0000000000011830536550405668
        I80F48::from_bits(0x120),  // 0.0000000000010231815394945443
        I80F48::from_bits(-0xe6),  // -0.00000000000081712414612411521
        I80F48::from_bits(0x95),   // 0.00000000000052935433814127464
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    /// One unit in the last place, 2^-48.
    const ULP: f64 = 1.0 / (1u64 << 48) as f64;

    fn fx(v: f64) -> I80F48 {
        I80F48::from_num(v)
    }

    fn float(v: I80F48) -> f64 {
        v.to_num()
    }

    /// N(x) in double precision from libm's erfc (about 1e-16 absolute, and relative in the
    /// lower tail).
    fn norm_cdf_f64(x: f64) -> f64 {
        0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
    }

    /// ln x for an x that f64 holds exactly, as an exactly representable fixed part plus a
    /// small f64 remainder: x = m 2^e, ln x = e LN2_HI + (ln m + e LN2_LO). LN2_HI has 32
    /// fractional bits, so e LN2_HI is exact in I80F48 and the comparison is not limited by
    /// f64's own rounding of a result near 50.
    fn ln_reference(x: f64) -> (I80F48, f64) {
        const LN2_HI: f64 = 2_977_044_471.0 / 4_294_967_296.0; // ln 2 to 32 fractional bits
        let ln2_lo = core::f64::consts::LN_2 - LN2_HI;
        let e = x.log2().floor() as i32;
        let m = x / 2f64.powi(e); // exact
        let exact = fx(LN2_HI) * I80F48::from_num(e);
        (exact, libm::log(m) + f64::from(e) * ln2_lo)
    }

    /// |ln(x) - reference| for an f64-exact x.
    fn ln_error(got: I80F48, x: f64) -> f64 {
        let (exact, remainder) = ln_reference(x);
        (float(got - exact) - remainder).abs()
    }

    #[test]
    fn exp_matches_f64() {
        let (mut worst_abs, mut worst_rel) = (0f64, 0f64);
        let steps = 200_000;
        for i in 0..=steps {
            let x = fx(-40.0 + 94.75 * f64::from(i) / f64::from(steps));
            let got = float(exp(x).unwrap());
            let want = float(x).exp();
            if x <= I80F48::ZERO {
                worst_abs = worst_abs.max((got - want).abs());
            } else {
                worst_rel = worst_rel.max((got - want).abs() / want);
            }
        }
        println!("exp: x <= 0 max abs error {:.2} ulp, x > 0 max rel error {worst_rel:.2e}", worst_abs / ULP);
        assert!(worst_abs <= 3.0 * ULP, "{}", worst_abs / ULP);
        assert!(worst_rel <= 1.5e-14, "{worst_rel}");
        assert_eq!(exp(I80F48::ZERO).unwrap(), I80F48::ONE);
        assert_eq!(exp(I80F48::MIN).unwrap(), I80F48::ZERO);
        assert_eq!(exp(fx(-36.001)).unwrap(), I80F48::ZERO);
        assert!(exp(fx(54.758)).is_ok());
        assert_eq!(exp(fx(54.76)), Err(MathError::Overflow));
        assert_eq!(exp(fx(55.0)), Err(MathError::Overflow));
        assert_eq!(exp(I80F48::MAX), Err(MathError::Overflow));
    }

    #[test]
    fn ln_matches_f64() {
        // log-spaced over the whole positive range of I80F48, 2^-48 to 2^78, plus values near 1
        let mut worst = 0f64;
        let steps = 100_000;
        for i in 0..=steps {
            let x = fx(2f64.powf(-48.0 + 126.0 * f64::from(i) / f64::from(steps)));
            worst = worst.max(ln_error(ln(x).unwrap(), float(x)));
        }
        // within 1e-4 of 1 the reduction is exact (q = x, z = x - 1): one rounding, at most an ulp
        let mut worst_near_one = 0f64;
        for i in -20_000..=20_000 {
            let x = I80F48::ONE + I80F48::from_bits(i * 1_234_567);
            let got = float(ln(x).unwrap());
            let want = libm::log1p(float(x - I80F48::ONE));
            worst_near_one = worst_near_one.max((got - want).abs());
        }
        println!(
            "ln: max abs error {:.2} ulp; within 1e-4 of 1, {:.2} ulp",
            worst / ULP,
            worst_near_one / ULP
        );
        assert!(worst <= 4.5 * ULP, "{}", worst / ULP);
        assert!(worst_near_one <= 1.1 * ULP, "{}", worst_near_one / ULP);
        assert_eq!(ln(I80F48::ONE).unwrap(), I80F48::ZERO);
        assert_eq!(ln(I80F48::ZERO), Err(MathError::Overflow));
        assert_eq!(ln(-I80F48::ONE), Err(MathError::Overflow));
        assert!(ln(I80F48::MAX).is_ok() && ln(I80F48::DELTA).is_ok());
    }

    #[test]
    fn ln_ratio_matches_f64_over_extreme_ratios() {
        let mut worst = 0f64;
        let values: Vec<f64> = (0..=400).map(|i| 2f64.powf(-47.9 + 125.8 * f64::from(i) / 400.0)).collect();
        for &a in &values {
            for &b in values.iter().step_by(7) {
                let (a, b) = (fx(a), fx(b));
                let got = ln_ratio(a, b).unwrap();
                let (exact_a, rest_a) = ln_reference(float(a));
                let (exact_b, rest_b) = ln_reference(float(b));
                let err = (float(got - (exact_a - exact_b)) - (rest_a - rest_b)).abs();
                worst = worst.max(err);
            }
        }
        println!("ln_ratio: max abs error {:.2} ulp", worst / ULP);
        assert!(worst <= 4.5 * ULP, "{}", worst / ULP);
        // the ratio itself would overflow I80F48 here
        let huge = ln_ratio(I80F48::MAX, I80F48::DELTA).unwrap();
        assert!((float(huge) - 127.0 * core::f64::consts::LN_2).abs() < 1e-12, "{huge}");
        assert_eq!(ln_ratio(fx(3.0), fx(3.0)).unwrap(), I80F48::ZERO);
        assert_eq!(ln_ratio(fx(3.0), fx(6.0)).unwrap(), -ln(fx(2.0)).unwrap());
        assert_eq!(ln_ratio(I80F48::ZERO, I80F48::ONE), Err(MathError::Overflow));
        assert_eq!(ln_ratio(I80F48::ONE, -I80F48::ONE), Err(MathError::Overflow));
    }

    #[test]
    fn sqrt_matches_f64() {
        let (mut exact_floors, mut worst_rel) = (0, 0f64);
        for i in 0..=20_000 {
            let x = fx(2f64.powf(-48.0 + 126.0 * f64::from(i) / 20_000.0));
            let got = sqrt(x).unwrap();
            let bits = x.to_bits() as u128;
            if bits < 1 << 80 {
                // the floor exactly: got² <= x < (got + ulp)², in integers (x * 2^48 < 2^128)
                let (root, scaled) = (got.to_bits() as u128, bits << 48);
                assert!(root * root <= scaled && (root + 1).checked_mul(root + 1).is_none_or(|r| r > scaled));
                exact_floors += 1;
            } else {
                let want = float(x).sqrt();
                worst_rel = worst_rel.max((float(got) - want).abs() / want);
            }
        }
        println!("sqrt: exact floor in {exact_floors} cases below 2^32; above, max rel error {worst_rel:.2e} vs f64");
        assert!(worst_rel <= 1e-15, "{worst_rel}");
        assert_eq!(sqrt(fx(2.25)).unwrap(), fx(1.5));
        assert_eq!(sqrt(I80F48::ZERO).unwrap(), I80F48::ZERO);
        assert_eq!(sqrt(-I80F48::DELTA), Err(MathError::Overflow));
        assert!(sqrt(I80F48::MAX).is_ok());
    }

    #[test]
    fn norm_cdf_matches_erfc() {
        let (mut worst, mut worst_tail_rel) = (0f64, 0f64);
        let steps = 400_000;
        for i in 0..=steps {
            let x = fx(-10.0 + 20.0 * f64::from(i) / f64::from(steps));
            let (lower, upper) = norm_cdf_pair(x).unwrap();
            assert_eq!(lower + upper, I80F48::ONE);
            assert_eq!(norm_cdf(x).unwrap(), lower);
            let want = norm_cdf_f64(float(x));
            worst = worst.max((float(lower) - want).abs());
            // relative error of the tail where it is well above the resolution
            if want > 1e-10 && x < I80F48::ZERO {
                worst_tail_rel = worst_tail_rel.max((float(lower) - want).abs() / want);
            }
        }
        println!(
            "norm_cdf: max abs error {:.2} ulp; lower tail where N > 1e-10, max rel error {worst_tail_rel:.2e}",
            worst / ULP
        );
        assert!(worst <= 2.0 * ULP, "{}", worst / ULP);
        // exact saturation, never an error
        for x in [fx(8.0), fx(9.5), fx(1e6), I80F48::MAX] {
            assert_eq!(norm_cdf(x).unwrap(), I80F48::ONE);
            assert_eq!(norm_cdf(-x).unwrap(), I80F48::ZERO);
        }
        assert_eq!(norm_cdf(I80F48::MIN).unwrap(), I80F48::ZERO);
        assert!((float(norm_cdf(I80F48::ZERO).unwrap()) - 0.5).abs() <= 2.0 * ULP);
    }

    /// The polynomial pieces meet within an ulp, and each is monotone to within an ulp.
    #[test]
    fn norm_cdf_is_monotone_to_one_ulp() {
        let mut previous = I80F48::ZERO;
        let mut dips = 0;
        let mut x = -NORM_CDF_SATURATION - I80F48::ONE;
        let step = I80F48::from_bits(1 << 33);
        while x <= NORM_CDF_SATURATION + I80F48::ONE {
            let n = norm_cdf(x).unwrap();
            assert!(n >= previous - I80F48::DELTA, "N({x}) = {n} below {previous}");
            dips += usize::from(n < previous);
            previous = n;
            x += step;
        }
        // and across each boundary between pieces, bit by bit
        for boundary in 1..=16i128 {
            let b = boundary << 47;
            let mut previous = norm_cdf(I80F48::from_bits(-b - 64)).unwrap();
            for d in -63..=64 {
                let n = norm_cdf(I80F48::from_bits(-b + d)).unwrap();
                assert!(n >= previous - I80F48::DELTA, "at -{boundary}/2 + {d} ulp");
                previous = n;
            }
        }
        println!("norm_cdf: {dips} one-ulp dips in {} steps", (18i128 << 48) / (1 << 33));
    }

    #[test]
    fn norm_pdf_matches_f64() {
        let mut worst = 0f64;
        for i in 0..=200_000 {
            let x = fx(-10.0 + 20.0 * f64::from(i) / 200_000.0);
            let xv = float(x);
            let want = (-0.5 * xv * xv).exp() / (2.0 * core::f64::consts::PI).sqrt();
            worst = worst.max((float(norm_pdf(x).unwrap()) - want).abs());
        }
        println!("norm_pdf: max abs error {:.2} ulp", worst / ULP);
        assert!(worst <= 2.0 * ULP, "{}", worst / ULP);
        assert_eq!(norm_pdf(fx(9.0)).unwrap(), I80F48::ZERO);
        assert_eq!(norm_pdf(I80F48::MIN).unwrap(), I80F48::ZERO);
        assert_eq!(norm_pdf(I80F48::MAX).unwrap(), I80F48::ZERO);
    }
}
