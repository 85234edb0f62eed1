//! The Feynman-diagram expansion of the 4-point function at first order in
//! Delta S = int [lambda f^4 + kappa f^6], with exact coefficients from the enumeration
//! (expect -24 lambda for the X diagram and -360 kappa for the X with a loop).
//!
//! Run: `cargo run --release --example g4_expansion`

use nnqft_diagrams::{ExpansionSpec, expand, latex, text};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let e = expand(&ExpansionSpec::new(4, 1))?;
    println!("G4 at first order: {} classes", e.classes.len());
    for c in &e.classes {
        println!(
            "  class {}: {:>8} {:<7} ({} labelled diagrams)   {}",
            c.id,
            text::rational(&c.coefficient),
            e.monomial_name(&c.monomial),
            c.members,
            latex::class_term(&e, c)
        );
    }
    for (m, t) in e.totals() {
        println!("  total {:<7} {}", e.monomial_name(&m), text::rational(&t));
    }
    Ok(())
}
