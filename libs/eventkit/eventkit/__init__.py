"""Event contracts and the small Kafka and outbox toolkit shared by the Union Match services."""
