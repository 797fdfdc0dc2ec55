"""PCS: personal cloud storage."""
