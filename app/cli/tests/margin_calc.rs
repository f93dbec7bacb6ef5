//! `margin-calc` on the shipped example files, against hand-computed figures, and the binary
//! end to end (offline).

use ballast_cli::calc::{margin_calc, margin_calc_files, CalcFile};
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::risk::{Factor, HealthType};
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name)
}

/// `value` (quote-native, micro-USD) is `usd` dollars within one micro-USD.
#[track_caller]
fn assert_usd(value: I80F48, usd: f64) {
    let expected = I80F48::from_num(usd * 1e6);
    assert!((value - expected).abs() <= I80F48::ONE, "{value} micro-USD, expected {usd} USD");
}

#[test]
fn basic_example_matches_hand_computation() {
    let view = margin_calc_files(&example("portfolio.toml"), Some(&example("assets.toml"))).unwrap();
    // Init: USDC 1000*0.95 = 950; SOL at min(100, 98) - 1*0.5 = 97.5: 975*0.8 = 780;
    // ETH 2000*0.8 = 1600; USDT debt 1500*1.05 = 1575.
    assert_usd(view.health(HealthType::Init), 950.0 + 780.0 + 1600.0 - 1575.0);
    // LiquidationEnd (weights halfway): 965 + 995*0.85 + 1700 - 1500*1.035.
    assert_usd(view.health(HealthType::LiquidationEnd), 965.0 + 845.75 + 1700.0 - 1552.5);
    // Maint: SOL at 100 - 0.5 = 99.5: 995*0.9 = 895.5.
    assert_usd(view.health(HealthType::Maint), 980.0 + 895.5 + 1800.0 - 1530.0);

    let init = view.level(HealthType::Init);
    assert_usd(init.raw.weighted_collateral, 3330.0);
    assert_usd(init.raw.weighted_liabilities, 1575.0);
    let sol = &init.positions[1];
    assert_eq!((sol.asset.as_str(), sol.balance.as_str()), ("SOL", "10"));
    assert_eq!(sol.raw.balance, I80F48::from_num(10_000_000_000u64));
    // the confidence band and the EMA took 25 USD, the base weight 195
    assert_usd(sol.raw.cut(Factor::OracleUncertainty), 25.0);
    assert_usd(sol.raw.cut(Factor::BaseWeight), 195.0);
    assert!((sol.price_usd - 97.5).abs() < 1e-9);
    let maint_sol = &view.level(HealthType::Maint).positions[1];
    assert_usd(maint_sol.raw.cut(Factor::OracleUncertainty), 5.0);
    let usdt = &init.positions[3];
    assert_eq!(usdt.balance, "-1500");
    assert_usd(usdt.raw.contribution, -1575.0);
    assert_usd(usdt.raw.cut(Factor::BaseWeight), 75.0);
    // every breakdown adds up: spot value - cuts = contribution (collateral), -(spot + cuts) (debt)
    for level in &view.levels {
        for p in &level.positions {
            let cuts: I80F48 = p.raw.factor_cuts.iter().copied().sum();
            if p.raw.balance > 0 {
                assert_eq!(p.raw.spot_value - cuts, p.raw.contribution);
            } else {
                assert!((p.raw.spot_value + cuts + p.raw.contribution).abs() <= I80F48::DELTA * 4);
            }
        }
    }
}

