"""The benchmark (`python bench/run.py`): the bot as a process, driven through local fakes of Slack and IAM."""
