"""The playground: the real bot with Slack played by a local page (`python bot.py --playground`).

slack_api is the local Slack Web API (also the tests' and the benchmark's fake); world keeps what each
person sees; personas sends what Slack would send on their behalf; server is the page and its JSON API.
"""
