pub use fixed::types::I80F48;

/// Arithmetic failures in pure code. Handlers map this to `BallastError::MathOverflow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathError {
    Overflow,
    DivisionByZero,
}

pub type MathResult<T> = Result<T, MathError>;

pub use crate::constants::{BPS_DENOMINATOR, PPM_DENOMINATOR};

/// Checked arithmetic that reports overflow as a `MathError` instead of panicking.
pub trait CheckedFixed: Sized {
    fn add_c(self, rhs: Self) -> MathResult<Self>;
    fn sub_c(self, rhs: Self) -> MathResult<Self>;
    fn mul_c(self, rhs: Self) -> MathResult<Self>;
    fn div_c(self, rhs: Self) -> MathResult<Self>;
}

impl CheckedFixed for I80F48 {
    #[inline]
    fn add_c(self, rhs: Self) -> MathResult<Self> {
        self.checked_add(rhs).ok_or(MathError::Overflow)
    }
    #[inline]
    fn sub_c(self, rhs: Self) -> MathResult<Self> {
        self.checked_sub(rhs).ok_or(MathError::Overflow)
    }
    /// Rounds toward negative infinity. On SBF through `mul_bits` (64-bit multiplies only), on a
    /// host through `fixed` (hardware 128-bit multiplies); the two agree bit for bit (property
    /// test `mul_bits_matches_fixed`), so off-chain health equals on-chain health.
    #[inline]
    fn mul_c(self, rhs: Self) -> MathResult<Self> {
        #[cfg(target_os = "solana")]
        let product = mul_bits(self.to_bits(), rhs.to_bits()).map(I80F48::from_bits);
        #[cfg(not(target_os = "solana"))]
        let product = self.checked_mul(rhs);
        product.ok_or(MathError::Overflow)
    }
    /// Rounds toward zero, like `fixed`. On SBF through `div_bits` (64-bit operations only), on
    /// a host through `fixed`; the two agree bit for bit (property test `div_bits_matches_fixed`).
    #[inline]
    fn div_c(self, rhs: Self) -> MathResult<Self> {
        if rhs == I80F48::ZERO {
            return Err(MathError::DivisionByZero);
        }
        #[cfg(target_os = "solana")]
        let quotient = div_bits(self.to_bits(), rhs.to_bits()).map(I80F48::from_bits);
        #[cfg(not(target_os = "solana"))]
        let quotient = self.checked_div(rhs);
        quotient.ok_or(MathError::Overflow)
    }
}

const FRAC_MASK: u128 = (1u128 << 48) - 1;

/// floor(a * b / 2^48) of two I80F48 bit patterns, or None when it does not fit: I80F48
/// multiplication, the same result as `fixed`'s `checked_mul`. Schoolbook on 32-bit limbs with
/// 64-bit multiplies: SBF has those as single instructions, while a 128-bit multiply is a helper
/// call, and the generic widening multiply needs several of them.
#[inline]
pub fn mul_bits(a: i128, b: i128) -> Option<i128> {
    let negative = (a < 0) != (b < 0);
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    let limbs_of = |x: u128| [x as u32, (x >> 32) as u32, (x >> 64) as u32, (x >> 96) as u32];
    let (al, bl) = (limbs_of(ua), limbs_of(ub));
    // 256-bit product in 32-bit limbs; each step is at most (2^32-1)^2 + 2 (2^32-1) < 2^64
    // (fixed bounds: the loops unroll; trimming them to the limbs in use measured dearer on SBF)
    let mut p = [0u64; 8];
    for i in 0..4 {
        if al[i] == 0 {
            continue;
        }
        let mut carry = 0u64;
        for j in 0..4 {
            let t = u64::from(al[i]) * u64::from(bl[j]) + p[i + j] + carry;
            p[i + j] = t & 0xFFFF_FFFF;
            carry = t >> 32;
        }
        p[i + 4] = carry;
    }
    // the result is bits 48..176 of the product
    if p[7] != 0 || p[6] != 0 || p[5] >> 16 != 0 {
        return None;
    }
    let magnitude = (u128::from(p[1]) >> 16)
        | (u128::from(p[2]) << 16)
        | (u128::from(p[3]) << 48)
        | (u128::from(p[4]) << 80)
        | (u128::from(p[5]) << 112);
    if !negative {
        return i128::try_from(magnitude).ok();
    }
    // floor for a negative product: one more unit down when bits were dropped
    let dropped = p[0] != 0 || p[1] & 0xFFFF != 0;
    let magnitude = magnitude.checked_add(u128::from(dropped))?;
    if magnitude > i128::MAX as u128 + 1 {
        return None;
    }
    Some((magnitude as i128).wrapping_neg())
}

