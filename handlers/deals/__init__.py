"""Deals with customers: open and move them (lifecycle), the rules every deal command shares,
the lists and the pipeline."""
