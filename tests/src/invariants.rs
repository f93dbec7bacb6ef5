//! The book-keeping invariants `TestEnv::send` checks after every successful Ballast transaction.

use crate::{TestEnv, I80F48};
use ballast::state::MarginAccount;

impl TestEnv {
    /// The book-keeping invariants, checked after every successful transaction by `send`:
    /// 1. for every asset, the recorded deposit and borrow share totals equal the sums over all
    ///    margin accounts' positions, exactly;
    /// 2. every vault holds at least what the positions (each valued as the program values it,
    ///    against the account) and the insurance fund are owed, net of what borrowers owe it,
    ///    less the bad debt the asset has recorded (a shortfall the program reports, never hides).
    pub async fn assert_invariants(&mut self) {
        if let Err(e) = self.check_invariants().await {
            panic!("invariant broken: {e}");
        }
    }

    /// `assert_invariants` as a result, for the fuzzer (which shrinks a failing sequence).
    pub async fn check_invariants(&mut self) -> Result<(), String> {
        if self.assets.is_empty() {
            return Ok(());
        }
        let mut states = vec![];
        for key in self.margin_accounts.clone() {
            if let Some(acc) = self.account(key).await {
                if acc.data.len() >= 8 + core::mem::size_of::<MarginAccount>() {
                    let m = bytemuck::pod_read_unaligned::<MarginAccount>(
                        &acc.data[8..8 + core::mem::size_of::<MarginAccount>()],
                    );
                    if m.group == self.group {
                        states.push(m);
                    }
                }
            }
        }
        for i in 0..self.assets.len() {
            let asset = self.asset_state(i).await;
            let s = asset.lending_state();
            let (mut deposit_shares, mut borrow_shares) = (I80F48::ZERO, I80F48::ZERO);
            let (mut deposits, mut borrows) = (I80F48::ZERO, I80F48::ZERO);
            for m in &states {
                for p in m.active_positions().filter(|p| p.asset_index == asset.asset_index) {
                    let native = s.native_balance(p.shares()).unwrap();
                    if p.shares() > I80F48::ZERO {
                        deposit_shares += p.shares();
                        deposits += native;
                    } else {
                        borrow_shares -= p.shares();
                        borrows -= native;
                    }
                }
            }
            if s.deposit_shares != deposit_shares {
                return Err(format!(
                    "asset {i}: recorded deposit shares {} != positions {deposit_shares}",
                    s.deposit_shares
                ));
            }
            if s.borrow_shares != borrow_shares {
                return Err(format!(
                    "asset {i}: recorded borrow shares {} != positions {borrow_shares}",
                    s.borrow_shares
                ));
            }
            let balance = I80F48::from_num(self.token_balance(self.assets[i].vault).await);
            let owed = deposits + s.insurance_fund - borrows - asset.bad_debt.get();
            if balance < owed {
                return Err(format!("vault {i} holds {balance} but owes {owed} (positions)"));
            }
        }
        self.check_market_invariants(&states).await
    }

    /// 3. for every market, what one side holds the other owes: contracts sum to zero and so
    ///    does the cash (`quote`; a position closed at settlement counts at that price), and the
    ///    recorded open interest is the sum of the long positions.
    async fn check_market_invariants(&mut self, states: &[MarginAccount]) -> Result<(), String> {
        let count = self.group_state().await.market_count;
        for n in 0..count {
            let market = self.market_state(n).await;
            let now = self.now().await;
            let settled = if market.is_settled(now) { market.settlement_per_contract().ok() } else { None };
            let (mut contracts, mut cash, mut longs) = (0i128, 0i128, 0i128);
            for d in states.iter().flat_map(|m| m.active_derivatives()).filter(|d| d.market_index == n) {
                contracts += i128::from(d.contracts);
                cash += i128::from(d.quote);
                longs += i128::from(d.contracts.max(0));
                if let Some(price) = settled {
                    cash += i128::from(d.contracts) * i128::from(price);
                }
            }
            if settled.is_none() && contracts != 0 {
                return Err(format!("market {n}: contracts sum to {contracts}"));
            }
            if cash != 0 {
                return Err(format!("market {n}: cash sums to {cash}"));
            }
            if longs != i128::from(market.open_interest) {
                return Err(format!("market {n}: open interest {} but longs {longs}", market.open_interest));
            }
        }
        Ok(())
    }

    /// Vault solvency: every vault holds at least what depositors and the insurance fund are
    /// owed, net of what borrowers owe it.
    pub async fn assert_vaults_cover_claims(&mut self) {
        for i in 0..self.assets.len() {
            let asset = self.asset_state(i).await;
            let vault = self.assets[i].vault;
            let balance = self.token_balance(vault).await;
            let s = asset.lending_state();
            let owed = s.total_deposits().unwrap() + s.insurance_fund
                - s.total_borrows().unwrap()
                - asset.bad_debt.get();
            assert!(I80F48::from_num(balance) >= owed, "vault {i} holds {balance} but owes {owed}");
        }
    }
}
