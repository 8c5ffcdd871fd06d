//! The Ollama `Modelfile` for a fine-tune deployed locally, and the commands the user runs to get
//! its weights as GGUF.
//!
//! The package writes the Modelfile and prints the commands; it downloads nothing and converts
//! nothing itself (the merged weights are gigabytes, and conversion needs Python and llama.cpp).
//!
//! The `TEMPLATE` reproduces the instruction format the model was trained on (see
//! `dataset/render.rs`): the prompt is `{system}<｜User｜>{request}<｜Assistant｜>` and every
//! trained completion starts with `<think>\n`, so the template ends with `<think>\n` and the
//! model continues with its reasoning, `</think>`, then the answer, then
//! `<｜end▁of▁sentence｜>`, which is a stop token. The beginning-of-sentence token is not in the
//! template: llama.cpp adds it from the GGUF metadata, and writing it again would double it.
//! DeepSeek's sampling advice for R1 models: temperature 0.6, top-p 0.95.

use serde::{Deserialize, Serialize};

use crate::dataset::render::{ASSISTANT, EOS, USER};

/// DeepSeek's recommended temperature for R1 models.
pub const TEMPERATURE: f64 = 0.6;
/// DeepSeek's recommended top-p for R1 models.
pub const TOP_P: f64 = 0.95;

/// What a local deployment hands the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LocalDeployment {
    /// The Ollama model name.
    pub name: String,
    /// Where the Modelfile was written (storage path).
    pub modelfile_path: String,
    pub modelfile: String,
    /// The GGUF file the Modelfile's `FROM` expects, relative to the Modelfile.
    pub gguf_file: String,
    /// Shell commands the user runs, in order (the package runs none of them).
    pub commands: Vec<String>,
}

/// An Ollama model name from the fine-tune's output model: lower case, `[a-z0-9._-]`.
pub fn ollama_name(output_model: &str) -> String {
    let tail = output_model.rsplit('/').next().unwrap_or(output_model);
    let mut name: String = tail
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect();
    name = name.trim_matches(['-', '.', '_']).to_owned();
    if name.is_empty() {
        "selftune-model".into()
    } else {
        name
    }
}

/// The Modelfile text. `gguf_file` is the path `FROM` names (relative to the Modelfile).
pub fn modelfile(gguf_file: &str, base_model: &str, output_model: &str) -> String {
    // Quotes inside a triple-quoted value would end it; model ids have none, the template is ours.
    let template = format!(
        "{{{{ if .System }}}}{{{{ .System }}}}{{{{ end }}}}{USER}{{{{ .Prompt }}}}{ASSISTANT}<think>\n{{{{ .Response }}}}"
    );
    let comment = |text: &str| text.replace(['\n', '\r'], " ");
    format!(
        "# selftune: {output} (fine-tuned from {base})\n\
         # Trained in DeepSeek-R1's instruction format; the template opens the <think> block as training did.\n\
         FROM ./{gguf}\n\
         TEMPLATE \"\"\"{template}\"\"\"\n\
         PARAMETER temperature {TEMPERATURE}\n\
         PARAMETER top_p {TOP_P}\n\
         PARAMETER stop \"{EOS}\"\n\
         PARAMETER stop \"{USER}\"\n",
        output = comment(output_model),
        base = comment(base_model),
        gguf = comment(gguf_file),
    )
}

/// The commands that download the merged weights from Together, convert them to GGUF with
/// llama.cpp, quantize them and create the Ollama model. `api_base` is Together's `/v1` URL.
pub fn commands(api_base: &str, job_id: &str, name: &str, quantize: bool) -> Vec<String> {
    let base = api_base.trim_end_matches('/');
    let gguf_f16 = format!("{name}-f16.gguf");
    let mut out = vec![
        format!(
            "curl -fL -H \"Authorization: Bearer $TOGETHER_API_KEY\" \"{base}/finetune/download?ft_id={job_id}&checkpoint=merged\" -o {name}.tar.zst"
        ),
        format!("mkdir -p {name} && tar --zstd -xf {name}.tar.zst -C {name}"),
        "git clone --depth 1 https://github.com/ggml-org/llama.cpp && pip install -r llama.cpp/requirements.txt".into(),
        format!("python llama.cpp/convert_hf_to_gguf.py {name} --outfile {gguf_f16} --outtype f16"),
    ];
    if quantize {
        out.push("cmake -S llama.cpp -B llama.cpp/build && cmake --build llama.cpp/build --target llama-quantize".into());
        out.push(format!(
            "llama.cpp/build/bin/llama-quantize {gguf_f16} {name}-q4_k_m.gguf Q4_K_M"
        ));
    }
    out.push(format!("ollama create {name} -f Modelfile"));
    out.push(format!("ollama run {name}"));
    out
}

/// The GGUF file name the commands produce.
pub fn gguf_file(name: &str, quantize: bool) -> String {
    if quantize {
        format!("{name}-q4_k_m.gguf")
    } else {
        format!("{name}-f16.gguf")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reproduces_the_trained_format() {
        let text = modelfile(
            "m-q4_k_m.gguf",
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
            "me/m",
        );
        assert!(text.contains("FROM ./m-q4_k_m.gguf\n"));
        assert!(text.contains(
            "TEMPLATE \"\"\"{{ if .System }}{{ .System }}{{ end }}<｜User｜>{{ .Prompt }}<｜Assistant｜><think>\n{{ .Response }}\"\"\"\n"
        ));
        assert!(text.contains("PARAMETER temperature 0.6\n"));
        assert!(text.contains("PARAMETER top_p 0.95\n"));
        assert!(text.contains("PARAMETER stop \"<｜end▁of▁sentence｜>\"\n"));
        assert!(!text.contains("<｜begin▁of▁sentence｜>"));
        // Rendering the template by hand gives the prompt the model was trained on.
        let prompt = "<｜User｜>Build a plugin<｜Assistant｜><think>\n";
        let rendered =
            "{{ if .System }}{{ .System }}{{ end }}<｜User｜>{{ .Prompt }}<｜Assistant｜><think>\n"
                .replace("{{ if .System }}{{ .System }}{{ end }}", "")
                .replace("{{ .Prompt }}", "Build a plugin");
        assert_eq!(rendered, prompt);
    }

    #[test]
    fn names_and_commands() {
        assert_eq!(
            ollama_name("user/DeepSeek-R1-Distill-Qwen-1.5B-selftune-small-abc"),
            "deepseek-r1-distill-qwen-1.5b-selftune-small-abc"
        );
        assert_eq!(ollama_name("///"), "selftune-model");
        let cmds = commands("https://api.together.xyz/v1/", "ft-1", "m", true);
        assert!(cmds[0].contains(
            "https://api.together.xyz/v1/finetune/download?ft_id=ft-1&checkpoint=merged"
        ));
        assert!(cmds[0].contains("$TOGETHER_API_KEY"));
        assert!(cmds
            .iter()
            .any(|c| c.contains("convert_hf_to_gguf.py m --outfile m-f16.gguf")));
        assert!(cmds.iter().any(|c| c.ends_with("Q4_K_M")));
        assert_eq!(cmds.last().unwrap(), "ollama run m");
        let plain = commands("https://x/v1", "ft-1", "m", false);
        assert!(!plain.iter().any(|c| c.contains("quantize")));
        assert_eq!(gguf_file("m", false), "m-f16.gguf");
    }
}
