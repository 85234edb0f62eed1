//! What to expand: the external points, the order, the interaction vertices g_k f^k, options.

use thiserror::Error;

/// Default refusal threshold of [`crate::expand`] (estimated number of diagrams).
pub const DEFAULT_MAX_DIAGRAMS: u64 = 200_000;

/// Largest vertex degree accepted (keeps every enumeration finite and small).
pub const MAX_DEGREE: usize = 16;

/// Largest number of external points accepted.
pub const MAX_POINTS: usize = 64;

/// One interaction term `g f^k` of Delta S: coupling name `g` and degree `k`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VertexKind {
    /// Coupling name: a letter followed by letters or digits ("lambda", "kappa", "g3").
    pub name: String,
    /// Number of lines meeting at the vertex (the power k of f).
    pub degree: usize,
}

impl VertexKind {
    /// The vertex `name f^degree` (checked by [`ExpansionSpec::validate`]).
    pub fn new(name: impl Into<String>, degree: usize) -> Self {
        VertexKind {
            name: name.into(),
            degree,
        }
    }

    /// Parse `name=degree`, e.g. `lambda=4`; the name must be a valid coupling name and the
    /// degree an integer in 3..=MAX_DEGREE.
    pub fn parse(s: &str) -> Result<Self, DiagramError> {
        let malformed = || DiagramError::MalformedVertex(s.to_string());
        let (name, deg) = s.split_once('=').ok_or_else(malformed)?;
        let name = name.trim();
        if !valid_name(name) {
            return Err(malformed());
        }
        let degree: usize = deg.trim().parse().map_err(|_| malformed())?;
        let v = VertexKind::new(name, degree);
        v.check(3)?;
        Ok(v)
    }

    /// Name valid and degree in min_degree..=MAX_DEGREE.
    fn check(&self, min_degree: usize) -> Result<(), DiagramError> {
        if !valid_name(&self.name) {
            return Err(DiagramError::MalformedVertex(format!(
                "{}={}",
                self.name, self.degree
            )));
        }
        if self.degree < min_degree || self.degree > MAX_DEGREE {
            return Err(DiagramError::VertexDegree {
                name: self.name.clone(),
                degree: self.degree,
            });
        }
        Ok(())
    }
}

/// A coupling name: ASCII letter, then ASCII letters or digits.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The expansion of G^(n)(x_1..x_n) in Delta S = int sum_k g_k f^k up to a given order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpansionSpec {
    /// Number n of external points.
    pub points: usize,
    /// Largest total number of internal vertices; every order 0..=order is generated.
    pub order: usize,
    /// Vertex kinds in declaration order (monomials and LaTeX follow this order).
    pub vertices: Vec<VertexKind>,
    /// Keep only connected diagrams.
    pub connected_only: bool,
    /// Keep diagrams with 2-point insertions (default false: drop them; see
    /// [`crate::has_two_point_insertion`]).
    pub keep_self_energy: bool,
    /// Refuse ([`DiagramError::TooLarge`]) when the size estimate exceeds this.
    pub max_diagrams: u64,
}

impl ExpansionSpec {
    /// G^(points) to `order` with the default vertices lambda f^4 and kappa f^6, all diagrams
    /// (connected or not), 2-point insertions dropped, limit [`DEFAULT_MAX_DIAGRAMS`].
    pub fn new(points: usize, order: usize) -> Self {
        ExpansionSpec {
            points,
            order,
            vertices: Self::default_vertices(),
            connected_only: false,
            keep_self_energy: false,
            max_diagrams: DEFAULT_MAX_DIAGRAMS,
        }
    }

    /// lambda f^4 and kappa f^6, the paper's effective action.
    pub fn default_vertices() -> Vec<VertexKind> {
        vec![VertexKind::new("lambda", 4), VertexKind::new("kappa", 6)]
    }

    /// Check the spec: n even and positive, at least one vertex kind, names valid and
    /// distinct, degrees in 3..=MAX_DEGREE, or 2 (a quadratic vertex such as a mass shift
    /// 1/2 delta f^2) when 2-point insertions are kept: every diagram with a 2-vertex has one.
    pub fn validate(&self) -> Result<(), DiagramError> {
        if self.points == 0 {
            return Err(DiagramError::NoPoints);
        }
        if self.points % 2 == 1 {
            return Err(DiagramError::OddPoints(self.points));
        }
        if self.points > MAX_POINTS {
            return Err(DiagramError::TooManyPoints(self.points));
        }
        if self.vertices.is_empty() {
            return Err(DiagramError::NoVertices);
        }
        for (i, v) in self.vertices.iter().enumerate() {
            v.check(2)?;
            if v.degree == 2 && !self.keep_self_energy {
                return Err(DiagramError::TwoPointVertexDropped(v.name.clone()));
            }
            if self.vertices[..i].iter().any(|w| w.name == v.name) {
                return Err(DiagramError::DuplicateVertex(v.name.clone()));
            }
        }
        Ok(())
    }
}

