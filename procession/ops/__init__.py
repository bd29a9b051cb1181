"""Operations: health and readiness probes, Prometheus metrics, structured request logs."""
