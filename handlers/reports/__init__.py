"""Reports: the `report` verb, its scope and numbers (from the indexes), its words, the charts
(the only importer of matplotlib) and the leads' weekly report."""
