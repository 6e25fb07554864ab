-- Runs once, when the PostgreSQL data directory is first created (docker-entrypoint-initdb.d).
-- One database per service: no service reads another's tables. Each service creates its own
-- tables with `python -m <service> migrate` (Alembic).
CREATE DATABASE registry;
CREATE DATABASE matching;
CREATE DATABASE notifications;
-- The gateway has no tables today; its database is reserved for it.
CREATE DATABASE gateway;
