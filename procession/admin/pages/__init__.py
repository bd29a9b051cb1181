"""One module per admin page group; each exposes `router`."""
