"""Writes of the inspections app: the only place its state changes."""
