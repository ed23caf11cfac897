"""Users, roles, scopes, sessions and embed tokens."""
