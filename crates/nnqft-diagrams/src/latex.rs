//! LaTeX (amsmath) of an expansion: the equation in class form and in fully labelled form,
//! the TikZ-Feynman drawings of the classes, and a complete document.
//!
//! Notation: x_i external points, y_a internal vertex positions (y when there is one),
//! K_{ij} a free line between x_i and x_j, K(u,v) a line at an interaction vertex, each
//! vertex integrated over the cutoff box [-Lambda, Lambda]^d. Lines at a vertex stand for
//! K_int = K - sigma_b^2 (docs/conventions.md section 5); free lines for the full K. In the class form, \sum_{m}
//! runs over the m distinct assignments of the external points to the drawn member, and the
//! coefficient in front is that of one member.

use crate::diagram::{Class, Diagram, Expansion};
use crate::tikz;
use num_rational::BigRational;
use num_traits::{One, Signed};

const GREEK: [&str; 34] = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi",
    "Omega",
];

/// A coupling name as LaTeX: Greek letter names become the letter (`lambda` -> `\lambda`),
/// trailing digits a subscript (`g3` -> `g_{3}`), other names upright (`\mathrm{gv}`).
pub fn coupling(name: &str) -> String {
    let split = name
        .find(|c: char| c.is_ascii_digit())
        .filter(|&i| name[i..].chars().all(|c| c.is_ascii_digit()))
        .unwrap_or(name.len());
    let (base, digits) = name.split_at(split);
    let base = if GREEK.contains(&base) {
        format!("\\{base}")
    } else if base.len() == 1 {
        base.to_string()
    } else {
        format!("\\mathrm{{{base}}}")
    };
    if digits.is_empty() {
        base
    } else {
        format!("{base}_{{{digits}}}")
    }
}

/// The coupling monomial, e.g. `\lambda^{2}\kappa`; empty for the free term.
pub fn monomial(e: &Expansion, m: &[u32]) -> String {
    let mut s = String::new();
    for (v, &p) in e.spec.vertices.iter().zip(m) {
        match p {
            0 => {}
            1 => s.push_str(&coupling(&v.name)),
            _ => s.push_str(&format!("{}^{{{p}}}", coupling(&v.name))),
        }
    }
    s
}

/// ` + 24\lambda ` style signed factor: (is negative, magnitude with the monomial). A
/// magnitude 1 is omitted unless there is nothing else to write.
fn signed_factor(c: &BigRational, mono: &str, body_follows: bool) -> (bool, String) {
    let a = c.abs();
    let number = if a.is_integer() {
        a.numer().to_string()
    } else {
        format!("\\frac{{{}}}{{{}}}", a.numer(), a.denom())
    };
    let s = if a.is_one() && (!mono.is_empty() || body_follows) {
        mono.to_string()
    } else {
        format!("{number}{mono}")
    };
    (c.is_negative(), s)
}

/// Name of external point i (0-based): x_1, x_{10}.
fn x(i: usize) -> String {
    let k = i + 1;
    if k < 10 {
        format!("x_{k}")
    } else {
        format!("x_{{{k}}}")
    }
}

/// Name of internal vertex a of v: y (alone) or y_1, y_{10}.
fn y(a: usize, v: usize) -> String {
    if v == 1 {
        "y".to_string()
    } else if a < 9 {
        format!("y_{}", a + 1)
    } else {
        format!("y_{{{}}}", a + 1)
    }
}

fn power(base: String, p: usize) -> String {
    if p == 1 {
        base
    } else {
        format!("{base}^{{{p}}}")
    }
}

/// The integral of one labelled diagram without its coefficient: the free lines K_{ij}, then
/// the vertex integrals and the lines at the vertices, e.g.
/// `K_{12}\int_{-\Lambda}^{\Lambda} d^{d}y\, K(x_3,y)K(x_4,y)K(x_5,y)K(x_6,y)K(y,y)`.
pub fn integrand(d: &Diagram) -> String {
    integrand_pieces(d).concat()
}

