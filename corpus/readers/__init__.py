"""Readers: files of every supported format into grids (Document/Table)."""