/// Why an expansion cannot be built.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiagramError {
    /// Zero external points.
    #[error("the number of external points must be positive (got 0)")]
    NoPoints,
    /// An odd number of external points.
    #[error(
        "the number of external points must be even (got {0}): the field is odd under f -> -f, so every odd-point function vanishes"
    )]
    OddPoints(usize),
    /// More than [`MAX_POINTS`] external points.
    #[error("at most {MAX_POINTS} external points are supported (got {0})")]
    TooManyPoints(usize),
    /// No vertex kind.
    #[error("no interaction vertex given")]
    NoVertices,
    /// A vertex degree outside 3..=MAX_DEGREE.
    #[error(
        "vertex `{name}` has degree {degree}; an interaction vertex needs a degree between 3 and {MAX_DEGREE}"
    )]
    VertexDegree {
        /// The coupling's name.
        name: String,
        /// The degree given.
        degree: usize,
    },
    /// A degree-2 vertex while 2-point insertions are dropped (every diagram with it has one).
    #[error(
        "vertex `{0}` has degree 2: every diagram containing it has a 2-point insertion, so it needs 2-point insertions kept"
    )]
    TwoPointVertexDropped(String),
    /// Two vertex kinds with one name.
    #[error("vertex `{0}` is declared twice")]
    DuplicateVertex(String),
    /// A vertex that is not NAME=DEGREE.
    #[error(
        "malformed vertex `{0}`: expected NAME=DEGREE with NAME a letter followed by letters or digits, e.g. lambda=4"
    )]
    MalformedVertex(String),
    /// The size estimate is above [`ExpansionSpec::max_diagrams`].
    #[error(
        "the expansion would have {} {} diagrams, above the limit of {limit}",
        if *at_least { "more than" } else { "about" },
        count_text(*estimate)
    )]
    TooLarge {
        /// The size estimate (a lower bound when `at_least`).
        estimate: u128,
        /// The limit it exceeds.
        limit: u64,
        /// The estimate stopped early, far above the limit.
        at_least: bool,
    },
    /// The generator's work estimate (labelled configurations times their vertex
    /// relabellings) is above [`crate::MAX_GENERATOR_WORK`], though the diagrams are few.
    #[error(
        "the expansion has about {diagrams} diagrams, but generating them means canonicalizing \
         about {w:.1e} labelled configurations (about {s:.0} s; the limit is {l:.0e}): use a \
         lower order or fewer vertices of one kind",
        w = *work as f64,
        s = *work as f64 / 2e8,
        l = *limit as f64
    )]
    TooSlow {
        /// The number of diagrams estimated.
        diagrams: u128,
        /// The work estimate (configurations; about 2e8 per second).
        work: u128,
        /// The limit it exceeds.
        limit: u128,
    },
}

/// A diagram count as text: exact below 10^15, else in scientific notation (a count that
/// saturated at u128::MAX reads "3.4e38", not 39 digits that look exact).
fn count_text(n: u128) -> String {
    if n < 1_000_000_000_000_000 {
        n.to_string()
    } else {
        format!("{:.1e}", n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_counts_read_as_orders_of_magnitude() {
        assert_eq!(count_text(200_001), "200001");
        assert_eq!(count_text(u128::MAX), "3.4e38");
    }

    #[test]
    fn parse_vertices() {
        assert_eq!(
            VertexKind::parse("lambda=4").unwrap(),
            VertexKind::new("lambda", 4)
        );
        assert_eq!(
            VertexKind::parse(" g3 = 3 ").unwrap(),
            VertexKind::new("g3", 3)
        );
        for bad in ["lambda", "=4", "3g=4", "la-mbda=4", "lambda=x", "lambda=-4"] {
            assert!(
                matches!(
                    VertexKind::parse(bad),
                    Err(DiagramError::MalformedVertex(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            VertexKind::parse("mass=2"),
            Err(DiagramError::VertexDegree { degree: 2, .. })
        ));
    }

    #[test]
    fn validate_points_and_vertices() {
        assert!(ExpansionSpec::new(4, 1).validate().is_ok());
        assert_eq!(
            ExpansionSpec::new(0, 1).validate(),
            Err(DiagramError::NoPoints)
        );
        assert_eq!(
            ExpansionSpec::new(3, 1).validate(),
            Err(DiagramError::OddPoints(3))
        );
        let mut s = ExpansionSpec::new(4, 1);
        s.vertices.push(VertexKind::new("lambda", 3));
        assert_eq!(
            s.validate(),
            Err(DiagramError::DuplicateVertex("lambda".into()))
        );
        s.vertices.clear();
        assert_eq!(s.validate(), Err(DiagramError::NoVertices));
        // a quadratic vertex only with 2-point insertions kept
        let mut s = ExpansionSpec::new(2, 1);
        s.vertices.push(VertexKind::new("mass", 2));
        assert_eq!(
            s.validate(),
            Err(DiagramError::TwoPointVertexDropped("mass".into()))
        );
        s.keep_self_energy = true;
        assert!(s.validate().is_ok());
        s.vertices.push(VertexKind::new("one", 1));
        assert!(matches!(
            s.validate(),
            Err(DiagramError::VertexDegree { degree: 1, .. })
        ));
    }
}
