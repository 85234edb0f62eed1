//! Diagram integrals under a cutoff and exact finite-width correlators for NN-QFT.
