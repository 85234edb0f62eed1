//! End-to-end tests of `nnqft` for this area (being written).
