//! Couplings, renormalization-group flow, beta functions and effective-action fits for NN-QFT.
