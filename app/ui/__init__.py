"""The Qt layer: screens that call services, never the database directly."""
