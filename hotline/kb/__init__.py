"""The knowledge base (知识库, seed 004): one standard answer for every common question, edited by
admins in the console or imported from YAML (`hotline kb import`), searched by the agents beside
the screen pop.

- `models`: the tables (migration 0008) and the names of the full-text search objects;
- `drafts`: an article as typed, checked (pure);
- `query`: a search as typed, made safe, and the snippet of a hit (pure);
- `store`: reading and saving articles, with their versions;
- `search`: the search, SQLite FTS5 trigram or PostgreSQL pg_trgm;
- `importer`: a YAML file of articles, all or nothing.
"""
