"""Data in and out: CSV and JSON-lines exports, imports of parties, contacts and deals from our
own format or a CRM's, and the cells a spreadsheet opens safely."""