#[test]
fn futures_example_matches_hand_computation() {
    let view = margin_calc_files(&example("portfolio-futures.toml"), None).unwrap();
    // Init: 950 USDC + SOL 800 with its 200 haircut back (fully hedged) - ETH future's 210.
    assert_usd(view.health(HealthType::Init), 950.0 + 1000.0 - 210.0);
    // Maint: 980 + 900 + 100 - 2000 * 3 * 0.0667 * 0.35.
    assert_usd(view.health(HealthType::Maint), 980.0 + 1000.0 - 140.07);
    let init = view.level(HealthType::Init);
    let (sol, eth) = (&init.scans[0], &init.scans[1]);
    assert_eq!(
        (sol.underlying.as_str(), sol.futures_delta.as_str(), sol.hedged_spot.as_str()),
        ("SOL", "-10", "10")
    );
    assert_eq!(sol.net_delta, "0");
    assert_usd(sol.raw.hedge_credit, 200.0);
    assert_usd(sol.raw.requirement, 0.0);
    assert_eq!((eth.underlying.as_str(), eth.worst_scenario.as_str()), ("ETH", "extreme -"));
    assert_usd(eth.raw.requirement, 210.0);
    // the scenario vector: +1/3 of the range is +2000 * 10% / 3
    assert!((eth.scenarios_usd[2] - 2000.0 * 0.1 / 3.0).abs() < 1e-5);
    // Init <= LiquidationEnd <= Maint
    assert!(view.health(HealthType::Init) <= view.health(HealthType::LiquidationEnd));
    assert!(view.health(HealthType::LiquidationEnd) <= view.health(HealthType::Maint));
}

#[test]
fn factors_example_concentration_and_correlation() {
    let view = margin_calc_files(&example("portfolio-factors.json"), None).unwrap();
    // Init: SOL 1000 at 0.8 = 800; concentration: 1000 - 50% of 1250 = 375 excess, * 20% * 0.8
    // = 60 -> 740; correlation group 1 (Init weights 0.95/1.05), matched 600 of 1000:
    // (950 - 740) * 0.6 = 126 credit -> 866. mSOL debt 720, at group 630: credit 90 -> 630.
    // USDC 237.5. Health 866 + 237.5 - 630 = 473.5.
    let init = view.level(HealthType::Init);
    assert_usd(init.raw.health, 473.5);
    assert_usd(init.positions[0].raw.cut(Factor::Concentration), 60.0);
    assert_usd(init.positions[0].raw.cut(Factor::Correlation), -126.0);
    assert_usd(init.positions[1].raw.cut(Factor::Correlation), -90.0);
    assert_usd(init.positions[0].raw.contribution, 866.0);
    // Maint: SOL 900, group 0.97 -> 970: credit 70 * 0.6 = 42 -> 942; mSOL 660 -> 618; USDC 245.
    assert_usd(view.health(HealthType::Maint), 942.0 + 245.0 - 618.0);
    // LiquidationEnd: SOL 850, group 0.96: credit 66 -> 916; mSOL 690 -> 624; USDC 241.25.
    assert_usd(view.health(HealthType::LiquidationEnd), 916.0 + 241.25 - 624.0);
    // no concentration haircut outside Init
    assert_eq!(view.level(HealthType::Maint).positions[0].raw.cut(Factor::Concentration), 0);
}

fn calc(text: &str) -> ballast_cli::CliResult<ballast_cli::report::HealthView> {
    let file: CalcFile = toml::from_str(text).map_err(|e| ballast_cli::CliError::input(e.to_string()))?;
    margin_calc(&file, None)
}

const SOL: &str = "[[assets]]\nsymbol = \"SOL\"\ndecimals = 9\nprice = 100\ninit_asset_weight_bps = 8000\n\
                   maint_asset_weight_bps = 9000\ninit_liab_weight_bps = 12000\nmaint_liab_weight_bps = 11000\n";

