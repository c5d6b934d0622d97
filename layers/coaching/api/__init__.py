"""The REST API's routes (Powertools resolver), shared by API Gateway and the local gateway."""
