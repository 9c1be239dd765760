"""The PostgreSQL engine: one database shared by many workers (database.py); the only package
that imports psycopg."""
