"""Benchmarks: a deterministic corpus generator and the measurements of issue 6
(`python -m feeder.bench corpus ...`, `python -m feeder.bench run ...`)."""
