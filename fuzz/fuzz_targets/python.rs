//! Arbitrary bytes as a Python file and as dependency manifests: the Python facts reader
//! (ruff's parser and spacecheck's walk over it) and the requirements/pyproject/Pipfile/conda
//! readers (pep508_rs underneath) must return without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacecheck::parse::manifest::{self, ManifestKind};
use spacecheck::parse::python_facts;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = python_facts::facts(&text);
    for kind in ManifestKind::ALL {
        let _ = manifest::packages(kind, &text);
    }
    for line in text.lines() {
        let _ = manifest::requirement(line);
        let _ = manifest::requirement_constrains_version(line);
    }
});
