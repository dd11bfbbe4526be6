//! Embeds the showcase dataset (`data/*.fg` and `data/articles/*`) in the binary, so
//! that `factgraph` with no arguments can create the default store with it.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    println!("cargo:rerun-if-changed={}", data.display());
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    collect(&data, &data, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The showcase files: (path relative to data/, contents).\npub const FILES: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in &files {
        println!("cargo:rerun-if-changed={}", abs.display());
        let _ = writeln!(code, "    ({rel:?}, include_str!({:?})),", abs.display().to_string());
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("showcase_files.rs");
    std::fs::write(out, code).expect("write showcase_files.rs");
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, std::path::PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(root, &p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("fg" | "txt" | "toml")) {
            let rel = p.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::canonicalize(&p).unwrap_or(p)));
        }
    }
}
