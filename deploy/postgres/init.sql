-- Runs once, when the PostgreSQL data directory is first created (docker-entrypoint-initdb.d).
-- One database per service: no service reads another's tables. Each service creates its own
-- tables with `python -m <service> migrate` (Alembic).
CREATE DATABASE registry;
CREATE DATABASE matching;
CREATE DATABASE notifications;
-- The gateway's accounts and refresh tokens.
CREATE DATABASE gateway;
