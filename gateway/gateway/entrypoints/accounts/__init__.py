"""The accounts service the gateway also is: its own routes (answered here, never forwarded) and
its consumer of the registry's events. Use cases in service_layer/accounts.py."""
