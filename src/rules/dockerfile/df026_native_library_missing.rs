use super::describe_base;
use crate::knowledge::native_libraries::{self, NativeLibrary};
use crate::model::app::StartImport;
use crate::model::base::Distro;
use crate::model::installs::{self, PythonInstaller, SystemManager};
use crate::model::{ImageModel, RunCommand};
use crate::rules::{Check, Code, Context, Diagnostic, Enabled, Rule, Severity};
use crate::space::Loaded;

pub static RULE: Rule = Rule {
    code: Code::DF026,
    name: "native-library-missing",
    severity: Severity::Error,
    summary: "the app imports, at start, a package whose wheel loads a system library the image lacks",
    doc: r#"## What it checks
A Python package whose wheel loads a shared library it does not bundle, from the native-library
catalogue (`opencv-python` and `opencv-contrib-python` load `libGL.so.1`), that the Space installs
with pip, itself or through a library that requires it in every release (`ultralytics`,
`mediapipe`, `yolov5`, `python-doctr`, `layoutparser`, `paddleocr`), against the final image: its base image is one the catalogue knows to lack the library
(the official `python`, `debian`, `ubuntu` and `buildpack-deps` images, every tag), and no
`apt-get install` of the image brings it (`libgl1`, `ffmpeg`...). Reported only where the app's
own code imports the module **when it starts** (for `streamlit run` and `panel serve`, which run
the script for each visitor: when a page loads): an unconditional import of an entry file the
start command runs, or of a module such a file imports unconditionally (`main.py` imports
`vision`, `vision.py:1` imports `cv2`). The finding is at that import.

Not reported: an import inside a function, a `try` or an `if` (it fails later, or is handled); a
script solara, marimo or mesop runs (when they import it is not known here); an image that
installs any system package the catalogue does not know to leave the library out (its
dependencies may bring it); a conda install; an image that also installs the headless
variant (two distributions of one module overwrite each other, so which one is left is not
known); a base image the catalogue does not hold; a build that stops earlier at a missing COPY.

## Why it matters on a Space
The import raises `ImportError: libGL.so.1: cannot open shared object file` before the server
starts: the build passes, and the Space shows "Runtime error" on every start (under Streamlit,
the server runs and every page shows the error).

## Example
```dockerfile
FROM python:3.11-slim
COPY requirements.txt .
RUN pip install -r requirements.txt   # opencv-python
COPY . .
CMD ["python", "app.py"]              # app.py: import cv2
```

## Fix
Install `opencv-python-headless` instead of `opencv-python` (the same `cv2` without the GUI
functions, which a Space cannot show), or install the library before the app runs
(`apt-get install -y --no-install-recommends libgl1`, as root). `spacecheck --fix --unsafe-fixes`
writes the headless distribution in place of the other in the root requirements.txt, when a RUN
installs that file (unsafe: the GUI functions are gone). A package that requires the GUI wheel
itself has no fix here: the library must be installed."#,
    check: Check::Local(check),
    enabled: Enabled::ByDefault,
    equivalents: &[],
    fixable: crate::rules::Fixable::Yes,
};

/// Whether the image may have `library` after all: a system install that is not apt, or an apt
/// package that brings it or is not known to leave it out; a conda install (conda packages
/// carry their own libraries).
fn may_have(runs: &[&RunCommand], library: &NativeLibrary) -> bool {
    runs.iter().any(|r| {
        let conda =
            r.commands.iter().any(|c| matches!(installs::python_install(c), Some((PythonInstaller::Conda, _))));
        conda
            || r.system_installs.iter().any(|(_, install)| {
                install.manager != SystemManager::Apt
                    || install.packages.iter().any(|p| {
                        library.apt_providers.contains(&p.name.as_str())
                            || !native_libraries::APT_WITHOUT.contains(&p.name.as_str())
                    })
            })
    })
}

/// Whether a RUN of the image installs Python packages with pip (so the Space's requirements
/// reach the image at all).
fn pip_installs(runs: &[&RunCommand]) -> bool {
    runs.iter().flat_map(|r| &r.commands).any(|c| {
        matches!(installs::python_install(c), Some((PythonInstaller::Pip | PythonInstaller::UvPip, _)))
    })
}

