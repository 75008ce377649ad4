"""Local fakes the tests use on top of the product's own (the Slack Web API is playground.slack_api)."""
