//! The parameter sets a backtest compares: Ballast's deployment as shipped, and a static-haircut
//! baseline derived from it.

use crate::config::BaselineSection;
use ballast_sdk::deploy::DeploymentConfig;

pub struct Model {
    pub name: &'static str,
    pub deployment: DeploymentConfig,
}

impl Model {
    pub fn ballast(deployment: &DeploymentConfig) -> Model {
        Model { name: "ballast", deployment: deployment.clone() }
    }

    /// The static-haircut baseline: every factor off (volatility, size, concentration, oracle confidence,
    /// correlation offsets, total-deposit and total-borrow scaling), so each asset counts at one
    /// weight per level whatever the market and the account; `weights` replaces the base weights
    /// of the assets it names. Oracle checks, liquidation fees and interest stay as shipped.
    pub fn baseline(deployment: &DeploymentConfig, baseline: &BaselineSection) -> Model {
        Model { name: "static", deployment: factors_off(deployment, Some(baseline)) }
    }

    /// Ballast's own base weights with every factor off: what the factors add, alone.
    pub fn factors_off(deployment: &DeploymentConfig) -> Model {
        Model { name: "factors-off", deployment: factors_off(deployment, None) }
    }
}

/// `deployment` with every factor off and, with `baseline`, its static weights.
fn factors_off(deployment: &DeploymentConfig, baseline: Option<&BaselineSection>) -> DeploymentConfig {
    let mut d = deployment.clone();
    for a in &mut d.assets {
        let r = &mut a.risk;
        r.sigma_floor_bps = Some(0);
        r.liquidation_horizon_secs = Some(0);
        r.size_imf_ppm = Some(0);
        r.concentration_threshold_bps = Some(0);
        r.concentration_haircut_bps = Some(0);
        r.conf_multiplier_bps = Some(0);
        r.correlation_group = Some(0);
        r.deposit_weight_scale_start = Some(0);
        r.borrow_weight_scale_start = Some(0);
        if let Some([ia, ma, il, ml]) = baseline.and_then(|b| b.weights.get(&a.symbol)).copied() {
            r.init_asset_weight_bps = Some(ia);
            r.maint_asset_weight_bps = Some(ma);
            r.init_liab_weight_bps = Some(il);
            r.maint_liab_weight_bps = Some(ml);
        }
    }
    d
}
