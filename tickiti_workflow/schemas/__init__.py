"""Request and response bodies, one module per resource: the validating marshmallow schemas,
whose class names are the OpenAPI document's component names."""
