//! Inputs shared by the moment test binaries.

/// Six points in general position in R^3 (rank 3: with a bias, four latent directions).
pub fn spread_d3() -> Vec<Vec<f64>> {
    vec![
        vec![0.3, -0.8, 0.5],
        vec![1.0, 0.2, -0.4],
        vec![-0.6, 0.7, 0.9],
        vec![0.1, 0.1, -1.0],
        vec![-0.9, -0.3, 0.2],
        vec![0.5, 0.9, 0.6],
    ]
}
