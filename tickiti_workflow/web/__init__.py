"""The web plumbing between a request and a view: the route pipeline, request bodies,
Idempotency-Key and the request transaction, the list cache, and the OpenAPI document."""
