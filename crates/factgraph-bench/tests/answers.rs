//! The benchmark program's answers equal what every peer answers on the shared data
//! (`shared/bench/README.md`, M = 100,000): generated here with the shared generator,
//! loaded and queried through the real benchmark binary.

use std::path::Path;
use std::process::Command;

#[test]
fn answers_equal_the_peers_at_m_100000() {
    // The generator lives in the shared folder beside the repository (as on CI); a
    // clone without it cannot run this comparison.
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/gen.py");
    if !generator.is_file() {
        eprintln!("skipped: no shared benchmark generator at {}", generator.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_factgraph-bench"))
        .args(["--m", "100000", "--budget-ms", "1", "--phase", "all"])
        .arg("--bench-dir")
        .arg(dir.path())
        .arg("--generator")
        .arg(&generator)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results/factgraph-m100000.json")).unwrap())
            .unwrap();
    let q = &results["query"];
    let answer = |k: &str| q[k]["answer"].clone();
    let expected = [
        ("b_name", 759),
        ("b_alias", 759),
        ("c_1hop_hub", 1854),
        ("c_1hop_nonhub", 1),
        ("d_who_reported_hub", 4934),
        ("d_who_reported_nonhub", 4),
        ("e_2hop_nonhub", 1425),
        ("e_3hop_nonhub", 9216),
        ("e_2hop_hub", 9529),
        ("e_3hop_hub", 9637),
        ("f_shortest", 3),
        ("f_shortest_language", 3),
    ];
    for (k, v) in expected {
        assert_eq!(answer(k), serde_json::json!(v), "{k}");
    }
    assert_eq!(results["load"]["claims"], 100_000);
    assert_eq!(results["load"]["statements"], 88_059, "claims merge into statements as the README says");
    assert_eq!(results["cold"]["answer"], 759);
}
