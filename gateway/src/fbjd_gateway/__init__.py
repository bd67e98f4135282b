"""fbjd gateway: the one public entry (auth, role and scope checks, routing to the services)."""
