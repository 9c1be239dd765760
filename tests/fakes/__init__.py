"""Local fakes of Slack (Web API, Socket Mode) and Telegram (Bot API) for offline tests."""
