//! Max borrow / max withdraw for a target health: the largest amount of an action that leaves
//! the account at or above the target (Mango's `max_borrow_for_health_ratio` is the model).
//!
//! Health after a borrow or withdrawal of `x` native units is non-increasing in `x` at every
//! level: the position's balance falls, its size factor and the pool's scaling only worsen, and
//! rounding goes against the account. Closed forms would have to invert every factor (size,
//! total scaling, concentration, correlation) and would drift from the margin check whenever one
//! changes; so the search evaluates the same `health` the margin check runs, by bisection over
//! the integer amount, and is exact: the amount it returns passes and one unit more does not.
//! Callers simulate the instruction's own state change (shares, pool totals) in `health_after`.

use crate::math::I80F48;

/// Largest `x` in `[0, upper]` with `health_after(x) >= target`, for `health_after`
/// non-increasing in `x`; `None` when even `x = 0` is below the target. An error from
/// `health_after` at a candidate counts as below the target (an amount the instruction would
/// refuse), so the search stays inside what the program accepts. About 64 evaluations.
pub fn max_amount_for_health<E>(
    upper: u64,
    target: I80F48,
    mut health_after: impl FnMut(u64) -> Result<I80F48, E>,
) -> Option<u64> {
    let mut passes = |x: u64| health_after(x).map(|h| h >= target).unwrap_or(false);
    if !passes(0) {
        return None;
    }
    if passes(upper) {
        return Some(upper);
    }
    // invariant: passes(lo) and !passes(hi)
    let (mut lo, mut hi) = (0u64, upper);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if passes(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// $1,000 of collateral at weight 0.8 against a borrow at weight 1.25 per unit of $1: the
    /// health after borrowing x is 800 - 1.25x, zero at x = 640.
    #[test]
    fn finds_the_exact_boundary() {
        let h = |x: u64| -> Result<I80F48, ()> {
            Ok(I80F48::from_num(800) - I80F48::from_num(x) * I80F48::from_num(1.25))
        };
        assert_eq!(max_amount_for_health(u64::MAX, I80F48::ZERO, h), Some(640));
        assert_eq!(max_amount_for_health(500, I80F48::ZERO, h), Some(500));
        assert_eq!(max_amount_for_health(u64::MAX, I80F48::from_num(100), h), Some(560));
        assert_eq!(max_amount_for_health(u64::MAX, I80F48::from_num(801), h), None);
    }

    #[test]
    fn an_error_counts_as_refused() {
        let h = |x: u64| if x > 10 { Err(()) } else { Ok(I80F48::ONE) };
        assert_eq!(max_amount_for_health(1_000, I80F48::ZERO, h), Some(10));
    }
}
