"""The project's own local infrastructure: Kafka from Maven Central jars, PostgreSQL from the
pgserver package's binaries, an SMTP sink, and a supervisor that runs the services beside them.
Used by `make up` and by the test session alike."""
