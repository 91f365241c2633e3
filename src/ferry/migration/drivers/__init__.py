"""Drivers that move data: databases, files and objects, configuration."""
