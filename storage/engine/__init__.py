"""The durable engines behind one port (port.py): the embedded engine (db.py and its journal,
snapshots, shards, cold shards and locks) and the PostgreSQL engine (postgres/)."""
