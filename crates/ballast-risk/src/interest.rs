//! Interest: a kinked utilisation curve and index accrual. Deposits and borrows are stored as
//! shares; `native = shares * index`. Accrual raises the borrow index by the borrow rate over the
//! elapsed time and spreads the interest, less the protocol's share, over deposit shares.

use crate::math::{div_ceil, mul_ceil, CheckedFixed, MathResult, I80F48};

pub use crate::constants::SECONDS_PER_YEAR;

/// The lowest deposit index a socialised loss may leave: 2^-20. Zero would make every later
/// deposit a division by zero; at 2^-20 a deposit of u64::MAX native units still has shares in
/// range.
pub const MIN_DEPOSIT_INDEX: I80F48 = I80F48::from_bits(1 << 28);

/// Annual borrow rate as a piecewise-linear function of utilisation through
/// (0, 0), (util0, rate0), (util1, rate1), (1, max_rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateCurve {
    pub util0: I80F48,
    pub rate0: I80F48,
    pub util1: I80F48,
    pub rate1: I80F48,
    pub max_rate: I80F48,
}

impl RateCurve {
    pub fn borrow_rate(&self, utilisation: I80F48) -> MathResult<I80F48> {
        let u = utilisation.clamp(I80F48::ZERO, I80F48::ONE);
        let lerp = |u0: I80F48, r0: I80F48, u1: I80F48, r1: I80F48| -> MathResult<I80F48> {
            if u1 <= u0 {
                return Ok(r1);
            }
            r0.add_c(r1.sub_c(r0)?.mul_c(u.sub_c(u0)?)?.div_c(u1.sub_c(u0)?)?)
        };
        if u <= self.util0 {
            lerp(I80F48::ZERO, I80F48::ZERO, self.util0, self.rate0)
        } else if u <= self.util1 {
            lerp(self.util0, self.rate0, self.util1, self.rate1)
        } else {
            lerp(self.util1, self.rate1, I80F48::ONE, self.max_rate)
        }
    }
}

/// The per-asset lending state accrual updates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LendingState {
    pub deposit_index: I80F48,
    pub borrow_index: I80F48,
    pub deposit_shares: I80F48,
    pub borrow_shares: I80F48,
    /// Native tokens held in the vault for the insurance fund (its interest share and its share
    /// of liquidation bonuses); it pays bankruptcies of this asset first.
    pub insurance_fund: I80F48,
}

impl LendingState {
    pub fn total_deposits(&self) -> MathResult<I80F48> {
        self.deposit_shares.mul_c(self.deposit_index)
    }
    pub fn total_borrows(&self) -> MathResult<I80F48> {
        self.borrow_shares.mul_c(self.borrow_index)
    }
    /// Native balance of a position with `shares` (positive deposit, negative borrow), rounded
    /// against the account: deposits down, borrows up.
    pub fn native_balance(&self, shares: I80F48) -> MathResult<I80F48> {
        if shares >= I80F48::ZERO {
            shares.mul_c(self.deposit_index)
        } else {
            let debt = mul_ceil(I80F48::ZERO.sub_c(shares)?, self.borrow_index)?;
            I80F48::ZERO.sub_c(debt)
        }
    }

    /// A deposit of `amount` native units into a position with `shares` (>= 0): returns the new
    /// shares. Shares round down: the depositor gets at most what they paid for.
    pub fn deposit(&mut self, shares: I80F48, amount: I80F48) -> MathResult<I80F48> {
        let added = amount.div_c(self.deposit_index)?;
        self.deposit_shares = self.deposit_shares.add_c(added)?;
        shares.add_c(added)
    }

    /// A withdrawal of `amount` native units (at most the position's balance) from a deposit with
    /// `shares` (> 0): returns the new shares. Shares round up: the withdrawer gives up at least
    /// what they take; a remainder under one native unit is dropped, which frees the slot.
    pub fn withdraw(&mut self, shares: I80F48, amount: I80F48) -> MathResult<I80F48> {
        let native = self.native_balance(shares)?;
        let mut removed = div_ceil(amount, self.deposit_index)?.min(shares);
        if native.sub_c(amount)? < I80F48::ONE {
            removed = shares;
        }
        self.deposit_shares = self.deposit_shares.sub_c(removed)?.max(I80F48::ZERO);
        shares.sub_c(removed)
    }

