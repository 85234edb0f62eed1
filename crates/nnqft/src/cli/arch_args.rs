//! The shared architecture flags: --arch, --bias-dist, --sigma-w, --sigma-b, --d-in, --inputs.

use anyhow::Result;
use nnqft_core::{Arch, BiasDist, InputSet, Network};

/// Parse an architecture name for clap.
pub fn parse_arch(s: &str) -> Result<Arch, String> {
    s.parse::<Arch>().map_err(|e| e.to_string())
}

/// Parse a hidden-bias distribution for clap.
pub fn parse_bias(s: &str) -> Result<BiasDist, String> {
    s.parse::<BiasDist>().map_err(|e| e.to_string())
}

/// The `--arch` long help: every activation with its formula.
pub fn arch_long_help() -> String {
    format!(
        "Activation of the hidden layer, one of:\n{}\n(phi(z) with z = W0.x + b0; kernels in docs/conventions.md)",
        Arch::help_table()
    )
}

/// Architecture, its scales, the input dimension and the input set.
#[derive(clap::Args, Debug, Clone)]
pub struct ArchArgs {
    /// Activation: erf, relu, gauss, linear, tanh, sigmoid, softplus, silu, gelu, sin, cos,
    /// abs or leaky-relu:A (--help lists the formulas).
    #[arg(long, value_parser = parse_arch, long_help = arch_long_help())]
    pub arch: Arch,
    /// Hidden-bias distribution: normal (b0 ~ Normal(0, sb^2)) or uniform (b0 uniform on
    /// [-pi, pi]; with sin or cos the translation-invariant cos-net). b1 is always normal.
    #[arg(long, value_parser = parse_bias, default_value = "normal")]
    pub bias_dist: BiasDist,
    /// Weight scale sigma_w (default 1).
    #[arg(long, allow_negative_numbers = true)]
    pub sigma_w: Option<f64>,
    /// Bias scale sigma_b (default 1; 0 for relu).
    #[arg(long, allow_negative_numbers = true)]
    pub sigma_b: Option<f64>,
    /// Input dimension d.
    #[arg(long, default_value_t = 1)]
    pub d_in: usize,
    /// Inputs: points separated by ';', coordinates by ','; in d = 1 commas also separate
    /// points; `paper` takes the architecture's paper inputs (on the diagonal when d > 1).
    #[arg(long, default_value = "paper", allow_hyphen_values = true)]
    pub inputs: String,
    /// Hidden layers L, each of the same width (docs/conventions.md section 11; default 1).
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
}

impl ArchArgs {
    /// The validated network.
    pub fn network(&self) -> Result<Network> {
        Network::new(
            self.arch,
            self.sigma_w.unwrap_or(self.arch.default_sigma_w()),
            self.sigma_b.unwrap_or(self.arch.default_sigma_b()),
            self.d_in,
        )?
        .with_bias(self.bias_dist)
        .with_depth(self.depth)
        .map_err(|e| anyhow::anyhow!("--depth: {e}"))
    }

    /// Refuse `--depth` above 1 for a command that handles one hidden layer only.
    pub fn single_layer(&self, command: &str) -> Result<()> {
        if self.depth > 1 {
            anyhow::bail!(
                "--depth: `nnqft {command}` handles networks with one hidden layer only; got depth {}",
                self.depth
            );
        }
        Ok(())
    }

    /// The validated input set (dimension checked against --d-in).
    pub fn inputs(&self) -> Result<InputSet> {
        Ok(InputSet::parse(&self.inputs, self.arch, Some(self.d_in))?)
    }
}
