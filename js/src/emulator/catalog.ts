// What the emulator knows about models, prices and hardware.
//
// Sources and status of the figures:
// - Fine-tuning rates ($ per million tokens, by size band, LoRA/full, SFT/DPO): the early-2025
//   versions of together.ai/pricing as quoted in the project's Together reference (section 4.2).
//   They are UNVERIFIED and may be stale; Together's own answer to `estimate-price` is the truth.
// - Model ids and SFT context lengths (131K for the 1.5B, 65K for the 14B, 24K for the 70B) and
//   the LoRA rank cap of 64 for R1-Distill models: Together's supported-models documentation as
//   quoted in the same reference (section 4.1).
// - Epoch, evaluation, checkpoint, learning-rate and batch-size limits, and the hardware table and
//   its cents per minute: the emulator's own illustrative figures, not Together's.

export interface ModelInfo {
  id: string;
  /** Parameters, for the price band and the hardware a model needs. */
  parameters: number;
  maxSeqLengthSft: number;
  supportsFullTraining: boolean;
  /** `-Reference` models can be fine-tuned but not deployed on dedicated endpoints. */
  deployable: boolean;
}

export const MODELS: ModelInfo[] = [
  { id: "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", parameters: 1.5e9, maxSeqLengthSft: 131_072, supportsFullTraining: true, deployable: true },
  { id: "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", parameters: 14e9, maxSeqLengthSft: 65_536, supportsFullTraining: true, deployable: true },
  { id: "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", parameters: 70e9, maxSeqLengthSft: 24_576, supportsFullTraining: true, deployable: true },
  { id: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", parameters: 8e9, maxSeqLengthSft: 131_072, supportsFullTraining: true, deployable: false },
];

export function findModel(id: string): ModelInfo | undefined {
  return MODELS.find((model) => model.id === id);
}

export const LIMITS = {
  maxNumEpochs: 20,
  maxNumEvals: 100,
  maxNumCheckpoints: 10,
  minLearningRate: 1e-6,
  maxLearningRate: 1e-2,
  minMaxSeqLength: 512,
  loraDefaultRank: 64,
  loraMaxRank: 64,
  minBatchSize: 8,
  maxBatchSize: 64,
  maxBatchSizeDpo: 32,
  /** The batch size `"max"` stands for. */
  maxBatchDefault: 16,
};

export function modelLimits(model: ModelInfo): Record<string, unknown> {
  const batch = { max_batch_size: LIMITS.maxBatchSize, max_batch_size_dpo: LIMITS.maxBatchSizeDpo, min_batch_size: LIMITS.minBatchSize };
  return {
    model_name: model.id,
    max_num_epochs: LIMITS.maxNumEpochs,
    max_num_evals: LIMITS.maxNumEvals,
    max_num_checkpoints: LIMITS.maxNumCheckpoints,
    max_learning_rate: LIMITS.maxLearningRate,
    min_learning_rate: LIMITS.minLearningRate,
    min_max_seq_length: LIMITS.minMaxSeqLength,
    max_seq_length_sft: model.maxSeqLengthSft,
    max_seq_length_dpo: Math.floor(model.maxSeqLengthSft / 2),
    default_gradient_accumulation_steps: 1,
    supports_vision: false,
    supports_tools: true,
    supports_reasoning: false,
    supports_full_training: model.supportsFullTraining,
    merge_output_lora: true,
    lora_training: {
      default_rank: LIMITS.loraDefaultRank,
      max_rank: LIMITS.loraMaxRank,
      ...batch,
      target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    },
    full_training: model.supportsFullTraining ? batch : null,
  };
}

interface RateBand {
  upToParameters: number;
  loraSft: number;
  fullSft: number;
  loraDpo: number;
  fullDpo: number;
}

/** $ per million tokens (UNVERIFIED; see the top of this file). */
export const RATE_BANDS: RateBand[] = [
  { upToParameters: 16e9, loraSft: 0.48, fullSft: 0.54, loraDpo: 1.2, fullDpo: 1.35 },
  { upToParameters: 69e9, loraSft: 1.5, fullSft: 1.65, loraDpo: 3.75, fullDpo: 4.12 },
  { upToParameters: 100e9, loraSft: 2.9, fullSft: 3.2, loraDpo: 7.25, fullDpo: 8.0 },
];

export function ratePerMillion(model: ModelInfo, full: boolean, dpo: boolean): number {
  const band = RATE_BANDS.find((b) => model.parameters <= b.upToParameters) ?? RATE_BANDS[RATE_BANDS.length - 1];
  if (dpo) return full ? band.fullDpo : band.loraDpo;
  return full ? band.fullSft : band.loraSft;
}

export interface HardwareInfo {
  id: string;
  gpuType: string;
  gpuCount: number;
  gpuMemoryGb: number;
  centsPerMinute: number;
  availability: "available" | "unavailable" | "insufficient";
}

/** Illustrative configurations and prices (the emulator's own, not Together's). */
export const HARDWARE: HardwareInfo[] = [
  { id: "1x_nvidia_a100_80gb_sxm", gpuType: "a100-80gb", gpuCount: 1, gpuMemoryGb: 80, centsPerMinute: 4.0, availability: "available" },
  { id: "1x_nvidia_h100_80gb_sxm", gpuType: "h100-80gb", gpuCount: 1, gpuMemoryGb: 80, centsPerMinute: 5.5, availability: "available" },
  { id: "2x_nvidia_h100_80gb_sxm", gpuType: "h100-80gb", gpuCount: 2, gpuMemoryGb: 80, centsPerMinute: 11.0, availability: "available" },
  { id: "4x_nvidia_h100_80gb_sxm", gpuType: "h100-80gb", gpuCount: 4, gpuMemoryGb: 80, centsPerMinute: 22.0, availability: "insufficient" },
  { id: "8x_nvidia_h100_80gb_sxm", gpuType: "h100-80gb", gpuCount: 8, gpuMemoryGb: 80, centsPerMinute: 44.0, availability: "available" },
];

/** Whether a configuration holds a model's 16-bit weights with a fifth to spare. */
export function fits(hardware: HardwareInfo, model: ModelInfo): boolean {
  return hardware.gpuCount * hardware.gpuMemoryGb * 1e9 >= model.parameters * 2 * 1.2;
}
