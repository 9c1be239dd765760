"""Contracts and certificates of suppliers, and the supplier policies they are checked against."""
