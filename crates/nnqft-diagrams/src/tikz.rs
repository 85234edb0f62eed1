//! TikZ-Feynman drawing of one diagram, with a layout computed here in polar coordinates
//! (angles in exact thousandths of a degree, no floating point).
//!
//! Layout: the external points x_1, ..., x_n sit on a circle of radius 2.4cm in the same
//! order in every diagram (x_1 at the top left, then counter-clockwise), so that diagrams of
//! one expansion can be compared at a glance. An internal vertex with external legs sits at
//! the middle of the shortest arc that holds its legs: at the centre when it is the only
//! vertex (0.5cm off it, towards its legs, when there are free lines too), on a circle of
//! radius 1.1cm otherwise (moved on by 30 degrees when another vertex already sits there);
//! vertices without external legs sit at the centre (one) or on a circle of radius 0.55cm.
//! Multiple lines between two vertices are drawn as symmetric bends, self-loops as `loop`
//! edges spread over the widest angular gap between the vertex's other lines. Each vertex
//! kind has its own shape and, given the coupling names, a label.

use crate::diagram::Diagram;

const OUTER: &str = "2.4cm";
const INNER: &str = "1.1cm";
const CENTRE_RING: &str = "0.55cm";
const NEAR_CENTRE: &str = "0.5cm";

/// TikZ-Feynman vertex style of vertex kind k.
fn shape(k: usize) -> &'static str {
    ["dot", "square dot", "crossed dot", "empty dot"][k % 4]
}

/// Human name of the shape of kind k (for legends).
pub fn shape_name(k: usize) -> &'static str {
    ["dot", "square", "crossed dot", "open dot"][k % 4]
}

