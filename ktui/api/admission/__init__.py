"""Admission plugins: the mutating and validating steps between authorization and storage."""