/// Whether `a * b` is exactly representable (no fractional bits lost). The low 48 bits of the
/// full product depend only on the low 48 bits of each factor.
#[inline]
fn mul_is_exact(a: I80F48, b: I80F48) -> bool {
    let low = |x: I80F48| (x.to_bits() as u64) & (FRAC_MASK as u64);
    // the low 48 bits of a product are those of the product modulo 2^64: one 64-bit multiply
    // (a 128-bit one is a helper call on SBF)
    low(a).wrapping_mul(low(b)) & (FRAC_MASK as u64) == 0
}

/// `a * b` rounded up, for non-negative operands: one unit in the last place is added exactly
/// when the truncated product lost bits. Used for liabilities, which round up.
#[inline]
pub fn mul_ceil(a: I80F48, b: I80F48) -> MathResult<I80F48> {
    let product = a.mul_c(b)?;
    if a >= I80F48::ZERO && b >= I80F48::ZERO && mul_is_exact(a, b) {
        return Ok(product);
    }
    product.add_c(I80F48::DELTA)
}

/// `a / b` rounded up, for a non-negative numerator and positive divisor.
#[inline]
pub fn div_ceil(a: I80F48, b: I80F48) -> MathResult<I80F48> {
    let quotient = a.div_c(b)?;
    if a >= I80F48::ZERO && b > I80F48::ZERO && mul_is_exact(quotient, b) && quotient.mul_c(b)? == a {
        return Ok(quotient);
    }
    quotient.add_c(I80F48::DELTA)
}

