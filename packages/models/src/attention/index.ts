// Attention over a source sequence's states (Bahdanau's additive, Luong's dot, general, concat),
// with exact masks and keys projected once per source batch.
export { AttentionBase, type AttentionMemory, type AttentionForwardOptions, type AttentionOutput, type AttentionLengths, type PrepareOptions, type ProjectKeysOptions } from './attention.js';
export { BahdanauAttention, type BahdanauAttentionOptions } from './bahdanau.js';
export { LuongAttention, type LuongAttentionOptions, type LuongScore } from './luong.js';
