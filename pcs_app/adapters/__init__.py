"""The outside world behind small interfaces: S3 blob store, change broker."""
