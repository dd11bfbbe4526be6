//! The library's public face, made visible in review: every name `lib.rs` exports and
//! every public function and method defined in this crate, snapshotted. A change to
//! the API changes the snapshot, so it is seen and accepted on purpose
//! (`cargo insta review`).

use std::path::Path;

use quote::ToTokens;

/// `pub use` trees flattened to one path per name.
fn flatten(prefix: &str, tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => flatten(&format!("{prefix}{}::", p.ident), &p.tree, out),
        syn::UseTree::Name(n) => out.push(format!("pub use {prefix}{}", n.ident)),
        syn::UseTree::Rename(r) => out.push(format!("pub use {prefix}{} as {}", r.ident, r.rename)),
        syn::UseTree::Glob(_) => out.push(format!("pub use {prefix}*")),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten(prefix, t, out)),
    }
}

fn is_pub(v: &syn::Visibility) -> bool {
    matches!(v, syn::Visibility::Public(_))
}

/// A signature as one line, without the tokens' spacing quirks.
fn line(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(" :: ", "::").replace(" ,", ",").replace("& ", "&")
}

fn items(module: &str, file: &syn::File, out: &mut Vec<String>) {
    for item in &file.items {
        match item {
            syn::Item::Use(u) if is_pub(&u.vis) => flatten("", &u.tree, out),
            syn::Item::Mod(m) if is_pub(&m.vis) => out.push(format!("pub mod {}", m.ident)),
            syn::Item::Fn(f) if is_pub(&f.vis) => out.push(format!("{module}{}", line(&f.sig))),
            syn::Item::Const(c) if is_pub(&c.vis) => out.push(format!("{module}const {}: {}", c.ident, line(&c.ty))),
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .filter(|f| is_pub(&f.vis))
                    .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
                    .collect();
                out.push(format!("{module}struct {} {{ {} }}", s.ident, fields.join(", ")));
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let variants: Vec<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
                out.push(format!("{module}enum {} {{ {} }}", e.ident, variants.join(", ")));
            }
            syn::Item::Type(t) if is_pub(&t.vis) => out.push(format!("{module}type {} = {}", t.ident, line(&t.ty))),
            syn::Item::Impl(i) => {
                let ty = line(&i.self_ty);
                let trait_ = i.trait_.as_ref().map(|(_, p, _)| line(p));
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        // Trait methods are public through the trait; list inherent ones.
                        if trait_.is_none() && is_pub(&f.vis) {
                            out.push(format!("impl {ty}: {}", line(&f.sig)));
                        }
                    }
                }
                if let Some(t) = trait_ {
                    if ["Display", "From", "Default", "Error"]
                        .iter()
                        .any(|n| t.ends_with(n) || t.contains(&format!("{n} <")))
                    {
                        out.push(format!("impl {ty}: {t}"));
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_public_api_is_what_the_snapshot_says() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let parse = |rel: &str| syn::parse_file(&std::fs::read_to_string(src.join(rel)).unwrap()).unwrap();
    let mut out = Vec::new();
    // lib.rs says what is public; the files behind its public names are read for
    // their public items. A private module's `pub` items count only when lib.rs
    // re-exports them, so those files are read too, and private helpers they hold are
    // filtered by the re-export list below.
    items("", &parse("lib.rs"), &mut out);
    for public_module in ["dot", "vocabulary"] {
        items(&format!("{public_module}::"), &parse(&format!("{public_module}.rs")), &mut out);
    }
    let exported: Vec<String> = out
        .iter()
        .filter_map(|l| l.strip_prefix("pub use "))
        .map(|p| p.rsplit("::").next().unwrap().to_owned())
        .collect();
    let mut defined = Vec::new();
    for file in [
        "graph.rs",
        "transaction.rs",
        "error.rs",
        "query/result.rs",
        "query/params.rs",
        "query/context.rs",
        "query/script.rs",
        "tsv.rs",
    ] {
        items("", &parse(file), &mut defined);
    }
    let is_exported = |l: &str| {
        let name = l
            .strip_prefix("impl ")
            .map(|rest| rest.split([':', ' ', '<']).next().unwrap_or(""))
            .or_else(|| l.split_whitespace().nth(1).map(|n| n.trim_end_matches(['(', '<', ':'])))
            .unwrap_or("");
        let fn_name = l.strip_prefix("fn ").map(|r| r.split(['(', '<', ' ']).next().unwrap_or(""));
        exported.iter().any(|e| e == name || Some(e.as_str()) == fn_name)
    };
    out.extend(defined.into_iter().filter(|l| is_exported(l)));
    insta::assert_snapshot!(out.join("\n"));
}
