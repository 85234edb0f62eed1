//! Bit-for-bit reproducibility whatever the threads, the grouping of blocks into partial
//! results, their serialization and the order of merging; merge refusals.

use nnqft_core::{Arch, InputSet, Network};
use nnqft_ensemble::{
    EnsembleError, Estimator, Partial, Plan, Settings, finish, run_all, run_blocks,
};

fn plan(seed: u64) -> Plan {
    plan_with(seed, Estimator::Direct)
}

fn plan_with(seed: u64, estimator: Estimator) -> Plan {
    let net = Network::paper(Arch::Erf);
    let xs = InputSet::paper(Arch::Erf, 1).unwrap();
    let s = Settings::new(net, xs, 7, &[2, 4, 6])
        .unwrap()
        .with_estimator(estimator)
        .unwrap();
    // Small blocks so that the run has many (4 experiments x 8 blocks, the last ones short).
    Plan::with(
        s,
        nnqft_ensemble::Sampling {
            nets: 4 * 1000,
            experiments: 4,
            seed,
            block_size: 130,
        },
    )
    .unwrap()
}

fn json(p: &Partial) -> String {
    serde_json::to_string(&finish(p).unwrap()).unwrap()
}

#[test]
fn threads_and_groupings_give_identical_bits() {
    for estimator in Estimator::ALL {
        identical_bits(estimator);
    }
}

fn identical_bits(estimator: Estimator) {
    let plan = plan_with(42, estimator);
    assert_eq!(plan.block_count(), 32);
    let one = json(&run_all(&plan, Some(1), &|_| {}).unwrap());
    let two = json(&run_all(&plan, Some(2), &|_| {}).unwrap());
    assert_eq!(one, two);
    // Three uneven, interleaved groups, each through JSON (as shard files would be), merged
    // in two different orders.
    let groups: Vec<Vec<u64>> = vec![
        (0..32).filter(|b| b % 3 == 0).collect(),
        (0..32).filter(|b| b % 3 == 1).rev().collect(),
        (0..32).filter(|b| b % 3 == 2).collect(),
    ];
    let parts: Vec<Partial> = groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let p = run_blocks(&plan, g, Some(1 + k % 2), &|_| {}).unwrap();
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap()
        })
        .collect();
    for order in [[0, 1, 2], [2, 0, 1]] {
        let mut acc = parts[order[0]].clone();
        acc.merge(&parts[order[1]]).unwrap();
        assert!(matches!(
            finish(&acc),
            Err(EnsembleError::MissingBlocks { .. })
        ));
        acc.merge(&parts[order[2]]).unwrap();
        assert_eq!(json(&acc), one);
    }
    // A different seed gives different numbers.
    assert_ne!(
        json(&run_all(&plan_with(43, estimator), None, &|_| {}).unwrap()),
        one
    );
}

#[test]
fn merges_refuse_overlaps_and_foreign_plans() {
    let plan = plan(1);
    let a = run_blocks(&plan, &[0, 1, 2], None, &|_| {}).unwrap();
    let b = run_blocks(&plan, &[2, 3], None, &|_| {}).unwrap();
    let mut m = a.clone();
    assert!(matches!(m.merge(&b), Err(EnsembleError::Mismatch(_))));
    let other = run_blocks(&self::plan(2), &[5], None, &|_| {}).unwrap();
    assert!(matches!(m.merge(&other), Err(EnsembleError::Mismatch(_))));
    let err = finish(&a).unwrap_err().to_string();
    assert!(
        err.contains("3 of 32 blocks") && err.contains("3..31"),
        "{err}"
    );
    assert!(run_blocks(&plan, &[32], None, &|_| {}).is_err());
    assert!(run_blocks(&plan, &[4, 4], None, &|_| {}).is_err());
}
