//! Streaming Monte Carlo ensembles of single-hidden-layer networks and their n-point functions.