    /// A borrow of `amount` native units onto a position with `shares` (<= 0): returns the new
    /// shares. Debt shares round up: the borrower owes at least what they took.
    pub fn borrow(&mut self, shares: I80F48, amount: I80F48) -> MathResult<I80F48> {
        let added = div_ceil(amount, self.borrow_index)?;
        self.borrow_shares = self.borrow_shares.add_c(added)?;
        shares.sub_c(added)
    }

    /// A repayment of `amount` native units of a debt with `shares` (< 0); `whole` clears the
    /// debt exactly (the caller has checked `amount` covers it). Returns the new shares. A partial
    /// repayment rounds down: it clears at most what it paid for.
    pub fn repay(&mut self, shares: I80F48, amount: I80F48, whole: bool) -> MathResult<I80F48> {
        let removed = if whole { I80F48::ZERO.sub_c(shares)? } else { amount.div_c(self.borrow_index)? };
        self.borrow_shares = self.borrow_shares.sub_c(removed)?.max(I80F48::ZERO);
        shares.add_c(removed)
    }

    /// Adds a signed native amount to a position and returns its new shares, keeping the share
    /// totals in step. Rounds against the account whose position changes: it receives at most,
    /// and gives up at least, the amount. A change that crosses zero closes one side and opens
    /// the other.
    pub fn change_native(&mut self, shares: I80F48, delta: I80F48) -> MathResult<I80F48> {
        let native = self.native_balance(shares)?;
        if delta >= I80F48::ZERO {
            if shares >= I80F48::ZERO {
                let added = delta.div_c(self.deposit_index)?;
                self.deposit_shares = self.deposit_shares.add_c(added)?;
                return shares.add_c(added);
            }
            let debt = I80F48::ZERO.sub_c(native)?;
            if delta < debt {
                let repaid = delta.div_c(self.borrow_index)?;
                self.borrow_shares = self.borrow_shares.sub_c(repaid)?.max(I80F48::ZERO);
                return shares.add_c(repaid);
            }
            // debt cleared, the rest becomes a deposit
            self.borrow_shares = self.borrow_shares.add_c(shares)?.max(I80F48::ZERO);
            return self.change_native(I80F48::ZERO, delta.sub_c(debt)?);
        }
        let out = I80F48::ZERO.sub_c(delta)?;
        if shares <= I80F48::ZERO {
            let added = div_ceil(out, self.borrow_index)?;
            self.borrow_shares = self.borrow_shares.add_c(added)?;
            return shares.sub_c(added);
        }
        if out <= native {
            let removed = div_ceil(out, self.deposit_index)?.min(shares);
            self.deposit_shares = self.deposit_shares.sub_c(removed)?.max(I80F48::ZERO);
            return shares.sub_c(removed);
        }
        // deposit used up, the rest becomes a debt
        self.deposit_shares = self.deposit_shares.sub_c(shares)?.max(I80F48::ZERO);
        self.change_native(I80F48::ZERO, I80F48::ZERO.sub_c(out.sub_c(native)?)?)
    }

    /// Writes off a debt with `shares` (< 0) that no collateral backs: the insurance fund pays
    /// what it can, the depositors absorb the rest (`socialize_loss`), and what they cannot is
    /// bad debt. The debt's shares leave the pool.
    pub fn write_off_debt(&mut self, shares: I80F48) -> MathResult<WriteOff> {
        let debt = I80F48::ZERO.sub_c(self.native_balance(shares)?)?;
        let from_insurance = debt.min(self.insurance_fund);
        let socialized = debt.sub_c(from_insurance)?;
        self.insurance_fund = self.insurance_fund.sub_c(from_insurance)?;
        self.borrow_shares = self.borrow_shares.add_c(shares)?.max(I80F48::ZERO);
        let bad_debt = self.socialize_loss(socialized)?;
        Ok(WriteOff { debt, from_insurance, socialized: socialized.sub_c(bad_debt)?, bad_debt })
    }

