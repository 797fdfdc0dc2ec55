"""PCS benchmarks: every figure is measured beside a raw anchor in the same run (`make bench`)."""
