"""A user's decisions that override judgements: removed items, story membership and dates."""
