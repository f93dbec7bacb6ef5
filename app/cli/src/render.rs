//! Plain-text tables for humans (`--json` output is the serde form of the same results).

use crate::report::{factor_column, HealthView};
use ballast_sdk::ballast::risk::Factor;

/// Columns padded to their widest cell; columns after the first are right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i > 0 {
                out.push_str("  ");
            }
            if i == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    out.push_str(&line(
        widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(|s| s.as_str()).collect(),
    ));
    for row in rows {
        out.push_str(&line(row.iter().map(|s| s.as_str()).collect()));
    }
    out
}

pub fn money(v: f64) -> String {
    format!("{v:.6}")
}

/// Key-value lines, keys padded.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs.iter().map(|(k, v)| format!("{k:<w$}  {v}\n")).collect()
}

/// Shortens a base58 address to `abcd..wxyz` for table cells.
pub fn short(addr: &str) -> String {
    if addr.len() <= 12 {
        return addr.to_string();
    }
    format!("{}..{}", &addr[..4], &addr[addr.len() - 4..])
}

/// Every level: its totals, then one row per position with the factors that cut anything at
/// that level (USD; negative is a credit).
pub fn health(view: &HealthView) -> String {
    let mut out = String::new();
    if let Some(a) = &view.account {
        out.push_str(&format!("account {a}\n"));
    }
    out.push_str(&format!(
        "oracle checks: {}{}\n\n",
        view.oracle_policy,
        if view.being_liquidated { "   (being liquidated)" } else { "" }
    ));
    out.push_str(&table(
        &["level", "health", "collateral", "liabilities"],
        &view
            .levels
            .iter()
            .map(|l| {
                vec![
                    l.level.to_string(),
                    money(l.health_usd),
                    money(l.weighted_collateral_usd),
                    money(l.weighted_liabilities_usd),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    for l in &view.levels {
        let used: Vec<Factor> = Factor::ALL
            .iter()
            .copied()
            .filter(|f| l.positions.iter().any(|p| p.raw.factor_cuts[*f as usize] != 0))
            .collect();
        let mut headers = vec!["asset", "balance", "price", "spot value", "weight", "contribution"];
        headers.extend(used.iter().map(|f| factor_column(*f)));
        let rows: Vec<Vec<String>> = l
            .positions
            .iter()
            .map(|p| {
                let mut row = vec![
                    format!("{} {}", p.asset_index, short(&p.asset)),
                    p.balance.clone(),
                    money(p.price_usd),
                    money(p.spot_value_usd),
                    format!("{:.4}", p.weight),
                    money(p.contribution_usd),
                ];
                row.extend(used.iter().map(|f| money(crate::units::usd(p.raw.factor_cuts[*f as usize]))));
                row
            })
            .collect();
        out.push_str(&format!("\n{} health {} USD\n", l.level, money(l.health_usd)));
        if rows.is_empty() {
            out.push_str("(no positions)\n");
        } else {
            out.push_str(&table(&headers, &rows));
        }
        if !l.scans.is_empty() {
            out.push_str(&format!("\n{} derivatives scan\n", l.level));
            out.push_str(&scans(l));
        }
    }
    // the Greeks do not depend on the level: once, from Init, with Init's scenarios
    if let Some(l) = view.levels.first().filter(|l| !l.scans.is_empty()) {
        out.push_str("\nGreeks\n");
        out.push_str(&greeks(l));
        out.push_str(&format!(
            "\n{} scenarios (value change, USD; extreme moves at their counted fraction)\n",
            l.level
        ));
        out.push_str(&scenario_table(l));
    }
    out
}

/// One row per underlying: the scan's range, deltas, worst scenario and what it adds to health.
fn scans(l: &crate::report::LevelView) -> String {
    let rows: Vec<Vec<String>> = l
        .scans
        .iter()
        .map(|s| {
            vec![
                format!("{} {}", s.underlying_index, short(&s.underlying)),
                format!("{:.2}%", s.range * 100.0),
                s.futures_delta.clone(),
                s.hedged_spot.clone(),
                s.net_delta.clone(),
                s.worst_scenario.clone(),
                money(s.requirement_usd),
                money(s.weighted_pnl_usd),
                money(s.hedge_credit_usd),
                money(s.contribution_usd),
            ]
        })
        .collect();
    table(
        &[
            "underlying",
            "range",
            "futures delta",
            "hedged spot",
            "net delta",
            "worst",
            "requirement",
            "weighted pnl",
            "hedge credit",
            "contribution",
        ],
        &rows,
    )
}

/// One row per scan scenario, one column per underlying: the value change of what the scan
/// covers, the worst marked.
fn scenario_table(l: &crate::report::LevelView) -> String {
    let mut headers = vec!["scenario".to_string()];
    headers.extend(l.scans.iter().map(|s| format!("{} {}", s.underlying_index, short(&s.underlying))));
    let rows: Vec<Vec<String>> = (0..ballast_sdk::ballast::risk::SCENARIO_COUNT)
        .map(|i| {
            let mut row = vec![crate::report::scenario_name(i)];
            row.extend(l.scans.iter().map(|s| {
                let v = money(s.scenarios_usd.get(i).copied().unwrap_or(0.0));
                if s.raw.worst == i && s.raw.requirement > ballast_sdk::ballast::math::I80F48::ZERO {
                    format!("{v} *")
                } else {
                    v
                }
            }));
            row
        })
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    table(&headers, &rows)
}

/// One row per underlying: the account's delta (futures, options, spot), the options' gamma,
/// vega and theta, the spot covering short calls, and the short-option minimum.
fn greeks(l: &crate::report::LevelView) -> String {
    let rows: Vec<Vec<String>> = l
        .scans
        .iter()
        .map(|s| {
            vec![
                format!("{} {}", s.underlying_index, short(&s.underlying)),
                s.total_delta.clone(),
                s.futures_delta.clone(),
                s.options_delta.clone(),
                s.gamma.clone(),
                format!("{:.2}", s.vega_usd_per_point),
                format!("{:.2}", s.theta_usd_per_day),
                s.covered_spot.clone(),
                money(s.short_option_minimum_usd),
            ]
        })
        .collect();
    table(
        &[
            "underlying",
            "delta",
            "futures",
            "options",
            "gamma /1%",
            "vega $/pt",
            "theta $/day",
            "covered spot",
            "short min",
        ],
        &rows,
    )
}

/// Text form of a command's result.
pub trait Human {
    fn human(&self) -> String;
}

impl Human for HealthView {
    fn human(&self) -> String {
        health(self)
    }
}

use crate::commands::*;

fn opt_money(v: Option<f64>) -> String {
    v.map(money).unwrap_or_else(|| "-".into())
}

impl Human for AccountCreated {
    fn human(&self) -> String {
        fields(&[
            ("created account", self.account.clone()),
            ("owner", self.owner.clone()),
            ("account number", self.account_num.to_string()),
            ("signature", self.signature.clone()),
        ])
    }
}

impl Human for AccountView {
    fn human(&self) -> String {
        let mut out = fields(&[
            ("account", self.account.clone()),
            ("group", self.group.clone()),
            ("owner", self.owner.clone()),
            ("delegate", self.delegate.clone().unwrap_or_else(|| "-".into())),
            ("account number", self.account_num.to_string()),
            ("being liquidated", self.being_liquidated.to_string()),
        ]);
        out.push('\n');
        if self.positions.is_empty() {
            out.push_str("(no positions)\n");
        } else {
            let rows: Vec<Vec<String>> = self
                .positions
                .iter()
                .map(|p| {
                    vec![
                        p.asset_index.to_string(),
                        p.mint.clone(),
                        p.kind.into(),
                        p.balance.clone(),
                        opt_money(p.value_usd),
                    ]
                })
                .collect();
            out.push_str(&table(&["asset", "mint", "kind", "balance", "value USD"], &rows));
        }
        out.push('\n');
        match (&self.health, &self.health_error) {
            (Some(h), _) => out.push_str(&fields(&[
                ("init health", money(h.init_usd)),
                ("liquidation-end health", money(h.liquidation_end_usd)),
                ("maint health", money(h.maint_usd)),
            ])),
            (None, Some(e)) => out.push_str(&format!("health: unavailable: {e}\n")),
            (None, None) => {}
        }
        out
    }
}

impl Human for ActionResult {
    fn human(&self) -> String {
        fields(&[
            (self.action, format!("{} of asset {} ({})", self.amount, self.asset_index, self.mint)),
            ("account", self.account.clone()),
            ("token account", self.token_account.clone()),
            ("balance", format!("{} -> {}", self.balance_before, self.balance_after)),
            ("init health after", opt_money(self.init_health_after_usd)),
            ("signature", self.signature.clone()),
        ])
    }
}

fn changes_table(changes: &[BalanceChange]) -> String {
    if changes.is_empty() {
        return "(no change)\n".into();
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| vec![c.asset_index.to_string(), c.mint.clone(), c.before.clone(), c.after.clone()])
        .collect();
    table(&["asset", "mint", "before", "after"], &rows)
}

impl Human for LiquidationResult {
    fn human(&self) -> String {
        let mut out = fields(&[
            ("liquidated", self.liquidatee.clone()),
            ("by", self.liquidator_account.clone()),
            ("debt asset", self.liab_asset_index.to_string()),
            (
                "sent",
                self.lookup_table
                    .as_ref()
                    .map_or("legacy transaction".into(), |t| format!("v0 through lookup table {t}")),
            ),
            (
                "maint health",
                format!("{} -> {}", opt_money(self.maint_before_usd), opt_money(self.maint_after_usd)),
            ),
            (
                "liquidation-end health",
                format!(
                    "{} -> {}",
                    opt_money(self.liquidation_end_before_usd),
                    opt_money(self.liquidation_end_after_usd)
                ),
            ),
            ("signature", self.signature.clone()),
        ]);
        out.push_str("\nliquidated account:\n");
        out.push_str(&changes_table(&self.liquidatee_changes));
        out.push_str("\nliquidator account:\n");
        out.push_str(&changes_table(&self.liquidator_changes));
        out
    }
}

fn json_cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A parameter set as `name  value` lines.
fn params_lines<T: serde::Serialize>(p: &T) -> String {
    let Ok(serde_json::Value::Object(m)) = serde_json::to_value(p) else { return String::new() };
    let pairs: Vec<(&str, String)> = m.iter().map(|(k, v)| (k.as_str(), json_cell(v))).collect();
    fields(&pairs)
}

impl Human for AssetRegistered {
    fn human(&self) -> String {
        let mut out = fields(&[
            ("asset", self.asset.clone()),
            ("mint", self.mint.clone()),
            ("token program", self.token_program.clone()),
            ("oracle account", self.oracle_account.clone()),
            ("asset index", self.asset_index.map(|i| i.to_string()).unwrap_or_else(|| "-".into())),
            ("signature", self.signature.clone().unwrap_or_else(|| "(dry run: not sent)".into())),
        ]);
        out.push_str("\nconfig:\n");
        out.push_str(&params_lines(&self.config));
        out
    }
}

impl Human for ConfigUpdate {
    fn human(&self) -> String {
        let mut out = format!("{}\n", self.target);
        if self.changes.is_empty() {
            out.push_str("nothing to change\n");
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .changes
            .iter()
            .map(|c| vec![c.field.clone(), json_cell(&c.old), json_cell(&c.new)])
            .collect();
        out.push_str(&table(&["field", "old", "new"], &rows));
        if let Some(p) = &self.proposal {
            out.push_str(&format!("proposal   {p}\n"));
        }
        if let Some(t) = self.executable_at {
            out.push_str(&format!("executable from {t} (unix time); `ballast gov execute` then\n"));
        }
        out.push_str(&format!(
            "{:<10} {}\n",
            self.mode,
            self.signature.clone().unwrap_or_else(|| "(not sent)".into())
        ));
        out
    }
}

impl Human for ProposalList {
    fn human(&self) -> String {
        let mut out =
            fields(&[("group", self.group.clone()), ("timelock", format!("{} s", self.timelock_delay_secs))]);
        if self.proposals.is_empty() {
            out.push_str("no proposals\n");
        }
        for p in &self.proposals {
            out.push_str(&format!(
                "\n#{} {} [{}] target {}\n  executable {} .. {}\n",
                p.number, p.proposal, p.status, p.target, p.executable_at, p.lapses_at
            ));
            for e in &p.entries {
                out.push_str(&format!("  {e}\n"));
            }
        }
        out
    }
}

impl Human for crate::commands::FuturesAction {
    fn human(&self) -> String {
        fields(&[
            ("action", self.action.clone()),
            ("market", self.market.to_string()),
            ("detail", self.detail.clone()),
            ("signature", self.signature.clone()),
        ])
    }
}

impl Human for GovAction {
    fn human(&self) -> String {
        fields(&[
            ("action", self.action.clone()),
            ("target", self.target.clone()),
            ("signature", self.signature.clone()),
        ])
    }
}

impl Human for GroupView {
    fn human(&self) -> String {
        let mut out = fields(&[
            ("group", self.group.clone()),
            ("admin", self.admin.clone()),
            ("risk guardian", self.risk_guardian.clone()),
            ("pending admin", self.pending_admin.clone().unwrap_or_else(|| "none".into())),
            ("pause", self.pause.clone()),
            ("proposals", self.proposal_count.to_string()),
        ]);
        out.push_str("\nconfig:\n");
        out.push_str(&params_lines(&self.config));
        out.push('\n');
        let rows: Vec<Vec<String>> = self
            .assets
            .iter()
            .map(|a| {
                vec![
                    a.index.to_string(),
                    a.mint.clone(),
                    a.decimals.to_string(),
                    opt_money(a.price_usd),
                    a.oracle_status.clone(),
                    format!(
                        "{}/{} {}/{}",
                        a.init_asset_weight_bps,
                        a.maint_asset_weight_bps,
                        a.init_liab_weight_bps,
                        a.maint_liab_weight_bps
                    ),
                    a.total_deposits.clone(),
                    a.total_borrows.clone(),
                    match (a.frozen || a.paused, a.reduce_only) {
                        (true, _) => {
                            if a.frozen {
                                "frozen".into()
                            } else {
                                "paused".into()
                            }
                        }
                        (_, true) => "reduce-only".into(),
                        _ => String::new(),
                    },
                ]
            })
            .collect();
        out.push_str(&table(
            &["asset", "mint", "dp", "price USD", "oracle", "weights bps", "deposits", "borrows", "flags"],
            &rows,
        ));
        out
    }
}

impl Human for MarketList {
    fn human(&self) -> String {
        let mut out = format!("group {}\n", self.group);
        if self.markets.is_empty() {
            out.push_str("no markets\n");
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .markets
            .iter()
            .map(|m| {
                vec![
                    m.index.to_string(),
                    m.market.clone(),
                    m.kind.into(),
                    format!("{} / {}", m.underlying_index, m.quote_index),
                    format!("{}{}", m.expiry, if m.expired { " (expired)" } else { "" }),
                    m.contract_size.to_string(),
                    format!(
                        "{} / {}",
                        m.open_interest,
                        if m.open_interest_cap == u64::MAX {
                            "max".into()
                        } else {
                            m.open_interest_cap.to_string()
                        }
                    ),
                    format!("{} bps", m.price_band_bps),
                    m.settlement_price_usd.map_or_else(|| "-".into(), |p| format!("${p:.4}")),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "#",
                "market",
                "kind",
                "underlying / quote",
                "expiry",
                "contract (native)",
                "OI / cap",
                "band",
                "settled at",
            ],
            &rows,
        ));
        if let [m] = self.markets.as_slice() {
            let range = format!(
                "{} bps x the volatility move, at least {} / {} bps (Init / Maint)",
                m.scan_range_multiplier_bps, m.min_scan_range_init_bps, m.min_scan_range_maint_bps
            );
            let extreme = format!(
                "{} bps of the range, {} bps of its loss counted",
                m.extreme_move_multiple_bps, m.extreme_fraction_bps
            );
            let pnl = format!("{} / {} bps (Init / Maint)", m.pnl_weight_init_bps, m.pnl_weight_maint_bps);
            out.push_str(&fields(&[
                ("scan range", range),
                ("extreme move", extreme),
                ("PnL weight", pnl),
                ("settlement window", format!("{} s", m.settlement_window_secs)),
            ]));
        }
        out
    }
}
