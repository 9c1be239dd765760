"""The Slack adapter: build_slack (app.py) wires the listeners to one Conversation and serves
them with SlackServer; the only package that imports slack_bolt and slack_sdk."""
