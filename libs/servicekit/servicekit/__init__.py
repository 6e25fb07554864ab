"""Plumbing every Union Match application shares, and nothing else: no domain code lives here.

The list of modules is closed:
- `internal_token`: the gateway-to-service caller contract (claims, issue, verify, `Caller` and
  roles, the `current_caller` dependency);
- `problems`: RFC 9457 problem details (`ProblemDetails`, `Problem`, the exception handlers, the
  OpenAPI error responses);
- `request_limits`: the bounds of every request;
- `observability`: JSON logs with a request id, and Prometheus metrics;
- `migrations` and `cli`: the Alembic runner and every app's command line;
- `runner`: starting and stopping an app's consumers, relays and sweeps.

A service passes what is its own as data (its audience, its domain errors, its metrics); its
settings, domain errors and unit of work stay in the service."""