    /// Moves a whole deposit with `shares` (> 0) into the insurance fund (a bankrupt account's
    /// dust collateral): returns its native value, which the fund now holds.
    pub fn sweep_deposit_to_insurance(&mut self, shares: I80F48) -> MathResult<I80F48> {
        let native = self.native_balance(shares)?;
        self.deposit_shares = self.deposit_shares.sub_c(shares)?.max(I80F48::ZERO);
        self.insurance_fund = self.insurance_fund.add_c(native)?;
        Ok(native)
    }

    /// Spreads a loss of `loss` native units over the depositors by lowering the deposit index
    /// by at least the loss per share (rounded up, so their claims never exceed what the vault
    /// holds), but never below `MIN_DEPOSIT_INDEX`: every later deposit divides by the index.
    /// Returns the part the depositors could not absorb (all of it when there are none), which
    /// the caller records as bad debt.
    pub fn socialize_loss(&mut self, loss: I80F48) -> MathResult<I80F48> {
        if loss <= I80F48::ZERO {
            return Ok(I80F48::ZERO);
        }
        if self.deposit_shares <= I80F48::ZERO {
            return Ok(loss);
        }
        let room = self.deposit_index.sub_c(MIN_DEPOSIT_INDEX)?.max(I80F48::ZERO);
        // What the depositors can absorb, compared before dividing: with ulp-sized total shares
        // the loss per share would overflow.
        let absorbed = room.mul_c(self.deposit_shares)?;
        if loss <= absorbed {
            let per_share = div_ceil(loss, self.deposit_shares)?;
            if per_share <= room {
                self.deposit_index = self.deposit_index.sub_c(per_share)?;
                return Ok(I80F48::ZERO);
            }
        }
        self.deposit_index = self.deposit_index.min(MIN_DEPOSIT_INDEX);
        Ok(loss.sub_c(absorbed)?.max(I80F48::ZERO))
    }

    pub fn utilisation(&self) -> MathResult<I80F48> {
        let deposits = self.total_deposits()?;
        if deposits <= I80F48::ZERO {
            return Ok(I80F48::ZERO);
        }
        Ok(self.total_borrows()?.div_c(deposits)?.min(I80F48::ONE))
    }
}

/// How a written-off debt was covered, in native units: `debt = from_insurance + socialized +
/// bad_debt`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteOff {
    pub debt: I80F48,
    pub from_insurance: I80F48,
    /// Absorbed by the depositors through a lower deposit index.
    pub socialized: I80F48,
    /// What the depositors could not absorb (`socialize_loss`).
    pub bad_debt: I80F48,
}

/// Accrues `elapsed_secs` of interest. Borrowers' index rounds up, depositors' down, so the vault
/// always covers what depositors and the insurance fund are owed. Returns the borrow rate used
/// (zero when nothing accrues: no time passed or nothing borrowed).
pub fn accrue_interest(
    state: &mut LendingState,
    curve: &RateCurve,
    protocol_fee: I80F48,
    elapsed_secs: i64,
) -> MathResult<I80F48> {
    if elapsed_secs <= 0 || state.borrow_shares == I80F48::ZERO {
        return Ok(I80F48::ZERO);
    }
    let rate = curve.borrow_rate(state.utilisation()?)?;
    if rate == I80F48::ZERO {
        return Ok(rate);
    }
    let growth =
        crate::math::div_by_u32(rate.mul_c(I80F48::from_num(elapsed_secs))?, SECONDS_PER_YEAR as u32)?;
    let borrows_before = state.total_borrows()?;
    let index_increase = mul_ceil(state.borrow_index, growth)?;
    let new_borrow_index = state.borrow_index.add_c(index_increase)?;
    let interest = state.borrow_shares.mul_c(new_borrow_index)?.sub_c(borrows_before)?;
    let fee = interest.mul_c(protocol_fee)?;
    let to_depositors = interest.sub_c(fee)?;
    state.borrow_index = new_borrow_index;
    if state.deposit_shares > I80F48::ZERO {
        state.deposit_index = state.deposit_index.add_c(to_depositors.div_c(state.deposit_shares)?)?;
        state.insurance_fund = state.insurance_fund.add_c(fee)?;
    } else {
        // Nobody to pay: the whole interest belongs to the insurance fund.
        state.insurance_fund = state.insurance_fund.add_c(interest)?;
    }
    Ok(rate)
}

