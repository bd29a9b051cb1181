"""Full-text search across templates, processes, tasks, steps and captures (`GET /search`)."""
