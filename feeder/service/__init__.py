"""The long-running service: the runner, the scheduler that rescans sources, source
health and WebSub pings."""
