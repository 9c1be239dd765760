"""What stands Rapport up for a test: Slack and Telegram rigs, processes, PostgreSQL, the CLI."""