/// Interest bounds without computing the curve: the borrow index after `elapsed_secs` at no
/// more than `max_rate`, rounded up; the deposit index stays (it only grows, so the stored one is
/// a lower bound). Health checks of assets an instruction does not touch use this: it is
/// conservative for both sides and costs one multiplication and a small division, where exact
/// accrual needs three full fixed-point divisions.
pub fn bound_interest(state: &mut LendingState, max_rate: I80F48, elapsed_secs: i64) -> MathResult<()> {
    if elapsed_secs <= 0 || state.borrow_shares == I80F48::ZERO || max_rate == I80F48::ZERO {
        return Ok(());
    }
    let growth =
        crate::math::div_by_u32(max_rate.mul_c(I80F48::from_num(elapsed_secs))?, SECONDS_PER_YEAR as u32)?
            .add_c(I80F48::DELTA)?;
    state.borrow_index = state.borrow_index.add_c(mul_ceil(state.borrow_index, growth)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> RateCurve {
        RateCurve {
            util0: I80F48::from_num(0.5),
            rate0: I80F48::from_num(0.05),
            util1: I80F48::from_num(0.8),
            rate1: I80F48::from_num(0.2),
            max_rate: I80F48::from_num(2),
        }
    }

    fn near(a: I80F48, b: f64, tol: f64) -> bool {
        (a - I80F48::from_num(b)).abs() <= I80F48::from_num(tol)
    }

    #[test]
    fn kinked_curve_points() {
        let c = curve();
        assert_eq!(c.borrow_rate(I80F48::ZERO).unwrap(), I80F48::ZERO);
        assert!(near(c.borrow_rate(I80F48::from_num(0.25)).unwrap(), 0.025, 1e-9));
        assert!(near(c.borrow_rate(I80F48::from_num(0.5)).unwrap(), 0.05, 1e-9));
        assert!(near(c.borrow_rate(I80F48::from_num(0.65)).unwrap(), 0.125, 1e-9));
        assert!(near(c.borrow_rate(I80F48::from_num(0.9)).unwrap(), 1.1, 1e-9));
        assert!(near(c.borrow_rate(I80F48::ONE).unwrap(), 2.0, 1e-9));
    }

    #[test]
    fn one_year_at_fifty_percent_utilisation() {
        // 1000 deposited, 500 borrowed -> 5% APR; 10% fee. After a year: borrows 525, interest 25,
        // 2.5 to fees, 22.5 to depositors (1022.5).
        let mut s = LendingState {
            deposit_index: I80F48::ONE,
            borrow_index: I80F48::ONE,
            deposit_shares: I80F48::from_num(1000),
            borrow_shares: I80F48::from_num(500),
            insurance_fund: I80F48::ZERO,
        };
        let rate = accrue_interest(&mut s, &curve(), I80F48::from_num(0.1), SECONDS_PER_YEAR).unwrap();
        assert!(near(rate, 0.05, 1e-9));
        assert!(near(s.total_borrows().unwrap(), 525.0, 1e-6));
        assert!(near(s.insurance_fund, 2.5, 1e-6));
        assert!(near(s.total_deposits().unwrap(), 1022.5, 1e-6));
        // solvency: deposits + fees never exceed what borrowers owe plus the cash
        let cash = I80F48::from_num(500);
        assert!(s.total_deposits().unwrap() + s.insurance_fund <= cash + s.total_borrows().unwrap());
    }

    /// A large loss over ulp-sized deposit shares: the depositors absorb what they hold, the
    /// index stops at its floor, and nothing overflows.
    #[test]
    fn socializing_a_loss_over_dust_shares_does_not_overflow() {
        let mut s = LendingState {
            deposit_index: I80F48::ONE,
            borrow_index: I80F48::ONE,
            deposit_shares: I80F48::DELTA,
            borrow_shares: I80F48::ZERO,
            insurance_fund: I80F48::ZERO,
        };
        let loss = I80F48::from_num(1_000_000_000u64);
        let rest = s.socialize_loss(loss).unwrap();
        assert_eq!(s.deposit_index, MIN_DEPOSIT_INDEX);
        assert!(rest <= loss && rest > loss - I80F48::ONE, "{rest}");
        // an ordinary loss lowers the index by the loss per share, rounded up
        let mut t = LendingState { deposit_shares: I80F48::from_num(1_000), ..s };
        t.deposit_index = I80F48::from_num(2);
        assert_eq!(t.socialize_loss(I80F48::from_num(500)).unwrap(), I80F48::ZERO);
        assert_eq!(t.deposit_index, I80F48::from_num(1.5));
    }

    #[test]
    fn change_native_crosses_zero_both_ways() {
        let mut s = LendingState {
            deposit_index: I80F48::from_num(2),
            borrow_index: I80F48::from_num(4),
            deposit_shares: I80F48::from_num(100),
            borrow_shares: I80F48::from_num(10),
            insurance_fund: I80F48::ZERO,
        };
        // a deposit of 10 shares (20 native) pays out 30: deposit closed, 10 native of debt
        // at borrow index 4 = 2.5 debt shares
        let after = s.change_native(I80F48::from_num(10), I80F48::from_num(-30)).unwrap();
        assert_eq!(after, I80F48::from_num(-2.5));
        assert_eq!(s.deposit_shares, I80F48::from_num(90));
        assert_eq!(s.borrow_shares, I80F48::from_num(12.5));
        // receiving 14 native: 10 clears the debt, 4 becomes 2 deposit shares
        let back = s.change_native(after, I80F48::from_num(14)).unwrap();
        assert_eq!(back, I80F48::from_num(2));
        assert_eq!(s.borrow_shares, I80F48::from_num(10));
        assert_eq!(s.deposit_shares, I80F48::from_num(92));
        // partial repayment rounds down, partial withdrawal rounds up
        let debt = s.change_native(I80F48::from_num(-1), I80F48::from_num(3)).unwrap();
        assert_eq!(debt, I80F48::from_num(-0.25));
        let dep = s.change_native(I80F48::from_num(1), I80F48::from_num(-1)).unwrap();
        assert_eq!(dep, I80F48::from_num(0.5));
    }

    #[test]
    fn the_bound_is_above_exact_accrual() {
        let mut exact = LendingState {
            deposit_index: I80F48::ONE,
            borrow_index: I80F48::ONE,
            deposit_shares: I80F48::from_num(1000),
            borrow_shares: I80F48::from_num(900),
            insurance_fund: I80F48::ZERO,
        };
        let mut bound = exact;
        accrue_interest(&mut exact, &curve(), I80F48::from_num(0.1), 3_600).unwrap();
        bound_interest(&mut bound, curve().max_rate, 3_600).unwrap();
        assert!(bound.borrow_index >= exact.borrow_index);
        assert!(bound.deposit_index <= exact.deposit_index);
        // 200% a year for an hour: 1 + 2 / 8760
        assert!(near(bound.borrow_index, 1.0 + 2.0 / 8_760.0, 1e-12));
    }

    #[test]
    fn no_time_no_interest() {
        let mut s = LendingState {
            deposit_index: I80F48::ONE,
            borrow_index: I80F48::ONE,
            deposit_shares: I80F48::from_num(10),
            borrow_shares: I80F48::from_num(5),
            insurance_fund: I80F48::ZERO,
        };
        let before = s;
        accrue_interest(&mut s, &curve(), I80F48::ZERO, 0).unwrap();
        assert_eq!(s, before);
    }
}
