"""AWS adapters: S3, SES, Step Functions. Each turns ClientError codes into domain errors."""