/// The repository of the final stage's base, when the catalogue knows it and it is a Debian or
/// Ubuntu image that lacks `library`.
fn lacking_base(model: &ImageModel, stage: usize, library: &NativeLibrary) -> bool {
    let base = model.stage_base(stage);
    matches!(base.distro, Distro::Debian | Distro::Ubuntu)
        && base.entry.is_some_and(|e| e.repositories.iter().any(|r| library.absent_from.contains(r)))
}

/// How a failing import shows: the app stops at start (Python, uvicorn, gunicorn, gradio,
/// chainlit, shiny import it when they start), or the server runs the script for each visitor
/// (`streamlit run`, `panel serve`: the page shows the error). `None` for the servers whose
/// moment is not known here (solara, marimo, mesop).
enum Fails {
    AtStart,
    PerVisit(&'static str),
}

fn how_it_fails(ctx: &Context) -> Option<Fails> {
    let start = ctx.start.as_ref()?;
    let runs = |name: &str| start.programs.iter().any(|p| p.base_name() == name);
    if let Some(server) = ["streamlit", "panel"].into_iter().find(|n| runs(n)) {
        return Some(Fails::PerVisit(server));
    }
    (!["solara", "marimo", "mesop"].into_iter().any(runs)).then_some(Fails::AtStart)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(model), Some(app)) = (&ctx.model, &ctx.app) else { return };
    let Some(fails) = how_it_fails(ctx) else { return };
    if app.start_imports.is_empty() || model.build_fails_at_copy() {
        return;
    }
    let stage = model.final_stage().index;
    let runs = model.lineage_runs(stage);
    for library in native_libraries::LIBRARIES {
        let direct = library.distributions.iter().find(|d| ctx.installs_package(d)).map(|d| (*d, None));
        let installed = direct.or_else(|| {
            library.pulled_by.iter().find(|p| ctx.installs_package(p.distribution)).map(|p| (p.distribution, Some(p)))
        });
        let Some((distribution, via)) = installed else { continue };
        if library.alternatives.iter().any(|a| ctx.installs_package(a))
            || !pip_installs(&runs)
            || !lacking_base(model, stage, library)
            || may_have(&runs, library)
        {
            continue;
        }
        // The library's module, or the puller's when importing it imports the library's.
        let through = via.and_then(|p| p.module).map(|(m, _)| m);
        let top = |i: &&StartImport| {
            let top = i.module.split('.').next();
            top == Some(library.module) || (through.is_some() && top == through)
        };
        let Some(import) = app.start_imports.iter().find(top) else { continue };
        let imported = match through.filter(|m| import.module.split('.').next() == Some(*m)) {
            Some(m) => format!("`{m}` (which imports `{}` as it loads)", library.module),
            None => format!("`{}`", library.module),
        };
        let Loaded::Text(source) = ctx.space.read_text(&import.file) else { continue };
        let (when, then) = match fails {
            Fails::AtStart => (" when the app starts".to_string(), "the app stops with".to_string()),
            Fails::PerVisit(server) => (String::new(), format!("{server} runs the script for every visitor, and each page stops at")),
        };
        let loads = match via {
            None => format!("`{distribution}` loads"),
            Some(p) => format!("`{distribution}` requires `{}`, whose wheel loads", p.requires),
        };
        let message = format!(
            "`{}:{}` imports {imported}{when}, and {loads} {}, which {} does not have and no `apt-get install` of this Dockerfile adds: {then} \"{}\"",
            import.file,
            import.line,
            library.library,
            describe_base(model, stage),
            library.error
        );
        let package = library.apt_providers.first().copied().unwrap_or_default();
        let install =
            format!("`RUN apt-get update && apt-get install -y --no-install-recommends {package}` as root before the app runs");
        let instead = library.alternatives.first().copied().unwrap_or_default();
        let help = match via {
            None => format!(
                "install `{instead}` instead of `{distribution}` (the same `{}` without the GUI, which a Space cannot show), or add {install}",
                library.module
            ),
            // A headless OpenCV beside it would leave two distributions writing one module.
            Some(_) => format!("add {install} (`{distribution}` itself requires the OpenCV that needs it)"),
        };
        // The headless wheel in place of the GUI one in requirements.txt, when the image installs
        // that file and it names the distribution. Unsafe: `cv2.imshow` and the like are gone.
        let fix = match via {
            None if crate::rules::edits::requirements_installed(model) => headless_fix(ctx, distribution, instead),
            _ => None,
        };
        out.push(Diagnostic::new(&RULE, message).at(&source, import.range.clone()).help(help).maybe_fix(fix));
    }
}

