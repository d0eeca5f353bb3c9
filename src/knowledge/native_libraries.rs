//! Python packages whose wheels load a system library they do not bundle: `import` fails on an
//! image without it, before the app serves. One entry per library, with the distributions that
//! need it, the images that lack it and the Debian packages that bring it, each from its source.
//!
//! The package facts were measured here with `apt-get install -s -o Dir::State::status=EMPTY`
//! (an empty dpkg status, so the whole dependency closure is listed) against the Debian
//! bookworm archive on 2026-12-08, with and without recommends.

/// A shared library some wheels load from the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeLibrary {
    /// The soname the import loads.
    pub library: &'static str,
    /// The pip distributions (normalized names) whose wheels load it.
    pub distributions: &'static [&'static str],
    /// The module the app imports.
    pub module: &'static str,
    /// What the import raises without it.
    pub error: &'static str,
    /// Distributions that give the same module without the library. Two of them in one
    /// environment overwrite each other's files (opencv-python's README: "select only one"), so
    /// which one the image ends with is not known.
    pub alternatives: &'static [&'static str],
    /// Image repositories whose every tag lacks it (Docker Hub official images).
    pub absent_from: &'static [&'static str],
    /// Debian packages whose install brings it (a dependency closure that holds it).
    pub apt_providers: &'static [&'static str],
    /// Distributions that require one of `distributions` in every release, so installing them
    /// installs it.
    pub pulled_by: &'static [Puller],
    pub sources: &'static [&'static str],
}

/// A distribution that requires one that needs the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Puller {
    pub distribution: &'static str,
    /// The requirement its current release declares.
    pub requires: &'static str,
    /// Where it was read.
    pub source: &'static str,
    /// Its module, when importing it imports the library's module at once (so an app that
    /// imports only it fails too), with where that import is.
    pub module: Option<(&'static str, &'static str)>,
}

pub static LIBRARIES: &[NativeLibrary] = &[NativeLibrary {
    library: "libGL.so.1",
    distributions: &["opencv-python", "opencv-contrib-python"],
    module: "cv2",
    error: "ImportError: libGL.so.1: cannot open shared object file: No such file or directory",
    alternatives: &["opencv-python-headless", "opencv-contrib-python-headless"],
    // python's images are buildpack-deps (full) or Debian with a handful of packages (slim);
    // buildpack-deps:bookworm's package list, closed over with apt-get -s, holds no libgl1.
    absent_from: &["python", "debian", "ubuntu", "buildpack-deps"],
    apt_providers: &[
        "libgl1",
        "libgl1-mesa-glx",
        "libgl1-mesa-dev",
        "ffmpeg",
        "python3-opencv",
        "libopencv-dev",
        "mesa-utils",
        "xvfb",
    ],
    // Read from each project's metadata (PyPI's requires_dist for the current release, and the
    // repository's history for the earlier ones), 2026-12-08. Left out because their OpenCV
    // changed between releases: deepface and retina-face (headless since 0.0.101 and 0.0.18),
    // insightface (opencv-python again since 1.0, through albumentations' headless before),
    // scenedetect (opencv-python since 0.7, an extra before), supervision (none since 0.28+).
    pulled_by: &[
        Puller {
            distribution: "ultralytics",
            requires: "opencv-python!=4.13.0.90,>=4.7.0",
            source: "https://pypi.org/project/ultralytics/ (8.4.190; opencv-python in every release)",
            // `ultralytics/__init__.py` (8.0.171 and 8.3.172, read) imports its models and
            // `ultralytics.utils`, whose `__init__.py` imports cv2 at module level (read at
            // 002217d4); the traceback of `import ultralytics` on a slim image in
            // bentoml/BentoYolo#8 (2025-09) and ultralytics/ultralytics#1270.
            module: Some((
                "ultralytics",
                "https://github.com/ultralytics/ultralytics/blob/efc581bb/ultralytics/__init__.py; https://github.com/bentoml/BentoYolo/issues/8",
            )),
        },
        Puller {
            distribution: "mediapipe",
            requires: "opencv-contrib-python",
            source: "https://github.com/google-ai-edge/mediapipe/blob/85c0cdc7/requirements.txt (since 0.8.3.2; opencv-python before)",
            module: None,
        },
        Puller {
            distribution: "yolov5",
            requires: "opencv-python>=4.1.1",
            source: "https://github.com/fcakyon/yolov5-pip/blob/40a18879/requirements.txt",
            module: None,
        },
        Puller {
            distribution: "python-doctr",
            requires: "opencv-python>=4.5.0,<6.0.0",
            source: "https://github.com/mindee/doctr/blob/8a88feaf/pyproject.toml",
            module: None,
        },
        Puller {
            distribution: "layoutparser",
            requires: "opencv-python",
            source: "https://github.com/Layout-Parser/layout-parser/blob/04e28168/setup.py",
            module: None,
        },
        Puller {
            distribution: "paddleocr",
            requires: "paddlex[ocr-core] (opencv-contrib-python==4.10.0.84)",
            source: "https://pypi.org/project/paddlex/ (3.7.2, extra ocr-core; PaddleOCR 2.x required opencv-python and opencv-contrib-python)",
            module: None,
        },
    ],
    sources: &[
        "https://github.com/opencv/opencv-python#installation-and-usage",
        "https://github.com/opencv/opencv-python/issues/370",
        "https://packages.debian.org/bookworm/libgl1",
        "https://github.com/docker-library/buildpack-deps/blob/8330ca1d2319b779c8b7a8aa64bb40dbe568e1e2/debian/bookworm/Dockerfile",
        "https://github.com/docker-library/python/blob/master/3.13/slim-bookworm/Dockerfile",
    ],
}];

