"""Files (Tallyfy "assets"): uploads stored on disk, downloads, and their lifecycle."""