fn headless_fix(ctx: &Context, distribution: &str, instead: &str) -> Option<crate::diag::Fix> {
    let Loaded::Text(file) = ctx.space.read_text(crate::rules::edits::REQUIREMENTS) else { return None };
    let span = crate::rules::edits::requirement_name_span(&file.text, distribution)?;
    let message = format!("install `{instead}` instead of `{distribution}`");
    Some(crate::diag::Fix::replace(crate::diag::Applicability::Unsafe, message, &file, span, instead))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, README};

    const DOCKERFILE: &str = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";

    fn df026(dockerfile: &str, requirements: &str, app: &str) -> Vec<crate::diag::Diagnostic> {
        let files = [("README.md", README), ("Dockerfile", dockerfile), ("requirements.txt", requirements), ("app.py", app)];
        lint(&files).into_iter().filter(|d| d.code == "DF026").collect()
    }

    const APP: &str = "import cv2\nimport gradio as gr\n\ngr.Interface(lambda x: x, 'image', 'image').launch(server_name='0.0.0.0', server_port=7860)\n";

    #[test]
    fn opencv_on_slim_without_libgl() {
        let d = df026(DOCKERFILE, "opencv-python==4.10.0.84\ngradio\n", APP);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.starts_with("`app.py:1` imports `cv2` when the app starts, and `opencv-python` loads libGL.so.1, which `python:3.11-slim` does not have"), "{}", d[0].message);
        assert_eq!((d[0].file.as_deref(), d[0].span.clone()), (Some("app.py"), Some(7..10)));
        // The full image (buildpack-deps) lacks it too (opencv/opencv-python#370).
        assert_eq!(df026(&DOCKERFILE.replace("3.11-slim", "3.11"), "opencv-contrib-python\ngradio\n", APP).len(), 1);
        // Packages known to leave libGL out do not change that (libgl1-mesa-dri is not libgl1).
        let mesa = DOCKERFILE.replace("WORKDIR /app\n", "WORKDIR /app\nRUN apt-get update && apt-get install -y git libgl1-mesa-dri libglib2.0-0\n");
        assert_eq!(df026(&mesa, "opencv-python\ngradio\n", APP).len(), 1);
    }

    #[test]
    fn a_library_that_requires_opencv_python() {
        let app = "from ultralytics import YOLO\nimport gradio as gr\n\nmodel = YOLO('yolov8n.pt')\ngr.Interface(lambda x: x, 'image', 'image').launch(server_name='0.0.0.0', server_port=7860)\n";
        let d = df026(DOCKERFILE, "ultralytics==8.3.0\ngradio\n", app);
        assert_eq!(d.len(), 1, "{d:?}");
        let expected = "`app.py:1` imports `ultralytics` (which imports `cv2` as it loads) when the app starts, and `ultralytics` requires `opencv-python!=4.13.0.90,>=4.7.0`, whose wheel loads libGL.so.1";
        assert!(d[0].message.starts_with(expected), "{}", d[0].message);
        assert_eq!(d[0].span, Some(5..16));
        // A library whose import is not known to load cv2: only a direct `import cv2` tells.
        let doctr = "from doctr.models import ocr_predictor\nimport gradio as gr\n";
        assert!(df026(DOCKERFILE, "python-doctr\ngradio\n", doctr).is_empty());
        let d = df026(DOCKERFILE, "python-doctr\ngradio\n", &format!("import cv2\n{doctr}"));
        assert!(d.len() == 1 && d[0].message.starts_with("`app.py:1` imports `cv2` when"), "{d:?}");
        assert!(d[0].help.as_deref().is_some_and(|h| h.starts_with("add `RUN apt-get update")), "{:?}", d[0].help);
        // With a headless OpenCV beside it, which cv2 is left is not known.
        assert!(df026(DOCKERFILE, "ultralytics\nopencv-python-headless\ngradio\n", app).is_empty());
        // A library that moved to the headless wheel is not in the catalogue.
        assert!(df026(DOCKERFILE, "deepface\ngradio\n", app).is_empty());
    }

    #[test]
    fn streamlit_runs_the_script_for_each_visitor() {
        let df = DOCKERFILE.replace(r#"CMD ["python", "app.py"]"#, r#"CMD ["streamlit", "run", "app.py", "--server.port", "7860", "--server.address", "0.0.0.0"]"#);
        let d = df026(&df, "opencv-python\nstreamlit\n", "import cv2\nimport streamlit as st\n\nst.write(cv2.__version__)\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.starts_with("`app.py:1` imports `cv2`, and `opencv-python`"), "{}", d[0].message);
        assert!(d[0].message.contains("streamlit runs the script for every visitor, and each page stops at \"ImportError"), "{}", d[0].message);
        let solara = DOCKERFILE.replace(r#"CMD ["python", "app.py"]"#, r#"CMD ["solara", "run", "app.py", "--port", "7860", "--host", "0.0.0.0"]"#);
        assert!(df026(&solara, "opencv-python\nsolara\n", "import cv2\nimport solara\n").is_empty(), "when solara runs it is not known");
    }

    #[test]
    fn silent_where_the_import_succeeds_or_is_not_at_start() {
        let req = "opencv-python\ngradio\n";
        for apt in ["libgl1", "ffmpeg", "libgl1-mesa-glx", "some-unknown-package"] {
            let df = DOCKERFILE.replace("WORKDIR /app\n", &format!("WORKDIR /app\nRUN apt-get update && apt-get install -y {apt}\n"));
            assert!(df026(&df, req, APP).is_empty(), "{apt}");
        }
        assert!(df026(DOCKERFILE, "opencv-python-headless\ngradio\n", APP).is_empty(), "headless");
        assert!(df026(DOCKERFILE, "opencv-python\nopencv-python-headless\ngradio\n", APP).is_empty(), "both: unknown");
        let lazy = "import gradio as gr\n\ndef f(x):\n    import cv2\n    return x\n\ngr.Interface(f, 'image', 'image').launch(server_name='0.0.0.0', server_port=7860)\n";
        assert!(df026(DOCKERFILE, req, lazy).is_empty(), "imported in a function");
        let guarded = "try:\n    import cv2\nexcept ImportError:\n    cv2 = None\n".to_string() + &APP["import cv2\n".len()..];
        assert!(df026(DOCKERFILE, req, &guarded).is_empty(), "imported in a try");
        assert!(df026(&DOCKERFILE.replace("python:3.11-slim", "nvidia/cuda:12.4.1-runtime-ubuntu22.04"), req, APP).is_empty());
        assert!(df026(&DOCKERFILE.replace("RUN pip install -r requirements.txt\n", ""), req, APP).is_empty(), "nothing pip-installed");
        // Under the `__main__` guard of a module uvicorn imports: it never runs.
        let uvicorn = DOCKERFILE.replace(r#"CMD ["python", "app.py"]"#, r#"CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "7860"]"#);
        let guarded_main = "from fastapi import FastAPI\n\napp = FastAPI()\n\nif __name__ == '__main__':\n    import cv2\n";
        assert!(df026(&uvicorn, "opencv-python\nfastapi\nuvicorn\n", guarded_main).is_empty(), "__main__ guard of an imported module");
        let d = df026(DOCKERFILE, "opencv-python\nfastapi\nuvicorn\n", guarded_main);
        assert_eq!(d.len(), 1, "the guard runs in the file Python runs: {d:?}");
        let conda = DOCKERFILE.replace("WORKDIR /app\n", "WORKDIR /app\nRUN conda install -y -c conda-forge libglvnd\n");
        assert!(df026(&conda, req, APP).is_empty(), "conda");
    }
}
