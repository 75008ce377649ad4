"""Local fakes of the services the bot talks to (see slack_api.FakeSlack)."""
