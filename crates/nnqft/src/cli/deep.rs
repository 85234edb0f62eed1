//! Refusing deep-network runs whose time estimate is absurd (docs/conventions.md section 11).

use anyhow::Result;
use nnqft_ensemble::Plan;

/// The longest run accepted, in estimated single-core seconds (30 days).
const MAX_SECONDS: f64 = 30.0 * 86400.0;

/// Estimated single-core seconds of a deep run: per net and layer about m n (m + 4)
/// floating-point operations plus n m normals, at roughly 1 ns per m n (m + 4) / 2 (measured
/// order of magnitude of the layer-by-layer sampler).
pub fn estimated_seconds(plan: &Plan) -> f64 {
    let s = plan.settings();
    let (m, n, depth) = (
        s.inputs().len() as f64,
        s.width() as f64,
        s.network().depth() as f64,
    );
    plan.nets() as f64 * depth * m * n * (m + 4.0) * 0.5e-9
}

/// Refuse a deep run whose estimate exceeds [`MAX_SECONDS`], giving the estimate.
pub fn check_deep_cost(plan: &Plan) -> Result<()> {
    if plan.settings().network().depth() <= 1 {
        return Ok(());
    }
    let secs = estimated_seconds(plan);
    if secs > MAX_SECONDS {
        anyhow::bail!(
            "--depth/--width: {} networks of depth {} and width {} would take about {:.0} days \
             of one core (estimate); use fewer networks, a smaller width or depth",
            plan.nets(),
            plan.settings().network().depth(),
            plan.settings().width(),
            secs / 86400.0
        );
    }
    Ok(())
}
