//! Interest: a kinked utilisation curve and index accrual. Deposits and borrows are stored as
//! shares; `native = shares * index`. Accrual raises the borrow index by the borrow rate over the
//! elapsed time and spreads the interest, less the protocol's share, over deposit shares.

use crate::math::{CheckedFixed, MathResult, I80F48};

pub const SECONDS_PER_YEAR: i64 = 31_536_000;

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
    /// Native tokens of interest owed to the insurance fund.
    pub protocol_fees: I80F48,
}

impl LendingState {
    pub fn total_deposits(&self) -> MathResult<I80F48> {
        self.deposit_shares.mul_c(self.deposit_index)
    }
    pub fn total_borrows(&self) -> MathResult<I80F48> {
        self.borrow_shares.mul_c(self.borrow_index)
    }
    pub fn utilisation(&self) -> MathResult<I80F48> {
        let deposits = self.total_deposits()?;
        if deposits <= I80F48::ZERO {
            return Ok(I80F48::ZERO);
        }
        Ok(self.total_borrows()?.div_c(deposits)?.min(I80F48::ONE))
    }
}

/// Accrues `elapsed_secs` of interest. Borrowers' index rounds up, depositors' down, so the vault
/// always covers what depositors and the insurance fund are owed. Returns the borrow rate used.
pub fn accrue_interest(
    state: &mut LendingState,
    curve: &RateCurve,
    protocol_fee: I80F48,
    elapsed_secs: i64,
) -> MathResult<I80F48> {
    let rate = curve.borrow_rate(state.utilisation()?)?;
    if elapsed_secs <= 0 || state.borrow_shares == I80F48::ZERO || rate == I80F48::ZERO {
        return Ok(rate);
    }
    let growth = rate.mul_c(I80F48::from_num(elapsed_secs))?.div_c(I80F48::from_num(SECONDS_PER_YEAR))?;
    let borrows_before = state.total_borrows()?;
    let index_increase = crate::math::mul_ceil(state.borrow_index, growth)?;
    let new_borrow_index = state.borrow_index.add_c(index_increase)?;
    let interest = state.borrow_shares.mul_c(new_borrow_index)?.sub_c(borrows_before)?;
    let fee = interest.mul_c(protocol_fee)?;
    let to_depositors = interest.sub_c(fee)?;
    state.borrow_index = new_borrow_index;
    if state.deposit_shares > I80F48::ZERO {
        state.deposit_index = state.deposit_index.add_c(to_depositors.div_c(state.deposit_shares)?)?;
        state.protocol_fees = state.protocol_fees.add_c(fee)?;
    } else {
        // Nobody to pay: the whole interest belongs to the insurance fund.
        state.protocol_fees = state.protocol_fees.add_c(interest)?;
    }
    Ok(rate)
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
            protocol_fees: I80F48::ZERO,
        };
        let rate = accrue_interest(&mut s, &curve(), I80F48::from_num(0.1), SECONDS_PER_YEAR).unwrap();
        assert!(near(rate, 0.05, 1e-9));
        assert!(near(s.total_borrows().unwrap(), 525.0, 1e-6));
        assert!(near(s.protocol_fees, 2.5, 1e-6));
        assert!(near(s.total_deposits().unwrap(), 1022.5, 1e-6));
        // solvency: deposits + fees never exceed what borrowers owe plus the cash
        let cash = I80F48::from_num(500);
        assert!(s.total_deposits().unwrap() + s.protocol_fees <= cash + s.total_borrows().unwrap());
    }

    #[test]
    fn no_time_no_interest() {
        let mut s = LendingState {
            deposit_index: I80F48::ONE,
            borrow_index: I80F48::ONE,
            deposit_shares: I80F48::from_num(10),
            borrow_shares: I80F48::from_num(5),
            protocol_fees: I80F48::ZERO,
        };
        let before = s;
        accrue_interest(&mut s, &curve(), I80F48::ZERO, 0).unwrap();
        assert_eq!(s, before);
    }
}
