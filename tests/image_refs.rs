//! spacecheck's image-reference parser against the `docker-image-reference` crate (a regex
//! port of Docker's distribution/reference grammar): both must accept the same references and
//! read the same tag and digest, on generated references and on mutated ones.

use docker_image_reference::Reference;
use proptest::prelude::*;
use spacecheck::parse::image_ref::ImageRef;

fn component() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9]{1,6}", "[a-z0-9]{1,3}(_|__|\\.|-|--)[a-z0-9]{1,3}", "[a-zA-Z0-9_.-]{1,5}",]
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("localhost".to_string()),
        Just("localhost:5000".to_string()),
        "[a-z0-9]{1,5}\\.[a-z]{2,3}(:[0-9]{1,5})?",
        "[A-Za-z0-9-]{1,6}(\\.[A-Za-z0-9-]{1,4})?(:[0-9a]{0,3})?",
    ]
}

fn reference() -> impl Strategy<Value = String> {
    (
        proptest::option::of(domain()),
        proptest::collection::vec(component(), 1..4),
        proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}|[.-][a-z]{1,3}|"),
        proptest::option::of(prop_oneof![
            "sha256:[0-9a-f]{64}",
            "sha256:[0-9a-f]{8}",
            // Algorithms without separators: the crate reads the grammar's `[+.-_]` as a range
            // ('.' to '_'), which no registry's digest uses.
            "[A-Za-z][a-z0-9]{0,3}:[0-9a-fA-F]{32,40}",
        ]),
    )
        .prop_map(|(domain, path, tag, digest)| {
            let mut s = domain.map(|d| format!("{d}/")).unwrap_or_default();
            s.push_str(&path.join("/"));
            if let Some(t) = tag {
                s.push(':');
                s.push_str(&t);
            }
            if let Some(d) = digest {
                s.push('@');
                s.push_str(&d);
            }
            s
        })
}

/// Digest algorithms with separators are left out: the crate reads the grammar's `[+.-_]` as
/// the range '.' to '_' (so `sh:a256` is an algorithm to it); no registry uses them.
fn separator_in_algorithm(text: &str) -> bool {
    text.split_once('@').is_some_and(|(_, d)| {
        d.matches(':').count() > 1 || d.split(':').next().is_some_and(|a| a.contains(['+', '.', '_', '-', '/']))
    })
}

fn agree(text: &str) {
    if separator_in_algorithm(text) {
        return;
    }
    let ours = ImageRef::parse(text);
    let theirs = Reference::from_str(text);
    match (&ours, &theirs) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(ours.tag.as_deref(), theirs.tag(), "tag of {text:?}");
            let digest = theirs.digest_algorithm().zip(theirs.digest_hex()).map(|(a, h)| format!("{a}:{h}"));
            assert_eq!(ours.digest, digest, "digest of {text:?}");
        }
        (Err(_), Err(_)) => {}
        _ => panic!("{text:?}: spacecheck {:?}, docker-image-reference {:?}", ours, theirs.as_ref().map(|r| r.name())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_references(text in reference()) {
        agree(&text);
    }

    #[test]
    fn mutated_references(text in reference(), at in 0usize..40, with in "[a-zA-Z0-9:/._ -]") {
        let mut chars: Vec<char> = text.chars().collect();
        let at = at.min(chars.len());
        chars.insert(at, with.chars().next().unwrap_or('x'));
        agree(&chars.into_iter().collect::<String>());
    }
}

#[test]
fn known_cases() {
    for text in [
        "python:3.11-slim",
        "localhost:5000/img",
        "UPPER/img",
        "Python",
        "a/b:c:d",
        "ghcr.io/o/r@sha256:9d78ad0da0e88ca15da5735b9f70064d3099ac0a8cd9dc839795789400a38e42",
        "python:",
        ":tag",
        "img@",
        "x/",
        "/x",
        "a..b",
        "a__b",
        "a---b",
        "a_.b",
    ] {
        agree(text);
    }
}
