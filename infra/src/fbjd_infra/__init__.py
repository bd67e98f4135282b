"""fbjd-infra: everything that runs the platform but is not a service."""
