"""Pictures and documents in an object store (local folder by default, S3 or Azure by URL)."""
