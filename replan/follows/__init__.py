"""Follows: a signed-in user's standing wish to be told by e-mail what is new (a saved case search,
the criteria of their specifications). `replan` keeps the rows, sends the digests, lists them on the
account page and honours the one-click unsubscribe; it knows no domain: the composition root hands
it one `FollowKind` per kind of follow (`kinds.py`), whose `collect` says what is new."""
