"""The copilot's tool catalogue: thin adapters over domain services (read and write tools)."""
