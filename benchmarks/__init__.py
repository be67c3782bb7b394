"""Benchmarks: a deterministic corpus generator and the measurements of issue 6
(`python -m benchmarks corpus ...`, `python -m benchmarks run ...`)."""
