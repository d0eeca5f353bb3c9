//! Which top-level Python modules an image has without the Space's own files: the standard
//! library's (Python 3.11's `sys.stdlib_module_names`,
//! docs.python.org/3/library/sys.html#sys.stdlib_module_names), and the import names of
//! distributions whose name differs from it (each entry's PyPI page or its package's source).

/// The standard library's top-level modules.
pub static STDLIB: &[&str] = &[
    "__future__", "_abc", "_aix_support", "_ast", "_asyncio", "_bisect", "_blake2", "_bootsubprocess",
    "_bz2", "_codecs", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr",
    "_codecs_tw", "_collections", "_collections_abc", "_compat_pickle", "_compression", "_contextvars",
    "_crypt", "_csv", "_ctypes", "_curses", "_curses_panel", "_datetime", "_dbm", "_decimal", "_elementtree",
    "_frozen_importlib", "_frozen_importlib_external", "_functools", "_gdbm", "_hashlib", "_heapq", "_imp",
    "_io", "_json", "_locale", "_lsprof", "_lzma", "_markupbase", "_md5", "_msi", "_multibytecodec",
    "_multiprocessing", "_opcode", "_operator", "_osx_support", "_overlapped", "_pickle", "_posixshmem",
    "_posixsubprocess", "_py_abc", "_pydecimal", "_pyio", "_queue", "_random", "_scproxy", "_sha1",
    "_sha256", "_sha3", "_sha512", "_signal", "_sitebuiltins", "_socket", "_sqlite3", "_sre", "_ssl",
    "_stat", "_statistics", "_string", "_strptime", "_struct", "_symtable", "_thread", "_threading_local",
    "_tkinter", "_tokenize", "_tracemalloc", "_typing", "_uuid", "_warnings", "_weakref", "_weakrefset",
    "_winapi", "_zoneinfo", "abc", "aifc", "antigravity", "argparse", "array", "ast", "asynchat", "asyncio",
    "asyncore", "atexit", "audioop", "base64", "bdb", "binascii", "bisect", "builtins", "bz2", "cProfile",
    "calendar", "cgi", "cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections",
    "colorsys", "compileall", "concurrent", "configparser", "contextlib", "contextvars", "copy", "copyreg",
    "crypt", "csv", "ctypes", "curses", "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis",
    "distutils", "doctest", "email", "encodings", "ensurepip", "enum", "errno", "faulthandler", "fcntl",
    "filecmp", "fileinput", "fnmatch", "fractions", "ftplib", "functools", "gc", "genericpath", "getopt",
    "getpass", "gettext", "glob", "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac", "html", "http",
    "idlelib", "imaplib", "imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools", "json",
    "keyword", "lib2to3", "linecache", "locale", "logging", "lzma", "mailbox", "mailcap", "marshal", "math",
    "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "nis", "nntplib",
    "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator", "optparse", "os", "ossaudiodev",
    "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil", "platform", "plistlib", "poplib", "posix",
    "posixpath", "pprint", "profile", "pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data",
    "pyexpat", "queue", "quopri", "random", "re", "readline", "reprlib", "resource", "rlcompleter", "runpy",
    "sched", "secrets", "select", "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd",
    "smtplib", "sndhdr", "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants",
    "sre_parse", "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess", "sunau",
    "symtable", "sys", "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile", "termios",
    "textwrap", "this", "threading", "time", "timeit", "tkinter", "token", "tokenize", "tomllib", "trace",
    "traceback", "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing", "unicodedata", "unittest",
    "urllib", "uu", "uuid", "venv", "warnings", "wave", "weakref", "webbrowser", "winreg", "winsound",
    "wsgiref", "xdrlib", "xml", "xmlrpc", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo",
];

/// (distribution, the module it installs) where they differ beyond `-`/`_` and case.
pub static MODULE_OF: &[(&str, &str)] = &[
    ("pillow", "PIL"),
    ("opencv-python", "cv2"),
    ("opencv-python-headless", "cv2"),
    ("opencv-contrib-python", "cv2"),
    ("scikit-learn", "sklearn"),
    ("scikit-image", "skimage"),
    ("pyyaml", "yaml"),
    ("python-dotenv", "dotenv"),
    ("beautifulsoup4", "bs4"),
    ("python-dateutil", "dateutil"),
    ("python-docx", "docx"),
    ("pymupdf", "fitz"),
    ("pyjwt", "jwt"),
    ("python-multipart", "multipart"),
    ("protobuf", "google"),
    ("google-generativeai", "google"),
    ("google-genai", "google"),
    ("google-cloud-storage", "google"),
    ("pycryptodome", "Crypto"),
    ("pyopenssl", "OpenSSL"),
    ("gitpython", "git"),
    ("faiss-cpu", "faiss"),
    ("faiss-gpu", "faiss"),
    ("sentence-transformers", "sentence_transformers"),
    ("llama-cpp-python", "llama_cpp"),
    ("python-telegram-bot", "telegram"),
    ("discord.py", "discord"),
    ("attrs", "attr"),
    ("setuptools", "pkg_resources"),
    ("websocket-client", "websocket"),
    ("pyzmq", "zmq"),
    ("pyserial", "serial"),
    ("python-magic", "magic"),
    ("tensorflow-cpu", "tensorflow"),
    ("typing-extensions", "typing_extensions"),
];

/// Modules that commonly arrive as dependencies of the packages a Space lists (transformers
/// with sentence-transformers, starlette and pydantic with fastapi, numpy with nearly every data
/// library…): a requirements file that does not name them does not show they are missing, so
/// their import is never taken as one nothing provides.
pub static OFTEN_TRANSITIVE: &[&str] = &[
    "PIL", "aiohttp", "anyio", "attr", "certifi", "charset_normalizer", "click", "dateutil", "filelock",
    "fsspec", "google", "gradio_client", "h11", "httpcore", "httpx", "huggingface_hub", "idna", "jinja2",
    "joblib", "jsonschema", "markupsafe", "multipart", "networkx", "numpy", "packaging", "pandas", "pydantic",
    "pydantic_core", "pytz", "regex", "requests", "safetensors", "scipy", "six", "sklearn", "sniffio",
    "starlette", "sympy", "tenacity", "tokenizers", "torch", "tqdm", "transformers", "typing_extensions",
    "urllib3", "uvicorn", "websockets", "werkzeug", "yaml", "langchain_core", "openai", "tiktoken",
];

/// Whether the standard library has this top-level module.
pub fn is_stdlib(module: &str) -> bool {
    STDLIB.binary_search(&module).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_library_and_renamed_distributions() {
        assert!(STDLIB.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
        assert!(is_stdlib("os") && is_stdlib("sqlite3") && is_stdlib("json"));
        assert!(!is_stdlib("config") && !is_stdlib("numpy"));
        assert!(MODULE_OF.iter().any(|(d, m)| *d == "pillow" && *m == "PIL"));
        assert!(OFTEN_TRANSITIVE.contains(&"transformers") && !OFTEN_TRANSITIVE.contains(&"config"));
    }
}
