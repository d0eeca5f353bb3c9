//! Python calls that write a file or make a folder, and which argument names the path.
//!
//! A call is matched by its qualified name after the file's imports are applied
//! (`import numpy as np` makes `np.save` `numpy.save`), or, for an entry whose name starts
//! with `.`, as a method of any object (`df.to_csv(path)`). `open()` and the `pathlib.Path`
//! methods are read by the Python reader itself (their mode, their receiver).
//!
//! Each entry cites the documentation of the call; `tests` below holds a case that fires for
//! every entry and the near misses.

/// What a call makes at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Makes {
    /// A file: written, created or replaced.
    File,
    /// A folder, created when missing (`os.makedirs`); an existing folder is not written.
    Folder,
    /// Files inside a folder it creates when missing (`save_pretrained(dir)`, a database
    /// folder): the folder itself must be writable.
    FilesIn,
    /// A file, and entries beside it in its folder (SQLite's rollback journal, a rename's new
    /// entry): the file and its folder must both be writable, so a file given to the app's
    /// user in a root-owned folder is not enough.
    FileBeside,
}

/// One call that writes.
#[derive(Debug, Clone, Copy)]
pub struct WriteCall {
    /// `os.makedirs` (qualified) or `.to_csv` (a method on any object).
    pub callee: &'static str,
    /// The path's position among the positional arguments.
    pub position: Option<usize>,
    /// The path's keyword.
    pub keyword: Option<&'static str>,
    pub makes: Makes,
    /// The path written when the call is given none (`~` is HOME).
    pub default: Option<&'static str>,
    /// Path values that name no file: the call writes nothing (SQLite's `:memory:`).
    pub no_file: &'static [&'static str],
    /// Where the fact comes from.
    pub source: &'static str,
}

const fn call(
    callee: &'static str,
    position: Option<usize>,
    keyword: Option<&'static str>,
    makes: Makes,
    source: &'static str,
) -> WriteCall {
    WriteCall { callee, position, keyword, makes, default: None, no_file: &[], source }
}

use Makes::{File, FileBeside, FilesIn, Folder};

