"""Plumbing every Union Match application shares, and nothing else: no domain code lives here.

The list of modules is closed:
- `caller`: who is calling (`Caller` and roles), plain Python that domain rules may name;
- `internal_token`: the gateway-to-service caller contract (claims, issue, verify, the
  `current_caller` dependency);
- `errors`: the plain-Python bases of every service's domain errors (`DomainError`, the field
  errors of `InvalidInput`, `NotFound`), which a domain package may extend;
- `problems`: RFC 9457 problem details (`ProblemDetails`, `Problem`, the exception handlers, the
  OpenAPI error responses);
- `request_limits`: the bounds of every request;
- `observability`: JSON logs with a request id, and Prometheus metrics;
- `head_requests`: HEAD answered as GET would be, without the body;
- `response_headers`: a response's headers rewritten as it starts (the one ASGI shape for it),
  and redirects within the site sent as paths, never as the Host header's URL;
- `health`: the /healthz, /readyz and /metrics routes given the app's readiness checks;
- `service_app`: that plumbing installed on a service's FastAPI app, in order;
- `migrations` and `cli`: the Alembic runner and every app's command line, with the settings
  every service's commands read (`ServiceSettings`);
- `unit_of_work`: the transaction of one use case on a SQLAlchemy session, which each service's
  unit of work extends with its repositories;
- `runner`: starting and stopping an app's consumers, relays and sweeps, and the clients they
  share (database and Kafka).

A service passes what is its own as data (its audience, its domain errors, its metrics); its
settings, domain errors and unit of work stay in the service."""
