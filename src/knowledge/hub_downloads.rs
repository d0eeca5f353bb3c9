//! Python calls that download a model or data set from the Hugging Face Hub into the Hub cache
//! (`HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`) when they are given
//! a repository id, and which argument names it. A call given a local folder reads it and
//! downloads nothing; `local_files_only=True`, `cache_dir=` or `local_dir=` take it elsewhere
//! (the reader leaves such calls out).
//!
//! Matched like `python_writes`: a qualified name after the imports, or a method of any object
//! when the entry starts with `.`. Each entry cites its documentation.

/// One call that may download from the Hub.
#[derive(Debug, Clone, Copy)]
pub struct HubLoad {
    pub callee: &'static str,
    /// The repository id's position among the positional arguments, and its keyword.
    pub position: Option<usize>,
    pub keyword: Option<&'static str>,
    /// Whether the call downloads a default model when given none (`pipeline("ner")`).
    pub default_downloads: bool,
    pub source: &'static str,
}

const fn load(
    callee: &'static str,
    position: Option<usize>,
    keyword: Option<&'static str>,
    default_downloads: bool,
    source: &'static str,
) -> HubLoad {
    HubLoad { callee, position, keyword, default_downloads, source }
}

pub static LOADS: &[HubLoad] = &[
    // transformers, diffusers, peft, sentence-transformers' models and tokenizers alike.
    load(".from_pretrained", Some(0), Some("pretrained_model_name_or_path"), false, "huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained"),
    load("transformers.pipeline", Some(1), Some("model"), true, "huggingface.co/docs/transformers/main_classes/pipelines#transformers.pipeline (a task alone loads its default model)"),
    load("sentence_transformers.SentenceTransformer", Some(0), Some("model_name_or_path"), false, "sbert.net/docs/package_reference/sentence_transformer/SentenceTransformer.html"),
    load("sentence_transformers.CrossEncoder", Some(0), Some("model_name_or_path"), false, "sbert.net/docs/package_reference/cross_encoder/cross_encoder.html"),
    load("datasets.load_dataset", Some(0), Some("path"), false, "huggingface.co/docs/datasets/package_reference/loading_methods#datasets.load_dataset"),
    load("faster_whisper.WhisperModel", Some(0), Some("model_size_or_path"), false, "github.com/SYSTRAN/faster-whisper (WhisperModel: a size or a Hub id is downloaded)"),
    load("huggingface_hub.hf_hub_download", Some(0), Some("repo_id"), false, "huggingface.co/docs/huggingface_hub/package_reference/file_download#huggingface_hub.hf_hub_download"),
    load("huggingface_hub.snapshot_download", Some(0), Some("repo_id"), false, "huggingface.co/docs/huggingface_hub/package_reference/file_download#huggingface_hub.snapshot_download"),
    load("langchain_huggingface.HuggingFaceEmbeddings", None, Some("model_name"), true, "python.langchain.com/api_reference/huggingface/embeddings/langchain_huggingface.embeddings.huggingface.HuggingFaceEmbeddings.html (default sentence-transformers/all-mpnet-base-v2)"),
    load("langchain_community.embeddings.HuggingFaceEmbeddings", None, Some("model_name"), true, "python.langchain.com/api_reference/community/embeddings/langchain_community.embeddings.huggingface.HuggingFaceEmbeddings.html"),
];

/// The entry for a call: its qualified name first, then as a method of any object.
pub fn find(qualified: Option<&str>, method: Option<&str>) -> Option<&'static HubLoad> {
    super::by_callee(LOADS, |e| e.callee, qualified, method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_well_formed() {
        for l in LOADS {
            assert!(l.position.is_some() || l.keyword.is_some(), "{}: no argument names the model", l.callee);
            assert!(!l.source.is_empty(), "{}", l.callee);
        }
        assert!(find(Some("transformers.pipeline"), Some("pipeline")).is_some_and(|l| l.default_downloads));
        assert!(find(Some("AutoModel.from_pretrained"), Some("from_pretrained")).is_some());
        assert!(find(Some("mylib.pipeline"), Some("pipeline")).is_none());
    }
}