pub static CALLS: &[WriteCall] = &[
    call("os.makedirs", Some(0), Some("name"), Folder, "docs.python.org/3/library/os.html#os.makedirs"),
    call("os.mkdir", Some(0), Some("path"), Folder, "docs.python.org/3/library/os.html#os.mkdir"),
    // A rename writes the destination's folder (a new entry), whoever owns the file it replaces.
    call("os.rename", Some(1), Some("dst"), FileBeside, "docs.python.org/3/library/os.html#os.rename; man 2 rename (EACCES: write permission is denied for the directory)"),
    call("os.replace", Some(1), Some("dst"), FileBeside, "docs.python.org/3/library/os.html#os.replace; man 2 rename (EACCES: write permission is denied for the directory)"),
    call("shutil.copy", Some(1), Some("dst"), File, "docs.python.org/3/library/shutil.html#shutil.copy"),
    call("shutil.copy2", Some(1), Some("dst"), File, "docs.python.org/3/library/shutil.html#shutil.copy2"),
    call("shutil.copyfile", Some(1), Some("dst"), File, "docs.python.org/3/library/shutil.html#shutil.copyfile"),
    call("shutil.copytree", Some(1), Some("dst"), FilesIn, "docs.python.org/3/library/shutil.html#shutil.copytree"),
    call("shutil.move", Some(1), Some("dst"), File, "docs.python.org/3/library/shutil.html#shutil.move"),
    call(
        "shutil.unpack_archive",
        Some(1),
        Some("extract_dir"),
        FilesIn,
        "docs.python.org/3/library/shutil.html#shutil.unpack_archive",
    ),
    // SQLite also writes its journal beside the database, so the folder must be writable.
    // `:memory:` and `""` are databases in memory (and a temporary file SQLite places itself).
    WriteCall {
        callee: "sqlite3.connect",
        position: Some(0),
        keyword: Some("database"),
        makes: FileBeside,
        default: None,
        no_file: &[":memory:", ""],
        source: "docs.python.org/3/library/sqlite3.html#sqlite3.connect; sqlite.org/tempfiles.html (rollback journal in the database's folder); sqlite.org/inmemorydb.html (`:memory:`, and `\"\"` for a temporary database)",
    },
    call("logging.FileHandler", Some(0), Some("filename"), File, "docs.python.org/3/library/logging.handlers.html#filehandler"),
    call(
        "logging.handlers.RotatingFileHandler",
        Some(0),
        Some("filename"),
        File,
        "docs.python.org/3/library/logging.handlers.html#rotatingfilehandler",
    ),
    call(
        "logging.handlers.TimedRotatingFileHandler",
        Some(0),
        Some("filename"),
        File,
        "docs.python.org/3/library/logging.handlers.html#timedrotatingfilehandler",
    ),
    call("logging.basicConfig", None, Some("filename"), File, "docs.python.org/3/library/logging.html#logging.basicConfig"),
    call("urllib.request.urlretrieve", Some(1), Some("filename"), File, "docs.python.org/3/library/urllib.request.html#urllib.request.urlretrieve"),
    call("numpy.save", Some(0), Some("file"), File, "numpy.org/doc/stable/reference/generated/numpy.save.html"),
    call("numpy.savez", Some(0), Some("file"), File, "numpy.org/doc/stable/reference/generated/numpy.savez.html"),
    call("numpy.savez_compressed", Some(0), Some("file"), File, "numpy.org/doc/stable/reference/generated/numpy.savez_compressed.html"),
    call("numpy.savetxt", Some(0), Some("fname"), File, "numpy.org/doc/stable/reference/generated/numpy.savetxt.html"),
    call("torch.save", Some(1), Some("f"), File, "pytorch.org/docs/stable/generated/torch.save.html"),
    call("joblib.dump", Some(1), Some("filename"), File, "joblib.readthedocs.io/en/stable/generated/joblib.dump.html"),
    call("cv2.imwrite", Some(0), Some("filename"), File, "docs.opencv.org/4.x/d4/da8/group__imgcodecs.html (imwrite)"),
    call("matplotlib.pyplot.savefig", Some(0), Some("fname"), File, "matplotlib.org/stable/api/_as_gen/matplotlib.pyplot.savefig.html"),
    call("chromadb.PersistentClient", Some(0), Some("path"), FilesIn, "docs.trychroma.com/reference/python/client (PersistentClient(path))"),
    call("huggingface_hub.hf_hub_download", None, Some("local_dir"), FilesIn, "huggingface.co/docs/huggingface_hub/package_reference/file_download (local_dir)"),
    call("huggingface_hub.snapshot_download", None, Some("local_dir"), FilesIn, "huggingface.co/docs/huggingface_hub/package_reference/file_download (local_dir)"),
    // Methods, whatever the object: pandas' writers, matplotlib's Figure, PIL/Keras/gTTS
    // `save`, transformers' and LangChain's savers, zipfile/tarfile extraction.
    call(".to_csv", Some(0), Some("path_or_buf"), File, "pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_csv.html"),
    call(".to_excel", Some(0), Some("excel_writer"), File, "pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_excel.html"),
    call(".to_parquet", Some(0), Some("path"), File, "pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_parquet.html"),
    call(".to_pickle", Some(0), Some("path"), File, "pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_pickle.html"),
    call(".to_json", Some(0), Some("path_or_buf"), File, "pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_json.html"),
    call(".savefig", Some(0), Some("fname"), File, "matplotlib.org/stable/api/_as_gen/matplotlib.figure.Figure.savefig.html"),
    call(".save", Some(0), None, File, "pillow.readthedocs.io/en/stable/reference/Image.html#PIL.Image.Image.save; keras.io/api/models/model_saving_apis; gtts.readthedocs.io (gTTS.save)"),
    call(".save_pretrained", Some(0), Some("save_directory"), FilesIn, "huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.save_pretrained"),
    call(".save_local", Some(0), Some("folder_path"), FilesIn, "python.langchain.com/api_reference/community/vectorstores/langchain_community.vectorstores.faiss.FAISS.html (save_local)"),
    call(".extractall", Some(0), Some("path"), FilesIn, "docs.python.org/3/library/zipfile.html#zipfile.ZipFile.extractall"),
    // EasyOCR makes its folders under HOME when the reader is built, whatever it is given to
    // download into.
    WriteCall {
        callee: "easyocr.Reader",
        position: None,
        keyword: Some("user_network_directory"),
        makes: Folder,
        default: Some("~/.EasyOCR/user_network"),
        no_file: &[],
        source: "github.com/JaidedAI/EasyOCR easyocr/easyocr.py (Reader.__init__: user_network_directory defaults to ~/.EasyOCR/user_network, made with os.makedirs)",
    },
];

/// The entry for a call: its qualified name first, then as a method of any object.
pub fn find(qualified: Option<&str>, method: Option<&str>) -> Option<&'static WriteCall> {
    super::by_callee(CALLS, |e| e.callee, qualified, method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_well_formed() {
        for c in CALLS {
            assert!(c.position.is_some() || c.keyword.is_some(), "{}: no argument names the path", c.callee);
            assert!(!c.source.is_empty(), "{}: no source", c.callee);
            let qualified = !c.callee.starts_with('.');
            assert!(!qualified || c.callee.contains('.'), "{}: a qualified name has a module", c.callee);
        }
        let mut names: Vec<&str> = CALLS.iter().map(|c| c.callee).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CALLS.len(), "an entry is listed twice");
    }

    #[test]
    fn found_by_qualified_name_or_method() {
        assert_eq!(find(Some("os.makedirs"), Some("makedirs")).map(|c| c.makes), Some(Makes::Folder));
        assert_eq!(find(Some("df.to_csv"), Some("to_csv")).map(|c| c.callee), Some(".to_csv"));
        // A qualified name not listed is not matched by its last part unless that is a method entry.
        assert!(find(Some("mylib.makedirs"), None).is_none());
        assert!(find(Some("os.path.exists"), Some("exists")).is_none());
    }
}
