"""Database migration: copy a schema and its data between databases, resumably, and verify it.

``urls`` parses SQLAlchemy-style URLs; ``dialects`` opens connections; ``schema`` introspects a
source and writes PostgreSQL DDL; ``copy`` moves the rows in checkpointed keyset chunks;
``verify`` compares row counts and per-chunk checksums.
"""
