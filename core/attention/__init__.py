"""Attention (note section 1): maps of one head or the average, per-head statistics, rollout and flow, query/key
probes and head ablation, bertviz's views offline, and their figures."""
