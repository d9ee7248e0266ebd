"""Performance benchmarks, reported as ratios within one run (the machines are shared and noisy)."""