#[test]
fn volatility_and_size_factors() {
    // sigma 80% over 7 days, z = 2 at Init and 1 at Maint: weight caps 1 - z * 0.8 * sqrt(7/365).
    let text = format!(
        "[group]\nz_init_bps = 20000\nz_maint_bps = 10000\n{SOL}sigma_floor_bps = 8000\n\
         liquidation_horizon_secs = 604800\n[[positions]]\nasset = \"SOL\"\nbalance = 10\n"
    );
    let view = calc(&text).unwrap();
    let hv = 0.8 * (7.0f64 / 365.0).sqrt();
    let w: f64 = view.level(HealthType::Init).positions[0].weight;
    assert!((w - (1.0 - 2.0 * hv)).abs() < 1e-9, "{w}");
    assert!((view.level(HealthType::Init).health_usd - 1000.0 * (1.0 - 2.0 * hv)).abs() < 1e-5);
    assert!(view.level(HealthType::Init).positions[0].raw.cut(Factor::Volatility) > 0);
    // Drift size discount: 1,000,000 tokens with imf 0.001 -> 1.1 / (1 + 0.001 * 1000) = 0.55
    let text = format!("{SOL}size_imf_ppm = 1000\n[[positions]]\nasset = \"SOL\"\nbalance = 1000000\n");
    let view = calc(&text).unwrap();
    assert!((view.level(HealthType::Maint).positions[0].weight - 0.55).abs() < 1e-9);
}

#[test]
fn bad_inputs_are_named() {
    // an unusable oracle on a debt: the program would refuse, the calculator says why
    let text = format!("{SOL}oracle_usable = false\n[[positions]]\nasset = \"SOL\"\nbalance = -1\n");
    let e = calc(&text).unwrap_err().to_string();
    assert!(e.contains("LiabilityOracleUnusable"), "{e}");
    // the same oracle on collateral values it at zero, in the oracle_unavailable column
    let text = format!("{SOL}oracle_usable = false\n[[positions]]\nasset = \"SOL\"\nbalance = 1\n");
    let view = calc(&text).unwrap();
    assert_eq!(view.health(HealthType::Init), 0);
    assert_usd(view.level(HealthType::Init).positions[0].raw.cut(Factor::OracleUnavailable), 100.0);
    // weights the program would refuse
    let text = SOL.replace("maint_asset_weight_bps = 9000", "maint_asset_weight_bps = 7000")
        + "[[positions]]\nasset = \"SOL\"\nbalance = 1\n";
    let e = calc(&text).unwrap_err().to_string();
    assert!(e.contains("InvalidAssetWeights"), "{e}");
    // more decimals than the token has, unknown assets and fields
    let e = calc(&format!("{SOL}[[positions]]\nasset = \"SOL\"\nbalance = \"0.0000000001\"\n")).unwrap_err();
    assert!(e.to_string().contains("decimal places"), "{e}");
    assert!(calc(&format!("{SOL}[[positions]]\nasset = \"BTC\"\nbalance = 1\n")).is_err());
    assert!(calc(&format!("{SOL}init_asset_weigth_bps = 1\n")).is_err());
}

#[test]
fn binary_prints_json_and_tables_offline() {
    let bin = env!("CARGO_BIN_EXE_ballast");
    let out = std::process::Command::new(bin)
        .args(["margin-calc", "--json"])
        .arg(example("portfolio.toml"))
        .arg("--assets")
        .arg(example("assets.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let levels = v["levels"].as_array().unwrap();
    assert_eq!(
        levels.iter().map(|l| l["level"].as_str().unwrap()).collect::<Vec<_>>(),
        ["init", "liquidation_end", "maint"]
    );
    assert!((levels[0]["health_usd"].as_f64().unwrap() - 1755.0).abs() < 1e-6);
    assert!((levels[2]["health_usd"].as_f64().unwrap() - 2145.5).abs() < 1e-6);
    let sol = &levels[0]["positions"][1];
    assert_eq!(sol["asset"], "SOL");
    assert!((sol["factor_cuts_usd"]["oracle_uncertainty"].as_f64().unwrap() - 25.0).abs() < 1e-6);

    let out = std::process::Command::new(bin)
        .arg("margin-calc")
        .arg(example("portfolio-factors.json"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("init health 473.500000 USD"), "{text}");
    assert!(text.contains("corr cut"), "{text}");

    // errors go to stderr with exit code 1; with --json as an object on stdout
    let out = std::process::Command::new(bin).args(["margin-calc", "/nonexistent.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: /nonexistent.toml"));
    let out = std::process::Command::new(bin)
        .args(["health", "--json", "-C", "/nonexistent-config.yml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "file");
}