/// [`integrand`] cut into the pieces between which a line may break.
fn integrand_pieces(d: &Diagram) -> Vec<String> {
    let n = d.n_external;
    let v = d.internal.len();
    let node = |a: usize| if a < n { x(a) } else { y(a - n, v) };
    let mut out = Vec::new();
    for &(a, b) in d.edges.iter().filter(|&&(a, b)| b < n && a < n) {
        if n < 10 {
            out.push(format!("K_{{{}{}}}", a + 1, b + 1));
        } else {
            out.push(format!("K_{{{},{}}}", a + 1, b + 1));
        }
    }
    for a in 0..v {
        let sep = if a + 1 == v { "\\, " } else { " " };
        out.push(format!(
            "\\int_{{-\\Lambda}}^{{\\Lambda}} d^{{d}}{}{sep}",
            y(a, v)
        ));
    }
    // external legs in the order of the external points, then the internal lines
    let mut legs: Vec<(usize, usize)> = d
        .edges
        .iter()
        .filter(|&&(a, b)| a < n && b >= n)
        .copied()
        .collect();
    legs.sort();
    for (a, b) in legs {
        out.push(format!("K({},{})", x(a), node(b)));
    }
    let inner: Vec<(usize, usize)> = d.edges.iter().filter(|&&(a, _)| a >= n).copied().collect();
    let mut i = 0;
    while i < inner.len() {
        let m = inner[i..].iter().take_while(|&&e| e == inner[i]).count();
        let (a, b) = inner[i];
        out.push(power(format!("K({},{})", node(a), node(b)), m));
        i += m;
    }
    out
}

/// A signed term as pieces: sign, coefficient and monomial, an optional `\sum_{m}`, then the
/// integral's pieces.
fn term_pieces(
    e: &Expansion,
    c: &BigRational,
    m: &[u32],
    members: usize,
    d: &Diagram,
) -> Vec<String> {
    let (neg, f) = signed_factor(c, &monomial(e, m), true);
    let mut head = format!("{} {f}", if neg { "-" } else { "+" });
    if !f.is_empty() {
        head.push(' ');
    }
    if members > 1 {
        head.push_str(&format!("\\sum_{{{members}}} "));
    }
    let mut pieces = vec![head];
    pieces.extend(integrand_pieces(d));
    pieces
}

/// One term of the fully labelled equation, with its sign: e.g. `- 24\lambda \int...`.
pub fn diagram_term(e: &Expansion, d: &Diagram) -> String {
    term_pieces(e, &d.coefficient, &d.monomial, 1, d).concat()
}

/// One term of the class form, with its sign: the coefficient of one member, `\sum_{m}` over
/// the m members when m > 1, and the drawn member's integral.
pub fn class_term(e: &Expansion, c: &Class) -> String {
    class_pieces(e, c).concat()
}

fn class_pieces(e: &Expansion, c: &Class) -> Vec<String> {
    let rep = &e.diagrams[c.representative];
    term_pieces(e, &rep.coefficient, &c.monomial, c.members, rep)
}

/// The class total as inline math, e.g. `-5400\kappa`.
pub fn class_total(e: &Expansion, c: &Class) -> String {
    let (neg, f) = signed_factor(&c.coefficient, &monomial(e, &c.monomial), false);
    format!("{}{f}", if neg { "-" } else { "" })
}

/// `G^{(4)}(x_1,\dots,x_4)`.
pub fn lhs(n: usize) -> String {
    let args = match n {
        1 => x(0),
        2 => format!("{},{}", x(0), x(1)),
        3 => format!("{},{},{}", x(0), x(1), x(2)),
        _ => format!("{},\\dots,{}", x(0), x(n - 1)),
    };
    format!("G^{{({n})}}({args})")
}

