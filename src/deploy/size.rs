//! Model size from the parameter count written in the model id and the precision of the weights.
//!
//! Sizes are decimal gigabytes (10^9 bytes), the unit Together and Ollama print. Bytes per
//! parameter: `fp32` 4, `fp16`/`bf16` 2 (the default: how Together serves a fine-tune and how
//! `model-download` delivers it), `fp8`/`int8`/`q8_0` 1, and `q4_k_m` about 0.56 (4.5 bits per
//! weight including the block scales of llama.cpp's Q4_K_M, the usual Ollama quantization).
//! Only the weights are counted: no KV cache, no runtime overhead.

use serde::{Deserialize, Serialize};

/// The precision of a model's weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Fp32,
    #[default]
    Fp16,
    Bf16,
    Fp8,
    Q8_0,
    Q4KM,
}

impl Precision {
    pub fn bytes_per_parameter(self) -> f64 {
        match self {
            Precision::Fp32 => 4.0,
            Precision::Fp16 | Precision::Bf16 => 2.0,
            Precision::Fp8 | Precision::Q8_0 => 1.0,
            Precision::Q4KM => 0.5625,
        }
    }
}

/// Parameters in billions, read from the model id (`...-Qwen-1.5B`, `...-Llama-70b`, `7B`).
/// `None` when the id names no size.
pub fn parameters_billions(model: &str) -> Option<f64> {
    let name = model.rsplit('/').next().unwrap_or(model);
    // Scan for a number immediately followed by `b`/`B` that ends a word.
    let bytes = name.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || matches!(bytes[i - 1], b'-' | b'_' | b'/' | b' ');
        if starts_word && bytes[i].is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            let ends_b = j < bytes.len() && matches!(bytes[j], b'b' | b'B');
            let word_ends = j + 1 >= bytes.len() || matches!(bytes[j + 1], b'-' | b'_' | b' ');
            if ends_b && word_ends {
                if let Ok(value) = name[i..j].parse::<f64>() {
                    if value.is_finite() && value > 0.0 {
                        found = Some(value);
                    }
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// Size of the weights in decimal GB.
pub fn size_gb(parameters_billions: f64, precision: Precision) -> f64 {
    parameters_billions * precision.bytes_per_parameter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_parameter_count_from_ids() {
        let cases = [
            ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", Some(1.5)),
            ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", Some(70.0)),
            ("Deepseek-R1-distill-llama-70b", Some(70.0)),
            ("user/Qwen2.5-7B-Instruct-ft-abc", Some(7.0)),
            ("user/model-without-size", None),
            ("meta-llama/Llama-3.1-8B-Instruct-Reference", Some(8.0)),
        ];
        for (id, want) in cases {
            assert_eq!(parameters_billions(id), want, "{id}");
        }
    }

    #[test]
    fn sizes_follow_precision() {
        assert!((size_gb(1.5, Precision::Fp16) - 3.0).abs() < 1e-12);
        assert!((size_gb(70.0, Precision::Fp16) - 140.0).abs() < 1e-12);
        assert!((size_gb(1.5, Precision::Q4KM) - 0.84375).abs() < 1e-12);
        assert!((size_gb(70.0, Precision::Q4KM) - 39.375).abs() < 1e-12);
    }
}
