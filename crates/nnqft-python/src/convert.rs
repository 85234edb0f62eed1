//! Values across the boundary: JSON values to Python objects, Python inputs to an input set,
//! correlator entry lists to dense symmetric numpy arrays.

use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use serde_json::Value;

/// A JSON value as the Python object `json.loads` would give (floats keep their bits).
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A serde value as a Python dict (or list, number, ...), through its JSON form.
pub fn to_dict<'py, T: Serialize>(py: Python<'py>, value: &T) -> anyhow::Result<Bound<'py, PyAny>> {
    let v = serde_json::to_value(value)?;
    Ok(to_py(py, &v)?)
}

/// The `inputs` keyword as the LIST grammar of the command line (`--inputs`), so that the
/// library's parser validates it and words its errors: None is `paper`, a string is taken
/// as it is, a sequence of numbers is one-dimensional points, a sequence of sequences (or a
/// (k, d) array) is points with d coordinates.
pub fn inputs_text(inputs: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let Some(obj) = inputs else {
        return Ok("paper".into());
    };
    if let Ok(s) = obj.extract::<String>() {
        return Ok(s);
    }
    let points: Vec<Vec<f64>> = if let Ok(v) = obj.extract::<Vec<f64>>() {
        v.into_iter().map(|x| vec![x]).collect()
    } else if let Ok(v) = obj.extract::<Vec<Vec<f64>>>() {
        v
    } else {
        // numpy arrays of shape (k,) or (k, d) of any numeric dtype
        let np = obj.py().import("numpy")?;
        let arr = np.call_method1("asarray", (obj, "float64"))?;
        match arr.getattr("ndim")?.extract::<usize>()? {
            1 => arr
                .extract::<Vec<f64>>()?
                .into_iter()
                .map(|x| vec![x])
                .collect(),
            2 => arr.call_method0("tolist")?.extract::<Vec<Vec<f64>>>()?,
            nd => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "inputs: expected a list of points or a (k, d) array, got {nd} dimensions"
                )));
            }
        }
    };
    let text: Vec<String> = points
        .iter()
        .map(|p| {
            p.iter()
                .map(|x| format!("{x:?}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    Ok(text.join(";"))
}

/// For a table of order n over k inputs whose entries have the sorted indices `indices`: at
/// every flat position of the (k,)*n array (row-major), the number of the entry whose
/// multiset that index tuple sorts to.
pub fn positions(k: usize, n: usize, indices: &[&[usize]]) -> Vec<u32> {
    let mut pos = vec![0u32; k.pow(n as u32)];
    for (r, sorted) in indices.iter().enumerate() {
        let mut idx = sorted.to_vec();
        // every distinct permutation of the sorted multiset, in lexicographic order
        loop {
            let flat = idx.iter().fold(0, |acc, &i| acc * k + i);
            pos[flat] = r as u32;
            if !next_permutation(&mut idx) {
                break;
            }
        }
    }
    pos
}

/// The dense symmetric array of shape (k,)*n with `values[pos[i]]` at flat position i
/// (`pos` from [`positions`]).
pub fn dense<'py>(
    py: Python<'py>,
    k: usize,
    n: usize,
    pos: &[u32],
    values: &[f64],
) -> PyResult<Bound<'py, PyAny>> {
    let data: Vec<f64> = pos.iter().map(|&p| values[p as usize]).collect();
    let arr = numpy::ndarray::ArrayD::from_shape_vec(numpy::ndarray::IxDyn(&vec![k; n]), data)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(arr.into_pyarray(py).into_any())
}

/// The dense symmetric array of a list of (sorted index, value) entries.
pub fn dense_entries<'py>(
    py: Python<'py>,
    k: usize,
    n: usize,
    entries: &[(Vec<usize>, f64)],
) -> PyResult<Bound<'py, PyAny>> {
    let indices: Vec<&[usize]> = entries.iter().map(|(i, _)| i.as_slice()).collect();
    let values: Vec<f64> = entries.iter().map(|&(_, v)| v).collect();
    dense(py, k, n, &positions(k, n, &indices), &values)
}

/// Rearrange `v` into the next permutation in lexicographic order; false (leaving `v`
/// unspecified) after the last. Repeated elements give each distinct permutation once.
fn next_permutation(v: &mut [usize]) -> bool {
    if v.len() < 2 {
        return false;
    }
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = v.len() - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}
