"""The gateway's two jobs, as its entry points.

The API's door (this folder): `routes.py` is the table of every forwarded route (service, path,
who may call it), `door.py` admits a caller (access token, session, enterprises held, limits),
`proxy.py` forwards an admitted call to its service and relays the answer, `protection.py` and
`client_address.py` are the middleware in front, `openapi.py` the public document (built from
the services' own, committed in ../openapi/), `problems.py` the errors, `operations.py` the
readiness and metrics listener.

The accounts service (`accounts/`): `auth.py` (sign-up, sign-in, sessions, passwords, the
account itself), `staff.py` (the agency's and admins' accounts), `registry_events.py` (the
ownership of a registered enterprise, rebuilt from the registry's events)."""