/// Rough printed width of a piece of math, in units of about one character: control words
/// count as one symbol, braces and script markers as nothing.
fn width(piece: &str) -> usize {
    let mut w = 0;
    let mut chars = piece.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut word = 0;
                while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    chars.next();
                    word += 1;
                }
                if word > 0 {
                    w += 1;
                } else {
                    chars.next(); // \, \\ etc.
                }
            }
            '{' | '}' | '_' | '^' | ' ' => {}
            _ => w += 1,
        }
    }
    w
}

/// Printed width of an inline diagram, in the units of [`width`].
const DIAGRAM_WIDTH: usize = 11;

/// An `align*` environment: lhs `&=` the terms (each a list of pieces, of printed width
/// `widths[k]`), broken into lines of bounded printed width between terms only, never inside
/// a term's product of propagators: a term wider than a line gets a line of its own, and
/// when that is still too wide for a page, its vertex integrals end the line and the product
/// follows on the next, indented.
fn align(lhs: &str, terms: &[Vec<String>], widths: &[usize]) -> String {
    const LINE: usize = 60;
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_w = width(lhs);
    for (t, &tw) in terms.iter().zip(widths) {
        if cur_w + tw > LINE && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
            cur_w = 0;
        }
        let measure_end = t
            .iter()
            .rposition(|p| p.starts_with("\\int"))
            .map(|i| i + 1);
        if let Some(k) = measure_end.filter(|&k| tw > LINE && k < t.len()) {
            lines.push(t[..k].concat());
            cur.push_str("\\quad ");
            cur.push_str(&t[k..].concat());
            cur.push(' ');
            cur_w = t[k..].iter().map(|p| width(p)).sum();
            continue;
        }
        cur.push_str(&t.concat());
        cur.push(' ');
        cur_w += tw;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    let mut s = String::from("\\begin{align*}\n");
    for (i, l) in lines.iter().enumerate() {
        let l = l.trim_end();
        if i == 0 {
            let l = l.strip_prefix("+ ").unwrap_or(l);
            s.push_str(&format!("{lhs} &= {l}"));
        } else {
            s.push_str(&format!(" \\\\\n  &\\quad {l}"));
        }
    }
    if terms.is_empty() {
        s.push_str(&format!("{lhs} &= 0"));
    }
    s.push_str("\n\\end{align*}\n");
    s
}

/// [`align`] with each term's width measured from its text.
fn align_text(lhs: &str, terms: &[Vec<String>]) -> String {
    let widths: Vec<usize> = terms
        .iter()
        .map(|t| t.iter().map(|p| width(p)).sum())
        .collect();
    align(lhs, terms, &widths)
}

/// The LaTeX names of the vertex kinds (`\lambda`, `\kappa`), the labels of the drawings.
fn vertex_labels(e: &Expansion) -> Vec<String> {
    e.spec.vertices.iter().map(|v| coupling(&v.name)).collect()
}

/// The expansion with the diagrams drawn inline: per class, the coefficient of one member,
/// `\sum_{m}` over its m members, and the drawing of one member (external points x_1..x_n
/// in the same order around every diagram, vertices labelled with their coupling).
pub fn diagram_equation(e: &Expansion) -> String {
    let labels = vertex_labels(e);
    let mut terms = vec![];
    let mut widths = vec![];
    for c in &e.classes {
        let rep = &e.diagrams[c.representative];
        let (neg, f) = signed_factor(&rep.coefficient, &monomial(e, &c.monomial), true);
        let mut head = format!("{} {f}", if neg { "-" } else { "+" });
        if c.members > 1 {
            head.push_str(&format!("\\sum_{{{}}}", c.members));
        }
        widths.push(width(&head) + DIAGRAM_WIDTH);
        terms.push(vec![
            head,
            format!(
                "\\vcenter{{\\hbox{{{}}}}}",
                tikz::drawing_with(rep, &labels, Some("0.4"))
            ),
        ]);
    }
    align(&lhs(e.spec.points), &terms, &widths)
}

