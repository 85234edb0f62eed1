//! The effective action from the correlators (Edgeworth reconstruction; Demirtas, Halverson,
//! Maiti, Schwartz, Stoner 2023), its round trip through the diagram engine, and a locality
//! summary. Conventions: docs/conventions.md section 9.

pub mod contract;
pub mod error;
pub mod errors;
pub mod explain;
pub mod locality;
pub mod reconstruct;
pub mod roundtrip;
pub mod tensor;

pub use error::ActionError;
pub use errors::{CouplingErrors, coupling_errors};
pub use explain::explain;
pub use locality::{LocalFit, Locality, locality};
pub use reconstruct::{
    ActionCouplings, DEFAULT_MAX_CONDITION, Whitened, check_condition, one_input_couplings,
    reconstruct, whitened_couplings,
};
pub use roundtrip::{
    PerturbativeCumulants, Residual, RoundTrip, perturbative_cumulants, round_trip,
};
pub use tensor::Tensor;