/// (a * 2^48) / b of two I80F48 bit patterns, rounded toward zero, or None when it does not fit
/// (or b is zero): I80F48 division. Knuth's algorithm D on 32-bit limbs, so every step is a
/// 64-bit operation, which SBF executes as single instructions (a 128-bit divide is a long
/// helper loop there).
pub fn div_bits(a: i128, b: i128) -> Option<i128> {
    if b == 0 {
        return None;
    }
    let negative = (a < 0) != (b < 0);
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    // numerator ua << 48 as 6 limbs (at most 176 bits), divisor as up to 4 limbs
    // (constant shifts: a 128-bit shift by a variable amount is a branchy sequence on SBF)
    let num = [
        0,
        (ua << 16) as u32,
        (ua >> 16) as u32,
        (ua >> 48) as u32,
        (ua >> 80) as u32,
        (ua >> 112) as u32,
        0,
    ];
    let den = [ub as u32, (ub >> 32) as u32, (ub >> 64) as u32, (ub >> 96) as u32];
    let n_den = 4 - den.iter().rev().take_while(|d| **d == 0).count();
    // the numerator's limbs in use: the quotient's limbs above `n_num - n_den` are zero, so the
    // loops start there (each step skipped is a 64-bit division and a multiply-subtract)
    let n_num = 6 - num[..6].iter().rev().take_while(|d| **d == 0).count();
    if n_num < n_den {
        return Some(0);
    }
    let mut quot = [0u32; 6];
    if n_den == 1 {
        // short division
        let d = u64::from(den[0]);
        let mut r = 0u64;
        for i in (0..n_num).rev() {
            let cur = (r << 32) | u64::from(num[i]);
            quot[i] = (cur / d) as u32;
            r = cur % d;
        }
    } else {
        // normalise so the divisor's top limb has its high bit set
        let shift = den[n_den - 1].leading_zeros();
        let mut d = [0u32; 4];
        for i in (0..n_den).rev() {
            let lower = if i > 0 && shift > 0 { den[i - 1] >> (32 - shift) } else { 0 };
            d[i] = (den[i] << shift) | lower;
        }
        let mut n = [0u32; 7];
        n[6] = if shift > 0 { num[5] >> (32 - shift) } else { 0 };
        for i in (0..6).rev() {
            let lower = if i > 0 && shift > 0 { num[i - 1] >> (32 - shift) } else { 0 };
            n[i] = (num[i] << shift) | lower;
        }
        let top = u64::from(d[n_den - 1]);
        let next = u64::from(d[n_den - 2]);
        for j in (0..=(n_num - n_den)).rev() {
            let numerator = (u64::from(n[j + n_den]) << 32) | u64::from(n[j + n_den - 1]);
            let mut qhat = numerator / top;
            let mut rhat = numerator % top;
            while qhat > u64::from(u32::MAX) || qhat * next > ((rhat << 32) | u64::from(n[j + n_den - 2])) {
                qhat -= 1;
                rhat += top;
                if rhat > u64::from(u32::MAX) {
                    break;
                }
            }
            // multiply and subtract
            let mut borrow: i64 = 0;
            let mut carry: u64 = 0;
            for i in 0..n_den {
                let p = qhat * u64::from(d[i]) + carry;
                carry = p >> 32;
                let t = i64::from(n[i + j]) - borrow - (p & 0xFFFF_FFFF) as i64;
                n[i + j] = t as u32;
                borrow = if t < 0 { 1 } else { 0 };
            }
            let t = i64::from(n[j + n_den]) - borrow - carry as i64;
            n[j + n_den] = t as u32;
            if t < 0 {
                // qhat was one too large: add the divisor back
                qhat -= 1;
                let mut c: u64 = 0;
                for i in 0..n_den {
                    let s = u64::from(n[i + j]) + u64::from(d[i]) + c;
                    n[i + j] = s as u32;
                    c = s >> 32;
                }
                n[j + n_den] = n[j + n_den].wrapping_add(c as u32);
            }
            quot[j] = qhat as u32;
        }
    }
    if quot[4] != 0 || quot[5] != 0 {
        return None;
    }
    let magnitude = u128::from(quot[0])
        | (u128::from(quot[1]) << 32)
        | (u128::from(quot[2]) << 64)
        | (u128::from(quot[3]) << 96);
    if negative {
        if magnitude > i128::MAX as u128 + 1 {
            return None;
        }
        Some((magnitude as i128).wrapping_neg())
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// floor(n / d) for a divisor below 2^32, by long division in 32-bit digits with 64-bit
/// operations. SBF has no 128-bit divide: the generic helper (and I80F48 division, which widens
/// further) costs far more compute than these four steps.
#[inline]
pub fn div_u128_by_u32(n: u128, d: u32) -> u128 {
    div_rem_u128_by_u32(n, d).0
}

/// `div_u128_by_u32` with the remainder.
#[inline]
pub fn div_rem_u128_by_u32(n: u128, d: u32) -> (u128, u64) {
    let d = u64::from(d.max(1));
    let mut q: u128 = 0;
    let mut r: u64 = 0;
    for shift in [96u32, 64, 32, 0] {
        let cur = (r << 32) | ((n >> shift) as u64 & 0xFFFF_FFFF);
        q |= u128::from(cur / d) << shift;
        r = cur % d;
    }
    (q, r)
}

/// A non-negative I80F48 divided by a positive integer below 2^32, rounded down (the same
/// result as I80F48 division, for a fraction of the compute).
#[inline]
pub fn div_by_u32(value: I80F48, d: u32) -> MathResult<I80F48> {
    if d == 0 {
        return Err(MathError::DivisionByZero);
    }
    if value < I80F48::ZERO {
        return value.div_c(I80F48::from_num(d));
    }
    Ok(I80F48::from_bits(div_u128_by_u32(value.to_bits() as u128, d) as i128))
}

/// `value * n` for an integer `n`, exact (a product of the bits, no rounding): what a position
/// of `n` contracts is worth when `value` is per contract. A plain 128-bit multiplication.
/// Schoolbook on 32-bit limbs (a 128-bit by 64-bit product in six 64-bit multiplies), as
/// `mul_bits`: a checked 128-bit multiplication is a costly helper call on SBF, and a margin
/// check does one per scenario per option position.
#[inline]
pub fn mul_int(value: I80F48, n: i128) -> MathResult<I80F48> {
    let a = value.to_bits();
    let (ua, un) = (a.unsigned_abs(), n.unsigned_abs());
    if un >> 64 != 0 {
        return a.checked_mul(n).map(I80F48::from_bits).ok_or(MathError::Overflow);
    }
    let negative = (a < 0) != (n < 0);
    let al = [ua as u32, (ua >> 32) as u32, (ua >> 64) as u32, (ua >> 96) as u32];
    let nl = [un as u32, (un >> 32) as u32];
    // 192-bit product in 32-bit limbs; each step is at most (2^32-1)^2 + 2 (2^32-1) < 2^64
    let mut p = [0u64; 6];
    for (j, &b) in nl.iter().enumerate() {
        if b == 0 {
            continue;
        }
        let mut carry = 0u64;
        for (i, &x) in al.iter().enumerate() {
            let t = u64::from(x) * u64::from(b) + p[i + j] + carry;
            p[i + j] = t & 0xFFFF_FFFF;
            carry = t >> 32;
        }
        p[j + 4] += carry;
    }
    if p[4] != 0 || p[5] != 0 {
        return Err(MathError::Overflow);
    }
    let magnitude =
        u128::from(p[0]) | (u128::from(p[1]) << 32) | (u128::from(p[2]) << 64) | (u128::from(p[3]) << 96);
    let bits = if negative {
        if magnitude > i128::MAX as u128 + 1 {
            return Err(MathError::Overflow);
        }
        (magnitude as i128).wrapping_neg()
    } else {
        i128::try_from(magnitude).map_err(|_| MathError::Overflow)?
    };
    Ok(I80F48::from_bits(bits))
}

/// A basis-point quantity as a fraction (10_000 bps = 1), rounded down.
#[inline]
pub fn from_bps(bps: u32) -> I80F48 {
    I80F48::from_bits(div_u128_by_u32(u128::from(bps) << 48, BPS_DENOMINATOR) as i128)
}

/// A parts-per-million quantity as a fraction, rounded down.
#[inline]
pub fn from_ppm(ppm: u32) -> I80F48 {
    I80F48::from_bits(div_u128_by_u32(u128::from(ppm) << 48, PPM_DENOMINATOR) as i128)
}

/// 10^exp as I80F48 for exp in 0..=23 (10^24 exceeds the 80 integer bits). Up to 10^19 from a
/// table, since u128 powers cost a multiplication helper call per step on SBF.
pub fn pow10(exp: u32) -> MathResult<I80F48> {
    const TABLE: [u64; 20] = {
        let mut t = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            t[i] = t[i - 1] * 10;
            i += 1;
        }
        t
    };
    match exp {
        0..=19 => Ok(I80F48::from_num(TABLE[exp as usize])),
        20..=23 => Ok(I80F48::from_num(10u128.pow(exp))),
        _ => Err(MathError::Overflow),
    }
}

/// `value * 10^exp` for a signed exponent; negative exponents divide (rounding down), in steps
/// of at most 10^9 so each step is a cheap division by a 32-bit integer.
pub fn scale_pow10(value: I80F48, exp: i32) -> MathResult<I80F48> {
    if exp >= 0 {
        return value.mul_c(pow10(exp.unsigned_abs())?);
    }
    let mut remaining = exp.unsigned_abs();
    let mut out = value;
    while remaining > 0 {
        let step = remaining.min(9);
        out = div_by_u32(out, 10u32.pow(step))?;
        remaining -= step;
    }
    Ok(out)
}

/// `value * 10^exp` rounded down and rounded up, in one pass (a debt's price needs the
/// ceiling, collateral's the floor). For a negative exponent the floor equals `scale_pow10`'s
/// and the ceiling is one ulp above it exactly when some division step left a remainder.
pub fn scale_pow10_floor_ceil(value: I80F48, exp: i32) -> MathResult<(I80F48, I80F48)> {
    if exp >= 0 || value < I80F48::ZERO {
        let v = scale_pow10(value, exp)?;
        return Ok((v, v));
    }
    let mut remaining = exp.unsigned_abs();
    let mut bits = value.to_bits() as u128;
    let mut inexact = false;
    while remaining > 0 {
        let step = remaining.min(9);
        let (q, r) = div_rem_u128_by_u32(bits, 10u32.pow(step));
        inexact |= r != 0;
        bits = q;
        remaining -= step;
    }
    let floor = i128::try_from(bits).map_err(|_| MathError::Overflow)?;
    Ok((I80F48::from_bits(floor), I80F48::from_bits(floor + i128::from(inexact))))
}

/// Floor of a non-negative I80F48 as a u64 token amount.
pub fn to_u64_floor(value: I80F48) -> MathResult<u64> {
    if value < I80F48::ZERO {
        return Err(MathError::Overflow);
    }
    value.checked_floor().and_then(|v| v.checked_to_num::<u64>()).ok_or(MathError::Overflow)
}

/// Ceiling of a non-negative I80F48 as a u64 token amount.
pub fn to_u64_ceil(value: I80F48) -> MathResult<u64> {
    if value < I80F48::ZERO {
        return Err(MathError::Overflow);
    }
    value.checked_ceil().and_then(|v| v.checked_to_num::<u64>()).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_directions() {
        let third = I80F48::ONE.div_c(I80F48::from_num(3)).unwrap();
        let up = div_ceil(I80F48::ONE, I80F48::from_num(3)).unwrap();
        assert!(up > third);
        assert_eq!(up - third, I80F48::DELTA);
        assert_eq!(mul_ceil(I80F48::ZERO, third).unwrap(), I80F48::ZERO);
        // exact results are not bumped
        assert_eq!(div_ceil(I80F48::from_num(6), I80F48::from_num(3)).unwrap(), I80F48::from_num(2));
        assert_eq!(mul_ceil(I80F48::from_num(1.5), I80F48::from_num(4)).unwrap(), I80F48::from_num(6));
        // inexact ones are, by one ulp
        let tenth = I80F48::from_num(0.1);
        assert_eq!(mul_ceil(tenth, tenth).unwrap(), tenth * tenth + I80F48::DELTA);
        assert_eq!(to_u64_floor(I80F48::from_num(2.9)).unwrap(), 2);
        assert_eq!(to_u64_ceil(I80F48::from_num(2.1)).unwrap(), 3);
        assert_eq!(to_u64_ceil(I80F48::from_num(2)).unwrap(), 2);
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(I80F48::MAX.add_c(I80F48::ONE), Err(MathError::Overflow));
        assert_eq!(I80F48::MAX.mul_c(I80F48::from_num(2)), Err(MathError::Overflow));
        assert_eq!(I80F48::ONE.div_c(I80F48::ZERO), Err(MathError::DivisionByZero));
        assert_eq!(pow10(24), Err(MathError::Overflow));
        assert_eq!(scale_pow10(I80F48::from_num(150), -3).unwrap(), I80F48::from_num(0.15));
    }

    proptest::proptest! {
        /// The limb multiplication is `fixed`'s, bit for bit, overflow included.
        #[test]
        fn mul_bits_matches_fixed(a in proptest::prelude::any::<i128>(), b in proptest::prelude::any::<i128>(), sa in 0u32..128, sb in 0u32..128) {
            let (a, b) = (a >> sa, b >> sb);
            let ours = mul_bits(a, b);
            let theirs = I80F48::from_bits(a).checked_mul(I80F48::from_bits(b)).map(|v| v.to_bits());
            proptest::prop_assert_eq!(ours, theirs, "{} * {}", a, b);
        }
    }

    proptest::proptest! {
        /// The 64-bit exactness test of `mul_ceil` is the 128-bit product's.
        #[test]
        fn mul_is_exact_matches_the_wide_product(a in proptest::prelude::any::<i128>(), b in proptest::prelude::any::<i128>()) {
            let wide = ((a as u128 & FRAC_MASK) * (b as u128 & FRAC_MASK)) & FRAC_MASK == 0;
            proptest::prop_assert_eq!(mul_is_exact(I80F48::from_bits(a), I80F48::from_bits(b)), wide);
        }
    }

    proptest::proptest! {
        /// The limb product by an integer is the checked 128-bit product, overflow included.
        #[test]
        fn mul_int_matches_checked_mul(a in proptest::prelude::any::<i128>(), n in proptest::prelude::any::<i128>(), sa in 0u32..128, sn in 0u32..128) {
            let (a, n) = (a >> sa, n >> sn);
            let ours = mul_int(I80F48::from_bits(a), n).ok().map(|v| v.to_bits());
            proptest::prop_assert_eq!(ours, a.checked_mul(n), "{} * {}", a, n);
        }
    }

    #[test]
    fn mul_int_edges() {
        for (a, n) in [
            (i128::MIN, 1),
            (i128::MIN, -1),
            (i128::MAX, -1),
            (1 << 126, 2),
            (-(1 << 126), 2),
            (i128::MIN / 2, 2),
            (-1, i128::from(i64::MIN)),
            (3, 1 << 64),
        ] {
            assert_eq!(
                mul_int(I80F48::from_bits(a), n).ok().map(|v| v.to_bits()),
                a.checked_mul(n),
                "{a} * {n}"
            );
        }
    }

    proptest::proptest! {
        /// The limb division is `fixed`'s, bit for bit, overflow included.
        #[test]
        fn div_bits_matches_fixed(a in proptest::prelude::any::<i128>(), b in proptest::prelude::any::<i128>(), sa in 0u32..128, sb in 0u32..128) {
            let (a, b) = (a >> sa, b >> sb);
            let theirs = if b == 0 { None } else { I80F48::from_bits(a).checked_div(I80F48::from_bits(b)).map(|v| v.to_bits()) };
            proptest::prop_assert_eq!(div_bits(a, b), theirs, "{} / {}", a, b);
        }
    }

    #[test]
    fn div_bits_edges() {
        let cases = [
            (1i128 << 48, 3i128 << 48),
            (-(7i128 << 48), 2i128 << 48),
            (i128::MAX, 1i128 << 48),
            (i128::MIN, 1i128 << 48),
            (i128::MIN, -(1i128 << 48)),
            (i128::MAX, 1),
            (5, i128::MAX),
            (123_456_789_012_345_678_901_234_567i128, 987_654_321_987i128),
            (1i128 << 100, (1i128 << 64) + 12345),
            (0xFFFF_FFFF_FFFF_FFFF_FFFF_FFFFi128, 0xFFFF_FFFF_0000_0001i128),
        ];
        for (a, b) in cases {
            let theirs = I80F48::from_bits(a).checked_div(I80F48::from_bits(b)).map(|v| v.to_bits());
            assert_eq!(div_bits(a, b), theirs, "{a} / {b}");
        }
        assert_eq!(div_bits(1, 0), None);
    }

    #[test]
    fn mul_bits_edges() {
        for (a, b) in [
            (0i128, 5i128),
            (-1, 1),
            (-1, -1),
            (i128::MIN, 1 << 48),
            (i128::MAX, 1 << 48),
            (i128::MIN, -(1 << 48)),
            (-(1 << 48), 3),
            (7, -3),
        ] {
            let theirs = I80F48::from_bits(a).checked_mul(I80F48::from_bits(b)).map(|v| v.to_bits());
            assert_eq!(mul_bits(a, b), theirs, "{a} * {b}");
        }
    }

    #[test]
    fn small_divisor_division_matches_fixed_division() {
        for (v, d) in [(123.456, 7u32), (1e15, 1_000_000_000), (0.0001, 3), (6.0e23, 31_536_000), (0.0, 5)] {
            let x = I80F48::from_num(v);
            assert_eq!(div_by_u32(x, d).unwrap(), x / I80F48::from_num(d), "{v} / {d}");
        }
        assert_eq!(div_by_u32(I80F48::ONE, 0), Err(MathError::DivisionByZero));
        // a floor of floors is the floor: 10^-11 in two steps equals one division by 10^11
        let p = I80F48::from_num(15_000_000_000i64);
        assert_eq!(scale_pow10(p, -11).unwrap(), p / I80F48::from_num(100_000_000_000i64));
        assert_eq!(from_ppm(1_000), I80F48::from_num(1_000) / I80F48::from_num(1_000_000));
    }

    #[test]
    fn bps() {
        assert_eq!(from_bps(10_000), I80F48::ONE);
        assert_eq!(from_bps(5_000), I80F48::from_num(0.5));
        for bps in [1u32, 3, 333, 8_000, 10_500, 123_456] {
            assert_eq!(from_bps(bps), I80F48::from_num(bps) / I80F48::from_num(10_000));
        }
    }
}