/// The expansion in class form.
pub fn class_equation(e: &Expansion) -> String {
    let terms: Vec<Vec<String>> = e.classes.iter().map(|c| class_pieces(e, c)).collect();
    align_text(&lhs(e.spec.points), &terms)
}

/// The expansion in fully labelled form (one term per labelled diagram).
pub fn labelled_equation(e: &Expansion) -> String {
    let terms: Vec<Vec<String>> = e
        .diagrams
        .iter()
        .map(|d| term_pieces(e, &d.coefficient, &d.monomial, 1, d))
        .collect();
    align_text(&lhs(e.spec.points), &terms)
}

/// What goes into a document: the expansion with its diagrams drawn inline, in class form
/// and in fully labelled form, three `align*` environments and nothing else (no prose, no
/// sectioning; a `%` comment names the expansion). Needs amsmath and tikz-feynman (and
/// `\allowdisplaybreaks` for long expansions).
pub fn body(e: &Expansion) -> String {
    let spec = &e.spec;
    let mut s = format!(
        "% nnqft diagrams: G^({}) up to order {}, {} classes, {} labelled diagrams\n",
        spec.points,
        spec.order,
        e.classes.len(),
        e.diagrams.len()
    );
    s.push_str("% with the diagrams drawn\n");
    s.push_str(&diagram_equation(e));
    s.push_str("% class form\n");
    s.push_str(&class_equation(e));
    s.push_str("% fully labelled form\n");
    s.push_str(&labelled_equation(e));
    s
}

/// The prose a document puts around [`body`]: the interaction, the options of the expansion,
/// the notation of the three equations and the vertex shapes.
pub fn description(e: &Expansion) -> String {
    let spec = &e.spec;
    let vertices: Vec<String> = spec
        .vertices
        .iter()
        .enumerate()
        .map(|(k, v)| {
            format!(
                "${}$ vertices are drawn as a {} labelled ${}$",
                coupling(&v.name),
                tikz::shape_name(k),
                coupling(&v.name)
            )
        })
        .collect();
    format!(
        "Expansion of ${}$ up to order {} in $\\Delta S = \\int d^{{d}}x\\,[{}]$: {}; {}; {} classes, {} labelled diagrams. \
         The three equations below are the same expansion: with one member of each class drawn, in class form \
         ($\\sum_{{m}}$ runs over the $m$ distinct assignments of the external points; the coefficient is that of one term) \
         and in fully labelled form. {}. \
         A line at an interaction vertex, $K(\\cdot,y)$, is $K_{{\\mathrm{{int}}}} = K - \\sigma_b^2$; a free line $K_{{ij}}$ is the full kernel; \
         each vertex is integrated over the box $[-\\Lambda, \\Lambda]^d$.\n",
        lhs(spec.points),
        spec.order,
        spec.vertices
            .iter()
            .map(|v| format!("{}\\, f^{{{}}}", coupling(&v.name), v.degree))
            .collect::<Vec<_>>()
            .join(" + "),
        if spec.connected_only {
            "connected diagrams only"
        } else {
            "connected and disconnected diagrams"
        },
        if spec.keep_self_energy {
            "2-point insertions kept"
        } else {
            "diagrams with 2-point insertions dropped"
        },
        e.classes.len(),
        e.diagrams.len(),
        vertices.join("; "),
    )
}

/// A complete document (compiles with lualatex): article class, amsmath, geometry,
/// tikz-feynman, the [`description`] and the [`body`].
pub fn document(e: &Expansion) -> String {
    format!(
        "\\documentclass[11pt]{{article}}\n\\usepackage[margin=2cm]{{geometry}}\n\\usepackage{{amsmath}}\n\\usepackage{{tikz-feynman}}\n\\tikzfeynmanset{{compat=1.1.0}}\n\\allowdisplaybreaks\n\\begin{{document}}\n\\noindent {}\n{}\\end{{document}}\n",
        description(e),
        body(e)
    )
}
