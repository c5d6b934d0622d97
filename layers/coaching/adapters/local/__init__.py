"""Adapters for the local runtime: folders instead of S3 and SES."""