/// Millidegrees as a TikZ angle, e.g. 112500 -> "112.5".
fn angle(md: i64) -> String {
    let md = md.rem_euclid(360_000);
    let (int, frac) = (md / 1000, md % 1000);
    if frac == 0 {
        format!("{int}")
    } else {
        let f = format!("{frac:03}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }
}

/// Where a vertex is drawn.
#[derive(Clone, Copy)]
enum Place {
    Centre,
    Polar(i64, &'static str),
}

impl Place {
    fn tikz(self) -> String {
        match self {
            Place::Centre => "(0,0)".to_string(),
            Place::Polar(a, r) => format!("({}:{r})", angle(a)),
        }
    }
}

/// The `tikzpicture` (with a `feynman` environment) of the diagram, full size, unlabelled
/// vertices.
pub fn drawing(d: &Diagram) -> String {
    drawing_with(d, &[], None)
}

/// The middle (millidegrees) of the shortest arc that holds every angle of `angles`: the
/// arc opposite the widest gap between them.
fn arc_middle(angles: &[i64]) -> i64 {
    let (start, gap) = widest_gap(angles);
    if angles.len() <= 1 {
        return angles.first().copied().unwrap_or(90_000);
    }
    // the arc runs from start + gap round to start
    start + gap + (360_000 - gap) / 2
}

/// The `tikzpicture` of the diagram with vertex kind k labelled `labels[k]` (LaTeX math; no
/// labels when `labels` is empty) and, for inline use, scaled by `scale` (e.g. "0.4"; the
/// labels are then set in \scriptsize).
pub fn drawing_with(d: &Diagram, labels: &[String], scale: Option<&str>) -> String {
    let n = d.n_external;
    let v = d.internal.len();
    // partner of each external point
    let mut partner = vec![0usize; n];
    for &(a, b) in &d.edges {
        if a < n {
            partner[a] = b;
            if b < n {
                partner[b] = a;
            }
        }
    }
    // external point i at 90 + 180/n + 360 i/n degrees, whatever it is attached to
    let n64 = n as i64;
    let slot_angle = |twice_s: i64| 90_000 + 180_000 / n64 + 180_000 * twice_s / n64;
    let ext_angle: Vec<i64> = (0..n as i64).map(|i| slot_angle(2 * i)).collect();
    let legs: Vec<Vec<i64>> = (0..v)
        .map(|a| {
            (0..n)
                .filter(|&i| partner[i] == n + a)
                .map(|i| ext_angle[i])
                .collect()
        })
        .collect();
    let free_lines = (0..n).any(|i| partner[i] < n);
    // internal vertices
    let bare: Vec<usize> = (0..v).filter(|&a| legs[a].is_empty()).collect();
    let mut place = vec![Place::Centre; v];
    let mut taken: Vec<i64> = Vec::new();
    for a in 0..v {
        if legs[a].is_empty() {
            continue;
        }
        let mut mid = arc_middle(&legs[a]).rem_euclid(360_000);
        if v > 1 {
            while taken.contains(&mid) {
                mid = (mid + 30_000).rem_euclid(360_000);
            }
            taken.push(mid);
            place[a] = Place::Polar(mid, INNER);
        } else if free_lines {
            place[a] = Place::Polar(mid, NEAR_CENTRE);
        }
    }
    if bare.len() > 1 {
        for (i, &a) in bare.iter().enumerate() {
            let at = 90_000 + 360_000 * i as i64 / bare.len() as i64;
            place[a] = Place::Polar(at, CENTRE_RING);
        }
    }

    let mut s = match scale {
        None => String::from(
            "\\begin{tikzpicture}[baseline=(current bounding box.center)]\n\\begin{feynman}\n",
        ),
        Some(k) => format!(
            "\\begin{{tikzpicture}}[scale={k}, every node/.style={{font=\\scriptsize}}]\n\\begin{{feynman}}\n"
        ),
    };
    for (i, &at) in ext_angle.iter().enumerate() {
        s.push_str(&format!(
            "  \\vertex (e{}) at ({}:{OUTER}) {{\\(x_{{{}}}\\)}};\n",
            i + 1,
            angle(at),
            i + 1
        ));
    }
    for (a, (&kind, p)) in d.internal.iter().zip(&place).enumerate() {
        // the label sits outwards (above the centre)
        let label = match (labels.get(kind), p) {
            (None, _) => String::new(),
            (Some(l), Place::Centre) => format!(", label={{[inner sep=1pt]45:\\({l}\\)}}"),
            (Some(l), Place::Polar(at, _)) => {
                format!(
                    ", label={{[inner sep=1pt]{}:\\({l}\\)}}",
                    angle(at + 35_000)
                )
            }
        };
        s.push_str(&format!(
            "  \\vertex[{}{label}] (v{}) at {} {{}};\n",
            shape(kind),
            a + 1,
            p.tikz()
        ));
    }
    let name = |x: usize| {
        if x < n {
            format!("e{}", x + 1)
        } else {
            format!("v{}", x - n + 1)
        }
    };
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    let edges = &d.edges;
    while i < edges.len() {
        let m = edges[i..].iter().take_while(|&&e| e == edges[i]).count();
        let (a, b) = edges[i];
        if a == b {
            // self-loops: spread over the widest gap between the vertex's other lines;
            // TikZ-Feynman draws a loop only between unparenthesized node names
            let (start, gap) = widest_gap(&line_directions(d, a - n, &place, &ext_angle));
            for k in 1..=m as i64 {
                let dir = start + gap * k / (m as i64 + 1);
                lines.push(format!(
                    "v{0} -- [out={1}, in={2}, loop, min distance=1cm] v{0}",
                    a - n + 1,
                    angle(dir + 25_000),
                    angle(dir - 25_000)
                ));
            }
        } else {
            for k in 0..m as i64 {
                let bend = (2 * k - (m as i64 - 1)) * 15;
                let style = match bend {
                    0 => String::new(),
                    b if b > 0 => format!(" [bend left={b}]"),
                    b => format!(" [bend right={}]", -b),
                };
                lines.push(format!("({}) --{style} ({})", name(a), name(b)));
            }
        }
        i += m;
    }
    s.push_str("  \\diagram* {\n");
    for (k, l) in lines.iter().enumerate() {
        let comma = if k + 1 < lines.len() { "," } else { "" };
        s.push_str(&format!("    {l}{comma}\n"));
    }
    s.push_str("  };\n\\end{feynman}\n\\end{tikzpicture}");
    s
}

/// Approximate directions (millidegrees) in which the lines other than self-loops leave
/// internal vertex a: towards the external point for a leg (exact from the centre, leaning
/// away from the vertex's angle otherwise), along
/// the chord for a line to a vertex on the same circle (exact), else towards or away from
/// the centre.
fn line_directions(d: &Diagram, a: usize, place: &[Place], ext_angle: &[i64]) -> Vec<i64> {
    let n = d.n_external;
    let node_a = n + a;
    let mut dirs = Vec::new();
    for &(p, q) in &d.edges {
        if p == q || (p != node_a && q != node_a) {
            continue;
        }
        let other = if p == node_a { q } else { p };
        if other < n {
            // seen from off the centre, a leg leans away from the vertex's own angle
            let tb = ext_angle[other];
            dirs.push(match place[a] {
                Place::Centre => tb,
                Place::Polar(ta, _) => tb + ((tb - ta + 180_000).rem_euclid(360_000) - 180_000) / 2,
            });
            continue;
        }
        dirs.push(match (place[a], place[other - n]) {
            (Place::Polar(ta, ra), Place::Polar(tb, rb)) if ra == rb => {
                ta + 90_000 + (tb - ta).rem_euclid(360_000) / 2
            }
            (Place::Centre, Place::Polar(tb, _)) => tb,
            (Place::Polar(ta, _), Place::Centre) => ta + 180_000,
            (Place::Polar(ta, ra), Place::Polar(tb, _)) => {
                if ra == INNER {
                    ta + 180_000
                } else {
                    tb
                }
            }
            (Place::Centre, Place::Centre) => 90_000,
        });
    }
    dirs
}

/// (start, width) in millidegrees of the widest angular gap between the directions; the
/// whole circle from 90 degrees when there is none.
fn widest_gap(dirs: &[i64]) -> (i64, i64) {
    let mut d: Vec<i64> = dirs.iter().map(|x| x.rem_euclid(360_000)).collect();
    d.sort_unstable();
    d.dedup();
    if d.is_empty() {
        return (90_000, 360_000);
    }
    let mut best = (d[d.len() - 1], d[0] + 360_000 - d[d.len() - 1]);
    for w in d.windows(2) {
        if w[1] - w[0] > best.1 {
            best = (w[0], w[1] - w[0]);
        }
    }
    best
}