/// Debian packages whose dependency closure (recommends included) holds none of the
/// libraries above: an image that installs only these still lacks them. Measured as the module
/// says; a package not listed may bring one (ffmpeg brings libgl1; libgl1-mesa-dri does not).
pub static APT_WITHOUT: &[&str] = &[
    "build-essential",
    "ca-certificates",
    "cmake",
    "curl",
    "espeak-ng",
    "g++",
    "gcc",
    "git",
    "git-lfs",
    "gnupg",
    "graphviz",
    "libgl1-mesa-dri",
    "libglib2.0-0",
    "libgomp1",
    "libsm6",
    "libsndfile1",
    "libxext6",
    "libxrender1",
    "locales",
    "make",
    "nano",
    "openssh-client",
    "pkg-config",
    "poppler-utils",
    "procps",
    "python3-dev",
    "python3-pip",
    "python3-venv",
    "software-properties-common",
    "sox",
    "sudo",
    "tesseract-ocr",
    "tini",
    "tzdata",
    "unzip",
    "vim",
    "wget",
    "zip",
];

/// The library entry a distribution needs, if any, and the requirement that brings it when it
/// comes through another distribution.
pub fn needed_by(distribution: &str) -> Option<(&'static NativeLibrary, Option<&'static Puller>)> {
    LIBRARIES.iter().find_map(|l| {
        if l.distributions.contains(&distribution) {
            return Some((l, None));
        }
        l.pulled_by.iter().find(|p| p.distribution == distribution).map(|p| (l, Some(p)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_well_formed() {
        for l in LIBRARIES {
            assert!(l.library.contains(".so"), "{}", l.library);
            assert!(l.error.contains(l.library), "{}", l.error);
            assert!(!l.distributions.is_empty() && !l.absent_from.is_empty() && !l.apt_providers.is_empty());
            assert!(l.sources.iter().all(|s| s.starts_with("https://")), "{:?}", l.sources);
            // A package cannot both bring the library and be known not to.
            assert!(l.apt_providers.iter().all(|p| !APT_WITHOUT.contains(p)), "{:?}", l.apt_providers);
            assert!(l.alternatives.iter().all(|a| !l.distributions.contains(a)));
            for p in l.pulled_by {
                assert!(p.source.starts_with("https://"), "{p:?}");
                assert!(
                    l.distributions.iter().any(|d| p.requires.contains(d)),
                    "{p:?} names none of {:?}",
                    l.distributions
                );
                assert!(!l.distributions.contains(&p.distribution) && !l.alternatives.contains(&p.distribution));
            }
        }
        let mut sorted = APT_WITHOUT.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, APT_WITHOUT, "sorted, once each");
    }

    #[test]
    fn opencv_needs_libgl_and_headless_does_not() {
        assert_eq!(needed_by("opencv-python").map(|(l, p)| (l.library, p)), Some(("libGL.so.1", None)));
        assert_eq!(needed_by("opencv-contrib-python").map(|(l, _)| l.module), Some("cv2"));
        let (_, via) = needed_by("ultralytics").expect("ultralytics requires opencv-python");
        assert!(via.is_some_and(|p| p.requires.starts_with("opencv-python")));
        assert_eq!(needed_by("opencv-python-headless"), None);
        assert_eq!(needed_by("deepface"), None, "headless since 0.0.101");
        assert_eq!(needed_by("numpy"), None);
    }
}
